//! The heat map of a 2-D sweep: the paired net difference to the reference policy over the
//! threshold and a world parameter, with the P(better) = 0.5 contour.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use crate::export::figures::error::FigureError;
use crate::export::figures::input::FigureInput;
use crate::export::figures::kind::FigureKind;
use crate::export::figures::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, chart, color, dashed, line, text,
};
use crate::fmt;
use crate::theme::diverging;

use super::common::{REFERENCE_INK, cell_edges, min_max, missing, param_title, world_title};

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
    /// Polylines of (value, value2) where P(better than reference) = 0.5.
    pub contour_p_better_half: Vec<Vec<[f64; 2]>>,
    /// The swept parameter's value in the policy as it stands (`None` if the scenario does
    /// not have the policy).
    pub current_value: Option<f64>,
    #[serde(skip)]
    x_title: String,
    #[serde(skip)]
    y_title: String,
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
            unit: s.unit(),
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
            x_title: param_title(s.param, s.measure),
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
                    "P(better than reference) = 0.5 (not reached on this grid)"
                } else {
                    "P(better than reference) = 0.5"
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
                "Numbers in the cells: P(better than reference). {} runs per cell (seed {}), common random numbers.",
                self.runs, self.seed
            ),
        ];
        let body =
            crate::export::figures::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
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
                let ink: &'static RGBColor = if (c.net_diff_mean / self.scale).abs() > 0.6 {
                    &WHITE
                } else {
                    &crate::export::figures::style::INK
                };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_edges_are_midpoints_and_the_scale_is_round() {
        let e = cell_edges(&[1.0, 2.0, 4.0]);
        assert_eq!(e, vec![(0.5, 1.5), (1.5, 3.0), (3.0, 5.0)]);
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(2.0), 2.0);
    }
}
