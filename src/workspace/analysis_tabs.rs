//! The Thresholds, Sensitivity and Decision support tabs' analyses: what the tab on screen
//! asks for, started at the right moment, and their state as the views see it.

use std::sync::Arc;
use std::time::Duration;
use web_time::Instant;

use crate::model::Scenario;

use super::Workspace;
use super::analyses::{Analyses, Outcome, Request, SLOTS, Slot};
use super::executor::{Budget, Executor};
use super::state::Tab;

/// What a view shows of one analysis: the last result (possibly of an older request), the
/// job in flight, whether a newer request waits for the simulation, and an error.
#[derive(Clone, Debug, Default)]
pub struct AnalysisView {
    pub outcome: Option<Outcome>,
    /// The scenario `outcome` was computed from (at the analysis's runs), and how long it took.
    pub scenario: Option<Arc<Scenario>>,
    pub elapsed: Duration,
    /// Runs done and the total of the job in flight.
    pub progress: Option<(u64, u64)>,
    /// The result on screen is not for the current request and no job runs yet.
    pub pending: bool,
    /// The user stopped the current request.
    pub stopped: bool,
    /// Why the current request has no result.
    pub error: Option<String>,
}

/// The analyses as the views see them this frame.
#[derive(Clone, Debug, Default)]
pub struct AnalysisViews([AnalysisView; SLOTS]);

impl AnalysisViews {
    /// The state of every slot, against the requests the current tab wants.
    pub fn new(analyses: &Analyses, wanted: &[Option<Request>; SLOTS]) -> AnalysisViews {
        AnalysisViews(Slot::ALL.map(|slot| {
            let want = wanted[slot.index()].as_ref();
            let done = analyses.done(slot);
            let progress = analyses.progress(slot);
            let up_to_date = done.is_some_and(|d| want == Some(&d.request));
            let stopped = want.is_some_and(|w| analyses.is_stopped(w));
            AnalysisView {
                outcome: done.and_then(|d| d.result.as_ref().ok().cloned()),
                scenario: done.and_then(|d| d.request.scenario().cloned()),
                elapsed: done.map_or(Duration::ZERO, |d| d.elapsed),
                progress,
                pending: want.is_some() && progress.is_none() && !up_to_date && !stopped,
                stopped,
                error: done.filter(|_| up_to_date).and_then(|d| d.result.as_ref().err().cloned()),
            }
        }))
    }

    pub fn view(&self, slot: Slot) -> AnalysisView {
        self.0[slot.index()].clone()
    }
}

/// Longest slice a stepped workspace's waits take at a time (they poll between slices).
const WAIT_SLICE: Duration = Duration::from_millis(50);

impl Workspace {
    /// The analysis in `slot` as the views see it.
    pub fn analysis(&self, slot: Slot) -> AnalysisView {
        self.analysis_views.view(slot)
    }

    /// Every analysis as the views see it.
    pub fn analysis_views(&self) -> &AnalysisViews {
        &self.analysis_views
    }

    /// Runs the analyses the tab on screen asks for and waits until they are done (or
    /// `timeout` passes); a stepped workspace advances them itself. For tests and benchmarks:
    /// a front end never blocks.
    pub fn wait_for_analyses(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if !self.wait_until_idle(left) {
                return false;
            }
            self.update_analyses();
            let waiting = Slot::ALL.iter().any(|&s| self.analysis_views.view(s).pending);
            if !self.analyses.busy() && !waiting {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.options.executor {
                Executor::Threads => {
                    if !self.analyses.wait_until_idle(left) {
                        return false;
                    }
                }
                Executor::Stepped => {
                    self.advance(Budget::Time(left.min(WAIT_SLICE)));
                }
            }
        }
    }

    /// Asks the analyses for what the tab on screen shows: a threshold sweep and its heat map,
    /// a sensitivity analysis, or the paired worlds and their decision analysis, of the
    /// scenario as last checked. They start only while no simulation runs (the main result
    /// comes first), and the heat map only once its sweep is done; a request already running
    /// or on screen starts nothing.
    pub(super) fn update_analyses(&mut self) {
        self.analyses.poll();
        let mut wanted: [Option<Request>; SLOTS] = Default::default();
        if self.doc.issues.is_empty() {
            let cap = self.runs_cap();
            match self.persisted.tab {
                Tab::Thresholds => {
                    // Without a tiered policy the view explains why there is nothing to sweep.
                    if let Ok(r) = self.views.thresholds.requests(&self.doc.valid, cap) {
                        wanted[Slot::Sweep.index()] = Some(r.sweep);
                        wanted[Slot::Heatmap.index()] = r.heatmap;
                    }
                }
                Tab::Sensitivity => {
                    if let Ok(r) = self.views.sensitivity.request(&self.doc.valid, cap) {
                        wanted[Slot::Sensitivity.index()] = Some(r);
                    }
                }
                Tab::Decision => {
                    if let Ok(r) = self.views.decision.request(&self.doc.valid, cap) {
                        wanted[Slot::Worlds.index()] = Some(r);
                    }
                }
                _ => {}
            }
        }
        // The best threshold re-reads the sweep on screen (any cap the user sets): it simulates
        // nothing, so it need not wait for the simulation.
        if self.persisted.tab == Tab::Thresholds
            && let Some(Outcome::Sweep(sw)) = self.analyses.done(Slot::Sweep).and_then(|d| d.result.as_ref().ok())
        {
            let constraint = self.views.thresholds.constraint(sw);
            let best = Request::Best { sweep: Arc::clone(sw), constraint };
            self.analyses.ensure(best.clone());
            wanted[Slot::Best.index()] = Some(best);
        }
        // The decision analysis re-reads the worlds on screen for the event, box and floor the
        // user sets: it simulates nothing either.
        if self.persisted.tab == Tab::Decision
            && let Some(Outcome::Worlds(w)) = self.analyses.done(Slot::Worlds).and_then(|d| d.result.as_ref().ok())
        {
            let spec = self.views.decision.spec(w);
            let decision = Request::Decision { worlds: Arc::clone(w), spec };
            self.analyses.ensure(decision.clone());
            wanted[Slot::Decision.index()] = Some(decision);
        }
        if !self.is_running() {
            let sweep_done = |a: &Analyses, w: &Option<Request>| {
                a.done(Slot::Sweep).is_some_and(|d| Some(&d.request) == w.as_ref()) && a.progress(Slot::Sweep).is_none()
            };
            for slot in [Slot::Sweep, Slot::Heatmap, Slot::Sensitivity, Slot::Worlds] {
                let Some(r) = &wanted[slot.index()] else { continue };
                if slot == Slot::Heatmap && !sweep_done(&self.analyses, &wanted[Slot::Sweep.index()]) {
                    continue;
                }
                self.analyses.ensure(r.clone());
            }
        }
        self.analysis_views = AnalysisViews::new(&self.analyses, &wanted);
    }
}
