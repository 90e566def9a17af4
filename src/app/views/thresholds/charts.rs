//! The Thresholds tab's plots: curves against the swept value (a click or a drag moves the
//! current setting), the benefit / tail-risk frontier, the heat map, and the table of points.

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::{Color32, RichText, Ui};
use egui_plot::{
    Corner, FilledArea, HLine, Heatmap, Line, LineStyle, MarkerShape, PlotPoint, PlotPoints, Points, VLine,
};

use super::{Marker, ThresholdSettings, value_step, value_text};
use crate::analysis::sweep::{self, Constraint, Sweep, Sweep2d, SweepParam, SweepPoint};
use crate::app::AppCommand;
use crate::app::theme;
use crate::app::views::plots;
use crate::app::views::{ViewOut, analysis_status_ui};
use crate::workspace::AnalysisView;
use crate::workspace::analyses::Slot;

pub(super) fn xs(sw: &Sweep) -> Vec<f64> {
    sw.points.iter().map(|p| p.value).collect()
}

pub(super) fn curve(sw: &Sweep, f: impl Fn(&SweepPoint) -> f64) -> Vec<[f64; 2]> {
    sw.points.iter().map(|p| [p.value, f(p)]).filter(|p| p[1].is_finite()).collect()
}

pub(super) fn band(sw: &Sweep, name: &str, color: Color32, f: impl Fn(&SweepPoint) -> (f64, f64)) -> FilledArea {
    let (lo, hi): (Vec<f64>, Vec<f64>) = sw.points.iter().map(f).unzip();
    FilledArea::new(name, &xs(sw), &lo, &hi).fill_color(theme::band(color, true))
}

/// A curve plot against the swept value. Drag-to-pan and zoom are off: a click or a drag
/// moves the policy's current setting instead. The shared key above the plots stands in for
/// legends, which would cover the curves of plots this small.
pub(super) fn curve_plot<'a>(id: &str, sw: &Sweep, y_title: &str, height: f32) -> egui_plot::Plot<'a> {
    plots::base_without_legend(id, &format!("{} ({})", sw.param.key(), sw.unit()), y_title, height)
        .x_grid_spacer(plots::nice_marks)
        .x_axis_formatter(plots::value_ticks)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
}

pub(super) fn ink(dark: bool) -> Color32 {
    if dark { Color32::from_gray(230) } else { Color32::from_gray(20) }
}

/// The key of the curve plots.
pub(super) fn key_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, dark: bool) {
    use plots::KeyMark::{Band, Dashed, Dotted, Solid};
    let color = theme::policy(m.policy);
    let mut items = vec![
        ("each plot's outcome (expected net in the first)".to_string(), color, Solid),
        ("± 2 SE (net), 95% interval (P)".to_string(), theme::band(color, true), Band),
        ("expected benefit".to_string(), theme::benefit(), Dashed),
        ("expected harm".to_string(), theme::hazard(), Dotted),
        (format!("{} (reference policy)", sw.reference), theme::reference(), Dashed),
        (
            format!(
                "current setting {} (click or drag to move{})",
                value_text(m.param, m.current),
                if m.param == SweepParam::OpenBelow { "; gated_below keeps its gap" } else { "" }
            ),
            ink(dark),
            Solid,
        ),
    ];
    if let Some(b) = m.best {
        items.push((format!("best under the cap {}", value_text(m.param, b)), theme::best(), Dashed));
    }
    items.push(("cap".to_string(), theme::hazard(), Dashed));
    plots::key_ui(ui, &items);
}

pub(super) fn marker_lines(m: &Marker, dark: bool) -> Vec<VLine> {
    let mut v = vec![VLine::new("current setting", m.current).color(ink(dark)).width(2.0)];
    if let Some(b) = m.best {
        v.push(VLine::new("best under the cap", b).color(theme::best()).style(LineStyle::dashed_loose()).width(1.5));
    }
    v
}

/// Shows a curve plot; a click or drag on it moves the policy's current setting there.
pub(super) fn show_curve<'a>(
    ui: &mut Ui,
    out: &mut ViewOut,
    title: &str,
    plot: egui_plot::Plot<'a>,
    m: &Marker,
    build: impl FnOnce(&mut egui_plot::PlotUi<'a>) + 'a,
) {
    let lines = marker_lines(m, ui.visuals().dark_mode);
    let resp = plots::show(ui, out, title, Some(FigureKind::ThresholdCurves), plot, move |p| {
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

pub(super) fn cap_line(label: String, y: f64) -> HLine {
    HLine::new(label, y).color(theme::hazard()).style(LineStyle::dashed_loose()).width(1.5)
}

pub(super) fn welfare_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, height: f32, out: &mut ViewOut) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_welfare", sw, "2025 US$ per world, discounted", height)
        .y_axis_formatter(plots::money_ticks)
        .label_formatter(plots::readout("value", fmt::number, "amount", fmt::money_compact));
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
        HLine::new(format!("{} (reference policy): expected net", sw.reference), base_net)
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

pub(super) fn catastrophe_plot_ui(
    ui: &mut Ui,
    sw: &Sweep,
    m: &Marker,
    cap: &Constraint,
    height: f32,
    out: &mut ViewOut,
) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_catastrophe", sw, "P(catastrophe)", height)
        .include_y(0.0)
        .y_axis_formatter(plots::share_ticks)
        .label_formatter(plots::readout("value", fmt::number, "P(catastrophe)", fmt::probability_percent));
    let b = band(sw, "95% interval (Wilson)", color, |p| (p.p_catastrophe_lo, p.p_catastrophe_hi));
    let line = Line::new("P(catastrophe)", PlotPoints::from(curve(sw, |p| p.p_catastrophe))).color(color).width(2.5);
    let cap = cap.max_p_catastrophe.map(|c| cap_line(format!("cap: {}", fmt::probability_percent(c)), c));
    show_curve(ui, out, "Chance of at least one catastrophe", plot, m, move |p| {
        p.add(b);
        if let Some(c) = cap {
            p.hline(c);
        }
        p.line(line);
    });
}

pub(super) fn cvar_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, cap: &Constraint, height: f32, out: &mut ViewOut) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_cvar", sw, "2025 US$ per world, discounted", height)
        .include_y(0.0)
        .y_axis_formatter(plots::money_ticks)
        .label_formatter(plots::readout("value", fmt::number, "CVaR95", fmt::money_compact));
    let line = Line::new("mean harm of the worst 5% of worlds", PlotPoints::from(curve(sw, |p| p.cvar95_harm)))
        .color(color)
        .width(2.5);
    let cap = cap.max_cvar95.map(|c| cap_line(format!("cap: {}", fmt::money_compact(c)), c));
    show_curve(ui, out, "Tail harm: mean of the worst 5% of worlds (CVaR95)", plot, m, move |p| {
        if let Some(c) = cap {
            p.hline(c);
        }
        p.line(line);
    });
}

pub(super) fn better_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, height: f32, out: &mut ViewOut) {
    let color = theme::policy(m.policy);
    let plot = curve_plot("thr_better", sw, "share of worlds", height)
        .include_y(0.0)
        .include_y(1.0)
        .y_axis_formatter(plots::share_ticks)
        .label_formatter(plots::readout("value", fmt::number, "share", fmt::probability_percent));
    // At the current setting itself every world ties with itself: no point to draw there.
    let vs_current: Vec<[f64; 2]> = sw
        .points
        .iter()
        .filter(|p| (p.value - sw.current_value).abs() > 1e-9)
        .map(|p| [p.value, p.p_better_than_current])
        .collect();
    let current =
        Line::new("P(net better than at the current setting)", PlotPoints::from(vs_current)).color(color).width(2.5);
    let reference = Line::new(
        format!("P(net better than under {}, the reference policy)", sw.reference),
        PlotPoints::from(curve(sw, |p| p.p_better_than_reference)),
    )
    .color(theme::reference())
    .style(LineStyle::dashed_dense())
    .width(1.5);
    let half = HLine::new("even odds", 0.5).color(theme::reference().gamma_multiply(0.5)).width(1.0);
    show_curve(ui, out, "P(better): vs now (solid), vs reference (dashed)", plot, m, move |p| {
        p.hline(half);
        p.line(reference);
        p.line(current);
    });
}

pub(super) fn frontier_plot_ui(ui: &mut Ui, sw: &Sweep, m: &Marker, height: f32, out: &mut ViewOut) {
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
    let plot =
        plots::base("thr_frontier", "tail risk: CVaR95 of harm (2025 US$)", "expected benefit (2025 US$)", height)
            // Benefit and tail risk rise together: the top-left corner is the empty one.
            .legend(plots::legend(Corner::LeftTop))
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
                    let d = |q: &[f64; 2]| {
                        ((q[0] - x) / x.abs().max(1.0)).powi(2) + ((q[1] - y) / y.abs().max(1.0)).powi(2)
                    };
                    d(&a.1).total_cmp(&d(&b.1))
                });
                near.map(|(v, q)| {
                    format!(
                        "{} = {}\nCVaR95: {}\nbenefit: {}",
                        param.key(),
                        value_text(param, *v),
                        fmt::money_compact(q[0]),
                        fmt::money_compact(q[1])
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
    plots::show(ui, out, "Benefit against tail risk (frontier)", Some(FigureKind::Frontier), plot, move |p| {
        p.line(front_line);
        p.points(front_pts);
        if n_dominated > 0 {
            p.points(dom_pts);
        }
        p.points(current);
    });
}

pub(super) fn heatmap_ui(
    ui: &mut Ui,
    s: &ThresholdSettings,
    heat: Option<&Sweep2d>,
    view: &AnalysisView,
    height: f32,
    dark: bool,
    out: &mut ViewOut,
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
        .map(|c| (c.point.value, c.value2, c.point.net_diff_mean, c.point.p_better_than_reference))
        .collect();
    let (param, key2) = (h.param, h.param2.clone());
    let ink = if dark { Color32::WHITE } else { Color32::BLACK };
    let plot = plots::base_without_legend(
        "thr_heatmap",
        &format!("{} ({})", h.param.key(), h.unit()),
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
            "{} = {}\n{} = {}\nnet − reference's: {}\nP(better than reference): {}",
            param.key(),
            value_text(param, c.0),
            key2,
            fmt::number(c.1),
            fmt::money_compact(c.2),
            fmt::probability_percent(c.3)
        ))
    });
    let title = format!("Net difference to {} (reference policy)", h.reference);
    plots::show(ui, out, &title, Some(FigureKind::Heatmap), plot, move |p| {
        p.heatmap(map);
        // Every piece of the contour has the same name: one legend entry.
        for line in contours {
            p.line(Line::new("P(better) = 50%", PlotPoints::from(line)).color(ink).width(2.0));
        }
    });
    let above = h.cells.iter().filter(|c| c.point.p_better_than_reference >= 0.5).count();
    let contour = if reached {
        "Black line: where it beats the reference policy in half the worlds (P(better) = 50%)."
    } else if above == 0 {
        "It beats the reference policy in fewer than half the worlds everywhere on this grid (no P(better) = 50% line)."
    } else {
        "It beats the reference policy in at least half the worlds everywhere on this grid (no P(better) = 50% line)."
    };
    plots::note(
        ui,
        format!(
            "Mean net minus the reference policy's: blue better, red worse (full colour at ±{}). {contour} {} runs \
             per cell; hover for P(better).",
            fmt::money_compact(scale),
            h.runs
        ),
    );
}

pub(super) fn world_title(key: &str) -> String {
    match crate::model::params::describe_key(key) {
        Some(p) if !p.unit.is_empty() => format!("{key} ({})", p.unit),
        _ => key.to_string(),
    }
}

pub(super) fn table_ui(ui: &mut Ui, sw: &Sweep) {
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
                "P(better than reference)",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for p in &sw.points {
                ui.label(value_text(sw.param, p.value));
                ui.label(format!("{} ± {}", fmt::money_compact(p.benefit_mean), fmt::money_compact(p.benefit_se)));
                ui.label(format!("{} ± {}", fmt::money_compact(p.harm_mean), fmt::money_compact(p.harm_se)));
                ui.label(format!("{} ± {}", fmt::money_compact(p.net_mean), fmt::money_compact(p.net_se)));
                ui.label(format!(
                    "{} [{}, {}]",
                    fmt::probability_percent(p.p_catastrophe),
                    fmt::probability_percent(p.p_catastrophe_lo),
                    fmt::probability_percent(p.p_catastrophe_hi)
                ));
                ui.label(fmt::money_compact(p.cvar95_harm));
                ui.label(p.hazard_year_median.map_or_else(|| "never".to_string(), |y| format!("{y:.1}")));
                ui.label(fmt::probability_percent(p.open_share_end));
                ui.label(fmt::probability_percent(p.p_better_than_current));
                ui.label(fmt::probability_percent(p.p_better_than_reference));
                ui.end_row();
            }
        });
    });
}
