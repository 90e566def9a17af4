//! Partial results of a sharded command (`--shard K/N`) and what `tierlab merge` reads back.
//!
//! A shard's directory holds:
//! - `partial.json`: what was run (command, arguments, shard, runs, seed, scenario hash,
//!   version), checked by the merge so that only shards of one command fit together;
//! - `scenario_as_run.toml`: the scenario text the hash is of;
//! - `results.bin`: the shard's simulations, each its per-run results
//!   ([`Results::write_to`]), in the order the command made them;
//! - `series.bin` (`tierlab run` only): per-step series of every run of the shard, chunk
//!   by chunk ([`SeriesWriter`]).
//!
//! The binary files are little-endian and exact: a merge reads back the very bits the
//! shard computed.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::series::SeriesCells;
use crate::sim::{Results, Shard};

pub const META_FILE: &str = "partial.json";
pub const SCENARIO_FILE: &str = "scenario_as_run.toml";
pub const RESULTS_FILE: &str = "results.bin";
pub const SERIES_FILE: &str = "series.bin";

/// What a shard ran, as written to `partial.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PartialMeta {
    pub tool: String,
    pub version: String,
    /// The subcommand: "run", "sweep" or "sensitivity".
    pub command: String,
    /// The command's arguments after the subcommand, without `--shard` and `--out`: a merge
    /// runs the same command on the merged simulations.
    pub args: Vec<String>,
    pub shard: u64,
    pub shards: u64,
    pub first_run: u64,
    pub end_run: u64,
    /// Runs of the whole (unsharded) command.
    pub runs: u64,
    pub seed: u64,
    pub scenario_sha256: String,
    /// Where the scenario came from, as the whole command would have stamped it.
    pub scenario_file: String,
    /// Simulations in results.bin.
    pub simulations: usize,
}

/// Errors reading partial results; every one names the file.
#[derive(Debug, thiserror::Error)]
pub enum PartialError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{0}")]
    Mismatch(String),
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> PartialError + '_ {
    move |source| PartialError::Io { path: path.to_path_buf(), source }
}

/// Writes `partial.json` and `scenario_as_run.toml` into `dir`.
///
/// # Errors
/// A file cannot be written.
pub fn write_meta(dir: &Path, meta: &PartialMeta, scenario_text: &str) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(meta).map_err(io::Error::other)?;
    text.push('\n');
    super::data::write_atomic(&dir.join(SCENARIO_FILE), scenario_text.as_bytes())?;
    super::data::write_atomic(&dir.join(META_FILE), text.as_bytes())
}

/// Appends simulations to `results.bin`.
pub struct ResultsWriter {
    file: BufWriter<File>,
}

impl ResultsWriter {
    /// # Errors
    /// The file cannot be created.
    pub fn create(dir: &Path) -> io::Result<ResultsWriter> {
        Ok(ResultsWriter { file: BufWriter::with_capacity(1 << 20, File::create(dir.join(RESULTS_FILE))?) })
    }
    /// # Errors
    /// A write fails.
    pub fn append(&mut self, r: &Results) -> io::Result<()> {
        r.write_to(&mut self.file)
    }
    /// # Errors
    /// The flush fails.
    pub fn finish(mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.get_ref().sync_all()
    }
}

/// Reads `results.bin` one simulation (or, for `run`, one chunk of runs) at a time.
pub struct ResultsReader {
    path: PathBuf,
    file: BufReader<File>,
}

impl ResultsReader {
    /// # Errors
    /// The file cannot be opened.
    pub fn open(dir: &Path) -> Result<ResultsReader, PartialError> {
        let path = dir.join(RESULTS_FILE);
        let file = File::open(&path).map_err(io_at(&path))?;
        Ok(ResultsReader { file: BufReader::with_capacity(1 << 20, file), path })
    }

    /// The next record, or `None` at the end of the file.
    ///
    /// # Errors
    /// A truncated or foreign file.
    pub fn next_results(&mut self) -> Result<Option<Results>, PartialError> {
        if self.file.fill_buf_empty().map_err(io_at(&self.path))? {
            return Ok(None);
        }
        Results::read_from(&mut self.file).map(Some).map_err(|e| PartialError::Invalid {
            path: self.path.clone(),
            message: format!("not a complete results file ({e}); was the shard interrupted?"),
        })
    }
}

trait FillBufEmpty {
    fn fill_buf_empty(&mut self) -> io::Result<bool>;
}

impl<R: Read> FillBufEmpty for BufReader<R> {
    fn fill_buf_empty(&mut self) -> io::Result<bool> {
        use std::io::BufRead;
        Ok(self.fill_buf()?.is_empty())
    }
}

const SERIES_MAGIC: &[u8; 8] = b"TLSER\x00\x01\x00";

/// Shape of a series file: what every block holds per run.
#[derive(Clone, Copy, Debug, PartialEq)]
struct SeriesShape {
    n_policies: usize,
    steps: usize,
    metrics: usize,
    dt: f64,
}

impl SeriesShape {
    fn cells(&self) -> usize {
        self.n_policies * self.steps * self.metrics
    }
}

/// Writes per-step series chunk by chunk, each chunk cell by cell (every run of a cell
/// together), so a cell over all runs is read as one piece per chunk.
pub struct SeriesWriter {
    file: BufWriter<File>,
    shape: Option<SeriesShape>,
    path: PathBuf,
}

impl SeriesWriter {
    /// # Errors
    /// The file cannot be created.
    pub fn create(path: &Path) -> io::Result<SeriesWriter> {
        let mut file = BufWriter::with_capacity(1 << 20, File::create(path)?);
        file.write_all(SERIES_MAGIC)?;
        Ok(SeriesWriter { file, shape: None, path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the series of every run of `r` that has them.
    ///
    /// # Errors
    /// A write fails, or `r` has another shape than the chunks before it.
    pub fn append(&mut self, r: &Results) -> io::Result<()> {
        let shape = SeriesShape { n_policies: r.n_policies, steps: r.steps, metrics: r.series_metrics, dt: r.dt };
        match self.shape {
            None => {
                self.shape = Some(shape);
                for x in [shape.n_policies as u64, shape.steps as u64, shape.metrics as u64, shape.dt.to_bits()] {
                    self.file.write_all(&x.to_le_bytes())?;
                }
            }
            Some(s) if s != shape => return Err(io::Error::other("series chunks of different shape")),
            Some(_) => {}
        }
        self.file.write_all(&(r.series_runs as u64).to_le_bytes())?;
        let mut cell = Vec::with_capacity(r.series_runs);
        let mut bytes = Vec::with_capacity(r.series_runs * 4);
        for p in 0..r.n_policies {
            for t in 0..r.steps {
                for m in 0..r.series_metrics {
                    r.series_cell(p, t, m, &mut cell);
                    bytes.clear();
                    for x in &cell {
                        bytes.extend_from_slice(&x.to_le_bytes());
                    }
                    self.file.write_all(&bytes)?;
                }
            }
        }
        Ok(())
    }

    /// # Errors
    /// The flush fails.
    pub fn finish(mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.get_ref().sync_all()
    }
}

/// Series files read back as one sequence of runs: the files in order, each file's chunks
/// in order.
pub struct SeriesReader {
    shape: SeriesShape,
    /// (file, offset of the block's first value, runs in the block).
    blocks: Vec<(usize, u64, usize)>,
    files: Vec<(PathBuf, File)>,
    runs: usize,
}

impl SeriesReader {
    /// Opens series files and indexes their chunks.
    ///
    /// # Errors
    /// A file cannot be read, is not a series file, or has another shape than the first.
    pub fn open(paths: &[PathBuf]) -> Result<SeriesReader, PartialError> {
        let mut shape: Option<SeriesShape> = None;
        let mut blocks = Vec::new();
        let mut files = Vec::new();
        let mut runs = 0;
        for (fi, path) in paths.iter().enumerate() {
            let invalid = |message: &str| PartialError::Invalid { path: path.clone(), message: message.to_string() };
            let mut f = File::open(path).map_err(io_at(path))?;
            let len = f.metadata().map_err(io_at(path))?.len();
            let mut head = [0u8; 8];
            f.read_exact(&mut head).map_err(|_| invalid("not a Tierlab series file"))?;
            if &head != SERIES_MAGIC {
                return Err(invalid("not a Tierlab series file (or one of another version)"));
            }
            if len == 8 {
                files.push((path.clone(), f));
                continue;
            }
            let mut u = || -> Result<u64, PartialError> {
                let mut b = [0u8; 8];
                f.read_exact(&mut b).map_err(|_| invalid("the series file ends early; was the shard interrupted?"))?;
                Ok(u64::from_le_bytes(b))
            };
            let s = SeriesShape {
                n_policies: u()? as usize,
                steps: u()? as usize,
                metrics: u()? as usize,
                dt: f64::from_bits(u()?),
            };
            if shape.is_some_and(|x| x != s) {
                return Err(invalid("the series have another shape than the other shards' (another scenario?)"));
            }
            shape = Some(s);
            let mut at = 40u64;
            while at < len {
                f.seek(SeekFrom::Start(at)).map_err(io_at(path))?;
                let mut b = [0u8; 8];
                f.read_exact(&mut b).map_err(|_| invalid("the series file ends early; was the shard interrupted?"))?;
                let n = u64::from_le_bytes(b) as usize;
                let end = at + 8 + (n * s.cells() * 4) as u64;
                if end > len {
                    return Err(invalid("the series file ends early; was the shard interrupted?"));
                }
                blocks.push((fi, at + 8, n));
                runs += n;
                at = end;
            }
            files.push((path.clone(), f));
        }
        let shape = shape.unwrap_or(SeriesShape { n_policies: 0, steps: 0, metrics: 0, dt: 0.0 });
        Ok(SeriesReader { shape, blocks, files, runs })
    }
}

impl SeriesCells for SeriesReader {
    fn n_policies(&self) -> usize {
        self.shape.n_policies
    }
    fn steps(&self) -> usize {
        self.shape.steps
    }
    fn metrics(&self) -> usize {
        self.shape.metrics
    }
    fn dt(&self) -> f64 {
        self.shape.dt
    }
    fn runs(&self) -> usize {
        self.runs
    }
    fn cell(&self, policy: usize, step: usize, metric: usize, out: &mut Vec<f32>) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        let cell = (policy * self.shape.steps + step) * self.shape.metrics + metric;
        out.clear();
        let mut bytes = Vec::new();
        for &(fi, offset, n) in &self.blocks {
            bytes.resize(n * 4, 0);
            self.files[fi].1.read_exact_at(&mut bytes, offset + (cell * n * 4) as u64)?;
            out.extend(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        }
        Ok(())
    }
}

/// One shard's directory, read.
#[derive(Clone, Debug)]
pub struct Part {
    pub dir: PathBuf,
    pub meta: PartialMeta,
    pub scenario_text: String,
}

/// Reads the shards' directories and checks that they are every shard of one command, once;
/// returns them in shard order.
///
/// # Errors
/// A missing or unreadable file, or shards that do not fit together (the message says how).
pub fn read_parts(dirs: &[PathBuf]) -> Result<Vec<Part>, PartialError> {
    let mut parts = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let path = dir.join(META_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => PartialError::Invalid {
                path: path.clone(),
                message: "no such file: is this the --out directory of a `--shard K/N` command?".into(),
            },
            _ => PartialError::Io { path: path.clone(), source: e },
        })?;
        let meta: PartialMeta = serde_json::from_str(&text)
            .map_err(|e| PartialError::Invalid { path: path.clone(), message: format!("not a partial result: {e}") })?;
        let spath = dir.join(SCENARIO_FILE);
        let scenario_text = std::fs::read_to_string(&spath).map_err(io_at(&spath))?;
        if crate::model::scenario::sha256_hex(&scenario_text) != meta.scenario_sha256 {
            return Err(PartialError::Invalid {
                path: spath,
                message: "its sha256 is not the one partial.json records: the file was changed".into(),
            });
        }
        parts.push(Part { dir: dir.clone(), meta, scenario_text });
    }
    let Some(first) = parts.first().map(|p| p.meta.clone()) else {
        return Err(PartialError::Mismatch("give the directories of every shard to merge".into()));
    };
    for p in &parts {
        let m = &p.meta;
        let same = m.command == first.command
            && m.args == first.args
            && m.shards == first.shards
            && m.runs == first.runs
            && m.seed == first.seed
            && m.scenario_sha256 == first.scenario_sha256
            && m.version == first.version
            && m.simulations == first.simulations;
        if !same {
            return Err(PartialError::Mismatch(format!(
                "{} and {} are shards of different commands (command, arguments, scenario, seed, runs or Tierlab \
                 version differ): merge only the shards of one command",
                parts[0].dir.display(),
                p.dir.display()
            )));
        }
        let expect = Shard { index: m.shard, count: m.shards }.range(m.runs);
        if m.shard == 0 || m.shard > m.shards || expect != (m.first_run..m.end_run) {
            return Err(PartialError::Invalid {
                path: p.dir.join(META_FILE),
                message: format!("shard {}/{} does not hold runs {}..{}", m.shard, m.shards, m.first_run, m.end_run),
            });
        }
    }
    parts.sort_by_key(|p| p.meta.shard);
    for w in parts.windows(2) {
        if w[0].meta.shard == w[1].meta.shard {
            return Err(PartialError::Mismatch(format!(
                "shard {}/{} is given twice ({} and {})",
                w[0].meta.shard,
                first.shards,
                w[0].dir.display(),
                w[1].dir.display()
            )));
        }
    }
    if parts.len() as u64 != first.shards {
        let have: Vec<u64> = parts.iter().map(|p| p.meta.shard).collect();
        let missing: Vec<String> = (1..=first.shards)
            .filter(|k| !have.contains(k))
            .take(10)
            .map(|k| format!("{k}/{}", first.shards))
            .collect();
        return Err(PartialError::Mismatch(format!("shards missing: {}", missing.join(", "))));
    }
    Ok(parts)
}

/// Every simulation of the shards put back together: `[simulation]`, each over every run.
///
/// # Errors
/// A file that cannot be read, or simulations that do not follow each other.
pub fn merged_simulations(parts: &[Part]) -> Result<Vec<Results>, PartialError> {
    let mut merged: Vec<Results> = Vec::new();
    for part in parts {
        let mut reader = ResultsReader::open(&part.dir)?;
        let mut i = 0;
        while let Some(r) = reader.next_results()? {
            match merged.get_mut(i) {
                None => merged.push(r),
                Some(m) => m
                    .append(r)
                    .map_err(|e| PartialError::Invalid { path: part.dir.join(RESULTS_FILE), message: e.to_string() })?,
            }
            i += 1;
        }
        if i != part.meta.simulations {
            return Err(PartialError::Invalid {
                path: part.dir.join(RESULTS_FILE),
                message: format!("holds {i} simulations where partial.json says {}", part.meta.simulations),
            });
        }
    }
    Ok(merged)
}
