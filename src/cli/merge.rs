//! `--shard K/N` for `run`, `sweep` and `sensitivity`, and `tierlab merge`, which puts the
//! shards back together. A merge runs the shards' command again on the merged simulations
//! (`sim::RunSource::replay`) instead of simulating, so its files are those of the command
//! run on one machine, byte for byte, wall time and thread count aside.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::Parser as _;

use super::run::{Loaded, Mode, check_shard, execute, partial_meta};
use super::{Cli, Command, InvalidInput, MergeArgs};
use crate::export::partial::{Part, ResultsWriter, merged_simulations, read_parts, write_meta};
use crate::model::Scenario;
use crate::sim::{Results, RunSource, Shard};

/// Where an analysis command's simulations come from.
pub enum Source {
    /// Simulate (every run, or a shard's with `--shard`).
    Simulate,
    /// The merged simulations of every shard, in the order the command makes them.
    Merged(Vec<Results>),
}

impl Source {
    /// The run source for a command with `shard` (from `--shard`) and this source.
    ///
    /// # Errors
    /// A shard without `--out`, or with more shards than runs.
    pub fn run_source(self, shard: Option<Shard>, out: Option<&Path>, runs: u64) -> anyhow::Result<RunSource> {
        match (shard, self) {
            (Some(shard), _) => {
                if out.is_none() {
                    return Err(InvalidInput("--shard needs --out DIR for its partial result".into()).into());
                }
                check_shard(shard, runs)?;
                Ok(RunSource::capture(shard.range(runs)))
            }
            (None, Source::Merged(sims)) => Ok(RunSource::replay(sims)),
            (None, Source::Simulate) => Ok(RunSource::All),
        }
    }
}

/// The arguments after the subcommand, as given, without `--shard`, `--out`, `--threads`
/// (and their values) and `--quiet`: what a merge parses again to run the same command.
pub fn shard_args(command: &str) -> Vec<String> {
    let argv: Vec<String> = std::env::args().collect();
    let Some(at) = argv.iter().position(|a| a == command) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = argv[at + 1..].iter();
    while let Some(a) = rest.next() {
        const WITH_VALUE: [&str; 3] = ["--shard", "--out", "--threads"];
        if WITH_VALUE.contains(&a.as_str()) {
            rest.next();
        } else if a != "--quiet" && !WITH_VALUE.iter().any(|f| a.starts_with(&format!("{f}="))) {
            out.push(a.clone());
        }
    }
    out
}

/// Writes a shard of an analysis command: its captured simulations and partial.json.
///
/// # Errors
/// A file that cannot be written.
pub fn finish_shard(
    command: &str,
    shard: Shard,
    loaded: &Loaded,
    source: RunSource,
    dir: &Path,
) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let sims = source.into_captured();
    let mut w = ResultsWriter::create(dir).with_context(|| format!("cannot write to {}", dir.display()))?;
    for r in &sims {
        w.append(r).with_context(|| format!("cannot write to {}", dir.display()))?;
    }
    w.finish().with_context(|| format!("cannot write to {}", dir.display()))?;
    let meta = partial_meta(command, shard_args(command), shard, loaded, sims.len());
    write_meta(dir, &meta, &loaded.text).with_context(|| format!("cannot write to {}", dir.display()))?;
    let range = shard.range(loaded.scenario.run().runs);
    println!(
        "{command} shard {shard} of {}: runs {}..{} of {}, {} simulation{}; partial result in {} (combine the \
         shards with `tierlab merge --out DIR SHARD_DIR...`)",
        loaded.origin,
        range.start,
        range.end,
        loaded.scenario.run().runs,
        sims.len(),
        if sims.len() == 1 { "" } else { "s" },
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The scenario the shards ran: their scenario text, stamped with the origin they recorded.
fn loaded_from(part: &Part) -> anyhow::Result<Loaded> {
    let m = &part.meta;
    let scenario = Scenario::parse(&part.scenario_text, &part.dir.join("scenario_as_run.toml").display().to_string())
        .and_then(|s| s.with_runs(m.runs))
        .and_then(|s| s.with_seed(m.seed))
        .map_err(|e| InvalidInput(format!("the shards' scenario no longer validates: {e}")))?;
    Ok(Loaded { scenario, text: part.scenario_text.clone(), origin: m.scenario_file.clone() })
}

/// `tierlab merge`.
///
/// # Errors
/// Shards that cannot be read or do not fit together (invalid input), or output that cannot
/// be written.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let parts = read_parts(&args.dirs).map_err(|e| InvalidInput(e.to_string()))?;
    let first = &parts[0];
    let loaded = loaded_from(first)?;
    let threads = args.threads.map(|t| t as usize);
    if first.meta.version != crate::VERSION {
        return Err(InvalidInput(format!(
            "the shards were made by Tierlab {}, this is {}: merge with the version that made them",
            first.meta.version,
            crate::VERSION
        ))
        .into());
    }
    match first.meta.command.as_str() {
        "run" => {
            execute(&loaded, threads, Some(&args.out), args.quiet, started, Mode::Merge(&parts)).map_err(|e| {
                if e.downcast_ref::<crate::export::partial::PartialError>().is_some() {
                    InvalidInput(format!("{e:#}")).into()
                } else {
                    e
                }
            })?;
            eprintln!(
                "merged {} shards ({} runs) into runs.csv, jurisdictions.csv, params.csv, series.csv and summary.json in {}",
                parts.len(),
                loaded.scenario.run().runs,
                args.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        command @ ("sweep" | "sensitivity") => {
            let sims = merged_simulations(&parts).map_err(|e| InvalidInput(e.to_string()))?;
            let mut argv = vec!["tierlab".to_string(), command.to_string()];
            argv.extend(first.meta.args.iter().cloned());
            argv.push("--out".into());
            argv.push(args.out.display().to_string());
            if let Some(t) = args.threads {
                argv.push("--threads".into());
                argv.push(t.to_string());
            }
            if args.quiet {
                argv.push("--quiet".into());
            }
            let cli = Cli::try_parse_from(&argv)
                .map_err(|e| InvalidInput(format!("the shards' arguments do not parse again: {e}")))?;
            match cli.command {
                Some(Command::Sweep(a)) => super::sweep::run_loaded(a, loaded, Source::Merged(sims), started),
                Some(Command::Sensitivity(a)) => {
                    super::sensitivity::run_loaded(a, loaded, Source::Merged(sims), started)
                }
                _ => Err(InvalidInput(format!("the shards' command {command:?} cannot be merged")).into()),
            }
        }
        other => Err(InvalidInput(format!(
            "{}: command {other:?} cannot be merged (run, sweep and sensitivity can)",
            first.dir.join("partial.json").display()
        ))
        .into()),
    }
}
