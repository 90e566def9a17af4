//! Runs a resolved command's study, the same way for every command: whole, as a shard (its
//! partial result written), or replayed from every shard (`tierlab merge`), with one
//! progress bar over all of it.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;

use super::config::{CommandConfig, RunConfig, invalid};
use super::output::output;
use super::progress;
use crate::export::data::OutputWriters;
use crate::export::partial::{PartialWriter, SERIES_FILE, partial_meta, write_meta};
use crate::sim::Control;
use crate::sim::pipeline::Sink;
use crate::sim::store::Keep;
use crate::study::simulation::CHUNK_RUNS;
use crate::study::{Keeps, Runs, Study, StudyError, StudyJob, progress_at};

/// Bytes of per-run values (series, per-jurisdiction outcomes) a command keeps in memory
/// before it moves them to a temporary file beside its outputs.
pub const MEMORY_BUDGET_BYTES: usize = 1 << 30;

/// What the command's main simulation keeps, and where.
fn keeps(config: &RunConfig) -> Keeps {
    let spill = |dir: &Path| Keep::Spill { dir: dir.to_path_buf(), budget_bytes: MEMORY_BUDGET_BYTES };
    let mut k = match (&config.command, config.out.as_deref()) {
        (CommandConfig::Run, None) => Keeps::outcomes_only(),
        (_, Some(dir)) => Keeps { store: spill(dir), ..Keeps::everything() },
        (_, None) => Keeps::everything(),
    };
    if let (Some(_), Some(dir), true) = (config.shard, config.out.as_deref(), k.series) {
        k.shard_series = Some(dir.join(SERIES_FILE));
    }
    k.chunk_runs = CHUNK_RUNS;
    k
}

fn study_error(e: StudyError) -> anyhow::Error {
    if e.is_invalid_input() { invalid(e.to_string()) } else { e.into() }
}

/// Runs the study `config` asks for, its runs taken from `runs`, with a progress bar (only
/// when stderr is a terminal and `--quiet` is not given).
///
/// # Errors
/// Invalid input (exit code 2), cancellation, an output that cannot be written.
pub fn execute(config: &RunConfig, runs: Runs) -> anyhow::Result<Study> {
    let s = &config.input.scenario;
    let plan = config.command.plan(s);
    let files: Option<Box<dyn Sink + Send>> = match (&config.command, config.out.as_deref(), runs.is_shard()) {
        (CommandConfig::Run, Some(dir), false) => Some(Box::new(
            OutputWriters::create(dir, s)
                .with_context(|| format!("cannot write the run files to {}", dir.display()))?,
        )),
        _ => None,
    };
    if let Some(dir) = config.out.as_deref() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let job = StudyJob::new(&config.input, &plan, runs, &keeps(config), files).map_err(study_error)?;
    let control = Control::new();
    let stages = job.stages().to_vec();
    let work = || job.run(config.threads, &control);
    let template = "{spinner} {msg:16} [{elapsed_precise}] {bar:40} {percent:>3}% ({eta} left)";
    let out = match progress::bar(1000, template, config.quiet) {
        None => work(),
        Some(b) => {
            let tick = || {
                let p = progress_at(&stages, control.runs_done());
                b.set_message(p.part.label());
                b.set_position((p.fraction * 1000.0) as u64);
            };
            let out = progress::polled(Duration::from_millis(100), tick, work);
            b.finish_and_clear();
            out
        }
    };
    out.map_err(study_error)
}

/// Runs the command `config` resolves: its study whole (then prints and writes what the
/// command does) or, with `--shard`, one shard of it.
///
/// # Errors
/// As [`execute`], and an output that cannot be written.
pub fn command(config: &RunConfig) -> anyhow::Result<ExitCode> {
    if config.shard.is_some() {
        execute_shard(config)?;
    } else {
        let study = execute(config, Runs::All)?;
        output(config, &study)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs shard `config.shard` of the command and writes its partial result to `--out`.
///
/// # Errors
/// As [`execute`].
pub fn execute_shard(config: &RunConfig) -> anyhow::Result<()> {
    let (Some(shard), Some(dir)) = (config.shard, config.out.as_deref()) else {
        return Err(invalid("--shard needs --out DIR for its partial result"));
    };
    let writer = PartialWriter::create(dir).with_context(|| format!("cannot write to {}", dir.display()))?;
    let simulations = execute(config, Runs::Shard { shard, capture: Box::new(writer) })?.simulations;
    let json = serde_json::to_value(&config.command).context("cannot describe the command")?;
    let meta = partial_meta(config.command.name(), json, shard, &config.input, simulations);
    write_meta(dir, &meta, &config.input.source.text).with_context(|| format!("cannot write to {}", dir.display()))?;
    let s = &config.input.scenario;
    let range = shard.range(s.run().runs);
    println!(
        "{} shard {shard} of {}: runs {}..{} of {}, {} simulation{}; partial result in {} (combine the shards with \
         `tierlab merge --out DIR SHARD_DIR...`)",
        config.command.name(),
        config.input.source.origin,
        range.start,
        range.end,
        s.run().runs,
        simulations,
        if simulations == 1 { "" } else { "s" },
        dir.display()
    );
    Ok(())
}
