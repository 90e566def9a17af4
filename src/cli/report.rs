//! `tierlab report` (not written yet).

use std::process::ExitCode;

/// Not yet available.
///
/// # Errors
/// Always, until this command is written.
pub fn report(_args: super::ReportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this command is not available yet")
}

/// Not yet available.
///
/// # Errors
/// Always, until this command is written.
pub fn figures(_args: super::FiguresArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this command is not available yet")
}
