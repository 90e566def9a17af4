//! One run of the model for every policy at once (MODEL.md, "One step"), on shared random
//! numbers. The hot loop allocates nothing: all state lives in a reusable [`Scratch`].

use rand::RngExt;
use rand_distr::StandardNormal;

use crate::model::dist::Sampler;
use crate::model::params::{N_PARAMS, P};
use crate::model::regime::Ceilings;
use crate::model::scenario::Scenario;

use super::poisson::poisson_inverse;
use super::rng::{SimRng, Stream, stream};

/// Everything about a scenario that stays the same across runs, prepared once.
#[derive(Clone, Debug)]
pub struct Engine {
    pub n_policies: usize,
    pub n_jurisdictions: usize,
    pub steps: usize,
    pub dt: f64,
    pub seed: u64,
    samplers: Vec<Sampler>,
    /// Indices of uncertain world parameters, in parameter order.
    pub uncertain: Vec<usize>,
    /// Release ceilings, `[policy * J + jurisdiction]`.
    ceilings: Vec<Ceilings>,
    share0: Vec<f64>,
    host: Vec<f64>,
    base_burden: Vec<f64>,
    weight: Vec<f64>,
    exposure_cdf: Vec<f64>,
    api_access: Vec<f64>,
    adoption0: Vec<f64>,
    preparedness0: Vec<f64>,
    defense_rate: Vec<f64>,
    leak_multiplier: Vec<f64>,
}

/// Results of one run for one policy (MODEL.md, "Outputs per run and policy").
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Discounted benefit, $B.
    pub benefit: f64,
    /// Discounted harm, $B.
    pub harm: f64,
    /// Largest single event (undiscounted), $B; 0 with no event.
    pub max_event: f64,
    /// Open pool at the end, log10 FLOP.
    pub open_pool_end: f64,
    /// First year with open pool >= hazard threshold; NaN if never.
    pub hazard_year: f64,
    pub events: u32,
    pub catastrophes: u32,
}

impl Outcome {
    pub fn net(&self) -> f64 {
        self.benefit - self.harm
    }
}

/// Per-jurisdiction results of one run for one policy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct JurisdictionOutcome {
    pub benefit: f64,
    pub harm: f64,
    pub share_end: f64,
}

/// Series metrics recorded per step: frontier, open pool, cumulative benefit, cumulative
/// harm, then one share per jurisdiction.
pub const SERIES_FIXED: [&str; 4] = ["frontier", "open_pool", "cum_benefit", "cum_harm"];

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
    burden: Vec<f64>,
    out: Vec<f64>,
    inflow: Vec<f64>,
    n_events: Vec<u32>,
    h_open: Vec<f64>,
    h_api: Vec<f64>,
    theta: Vec<f64>,
    k_before: Vec<f64>,
    // shared per-step draws
    u_gated: Vec<f64>,
    u_closed: Vec<f64>,
    event_u: Vec<f64>,
    // per-run constants
    p_leak_gated: Vec<f64>,
    p_leak_closed: Vec<f64>,
    pub params: Vec<f64>,
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
    /// Prepares a validated scenario for simulation.
    pub fn new(scenario: &Scenario) -> Engine {
        let j = &scenario.jurisdictions;
        let col = |f: fn(&crate::model::Jurisdiction) -> f64| j.iter().map(f).collect::<Vec<f64>>();
        let mut exposure_cdf = Vec::with_capacity(j.len());
        let mut acc = 0.0;
        for x in j {
            acc += x.exposure;
            exposure_cdf.push(acc);
        }
        // Normalise away the (validated, < 1e-6) rounding so the last bucket always catches u.
        if let Some(last) = exposure_cdf.last_mut() {
            *last = f64::INFINITY;
        }
        let mut ceilings = Vec::with_capacity(scenario.policies.len() * j.len());
        for p in &scenario.policies {
            for jj in 0..j.len() {
                ceilings.push(p.regime_for(jj).ceilings());
            }
        }
        let samplers = scenario
            .world
            .iter()
            .map(|d| d.sampler().unwrap_or(Sampler::Fixed(d.central())))
            .collect();
        Engine {
            n_policies: scenario.policies.len(),
            n_jurisdictions: j.len(),
            steps: scenario.run.steps(),
            dt: scenario.run.dt(),
            seed: scenario.run.seed,
            samplers,
            uncertain: scenario.uncertain_params(),
            ceilings,
            share0: col(|x| x.share0),
            host: col(|x| x.host),
            base_burden: col(|x| x.base_burden),
            weight: col(|x| x.weight),
            exposure_cdf,
            api_access: col(|x| x.api_access),
            adoption0: col(|x| x.adoption0),
            preparedness0: col(|x| x.preparedness0),
            defense_rate: col(|x| x.defense_rate),
            leak_multiplier: col(|x| x.leak_multiplier),
        }
    }

    /// Number of series metrics per step.
    pub fn series_metrics(&self) -> usize {
        SERIES_FIXED.len() + self.n_jurisdictions
    }

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
            burden: vec![0.0; j],
            out: vec![0.0; j],
            inflow: vec![0.0; j],
            n_events: vec![0; p],
            h_open: vec![0.0; p],
            h_api: vec![0.0; p],
            theta: vec![0.0; p],
            k_before: vec![0.0; p],
            u_gated: vec![0.0; j],
            u_closed: vec![0.0; j],
            event_u: Vec::with_capacity(64),
            p_leak_gated: vec![0.0; j],
            p_leak_closed: vec![0.0; j],
            params: vec![0.0; N_PARAMS],
        }
    }

    /// Draws run `run`'s world parameters into `params` (every uncertain parameter once,
    /// in parameter order, from the run's own stream).
    pub fn draw_params(&self, run: u64, params: &mut [f64]) {
        let mut rng = stream(self.seed, Stream::Params, run, 0);
        for (x, s) in params.iter_mut().zip(&self.samplers) {
            *x = s.sample(&mut rng);
        }
    }

    /// Simulates run `run` for every policy with world parameters `scratch.params`.
    pub fn run(&self, run: u64, scratch: &mut Scratch, sinks: RunSinks<'_>) {
        let np = self.n_policies;
        let nj = self.n_jurisdictions;
        let dt = self.dt;
        let w = &scratch.params;
        let pv = |p: P| w[p as usize];
        let (k0, o0) = (pv(P::k0), pv(P::o0));
        let growth = pv(P::growth);
        let growth_noise = pv(P::growth_sd) * dt.sqrt();
        let open_lag = pv(P::open_lag);
        let gamma = pv(P::gap_per_log_share);
        let gap_cap = pv(P::gap_cap);
        let psi = pv(P::research_boost);
        let gap_ref = pv(P::openness_gap_ref);
        let hz = pv(P::hazard_threshold);
        let hz_w = pv(P::hazard_width);
        let lambda_max = pv(P::misuse_rate);
        let a_open = pv(P::strip_prob);
        let a_api = pv(P::api_misuse);
        let s_min = pv(P::severity_min);
        let inv_alpha = 1.0 / pv(P::tail_alpha);
        let kappa = pv(P::severity_per_oom);
        let s_cap = pv(P::severity_cap);
        let s_cat = pv(P::catastrophe_threshold);
        let value = pv(P::value_per_oom);
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

        for j in 0..nj {
            scratch.p_leak_gated[j] = -(-leak_g * self.leak_multiplier[j] * dt).exp_m1();
            scratch.p_leak_closed[j] = -(-leak_c * self.leak_multiplier[j] * dt).exp_m1();
        }
        let hazard_year0 = if o0 >= hz { 0.0 } else { f64::NAN };
        for p in 0..np {
            scratch.k[p] = k0;
            scratch.o[p] = o0;
            scratch.hazard_year[p] = hazard_year0;
            scratch.events[p] = 0;
            scratch.catastrophes[p] = 0;
            scratch.max_event[p] = 0.0;
            let base = p * nj;
            scratch.s[base..base + nj].copy_from_slice(&self.share0);
            scratch.a[base..base + nj].copy_from_slice(&self.adoption0);
            scratch.r[base..base + nj].copy_from_slice(&self.preparedness0);
            scratch.b[base..base + nj].fill(0.0);
            scratch.h[base..base + nj].fill(0.0);
        }

        let mut rng = stream(self.seed, Stream::Dynamics, run, 0);
        let m_series = self.series_metrics();
        let record_series = !sinks.series.is_empty();
        let steps = self.steps;

        for t in 0..steps {
            let tau = t as f64 * dt;
            let discount = (-delta * tau).exp();
            // Shared draws of this step, in a fixed order and count.
            for j in 0..nj {
                scratch.u_gated[j] = rng.random::<f64>();
                scratch.u_closed[j] = rng.random::<f64>();
            }
            let u_count: f64 = rng.random::<f64>();
            let z_migration: f64 = rng.sample(StandardNormal);
            let z_frontier: f64 = rng.sample(StandardNormal);
            let shock = (migration_sd * z_migration).exp();

            // Steps 1-7 per policy, and the event count of step 8.
            let mut max_events = 0u32;
            for p in 0..np {
                let base = p * nj;
                let s = &scratch.s[base..base + nj];
                let k = scratch.k[p];
                // 1. Jurisdiction frontiers.
                let lead = s.iter().fold(0.0f64, |m, &x| m.max(x));
                for j in 0..nj {
                    let ratio = lead / s[j].max(1e-12);
                    scratch.kj[j] = if gamma == 0.0 || ratio <= 1.0 {
                        k
                    } else {
                        k - gamma * gap_cap.min(ratio.log10())
                    };
                }
                // 2-4. Ceilings, releases, leaks; burdens for step 12.
                let mut pool = scratch.o[p];
                for j in 0..nj {
                    let kj = scratch.kj[j];
                    let (oc, gc) = self.ceilings[base + j].at(tau);
                    let open_release = (kj - open_lag).min(oc);
                    let gated = if kj > oc && gc > oc { kj.min(gc) } else { f64::NEG_INFINITY };
                    pool = pool.max(open_release);
                    if gated > f64::NEG_INFINITY && scratch.u_gated[j] < scratch.p_leak_gated[j] {
                        pool = pool.max(gated);
                    }
                    if kj > open_release.max(gated) && scratch.u_closed[j] < scratch.p_leak_closed[j] {
                        pool = pool.max(kj);
                    }
                    scratch.burden[j] = self.base_burden[j]
                        + if kj > oc { burden_gated } else { 0.0 }
                        + if kj > gc { burden_closed } else { 0.0 };
                }
                // 5. Open pool (never decreases) and the hazard-crossing year.
                scratch.o[p] = pool;
                if pool >= hz && scratch.hazard_year[p].is_nan() {
                    scratch.hazard_year[p] = tau;
                }
                // 6-7. Openness and hazard.
                let theta = (1.0 - (k - pool) / gap_ref).clamp(0.0, 1.0);
                let ho = a_open * logistic((pool - hz) / hz_w);
                let hk = a_api * logistic((k - hz) / hz_w);
                scratch.h_open[p] = ho;
                scratch.h_api[p] = hk;
                scratch.theta[p] = theta;
                scratch.k_before[p] = k;
                let n = poisson_inverse(u_count, lambda_max * (ho + hk) * dt);
                scratch.n_events[p] = n;
                max_events = max_events.max(n);

                // 12 needs this policy's burdens now, before the next policy overwrites them:
                // apply steps 9-13 for this policy right here, except events (below).
                let theta_here = theta;
                let a_slice = &mut scratch.a[base..base + nj];
                let b_slice = &mut scratch.b[base..base + nj];
                // 9. Benefits, with adoption as it was before this step's update.
                let v_open = (pool - k_base).max(0.0);
                let v_frontier = (k - k_base).max(0.0);
                let flow = discount * value * dt;
                for j in 0..nj {
                    let v_api = self.api_access[j] * v_frontier;
                    let v = v_open.max(v_api);
                    let f_open = if v > 0.0 { v_open / v } else { 0.0 };
                    b_slice[j] += flow * self.weight[j] * a_slice[j] * v;
                    // 10. Adoption (Bass).
                    let aj = a_slice[j];
                    a_slice[j] = (aj + dt * (bass_p + bass_q * aj * (1.0 + omega * f_open)) * (1.0 - aj)).clamp(0.0, 1.0);
                }
                // 12. Migration from burden differences, simultaneous flows.
                if mobility_dt > 0.0 {
                    let s = &mut scratch.s[base..base + nj];
                    let scale = mobility_dt * shock;
                    for j in 0..nj {
                        let mut out = 0.0;
                        for i in 0..nj {
                            let d = scratch.burden[j] - scratch.burden[i];
                            if d > 0.0 {
                                out += self.host[i] * d;
                            }
                        }
                        out *= scale * s[j];
                        // Scale j's flows down if they would exceed its share.
                        scratch.out[j] = if out > s[j] { s[j] / out } else { 1.0 };
                        scratch.inflow[j] = 0.0;
                    }
                    for j in 0..nj {
                        let from = scale * s[j] * scratch.out[j];
                        if from == 0.0 {
                            continue;
                        }
                        let mut total = 0.0;
                        for i in 0..nj {
                            let d = scratch.burden[j] - scratch.burden[i];
                            if d > 0.0 {
                                let f = from * self.host[i] * d;
                                scratch.inflow[i] += f;
                                total += f;
                            }
                        }
                        scratch.inflow[j] -= total;
                    }
                    let mut sum = 0.0;
                    for j in 0..nj {
                        s[j] = (s[j] + scratch.inflow[j]).max(0.0);
                        sum += s[j];
                    }
                    // Keep the exact simplex despite rounding.
                    if sum > 0.0 && (sum - 1.0).abs() > 1e-15 {
                        let inv = 1.0 / sum;
                        s.iter_mut().for_each(|x| *x *= inv);
                    }
                }
                // 13. Frontier.
                scratch.k[p] = k + dt * growth * (1.0 + psi * theta_here) + growth_noise * z_frontier;
            }

            // 8. Misuse events, on uniforms shared across policies: event k uses the same
            // three uniforms in every policy that has at least k + 1 events.
            if max_events > 0 {
                let mut ev_rng: SimRng = stream(self.seed, Stream::Events, run, t as u64);
                scratch.event_u.clear();
                for _ in 0..3 * max_events as usize {
                    scratch.event_u.push(ev_rng.random::<f64>());
                }
                let disc_harm = discount;
                for p in 0..np {
                    let n = scratch.n_events[p] as usize;
                    if n == 0 {
                        continue;
                    }
                    let base = p * nj;
                    let (ho, hk) = (scratch.h_open[p], scratch.h_api[p]);
                    let p_open = ho / (ho + hk);
                    let pool = scratch.o[p];
                    // The frontier of step 7, before step 13 moved it.
                    let k_before = scratch.k_before[p];
                    let uplift_open = s_min * 10f64.powf(kappa * (pool - hz).max(0.0));
                    let uplift_api = s_min * 10f64.powf(kappa * (k_before - hz).max(0.0));
                    for e in 0..n {
                        let u = &scratch.event_u[3 * e..3 * e + 3];
                        let land = self.exposure_cdf.iter().position(|&c| u[0] < c).unwrap_or(nj - 1);
                        let uplift = if u[1] < p_open { uplift_open } else { uplift_api };
                        let x = (1.0 - u[2]).powf(-inv_alpha);
                        // Preparedness as it was before this step's update (step 11 below).
                        let r_before = scratch.r[base + land];
                        let sev = (uplift * x * (1.0 - r_before)).min(s_cap);
                        scratch.h[base + land] += disc_harm * sev;
                        if sev >= s_cat {
                            scratch.catastrophes[p] += 1;
                        }
                        if sev > scratch.max_event[p] {
                            scratch.max_event[p] = sev;
                        }
                    }
                    scratch.events[p] += n as u32;
                }
            }

            // 11. Preparedness (after the events that used its old value).
            for p in 0..np {
                let base = p * nj;
                let boost = 1.0 + beta * scratch.theta[p];
                for j in 0..nj {
                    let rate = (dt * self.defense_rate[j] * boost).min(1.0);
                    let r = &mut scratch.r[base + j];
                    *r += rate * (r_max - *r);
                }
            }

            // 14. Record.
            if record_series {
                for p in 0..np {
                    let base = p * nj;
                    let row = &mut sinks.series[(p * steps + t) * m_series..(p * steps + t + 1) * m_series];
                    row[0] = scratch.k[p] as f32;
                    row[1] = scratch.o[p] as f32;
                    row[2] = scratch.b[base..base + nj].iter().sum::<f64>() as f32;
                    row[3] = scratch.h[base..base + nj].iter().sum::<f64>() as f32;
                    for j in 0..nj {
                        row[4 + j] = scratch.s[base + j] as f32;
                    }
                }
            }
        }

        for p in 0..np {
            let base = p * nj;
            sinks.outcomes[p] = Outcome {
                benefit: scratch.b[base..base + nj].iter().sum(),
                harm: scratch.h[base..base + nj].iter().sum(),
                max_event: scratch.max_event[p],
                open_pool_end: scratch.o[p],
                hazard_year: scratch.hazard_year[p],
                events: scratch.events[p],
                catastrophes: scratch.catastrophes[p],
            };
            if !sinks.jurisdictions.is_empty() {
                for j in 0..nj {
                    sinks.jurisdictions[base + j] = JurisdictionOutcome {
                        benefit: scratch.b[base + j],
                        harm: scratch.h[base + j],
                        share_end: scratch.s[base + j],
                    };
                }
            }
        }
    }
}

#[inline]
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
