//! What every figure shares: the embedded font, sizes scaled to the output, colours from
//! [`crate::theme`], the frame (title, legend, notes, caption), axes with chosen ticks, and
//! clipping of data to a plot's range (plotters draws outside it otherwise).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::error::FigureError;
use crate::theme::Rgb;

/// The font every figure uses, embedded so that output is the same on every machine.
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The family name written into SVG text (a CSS font list: viewers without DejaVu Sans fall
/// back to any sans-serif font) and under which the embedded font is registered for layout
/// and PNG rasterisation.
pub const FONT_FAMILY: &str = "DejaVu Sans, sans-serif";

/// Registers the embedded font with plotters once per process.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn ensure_font() -> Result<(), FigureError> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if ok { Ok(()) } else { Err(FigureError::Font) }
}

/// plotters registers fonts only natively (in wasm32 builds it lays text out with the
/// browser's canvas), so the browser cannot draw figures with the embedded font yet: they
/// are refused with [`FigureError::Font`] rather than drawn in another font.
#[cfg(target_arch = "wasm32")]
pub(crate) fn ensure_font() -> Result<(), FigureError> {
    let _ = (FONT_BYTES, FONT_FAMILY);
    Err(FigureError::Font)
}

/// Errors while drawing, whatever the backend.
pub(crate) type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

/// A drawing area of the whole figure or a part of it.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// A chart with f64 axes and hand-picked ticks.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Ticked, Ticked>>;

/// A linear f64 coordinate whose grid lines are exactly the given ticks (bold) and minor
/// points (light); labels come from the mesh's formatter.
#[derive(Clone, Debug)]
pub(crate) struct Ticked {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    minor: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let actual = limit.1 - limit.0;
        if span == 0.0 || actual == 0 {
            return limit.0 + actual / 2;
        }
        let t = ((*v - self.lo) / span).clamp(-4.0, 5.0);
        limit.0 + (f64::from(actual) * t).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() { self.minor.clone() } else { self.ticks.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Colours of the frame and grid.
pub(crate) const INK: RGBColor = RGBColor(30, 30, 30);
pub(crate) const MUTED: RGBColor = RGBColor(95, 95, 95);
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
pub(crate) const GRID_MINOR: RGBColor = RGBColor(242, 242, 242);

pub(crate) const fn color(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// `#rrggbb`, as the sidecars record colours.
pub(crate) fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Sizes in layout units (CSS pixels of the SVG), multiplied by `scale` for the output.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Style {
    pub scale: f64,
}

impl Style {
    /// A length in output pixels.
    pub fn px(&self, x: f64) -> i32 {
        (x * self.scale).round() as i32
    }
    pub fn upx(&self, x: f64) -> u32 {
        self.px(x).max(0) as u32
    }
    pub fn font(&self, size: f64) -> TextStyle<'static> {
        TextStyle::from((FONT_FAMILY, size * self.scale).into_font()).color(&INK)
    }
    pub fn title_font(&self) -> TextStyle<'static> {
        self.font(22.0)
    }
    pub fn panel_font(&self) -> TextStyle<'static> {
        self.font(16.0)
    }
    pub fn label_font(&self) -> TextStyle<'static> {
        self.font(15.0)
    }
    pub fn tick_font(&self) -> TextStyle<'static> {
        self.font(14.0)
    }
    pub fn legend_font(&self) -> TextStyle<'static> {
        self.font(15.0)
    }
    pub fn note_font(&self) -> TextStyle<'static> {
        self.font(13.0).color(&MUTED)
    }
    pub fn line(&self, c: RGBColor, width: f64) -> ShapeStyle {
        ShapeStyle { color: c.to_rgba(), filled: false, stroke_width: self.upx(width).max(1) }
    }
    pub fn fill(&self, c: RGBColor, alpha: f64) -> ShapeStyle {
        ShapeStyle { color: c.mix(alpha), filled: true, stroke_width: 0 }
    }
    /// Width of `text` in output pixels.
    pub fn text_width(&self, text: &str, font: &TextStyle<'_>) -> u32 {
        font.font.box_size(text).map(|(w, _)| w).unwrap_or(0)
    }
}

/// `text`, shortened with an ellipsis until it is at most `max_px` output pixels wide.
pub(crate) fn fit_text(st: &Style, text: &str, font: &TextStyle<'_>, max_px: i32) -> String {
    if st.text_width(text, font) as i32 <= max_px {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let candidate: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
        if st.text_width(&candidate, font) as i32 <= max_px {
            return candidate;
        }
    }
    "…".into()
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    Line,
    Dashed,
    /// A filled box with this opacity.
    Fill(f64),
}

#[derive(Clone, Debug)]
pub(crate) struct LegendItem {
    pub label: String,
    pub color: RGBColor,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn new(label: impl Into<String>, color: RGBColor, swatch: Swatch) -> LegendItem {
        LegendItem { label: label.into(), color, swatch }
    }
}

/// What a figure's frame holds around its plots.
pub(crate) struct FrameSpec<'a> {
    pub title: &'a str,
    pub legend: &'a [LegendItem],
    /// Lines under the plots explaining what is drawn (units, bands, data used).
    pub notes: &'a [String],
    /// The provenance line.
    pub caption: &'a str,
}

/// Lays out one legend row after another within `width`; returns rows of (item index, x).
fn legend_rows(st: &Style, items: &[LegendItem], width: i32) -> Vec<Vec<(usize, i32)>> {
    let font = st.legend_font();
    let swatch_w = st.px(30.0);
    let gap = st.px(8.0);
    let spacing = st.px(26.0);
    let mut rows: Vec<Vec<(usize, i32)>> = vec![Vec::new()];
    let mut x = 0;
    for (i, item) in items.iter().enumerate() {
        let w = swatch_w + gap + st.text_width(&item.label, &font) as i32;
        if x > 0 && x + w > width {
            rows.push(Vec::new());
            x = 0;
        }
        if let Some(row) = rows.last_mut() {
            row.push((i, x));
        }
        x += w + spacing;
    }
    rows.retain(|r| !r.is_empty());
    rows
}

/// Draws the figure's frame (white background, title, legend, notes and caption) and
/// returns the area left for the plots.
pub(crate) fn frame<DB: DrawingBackend>(root: &Area<DB>, st: &Style, spec: &FrameSpec<'_>) -> DrawResult<Area<DB>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let pad = st.px(18.0);
    let title_font = st.title_font();
    root.draw(&Text::new(spec.title.to_string(), (pad, pad), title_font.pos(Pos::new(HPos::Left, VPos::Top))))?;
    let mut top = pad + st.px(22.0) + st.px(12.0);

    let rows = legend_rows(st, spec.legend, w - 2 * pad);
    let row_h = st.px(24.0);
    let font = st.legend_font();
    for row in &rows {
        let cy = top + row_h / 2;
        for &(i, x) in row {
            let item = &spec.legend[i];
            let x0 = pad + x;
            let x1 = x0 + st.px(30.0);
            match item.swatch {
                Swatch::Line => root.draw(&PathElement::new(vec![(x0, cy), (x1, cy)], st.line(item.color, 3.0)))?,
                Swatch::Dashed => {
                    let seg = st.px(7.0);
                    let mut sx = x0;
                    while sx < x1 {
                        let ex = (sx + seg).min(x1);
                        root.draw(&PathElement::new(vec![(sx, cy), (ex, cy)], st.line(item.color, 2.5)))?;
                        sx += seg + st.px(5.0);
                    }
                }
                Swatch::Fill(alpha) => root.draw(&Rectangle::new(
                    [(x0, cy - st.px(8.0)), (x1, cy + st.px(8.0))],
                    st.fill(item.color, alpha),
                ))?,
            }
            root.draw(&Text::new(
                fit_text(st, &item.label, &font, w - 2 * pad - st.px(38.0)),
                (x1 + st.px(8.0), cy),
                font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        top += row_h;
    }
    top += st.px(6.0);

    // Notes and caption from the bottom up; the caption shrinks to fit the width.
    let line_h = st.px(18.0);
    let mut bottom = h - pad;
    let mut cap_font = st.note_font();
    let mut size = 13.0;
    while size > 8.0 && st.text_width(spec.caption, &cap_font) as i32 > w - 2 * pad {
        size -= 0.5;
        cap_font = st.font(size).color(&MUTED);
    }
    root.draw(&Text::new(spec.caption.to_string(), (pad, bottom), cap_font.pos(Pos::new(HPos::Left, VPos::Bottom))))?;
    bottom -= line_h;
    for note in spec.notes.iter().rev() {
        root.draw(&Text::new(note.clone(), (pad, bottom), st.note_font().pos(Pos::new(HPos::Left, VPos::Bottom))))?;
        bottom -= line_h;
    }
    bottom -= st.px(4.0);
    Ok(root.margin(top.max(0) as u32, (h - bottom).max(0) as u32, st.px(6.0).max(0) as u32, pad as u32))
}

/// An axis: its range, ticks (every tick is labelled), optional unlabelled minor grid lines,
/// how ticks are written and the axis title.
pub(crate) struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
    pub minor: Vec<f64>,
    pub label: Box<dyn Fn(f64) -> String>,
    pub title: String,
    /// Grid lines across the plot at the ticks (off for categories).
    pub grid: bool,
}

impl Axis {
    /// A category axis of `names`, the first at the top, one tick each and no grid.
    pub fn categories(names: Vec<String>, title: impl Into<String>) -> Axis {
        let n = names.len();
        Axis {
            lo: -0.6,
            hi: n as f64 - 0.4,
            ticks: (0..n).map(|i| i as f64).collect(),
            minor: Vec::new(),
            label: Box::new(move |v| {
                let i = v.round() as isize;
                if i < 0 || i as usize >= names.len() {
                    String::new()
                } else {
                    names[names.len() - 1 - i as usize].clone()
                }
            }),
            title: title.into(),
            grid: false,
        }
    }

    /// A linear axis with about `target` round ticks.
    pub fn linear(lo: f64, hi: f64, target: usize, label: fn(f64) -> String, title: impl Into<String>) -> Axis {
        let ticks = nice_ticks(lo, hi, target);
        Axis { lo, hi, ticks, minor: Vec::new(), label: Box::new(label), title: title.into(), grid: true }
    }

    /// A log10 axis over whole decades `lo..=hi` (log10 units): a labelled tick on every
    /// decade, light grid lines at 2 and 5 times each decade.
    pub fn decades(lo: i32, hi: i32, label: fn(f64) -> String, title: impl Into<String>) -> Axis {
        let hi = hi.max(lo + 1);
        let ticks: Vec<f64> = (lo..=hi).map(f64::from).collect();
        let minor = (lo..hi).flat_map(|d| [2.0f64, 5.0].map(move |m| f64::from(d) + m.log10())).collect::<Vec<f64>>();
        Axis {
            lo: f64::from(lo),
            hi: f64::from(hi),
            ticks,
            minor,
            label: Box::new(label),
            title: title.into(),
            grid: true,
        }
    }

    pub fn contains(&self, x: f64) -> bool {
        x >= self.lo.min(self.hi) && x <= self.hi.max(self.lo)
    }
}

/// Round ticks (1, 2, 2.5 or 5 times a power of ten) inside [lo, hi].
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw * 0.999).unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).map(|x| if x.abs() < step * 1e-9 { 0.0 } else { x }).collect()
}

/// Options for one chart inside an area.
pub(crate) struct ChartSpec<'a> {
    pub x: &'a Axis,
    pub y: &'a Axis,
    /// Panel title drawn above the chart (small multiples), or empty.
    pub panel_title: &'a str,
    /// Whether to write the axis titles (small multiples write them on the outer panels only).
    pub x_title: bool,
    pub y_title: bool,
    /// Smallest width of the y label area in layout units (aligns stacked panels), or 0.
    pub y_area_min: f64,
}

impl<'a> ChartSpec<'a> {
    /// A chart with both axis titles and no panel title.
    pub fn new(x: &'a Axis, y: &'a Axis) -> ChartSpec<'a> {
        ChartSpec { x, y, panel_title: "", x_title: true, y_title: true, y_area_min: 0.0 }
    }

    /// A small multiple: titled, with axis titles only where asked.
    pub fn panel(x: &'a Axis, y: &'a Axis, title: &'a str, x_title: bool, y_title: bool) -> ChartSpec<'a> {
        ChartSpec { x, y, panel_title: title, x_title, y_title, y_area_min: 0.0 }
    }
}

/// Width of the y label area a chart needs for `y`'s tick labels, in layout units.
pub(crate) fn y_label_width(st: &Style, y: &Axis) -> f64 {
    let font = st.tick_font();
    let widest = y.ticks.iter().map(|&t| st.text_width(&(y.label)(t), &font)).max().unwrap_or(0);
    f64::from(widest) / st.scale
}

/// Builds a chart with the axes' ranges and ticks, and draws its grid and axes.
pub(crate) fn chart<'a, DB: DrawingBackend>(
    area: &'a Area<DB>,
    st: &Style,
    spec: &ChartSpec<'_>,
) -> DrawResult<Chart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    let tick_font = st.tick_font();
    let label_font = st.label_font();
    let widest = st.px(y_label_width(st, spec.y).max(spec.y_area_min));
    // Room for the x title whether or not this chart writes it, so that small multiples
    // line up; small multiples share one y title (see `shared_y_title`).
    let y_area = widest + st.px(14.0) + if spec.y_title { st.px(30.0) } else { 0 };
    let x_area = st.px(28.0) + st.px(26.0);
    let panel_title = fit_text(st, spec.panel_title, &st.panel_font(), area.dim_in_pixel().0 as i32 - st.px(12.0));
    let mut builder = ChartBuilder::on(area);
    builder.margin_top(st.px(8.0)).margin_right(st.px(14.0)).margin_left(st.px(4.0)).margin_bottom(st.px(10.0));
    builder.x_label_area_size(x_area.max(0) as u32).y_label_area_size(y_area.max(0) as u32);
    if !panel_title.is_empty() {
        builder.caption(panel_title, st.panel_font());
    }
    let xr = Ticked { lo: spec.x.lo, hi: spec.x.hi, ticks: spec.x.ticks.clone(), minor: spec.x.minor.clone() };
    let yr = Ticked { lo: spec.y.lo, hi: spec.y.hi, ticks: spec.y.ticks.clone(), minor: spec.y.minor.clone() };
    let mut chart = builder.build_cartesian_2d(xr, yr)?;
    // Label every tick, or every k-th where the labels would collide (the ticks stay).
    let plot_px = (area.dim_in_pixel().0 as i32 - y_area - st.px(18.0)).max(1);
    let widest_x =
        spec.x.ticks.iter().map(|&t| st.text_width(&(spec.x.label)(t), &tick_font)).max().unwrap_or(0) as f64;
    let spacing = if spec.x.ticks.len() > 1 {
        f64::from(plot_px) * (spec.x.ticks[1] - spec.x.ticks[0]).abs() / (spec.x.hi - spec.x.lo).abs().max(1e-300)
    } else {
        f64::INFINITY
    };
    let stride = ((widest_x + f64::from(st.px(10.0))) / spacing).ceil().max(1.0) as usize;
    let labelled: Vec<f64> = spec.x.ticks.iter().copied().step_by(stride).collect();
    let x_fmt = |v: &f64| {
        if labelled.iter().any(|t| (t - v).abs() <= 1e-9 * t.abs().max(1.0)) {
            (spec.x.label)(*v)
        } else {
            String::new()
        }
    };
    let y_fmt = |v: &f64| (spec.y.label)(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_label_style(tick_font.clone())
        .y_label_style(tick_font)
        .axis_desc_style(label_font)
        .bold_line_style(st.line(GRID, 1.0))
        .light_line_style(st.line(GRID_MINOR, 1.0))
        .axis_style(st.line(MUTED, 1.2))
        .set_all_tick_mark_size(st.px(5.0));
    if !spec.x.grid {
        mesh.disable_x_mesh();
    }
    if !spec.y.grid {
        mesh.disable_y_mesh();
    }
    if spec.x_title {
        mesh.x_desc(spec.x.title.as_str());
    }
    if spec.y_title {
        mesh.y_desc(spec.y.title.as_str());
    }
    mesh.draw()?;
    Ok(chart)
}

/// Writes one y-axis title, rotated, down the left edge of `area` (shared by small
/// multiples) and returns the area to its right.
pub(crate) fn shared_y_title<DB: DrawingBackend>(area: &Area<DB>, st: &Style, title: &str) -> DrawResult<Area<DB>>
where
    DB::ErrorType: 'static,
{
    let (_, h) = area.dim_in_pixel();
    let strip = st.px(28.0);
    let font = st.label_font();
    let text = fit_text(st, title, &font, h as i32);
    area.draw(&Text::new(
        text,
        (st.px(4.0), h as i32 / 2),
        font.transform(FontTransform::Rotate270).pos(Pos::new(HPos::Center, VPos::Top)),
    ))?;
    let (_, rest) = area.split_horizontally(strip);
    Ok(rest)
}

/// Splits `area` into a grid for `n` small multiples: up to 4 as 2 x 2 (or 1 x n for n < 3),
/// more as ceil(sqrt(n)) columns.
pub(crate) fn grid_shape(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        3 | 4 => (2, 2),
        _ => {
            let cols = (n as f64).sqrt().ceil() as usize;
            (n.div_ceil(cols), cols)
        }
    }
}

/// The clipping rectangle of a chart.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clip {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

impl Clip {
    pub fn of(x: &Axis, y: &Axis) -> Clip {
        Clip { x0: x.lo.min(x.hi), x1: x.hi.max(x.lo), y0: y.lo.min(y.hi), y1: y.hi.max(y.lo) }
    }

    /// The parts of a polyline inside the rectangle (Liang-Barsky on every segment).
    pub fn polyline(&self, pts: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
        let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
        let mut cur: Vec<(f64, f64)> = Vec::new();
        for w in pts.windows(2) {
            match self.segment(w[0], w[1]) {
                Some((a, b)) => {
                    if cur.last().is_none_or(|l| (l.0 - a.0).abs() > 1e-12 || (l.1 - a.1).abs() > 1e-12) {
                        if cur.len() > 1 {
                            out.push(std::mem::take(&mut cur));
                        }
                        cur.clear();
                        cur.push(a);
                    }
                    cur.push(b);
                }
                None => {
                    if cur.len() > 1 {
                        out.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                }
            }
        }
        if cur.len() > 1 {
            out.push(cur);
        }
        out
    }

    fn segment(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
            return None;
        }
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let mut t0: f64 = 0.0;
        let mut t1: f64 = 1.0;
        for (p, q) in [(-dx, a.0 - self.x0), (dx, self.x1 - a.0), (-dy, a.1 - self.y0), (dy, self.y1 - a.1)] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        if t0 > t1 {
            return None;
        }
        Some(((a.0 + t0 * dx, a.1 + t0 * dy), (a.0 + t1 * dx, a.1 + t1 * dy)))
    }

    /// A polygon clipped to the rectangle (Sutherland-Hodgman).
    pub fn polygon(&self, pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let mut poly: Vec<(f64, f64)> = pts.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
        type Inside = fn(&Clip, (f64, f64)) -> bool;
        type Cut = fn(&Clip, (f64, f64), (f64, f64)) -> (f64, f64);
        let edges: [(Inside, Cut); 4] = [
            (|c, p| p.0 >= c.x0, |c, a, b| lerp_x(a, b, c.x0)),
            (|c, p| p.0 <= c.x1, |c, a, b| lerp_x(a, b, c.x1)),
            (|c, p| p.1 >= c.y0, |c, a, b| lerp_y(a, b, c.y0)),
            (|c, p| p.1 <= c.y1, |c, a, b| lerp_y(a, b, c.y1)),
        ];
        for (inside, cut) in edges {
            if poly.is_empty() {
                break;
            }
            let input = std::mem::take(&mut poly);
            let mut prev = input[input.len() - 1];
            for &p in &input {
                match (inside(self, p), inside(self, prev)) {
                    (true, true) => poly.push(p),
                    (true, false) => {
                        poly.push(cut(self, prev, p));
                        poly.push(p);
                    }
                    (false, true) => poly.push(cut(self, prev, p)),
                    (false, false) => {}
                }
                prev = p;
            }
        }
        poly
    }

    pub fn clamp_y(&self, y: f64) -> f64 {
        y.clamp(self.y0, self.y1)
    }
}

fn lerp_x(a: (f64, f64), b: (f64, f64), x: f64) -> (f64, f64) {
    let t = (x - a.0) / (b.0 - a.0);
    (x, a.1 + t * (b.1 - a.1))
}

fn lerp_y(a: (f64, f64), b: (f64, f64), y: f64) -> (f64, f64) {
    let t = (y - a.1) / (b.1 - a.1);
    (a.0 + t * (b.0 - a.0), y)
}

/// Draws a polyline clipped to the chart.
pub(crate) fn line<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    clip: &Clip,
    pts: &[(f64, f64)],
    style: ShapeStyle,
) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    for part in clip.polyline(pts) {
        chart.draw_series(std::iter::once(PathElement::new(part, style)))?;
    }
    Ok(())
}

/// Draws a dashed polyline clipped to the chart; `dash` and `gap` in output pixels.
pub(crate) fn dashed<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    clip: &Clip,
    pts: &[(f64, f64)],
    style: ShapeStyle,
    dash: i32,
    gap: i32,
) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    for part in clip.polyline(pts) {
        chart.draw_series(DashedLineSeries::new(part, dash.max(1) as u32, gap.max(1) as u32, style))?;
    }
    Ok(())
}

/// Fills the band between `lower` and `upper` (same x), clipped to the chart.
pub(crate) fn band<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    clip: &Clip,
    lower: &[(f64, f64)],
    upper: &[(f64, f64)],
    style: ShapeStyle,
) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    let mut pts: Vec<(f64, f64)> = upper.to_vec();
    pts.extend(lower.iter().rev());
    let poly = clip.polygon(&pts);
    if poly.len() > 2 {
        chart.draw_series(std::iter::once(Polygon::new(poly, style)))?;
    }
    Ok(())
}

/// Text inside a chart, at chart coordinates.
pub(crate) fn text<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    s: impl Into<String>,
    at: (f64, f64),
    font: TextStyle<'static>,
    anchor: (HPos, VPos),
) -> DrawResult<()>
where
    DB::ErrorType: 'static,
{
    chart.draw_series(std::iter::once(Text::new(s.into(), at, font.pos(Pos::new(anchor.0, anchor.1)))))?;
    Ok(())
}
