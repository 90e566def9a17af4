//! What every plot shares: a title, a legend, axis titles with units, a hover readout, tick
//! labels for money and for log axes, the pinned result's ghost style, and PNG export.

use crate::fmt;
use std::ops::RangeInclusive;

use egui::{Color32, RichText, Ui};
use egui_plot::{
    ColorConflictHandling, Corner, GridInput, GridMark, HoverPosition, Legend, Line, LineStyle, Plot, PlotPoints,
    PlotResponse, PlotUi,
};

use crate::analysis::plotdata::decades;

use super::super::theme;
use super::{PlotEntry, ViewOut};
use crate::app::AppCommand;
use crate::export::figures::FigureKind;

/// A legend in `corner` (pick the corner the data leaves empty).
pub fn legend(corner: Corner) -> Legend {
    // Scenario order, and a band's legend entry takes its median line's colour.
    Legend::default()
        .position(corner)
        .background_alpha(0.85)
        .follow_insertion_order(true)
        .color_conflict_handling(ColorConflictHandling::PickLast)
}

/// The y-axis title of a density in percent of worlds per unit.
pub fn density_title(m: &crate::workspace::computed::MetricPlot) -> String {
    if m.log10 { "% of worlds per decade".into() } else { format!("% of worlds per {}", fmt::money_compact(m.unit)) }
}

/// A plot with the app's defaults: a legend, axis titles, no scroll-to-pan (the page scrolls).
pub fn base<'a>(id: &str, x_title: &str, y_title: &str, height: f32) -> Plot<'a> {
    base_without_legend(id, x_title, y_title, height).legend(legend(Corner::RightTop))
}

/// [`base`] without a legend, for small multiples that share one legend drawn beside them.
pub fn base_without_legend<'a>(id: &str, x_title: &str, y_title: &str, height: f32) -> Plot<'a> {
    Plot::new(id)
        .height(height)
        .x_axis_label(x_title.to_string())
        .y_axis_label(y_title.to_string())
        .allow_scroll(false)
        .y_axis_min_width(44.0)
}

/// Shows `plot` under a bold title, registers it for export (as `figure`, the publication
/// figure of the same data, drawn by the report's renderer; a screenshot where there is
/// none) and gives it a context menu.
pub fn show<'a>(
    ui: &mut Ui,
    out: &mut ViewOut,
    title: &str,
    figure: Option<FigureKind>,
    plot: Plot<'a>,
    build: impl FnOnce(&mut PlotUi<'a>) + 'a,
) -> PlotResponse<()> {
    let title_resp = ui.add(egui::Label::new(RichText::new(title).strong()).truncate());
    let resp = plot.show(ui, build);
    out.plots.push(PlotEntry { title: title.to_string(), rect: title_resp.rect.union(resp.response.rect), figure });
    resp.response.context_menu(|ui| {
        if let Some(kind) = figure
            && ui.button("Export this plot as a publication figure…").on_hover_text(figure_hover(kind)).clicked()
        {
            out.commands.push(AppCommand::ExportFigure { tab: out.tab, only: Some(kind) });
            ui.close();
        }
        if ui
            .button("Export publication figures of this view…")
            .on_hover_text("SVG and 2400-px PNG with JSON sidecars, drawn by the report's renderer")
            .clicked()
        {
            out.commands.push(AppCommand::ExportFigure { tab: out.tab, only: None });
            ui.close();
        }
        if ui.button("Save this plot as PNG (screenshot)…").clicked() {
            out.commands.push(AppCommand::ExportPng { plot: title.to_string() });
            ui.close();
        }
        if ui.button("Export this view's data (CSV)…").clicked() {
            out.commands.push(AppCommand::ExportCsv);
            ui.close();
        }
    });
    resp
}

/// Room above the curves for a top-corner legend of `entries` lines, so that it covers no
/// data: the y range is raised until the curves' highest point sits below the legend.
pub fn legend_room<'a>(plot: Plot<'a>, series: &[Vec<[f64; 2]>], entries: usize, height: f32) -> Plot<'a> {
    let top = series.iter().flatten().map(|p| p[1]).fold(0.0f64, f64::max);
    if top <= 0.0 || !top.is_finite() {
        return plot;
    }
    // Legend rows are about 18 points tall, plus its frame and the plot's own margins.
    let legend = (entries as f32 * 18.0 + 24.0) / (height - 40.0).max(60.0);
    let free = (1.0 - legend.min(0.7)) as f64;
    plot.include_y(top / free)
}

/// What a plot's publication figure is, for a tooltip.
pub fn figure_hover(kind: FigureKind) -> String {
    format!(
        "“{}”: SVG and 2400-px PNG with a caption, the seed, the scenario hash and the version, and a JSON \
         sidecar with the data, drawn by the report's renderer (as `tierlab figures --only {}`)",
        kind.title(),
        kind.name()
    )
}

/// A line in a policy's colour; the pinned result's version is dashed and faded.
pub fn policy_line<'a>(name: &str, color: Color32, points: Vec<[f64; 2]>, pinned: bool) -> Line<'a> {
    step_safe(if pinned {
        Line::new(format!("{name} (pinned)"), PlotPoints::from(points))
            .color(theme::ghost(color))
            .style(LineStyle::dashed_dense())
            .width(1.5)
    } else {
        Line::new(name.to_string(), PlotPoints::from(points)).color(color).width(2.0)
    })
}

/// A line that may hold steps (histogram outlines, ECDFs). egui_plot draws runs of points
/// that share an x as one vertical band, which turns a step outline into slanted ribbons; our
/// curves hold a few hundred points at most, so they need no such shortcut.
pub fn step_safe(line: Line<'_>) -> Line<'_> {
    line.allow_band(false)
}

/// A tick-label function.
pub type TickFn = fn(GridMark, &RangeInclusive<f64>) -> String;

/// Tick labels in money for an axis in $B.
pub fn money_ticks(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
    fmt::money_compact(mark.value)
}

/// Tick labels for an axis holding log10 of money in $B: decades only ("$10B", "$1T").
pub fn log_money_ticks(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
    if (mark.value - mark.value.round()).abs() < 1e-6 { fmt::money_decade(mark.value) } else { String::new() }
}

/// Tick labels for an axis holding log10 of a probability: "100%", "10%", "1%", "0.1%"...
pub fn log_prob_ticks(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
    if (mark.value - mark.value.round()).abs() < 1e-6 {
        fmt::probability_percent(10f64.powf(mark.value.round()))
    } else {
        String::new()
    }
}

/// Tick labels for a share axis: "0%", "25%"...
pub fn share_ticks(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
    fmt::percent(mark.value)
}

/// Grid marks at every decade (every second one over a very wide span) and faint ones at
/// 2x and 5x when few decades are visible. Decades claim a wider step than they have, so
/// their lines and labels stay strong however narrow the plot.
pub fn decade_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let every = if span > 14.0 { 2 } else { 1 };
    let mut marks: Vec<GridMark> = decades(lo, hi)
        .into_iter()
        .filter(|d| d % every == 0)
        .map(|d| GridMark { value: f64::from(d), step_size: 4.0 * f64::from(every) })
        .collect();
    if span < 4.0 {
        for d in decades(lo, hi) {
            for m in [2.0f64, 5.0] {
                marks.push(GridMark { value: f64::from(d) + m.log10(), step_size: 0.1 });
            }
        }
    }
    marks.retain(|m| m.value >= lo && m.value <= hi);
    marks
}

/// Least distance between two labels of [`nice_marks`], points ("$100T" is about 40 wide).
pub const MIN_LABEL_SPACING: f64 = 50.0;

/// Grid marks at a round step (1, 2 or 5 times a power of ten) giving up to six labels as far
/// apart as the plot's size allows, with unlabelled minor marks between. egui_plot's own marks
/// step by powers of ten only, so an axis spanning, say, $33T to $38T in a small plot gets no
/// label at all.
pub fn nice_marks(input: GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    // The smallest round step that leaves at most six labels inside the bounds and at least
    // MIN_LABEL_SPACING points between them (egui_plot's base step spans 8 points).
    let labels = |step: f64| (hi / step).floor() - (lo / step).ceil() + 1.0;
    let min_step = input.base_step_size.abs() / 8.0 * MIN_LABEL_SPACING;
    let pow = 10f64.powf((span / 6.0).log10().floor());
    let mut candidates = (0..4).flat_map(|e| [1.0, 2.0, 5.0].map(move |m| (m, m * pow * 10f64.powi(e))));
    let (m, step) = candidates.find(|&(_, s)| labels(s) <= 6.0 && s >= min_step).unwrap_or((1.0, 1000.0 * pow));
    let minor = step / if m == 2.0 { 4.0 } else { 5.0 };
    let mut marks = Vec::new();
    let first = (lo / minor).ceil() as i64;
    let last = (hi / minor).floor() as i64;
    for k in first..=last {
        let v = k as f64 * minor;
        let major = ((v / step) - (v / step).round()).abs() < 1e-6;
        // A major mark claims a wide step so that egui_plot labels it however narrow the plot;
        // a minor one a narrow step, so that it is drawn faint and never labelled.
        marks.push(GridMark {
            value: if v.abs() < minor * 1e-9 { 0.0 } else { v },
            step_size: if major { step * 4.0 } else { minor * 0.25 },
        });
    }
    marks
}

/// Tick labels for [`nice_marks`] axes: the value itself ("27.5"), since those marks claim a
/// wide step and egui_plot would round their labels to it.
pub fn value_ticks(mark: GridMark, _range: &RangeInclusive<f64>) -> String {
    fmt::grid_column(mark.value)
}

/// The y axis of a density or histogram (percent of worlds, never below 0): round values
/// sized to the plot, and no label on the margin egui_plot leaves below 0.
pub fn density_y<'a>(plot: Plot<'a>) -> Plot<'a> {
    plot.y_grid_spacer(nice_marks).y_axis_formatter(density_ticks).include_y(0.0)
}

fn density_ticks(mark: GridMark, range: &RangeInclusive<f64>) -> String {
    if mark.value < 0.0 { String::new() } else { value_ticks(mark, range) }
}

/// A hover readout: near a curve, its name, then x and y formatted by `fx` and `fy`; elsewhere,
/// x alone.
pub fn readout<'a>(
    x_name: &'a str,
    fx: impl Fn(f64) -> String + 'a,
    y_name: &'a str,
    fy: impl Fn(f64) -> String + 'a,
) -> impl Fn(&HoverPosition<'_>) -> Option<String> + 'a {
    move |pos| match pos {
        HoverPosition::NearDataPoint { plot_name, position, .. } => {
            Some(format!("{plot_name}\n{x_name}: {}\n{y_name}: {}", fx(position.x), fy(position.y)))
        }
        // Away from the data the pointer's height is no datum: say only where along x it is.
        HoverPosition::Elsewhere { position } => Some(format!("{x_name}: {}", fx(position.x))),
    }
}

/// Money on a log10 axis.
pub fn log_money(x: f64) -> String {
    fmt::money_compact(10f64.powf(x))
}

/// How a key entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMark {
    Solid,
    Dashed,
    Dotted,
    /// A filled band.
    Band,
}

/// A key shared by several plots, in one wrapped row: each entry a short stroke and a label.
/// Small plots draw more data than legend when the key is outside them.
pub fn key_ui(ui: &mut Ui, items: &[(String, Color32, KeyMark)]) {
    ui.horizontal_wrapped(|ui| {
        for (label, color, mark) in items {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(26.0, 12.0), egui::Sense::hover());
            let (a, b) = (rect.left_center(), rect.right_center());
            let painter = ui.painter();
            match mark {
                KeyMark::Solid => {
                    painter.line_segment([a, b], egui::Stroke::new(2.5, *color));
                }
                KeyMark::Dashed => {
                    painter.extend(egui::Shape::dashed_line(&[a, b], egui::Stroke::new(2.0, *color), 5.0, 3.0));
                }
                KeyMark::Dotted => {
                    painter.extend(egui::Shape::dotted_line(&[a, b], *color, 4.0, 1.3));
                }
                KeyMark::Band => {
                    painter.rect_filled(rect.shrink2(egui::vec2(0.0, 2.0)), 1.0, *color);
                }
            }
            // Egui's "small" (9 pt) is too small to read a key by; body text would crowd it.
            ui.label(RichText::new(label).size(11.0));
            ui.add_space(6.0);
        }
    });
}

/// A small weak note under a plot.
pub fn note(ui: &mut Ui, text: impl Into<String>) {
    ui.label(RichText::new(text.into()).size(10.5).weak());
}

/// A parameter's key without its `world.` prefix, for axis ticks; a jurisdiction's attribute
/// (`jurisdiction.US.api_access`) as its human label, "US: API access value".
pub fn short(param: &str) -> String {
    match param.strip_prefix("world.") {
        Some(bare) => bare.to_string(),
        None => crate::model::params::describe_key(param).map_or_else(|| param.to_string(), |k| k.label),
    }
}

/// A parameter's human label with its unit, for an axis title: "world.growth (OOM/yr)",
/// "US: API access value (fraction)".
pub fn param_label(param: &str) -> String {
    match crate::model::params::describe_key(param) {
        Some(k) if param.starts_with("world.") => {
            if k.unit.is_empty() {
                param.to_string()
            } else {
                format!("{param} ({})", k.unit)
            }
        }
        Some(k) => k.label_with_unit(),
        None => param.to_string(),
    }
}

/// What a parameter (`world.KEY` or `jurisdiction.NAME.ATTR`) means, with its unit, for a
/// tooltip.
pub fn param_meaning(param: &str) -> String {
    crate::model::params::describe_key(param).map_or_else(String::new, |p| format!("{} ({})", p.meaning, p.unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_money_has_its_sign_first() {
        assert_eq!(fmt::money_compact(-12_000.0), "-$12T");
        assert_eq!(fmt::money_compact(950.0), "$950B");
    }

    #[test]
    fn percentages() {
        assert_eq!(fmt::probability_percent(0.5), "50%");
        assert_eq!(fmt::probability_percent(0.05), "5%");
        assert_eq!(fmt::probability_percent(0.055), "5.5%");
        assert_eq!(fmt::probability_percent(0.0012), "0.12%");
        assert_eq!(fmt::probability_percent(1e-6), "1.0e-4%");
        assert_eq!(fmt::probability_percent(0.0), "0%");
    }

    #[test]
    fn nice_ticks_label_three_to_five_round_values() {
        for (lo, hi) in
            [(32_600.0, 38_300.0), (0.0, 1.0), (-0.95, 0.97), (24.5, 29.5), (0.0012, 0.0019), (-90_000.0, 170_000.0)]
        {
            let marks = nice_marks(GridInput { bounds: (lo, hi), base_step_size: 0.0 });
            let major: Vec<f64> = marks.iter().filter(|m| m.step_size > (hi - lo) / 7.0).map(|m| m.value).collect();
            assert!((3..=6).contains(&major.len()), "{lo}..{hi}: {major:?}");
            assert!(major.iter().all(|v| (lo..=hi).contains(v)));
        }
        let major: Vec<f64> = nice_marks(GridInput { bounds: (32_600.0, 38_300.0), base_step_size: 0.0 })
            .into_iter()
            .filter(|m| m.step_size > 1000.0)
            .map(|m| m.value)
            .collect();
        assert_eq!(major, vec![33_000.0, 34_000.0, 35_000.0, 36_000.0, 37_000.0, 38_000.0]);
        // The same span across 200 points: labels at least MIN_LABEL_SPACING apart.
        let per_point = 5_700.0 / 200.0;
        let major: Vec<f64> = nice_marks(GridInput { bounds: (32_600.0, 38_300.0), base_step_size: 8.0 * per_point })
            .into_iter()
            .filter(|m| m.step_size > 1000.0)
            .map(|m| m.value)
            .collect();
        assert_eq!(major, vec![34_000.0, 36_000.0, 38_000.0]);
    }

    #[test]
    fn value_ticks_keep_their_decimals() {
        let t = |v| value_ticks(GridMark { value: v, step_size: 2.0 }, &(0.0..=1.0));
        assert_eq!(
            (t(27.5), t(28.0), t(-0.0), t(0.0012), t(700.0)),
            ("27.5".into(), "28".into(), "0".into(), "0.0012".into(), "700".into())
        );
    }

    #[test]
    fn decade_ticks() {
        let marks = decade_marks(GridInput { bounds: (-0.5, 3.5), base_step_size: 0.01 });
        let major: Vec<f64> = marks.iter().filter(|m| m.step_size >= 1.0).map(|m| m.value).collect();
        assert_eq!(major, vec![0.0, 1.0, 2.0, 3.0]);
        let mark = GridMark { value: 3.0, step_size: 1.0 };
        assert_eq!(log_money_ticks(mark, &(0.0..=1.0)), "$1T");
        assert_eq!(log_prob_ticks(GridMark { value: -2.0, step_size: 1.0 }, &(0.0..=1.0)), "1%");
        assert_eq!(log_money_ticks(GridMark { value: 2.3, step_size: 0.1 }, &(0.0..=1.0)), "");
    }
}
