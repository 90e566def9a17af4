//! The Thresholds, Sensitivity and Robustness tabs' analyses: what the tab on screen asks for, started
//! on the analysis threads at the right moment, and their state as the views see it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::TierlabApp;
use crate::app::analyses::{Analyses, Outcome, Request, SLOTS, Slot};
use crate::app::state::Tab;
use crate::app::views::{self, AnalysisViews};

impl TierlabApp {
    /// The analysis in `slot` as the views see it.
    pub fn analysis(&self, slot: Slot) -> views::AnalysisView {
        self.analysis_views.view(slot)
    }

    /// Runs the analyses the tab on screen asks for and waits until they are done (or
    /// `timeout` passes). For tests and benchmarks only: the app never blocks.
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
            if left.is_zero() || !self.analyses.wait_until_idle(left) {
                return false;
            }
        }
    }

    /// Asks the analyses for what the tab on screen shows: a threshold sweep and its heat map,
    /// or a sensitivity analysis, of the scenario as last checked. They start only while no
    /// simulation runs (the main result comes first), and the heat map only once its sweep is
    /// done; a request already running or on screen starts nothing.
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
                Tab::Robustness => {
                    if let Ok(r) = self.views.robustness.request(&self.doc.valid, cap) {
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
        if self.persisted.tab == Tab::Robustness
            && let Some(Outcome::Worlds(w)) = self.analyses.done(Slot::Worlds).and_then(|d| d.result.as_ref().ok())
        {
            let spec = self.views.robustness.spec(w);
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
        if self.analyses.busy() {
            // Keep the analyses' progress bars moving; results wake the UI themselves.
            self.ctx.request_repaint_after(Duration::from_millis(100));
        }
    }
}
