//! The prepared scenario ([`Engine`]) and what a run produces. The step itself lives in
//! `lanes.rs` (a SIMD register of runs at a time, `simd.rs`) and, as a per-run reference for tests, `reference.rs`.

use crate::model::params::{P, attr, jurisdiction_param};
use crate::model::regime::{Ceilings, Policy, Signpost};
use crate::model::scenario::Scenario;

use super::lane_params::ParamDraws;
use super::rng::{Stream, stream};
use super::simd::LANES;

/// Everything about a scenario that stays the same across runs, prepared once.
#[derive(Clone, Debug)]
pub struct Engine {
    pub n_policies: usize,
    pub n_jurisdictions: usize,
    pub steps: usize,
    pub dt: f64,
    pub seed: u64,
    /// How the per-run parameters are drawn (`lane_params.rs`): the world parameters, then
    /// every jurisdiction's attributes (`params::param_count`).
    pub(super) draws: ParamDraws,
    /// The length of a run's parameter vector (`params::param_count`).
    pub n_params: usize,
    /// Indices of uncertain per-run parameters, in parameter order.
    pub uncertain: Vec<usize>,
    /// Release ceilings, `[policy * J + jurisdiction]` (the per-run reference's; the SIMD
    /// step reads `ceilings_at`, and these only for per-lane ceilings, model v2's
    /// training-FLOP thresholds under algorithmic progress).
    pub(super) ceilings: Vec<Ceilings>,
    /// `Ceilings::at` of every step, `[(step * P + policy) * J + jurisdiction]`: the open and
    /// gated ceilings, computed once per scenario rather than once per run and step.
    pub(super) ceilings_at: Vec<(f64, f64)>,
    /// Per policy, whether every jurisdiction is open (or every one closed) at all times.
    pub(super) uniform: Vec<Uniform>,
    /// The jurisdictions' attributes that sum to 1 and so are always fixed. The others
    /// (`base_burden`, `api_access`, `adoption0`, `preparedness0`, `defense_rate`,
    /// `leak_multiplier`) may be uncertain: the step reads them from each run's parameters
    /// (`params::jurisdiction_param`).
    pub(super) share0: Vec<f64>,
    pub(super) host: Vec<f64>,
    pub(super) weight: Vec<f64>,
    pub(super) exposure_cdf: Vec<f64>,
    /// Each place's share of misuse events (the continuation's expected harm).
    pub(super) exposure: Vec<f64>,
    /// Per policy, its levers prepared for the step; `None` for a policy without any (the
    /// step then takes the exact path it took before levers existed).
    pub(super) levers: Vec<Option<LeverPlan>>,
    /// The horizon `Y`, years (model v2: the stake of bounded losses, the continuation's start).
    pub(super) years: f64,
    /// Model v2's per-policy features, decided once here: whether a policy names a regime with
    /// a stage delay (anywhere: default, overrides, levers' regimes), and whether one with
    /// training-FLOP thresholds. A policy with neither takes v1's path through the step.
    pub(super) staged: Vec<bool>,
    pub(super) training_flop: Vec<bool>,
}

/// Which of model v2's mechanisms a register of runs (or one run) needs, decided once per
/// register from its lanes' world parameters and the engine's policies, before the first step
/// (docs/MODEL.md). With none, the step is v1's code exactly ([`Mechanisms::any`]); a
/// mechanism on in some lane runs for all of them, and a lane where it is off computes exactly
/// what it would without it (each mechanism is neutral at its off value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Mechanisms {
    /// `continuation_years > 0`: the continuation value after the last step.
    pub continuation: bool,
    /// `world_output` given: bounded losses.
    pub bounded: bool,
    /// `leak_public_share < 1`: some leaks reach misusers only (the misusers' pool `M`).
    pub private_leaks: bool,
    /// `distill_lag` given: the open pool trails the API frontier by at most the lag.
    pub distill: bool,
    /// `scrutiny_safety > 0`: access to near-frontier models lowers misuse.
    pub scrutiny: bool,
    /// `algorithmic_progress != 0` and a policy with training-FLOP thresholds: per-run ceilings.
    pub training_flop: bool,
    /// A policy with a stage delay.
    pub staged: bool,
}

impl Mechanisms {
    pub fn any(&self) -> bool {
        *self != Mechanisms::default()
    }

    /// The mechanisms one run's world parameters `params` turn on.
    fn of_run(params: &[f64]) -> Mechanisms {
        let x = |p: P| params[p as usize];
        Mechanisms {
            continuation: x(P::continuation_years) > 0.0,
            // The left-out values (world_output 0, distill_lag negative) lie outside the
            // ranges, so a file's value always turns the mechanism on.
            bounded: x(P::world_output) > 0.0,
            private_leaks: x(P::leak_public_share) < 1.0,
            distill: x(P::distill_lag) >= 0.0,
            scrutiny: x(P::scrutiny_safety) > 0.0,
            training_flop: x(P::algorithmic_progress) != 0.0,
            staged: false,
        }
    }

    fn or(self, o: Mechanisms) -> Mechanisms {
        Mechanisms {
            continuation: self.continuation || o.continuation,
            bounded: self.bounded || o.bounded,
            private_leaks: self.private_leaks || o.private_leaks,
            distill: self.distill || o.distill,
            scrutiny: self.scrutiny || o.scrutiny,
            training_flop: self.training_flop || o.training_flop,
            staged: self.staged || o.staged,
        }
    }
}

/// One run's model v2 constants, from its world parameters: each mechanism's parameter, with
/// its off value turned into the neutral one the step can use unconditionally.
#[derive(Clone, Copy, Debug)]
pub(super) struct RunV2 {
    /// `growth + algorithmic_progress`, OOM/yr: the expected frontier growth.
    pub growth_total: f64,
    pub progress: f64,
    pub public_share: f64,
    /// `distill_lag`, or +inf without distillation (`K - inf` never raises the pool).
    pub distill_lag: f64,
    pub scrutiny: f64,
    /// `world_output`, $B/yr, and the stake `world_output * years`; +inf when unbounded, so
    /// `min(S, R * inf)` is `S` and `S / inf` is 0.
    pub output: f64,
    pub stake: f64,
}

impl RunV2 {
    /// Every mechanism off (what v1's path holds, unread).
    pub const OFF: RunV2 = RunV2 {
        growth_total: 0.0,
        progress: 0.0,
        public_share: 1.0,
        distill_lag: f64::INFINITY,
        scrutiny: 0.0,
        output: f64::INFINITY,
        stake: f64::INFINITY,
    };

    pub fn new(params: &[f64], years: f64) -> RunV2 {
        let x = |p: P| params[p as usize];
        let lag = x(P::distill_lag);
        let output = x(P::world_output);
        let (output, stake) = if output > 0.0 { (output, output * years) } else { (f64::INFINITY, f64::INFINITY) };
        RunV2 {
            growth_total: x(P::growth) + x(P::algorithmic_progress),
            progress: x(P::algorithmic_progress),
            public_share: x(P::leak_public_share),
            distill_lag: if lag >= 0.0 { lag } else { f64::INFINITY },
            scrutiny: x(P::scrutiny_safety),
            output,
            stake,
        }
    }
}

/// A policy's levers, as the step uses them (docs/MODEL.md, "Policy levers").
#[derive(Clone, Debug)]
pub(super) struct LeverPlan {
    pub eval_sd: f64,
    pub eval_bias: f64,
    /// Per jurisdiction: the chance it joins (1 without coordination), the policy's own
    /// ceilings and those of the baseline policy, which a jurisdiction that stays out keeps.
    pub join_prob: Vec<f64>,
    pub own: Vec<Ceilings>,
    pub outside: Vec<Ceilings>,
    /// Per jurisdiction, $B/yr.
    pub safeguards: Vec<f64>,
    pub preparedness: Vec<f64>,
    pub triggers: Vec<TriggerPlan>,
}

#[derive(Clone, Debug)]
pub(super) struct TriggerPlan {
    pub when: Signpost,
    pub delay: f64,
    pub ceilings: Ceilings,
    /// Per jurisdiction, whether the switch applies there.
    pub applies: Vec<bool>,
}

/// One run's lever draws, `[j]`: a uniform that decides who joins a coordinated policy (it
/// joins when the uniform is below its chance) and a standard normal for the evaluation error.
/// Shared by every policy, like all draws.
#[derive(Clone, Debug, Default)]
pub struct LeverDraws {
    pub join_u: Vec<f64>,
    pub eval_z: Vec<f64>,
}

/// What a policy's levers make of one run, before its first step.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct LeverRun {
    /// `strip_prob` after the safeguards.
    pub strip: f64,
    /// $B/yr spent, over the jurisdictions that take part.
    pub spend_rate: f64,
}

/// Per jurisdiction, what a policy's levers make of it in one run.
#[derive(Clone, Copy, Debug)]
pub(super) struct LeverPlace {
    pub joined: bool,
    /// Measured minus true capability, log10 FLOP: the ceilings act as if this much lower.
    pub eval_error: f64,
    pub ceilings: Ceilings,
    pub defense_rate: f64,
}

impl LeverPlan {
    /// The run's lever state of this policy: per place into `places`, and the policy-wide rest.
    pub fn start(&self, params: &[f64], draws: &LeverDraws, places: &mut [LeverPlace]) -> LeverRun {
        let mut guarded = 0.0;
        let mut spend_rate = 0.0;
        let per_dollar = params[P::defense_per_billion as usize];
        for (j, place) in places.iter_mut().enumerate() {
            let defense_rate = params[jurisdiction_param(j, attr::DEFENSE_RATE)];
            // u < 1 always, so a chance of 1 always joins.
            let joined = draws.join_u[j] < self.join_prob[j];
            let (eval_error, ceilings, rho) = if joined {
                spend_rate += self.safeguards[j] + self.preparedness[j];
                guarded += self.safeguards[j];
                let rho = if self.preparedness[j] > 0.0 {
                    defense_rate + per_dollar * self.preparedness[j]
                } else {
                    defense_rate
                };
                (self.eval_bias + self.eval_sd * draws.eval_z[j], self.own[j], rho)
            } else {
                (0.0, self.outside[j], defense_rate)
            };
            // Training-FLOP thresholds rise with the run's algorithmic progress (model v2);
            // effective ones are unchanged.
            let ceilings = ceilings.with_progress(params[P::algorithmic_progress as usize]);
            *place = LeverPlace { joined, eval_error, ceilings, defense_rate: rho };
        }
        let a_open = params[P::strip_prob as usize];
        let strip = if guarded > 0.0 {
            a_open * super::libm::exp_f64(-std::f64::consts::LN_2 * guarded / params[P::safeguard_halving as usize])
        } else {
            a_open
        };
        LeverRun { strip, spend_rate }
    }
}

impl TriggerPlan {
    /// Whether the signpost shows in a run at time `tau`, from the state after the last step.
    #[inline]
    pub fn observed(&self, tau: f64, catastrophes: u32, damage: f64, open_pool: f64) -> bool {
        match self.when {
            Signpost::Catastrophe => catastrophes > 0,
            Signpost::HarmAbove(x) => damage > x,
            Signpost::OpenPoolAbove(x) => open_pool >= x,
            Signpost::Year(y) => tau >= y,
        }
    }
}

/// A policy whose regime is the same open (or closed) one everywhere, for good: the step
/// then knows every release and burden without the jurisdictions' frontiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Uniform {
    Open,
    Closed,
    Mixed,
}

impl Uniform {
    fn of(ceilings: &[Ceilings]) -> Uniform {
        // Infinite ceilings stay infinite at any time (Ceilings::at) when the drift is finite;
        // a stage delay holds models back even under open, so it is never uniform.
        let fixed = |c: &Ceilings| c.drift.is_finite() && c.stage_delay == 0.0;
        if ceilings.iter().all(|c| fixed(c) && c.open_below == f64::INFINITY) {
            Uniform::Open
        } else if ceilings
            .iter()
            .all(|c| fixed(c) && c.open_below == f64::NEG_INFINITY && c.gated_below == f64::NEG_INFINITY)
        {
            Uniform::Closed
        } else {
            Uniform::Mixed
        }
    }
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
    /// Discounted spending on the policy's levers, $B (0 without spending).
    pub spending: f64,
    /// The continuation value's parts (model v2, `continuation_years`), discounted $B,
    /// already included in `benefit` and `harm` (0 without a continuation).
    pub continuation_benefit: f64,
    pub continuation_harm: f64,
}

impl Outcome {
    /// Net welfare: benefit less harm less the levers' spending.
    pub fn net(&self) -> f64 {
        self.benefit - self.harm - self.spending
    }

    /// The real-valued fields in one fixed order: the exact binary form's (`Results::write_to`)
    /// and what a bit-for-bit comparison compares.
    pub fn reals(&self) -> [f64; 8] {
        [
            self.benefit,
            self.harm,
            self.max_event,
            self.open_pool_end,
            self.hazard_year,
            self.spending,
            self.continuation_benefit,
            self.continuation_harm,
        ]
    }

    /// The outcome whose [`Outcome::reals`] are `x`, with its counts.
    pub fn from_reals(x: [f64; 8], events: u32, catastrophes: u32) -> Outcome {
        let [benefit, harm, max_event, open_pool_end, hazard_year, spending, continuation_benefit, continuation_harm] =
            x;
        Outcome {
            benefit,
            harm,
            max_event,
            open_pool_end,
            hazard_year,
            events,
            catastrophes,
            spending,
            continuation_benefit,
            continuation_harm,
        }
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

impl Engine {
    /// Prepares a checked scenario for simulation.
    pub fn new(scenario: &Scenario) -> Engine {
        Engine::with_policies(scenario, scenario.policies(), scenario.run().reference)
    }

    /// Prepares a scenario's world and jurisdictions under `policies` instead of its own,
    /// paired against `policies[reference]`: the policy variants an analysis compares (a
    /// sweep's grid points, the two policies a sensitivity analysis needs). The policies must
    /// fit the scenario's jurisdictions, as a checked scenario's do.
    pub fn with_policies(scenario: &Scenario, policies: &[Policy], reference: usize) -> Engine {
        let j = scenario.jurisdictions();
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
        let mut ceilings = Vec::with_capacity(policies.len() * j.len());
        for p in policies {
            for jj in 0..j.len() {
                ceilings.push(p.regime_for(jj).ceilings());
            }
        }
        let baseline = &policies[reference];
        let levers: Vec<Option<LeverPlan>> = policies
            .iter()
            .map(|p| {
                let l = &p.levers;
                l.any().then(|| {
                    let nj = j.len();
                    let spend = |f: fn(&crate::model::regime::Spending) -> f64| {
                        if l.spending.is_empty() { vec![0.0; nj] } else { l.spending.iter().map(f).collect() }
                    };
                    LeverPlan {
                        eval_sd: l.evaluation.map_or(0.0, |e| e.sd),
                        eval_bias: l.evaluation.map_or(0.0, |e| e.bias),
                        join_prob: if l.coordination.is_empty() { vec![1.0; nj] } else { l.coordination.clone() },
                        own: (0..nj).map(|jj| p.regime_for(jj).ceilings()).collect(),
                        outside: (0..nj).map(|jj| baseline.regime_for(jj).ceilings()).collect(),
                        safeguards: spend(|s| s.safeguards),
                        preparedness: spend(|s| s.preparedness),
                        triggers: l
                            .triggers
                            .iter()
                            .map(|t| TriggerPlan {
                                when: t.when,
                                delay: t.delay,
                                ceilings: t.regime.ceilings(),
                                applies: (0..nj).map(|jj| t.applies_to(jj)).collect(),
                            })
                            .collect(),
                    }
                })
            })
            .collect();
        // A policy with levers may change its ceilings within a run: never uniform.
        let uniform = ceilings
            .chunks_exact(j.len())
            .zip(&levers)
            .map(|(c, l)| if l.is_some() { Uniform::Mixed } else { Uniform::of(c) })
            .collect();
        // Model v2's per-policy features: every regime a policy can be in during a run.
        let lever_regimes = |l: &Option<LeverPlan>| -> Vec<Ceilings> {
            l.as_ref().map_or(Vec::new(), |l| {
                l.own.iter().chain(&l.outside).copied().chain(l.triggers.iter().map(|t| t.ceilings)).collect()
            })
        };
        let features = |f: fn(&Ceilings) -> bool| -> Vec<bool> {
            ceilings
                .chunks_exact(j.len())
                .zip(&levers)
                .map(|(c, l)| c.iter().any(f) || lever_regimes(l).iter().any(f))
                .collect()
        };
        let staged = features(|c| c.stage_delay != 0.0);
        let training_flop = features(|c| c.training_flop);
        let (steps, dt) = (scenario.run().steps(), scenario.run().dt());
        // tau as the step computes it, so each pair is the one Ceilings::at gives there.
        let ceilings_at = (0..steps).flat_map(|t| ceilings.iter().map(move |c| c.at(t as f64 * dt))).collect();
        Engine {
            n_policies: policies.len(),
            n_jurisdictions: j.len(),
            steps,
            dt,
            seed: scenario.run().seed,
            draws: ParamDraws::new(scenario.run().seed, &scenario.param_dists()),
            n_params: scenario.param_count(),
            uncertain: scenario.uncertain_params(),
            ceilings,
            ceilings_at,
            uniform,
            share0: col(|x| x.share0),
            host: col(|x| x.host),
            weight: col(|x| x.weight),
            exposure_cdf,
            exposure: col(|x| x.exposure),
            levers,
            years: f64::from(scenario.run().years),
            staged,
            training_flop,
        }
    }

    /// The model v2 mechanisms that runs with world parameters `params` need (one slice per
    /// run): what makes [`Engine::run_lanes`] leave v1's code (docs/MODEL.md).
    pub fn mechanisms<'a>(&self, params: impl IntoIterator<Item = &'a [f64]>) -> Mechanisms {
        let runs = params.into_iter().fold(Mechanisms::default(), |m, p| m.or(Mechanisms::of_run(p)));
        Mechanisms {
            // Algorithmic progress changes the step only through training-FLOP ceilings (its
            // part of the frontier's growth is a per-run constant, `g + 0` being `g`).
            training_flop: runs.training_flop && self.training_flop.iter().any(|&t| t),
            staged: self.staged.iter().any(|&s| s),
            ..runs
        }
    }

    /// Whether some policy has levers (and runs need [`Engine::draw_levers`]).
    pub fn has_levers(&self) -> bool {
        self.levers.iter().any(Option::is_some)
    }

    pub fn lever_draws(&self) -> LeverDraws {
        LeverDraws { join_u: vec![0.0; self.n_jurisdictions], eval_z: vec![0.0; self.n_jurisdictions] }
    }

    /// Draws run `run`'s lever uniforms and normals, from a stream of their own.
    pub fn draw_levers(&self, run: u64, draws: &mut LeverDraws) {
        use rand::RngExt;
        let mut rng = stream(self.seed, Stream::Levers, run, 0);
        for (u, z) in draws.join_u.iter_mut().zip(&mut draws.eval_z) {
            *u = rng.random::<f64>();
            *z = crate::model::sample::standard_normal(&mut rng);
        }
    }

    /// Number of series metrics per step.
    pub fn series_metrics(&self) -> usize {
        SERIES_FIXED.len() + self.n_jurisdictions
    }

    /// Draws run `run`'s parameters into `params` (every uncertain parameter once, in
    /// parameter order, from the run's own stream): the world's, then the jurisdictions'.
    /// `params` holds [`Engine::n_params`] values.
    pub fn draw_params(&self, run: u64, params: &mut [f64]) {
        self.draws.draw(run, params);
    }

    /// Runs `runs`' world parameters, lane `l`'s into `params[l]`: the values
    /// [`Engine::draw_params`] gives each run, bit for bit.
    pub fn draw_params_lanes(&self, runs: &[u64; LANES], params: &mut [Vec<f64>; LANES]) {
        self.draws.draw_lanes(runs, params);
    }
}

/// MODEL.md step 8's `min(S_cap, uplift * X * (1 - r))`, where a fully prepared place
/// (r = 1) takes no damage even if the uplift overflowed to infinity (inf * 0 is NaN, and
/// `f64::min` would turn NaN into the cap).
#[inline]
pub fn severity(uplift_x: f64, r: f64, cap: f64) -> f64 {
    let unprevented = 1.0 - r;
    if unprevented <= 0.0 { 0.0 } else { (uplift_x * unprevented).min(cap) }
}
