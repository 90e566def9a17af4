//! Running the scenario being edited: an edit checked and run (at once, or after a pause
//! while a slider is dragged), the job's results taken as they come.

use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

use super::Workspace;
use super::computed::Computed;
use super::executor::{Budget, Executor, Slice};
use super::simulation::{APP_MAX_RUNS, Message};

/// Longest slice a stepped workspace's waits take at a time.
const WAIT_SLICE: Duration = Duration::from_millis(50);

impl Workspace {
    /// The result on screen (the newest stage of the newest job).
    pub fn result(&self) -> Option<&Computed> {
        self.current.as_deref()
    }

    /// The result on screen, shared.
    pub fn current(&self) -> Option<&Arc<Computed>> {
        self.current.as_ref()
    }

    /// The pinned result, shown dashed beside every new one.
    pub fn pinned(&self) -> Option<&Computed> {
        self.pinned.as_deref()
    }

    /// Whether a run is due or in flight.
    pub fn is_running(&self) -> bool {
        self.run_due.is_some() || self.simulator.running().is_some()
    }

    /// Id of the most recent simulation job.
    pub fn last_job(&self) -> u64 {
        self.simulator.last_job()
    }

    /// Runs done of the simulation in flight, and its total.
    pub fn progress(&self) -> Option<(u64, u64)> {
        self.simulator.progress()
    }

    /// The most runs the workspace simulates (a test's cap, or [`APP_MAX_RUNS`]).
    pub fn runs_cap(&self) -> u64 {
        self.options.max_runs.unwrap_or(APP_MAX_RUNS).min(APP_MAX_RUNS)
    }

    /// Whether the results on screen are not of the scenario as edited.
    pub fn is_stale(&self) -> bool {
        !self.doc.issues.is_empty() || self.last_run.as_deref().is_some_and(|s| *s != self.doc.valid)
    }

    /// Starts a debounced run now and waits until the current job has delivered its last
    /// result (or `timeout` passes); a stepped workspace advances it itself. For tests and
    /// benchmarks only: a front end never blocks.
    pub fn wait_until_idle(&mut self, timeout: Duration) -> bool {
        if self.run_due.is_some() {
            self.start_run();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let idle = self.simulator.running().is_none();
            let msg = if idle {
                self.simulator.poll()
            } else {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return false;
                }
                match self.options.executor {
                    Executor::Threads => self.simulator.wait(left),
                    Executor::Stepped => {
                        self.simulator.advance(&mut Slice::new(Budget::Time(left.min(WAIT_SLICE))));
                        self.simulator.poll()
                    }
                }
            };
            match msg {
                Some(msg) => self.on_message(msg),
                None if idle => return true,
                None => {}
            }
        }
    }

    /// Reacts to an edit: checks it, and (re)starts the run, debounced unless `immediate`.
    pub(super) fn on_edit(&mut self, immediate: bool) {
        let valid = self.doc.revalidate();
        if !valid {
            self.run_due = None;
            self.simulator.cancel();
            let n = self.doc.issues.len();
            self.status = format!(
                "The edit has {n} problem{} (listed at the top of the scenario panel); the results shown are \
                 of the last valid scenario.",
                if n == 1 { "" } else { "s" }
            );
            return;
        }
        if self.up_to_date() {
            self.run_due = None;
            return;
        }
        self.simulator.cancel();
        if !self.persisted.auto_run {
            self.run_due = None;
        } else if immediate {
            self.start_run();
        } else {
            self.run_due = Some(Instant::now() + self.options.debounce);
        }
    }

    /// Whether the most recent job is for the current scenario and still useful (running,
    /// or its final result on screen).
    fn up_to_date(&self) -> bool {
        let same = self.last_run.as_deref() == Some(&self.doc.valid);
        let running = self.simulator.running().is_some();
        let finished = self.current.as_ref().is_some_and(|c| c.job == self.last_job() && c.is_final());
        same && (running || finished)
    }

    /// "Run": checks the scenario and runs it.
    pub(super) fn run(&mut self) {
        if self.doc.revalidate() {
            self.start_run();
        } else {
            self.status = "The scenario has problems: fix them to run it.".into();
        }
    }

    /// "Cancel run".
    pub(super) fn cancel_run(&mut self) {
        self.run_due = None;
        self.simulator.cancel();
        self.status = "Cancelled.".into();
    }

    pub(super) fn start_run(&mut self) {
        self.run_due = None;
        if !self.doc.issues.is_empty() {
            return;
        }
        if self.simulator_failed {
            self.status = "The simulation thread is not running.".into();
            return;
        }
        let scenario = Arc::new(self.doc.valid.clone());
        let runs = scenario.run().runs.min(self.runs_cap());
        self.simulator.start(Arc::clone(&scenario), Arc::new(self.doc.source()), runs);
        self.last_run = Some(scenario);
    }

    /// Starts a debounced run once its pause has passed.
    pub(super) fn start_run_if_due(&mut self) {
        if self.run_due.is_some_and(|due| Instant::now() >= due) {
            self.start_run();
        }
    }

    pub(super) fn on_message(&mut self, msg: Message) {
        match msg {
            Message::Result(c) => {
                if c.is_final() {
                    self.status = format!(
                        "{}Simulated {} runs of {} policies in {:.0} ms.",
                        self.status_note.take().map(|n| n + " ").unwrap_or_default(),
                        crate::fmt::count(c.runs as u64),
                        c.n_policies(),
                        c.elapsed.as_secs_f64() * 1000.0
                    );
                }
                self.current = Some(c);
            }
            Message::Cancelled { .. } => {}
            Message::Failed { message, .. } => self.status = message,
        }
    }
}
