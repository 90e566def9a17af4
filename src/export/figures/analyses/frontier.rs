//! The benefit/tail-risk frontier: expected benefit against CVaR95 of harm per grid point,
//! the Pareto-efficient points connected.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use crate::analysis::sweep::pareto_efficient;
use crate::export::figures::error::FigureError;
use crate::export::figures::input::FigureInput;
use crate::export::figures::kind::FigureKind;
use crate::export::figures::style::{
    Area, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, chart, color, line, text,
};
use crate::fmt;
use crate::theme::policy_color;

use super::common::{HAZARD_INK, MUTED_INK, REFERENCE_INK, missing, policy_index, value_axis};
use super::placer::LabelPlacer;

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
            policy_color: crate::export::figures::style::hex(policy_color(index)),
            param: s.param.key().to_string(),
            unit: s.unit(),
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
        let body =
            crate::export::figures::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
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
