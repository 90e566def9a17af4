//! The continuation value (model v2, docs/MODEL.md "After the last step"): the end state's
//! flows of benefit and harm counted on for `continuation_years` more years, discounted, in
//! closed form and without random numbers. One run and policy at a time, in plain `f64`;
//! both engines call these same functions with their end state, so they agree exactly when
//! their end states do.

use super::libm::{exp_f64, exp_m1_f64, ln_f64};
use crate::model::params::P;

/// `D`: the discounted length of the `l` years after a horizon of `horizon` years at the
/// continuous rate `d`, `exp(-d Y) (1 - exp(-d L)) / d` (`L exp(-d Y)` when `d = 0`), so that
/// a flow `F` per year over those years is worth `D F` today. `1 - exp(-dL)` is computed as
/// `-expm1(-dL)`, the same number without the cancellation at small `dL`.
pub fn discount_weight(d: f64, horizon: f64, l: f64) -> f64 {
    if l <= 0.0 {
        return 0.0;
    }
    let start = exp_f64(-d * horizon);
    if d == 0.0 { l * start } else { start * -exp_m1_f64(-d * l) / d }
}

/// `E[min(cap, a X)]` for `X ~ Pareto(1, alpha)` (`P(X > x) = x^-alpha`, `x >= 1`): the
/// expected size of one misuse event of scale `a` under the cap, MODEL.md step 8's `S` in
/// expectation. `cap` when `a >= cap`; else with `m = cap / a`,
/// `a (1 + (m^(1 - alpha) - 1) / (1 - alpha))`, and `a (1 + ln m)` at `alpha = 1`.
pub fn expected_capped_pareto(a: f64, cap: f64, alpha: f64) -> f64 {
    if a.is_nan() || a <= 0.0 {
        return 0.0;
    }
    if a >= cap {
        return cap;
    }
    // ln(cap / a) without forming cap / a, which can overflow (a tiny scale under a huge cap).
    let ln_m = ln_f64(cap) - ln_f64(a);
    let k = 1.0 - alpha;
    let x = k * ln_m;
    // (m^k - 1) / k as expm1(k ln m) / k: exact near alpha = 1, where the quotient tends to
    // ln m. Past exp's range (only for alpha well below 1, with m^k huge) the same sum reads
    // a + (cap m^-alpha - a) / k, which cannot overflow and has no cancellation there.
    let e = if k == 0.0 {
        a * (1.0 + ln_m)
    } else if x < 700.0 {
        a * (1.0 + exp_m1_f64(x) / k)
    } else {
        a + (cap * exp_f64(-alpha * ln_m) - a) / k
    };
    e.min(cap)
}

/// One run's constants of the continuation, from its world parameters.
#[derive(Clone, Copy, Debug)]
pub struct ContinuationParams {
    /// `D` (see [`discount_weight`]).
    pub weight: f64,
    value_per_oom: f64,
    k_base: f64,
    misuse_rate: f64,
    hazard: f64,
    inv_hazard_width: f64,
    severity_min: f64,
    kappa_ln10: f64,
    alpha: f64,
    severity_cap: f64,
    /// `world_output`, +inf when losses are unbounded.
    output: f64,
}

impl ContinuationParams {
    /// The constants of a run with world parameters `params`, `horizon` years long;
    /// `output` is the run's world output per year (+inf: unbounded).
    pub fn new(params: &[f64], horizon: f64, output: f64) -> ContinuationParams {
        let x = |p: P| params[p as usize];
        ContinuationParams {
            weight: discount_weight(x(P::discount_rate), horizon, x(P::continuation_years)),
            value_per_oom: x(P::value_per_oom),
            k_base: x(P::k_base),
            misuse_rate: x(P::misuse_rate),
            hazard: x(P::hazard_threshold),
            inv_hazard_width: 1.0 / x(P::hazard_width),
            severity_min: x(P::severity_min),
            kappa_ln10: x(P::severity_per_oom) * std::f64::consts::LN_10,
            alpha: x(P::tail_alpha),
            severity_cap: x(P::severity_cap),
            output,
        }
    }
}

/// The jurisdictions' fixed attributes the continuation reads, `[j]`.
#[derive(Clone, Copy, Debug)]
pub struct Places<'a> {
    pub weight: &'a [f64],
    pub api_access: &'a [f64],
    pub exposure: &'a [f64],
}

/// One policy's state after the last step of a run.
#[derive(Clone, Copy, Debug)]
pub struct EndState<'a> {
    /// Frontier `K`, open pool `O` and the misusers' pool `M`, OOM.
    pub frontier: f64,
    pub open_pool: f64,
    pub misuse_pool: f64,
    /// Remaining share of world output `R` (1 when losses are unbounded).
    pub remaining: f64,
    /// `a_open` (after safeguards and scrutiny) and `a_api` (after scrutiny).
    pub strip: f64,
    pub api_misuse: f64,
    /// `A_j` and `r_j`, `[j]`.
    pub adoption: &'a [f64],
    pub preparedness: &'a [f64],
}

/// Adds the continuation of one run and policy to its per-jurisdiction benefit `b` and harm
/// `h` (`[j]`), using `flows` (`[j]`) as scratch; returns the parts added, (benefit, harm),
/// summed over jurisdictions. Allocates nothing.
pub fn add_continuation(
    c: &ContinuationParams,
    places: Places<'_>,
    end: EndState<'_>,
    b: &mut [f64],
    h: &mut [f64],
    flows: &mut [f64],
) -> (f64, f64) {
    if c.weight == 0.0 {
        return (0.0, 0.0);
    }
    // Benefit: step 9's flow per year at the end state, on the output that remains.
    let v_open = (end.open_pool - c.k_base).max(0.0);
    let v_frontier = (end.frontier - c.k_base).max(0.0);
    let mut benefit = 0.0;
    for (j, bj) in b.iter_mut().enumerate() {
        let v = v_open.max(places.api_access[j] * v_frontier);
        let flow = c.value_per_oom * places.weight[j] * end.adoption[j] * v;
        let part = c.weight * flow * end.remaining;
        *bj += part;
        benefit += part;
    }
    // Harm: step 7's intensity at the end state times the expected size of one event in
    // each place, its source open with step 8's probability (from the misusers' pool).
    let logistic = |k: f64| 1.0 / (1.0 + exp_f64(-((k - c.hazard) * c.inv_hazard_width)));
    let ho = end.strip * logistic(end.misuse_pool);
    let hk = end.api_misuse * logistic(end.frontier);
    let lambda = c.misuse_rate * (ho + hk);
    // No intensity, no harm (and p_open below would be 0 / 0).
    if lambda.is_nan() || lambda <= 0.0 {
        return (benefit, 0.0);
    }
    let p_open = ho / (ho + hk);
    let uplift = |k_src: f64| c.severity_min * exp_f64(c.kappa_ln10 * (k_src - c.hazard).max(0.0));
    let (up_open, up_api) = (uplift(end.misuse_pool), uplift(end.frontier));
    let scale = |up: f64, r: f64| {
        // A fully prepared place takes nothing, even from an infinite uplift (as in step 8).
        let unprevented = 1.0 - r;
        if unprevented <= 0.0 { 0.0 } else { up * unprevented }
    };
    let mut total = 0.0;
    for (j, f) in flows.iter_mut().enumerate() {
        let r = end.preparedness[j];
        let e_open = expected_capped_pareto(scale(up_open, r), c.severity_cap, c.alpha);
        let e_api = expected_capped_pareto(scale(up_api, r), c.severity_cap, c.alpha);
        *f = places.exposure[j] * lambda * (p_open * e_open + (1.0 - p_open) * e_api);
        total += *f;
    }
    if total.is_nan() || total <= 0.0 {
        return (benefit, 0.0);
    }
    // Bounded losses: the harm per year is at most the output that remains, R * world_output;
    // a larger flow is scaled down in every place alike.
    let cap = end.remaining * c.output;
    let factor = if total > cap { cap / total } else { 1.0 };
    let mut harm = 0.0;
    for (hj, &f) in h.iter_mut().zip(flows.iter()) {
        let part = c.weight * (f * factor);
        *hj += part;
        harm += part;
    }
    (benefit, harm)
}
