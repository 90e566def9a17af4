//! `tierlab merge`: the partial results of every shard of one command (`--shard K/N`) put
//! back together. The shards recorded the command's configuration; the merge runs that
//! command's study again with its runs replayed from the shards (`Runs::Replay`) instead of
//! simulated, through the same sinks and analyses, and writes what the command writes: the
//! same bytes as one machine, wall time and thread count aside.

use std::process::ExitCode;

use super::args::MergeArgs;
use super::config::{CommandConfig, RunConfig};
use super::error::InvalidInput;
use super::execute::execute;
use super::output::output;
use crate::export::partial::{META_FILE, ShardReplay, read_parts};
use crate::model::Scenario;
use crate::study::{Input, Runs};

/// `tierlab merge`.
///
/// # Errors
/// Shards that cannot be read or do not fit together (invalid input), or output that cannot
/// be written.
pub fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let parts = read_parts(&args.dirs).map_err(|e| InvalidInput(e.to_string()))?;
    let first = &parts[0];
    let meta = &first.meta;
    if meta.version != crate::VERSION {
        return Err(InvalidInput(format!(
            "the shards were made by Tierlab {}, this is {}: merge with the version that made them",
            meta.version,
            crate::VERSION
        ))
        .into());
    }
    let command: CommandConfig = serde_json::from_value(meta.config.clone()).map_err(|e| {
        InvalidInput(format!("{}: the command cannot be read back ({e})", first.dir.join(META_FILE).display()))
    })?;
    let origin = first.dir.join("scenario_as_run.toml").display().to_string();
    let scenario = Scenario::parse(&first.scenario_text, &origin)
        .and_then(|s| s.with_runs(meta.runs))
        .and_then(|s| s.with_seed(meta.seed))
        .map_err(|e| InvalidInput(format!("the shards' scenario no longer validates: {e}")))?;
    let config = RunConfig {
        input: Input::new(scenario, first.source()),
        command,
        threads: args.threads.map(|t| t as usize),
        out: Some(args.out.clone()),
        shard: None,
        quiet: args.quiet,
    };
    let n = parts.len();
    let replay = ShardReplay::open(parts).map_err(|e| InvalidInput(e.to_string()))?;
    let study = execute(&config, Runs::Replay(Box::new(replay)))?;
    output(&config, &study)?;
    eprintln!(
        "merged {n} shards ({} runs) of `tierlab {}` into {}",
        config.input.scenario.run().runs,
        config.command.name(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
