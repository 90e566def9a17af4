//! Everything the views draw, computed once per result on the worker thread: summaries,
//! percentile bands, binned distributions, curves. Views never touch per-run data.

use std::sync::Arc;
use std::time::Duration;

use rayon::prelude::*;

use crate::analysis::horizon::horizon_text;
use crate::analysis::plotdata::{
    common_range, density_windowed, ecdf, exceedance_log, histogram, histogram_outline, share_at_or_below,
};
use crate::analysis::{SeriesSummary, Summary};
use crate::model::{P, Scenario};
use crate::sim::Results;
use crate::study::{Provenance, ScenarioSource};

/// Bins of a histogram outline.
pub const BINS: usize = 60;
/// Points of a density curve.
pub const DENSITY_POINTS: usize = 120;
/// Points of an ECDF.
pub const ECDF_POINTS: usize = 200;
/// Points of an exceedance curve.
pub const EXCEEDANCE_POINTS: usize = 120;
/// Share of worlds left out at each end when choosing a distribution plot's range (the
/// ECDF and the summary keep them): benefit and harm (on a log axis) show nearly all worlds,
/// net welfare and paired differences, whose tails are long on both sides, their body.
pub const RANGE_TAIL: f64 = 0.005;
pub const RANGE_TAIL_NET: f64 = 0.01;
pub const RANGE_TAIL_DIFF: f64 = 0.02;

/// Points of one curve.
pub type Curve = Vec<[f64; 2]>;

/// The distribution of one outcome for every policy, binned for drawing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricPlot {
    /// The x axis is log10 of the value (harm: a heavy tail); runs at zero are not drawn but
    /// counted (curves' areas and ECDFs include them).
    pub log10: bool,
    pub lo: f64,
    pub hi: f64,
    /// Densities and histograms are in percent of all worlds per `unit` of x (a round amount
    /// of money, or one decade on a log axis), which reads better than a density per $1B.
    pub unit: f64,
    /// Per policy (empty curves where there is nothing to draw).
    pub density: Vec<Vec<[f64; 2]>>,
    pub histogram: Vec<Vec<[f64; 2]>>,
    pub ecdf: Vec<Vec<[f64; 2]>>,
    /// Share of runs at exactly zero (log10 plots only; 0 otherwise).
    pub zero_share: Vec<f64>,
    /// Share of worlds left beyond each end of the x range (the ECDF piles them on its edges).
    pub tail: f64,
}

impl MetricPlot {
    /// Binned curves of `columns` (one per policy; empty columns give empty curves).
    pub fn new(columns: &[Vec<f64>], log10: bool, tail: f64) -> MetricPlot {
        let n_pol = columns.len();
        let transformed: Vec<Vec<f64>> = if log10 {
            columns.iter().map(|c| c.iter().filter(|&&x| x > 0.0).map(|x| x.log10()).collect()).collect()
        } else {
            columns.to_vec()
        };
        let zero_share: Vec<f64> = columns
            .iter()
            .zip(&transformed)
            .map(|(c, t)| if log10 && !c.is_empty() { 1.0 - t.len() as f64 / c.len() as f64 } else { 0.0 })
            .collect();
        let refs: Vec<&[f64]> = transformed.iter().filter(|t| !t.is_empty()).map(Vec::as_slice).collect();
        let (lo, hi) = common_range(&refs, tail);
        let unit = if log10 { 1.0 } else { round_unit((hi - lo) / 40.0) };
        let curves: Vec<[Curve; 3]> = transformed
            .par_iter()
            .zip(&zero_share)
            .map(|(t, z)| {
                if t.len() < 2 {
                    return [Vec::new(), Vec::new(), Vec::new()];
                }
                // Scale to the share of runs drawn, so areas compare across policies, and to
                // percent per unit.
                let keep = (1.0 - z) * unit * 100.0;
                let mut d = density_windowed(t, lo, hi, DENSITY_POINTS);
                let mut h = histogram_outline(&histogram(t, lo, hi, BINS));
                for p in d.iter_mut().chain(h.iter_mut()) {
                    p[1] *= keep;
                }
                let mut e = ecdf(t, ECDF_POINTS);
                for p in &mut e {
                    // Worlds beyond the plot's range pile up on its edges.
                    p[0] = p[0].clamp(lo, hi);
                    p[1] = z + (1.0 - z) * p[1];
                }
                [d, h, e]
            })
            .collect();
        let mut plot = MetricPlot {
            log10,
            lo,
            hi,
            unit,
            density: Vec::with_capacity(n_pol),
            histogram: Vec::with_capacity(n_pol),
            ecdf: Vec::with_capacity(n_pol),
            zero_share,
            tail,
        };
        for [d, h, e] in curves {
            plot.density.push(d);
            plot.histogram.push(h);
            plot.ecdf.push(e);
        }
        plot
    }
}

/// A power of ten near `x` (1 for anything that is not a positive number).
pub fn round_unit(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { 10f64.powf(x.log10().round()) } else { 1.0 }
}

/// Percentile bands of one series for one policy, as columns ready for a fan chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fan {
    pub years: Vec<f64>,
    pub p5: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
    pub mean: Vec<f64>,
}

impl Fan {
    pub fn of(series: &SeriesSummary, policy: usize, metric: usize) -> Fan {
        let mut f = Fan::default();
        for t in 0..series.steps {
            let b = series.band(policy, metric, t);
            f.years.push(series.year(t));
            f.p5.push(b.p5);
            f.p25.push(b.p25);
            f.p50.push(b.p50);
            f.p75.push(b.p75);
            f.p95.push(b.p95);
            f.mean.push(b.mean);
        }
        f
    }

    pub fn median_points(&self) -> Vec<[f64; 2]> {
        self.years.iter().zip(&self.p50).map(|(&x, &y)| [x, y]).collect()
    }
}

/// The binned curves of one result.
struct Curves {
    benefit: MetricPlot,
    harm: MetricPlot,
    net: MetricPlot,
    diff: MetricPlot,
    exceedance: Vec<Vec<[f64; 2]>>,
    hazard_public: Vec<Vec<[f64; 2]>>,
}

fn sorted_in_place(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_unstable_by(f64::total_cmp);
    v
}

impl Curves {
    fn new(results: &Results, reference: usize, grid: &[f64]) -> Curves {
        let np = results.n_policies;
        let col = |f: fn(&crate::sim::Outcome) -> f64| -> Vec<Vec<f64>> {
            (0..np).into_par_iter().map(|p| results.column(p, f)).collect()
        };
        let net = col(crate::sim::Outcome::net);
        // Paired differences first, while the runs are still in order.
        let diff: Vec<Vec<f64>> = (0..np)
            .into_par_iter()
            .map(|p| match (p == reference, net.get(p), net.get(reference)) {
                (false, Some(a), Some(b)) => sorted_in_place(a.iter().zip(b).map(|(a, b)| a - b).collect()),
                _ => Vec::new(),
            })
            .collect();
        // Every curve below is order-free; sorted columns make the sorts inside cheap.
        let sort_all = |cols: Vec<Vec<f64>>| -> Vec<Vec<f64>> { cols.into_par_iter().map(sorted_in_place).collect() };
        let net = sort_all(net);
        let benefit = sort_all(col(|o| o.benefit));
        let harm = sort_all(col(|o| o.harm));
        let hazard = col(|o| o.hazard_year);
        let ((benefit_plot, harm_plot), ((net_plot, diff_plot), (exceedance, hazard_public))) = rayon::join(
            || {
                rayon::join(
                    || MetricPlot::new(&benefit, false, RANGE_TAIL),
                    || MetricPlot::new(&harm, true, RANGE_TAIL),
                )
            },
            || {
                rayon::join(
                    || {
                        rayon::join(
                            || MetricPlot::new(&net, false, RANGE_TAIL_NET),
                            || MetricPlot::new(&diff, false, RANGE_TAIL_DIFF),
                        )
                    },
                    || {
                        rayon::join(
                            || harm.par_iter().map(|c| exceedance_log(c, EXCEEDANCE_POINTS)).collect(),
                            || hazard.par_iter().map(|c| share_at_or_below(c, grid)).collect(),
                        )
                    },
                )
            },
        );
        Curves { benefit: benefit_plot, harm: harm_plot, net: net_plot, diff: diff_plot, exceedance, hazard_public }
    }
}

/// Series metric indices (SERIES_FIXED order, then one share per jurisdiction).
pub const FRONTIER: usize = 0;
pub const OPEN_POOL: usize = 1;
pub const CUM_BENEFIT: usize = 2;
pub const CUM_HARM: usize = 3;
pub const FIRST_SHARE: usize = 4;

/// One result as the views draw it.
#[derive(Clone, Debug)]
pub struct Computed {
    /// The job that produced it.
    pub job: u64,
    /// Runs included, and the job's total: `runs < total_runs` is a preview.
    pub runs: usize,
    pub total_runs: u64,
    pub elapsed: Duration,
    pub scenario_name: String,
    pub policy_names: Vec<String>,
    pub jurisdiction_names: Vec<String>,
    /// The reference policy: the one the others are paired against.
    pub reference: usize,
    pub years: f64,
    pub summary: Summary,
    /// Runs the per-jurisdiction means come from (all of them, unless there are very many).
    pub jurisdiction_runs: usize,
    /// `fans[policy][metric]` over the first runs (at most `SERIES_RUNS`).
    pub fans: Vec<Vec<Fan>>,
    pub series_runs: usize,
    pub benefit: MetricPlot,
    pub harm: MetricPlot,
    pub net: MetricPlot,
    /// Net minus the reference policy's net in the same run (empty for the reference policy
    /// itself).
    pub diff: MetricPlot,
    /// Harm exceedance (log10 harm, log10 P(harm > x)) per policy.
    pub exceedance: Vec<Vec<[f64; 2]>>,
    /// (year, share of runs whose open pool had reached the hazard threshold) per policy.
    pub hazard_public: Vec<Vec<[f64; 2]>>,
    /// 5th, 50th and 95th percentile of the hazard threshold parameter (log10 FLOP).
    pub hazard_threshold: [f64; 3],
    /// What the result counts in time: the years simulated and the continuation after them,
    /// in words ([`horizon_text`]).
    pub horizon: String,
    pub provenance: Provenance,
    /// The text the provenance hashes (exports write it when no file holds it).
    pub source: Arc<ScenarioSource>,
}

impl Computed {
    pub fn is_final(&self) -> bool {
        self.runs as u64 >= self.total_runs
    }

    pub fn n_policies(&self) -> usize {
        self.policy_names.len()
    }

    pub fn fan(&self, policy: usize, metric: usize) -> Option<&Fan> {
        self.fans.get(policy).and_then(|f| f.get(metric))
    }

    /// Builds every view's data from the runs of `scenario` simulated so far: their outcomes,
    /// and the summaries and series bands of the main simulation over them.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        job: u64,
        scenario: &Scenario,
        source: &Arc<ScenarioSource>,
        results: &Results,
        summary: Summary,
        series: SeriesSummary,
        total_runs: u64,
        elapsed: Duration,
    ) -> Computed {
        let names: Vec<String> = scenario.policies().iter().map(|p| p.name.clone()).collect();
        let jnames: Vec<String> = scenario.jurisdictions().iter().map(|j| j.name.clone()).collect();
        let reference = scenario.run().reference.min(names.len().saturating_sub(1));
        let np = results.n_policies;
        let steps = scenario.run().steps();
        let dt = scenario.run().dt();
        let grid: Vec<f64> = (0..=steps).map(|t| t as f64 * dt).collect();
        let curves = Curves::new(results, reference, &grid);
        let fans = (0..np).map(|p| (0..series.metrics.len()).map(|m| Fan::of(&series, p, m)).collect()).collect();
        let h = &scenario.world()[P::hazard_threshold as usize];
        let mut provenance = Provenance::new(scenario, &source.origin, &source.text);
        provenance.runs = results.n_runs() as u64;
        provenance.wall_time_s = elapsed.as_secs_f64();
        provenance.series_runs = series.runs;
        let horizon = horizon_text(scenario, summary.policies.get(reference));

        Computed {
            job,
            runs: results.n_runs(),
            total_runs,
            elapsed,
            scenario_name: scenario.name().to_string(),
            policy_names: names,
            jurisdiction_names: jnames,
            reference,
            years: f64::from(scenario.run().years),
            summary,
            jurisdiction_runs: results.n_runs(),
            series_runs: series.runs,
            fans,
            benefit: curves.benefit,
            harm: curves.harm,
            net: curves.net,
            diff: curves.diff,
            exceedance: curves.exceedance,
            hazard_public: curves.hazard_public,
            hazard_threshold: [h.quantile(0.05), h.quantile(0.5), h.quantile(0.95)],
            horizon,
            provenance,
            source: Arc::clone(source),
        }
    }

    /// The final result of every run of `input`'s scenario, made at once (no stages): what a
    /// test or a benchmark compares with.
    ///
    /// # Errors
    /// A store that cannot be written.
    pub fn whole(job: u64, input: &crate::study::Input) -> Result<Computed, crate::sim::pipeline::PipelineError> {
        let started = web_time::Instant::now();
        let keeps = crate::study::Keeps::everything();
        let sim = crate::study::MainSimulation::run_whole(input, &keeps, &crate::sim::Control::new())?;
        let series = sim.series.unwrap_or_default();
        let runs = input.scenario.run().runs;
        Ok(Computed::new(
            job,
            &input.scenario,
            &input.source,
            &sim.results,
            sim.summary,
            series,
            runs,
            started.elapsed(),
        ))
    }

    /// The plot data of one outcome.
    pub fn metric(&self, m: super::state::Metric) -> &MetricPlot {
        match m {
            super::state::Metric::Benefit => &self.benefit,
            super::state::Metric::Harm => &self.harm,
            super::state::Metric::Net => &self.net,
        }
    }

    /// Share of runs in which the hazardous capability was public by `year`.
    pub fn hazard_public_by(&self, policy: usize, year: f64) -> f64 {
        self.hazard_public
            .get(policy)
            .and_then(|c| c.iter().take_while(|p| p[0] <= year + 1e-9).last())
            .map_or(0.0, |p| p[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Control;
    use crate::study::{Input, Keeps, MainSimulation};

    #[test]
    fn computed_from_a_small_run_of_the_built_in_scenario() {
        let input = Input::built_in().with_overrides(Some(200), None).unwrap();
        let s = &input.scenario;
        let sim = MainSimulation::run_whole(&input, &Keeps::everything(), &Control::new()).unwrap();
        let series = sim.series.clone().unwrap();
        let c = Computed::new(1, s, &input.source, &sim.results, sim.summary.clone(), series, 200, Duration::ZERO);
        assert!(c.is_final());
        assert_eq!(c.summary.policies.len(), s.policies().len());
        assert_eq!(c.fans.len(), s.policies().len());
        assert_eq!(c.fans[0].len(), 4 + s.jurisdictions().len());
        assert_eq!(c.fans[0][CUM_HARM].years.len(), s.run().steps());
        assert!(c.diff.density[c.reference].is_empty());
        assert_eq!(c.net.density[0].len(), DENSITY_POINTS);
        assert!(c.harm.log10);
        let last = c.hazard_public[0].last().unwrap();
        assert!((last[0] - 10.0).abs() < 1e-9 && (0.0..=1.0).contains(&last[1]));
        assert!(c.hazard_public_by(0, 10.0) >= c.hazard_public_by(0, 5.0));
    }

    #[test]
    fn densities_are_percent_per_unit() {
        let v: Vec<f64> = (0..1000).map(f64::from).collect();
        let m = MetricPlot::new(&[v], false, RANGE_TAIL);
        assert_eq!(m.unit, 10.0);
        let area: f64 = m.density[0].windows(2).map(|w| (w[1][0] - w[0][0]) * 0.5 * (w[0][1] + w[1][1])).sum();
        // About 100% (the range drops the outer 0.5% on each side, the kernel loses a little
        // at the edges).
        assert!((90.0..=101.0).contains(&(area / m.unit)), "{area}");
        assert_eq!(round_unit(6250.0), 10_000.0);
        assert_eq!(round_unit(-1.0), 1.0);
    }

    #[test]
    fn log_plots_count_zeros() {
        let cols = vec![vec![0.0, 0.0, 10.0, 100.0], vec![]];
        let m = MetricPlot::new(&cols, true, RANGE_TAIL);
        assert!((m.zero_share[0] - 0.5).abs() < 1e-12);
        assert!((m.ecdf[0][0][1] - 0.75).abs() < 1e-12);
        assert!(m.density[1].is_empty());
    }
}
