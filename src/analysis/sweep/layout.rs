//! A sweep's layout: the policies simulated together and the statistics of each grid point.

use rayon::prelude::*;

use crate::model::params::PARAMS;
use crate::model::{Measure, Policy, Regime, Scenario};
use crate::sim::{Outcome, Record, Results};

use super::super::robustness::robustness;
use super::super::stats::{cvar95_unsorted, mean_se, sorted, wilson};
use super::contour::contour_lines;
use super::{
    Cell2d, MAX_POINTS, PerRun, Sweep, Sweep2d, SweepError, SweepPoint, SweepSpec, WorldAxis, check_world_values,
};

/// What a sweep simulates and how it reads the results: the policies simulated together on
/// common random numbers (every grid point, then the policy as it stands, then the reference
/// policy), and the statistics of each point from their per-run outcomes. A 2-D sweep
/// simulates the same policies once per value of its world parameter.
#[derive(Clone, Debug)]
pub struct SweepLayout {
    spec: SweepSpec,
    policies: Vec<Policy>,
    policy_name: String,
    measure: Option<Measure>,
    baseline_name: String,
    n_points: usize,
    current_value: f64,
    open_mask: Vec<bool>,
    clamped: Vec<bool>,
    values: Vec<f64>,
}

/// A sweep's points read from one simulation of its layout.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    pub points: Vec<SweepPoint>,
    /// The policy as it stands.
    pub current: SweepPoint,
    /// The reference policy (its `value` is the swept policy's current one).
    pub reference: SweepPoint,
    /// Per-run outcomes of the points (empty unless asked for).
    pub per_run: PerRun,
}

impl SweepLayout {
    /// The layout of `spec` in `scenario`.
    ///
    /// # Errors
    /// [`SweepError::NoTieredRegime`] for a policy without a tiered regime,
    /// [`SweepError::Invalid`] for a bad policy index or grid.
    pub fn new(scenario: &Scenario, spec: &SweepSpec) -> Result<SweepLayout, SweepError> {
        layout(scenario, spec)
    }

    /// The policies to simulate, in order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The policy as it stands, among [`SweepLayout::policies`].
    pub fn current(&self) -> usize {
        self.n_points
    }

    /// The reference policy, among [`SweepLayout::policies`]: what every point is paired against.
    pub fn reference(&self) -> usize {
        self.n_points + 1
    }

    /// What a simulation of the layout must record: per-jurisdiction outcomes when the policy
    /// has open jurisdictions (their final share).
    pub fn record(&self) -> Record {
        Record { jurisdictions: self.open_mask.iter().any(|&o| o), series_runs: 0, params: false }
    }

    /// Checks the world axis of a 2-D sweep.
    ///
    /// # Errors
    /// [`SweepError::Invalid`] for a parameter that does not exist or values outside its range.
    pub fn check_axis(&self, axis: &WorldAxis) -> Result<(), SweepError> {
        if axis.param >= PARAMS.len() {
            return Err(SweepError::Invalid(format!("there is no world parameter number {}", axis.param)));
        }
        if axis.values.is_empty() || axis.values.len() > MAX_POINTS {
            return Err(SweepError::Invalid(format!(
                "a sweep needs 1 to {MAX_POINTS} values of {}, got {}",
                axis.key(),
                axis.values.len()
            )));
        }
        check_world_values(axis.param, &axis.values).map_err(SweepError::Invalid)
    }

    /// The points of a simulation of the layout's policies; with `keep`, their per-run
    /// outcomes too (the best threshold's bootstrap reads them).
    pub fn evaluate(&self, results: &Results, keep: bool) -> Evaluation {
        let baseline_net = results.column(self.reference(), Outcome::net);
        let current_net = results.column(self.current(), Outcome::net);
        let pair = Paired { baseline_net: &baseline_net, current_net: &current_net };
        let mut data: Vec<PointData> = (0..=self.reference())
            .into_par_iter()
            .map(|slot| {
                let (value, clamped) = if slot < self.n_points {
                    (self.values[slot], self.clamped[slot])
                } else {
                    (self.current_value, false)
                };
                point_data(results, slot, value, clamped, &self.open_mask, &pair)
            })
            .collect();
        let reference = data.pop().map(|d| d.point).unwrap_or_default();
        let current = data.pop().map(|d| d.point).unwrap_or_default();
        let mut per_run = PerRun::default();
        let mut points = Vec::with_capacity(data.len());
        for d in data {
            points.push(d.point);
            if keep {
                per_run.net.push(d.net);
                per_run.harm.push(d.harm);
                per_run.catastrophe.push(d.catastrophe);
            }
        }
        Evaluation { points, current, reference, per_run }
    }

    /// The sweep of `runs` runs with seed `seed`, from the evaluation of its one simulation.
    pub fn sweep(&self, runs: u64, seed: u64, evaluation: Evaluation) -> Sweep {
        let names: Vec<String> = evaluation.points.iter().map(|p| format!("{}", p.value)).collect();
        let robustness = robustness(&names, &evaluation.per_run.net, None);
        Sweep {
            policy: self.policy_name.clone(),
            param: self.spec.param,
            measure: self.measure,
            reference: self.baseline_name.clone(),
            runs,
            seed,
            current_value: self.current_value,
            current: evaluation.current,
            reference_point: evaluation.reference,
            points: evaluation.points,
            robustness,
            per_run: evaluation.per_run,
        }
    }

    /// The 2-D sweep against `axis`, from each axis value's row of points, in axis order.
    pub fn sweep_2d(&self, axis: &WorldAxis, runs: u64, seed: u64, rows: Vec<Vec<SweepPoint>>) -> Sweep2d {
        let cells: Vec<Cell2d> = axis
            .values
            .iter()
            .zip(rows)
            .flat_map(|(&v2, row)| row.into_iter().map(move |point| Cell2d { value2: v2, point }))
            .collect();
        let z: Vec<f64> = cells.iter().map(|c| c.point.p_better_than_reference).collect();
        let contour = contour_lines(&self.values, &axis.values, &z, 0.5);
        Sweep2d {
            policy: self.policy_name.clone(),
            param: self.spec.param,
            measure: self.measure,
            param2: axis.key(),
            reference: self.baseline_name.clone(),
            runs,
            seed,
            values: self.values.clone(),
            values2: axis.values.clone(),
            cells,
            contour_p_better_half: contour,
        }
    }
}

fn layout(scenario: &Scenario, spec: &SweepSpec) -> Result<SweepLayout, SweepError> {
    let Some(policy) = scenario.policies().get(spec.policy) else {
        return Err(SweepError::Invalid(format!(
            "there is no policy number {} (the scenario has {})",
            spec.policy,
            scenario.policies().len()
        )));
    };
    let nj = scenario.jurisdictions().len();
    let Some(current_value) = spec.param.current(policy, nj) else {
        return Err(SweepError::NoTieredRegime { policy: policy.name.clone() });
    };
    if spec.values.is_empty() || spec.values.len() > MAX_POINTS {
        return Err(SweepError::Invalid(format!(
            "a sweep needs 1 to {MAX_POINTS} grid values, got {}",
            spec.values.len()
        )));
    }
    if let Some(v) = spec.values.iter().find(|v| !v.is_finite()) {
        return Err(SweepError::Invalid(format!("grid values must be finite, got {v}")));
    }
    let mut policies = Vec::with_capacity(spec.values.len() + 2);
    let mut clamped = Vec::with_capacity(spec.values.len());
    for &v in &spec.values {
        let mut p = policy.clone();
        clamped.push(spec.param.apply(&mut p, v));
        p.name = format!("{} ({} = {v})", policy.name, spec.param.key());
        policies.push(p);
    }
    policies.push(policy.clone());
    let baseline = scenario.reference_policy().clone();
    let baseline_name = baseline.name.clone();
    policies.push(baseline);
    Ok(SweepLayout {
        spec: spec.clone(),
        policies,
        policy_name: policy.name.clone(),
        measure: policy.threshold_measure(),
        baseline_name,
        n_points: spec.values.len(),
        current_value,
        open_mask: (0..nj).map(|j| policy.regime_for(j) == Regime::Open).collect(),
        clamped,
        values: spec.values.clone(),
    })
}

/// Median of hazard-crossing years (NaN = never) with never later than any year; `None` when
/// the median falls on never.
fn median_year(years: &[f64]) -> Option<f64> {
    let s = sorted(&years.iter().map(|&y| if y.is_nan() { f64::INFINITY } else { y }).collect::<Vec<f64>>());
    let n = s.len();
    if n == 0 {
        return None;
    }
    // Type-7 interpolation; the median is never when the upper middle value is never.
    let h = (n - 1) as f64 * 0.5;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    s[hi].is_finite().then(|| s[lo] + (h - lo as f64) * (s[hi] - s[lo]))
}

struct PointData {
    point: SweepPoint,
    net: Vec<f64>,
    harm: Vec<f64>,
    catastrophe: Vec<bool>,
}

struct Paired<'a> {
    baseline_net: &'a [f64],
    current_net: &'a [f64],
}

fn point_data(
    results: &Results,
    slot: usize,
    value: f64,
    clamped: bool,
    open_mask: &[bool],
    pair: &Paired<'_>,
) -> PointData {
    let n = results.n_runs();
    let np = results.n_policies;
    let benefit = results.column(slot, |o| o.benefit);
    let harm = results.column(slot, |o| o.harm);
    let net = results.column(slot, |o| o.net());
    let catastrophe: Vec<bool> = results.outcomes.iter().skip(slot).step_by(np).map(|o| o.catastrophes > 0).collect();
    let (benefit_mean, benefit_se) = mean_se(&benefit);
    let (harm_mean, harm_se) = mean_se(&harm);
    let (net_mean, net_se) = mean_se(&net);
    let k_cat = catastrophe.iter().filter(|&&c| c).count() as u64;
    let (p_catastrophe_lo, p_catastrophe_hi) = wilson(k_cat, n as u64);
    let cvar95_harm = cvar95_unsorted(&mut harm.clone());
    let hazard_year_median = median_year(&results.column(slot, |o| o.hazard_year));
    let open_share_end = if open_mask.iter().any(|&o| o) && !results.jurisdictions.is_empty() {
        let nj = results.n_jurisdictions;
        let total: f64 = (0..n)
            .map(|r| {
                let base = (r * np + slot) * nj;
                let js = &results.jurisdictions[base..base + nj];
                js.iter().zip(open_mask).filter(|(_, open)| **open).map(|(j, _)| j.share_end).sum::<f64>()
            })
            .sum();
        total / n as f64
    } else {
        0.0
    };
    let better = |other: &[f64]| net.iter().zip(other).filter(|(a, b)| a > b).count() as f64 / n as f64;
    let diff: Vec<f64> = net.iter().zip(pair.baseline_net).map(|(a, b)| a - b).collect();
    let (net_diff_mean, net_diff_se) = mean_se(&diff);
    let point = SweepPoint {
        value,
        benefit_mean,
        benefit_se,
        harm_mean,
        harm_se,
        net_mean,
        net_se,
        p_catastrophe: k_cat as f64 / n as f64,
        p_catastrophe_lo,
        p_catastrophe_hi,
        cvar95_harm,
        hazard_year_median,
        open_share_end,
        p_better_than_current: better(pair.current_net),
        net_diff_mean,
        net_diff_se,
        p_better_than_reference: better(pair.baseline_net),
        clamped,
    };
    PointData { point, net, harm, catastrophe }
}
