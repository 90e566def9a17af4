//! Policies: a list to add to, duplicate, rename and remove from; a regime per jurisdiction;
//! threshold sliders labelled both as log10 and as FLOP.

use egui::{RichText, Ui};

use crate::model::scenario::MAX_POLICIES;
use crate::model::{Measure, Policy, Regime, ScenarioDraft};

use super::note_edit;
use crate::app::AppCommand;
use crate::workspace::edits::{THRESHOLD_STEP, snap, stale_name};

/// Span of the threshold sliders (log10 FLOP); typed values may go beyond.
pub const THRESHOLD_SPAN: (f64, f64) = (24.0, 31.0);
/// Span of the drift slider (OOM per year).
pub const DRIFT_SPAN: (f64, f64) = (-0.5, 1.0);

/// "27.0 (1e27 training FLOP)", "26.95 (8.9e26 effective FLOP)": the value at the sliders'
/// resolution, and the FLOP of that same value in the threshold's unit.
pub fn threshold_text(k: f64, measure: Measure) -> String {
    let k = snap(k, THRESHOLD_STEP);
    let log10 = if (k * 10.0 - (k * 10.0).round()).abs() < 1e-9 { format!("{k:.1}") } else { format!("{k:.2}") };
    format!("{log10} ({} {})", crate::fmt::flop(k), measure.flop_unit())
}

const MEASURE_HELP: &str = "What the thresholds count. Training FLOP: the compute spent to train a model, as \
laws state thresholds (EU AI Act: 1e25); as algorithms improve, a model under a fixed training-FLOP line is \
ever more capable, so on the capability scale the line rises by algorithmic_progress a year. Effective \
FLOP: training FLOP at today's algorithms, the model's capability scale; the line stays where it is (plus \
drift). The two agree at the start and when algorithmic_progress is 0.";

pub fn ui(ui: &mut Ui, s: &mut ScenarioDraft, cmds: &mut Vec<AppCommand>) {
    let n = s.policies.len();
    let reference = s.run.reference;
    let jnames: Vec<String> = s.jurisdictions.iter().map(|j| j.name.clone()).collect();
    // The first policy tiered by default starts open, so its threshold sliders are in view.
    let first_tiered = s.policies.iter().position(|p| p.default.is_tiered());
    for (i, p) in s.policies.iter_mut().enumerate() {
        let open = first_tiered == Some(i);
        let row = PolicyRow { index: i, is_reference: i == reference, default_open: open, count: n };
        ui.push_id(("policy", i), |ui| policy_ui(ui, &row, p, &jnames, cmds));
    }
    if ui
        .add_enabled(n < MAX_POLICIES, egui::Button::new("Add policy"))
        .on_hover_text("A new policy, tiered everywhere (open below 1e27 FLOP, gated below 1e28)")
        .clicked()
    {
        cmds.push(AppCommand::AddPolicy);
    }
}

/// Where a policy sits in the list.
struct PolicyRow {
    index: usize,
    is_reference: bool,
    default_open: bool,
    /// Policies in the scenario.
    count: usize,
}

fn policy_ui(ui: &mut Ui, row: &PolicyRow, p: &mut Policy, jnames: &[String], cmds: &mut Vec<AppCommand>) {
    let &PolicyRow { index: i, is_reference, default_open, count: n } = row;
    let color = super::super::theme::policy(i);
    let renamed = stale_name(p);
    let mut title = if is_reference { format!("{}  (reference)", p.name) } else { p.name.clone() };
    if renamed.is_some() {
        title.push_str("  (name out of date)");
    }
    egui::CollapsingHeader::new(RichText::new(title).strong())
        .id_salt("policy_header")
        .default_open(default_open)
        .icon(move |ui, openness, resp| {
            // The expand arrow in the policy's colour: its key in every plot.
            let rect = egui::Rect::from_center_size(resp.rect.center(), resp.rect.size() * 0.9);
            let rotation = egui::emath::remap(openness, 0.0..=1.0, -std::f32::consts::FRAC_PI_2..=0.0);
            ui.painter().add(egui::Shape::rotated_triangle(rect, rotation, color));
        })
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label("Name");
                let r = ui.add(egui::TextEdit::singleline(&mut p.name).desired_width(220.0)).labelled_by(label.id);
                note_edit(&r, cmds);
            });
            if let Some(new_name) = &renamed {
                stale_name_ui(ui, p, new_name, cmds);
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(n < MAX_POLICIES, egui::Button::new("Duplicate policy"))
                    .on_hover_text("Insert a copy of this policy below it")
                    .clicked()
                {
                    cmds.push(AppCommand::DuplicatePolicy(i));
                }
                if ui
                    .add_enabled(n > 1, egui::Button::new("Remove policy"))
                    .on_hover_text("Remove this policy from the scenario")
                    .clicked()
                {
                    cmds.push(AppCommand::RemovePolicy(i));
                }
                if ui
                    .add_enabled(!is_reference, egui::Button::new("Make reference"))
                    .on_hover_text("Pair every other policy against this one (P(better), differences)")
                    .clicked()
                {
                    cmds.push(AppCommand::SetReferencePolicy(i));
                }
            });
            let label = ui.label(RichText::new("Default regime (every jurisdiction without an override)").small());
            let mut default = p.default;
            if regime_ui(ui, "default", &mut default, label.id, cmds) {
                p.default = default;
            }
            ui.add_space(4.0);
            ui.label(RichText::new("Per jurisdiction").small());
            for (j, name) in jnames.iter().enumerate() {
                ui.push_id(("override", j), |ui| override_ui(ui, p, j, name, cmds));
            }
            ui.add_space(4.0);
            super::lever_ui::ui(ui, &mut p.levers, jnames, cmds);
        });
}

/// One jurisdiction's regime: "default" (no override) or an override.
fn override_ui(ui: &mut Ui, p: &mut Policy, j: usize, name: &str, cmds: &mut Vec<AppCommand>) {
    let current = p.overrides.iter().find(|(k, _)| *k == j).map(|(_, r)| *r);
    let mut choice = current;
    ui.horizontal(|ui| {
        let name_label = ui.add_sized([110.0, 18.0], egui::Label::new(name).truncate());
        let selected_text = match current {
            None => format!("default ({})", regime_kind(p.default)),
            Some(r) => regime_kind(r).to_string(),
        };
        egui::ComboBox::from_id_salt("override_kind")
            .selected_text(selected_text)
            .width(150.0)
            .show_ui(ui, |ui| {
                if ui.selectable_label(current.is_none(), format!("default ({})", regime_kind(p.default))).clicked() {
                    choice = None;
                }
                for kind in ["open", "closed", "tiered"] {
                    let selected = current.is_some_and(|r| regime_kind(r) == kind);
                    if ui.selectable_label(selected, kind).clicked() && !selected {
                        choice = Some(regime_of_kind(kind, current.unwrap_or(p.default)));
                    }
                }
            })
            .response
            .labelled_by(name_label.id);
    });
    if choice != current {
        set_override(p, j, choice);
        cmds.push(AppCommand::Edited { immediate: true });
    }
    if let Some(mut r) = choice
        && r.is_tiered()
        && tiered_ui(ui, &mut r, cmds)
    {
        set_override(p, j, Some(r));
    }
}

/// The name states a threshold the policy no longer has: say so, and offer the name with the
/// threshold as it is.
fn stale_name_ui(ui: &mut Ui, p: &mut Policy, new_name: &str, cmds: &mut Vec<AppCommand>) {
    let warn = crate::app::theme::warning(ui.visuals().dark_mode);
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("The name states a threshold this policy no longer has.").color(warn));
        if ui
            .small_button(format!("Rename to “{new_name}”"))
            .on_hover_text("Put the open ceiling as it is now in the name (Ctrl+Z undoes it)")
            .clicked()
        {
            p.name = new_name.to_string();
            cmds.push(AppCommand::Edited { immediate: true });
        }
    });
}

/// Sets or clears jurisdiction `j`'s override, keeping overrides sorted. Unlike
/// `Policy::set_regime`, an override equal to the default is kept (the user chose it).
pub fn set_override(p: &mut Policy, j: usize, r: Option<Regime>) {
    p.overrides.retain(|(k, _)| *k != j);
    if let Some(r) = r {
        p.overrides.push((j, r));
        p.overrides.sort_by_key(|(k, _)| *k);
    }
}

fn regime_kind(r: Regime) -> &'static str {
    match r {
        Regime::Open | Regime::OpenStaged { .. } => "open",
        Regime::Closed => "closed",
        Regime::Tiered { .. } => "tiered",
    }
}

/// A regime of `kind`, reusing `previous`'s thresholds where it had some.
fn regime_of_kind(kind: &str, previous: Regime) -> Regime {
    match kind {
        "open" => Regime::Open,
        "closed" => Regime::Closed,
        _ => match previous {
            Regime::Tiered { .. } => previous,
            _ => Regime::tiered(27.0, 28.0, 0.0),
        },
    }
}

/// A regime choice with its sliders; returns whether `r` changed.
fn regime_ui(ui: &mut Ui, id: &str, r: &mut Regime, label: egui::Id, cmds: &mut Vec<AppCommand>) -> bool {
    let before = *r;
    egui::ComboBox::from_id_salt(("regime", id))
        .selected_text(regime_kind(*r))
        .width(150.0)
        .show_ui(ui, |ui| {
            for kind in ["open", "closed", "tiered"] {
                if ui.selectable_label(regime_kind(*r) == kind, kind).clicked() {
                    *r = regime_of_kind(kind, *r);
                }
            }
        })
        .response
        .labelled_by(label);
    if *r != before {
        cmds.push(AppCommand::Edited { immediate: true });
    }
    let slid = r.is_tiered() && tiered_ui(ui, r, cmds);
    *r != before || slid
}

/// Threshold and drift sliders of a tiered regime; returns whether it changed.
fn tiered_ui(ui: &mut Ui, r: &mut Regime, cmds: &mut Vec<AppCommand>) -> bool {
    let Regime::Tiered { open_below, gated_below, drift, measure, .. } = r else {
        return false;
    };
    let before = (*open_below, *gated_below, *drift, *measure);
    ui.horizontal(|ui| {
        let label = ui.label("thresholds in").on_hover_text(MEASURE_HELP);
        let mut chosen = *measure;
        egui::ComboBox::from_id_salt(ui.scope_id().with("measure"))
            .selected_text(chosen.flop_unit())
            .show_ui(ui, |ui| {
                for m in [Measure::TrainingFlop, Measure::Effective] {
                    ui.selectable_value(&mut chosen, m, m.flop_unit()).on_hover_text(MEASURE_HELP);
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(MEASURE_HELP);
        if chosen != *measure {
            *measure = chosen;
            cmds.push(AppCommand::Edited { immediate: true });
        }
    });
    let unit = *measure;
    let parse = |t: &str| t.split_whitespace().next().and_then(|x| x.parse::<f64>().ok());
    ui.spacing_mut().slider_width = (ui.available_width() - 240.0).clamp(80.0, 260.0);
    // Which ceiling the last drag pushed along with the other, to say so while it holds.
    let pushed_id = ui.scope_id().with("pushed_ceiling");
    let r1 = ui
        .add(
            egui::Slider::new(open_below, THRESHOLD_SPAN.0..=THRESHOLD_SPAN.1)
                .clamping(egui::SliderClamping::Never)
                .step_by(THRESHOLD_STEP)
                .custom_formatter(|v, _| threshold_text(v, unit))
                .custom_parser(parse)
                .text("open below"),
        )
        .on_hover_text(format!(
            "Models below this capability may be released as open weights (log10 {})",
            unit.flop_unit()
        ));
    if r1.changed() {
        // One value, one text: the slider's resolution, no float noise in the saved file.
        *open_below = snap(*open_below, THRESHOLD_STEP);
        if *gated_below < *open_below {
            *gated_below = *open_below;
            ui.data_mut(|d| d.insert_temp(pushed_id, Pushed::Gated));
        }
    }
    note_edit(&r1, cmds);
    let r2 = ui
        .add(
            egui::Slider::new(gated_below, THRESHOLD_SPAN.0..=THRESHOLD_SPAN.1)
                .clamping(egui::SliderClamping::Never)
                .step_by(THRESHOLD_STEP)
                .custom_formatter(|v, _| threshold_text(v, unit))
                .custom_parser(parse)
                .text("gated below"),
        )
        .on_hover_text(format!(
            "Models below this capability may go to vetted researchers; above it, API-only (log10 {})",
            unit.flop_unit()
        ));
    if r2.changed() {
        *gated_below = snap(*gated_below, THRESHOLD_STEP);
        if *gated_below < *open_below {
            *open_below = *gated_below;
            ui.data_mut(|d| d.insert_temp(pushed_id, Pushed::Open));
        }
    }
    note_edit(&r2, cmds);
    // The note stays while the two ceilings are still together where the drag left them.
    match ui.data(|d| d.get_temp::<Pushed>(pushed_id)) {
        Some(_) if *gated_below != *open_below => ui.data_mut(|d| d.remove::<Pushed>(pushed_id)),
        Some(which) => {
            let text = match which {
                Pushed::Gated => format!(
                    "“gated below” moved up to {} with it: the gated ceiling cannot be below the open one.",
                    threshold_text(*gated_below, unit)
                ),
                Pushed::Open => format!(
                    "“open below” moved down to {} with it: the open ceiling cannot be above the gated one.",
                    threshold_text(*open_below, unit)
                ),
            };
            ui.label(RichText::new(text).small().color(crate::app::theme::warning(ui.visuals().dark_mode)));
        }
        None => {}
    }
    let r3 = ui
        .add(
            egui::Slider::new(drift, DRIFT_SPAN.0..=DRIFT_SPAN.1)
                .clamping(egui::SliderClamping::Never)
                .step_by(0.01)
                .custom_formatter(|v, _| format!("{v:+.2} OOM/yr"))
                .custom_parser(parse)
                .text("drift"),
        )
        .on_hover_text("Both thresholds move by this many orders of magnitude per year (a moving threshold)");
    if r3.changed() {
        *drift = snap(*drift, 0.01);
    }
    note_edit(&r3, cmds);
    (*open_below, *gated_below, *drift, *measure) != before
}

/// The ceiling a drag of the other pushed along.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pushed {
    Gated,
    Open,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scenario;

    #[test]
    fn threshold_labels_show_log10_and_flop() {
        let t = Measure::TrainingFlop;
        assert_eq!(threshold_text(27.0, t), "27.0 (1e27 training FLOP)");
        assert_eq!(threshold_text(26.5, Measure::Effective), "26.5 (3.2e26 effective FLOP)");
        // One value, one text: 26.95 is not "27.0 (1e27 FLOP)".
        assert_eq!(threshold_text(26.95, t), "26.95 (8.9e26 training FLOP)");
        assert_eq!(threshold_text(26.950000000000003, t), "26.95 (8.9e26 training FLOP)");
    }

    #[test]
    fn overrides_stay_sorted() {
        let mut p = crate::workspace::edits::new_policy(&Scenario::built_in().to_draft());
        set_override(&mut p, 3, Some(Regime::Open));
        set_override(&mut p, 1, Some(Regime::Closed));
        let default = p.default;
        set_override(&mut p, 3, Some(default));
        assert_eq!(p.overrides.iter().map(|(j, _)| *j).collect::<Vec<_>>(), vec![1, 3]);
        set_override(&mut p, 1, None);
        assert_eq!(p.overrides.len(), 1);
    }
}
