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
use serde::Serialize;

use crate::model::Scenario;
use crate::model::params::PARAMS;
use crate::sim::{Control, CorrelatedDraws, Engine, Outcome, Record, Results, SimError, SimOptions, simulate_range};

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
    #[error(transparent)]
    Sim(#[from] SimError),
}

impl SensitivityError {
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, SensitivityError::Invalid(_))
    }
}

/// The outcome analysed, per run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq)]
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

#[derive(Clone, Debug, Default)]
pub struct SensitivityOptions {
    /// Worker threads; `None` uses rayon's global pool. Results do not depend on it.
    pub threads: Option<usize>,
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
    pub baseline: String,
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

/// The runs `Control::runs_done` reaches when [`sensitivity`] finishes.
pub fn progress_total(scenario: &Scenario, spec: &SensitivitySpec) -> u64 {
    let k = scenario.uncertain_params().len() as u64;
    scenario.run.runs * (1 + if spec.tornado { 2 * k } else { 0 })
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
pub fn tail_comparison(results: &Results, badness: &[f64], by: TailBy) -> TailComparison {
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
                param: format!("world.{}", PARAMS[index].key),
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
        let mut counts = vec![0.0; HIST_BINS];
        for &x in xs {
            let b = (((x - lo) / width) as usize).min(HIST_BINS - 1);
            counts[b] += 1.0;
        }
        let total = xs.len().max(1) as f64 * width;
        counts.iter().map(|c| c / total).collect::<Vec<f64>>()
    };
    Histogram { edges, density_all: density(all_sorted), density_tail: density(tail) }
}

/// Runs the full analysis: one simulation with parameters recorded (rank correlations, worst
/// runs), then, with `spec.tornado`, two per uncertain parameter.
///
/// # Errors
/// [`SensitivityError::Invalid`] for a bad policy index or a scenario without uncertain
/// parameters; [`SensitivityError::Sim`] when cancelled.
pub fn sensitivity(
    scenario: &Scenario,
    spec: &SensitivitySpec,
    opts: &SensitivityOptions,
    control: &Control,
) -> Result<Sensitivity, SensitivityError> {
    let Some(policy) = scenario.policies.get(spec.policy) else {
        return Err(SensitivityError::Invalid(format!(
            "there is no policy number {} (the scenario has {})",
            spec.policy,
            scenario.policies.len()
        )));
    };
    let uncertain = scenario.uncertain_params();
    if uncertain.is_empty() {
        return Err(SensitivityError::Invalid(
            "the scenario has no uncertain parameters: give at least one world parameter a distribution".into(),
        ));
    }
    // Simulate only what the output needs: the policy, and the baseline for net_diff.
    let baseline = scenario.baseline_policy().clone();
    let mut s = scenario.clone();
    s.policies = vec![policy.clone()];
    s.run.baseline = 0;
    if spec.output == Output::NetDiff && spec.policy != scenario.run.baseline {
        s.policies.push(baseline.clone());
        s.run.baseline = 1;
    }
    let (p, b) = (0, s.run.baseline);
    let body = || -> Result<Sensitivity, SensitivityError> {
        let engine = Engine::new(&s);
        let correlated = CorrelatedDraws::new(&s, &engine, s.run.runs);
        let runs = 0..s.run.runs;
        let opts =
            SimOptions { threads: None, record: Record { params: true, ..Record::default() }, param_overrides: vec![] };
        let results = simulate_range(&engine, correlated.as_ref(), runs.clone(), &opts, control)?;
        let y = output_column(&results, p, b, spec.output);
        let (output_mean, output_se) = mean_se(&y);
        let correlations = rank_correlations(&results, &y);
        let badness: Vec<f64> = match spec.tail_by {
            TailBy::Harm => results.column(p, |o| o.harm),
            TailBy::Net => results.column(p, |o| -o.net()),
        };
        let tail = tail_comparison(&results, &badness, spec.tail_by);
        let mut params = Vec::with_capacity(correlations.len());
        for rc in correlations {
            let dist = &s.world[rc.index];
            let (p10, p90) = (dist.quantile(TORNADO_LOW), dist.quantile(TORNADO_HIGH));
            let (low, high) = if spec.tornado {
                let mean_at = |x: f64| -> Result<f64, SimError> {
                    let opts = SimOptions { param_overrides: vec![(rc.index, x)], ..SimOptions::default() };
                    let r = simulate_range(&engine, correlated.as_ref(), runs.clone(), &opts, control)?;
                    Ok(mean_se(&output_column(&r, p, b, spec.output)).0)
                };
                (mean_at(p10)?, mean_at(p90)?)
            } else {
                (f64::NAN, f64::NAN)
            };
            params.push(ParamSensitivity {
                param: format!("world.{}", PARAMS[rc.index].key),
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
        Ok(Sensitivity {
            policy: policy.name.clone(),
            baseline: baseline.name.clone(),
            output: spec.output,
            runs: s.run.runs,
            seed: s.run.seed,
            output_mean,
            output_se,
            params,
            tail,
        })
    };
    match opts.threads {
        None => body(),
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .thread_name(|i| format!("tierlab-sensitivity-{i}"))
            .build()
            .map_err(|e| SensitivityError::Sim(SimError::Threads { threads: t, reason: e.to_string() }))?
            .install(body),
    }
}
