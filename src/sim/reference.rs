//! A straightforward per-run implementation of MODEL.md's step, one run at a time with
//! plain `f64` arithmetic. It is the reference the SIMD engine (`lanes.rs`) is tested
//! against; it is compiled for tests only.

use rand::RngExt;
use rand_distr::StandardNormal;

use crate::model::params::{P, attr, jurisdiction_param};

use super::continuation::{ContinuationParams, EndState, Places, add_continuation};
use super::engine::{Engine, JurisdictionOutcome, LeverDraws, LeverPlace, Outcome, RunV2, severity};
use super::poisson::poisson_inverse;
use super::rng::{SimRng, Stream, stream};

/// Reusable per-thread state for [`Engine::run`].
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    k: Vec<f64>,
    o: Vec<f64>,
    hazard_year: Vec<f64>,
    events: Vec<u32>,
    catastrophes: Vec<u32>,
    max_event: Vec<f64>,
    s: Vec<f64>,
    a: Vec<f64>,
    r: Vec<f64>,
    b: Vec<f64>,
    h: Vec<f64>,
    // per-step, per-policy temporaries
    kj: Vec<f64>,
    /// Burdens, `[policy * J + j]`; the migration weights below are rebuilt only when they change.
    burden: Vec<f64>,
    flow_weights: Vec<f64>,
    out_weight: Vec<f64>,
    inflow: Vec<f64>,
    outflow: Vec<f64>,
    n_events: Vec<u32>,
    h_open: Vec<f64>,
    h_api: Vec<f64>,
    theta: Vec<f64>,
    k_before: Vec<f64>,
    // shared per-step draws
    u_gated: Vec<f64>,
    u_closed: Vec<f64>,
    event_land: Vec<u32>,
    event_src: Vec<f64>,
    event_x: Vec<f64>,
    // per-run constants
    p_leak_gated: Vec<f64>,
    p_leak_closed: Vec<f64>,
    pub params: Vec<f64>,
    /// The run's jurisdiction attributes, `[j]` (drawn where uncertain).
    base_burden: Vec<f64>,
    api_access: Vec<f64>,
    // policy levers: per policy and place, per policy, per policy and trigger
    draws: LeverDraws,
    places: Vec<LeverPlace>,
    defense: Vec<f64>,
    strip: Vec<f64>,
    spend_rate: Vec<f64>,
    spent: Vec<f64>,
    damage: Vec<f64>,
    trigger_seen: Vec<Vec<f64>>,
    trigger_fired: Vec<Vec<bool>>,
    // model v2, per policy: the misusers' pool M, the remaining share of output R, a_api
    // (scrutiny lowers it), this step's scrutiny S_t; per place, the continuation's scratch
    m: Vec<f64>,
    remaining: Vec<f64>,
    api: Vec<f64>,
    scrutiny: Vec<f64>,
    flows: Vec<f64>,
}

/// Where a run writes what it records beyond its [`Outcome`]s.
pub struct RunSinks<'a> {
    pub outcomes: &'a mut [Outcome],
    /// `[policy * J + j]`, or empty.
    pub jurisdictions: &'a mut [JurisdictionOutcome],
    /// `[(policy * T + t) * M + m]`, or empty.
    pub series: &'a mut [f32],
}

impl Engine {
    pub fn scratch(&self) -> Scratch {
        let pj = self.n_policies * self.n_jurisdictions;
        let p = self.n_policies;
        let j = self.n_jurisdictions;
        Scratch {
            k: vec![0.0; p],
            o: vec![0.0; p],
            hazard_year: vec![0.0; p],
            events: vec![0; p],
            catastrophes: vec![0; p],
            max_event: vec![0.0; p],
            s: vec![0.0; pj],
            a: vec![0.0; pj],
            r: vec![0.0; pj],
            b: vec![0.0; pj],
            h: vec![0.0; pj],
            kj: vec![0.0; j],
            burden: vec![0.0; pj],
            flow_weights: vec![0.0; pj * j],
            out_weight: vec![0.0; pj],
            inflow: vec![0.0; j],
            outflow: vec![0.0; j],
            n_events: vec![0; p],
            h_open: vec![0.0; p],
            h_api: vec![0.0; p],
            theta: vec![0.0; p],
            k_before: vec![0.0; p],
            u_gated: vec![0.0; j],
            u_closed: vec![0.0; j],
            event_land: Vec::with_capacity(64),
            event_src: Vec::with_capacity(64),
            event_x: Vec::with_capacity(64),
            p_leak_gated: vec![0.0; j],
            p_leak_closed: vec![0.0; j],
            params: vec![0.0; self.n_params],
            base_burden: vec![0.0; j],
            api_access: vec![0.0; j],
            draws: self.lever_draws(),
            places: vec![
                LeverPlace {
                    joined: true,
                    eval_error: 0.0,
                    ceilings: crate::model::Regime::Open.ceilings(),
                    defense_rate: 0.0
                };
                pj
            ],
            defense: vec![0.0; pj],
            strip: vec![0.0; p],
            spend_rate: vec![0.0; p],
            spent: vec![0.0; p],
            damage: vec![0.0; p],
            trigger_seen: self
                .levers
                .iter()
                .map(|l| vec![f64::NAN; l.as_ref().map_or(0, |l| l.triggers.len())])
                .collect(),
            trigger_fired: self
                .levers
                .iter()
                .map(|l| vec![false; l.as_ref().map_or(0, |l| l.triggers.len())])
                .collect(),
            m: vec![0.0; p],
            remaining: vec![0.0; p],
            api: vec![0.0; p],
            scrutiny: vec![0.0; p],
            flows: vec![0.0; j],
        }
    }

    /// The per-run reference: simulates run `run` for every policy, one run at a time,
    /// with world parameters `scratch.params`. The production path is
    /// [`Engine::run_lanes`]; tests hold the two to the same numbers.
    ///
    /// Steps 1-7 and 9-13 of a policy only read that policy's state, so each policy is
    /// advanced in turn; misuse events (step 8) come after, reading preparedness as it was
    /// before step 11, which therefore runs last.
    pub fn run(&self, run: u64, scratch: &mut Scratch, sinks: RunSinks<'_>) {
        let np = self.n_policies;
        let nj = self.n_jurisdictions;
        let dt = self.dt;
        let w = &scratch.params;
        let pv = |p: P| w[p as usize];
        let (k0, o0) = (pv(P::k0), pv(P::o0));
        // Model v2's constants, each neutral where its mechanism is off (engine.rs, RunV2).
        let v2 = RunV2::new(w, self.years);
        let growth_dt = v2.growth_total * dt;
        let growth_noise = pv(P::growth_sd) * dt.sqrt();
        let open_lag = pv(P::open_lag);
        let gamma = pv(P::gap_per_log_share);
        let gap_cap = pv(P::gap_cap);
        let psi = pv(P::research_boost);
        let gap_ref = pv(P::openness_gap_ref);
        let hz = pv(P::hazard_threshold);
        let inv_hz_w = 1.0 / pv(P::hazard_width);
        let lambda_dt = pv(P::misuse_rate) * dt;
        let a_open = pv(P::strip_prob);
        let a_api = pv(P::api_misuse);
        let s_min = pv(P::severity_min);
        let inv_alpha = 1.0 / pv(P::tail_alpha);
        let kappa_ln10 = pv(P::severity_per_oom) * std::f64::consts::LN_10;
        let s_cap = pv(P::severity_cap);
        let s_cat = pv(P::catastrophe_threshold);
        let value_dt = pv(P::value_per_oom) * dt;
        let k_base = pv(P::k_base);
        let bass_p = pv(P::bass_p);
        let bass_q = pv(P::bass_q);
        let omega = pv(P::open_adoption_boost);
        let beta = pv(P::scrutiny_boost);
        let r_max = pv(P::r_max);
        let burden_gated = pv(P::burden_gated);
        let burden_closed = pv(P::burden_closed);
        let mobility_dt = pv(P::mobility) * dt;
        let migration_sd = pv(P::migration_sd);
        let delta = pv(P::discount_rate);
        let (leak_g, leak_c) = (pv(P::leak_gated), pv(P::leak_closed));
        let continuation = ContinuationParams::new(w, self.years, v2.output);

        let sc = scratch;
        // The run's jurisdiction attributes (`params::jurisdiction_param`).
        let place = |params: &[f64], j: usize, k: usize| params[jurisdiction_param(j, k)];
        for j in 0..nj {
            let leak_multiplier = place(&sc.params, j, attr::LEAK_MULTIPLIER);
            sc.p_leak_gated[j] = -(-leak_g * leak_multiplier * dt).exp_m1();
            sc.p_leak_closed[j] = -(-leak_c * leak_multiplier * dt).exp_m1();
            sc.base_burden[j] = place(&sc.params, j, attr::BASE_BURDEN);
            sc.api_access[j] = place(&sc.params, j, attr::API_ACCESS);
        }
        let hazard_year0 = if o0 >= hz { 0.0 } else { f64::NAN };
        if self.has_levers() {
            self.draw_levers(run, &mut sc.draws);
        }
        for p in 0..np {
            let base = p * nj;
            match &self.levers[p] {
                Some(plan) => {
                    let places = &mut sc.places[base..base + nj];
                    let lr = plan.start(&sc.params, &sc.draws, places);
                    sc.strip[p] = lr.strip;
                    sc.spend_rate[p] = lr.spend_rate;
                    for (d, place) in sc.defense[base..base + nj].iter_mut().zip(places.iter()) {
                        *d = place.defense_rate;
                    }
                    sc.trigger_seen[p].fill(f64::NAN);
                    sc.trigger_fired[p].fill(false);
                }
                None => {
                    sc.strip[p] = a_open;
                    sc.spend_rate[p] = 0.0;
                    for (j, d) in sc.defense[base..base + nj].iter_mut().enumerate() {
                        *d = place(&sc.params, j, attr::DEFENSE_RATE);
                    }
                }
            }
            sc.spent[p] = 0.0;
            sc.damage[p] = 0.0;
        }
        for p in 0..np {
            sc.k[p] = k0;
            sc.o[p] = o0;
            sc.m[p] = o0;
            sc.remaining[p] = 1.0;
            sc.api[p] = a_api;
            sc.hazard_year[p] = hazard_year0;
            sc.events[p] = 0;
            sc.catastrophes[p] = 0;
            sc.max_event[p] = 0.0;
            let base = p * nj;
            sc.s[base..base + nj].copy_from_slice(&self.share0);
            for j in 0..nj {
                sc.a[base + j] = place(&sc.params, j, attr::ADOPTION0);
                sc.r[base + j] = place(&sc.params, j, attr::PREPAREDNESS0);
            }
            sc.b[base..base + nj].fill(0.0);
            sc.h[base..base + nj].fill(0.0);
            // Burdens start unknown: NaN never equals a real burden, forcing a first build.
            sc.burden[base..base + nj].fill(f64::NAN);
        }

        let mut rng = stream(self.seed, Stream::Dynamics, run, 0);
        let m_series = self.series_metrics();
        let record_series = !sinks.series.is_empty();
        let steps = self.steps;
        let host = &self.host[..nj];
        let weight = &self.weight[..nj];
        let api_access = &sc.api_access[..nj];
        let base_burden = &sc.base_burden[..nj];

        for t in 0..steps {
            let tau = t as f64 * dt;
            let discount = (-delta * tau).exp();
            // Shared draws of this step, in a fixed order and count.
            for j in 0..nj {
                sc.u_gated[j] = rng.random::<f64>();
                sc.u_closed[j] = rng.random::<f64>();
            }
            let u_count: f64 = rng.random::<f64>();
            let z_migration: f64 = rng.sample(StandardNormal);
            let z_frontier: f64 = rng.sample(StandardNormal);
            let shock = (migration_sd * z_migration).exp();
            // N = 0 exactly when u < exp(-mean), i.e. mean < -ln(u): one log per step
            // instead of one exp per policy.
            let zero_events_below = -u_count.ln();

            let mut max_events = 0u32;
            for p in 0..np {
                let base = p * nj;
                let k = sc.k[p];
                // 0. Signposts seen by the end of the last step, and the switches they trigger
                // once their delay has passed.
                if let Some(plan) = &self.levers[p] {
                    for (tk, tr) in plan.triggers.iter().enumerate() {
                        if sc.trigger_fired[p][tk] {
                            continue;
                        }
                        let seen = &mut sc.trigger_seen[p][tk];
                        if seen.is_nan() && tr.observed(tau, sc.catastrophes[p], sc.damage[p], sc.o[p]) {
                            *seen = tau;
                        }
                        if tau >= *seen + tr.delay {
                            sc.trigger_fired[p][tk] = true;
                            for (place, &applies) in sc.places[base..base + nj].iter_mut().zip(&tr.applies) {
                                if applies && place.joined {
                                    place.ceilings = tr.ceilings.with_progress(v2.progress);
                                }
                            }
                        }
                    }
                }
                let kj = &mut sc.kj[..nj];
                {
                    // 1. Jurisdiction frontiers.
                    let s = &sc.s[base..base + nj];
                    let lead = s.iter().fold(0.0f64, |m, &x| fmax(m, x));
                    for (kj, &sj) in kj.iter_mut().zip(s) {
                        let ratio = lead / fmax(sj, 1e-12);
                        *kj = if gamma == 0.0 || ratio <= 1.0 {
                            k
                        } else {
                            k - gamma * fmin(gap_cap, ratio.ln() * std::f64::consts::LOG10_E)
                        };
                    }
                }
                // 2-4. Ceilings, releases, leaks; this step's burdens for step 12.
                let mut pool = sc.o[p];
                let mut misuse_pool = sc.m[p];
                let mut gated_max = f64::NEG_INFINITY;
                let mut burden_changed = false;
                let ceilings = &self.ceilings[base..base + nj];
                let burden = &mut sc.burden[base..base + nj];
                let with_levers = self.levers[p].is_some();
                for j in 0..nj {
                    let kj = kj[j];
                    let (oc, gc, stage_delay) = if with_levers {
                        // Tiers act on measured capability, true + error: as if the ceilings were
                        // lower by the error. (LeverPlan::start and the triggers applied the
                        // run's algorithmic progress to training-FLOP ceilings.)
                        let place = &sc.places[base + j];
                        let (oc, gc) = place.ceilings.at(tau);
                        (oc - place.eval_error, gc - place.eval_error, place.ceilings.stage_delay)
                    } else {
                        let c = ceilings[j].with_progress(v2.progress);
                        let (oc, gc) = c.at(tau);
                        (oc, gc, c.stage_delay)
                    };
                    // Model v2's staged release: what may be opened or gated is the frontier of
                    // stage_delay years ago, at the expected growth; the held-back test and the
                    // burdens still use K_j.
                    let releasable = kj - stage_delay * v2.growth_total;
                    let open_release = fmin(releasable - open_lag, oc);
                    let gated = if releasable > oc && gc > oc { fmin(releasable, gc) } else { f64::NEG_INFINITY };
                    pool = fmax(pool, open_release);
                    gated_max = fmax(gated_max, gated);
                    // A leak is public when its uniform is also below p_leak * p_pub, else it
                    // reaches misusers only (the pool M).
                    let u_g = sc.u_gated[j];
                    if gated > f64::NEG_INFINITY && u_g < sc.p_leak_gated[j] {
                        if u_g < sc.p_leak_gated[j] * v2.public_share {
                            pool = fmax(pool, gated);
                        } else {
                            misuse_pool = fmax(misuse_pool, gated);
                        }
                    }
                    let u_c = sc.u_closed[j];
                    if kj > fmax(open_release, gated) && u_c < sc.p_leak_closed[j] {
                        if u_c < sc.p_leak_closed[j] * v2.public_share {
                            pool = fmax(pool, kj);
                        } else {
                            misuse_pool = fmax(misuse_pool, kj);
                        }
                    }
                    let b = base_burden[j]
                        + if kj > oc { burden_gated } else { 0.0 }
                        + if kj > gc { burden_closed } else { 0.0 };
                    if b != burden[j] {
                        burden[j] = b;
                        burden_changed = true;
                    }
                }
                // 5. Open pool (never decreases); model v2's distillation (the pool trails the
                // API frontier by at most distill_lag; +inf when off); the misusers' pool M
                // holds whatever is public too; the hazard-crossing year.
                pool = fmax(pool, k - v2.distill_lag);
                sc.o[p] = pool;
                sc.m[p] = fmax(misuse_pool, pool);
                if pool >= hz && sc.hazard_year[p].is_nan() {
                    sc.hazard_year[p] = tau;
                }
                // 6-7. Openness and hazard, from the world frontier and the updated pools;
                // misusers of open weights use M.
                let theta = (1.0 - (k - pool) / gap_ref).clamp(0.0, 1.0);
                // Scrutiny (model v2): access to models near the frontier, gated ones included.
                sc.scrutiny[p] = (1.0 - (k - fmax(pool, gated_max)) / gap_ref).clamp(0.0, 1.0);
                let ho = sc.strip[p] * logistic((sc.m[p] - hz) * inv_hz_w);
                let hk = sc.api[p] * logistic((k - hz) * inv_hz_w);
                sc.h_open[p] = ho;
                sc.h_api[p] = hk;
                sc.theta[p] = theta;
                sc.k_before[p] = k;
                let mean = lambda_dt * (ho + hk);
                let n = if mean < zero_events_below { 0 } else { poisson_inverse(u_count, mean) };
                sc.n_events[p] = n;
                max_events = max_events.max(n);

                // 9. Benefits, with adoption as it was before step 10.
                let a = &mut sc.a[base..base + nj];
                let b = &mut sc.b[base..base + nj];
                let v_open = fmax(pool - k_base, 0.0);
                let v_frontier = fmax(k - k_base, 0.0);
                let flow = discount * value_dt;
                if sc.spend_rate[p] > 0.0 {
                    sc.spent[p] += discount * (dt * sc.spend_rate[p]);
                }
                for j in 0..nj {
                    let v_api = api_access[j] * v_frontier;
                    let v = fmax(v_open, v_api);
                    let f_open = if v > 0.0 { v_open / v } else { 0.0 };
                    let aj = a[j];
                    // Model v2's bounded losses: benefit on the output that remains at the
                    // start of the step (this step's events come after; R is 1 when unbounded).
                    b[j] += flow * weight[j] * aj * v * sc.remaining[p];
                    // 10. Adoption (Bass), clamped to [0, 1].
                    a[j] = fmin(fmax(aj + dt * (bass_p + bass_q * aj * (1.0 + omega * f_open)) * (1.0 - aj), 0.0), 1.0);
                }
                // 12. Migration from burden differences, all flows at once.
                if mobility_dt > 0.0 {
                    let flows = &mut sc.flow_weights[p * nj * nj..(p + 1) * nj * nj];
                    let out_weight = &mut sc.out_weight[base..base + nj];
                    if burden_changed {
                        // flows[j * J + i] = host_i * max(0, burden_j - burden_i).
                        for j in 0..nj {
                            let mut total = 0.0;
                            for i in 0..nj {
                                let f = host[i] * fmax(burden[j] - burden[i], 0.0);
                                flows[j * nj + i] = f;
                                total += f;
                            }
                            out_weight[j] = total;
                        }
                    }
                    let s = &mut sc.s[base..base + nj];
                    let inflow = &mut sc.inflow[..nj];
                    let outflow = &mut sc.outflow[..nj];
                    inflow.fill(0.0);
                    let scale = mobility_dt * shock;
                    for ((row, &weight_out), (&sj, out_j)) in
                        flows.chunks_exact(nj).zip(out_weight.iter()).zip(s.iter().zip(outflow.iter_mut()))
                    {
                        if weight_out == 0.0 {
                            *out_j = 0.0;
                            continue;
                        }
                        // If j's outflow would exceed its share, scale j's flows down to it.
                        let from = if scale * weight_out > 1.0 { sj / weight_out } else { scale * sj };
                        for (inf, &f) in inflow.iter_mut().zip(row) {
                            *inf += from * f;
                        }
                        *out_j = from * weight_out;
                    }
                    // Flows conserve the total share; rounding drift stays near 1e-16 per step.
                    for ((sj, &inf), &out) in s.iter_mut().zip(inflow.iter()).zip(outflow.iter()) {
                        *sj = fmax(*sj + inf - out, 0.0);
                    }
                }
                // 13. Frontier.
                sc.k[p] = k + growth_dt * (1.0 + psi * theta) + growth_noise * z_frontier;
            }

            // 8. Misuse events. Event k of the step uses the same uniforms in every policy
            // that has at least k + 1 events; its landing and Pareto draw do not depend on
            // the policy, so they are computed once.
            if max_events > 0 {
                let mut ev_rng: SimRng = stream(self.seed, Stream::Events, run, t as u64);
                sc.event_land.clear();
                sc.event_src.clear();
                sc.event_x.clear();
                for _ in 0..max_events {
                    let u_land: f64 = ev_rng.random();
                    let u_src: f64 = ev_rng.random();
                    let u_sev: f64 = ev_rng.random();
                    let land = self.exposure_cdf.iter().position(|&c| u_land < c).unwrap_or(nj - 1);
                    sc.event_land.push(land as u32);
                    sc.event_src.push(u_src);
                    // Pareto(1, alpha) by inverse transform; 1 - u lies in (0, 1].
                    sc.event_x.push((-(1.0 - u_sev).ln() * inv_alpha).exp());
                }
                for p in 0..np {
                    let n = sc.n_events[p] as usize;
                    if n == 0 {
                        continue;
                    }
                    let base = p * nj;
                    let (ho, hk) = (sc.h_open[p], sc.h_api[p]);
                    let p_open = ho / (ho + hk);
                    let sev_open = s_min * (kappa_ln10 * (sc.m[p] - hz).max(0.0)).exp();
                    let sev_api = s_min * (kappa_ln10 * (sc.k_before[p] - hz).max(0.0)).exp();
                    for e in 0..n {
                        let land = sc.event_land[e] as usize;
                        let uplift = if sc.event_src[e] < p_open { sev_open } else { sev_api };
                        // Preparedness as it was before this step's update (step 11 below).
                        let sev = severity(uplift * sc.event_x[e], sc.r[base + land], s_cap);
                        // Model v2's bounded losses: an event destroys at most what remains of
                        // the output at stake (stake +inf when unbounded: S stays, R stays 1).
                        let sev = fmin(sev, sc.remaining[p] * v2.stake);
                        sc.remaining[p] = fmax(sc.remaining[p] - sev / v2.stake, 0.0);
                        sc.h[base + land] += discount * sev;
                        sc.damage[p] += sev;
                        if sev >= s_cat {
                            sc.catastrophes[p] += 1;
                        }
                        if sev > sc.max_event[p] {
                            sc.max_event[p] = sev;
                        }
                    }
                    sc.events[p] += n as u32;
                }
            }

            // 11. Preparedness, after the events that used its old value. The rate factor is
            // capped at 1 so coarse steps cannot overshoot r_max (docs/MODEL.md).
            for p in 0..np {
                let base = p * nj;
                let boost = dt * (1.0 + beta * sc.theta[p]);
                let r = &mut sc.r[base..base + nj];
                for (r, &rho) in r.iter_mut().zip(&sc.defense[base..base + nj]) {
                    *r += fmin(rho * boost, 1.0) * (r_max - *r);
                }
                // Model v2's scrutiny: outside study of models near the frontier makes misuse
                // harder and evaluations better, by exp(-sigma_s S_t dt) each step.
                if v2.scrutiny > 0.0 {
                    let factor = (-(v2.scrutiny * dt) * sc.scrutiny[p]).exp();
                    sc.strip[p] *= factor;
                    sc.api[p] *= factor;
                    if self.levers[p].is_some() {
                        for place in &mut sc.places[base..base + nj] {
                            place.eval_error *= factor;
                        }
                    }
                }
            }

            // 14. Record the step.
            if record_series {
                for p in 0..np {
                    let base = p * nj;
                    let row = &mut sinks.series[(p * steps + t) * m_series..(p * steps + t + 1) * m_series];
                    row[0] = sc.k[p] as f32;
                    row[1] = sc.o[p] as f32;
                    row[2] = sc.b[base..base + nj].iter().sum::<f64>() as f32;
                    row[3] = sc.h[base..base + nj].iter().sum::<f64>() as f32;
                    for j in 0..nj {
                        row[4 + j] = sc.s[base + j] as f32;
                    }
                }
            }
        }

        for p in 0..np {
            let base = p * nj;
            // Model v2's continuation value, into each place's benefit and harm.
            let (cont_b, cont_h) = add_continuation(
                &continuation,
                Places { weight, api_access, exposure: &self.exposure },
                EndState {
                    frontier: sc.k[p],
                    open_pool: sc.o[p],
                    misuse_pool: sc.m[p],
                    remaining: sc.remaining[p],
                    strip: sc.strip[p],
                    api_misuse: sc.api[p],
                    adoption: &sc.a[base..base + nj],
                    preparedness: &sc.r[base..base + nj],
                },
                &mut sc.b[base..base + nj],
                &mut sc.h[base..base + nj],
                &mut sc.flows,
            );
            sinks.outcomes[p] = Outcome {
                continuation_benefit: cont_b,
                continuation_harm: cont_h,
                benefit: sc.b[base..base + nj].iter().sum(),
                harm: sc.h[base..base + nj].iter().sum(),
                max_event: sc.max_event[p],
                open_pool_end: sc.o[p],
                hazard_year: sc.hazard_year[p],
                events: sc.events[p],
                catastrophes: sc.catastrophes[p],
                spending: sc.spent[p],
            };
            if !sinks.jurisdictions.is_empty() {
                for j in 0..nj {
                    sinks.jurisdictions[base + j] = JurisdictionOutcome {
                        benefit: sc.b[base + j],
                        harm: sc.h[base + j],
                        share_end: sc.s[base + j],
                    };
                }
            }
        }
    }
}

/// `max` without NaN handling (no NaN reaches the step).
#[inline(always)]
fn fmax(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

#[inline(always)]
fn fmin(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

#[inline]
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
