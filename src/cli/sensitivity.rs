//! `tierlab sensitivity` (not written yet).

use std::process::ExitCode;

/// Not yet available.
///
/// # Errors
/// Always, until this command is written.
pub fn run(_args: super::SensitivityArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this command is not available yet")
}
