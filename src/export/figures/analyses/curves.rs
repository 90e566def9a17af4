//! Threshold curves: expected net, P(catastrophe) and CVaR95 of harm against the swept value.

use plotters::prelude::*;
use serde::Serialize;

use crate::export::figures::error::FigureError;
use crate::export::figures::input::FigureInput;
use crate::export::figures::kind::FigureKind;
use crate::export::figures::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, band, chart, color, dashed, line,
};
use crate::export::json::{BestThresholdJson, SweepPointJson};
use crate::fmt;
use crate::theme::policy_color;

use super::common::{
    BEST_INK, REFERENCE_INK, cell_edges, min_max, missing, padded, param_title, policy_index, value_axis,
};

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
    pub best_threshold: Option<Box<BestThresholdJson>>,
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
            policy_color: crate::export::figures::style::hex(policy_color(index)),
            reference: s.reference.clone(),
            param: s.param.key().to_string(),
            unit: s.unit(),
            runs: s.runs,
            seed: s.seed,
            current_value: s.current_value,
            current: SweepPointJson::from(&s.current),
            points: s.points.iter().map(SweepPointJson::from).collect(),
            best_threshold: input.best_threshold.map(|b| Box::new(BestThresholdJson::from(b))),
            index,
            x_title: param_title(s.param, s.measure),
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
        let body =
            crate::export::figures::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
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
