//! Sensitivity: which uncertain parameters drive an outcome.
//!
//! Three views, all for one policy and one output:
//! - rank correlations from runs already made (`Record { params: true }`): Spearman's rho of
//!   each parameter with the output, and the partial rank correlation (PRCC), which removes
//!   the linear effect of every other parameter's ranks from both sides first;
//! - a one-at-a-time tornado: each uncertain parameter held at its 10th and then its 90th
//!   percentile in every run while the others keep their draws (common random numbers), the
//!   swing being the change in the output's mean;
//! - "what drove this": the parameter draws of the worst 5% of runs against all runs.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::Policy;
use crate::model::Scenario;
use crate::model::params::PARAMS;
use crate::sim::{Outcome, Record, Results};

use super::stats::{mean_se, pearson, quantile_sorted, ranks, solve_spd, sorted};

/// Share of runs in the "worst runs" comparison.
pub const TAIL_SHARE: f64 = 0.05;
/// Bins of the histograms in the worst-runs comparison.
pub const HIST_BINS: usize = 20;
/// Percentiles a tornado holds each parameter at.
pub const TORNADO_LOW: f64 = 0.1;
pub const TORNADO_HIGH: f64 = 0.9;

/// Why a sensitivity analysis could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// Invalid input, with a message saying what is allowed.
    #[error("{0}")]
    Invalid(String),
}

/// The outcome analysed, per run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Output {
    Benefit,
    Harm,
    Net,
    /// Net minus the baseline policy's net in the same run.
    NetDiff,
    /// 1 if the run had at least one catastrophe, else 0 (its mean is P(catastrophe)).
    Catastrophe,
}

impl Output {
    pub const ALL: [Output; 5] = [Output::Benefit, Output::Harm, Output::Net, Output::NetDiff, Output::Catastrophe];

    pub fn key(self) -> &'static str {
        match self {
            Output::Benefit => "benefit",
            Output::Harm => "harm",
            Output::Net => "net",
            Output::NetDiff => "net_diff",
            Output::Catastrophe => "catastrophe",
        }
    }

    pub fn parse(key: &str) -> Option<Output> {
        Output::ALL.into_iter().find(|o| o.key() == key)
    }

    /// The output of one run, given the policy's and the baseline policy's outcomes.
    pub fn value(self, o: &Outcome, baseline: &Outcome) -> f64 {
        match self {
            Output::Benefit => o.benefit,
            Output::Harm => o.harm,
            Output::Net => o.net(),
            Output::NetDiff => o.net() - baseline.net(),
            Output::Catastrophe => f64::from(u8::from(o.catastrophes > 0)),
        }
    }

    /// Which runs count as worst for this output: highest harm for harm and catastrophe,
    /// lowest net otherwise.
    pub fn default_tail(self) -> TailBy {
        match self {
            Output::Harm | Output::Catastrophe => TailBy::Harm,
            Output::Benefit | Output::Net | Output::NetDiff => TailBy::Net,
        }
    }
}

/// How the worst runs are picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TailBy {
    /// Highest harm.
    Harm,
    /// Lowest net.
    Net,
}

impl TailBy {
    pub fn key(self) -> &'static str {
        match self {
            TailBy::Harm => "harm",
            TailBy::Net => "net",
        }
    }
}

/// What to analyse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivitySpec {
    /// Index of the policy in the scenario.
    pub policy: usize,
    pub output: Output,
    pub tail_by: TailBy,
    /// Whether to run the one-at-a-time tornado (2 extra simulations per uncertain parameter).
    pub tornado: bool,
}

impl SensitivitySpec {
    /// The usual analysis of `output` for `policy`: tornado on, worst runs by the output's
    /// default.
    pub fn new(policy: usize, output: Output) -> SensitivitySpec {
        SensitivitySpec { policy, output, tail_by: output.default_tail(), tornado: true }
    }
}

/// Spearman and partial rank correlation of one parameter with the output.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RankCorrelation {
    /// Index into `params::PARAMS`.
    pub index: usize,
    pub spearman: f64,
    pub prcc: f64,
}

/// Everything about one uncertain parameter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamSensitivity {
    /// `world.KEY`.
    pub param: String,
    pub index: usize,
    pub spearman: f64,
    pub prcc: f64,
    /// The parameter's 10th and 90th percentiles.
    pub p10: f64,
    pub p90: f64,
    /// Mean output with the parameter held at p10 (`low`) and at p90 (`high`) in every run
    /// (NaN without a tornado).
    pub low: f64,
    pub high: f64,
    /// `|high - low|`.
    pub swing: f64,
}

/// Histogram densities on shared bins (each integrates to 1).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Histogram {
    /// `HIST_BINS + 1` bin edges.
    pub edges: Vec<f64>,
    pub density_all: Vec<f64>,
    pub density_tail: Vec<f64>,
}

/// One parameter's draws in the worst runs against all runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TailParam {
    pub param: String,
    pub index: usize,
    pub median_all: f64,
    pub median_tail: f64,
    /// Interquartile range over all runs.
    pub iqr_all: f64,
    /// `(median_tail - median_all) / iqr_all` (NaN when the IQR is 0).
    pub shift_iqr: f64,
    pub histogram: Histogram,
}

/// The worst runs' parameter draws against all runs, sorted by `|shift_iqr|`, largest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TailComparison {
    pub by: TailBy,
    pub share: f64,
    /// Runs in the tail: ceil(share * runs).
    pub runs: usize,
    /// The tail's boundary: the smallest harm, or the largest net, among its runs.
    pub threshold: f64,
    pub params: Vec<TailParam>,
}

/// A complete sensitivity analysis.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sensitivity {
    pub policy: String,
    /// The reference policy's name (files call it the baseline).
    #[serde(rename = "baseline")]
    pub reference: String,
    pub output: Output,
    pub runs: u64,
    pub seed: u64,
    /// Mean output and its standard error with every parameter drawn.
    pub output_mean: f64,
    pub output_se: f64,
    /// Sorted by swing (by |PRCC| without a tornado), largest first.
    pub params: Vec<ParamSensitivity>,
    pub tail: TailComparison,
}

/// The output of every run of `policy`, paired against `baseline` for `NetDiff`.
pub fn output_column(results: &Results, policy: usize, baseline: usize, output: Output) -> Vec<f64> {
    (0..results.n_runs()).map(|r| output.value(results.outcome(r, policy), results.outcome(r, baseline))).collect()
}

/// Partial rank correlation of each column of `xs` with `y`: all columns and `y` are
/// rank-transformed; for column `j`, the linear effect (with intercept) of the other columns'
/// ranks is removed from the ranks of `x_j` and of `y` by least squares, and the residuals are
/// correlated. The normal equations are solved by Cholesky on the rank correlation matrix.
/// NaN for a constant column, a constant `y`, or fewer runs than parameters + 3.
pub fn prcc(xs: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let k = xs.len();
    let n = y.len();
    if k == 0 {
        return Vec::new();
    }
    let mut cols: Vec<Vec<f64>> = xs.par_iter().map(|x| ranks(x)).collect();
    cols.push(ranks(y));
    for c in &mut cols {
        let mean = c.iter().sum::<f64>() / n.max(1) as f64;
        c.iter_mut().for_each(|x| *x -= mean);
    }
    let m = k + 1;
    // Correlation matrix of the ranks (a scaled Gram matrix of the centred ranks).
    let gram: Vec<f64> = (0..m * m)
        .into_par_iter()
        .map(|ij| {
            let (i, j) = (ij / m, ij % m);
            if j < i { 0.0 } else { cols[i].iter().zip(&cols[j]).map(|(a, b)| a * b).sum() }
        })
        .collect();
    let g = |i: usize, j: usize| if j < i { gram[j * m + i] } else { gram[i * m + j] };
    let usable: Vec<bool> = (0..m).map(|i| g(i, i) > 0.0).collect();
    let c = |i: usize, j: usize| g(i, j) / (g(i, i) * g(j, j)).sqrt();
    let yi = k;
    (0..k)
        .map(|j| {
            if !usable[j] || !usable[yi] {
                return f64::NAN;
            }
            let others: Vec<usize> = (0..k).filter(|&i| i != j && usable[i]).collect();
            let q = others.len();
            if n < q + 3 {
                return f64::NAN;
            }
            if q == 0 {
                return c(j, yi);
            }
            let a: Vec<f64> =
                others.iter().flat_map(|&r| others.iter().map(move |&s| (r, s))).map(|(r, s)| c(r, s)).collect();
            let bx: Vec<f64> = others.iter().map(|&r| c(r, j)).collect();
            let by: Vec<f64> = others.iter().map(|&r| c(r, yi)).collect();
            let (Some(beta_x), Some(beta_y)) = (solve_spd(&a, q, &bx), solve_spd(&a, q, &by)) else {
                return f64::NAN;
            };
            let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
            let sxy = c(j, yi) - dot(&bx, &beta_y);
            let sxx = c(j, j) - dot(&bx, &beta_x);
            let syy = c(yi, yi) - dot(&by, &beta_y);
            if sxx <= 0.0 || syy <= 0.0 { f64::NAN } else { (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0) }
        })
        .collect()
}

/// The recorded parameter draws of `results` as columns, `[i][run]` for `results.param_ids[i]`.
fn param_columns(results: &Results) -> Vec<Vec<f64>> {
    let k = results.param_ids.len();
    (0..k).map(|i| results.params.iter().skip(i).step_by(k.max(1)).copied().collect()).collect()
}

/// Spearman and PRCC of every recorded uncertain parameter with `output` (one value per
/// run), from runs simulated with `Record { params: true }`; empty if no parameters were
/// recorded.
pub fn rank_correlations(results: &Results, output: &[f64]) -> Vec<RankCorrelation> {
    if results.params.is_empty() {
        return Vec::new();
    }
    let cols = param_columns(results);
    let partial = prcc(&cols, output);
    let y_ranks = ranks(output);
    cols.par_iter()
        .zip(partial)
        .zip(&results.param_ids)
        .map(|((x, prcc), &index)| RankCorrelation { index, spearman: pearson(&ranks(x), &y_ranks), prcc })
        .collect()
}

/// The parameter draws of the worst `TAIL_SHARE` of runs against all runs. `badness` has one
/// value per run, larger meaning worse (harm, or minus net); ties go to the earlier run.
/// `keys` holds every per-run parameter's key, indexed by id (`Scenario::param_keys`).
pub fn tail_comparison(results: &Results, badness: &[f64], by: TailBy, keys: &[String]) -> TailComparison {
    let n = badness.len();
    let k = ((TAIL_SHARE * n as f64).ceil() as usize).clamp(usize::from(n > 0), n);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| badness[b].total_cmp(&badness[a]).then(a.cmp(&b)));
    let worst = &order[..k];
    let threshold = worst.last().map_or(f64::NAN, |&r| match by {
        TailBy::Harm => badness[r],
        TailBy::Net => -badness[r],
    });
    let cols = if results.params.is_empty() { Vec::new() } else { param_columns(results) };
    let mut params: Vec<TailParam> = cols
        .par_iter()
        .zip(&results.param_ids)
        .map(|(all, &index)| {
            let tail: Vec<f64> = worst.iter().map(|&r| all[r]).collect();
            let s_all = sorted(all);
            let s_tail = sorted(&tail);
            let median_all = quantile_sorted(&s_all, 0.5);
            let median_tail = quantile_sorted(&s_tail, 0.5);
            let iqr_all = quantile_sorted(&s_all, 0.75) - quantile_sorted(&s_all, 0.25);
            let shift_iqr = if iqr_all > 0.0 { (median_tail - median_all) / iqr_all } else { f64::NAN };
            TailParam {
                param: keys.get(index).cloned().unwrap_or_default(),
                index,
                median_all,
                median_tail,
                iqr_all,
                shift_iqr,
                histogram: histogram(&s_all, &tail),
            }
        })
        .collect();
    params.sort_by(|a, b| by_magnitude(a.shift_iqr, b.shift_iqr));
    TailComparison { by, share: TAIL_SHARE, runs: k, threshold, params }
}

/// Orders by |x| descending, NaN last.
fn by_magnitude(a: f64, b: f64) -> std::cmp::Ordering {
    let key = |x: f64| if x.is_nan() { -1.0 } else { x.abs() };
    key(b).total_cmp(&key(a))
}

/// Densities of `all` (sorted) and `tail` on `HIST_BINS` equal bins spanning `all`.
fn histogram(all_sorted: &[f64], tail: &[f64]) -> Histogram {
    let (Some(&lo), Some(&hi)) = (all_sorted.first(), all_sorted.last()) else {
        return Histogram::default();
    };
    let width = if hi > lo { (hi - lo) / HIST_BINS as f64 } else { 1.0 };
    let edges: Vec<f64> = (0..=HIST_BINS).map(|i| lo + width * i as f64).collect();
    let density = |xs: &[f64]| {
        let mut counts = [0.0; HIST_BINS];
        for &x in xs {
            let b = (((x - lo) / width) as usize).min(HIST_BINS - 1);
            counts[b] += 1.0;
        }
        let total = xs.len().max(1) as f64 * width;
        counts.iter().map(|c| c / total).collect::<Vec<f64>>()
    };
    Histogram { edges, density_all: density(all_sorted), density_tail: density(tail) }
}

/// What a sensitivity analysis simulates and how it reads the results. It simulates only
/// what the output needs (the policy, and the reference policy for `net_diff`): first the
/// sample, every parameter drawn and recorded (rank correlations, worst runs), then with a
/// tornado two simulations per uncertain parameter, in parameter order, the parameter held
/// at its 10th and then its 90th percentile. This module simulates nothing: `study` does.
#[derive(Clone, Debug)]
pub struct SensitivityLayout {
    spec: SensitivitySpec,
    policies: Vec<Policy>,
    policy_name: String,
    reference_name: String,
    /// Per uncertain parameter, in parameter order: its index and the tornado's two values.
    ends: Vec<(usize, f64, f64)>,
    /// Every per-run parameter's key, by id (`Scenario::param_keys`).
    keys: Vec<String>,
}

impl SensitivityLayout {
    /// # Errors
    /// [`SensitivityError::Invalid`] for a bad policy index or a scenario without uncertain
    /// parameters.
    pub fn new(scenario: &Scenario, spec: &SensitivitySpec) -> Result<SensitivityLayout, SensitivityError> {
        let Some(policy) = scenario.policies().get(spec.policy) else {
            return Err(SensitivityError::Invalid(format!(
                "there is no policy number {} (the scenario has {})",
                spec.policy,
                scenario.policies().len()
            )));
        };
        let uncertain = scenario.uncertain_params();
        if uncertain.is_empty() {
            return Err(SensitivityError::Invalid(
                "the scenario has no uncertain parameters: give at least one world parameter or jurisdiction attribute a distribution".into(),
            ));
        }
        let reference = scenario.reference_policy().clone();
        let mut policies = vec![policy.clone()];
        if spec.output == Output::NetDiff && spec.policy != scenario.run().reference {
            policies.push(reference.clone());
        }
        let ends = uncertain
            .iter()
            .map(|&i| {
                let dist = scenario.param_dist(i);
                // Held where the draws would be: at most the parameter's cap (only world
                // parameters have one).
                let cap = PARAMS.get(i).and_then(|p| crate::model::params::draw_cap(p.key)).unwrap_or(f64::INFINITY);
                (i, dist.quantile(TORNADO_LOW).min(cap), dist.quantile(TORNADO_HIGH).min(cap))
            })
            .collect();
        Ok(SensitivityLayout {
            spec: spec.clone(),
            policies,
            policy_name: policy.name.clone(),
            reference_name: reference.name.clone(),
            ends,
            keys: scenario.param_keys(),
        })
    }

    /// The policies to simulate: the analysed one, then (for `net_diff`) the reference.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The reference among [`SensitivityLayout::policies`].
    pub fn reference(&self) -> usize {
        self.policies.len() - 1
    }

    /// What the sample records: the parameter draws.
    pub fn sample_record(&self) -> Record {
        Record { params: true, ..Record::default() }
    }

    /// The tornado's simulations after the sample, in order: (parameter, value held).
    pub fn ends(&self) -> Vec<(usize, f64)> {
        if !self.spec.tornado {
            return Vec::new();
        }
        self.ends.iter().flat_map(|&(i, lo, hi)| [(i, lo), (i, hi)]).collect()
    }

    /// The output's mean over a simulation of the layout's policies.
    pub fn end_mean(&self, results: &Results) -> f64 {
        mean_se(&output_column(results, 0, self.reference(), self.spec.output)).0
    }

    /// The analysis of `runs` runs with seed `seed`: the sample's results and the mean output
    /// of each tornado end, in the order of [`SensitivityLayout::ends`].
    pub fn finish(&self, runs: u64, seed: u64, sample: &Results, end_means: &[f64]) -> Sensitivity {
        let (p, b) = (0, self.reference());
        let spec = &self.spec;
        let y = output_column(sample, p, b, spec.output);
        let (output_mean, output_se) = mean_se(&y);
        let correlations = rank_correlations(sample, &y);
        let badness: Vec<f64> = match spec.tail_by {
            TailBy::Harm => sample.column(p, |o| o.harm),
            TailBy::Net => sample.column(p, |o| -o.net()),
        };
        let tail = tail_comparison(sample, &badness, spec.tail_by, &self.keys);
        let mut params = Vec::with_capacity(correlations.len());
        for (k, rc) in correlations.into_iter().enumerate() {
            let (_, p10, p90) =
                self.ends.iter().copied().find(|e| e.0 == rc.index).unwrap_or((rc.index, f64::NAN, f64::NAN));
            let (low, high) = match (end_means.get(2 * k), end_means.get(2 * k + 1)) {
                (Some(&lo), Some(&hi)) if spec.tornado => (lo, hi),
                _ => (f64::NAN, f64::NAN),
            };
            params.push(ParamSensitivity {
                param: self.keys.get(rc.index).cloned().unwrap_or_default(),
                index: rc.index,
                spearman: rc.spearman,
                prcc: rc.prcc,
                p10,
                p90,
                low,
                high,
                swing: (high - low).abs(),
            });
        }
        if spec.tornado {
            params.sort_by(|a, b| by_magnitude(a.swing, b.swing));
        } else {
            params.sort_by(|a, b| by_magnitude(a.prcc, b.prcc));
        }
        Sensitivity {
            policy: self.policy_name.clone(),
            reference: self.reference_name.clone(),
            output: spec.output,
            runs,
            seed,
            output_mean,
            output_se,
            params,
            tail,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dist, P};
    use crate::sim::rng::mix64;
    use crate::sim::{Control, Engine, SimError, SimOptions, simulate_engine};
    use std::sync::Arc;

    /// The analysis with its simulations made here (what `study` does, without it).
    fn sensitivity(s: &Scenario, spec: &SensitivitySpec, control: &Control) -> Result<Sensitivity, String> {
        let lay = SensitivityLayout::new(s, spec).map_err(|e| e.to_string())?;
        let engine = Arc::new(Engine::with_policies(s, lay.policies(), lay.reference()));
        let run = |opts: SimOptions| -> Result<Results, SimError> {
            simulate_engine(s, Arc::clone(&engine), s.run().runs, &opts, control)
        };
        let sample =
            run(SimOptions { record: lay.sample_record(), ..SimOptions::default() }).map_err(|e| e.to_string())?;
        let mut means = Vec::new();
        for (param, value) in lay.ends() {
            let r = run(SimOptions { param_overrides: vec![(param, value)], ..SimOptions::default() })
                .map_err(|e| e.to_string())?;
            means.push(lay.end_mean(&r));
        }
        Ok(lay.finish(s.run().runs, s.run().seed, &sample, &means))
    }

    /// A uniform in [0, 1) from a counter.
    fn u(i: u64) -> f64 {
        (mix64(i) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// PRCC the slow way: for each column, regress its ranks and y's ranks on the other
    /// columns' ranks (with intercept) through the normal equations, correlate residuals.
    fn prcc_brute(xs: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
        let n = y.len();
        let rx: Vec<Vec<f64>> = xs.iter().map(|x| ranks(x)).collect();
        let ry = ranks(y);
        (0..xs.len())
            .map(|j| {
                let design: Vec<Vec<f64>> = std::iter::once(vec![1.0; n])
                    .chain(rx.iter().enumerate().filter(|(i, _)| *i != j).map(|(_, c)| c.clone()))
                    .collect();
                let q = design.len();
                let xtx: Vec<f64> =
                    (0..q * q).map(|ab| design[ab / q].iter().zip(&design[ab % q]).map(|(a, b)| a * b).sum()).collect();
                let residual = |v: &[f64]| -> Vec<f64> {
                    let xtv: Vec<f64> = design.iter().map(|c| c.iter().zip(v).map(|(a, b)| a * b).sum()).collect();
                    let beta = solve_spd(&xtx, q, &xtv).unwrap();
                    (0..n).map(|r| v[r] - (0..q).map(|c| beta[c] * design[c][r]).sum::<f64>()).collect()
                };
                pearson(&residual(&rx[j]), &residual(&ry))
            })
            .collect()
    }

    #[test]
    fn prcc_equals_the_residual_regression_it_is_defined_by() {
        let n = 300u64;
        let x0: Vec<f64> = (0..n).map(u).collect();
        let x1: Vec<f64> = (0..n).map(|i| 0.5 * x0[i as usize] + u(1000 + i)).collect();
        let x2: Vec<f64> = (0..n).map(|i| u(2000 + i).powi(3)).collect();
        let x3: Vec<f64> = (0..n).map(|i| u(3000 + i) - 0.3 * x1[i as usize]).collect();
        let y: Vec<f64> = (0..n as usize).map(|i| x0[i] + 2.0 * x1[i] - x3[i] + 0.5 * u(4000 + i as u64)).collect();
        let xs = vec![x0, x1, x2, x3];
        let fast = prcc(&xs, &y);
        let slow = prcc_brute(&xs, &y);
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 1e-9, "{fast:?} vs {slow:?}");
        }
        assert!(fast[1] > 0.5 && fast[3] < -0.2, "{fast:?}");
        // One parameter: PRCC is Spearman's rho.
        let one = prcc(&xs[..1], &y);
        assert!((one[0] - crate::analysis::stats::spearman(&xs[0], &y)).abs() < 1e-12);
        // A constant column or output has no rank correlation.
        assert!(prcc(&[vec![1.0; 10], xs[0][..10].to_vec()], &y[..10])[0].is_nan());
        assert!(prcc(&xs, &vec![3.0; n as usize]).iter().all(|r| r.is_nan()));
    }

    /// Harm driven strongly by misuse_rate (0.5..20 events/yr), weakly by severity_min (4..6),
    /// and not at all by value_per_oom (a dummy: it only enters benefits); all else fixed.
    fn known_drivers(runs: u64) -> Scenario {
        Scenario::built_in()
            .edited(|d| {
                d.run.runs = runs;
                d.run.years = 5;
                d.fix_every_input();
                d.world[P::hazard_threshold as usize] = Dist::Fixed(24.0);
                d.world[P::severity_per_oom as usize] = Dist::Fixed(0.0);
                d.world[P::tail_alpha as usize] = Dist::Fixed(3.0);
                d.world[P::misuse_rate as usize] = Dist::Uniform { min: 0.5, max: 20.0 };
                d.world[P::severity_min as usize] = Dist::Uniform { min: 4.0, max: 6.0 };
                d.world[P::value_per_oom as usize] = Dist::Uniform { min: 300.0, max: 2000.0 };
            })
            .unwrap()
    }

    #[test]
    fn known_drivers_rank_right_and_the_dummy_comes_out_near_zero() {
        let s = known_drivers(5000);
        let spec = SensitivitySpec::new(0, Output::Harm);
        let control = Control::new();
        let r = sensitivity(&s, &spec, &control).unwrap();
        assert_eq!(control.runs_done(), 5000 * 7);
        let get = |p: P| r.params.iter().find(|x| x.index == p as usize).unwrap();
        let (rate, sev, dummy) = (get(P::misuse_rate), get(P::severity_min), get(P::value_per_oom));
        assert!(rate.prcc > 0.8, "misuse_rate PRCC {}", rate.prcc);
        assert!(sev.prcc > 0.1 && sev.prcc < rate.prcc, "severity_min PRCC {}", sev.prcc);
        assert!(dummy.prcc.abs() < 0.05, "dummy PRCC {}", dummy.prcc);
        assert!(dummy.spearman.abs() < 0.05, "dummy Spearman {}", dummy.spearman);
        assert!(rate.spearman > sev.spearman);
        // Tornado: sorted by swing; the dummy moves nothing at all on common random numbers.
        let order: Vec<usize> = r.params.iter().map(|x| x.index).collect();
        assert_eq!(order, vec![P::misuse_rate as usize, P::severity_min as usize, P::value_per_oom as usize]);
        assert_eq!(dummy.swing, 0.0);
        assert_eq!(dummy.low, r.output_mean);
        assert!(rate.high > rate.low && sev.high > sev.low);
        assert!((rate.p10 - 2.45).abs() < 1e-9 && (rate.p90 - 18.05).abs() < 1e-9);
        // The worst 5% by harm drew high misuse rates; the dummy barely moves.
        let t = &r.tail;
        assert_eq!((t.by, t.runs), (TailBy::Harm, 250));
        assert_eq!(t.params[0].index, P::misuse_rate as usize);
        assert!(t.params[0].shift_iqr > 0.5, "{}", t.params[0].shift_iqr);
        let td = t.params.iter().find(|x| x.index == P::value_per_oom as usize).unwrap();
        assert!(td.shift_iqr.abs() < 0.25, "{}", td.shift_iqr);
    }

    #[test]
    fn iman_conover_hits_the_target_and_keeps_every_marginal() {
        let text = format!(
            "{}\n[[correlation]]\na = \"world.misuse_rate\"\nb = \"world.severity_min\"\nrho = 0.6\n\n\
             [[correlation]]\na = \"world.growth\"\nb = \"world.leak_closed\"\nrho = -0.4\n",
            crate::model::scenario::BUILT_IN_TOML
        );
        // Whole Iman-Conover blocks, so that the correlated runs are exactly the blocks'
        // samples and each marginal is the uncorrelated draws reordered.
        let prepare = |s: Scenario| {
            s.edited(|d| {
                d.run.runs = 3 * crate::sim::IC_BLOCK_RUNS;
                d.run.years = 1;
                d.run.steps_per_year = 1;
            })
            .unwrap()
        };
        let with = prepare(Scenario::parse(&text, "test").unwrap());
        let without = prepare(Scenario::built_in());
        assert_eq!(with.correlations().len(), without.correlations().len() + 2);
        let opts = SimOptions { record: Record { params: true, ..Record::default() }, ..SimOptions::default() };
        let a = crate::sim::simulate(&with, &opts, &Control::new()).unwrap();
        let b = crate::sim::simulate(&without, &opts, &Control::new()).unwrap();
        let (ca, cb) = (param_columns(&a), param_columns(&b));
        let col = |cols: &[Vec<f64>], p: P| cols[a.param_ids.iter().position(|&i| i == p as usize).unwrap()].clone();
        let rho = |cols: &[Vec<f64>], x: P, y: P| crate::analysis::stats::spearman(&col(cols, x), &col(cols, y));
        let r1 = rho(&ca, P::misuse_rate, P::severity_min);
        let r2 = rho(&ca, P::growth, P::leak_closed);
        assert!((r1 - 0.6).abs() < 0.02, "{r1}");
        assert!((r2 + 0.4).abs() < 0.02, "{r2}");
        assert!(rho(&cb, P::misuse_rate, P::severity_min).abs() < 0.03);
        // Iman-Conover only reorders: each marginal is exactly the same set of draws.
        for p in [P::misuse_rate, P::severity_min, P::growth, P::leak_closed] {
            assert_eq!(sorted(&col(&ca, p)), sorted(&col(&cb, p)), "{p:?}");
            assert_ne!(col(&ca, p), col(&cb, p), "{p:?} was not reordered");
        }
        // Parameters outside the correlations keep their draws run by run.
        assert_eq!(col(&ca, P::tail_alpha), col(&cb, P::tail_alpha));
    }

    #[test]
    fn net_diff_is_paired_against_the_baseline() {
        let s = Scenario::built_in()
            .edited(|d| {
                d.run.runs = 300;
                d.run.years = 4;
            })
            .unwrap();
        let tiered = s.policy_index("Global tiered 1e27").unwrap();
        let spec = SensitivitySpec { tornado: false, ..SensitivitySpec::new(tiered, Output::NetDiff) };
        let r = sensitivity(&s, &spec, &Control::new()).unwrap();
        let plain = crate::sim::simulate(&s, &SimOptions::default(), &Control::new()).unwrap();
        let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
        let sum = crate::analysis::summarise(&plain, &names, s.run().reference);
        assert!((r.output_mean - sum.policies[tiered].net_diff_mean).abs() < 1e-9);
        assert_eq!(r.tail.by, TailBy::Net);
        assert!(r.params.iter().all(|x| x.low.is_nan() && x.swing.is_nan()));
        // Without a tornado the ranking is by |PRCC|.
        assert!(r.params.windows(2).all(|w| w[0].prcc.abs() >= w[1].prcc.abs()));
    }

    #[test]
    fn outputs_and_errors() {
        let o = Outcome { benefit: 10.0, harm: 4.0, catastrophes: 2, ..Outcome::default() };
        let base = Outcome { benefit: 9.0, harm: 1.0, ..Outcome::default() };
        let vals: Vec<f64> = Output::ALL.iter().map(|out| out.value(&o, &base)).collect();
        assert_eq!(vals, vec![10.0, 4.0, 6.0, -2.0, 1.0]);
        assert_eq!(Output::parse("net_diff"), Some(Output::NetDiff));
        assert_eq!(Output::parse("Net"), None);
        let s = Scenario::built_in()
            .edited(|d| {
                d.run.runs = 10;
                d.fix_every_input();
            })
            .unwrap();
        let err = sensitivity(&s, &SensitivitySpec::new(0, Output::Net), &Control::new()).unwrap_err();
        assert!(err.contains("no uncertain parameters"), "{err}");
        let err = sensitivity(&s, &SensitivitySpec::new(9, Output::Net), &Control::new()).unwrap_err();
        assert!(err.contains("no policy number 9"), "{err}");
    }

    #[test]
    fn histograms_are_densities_on_shared_bins() {
        let all: Vec<f64> = (0..1000).map(|i| u(i) * 4.0 + 1.0).collect();
        let tail: Vec<f64> = all.iter().copied().filter(|&x| x > 4.0).collect();
        let h = histogram(&sorted(&all), &tail);
        assert_eq!(h.edges.len(), HIST_BINS + 1);
        let width = h.edges[1] - h.edges[0];
        let area = |d: &[f64]| d.iter().sum::<f64>() * width;
        assert!((area(&h.density_all) - 1.0).abs() < 1e-9);
        assert!((area(&h.density_tail) - 1.0).abs() < 1e-9);
        assert_eq!(h.density_tail[0], 0.0);
    }
}
