//! The scenario's file: opening (with every error kept to show), saving (only text that
//! passes the checks), presets, the unsaved edits of the last session, and the question
//! before an action that would lose unsaved edits. What a path is asked for is said here
//! ([`PathPurpose`]); asking is the front end's.

use std::path::{Path, PathBuf};

use crate::export::data::write_atomic;
use crate::model::scenario::{BUILT_IN_TOML, PRESETS};
use crate::model::{Issue, Scenario};

use super::command::Command;
use super::settings::ViewState;
use super::state::{Document, Tab, Unsaved, issues_of};
use super::{Effect, Workspace};
use crate::export::figures::FigureKind;

/// The built-in scenario's file name, as `scenarios/` holds it.
pub const BUILT_IN_FILE: &str = "baseline.toml";

/// Why a file could not be opened (or saved): where, and every problem.
#[derive(Clone, Debug, PartialEq)]
pub struct FileErrors {
    pub title: String,
    pub origin: String,
    pub issues: Vec<Issue>,
}

/// Reads and checks a scenario file.
///
/// # Errors
/// Every problem found (I/O, size, syntax, checks), ready to show.
pub fn load(path: &Path) -> Result<(Scenario, String), FileErrors> {
    Scenario::load(path).map_err(|e| FileErrors {
        title: "The file was not opened".into(),
        origin: path.display().to_string(),
        issues: issues_of(&e),
    })
}

/// One issue as a line: "line 12 · world.strip_prob — must be a number in [0, 1], got 1.4".
pub fn issue_line(i: &Issue) -> String {
    match i.line {
        Some(l) => format!("line {l} · {} — {}", i.path, i.message),
        None => format!("{} — {}", i.path, i.message),
    }
}

/// What a path is asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum PathPurpose {
    Open,
    SaveAs,
    ExportCsv,
    ExportPng {
        plot: String,
    },
    /// Folders.
    ExportFigures {
        tab: Tab,
        only: Option<FigureKind>,
    },
    ExportReport,
}

impl PathPurpose {
    /// The question, as a dialog's title.
    pub fn title(&self) -> &'static str {
        match self {
            PathPurpose::Open => "Open a scenario file",
            PathPurpose::SaveAs => "Save the scenario as",
            PathPurpose::ExportCsv => "Export the view's data (CSV) to",
            PathPurpose::ExportPng { .. } => "Save the plot (PNG) to",
            PathPurpose::ExportFigures { .. } => "Write the publication figures into the folder",
            PathPurpose::ExportReport => "Write the report into the folder",
        }
    }

    /// The answer's button.
    pub fn button(&self) -> &'static str {
        match self {
            PathPurpose::Open => "Open",
            PathPurpose::ExportFigures { .. } | PathPurpose::ExportReport => "Write",
            _ => "Save",
        }
    }

    /// The file's extension (none for folders).
    pub fn extension(&self) -> &'static str {
        match self {
            PathPurpose::Open | PathPurpose::SaveAs => "toml",
            PathPurpose::ExportCsv => "csv",
            PathPurpose::ExportPng { .. } => "png",
            PathPurpose::ExportFigures { .. } | PathPurpose::ExportReport => "",
        }
    }

    /// Whether the path is a folder (created if missing) rather than a file.
    pub fn is_folder(&self) -> bool {
        matches!(self, PathPurpose::ExportFigures { .. } | PathPurpose::ExportReport)
    }

    /// The command that acts on a chosen path.
    pub fn command(&self, path: PathBuf) -> Command {
        let path = if self == &PathPurpose::Open || self.is_folder() || path.extension().is_some() {
            path
        } else {
            path.with_extension(self.extension())
        };
        match self {
            PathPurpose::Open => Command::OpenPath(path),
            PathPurpose::SaveAs => Command::SaveTo(path),
            PathPurpose::ExportCsv => Command::ExportCsvTo(path),
            PathPurpose::ExportPng { plot } => Command::ExportPngTo { plot: plot.clone(), path },
            PathPurpose::ExportFigures { tab, only } => Command::ExportFigureTo { tab: *tab, only: *only, dir: path },
            PathPurpose::ExportReport => Command::ExportReportTo(path),
        }
    }
}

/// An action that would lose unsaved edits, waiting for the user's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Pending {
    Preset(usize),
    OpenPath(PathBuf),
    Close,
}

impl Pending {
    /// The action, for the question "save them before …?".
    pub fn what(&self) -> &'static str {
        match self {
            Pending::Preset(_) => "starting from a preset",
            Pending::OpenPath(_) => "opening another file",
            Pending::Close => "closing Tierlab",
        }
    }
}

/// A file-name-friendly version of a name: "Baseline 2026" -> "baseline_2026".
pub fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let s = s.split('_').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("_");
    if s.is_empty() { "scenario".into() } else { s }
}

/// The document of the built-in scenario.
pub(super) fn built_in_document() -> Document {
    Document::builtin(Scenario::built_in(), BUILT_IN_FILE, BUILT_IN_TOML)
}

impl Workspace {
    /// Opens the file the unsaved edits were made to (or the built-in scenario) with those
    /// edits on top, unsaved, as they were left.
    pub(super) fn restore(&mut self, unsaved: Unsaved) {
        let edited = match Scenario::parse(&unsaved.text, "the unsaved edits of the last session") {
            Ok(s) => s,
            Err(e) => {
                self.status = format!("Could not restore the unsaved edits of the last session: {e}");
                return;
            }
        };
        let base = unsaved.path.as_ref().and_then(|path| load(path).ok().map(|(s, text)| (path, s, text)));
        let mut doc = match base {
            Some((path, s, text)) => Document::new(s, Some(path.clone()), Some(text)),
            None => built_in_document(),
        };
        doc.edit = edited.to_draft();
        doc.valid = edited;
        self.replace_document(doc);
        let note = "Restored the unsaved edits of the last session (File > Save keeps them).";
        self.status = note.into();
        self.status_note = Some(note.into());
    }

    /// Restores the unsaved edits and their undo history from the file
    /// [`Options::unsaved_file`](super::Options::unsaved_file) (an edit that did not pass the
    /// checks comes back as the last one that did).
    pub(super) fn restore_stored(&mut self, stored: &super::unsaved::Stored) {
        let Some(scenario) = stored.scenario() else {
            self.status =
                "Could not restore the unsaved edits of the last session: they no longer pass the checks.".into();
            return;
        };
        self.restore(Unsaved { text: scenario.to_toml(), path: stored.path.clone() });
        if self.doc.valid == scenario {
            self.history = stored.history(&self.doc.edit);
        }
    }

    /// Does `p` now, or asks first when there are unsaved edits.
    pub(super) fn guard(&mut self, p: Pending) -> Option<Effect> {
        if self.doc.is_dirty() {
            self.confirm = Some(p);
            None
        } else {
            self.perform(p)
        }
    }

    pub(super) fn perform(&mut self, p: Pending) -> Option<Effect> {
        match p {
            Pending::Preset(i) => self.open_preset(i),
            Pending::OpenPath(path) => self.open_path(path),
            Pending::Close => {
                self.allow_close = true;
                self.store_unsaved();
                return Some(Effect::Close);
            }
        }
        None
    }

    fn open_preset(&mut self, i: usize) {
        let Some((file, text)) = PRESETS.get(i) else { return };
        match Scenario::parse(text, file) {
            Ok(s) => self.replace_document(Document::builtin(s, file, text)),
            Err(e) => {
                self.file_errors = Some(FileErrors {
                    title: "The preset was not loaded".into(),
                    origin: (*file).to_string(),
                    issues: issues_of(&e),
                });
            }
        }
    }

    /// Opens the file at `path`; a file that fails its checks leaves the document as it was
    /// and its errors to show.
    pub(super) fn open_path(&mut self, path: PathBuf) {
        match load(&path) {
            Ok((s, text)) => {
                self.replace_document(Document::new(s, Some(path.clone()), Some(text)));
                self.persisted.last_file = Some(path);
            }
            Err(e) => self.file_errors = Some(e),
        }
    }

    pub(super) fn replace_document(&mut self, doc: Document) {
        self.status = format!("Opened {}.", doc.display_name());
        self.doc = doc;
        self.history = super::history::History::new(&self.doc.edit);
        self.schedule_store();
        self.views = ViewState::default();
        self.file_errors = None;
        self.start_run();
    }

    /// Saves to the file the scenario came from, or asks where.
    pub(super) fn save(&mut self) -> Option<Effect> {
        match self.doc.path.clone() {
            Some(path) => {
                self.save_to(&path);
                None
            }
            None => Some(self.ask_path(PathPurpose::SaveAs)),
        }
    }

    /// Saves to `path`, then does what waited for the save.
    pub(super) fn save_then_continue(&mut self, path: &Path) -> Option<Effect> {
        if self.save_to(path)
            && let Some(next) = self.after_save.take()
        {
            return self.perform(next);
        }
        None
    }

    /// "Save" to the unsaved-changes question: saves, then does what was asked.
    pub(super) fn confirm_save(&mut self) -> Option<Effect> {
        let next = self.confirm.take()?;
        match self.doc.path.clone() {
            Some(path) => {
                if self.save_to(&path) {
                    return self.perform(next);
                }
                None
            }
            None => {
                self.after_save = Some(next);
                Some(self.ask_path(PathPurpose::SaveAs))
            }
        }
    }

    /// Saves the scenario (only text that passes the checks); errors go to the file errors.
    fn save_to(&mut self, path: &Path) -> bool {
        let errors = |issues: Vec<Issue>| FileErrors {
            title: "The scenario was not saved".into(),
            origin: path.display().to_string(),
            issues,
        };
        match self.doc.text_to_save() {
            Err(issues) => {
                self.file_errors = Some(errors(issues));
                false
            }
            Ok((text, how)) => match write_atomic(path, text.as_bytes()) {
                Ok(()) => {
                    self.doc.mark_saved(path, text);
                    self.schedule_store();
                    self.persisted.last_file = Some(path.to_path_buf());
                    self.status = match how {
                        crate::model::edit::Saved::Kept => format!("Saved {}.", path.display()),
                        crate::model::edit::Saved::Rewritten => format!(
                            "Saved {}, written out in Tierlab's own layout: the file's layout could not be followed, \
                             so its comments were not kept.",
                            path.display()
                        ),
                    };
                    true
                }
                Err(e) => {
                    self.file_errors = Some(errors(vec![Issue {
                        path: "(file)".into(),
                        line: None,
                        message: format!("cannot write the file: {e}"),
                    }]));
                    false
                }
            },
        }
    }

    /// The question for a path, with the one suggested.
    pub(super) fn ask_path(&self, purpose: PathPurpose) -> Effect {
        let suggested = self.suggested_path(&purpose);
        Effect::AskPath { purpose, suggested }
    }

    /// Where a file of `purpose` goes unless the user says otherwise: beside the scenario's
    /// file (or in the working folder), named after the scenario and the view.
    pub fn suggested_path(&self, purpose: &PathPurpose) -> PathBuf {
        let dir = self
            .doc
            .path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let stem = slug(&self.doc.edit.name);
        let name = match purpose {
            PathPurpose::Open | PathPurpose::SaveAs => {
                return self.doc.path.clone().unwrap_or_else(|| dir.join(format!("{stem}.toml")));
            }
            PathPurpose::ExportCsv => format!("{stem}_{}.csv", self.persisted.tab.slug()),
            PathPurpose::ExportPng { plot } => format!("{stem}_{}.png", slug(plot)),
            PathPurpose::ExportFigures { tab, only: None } => format!("{stem}_{}_figures", tab.slug()),
            PathPurpose::ExportFigures { only: Some(kind), .. } => format!("{stem}_{}", kind.name()),
            PathPurpose::ExportReport => format!("{stem}_report"),
        };
        dir.join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paths_get_their_extension() {
        let c = PathPurpose::ExportCsv.command(PathBuf::from("/tmp/x"));
        assert_eq!(c, Command::ExportCsvTo(PathBuf::from("/tmp/x.csv")));
        let c = PathPurpose::Open.command(PathBuf::from("/tmp/x"));
        assert_eq!(c, Command::OpenPath(PathBuf::from("/tmp/x")));
    }

    #[test]
    fn issue_lines_name_line_and_key() {
        let i = Issue { path: "world.strip_prob".into(), line: Some(12), message: "must be a number".into() };
        assert_eq!(issue_line(&i), "line 12 · world.strip_prob — must be a number");
    }

    #[test]
    fn a_missing_file_is_an_error_not_a_panic() {
        let e = load(Path::new("/nonexistent/tierlab.toml")).unwrap_err();
        assert_eq!(e.issues.len(), 1);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Baseline 2026"), "baseline_2026");
        assert_eq!(slug("Harm tail: how often harm exceeds x"), "harm_tail_how_often_harm_exceeds_x");
        assert_eq!(slug("?!"), "scenario");
    }
}
