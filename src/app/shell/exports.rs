//! Exports: a view's data as CSV, a plot as PNG (cut from a screenshot of the window), and
//! publication figures and the report (written on the publishing thread).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{ColorImage, Rect};

use super::TierlabApp;
use crate::analysis::sensitivity::SensitivitySpec;
use crate::analysis::sweep::WorldAxis;
use crate::app::analyses::{Outcome, Slot};
use crate::app::export;
use crate::app::publish::{OnScreen, Publication, Publishing};
use crate::export::data::write_atomic;
use crate::model::Scenario;
use crate::study::{Cap, StudyPlan};

/// A PNG of a plot: waiting a frame or two (so windows such as the path prompt are gone),
/// then waiting for the screenshot.
pub(super) struct PngRequest {
    pub plot: String,
    pub path: PathBuf,
    pub frames_left: u8,
}

pub(super) struct PngPending {
    pub path: PathBuf,
    pub rect: Rect,
    pub pixels_per_point: f32,
}

impl TierlabApp {
    /// Whether a figure or report export is in progress.
    pub fn is_publishing(&self) -> bool {
        self.publishing.is_some()
    }

    /// Waits until the export in progress has ended (or `timeout` passes). For tests only.
    pub fn wait_for_publishing(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.publishing.is_some() {
            self.poll_publishing();
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    pub(super) fn export_csv(&mut self, path: &Path) {
        let tab = self.persisted.tab;
        if tab.is_analysis() {
            let cap = match self.analysis_views.view(Slot::Sweep).outcome {
                Some(Outcome::Sweep(sw)) => Some(self.views.thresholds.constraint(&sw)),
                _ => None,
            };
            let source_of = |s: &Scenario| self.doc.source_for(s);
            self.status = match export::write_analysis_csv(path, tab, &self.analysis_views, &source_of, cap.as_ref()) {
                Ok(files) => format!(
                    "Wrote the {} data to {}.",
                    tab.label(),
                    files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
                ),
                Err(e) => e,
            };
            return;
        }
        let Some(current) = self.current.clone() else {
            self.status = "No results to export yet.".into();
            return;
        };
        self.status = match export::write_view_csv(path, tab, &current, self.pinned.as_deref()) {
            Ok(files) => format!(
                "Wrote the {} data to {}.",
                tab.label(),
                files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
            Err(e) => format!("Could not write {}: {e}", path.display()),
        };
    }

    /// Starts writing `publication` of the scenario on screen on a background thread.
    pub(super) fn publish(&mut self, publication: Publication) {
        if self.publishing.is_some() {
            self.status = "An export is already in progress: wait for it, or stop it.".into();
            return;
        }
        if !self.doc.issues.is_empty() {
            self.status = "The scenario has problems: fix them to export.".into();
            return;
        }
        let scenario = self.publish_scenario();
        let ctx = self.ctx.clone();
        match Publishing::start(scenario, self.doc.source(), publication, move || ctx.request_repaint()) {
            Ok(p) => self.publishing = Some(p),
            Err(e) => self.status = format!("Cannot start the export: {e}"),
        }
        self.ctx.request_repaint();
    }

    /// The scenario an export simulates: the one on screen, at the runs on screen (the app's
    /// cap included), so that the figures show what the app shows.
    pub(super) fn publish_scenario(&self) -> Scenario {
        let runs = self.doc.valid.run().runs.min(self.runs_cap()).max(1);
        // At most the scenario's own run count, so always a valid one.
        self.doc.valid.clone().with_runs(runs).unwrap_or_else(|_| self.doc.valid.clone())
    }

    pub(super) fn poll_publishing(&mut self) {
        let Some(p) = &self.publishing else { return };
        match p.poll() {
            Some(Ok(msg) | Err(msg)) => {
                self.status = msg;
                self.publishing = None;
            }
            // Keep the progress bar moving.
            None => self.ctx.request_repaint_after(Duration::from_millis(100)),
        }
    }

    /// The analyses on screen, for the figures of the analysis tabs.
    pub(super) fn on_screen(&self) -> OnScreen {
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

    /// The report's analyses: those of the Thresholds and Sensitivity tabs as set (their
    /// policy, grid and output), with `tierlab report`'s run caps; the defaults where a tab
    /// was never opened.
    pub(super) fn report_plan(&mut self) -> StudyPlan {
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
        // The Robustness tab's event, box and floor once it has been set; the report's own
        // default (the analysed policy against the baseline) before.
        let rob = &mut self.views.robustness;
        if rob.policy.is_some()
            && let Some(dp) = plan.decision.as_mut()
        {
            dp.spec = rob.spec_for(s.policies().len(), s.run().reference);
        }
        plan
    }

    /// Requests the screenshot of a PNG export once its frames have passed.
    pub(super) fn after_frame(&mut self) {
        let Some(req) = &mut self.png_request else { return };
        if req.frames_left > 0 {
            req.frames_left -= 1;
            self.ctx.request_repaint();
            return;
        }
        let Some(req) = self.png_request.take() else { return };
        match self.plot_rects.iter().find(|(t, _)| *t == req.plot) {
            Some((_, rect)) => {
                self.png_pending =
                    Some(PngPending { path: req.path, rect: *rect, pixels_per_point: self.ctx.pixels_per_point() });
                let tx = self.screenshot_tx.clone();
                let ctx = self.ctx.clone();
                self.ctx.request_screenshot(move |image| {
                    let _ = tx.send(image);
                    ctx.request_repaint();
                });
            }
            None => self.status = format!("The plot \"{}\" is not on screen.", req.plot),
        }
    }

    pub(super) fn on_screenshot(&mut self, image: &ColorImage) {
        let Some(p) = self.png_pending.take() else { return };
        self.status = match export::crop_png(image, p.rect, p.pixels_per_point) {
            Ok(png) => match write_atomic(&p.path, &png) {
                Ok(()) => format!("Saved the plot to {}.", p.path.display()),
                Err(e) => format!("Could not write {}: {e}", p.path.display()),
            },
            Err(e) => format!("Could not save the plot: {e}"),
        };
    }
}
