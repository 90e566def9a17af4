//! Outcome distributions per policy: densities (net, benefit, harm), ECDFs, and the paired
//! difference to the baseline policy.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::input::FigureInput;
use super::policy::{PolicyRef, policy_refs};
use super::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, chart, color, dashed, fit_text,
    line, text,
};
use crate::analysis::plotdata::{common_range, density, ecdf};
use crate::analysis::stats::{Z_95_TWO_SIDED, mean_se, quantile_sorted, sorted};
use crate::export::json::MomentsJson;
use crate::fmt;
use crate::theme::{REFERENCE, policy_color};

/// Points of every density line.
const DENSITY_POINTS: usize = 240;
/// Points of every ECDF line.
const ECDF_POINTS: usize = 400;
/// Share of runs left outside each end of a linear axis, so one wild run does not squash
/// the plot (the share beyond each edge is recorded in the sidecar).
const TAIL: f64 = 0.005;

/// Which outcome a density shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Measure {
    Benefit,
    Harm,
    Net,
}

impl Measure {
    fn values(self, input: &FigureInput<'_>, policy: usize) -> Vec<f64> {
        match self {
            Measure::Benefit => input.results.column(policy, |o| o.benefit),
            Measure::Harm => input.results.column(policy, |o| o.harm),
            Measure::Net => input.results.column(policy, |o| o.net()),
        }
    }

    fn moments(self, input: &FigureInput<'_>, policy: usize) -> MomentsJson {
        let p = &input.summary.policies[policy];
        MomentsJson::from(match self {
            Measure::Benefit => &p.benefit,
            Measure::Harm => &p.harm,
            Measure::Net => &p.net,
        })
    }

    fn axis_title(self, log: bool) -> &'static str {
        match (self, log) {
            (Measure::Benefit, _) => "Benefit (2025 US$, discounted)",
            (Measure::Harm, true) => "Harm (2025 US$, discounted; log scale)",
            (Measure::Harm, false) => "Harm (2025 US$, discounted)",
            (Measure::Net, _) => "Net welfare = benefit − harm (2025 US$, discounted)",
        }
    }
}

/// One policy's density line and summary.
#[derive(Serialize)]
pub(crate) struct PolicyDensity {
    #[serde(flatten)]
    pub policy: PolicyRef,
    /// Mean, its Monte Carlo standard error, p5, p50 and p95 (as in summary.json).
    pub moments: MomentsJson,
    /// Share of runs left of the plotted range and right of it.
    pub share_below: f64,
    pub share_above: f64,
    /// Share of runs with the value exactly 0 (harm only; they cannot be shown on a log axis).
    pub share_zero: f64,
    /// (x, density): x in $B, or in log10 $B on a log axis, where density is per decade.
    pub density: Vec<[f64; 2]>,
}

/// Density overlay of one outcome.
#[derive(Serialize)]
pub(crate) struct Density {
    pub measure: Measure,
    /// Whether x is log10 of $B (harm).
    pub log_x: bool,
    pub x_unit: &'static str,
    pub runs: usize,
    pub range: [f64; 2],
    pub bandwidth_rule: &'static str,
    pub policies: Vec<PolicyDensity>,
}

impl Density {
    pub fn compute(input: &FigureInput<'_>, measure: Measure) -> Density {
        let np = input.scenario.policies().len();
        let log_x = measure == Measure::Harm;
        let raw: Vec<Vec<f64>> = (0..np).map(|p| measure.values(input, p)).collect();
        // On a log axis, the density of log10(x) over positive runs, scaled by their share
        // so that areas still compare across policies.
        let plotted: Vec<Vec<f64>> = if log_x {
            raw.iter().map(|v| v.iter().filter(|&&x| x > 0.0).map(|x| x.log10()).collect()).collect()
        } else {
            raw.clone()
        };
        let slices: Vec<&[f64]> = plotted.iter().map(Vec::as_slice).collect();
        let (mut lo, mut hi) = common_range(&slices, if log_x { 0.001 } else { TAIL });
        if log_x {
            lo = lo.floor();
            hi = hi.ceil().max(lo + 1.0);
        }
        let refs = policy_refs(input.scenario);
        let policies = (0..np)
            .map(|p| {
                let n = raw[p].len().max(1) as f64;
                let positive = plotted[p].len() as f64 / n;
                let mut d = density(&plotted[p], lo, hi, DENSITY_POINTS);
                if log_x {
                    for pt in &mut d {
                        pt[1] *= positive;
                    }
                }
                let below = plotted[p].iter().filter(|&&x| x < lo).count() as f64 / n;
                let above = plotted[p].iter().filter(|&&x| x > hi).count() as f64 / n;
                PolicyDensity {
                    policy: refs[p].clone(),
                    moments: measure.moments(input, p),
                    share_below: below,
                    share_above: above,
                    share_zero: raw[p].iter().filter(|&&x| x == 0.0).count() as f64 / n,
                    density: d,
                }
            })
            .collect();
        Density {
            measure,
            log_x,
            x_unit: if log_x { "log10 $B" } else { "$B" },
            runs: input.results.n_runs(),
            range: [lo, hi],
            bandwidth_rule: "Gaussian kernel, Silverman's rule (0.9 min(sd, IQR/1.34) n^-1/5)",
            policies,
        }
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend: Vec<LegendItem> = self
            .policies
            .iter()
            .map(|p| {
                LegendItem::new(
                    format!("{}: mean {}", p.policy.name, fmt::money_compact_plus_minus(p.moments.mean, p.moments.se)),
                    color(policy_color(p.policy.index)),
                    Swatch::Line,
                )
            })
            .collect();
        let mut notes = vec![format!(
            "Lines: kernel density over {} runs per policy; dashed: the mean; ± one Monte Carlo standard error.",
            self.runs
        )];
        if self.log_x {
            let zero = self.policies.iter().map(|p| p.share_zero).fold(0.0, f64::max);
            notes.push(format!(
                "Density per decade of harm, scaled by the share of runs with any harm{}.",
                if zero > 0.0 { format!(" (runs without harm: up to {:.1}%)", zero * 100.0) } else { String::new() }
            ));
        } else {
            let out = self.policies.iter().map(|p| p.share_below + p.share_above).fold(0.0, f64::max);
            notes.push(format!(
                "The axis shows the middle 99% of runs; up to {:.1}% of a policy's runs lie beyond it.",
                out * 100.0
            ));
        }
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        // Linear money axes spanning trillions read better per $1T than per $1B.
        let (per, y_title) = if self.log_x {
            (1.0, "Density (share of runs per decade)")
        } else if self.range[1] - self.range[0] >= 5000.0 {
            (1000.0, "Density (share of runs per $1T)")
        } else {
            (1.0, "Density (share of runs per $1B)")
        };
        let ymax = self.policies.iter().flat_map(|p| p.density.iter().map(|d| d[1] * per)).fold(0.0, f64::max) * 1.08;
        let ymax = if ymax > 0.0 { ymax } else { 1.0 };
        let x = if self.log_x {
            Axis::decades(self.range[0] as i32, self.range[1] as i32, fmt::money_decade, self.measure.axis_title(true))
        } else {
            Axis::linear(self.range[0], self.range[1], 7, fmt::money_compact, self.measure.axis_title(false))
        };
        let y = Axis::linear(0.0, ymax, 6, fmt::tick, y_title);
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        for p in &self.policies {
            let c = color(policy_color(p.policy.index));
            let pts: Vec<(f64, f64)> = p.density.iter().map(|d| (d[0], d[1] * per)).collect();
            line(&mut ch, &clip, &pts, st.line(c, 2.6))?;
            let m = if self.log_x { p.moments.mean.max(f64::MIN_POSITIVE).log10() } else { p.moments.mean };
            dashed(&mut ch, &clip, &[(m, 0.0), (m, ymax)], st.line(c, 1.8), st.px(8.0), st.px(6.0))?;
        }
        if !self.log_x && x.contains(0.0) && self.measure == Measure::Net {
            line(&mut ch, &clip, &[(0.0, 0.0), (0.0, ymax)], st.line(color(REFERENCE), 1.2))?;
        }
        Ok(())
    }
}

/// One policy's ECDF in one panel.
#[derive(Serialize)]
pub(crate) struct PolicyEcdf {
    #[serde(flatten)]
    pub policy: PolicyRef,
    pub moments: MomentsJson,
    /// (x, share of runs <= x, its binomial standard error); x in $B (log10 $B in the harm
    /// panel, where zeros are counted but drawn at the left edge).
    pub points: Vec<[f64; 3]>,
}

#[derive(Serialize)]
pub(crate) struct EcdfPanel {
    pub measure: Measure,
    pub log_x: bool,
    pub range: [f64; 2],
    pub policies: Vec<PolicyEcdf>,
}

/// ECDFs of benefit, harm (log x) and net, side by side.
#[derive(Serialize)]
pub(crate) struct Ecdf {
    pub runs: usize,
    pub panels: Vec<EcdfPanel>,
}

impl Ecdf {
    pub fn compute(input: &FigureInput<'_>) -> Ecdf {
        let np = input.scenario.policies().len();
        let refs = policy_refs(input.scenario);
        let panels = [Measure::Benefit, Measure::Harm, Measure::Net]
            .into_iter()
            .map(|measure| {
                let log_x = measure == Measure::Harm;
                let raw: Vec<Vec<f64>> = (0..np).map(|p| measure.values(input, p)).collect();
                let range = if log_x {
                    let logs: Vec<Vec<f64>> =
                        raw.iter().map(|v| v.iter().filter(|&&x| x > 0.0).map(|x| x.log10()).collect()).collect();
                    let slices: Vec<&[f64]> = logs.iter().map(Vec::as_slice).collect();
                    let (lo, hi) = common_range(&slices, 0.001);
                    (lo.floor(), hi.ceil().max(lo.floor() + 1.0))
                } else {
                    let slices: Vec<&[f64]> = raw.iter().map(Vec::as_slice).collect();
                    common_range(&slices, TAIL)
                };
                let policies = (0..np)
                    .map(|p| {
                        let mut points = ecdf_with_se(&raw[p]);
                        if log_x {
                            for pt in &mut points {
                                pt[0] = if pt[0] > 0.0 { pt[0].log10() } else { range.0 };
                            }
                        }
                        PolicyEcdf { policy: refs[p].clone(), moments: measure.moments(input, p), points }
                    })
                    .collect();
                EcdfPanel { measure, log_x, range: [range.0, range.1], policies }
            })
            .collect();
        Ecdf { runs: input.results.n_runs(), panels }
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = policy_legend(self.panels.first().map(|p| p.policies.iter().map(|x| &x.policy)));
        let notes = vec![
            format!(
                "Share of {} runs per policy at or below each value. Money in 2025 US dollars, discounted.",
                self.runs
            ),
            "Benefit and net axes show the middle 99% of runs; the harm axis is logarithmic.".to_string(),
        ];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let rest = super::style::shared_y_title(&body, st, "Share of runs ≤ x")?;
        let areas = rest.split_evenly((1, self.panels.len()));
        for (panel, area) in self.panels.iter().zip(&areas) {
            let (title, panel_title) = match panel.measure {
                Measure::Benefit => ("Benefit (2025 US$)", "Benefit"),
                Measure::Harm => ("Harm (2025 US$, log scale)", "Harm"),
                Measure::Net => ("Net welfare (2025 US$)", "Net welfare"),
            };
            let x = if panel.log_x {
                Axis::decades(panel.range[0] as i32, panel.range[1] as i32, fmt::money_decade, title)
            } else {
                Axis::linear(panel.range[0], panel.range[1], 4, fmt::money_compact, title)
            };
            let y = Axis::linear(0.0, 1.0, 5, fmt::fraction, "Share of runs ≤ x");
            let mut ch = chart(area, st, &ChartSpec::panel(&x, &y, panel_title, true, false))?;
            let clip = Clip::of(&x, &y);
            for p in &panel.policies {
                // A step function: hold each share until the next value.
                let mut pts: Vec<(f64, f64)> = Vec::with_capacity(p.points.len() * 2 + 1);
                let mut prev = 0.0;
                for pt in &p.points {
                    pts.push((pt[0], prev));
                    pts.push((pt[0], pt[1]));
                    prev = pt[1];
                }
                if let Some(last) = pts.last().copied() {
                    pts.insert(0, (x.lo.min(last.0), 0.0));
                    pts.push((x.hi.max(last.0), 1.0));
                }
                line(&mut ch, &clip, &pts, st.line(color(policy_color(p.policy.index)), 2.4))?;
            }
        }
        Ok(())
    }
}

/// The ECDF at up to [`ECDF_POINTS`] points, each with the binomial standard error of the
/// share, sqrt(F (1 - F) / n).
fn ecdf_with_se(values: &[f64]) -> Vec<[f64; 3]> {
    let n = values.len().max(1) as f64;
    ecdf(values, ECDF_POINTS).into_iter().map(|[x, f]| [x, f, (f * (1.0 - f) / n).sqrt()]).collect()
}

pub(crate) fn policy_legend<'a>(policies: Option<impl Iterator<Item = &'a PolicyRef>>) -> Vec<LegendItem> {
    policies
        .map(|it| it.map(|p| LegendItem::new(p.name.clone(), color(policy_color(p.index)), Swatch::Line)).collect())
        .unwrap_or_default()
}

/// One policy's paired difference to the baseline.
#[derive(Serialize)]
pub(crate) struct PolicyDifference {
    #[serde(flatten)]
    pub policy: PolicyRef,
    /// Mean of net - baseline net over runs, and its Monte Carlo standard error.
    pub mean: f64,
    pub se: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    /// Share of runs in which this policy's net is strictly greater than the baseline's,
    /// and its binomial standard error sqrt(p(1-p)/n).
    pub p_better: f64,
    pub p_better_se: f64,
    /// (difference in $B, share of runs <= it, its binomial standard error).
    pub ecdf: Vec<[f64; 3]>,
}

/// Net minus the baseline's net, run by run, for every other policy.
#[derive(Serialize)]
pub(crate) struct Paired {
    /// The reference policy, which the others are paired against.
    #[serde(rename = "baseline")]
    pub reference: PolicyRef,
    pub runs: usize,
    pub range: [f64; 2],
    pub policies: Vec<PolicyDifference>,
}

impl Paired {
    pub fn compute(input: &FigureInput<'_>) -> Paired {
        let np = input.scenario.policies().len();
        let b = input.summary.reference;
        let refs = policy_refs(input.scenario);
        let base = input.results.column(b, |o| o.net());
        let n = base.len().max(1) as f64;
        let diffs: Vec<(usize, Vec<f64>)> = (0..np)
            .filter(|&p| p != b)
            .map(|p| (p, input.results.column(p, |o| o.net()).iter().zip(&base).map(|(a, c)| a - c).collect()))
            .collect();
        let policies: Vec<PolicyDifference> = diffs
            .iter()
            .map(|(p, d)| {
                let s = sorted(d);
                let (mean, se) = mean_se(d);
                let better = d.iter().filter(|&&x| x > 0.0).count() as f64 / n;
                PolicyDifference {
                    policy: refs[*p].clone(),
                    mean,
                    se,
                    p5: quantile_sorted(&s, 0.05),
                    p25: quantile_sorted(&s, 0.25),
                    p50: quantile_sorted(&s, 0.5),
                    p75: quantile_sorted(&s, 0.75),
                    p95: quantile_sorted(&s, 0.95),
                    p_better: better,
                    p_better_se: (better * (1.0 - better) / n).sqrt(),
                    ecdf: ecdf_with_se(d),
                }
            })
            .collect();
        // The axis spans the 5th to 95th percentiles of every policy's difference (the
        // tails are heavy both ways), with zero always in view.
        let lo = policies.iter().map(|p| p.p5).fold(0.0, f64::min);
        let hi = policies.iter().map(|p| p.p95).fold(0.0, f64::max);
        let pad = (hi - lo).max(1e-9) * 0.06;
        Paired { reference: refs[b].clone(), runs: base.len(), range: [lo - pad, hi + pad], policies }
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend: Vec<LegendItem> = self
            .policies
            .iter()
            .map(|p| {
                LegendItem::new(
                    format!("{}: P(better) {:.3} ± {:.3}", p.policy.name, p.p_better, p.p_better_se),
                    color(policy_color(p.policy.index)),
                    Swatch::Line,
                )
            })
            .collect();
        let notes = vec![
            format!(
                "Each policy's net welfare minus that of \"{}\" in the same world, over {} paired runs. Money in 2025 US dollars, discounted.",
                self.reference.name, self.runs
            ),
            "Axes: 5th to 95th percentile of every policy. Right: thin bar 5th-95th percentile, thick bar 25th-75th, black tick median, dot mean with its 95% interval."
                .to_string(),
        ];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let (left, right) = body.split_horizontally(body.dim_in_pixel().0 as i32 * 55 / 100);
        let title = format!("Net − net of \"{}\" (2025 US$)", self.reference.name);
        let x = Axis::linear(self.range[0], self.range[1], 5, fmt::money_compact, title.clone());
        let y = Axis::linear(0.0, 1.0, 5, fmt::fraction, "Share of runs ≤ x");
        let mut ch = chart(&left, st, &ChartSpec::panel(&x, &y, "Cumulative distribution", true, true))?;
        let clip = Clip::of(&x, &y);
        line(&mut ch, &clip, &[(0.0, 0.0), (0.0, 1.0)], st.line(color(REFERENCE), 1.5))?;
        for p in &self.policies {
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(p.ecdf.len() * 2 + 2);
            let mut prev = 0.0;
            for pt in &p.ecdf {
                pts.push((pt[0], prev));
                pts.push((pt[0], pt[1]));
                prev = pt[1];
            }
            if let Some(last) = pts.last().copied() {
                pts.insert(0, (x.lo.min(last.0), 0.0));
                pts.push((x.hi.max(last.0), 1.0));
            }
            line(&mut ch, &clip, &pts, st.line(color(policy_color(p.policy.index)), 2.4))?;
        }

        // Interval ("forest") plot: one row per policy, top to bottom in policy order.
        let rows = self.policies.len().max(1) as f64;
        let xr = Axis::linear(self.range[0], self.range[1], 5, fmt::money_compact, title);
        let mut yr = Axis::linear(0.0, rows, 1, fmt::fraction, "");
        yr.ticks.clear();
        yr.grid = false;
        let mut ch = chart(&right, st, &ChartSpec::panel(&xr, &yr, "Quantiles and mean", true, false))?;
        let label_px = right.dim_in_pixel().0 as i32 - st.px(40.0);
        let clip = Clip::of(&xr, &yr);
        line(&mut ch, &clip, &[(0.0, 0.0), (0.0, rows)], st.line(color(REFERENCE), 1.5))?;
        for (i, p) in self.policies.iter().enumerate() {
            let c = color(policy_color(p.policy.index));
            let yc = rows - i as f64 - 0.6;
            line(&mut ch, &clip, &[(p.p5, yc), (p.p95, yc)], st.line(c, 2.5))?;
            line(&mut ch, &clip, &[(p.p25, yc), (p.p75, yc)], st.line(c, 12.0))?;
            line(&mut ch, &clip, &[(p.p50, yc - 0.09), (p.p50, yc + 0.09)], st.line(BLACK, 2.5))?;
            let half = Z_95_TWO_SIDED * p.se;
            let ym = yc - 0.17;
            line(&mut ch, &clip, &[(p.mean - half, ym), (p.mean + half, ym)], st.line(BLACK, 1.5))?;
            if xr.contains(p.mean) {
                ch.draw_series(std::iter::once(Circle::new((p.mean, ym), st.px(4.0), BLACK.filled())))?;
            }
            let label = format!("{}: mean {}", p.policy.name, fmt::money_compact_plus_minus(p.mean, p.se));
            let label = fit_text(st, &label, &st.tick_font(), label_px);
            text(&mut ch, label, (xr.lo, yc + 0.22), st.tick_font(), (HPos::Left, VPos::Bottom))?;
        }
        Ok(())
    }
}
