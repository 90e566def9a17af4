//! The `tierlab` binary: the app without a subcommand, the CLI with one.

use std::process::ExitCode;

use clap::Parser;
use tierlab::cli::{Cli, report_error, run_command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(cmd) => run_command(cmd),
        None => open_app(cli.file, cli.link, cli.bench_ui),
    };
    match result {
        Ok(code) => code,
        Err(e) => report_error(&e),
    }
}

#[cfg(feature = "gui")]
fn open_app(file: Option<std::path::PathBuf>, link: Option<String>, bench_ui: bool) -> anyhow::Result<ExitCode> {
    tierlab::app::run(file, link, bench_ui)
}

#[cfg(not(feature = "gui"))]
fn open_app(_file: Option<std::path::PathBuf>, _link: Option<String>, _bench_ui: bool) -> anyhow::Result<ExitCode> {
    use clap::CommandFactory;
    println!("This build of Tierlab has no desktop app (built without the `gui` feature).\n");
    Cli::command().print_help()?;
    Ok(ExitCode::SUCCESS)
}
