//! The unsaved edits and their undo history, kept in a file of their own within a second of
//! every edit (written to a temporary file and renamed over the old one, so a crash leaves
//! the old state or the new, never half of one), and read back at the next start. The
//! workspace schedules the write ([`STORE_DELAY`] after the first edit not yet stored) and a
//! front end wakes it on time ([`Workspace::wake_after`](super::Workspace::wake_after)), so
//! an edit followed by no input at all is on disk before the process can be killed.
//! [`Clock`] lets tests move time by hand.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use web_time::Instant;

use serde::{Deserialize, Serialize};

use super::history::{History, Step};
use super::state::Document;
use crate::model::{Scenario, ScenarioDraft};

/// How long after an edit it is on disk at the latest (give or take a frame).
pub const STORE_DELAY: Duration = Duration::from_secs(1);

/// The version of the file's layout.
const VERSION: u32 = 1;

/// Where the workspace reads the time: the system's clock, or one a test moves by hand.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    Manual(Arc<Mutex<Instant>>),
}

impl Clock {
    /// A clock that stands still until [`Clock::advance`] moves it.
    pub fn manual() -> Clock {
        Clock::Manual(Arc::new(Mutex::new(Instant::now())))
    }

    pub fn now(&self) -> Instant {
        match self {
            Clock::System => Instant::now(),
            Clock::Manual(t) => *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Moves a manual clock on (the system's clock moves by itself).
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(t) = self {
            let mut t = t.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *t += by;
        }
    }
}

/// One undo or redo step as stored: what it does and its draft as a scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredStep {
    pub label: String,
    pub text: String,
}

/// The file: the edits not saved to the scenario's file, and the history that led to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub version: u32,
    /// The file the edits were made to, if any.
    pub path: Option<PathBuf>,
    /// The draft being edited, as a scenario file.
    pub text: String,
    /// The last edit that passed the checks (restored instead when `text` does not pass).
    pub valid: String,
    /// Undo steps, oldest first.
    pub undo: Vec<StoredStep>,
    /// Redo steps, in the stack's order (the next to redo last).
    pub redo: Vec<StoredStep>,
}

impl Stored {
    /// The document's unsaved state and its history.
    pub fn of(doc: &Document, history: &History) -> Stored {
        let steps = |s: &[Step]| {
            s.iter().map(|s| StoredStep { label: s.label.clone(), text: s.draft.to_toml() }).collect::<Vec<_>>()
        };
        Stored {
            version: VERSION,
            path: doc.path.clone(),
            text: doc.edit.to_toml(),
            valid: doc.valid.to_toml(),
            undo: steps(history.undo_steps()),
            redo: steps(history.redo_steps()),
        }
    }

    /// The scenario to restore: the draft as it was, or else the last version that passed
    /// the checks; `None` when neither parses.
    pub fn scenario(&self) -> Option<Scenario> {
        let parse = |t: &str| Scenario::parse(t, "the unsaved edits of the last session").ok();
        parse(&self.text).or_else(|| parse(&self.valid))
    }

    /// The history back to `draft`. A step a scenario file cannot hold (an edit that did not
    /// pass the checks) ends the history there: the steps beyond it are dropped.
    pub fn history(&self, draft: &ScenarioDraft) -> History {
        let mut undo = read_steps(self.undo.iter().rev());
        undo.reverse();
        let mut redo = read_steps(self.redo.iter().rev());
        redo.reverse();
        History::from_parts(undo, redo, draft)
    }
}

/// The steps, nearest the current draft first, up to the first that does not parse.
fn read_steps<'a>(steps: impl Iterator<Item = &'a StoredStep>) -> Vec<Step> {
    steps
        .map_while(|s| {
            Scenario::parse(&s.text, "an undo step")
                .ok()
                .map(|sc| Step { label: s.label.clone(), draft: sc.to_draft() })
        })
        .collect()
}

/// Writes `stored` to `path` atomically (creating its folder).
///
/// # Errors
/// The folder or the file cannot be written.
pub fn write(path: &Path, stored: &Stored) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_vec(stored).map_err(std::io::Error::other)?;
    crate::export::data::write_atomic(path, &json)
}

/// Removes the file: nothing unsaved is left.
///
/// # Errors
/// It is there and cannot be removed.
pub fn clear(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Reads the file; `None` when it is not there or cannot be read.
pub fn read(path: &Path) -> Option<Stored> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok().filter(|s: &Stored| s.version == VERSION)
}
