//! Jurisdictions as an editable table. Columns that must sum to 1 show their sum, flagged
//! when off; renormalising is a button, never automatic.

use egui::{DragValue, RichText, Ui};

use crate::model::params::{JURISDICTION_KEYS, Range};
use crate::model::scenario::{MAX_JURISDICTIONS, SUM_TOLERANCE};
use crate::model::{Jurisdiction, ScenarioDraft};

use super::super::command::AppCommand;
use super::note_edit;

/// Columns (indices into `JURISDICTION_KEYS`) that must each sum to 1.
pub const SUMMED: [usize; 4] = [0, 1, 3, 4];

/// Sums of the summed columns, in `SUMMED` order.
pub fn sums(s: &ScenarioDraft) -> [f64; 4] {
    SUMMED.map(|k| s.jurisdictions.iter().map(|j| j.values()[k]).sum())
}

/// Whether any summed column is off by more than the checker allows.
pub fn sums_off(s: &ScenarioDraft) -> bool {
    sums(s).iter().any(|x| (x - 1.0).abs() > SUM_TOLERANCE)
}

/// Rescales each summed column to sum to 1 (equal shares where a column is all zero).
pub fn renormalise(s: &mut ScenarioDraft) {
    let n = s.jurisdictions.len();
    if n == 0 {
        return;
    }
    for k in SUMMED {
        let sum: f64 = s.jurisdictions.iter().map(|j| j.values()[k]).sum();
        for j in &mut s.jurisdictions {
            if let Some(v) = j.values_mut().into_iter().nth(k) {
                *v = if sum > 0.0 { *v / sum } else { 1.0 / n as f64 };
            }
        }
    }
}

/// A new jurisdiction with no share of anything (so the sums stay as they are) and middling
/// attributes; its name is unique.
pub fn new_jurisdiction(s: &ScenarioDraft) -> Jurisdiction {
    let mut n = s.jurisdictions.len() + 1;
    let mut name = format!("Jurisdiction {n}");
    while s.jurisdictions.iter().any(|j| j.name == name) {
        n += 1;
        name = format!("Jurisdiction {n}");
    }
    Jurisdiction {
        name,
        share0: 0.0,
        host: 0.0,
        base_burden: 0.1,
        weight: 0.0,
        exposure: 0.0,
        api_access: 0.7,
        adoption0: 0.2,
        preparedness0: 0.2,
        defense_rate: 0.1,
        leak_multiplier: 1.0,
    }
}

/// Removes jurisdiction `j`, dropping policies' overrides and levers for it and renumbering the rest.
pub fn remove(s: &mut ScenarioDraft, j: usize) {
    if j >= s.jurisdictions.len() {
        return;
    }
    s.jurisdictions.remove(j);
    for p in &mut s.policies {
        p.remove_jurisdiction(j);
    }
}

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
                for (k, v) in j.values_mut().into_iter().enumerate() {
                    let range = JURISDICTION_KEYS.get(k).map_or(Range::Probability, |x| x.2);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scenario;

    #[test]
    fn renormalise_fixes_every_sum() {
        let mut s = Scenario::built_in().to_draft();
        s.jurisdictions[0].share0 = 2.0;
        s.jurisdictions.push(new_jurisdiction(&s));
        assert!(sums_off(&s));
        renormalise(&mut s);
        assert!(!sums_off(&s));
        assert!(crate::app::state::check_edit(&s).is_ok());
    }

    #[test]
    fn removing_a_jurisdiction_renumbers_overrides() {
        let base = Scenario::built_in();
        let p = base.policy_index("Unilateral tiered (US, EU, UK)").unwrap();
        let mut s = base.to_draft();
        let eu = s.jurisdictions.iter().position(|j| j.name == "EU").unwrap();
        let before: Vec<String> =
            s.policies[p].overrides.iter().map(|(j, _)| s.jurisdictions[*j].name.clone()).collect();
        remove(&mut s, 0);
        let after: Vec<String> =
            s.policies[p].overrides.iter().map(|(j, _)| s.jurisdictions[*j].name.clone()).collect();
        assert_eq!(after, before[1..].to_vec());
        assert!(after.contains(&"EU".to_string()) && eu > 0);
    }
}
