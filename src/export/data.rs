//! The output files of `tierlab run --out DIR` (docs/OUTPUTS.md): runs.csv, jurisdictions.csv
//! and params.csv written chunk by chunk as a sink of the simulation, then series.csv and
//! summary.json; and the atomic write every output file goes through.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::{SeriesSummary, Summary};
use crate::model::{PARAMS, Scenario};
use crate::sim::Results;
use crate::sim::pipeline::{Sink, SinkError};
use crate::study::Provenance;

pub const RUNS_HEADER: [&str; 10] =
    ["run", "policy", "benefit", "harm", "net", "events", "catastrophes", "max_event", "open_pool_end", "hazard_year"];
pub const JURISDICTIONS_HEADER: [&str; 6] = ["run", "policy", "jurisdiction", "benefit", "harm", "share_end"];
pub const PARAMS_HEADER: [&str; 3] = ["run", "param", "value"];
pub const SERIES_HEADER: [&str; 9] = ["policy", "year", "metric", "p5", "p25", "p50", "p75", "p95", "mean"];

fn csv_writer(path: &Path) -> std::io::Result<csv::Writer<BufWriter<File>>> {
    let file = File::create(path)?;
    Ok(csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, file)))
}

fn io_err(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Streams runs.csv, jurisdictions.csv and params.csv, a chunk of runs at a time: a sink of
/// the main simulation.
pub struct OutputWriters {
    runs: csv::Writer<BufWriter<File>>,
    jurisdictions: csv::Writer<BufWriter<File>>,
    params: csv::Writer<BufWriter<File>>,
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
        let mut runs = csv_writer(&dir.join("runs.csv"))?;
        runs.write_record(RUNS_HEADER).map_err(io_err)?;
        let mut jurisdictions = csv_writer(&dir.join("jurisdictions.csv"))?;
        jurisdictions.write_record(JURISDICTIONS_HEADER).map_err(io_err)?;
        let mut params = csv_writer(&dir.join("params.csv"))?;
        params.write_record(PARAMS_HEADER).map_err(io_err)?;
        Ok(OutputWriters {
            runs,
            jurisdictions,
            params,
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
        let mut buf = ryu::Buffer::new();
        let mut f = |x: f64| -> String { buf.format(x).to_string() };
        for i in 0..r.n_runs() {
            let run = (r.runs.start + i as u64).to_string();
            for (p, policy) in self.policies.iter().enumerate() {
                let o = r.outcome(i, p);
                let hazard = if o.hazard_year.is_nan() { String::new() } else { f(o.hazard_year) };
                self.runs
                    .write_record([
                        run.as_str(),
                        policy.as_str(),
                        &f(o.benefit),
                        &f(o.harm),
                        &f(o.net()),
                        &o.events.to_string(),
                        &o.catastrophes.to_string(),
                        &f(o.max_event),
                        &f(o.open_pool_end),
                        &hazard,
                    ])
                    .map_err(io_err)?;
                if !r.jurisdictions.is_empty() {
                    for (j, jur) in self.jurisdiction_names.iter().enumerate() {
                        let x = &r.jurisdictions[(i * np + p) * nj + j];
                        self.jurisdictions
                            .write_record([
                                run.as_str(),
                                policy.as_str(),
                                jur.as_str(),
                                &f(x.benefit),
                                &f(x.harm),
                                &f(x.share_end),
                            ])
                            .map_err(io_err)?;
                    }
                }
            }
            if !r.params.is_empty() {
                let k = r.param_ids.len();
                for (c, &id) in r.param_ids.iter().enumerate() {
                    let name = format!("world.{}", PARAMS[id].key);
                    self.params.write_record([run.as_str(), &name, &f(r.params[i * k + c])]).map_err(io_err)?;
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

/// Writes series.csv: one row per policy, step and metric.
///
/// # Errors
/// The file cannot be written.
pub fn write_series_csv(path: &Path, names: &[String], series: &SeriesSummary) -> std::io::Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(SERIES_HEADER).map_err(io_err)?;
    let mut buf = ryu::Buffer::new();
    for (p, name) in names.iter().enumerate() {
        for t in 0..series.steps {
            let year = buf.format(series.year(t)).to_string();
            for (m, metric) in series.metrics.iter().enumerate() {
                let b = series.band(p, m, t);
                let vals: Vec<String> = [b.p5, b.p25, b.p50, b.p75, b.p95, b.mean]
                    .iter()
                    .map(|x| ryu::Buffer::new().format(*x).to_string())
                    .collect();
                let mut rec = vec![name.as_str(), year.as_str(), metric.as_str()];
                rec.extend(vals.iter().map(String::as_str));
                w.write_record(&rec).map_err(io_err)?;
            }
        }
    }
    w.flush()
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    meta: &'a Provenance,
    baseline: &'a str,
    policy_order: Vec<&'a str>,
    policies: serde_json::Map<String, serde_json::Value>,
    /// Absent unless some draw was clamped: files of scenarios without clamps stay as they were.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    clamped_draws: &'a std::collections::BTreeMap<String, u64>,
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

/// summary.json's text.
///
/// # Errors
/// Serialisation fails (it does not for finite data).
pub fn summary_json(summary: &Summary, meta: &Provenance) -> std::io::Result<String> {
    let mut policies = serde_json::Map::new();
    for p in &summary.policies {
        policies.insert(p.name.clone(), serde_json::to_value(p).map_err(std::io::Error::other)?);
    }
    let file = SummaryFile {
        meta,
        baseline: &summary.policies[summary.reference].name,
        policy_order: summary.policies.iter().map(|p| p.name.as_str()).collect(),
        policies,
        clamped_draws: &summary.clamped_draws,
    };
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
