//! The centre of the window: the tab bar and the tab on screen (from the table of views), and
//! the status line below.

use crate::fmt;
use egui::{RichText, Ui};

use crate::workspace::Workspace;

use super::super::AppCommand;
use super::super::theme;
use super::super::views::{self, ViewCx, ViewOut};

pub(super) fn centre_ui(ui: &mut Ui, ws: &mut Workspace, out: &mut ViewOut, cmds: &mut Vec<AppCommand>) {
    let dark = ws.persisted().dark;
    let tab = ws.persisted().tab;
    // Wrapped, so that every tab stays reachable in a narrow window.
    ui.horizontal_wrapped(|ui| {
        for v in &views::VIEWS {
            if ui.selectable_label(tab == v.tab, RichText::new(v.label()).size(15.0)).clicked() {
                cmds.push(AppCommand::SetTab(v.tab));
            }
        }
        if let Some(c) = ws.result()
            && !c.is_final()
        {
            ui.label(
                RichText::new(format!("preview of {} runs, refining…", fmt::count(c.runs as u64)))
                    .italics()
                    .color(theme::warning(dark)),
            );
        }
        if ws.pinned().is_some() {
            ui.label(RichText::new("pinned result shown dashed").weak());
        }
    });
    ui.separator();
    let has_issues = !ws.document().issues.is_empty();
    let running = ws.is_running();
    let parts = ws.parts();
    let Some(current) = parts.current.cloned() else {
        ui.add_space(40.0);
        ui.vertical_centered(|ui| {
            if has_issues {
                ui.label("The scenario has problems (see the left panel): fix them to run it.");
            } else if running {
                ui.spinner();
                ui.label("Simulating…");
            } else {
                ui.label("No results yet: press Run.");
            }
        });
        return;
    };
    let mut cx = ViewCx {
        scenario: parts.scenario,
        analyses: parts.analyses,
        current: &current,
        pinned: parts.pinned,
        persisted: parts.persisted,
        state: parts.views,
        out,
    };
    views::ui(ui, tab, &mut cx);
}

pub(super) fn status_ui(ui: &mut Ui, ws: &Workspace, cmds: &mut Vec<AppCommand>) {
    // The provenance is laid out first, from the right, so that the status on the left takes
    // only the width that is left and elides rather than printing over it.
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
        if let Some(c) = ws.result() {
            let p = &c.provenance;
            let full = format!(
                "{} runs · {:.0} ms · seed {} · scenario {} · Tierlab {}",
                fmt::count(c.runs as u64),
                c.elapsed.as_secs_f64() * 1000.0,
                p.seed,
                p.short_hash(),
                p.version
            );
            // A narrow window keeps what a figure must cite: seed, scenario hash, version.
            let text = if ui.available_width() < 900.0 {
                format!("seed {} · scenario {} · v{}", p.seed, p.short_hash(), p.version)
            } else {
                full.clone()
            };
            ui.label(RichText::new(text).weak()).on_hover_text(full);
        }
        ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
            if let Some(p) = ws.publishing() {
                let (phrase, fraction) = p.progress();
                ui.add(egui::ProgressBar::new(fraction).desired_width(160.0).show_percentage());
                if ui.small_button("Stop").on_hover_text("Stop the export; nothing more is written").clicked() {
                    cmds.push(AppCommand::CancelPublish);
                }
                ui.add(egui::Label::new(phrase).truncate());
            } else {
                ui.add(egui::Label::new(ws.status()).truncate());
            }
        });
    });
}
