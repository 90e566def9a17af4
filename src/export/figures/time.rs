//! Figures over time, from the per-step percentile series: fan charts of cumulative
//! benefit and harm, the frontier and open pool against the hazard threshold, and
//! frontier-development shares per jurisdiction. One small multiple per policy, on shared
//! axes.

use plotters::prelude::*;
use serde::Serialize;

use super::error::FigureError;
use super::input::FigureInput;
use super::policy::{PolicyRef, policy_refs};
use super::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, band, chart, color, dashed,
    grid_shape, line, shared_y_title,
};
use crate::analysis::{Band, SeriesSummary};
use crate::fmt;
use crate::model::P;
use crate::theme::{HAZARD, jurisdiction_color, policy_color};

/// Neutral colour of legend swatches that stand for "this policy's colour".
const NEUTRAL: RGBColor = RGBColor(90, 90, 90);
/// Colour of the world frontier.
const FRONTIER: RGBColor = RGBColor(60, 60, 60);

/// Percentiles and mean of one metric at one time.
#[derive(Clone, Copy, Serialize)]
pub(crate) struct BandPoint {
    pub year: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub mean: f64,
}

impl BandPoint {
    fn of(year: f64, b: &Band) -> BandPoint {
        BandPoint { year, p5: b.p5, p25: b.p25, p50: b.p50, p75: b.p75, p95: b.p95, mean: b.mean }
    }
    fn flat(year: f64, x: f64) -> BandPoint {
        BandPoint { year, p5: x, p25: x, p50: x, p75: x, p95: x, mean: x }
    }
}

fn series<'a>(input: &FigureInput<'a>) -> Result<&'a SeriesSummary, FigureError> {
    input.series.ok_or_else(|| FigureError::MissingData { figure: "time series", what: "per-step series".into() })
}

fn metric(s: &SeriesSummary, name: &str, figure: &'static str) -> Result<usize, FigureError> {
    s.metric_index(name).ok_or_else(|| FigureError::MissingData { figure, what: format!("the series metric {name}") })
}

fn points(s: &SeriesSummary, policy: usize, m: usize) -> Vec<BandPoint> {
    (0..s.steps).map(|t| BandPoint::of(s.year(t), s.band(policy, m, t))).collect()
}

/// Splits the body into one panel per policy, after a y title shared by all of them;
/// returns the panels in policy order and the grid's rows and columns.
fn panels<DB: DrawingBackend>(
    body: &Area<DB>,
    st: &Style,
    n: usize,
    y_title: &str,
) -> DrawResult<(Vec<Area<DB>>, usize, usize)>
where
    DB::ErrorType: 'static,
{
    let rest = shared_y_title(body, st, y_title)?;
    let (rows, cols) = grid_shape(n);
    Ok((rest.split_evenly((rows, cols)), rows, cols))
}

/// Which cumulative outcome a fan chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FanMetric {
    Benefit,
    Harm,
}

#[derive(Serialize)]
pub(crate) struct PolicyFan {
    #[serde(flatten)]
    pub policy: PolicyRef,
    /// Year 0 (all zero) and the end of every step.
    pub points: Vec<BandPoint>,
}

/// A fan chart of cumulative discounted benefit or harm.
#[derive(Serialize)]
pub(crate) struct Fan {
    pub metric: FanMetric,
    pub unit: &'static str,
    /// Runs the percentiles are computed from (the first ones; see provenance.series_runs).
    pub series_runs: usize,
    pub policies: Vec<PolicyFan>,
}

impl Fan {
    pub fn compute(input: &FigureInput<'_>, which: FanMetric) -> Result<Fan, FigureError> {
        let s = series(input)?;
        let name = match which {
            FanMetric::Benefit => "cum_benefit",
            FanMetric::Harm => "cum_harm",
        };
        let m = metric(s, name, "fan chart")?;
        let refs = policy_refs(input.scenario);
        let policies = (0..s.n_policies)
            .map(|p| {
                let mut pts = vec![BandPoint::flat(0.0, 0.0)];
                pts.extend(points(s, p, m));
                PolicyFan { policy: refs[p].clone(), points: pts }
            })
            .collect();
        Ok(Fan { metric: which, unit: "$B (2025, discounted)", series_runs: s.runs, policies })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::new("median", NEUTRAL, Swatch::Line),
            LegendItem::new("mean", NEUTRAL, Swatch::Dashed),
            LegendItem::new("middle 50% of runs", NEUTRAL, Swatch::Fill(0.45)),
            LegendItem::new("middle 90% of runs", NEUTRAL, Swatch::Fill(0.2)),
        ];
        let what = match self.metric {
            FanMetric::Benefit => "benefit",
            FanMetric::Harm => "harm",
        };
        let notes = vec![format!(
            "Cumulative discounted {what} since the start, in 2025 US dollars; percentiles over the first {} runs; one panel per policy, same axes.",
            self.series_runs
        )];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let years = self.policies.iter().flat_map(|p| p.points.last().map(|q| q.year)).fold(1.0, f64::max);
        let ymax = self.policies.iter().flat_map(|p| p.points.iter().map(|q| q.p95.max(q.mean))).fold(0.0, f64::max);
        let x = Axis::linear(0.0, years, 5, fmt::years, "Year");
        let y = Axis::linear(
            0.0,
            if ymax > 0.0 { ymax * 1.05 } else { 1.0 },
            5,
            fmt::money_compact,
            format!("Cumulative {what} (2025 US$)"),
        );
        let (areas, rows, cols) = panels(&body, st, self.policies.len(), &y.title)?;
        for (i, (p, area)) in self.policies.iter().zip(&areas).enumerate() {
            let bottom_row = i / cols == rows - 1 || i + cols >= self.policies.len();
            let spec = ChartSpec::panel(&x, &y, &p.policy.name, bottom_row, false);
            let mut ch = chart(area, st, &spec)?;
            let clip = Clip::of(&x, &y);
            let c = color(policy_color(p.policy.index));
            let get = |f: fn(&BandPoint) -> f64| p.points.iter().map(|q| (q.year, f(q))).collect::<Vec<_>>();
            band(&mut ch, &clip, &get(|q| q.p5), &get(|q| q.p95), st.fill(c, 0.2))?;
            band(&mut ch, &clip, &get(|q| q.p25), &get(|q| q.p75), st.fill(c, 0.45))?;
            line(&mut ch, &clip, &get(|q| q.p50), st.line(c, 2.6))?;
            dashed(&mut ch, &clip, &get(|q| q.mean), st.line(c, 2.0), st.px(8.0), st.px(6.0))?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
pub(crate) struct PolicyCapability {
    #[serde(flatten)]
    pub policy: PolicyRef,
    /// World frontier K and open pool O, log10 FLOP, at the end of every step.
    pub frontier: Vec<BandPoint>,
    pub open_pool: Vec<BandPoint>,
}

/// Frontier and open pool against the hazard threshold.
#[derive(Serialize)]
pub(crate) struct Capability {
    pub unit: &'static str,
    pub series_runs: usize,
    /// world.hazard_threshold: its central value and its 5th and 95th percentiles (equal
    /// when fixed), log10 FLOP.
    pub hazard_threshold: [f64; 3],
    pub policies: Vec<PolicyCapability>,
}

impl Capability {
    pub fn compute(input: &FigureInput<'_>) -> Result<Capability, FigureError> {
        let s = series(input)?;
        let mf = metric(s, "frontier", "frontier_open_pool")?;
        let mo = metric(s, "open_pool", "frontier_open_pool")?;
        let refs = policy_refs(input.scenario);
        let policies = (0..s.n_policies)
            .map(|p| PolicyCapability {
                policy: refs[p].clone(),
                frontier: points(s, p, mf),
                open_pool: points(s, p, mo),
            })
            .collect();
        let h = &input.scenario.world()[P::hazard_threshold as usize];
        Ok(Capability {
            unit: "log10 effective FLOP (training FLOP at the start's algorithms)",
            series_runs: s.runs,
            hazard_threshold: [h.central(), h.quantile(0.05), h.quantile(0.95)],
            policies,
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let [h, h_lo, h_hi] = self.hazard_threshold;
        let uncertain = h_hi > h_lo;
        let mut legend = vec![
            LegendItem::new("frontier (median, 90% of runs)", FRONTIER, Swatch::Line),
            LegendItem::new("open-weight pool (median, 90% of runs; policy colour)", NEUTRAL, Swatch::Line),
            LegendItem::new(
                format!("hazard threshold H = {} effective FLOP", fmt::flop(h)),
                color(HAZARD),
                Swatch::Dashed,
            ),
        ];
        if uncertain {
            legend.push(LegendItem::new("H: 90% range of its uncertainty", color(HAZARD), Swatch::Fill(0.12)));
        }
        let notes = vec![format!(
            "Capability as training compute (log scale); percentiles over the first {} runs; one panel per policy, same axes.",
            self.series_runs
        )];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let mut lo = h_lo;
        let mut hi = h_hi;
        let mut years: f64 = 1.0;
        for p in &self.policies {
            for q in p.frontier.iter().chain(&p.open_pool) {
                lo = lo.min(q.p5);
                hi = hi.max(q.p95);
                years = years.max(q.year);
            }
        }
        let pad = (hi - lo).max(0.5) * 0.04;
        let (lo, hi) = (lo - pad, hi + pad);
        let x = Axis::linear(0.0, years, 5, fmt::years, "Year");
        let mut y = Axis::linear(lo, hi, 6, fmt::flop_tick, "Capability, effective FLOP (log scale)");
        if hi - lo >= 3.0 {
            // Whole decades only, each labelled.
            y.ticks.retain(|t| (t - t.round()).abs() < 1e-9);
            if y.ticks.len() < 2 {
                y.ticks = (lo.ceil() as i32..=hi.floor() as i32).map(f64::from).collect();
            }
            // Decades without a label still get a light grid line.
            y.minor = (lo.ceil() as i32..=hi.floor() as i32)
                .map(f64::from)
                .filter(|d| !y.ticks.iter().any(|t| (t - d).abs() < 1e-9))
                .collect();
        }
        let (areas, rows, cols) = panels(&body, st, self.policies.len(), &y.title)?;
        for (i, (p, area)) in self.policies.iter().zip(&areas).enumerate() {
            let bottom_row = i / cols == rows - 1 || i + cols >= self.policies.len();
            let spec = ChartSpec::panel(&x, &y, &p.policy.name, bottom_row, false);
            let mut ch = chart(area, st, &spec)?;
            let clip = Clip::of(&x, &y);
            if uncertain {
                band(
                    &mut ch,
                    &clip,
                    &[(x.lo, h_lo), (x.hi, h_lo)],
                    &[(x.lo, h_hi), (x.hi, h_hi)],
                    st.fill(color(HAZARD), 0.12),
                )?;
            }
            dashed(&mut ch, &clip, &[(x.lo, h), (x.hi, h)], st.line(color(HAZARD), 2.2), st.px(10.0), st.px(6.0))?;
            let c = color(policy_color(p.policy.index));
            for (pts, col, width) in [(&p.frontier, FRONTIER, 2.4), (&p.open_pool, c, 2.6)] {
                let get = |f: fn(&BandPoint) -> f64| pts.iter().map(|q| (q.year, f(q))).collect::<Vec<_>>();
                band(&mut ch, &clip, &get(|q| q.p5), &get(|q| q.p95), st.fill(col, 0.18))?;
                line(&mut ch, &clip, &get(|q| q.p50), st.line(col, width))?;
            }
        }
        Ok(())
    }
}

#[derive(Serialize)]
pub(crate) struct JurisdictionShare {
    pub name: String,
    pub color: String,
    /// Year 0 (share0, fixed) and the end of every step.
    pub points: Vec<BandPoint>,
}

#[derive(Serialize)]
pub(crate) struct PolicyShares {
    #[serde(flatten)]
    pub policy: PolicyRef,
    pub jurisdictions: Vec<JurisdictionShare>,
}

/// Frontier-development shares over time (stacked means).
#[derive(Serialize)]
pub(crate) struct Shares {
    pub unit: &'static str,
    pub series_runs: usize,
    pub policies: Vec<PolicyShares>,
}

impl Shares {
    pub fn compute(input: &FigureInput<'_>) -> Result<Shares, FigureError> {
        let s = series(input)?;
        let refs = policy_refs(input.scenario);
        let js = &input.scenario.jurisdictions();
        let ms: Vec<usize> =
            js.iter().map(|j| metric(s, &format!("share:{}", j.name), "shares_over_time")).collect::<Result<_, _>>()?;
        let policies = (0..s.n_policies)
            .map(|p| PolicyShares {
                policy: refs[p].clone(),
                jurisdictions: js
                    .iter()
                    .enumerate()
                    .map(|(j, jur)| {
                        let mut pts = vec![BandPoint::flat(0.0, jur.share0)];
                        pts.extend(points(s, p, ms[j]));
                        JurisdictionShare {
                            name: jur.name.clone(),
                            color: super::style::hex(jurisdiction_color(j)),
                            points: pts,
                        }
                    })
                    .collect(),
            })
            .collect();
        Ok(Shares { unit: "share of frontier development capacity", series_runs: s.runs, policies })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend: Vec<LegendItem> = self
            .policies
            .first()
            .map(|p| {
                p.jurisdictions
                    .iter()
                    .enumerate()
                    .map(|(j, x)| LegendItem::new(x.name.clone(), color(jurisdiction_color(j)), Swatch::Fill(0.85)))
                    .collect()
            })
            .unwrap_or_default();
        let notes = vec![format!(
            "Mean share of frontier development capacity per jurisdiction, stacked (they sum to 100%); over the first {} runs.",
            self.series_runs
        )];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let years = self
            .policies
            .iter()
            .flat_map(|p| p.jurisdictions.iter().flat_map(|j| j.points.last().map(|q| q.year)))
            .fold(1.0, f64::max);
        let x = Axis::linear(0.0, years, 5, fmt::years, "Year");
        let y = Axis::linear(0.0, 1.0, 5, fmt::percent, "Share of frontier development");
        let (areas, rows, cols) = panels(&body, st, self.policies.len(), &y.title)?;
        for (i, (p, area)) in self.policies.iter().zip(&areas).enumerate() {
            let bottom_row = i / cols == rows - 1 || i + cols >= self.policies.len();
            let spec = ChartSpec::panel(&x, &y, &p.policy.name, bottom_row, false);
            let mut ch = chart(area, st, &spec)?;
            let clip = Clip::of(&x, &y);
            let steps = p.jurisdictions.first().map_or(0, |j| j.points.len());
            let mut base: Vec<(f64, f64)> = (0..steps).map(|t| (p.jurisdictions[0].points[t].year, 0.0)).collect();
            for (j, jur) in p.jurisdictions.iter().enumerate() {
                let top: Vec<(f64, f64)> =
                    base.iter().zip(&jur.points).map(|(b, q)| (b.0, (b.1 + q.mean).min(1.0))).collect();
                band(&mut ch, &clip, &base, &top, st.fill(color(jurisdiction_color(j)), 0.85))?;
                line(&mut ch, &clip, &top, st.line(WHITE, 1.0))?;
                base = top;
            }
        }
        Ok(())
    }
}
