//! The output files of `tierlab run --out DIR` (docs/OUTPUTS.md): runs.csv, jurisdictions.csv
//! and params.csv written chunk by chunk as a sink of the simulation, then series.csv and
//! summary.json; and the atomic write every output file goes through.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::analysis::{SeriesSummary, Summary};
use crate::model::Scenario;
use crate::sim::Results;
use crate::sim::pipeline::{Sink, SinkError};
use crate::study::Provenance;

use super::json::SummaryFile;
use super::rows::{JurisdictionRow, ParamRow, RunRow, SeriesRow};
use super::table::{RowWriter, TableError};

type FileRows = RowWriter<BufWriter<File>>;

/// A CSV file of `R` rows at `path`, its header written.
fn rows_file<R: serde::Serialize + Default>(path: &Path) -> Result<FileRows, TableError> {
    let file = File::create(path)?;
    RowWriter::new::<R>(BufWriter::with_capacity(1 << 20, file))
}

/// Streams runs.csv, jurisdictions.csv and params.csv, a chunk of runs at a time: a sink of
/// the main simulation.
pub struct OutputWriters {
    runs: FileRows,
    jurisdictions: FileRows,
    params: FileRows,
    dir: PathBuf,
    policies: Vec<String>,
    jurisdiction_names: Vec<String>,
}

impl OutputWriters {
    /// Creates the directory and the three files with their headers.
    ///
    /// # Errors
    /// The directory or a file cannot be created or written.
    pub fn create(dir: &Path, scenario: &Scenario) -> std::io::Result<OutputWriters> {
        std::fs::create_dir_all(dir)?;
        Ok(OutputWriters {
            runs: rows_file::<RunRow<'_>>(&dir.join("runs.csv"))?,
            jurisdictions: rows_file::<JurisdictionRow<'_>>(&dir.join("jurisdictions.csv"))?,
            params: rows_file::<ParamRow<'_>>(&dir.join("params.csv"))?,
            dir: dir.to_path_buf(),
            policies: scenario.policies().iter().map(|p| p.name.clone()).collect(),
            jurisdiction_names: scenario.jurisdictions().iter().map(|j| j.name.clone()).collect(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends the rows of one chunk of runs.
    ///
    /// # Errors
    /// A write fails.
    pub fn write_chunk(&mut self, r: &Results) -> std::io::Result<()> {
        let np = r.n_policies;
        let nj = r.n_jurisdictions;
        let param_names: Vec<String> =
            r.param_ids.iter().map(|&id| crate::model::params::param_key(id, &self.jurisdiction_names)).collect();
        for i in 0..r.n_runs() {
            let run = r.runs.start + i as u64;
            for (p, policy) in self.policies.iter().enumerate() {
                self.runs.write(&RunRow::new(run, policy, r.outcome(i, p)))?;
                if !r.jurisdictions.is_empty() {
                    for (j, jurisdiction) in self.jurisdiction_names.iter().enumerate() {
                        let x = &r.jurisdictions[(i * np + p) * nj + j];
                        self.jurisdictions.write(&JurisdictionRow {
                            run,
                            policy,
                            jurisdiction,
                            benefit: x.benefit,
                            harm: x.harm,
                            share_end: x.share_end,
                        })?;
                    }
                }
            }
            if !r.params.is_empty() {
                let k = param_names.len();
                for (c, param) in param_names.iter().enumerate() {
                    self.params.write(&ParamRow { run, param, value: r.params[i * k + c] })?;
                }
            }
        }
        Ok(())
    }

    /// Flushes all files.
    ///
    /// # Errors
    /// A flush fails.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.runs.flush()?;
        self.jurisdictions.flush()?;
        self.params.flush()?;
        Ok(())
    }
}

impl Sink for OutputWriters {
    fn accept(&mut self, chunk: &Results) -> Result<(), SinkError> {
        self.write_chunk(chunk)
            .map_err(|e| SinkError::new(format!("cannot write the run files to {}", self.dir.display()), e))
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.flush().map_err(|e| SinkError::new(format!("cannot write the run files to {}", self.dir.display()), e))
    }
}

/// Writes series.csv: one row per policy, step and metric ([`SeriesRow`]).
///
/// # Errors
/// The file cannot be written.
pub fn write_series_csv(path: &Path, names: &[String], series: &SeriesSummary) -> std::io::Result<()> {
    let mut w = rows_file::<SeriesRow<'_>>(path)?;
    for (p, name) in names.iter().enumerate() {
        for t in 0..series.steps {
            for (m, metric) in series.metrics.iter().enumerate() {
                w.write(&SeriesRow::new(name, series.year(t), metric, series.band(p, m, t)))?;
            }
        }
    }
    Ok(w.flush()?)
}

/// Writes summary.json: provenance and, per policy, its summary.
///
/// # Errors
/// The file cannot be written.
pub fn write_summary_json(path: &Path, summary: &Summary, meta: &Provenance) -> std::io::Result<()> {
    let text = summary_json(summary, meta)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// summary.json's text ([`SummaryFile`]).
///
/// # Errors
/// Serialisation fails (it does not for finite data).
pub fn summary_json(summary: &Summary, meta: &Provenance) -> std::io::Result<String> {
    let file = SummaryFile::new(summary, meta).map_err(std::io::Error::other)?;
    let mut s = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
    s.push('\n');
    Ok(s)
}

/// Writes `bytes` to `path` atomically (a temporary file, then a rename).
///
/// # Errors
/// The write or rename fails.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
