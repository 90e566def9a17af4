//! The top of the window: the menus, then the run settings (runs, seed, auto-run, Run /
//! Cancel, progress) and pinning.

use crate::fmt;
use egui::{RichText, Ui};

use crate::model::Scenario;
use crate::model::ScenarioDraft;
use crate::model::scenario::{MAX_RUNS, MAX_SEED, PRESETS};

use super::AppCommand;
use super::panel::note_edit;
use super::views::PlotEntry;
use super::views::plots::figure_hover;
use crate::workspace::state::Persisted;

/// What the top bar shows besides what it edits.
pub struct TopBarInfo<'a> {
    /// Runs done and total of the job in flight.
    pub progress: Option<(u64, u64)>,
    /// Runs in the result on screen, and whether it is final.
    pub shown: Option<(usize, bool)>,
    pub pinned: bool,
    pub can_save: bool,
    pub has_path: bool,
    /// The plots in the current view (for their export).
    pub plots: &'a [PlotEntry],
    /// The scenario differs from what the results on screen were computed from.
    pub stale: bool,
    /// The scenario asks for more runs than the app simulates: the cap.
    pub runs_cap: Option<u64>,
    /// A figure or report export is in progress.
    pub publishing: bool,
    /// What Edit > Undo and Edit > Redo would do ("set world.alpha"), if anything.
    pub undo: Option<&'a str>,
    pub redo: Option<&'a str>,
}

/// Names of the embedded presets, in `PRESETS` order.
pub fn preset_names() -> Vec<String> {
    PRESETS
        .iter()
        .map(|(file, text)| match Scenario::parse(text, file) {
            Ok(s) => format!("{} ({file})", s.name()),
            Err(_) => (*file).to_string(),
        })
        .collect()
}

pub fn ui(
    ui: &mut Ui,
    scenario: &mut ScenarioDraft,
    persisted: &mut Persisted,
    presets: &[String],
    info: &TopBarInfo<'_>,
    cmds: &mut Vec<AppCommand>,
) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu_ui(ui, presets, info, persisted, cmds));
        ui.menu_button("Edit", |ui| edit_menu_ui(ui, info, cmds));
        ui.menu_button("View", |ui| {
            ui.checkbox(&mut persisted.show_panel, "Scenario panel")
                .on_hover_text("Hide the scenario panel to give the plots the whole width (small screens)");
            ui.separator();
            let mut dark = persisted.dark;
            if ui.radio_value(&mut dark, false, "Light theme").clicked()
                | ui.radio_value(&mut dark, true, "Dark theme").clicked()
            {
                cmds.push(AppCommand::SetDark(dark));
            }
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let label = if persisted.dark { "Light theme" } else { "Dark theme" };
            if ui.button(label).on_hover_text("Switch between the light and the dark theme").clicked() {
                cmds.push(AppCommand::SetDark(!persisted.dark));
            }
        });
    });
    ui.horizontal(|ui| run_settings_ui(ui, scenario, persisted, info, cmds));
    ui.add_space(2.0);
}

/// Undo and Redo, each saying what it would do, greyed when there is nothing to do.
fn edit_menu_ui(ui: &mut Ui, info: &TopBarInfo<'_>, cmds: &mut Vec<AppCommand>) {
    let item = |what: &str, label: Option<&str>| match label {
        Some(l) => format!("{what} {l}"),
        None => what.to_string(),
    };
    if ui
        .add_enabled(info.undo.is_some(), egui::Button::new(item("Undo", info.undo)).shortcut_text("Ctrl+Z"))
        .on_disabled_hover_text("No edit to undo")
        .clicked()
    {
        cmds.push(AppCommand::Undo);
    }
    if ui
        .add_enabled(info.redo.is_some(), egui::Button::new(item("Redo", info.redo)).shortcut_text("Ctrl+Shift+Z"))
        .on_hover_text("Also Ctrl+Y")
        .on_disabled_hover_text("No undone edit to redo")
        .clicked()
    {
        cmds.push(AppCommand::Redo);
    }
}

fn file_menu_ui(
    ui: &mut Ui,
    presets: &[String],
    info: &TopBarInfo<'_>,
    persisted: &Persisted,
    cmds: &mut Vec<AppCommand>,
) {
    ui.menu_button("New from preset", |ui| {
        for (i, name) in presets.iter().enumerate() {
            if ui.button(name).clicked() {
                cmds.push(AppCommand::NewFromPreset(i));
            }
        }
    });
    if ui.add(egui::Button::new("Open…").shortcut_text("Ctrl+O")).clicked() {
        cmds.push(AppCommand::Open);
    }
    let save = ui.add_enabled(info.can_save, egui::Button::new("Save").shortcut_text("Ctrl+S"));
    let save = if info.has_path { save } else { save.on_hover_text("No file yet: asks where to save") };
    if save.on_disabled_hover_text("Fix the scenario's problems first").clicked() {
        cmds.push(AppCommand::Save);
    }
    if ui
        .add_enabled(info.can_save, egui::Button::new("Save as…").shortcut_text("Ctrl+Shift+S"))
        .on_disabled_hover_text("Fix the scenario's problems first")
        .clicked()
    {
        cmds.push(AppCommand::SaveAs);
    }
    if ui
        .button("Copy link")
        .on_hover_text(
            "A link to this scenario (as it runs) and the tab on screen: the scenario travels in the link itself",
        )
        .clicked()
    {
        cmds.push(AppCommand::CopyLink);
    }
    ui.separator();
    let has_result = info.shown.is_some();
    if ui
        .add_enabled(has_result, egui::Button::new(format!("Export {} data (CSV)…", persisted.tab.label())))
        .on_hover_text("The current view's data as tidy CSV: one observation per row, with a header")
        .clicked()
    {
        cmds.push(AppCommand::ExportCsv);
    }
    ui.add_enabled_ui(has_result && !info.plots.is_empty(), |ui| {
        ui.menu_button("Export plot", |ui| {
            for plot in info.plots {
                match plot.figure {
                    // The publication figure of the same data: SVG and PNG, caption, provenance.
                    Some(kind) => {
                        if ui.button(format!("{} (SVG + PNG)", plot.title)).on_hover_text(figure_hover(kind)).clicked()
                        {
                            cmds.push(AppCommand::ExportFigure { tab: persisted.tab, only: Some(kind) });
                        }
                    }
                    None => {
                        if ui
                            .button(format!("{} (screenshot PNG)", plot.title))
                            .on_hover_text(
                                "No publication figure shows this plot's data yet: a PNG of the plot as on screen",
                            )
                            .clicked()
                        {
                            cmds.push(AppCommand::ExportPng { plot: plot.title.clone() });
                        }
                    }
                }
            }
        });
    });
    let can_publish = has_result && !info.publishing;
    if ui
        .add_enabled(can_publish, egui::Button::new("Export publication figures…"))
        .on_hover_text(
            "This view's figures as SVG and 2400-px PNG with JSON sidecars, drawn by the same renderer as \
             `tierlab figures` and stamped with seed, scenario hash and version",
        )
        .on_disabled_hover_text("Wait for the results, or for the export in progress")
        .clicked()
    {
        cmds.push(AppCommand::ExportFigure { tab: persisted.tab, only: None });
    }
    if ui
        .add_enabled(can_publish, egui::Button::new("Export report…"))
        .on_hover_text(
            "A folder with every figure (SVG, PNG, sidecars), a self-contained report.html and report.md, as \
             `tierlab report` writes: the simulation, the threshold sweep and heat map, and the sensitivity \
             analysis, with the Thresholds and Sensitivity tabs' settings",
        )
        .on_disabled_hover_text("Wait for the results, or for the export in progress")
        .clicked()
    {
        cmds.push(AppCommand::ExportReport);
    }
    ui.separator();
    if ui.add(egui::Button::new("Quit").shortcut_text("Ctrl+Q")).clicked() {
        cmds.push(AppCommand::Quit);
    }
}

fn run_settings_ui(
    ui: &mut Ui,
    scenario: &mut ScenarioDraft,
    persisted: &mut Persisted,
    info: &TopBarInfo<'_>,
    cmds: &mut Vec<AppCommand>,
) {
    let label = ui.label("Runs").on_hover_text("Monte Carlo worlds per policy (1 to 10,000,000)");
    let r = ui.add(egui::DragValue::new(&mut scenario.run.runs).range(1..=MAX_RUNS).speed(50.0)).labelled_by(label.id);
    note_edit(&r, cmds);
    let label = ui.label("Seed").on_hover_text("Same seed and scenario give identical results");
    let r = ui.add(egui::DragValue::new(&mut scenario.run.seed).speed(1.0).range(0..=MAX_SEED)).labelled_by(label.id);
    note_edit(&r, cmds);
    if ui
        .checkbox(&mut persisted.auto_run, "Auto-run")
        .on_hover_text("Run again after every edit (a quick preview first, then the full count)")
        .changed()
        && persisted.auto_run
    {
        cmds.push(AppCommand::Run);
    }
    let running = info.progress.is_some();
    if ui.add_enabled(!running, egui::Button::new("Run")).clicked() {
        cmds.push(AppCommand::Run);
    }
    if ui.add_enabled(running, egui::Button::new("Cancel run")).clicked() {
        cmds.push(AppCommand::Cancel);
    }
    ui.separator();
    progress_ui(ui, info);
    ui.separator();
    if info.pinned {
        if ui.button("Unpin").on_hover_text("Stop showing the pinned result").clicked() {
            cmds.push(AppCommand::Unpin);
        }
    } else if ui
        .add_enabled(info.shown.is_some(), egui::Button::new("Pin result"))
        .on_hover_text("Freeze these results and show them dashed beside every new result")
        .clicked()
    {
        cmds.push(AppCommand::Pin);
    }
    if let Some(cap) = info.runs_cap {
        ui.label(RichText::new(format!("(the app runs {}; `tierlab run` runs them all)", fmt::count(cap))).weak())
            .on_hover_text("The app keeps every run's outcome in memory; the command line streams them to disk");
    }
}

fn progress_ui(ui: &mut Ui, info: &TopBarInfo<'_>) {
    let width = 240.0;
    match (info.progress, info.shown) {
        (Some((done, total)), _) => {
            let frac = if total > 0 { done as f32 / total as f32 } else { 0.0 };
            ui.add(egui::ProgressBar::new(frac).desired_width(width).text(format!(
                "{} / {} runs",
                fmt::count(done),
                fmt::count(total)
            )));
        }
        (None, Some((runs, is_final))) => {
            let text = if is_final {
                format!("{} runs", fmt::count(runs as u64))
            } else {
                format!("{} runs (stopped)", fmt::count(runs as u64))
            };
            ui.add(egui::ProgressBar::new(1.0).desired_width(width).text(text));
        }
        (None, None) => {
            ui.add(egui::ProgressBar::new(0.0).desired_width(width).text("no results yet"));
        }
    }
    if info.stale {
        ui.label(RichText::new("results are out of date").italics())
            .on_hover_text("The scenario changed since these results were computed (press Run, or fix its problems)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_has_a_name() {
        let names = preset_names();
        assert_eq!(names.len(), PRESETS.len());
        assert!(names[0].starts_with("Baseline 2026"));
    }
}
