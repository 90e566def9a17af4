//! Errors a scenario file can have.

use std::fmt;
use std::path::PathBuf;

/// Scenario files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// One problem in a scenario file: where (key path, line) and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Key path as users write it: `world.strip_prob`, `jurisdiction "EU": share0`.
    pub path: String,
    /// 1-based line in the file, where the parser knows it.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The reason is part of the message (not a `source`), so that it is said once wherever
    /// the error is shown: the CLI prints the chain, the app the message alone.
    #[error("{path}: cannot read the scenario file: {reason}")]
    Io { path: PathBuf, reason: std::io::Error },
    #[error("{path}: the file is {size} bytes; scenario files may be at most {MAX_FILE_BYTES} bytes (1 MiB)")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("{}", render_invalid(origin, issues))]
    Invalid { origin: String, issues: Vec<Issue> },
}

impl ScenarioError {
    /// The individual problems (empty for I/O and size errors).
    pub fn issues(&self) -> &[Issue] {
        match self {
            ScenarioError::Invalid { issues, .. } => issues,
            _ => &[],
        }
    }
}

fn render_invalid(origin: &str, issues: &[Issue]) -> String {
    let mut s = format!("{origin}: {} problem{} found", issues.len(), if issues.len() == 1 { "" } else { "s" });
    for issue in issues {
        s.push_str("\n  ");
        match issue.line {
            Some(line) => s.push_str(&format!("{origin}:{line}: {}: {}", issue.path, issue.message)),
            None => s.push_str(&format!("{origin}: {}: {}", issue.path, issue.message)),
        }
    }
    s
}
