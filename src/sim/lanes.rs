//! The step, run for `LANES` runs at once: each SIMD lane is one run, with its own
//! parameters and random streams, so a lane computes what a run computes alone. The
//! dynamics draws and the Poisson counts run in SIMD too (`rng.rs`, `poisson.rs`); the
//! misuse events, a variable number per run, drop to scalar code per lane.
//!
//! This is the engine's hot loop: it allocates nothing (all state lives in [`LaneScratch`])
//! and reads MODEL.md's step order literally; see `reference.rs` for the per-run reference.

use crate::model::params::{P, attr, jurisdiction_param};

use super::continuation::{ContinuationParams, EndState, Places, add_continuation};
use super::engine::{
    Engine, JurisdictionOutcome, LeverDraws, LeverPlace, LeverPlan, Mechanisms, Outcome, RunV2, Uniform,
};
use super::poisson::{PoissonWork, poisson_inverse_policies};
use super::rng::{LaneRng, Stream, run_key, stream_key};
use super::vmath;

mod events;
mod levers;
mod scratch;
mod v2;
use events::{EventParams, EventSlot};

pub use super::simd::LANES;
type V = super::simd::F;
type U = super::simd::U;

/// Per-thread state for [`Engine::run_lanes`].
#[derive(Clone, Debug)]
pub struct LaneScratch {
    /// Per lane, the run's parameters: the world's, then the jurisdictions' attributes
    /// (`params::param_count`).
    pub params: [Vec<f64>; LANES],
    /// The lanes' jurisdiction attributes the step reads, `[j]` (taken out of the scratch for
    /// the register's runs, so the step can hold them beside the rest).
    places: LanePlaces,
    k: Vec<V>,
    k_before: Vec<V>,
    o: Vec<V>,
    hazard_year: Vec<V>,
    theta: Vec<V>,
    h_open: Vec<V>,
    /// The pool `h_open` was computed from, `[policy]`: a pool that has not moved since
    /// (closed places, tiers at their ceiling) keeps its hazard without an exp and a divide.
    h_open_pool: Vec<V>,
    h_api: Vec<V>,
    s: Vec<V>,
    a: Vec<V>,
    r: Vec<V>,
    b: Vec<V>,
    h: Vec<V>,
    /// Per policy, events so far (a whole number held as a float).
    events: Vec<V>,
    /// Per policy: catastrophes so far (a whole number held as a float) and the largest event.
    catastrophes: Vec<V>,
    max_event: Vec<V>,
    n_events: Vec<V>,
    /// Per policy, the pool an open-source uplift was computed for and that uplift (step 8):
    /// the pool often stays put for many steps, and each costs an exp.
    uplift_open_pool: Vec<V>,
    uplift_open: Vec<V>,
    /// Step 8's expected event count lambda * dt, `[policy]`.
    event_mean: Vec<V>,
    poisson: PoissonWork,
    kj: Vec<V>,
    /// This step's burdens, `[j]`.
    new_burden: Vec<V>,
    /// The burdens the migration weights were built from, `[policy * J + j]`.
    burden: Vec<V>,
    /// Migration weights host_i * max(0, burden_j - burden_i), `[(policy * J + j) * J + i]`.
    flow: Vec<V>,
    /// Row sums of `flow`, `[policy * J + j]`.
    weight_out: Vec<V>,
    /// Per policy, bit `j * J + i` set when the weight from j to i is positive in some lane
    /// (J <= 8; a larger world has every bit set): a zero weight adds exactly nothing.
    flow_live: Vec<u64>,
    from: Vec<V>,
    benefit_weight: Vec<V>,
    u_gated: Vec<V>,
    u_closed: Vec<V>,
    p_leak_gated: Vec<V>,
    p_leak_closed: Vec<V>,
    /// This step's misuse events, one slot per event number: slot `k` holds every lane's
    /// event `k` (step 8).
    events_drawn: Vec<EventSlot>,
    /// The policy levers' state (docs/MODEL.md, "Policy levers"). Per policy: `strip_prob`
    /// after safeguards, the spending rate and the discounted spending so far, and the
    /// undiscounted harm so far (a trigger's signpost).
    strip: Vec<V>,
    spend_rate: Vec<V>,
    spent: Vec<V>,
    damage: Vec<V>,
    /// Per policy and place `[policy * J + j]`: the defense rate with preparedness spending.
    defense: Vec<V>,
    lv: LaneLevers,
    lever_draws: LeverDraws,
    lever_places: Vec<LeverPlace>,
    /// Model v2's state, per policy (read only on the v2 path): the misusers' pool `M`, the
    /// remaining share of world output `R`, `a_api` (scrutiny lowers it) and this step's
    /// scrutiny `S_t`; and the continuation's per-place scratch of one lane, `[j]`, and its
    /// parts per lane and policy, `[policy * LANES + lane]`.
    m: Vec<V>,
    remaining: Vec<V>,
    api: Vec<V>,
    scrutiny: Vec<V>,
    cont_a: Vec<f64>,
    cont_r: Vec<f64>,
    cont_b: Vec<f64>,
    cont_h: Vec<f64>,
    cont_flows: Vec<f64>,
    cont_api: Vec<f64>,
    cont_parts: Vec<(f64, f64)>,
    /// Per lane, the series rows `[(policy * T + t) * M + metric]` of the run.
    pub series: [Vec<f32>; LANES],
    /// Per lane, outcomes `[policy]`.
    pub outcomes: [Vec<Outcome>; LANES],
    /// Per lane, `[policy * J + j]`.
    pub jurisdictions: [Vec<JurisdictionOutcome>; LANES],
}

/// The jurisdictions' attributes the step reads at every step, per lane (each run's own,
/// drawn when uncertain), `[j]`.
#[derive(Clone, Debug, Default)]
struct LanePlaces {
    base_burden: Vec<V>,
    api_access: Vec<V>,
    /// 1 / api_access (infinite where it is 0).
    inv_api_access: Vec<V>,
    adoption0: Vec<V>,
    preparedness0: Vec<V>,
}

/// The per-place state of policies with levers, apart from the rest so that a trigger can
/// switch ceilings while the step holds other parts of the scratch.
#[derive(Clone, Debug)]
struct LaneLevers {
    /// `[policy * J + j]`: whether the place joined, its current ceilings (which triggers
    /// switch) and the evaluation error they act on.
    joined: Vec<[bool; LANES]>,
    open_below: Vec<V>,
    gated_below: Vec<V>,
    drift: Vec<V>,
    eval_error: Vec<V>,
    /// Model v2: the current regimes' stage delays, and each lane's algorithmic progress
    /// (training-FLOP ceilings a trigger switches to drift by it).
    stage_delay: Vec<V>,
    progress: [f64; LANES],
    /// Per policy and trigger: when its signpost was seen (NaN: not yet), whether it fired.
    trigger_seen: Vec<Vec<[f64; LANES]>>,
    trigger_fired: Vec<Vec<[bool; LANES]>>,
}

#[inline(always)]
fn lanes(f: impl Fn(usize) -> f64) -> V {
    V::new(std::array::from_fn(f))
}

/// `V::max` without its NaN check, which costs two instructions: the same result
/// whenever `b` is not NaN, and no NaN reaches the step's comparisons.
#[inline(always)]
fn max(a: V, b: V) -> V {
    a.fast_max(b)
}

/// `V::min` without its NaN check; see [`max`].
#[inline(always)]
fn min(a: V, b: V) -> V {
    a.fast_min(b)
}

/// Step 12's burdens where every place is above both its ceilings (both indicators true),
/// summed in the general step's order.
#[inline(always)]
fn bear_both_burdens(new_burdens: &mut [V], base_burden: &[V], burden_gated: V, burden_closed: V) {
    for (b, &base) in new_burdens.iter_mut().zip(base_burden) {
        *b = base + burden_gated + burden_closed;
    }
}

#[inline(always)]
fn logistic(x: V) -> V {
    V::ONE / (V::ONE + vmath::exp(-x))
}

impl Engine {
    /// Simulates runs `runs` (one per lane) for every policy, with each lane's world
    /// parameters in `sc.params[lane]`; results land in `sc.outcomes`, `sc.jurisdictions`
    /// and (when `record_series`) `sc.series`. Lanes may repeat a run to fill a group.
    pub fn run_lanes(&self, runs: [u64; LANES], sc: &mut LaneScratch, record_series: bool) {
        // Model v2's mechanisms, decided once for the register from its lanes' parameters
        // (which a sweep or a design may have set) and the engine's policies. With none on, the
        // step is v1's code exactly: `V2 = false` compiles every v2 part away.
        let mech = self.mechanisms(sc.params.iter().map(Vec::as_slice));
        if mech.any() {
            self.run_lanes_v::<true>(runs, sc, record_series, mech);
        } else {
            self.run_lanes_v::<false>(runs, sc, record_series, mech);
        }
    }

    fn run_lanes_v<const V2: bool>(
        &self,
        runs: [u64; LANES],
        sc: &mut LaneScratch,
        record_series: bool,
        mech: Mechanisms,
    ) {
        // With the jurisdiction count a compile-time constant, the per-jurisdiction loops
        // (and the J x J migration) unroll into straight-line code without bounds checks,
        // which roughly halves the step's cost. Larger worlds take the general loop.
        match self.n_jurisdictions {
            1 => self.run_lanes_n::<1, V2>(runs, sc, record_series, mech),
            2 => self.run_lanes_n::<2, V2>(runs, sc, record_series, mech),
            3 => self.run_lanes_n::<3, V2>(runs, sc, record_series, mech),
            4 => self.run_lanes_n::<4, V2>(runs, sc, record_series, mech),
            5 => self.run_lanes_n::<5, V2>(runs, sc, record_series, mech),
            6 => self.run_lanes_n::<6, V2>(runs, sc, record_series, mech),
            7 => self.run_lanes_n::<7, V2>(runs, sc, record_series, mech),
            8 => self.run_lanes_n::<8, V2>(runs, sc, record_series, mech),
            _ => self.run_lanes_n::<0, V2>(runs, sc, record_series, mech),
        }
    }

    /// [`Engine::run_lanes`] for `NJ` jurisdictions (0: any number), with model v2's
    /// mechanisms (`V2`, those in `mech`) or without (v1's step exactly).
    fn run_lanes_n<const NJ: usize, const V2: bool>(
        &self,
        runs: [u64; LANES],
        sc: &mut LaneScratch,
        record_series: bool,
        mech: Mechanisms,
    ) {
        let np = self.n_policies;
        let nj = if NJ == 0 { self.n_jurisdictions } else { NJ };
        debug_assert_eq!(nj, self.n_jurisdictions);
        let dt = self.dt;
        let steps = self.steps;
        let pv = |p: P| lanes(|l| sc.params[l][p as usize]);
        let k0 = pv(P::k0);
        let o0 = pv(P::o0);
        // Algorithmic progress adds to the trend (model v2): with none, g + 0 is g exactly.
        let growth_dt = (pv(P::growth) + pv(P::algorithmic_progress)) * dt;
        let growth_noise = pv(P::growth_sd) * dt.sqrt();
        let open_lag = pv(P::open_lag);
        let gamma = pv(P::gap_per_log_share);
        let gap_cap = pv(P::gap_cap);
        let psi = pv(P::research_boost);
        let inv_gap_ref = V::ONE / pv(P::openness_gap_ref);
        let hz = pv(P::hazard_threshold);
        let inv_hz_w = V::ONE / pv(P::hazard_width);
        let lambda_dt = pv(P::misuse_rate) * dt;
        let a_open = pv(P::strip_prob);
        let a_api = pv(P::api_misuse);
        let value_dt = pv(P::value_per_oom) * dt;
        let k_base = pv(P::k_base);
        let bass_p = pv(P::bass_p);
        let bass_q = pv(P::bass_q);
        let omega = pv(P::open_adoption_boost);
        let beta_dt = pv(P::scrutiny_boost) * dt;
        let r_max = pv(P::r_max);
        let burden_gated = pv(P::burden_gated);
        let burden_closed = pv(P::burden_closed);
        let mobility_dt = pv(P::mobility) * dt;
        let migrating = mobility_dt.simd_gt(V::ZERO).any();
        let migration_sd = pv(P::migration_sd);
        let neg_delta = -pv(P::discount_rate);
        let leak_g = pv(P::leak_gated);
        let leak_c = pv(P::leak_closed);
        let log10_e = V::splat(std::f64::consts::LOG10_E);
        let dt_v = V::splat(dt);
        let neg_inf = V::splat(f64::NEG_INFINITY);
        let min_share = V::splat(1e-12);
        // The leader's K_j is exactly K when the gap terms cannot be negative (validated
        // parameters never are), which the step's shortcut for uniform policies relies on.
        let frontiers_optional = (gamma.simd_ge(V::ZERO) & gap_cap.simd_ge(V::ZERO)).all();

        // The jurisdictions' attributes of each lane's run (drawn where uncertain; a fixed
        // attribute holds the same value in every lane, as a splat would).
        let mut places = std::mem::take(&mut sc.places);
        for j in 0..nj {
            let at = |k: usize| lanes(|l| sc.params[l][jurisdiction_param(j, k)]);
            let m = lanes(|l| sc.params[l][jurisdiction_param(j, attr::LEAK_MULTIPLIER)] * dt);
            sc.p_leak_gated[j] = -vmath::exp_m1(-(leak_g * m));
            sc.p_leak_closed[j] = -vmath::exp_m1(-(leak_c * m));
            places.base_burden[j] = at(attr::BASE_BURDEN);
            let phi = at(attr::API_ACCESS);
            places.api_access[j] = phi;
            places.inv_api_access[j] = V::ONE / phi;
            places.adoption0[j] = at(attr::ADOPTION0);
            places.preparedness0[j] = at(attr::PREPAREDNESS0);
        }
        // Model v2's per-lane constants, each neutral in a lane where its mechanism is off
        // (engine.rs, RunV2). Unused on v1's path.
        let run_v2: [RunV2; LANES] =
            if V2 { std::array::from_fn(|l| RunV2::new(&sc.params[l], self.years)) } else { [RunV2::OFF; LANES] };
        let v2v = |f: fn(&RunV2) -> f64| if V2 { lanes(|l| f(&run_v2[l])) } else { V::ZERO };
        let growth_total = v2v(|r| r.growth_total);
        let public_share = v2v(|r| r.public_share);
        let distill_lag = v2v(|r| r.distill_lag);
        let scrutiny_rate = v2v(|r| r.scrutiny);
        let neg_scrutiny_dt = -(scrutiny_rate * dt_v);
        let scrutiny_on = scrutiny_rate.simd_gt(V::ZERO);
        let event_params = EventParams {
            stake: v2v(|r| r.stake),
            hz,
            s_min: pv(P::severity_min),
            kappa_ln10: pv(P::severity_per_oom) * V::splat(std::f64::consts::LN_10),
            inv_alpha: V::ONE / pv(P::tail_alpha),
            s_cap: pv(P::severity_cap),
            s_cat: pv(P::catastrophe_threshold),
        };
        let hazard_year0 = o0.simd_ge(hz).select(V::ZERO, V::splat(f64::NAN));
        self.start_levers(&runs, sc, a_open);
        if V2 {
            self.start_v2(sc, mech, &run_v2, a_api, o0);
        }
        for p in 0..np {
            sc.k[p] = k0;
            sc.o[p] = o0;
            sc.hazard_year[p] = hazard_year0;
            sc.events[p] = V::ZERO;
            sc.catastrophes[p] = V::ZERO;
            sc.max_event[p] = V::ZERO;
            // NaN equals no pool: the first step computes the hazard and the uplift.
            sc.h_open_pool[p] = V::splat(f64::NAN);
            sc.uplift_open_pool[p] = V::splat(f64::NAN);
            for j in 0..nj {
                let i = p * nj + j;
                sc.s[i] = V::splat(self.share0[j]);
                sc.a[i] = places.adoption0[j];
                sc.r[i] = places.preparedness0[j];
                sc.b[i] = V::ZERO;
                sc.h[i] = V::ZERO;
                // NaN equals no burden, so the first step builds the migration weights.
                sc.burden[i] = V::splat(f64::NAN);
            }
        }

        // The lanes' dynamics streams, stepped together in SIMD.
        let mut rng = LaneRng::seed_from_u64(runs.map(|run| stream_key(self.seed, Stream::Dynamics, run, 0)));
        let event_keys = U::new(std::array::from_fn(|l| run_key(self.seed, Stream::Events, runs[l])));
        let m_series = self.series_metrics();
        let host = &self.host[..nj];
        let base_burden = &places.base_burden[..nj];
        let api_access = &places.api_access[..nj];
        let inv_api_access = &places.inv_api_access[..nj];

        for t in 0..steps {
            let u_gated = &mut sc.u_gated[..nj];
            let u_closed = &mut sc.u_closed[..nj];
            let p_leak_gated = &sc.p_leak_gated[..nj];
            let p_leak_closed = &sc.p_leak_closed[..nj];
            let benefit_weight = &mut sc.benefit_weight[..nj];
            let tau = t as f64 * dt;
            let tau_v = V::splat(tau);
            let discount = vmath::exp(neg_delta * tau_v);
            // Shared draws of this step, per run, in a fixed order and count (the same order
            // as the per-run reference in reference.rs).
            for (ug, uc) in u_gated.iter_mut().zip(u_closed.iter_mut()) {
                *ug = rng.next_f64();
                *uc = rng.next_f64();
            }
            let u_count_v = rng.next_f64();
            let z_migration = rng.standard_normal();
            let z_frontier = rng.standard_normal();
            let shock = vmath::exp(migration_sd * z_migration);
            let scale = mobility_dt * shock;
            let frontier_noise = growth_noise * z_frontier;
            // N = 0 exactly when mean < -ln(u).
            let zero_events_below = -vmath::ln(u_count_v);
            // Step 9's discount * W * dt * weight_i, the same for every policy.
            let flow = discount * value_dt;
            for (bw, &w) in benefit_weight.iter_mut().zip(&self.weight[..nj]) {
                *bw = flow * V::splat(w);
            }
            let ceilings_t = &self.ceilings_at[t * np * nj..(t + 1) * np * nj];
            // Whether some place's held model leaks this step in some lane (the draws are
            // shared by the policies); see the shortcut below.
            let held_leak_draw = u_closed.iter().zip(p_leak_closed).any(|(u, p)| u.simd_lt(*p).any());

            for p in 0..np {
                let base = p * nj;
                let k = sc.k[p];
                let with_levers = self.levers[p].is_some();
                // Per-lane ceilings: a policy's levers, or model v2's training-FLOP thresholds
                // under algorithmic progress (each run's own drift); otherwise the table.
                let lane_ceilings = with_levers || (V2 && mech.training_flop && self.training_flop[p]);
                let staged = V2 && self.staged[p];
                if let Some(plan) = &self.levers[p] {
                    sc.lv.step_triggers(plan, p, nj, tau, sc.o[p], sc.catastrophes[p], sc.damage[p]);
                }
                let shares = &mut sc.s[base..base + nj];
                let kjs = &mut sc.kj[..nj];
                let burdens = &mut sc.burden[base..base + nj];
                let new_burdens = &mut sc.new_burden[..nj];
                let ceilings = &ceilings_t[base..base + nj];
                let mut pool = sc.o[p];
                // Model v2: private leaks raise the misusers' pool only (without them M is O, and
                // v1's code runs); scrutiny counts the largest gated release.
                let private = V2 && mech.private_leaks;
                let mut misuse_pool = if private { sc.m[p] } else { neg_inf };
                let mut gated_max = neg_inf;
                // Frontiers that only matter through a leak, and no held model leaking this step.
                let quiet = frontiers_optional && !held_leak_draw;
                let shortcut = if quiet { self.uniform[p] } else { Uniform::Mixed };
                // No K_j lies below K - gamma * gap_cap (the gap term is at most gamma *
                // gap_cap). Where that bound, less the open lag, reaches every open ceiling and
                // passes every gated one, each place releases exactly its ceilings, bears both
                // burdens and holds a model above them: no K_j is needed (nor the logs of the
                // shares behind them) unless a held model leaks this step.
                let settled = quiet && shortcut == Uniform::Mixed && !lane_ceilings && !staged && {
                    let lowest = k - gamma * gap_cap;
                    let released = lowest - open_lag;
                    // One test at the end rather than one per place: which places are above
                    // changes from lane to lane and step to step, a branch hard to predict.
                    let mut above = V::ONE.simd_eq(V::ONE);
                    for &(oc, gc) in ceilings {
                        above &= released.simd_ge(V::splat(oc)) & lowest.simd_gt(V::splat(gc));
                    }
                    above.all()
                };
                match shortcut {
                    // Everywhere open and no held model can leak this step: the leader's
                    // K_j = K gives the largest release, K - l, and no place's K_j is needed
                    // (nor the logs of the shares behind it). Burdens as the general code
                    // computes them with both indicators false.
                    Uniform::Open => {
                        pool = max(pool, k - open_lag);
                        for (b, &base) in new_burdens.iter_mut().zip(base_burden) {
                            *b = base + V::ZERO + V::ZERO;
                        }
                    }
                    // Everywhere closed and no leak: nothing is released; both indicators true.
                    Uniform::Closed => bear_both_burdens(new_burdens, base_burden, burden_gated, burden_closed),
                    // Every place above its ceilings (see `settled`): open_release = min(K_j - l,
                    // oc) is oc, the gated release min(K_j, gc) is gc, and both indicators hold.
                    Uniform::Mixed if settled => {
                        for (&(oc, gc), (&u_g, &p_g)) in ceilings.iter().zip(u_gated.iter().zip(p_leak_gated)) {
                            pool = max(pool, V::splat(oc));
                            if gc > oc {
                                if V2 && mech.scrutiny {
                                    gated_max = max(gated_max, V::splat(gc));
                                }
                                if private {
                                    // A leak is public when its uniform is also below p_leak *
                                    // p_pub (no new draw), else it reaches misusers only.
                                    let gated = V::splat(gc);
                                    let leak = u_g.simd_lt(p_g);
                                    let public = u_g.simd_lt(p_g * public_share);
                                    pool = max(pool, public.select(gated, neg_inf));
                                    misuse_pool = max(misuse_pool, (leak & !public).select(gated, neg_inf));
                                } else {
                                    pool = max(pool, u_g.simd_lt(p_g).select(V::splat(gc), neg_inf));
                                }
                            }
                        }
                        bear_both_burdens(new_burdens, base_burden, burden_gated, burden_closed);
                    }
                    Uniform::Mixed => {
                        // 1. Jurisdiction frontiers: K_j = K - gamma * min(gap_cap, log10(lead / s_j)).
                        // log10(lead / s_j) = (ln lead - ln s_j) log10(e), and ln lead = max_j ln s_j.
                        let mut ln_lead = neg_inf;
                        for (kj, &sj) in kjs.iter_mut().zip(shares.iter()) {
                            let ln_s = vmath::ln(max(sj, min_share));
                            ln_lead = max(ln_lead, ln_s);
                            *kj = ln_s;
                        }
                        for kj in kjs.iter_mut() {
                            *kj = k - gamma * min(gap_cap, (ln_lead - *kj) * log10_e);
                        }
                        // 2-4. Ceilings, releases and leaks; burdens for step 12.
                        let per_j = kjs
                            .iter()
                            .zip(ceilings)
                            .zip(new_burdens.iter_mut())
                            .zip(u_gated.iter().zip(p_leak_gated))
                            .zip(u_closed.iter().zip(p_leak_closed))
                            .zip(base_burden);
                        for (j, (((((&kj, &(oc, gc)), burden), (&u_g, &p_g)), (&u_c, &p_c)), &base_burden)) in
                            per_j.enumerate()
                        {
                            let (oc_v, gc_v) = if lane_ceilings {
                                // Ceilings::at in SIMD, lowered by the evaluation error: tiers act
                                // on measured capability (true + error).
                                let i = base + j;
                                let drift_tau = sc.lv.drift[i] * tau_v;
                                let oc = sc.lv.open_below[i] + drift_tau;
                                let gc = max(oc, sc.lv.gated_below[i] + drift_tau);
                                (oc - sc.lv.eval_error[i], gc - sc.lv.eval_error[i])
                            } else {
                                (V::splat(oc), V::splat(gc))
                            };
                            // Model v2's staged release: what may be opened or gated is the
                            // frontier of stage_delay years ago at the expected growth; the
                            // held-back test and the burdens keep K_j.
                            let releasable = if staged {
                                let i = base + j;
                                let delay = if lane_ceilings {
                                    sc.lv.stage_delay[i]
                                } else {
                                    V::splat(self.ceilings[i].stage_delay)
                                };
                                kj - delay * growth_total
                            } else {
                                kj
                            };
                            let open_release = min(releasable - open_lag, oc_v);
                            let above_open = kj.simd_gt(oc_v);
                            let gated_exists = if staged { releasable.simd_gt(oc_v) } else { above_open };
                            let gated = (gated_exists & gc_v.simd_gt(oc_v)).select(min(releasable, gc_v), neg_inf);
                            pool = max(pool, open_release);
                            let leak_gated = gated.simd_gt(neg_inf) & u_g.simd_lt(p_g);
                            if !private {
                                pool = max(pool, leak_gated.select(gated, neg_inf));
                            }
                            if V2 && mech.scrutiny {
                                gated_max = max(gated_max, gated);
                            }
                            let held = kj.simd_gt(max(open_release, gated));
                            let leak_held = held & u_c.simd_lt(p_c);
                            if private {
                                // Public only when the uniform is also below p_leak * p_pub.
                                let public_g = u_g.simd_lt(p_g * public_share);
                                let public_c = u_c.simd_lt(p_c * public_share);
                                pool = max(pool, (leak_gated & public_g).select(gated, neg_inf));
                                pool = max(pool, (leak_held & public_c).select(kj, neg_inf));
                                misuse_pool = max(misuse_pool, (leak_gated & !public_g).select(gated, neg_inf));
                                misuse_pool = max(misuse_pool, (leak_held & !public_c).select(kj, neg_inf));
                            } else {
                                pool = max(pool, leak_held.select(kj, neg_inf));
                            }
                            *burden = base_burden
                                + above_open.select(burden_gated, V::ZERO)
                                + kj.simd_gt(gc_v).select(burden_closed, V::ZERO);
                        }
                    }
                }
                // 5. Open pool (never decreases) and the hazard-crossing year. Model v2: the
                // pool trails the API frontier by at most distill_lag (+inf in a lane without
                // distillation), and the misusers' pool holds whatever is public too.
                if V2 {
                    if mech.distill {
                        pool = max(pool, k - distill_lag);
                    }
                    sc.m[p] = if private { max(misuse_pool, pool) } else { pool };
                }
                sc.o[p] = pool;
                let crossing = pool.simd_ge(hz) & sc.hazard_year[p].is_nan();
                sc.hazard_year[p] = crossing.select(tau_v, sc.hazard_year[p]);
                // 6-7. Openness and hazard from the world frontier and the updated pool;
                // misusers of open weights use M (model v2; M is O without private leaks).
                let theta = min(max(V::ONE - (k - pool) * inv_gap_ref, V::ZERO), V::ONE);
                if V2 && mech.scrutiny {
                    // Access to models near the frontier, gated ones included.
                    let seen = max(pool, gated_max);
                    sc.scrutiny[p] = min(max(V::ONE - (k - seen) * inv_gap_ref, V::ZERO), V::ONE);
                }
                let misusers = if V2 { sc.m[p] } else { pool };
                let ho = if misusers.simd_eq(sc.h_open_pool[p]).all() {
                    sc.h_open[p]
                } else {
                    sc.h_open_pool[p] = misusers;
                    sc.strip[p] * logistic((misusers - hz) * inv_hz_w)
                };
                let hk = if V2 { sc.api[p] } else { a_api } * logistic((k - hz) * inv_hz_w);
                sc.theta[p] = theta;
                sc.h_open[p] = ho;
                sc.h_api[p] = hk;
                sc.k_before[p] = k;
                sc.event_mean[p] = lambda_dt * (ho + hk);
                // 9. Benefits, with adoption as it was before step 10; the levers' spending.
                if with_levers {
                    sc.spent[p] += discount * (dt_v * sc.spend_rate[p]);
                }
                let v_open = max(pool - k_base, V::ZERO);
                let v_frontier = max(k - k_base, V::ZERO);
                // f_open = v_open / max(v_open, v_api): 1 where open weights are worth more,
                // else v_open / (phi v_frontier); one division per policy, not per place.
                let inv_frontier = V::ONE / v_frontier;
                let v_open_positive = v_open.simd_gt(V::ZERO).select(V::ONE, V::ZERO);
                // Model v2's bounded losses: benefit on the output that remains at the start of
                // the step (its events come after the policy loop).
                let remaining = if V2 && mech.bounded { sc.remaining[p] } else { V::ONE };
                let per_j = sc.a[base..base + nj]
                    .iter_mut()
                    .zip(&mut sc.b[base..base + nj])
                    .zip(api_access.iter().zip(inv_api_access))
                    .zip(benefit_weight.iter());
                for (((a, b), (&phi, &inv_phi)), &bw) in per_j {
                    let v_api = phi * v_frontier;
                    let v = max(v_open, v_api);
                    // Where v_open >= v_api, v > 0 exactly when v_open > 0.
                    let f_open = v_open.simd_ge(v_api).select(v_open_positive, v_open * inv_phi * inv_frontier);
                    let a0 = *a;
                    if V2 && mech.bounded {
                        *b += bw * a0 * v * remaining;
                    } else {
                        *b += bw * a0 * v;
                    }
                    // 10. Adoption (Bass), clamped to [0, 1].
                    let next = a0 + dt_v * (bass_p + bass_q * a0 * (V::ONE + omega * f_open)) * (V::ONE - a0);
                    *a = min(max(next, V::ZERO), V::ONE);
                }
                // 12. Migration: flows from more to less burdened places, all at once; a
                // place whose outflow would exceed its share sends exactly its share.
                if migrating {
                    let weights = &mut sc.flow[p * nj * nj..(p + 1) * nj * nj];
                    let weight_out = &mut sc.weight_out[base..base + nj];
                    // The weights host_i * max(0, burden_j - burden_i) change only when a
                    // frontier crosses a ceiling: rebuild them then, not every step.
                    let mut changed = V::ZERO.simd_ne(V::ZERO);
                    for (&new, &old) in new_burdens.iter().zip(burdens.iter()) {
                        changed |= new.simd_ne(old);
                    }
                    if changed.any() {
                        burdens.copy_from_slice(new_burdens);
                        let mut live = if nj > 8 { u64::MAX } else { 0 };
                        for (j, ((row, out), &bj)) in
                            weights.chunks_exact_mut(nj).zip(weight_out.iter_mut()).zip(burdens.iter()).enumerate()
                        {
                            let mut total = V::ZERO;
                            for (i, ((w, &bi), &hi)) in row.iter_mut().zip(burdens.iter()).zip(host).enumerate() {
                                *w = V::splat(hi) * max(bj - bi, V::ZERO);
                                total += *w;
                                if nj <= 8 {
                                    // Without a branch: whether a weight is zero changes with
                                    // the lanes' burdens, and a wrong guess costs more than the or.
                                    live |= u64::from(w.simd_ne(V::ZERO).any()) << (j * nj + i);
                                }
                            }
                            *out = total;
                        }
                        sc.flow_live[p] = live;
                    }
                    // Outflow factor per place: the outflow scale * s_j * weight_out exceeds s_j
                    // exactly when scale * weight_out > 1 (rare: divide only then).
                    let from = &mut sc.from[..nj];
                    for ((f, &out), &sj) in from.iter_mut().zip(weight_out.iter()).zip(shares.iter()) {
                        let capped = (scale * out).simd_gt(V::ONE);
                        *f = if capped.any() { capped.select(sj / out, scale * sj) } else { scale * sj };
                    }
                    // Net inflow per place, summed in a register over j = 0..J with the place's
                    // own outflow taken off right after its own term. A weight that is zero in
                    // every lane is skipped: f * 0 is +0, and adding +0 changes no sum (an
                    // inflow is never -0).
                    let live = sc.flow_live[p];
                    for (i, (sj, &out_i)) in shares.iter_mut().zip(weight_out.iter()).enumerate() {
                        let mut inflow = V::ZERO;
                        for (j, (&f, row)) in from.iter().zip(weights.chunks_exact(nj)).enumerate() {
                            if nj > 8 || live >> (j * nj + i) & 1 != 0 {
                                inflow += f * row[i];
                            }
                            if j == i {
                                inflow -= f * out_i;
                            }
                        }
                        *sj = max(*sj + inflow, V::ZERO);
                    }
                }
                // 13. Frontier.
                sc.k[p] = k + growth_dt * (V::ONE + psi * theta) + frontier_noise;
            }

            // 8 (count). One shared uniform per run and step, inverted through the CDF. Counted
            // after the policy loop: whether a lane can have an event is a coin flip the branch
            // predictor gets wrong half the time, and a wrong guess inside the loop would throw
            // away the long exp/ln chains in flight behind it.
            let any_events = poisson_inverse_policies(
                u_count_v,
                zero_events_below,
                &sc.event_mean[..np],
                &mut sc.n_events[..np],
                &mut sc.poisson,
            );

            // 8 (events). Event k of a run's step uses the same uniforms in every policy that
            // has at least k + 1 events; landing and the Pareto draw do not depend on policy.
            if any_events {
                self.step_events::<NJ, V2>(sc, event_keys, t, discount, &event_params, mech.bounded);
            }

            // 11. Preparedness, after the events that used its old value; the rate factor is
            // capped at 1 so coarse steps cannot overshoot r_max (docs/MODEL.md).
            for p in 0..np {
                let boost = dt_v + beta_dt * sc.theta[p];
                for (r, &rho) in sc.r[p * nj..(p + 1) * nj].iter_mut().zip(&sc.defense[p * nj..(p + 1) * nj]) {
                    let rate = min(rho * boost, V::ONE);
                    *r += rate * (r_max - *r);
                }
            }
            // Model v2's scrutiny, after step 11: a_open, a_api and the evaluation errors
            // shrink by exp(-sigma_s S_t dt) (1 exactly in a lane without scrutiny).
            if V2 && mech.scrutiny {
                for p in 0..np {
                    let factor = scrutiny_on.select(vmath::exp(neg_scrutiny_dt * sc.scrutiny[p]), V::ONE);
                    sc.strip[p] *= factor;
                    sc.api[p] *= factor;
                    // a_open changed: the next step's hazard is computed afresh.
                    sc.h_open_pool[p] = V::splat(f64::NAN);
                    if self.levers[p].is_some() {
                        for e in &mut sc.lv.eval_error[p * nj..(p + 1) * nj] {
                            *e *= factor;
                        }
                    }
                }
            }

            // 14. Record.
            if record_series {
                for p in 0..np {
                    let base = p * nj;
                    let k = sc.k[p].to_array();
                    let o = sc.o[p].to_array();
                    let mut cb = V::ZERO;
                    let mut ch = V::ZERO;
                    for j in 0..nj {
                        cb += sc.b[base + j];
                        ch += sc.h[base + j];
                    }
                    let (cb, ch) = (cb.to_array(), ch.to_array());
                    let at = (p * steps + t) * m_series;
                    for l in 0..LANES {
                        let row = &mut sc.series[l][at..at + m_series];
                        row[0] = k[l] as f32;
                        row[1] = o[l] as f32;
                        row[2] = cb[l] as f32;
                        row[3] = ch[l] as f32;
                        for j in 0..nj {
                            row[4 + j] = sc.s[base + j].to_array()[l] as f32;
                        }
                    }
                }
            }
        }

        sc.places = places;
        if V2 && mech.continuation {
            self.add_continuations(sc, &run_v2);
        }
        for p in 0..np {
            let base = p * nj;
            let mut b = V::ZERO;
            let mut h = V::ZERO;
            for j in 0..nj {
                b += sc.b[base + j];
                h += sc.h[base + j];
            }
            let (b, h) = (b.to_array(), h.to_array());
            let (o, hy) = (sc.o[p].to_array(), sc.hazard_year[p].to_array());
            for l in 0..LANES {
                let (continuation_benefit, continuation_harm) =
                    if V2 && mech.continuation { sc.cont_parts[p * LANES + l] } else { (0.0, 0.0) };
                sc.outcomes[l][p] = Outcome {
                    continuation_benefit,
                    continuation_harm,
                    benefit: b[l],
                    harm: h[l],
                    max_event: sc.max_event[p].as_array()[l],
                    open_pool_end: o[l],
                    hazard_year: hy[l],
                    events: sc.events[p].as_array()[l] as u32,
                    catastrophes: sc.catastrophes[p].as_array()[l] as u32,
                    spending: sc.spent[p].as_array()[l],
                };
                for j in 0..nj {
                    sc.jurisdictions[l][base + j] = JurisdictionOutcome {
                        benefit: sc.b[base + j].to_array()[l],
                        harm: sc.h[base + j].to_array()[l],
                        share_end: sc.s[base + j].to_array()[l],
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
