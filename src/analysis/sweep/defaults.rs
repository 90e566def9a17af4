//! Defaults: what to sweep when the user has not said (the app's Thresholds tab and
//! `tierlab report` start from the same grids), and the benefit/tail-risk frontier.

use crate::model::Scenario;
use crate::model::params::{P, PARAMS, Range, V2_PARAMS, is_left_out};

use super::SweepParam;

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
    let off = V2_PARAMS.iter().any(|p| *p as usize == param) && is_left_out(info.key, dist);
    let (lo, hi) = if off {
        // A model v2 mechanism left out holds its off value (for world_output and distill_lag
        // one outside the range): the axis turns it on, over the parameter's usual span.
        info.slider
    } else if dist.is_fixed() {
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
