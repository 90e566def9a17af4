//! The harm tail: exceedance curves P(harm > x) on log-log axes.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::distributions::policy_legend;
use super::input::FigureInput;
use super::policy::{PolicyRef, policy_refs};
use super::style::{Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, Style, chart, color, dashed, line, text};
use crate::analysis::plotdata::{common_range, exceedance_log};
use crate::analysis::stats::wilson;
use crate::fmt;
use crate::model::P;
use crate::theme::{REFERENCE, policy_color};

/// Colour of the catastrophe-threshold label.
const REFERENCE_INK: RGBColor = color(REFERENCE);

/// Points per exceedance curve.
const POINTS: usize = 160;

/// One point of an exceedance curve.
#[derive(Serialize)]
pub(crate) struct ExceedancePoint {
    /// Harm x in $B (discounted total over the run) and its log10.
    pub harm: f64,
    pub log10_harm: f64,
    /// P(harm > x): share of runs above x, its binomial standard error sqrt(p(1-p)/n) and
    /// its 95% Wilson interval.
    pub p: f64,
    pub se: f64,
    pub lo95: f64,
    pub hi95: f64,
}

#[derive(Serialize)]
pub(crate) struct PolicyTail {
    #[serde(flatten)]
    pub policy: PolicyRef,
    pub harm_mean: f64,
    pub harm_mean_se: f64,
    pub harm_p95: f64,
    pub cvar95_harm: f64,
    /// Share of runs with a catastrophe (one event at or above the catastrophe threshold)
    /// and its 95% Wilson interval, as in summary.json.
    pub p_catastrophe: f64,
    pub p_catastrophe_lo: f64,
    pub p_catastrophe_hi: f64,
    pub points: Vec<ExceedancePoint>,
}

/// Exceedance curves of every policy.
#[derive(Serialize)]
pub(crate) struct Exceedance {
    pub runs: usize,
    /// Axis ranges in log10 units (x: $B, y: probability).
    pub log10_x_range: [i32; 2],
    pub log10_y_range: [i32; 2],
    /// Central value of world.catastrophe_threshold ($B, a single event's damage).
    pub catastrophe_threshold: f64,
    pub policies: Vec<PolicyTail>,
}

impl Exceedance {
    pub fn compute(input: &FigureInput<'_>) -> Exceedance {
        let np = input.scenario.policies().len();
        let n = input.results.n_runs();
        let nf = n.max(1) as f64;
        let refs = policy_refs(input.scenario);
        let harms: Vec<Vec<f64>> = (0..np).map(|p| input.results.column(p, |o| o.harm)).collect();
        let logs: Vec<Vec<f64>> =
            harms.iter().map(|v| v.iter().filter(|&&x| x > 0.0).map(|x| x.log10()).collect()).collect();
        let slices: Vec<&[f64]> = logs.iter().map(Vec::as_slice).collect();
        let (_, hi) = common_range(&slices, 0.0);
        let x_lo = {
            let (l, _) = common_range(&slices, 0.005);
            l.floor() as i32
        };
        let x_hi = (hi.ceil() as i32).max(x_lo + 1);
        // A decade below the smallest resolvable probability 1/n, so the tail's last step
        // stays off the axis.
        let y_lo = (0.5 / nf).log10().floor() as i32;
        let policies = (0..np)
            .map(|p| {
                let s = &input.summary.policies[p];
                let points = exceedance_log(&harms[p], POINTS)
                    .into_iter()
                    .map(|[lx, lp]| {
                        let prob = 10f64.powf(lp);
                        let k = (prob * nf).round() as u64;
                        let (lo95, hi95) = wilson(k, n as u64);
                        ExceedancePoint {
                            harm: 10f64.powf(lx),
                            log10_harm: lx,
                            p: prob,
                            se: (prob * (1.0 - prob) / nf).sqrt(),
                            lo95,
                            hi95,
                        }
                    })
                    .collect();
                PolicyTail {
                    policy: refs[p].clone(),
                    harm_mean: s.harm.mean,
                    harm_mean_se: s.harm.se,
                    harm_p95: s.harm.p95,
                    cvar95_harm: s.cvar95_harm,
                    p_catastrophe: s.p_catastrophe,
                    p_catastrophe_lo: s.p_catastrophe_lo,
                    p_catastrophe_hi: s.p_catastrophe_hi,
                    points,
                }
            })
            .collect();
        Exceedance {
            runs: n,
            log10_x_range: [x_lo, x_hi],
            log10_y_range: [y_lo.min(-1), 0],
            catastrophe_threshold: input.scenario.world()[P::catastrophe_threshold as usize].central(),
            policies,
        }
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let mut legend = policy_legend(Some(self.policies.iter().map(|p| &p.policy)));
        for (item, p) in legend.iter_mut().zip(&self.policies) {
            item.label = format!(
                "{}: CVaR95 {}, P(catastrophe) {:.3}",
                p.policy.name,
                fmt::money_compact(p.cvar95_harm),
                p.p_catastrophe
            );
        }
        let notes = vec![
            format!(
                "Total discounted harm per run in 2025 US dollars, over {} runs per policy. Shaded: 95% binomial (Wilson) intervals.",
                self.runs
            ),
            format!(
                "With {} runs, probabilities below 1/{} are not resolved. P(catastrophe): share of runs with a single event ≥ {}.",
                self.runs,
                self.runs,
                fmt::money_compact(self.catastrophe_threshold)
            ),
        ];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let x = Axis::decades(
            self.log10_x_range[0],
            self.log10_x_range[1],
            fmt::money_decade,
            "Harm x (2025 US$, discounted; log scale)",
        );
        let y =
            Axis::decades(self.log10_y_range[0], self.log10_y_range[1], fmt::power_of_ten, "P(harm > x) (log scale)");
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        let floor = y.lo - 1.0;
        let lg = |v: f64| if v > 0.0 { v.log10() } else { floor };
        for p in &self.policies {
            let c = color(policy_color(p.policy.index));
            let upper: Vec<(f64, f64)> = p.points.iter().map(|q| (q.log10_harm, lg(q.hi95))).collect();
            let lower: Vec<(f64, f64)> = p.points.iter().map(|q| (q.log10_harm, lg(q.lo95))).collect();
            super::style::band(&mut ch, &clip, &lower, &upper, st.fill(c, 0.14))?;
        }
        for p in &self.policies {
            let c = color(policy_color(p.policy.index));
            // A step down to the floor after the largest harm: nothing exceeds it.
            let mut pts: Vec<(f64, f64)> = p.points.iter().map(|q| (q.log10_harm, lg(q.p))).collect();
            if let Some(&(lx, _)) = pts.last() {
                pts.push((lx, floor));
            }
            line(&mut ch, &clip, &pts, st.line(c, 2.6))?;
        }
        let cat = self.catastrophe_threshold;
        if cat > 0.0 && x.contains(cat.log10()) {
            let lc = cat.log10();
            dashed(&mut ch, &clip, &[(lc, y.lo), (lc, y.hi)], st.line(color(REFERENCE), 1.6), st.px(8.0), st.px(6.0))?;
            text(
                &mut ch,
                format!("catastrophe threshold (one event): {}", fmt::money_compact(cat)),
                (lc + (x.hi - x.lo) * 0.006, y.lo + 0.12),
                st.tick_font().color(&REFERENCE_INK),
                (HPos::Left, VPos::Bottom),
            )?;
        }
        Ok(())
    }
}
