//! Invalid input: reported with exit code 2.

/// Exit code for invalid input (a scenario that fails its checks, bad arguments).
pub const EXIT_INVALID: u8 = 2;

/// An error for invalid command-line input: reported with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidInput(pub String);
