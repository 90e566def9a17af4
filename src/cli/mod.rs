//! The command line. Each subcommand lives in its own file; errors surface here as `anyhow`
//! with context, and invalid input exits with code 2.
//!
//! `args.rs` the clap types, `config.rs` the arguments resolved once, `execute.rs` the study
//! run or sharded, `output.rs` what each command prints and writes, `error.rs` invalid input.

use std::process::ExitCode;

mod args;
pub mod config;
pub mod decide;
mod error;
pub mod execute;
pub mod merge;
mod output;
mod progress;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod sweep;

pub use args::{
    AnalysisArgs, Cli, Command, CommonRunArgs, DecideArgs, FiguresArgs, MergeArgs, ReportArgs, RunArgs,
    SensitivityArgs, SweepArgs,
};
pub use config::{CommandConfig, RunConfig, load};
pub use error::{EXIT_INVALID, InvalidInput};
pub use output::output;
pub use run::report_error;

/// Runs a CLI subcommand.
///
/// # Errors
/// Invalid input (reported with exit code 2) or a failure to write output.
pub fn run_command(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Validate { file } => run::validate(&file),
        Command::Run(args) => execute::command(&RunConfig::run(&args)?),
        Command::Sweep(args) => execute::command(&RunConfig::sweep(&args)?),
        Command::Sensitivity(args) => execute::command(&RunConfig::sensitivity(&args)?),
        Command::Decide(args) => execute::command(&RunConfig::decide(&args)?),
        Command::Report(args) => execute::command(&RunConfig::report(&args)?),
        Command::Figures(args) => execute::command(&RunConfig::figures(&args)?),
        Command::Merge(args) => merge::merge(args),
    }
}
