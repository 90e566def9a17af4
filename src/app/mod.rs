//! The desktop app (placeholder until the app lands: prints how to use the CLI).

use std::process::ExitCode;

/// Opens the app.
///
/// # Errors
/// Never yet.
pub fn run(_file: Option<std::path::PathBuf>, _bench_ui: bool) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    crate::cli::Cli::command().print_help()?;
    Ok(ExitCode::SUCCESS)
}
