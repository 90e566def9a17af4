//! The centre panel's tabs, one file each. A view draws a [`Computed`] result (and the pinned
//! one, ghosted) or an analysis the shell keeps running, and reports commands and the
//! rectangles of its plots.

use std::sync::Arc;
use std::time::Duration;

use egui::{Rect, Ui};

use crate::model::Scenario;

use super::analyses::{Analyses, Outcome, Request, SLOTS, Slot};
use super::command::AppCommand;
use super::computed::Computed;
use super::state::{Persisted, Tab};

pub mod distributions;
pub mod jurisdictions;
pub mod learn;
pub mod over_time;
pub mod overview;
pub mod plots;
pub mod robustness;
pub mod sensitivity;
pub mod thresholds;

/// View choices that are not saved between launches.
#[derive(Clone, Debug, Default)]
pub struct ViewState {
    /// Over time: the policy whose fans are shown; `None` compares all policies' medians.
    pub over_time_policy: Option<usize>,
    /// Learn: the policy the explanation is about (default: the baseline policy).
    pub learn_policy: Option<usize>,
    pub thresholds: thresholds::ThresholdSettings,
    pub sensitivity: sensitivity::SensitivitySettings,
    pub robustness: robustness::RobustnessSettings,
}

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

/// An analysis's progress with a Stop button, a stopped one with a Resume button, or why
/// there is no result; `what` names it ("sweep").
pub fn analysis_status_ui(ui: &mut Ui, v: &AnalysisView, slot: Slot, what: &str, dark: bool, out: &mut ViewOut) {
    // One scope whatever it holds: the widgets after it keep their ids as the status comes and
    // goes, so a drag on a plot below survives the status line changing mid-drag.
    ui.scope(|ui| status_lines_ui(ui, v, slot, what, dark, out));
}

fn status_lines_ui(ui: &mut Ui, v: &AnalysisView, slot: Slot, what: &str, dark: bool, out: &mut ViewOut) {
    use egui::RichText;
    if let Some((done, total)) = v.progress {
        // Wrapped, and the bar sized to the space: the heat map's column is narrow.
        ui.horizontal_wrapped(|ui| {
            let fraction = if total > 0 { done as f32 / total as f32 } else { 0.0 };
            let width = (ui.available_width() * 0.4).clamp(60.0, 220.0);
            ui.add(egui::ProgressBar::new(fraction).desired_width(width).show_percentage());
            ui.label(RichText::new(format!("computing the {what}…")).italics());
            if ui.small_button("Stop").on_hover_text(format!("Stop the {what}; the last result stays")).clicked() {
                out.commands.push(AppCommand::StopAnalysis(slot));
            }
        });
    } else if v.stopped {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("The {what} was stopped; what is shown is older.")).italics());
            if ui.small_button("Resume").clicked() {
                out.commands.push(AppCommand::ResumeAnalysis(slot));
            }
        });
    } else if v.pending {
        ui.label(RichText::new(format!("The {what} will update when the simulation finishes…")).italics().weak());
    }
    if let Some(e) = &v.error {
        ui.label(RichText::new(e).color(super::theme::error(dark)));
    }
    if v.outcome.is_none() && v.progress.is_none() && v.error.is_none() && !v.pending && !v.stopped {
        ui.label(RichText::new(format!("No {what} yet.")).weak());
    }
}

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

/// What a view reports back: commands, and where its plots are (for PNG export).
#[derive(Default)]
pub struct ViewOut {
    /// The tab being drawn (for its plots' "Export publication figures…").
    pub tab: Tab,
    pub commands: Vec<AppCommand>,
    /// (title, rectangle including the title) of every plot drawn this frame.
    pub plots: Vec<(String, Rect)>,
}

/// Everything a view reads and the choices it may change.
pub struct ViewCx<'a> {
    /// The scenario as last checked (what runs), for names and current settings.
    pub scenario: &'a Scenario,
    pub analyses: &'a AnalysisViews,
    pub current: &'a Computed,
    pub pinned: Option<&'a Computed>,
    pub persisted: &'a mut Persisted,
    pub state: &'a mut ViewState,
    pub out: &'a mut ViewOut,
}

impl ViewCx<'_> {
    pub fn dark(&self) -> bool {
        self.persisted.dark
    }
}

/// Draws the tab `tab`.
pub fn ui(ui: &mut Ui, tab: Tab, cx: &mut ViewCx<'_>) {
    match tab {
        Tab::Overview => overview::ui(ui, cx),
        Tab::Distributions => distributions::ui(ui, cx),
        Tab::OverTime => over_time::ui(ui, cx),
        Tab::Jurisdictions => jurisdictions::ui(ui, cx),
        Tab::Learn => learn::ui(ui, cx),
        Tab::Thresholds => thresholds::ui(ui, cx),
        Tab::Sensitivity => sensitivity::ui(ui, cx),
        Tab::Robustness => robustness::ui(ui, cx),
    }
}
