//! A policy's levers beside its regimes (docs/MODEL.md, section 3.5): evaluations with error,
//! spending on safeguards and preparedness, triggers on signposts, coordination. Each control
//! edits the policy in place; values stay inside the ranges the scenario file allows.

use egui::{RichText, Ui};

use crate::model::scenario::MAX_TRIGGERS;
use crate::model::{Evaluation, Levers, Regime, Signpost, Spending, Trigger};

use super::note_edit;
use crate::app::AppCommand;

/// The levers section of one policy.
pub fn ui(ui: &mut Ui, levers: &mut Levers, jnames: &[String], cmds: &mut Vec<AppCommand>) {
    let on = levers.describe(jnames);
    let title = if on.is_empty() { "Levers: none on".to_string() } else { format!("Levers: {on}") };
    egui::CollapsingHeader::new(RichText::new(title).small()).id_salt("levers").default_open(false).show(ui, |ui| {
        evaluation_ui(ui, levers, cmds);
        spending_ui(ui, levers, jnames.len(), cmds);
        coordination_ui(ui, levers, jnames, cmds);
        triggers_ui(ui, levers, cmds);
    });
}

fn toggle(ui: &mut Ui, on: &mut bool, label: &str, tip: &str, cmds: &mut Vec<AppCommand>) -> bool {
    let r = ui.checkbox(on, label).on_hover_text(tip);
    if r.changed() {
        cmds.push(AppCommand::Edited { immediate: true });
    }
    r.changed()
}

fn value(
    ui: &mut Ui,
    x: &mut f64,
    range: std::ops::RangeInclusive<f64>,
    speed: f64,
    suffix: &str,
    tip: &str,
    cmds: &mut Vec<AppCommand>,
) {
    let r = ui.add(egui::DragValue::new(x).range(range).speed(speed).suffix(suffix)).on_hover_text(tip);
    note_edit(&r, cmds);
}

fn evaluation_ui(ui: &mut Ui, levers: &mut Levers, cmds: &mut Vec<AppCommand>) {
    let mut on = levers.evaluation.is_some();
    let tip = "Tiers act on capability as measured by an evaluation: true + bias + sd x z, one z per \
               simulated world and jurisdiction. An under-estimated model can be released open.";
    if toggle(ui, &mut on, "Evaluations with error", tip, cmds) {
        levers.evaluation = on.then_some(Evaluation { sd: 0.3, bias: 0.0 });
    }
    if let Some(e) = &mut levers.evaluation {
        ui.horizontal(|ui| {
            ui.label("sd");
            value(
                ui,
                &mut e.sd,
                0.0..=5.0,
                0.01,
                " OOM",
                "Spread of the evaluation error, in orders of magnitude of capability (log10 effective FLOP)",
                cmds,
            );
            ui.label("bias");
            value(
                ui,
                &mut e.bias,
                -5.0..=5.0,
                0.01,
                " OOM",
                "Mean evaluation error (OOM); negative: evaluations under-estimate capability",
                cmds,
            );
        });
    }
}

fn spending_ui(ui: &mut Ui, levers: &mut Levers, nj: usize, cmds: &mut Vec<AppCommand>) {
    let mut on = !levers.spending.is_empty();
    let tip = "Yearly spending in each jurisdiction ($B/yr), discounted and taken off net welfare. Safeguards \
               lower strip_prob (halved per world.safeguard_halving of total spending); preparedness raises \
               the jurisdiction's defense_rate (world.defense_per_billion per $B/yr).";
    if toggle(ui, &mut on, "Spending on resilience", tip, cmds) {
        levers.spending = if on { vec![Spending { safeguards: 1.0, preparedness: 1.0 }; nj] } else { Vec::new() };
    }
    if levers.spending.is_empty() {
        return;
    }
    let mut first = levers.spending[0];
    let uniform = levers.spending.iter().all(|s| *s == first);
    ui.horizontal(|ui| {
        ui.label("safeguards");
        value(
            ui,
            &mut first.safeguards,
            0.0..=10_000.0,
            0.1,
            " $B/yr",
            "Tamper-resistant safeguards, $B per year in each jurisdiction",
            cmds,
        );
        ui.label("preparedness");
        value(
            ui,
            &mut first.preparedness,
            0.0..=10_000.0,
            0.1,
            " $B/yr",
            "Societal preparedness (detection, response), $B per year in each jurisdiction",
            cmds,
        );
    });
    if first != levers.spending[0] {
        levers.spending = vec![first; nj];
    } else if !uniform {
        ui.label(RichText::new("Differs by jurisdiction in the file; editing sets every jurisdiction alike.").small());
    }
}

fn coordination_ui(ui: &mut Ui, levers: &mut Levers, jnames: &[String], cmds: &mut Vec<AppCommand>) {
    let mut on = !levers.coordination.is_empty();
    let tip = "Each jurisdiction joins the policy with a probability, drawn once per world and shared by every \
               policy; one that stays out keeps the reference policy's regime there and none of these levers.";
    if toggle(ui, &mut on, "Partial coordination", tip, cmds) {
        levers.coordination = if on { vec![1.0; jnames.len()] } else { Vec::new() };
    }
    if levers.coordination.len() == jnames.len() {
        for (q, name) in levers.coordination.iter_mut().zip(jnames) {
            ui.horizontal(|ui| {
                ui.add_sized([110.0, 18.0], egui::Label::new(name.as_str()).truncate());
                let r = ui
                    .add(egui::Slider::new(q, 0.0..=1.0).step_by(0.05).text("P(joins)"))
                    .on_hover_text(format!("Probability that {name} joins this policy in a simulated world"));
                note_edit(&r, cmds);
            });
        }
    }
}

fn triggers_ui(ui: &mut Ui, levers: &mut Levers, cmds: &mut Vec<AppCommand>) {
    ui.label(
        RichText::new("Triggers: switch regimes when a signpost is seen (released weights stay released)").small(),
    );
    let mut remove = None;
    for (k, t) in levers.triggers.iter_mut().enumerate() {
        ui.push_id(("trigger", k), |ui| {
            ui.horizontal(|ui| {
                let before = t.when;
                egui::ComboBox::from_id_salt("when").selected_text(t.when.keyword()).width(120.0).show_ui(ui, |ui| {
                    for w in Signpost::KEYWORDS {
                        if ui.selectable_label(t.when.keyword() == w, w).clicked() {
                            let level = t.when.level().unwrap_or(match w {
                                "harm_above" => 1000.0,
                                "open_pool_above" => 27.5,
                                _ => 3.0,
                            });
                            t.when = Signpost::from_keyword(w, level).unwrap_or(t.when);
                        }
                    }
                })
                .response
                .on_hover_text("catastrophe: the first event of at least catastrophe_threshold; harm_above: cumulative undiscounted harm ($B); open_pool_above: the open pool's capability (log10 effective FLOP); year: years from the start");
                if t.when != before {
                    cmds.push(AppCommand::Edited { immediate: true });
                }
                let when = t.when;
                if let Some(mut level) = when.level() {
                    let (range, unit) = match when {
                        Signpost::HarmAbove(_) => (0.0..=1e9, " $B"),
                        Signpost::OpenPoolAbove(_) => (10.0..=40.0, " OOM"),
                        _ => (0.0..=1000.0, " yr"),
                    };
                    value(ui, &mut level, range, 0.05, unit, "The signpost's level", cmds);
                    t.when = Signpost::from_keyword(when.keyword(), level).unwrap_or(when);
                }
                ui.label("delay");
                value(ui, &mut t.delay, 0.0..=1000.0, 0.05, " yr", "Years from seeing the signpost to the switch", cmds);
                let kind = match t.regime {
                    Regime::Open | Regime::OpenStaged { .. } => "open",
                    Regime::Closed => "closed",
                    Regime::Tiered { .. } => "tiered",
                };
                egui::ComboBox::from_id_salt("to").selected_text(format!("to {kind}")).width(90.0).show_ui(ui, |ui| {
                    for (label, r) in [
                        ("open", Regime::Open),
                        ("closed", Regime::Closed),
                        ("tiered", Regime::tiered(27.0, 28.0, 0.0)),
                    ] {
                        if ui.selectable_label(kind == label, label).clicked() && kind != label {
                            t.regime = r;
                            cmds.push(AppCommand::Edited { immediate: true });
                        }
                    }
                })
                .response
                .on_hover_text(format!("The regime switched to: {}", t.regime.label()));
                if ui.small_button("Remove").on_hover_text("Remove this trigger").clicked() {
                    remove = Some(k);
                }
            });
            if !t.jurisdictions.is_empty() {
                ui.label(RichText::new(format!("in {} of the jurisdictions (set in the file)", t.jurisdictions.len())).small());
            }
        });
    }
    if let Some(k) = remove {
        levers.triggers.remove(k);
        cmds.push(AppCommand::Edited { immediate: true });
    }
    if ui
        .add_enabled(levers.triggers.len() < MAX_TRIGGERS, egui::Button::new("Add trigger"))
        .on_hover_text("A trigger that switches every jurisdiction to closed after the first catastrophe")
        .clicked()
    {
        levers.triggers.push(Trigger {
            when: Signpost::Catastrophe,
            delay: 0.0,
            regime: Regime::Closed,
            jurisdictions: Vec::new(),
        });
        cmds.push(AppCommand::Edited { immediate: true });
    }
}
