//! The scenario editor (left panel): name and horizon, world parameters by group,
//! jurisdictions, policies. Widgets edit the working copy in place and report
//! [`AppCommand::Edited`]; structural changes (add, remove, renormalise) are commands.

use egui::{Response, RichText, Ui};

use crate::model::{Issue, ScenarioDraft};

use super::AppCommand;

pub mod jurisdictions;
pub mod lever_ui;
pub mod params;
pub mod policies;

/// Editor state that is not part of the scenario (caches).
#[derive(Default)]
pub struct PanelState {
    pub sparks: params::SparkCache,
}

/// Reports an edit from a value widget: debounced while dragging or typing, immediate when a
/// drag ends.
pub fn note_edit(resp: &Response, cmds: &mut Vec<AppCommand>) {
    if resp.drag_stopped() {
        cmds.push(AppCommand::Edited { immediate: true });
    } else if resp.changed() {
        cmds.push(AppCommand::Edited { immediate: false });
    }
}

/// The whole panel.
pub fn ui(
    ui: &mut Ui,
    s: &mut ScenarioDraft,
    issues: &[Issue],
    state: &mut PanelState,
    dark: bool,
    cmds: &mut Vec<AppCommand>,
) {
    ui.heading("Scenario");
    // Above the scrolled part, so the problems stay in view wherever one edits; and always one
    // scope, empty or not, so that the widgets after it keep their ids when a keystroke makes
    // the scenario invalid (a half-typed "0.8" is "0" for a moment) and the edit goes on.
    ui.scope(|ui| {
        if !issues.is_empty() {
            egui::ScrollArea::vertical()
                .id_salt("scenario_issues")
                .max_height(120.0)
                .show(ui, |ui| issues_ui(ui, issues, dark));
        }
    });
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        header_ui(ui, s, cmds);
        ui.separator();
        // Policies first: their thresholds are what most users come to move.
        egui::CollapsingHeader::new(RichText::new(format!("Policies ({})", s.policies.len())).strong())
            .id_salt("policies")
            .default_open(true)
            .show(ui, |ui| policies::ui(ui, s, cmds));
        egui::CollapsingHeader::new(RichText::new("World parameters").strong())
            .id_salt("world")
            .default_open(true)
            .show(ui, |ui| {
                let flagged = params::Flagged { issues, color: super::theme::error(dark) };
                params::world_ui(ui, &mut s.world, &mut state.sparks, &flagged, cmds);
            });
        egui::CollapsingHeader::new(RichText::new(format!("Jurisdictions ({})", s.jurisdictions.len())).strong())
            .id_salt("jurisdictions")
            .default_open(true)
            .show(ui, |ui| jurisdictions::ui(ui, s, dark, cmds));
    });
}

/// The checker's complaints about the current edit: nothing runs until they are fixed.
fn issues_ui(ui: &mut Ui, issues: &[Issue], dark: bool) {
    let color = super::theme::error(dark);
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.0, color)).show(ui, |ui| {
        ui.label(
            RichText::new(format!(
                "{} problem{} — not run until fixed:",
                issues.len(),
                if issues.len() == 1 { "" } else { "s" }
            ))
            .color(color)
            .strong(),
        );
        for i in issues {
            ui.label(RichText::new(format!("{}: {}", i.path, i.message)).color(color));
        }
    });
}

fn header_ui(ui: &mut Ui, s: &mut ScenarioDraft, cmds: &mut Vec<AppCommand>) {
    egui::Grid::new("scenario_header").num_columns(2).show(ui, |ui| {
        let label = ui.label("Name");
        let r = ui.add(egui::TextEdit::singleline(&mut s.name).desired_width(300.0)).labelled_by(label.id);
        note_edit(&r, cmds);
        ui.end_row();
        let label = ui.label("Years").on_hover_text("Simulated horizon, in years (1 to 100).");
        ui.horizontal(|ui| {
            let r = ui.add(egui::DragValue::new(&mut s.run.years).range(1..=100).speed(0.2)).labelled_by(label.id);
            note_edit(&r, cmds);
            let label = ui.label("steps per year").on_hover_text("Time steps per year (1 to 52; 4 = quarters).");
            let r =
                ui.add(egui::DragValue::new(&mut s.run.steps_per_year).range(1..=52).speed(0.1)).labelled_by(label.id);
            note_edit(&r, cmds);
        });
        ui.end_row();
    });
    egui::CollapsingHeader::new("Description").id_salt("description").default_open(false).show(ui, |ui| {
        let r = ui.add(
            egui::TextEdit::multiline(&mut s.description)
                .desired_width(f32::INFINITY)
                .desired_rows(6)
                .hint_text("What question this scenario asks"),
        );
        note_edit(&r, cmds);
    });
}
