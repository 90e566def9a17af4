//! Thresholds: one regime parameter of one policy swept over a grid on common random numbers.
//! Curves of expected welfare and tail risk against the threshold with the current setting
//! marked (drag it to move the policy's threshold), the benefit / tail-risk frontier, the best
//! threshold under a cap, and a heat map of the threshold against a world parameter.

use std::sync::Arc;

use egui::{Color32, ComboBox, DragValue, RichText, Ui};
use egui_plot::{
    Corner, FilledArea, HLine, Heatmap, Line, LineStyle, MarkerShape, PlotPoint, PlotPoints, Points, VLine,
};

use crate::analysis::sweep::{
    self, BestThreshold, Constraint, Sweep, Sweep2d, SweepParam, SweepPoint, SweepSpec, WorldAxis,
};
use crate::model::regime::flop_label;
use crate::model::{PARAMS, Scenario};

use super::super::analyses::{Outcome, Request, Slot};
use super::super::command::AppCommand;
use super::super::theme;
use super::plots::{self, money, percent};
use super::{AnalysisView, ViewCx, analysis_status_ui};

/// Runs per grid point unless the user asks for another count: enough for a P(catastrophe)
/// to within about one percentage point, and a 25-point sweep of the baseline in a blink.
pub const DEFAULT_RUNS: u64 = 10_000;

/// A grid of `steps` values from `from` to `to`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    pub from: f64,
    pub to: f64,
    pub steps: usize,
}

impl Grid {
    pub fn values(&self) -> Vec<f64> {
        sweep::grid(self.from, self.to, self.steps)
    }
}

/// Which tail-risk measure the best threshold is capped on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapKind {
    PCatastrophe,
    Cvar95,
}

/// The Thresholds tab's choices (kept while the app runs, reset with a new scenario).
#[derive(Clone, Debug)]
pub struct ThresholdSettings {
    /// The swept policy; `None` until chosen (then [`sweep::default_policy`]).
    pub policy: Option<usize>,
    pub param: SweepParam,
    /// `None` until centred on the policy's current value.
    pub grid: Option<Grid>,
    /// The (policy, parameter) the grid was centred for: another choice re-centres it.
    grid_for: Option<(usize, SweepParam)>,
    pub runs: u64,
    pub cap_kind: CapKind,
    /// The caps; `None` until set, when they start at the current setting's value: the best
    /// threshold then answers "what gains the most without adding tail risk?".
    pub max_p_catastrophe: Option<f64>,
    pub max_cvar95: Option<f64>,
    pub heatmap: bool,
    pub world_param: usize,
    pub world_grid: Option<Grid>,
    world_grid_for: Option<usize>,
}

impl Default for ThresholdSettings {
    fn default() -> Self {
        ThresholdSettings {
            policy: None,
            param: SweepParam::OpenBelow,
            grid: None,
            grid_for: None,
            runs: DEFAULT_RUNS,
            cap_kind: CapKind::PCatastrophe,
            max_p_catastrophe: None,
            max_cvar95: None,
            heatmap: true,
            world_param: sweep::DEFAULT_HEATMAP_PARAM as usize,
            world_grid: None,
            world_grid_for: None,
        }
    }
}

/// The requests of the tab: the sweep and the heat map's 2-D sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct ThresholdRequests {
    pub sweep: Request,
    pub heatmap: Option<Request>,
}

impl ThresholdSettings {
    /// Fills in what is not chosen yet from `scenario` and mends choices an edit made
    /// invalid (a removed policy, one no longer tiered); returns the swept policy.
    ///
    /// # Errors
    /// A sentence for the tab when no policy has a tiered regime.
    pub fn resolve(&mut self, scenario: &Scenario) -> Result<usize, String> {
        let nj = scenario.jurisdictions.len();
        let tiered = |i: usize| scenario.policies.get(i).and_then(|p| self.param.current(p, nj));
        let policy = match self.policy.filter(|&i| tiered(i).is_some()) {
            Some(i) => i,
            None => sweep::default_policy(scenario).ok_or_else(|| {
                "No policy has a tiered regime, so there is no threshold to sweep: give a policy a tiered regime \
                 in the scenario panel (or add a policy, which starts tiered)."
                    .to_string()
            })?,
        };
        self.policy = Some(policy);
        if self.grid.is_none() || self.grid_for != Some((policy, self.param)) {
            let current = tiered(policy).unwrap_or(27.0);
            let (from, to) = sweep::default_grid(self.param, current);
            self.grid = Some(Grid { from, to, steps: sweep::DEFAULT_STEPS });
            self.grid_for = Some((policy, self.param));
        }
        if self.world_param >= PARAMS.len() {
            self.world_param = 0;
        }
        if self.world_grid.is_none() || self.world_grid_for != Some(self.world_param) {
            // A parameter fixed at a value with no room around it has no axis: no heat map.
            self.world_grid = sweep::default_world_range(scenario, self.world_param).map(|(from, to)| Grid {
                from,
                to,
                steps: sweep::DEFAULT_HEATMAP_STEPS2,
            });
            self.world_grid_for = Some(self.world_param);
        }
        Ok(policy)
    }

    /// The analyses the tab shows for `scenario`, at most `max_runs` runs per point.
    ///
    /// # Errors
    /// As [`ThresholdSettings::resolve`].
    pub fn requests(&mut self, scenario: &Scenario, max_runs: u64) -> Result<ThresholdRequests, String> {
        let policy = self.resolve(scenario)?;
        let grid = self.grid.unwrap_or(Grid { from: 26.0, to: 28.0, steps: sweep::DEFAULT_STEPS });
        let mut s = scenario.clone();
        s.run.runs = self.runs.clamp(1, max_runs.max(1));
        let scenario = Arc::new(s);
        let spec = SweepSpec { policy, param: self.param, values: grid.values() };
        let heatmap = match (self.heatmap, self.world_grid) {
            (true, Some(w)) => Some(Request::Heatmap {
                scenario: Arc::clone(&scenario),
                spec: SweepSpec {
                    values: sweep::grid(grid.from, grid.to, sweep::DEFAULT_HEATMAP_STEPS.min(grid.steps)),
                    ..spec.clone()
                },
                axis: WorldAxis { param: self.world_param, values: w.values() },
            }),
            _ => None,
        };
        Ok(ThresholdRequests { sweep: Request::Sweep { scenario, spec }, heatmap })
    }

    /// The cap for `sw`: as set, or the current setting's tail risk.
    pub fn constraint(&self, sw: &Sweep) -> Constraint {
        match self.cap_kind {
            CapKind::PCatastrophe => Constraint {
                max_p_catastrophe: Some(self.max_p_catastrophe.unwrap_or(sw.current.p_catastrophe)),
                max_cvar95: None,
            },
            CapKind::Cvar95 => Constraint {
                max_p_catastrophe: None,
                max_cvar95: Some(self.max_cvar95.unwrap_or(sw.current.cvar95_harm)),
            },
        }
    }

    /// The cap the user set, if any (else the current setting's tail risk is the cap).
    pub fn cap_set(&self) -> Option<Constraint> {
        match self.cap_kind {
            CapKind::PCatastrophe => {
                self.max_p_catastrophe.map(|c| Constraint { max_p_catastrophe: Some(c), max_cvar95: None })
            }
            CapKind::Cvar95 => self.max_cvar95.map(|c| Constraint { max_p_catastrophe: None, max_cvar95: Some(c) }),
        }
    }
}

fn value_text(param: SweepParam, v: f64) -> String {
    match param {
        SweepParam::OpenBelow | SweepParam::GatedBelow => format!("{v:.2} ({})", flop_label(v)),
        SweepParam::Drift => format!("{v:+.2} OOM/yr"),
    }
}

fn value_step(param: SweepParam) -> f64 {
    match param {
        SweepParam::OpenBelow | SweepParam::GatedBelow => 0.05,
        SweepParam::Drift => 0.01,
    }
}

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
        scenario.policies.get(policy).and_then(|p| settings.param.current(p, scenario.jurisdictions.len()));
    // The bootstrap runs off the UI thread; the last answer stays until the new one is in.
    let best = match cx.analyses.view(Slot::Best).outcome {
        Some(Outcome::Best(b)) => Some(b),
        _ => None,
    };
    best_ui(ui, &sw, best.as_deref(), settings);
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
    let nj = scenario.jurisdictions.len();
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
        let name = scenario.policies.get(policy).map_or("", |p| p.name.as_str());
        ComboBox::from_id_salt("sweep_policy")
            .selected_text(name)
            .width(220.0)
            .show_ui(ui, |ui| {
                for (i, p) in scenario.policies.iter().enumerate() {
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
            let label = ui.label("from");
            ui.add(DragValue::new(&mut g.from).speed(step).max_decimals(2))
                .labelled_by(label.id)
                .on_hover_text(format!("First grid value ({})", s.param.unit()));
            let label = ui.label("to");
            ui.add(DragValue::new(&mut g.to).speed(step).max_decimals(2))
                .labelled_by(label.id)
                .on_hover_text(format!("Last grid value ({})", s.param.unit()));
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
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Best threshold:").strong());
        let label = ui.label("highest expected net with");
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
        let current = |kind| match kind {
            CapKind::PCatastrophe => sw.current.p_catastrophe,
            CapKind::Cvar95 => sw.current.cvar95_harm,
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
        let at_current = match s.cap_kind {
            CapKind::PCatastrophe => s.max_p_catastrophe.is_none(),
            CapKind::Cvar95 => s.max_cvar95.is_none(),
        };
        if at_current {
            ui.label(RichText::new("(the current setting's)").weak());
        } else if ui
            .small_button("= current setting")
            .on_hover_text("Cap at the tail risk of the policy's current setting, and follow it as it moves")
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
            money(b.net_mean),
            money(b.net_se),
            percent(b.p_catastrophe),
            percent(b.bootstrap.share_same),
            b.bootstrap.replicates,
            best.feasible_points,
            sw.points.len()
        ),
        None => best.statement.clone(),
    };
    ui.label(RichText::new(text).strong()).on_hover_text(&best.statement);
}

fn xs(sw: &Sweep) -> Vec<f64> {
    sw.points.iter().map(|p| p.value).collect()
}

fn curve(sw: &Sweep, f: impl Fn(&SweepPoint) -> f64) -> Vec<[f64; 2]> {
    sw.points.iter().map(|p| [p.value, f(p)]).filter(|p| p[1].is_finite()).collect()
}

fn band(sw: &Sweep, name: &str, color: Color32, f: impl Fn(&SweepPoint) -> (f64, f64)) -> FilledArea {
    let (lo, hi): (Vec<f64>, Vec<f64>) = sw.points.iter().map(f).unzip();
    FilledArea::new(name, &xs(sw), &lo, &hi).fill_color(theme::band(color, true))
}

/// A curve plot against the swept value. Drag-to-pan and zoom are off: a click or a drag
/// moves the policy's current setting instead. The shared key above the plots stands in for
/// legends, which would cover the curves of plots this small.
fn curve_plot<'a>(id: &str, sw: &Sweep, y_title: &str, height: f32) -> egui_plot::Plot<'a> {
    plots::base_without_legend(id, &format!("{} ({})", sw.param.key(), sw.param.unit()), y_title, height)
        .x_grid_spacer(plots::nice_marks)
        .x_axis_formatter(plots::value_ticks)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
}

fn ink(dark: bool) -> Color32 {
    if dark { Color32::from_gray(230) } else { Color32::from_gray(20) }
}

/// The key of the curve plots.
fn key_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, dark: bool) {
    use plots::KeyMark::{Band, Dashed, Dotted, Solid};
    let color = theme::policy(m.policy);
    let mut items = vec![
        ("each plot's outcome (expected net in the first)".to_string(), color, Solid),
        ("± 2 SE (net), 95% interval (P)".to_string(), theme::band(color, true), Band),
        ("expected benefit".to_string(), theme::benefit(), Dashed),
        ("expected harm".to_string(), theme::hazard(), Dotted),
        (format!("{} (baseline policy)", sw.baseline), theme::reference(), Dashed),
        (format!("current setting {} (click or drag to move)", value_text(m.param, m.current)), ink(dark), Solid),
    ];
    if let Some(b) = m.best {
        items.push((format!("best under the cap {}", value_text(m.param, b)), theme::best(), Dashed));
    }
    items.push(("cap".to_string(), theme::hazard(), Dashed));
    plots::key_ui(ui, &items);
}

fn marker_lines(m: &Marker, dark: bool) -> Vec<VLine> {
    let mut v = vec![VLine::new("current setting", m.current).color(ink(dark)).width(2.0)];
    if let Some(b) = m.best {
        v.push(VLine::new("best under the cap", b).color(theme::best()).style(LineStyle::dashed_loose()).width(1.5));
    }
    v
}

/// Shows a curve plot; a click or drag on it moves the policy's current setting there.
fn show_curve<'a>(
    ui: &mut Ui,
    out: &mut super::ViewOut,
    title: &str,
    plot: egui_plot::Plot<'a>,
    m: &Marker,
    build: impl FnOnce(&mut egui_plot::PlotUi<'a>) + 'a,
) {
    let lines = marker_lines(m, ui.visuals().dark_mode);
    let resp = plots::show(ui, out, title, plot, move |p| {
        build(p);
        for l in lines {
            p.vline(l);
        }
    });
    let r = &resp.response;
    if (r.dragged() || r.clicked())
        && let Some(pos) = r.interact_pointer_pos()
    {
        let step = value_step(m.param);
        let value = (resp.transform.value_from_position(pos).x / step).round() * step;
        out.commands.push(AppCommand::SetSweptValue {
            policy: m.policy,
            param: m.param,
            value,
            immediate: r.clicked() || r.drag_stopped(),
        });
    } else if r.drag_stopped() {
        out.commands.push(AppCommand::Edited { immediate: true });
    }
}

fn cap_line(label: String, y: f64) -> HLine {
    HLine::new(label, y).color(theme::hazard()).style(LineStyle::dashed_loose()).width(1.5)
}

fn welfare_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, height: f32, out: &mut super::ViewOut) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_welfare", sw, "$B per world, discounted", height)
        .y_axis_formatter(plots::money_ticks)
        .label_formatter(plots::readout("value", plots::num, "$B", money));
    let net_band = band(sw, "net ± 2 SE", color, |p| (p.net_mean - 2.0 * p.net_se, p.net_mean + 2.0 * p.net_se));
    let net = Line::new("expected net", PlotPoints::from(curve(sw, |p| p.net_mean))).color(color).width(2.5);
    let benefit = Line::new("expected benefit", PlotPoints::from(curve(sw, |p| p.benefit_mean)))
        .color(theme::benefit())
        .style(LineStyle::dashed_dense())
        .width(1.5);
    let harm = Line::new("expected harm", PlotPoints::from(curve(sw, |p| p.harm_mean)))
        .color(theme::hazard())
        .style(LineStyle::dotted_dense())
        .width(1.5);
    let base_net = sw.current.net_mean - sw.current.net_diff_mean;
    let base = base_net.is_finite().then(|| {
        HLine::new(format!("{} (baseline policy): expected net", sw.baseline), base_net)
            .color(theme::reference())
            .style(LineStyle::dashed_loose())
    });
    show_curve(ui, out, "Expected benefit, harm and net", plot, m, move |p| {
        p.add(net_band);
        if let Some(b) = base {
            p.hline(b);
        }
        p.line(benefit);
        p.line(harm);
        p.line(net);
    });
}

fn catastrophe_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, cap: &Constraint, height: f32, out: &mut super::ViewOut) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_catastrophe", sw, "P(catastrophe)", height)
        .include_y(0.0)
        .y_axis_formatter(plots::share_ticks)
        .label_formatter(plots::readout("value", plots::num, "P(catastrophe)", percent));
    let b = band(sw, "95% interval (Wilson)", color, |p| (p.p_catastrophe_lo, p.p_catastrophe_hi));
    let line = Line::new("P(catastrophe)", PlotPoints::from(curve(sw, |p| p.p_catastrophe))).color(color).width(2.5);
    let cap = cap.max_p_catastrophe.map(|c| cap_line(format!("cap: {}", percent(c)), c));
    show_curve(ui, out, "Chance of at least one catastrophe", plot, m, move |p| {
        p.add(b);
        if let Some(c) = cap {
            p.hline(c);
        }
        p.line(line);
    });
}

fn cvar_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, cap: &Constraint, height: f32, out: &mut super::ViewOut) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_cvar", sw, "$B per world, discounted", height)
        .include_y(0.0)
        .y_axis_formatter(plots::money_ticks)
        .label_formatter(plots::readout("value", plots::num, "CVaR95", money));
    let line = Line::new("mean harm of the worst 5% of worlds", PlotPoints::from(curve(sw, |p| p.cvar95_harm)))
        .color(color)
        .width(2.5);
    let cap = cap.max_cvar95.map(|c| cap_line(format!("cap: {}", money(c)), c));
    show_curve(ui, out, "Tail harm: mean of the worst 5% of worlds (CVaR95)", plot, m, move |p| {
        if let Some(c) = cap {
            p.hline(c);
        }
        p.line(line);
    });
}

fn better_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, height: f32, out: &mut super::ViewOut) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_better", sw, "share of worlds", height)
        .include_y(0.0)
        .include_y(1.0)
        .y_axis_formatter(plots::share_ticks)
        .label_formatter(plots::readout("value", plots::num, "share", percent));
    // At the current setting itself every world ties with itself: no point to draw there.
    let vs_current: Vec<[f64; 2]> = sw
        .points
        .iter()
        .filter(|p| (p.value - sw.current_value).abs() > 1e-9)
        .map(|p| [p.value, p.p_better_than_current])
        .collect();
    let current =
        Line::new("P(net better than at the current setting)", PlotPoints::from(vs_current)).color(color).width(2.5);
    let baseline = Line::new(
        format!("P(net better than under {}, the baseline policy)", sw.baseline),
        PlotPoints::from(curve(sw, |p| p.p_better_than_baseline)),
    )
    .color(theme::reference())
    .style(LineStyle::dashed_dense())
    .width(1.5);
    let half = HLine::new("even odds", 0.5).color(theme::reference().gamma_multiply(0.5)).width(1.0);
    show_curve(ui, out, "P(better): vs now (solid), vs baseline (dashed)", plot, m, move |p| {
        p.hline(half);
        p.line(baseline);
        p.line(current);
    });
}

fn frontier_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, height: f32, out: &mut super::ViewOut) {
    let color = theme::policy(m.policy);
    let pairs: Vec<(f64, f64)> = sw.points.iter().map(|p| (p.benefit_mean, p.cvar95_harm)).collect();
    let efficient = sweep::pareto_efficient(&pairs);
    let mut front: Vec<[f64; 2]> =
        sw.points.iter().zip(&efficient).filter(|(_, e)| **e).map(|(p, _)| [p.cvar95_harm, p.benefit_mean]).collect();
    front.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let dominated: Vec<[f64; 2]> =
        sw.points.iter().zip(&efficient).filter(|(_, e)| !**e).map(|(p, _)| [p.cvar95_harm, p.benefit_mean]).collect();
    let values: Vec<(f64, [f64; 2])> = sw.points.iter().map(|p| (p.value, [p.cvar95_harm, p.benefit_mean])).collect();
    let param = sw.param;
    let plot = plots::base("thr_frontier", "tail risk: CVaR95 of harm ($B)", "expected benefit ($B)", height)
        .legend(plots::legend(Corner::RightBottom))
        .x_grid_spacer(plots::nice_marks)
        .y_grid_spacer(plots::nice_marks)
        .x_axis_formatter(plots::money_ticks)
        .y_axis_formatter(plots::money_ticks)
        .label_formatter(move |pos| {
            let (x, y) = match pos {
                egui_plot::HoverPosition::NearDataPoint { position, .. }
                | egui_plot::HoverPosition::Elsewhere { position } => (position.x, position.y),
            };
            // Name the nearest grid point (relative distance in each axis).
            let near = values.iter().min_by(|a, b| {
                let d =
                    |q: &[f64; 2]| ((q[0] - x) / x.abs().max(1.0)).powi(2) + ((q[1] - y) / y.abs().max(1.0)).powi(2);
                d(&a.1).total_cmp(&d(&b.1))
            });
            near.map(|(v, q)| {
                format!(
                    "{} = {}\nCVaR95: {}\nbenefit: {}",
                    param.key(),
                    value_text(param, *v),
                    money(q[0]),
                    money(q[1])
                )
            })
        });
    let n_dominated = dominated.len();
    let front_line = Line::new("Pareto-efficient thresholds", PlotPoints::from(front.clone())).color(color).width(2.0);
    let front_pts = Points::new("Pareto-efficient thresholds", PlotPoints::from(front)).color(color).radius(4.0);
    let dom_pts =
        Points::new("dominated thresholds", PlotPoints::from(dominated)).color(theme::reference()).radius(3.0);
    let current = Points::new(
        format!("current setting ({})", value_text(param, m.current)),
        PlotPoints::from(vec![[sw.current.cvar95_harm, sw.current.benefit_mean]]),
    )
    .shape(MarkerShape::Diamond)
    .filled(false)
    .radius(8.0)
    .color(if ui.visuals().dark_mode { Color32::from_gray(230) } else { Color32::from_gray(20) });
    plots::show(ui, out, "Benefit against tail risk (frontier)", plot, move |p| {
        p.line(front_line);
        p.points(front_pts);
        if n_dominated > 0 {
            p.points(dom_pts);
        }
        p.points(current);
    });
}

fn heatmap_ui(
    ui: &mut Ui,
    s: &ThresholdSettings,
    heat: Option<&Sweep2d>,
    view: &AnalysisView,
    height: f32,
    dark: bool,
    out: &mut super::ViewOut,
) {
    if !s.heatmap {
        ui.add_space(30.0);
        ui.label(RichText::new("Heat map off: tick \"Heat map against\" above.").weak());
        return;
    }
    let Some(h) = heat else {
        ui.label(RichText::new("Threshold against a world parameter").strong());
        analysis_status_ui(ui, view, Slot::Heatmap, "heat map", dark, out);
        return;
    };
    // Always: the scope keeps the plot's id the same whether a status shows or not.
    analysis_status_ui(ui, view, Slot::Heatmap, "heat map", dark, out);
    let nx = h.values.len();
    let diffs: Vec<f64> = h.cells.iter().map(|c| c.point.net_diff_mean).collect();
    let scale = diffs.iter().filter(|d| d.is_finite()).fold(0.0f64, |m, d| m.max(d.abs())).max(1e-9);
    let step = |v: &[f64]| if v.len() > 1 { (v[v.len() - 1] - v[0]) / (v.len() - 1) as f64 } else { 1.0 };
    let (dx, dy) = (step(&h.values), step(&h.values2));
    let (x0, y0) = (h.values.first().copied().unwrap_or(0.0), h.values2.first().copied().unwrap_or(0.0));
    // Cells are stored one world value after another (rows of the threshold): the
    // heat map wants rows along y, so the layout already matches.
    let map = Heatmap::new(diffs, nx.max(1))
        .at(PlotPoint::new(x0 - dx / 2.0, y0 - dy / 2.0))
        .tile_size(dx as f32, dy as f32)
        .show_labels(false)
        .custom_mapping(Box::new(move |v| theme::color(crate::theme::diverging(v / scale))));
    let contours = h.contour_p_better_half.clone();
    let reached = !contours.is_empty();
    let cells: Vec<(f64, f64, f64, f64)> = h
        .cells
        .iter()
        .map(|c| (c.point.value, c.value2, c.point.net_diff_mean, c.point.p_better_than_baseline))
        .collect();
    let (param, key2) = (h.param, h.param2.clone());
    let ink = if dark { Color32::WHITE } else { Color32::BLACK };
    let plot = plots::base_without_legend(
        "thr_heatmap",
        &format!("{} ({})", h.param.key(), h.param.unit()),
        &world_title(&h.param2),
        height - 36.0,
    )
    .x_grid_spacer(plots::nice_marks)
    .y_grid_spacer(plots::nice_marks)
    .x_axis_formatter(plots::value_ticks)
    .y_axis_formatter(plots::value_ticks)
    .label_formatter(move |pos| {
        let p = match pos {
            egui_plot::HoverPosition::NearDataPoint { position, .. }
            | egui_plot::HoverPosition::Elsewhere { position } => *position,
        };
        let c = cells.iter().min_by(|a, b| {
            let d = |c: &(f64, f64, f64, f64)| ((c.0 - p.x) / dx).powi(2) + ((c.1 - p.y) / dy).powi(2);
            d(a).total_cmp(&d(b))
        })?;
        Some(format!(
            "{} = {}\n{} = {}\nnet − baseline's: {}\nP(better than baseline): {}",
            param.key(),
            value_text(param, c.0),
            key2,
            plots::num(c.1),
            money(c.2),
            percent(c.3)
        ))
    });
    let title = format!("Net difference to {} (baseline policy)", h.baseline);
    plots::show(ui, out, &title, plot, move |p| {
        p.heatmap(map);
        // Every piece of the contour has the same name: one legend entry.
        for line in contours {
            p.line(Line::new("P(better) = 50%", PlotPoints::from(line)).color(ink).width(2.0));
        }
    });
    let above = h.cells.iter().filter(|c| c.point.p_better_than_baseline >= 0.5).count();
    let contour = if reached {
        "Black line: where it beats the baseline in half the worlds (P(better) = 50%)."
    } else if above == 0 {
        "It beats the baseline in fewer than half the worlds everywhere on this grid (no P(better) = 50% line)."
    } else {
        "It beats the baseline in at least half the worlds everywhere on this grid (no P(better) = 50% line)."
    };
    plots::note(
        ui,
        format!(
            "Mean net minus the baseline policy's: blue better, red worse (full colour at ±{}). {contour} {} runs \
             per cell; hover for P(better).",
            money(scale),
            h.runs
        ),
    );
}

fn world_title(key: &str) -> String {
    let bare = key.strip_prefix("world.").unwrap_or(key);
    match PARAMS.iter().find(|p| p.key == bare) {
        Some(p) if !p.unit.is_empty() => format!("{key} ({})", p.unit),
        _ => key.to_string(),
    }
}

fn table_ui(ui: &mut Ui, sw: &Sweep) {
    egui::ScrollArea::horizontal().id_salt("sweep_table_scroll").show(ui, |ui| {
        egui::Grid::new("sweep_points").striped(true).spacing([10.0, 2.0]).show(ui, |ui| {
            for h in [
                sw.param.key(),
                "benefit",
                "harm",
                "net",
                "P(catastrophe)",
                "CVaR95 harm",
                "hazard year (median)",
                "open share at end",
                "P(better than current)",
                "P(better than baseline)",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for p in &sw.points {
                ui.label(value_text(sw.param, p.value));
                ui.label(format!("{} ± {}", money(p.benefit_mean), money(p.benefit_se)));
                ui.label(format!("{} ± {}", money(p.harm_mean), money(p.harm_se)));
                ui.label(format!("{} ± {}", money(p.net_mean), money(p.net_se)));
                ui.label(format!(
                    "{} [{}, {}]",
                    percent(p.p_catastrophe),
                    percent(p.p_catastrophe_lo),
                    percent(p.p_catastrophe_hi)
                ));
                ui.label(money(p.cvar95_harm));
                ui.label(p.hazard_year_median.map_or_else(|| "never".to_string(), |y| format!("{y:.1}")));
                ui.label(percent(p.open_share_end));
                ui.label(percent(p.p_better_than_current));
                ui.label(percent(p.p_better_than_baseline));
                ui.end_row();
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_resolve_to_the_first_tiered_policy_and_centre_the_grid() {
        let s = Scenario::baseline();
        let mut t = ThresholdSettings::default();
        let r = t.requests(&s, 500).unwrap();
        let Request::Sweep { scenario, spec } = &r.sweep else { panic!("a sweep") };
        assert_eq!(scenario.run.runs, 500, "runs are capped");
        assert_eq!(Some(spec.policy), sweep::default_policy(&s));
        let current = SweepParam::OpenBelow.current(&s.policies[spec.policy], s.jurisdictions.len()).unwrap();
        assert_eq!(spec.values.len(), sweep::DEFAULT_STEPS);
        assert!((spec.values[sweep::DEFAULT_STEPS / 2] - current).abs() < 1e-9, "centred on the current value");
        let Some(Request::Heatmap { axis, spec: hs, .. }) = &r.heatmap else { panic!("a heat map") };
        assert_eq!(axis.param, sweep::DEFAULT_HEATMAP_PARAM as usize);
        assert_eq!(axis.values.len(), sweep::DEFAULT_HEATMAP_STEPS2);
        assert_eq!(hs.values.len(), sweep::DEFAULT_HEATMAP_STEPS);
        // Same settings and scenario: the same requests (the app starts nothing new).
        assert_eq!(t.requests(&s, 500).unwrap(), r);
    }

    #[test]
    fn a_removed_policy_falls_back_and_no_tiered_policy_is_explained() {
        let mut s = Scenario::baseline();
        let mut t = ThresholdSettings { policy: Some(99), ..ThresholdSettings::default() };
        assert_eq!(t.resolve(&s), Ok(sweep::default_policy(&s).unwrap()));
        for p in &mut s.policies {
            p.default = crate::model::Regime::Closed;
            p.overrides.clear();
        }
        let err = t.resolve(&s).unwrap_err();
        assert!(err.contains("tiered"), "{err}");
    }
}
