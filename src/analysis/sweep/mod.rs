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
//! This module simulates nothing: [`SweepLayout`] says what to simulate and reads the
//! results; `study` runs the simulations (whole, in shards, or replayed from shards).
//! `layout.rs` the layout and each point's statistics; `best.rs` the best threshold under
//! a cap and its bootstrap; `contour.rs` the P(better) = 0.5 contour; `defaults.rs` the
//! grids and axes used when the user has not chosen.

mod best;
mod contour;
mod defaults;
mod layout;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::model::params::{PARAMS, param_index};
use crate::model::suggest;
use crate::model::{Measure, Policy, Regime};

use super::robustness::Robustness;

pub use best::{
    BestPoint, BestThreshold, BootstrapChoice, BootstrapOptions, Constraint, best_threshold, best_threshold_from_runs,
    reference_cap,
};
pub use contour::contour_lines;
pub use defaults::{
    DEFAULT_AXIS_TAIL, DEFAULT_DRIFT_HALF_SPAN, DEFAULT_HEATMAP_PARAM, DEFAULT_HEATMAP_STEPS, DEFAULT_HEATMAP_STEPS2,
    DEFAULT_STEPS, DEFAULT_THRESHOLD_HALF_SPAN, default_grid, default_policy, default_world_range, pareto_efficient,
};
pub use layout::{Evaluation, SweepLayout};

/// Most grid points on one axis.
pub const MAX_POINTS: usize = 201;
/// Fewest grid points the command line accepts on one axis.
pub const MIN_POINTS: usize = 2;
/// Bootstrap replicates for the best threshold unless asked otherwise.
pub const DEFAULT_BOOTSTRAP: usize = 200;

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
}

/// The regime parameter a sweep moves, in every tiered regime of the policy (default and
/// overrides); open and closed regimes stay as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

    /// The unit of the parameter's values; a ceiling's says what the swept policy's
    /// thresholds measure (`measure`: training or effective FLOP, None for mixed or unknown).
    pub fn unit(self, measure: Option<Measure>) -> String {
        match self {
            SweepParam::OpenBelow | SweepParam::GatedBelow => format!("log10 {}", Measure::flop_unit_of(measure)),
            SweepParam::Drift => "OOM/yr".into(),
        }
    }

    /// A value of the parameter with its unit: "27.167 log10 training FLOP (1.5e27 training
    /// FLOP)" or "0.1 OOM/yr".
    pub fn label(self, x: f64, measure: Option<Measure>) -> String {
        match self {
            SweepParam::OpenBelow | SweepParam::GatedBelow => {
                let unit = Measure::flop_unit_of(measure);
                format!("{} log10 {unit} ({} {unit})", crate::fmt::grid(x), crate::fmt::flop(x))
            }
            SweepParam::Drift => format!("{} OOM/yr", crate::fmt::grid(x)),
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
            Regime::Tiered { open_below, gated_below, drift, .. } => Some(match self {
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// Index of the policy in the scenario.
    pub policy: usize,
    pub param: SweepParam,
    /// The grid (1 to [`MAX_POINTS`] finite values, in the order to report them).
    pub values: Vec<f64>,
}

/// The second axis of a 2-D sweep: a world parameter set to each value in every run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    #[serde(rename = "p_better_than_baseline")]
    pub p_better_than_reference: f64,
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
    /// What the policy's thresholds measure (for their unit in labels).
    #[serde(skip)]
    pub measure: Option<Measure>,
    /// The reference policy's name (files call it the baseline).
    #[serde(rename = "baseline")]
    pub reference: String,
    pub runs: u64,
    pub seed: u64,
    /// The parameter's value in the policy as it stands (first tiered jurisdiction).
    pub current_value: f64,
    /// The policy as it stands, simulated alongside the grid.
    pub current: SweepPoint,
    /// The reference policy, simulated alongside the grid (the app's default cap on the best
    /// threshold); not in sweep.json.
    #[serde(skip)]
    pub reference_point: SweepPoint,
    pub points: Vec<SweepPoint>,
    /// Regret of every grid point against the best grid point in each world: the most
    /// robust value beside the best expected one.
    pub robustness: Robustness,
    /// Per-run outcomes of the grid points (not serialised).
    #[serde(skip)]
    pub per_run: PerRun,
}

impl Sweep {
    /// The swept parameter's unit (see [`SweepParam::unit`]).
    pub fn unit(&self) -> String {
        self.param.unit(self.measure)
    }

    /// A value of the swept parameter with its unit (see [`SweepParam::label`]).
    pub fn label(&self, x: f64) -> String {
        self.param.label(x, self.measure)
    }

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
    /// What the policy's thresholds measure (for their unit in labels).
    #[serde(skip)]
    pub measure: Option<Measure>,
    /// `world.KEY`.
    pub param2: String,
    /// The reference policy's name (files call it the baseline).
    #[serde(rename = "baseline")]
    pub reference: String,
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
    /// The swept parameter's unit (see [`SweepParam::unit`]).
    pub fn unit(&self) -> String {
        self.param.unit(self.measure)
    }

    /// A value of the swept parameter with its unit (see [`SweepParam::label`]).
    pub fn label(&self, x: f64) -> String {
        self.param.label(x, self.measure)
    }

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
