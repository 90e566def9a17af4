//! Exports to a path the user chose: a view's data as CSV (with its JSON), and publication
//! figures and the report (made by a [`Publishing`]).

use std::path::{Path, PathBuf};
use std::time::Duration;
use web_time::Instant;

use crate::analysis::sensitivity::SensitivitySpec;
use crate::analysis::sweep::WorldAxis;
use crate::export::figures::{FigureKind, Format};
use crate::model::Scenario;
use crate::study::{Cap, StudyPlan};

use super::Workspace;
use super::analyses::{Outcome, Slot};
use super::executor::{Budget, Executor};
use super::publish::{OnScreen, Publication, Publishing};
use super::state::Tab;
use super::view_data;

impl Workspace {
    /// The figure or report export in progress.
    pub fn publishing(&self) -> Option<&Publishing> {
        self.publishing.as_ref()
    }

    /// Whether a figure or report export is in progress.
    pub fn is_publishing(&self) -> bool {
        self.publishing.is_some()
    }

    /// Waits until the export in progress has ended (or `timeout` passes); a stepped
    /// workspace advances it itself. For tests only.
    pub fn wait_for_publishing(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.publishing.is_some() {
            if self.options.executor == Executor::Stepped {
                self.advance(Budget::Time(Duration::from_millis(50)));
            }
            self.poll_publishing();
            if Instant::now() > deadline {
                return false;
            }
            if self.publishing.is_some() && self.options.executor == Executor::Threads {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        true
    }

    /// Writes the data of the tab on screen to `path` (and its JSON beside it).
    pub(super) fn export_csv(&mut self, path: &Path) {
        let tab = self.persisted.tab;
        if tab.is_analysis() {
            let cap = match self.analysis_views.view(Slot::Sweep).outcome {
                Some(Outcome::Sweep(sw)) => Some(self.views.thresholds.constraint(&sw)),
                _ => None,
            };
            let source_of = |s: &Scenario| self.doc.source_for(s);
            self.status = match view_data::write_analysis_csv(path, tab, &self.analysis_views, &source_of, cap.as_ref())
            {
                Ok(files) => wrote(tab, &files),
                Err(e) => e,
            };
            return;
        }
        let Some(current) = self.current.clone() else {
            self.status = "No results to export yet.".into();
            return;
        };
        self.status = match view_data::write_view_csv(path, tab, &current, self.pinned.as_deref()) {
            Ok(files) => wrote(tab, &files),
            Err(e) => format!("Could not write {}: {e}", path.display()),
        };
    }

    /// Starts writing the figures of `tab` (or only the figure `only`) into `dir`, from the
    /// analyses on screen.
    pub(super) fn export_figures(&mut self, tab: Tab, only: Option<FigureKind>, dir: PathBuf) {
        let on_screen = self.on_screen();
        self.publish(Publication::Figures { tab, only, dir, on_screen });
    }

    /// Starts writing the report into `dir`, with the analyses as the tabs are set.
    pub(super) fn export_report(&mut self, dir: PathBuf) {
        let plan = self.report_plan();
        self.publish(Publication::Report { dir, plan, formats: vec![Format::Svg, Format::Png] });
    }

    /// Starts writing `publication` of the scenario on screen: on a thread, or in the slices
    /// of [`Workspace::advance`].
    fn publish(&mut self, publication: Publication) {
        if self.publishing.is_some() {
            self.status = "An export is already in progress: wait for it, or stop it.".into();
            return;
        }
        if !self.doc.issues.is_empty() {
            self.status = "The scenario has problems: fix them to export.".into();
            return;
        }
        let scenario = self.publish_scenario();
        let source = self.doc.source();
        match self.options.executor {
            Executor::Threads => {
                let wake = std::sync::Arc::clone(&self.wake);
                match Publishing::start(scenario, source, publication, move || wake()) {
                    Ok(p) => self.publishing = Some(p),
                    Err(e) => self.status = format!("Cannot start the export: {e}"),
                }
            }
            Executor::Stepped => self.publishing = Some(Publishing::stepped(scenario, source, publication)),
        }
    }

    /// The scenario an export simulates: the one on screen, at the runs on screen (the cap
    /// included), so that the figures show what the views show.
    fn publish_scenario(&self) -> Scenario {
        let runs = self.doc.valid.run().runs.min(self.runs_cap()).max(1);
        // At most the scenario's own run count, so always a valid one.
        self.doc.valid.clone().with_runs(runs).unwrap_or_else(|_| self.doc.valid.clone())
    }

    /// Takes the message of an export that has ended.
    pub(super) fn poll_publishing(&mut self) {
        let Some(p) = &mut self.publishing else { return };
        if let Some(Ok(msg) | Err(msg)) = p.poll() {
            self.status = msg;
            self.publishing = None;
        }
    }

    /// The analyses on screen, for the figures of the analysis tabs.
    fn on_screen(&self) -> OnScreen {
        let pick = |slot: Slot| self.analysis_views.view(slot).outcome;
        let sweep = match pick(Slot::Sweep) {
            Some(Outcome::Sweep(s)) => Some(s),
            _ => None,
        };
        OnScreen {
            best_threshold: match pick(Slot::Best) {
                Some(Outcome::Best(b)) => Some((*b).clone()),
                _ => None,
            },
            sweep,
            sweep_2d: match pick(Slot::Heatmap) {
                Some(Outcome::Heatmap(h)) => Some(h),
                _ => None,
            },
            sensitivity: match pick(Slot::Sensitivity) {
                Some(Outcome::Sensitivity(r)) => Some(r),
                _ => None,
            },
            decision: match pick(Slot::Decision) {
                Some(Outcome::Decision(d)) => Some(d),
                _ => None,
            },
        }
    }

    /// The report's analyses: those of the analysis tabs as set (their policy, grid, output,
    /// event), with `tierlab report`'s run caps; the defaults where a tab was never opened.
    fn report_plan(&mut self) -> StudyPlan {
        let scenario = self.publish_scenario();
        let s = &scenario;
        let t = &mut self.views.thresholds;
        let mut plan = match t.resolve(s) {
            Ok(policy) => {
                let mut plan = StudyPlan::for_policy(s, policy);
                if let Some(g) = t.grid {
                    // A grid the study refuses keeps the default one.
                    let _ = plan.set_grid(t.param, g.from, g.to, g.steps);
                }
                if let (Some(p2), Some(w)) = (plan.sweep_2d.as_mut(), t.world_grid) {
                    p2.axis = WorldAxis { param: t.world_param, values: w.values() };
                }
                if let (Some(sp), Some(cap)) = (plan.sweep.as_mut(), t.cap_set()) {
                    sp.best = Some(Cap::Given(cap));
                }
                plan
            }
            Err(_) => StudyPlan::default_for(s),
        };
        let sens = &mut self.views.sensitivity;
        if sens.policy.is_some()
            && let Some(sp) = plan.sensitivity.as_mut()
        {
            let policy = sens.resolve(s);
            sp.spec = SensitivitySpec { tornado: sens.tornado, ..SensitivitySpec::new(policy, sens.output) };
        }
        // The Decision support tab's event, box and floor once it has been set; the report's
        // own default (the analysed policy against the reference policy) before.
        let decision = &mut self.views.decision;
        if decision.policy.is_some()
            && let Some(dp) = plan.decision.as_mut()
        {
            dp.spec = decision.spec_for(s.policies().len(), s.run().reference);
        }
        plan
    }
}

/// The status line after a view's data was written.
fn wrote(tab: Tab, files: &[PathBuf]) -> String {
    format!(
        "Wrote the {} data to {}.",
        tab.label(),
        files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
    )
}
