//! Figures of the analyses: threshold curves and the benefit/tail-risk frontier of a 1-D
//! sweep, the heat map of a 2-D sweep, and the tornado of a sensitivity analysis.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, band, chart, color, dashed, line,
    text,
};
use super::{FigureError, FigureInput, FigureKind};
use crate::analysis::sensitivity::{Output, TORNADO_HIGH, TORNADO_LOW};
use crate::analysis::sweep::{SweepParam, pareto_efficient};
use crate::export::json::{BestThresholdJson, SweepPointJson};
use crate::fmt;
use crate::model::params::PARAMS;
use crate::theme::{HAZARD, REFERENCE, diverging, policy_color};

const REFERENCE_INK: RGBColor = color(REFERENCE);

fn missing(kind: FigureKind, what: &str) -> FigureError {
    FigureError::MissingData { figure: kind.name(), what: what.to_string() }
}

/// The x-axis title of a swept regime parameter, e.g. "open_below (log10 FLOP)".
fn param_title(param: SweepParam) -> String {
    format!("{} ({})", param.key(), param.unit())
}

/// `world.KEY` with its unit, e.g. "world.hazard_threshold (log10 FLOP)".
fn world_title(key: &str) -> String {
    let bare = key.strip_prefix("world.").unwrap_or(key);
    match PARAMS.iter().find(|p| p.key == bare) {
        Some(p) if !p.unit.is_empty() => format!("{key} ({})", p.unit),
        _ => key.to_string(),
    }
}

/// The policy's index in the scenario (for its colour), 0 when it is not there.
fn policy_index(input: &FigureInput<'_>, name: &str) -> usize {
    input.scenario.policies().iter().position(|p| p.name == name).unwrap_or(0)
}

/// `lo..hi` widened by `pad` of its span on both sides (a unit span if empty).
fn padded(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= 0.0 {
        let w = lo.abs().max(1.0) * 0.1;
        return (lo - w, hi + w);
    }
    (lo - span * pad, hi + span * pad)
}

fn min_max(it: impl Iterator<Item = f64>) -> (f64, f64) {
    it.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
}

/// A linear axis over the padded range of `values`.
fn value_axis(values: impl Iterator<Item = f64>, label: fn(f64) -> String, title: String, floor0: bool) -> Axis {
    let (lo, hi) = min_max(values);
    let (mut lo, hi) = padded(lo, hi, 0.06);
    if floor0 {
        lo = lo.max(0.0);
    }
    Axis::linear(lo, hi, 5, label, title)
}

// ---------------------------------------------------------------------------------------
// Threshold curves

/// One panel of the threshold curves: title, y title, tick labels, (value, band low, band
/// high) of a point, and whether the y axis starts at zero or above.
type PanelSpec = (&'static str, &'static str, fn(f64) -> String, fn(&SweepPointJson) -> (f64, f64, f64), bool);

/// Outcomes against the swept value.
#[derive(Serialize)]
pub(crate) struct Curves {
    pub policy: String,
    pub policy_color: String,
    /// The reference policy, which the sweep is paired against.
    #[serde(rename = "baseline")]
    pub reference: String,
    pub param: String,
    pub unit: String,
    /// Runs per grid point and the sweep's seed.
    pub runs: u64,
    pub seed: u64,
    /// The parameter's value in the policy as it stands, and its outcomes.
    pub current_value: f64,
    pub current: SweepPointJson,
    /// Per grid point: the means, their standard errors, P(catastrophe) with its Wilson
    /// interval and CVaR95 of harm (money in $B, 2025, discounted).
    pub points: Vec<SweepPointJson>,
    /// The best grid point under a cap, with its bootstrap, when the input has one.
    pub best_threshold: Option<BestThresholdJson>,
    #[serde(skip)]
    index: usize,
    #[serde(skip)]
    x_title: String,
}

impl Curves {
    pub fn compute(input: &FigureInput<'_>) -> Result<Curves, FigureError> {
        let s = input.sweep.ok_or_else(|| missing(FigureKind::ThresholdCurves, "a threshold sweep"))?;
        let index = policy_index(input, &s.policy);
        Ok(Curves {
            policy: s.policy.clone(),
            policy_color: super::style::hex(policy_color(index)),
            reference: s.reference.clone(),
            param: s.param.key().to_string(),
            unit: s.param.unit().to_string(),
            runs: s.runs,
            seed: s.seed,
            current_value: s.current_value,
            current: SweepPointJson::from(&s.current),
            points: s.points.iter().map(SweepPointJson::from).collect(),
            best_threshold: input.best_threshold.map(BestThresholdJson::from),
            index,
            x_title: param_title(s.param),
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let c = color(policy_color(self.index));
        let mut legend = vec![
            LegendItem::new(format!("{}, {} swept", self.policy, self.param), c, Swatch::Line),
            LegendItem::new("95% band (net: ± 2 SE; P(catastrophe): Wilson)", c, Swatch::Fill(0.18)),
            LegendItem::new(
                format!("as it stands: {} = {}", self.param, fmt::tick(self.current_value)),
                REFERENCE_INK,
                Swatch::Dashed,
            ),
        ];
        let best_index = self
            .best_threshold
            .as_ref()
            .and_then(|b| b.best.as_ref())
            .map(|b| b.index)
            .filter(|&i| i < self.points.len());
        let edges = cell_edges(&self.points.iter().map(|p| p.value).collect::<Vec<f64>>());
        if let Some(v) = best_index.map(|i| self.points[i].value) {
            legend.push(LegendItem::new(
                format!("best under the cap: {} = {}", self.param, fmt::tick(v)),
                BEST_INK,
                Swatch::Fill(0.3),
            ));
        }
        let notes = vec![format!(
            "{} runs per grid point (seed {}), common random numbers across points. Money in 2025 US dollars, discounted totals per run.",
            self.runs, self.seed
        )];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let xs = self.points.iter().map(|p| p.value).chain(std::iter::once(self.current_value));
        let (xlo, xhi) = min_max(xs);
        let (xlo, xhi) = padded(xlo, xhi, 0.03);
        let x = Axis::linear(xlo, xhi, 6, fmt::tick, self.x_title.clone());
        let panels = body.split_evenly((1, 3));

        let specs: [PanelSpec; 3] = [
            (
                "Expected net welfare",
                "Net welfare (2025 US$)",
                fmt::money_compact,
                |p| (p.net_mean, p.net_mean - 2.0 * p.net_se, p.net_mean + 2.0 * p.net_se),
                false,
            ),
            (
                "P(catastrophe)",
                "P(catastrophe) (share of runs)",
                fmt::fraction,
                |p| (p.p_catastrophe, p.p_catastrophe_lo, p.p_catastrophe_hi),
                true,
            ),
            (
                "CVaR95 of harm",
                "Mean of worst 5% of harms (2025 US$)",
                fmt::money_compact,
                |p| (p.cvar95_harm, p.cvar95_harm, p.cvar95_harm),
                true,
            ),
        ];
        for (area, (title, ytitle, label, get, floor0)) in panels.iter().zip(specs) {
            let vals = self.points.iter().chain(std::iter::once(&self.current)).flat_map(|p| {
                let (m, l, h) = get(p);
                [m, l, h]
            });
            let y = value_axis(vals, label, ytitle.to_string(), floor0);
            let mut ch = chart(area, st, &ChartSpec::panel(&x, &y, title, true, true))?;
            let clip = Clip::of(&x, &y);
            // The best grid point's cell as a stripe behind everything, so that the dashed
            // line of the policy as it stands still shows when the two coincide.
            if let Some(i) = best_index {
                let (lo, hi) = edges[i];
                let (lo, hi) = (lo.max(x.lo), hi.min(x.hi));
                if hi > lo {
                    ch.draw_series(std::iter::once(Rectangle::new([(lo, y.lo), (hi, y.hi)], st.fill(BEST_INK, 0.16))))?;
                }
            }
            let mid: Vec<(f64, f64)> = self.points.iter().map(|p| (p.value, get(p).0)).collect();
            let lower: Vec<(f64, f64)> = self.points.iter().map(|p| (p.value, get(p).1)).collect();
            let upper: Vec<(f64, f64)> = self.points.iter().map(|p| (p.value, get(p).2)).collect();
            if lower != upper {
                band(&mut ch, &clip, &lower, &upper, st.fill(c, 0.18))?;
            }
            line(&mut ch, &clip, &mid, st.line(c, 2.4))?;
            ch.draw_series(mid.iter().map(|&pt| Circle::new(pt, st.upx(3.0), st.fill(c, 1.0))))?;
            dashed(
                &mut ch,
                &clip,
                &[(self.current_value, y.lo), (self.current_value, y.hi)],
                st.line(REFERENCE_INK, 1.6),
                st.px(7.0),
                st.px(5.0),
            )?;
            let (cm, _, _) = get(&self.current);
            if x.contains(self.current_value) && y.contains(cm) {
                ch.draw_series(std::iter::once(Circle::new(
                    (self.current_value, cm),
                    st.upx(4.5),
                    st.line(REFERENCE_INK, 2.0),
                )))?;
            }
            if let Some(p) = best_index.map(|i| &self.points[i]) {
                let at = (p.value, get(p).0);
                if x.contains(at.0) && y.contains(at.1) {
                    ch.draw_series(std::iter::once(TriangleMarker::new(at, st.upx(7.0), st.fill(BEST_INK, 1.0))))?;
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Frontier

#[derive(Serialize)]
pub(crate) struct FrontierPoint {
    pub value: f64,
    pub benefit_mean: f64,
    pub benefit_se: f64,
    pub cvar95_harm: f64,
    pub p_catastrophe: f64,
    pub net_mean: f64,
    /// No other grid point has at least as much benefit and at most as much CVaR95, one of
    /// them strictly.
    pub efficient: bool,
}

/// Expected benefit against CVaR95 of harm per grid point.
#[derive(Serialize)]
pub(crate) struct Frontier {
    pub policy: String,
    pub policy_color: String,
    pub param: String,
    pub unit: String,
    pub runs: u64,
    pub seed: u64,
    pub current_value: f64,
    pub current_benefit_mean: f64,
    pub current_cvar95_harm: f64,
    pub points: Vec<FrontierPoint>,
    #[serde(skip)]
    index: usize,
}

impl Frontier {
    pub fn compute(input: &FigureInput<'_>) -> Result<Frontier, FigureError> {
        let s = input.sweep.ok_or_else(|| missing(FigureKind::Frontier, "a threshold sweep"))?;
        let index = policy_index(input, &s.policy);
        let pairs: Vec<(f64, f64)> = s.points.iter().map(|p| (p.benefit_mean, p.cvar95_harm)).collect();
        let eff = pareto_efficient(&pairs);
        let points = s
            .points
            .iter()
            .zip(eff)
            .map(|(p, efficient)| FrontierPoint {
                value: p.value,
                benefit_mean: p.benefit_mean,
                benefit_se: p.benefit_se,
                cvar95_harm: p.cvar95_harm,
                p_catastrophe: p.p_catastrophe,
                net_mean: p.net_mean,
                efficient,
            })
            .collect();
        Ok(Frontier {
            policy: s.policy.clone(),
            policy_color: super::style::hex(policy_color(index)),
            param: s.param.key().to_string(),
            unit: s.param.unit().to_string(),
            runs: s.runs,
            seed: s.seed,
            current_value: s.current_value,
            current_benefit_mean: s.current.benefit_mean,
            current_cvar95_harm: s.current.cvar95_harm,
            points,
            index,
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let c = color(policy_color(self.index));
        let mut legend = vec![LegendItem::new("Pareto-efficient grid points (connected)", c, Swatch::Line)];
        if self.points.iter().any(|p| !p.efficient) {
            legend.push(LegendItem::new("dominated grid points", REFERENCE_INK, Swatch::Fill(0.5)));
        }
        legend.push(LegendItem::new(
            format!("as it stands ({} = {})", self.param, fmt::tick(self.current_value)),
            HAZARD_INK,
            Swatch::Fill(1.0),
        ));
        let notes = vec![
            format!(
                "{} swept over {} ({}); labels give the value. Bars: ± 2 standard errors of the mean benefit.",
                self.policy, self.param, self.unit
            ),
            format!(
                "{} runs per grid point (seed {}). Money in 2025 US dollars, discounted totals per run.",
                self.runs, self.seed
            ),
        ];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let x = value_axis(
            self.points.iter().map(|p| p.cvar95_harm).chain(std::iter::once(self.current_cvar95_harm)),
            fmt::money_compact,
            "Tail risk: CVaR95 of harm (mean of the worst 5% of runs), 2025 US$".into(),
            true,
        );
        let y = value_axis(
            self.points
                .iter()
                .flat_map(|p| [p.benefit_mean - 2.0 * p.benefit_se, p.benefit_mean + 2.0 * p.benefit_se])
                .chain(std::iter::once(self.current_benefit_mean)),
            fmt::money_compact,
            "Expected benefit (2025 US$)".into(),
            false,
        );
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        for p in &self.points {
            let (lo, hi) = (p.benefit_mean - 2.0 * p.benefit_se, p.benefit_mean + 2.0 * p.benefit_se);
            let col = if p.efficient { c } else { REFERENCE_INK };
            line(&mut ch, &clip, &[(p.cvar95_harm, lo), (p.cvar95_harm, hi)], st.line(col, 1.2))?;
        }
        let mut front: Vec<(f64, f64)> =
            self.points.iter().filter(|p| p.efficient).map(|p| (p.cvar95_harm, p.benefit_mean)).collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        line(&mut ch, &clip, &front, st.line(c, 2.4))?;
        // Every mark first, then the value labels where they cover none of them.
        let mut placer = LabelPlacer::new(&ch, &x, &y);
        let marker = st.px(5.5);
        for p in &self.points {
            let at = (p.cvar95_harm, p.benefit_mean);
            if !(x.contains(at.0) && y.contains(at.1)) {
                continue;
            }
            if p.efficient {
                ch.draw_series(std::iter::once(Circle::new(at, st.upx(5.0), st.fill(c, 1.0))))?;
            } else {
                ch.draw_series(std::iter::once(Circle::new(at, st.upx(4.0), st.fill(REFERENCE_INK, 0.5))))?;
            }
            placer.block_point(&ch, at, marker);
        }
        for w in front.windows(2) {
            placer.block_segment(&ch, w[0], w[1], st.px(3.0));
        }
        let cur = (self.current_cvar95_harm, self.current_benefit_mean);
        placer.block_point(&ch, cur, st.px(7.0));
        let font = st.tick_font().color(&MUTED_INK);
        // Beyond the markers' own blocked squares.
        let gap = st.px(8.0);
        for p in &self.points {
            let at = (p.cvar95_harm, p.benefit_mean);
            if !(x.contains(at.0) && y.contains(at.1)) {
                continue;
            }
            let label = fmt::tick(p.value);
            let size = (st.text_width(&label, &font) as i32 + st.px(2.0), st.px(16.0));
            // Labels may cross the thin error bars; a white box keeps them readable there.
            if let Some((corner, far)) = placer.place(&ch, at, size, gap) {
                ch.draw_series(std::iter::once(Rectangle::new([corner, far], st.fill(WHITE, 0.85))))?;
                text(&mut ch, label, corner, font.clone(), (HPos::Left, VPos::Top))?;
            }
        }
        if x.contains(cur.0) && y.contains(cur.1) {
            ch.draw_series(std::iter::once(TriangleMarker::new(cur, st.upx(7.0), st.fill(HAZARD_INK, 1.0))))?;
        }
        Ok(())
    }
}

/// Places value labels beside points of a chart without covering other marks. Works in
/// output pixels: each label tries a few spots around its point and is left out when every
/// spot overlaps a mark, another label or the plot's edge.
struct LabelPlacer {
    /// Taken pixel rectangles, `[x0, y0, x1, y1]`.
    taken: Vec<[i32; 4]>,
    bounds: [i32; 4],
    /// Pixels per data unit and the pixel of data 0 on each axis (y grows downward).
    to_data: [f64; 4],
}

impl LabelPlacer {
    fn new<DB: DrawingBackend>(ch: &super::style::Chart<'_, DB>, x: &Axis, y: &Axis) -> LabelPlacer {
        let (x0, y0) = ch.backend_coord(&(x.lo, y.lo));
        let (x1, y1) = ch.backend_coord(&(x.hi, y.hi));
        let sx = f64::from(x1 - x0) / (x.hi - x.lo);
        let sy = f64::from(y1 - y0) / (y.hi - y.lo);
        LabelPlacer {
            taken: Vec::new(),
            bounds: [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)],
            to_data: [sx, f64::from(x0) - sx * x.lo, sy, f64::from(y0) - sy * y.lo],
        }
    }

    fn data(&self, px: (i32, i32)) -> (f64, f64) {
        let [sx, ox, sy, oy] = self.to_data;
        ((f64::from(px.0) - ox) / sx, (f64::from(px.1) - oy) / sy)
    }

    fn block_point<DB: DrawingBackend>(&mut self, ch: &super::style::Chart<'_, DB>, at: (f64, f64), r: i32) {
        let (px, py) = ch.backend_coord(&at);
        self.taken.push([px - r, py - r, px + r, py + r]);
    }

    /// Blocks a line from `a` to `b` (data coordinates), `half` pixels either side.
    fn block_segment<DB: DrawingBackend>(
        &mut self,
        ch: &super::style::Chart<'_, DB>,
        a: (f64, f64),
        b: (f64, f64),
        half: i32,
    ) {
        let (pa, pb) = (ch.backend_coord(&a), ch.backend_coord(&b));
        let len = (pb.0 - pa.0).abs().max((pb.1 - pa.1).abs());
        let steps = (len / half.max(1)).max(1);
        for i in 0..=steps {
            let t = f64::from(i) / f64::from(steps);
            let px = pa.0 + (f64::from(pb.0 - pa.0) * t).round() as i32;
            let py = pa.1 + (f64::from(pb.1 - pa.1) * t).round() as i32;
            self.taken.push([px - half, py - half, px + half, py + half]);
        }
    }

    /// A free spot for a `size` (pixels) label beside the point `at`: above left first (a
    /// rising curve leaves that side empty), then below right, right, left, above right and
    /// below left. Returns the label's top-left and bottom-right corners in data coordinates
    /// and takes the spot.
    fn place<DB: DrawingBackend>(
        &mut self,
        ch: &super::style::Chart<'_, DB>,
        at: (f64, f64),
        size: (i32, i32),
        gap: i32,
    ) -> Option<((f64, f64), (f64, f64))> {
        let (px, py) = ch.backend_coord(&at);
        let (w, h) = size;
        let spots = [
            (px - gap - w, py - gap - h),
            (px + gap, py + gap),
            (px + gap, py - h / 2),
            (px - gap - w, py - h / 2),
            (px + gap, py - gap - h),
            (px - gap - w, py + gap),
        ];
        let [bx0, by0, bx1, by1] = self.bounds;
        let overlaps = |r: &[i32; 4], q: &[i32; 4]| r[0] < q[2] && q[0] < r[2] && r[1] < q[3] && q[1] < r[3];
        let spot = spots.into_iter().map(|(x0, y0)| [x0, y0, x0 + w, y0 + h]).find(|r| {
            r[0] >= bx0 && r[1] >= by0 && r[2] <= bx1 && r[3] <= by1 && !self.taken.iter().any(|q| overlaps(r, q))
        })?;
        self.taken.push(spot);
        Some((self.data((spot[0], spot[1])), self.data((spot[2], spot[3]))))
    }
}

const HAZARD_INK: RGBColor = color(HAZARD);
/// The best threshold under a cap: a dark green apart from every policy colour.
const BEST_INK: RGBColor = RGBColor(0, 110, 60);
const MUTED_INK: RGBColor = super::style::MUTED;

// ---------------------------------------------------------------------------------------
// Heat map

#[derive(Serialize)]
pub(crate) struct HeatCell {
    pub value: f64,
    pub value2: f64,
    pub net_diff_mean: f64,
    pub net_diff_se: f64,
    #[serde(rename = "p_better_than_baseline")]
    pub p_better_than_reference: f64,
}

/// Paired net difference to the baseline over a 2-D sweep.
#[derive(Serialize)]
pub(crate) struct Heatmap {
    pub policy: String,
    /// The reference policy, which every cell is paired against.
    #[serde(rename = "baseline")]
    pub reference: String,
    pub param: String,
    pub unit: String,
    pub param2: String,
    pub runs: u64,
    pub seed: u64,
    pub values: Vec<f64>,
    pub values2: Vec<f64>,
    /// The colour scale runs from -scale (red) to +scale (blue), $B.
    pub scale: f64,
    /// `cells[i2 * values.len() + i]`.
    pub cells: Vec<HeatCell>,
    /// Polylines of (value, value2) where P(better than baseline) = 0.5.
    pub contour_p_better_half: Vec<Vec<[f64; 2]>>,
    /// The swept parameter's value in the policy as it stands (`None` if the scenario does
    /// not have the policy).
    pub current_value: Option<f64>,
    #[serde(skip)]
    x_title: String,
    #[serde(skip)]
    y_title: String,
}

/// Cell edges around sorted-or-not grid values: midpoints between neighbours, half a step
/// beyond the ends. Returns (lo, hi) per value.
fn cell_edges(values: &[f64]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| values[i]).collect();
    let n = sorted.len();
    let mut edges = vec![(0.0, 0.0); n];
    for (k, &i) in order.iter().enumerate() {
        let v = sorted[k];
        let lo = if k > 0 {
            (sorted[k - 1] + v) / 2.0
        } else if n > 1 {
            v - (sorted[1] - v) / 2.0
        } else {
            v - 0.5
        };
        let hi = if k + 1 < n {
            (sorted[k + 1] + v) / 2.0
        } else if n > 1 {
            v + (v - sorted[n - 2]) / 2.0
        } else {
            v + 0.5
        };
        edges[i] = (lo, hi);
    }
    edges
}

impl Heatmap {
    pub fn compute(input: &FigureInput<'_>) -> Result<Heatmap, FigureError> {
        let s = input.sweep_2d.ok_or_else(|| missing(FigureKind::Heatmap, "a 2-D sweep"))?;
        let cells: Vec<HeatCell> = s
            .cells
            .iter()
            .enumerate()
            .map(|(k, c)| HeatCell {
                value: s.values[k % s.values.len()],
                value2: c.value2,
                net_diff_mean: c.point.net_diff_mean,
                net_diff_se: c.point.net_diff_se,
                p_better_than_reference: c.point.p_better_than_reference,
            })
            .collect();
        let max_abs = cells.iter().map(|c| c.net_diff_mean.abs()).filter(|v| v.is_finite()).fold(0.0, f64::max);
        let scale = if max_abs > 0.0 { nice_ceiling(max_abs) } else { 1.0 };
        Ok(Heatmap {
            policy: s.policy.clone(),
            reference: s.reference.clone(),
            param: s.param.key().to_string(),
            unit: s.param.unit().to_string(),
            param2: s.param2.clone(),
            runs: s.runs,
            seed: s.seed,
            values: s.values.clone(),
            values2: s.values2.clone(),
            scale,
            cells,
            contour_p_better_half: s.contour_p_better_half.clone(),
            current_value: input
                .scenario
                .policies()
                .iter()
                .find(|p| p.name == s.policy)
                .and_then(|p| s.param.current(p, input.scenario.jurisdictions().len())),
            x_title: param_title(s.param),
            y_title: world_title(&s.param2),
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::new(
                format!("{} better than {}", self.policy, self.reference),
                color(diverging(0.8)),
                Swatch::Fill(1.0),
            ),
            LegendItem::new("worse", color(diverging(-0.8)), Swatch::Fill(1.0)),
            LegendItem::new(
                if self.contour_p_better_half.is_empty() {
                    "P(better than baseline) = 0.5 (not reached on this grid)"
                } else {
                    "P(better than baseline) = 0.5"
                },
                RGBColor(0, 0, 0),
                Swatch::Line,
            ),
        ];
        let mut legend = legend;
        if let Some(v) = self.current_value {
            let on_grid = self.values.contains(&v);
            // Grey and dashed, apart from the solid black contour.
            legend.push(LegendItem::new(
                format!(
                    "as it stands: {} = {}{}",
                    self.param,
                    fmt::tick(v),
                    if on_grid { " (column outlined)" } else { "" }
                ),
                REFERENCE_INK,
                Swatch::Dashed,
            ));
        }
        let notes = vec![
            format!(
                "Colour: mean over runs of {}'s net minus {}'s in the same run, in 2025 US dollars, discounted.",
                self.policy, self.reference
            ),
            format!(
                "Numbers in the cells: P(better than baseline). {} runs per cell (seed {}), common random numbers.",
                self.runs, self.seed
            ),
        ];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let (w, _) = body.dim_in_pixel();
        let bar_w = st.px(150.0).min(w as i32 / 3).max(1) as u32;
        let (main, bar) = body.split_horizontally(w.saturating_sub(bar_w));

        let ex = cell_edges(&self.values);
        let ey = cell_edges(&self.values2);
        let (xlo, xhi) = min_max(ex.iter().flat_map(|&(a, b)| [a, b]));
        let (ylo, yhi) = min_max(ey.iter().flat_map(|&(a, b)| [a, b]));
        let mut x = Axis::linear(xlo, xhi, 6, fmt::tick, self.x_title.clone());
        let mut y = Axis::linear(ylo, yhi, 5, fmt::tick, self.y_title.clone());
        x.grid = false;
        y.grid = false;
        let mut ch = chart(&main, st, &ChartSpec::new(&x, &y))?;
        let n = self.values.len();
        for (k, cell) in self.cells.iter().enumerate() {
            let (x0, x1) = ex[k % n];
            let (y0, y1) = ey[k / n];
            let t = if cell.net_diff_mean.is_finite() { cell.net_diff_mean / self.scale } else { 0.0 };
            ch.draw_series(std::iter::once(Rectangle::new([(x0, y0), (x1, y1)], st.fill(color(diverging(t)), 1.0))))?;
        }
        let clip = Clip::of(&x, &y);
        // The policy as it stands: its column outlined when it is on the grid (a line through
        // the column would cross the numbers in its cells), else a dashed line.
        if let Some(v) = self.current_value.filter(|v| x.contains(*v)) {
            match self.values.iter().position(|&g| g == v) {
                Some(i) => {
                    let (x0, x1) = ex[i];
                    let outline = [(x0, y.lo), (x0, y.hi), (x1, y.hi), (x1, y.lo), (x0, y.lo)];
                    dashed(&mut ch, &clip, &outline, st.line(REFERENCE_INK, 2.2), st.px(7.0), st.px(5.0))?;
                }
                None => {
                    dashed(
                        &mut ch,
                        &clip,
                        &[(v, y.lo), (v, y.hi)],
                        st.line(REFERENCE_INK, 1.6),
                        st.px(7.0),
                        st.px(5.0),
                    )?;
                }
            }
        }
        for poly in &self.contour_p_better_half {
            let pts: Vec<(f64, f64)> = poly.iter().map(|p| (p[0], p[1])).collect();
            line(&mut ch, &clip, &pts, st.line(RGBColor(0, 0, 0), 2.6))?;
        }
        // P(better) in each cell where the cells are big enough to hold it.
        let (pw, ph) = main.dim_in_pixel();
        let cell_w = f64::from(pw) / self.values.len().max(1) as f64;
        let cell_h = f64::from(ph) / self.values2.len().max(1) as f64;
        if cell_w >= f64::from(st.px(44.0)) && cell_h >= f64::from(st.px(20.0)) {
            // Data units per output pixel, to give each number a patch of its cell's colour
            // that interrupts the contour line rather than let the line strike the number out.
            let (px0, py0) = ch.backend_coord(&(x.lo, y.lo));
            let (px1, py1) = ch.backend_coord(&(x.hi, y.hi));
            let ux = (x.hi - x.lo) / f64::from((px1 - px0).abs().max(1));
            let uy = (y.hi - y.lo) / f64::from((py1 - py0).abs().max(1));
            let font = st.tick_font();
            let half_h = f64::from(st.px(9.0)) * uy;
            for c in &self.cells {
                let label = format!("{:.2}", c.p_better_than_reference);
                let half_w = (f64::from(st.text_width(&label, &font)) / 2.0 + f64::from(st.px(3.0))) * ux;
                let t = if c.net_diff_mean.is_finite() { c.net_diff_mean / self.scale } else { 0.0 };
                ch.draw_series(std::iter::once(Rectangle::new(
                    [(c.value - half_w, c.value2 - half_h), (c.value + half_w, c.value2 + half_h)],
                    st.fill(color(diverging(t)), 1.0),
                )))?;
                let ink: &'static RGBColor =
                    if (c.net_diff_mean / self.scale).abs() > 0.6 { &WHITE } else { &super::style::INK };
                text(&mut ch, label, (c.value, c.value2), st.tick_font().color(ink), (HPos::Center, VPos::Center))?;
            }
        }

        // Colour bar.
        let bx = Axis {
            lo: 0.0,
            hi: 1.0,
            ticks: Vec::new(),
            minor: Vec::new(),
            label: Box::new(|_| String::new()),
            title: String::new(),
            grid: false,
        };
        let mut by = Axis::linear(-self.scale, self.scale, 4, fmt::money_compact, "Net difference (2025 US$)");
        by.grid = false;
        let mut cb = chart(&bar, st, &ChartSpec::new(&bx, &by))?;
        let steps = 64;
        cb.draw_series((0..steps).map(|i| {
            let a = -self.scale + 2.0 * self.scale * i as f64 / steps as f64;
            let b = -self.scale + 2.0 * self.scale * (i + 1) as f64 / steps as f64;
            let t = (a + b) / 2.0 / self.scale;
            Rectangle::new([(0.0, a), (1.0, b)], st.fill(color(diverging(t)), 1.0))
        }))?;
        Ok(())
    }
}

/// The smallest 1, 2, 2.5 or 5 times a power of ten at or above `x` (> 0).
fn nice_ceiling(x: f64) -> f64 {
    let mag = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|v| *v >= x * 0.999_999).unwrap_or(10.0 * mag)
}

// ---------------------------------------------------------------------------------------
// Tornado

#[derive(Serialize)]
pub(crate) struct TornadoBar {
    pub param: String,
    pub unit: String,
    /// The parameter's 10th and 90th percentiles.
    pub p10: f64,
    pub p90: f64,
    /// Mean output with the parameter held at p10 and at p90.
    pub low: f64,
    pub high: f64,
    pub swing: f64,
    pub prcc: f64,
}

/// One-at-a-time swings per uncertain parameter.
#[derive(Serialize)]
pub(crate) struct Tornado {
    pub policy: String,
    /// The reference policy (what `net_diff` is paired against).
    #[serde(rename = "baseline")]
    pub reference: String,
    pub output: String,
    pub runs: u64,
    pub seed: u64,
    pub percentiles: [f64; 2],
    /// Mean output with everything drawn, and its standard error.
    pub output_mean: f64,
    pub output_se: f64,
    /// Largest swing first (at most [`MAX_BARS`]).
    pub bars: Vec<TornadoBar>,
    /// Parameters not drawn (smaller swings).
    pub omitted: usize,
    /// Their swings, largest first.
    pub not_drawn: Vec<TornadoBar>,
    #[serde(skip)]
    x_title: String,
    #[serde(skip)]
    money: bool,
}

/// Most bars a tornado draws.
pub(crate) const MAX_BARS: usize = 15;

/// The app's tornado colours (one palette for the app and the figures).
const LOW_COLOR: RGBColor = color(crate::theme::LOW);
const HIGH_COLOR: RGBColor = color(crate::theme::HIGH);

impl Tornado {
    pub fn compute(input: &FigureInput<'_>) -> Result<Tornado, FigureError> {
        let s = input.sensitivity.ok_or_else(|| missing(FigureKind::Tornado, "a sensitivity analysis"))?;
        let mut rows: Vec<_> = s.params.iter().filter(|p| p.low.is_finite() && p.high.is_finite()).collect();
        rows.sort_by(|a, b| b.swing.total_cmp(&a.swing));
        let omitted = rows.len().saturating_sub(MAX_BARS);
        let mut bars: Vec<TornadoBar> = rows
            .into_iter()
            .map(|p| TornadoBar {
                param: p.param.clone(),
                unit: PARAMS.get(p.index).map(|i| i.unit.to_string()).unwrap_or_default(),
                p10: p.p10,
                p90: p.p90,
                low: p.low,
                high: p.high,
                swing: p.swing,
                prcc: p.prcc,
            })
            .collect();
        let not_drawn = bars.split_off(bars.len().min(MAX_BARS));
        let (x_title, money) = match s.output {
            Output::Benefit => (format!("Mean benefit of {} (2025 US$, discounted)", s.policy), true),
            Output::Harm => (format!("Mean harm of {} (2025 US$, discounted)", s.policy), true),
            Output::Net => (format!("Mean net welfare of {} (2025 US$, discounted)", s.policy), true),
            Output::NetDiff => (format!("Mean net difference, {} minus {} (2025 US$)", s.policy, s.reference), true),
            Output::Catastrophe => (format!("P(catastrophe) under {} (share of runs)", s.policy), false),
        };
        Ok(Tornado {
            policy: s.policy.clone(),
            reference: s.reference.clone(),
            output: s.output.key().to_string(),
            runs: s.runs,
            seed: s.seed,
            percentiles: [TORNADO_LOW, TORNADO_HIGH],
            output_mean: s.output_mean,
            output_se: s.output_se,
            bars,
            omitted,
            not_drawn,
            x_title,
            money,
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let fmt: fn(f64) -> String = if self.money { fmt::money_compact } else { fmt::fraction };
        let legend = vec![
            LegendItem::new(
                format!("parameter at its {:.0}th percentile", TORNADO_LOW * 100.0),
                LOW_COLOR,
                Swatch::Fill(1.0),
            ),
            LegendItem::new(format!("at its {:.0}th percentile", TORNADO_HIGH * 100.0), HIGH_COLOR, Swatch::Fill(1.0)),
            LegendItem::new(
                format!("everything drawn: {} ± {}", fmt(self.output_mean), fmt(self.output_se)),
                RGBColor(0, 0, 0),
                Swatch::Dashed,
            ),
        ];
        let mut notes = vec![format!(
            "Each parameter held at a percentile in every one of {} runs (seed {}), the others drawn; common random numbers.",
            self.runs, self.seed
        )];
        if let Some(largest) = self.not_drawn.first() {
            notes.push(format!(
                "{} more parameters swing the mean by at most {} each; the figure's JSON sidecar lists them.",
                self.omitted,
                fmt(largest.swing)
            ));
        }
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let x = value_axis(
            self.bars.iter().flat_map(|b| [b.low, b.high]).chain(std::iter::once(self.output_mean)),
            fmt,
            self.x_title.clone(),
            false,
        );
        let n = self.bars.len();
        let names: Vec<String> = self.bars.iter().map(|b| b.param.trim_start_matches("world.").to_string()).collect();
        let y = Axis::categories(names, "Uncertain world parameter");
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        let base = self.output_mean;
        let font = st.note_font();
        let gap = f64::from(st.px(6.0));
        let (px_lo, px_hi) =
            (f64::from(ch.backend_coord(&(x.lo, y.lo)).0), f64::from(ch.backend_coord(&(x.hi, y.lo)).0));
        // Pixels per unit of the output.
        let sx = (px_hi - px_lo) / (x.hi - x.lo);
        let px = |v: f64| px_lo + (v - x.lo) * sx;
        for (i, b) in self.bars.iter().enumerate() {
            let yc = (n - 1 - i) as f64;
            let (y0, y1) = (yc - 0.34, yc + 0.34);
            for (v, col) in [(b.low, LOW_COLOR), (b.high, HIGH_COLOR)] {
                let (a, z) = (base.min(v).max(x.lo), base.max(v).min(x.hi));
                if z > a {
                    ch.draw_series(std::iter::once(Rectangle::new([(a, y0), (z, y1)], st.fill(col, 1.0))))?;
                }
            }
            // The range beside the bar where it fits, else inside its longer half, else left.
            let range = format!("{} to {}", fmt(b.low.min(b.high)), fmt(b.low.max(b.high)));
            let w = f64::from(st.text_width(&range, &font));
            let right = b.low.max(b.high).max(base).min(x.hi);
            let left = b.low.min(b.high).min(base).max(x.lo);
            let far = if (b.high - base).abs() >= (b.low - base).abs() { b.high } else { b.low };
            let far = far.clamp(x.lo, x.hi);
            if px(right) + gap + w <= px_hi {
                text(&mut ch, range, (right + gap / sx, yc), font.clone(), (HPos::Left, VPos::Center))?;
            } else if (px(far) - px(base)).abs() >= w + 2.0 * gap {
                let (at, pos) = if far > base { (far - gap / sx, HPos::Right) } else { (far + gap / sx, HPos::Left) };
                text(&mut ch, range, (at, yc), st.font(13.0).color(&WHITE), (pos, VPos::Center))?;
            } else if px(left) - gap - w >= px_lo {
                text(&mut ch, range, (left - gap / sx, yc), font.clone(), (HPos::Right, VPos::Center))?;
            }
        }
        dashed(&mut ch, &clip, &[(base, y.lo), (base, y.hi)], st.line(RGBColor(0, 0, 0), 1.6), st.px(7.0), st.px(5.0))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_edges_are_midpoints() {
        let e = cell_edges(&[1.0, 2.0, 4.0]);
        assert_eq!(e, vec![(0.5, 1.5), (1.5, 3.0), (3.0, 5.0)]);
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(2.0), 2.0);
    }
}
