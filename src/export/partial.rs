//! Partial results of a sharded command (`--shard K/N`) and what `tierlab merge` reads back.
//!
//! A shard's directory holds:
//! - `partial.json`: what was run (the command's resolved configuration, the shard, the
//!   scenario's runs and seed, its hash and origin, the version), checked by the merge so
//!   that only shards of one command fit together;
//! - `scenario_as_run.toml`: the scenario text the hash is of;
//! - `results.bin`: every simulation of the study, chunk by chunk, each record the
//!   simulation's number and the chunk's per-run results ([`Results::write_to`]);
//! - `series.bin` (when the command keeps per-step series): the main simulation's series
//!   store ([`crate::sim::store`]), a block per chunk of `results.bin`'s simulation 0.
//!
//! The binary files are little-endian and exact: a merge reads back the very bits the shard
//! computed and replays them through the same sinks and analyses as one machine
//! ([`ShardReplay`], a `study::Replay`).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::sim::pipeline::{ChunkSource, PipelineError, SinkError};
use crate::sim::sinks::SeriesStore;
use crate::sim::{Control, Results, Shard};
use crate::study::simulation::MAIN_SIMULATION;
use crate::study::{Capture, Input, Replay, ScenarioSource, Task};

pub const META_FILE: &str = "partial.json";
pub const SCENARIO_FILE: &str = "scenario_as_run.toml";
pub const RESULTS_FILE: &str = "results.bin";
pub const SERIES_FILE: &str = "series.bin";

/// What a shard ran, as written to `partial.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PartialMeta {
    pub tool: String,
    pub version: String,
    /// The subcommand: "run", "sweep", "sensitivity", "decide", "report" or "figures".
    pub command: String,
    /// The command's configuration, resolved from its arguments once: a merge runs the same
    /// command from it.
    pub config: serde_json::Value,
    pub shard: u64,
    pub shards: u64,
    /// Runs of the scenario (the whole, unsharded command's).
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

/// Writes a shard's partial result: every chunk of every simulation to `results.bin` (a
/// `study::Capture`), then `partial.json` and `scenario_as_run.toml`.
pub struct PartialWriter {
    dir: PathBuf,
    file: BufWriter<File>,
    simulations: std::collections::BTreeSet<usize>,
}

impl PartialWriter {
    /// # Errors
    /// The directory or `results.bin` cannot be created.
    pub fn create(dir: &Path) -> io::Result<PartialWriter> {
        std::fs::create_dir_all(dir)?;
        let file = BufWriter::with_capacity(1 << 20, File::create(dir.join(RESULTS_FILE))?);
        Ok(PartialWriter { dir: dir.to_path_buf(), file, simulations: Default::default() })
    }

    fn error(&self, e: io::Error) -> SinkError {
        SinkError::new(format!("cannot write {}", self.dir.join(RESULTS_FILE).display()), e)
    }
}

impl Capture for PartialWriter {
    fn chunk(&mut self, simulation: usize, chunk: &Results) -> Result<(), SinkError> {
        self.simulations.insert(simulation);
        let mut write = || -> io::Result<()> {
            self.file.write_all(&(simulation as u64).to_le_bytes())?;
            chunk.write_to(&mut self.file)
        };
        write().map_err(|e| self.error(e))
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        let mut flush = || -> io::Result<()> {
            self.file.flush()?;
            self.file.get_ref().sync_all()
        };
        flush().map_err(|e| self.error(e))
    }
}

/// The shared state behind a [`PartialWriter`] a study owns: how many simulations it wrote.
impl PartialWriter {
    pub fn simulations(&self) -> usize {
        self.simulations.len()
    }
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

/// The partial.json of shard `shard` of `command` run on `input`.
pub fn partial_meta(
    command: &str,
    config: serde_json::Value,
    shard: Shard,
    input: &Input,
    simulations: usize,
) -> PartialMeta {
    let s = &input.scenario;
    PartialMeta {
        tool: "tierlab".into(),
        version: crate::VERSION.into(),
        command: command.into(),
        config,
        shard: shard.index,
        shards: shard.count,
        runs: s.run().runs,
        seed: s.run().seed,
        scenario_sha256: input.source.sha256(),
        scenario_file: input.source.origin.clone(),
        simulations,
    }
}

/// One shard's directory, read.
#[derive(Clone, Debug)]
pub struct Part {
    pub dir: PathBuf,
    pub meta: PartialMeta,
    pub scenario_text: String,
}

impl Part {
    /// The scenario the shards ran, stamped with the origin they recorded.
    pub fn source(&self) -> ScenarioSource {
        ScenarioSource::new(self.meta.scenario_file.clone(), self.scenario_text.clone())
    }
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
            && m.config == first.config
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
        if m.shard == 0 || m.shard > m.shards {
            return Err(PartialError::Invalid {
                path: p.dir.join(META_FILE),
                message: format!("shard {}/{} is not a shard (1 <= K <= N)", m.shard, m.shards),
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

/// One shard's `results.bin`, read record by record.
struct Records {
    path: PathBuf,
    file: BufReader<File>,
    /// A record read but not yet handed out (it belongs to a later simulation).
    peeked: Option<(usize, Results)>,
}

impl Records {
    fn open(dir: &Path) -> Result<Records, PartialError> {
        let path = dir.join(RESULTS_FILE);
        let file = File::open(&path).map_err(io_at(&path))?;
        Ok(Records { file: BufReader::with_capacity(1 << 20, file), path, peeked: None })
    }

    fn invalid(&self, message: impl Into<String>) -> PipelineError {
        PipelineError::Source(format!("{}: {}", self.path.display(), message.into()))
    }

    /// The next record, or `None` at the end of the file.
    fn next(&mut self) -> Result<Option<(usize, Results)>, PipelineError> {
        if let Some(r) = self.peeked.take() {
            return Ok(Some(r));
        }
        let mut tag = [0u8; 8];
        match self.file.read(&mut tag[..1]) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) => return Err(self.invalid(e.to_string())),
        }
        self.file
            .read_exact(&mut tag[1..])
            .map_err(|e| self.invalid(format!("not a complete results file ({e}); was the shard interrupted?")))?;
        let simulation = u64::from_le_bytes(tag) as usize;
        let results = Results::read_from(&mut self.file)
            .map_err(|e| self.invalid(format!("not a complete results file ({e}); was the shard interrupted?")))?;
        Ok(Some((simulation, results)))
    }

    /// The next record of `simulation`, skipping none: `None` once the file has moved on to a
    /// later simulation (or ended).
    fn next_of(&mut self, simulation: usize) -> Result<Option<Results>, PipelineError> {
        match self.next()? {
            Some((s, r)) if s == simulation => Ok(Some(r)),
            Some((s, r)) if s > simulation => {
                self.peeked = Some((s, r));
                Ok(None)
            }
            Some((s, _)) => Err(self.invalid(format!("simulation {s} comes after simulation {simulation}"))),
            None => Ok(None),
        }
    }
}

/// The merged shards of one command, given back to its study simulation by simulation in
/// the order the study asks (a `study::Replay`). Each simulation's chunks are read from the
/// shards' files as the pipeline asks for them, so a merge holds one chunk at a time.
pub struct ShardReplay {
    state: Arc<Mutex<ReplayState>>,
}

struct ReplayState {
    parts: Vec<Part>,
    /// Per part, its results.bin (opened once, read forward).
    records: Vec<Records>,
    /// Per part, its series store (`series.bin`), when the shards kept series.
    series: Vec<Option<SeriesStore>>,
}

impl ShardReplay {
    /// # Errors
    /// A file that cannot be opened or is not a store of series.
    pub fn open(parts: Vec<Part>) -> Result<ShardReplay, PartialError> {
        let mut records = Vec::with_capacity(parts.len());
        let mut series = Vec::with_capacity(parts.len());
        for p in &parts {
            records.push(Records::open(&p.dir)?);
            let path = p.dir.join(SERIES_FILE);
            series.push(if path.exists() {
                Some(
                    SeriesStore::open(std::slice::from_ref(&path))
                        .map_err(|e| PartialError::Invalid { path: path.clone(), message: e.to_string() })?,
                )
            } else {
                None
            });
        }
        Ok(ShardReplay { state: Arc::new(Mutex::new(ReplayState { parts, records, series })) })
    }
}

/// One simulation's chunks across every shard, in shard order, read as asked for; the main
/// simulation's with their series from the shards' series stores.
struct Replayed {
    state: Arc<Mutex<ReplayState>>,
    simulation: usize,
    with_series: bool,
    n_policies: usize,
    steps: usize,
    runs: std::ops::Range<u64>,
    /// The part being read, and the next series block in it.
    part: usize,
    block: usize,
    next_run: u64,
}

impl Replayed {
    fn read(&mut self) -> Result<Option<Results>, PipelineError> {
        let mut guard = self.state.lock().map_err(|_| PipelineError::Source("the shards' reader failed".into()))?;
        let st = &mut *guard;
        while self.part < st.parts.len() {
            let k = self.part;
            let Some(mut r) = st.records[k].next_of(self.simulation)? else {
                self.part += 1;
                self.block = 0;
                continue;
            };
            let dir = &st.parts[k].dir;
            if r.n_policies != self.n_policies || r.steps != self.steps {
                return Err(PipelineError::Source(format!(
                    "{}: simulation {} has {} policies and {} steps where {} and {} were expected (shards of \
                     another command?)",
                    dir.display(),
                    self.simulation,
                    r.n_policies,
                    r.steps,
                    self.n_policies,
                    self.steps
                )));
            }
            if self.with_series {
                let path = dir.join(SERIES_FILE);
                let store = st.series[k].as_ref().ok_or_else(|| {
                    PipelineError::Source(format!("{}: the shard kept no per-step series", dir.display()))
                })?;
                let values = store
                    .store()
                    .block(self.block)
                    .map_err(|e| PipelineError::Source(format!("{}: {e}", path.display())))?;
                if values.len() != store.store().cells() * r.n_runs() {
                    return Err(PipelineError::Source(format!("{}: the series do not match the runs", path.display())));
                }
                r.set_series_cell_major(store.metrics, &values);
                self.block += 1;
            }
            return Ok(Some(r));
        }
        Ok(None)
    }
}

impl ChunkSource for Replayed {
    fn runs(&self) -> std::ops::Range<u64> {
        self.runs.clone()
    }

    fn next_chunk(&mut self, _max_runs: u64, control: &Control) -> Result<Option<Results>, PipelineError> {
        if control.is_cancelled() {
            return Err(PipelineError::Sim(crate::sim::SimError::Cancelled));
        }
        match self.read()? {
            Some(c) => {
                if c.runs.start != self.next_run {
                    return Err(PipelineError::Source(format!(
                        "simulation {}: runs {}..{} follow run {}: a shard is missing or given twice",
                        self.simulation, c.runs.start, c.runs.end, self.next_run
                    )));
                }
                self.next_run = c.runs.end;
                control.add_runs_done(c.n_runs() as u64);
                Ok(Some(c))
            }
            None if self.next_run != self.runs.end => Err(PipelineError::Source(format!(
                "simulation {}: the shards hold runs 0..{}, not 0..{}",
                self.simulation, self.next_run, self.runs.end
            ))),
            None => Ok(None),
        }
    }
}

impl Replay for ShardReplay {
    fn simulation(&mut self, simulation: usize, task: &Task) -> Result<Box<dyn ChunkSource>, PipelineError> {
        Ok(Box::new(Replayed {
            state: Arc::clone(&self.state),
            simulation,
            with_series: simulation == MAIN_SIMULATION && task.options.record.series_runs > 0,
            n_policies: task.n_policies(),
            steps: task.engine.steps,
            runs: 0..task.runs,
            part: 0,
            block: 0,
            next_run: 0,
        }))
    }
}
