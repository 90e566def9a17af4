//! The centre panel's tabs: the table of views ([`VIEWS`]), which the tab bar, the dispatch
//! and the snapshot tests all read, and one file per tab. A view draws a [`Computed`] result
//! (and the pinned one, ghosted) or an analysis the workspace keeps running, and reports
//! commands and the rectangles of its plots.

use egui::{Rect, Ui};

use crate::export::figures::FigureKind;
use crate::model::Scenario;
use crate::workspace::analyses::Slot;
use crate::workspace::publish::figures_of;
use crate::workspace::{AnalysisView, AnalysisViews, Computed, Persisted, Tab, ViewState};

use super::AppCommand;

pub mod decision;
pub mod distributions;
pub mod jurisdictions;
pub mod learn;
pub mod over_time;
pub mod overview;
pub mod plots;
pub mod sensitivity;
pub mod thresholds;

/// One tab: which it is, and how it is drawn.
pub struct View {
    pub tab: Tab,
    pub ui: fn(&mut Ui, &mut ViewCx<'_>),
}

impl View {
    /// The tab's label (the workspace's, which names the tab in exports and messages too).
    pub fn label(&self) -> &'static str {
        self.tab.label()
    }

    /// The publication figures that show what the tab shows.
    pub fn figures(&self) -> &'static [FigureKind] {
        figures_of(self.tab)
    }
}

/// Every tab, in the tab bar's order.
pub static VIEWS: [View; Tab::ALL.len()] = [
    View { tab: Tab::Overview, ui: overview::ui },
    View { tab: Tab::Distributions, ui: distributions::ui },
    View { tab: Tab::OverTime, ui: over_time::ui },
    View { tab: Tab::Jurisdictions, ui: jurisdictions::ui },
    View { tab: Tab::Thresholds, ui: thresholds::ui },
    View { tab: Tab::Sensitivity, ui: sensitivity::ui },
    View { tab: Tab::Decision, ui: decision::ui },
    View { tab: Tab::Learn, ui: learn::ui },
];

/// The view of `tab`.
pub fn view(tab: Tab) -> &'static View {
    VIEWS.iter().find(|v| v.tab == tab).unwrap_or(&VIEWS[0])
}

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

/// What a view reports back: commands, and where its plots are (for PNG export).
#[derive(Default)]
pub struct ViewOut {
    /// The tab being drawn (for its plots' "Export publication figures…").
    pub tab: Tab,
    pub commands: Vec<AppCommand>,
    /// Every plot drawn this frame.
    pub plots: Vec<PlotEntry>,
}

/// A plot on screen: its title, where it is (title included, for a screenshot) and the
/// publication figure that shows the same data (None where no figure does).
#[derive(Clone, Debug)]
pub struct PlotEntry {
    pub title: String,
    pub rect: Rect,
    pub figure: Option<FigureKind>,
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
    (view(tab).ui)(ui, cx);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tab_has_one_view_in_the_tab_order() {
        assert_eq!(VIEWS.iter().map(|v| v.tab).collect::<Vec<_>>(), Tab::ALL);
        for tab in Tab::ALL {
            assert_eq!(view(tab).tab, tab);
            assert!(!view(tab).figures().is_empty(), "{} has figures to export", tab.label());
        }
    }
}
