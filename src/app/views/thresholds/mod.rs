//! Thresholds: one regime parameter of one policy swept over a grid on common random numbers.
//! Curves of expected welfare and tail risk against the threshold with the current setting
//! marked (drag it to move the policy's threshold), the benefit / tail-risk frontier, the best
//! threshold under a cap, and a heat map of the threshold against a world parameter.

use crate::fmt;
use std::sync::Arc;

use egui::{ComboBox, DragValue, RichText, Ui};

use crate::analysis::sweep::{self, BestThreshold, Sweep, SweepParam};
use crate::model::{PARAMS, Scenario};

use super::{ViewCx, analysis_status_ui};
use crate::workspace::analyses::{Outcome, Slot};
use charts::{
    better_plot_ui, catastrophe_plot_ui, cvar_plot_ui, frontier_plot_ui, heatmap_ui, key_ui, table_ui, welfare_plot_ui,
};

mod charts;
pub use crate::workspace::settings::thresholds::{CapKind, DEFAULT_RUNS, Edge, Grid, ThresholdSettings};

fn value_text(param: SweepParam, v: f64) -> String {
    match param {
        SweepParam::OpenBelow | SweepParam::GatedBelow => format!("{v:.2} ({})", crate::fmt::flop(v)),
        SweepParam::Drift => format!("{v:+.2} OOM/yr"),
    }
}

fn value_step(param: SweepParam) -> f64 {
    crate::workspace::edits::swept_step(param)
}

/// What "best" means here, for its tooltip.
const BEST_HELP: &str = "Best: the grid point with the highest expected (mean) net welfare among those whose tail risk \
     is within the cap. The bootstrap share says how often resampling the worlds picks the same point: a low share \
     means neighbouring points are as good.";

fn param_help(param: SweepParam) -> &'static str {
    match param {
        SweepParam::OpenBelow => {
            "The open ceiling of every tiered regime of the policy; each gated ceiling moves with it, so the gap \
             between open and API-only release stays as it is."
        }
        SweepParam::GatedBelow => {
            "The gated ceiling of every tiered regime of the policy: below it, models go to vetted researchers; \
             above it, API only. Values below a regime's open ceiling are held at it."
        }
        SweepParam::Drift => "How fast both ceilings of every tiered regime move, in orders of magnitude per year.",
    }
}

/// Draws the tab.
pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    let scenario = cx.scenario;
    let dark = cx.dark();
    let settings = &mut cx.state.thresholds;
    let policy = match settings.resolve(scenario) {
        Ok(p) => p,
        Err(why) => {
            ui.add_space(20.0);
            ui.label(why);
            return;
        }
    };
    controls_ui(ui, scenario, settings, policy);
    let sweep_view = cx.analyses.view(Slot::Sweep);
    let heat_view = cx.analyses.view(Slot::Heatmap);
    analysis_status_ui(ui, &sweep_view, Slot::Sweep, "sweep", dark, cx.out);
    let Some(sw) = sweep_view.outcome.as_ref().and_then(|o| match o {
        Outcome::Sweep(s) => Some(Arc::clone(s)),
        _ => None,
    }) else {
        return;
    };
    let current_value =
        scenario.policies().get(policy).and_then(|p| settings.param.current(p, scenario.jurisdictions().len()));
    // The bootstrap runs off the UI thread; the last answer stays until the new one is in.
    let best = match cx.analyses.view(Slot::Best).outcome {
        Some(Outcome::Best(b)) => Some(b),
        _ => None,
    };
    best_ui(ui, &sw, best.as_deref(), settings);
    robust_ui(ui, &sw);
    let heat = heat_view.outcome.as_ref().and_then(|o| match o {
        Outcome::Heatmap(h) => Some(Arc::clone(h)),
        _ => None,
    });
    let param = sw.param;
    let marker = Marker {
        policy,
        param,
        current: current_value.unwrap_or(sw.current_value),
        best: best.as_ref().and_then(|b| b.best.as_ref()).map(|b| b.value),
    };
    let cap = settings.constraint(&sw);
    key_ui(ui, &sw, &marker, dark);
    let out = &mut *cx.out;
    let row_h = ((ui.available_height() - 70.0) / 2.0).max(220.0);
    ui.columns(3, |cols| {
        welfare_plot_ui(&mut cols[0], &sw, &marker, row_h, out);
        catastrophe_plot_ui(&mut cols[1], &sw, &marker, &cap, row_h, out);
        cvar_plot_ui(&mut cols[2], &sw, &marker, &cap, row_h, out);
    });
    ui.columns(3, |cols| {
        better_plot_ui(&mut cols[0], &sw, &marker, row_h, out);
        frontier_plot_ui(&mut cols[1], &sw, &marker, row_h, out);
        heatmap_ui(&mut cols[2], settings, heat.as_deref(), &heat_view, row_h, dark, out);
    });
    egui::CollapsingHeader::new("Every grid point").id_salt("sweep_table").show(ui, |ui| table_ui(ui, &sw));
}

/// The most robust threshold beside the best expected one: regret per world against the best
/// grid point in that world, on the worlds every grid point shares.
fn robust_ui(ui: &mut Ui, sw: &Sweep) {
    let r = &sw.robustness;
    let (Some(p95), Some(max), Some(best)) =
        (r.options.get(r.min_p95_regret), r.options.get(r.minimax_regret), r.options.get(r.best_expected))
    else {
        return;
    };
    let value = |o: &crate::analysis::robustness::OptionRegret| {
        o.name.parse::<f64>().map_or_else(|_| o.name.clone(), |v| value_text(sw.param, v))
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Most robust threshold:").strong()).on_hover_text(
            "Most robust: the threshold that does least badly against the best choice in each world, whatever \
             the probabilities of the worlds. Regret in a world is how much less net it gives than the best grid \
             point in that same world.",
        );
        ui.label(
            RichText::new(format!(
                "{} = {} (least 95th-percentile regret, {});",
                sw.param.key(),
                value(p95),
                fmt::money_compact(p95.regret_p95)
            ))
            .strong(),
        )
        .on_hover_text(
            "Regret in a world: the best net of any grid point in that world minus this point's net, on \
             the same simulated worlds. The most robust point is the one whose regret stays lowest in all but the \
             worst 5% of worlds: a choice that needs no trust in the probabilities of the worlds.",
        );
        ui.label(format!("least maximum regret at {} ({});", value(max), fmt::money_compact(max.regret_max)))
            .on_hover_text(
                "Savage's minimax regret: the point whose worst regret over every world is smallest (one extreme world \
             can decide it)",
            );
        ui.label(format!("best expected (no cap) at {}.", value(best)))
            .on_hover_text("The grid point with the highest mean net over the worlds");
    });
}

/// The current setting and the best one, drawn as vertical lines in every curve.
struct Marker {
    policy: usize,
    param: SweepParam,
    current: f64,
    best: Option<f64>,
}

/// Policy, parameter, grid, runs and heat-map axis. The shell builds the analyses' requests
/// from these settings every frame, so a change here starts the new sweep by itself.
fn controls_ui(ui: &mut Ui, scenario: &Scenario, s: &mut ThresholdSettings, policy: usize) {
    let nj = scenario.jurisdictions().len();
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Sweep");
        ComboBox::from_id_salt("sweep_param")
            .selected_text(s.param.key())
            .show_ui(ui, |ui| {
                for p in SweepParam::ALL {
                    ui.selectable_value(&mut s.param, p, p.key()).on_hover_text(param_help(p));
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text(param_help(s.param));
        let label = ui.label("of");
        let name = scenario.policies().get(policy).map_or("", |p| p.name.as_str());
        ComboBox::from_id_salt("sweep_policy")
            .selected_text(name)
            .width(220.0)
            .show_ui(ui, |ui| {
                for (i, p) in scenario.policies().iter().enumerate() {
                    let tiered = s.param.current(p, nj).is_some();
                    ui.add_enabled_ui(tiered, |ui| {
                        ui.selectable_value(&mut s.policy, Some(i), &p.name);
                    })
                    .response
                    .on_disabled_hover_text("No tiered regime: nothing to sweep");
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(g) = &mut s.grid {
            let step = value_step(s.param);
            let unit = s.param.unit(scenario.policies().get(policy).and_then(|p| p.threshold_measure()));
            let label = ui.label("from");
            ui.add(DragValue::new(&mut g.from).speed(step).max_decimals(2))
                .labelled_by(label.id)
                .on_hover_text(format!("First grid value ({unit})"));
            let label = ui.label("to");
            ui.add(DragValue::new(&mut g.to).speed(step).max_decimals(2))
                .labelled_by(label.id)
                .on_hover_text(format!("Last grid value ({unit})"));
            ui.add(DragValue::new(&mut g.steps).range(sweep::MIN_POINTS..=sweep::MAX_POINTS).suffix(" points"))
                .on_hover_text("Grid points, evenly spaced; every point sees the same worlds");
        }
        ui.add(DragValue::new(&mut s.runs).range(1..=1_000_000).speed(100.0).suffix(" runs per point")).on_hover_text(
            "Worlds simulated at every grid point (the same worlds at every point). More runs: smaller \
                 standard errors, slower sweeps.",
        );
    });
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut s.heatmap, "Heat map of the threshold against a")
            .on_hover_text("A 2-D sweep: the threshold against a world parameter held at each value in every world");
        let key = PARAMS.get(s.world_param).map_or("", |p| p.key);
        let label = ui.label("world parameter");
        ComboBox::from_id_salt("heat_world")
            .selected_text(format!("world.{key}"))
            .height(400.0)
            .show_ui(ui, |ui| {
                for (i, p) in PARAMS.iter().enumerate() {
                    ui.selectable_value(&mut s.world_param, i, format!("world.{}", p.key))
                        .on_hover_text(format!("{} ({})", p.meaning, p.unit));
                }
            })
            .response
            .labelled_by(label.id);
        if let Some(g) = &mut s.world_grid {
            let speed = ((g.to - g.from).abs() / 100.0).max(1e-4);
            let label = ui.label("from");
            ui.add(DragValue::new(&mut g.from).speed(speed).max_decimals(4)).labelled_by(label.id);
            let label = ui.label("to");
            ui.add(DragValue::new(&mut g.to).speed(speed).max_decimals(4)).labelled_by(label.id);
            ui.add(DragValue::new(&mut g.steps).range(sweep::MIN_POINTS..=41).suffix(" points"));
        }
        if let Some(g) = &mut s.world_grid
            && g.from.partial_cmp(&g.to) != Some(std::cmp::Ordering::Less)
        {
            let (min, max, _) = PARAMS[s.world_param].range.bounds();
            g.to = (g.from + (g.from.abs() * 0.1).max(1e-3)).min(max);
            g.from = g.from.min(g.to - 1e-6).max(min);
        }
    });
    if let Some(g) = &mut s.grid
        && g.from.partial_cmp(&g.to) != Some(std::cmp::Ordering::Less)
    {
        // Keep the grid increasing whatever the drag did.
        g.to = g.from + value_step(s.param) * (g.steps.max(2) - 1) as f64;
    }
}

/// The best threshold under the cap, with the cap's controls (a new cap re-reads the runs
/// already made: nothing is simulated again).
fn best_ui(ui: &mut Ui, sw: &Sweep, best: Option<&BestThreshold>, s: &mut ThresholdSettings) {
    // The cap in words first: what "best" answers, which does not move with the threshold.
    ui.label(RichText::new(format!("{}:", s.cap_sentence(sw))).strong()).on_hover_text(BEST_HELP);
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Cap on");
        ComboBox::from_id_salt("cap_kind")
            .selected_text(match s.cap_kind {
                CapKind::PCatastrophe => "P(catastrophe)",
                CapKind::Cvar95 => "CVaR95 of harm",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut s.cap_kind, CapKind::PCatastrophe, "P(catastrophe)");
                ui.selectable_value(&mut s.cap_kind, CapKind::Cvar95, "CVaR95 of harm");
            })
            .response
            .labelled_by(label.id);
        let at_most = ui.label("at most");
        let default = s.default_cap(sw);
        let current = |kind| match kind {
            CapKind::PCatastrophe => default.unwrap_or(1.0),
            CapKind::Cvar95 => default.unwrap_or_else(|| sw.points.iter().map(|p| p.cvar95_harm).fold(0.0, f64::max)),
        };
        match s.cap_kind {
            CapKind::PCatastrophe => {
                let mut pct = s.max_p_catastrophe.unwrap_or(current(CapKind::PCatastrophe)) * 100.0;
                let r = ui
                    .add(DragValue::new(&mut pct).range(0.0..=100.0).speed(0.2).max_decimals(1).suffix("%"))
                    .labelled_by(at_most.id)
                    .on_hover_text("The largest chance of at least one catastrophe a threshold may carry");
                if r.changed() {
                    s.max_p_catastrophe = Some(pct / 100.0);
                }
            }
            CapKind::Cvar95 => {
                let mut cap = s.max_cvar95.unwrap_or(current(CapKind::Cvar95));
                let speed = (cap * 0.01).max(1.0);
                let r = ui
                    .add(DragValue::new(&mut cap).range(0.0..=f64::MAX).speed(speed).prefix("$").suffix("B"))
                    .labelled_by(at_most.id)
                    .on_hover_text("The largest mean harm of the worst 5% of worlds a threshold may carry, $B");
                if r.changed() {
                    s.max_cvar95 = Some(cap);
                }
            }
        }
        let at_default = match s.cap_kind {
            CapKind::PCatastrophe => s.max_p_catastrophe.is_none(),
            CapKind::Cvar95 => s.max_cvar95.is_none(),
        };
        if !at_default
            && ui
                .small_button(if default.is_some() { "= reference policy's" } else { "no cap" })
                .on_hover_text(
                    "Go back to the cap that does not depend on the threshold: the reference policy's tail risk",
                )
                .clicked()
        {
            match s.cap_kind {
                CapKind::PCatastrophe => s.max_p_catastrophe = None,
                CapKind::Cvar95 => s.max_cvar95 = None,
            }
        }
    });
    let Some(best) = best else {
        ui.label(RichText::new("Finding the best threshold…").italics());
        return;
    };
    let text = match &best.best {
        Some(b) => format!(
            "{} = {}: expected net {} ± {}, P(catastrophe) {}; chosen in {} of {} bootstrap resamples of the worlds \
             ({} of {} grid points meet the cap).",
            sw.param.key(),
            value_text(sw.param, b.value),
            fmt::money_compact(b.net_mean),
            fmt::money_compact(b.net_se),
            fmt::probability_percent(b.p_catastrophe),
            fmt::probability_percent(b.bootstrap.share_same),
            b.bootstrap.replicates,
            best.feasible_points,
            sw.points.len()
        ),
        None => best.statement.clone(),
    };
    ui.label(RichText::new(text).strong()).on_hover_text(&best.statement);
    if let Some(b) = &best.best
        && let Some(edge) = Edge::of(sw, b.value)
    {
        edge_ui(ui, s, edge);
    }
}

/// A best value at an end of the grid: say so, and offer to widen the range that way.
fn edge_ui(ui: &mut Ui, s: &mut ThresholdSettings, edge: Edge) {
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "At the {} edge of the range swept: a better value may lie beyond it, widen the range.",
                edge.word()
            ))
            .color(crate::app::theme::warning(ui.visuals().dark_mode)),
        );
        if ui
            .button(format!("Widen the range ({} end)", edge.word()))
            .on_hover_text("Extend the grid by half its width beyond this end, with as many more points")
            .clicked()
        {
            s.widen(edge);
        }
    });
}
