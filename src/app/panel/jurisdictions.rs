//! Jurisdictions as an editable table. Columns that must sum to 1 show their sum, flagged
//! when off; renormalising is a button, never automatic.

use egui::{DragValue, RichText, Ui};

use crate::model::ScenarioDraft;
use crate::model::params::{JURISDICTION_KEYS, Range};
use crate::model::scenario::{MAX_JURISDICTIONS, SUM_TOLERANCE};
use crate::workspace::edits::{SUMMED, sums, sums_off};

use super::super::AppCommand;
use super::note_edit;

fn range_of(r: Range) -> std::ops::RangeInclusive<f64> {
    let (lo, hi, _) = r.bounds();
    lo.max(0.0)..=if hi.is_finite() { hi } else { 10.0 }
}

pub fn ui(ui: &mut Ui, s: &mut ScenarioDraft, dark: bool, cmds: &mut Vec<AppCommand>) {
    let n = s.jurisdictions.len();
    egui::ScrollArea::horizontal().id_salt("jurisdiction_table").show(ui, |ui| {
        egui::Grid::new("jurisdiction_grid").striped(true).spacing([6.0, 3.0]).show(ui, |ui| {
            let name_header = ui.label(RichText::new("name").strong()).id;
            let mut headers = Vec::with_capacity(JURISDICTION_KEYS.len());
            for (key, unit, range, meaning) in JURISDICTION_KEYS {
                let h = ui.label(RichText::new(*key).strong()).on_hover_ui(|ui| {
                    ui.set_max_width(320.0);
                    ui.label(RichText::new(*key).strong());
                    ui.label(*meaning);
                    ui.label(format!("Unit: {unit}"));
                    ui.label(format!("Allowed: {}", range.describe()));
                });
                headers.push(h.id);
            }
            ui.label("");
            ui.end_row();
            for (ji, j) in s.jurisdictions.iter_mut().enumerate() {
                ui.push_id(("jurisdiction", ji), |ui| {
                    let r =
                        ui.add(egui::TextEdit::singleline(&mut j.name).desired_width(96.0)).labelled_by(name_header);
                    note_edit(&r, cmds);
                });
                for k in 0..JURISDICTION_KEYS.len() {
                    // An uncertain attribute (a distribution in the file) shows its central
                    // value; a click makes it that fixed number, to edit.
                    if let Some(d) = j.uncertain[k].clone() {
                        let r = ui.push_id(("jurisdiction_value", ji, k), |ui| {
                            ui.add(egui::Button::new(format!("~{}", crate::fmt::sig4(d.central()))).small())
                                .on_hover_text(format!(
                                    "Uncertain: {} (drawn per run). Click to fix it at its central value.",
                                    crate::model::dist_to_toml(&d)
                                ))
                        });
                        if r.inner.clicked() {
                            j.set_dist(k, crate::model::Dist::Fixed(d.central()));
                            cmds.push(AppCommand::Edited { immediate: true });
                        }
                        continue;
                    }
                    let range = JURISDICTION_KEYS.get(k).map_or(Range::Probability, |x| x.2);
                    let Some(v) = j.values_mut().into_iter().nth(k) else { continue };
                    let r = ui.push_id(("jurisdiction_value", ji, k), |ui| {
                        let r = ui.add(DragValue::new(v).speed(0.002).range(range_of(range)).max_decimals(3));
                        match headers.get(k) {
                            Some(h) => r.labelled_by(*h),
                            None => r,
                        }
                    });
                    note_edit(&r.inner, cmds);
                }
                if ui
                    .add_enabled(n > 1, egui::Button::new("Remove").small())
                    .on_hover_text(format!("Remove {} (and policies' overrides for it)", j.name))
                    .clicked()
                {
                    cmds.push(AppCommand::RemoveJurisdiction(ji));
                }
                ui.end_row();
            }
            // Sums of the columns that must add up to 1.
            ui.label(RichText::new("sum").italics());
            let totals = sums(s);
            for k in 0..JURISDICTION_KEYS.len() {
                match SUMMED.iter().position(|&c| c == k) {
                    Some(i) => {
                        let total = totals[i];
                        let off = (total - 1.0).abs() > SUM_TOLERANCE;
                        let text = RichText::new(format!("{total:.3}"));
                        let text =
                            if off { text.color(super::super::theme::warning(dark)).strong() } else { text.weak() };
                        ui.label(text).on_hover_text(if off {
                            "Must sum to 1: renormalise below"
                        } else {
                            "Sums to 1"
                        });
                    }
                    None => {
                        ui.label("");
                    }
                }
            }
            ui.end_row();
        });
    });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(n < MAX_JURISDICTIONS, egui::Button::new("Add jurisdiction"))
            .on_hover_text("A new jurisdiction with zero shares; give it shares, then renormalise")
            .clicked()
        {
            cmds.push(AppCommand::AddJurisdiction);
        }
        let off = sums_off(s);
        let r = ui.add_enabled(off, egui::Button::new("Renormalise sums"));
        let r = if off {
            r.on_hover_text("Rescale share0, host, weight and exposure so that each sums to 1")
        } else {
            r.on_disabled_hover_text("The sums are already 1")
        };
        if r.clicked() {
            cmds.push(AppCommand::Renormalise);
        }
    });
}
