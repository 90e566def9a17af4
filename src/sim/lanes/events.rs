//! Step 8's misuse events for a register of runs, in SIMD across the lanes, one event number
//! (slot) at a time. Lane `l` of slot `k` is run `l`'s event `k`, drawn from that run's own
//! stream of the step, so event `k` is the same in every policy with `k + 1` events; a policy
//! with fewer events masks the slot and adds exactly zero, so each lane sums what a run alone
//! sums (docs/ARCHITECTURE.md, invariants).

use super::{LaneScratch, U, V, max, min};
use crate::sim::engine::Engine;
use crate::sim::rng::LaneRng;
use crate::sim::vmath;

/// Step 8's `S_min * 10^(kappa * max(0, above))` with `kappa_ln10 = kappa ln 10`, for every
/// lane. Below the hazard threshold the power is exactly 1 (exp(0) is 1 exactly), and when no
/// lane is above it the exp is skipped.
#[inline]
fn uplift(s_min: V, kappa_ln10: V, above: V) -> V {
    let x = kappa_ln10 * max(above, V::ZERO);
    if x.simd_ne(V::ZERO).any() { s_min * vmath::exp(x) } else { s_min }
}

impl Engine {
    /// Step 8's events at step `t` of every lane's run, for every policy; `keys` are the
    /// runs' [`run_key`](crate::sim::rng::run_key)s of the event stream.
    /// With `V2`, the source pool of open-weights misuse is the misusers' pool `M`, and with
    /// `bounded` each event destroys at most what remains of the output at stake (model v2).
    pub(super) fn step_events<const NJ: usize, const V2: bool>(
        &self,
        sc: &mut LaneScratch,
        keys: U,
        t: usize,
        discount: V,
        ep: &EventParams,
        bounded: bool,
    ) {
        let np = self.n_policies;
        let nj = if NJ == 0 { self.n_jurisdictions } else { NJ };
        // The most events any lane has (a policy's, or any policy's).
        let most_of = |n: V| n.to_array().into_iter().fold(0.0, f64::max) as usize;
        let slots = most_of(sc.n_events[..np].iter().fold(V::ZERO, |m, &n| max(m, n)));
        // Draws: the per-(run, step) streams stepped together. A lane that needs fewer events
        // than the slot count draws past its last one, which nothing else reads.
        let mut rng = LaneRng::for_step(keys, t as u64);
        let cdf_below_last = &self.exposure_cdf[..nj - 1];
        sc.events_drawn.clear();
        for _ in 0..slots {
            let u_land = rng.next_f64();
            let src = rng.next_f64();
            let u_sev = rng.next_f64();
            // The first place whose cumulative exposure exceeds u_land: exposures are not
            // negative, so that is the number of earlier cumulative values <= u_land (the last
            // is infinite).
            let mut land = V::ZERO;
            for &c in cdf_below_last {
                land += V::splat(c).simd_le(u_land).select(V::ONE, V::ZERO);
            }
            // Pareto(1, alpha) by inverse transform; 1 - u lies in (0, 1].
            let x = vmath::exp(-vmath::ln(V::ONE - u_sev) * ep.inv_alpha);
            sc.events_drawn.push(EventSlot { land, src, x });
        }
        for p in 0..np {
            let n_v = sc.n_events[p];
            let most = most_of(n_v);
            if most == 0 {
                continue;
            }
            // The chance an event uses open weights, and each source's uplift.
            let (ho, hk) = (sc.h_open[p], sc.h_api[p]);
            let p_open = ho / (ho + hk);
            let pool = if V2 { sc.m[p] } else { sc.o[p] };
            if !pool.simd_eq(sc.uplift_open_pool[p]).all() {
                sc.uplift_open_pool[p] = pool;
                sc.uplift_open[p] = uplift(ep.s_min, ep.kappa_ln10, pool - ep.hz);
            }
            let sev_open = sc.uplift_open[p];
            let slots = &sc.events_drawn[..most];
            // The API uplift costs an exp; when every event of the step uses open weights, no
            // lane reads it (the select below takes the open uplift, or masks the slot).
            let api_used =
                slots.iter().enumerate().any(|(k, e)| (V::splat(k as f64).simd_lt(n_v) & !e.src.simd_lt(p_open)).any());
            let sev_api = if api_used { uplift(ep.s_min, ep.kappa_ln10, sc.k_before[p] - ep.hz) } else { ep.s_min };
            let r = &sc.r[p * nj..(p + 1) * nj];
            let h = &mut sc.h[p * nj..(p + 1) * nj];
            let mut acc = EventTotals {
                max_sev: sc.max_event[p],
                cats: sc.catastrophes[p],
                dmg: sc.damage[p],
                remaining: if V2 { sc.remaining[p] } else { V::ONE },
            };
            let uplifts = (p_open, sev_open, sev_api);
            if NJ > 0 {
                // The places' harms in registers across the slots, not in memory.
                let mut h_local: [V; NJ] = std::array::from_fn(|j| h[j]);
                let r_local: [V; NJ] = std::array::from_fn(|j| r[j]);
                if V2 && bounded {
                    policy_events::<true>(slots, n_v, uplifts, &r_local, &mut h_local, discount, ep, &mut acc);
                } else {
                    policy_events::<false>(slots, n_v, uplifts, &r_local, &mut h_local, discount, ep, &mut acc);
                }
                h.copy_from_slice(&h_local);
            } else if V2 && bounded {
                policy_events::<true>(slots, n_v, uplifts, r, h, discount, ep, &mut acc);
            } else {
                policy_events::<false>(slots, n_v, uplifts, r, h, discount, ep, &mut acc);
            }
            sc.max_event[p] = acc.max_sev;
            sc.catastrophes[p] = acc.cats;
            sc.damage[p] = acc.dmg;
            if V2 {
                sc.remaining[p] = acc.remaining;
            }
            sc.events[p] += n_v;
        }
    }
}

/// A policy's event totals so far: the largest event, catastrophes, undiscounted harm; and
/// (bounded losses, model v2) the remaining share of world output.
struct EventTotals {
    max_sev: V,
    cats: V,
    dmg: V,
    remaining: V,
}

/// One policy's events of one step, slot by slot: lane `l` of slot `k` counts when `k` is
/// below the lane's count `n_v`; `uplifts` are (P(open source), open uplift, API uplift).
/// `BOUNDED`: each event is at most what remains of the stake, in event order (model v2).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn policy_events<const BOUNDED: bool>(
    slots: &[EventSlot],
    n_v: V,
    (p_open, sev_open, sev_api): (V, V, V),
    r: &[V],
    h: &mut [V],
    discount: V,
    ep: &EventParams,
    acc: &mut EventTotals,
) {
    for (k, e) in slots.iter().enumerate() {
        let active = V::splat(k as f64).simd_lt(n_v);
        let uplift = e.src.simd_lt(p_open).select(sev_open, sev_api);
        // Preparedness at the landing place, as it was before this step's update.
        let mut r_land = r[0];
        for (j, &rj) in r.iter().enumerate().skip(1) {
            r_land = e.land.simd_eq(V::splat(j as f64)).select(rj, r_land);
        }
        // MODEL.md step 8's min(S_cap, uplift * X * (1 - r)); a fully prepared place takes
        // nothing, even from an infinite uplift (see `severity`).
        let unprevented = V::ONE - r_land;
        let sev = unprevented.simd_le(V::ZERO).select(V::ZERO, min(uplift * e.x * unprevented, ep.s_cap));
        let sev = active.select(sev, V::ZERO);
        let sev = if BOUNDED {
            // S' = min(S, R * stake), then R -= S' / stake (a lane without bounded losses has
            // an infinite stake: S' = S and R stays 1). The clamp keeps rounding from taking R
            // below 0.
            let bounded = min(sev, acc.remaining * ep.stake);
            acc.remaining = max(acc.remaining - bounded / ep.stake, V::ZERO);
            bounded
        } else {
            sev
        };
        let harm = discount * sev;
        for (j, hj) in h.iter_mut().enumerate() {
            *hj += e.land.simd_eq(V::splat(j as f64)).select(harm, V::ZERO);
        }
        acc.cats += (active & sev.simd_ge(ep.s_cat)).select(V::ONE, V::ZERO);
        acc.dmg += sev;
        acc.max_sev = sev.simd_gt(acc.max_sev).select(sev, acc.max_sev);
    }
}

/// Step 8's per-run constants of the severity draw, per lane.
pub(super) struct EventParams {
    /// Model v2's stake of bounded losses, `world_output * years` (+inf: unbounded).
    pub(super) stake: V,
    pub(super) hz: V,
    pub(super) s_min: V,
    pub(super) kappa_ln10: V,
    pub(super) inv_alpha: V,
    pub(super) s_cap: V,
    pub(super) s_cat: V,
}

/// Every lane's misuse event of one number (step 8), shared by every policy with that many
/// events: the landing place (as a float index), the source uniform and the Pareto draw.
#[derive(Clone, Copy, Debug)]
pub(super) struct EventSlot {
    land: V,
    src: V,
    x: V,
}
