//! Threshold sweeps: one regime parameter of one policy over a grid, on common random numbers;
//! optionally against a world parameter (a 2-D sweep). Also the best threshold under a cap on
//! tail risk with its bootstrap uncertainty, and the P(better) = 0.5 contour of a 2-D sweep.
//!
//! Every grid point is a copy of the swept policy with one number changed. All points, the
//! policy as it stands (the hidden "current" point) and the scenario's baseline policy are
//! simulated as policies of one scenario in one pass: run `n` sees the same parameter draws and
//! random numbers at every point, so differences between points are paired. A 2-D sweep makes
//! one such pass per value of the world parameter, set in every run through
//! `SimOptions::param_overrides` (the other parameters keep their draws).
//!
//! The functions take a [`Control`] for progress and cancellation and return plain data, so
//! an app can call them from a background thread; [`progress_total`] is the number of runs
//! `Control::runs_done` counts up to.

use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

use crate::model::params::{P, PARAMS, Range, param_index};
use crate::model::suggest;
use crate::model::{Policy, Regime, Scenario};
use crate::sim::rng::{Stream, stream};
use crate::sim::{Control, Engine, Outcome, Record, Results, RunSource, SimError, SimOptions};

use super::robustness::{Robustness, robustness};
use super::stats::{cvar95_unsorted, mean_se, quantile_sorted, sorted, wilson};

/// Most grid points on one axis.
pub const MAX_POINTS: usize = 201;
/// Fewest grid points the command line accepts on one axis.
pub const MIN_POINTS: usize = 2;
/// Bootstrap replicates for the best threshold unless asked otherwise.
pub const DEFAULT_BOOTSTRAP: usize = 200;
/// Run key of the bootstrap's random streams (distinct from every simulated run's).
const BOOTSTRAP_STREAM: u64 = u64::MAX;

/// Why a sweep could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(
        "policy {policy:?} has no tiered regime to sweep (every jurisdiction is open or closed under it); \
         choose a policy with a {{ tiered = {{ ... }} }} regime"
    )]
    NoTieredRegime { policy: String },
    /// Invalid input, with a message saying what is allowed.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Sim(#[from] SimError),
}

impl SweepError {
    /// Whether the error is the caller's input (as opposed to cancellation or threads).
    pub fn is_invalid_input(&self) -> bool {
        !matches!(self, SweepError::Sim(_))
    }
}

/// The regime parameter a sweep moves, in every tiered regime of the policy (default and
/// overrides); open and closed regimes stay as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepParam {
    /// The open ceiling; each regime's gated ceiling moves by the same amount (their gap stays).
    OpenBelow,
    /// The gated ceiling. A value below a regime's open ceiling is clamped to it (the model
    /// reads `gated_below < open_below` as equal anyway) and the point is marked `clamped`.
    GatedBelow,
    /// The drift of both ceilings, OOM per year.
    Drift,
}

impl SweepParam {
    pub const ALL: [SweepParam; 3] = [SweepParam::OpenBelow, SweepParam::GatedBelow, SweepParam::Drift];

    /// The name used on the command line and in files.
    pub fn key(self) -> &'static str {
        match self {
            SweepParam::OpenBelow => "open_below",
            SweepParam::GatedBelow => "gated_below",
            SweepParam::Drift => "drift",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            SweepParam::OpenBelow | SweepParam::GatedBelow => "log10 FLOP",
            SweepParam::Drift => "OOM/yr",
        }
    }

    pub fn parse(key: &str) -> Option<SweepParam> {
        SweepParam::ALL.into_iter().find(|p| p.key() == key)
    }

    /// Sets the parameter to `value` in every tiered regime of `policy`; returns whether a
    /// gated ceiling had to be clamped up to its open ceiling.
    pub fn apply(self, policy: &mut Policy, value: f64) -> bool {
        let mut clamped = false;
        policy.map_tiered(|open, gated, drift| match self {
            SweepParam::OpenBelow => {
                let gap = *gated - *open;
                *open = value;
                *gated = value + gap;
            }
            SweepParam::GatedBelow => {
                if value < *open {
                    *gated = *open;
                    clamped = true;
                } else {
                    *gated = value;
                }
            }
            SweepParam::Drift => *drift = value,
        });
        clamped
    }

    /// The parameter's value in the policy as it stands: that of the first jurisdiction with
    /// a tiered regime (`None` if there is none).
    pub fn current(self, policy: &Policy, n_jurisdictions: usize) -> Option<f64> {
        (0..n_jurisdictions).find_map(|j| match policy.regime_for(j) {
            Regime::Tiered { open_below, gated_below, drift } => Some(match self {
                SweepParam::OpenBelow => open_below,
                SweepParam::GatedBelow => gated_below,
                SweepParam::Drift => drift,
            }),
            _ => None,
        })
    }
}

/// `steps` evenly spaced values from `from` to `to` (both included; `to` exactly).
pub fn grid(from: f64, to: f64, steps: usize) -> Vec<f64> {
    match steps {
        0 => Vec::new(),
        1 => vec![from],
        _ => (0..steps)
            .map(|i| if i + 1 == steps { to } else { from + (to - from) * i as f64 / (steps - 1) as f64 })
            .collect(),
    }
}

/// Checks a grid as the command line states it; `what` names it in the message.
///
/// # Errors
/// A message saying what is allowed.
pub fn check_grid(what: &str, from: f64, to: f64, steps: usize) -> Result<(), String> {
    if !from.is_finite() || !to.is_finite() {
        return Err(format!("{what}: --from and --to must be finite numbers, got {from} and {to}"));
    }
    if !(MIN_POINTS..=MAX_POINTS).contains(&steps) {
        return Err(format!(
            "{what}: the number of grid points must be from {MIN_POINTS} to {MAX_POINTS}, got {steps}"
        ));
    }
    Ok(())
}

/// The index of a world parameter written `world.KEY`.
///
/// # Errors
/// A message naming the allowed form, with a suggestion for a near miss.
pub fn world_param(key: &str) -> Result<usize, String> {
    let Some(k) = key.strip_prefix("world.") else {
        let hint = param_index(key).map_or(String::new(), |_| format!("; did you mean `world.{key}`?"));
        return Err(format!("{key:?} must name a world parameter as world.KEY, e.g. world.hazard_threshold{hint}"));
    };
    param_index(k).ok_or_else(|| {
        format!("{key:?} is not a world parameter{}", suggest(k, PARAMS.iter().map(|p| p.key)).replace("`", "`world."))
    })
}

/// Checks that every value is allowed for world parameter `param`.
///
/// # Errors
/// The first value outside the parameter's range.
pub fn check_world_values(param: usize, values: &[f64]) -> Result<(), String> {
    let info = &PARAMS[param];
    match values.iter().find(|&&v| !info.range.contains(v)) {
        Some(v) => Err(format!("world.{} must be {}, but the grid reaches {v}", info.key, info.range.describe())),
        None => Ok(()),
    }
}

/// What to sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSpec {
    /// Index of the policy in the scenario.
    pub policy: usize,
    pub param: SweepParam,
    /// The grid (1 to [`MAX_POINTS`] finite values, in the order to report them).
    pub values: Vec<f64>,
}

/// The second axis of a 2-D sweep: a world parameter set to each value in every run.
#[derive(Clone, Debug, PartialEq)]
pub struct WorldAxis {
    /// Index into `params::PARAMS`.
    pub param: usize,
    pub values: Vec<f64>,
}

impl WorldAxis {
    /// `world.KEY`.
    pub fn key(&self) -> String {
        format!("world.{}", PARAMS[self.param].key)
    }
}

/// How to run a sweep.
#[derive(Clone, Debug, Default)]
pub struct SweepOptions {
    /// Worker threads; `None` uses rayon's global pool. Results do not depend on it.
    pub threads: Option<usize>,
}

/// The runs `Control::runs_done` reaches when a sweep of `scenario` finishes (with a world
/// axis of `axis_points` values, or 0 for a 1-D sweep).
pub fn progress_total(scenario: &Scenario, axis_points: usize) -> u64 {
    scenario.run().runs * axis_points.max(1) as u64
}

/// Everything reported about one grid point (money in $B, discounted).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SweepPoint {
    pub value: f64,
    pub benefit_mean: f64,
    pub benefit_se: f64,
    pub harm_mean: f64,
    pub harm_se: f64,
    pub net_mean: f64,
    pub net_se: f64,
    /// Share of runs with at least one catastrophe, with its 95% Wilson interval.
    pub p_catastrophe: f64,
    pub p_catastrophe_lo: f64,
    pub p_catastrophe_hi: f64,
    /// Mean of the worst ceil(5%) harms.
    pub cvar95_harm: f64,
    /// Median year the open pool reaches the hazard threshold, over all runs with "never"
    /// counted as later than any year; `None` when the median is never.
    pub hazard_year_median: Option<f64>,
    /// Mean over runs of the final development share of jurisdictions whose regime under the
    /// swept policy is `open` (0 when there is none).
    pub open_share_end: f64,
    /// Share of runs whose net is strictly greater than under the policy as it stands.
    pub p_better_than_current: f64,
    /// Paired net difference to the scenario's baseline policy: mean, SE, P(strictly better).
    pub net_diff_mean: f64,
    pub net_diff_se: f64,
    pub p_better_than_baseline: f64,
    /// Whether `gated_below` was clamped up to `open_below` in some regime at this point.
    pub clamped: bool,
}

/// Per-run outcomes of every grid point, `[point][run]`: what the best-threshold search and
/// its bootstrap read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PerRun {
    pub net: Vec<Vec<f64>>,
    pub harm: Vec<Vec<f64>>,
    pub catastrophe: Vec<Vec<bool>>,
}

impl PerRun {
    pub fn n_points(&self) -> usize {
        self.net.len()
    }
    pub fn n_runs(&self) -> usize {
        self.net.first().map_or(0, Vec::len)
    }
}

/// A 1-D sweep.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep {
    pub policy: String,
    pub param: SweepParam,
    pub baseline: String,
    pub runs: u64,
    pub seed: u64,
    /// The parameter's value in the policy as it stands (first tiered jurisdiction).
    pub current_value: f64,
    /// The policy as it stands, simulated alongside the grid.
    pub current: SweepPoint,
    pub points: Vec<SweepPoint>,
    /// Regret of every grid point against the best grid point in each world: the most
    /// robust value beside the best expected one.
    pub robustness: Robustness,
    /// Per-run outcomes of the grid points (not serialised).
    #[serde(skip)]
    pub per_run: PerRun,
}

impl Sweep {
    pub fn values(&self) -> Vec<f64> {
        self.points.iter().map(|p| p.value).collect()
    }

    /// "lowest" or "highest" when `value` is an end of a grid of at least three points: a
    /// best value there may be bettered beyond the grid.
    pub fn grid_end(&self, value: f64) -> Option<&'static str> {
        let (first, last) = (self.points.first()?.value, self.points.last()?.value);
        let ascending = first < last;
        if self.points.len() < 3 {
            None
        } else if value == first {
            Some(if ascending { "lowest" } else { "highest" })
        } else if value == last {
            Some(if ascending { "highest" } else { "lowest" })
        } else {
            None
        }
    }
}

/// One cell of a 2-D sweep.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cell2d {
    /// The world parameter's value.
    pub value2: f64,
    #[serde(flatten)]
    pub point: SweepPoint,
}

/// A 2-D sweep: the regime parameter against a world parameter.
#[derive(Clone, Debug, Serialize)]
pub struct Sweep2d {
    pub policy: String,
    pub param: SweepParam,
    /// `world.KEY`.
    pub param2: String,
    pub baseline: String,
    pub runs: u64,
    pub seed: u64,
    pub values: Vec<f64>,
    pub values2: Vec<f64>,
    /// `cells[i2 * values.len() + i]`.
    pub cells: Vec<Cell2d>,
    /// Where P(better than baseline) = 0.5: polylines of (value, value2) points.
    pub contour_p_better_half: Vec<Vec<[f64; 2]>>,
}

impl Sweep2d {
    pub fn cell(&self, i: usize, i2: usize) -> &Cell2d {
        &self.cells[i2 * self.values.len() + i]
    }

    /// Per value of the world parameter, the index of the grid point with the highest
    /// expected net among those meeting `constraint` (point estimates, no bootstrap).
    pub fn best_by_row(&self, constraint: &Constraint) -> Vec<Option<usize>> {
        let n = self.values.len();
        (0..self.values2.len())
            .map(|i2| {
                let row = &self.cells[i2 * n..(i2 + 1) * n];
                let meets = |p: &SweepPoint| {
                    constraint.max_p_catastrophe.is_none_or(|cap| p.p_catastrophe <= cap)
                        && constraint.max_cvar95.is_none_or(|cap| p.cvar95_harm <= cap)
                };
                let mut best: Option<(usize, f64)> = None;
                for (i, c) in row.iter().enumerate() {
                    if meets(&c.point) && best.is_none_or(|(_, m)| c.point.net_mean > m) {
                        best = Some((i, c.point.net_mean));
                    }
                }
                best.map(|(i, _)| i)
            })
            .collect()
    }

    /// A field over the grid, `[i2 * values.len() + i]`, for heat maps.
    pub fn field(&self, f: impl Fn(&SweepPoint) -> f64) -> Vec<f64> {
        self.cells.iter().map(|c| f(&c.point)).collect()
    }
}

/// The policies actually simulated: grid points, then the current policy, then the reference.
struct Layout {
    policies: Vec<Policy>,
    policy_name: String,
    baseline_name: String,
    n_points: usize,
    current_value: f64,
    open_mask: Vec<bool>,
    clamped: Vec<bool>,
    values: Vec<f64>,
}

impl Layout {
    fn current(&self) -> usize {
        self.n_points
    }
    fn baseline(&self) -> usize {
        self.n_points + 1
    }
}

fn layout(scenario: &Scenario, spec: &SweepSpec) -> Result<Layout, SweepError> {
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
    Ok(Layout {
        policies,
        policy_name: policy.name.clone(),
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
        p_better_than_baseline: better(pair.baseline_net),
        clamped,
    };
    PointData { point, net, harm, catastrophe }
}

/// Simulates the layout once with `overrides`; returns the grid points, the current point
/// and (with `keep`) the per-run columns.
fn evaluate(
    scenario: &Scenario,
    lay: &Layout,
    engine: &Engine,
    source: &RunSource,
    overrides: Vec<(usize, f64)>,
    control: &Control,
    keep: bool,
) -> Result<(Vec<SweepPoint>, SweepPoint, PerRun), SimError> {
    let opts = SimOptions {
        threads: None,
        record: Record { jurisdictions: lay.open_mask.iter().any(|&o| o), series_runs: 0, params: false },
        param_overrides: overrides,
    };
    let results = source.simulate(scenario, engine, &opts, control)?;
    let baseline_net = results.column(lay.baseline(), Outcome::net);
    let current_net = results.column(lay.current(), Outcome::net);
    let pair = Paired { baseline_net: &baseline_net, current_net: &current_net };
    let mut data: Vec<PointData> = (0..=lay.n_points)
        .into_par_iter()
        .map(|slot| {
            let (value, clamped) =
                if slot < lay.n_points { (lay.values[slot], lay.clamped[slot]) } else { (lay.current_value, false) };
            point_data(&results, slot, value, clamped, &lay.open_mask, &pair)
        })
        .collect();
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
    Ok((points, current, per_run))
}

fn in_pool<T: Send>(threads: Option<usize>, f: impl FnOnce() -> Result<T, SweepError> + Send) -> Result<T, SweepError> {
    match threads {
        None => f(),
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .thread_name(|i| format!("tierlab-sweep-{i}"))
                .build()
                .map_err(|e| SimError::Threads { threads: t, reason: e.to_string() })?;
            pool.install(f)
        }
    }
}

/// Sweeps `spec.param` of policy `spec.policy` over `spec.values`, with the scenario's runs
/// and seed.
///
/// # Errors
/// [`SweepError::NoTieredRegime`] for a policy without a tiered regime, [`SweepError::Invalid`]
/// for a bad policy index or grid, [`SweepError::Sim`] when cancelled.
pub fn sweep(
    scenario: &Scenario,
    spec: &SweepSpec,
    opts: &SweepOptions,
    control: &Control,
) -> Result<Sweep, SweepError> {
    sweep_from(scenario, spec, opts, &RunSource::All, control)
}

/// [`sweep`] with its one simulation taken from `source` (a shard's range, or merged shards).
///
/// # Errors
/// As [`sweep`].
pub fn sweep_from(
    scenario: &Scenario,
    spec: &SweepSpec,
    opts: &SweepOptions,
    source: &RunSource,
    control: &Control,
) -> Result<Sweep, SweepError> {
    let lay = layout(scenario, spec)?;
    in_pool(opts.threads, || {
        let engine = Engine::with_policies(scenario, &lay.policies, lay.baseline());
        let (points, current, per_run) = evaluate(scenario, &lay, &engine, source, Vec::new(), control, true)?;
        let names: Vec<String> = points.iter().map(|p| format!("{}", p.value)).collect();
        let robustness = robustness(&names, &per_run.net, None);
        Ok(Sweep {
            policy: lay.policy_name.clone(),
            param: spec.param,
            baseline: lay.baseline_name.clone(),
            runs: scenario.run().runs,
            seed: scenario.run().seed,
            current_value: lay.current_value,
            current,
            points,
            robustness,
            per_run,
        })
    })
}

/// Sweeps `spec.param` against world parameter `axis.param`: one pass per `axis.values`
/// entry, the world parameter set to it in every run (common random numbers throughout).
///
/// # Errors
/// As [`sweep`], and [`SweepError::Invalid`] for axis values outside the parameter's range.
pub fn sweep_2d(
    scenario: &Scenario,
    spec: &SweepSpec,
    axis: &WorldAxis,
    opts: &SweepOptions,
    control: &Control,
) -> Result<Sweep2d, SweepError> {
    sweep_2d_from(scenario, spec, axis, opts, &RunSource::All, control)
}

/// [`sweep_2d`] with its simulations (one per axis value, in order) taken from `source`.
///
/// # Errors
/// As [`sweep_2d`].
pub fn sweep_2d_from(
    scenario: &Scenario,
    spec: &SweepSpec,
    axis: &WorldAxis,
    opts: &SweepOptions,
    source: &RunSource,
    control: &Control,
) -> Result<Sweep2d, SweepError> {
    let lay = layout(scenario, spec)?;
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
    check_world_values(axis.param, &axis.values).map_err(SweepError::Invalid)?;
    in_pool(opts.threads, || {
        let engine = Engine::with_policies(scenario, &lay.policies, lay.baseline());
        let mut cells = Vec::with_capacity(lay.n_points * axis.values.len());
        for &v2 in &axis.values {
            let (points, _, _) = evaluate(scenario, &lay, &engine, source, vec![(axis.param, v2)], control, false)?;
            cells.extend(points.into_iter().map(|point| Cell2d { value2: v2, point }));
        }
        let z: Vec<f64> = cells.iter().map(|c| c.point.p_better_than_baseline).collect();
        let contour = contour_lines(&lay.values, &axis.values, &z, 0.5);
        Ok(Sweep2d {
            policy: lay.policy_name.clone(),
            param: spec.param,
            param2: axis.key(),
            baseline: lay.baseline_name.clone(),
            runs: scenario.run().runs,
            seed: scenario.run().seed,
            values: lay.values.clone(),
            values2: axis.values.clone(),
            cells,
            contour_p_better_half: contour,
        })
    })
}

// ---------------------------------------------------------------------------------------
// Best threshold

/// Caps a grid point must meet to be chosen (both, when both are given).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Constraint {
    /// Largest allowed P(catastrophe), in [0, 1].
    pub max_p_catastrophe: Option<f64>,
    /// Largest allowed CVaR95 of harm, $B.
    pub max_cvar95: Option<f64>,
}

impl Constraint {
    /// Checks the caps.
    ///
    /// # Errors
    /// A cap that is not a probability / not a finite number >= 0.
    pub fn check(&self) -> Result<(), String> {
        if let Some(p) = self.max_p_catastrophe
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("the cap on P(catastrophe) must be in [0, 1], got {p}"));
        }
        if let Some(c) = self.max_cvar95
            && !(c.is_finite() && c >= 0.0)
        {
            return Err(format!("the cap on CVaR95 of harm must be a finite number >= 0 ($B), got {c}"));
        }
        Ok(())
    }

    /// "P(catastrophe) <= 0.1 and CVaR95 <= 20000 $B", or "no cap".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.max_p_catastrophe {
            parts.push(format!("P(catastrophe) <= {p}"));
        }
        if let Some(c) = self.max_cvar95 {
            parts.push(format!("CVaR95 of harm <= {c} $B"));
        }
        if parts.is_empty() { "no cap".into() } else { parts.join(" and ") }
    }
}

/// Bootstrap settings: replicates resample the runs with replacement.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BootstrapOptions {
    pub replicates: usize,
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions { replicates: DEFAULT_BOOTSTRAP, seed: 0 }
    }
}

/// How the choice varies when the runs are resampled.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BootstrapChoice {
    pub replicates: usize,
    pub seed: u64,
    /// Percentiles of the chosen value over the replicates in which some point met the cap.
    pub value_p5: Option<f64>,
    pub value_p50: Option<f64>,
    pub value_p95: Option<f64>,
    /// Share of replicates choosing the same point as the full sample.
    pub share_same: f64,
    /// Share of replicates in which no point met the cap.
    pub share_none: f64,
    /// How often each grid point was chosen.
    pub counts: Vec<u32>,
}

/// The grid point with the highest expected net among those meeting the cap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BestPoint {
    pub index: usize,
    pub value: f64,
    pub net_mean: f64,
    pub net_se: f64,
    pub p_catastrophe: f64,
    pub cvar95_harm: f64,
    pub bootstrap: BootstrapChoice,
}

/// Result of the best-threshold search.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BestThreshold {
    pub constraint: Constraint,
    /// Grid points meeting the cap in the full sample.
    pub feasible_points: usize,
    /// `None` when no grid point meets the cap.
    pub best: Option<BestPoint>,
    /// One or two plain sentences saying what was found.
    pub statement: String,
}

/// Per point: mean net, P(catastrophe), CVaR95 (when capped) over the runs `idx` (all when
/// `None`).
fn choose(per_run: &PerRun, constraint: &Constraint, idx: Option<&[u32]>, buf: &mut Vec<f64>) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for i in 0..per_run.n_points() {
        let (net, harm, cat) = (&per_run.net[i], &per_run.harm[i], &per_run.catastrophe[i]);
        let (mean, p_cat) = match idx {
            None => {
                let n = net.len() as f64;
                (net.iter().sum::<f64>() / n, cat.iter().filter(|&&c| c).count() as f64 / n)
            }
            Some(idx) => {
                let n = idx.len() as f64;
                let mut sum = 0.0;
                let mut k = 0usize;
                for &r in idx {
                    sum += net[r as usize];
                    k += usize::from(cat[r as usize]);
                }
                (sum / n, k as f64 / n)
            }
        };
        if constraint.max_p_catastrophe.is_some_and(|cap| p_cat > cap) {
            continue;
        }
        if let Some(cap) = constraint.max_cvar95 {
            buf.clear();
            match idx {
                None => buf.extend_from_slice(harm),
                Some(idx) => buf.extend(idx.iter().map(|&r| harm[r as usize])),
            }
            if cvar95_unsorted(buf) > cap {
                continue;
            }
        }
        if best.is_none_or(|(_, m)| mean > m) {
            best = Some((i, mean));
        }
    }
    best.map(|(i, _)| i)
}

/// The best grid point under `constraint`, from per-run outcomes, with its bootstrap
/// uncertainty; `label` names the swept parameter in the statement.
pub fn best_threshold_from_runs(
    values: &[f64],
    per_run: &PerRun,
    constraint: &Constraint,
    boot: &BootstrapOptions,
    label: &str,
) -> BestThreshold {
    let m = per_run.n_points().min(values.len());
    let n = per_run.n_runs();
    let mut buf = Vec::with_capacity(n);
    // Full-sample statistics of every point.
    let stats: Vec<(f64, f64, f64, f64)> = (0..m)
        .map(|i| {
            let (mean, se) = mean_se(&per_run.net[i]);
            let p = per_run.catastrophe[i].iter().filter(|&&c| c).count() as f64 / n.max(1) as f64;
            buf.clear();
            buf.extend_from_slice(&per_run.harm[i]);
            (mean, se, p, cvar95_unsorted(&mut buf))
        })
        .collect();
    let meets = |&(_, _, p, c): &(f64, f64, f64, f64)| {
        constraint.max_p_catastrophe.is_none_or(|cap| p <= cap) && constraint.max_cvar95.is_none_or(|cap| c <= cap)
    };
    let feasible_points = stats.iter().filter(|s| meets(s)).count();
    let chosen = if n == 0 { None } else { choose(per_run, constraint, None, &mut buf) };
    let Some(index) = chosen else {
        let mut statement = format!("No grid point meets the cap ({}).", constraint.describe());
        let lowest = |f: fn(&(f64, f64, f64, f64)) -> f64| {
            stats.iter().enumerate().min_by(|a, b| f(a.1).total_cmp(&f(b.1))).map(|(i, s)| (values[i], f(s)))
        };
        if constraint.max_p_catastrophe.is_some()
            && let Some((v, p)) = lowest(|s| s.2)
        {
            statement.push_str(&format!(" The lowest P(catastrophe) on the grid is {p:.4}, at {label} = {v}."));
        }
        if constraint.max_cvar95.is_some()
            && let Some((v, c)) = lowest(|s| s.3)
        {
            statement.push_str(&format!(" The lowest CVaR95 of harm on the grid is {c:.0} $B, at {label} = {v}."));
        }
        return BestThreshold { constraint: *constraint, feasible_points, best: None, statement };
    };

    let choices: Vec<Option<usize>> = (0..boot.replicates)
        .into_par_iter()
        .map_init(
            || (Vec::with_capacity(n), Vec::with_capacity(n)),
            |(idx, buf): &mut (Vec<u32>, Vec<f64>), r| {
                let mut rng = stream(boot.seed, Stream::Scenario, BOOTSTRAP_STREAM, r as u64);
                idx.clear();
                idx.extend((0..n).map(|_| rng.random_range(0..n as u32)));
                choose(per_run, constraint, Some(idx), buf)
            },
        )
        .collect();
    let mut counts = vec![0u32; m];
    for c in choices.iter().flatten() {
        counts[*c] += 1;
    }
    let chosen_values = sorted(&choices.iter().flatten().map(|&i| values[i]).collect::<Vec<f64>>());
    let q = |p: f64| (!chosen_values.is_empty()).then(|| quantile_sorted(&chosen_values, p));
    let reps = boot.replicates.max(1) as f64;
    let bootstrap = BootstrapChoice {
        replicates: boot.replicates,
        seed: boot.seed,
        value_p5: q(0.05),
        value_p50: q(0.5),
        value_p95: q(0.95),
        share_same: f64::from(counts[index]) / reps,
        share_none: choices.iter().filter(|c| c.is_none()).count() as f64 / reps,
        counts,
    };
    let (net_mean, net_se, p_catastrophe, cvar95_harm) = stats[index];
    let cap = if constraint.max_p_catastrophe.is_none() && constraint.max_cvar95.is_none() {
        String::new()
    } else {
        format!(" among the {feasible_points} of {m} grid points with {}", constraint.describe())
    };
    // Amounts overflow only with absurd but allowed inputs (a value per decade near f64::MAX).
    let amount = |x: f64| if x.is_finite() { format!("{x:.0}") } else { "n/a".to_string() };
    let mut statement = format!(
        "Best {label} = {}{cap}: expected net {} ± {} $B, P(catastrophe) {p_catastrophe:.3}, CVaR95 of harm {} $B.",
        values[index],
        amount(net_mean),
        amount(net_se),
        amount(cvar95_harm)
    );
    if boot.replicates > 0 {
        statement.push_str(&format!(
            " Resampling the runs ({} bootstrap replicates), the same point is chosen {:.0}% of the time",
            boot.replicates,
            100.0 * bootstrap.share_same
        ));
        if let (Some(lo), Some(hi)) = (bootstrap.value_p5, bootstrap.value_p95) {
            statement.push_str(&format!(" and 90% of choices lie in [{lo}, {hi}]"));
        }
        if bootstrap.share_none > 0.0 {
            statement.push_str(&format!("; {:.0}% of replicates meet no cap", 100.0 * bootstrap.share_none));
        }
        statement.push('.');
    }
    BestThreshold {
        constraint: *constraint,
        feasible_points,
        best: Some(BestPoint { index, value: values[index], net_mean, net_se, p_catastrophe, cvar95_harm, bootstrap }),
        statement,
    }
}

/// The best threshold of a sweep under `constraint` (cheap: reads the kept per-run outcomes,
/// so an app may call it again whenever the cap changes).
pub fn best_threshold(sweep: &Sweep, constraint: &Constraint, boot: &BootstrapOptions) -> BestThreshold {
    best_threshold_from_runs(&sweep.values(), &sweep.per_run, constraint, boot, sweep.param.key())
}

// ---------------------------------------------------------------------------------------
// Contours

/// The `level` contour of a field on a rectangular grid, by marching squares, as polylines
/// in data coordinates (`[x, y]` points). `z[iy * xs.len() + ix]`; a corner counts as above
/// the level when `z >= level`. Crossings are placed by linear interpolation along cell
/// edges; saddle cells are resolved by the mean of their corners. A line ends on the grid's
/// boundary or closes on itself (a closed line repeats its first point at the end).
pub fn contour_lines(xs: &[f64], ys: &[f64], z: &[f64], level: f64) -> Vec<Vec<[f64; 2]>> {
    let (nx, ny) = (xs.len(), ys.len());
    if nx < 2 || ny < 2 || z.len() != nx * ny {
        return Vec::new();
    }
    let at = |ix: usize, iy: usize| z[iy * nx + ix];
    let above = |ix: usize, iy: usize| at(ix, iy) >= level;
    // Edge ids: horizontal (ix, iy)-(ix+1, iy), then vertical (ix, iy)-(ix, iy+1).
    let n_h = (nx - 1) * ny;
    let h = |ix: usize, iy: usize| iy * (nx - 1) + ix;
    let v = |ix: usize, iy: usize| n_h + iy * nx + ix;
    let n_edges = n_h + nx * (ny - 1);
    let point = |e: usize| -> [f64; 2] {
        let frac = |a: f64, b: f64| if b == a { 0.5 } else { ((level - a) / (b - a)).clamp(0.0, 1.0) };
        if e < n_h {
            let (ix, iy) = (e % (nx - 1), e / (nx - 1));
            let t = frac(at(ix, iy), at(ix + 1, iy));
            [xs[ix] + t * (xs[ix + 1] - xs[ix]), ys[iy]]
        } else {
            let e = e - n_h;
            let (ix, iy) = (e % nx, e / nx);
            let t = frac(at(ix, iy), at(ix, iy + 1));
            [xs[ix], ys[iy] + t * (ys[iy + 1] - ys[iy])]
        }
    };
    let mut segments: Vec<[usize; 2]> = Vec::new();
    for iy in 0..ny - 1 {
        for ix in 0..nx - 1 {
            // Corners a (bottom left), b (bottom right), c (top right), d (top left).
            let (a, b, c, d) = (above(ix, iy), above(ix + 1, iy), above(ix + 1, iy + 1), above(ix, iy + 1));
            let (bottom, right, top, left) = (h(ix, iy), v(ix + 1, iy), h(ix, iy + 1), v(ix, iy));
            let crossed: Vec<usize> = [(a != b, bottom), (b != c, right), (c != d, top), (d != a, left)]
                .iter()
                .filter(|x| x.0)
                .map(|x| x.1)
                .collect();
            match crossed.len() {
                2 => segments.push([crossed[0], crossed[1]]),
                4 => {
                    let mean = (at(ix, iy) + at(ix + 1, iy) + at(ix + 1, iy + 1) + at(ix, iy + 1)) / 4.0;
                    if (mean >= level) == a {
                        // a and c join through the centre: cut off corners b and d.
                        segments.push([bottom, right]);
                        segments.push([top, left]);
                    } else {
                        segments.push([left, bottom]);
                        segments.push([right, top]);
                    }
                }
                _ => {}
            }
        }
    }
    // Join segments that share an edge point into polylines.
    const NONE: usize = usize::MAX;
    let mut incident = vec![[NONE; 2]; n_edges];
    for (s, seg) in segments.iter().enumerate() {
        for &e in seg {
            let slot = &mut incident[e];
            if slot[0] == NONE {
                slot[0] = s;
            } else {
                slot[1] = s;
            }
        }
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    let mut walk = |start_edge: usize, first: usize, used: &mut Vec<bool>| {
        let mut line = vec![point(start_edge)];
        let (mut edge, mut seg) = (start_edge, first);
        loop {
            used[seg] = true;
            let [e0, e1] = segments[seg];
            edge = if e0 == edge { e1 } else { e0 };
            line.push(point(edge));
            match incident[edge].iter().find(|&&s| s != NONE && !used[s]) {
                Some(&s) => seg = s,
                None => break,
            }
        }
        lines.push(line);
    };
    // Open lines start at an edge point with one segment (on the boundary).
    for e in 0..n_edges {
        if incident[e][0] != NONE && incident[e][1] == NONE && !used[incident[e][0]] {
            walk(e, incident[e][0], &mut used);
        }
    }
    // What remains are closed loops.
    for s in 0..segments.len() {
        if !used[s] {
            walk(segments[s][0], s, &mut used);
        }
    }
    lines
}

// ---------------------------------------------------------------------------------------
// Defaults: what to sweep when the user has not said (the app's Thresholds tab and
// `tierlab report` start from the same grids)

/// Grid points of a default 1-D sweep.
pub const DEFAULT_STEPS: usize = 25;
/// Half-width of a default threshold grid around the policy's current value, decades of
/// FLOP: two decades either side span about three years of frontier growth each way.
pub const DEFAULT_THRESHOLD_HALF_SPAN: f64 = 2.0;
/// Half-width of a default drift grid around the current drift, OOM per year.
pub const DEFAULT_DRIFT_HALF_SPAN: f64 = 0.3;
/// Grid of a default 2-D sweep: threshold values by world-parameter values.
pub const DEFAULT_HEATMAP_STEPS: usize = 13;
pub const DEFAULT_HEATMAP_STEPS2: usize = 9;
/// The world parameter a default 2-D sweep sets against the threshold: where misuse uplift
/// sets in is the uncertainty a capability threshold most directly bets on.
pub const DEFAULT_HEATMAP_PARAM: P = P::hazard_threshold;
/// Share of an uncertain world parameter's distribution left out at each end of a default
/// axis (the axis spans the central 90%).
pub const DEFAULT_AXIS_TAIL: f64 = 0.05;

/// The policy a sweep looks at when none is named: the first policy other than the baseline
/// with a tiered regime (a threshold is judged against the baseline), else the baseline if it
/// is tiered.
pub fn default_policy(scenario: &Scenario) -> Option<usize> {
    let nj = scenario.jurisdictions().len();
    let tiered =
        |i: &usize| scenario.policies().get(*i).is_some_and(|p| SweepParam::OpenBelow.current(p, nj).is_some());
    (0..scenario.policies().len())
        .filter(|&i| i != scenario.run().reference)
        .find(tiered)
        .or_else(|| Some(scenario.run().reference).filter(tiered))
}

/// The default grid of `param` around its current value `current`: (from, to). Ceilings and
/// drifts take any value (a negative drift is a threshold that tightens over time).
pub fn default_grid(param: SweepParam, current: f64) -> (f64, f64) {
    match param {
        SweepParam::OpenBelow | SweepParam::GatedBelow => {
            (current - DEFAULT_THRESHOLD_HALF_SPAN, current + DEFAULT_THRESHOLD_HALF_SPAN)
        }
        SweepParam::Drift => (current - DEFAULT_DRIFT_HALF_SPAN, current + DEFAULT_DRIFT_HALF_SPAN),
    }
}

/// The default axis of world parameter `param`: its central 90% when uncertain, else a span
/// around its value (an order of magnitude either side for capabilities, a quarter of the
/// value otherwise); rounded outward to two significant digits of the span and kept inside
/// the parameter's allowed range. `None` when that leaves no span.
pub fn default_world_range(scenario: &Scenario, param: usize) -> Option<(f64, f64)> {
    let dist = scenario.world().get(param)?;
    let info = PARAMS.get(param)?;
    let (lo, hi) = if dist.is_fixed() {
        let x = dist.central();
        let half = match info.range {
            Range::Any => 1.0,
            _ if x == 0.0 => 0.5,
            _ => 0.25 * x.abs(),
        };
        (x - half, x + half)
    } else {
        (dist.quantile(DEFAULT_AXIS_TAIL), dist.quantile(1.0 - DEFAULT_AXIS_TAIL))
    };
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return None;
    }
    // Round on a scaled integer grid so that e.g. 26.5 stays exactly 26.5.
    let scale = 10f64.powi(1 - (hi - lo).log10().floor() as i32);
    let (lo, hi) = ((lo * scale).floor() / scale, (hi * scale).ceil() / scale);
    let (min, max, open_lo) = info.range.bounds();
    // A strictly positive parameter keeps a little room above its bound.
    let min = if open_lo { min + (hi - lo) * 1e-3 } else { min };
    let (lo, hi) = (lo.clamp(min, max), hi.clamp(min, max));
    (hi > lo).then_some((lo, hi))
}

/// The Pareto-efficient points of (benefit: more is better, risk: less is better): those no
/// other point beats on one without losing on the other.
pub fn pareto_efficient(points: &[(f64, f64)]) -> Vec<bool> {
    points
        .iter()
        .map(|&(b, r)| {
            b.is_finite() && r.is_finite() && !points.iter().any(|&(b2, r2)| b2 >= b && r2 <= r && (b2 > b || r2 < r))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The baseline, made small enough for debug-build tests.
    fn small(runs: u64) -> Scenario {
        Scenario::baseline()
            .edited(|d| {
                d.run.runs = runs;
                d.run.years = 5;
            })
            .unwrap()
    }

    fn tiered(s: &Scenario) -> usize {
        s.policy_index("Global tiered 1e27").unwrap()
    }

    fn run_sweep(s: &Scenario, policy: usize, param: SweepParam, values: &[f64]) -> Sweep {
        let spec = SweepSpec { policy, param, values: values.to_vec() };
        sweep(s, &spec, &SweepOptions::default(), &Control::new()).unwrap()
    }

    #[test]
    fn identical_settings_give_identical_points() {
        let s = small(400);
        let sw = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[26.0, 27.0, 26.0]);
        assert_eq!(sw.points[0], sw.points[2]);
        assert_eq!(sw.per_run.net[0], sw.per_run.net[2]);
        // 27 is the policy's own setting: the grid point equals the hidden current point.
        assert_eq!(sw.current_value, 27.0);
        assert_eq!(sw.points[1], sw.current);
        assert_eq!(sw.points[1].p_better_than_current, 0.0);
        // The points differ where the settings differ (else the checks above prove nothing).
        assert_ne!(sw.points[0].net_mean, sw.points[1].net_mean);
    }

    #[test]
    fn a_point_does_not_depend_on_the_rest_of_the_grid() {
        let s = small(300);
        let a = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[26.0, 27.5]);
        let b = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[27.5, 28.0, 29.0]);
        assert_eq!(a.points[1], b.points[0]);
        assert_eq!(a.current, b.current);
    }

    #[test]
    fn sweep_points_agree_with_plain_simulation() {
        // The grid point at the current setting has the statistics a plain run of the
        // scenario gives that policy (same runs, same seed).
        let s = small(300);
        let sw = run_sweep(&s, tiered(&s), SweepParam::Drift, &[0.0, 0.2]);
        let r = crate::sim::simulate(&s, &SimOptions::default(), &Control::new()).unwrap();
        let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
        let sum = crate::analysis::summarise(&r, &names, s.run().reference);
        let ps = &sum.policies[tiered(&s)];
        let p = &sw.points[0];
        assert_eq!(p.net_mean, ps.net.mean);
        assert_eq!(p.p_catastrophe, ps.p_catastrophe);
        assert_eq!(p.cvar95_harm, ps.cvar95_harm);
        assert_eq!(p.net_diff_mean, ps.net_diff_mean);
        assert_eq!(p.p_better_than_baseline, ps.p_better_than_baseline);
        assert_eq!(sw.baseline, "Status quo");
    }

    #[test]
    fn open_share_counts_open_jurisdictions_only() {
        let s = small(200);
        let uni = s.policy_index("Unilateral tiered (US, EU, UK)").unwrap();
        let sw = run_sweep(&s, uni, SweepParam::OpenBelow, &[25.0, 30.0]);
        // China and the rest of the world stay open: 0.15 + 0.03 at the start, more as
        // development moves to them when the tiers bind (low threshold).
        assert!(sw.points[0].open_share_end > 0.18, "{}", sw.points[0].open_share_end);
        assert!(sw.points[0].open_share_end > sw.points[1].open_share_end);
        let all_tiered = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[25.0]);
        assert_eq!(all_tiered.points[0].open_share_end, 0.0);
    }

    #[test]
    fn policy_without_tiered_regime_is_refused_by_name() {
        let s = small(10);
        let spec = SweepSpec { policy: 0, param: SweepParam::OpenBelow, values: vec![27.0] };
        let err = sweep(&s, &spec, &SweepOptions::default(), &Control::new()).unwrap_err();
        assert!(err.is_invalid_input());
        assert!(err.to_string().contains("\"Status quo\""), "{err}");
        let bad = SweepSpec { policy: 0, param: SweepParam::OpenBelow, values: vec![] };
        assert!(sweep(&s, &SweepSpec { policy: 1, ..bad }, &SweepOptions::default(), &Control::new()).is_err());
    }

    #[test]
    fn cancelled_sweep_reports_cancellation() {
        let s = small(1000);
        let control = Control::new();
        control.cancel();
        let spec = SweepSpec { policy: tiered(&s), param: SweepParam::OpenBelow, values: vec![27.0] };
        let err = sweep(&s, &spec, &SweepOptions::default(), &control).unwrap_err();
        assert!(matches!(err, SweepError::Sim(SimError::Cancelled)));
        assert!(!err.is_invalid_input());
    }

    #[test]
    fn apply_moves_every_tiered_regime() {
        let s = Scenario::baseline();
        let mut p = s.policies()[s.policy_index("Unilateral tiered (US, EU, UK)").unwrap()].clone();
        assert!(!SweepParam::OpenBelow.apply(&mut p, 25.5));
        for (_, r) in &p.overrides {
            assert_eq!(*r, Regime::Tiered { open_below: 25.5, gated_below: 26.5, drift: 0.0 });
        }
        assert_eq!(p.default, Regime::Open);
        assert!(SweepParam::GatedBelow.apply(&mut p, 25.0));
        assert_eq!(p.overrides[0].1, Regime::Tiered { open_below: 25.5, gated_below: 25.5, drift: 0.0 });
        assert!(!SweepParam::GatedBelow.apply(&mut p, 27.0));
        assert!(!SweepParam::Drift.apply(&mut p, 0.25));
        assert_eq!(p.overrides[2].1, Regime::Tiered { open_below: 25.5, gated_below: 27.0, drift: 0.25 });
        assert_eq!(SweepParam::GatedBelow.current(&p, 5), Some(27.0));
        assert_eq!(SweepParam::parse("drift"), Some(SweepParam::Drift));
        assert_eq!(SweepParam::parse("open"), None);
    }

    #[test]
    fn grid_and_its_checks() {
        let g = grid(24.0, 30.0, 25);
        assert_eq!(g.len(), 25);
        assert_eq!((g[0], g[12], g[24]), (24.0, 27.0, 30.0));
        assert_eq!(grid(1.0, 0.0, 3), vec![1.0, 0.5, 0.0]);
        assert!(check_grid("x", 0.0, 1.0, 2).is_ok());
        assert!(check_grid("x", 0.0, 1.0, 201).is_ok());
        assert!(check_grid("x", 0.0, 1.0, 1).is_err());
        assert!(check_grid("x", 0.0, 1.0, 202).is_err());
        assert!(check_grid("x", f64::NAN, 1.0, 5).is_err());
        assert!(check_grid("x", 0.0, f64::INFINITY, 5).is_err());
    }

    #[test]
    fn world_params_are_named_world_key() {
        assert_eq!(world_param("world.mobility"), Ok(crate::model::P::mobility as usize));
        let e = world_param("mobility").unwrap_err();
        assert!(e.contains("world.mobility"), "{e}");
        let e = world_param("world.mobilty").unwrap_err();
        assert!(e.contains("did you mean `world.mobility`"), "{e}");
        assert!(check_world_values(crate::model::P::tail_alpha as usize, &[0.5, 2.0]).is_ok());
        assert!(check_world_values(crate::model::P::tail_alpha as usize, &[0.0, 2.0]).is_err());
        assert!(check_world_values(crate::model::P::strip_prob as usize, &[0.5, 1.1]).is_err());
    }

    #[test]
    fn sweep_2d_row_equals_the_1d_sweep_at_a_fixed_world_value() {
        // r_max is fixed (0.8) in the baseline: overriding it with 0.8 changes nothing, so that
        // row must equal the 1-D sweep exactly; the other row must differ.
        let s = small(200);
        let spec = SweepSpec { policy: tiered(&s), param: SweepParam::OpenBelow, values: vec![26.0, 28.0] };
        let axis = WorldAxis { param: crate::model::P::r_max as usize, values: vec![0.8, 0.2] };
        let control = Control::new();
        let two = sweep_2d(&s, &spec, &axis, &SweepOptions::default(), &control).unwrap();
        assert_eq!(control.runs_done(), progress_total(&s, 2));
        let one = sweep(&s, &spec, &SweepOptions::default(), &Control::new()).unwrap();
        assert_eq!(two.cells.len(), 4);
        assert_eq!(two.cell(0, 0).point, one.points[0]);
        assert_eq!(two.cell(1, 0).point, one.points[1]);
        assert_eq!(two.cell(1, 0).value2, 0.8);
        assert!(two.cell(0, 1).point.harm_mean > two.cell(0, 0).point.harm_mean);
        assert_eq!(two.param2, "world.r_max");
        let bad = WorldAxis { param: crate::model::P::r_max as usize, values: vec![1.5] };
        assert!(sweep_2d(&s, &spec, &bad, &SweepOptions::default(), &Control::new()).unwrap_err().is_invalid_input());
    }

    /// Per-run columns for synthetic best-threshold cases: point i has net `nets[i]` in every
    /// run (plus a small run-dependent wobble), catastrophes in the first `cats[i]` of `n` runs
    /// and harm `harms[i]` in every run.
    fn synthetic(nets: &[f64], cats: &[usize], harms: &[f64], n: usize) -> PerRun {
        let mut pr = PerRun::default();
        for i in 0..nets.len() {
            pr.net.push((0..n).map(|r| nets[i] + (r % 7) as f64).collect());
            pr.catastrophe.push((0..n).map(|r| r < cats[i]).collect());
            pr.harm.push(vec![harms[i]; n]);
        }
        pr
    }

    #[test]
    fn best_threshold_finds_the_known_answer_under_the_cap() {
        let values = [1.0, 2.0, 3.0, 4.0];
        // Net rises with the value, and so does P(catastrophe): 0.05, 0.10, 0.20, 0.40.
        let pr = synthetic(&[100.0, 200.0, 300.0, 400.0], &[50, 100, 200, 400], &[1.0, 2.0, 3.0, 4.0], 1000);
        let boot = BootstrapOptions { replicates: 100, seed: 7 };
        let none = Constraint::default();
        let b = best_threshold_from_runs(&values, &pr, &none, &boot, "x");
        assert_eq!(b.best.as_ref().map(|b| b.value), Some(4.0));
        let cap = Constraint { max_p_catastrophe: Some(0.15), max_cvar95: None };
        let b = best_threshold_from_runs(&values, &pr, &cap, &boot, "x");
        let best = b.best.as_ref().unwrap();
        assert_eq!((best.index, best.value, b.feasible_points), (1, 2.0, 2));
        assert_eq!(best.p_catastrophe, 0.1);
        // Point 2 is far above the cap and point 1 far below: every resample agrees.
        assert_eq!(best.bootstrap.share_same, 1.0);
        assert_eq!((best.bootstrap.value_p5, best.bootstrap.value_p95), (Some(2.0), Some(2.0)));
        assert_eq!(best.bootstrap.counts, vec![0, 100, 0, 0]);
        assert!(b.statement.starts_with("Best x = 2"), "{}", b.statement);
        // A cap on CVaR95 instead (harm is constant per point, so CVaR95 = harm).
        let cap = Constraint { max_p_catastrophe: None, max_cvar95: Some(3.0) };
        let b = best_threshold_from_runs(&values, &pr, &cap, &boot, "x");
        assert_eq!(b.best.as_ref().map(|b| b.value), Some(3.0));
        // Both caps: the stricter wins.
        let cap = Constraint { max_p_catastrophe: Some(0.15), max_cvar95: Some(3.0) };
        assert_eq!(best_threshold_from_runs(&values, &pr, &cap, &boot, "x").best.map(|b| b.value), Some(2.0));
    }

    #[test]
    fn a_best_value_at_either_end_of_the_grid_is_flagged() {
        let sweep_of = |values: &[f64]| Sweep {
            policy: "p".into(),
            param: SweepParam::OpenBelow,
            baseline: "b".into(),
            runs: 1,
            seed: 1,
            current_value: values[0],
            current: SweepPoint::default(),
            points: values.iter().map(|&value| SweepPoint { value, ..SweepPoint::default() }).collect(),
            robustness: Robustness::default(),
            per_run: PerRun::default(),
        };
        let up = sweep_of(&[25.0, 26.0, 27.0]);
        assert_eq!((up.grid_end(25.0), up.grid_end(26.0), up.grid_end(27.0)), (Some("lowest"), None, Some("highest")));
        let down = sweep_of(&[0.3, 0.0, -0.3]);
        assert_eq!((down.grid_end(0.3), down.grid_end(-0.3)), (Some("highest"), Some("lowest")));
        assert_eq!(sweep_of(&[1.0, 2.0]).grid_end(2.0), None, "two points have no inside");
    }

    #[test]
    fn best_threshold_says_when_no_point_meets_the_cap() {
        let values = [1.0, 2.0];
        let pr = synthetic(&[100.0, 200.0], &[300, 200], &[5.0, 6.0], 1000);
        let cap = Constraint { max_p_catastrophe: Some(0.1), max_cvar95: None };
        let b = best_threshold_from_runs(&values, &pr, &cap, &BootstrapOptions::default(), "open_below");
        assert!(b.best.is_none());
        assert_eq!(b.feasible_points, 0);
        assert!(b.statement.starts_with("No grid point meets the cap"), "{}", b.statement);
        assert!(b.statement.contains("0.2000, at open_below = 2"), "{}", b.statement);
    }

    #[test]
    fn bootstrap_is_reproducible_and_spreads_between_close_points() {
        let values = [1.0, 2.0];
        // Two points with nearly equal expected net and independent noise.
        let n = 400;
        let mut pr = PerRun::default();
        for (i, shift) in [(0u64, 0.0), (1, 0.5)] {
            pr.net.push((0..n).map(|r| shift + (crate::sim::rng::mix64(r * 2 + i) % 1000) as f64 / 10.0).collect());
            pr.harm.push(vec![0.0; n as usize]);
            pr.catastrophe.push(vec![false; n as usize]);
        }
        let boot = BootstrapOptions { replicates: 200, seed: 3 };
        let a = best_threshold_from_runs(&values, &pr, &Constraint::default(), &boot, "x");
        let b = best_threshold_from_runs(&values, &pr, &Constraint::default(), &boot, "x");
        assert_eq!(a, b);
        let bs = &a.best.as_ref().unwrap().bootstrap;
        assert!(bs.share_same > 0.05 && bs.share_same < 0.95, "{}", bs.share_same);
        assert_eq!(bs.counts.iter().sum::<u32>(), 200);
        assert_eq!((bs.value_p5, bs.value_p95), (Some(1.0), Some(2.0)));
    }

    #[test]
    fn contour_of_a_ramp_is_a_straight_line() {
        let xs = [0.0, 1.0, 2.0, 3.0];
        let ys = [10.0, 20.0, 30.0];
        // z = x / 3 on every row: 0.5 at x = 1.5.
        let z: Vec<f64> = ys.iter().flat_map(|_| xs.iter().map(|x| x / 3.0)).collect();
        let lines = contour_lines(&xs, &ys, &z, 0.5);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.len(), 3);
        for p in line {
            assert!((p[0] - 1.5).abs() < 1e-12, "{p:?}");
        }
        let mut ys_on: Vec<f64> = line.iter().map(|p| p[1]).collect();
        ys_on.sort_by(f64::total_cmp);
        assert_eq!(ys_on, vec![10.0, 20.0, 30.0]);
        assert!(contour_lines(&xs, &ys, &z, 2.0).is_empty());
    }

    #[test]
    fn contour_of_a_peak_is_a_closed_loop() {
        let xs: Vec<f64> = (0..21).map(|i| f64::from(i) / 10.0 - 1.0).collect();
        let ys = xs.clone();
        let z: Vec<f64> = ys.iter().flat_map(|y| xs.iter().map(move |x| 1.0 - (x * x + y * y).sqrt())).collect();
        let lines = contour_lines(&xs, &ys, &z, 0.5);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(line.len() > 12);
        assert_eq!(line.first(), line.last());
        for p in line {
            let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
            assert!((r - 0.5).abs() < 0.02, "{p:?} at radius {r}");
        }
    }

    #[test]
    fn contour_resolves_saddles_by_the_cell_mean() {
        // One cell, z[iy * 2 + ix]: bottom left a = 1, bottom right b = 0, top left d = 0,
        // top right c = 1; the mean is 0.5.
        let (xs, ys) = ([0.0, 1.0], [0.0, 1.0]);
        let z = [1.0, 0.0, 0.0, 1.0];
        // The line that starts on the bottom edge (y = 0) ends on the right edge (x = 1) when
        // the centre is above the level (a and c join, b is cut off), else on the left edge.
        let partner_of_bottom = |level: f64| {
            let lines = contour_lines(&xs, &ys, &z, level);
            assert_eq!(lines.len(), 2);
            assert!(lines.iter().all(|l| l.len() == 2));
            let l = lines.iter().find(|l| l.iter().any(|p| p[1] == 0.0)).unwrap();
            *l.iter().find(|p| p[1] != 0.0).unwrap()
        };
        assert_eq!(partner_of_bottom(0.4)[0], 1.0);
        assert_eq!(partner_of_bottom(0.6)[0], 0.0);
    }

    #[test]
    fn defaults_pick_a_tiered_policy_a_centred_grid_and_an_axis_inside_the_range() {
        let s = Scenario::baseline();
        let p = default_policy(&s).unwrap();
        assert_ne!(p, s.run().reference, "a threshold is compared with the baseline");
        assert!(SweepParam::OpenBelow.current(&s.policies()[p], s.jurisdictions().len()).is_some());
        assert_eq!(default_grid(SweepParam::OpenBelow, 27.0), (25.0, 29.0));
        assert_eq!(
            default_grid(SweepParam::Drift, 0.1),
            (0.1 - DEFAULT_DRIFT_HALF_SPAN, 0.1 + DEFAULT_DRIFT_HALF_SPAN)
        );
        let h = DEFAULT_HEATMAP_PARAM as usize;
        let (lo, hi) = default_world_range(&s, h).unwrap();
        assert!(lo <= s.world()[h].quantile(0.05) && hi >= s.world()[h].quantile(0.95), "the central 90%, rounded out");
        // A fixed probability near its bound stays a probability.
        let prob = PARAMS.iter().position(|q| q.range == Range::Probability).unwrap();
        let s = s.edited(|d| d.world[prob] = crate::model::Dist::Fixed(0.98)).unwrap();
        let (lo, hi) = default_world_range(&s, prob).unwrap();
        assert!(lo < hi && (0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
        // Only the baseline tiered: it is swept; nothing tiered: nothing to sweep.
        let s = s
            .edited(|d| {
                for (i, pol) in d.policies.iter_mut().enumerate() {
                    if i != d.run.reference {
                        pol.default = Regime::Closed;
                        pol.overrides.clear();
                    }
                }
            })
            .unwrap();
        assert_eq!(default_policy(&s), None, "the baseline is open");
        let b = s.run().reference;
        let s = s
            .edited(|d| d.policies[b].default = Regime::Tiered { open_below: 27.0, gated_below: 28.0, drift: 0.0 })
            .unwrap();
        assert_eq!(default_policy(&s), Some(b));
    }

    #[test]
    fn pareto_marks_the_undominated_points() {
        let pts = [(1.0, 1.0), (2.0, 2.0), (1.5, 2.5), (3.0, 2.0), (0.5, 0.5), (f64::NAN, 0.0)];
        assert_eq!(pareto_efficient(&pts), vec![true, false, false, true, true, false]);
        // Ties on one side: the one better on the other side wins.
        let pts = [(10.0, 5.0), (8.0, 5.0), (12.0, 9.0), (12.0, 10.0), (3.0, 1.0)];
        assert_eq!(pareto_efficient(&pts), vec![true, false, true, false, true]);
    }
}
