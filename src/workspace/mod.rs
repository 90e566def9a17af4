//! The workspace: everything a front end of Tierlab computes without drawing. The scenario
//! being edited and its file, the runs of it (a quick preview refined in stages), the
//! analysis tabs' analyses, exports, and what is kept between launches. A front end draws
//! from its accessors, turns the user's actions into [`Command`]s for [`Workspace::apply`],
//! does the [`Effect`]s a command leaves to it (ask for a path, capture a plot, close the
//! window), and calls [`Workspace::poll`] once a frame to take finished work.
//!
//! The work runs on the workspace's own threads ([`Executor::Threads`], the desktop app), or
//! only when the front end calls [`Workspace::advance`] with a budget
//! ([`Executor::Stepped`], a front end with one thread, such as a browser): see
//! [`executor`]. Both give the same results byte for byte.
//!
//! Code map:
//! - [`command`]: the commands; `apply.rs` applies them, one handler per concern;
//! - [`state`]: what persists between launches, the document being edited, the tabs;
//! - [`settings`]: the tabs' choices, and the analyses the analysis tabs ask for;
//! - [`simulation`] and [`computed`]: the main simulation's jobs and the plot data of each
//!   stage; `running.rs`: edits run, results taken;
//! - [`analyses`]: one slot per analysis; [`analysis_tabs`]: what the tab on screen asks of
//!   them, and their state as the views see it;
//! - [`files`]: open, save, presets, the unsaved-changes question, what a path is asked for;
//! - [`edits`]: structural edits (policies, jurisdictions, renormalising); [`history`]: undo
//!   and redo of every edit; [`unsaved`]: the unsaved edits and their history kept on disk
//!   within a second of every edit;
//! - [`view_data`]: each view's data as CSV; `exports.rs` and [`publish`]: exports to a path;
//! - [`link`]: share links (the scenario and the tab in a URL's fragment);
//! - [`executor`]: threads or slices.
//!
//! Nothing here depends on a GUI crate: `cargo test --no-default-features` tests it all.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

use crate::model::{Issue, Scenario, ScenarioDraft};

pub mod analyses;
pub mod analysis_tabs;
mod apply;
pub mod command;
pub mod computed;
pub mod edits;
pub mod executor;
mod exports;
pub mod files;
pub mod history;
pub mod link;
pub mod publish;
mod running;
pub mod settings;
pub mod simulation;
pub mod state;
pub mod unsaved;
pub mod view_data;

#[cfg(test)]
mod tests;

pub use analysis_tabs::{AnalysisView, AnalysisViews};
pub use command::Command;
pub use computed::Computed;
pub use executor::{Budget, Executor};
pub use files::{FileErrors, PathPurpose, Pending};
pub use settings::ViewState;
pub use state::{Document, Metric, Persisted, Shape, Tab, Unsaved};
pub use unsaved::Clock;

use analyses::Analyses;
use publish::Publishing;
use simulation::Simulator;

/// The application's name, as window titles show it.
pub const APP_NAME: &str = "Tierlab";

/// How often a front end should look again while work is in flight, for progress bars
/// (finished work wakes it by itself).
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// How the workspace runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Caps the runs of every simulation (tests keep debug builds fast). The scenario keeps
    /// its own run count.
    pub max_runs: Option<u64>,
    /// Pause after the last edit before a run starts (slider releases run at once).
    pub debounce: Duration,
    pub executor: Executor,
    /// Where the unsaved edits and their undo history are kept between launches (written
    /// within a second of every edit); `None`: only in [`Persisted::unsaved`], when the front
    /// end stores it.
    pub unsaved_file: Option<PathBuf>,
    /// Where the workspace reads the time (tests move a manual clock).
    pub clock: Clock,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_runs: None,
            debounce: Duration::from_millis(150),
            executor: Executor::Threads,
            unsaved_file: None,
            clock: Clock::System,
        }
    }
}

/// What a front end must do to finish a command.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Effect {
    /// Ask the user for a path (a dialog, or a typed path), then apply
    /// `purpose.command(path)`; a question left unanswered: apply [`Command::CancelPrompt`].
    AskPath { purpose: PathPurpose, suggested: PathBuf },
    /// Save a PNG of the plot with this title, as it is drawn on screen, to `path`.
    CapturePlot { plot: String, path: PathBuf },
    /// Close the window: the user answered for the unsaved edits, or there were none.
    Close,
    /// Copy a share link to the clipboard: the front end's address (its page, or the web
    /// app's for the desktop) followed by `fragment` (`#s=…&tab=…`, see [`link`]).
    CopyLink { fragment: String },
}

/// What a front end draws from and edits in place while drawing (widgets edit the scenario
/// and the tabs' choices directly, then say so with a command).
pub struct Parts<'a> {
    /// The scenario being edited; may be invalid.
    pub edit: &'a mut ScenarioDraft,
    /// Why `edit` is invalid; empty when it is valid.
    pub issues: &'a [Issue],
    /// The scenario as last checked (what runs), for names and current settings.
    pub scenario: &'a Scenario,
    pub persisted: &'a mut Persisted,
    pub views: &'a mut ViewState,
    pub analyses: &'a AnalysisViews,
    pub current: Option<&'a Arc<Computed>>,
    pub pinned: Option<&'a Computed>,
}

/// The headless state of a Tierlab session.
pub struct Workspace {
    persisted: Persisted,
    doc: Document,
    options: Options,
    simulator: Simulator,
    /// The simulation thread could not be started: nothing runs.
    simulator_failed: bool,
    analyses: Analyses,
    analysis_views: AnalysisViews,
    views: ViewState,
    /// Scenario of the most recent job.
    last_run: Option<Arc<Scenario>>,
    /// Result on screen (the newest stage of the newest job).
    current: Option<Arc<Computed>>,
    pinned: Option<Arc<Computed>>,
    run_due: Option<Instant>,
    file_errors: Option<FileErrors>,
    confirm: Option<Pending>,
    /// What to do once a "save first" completes.
    after_save: Option<Pending>,
    allow_close: bool,
    /// Said before the next result's status line (it would otherwise replace it at once).
    status_note: Option<String>,
    status: String,
    /// The figure or report export in progress.
    publishing: Option<Publishing>,
    /// Wakes the front end when a thread has finished something.
    wake: Arc<dyn Fn() + Send + Sync>,
    /// Undo and redo of the scenario's edits.
    history: history::History,
    /// When the unsaved state is next due on disk (an edit not yet stored).
    store_due: Option<Instant>,
}

impl Workspace {
    /// Opens `file`, or else the unsaved edits of the last session, or else the last file
    /// opened, or else the built-in scenario, and starts running it. A file that fails its
    /// checks leaves its errors to show and the built-in scenario open. `wake` is called from
    /// the workspace's threads when they have finished something (a stepped workspace has
    /// none).
    pub fn open(
        mut persisted: Persisted,
        file: Option<PathBuf>,
        options: Options,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Workspace {
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(wake);
        let (simulator, analyses, failed) = match options.executor {
            Executor::Threads => {
                let (w1, w2) = (Arc::clone(&wake), Arc::clone(&wake));
                let analyses = Analyses::new(move || w1());
                match Simulator::spawn(move || w2()) {
                    Ok(s) => (s, analyses, None),
                    Err(e) => {
                        (Simulator::stepped(), analyses, Some(format!("Cannot start the simulation thread: {e}")))
                    }
                }
            }
            Executor::Stepped => (Simulator::stepped(), Analyses::stepped(), None),
        };
        let legacy = persisted.unsaved.take();
        let stored = options.unsaved_file.as_deref().and_then(unsaved::read);
        let doc = files::built_in_document();
        let history = history::History::new(&doc.edit);
        let mut ws = Workspace {
            persisted,
            doc,
            options,
            simulator,
            simulator_failed: failed.is_some(),
            analyses,
            analysis_views: AnalysisViews::default(),
            views: ViewState::default(),
            last_run: None,
            current: None,
            pinned: None,
            run_due: None,
            file_errors: None,
            confirm: None,
            after_save: None,
            allow_close: false,
            status_note: None,
            status: failed.unwrap_or_default(),
            publishing: None,
            wake,
            history,
            store_due: None,
        };
        let from_storage = ws.persisted.last_file.clone().filter(|p| p.exists());
        let restorable = stored.is_some() || legacy.is_some();
        match (file, restorable) {
            (Some(path), _) => {
                ws.open_path(path);
                if restorable {
                    ws.status.push_str(
                        " (The unsaved edits of the last session were not restored: a file was named on the command line.)",
                    );
                }
            }
            (None, true) => {
                if let Some(stored) = stored {
                    ws.restore_stored(&stored);
                } else if let Some(legacy) = legacy {
                    ws.restore(legacy);
                }
            }
            (None, false) => match from_storage {
                Some(path) => ws.open_path(path),
                None => ws.start_run(),
            },
        }
        if ws.last_run.is_none() {
            ws.start_run();
        }
        ws
    }

    // ---- Read access ----

    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The scenario being edited. After changing it, apply [`Command::Edited`].
    pub fn scenario_mut(&mut self) -> &mut ScenarioDraft {
        &mut self.doc.edit
    }

    pub fn persisted(&self) -> &Persisted {
        &self.persisted
    }

    /// The tabs' choices.
    pub fn view_state(&self) -> &ViewState {
        &self.views
    }

    /// The tabs' choices, as the user would set them through a tab's controls; the analyses
    /// follow at the next [`Workspace::poll`].
    pub fn view_state_mut(&mut self) -> &mut ViewState {
        &mut self.views
    }

    /// Everything a front end draws from, and what its widgets edit in place.
    pub fn parts(&mut self) -> Parts<'_> {
        Parts {
            edit: &mut self.doc.edit,
            issues: &self.doc.issues,
            scenario: &self.doc.valid,
            persisted: &mut self.persisted,
            views: &mut self.views,
            analyses: &self.analysis_views,
            current: self.current.as_ref(),
            pinned: self.pinned.as_deref(),
        }
    }

    pub fn executor(&self) -> Executor {
        self.options.executor
    }

    pub fn file_errors(&self) -> Option<&FileErrors> {
        self.file_errors.as_ref()
    }

    /// The action waiting for an answer to "save the unsaved changes first?".
    pub fn confirming(&self) -> Option<&Pending> {
        self.confirm.as_ref()
    }

    /// The status line.
    pub fn status(&self) -> &str {
        &self.status
    }

    /// Says something on the status line (what a front end did itself: a plot saved).
    pub fn set_status(&mut self, status: impl Into<String>) {
        self.status = status.into();
    }

    /// The window title: "Tierlab — name *" with a star while there are unsaved changes.
    pub fn title(&self) -> String {
        self.doc.title()
    }

    /// Whether the window may close without asking (closing was asked and answered).
    pub fn allows_close(&self) -> bool {
        self.allow_close
    }

    /// What to keep until the next start: the persisted state with the unsaved edits, unless
    /// the user closed with "Discard changes". With an [`Options::unsaved_file`], the edits
    /// and their history go there (at once) instead.
    pub fn to_store(&mut self) -> &Persisted {
        if self.options.unsaved_file.is_some() {
            self.store_unsaved();
            self.persisted.unsaved = None;
        } else {
            self.persisted.unsaved = (self.doc.is_dirty() && !self.allow_close)
                .then(|| Unsaved { text: self.doc.valid.to_toml(), path: self.doc.path.clone() });
        }
        &self.persisted
    }

    /// The undo and redo history of the scenario's edits.
    pub fn history(&self) -> &history::History {
        &self.history
    }

    /// What Edit > Undo would undo ("set world.alpha"), if anything.
    pub fn undo_label(&self) -> Option<&str> {
        self.history.undo_label()
    }

    /// What Edit > Redo would redo, if anything.
    pub fn redo_label(&self) -> Option<&str> {
        self.history.redo_label()
    }

    /// Records the draft after an edit in the history (see [`history::History::record`]) and
    /// schedules the unsaved state's write.
    pub(crate) fn record_edit(&mut self, label: Option<&str>, continuing: bool) {
        let now = self.options.clock.now();
        if self.history.record(&self.doc.edit, label, continuing, now) {
            self.schedule_store();
        }
    }

    /// The unsaved state changed: it is due on disk within [`unsaved::STORE_DELAY`] (the
    /// first change not yet stored sets the time; later ones do not put it off).
    pub(crate) fn schedule_store(&mut self) {
        if self.options.unsaved_file.is_some() && self.store_due.is_none() {
            self.store_due = Some(self.options.clock.now() + unsaved::STORE_DELAY);
        }
    }

    /// Writes the unsaved state now if its time has come.
    fn store_if_due(&mut self) {
        if self.store_due.is_some_and(|due| self.options.clock.now() >= due) {
            self.store_unsaved();
        }
    }

    /// Writes the unsaved edits and their history to [`Options::unsaved_file`] (or removes
    /// it when nothing is unsaved, or the user chose to discard the edits).
    pub fn store_unsaved(&mut self) {
        self.store_due = None;
        let Some(path) = self.options.unsaved_file.clone() else { return };
        let result = if self.doc.is_dirty() && !self.allow_close {
            unsaved::write(&path, &unsaved::Stored::of(&self.doc, &self.history))
        } else {
            unsaved::clear(&path)
        };
        if let Err(e) = result {
            self.status = format!("Could not keep the unsaved edits in {}: {e}", path.display());
        }
    }

    // ---- Work ----

    /// Takes finished work: the simulation's results, the analyses' and an export's end;
    /// starts a debounced run whose pause has passed; keeps the analyses the tab on screen
    /// asks for running. A front end calls it once a frame, and after applying commands.
    pub fn poll(&mut self) {
        while let Some(msg) = self.simulator.poll() {
            self.on_message(msg);
        }
        self.update_analyses();
        self.poll_publishing();
        self.start_run_if_due();
        self.store_if_due();
    }

    /// When to [`poll`](Workspace::poll) again if nothing wakes the front end before: when a
    /// debounced run is due, and often while work is in flight (progress bars move).
    pub fn wake_after(&self) -> Option<Duration> {
        let run = self.run_due.map(|d| d.saturating_duration_since(Instant::now()));
        let store = self.store_due.map(|d| d.saturating_duration_since(self.options.clock.now()));
        let due = [run, store].into_iter().flatten().min();
        let busy = (self.simulator.running().is_some() || self.analyses.busy() || self.publishing.is_some())
            .then_some(PROGRESS_INTERVAL);
        match (due, busy) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Does a bounded slice of a stepped workspace's work: the main simulation first (an
    /// edit's result comes before any analysis), then the analyses slot by slot, then an
    /// export. What finishes waits for [`Workspace::poll`], which may start more (the
    /// analyses start once the simulation has ended). Returns whether work is left; a
    /// workspace on threads does nothing here and returns false.
    pub fn advance(&mut self, budget: Budget) -> bool {
        if self.options.executor == Executor::Threads {
            return false;
        }
        let mut slice = executor::Slice::new(budget);
        self.simulator.advance(&mut slice);
        if !slice.is_spent() {
            self.analyses.advance(&mut slice);
        }
        if !slice.is_spent()
            && let Some(p) = self.publishing.as_mut()
        {
            p.advance(&mut slice);
        }
        self.has_work()
    }

    /// Whether a stepped workspace has work for [`Workspace::advance`].
    pub fn has_work(&self) -> bool {
        self.simulator.has_work()
            || self.analyses.has_work()
            || self.publishing.as_ref().is_some_and(Publishing::has_work)
    }
}
