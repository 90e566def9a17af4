//! A scenario's world parameters drawn run by run ([`ParamDraws::draw`], the samplers of
//! `model::sample` (rand_distr's, copied) on the run's parameter stream), or for a register of runs, one run per lane,
//! each lane drawing exactly what [`ParamDraws::draw`] draws for its run. Most of a baseline's uncertain parameters are
//! PERT or beta, which rand_distr draws by Cheng's rejection algorithm BB, a `log` and an
//! `exp` or more per draw; drawn run by run they were about a seventh of the engine's time.
//! Here every lane runs BB at once, with the scalar draws' own `log` and `exp` in SIMD
//! (`libm.rs`, glibc's), and a lane whose draw is accepted stops drawing while the others go on.
//! Lognormal and triangular parameters are drawn in SIMD too (a normal and an `exp`; a
//! uniform and a square root). Every other distribution is drawn lane by lane by its scalar
//! sampler, on the lane's own stream, in parameter order.

use crate::model::Dist;
use crate::model::dist::Sampler;
use crate::model::params::{PARAMS, draw_cap};

use super::libm;
use super::rng::{LaneRng, Stream, stream, stream_key};
use super::simd::{F, LANES};

/// How a scenario's world parameters are drawn: per parameter its scalar sampler, how a
/// register of runs draws it, and the value its draws are clamped to.
#[derive(Clone, Debug)]
pub struct ParamDraws {
    seed: u64,
    samplers: Vec<Sampler>,
    /// Per world parameter, how a register of runs draws it.
    lane_samplers: Vec<LaneSampler>,
    /// Per world parameter, the value its draws are clamped to (+inf: none).
    caps: Vec<f64>,
    /// Where the jurisdictions' attributes start (`params::N_PARAMS`): their values, each
    /// fixed one's number (copied into every run's parameters at once), and the indices of
    /// the uncertain ones, drawn after the world's in parameter order. A fixed parameter draws
    /// nothing, so this is exactly a draw of every parameter in order.
    n_world: usize,
    tail_fixed: Vec<f64>,
    tail_drawn: Vec<usize>,
}

impl ParamDraws {
    /// The draws of `world` (the per-run parameters: `params::P`, then the jurisdictions'
    /// attributes, `params::jurisdiction_param`) from streams of `seed`.
    pub fn new(seed: u64, world: &[Dist]) -> ParamDraws {
        let samplers: Vec<Sampler> = world.iter().map(|d| d.sampler().unwrap_or(Sampler::Fixed(d.central()))).collect();
        let lane_samplers = world.iter().zip(&samplers).map(|(d, s)| LaneSampler::of(d, s)).collect();
        let n_world = world.len().min(crate::model::N_PARAMS);
        let tail_fixed = world[n_world..].iter().map(Dist::central).collect();
        let tail_drawn = (n_world..world.len()).filter(|&i| !world[i].is_fixed()).collect();
        ParamDraws {
            n_world,
            tail_fixed,
            tail_drawn,
            seed,
            samplers,
            lane_samplers,
            // Only world parameters have caps; jurisdictions' attributes come after them.
            caps: (0..world.len())
                .map(|i| PARAMS.get(i).and_then(|p| draw_cap(p.key)).unwrap_or(f64::INFINITY))
                .collect(),
        }
    }

    /// Draws run `run`'s world parameters into `params` (every uncertain parameter once,
    /// in parameter order, from the run's own stream).
    pub fn draw(&self, run: u64, params: &mut [f64]) {
        let mut rng = stream(self.seed, Stream::Params, run, 0);
        let (world, tail) = params.split_at_mut(self.n_world);
        for ((x, s), &cap) in world.iter_mut().zip(&self.samplers).zip(&self.caps) {
            // `min` with +inf returns the draw itself, bit for bit: uncapped draws are untouched.
            *x = s.sample(&mut rng).min(cap);
        }
        tail.copy_from_slice(&self.tail_fixed);
        for &i in &self.tail_drawn {
            params[i] = self.samplers[i].sample(&mut rng).min(self.caps[i]);
        }
    }
}

/// How the lanes draw one world parameter.
#[derive(Clone, Debug)]
pub(super) enum LaneSampler {
    /// The same value in every run; nothing drawn.
    Fixed(f64),
    /// A beta (or a PERT, scaled) that rand_distr draws by algorithm BB, in SIMD.
    ChengBB(ChengBB),
    /// `exp(mu + sigma * z)` from a standard normal, in SIMD.
    LogNormal { mu: f64, sigma: f64 },
    /// rand_distr's `Triangular` (one uniform, a square root), in SIMD.
    Triangular { min: f64, mode: f64, max: f64 },
    /// Any other: each lane runs the scalar sampler on its own stream.
    Scalar,
}

impl LaneSampler {
    /// The lane sampler for parameter distribution `dist`, whose scalar sampler is `sampler`.
    pub(super) fn of(dist: &Dist, sampler: &Sampler) -> LaneSampler {
        let bb = match (dist, sampler) {
            (_, &Sampler::Fixed(x)) => return LaneSampler::Fixed(x),
            (_, &Sampler::LogNormal { mu, sigma }) => return LaneSampler::LogNormal { mu, sigma },
            (&Dist::Triangular { min, mode, max }, Sampler::Triangular(_)) => {
                return LaneSampler::Triangular { min, mode, max };
            }
            (&Dist::Pert { min, mode, max }, Sampler::Pert(_)) => ChengBB::pert(min, mode, max),
            (&Dist::Beta { mean, sd }, Sampler::Beta(_)) => {
                Dist::beta_shape(mean, sd).and_then(|(a, b)| ChengBB::new(a, b, None))
            }
            _ => None,
        };
        bb.map_or(LaneSampler::Scalar, LaneSampler::ChengBB)
    }
}

/// rand_distr 0.6's `Beta` when it takes algorithm BB (the smaller shape above 1), with the
/// constants `Beta::new` computes, computed the same way; `scale` is a PERT's
/// `(range, min)`, as `Pert` maps the beta draw onto its interval.
#[derive(Clone, Copy, Debug)]
pub(super) struct ChengBB {
    a: f64,
    b: f64,
    switched: bool,
    alpha: f64,
    beta: f64,
    gamma: f64,
    scale: Option<(f64, f64)>,
}

impl ChengBB {
    /// `Beta::new(a0, b0)`'s algorithm-BB constants; `None` where it takes algorithm BC.
    fn new(a0: f64, b0: f64, scale: Option<(f64, f64)>) -> Option<ChengBB> {
        if !(a0 > 0.0 && b0 > 0.0) {
            return None;
        }
        let (a, b, switched) = if a0 < b0 { (a0, b0, false) } else { (b0, a0, true) };
        // (Neither shape is NaN here.)
        if a <= 1.0 {
            return None;
        }
        let alpha = a + b;
        let beta = ((alpha - 2.0) / (2.0 * a * b - alpha)).sqrt();
        let gamma = a + 1.0 / beta;
        Some(ChengBB { a, b, switched, alpha, beta, gamma, scale })
    }

    /// `Pert::new(min, max).with_mode(mode)` (shape 4): a beta on `[min, max]`.
    fn pert(min: f64, mode: f64, max: f64) -> Option<ChengBB> {
        if !(max > min && mode >= min && max >= mode) {
            return None;
        }
        let range = max - min;
        let shape = 4.0;
        let v = 1.0 + shape * (mode - min) / range;
        let w = 1.0 + shape * (max - mode) / range;
        ChengBB::new(v, w, Some((range, min)))
    }

    /// One draw in every lane: rand_distr's `Beta::sample` (algorithm BB) step for step,
    /// with each lane drawing its uniforms only until its own draw is accepted.
    #[inline]
    fn sample(&self, rng: &mut LaneRng) -> F {
        let (a, b) = (F::splat(self.a), F::splat(self.b));
        let (alpha, beta, gamma) = (F::splat(self.alpha), F::splat(self.beta), F::splat(self.gamma));
        // As `model::sample::Beta` (and rand_distr) computes them, so the same constants.
        let ln4 = F::splat(libm::ln_f64(4.0));
        let ln5 = F::splat(libm::ln_f64(5.0));
        let mut done = F::ZERO.simd_ne(F::ZERO);
        let mut w = F::ZERO;
        loop {
            let before = done.any().then(|| rng.clone());
            let u1 = rng.next_open01();
            let u2 = rng.next_open01();
            if let Some(before) = &before {
                rng.keep_where(done, before);
            }
            // 1.
            let v = beta * libm::ln(u1 / (F::ONE - u1));
            let w_try = a * libm::exp(v);
            let z = u1 * u1 * u2;
            let r = gamma * v - ln4;
            let s = a + r - w_try;
            // 2.
            let mut accept = (s + F::ONE + ln5).simd_ge(F::splat(5.0) * z);
            let open = !done & !accept;
            if open.any() {
                // 3.
                let t = libm::ln(z);
                let accept3 = s.simd_ge(t);
                accept |= accept3;
                // 4.
                if (open & !accept3).any() {
                    accept |= !(r + alpha * libm::ln(alpha / (b + w_try))).simd_lt(t);
                }
            }
            w = done.select(w, w_try);
            done |= accept;
            if done.all() {
                break;
            }
        }
        let x = if self.switched {
            b / (b + w)
        } else {
            // An infinite w would make w / (b + w) NaN; rand_distr returns 1 there.
            w.simd_eq(F::splat(f64::INFINITY)).select(F::ONE, w / (b + w))
        };
        match self.scale {
            Some((range, min)) => x * F::splat(range) + F::splat(min),
            None => x,
        }
    }
}

/// rand_distr's `Triangular::sample` for a uniform `f` in every lane (both branches, then
/// the one the scalar code takes).
#[inline]
fn triangular(f: F, min: f64, mode: f64, max: f64) -> F {
    let diff_mode_min = F::splat(mode - min);
    let range = F::splat(max - min);
    let f_range = f * range;
    let below = F::splat(min) + (f_range * diff_mode_min).sqrt();
    let above = F::splat(max) - ((range - f_range) * F::splat(max - mode)).sqrt();
    f_range.simd_lt(diff_mode_min).select(below, above)
}

impl ParamDraws {
    /// Runs `runs`' world parameters, lane `l`'s into `params[l]`: the values
    /// [`ParamDraws::draw`] gives each run, bit for bit.
    pub fn draw_lanes(&self, runs: &[u64; LANES], params: &mut [Vec<f64>; LANES]) {
        let mut rng = LaneRng::seed_from_u64(runs.map(|run| stream_key(self.seed, Stream::Params, run, 0)));
        for i in 0..self.n_world {
            self.draw_one_lanes(i, &mut rng, params);
        }
        for p in params.iter_mut() {
            p[self.n_world..].copy_from_slice(&self.tail_fixed);
        }
        for &i in &self.tail_drawn {
            self.draw_one_lanes(i, &mut rng, params);
        }
    }

    /// Parameter `i` of every lane's run, drawn in SIMD where its distribution allows.
    #[inline]
    fn draw_one_lanes(&self, i: usize, rng: &mut LaneRng, params: &mut [Vec<f64>; LANES]) {
        let (lane_sampler, sampler, cap) = (&self.lane_samplers[i], &self.samplers[i], self.caps[i]);
        {
            let x = match lane_sampler {
                &LaneSampler::Fixed(x) => F::splat(x),
                LaneSampler::ChengBB(bb) => bb.sample(rng),
                // `Sampler::sample`'s `exp_f64(mu + sigma * z)`, lane by lane the same.
                &LaneSampler::LogNormal { mu, sigma } => {
                    libm::exp(F::splat(mu) + F::splat(sigma) * rng.standard_normal())
                }
                &LaneSampler::Triangular { min, mode, max } => triangular(rng.next_f64(), min, mode, max),
                LaneSampler::Scalar => {
                    for (l, p) in params.iter_mut().enumerate() {
                        let mut lane = rng.lane(l);
                        p[i] = sampler.sample(&mut lane).min(cap);
                        rng.set_lane(l, &lane);
                    }
                    return;
                }
            };
            // `min` with +inf returns the draw itself, bit for bit, as in `draw_params`.
            for (p, x) in params.iter_mut().zip(x.to_array()) {
                p[i] = x.min(cap);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scenario;

    fn draws_of(s: &Scenario) -> ParamDraws {
        ParamDraws::new(s.run().seed, &s.param_dists())
    }

    fn assert_lanes_draw_as_runs(engine: &ParamDraws, groups: u64) {
        // The lanes draw in SIMD on every platform, with the same `log` and `exp` as the
        // scalar samplers, so this holds everywhere.
        let n = engine.samplers.len();
        let mut lanes: [Vec<f64>; LANES] = std::array::from_fn(|_| vec![0.0; n]);
        let mut one = vec![0.0; n];
        for g in 0..groups {
            let runs: [u64; LANES] = std::array::from_fn(|l| g * LANES as u64 + l as u64);
            engine.draw_lanes(&runs, &mut lanes);
            for (l, &run) in runs.iter().enumerate() {
                engine.draw(run, &mut one);
                for (i, (x, y)) in lanes[l].iter().zip(&one).enumerate() {
                    assert_eq!(x.to_bits(), y.to_bits(), "run {run}, parameter {i}: lanes {x} vs run {y}");
                }
            }
        }
    }

    /// Every scenario shipped draws the same parameters in lanes as run by run.
    #[test]
    fn lanes_draw_each_runs_parameters_bit_for_bit() {
        assert_lanes_draw_as_runs(&draws_of(&Scenario::built_in()), 3000);
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).expect("scenarios") {
            let path = entry.expect("entry").path();
            let (s, _) = Scenario::load(&path).expect("scenario");
            assert_lanes_draw_as_runs(&draws_of(&s), 300);
        }
    }

    /// Jurisdictions' attributes draw after the world parameters, on the same stream, in
    /// lanes as run by run; fixed ones draw nothing, so the world's draws are as before.
    #[test]
    fn lanes_draw_uncertain_jurisdiction_attributes_bit_for_bit() {
        use crate::model::params::{attr, jurisdiction_param};
        let base = Scenario::built_in();
        let s = base
            .edited(|d| {
                d.jurisdictions[0].set_dist(attr::API_ACCESS, Dist::Pert { min: 0.5, mode: 0.85, max: 1.0 });
                d.jurisdictions[2].set_dist(attr::DEFENSE_RATE, Dist::LogNormal { median: 0.1, p95: 0.3 });
                d.jurisdictions[4].set_dist(attr::LEAK_MULTIPLIER, Dist::Uniform { min: 1.0, max: 2.0 });
            })
            .unwrap();
        let draws = draws_of(&s);
        assert_lanes_draw_as_runs(&draws, 500);
        let (mut with, mut without) = (vec![0.0; s.param_count()], vec![0.0; base.param_count()]);
        for run in 0..200 {
            draws.draw(run, &mut with);
            draws_of(&base).draw(run, &mut without);
            assert_eq!(&with[..crate::model::N_PARAMS], &without[..crate::model::N_PARAMS], "run {run}");
            let phi = with[jurisdiction_param(0, attr::API_ACCESS)];
            assert!((0.5..=1.0).contains(&phi) && phi != 0.85, "run {run}: {phi}");
        }
    }

    /// PERT and beta shapes over the whole range BB covers (and BC's, which goes scalar):
    /// skewed either way, symmetric, nearly flat, very peaked, a mode at an end; lognormals
    /// narrow and wide; triangulars with the mode inside and at either end.
    #[test]
    fn lanes_draw_betas_and_perts_of_any_shape_bit_for_bit() {
        let mut world = Scenario::built_in().world().to_vec();
        let shapes = [
            Dist::Pert { min: 0.0, mode: 0.5, max: 1.0 },
            Dist::Pert { min: -3.0, mode: -2.9, max: 40.0 },
            Dist::Pert { min: 1.0, mode: 1.9999, max: 2.0 },
            Dist::Pert { min: 0.0, mode: 0.0, max: 1.0 },
            Dist::Pert { min: 0.0, mode: 1.0, max: 1.0 },
            Dist::Pert { min: 1e-9, mode: 2e-9, max: 3e-9 },
            Dist::Beta { mean: 0.95, sd: 0.03 },
            Dist::Beta { mean: 0.5, sd: 0.01 },
            Dist::Beta { mean: 0.02, sd: 0.001 },
            Dist::Beta { mean: 0.3, sd: 0.25 },
            Dist::Beta { mean: 0.6, sd: 0.2 },
            Dist::LogNormal { median: 0.03, p95: 0.2 },
            Dist::LogNormal { median: 1e5, p95: 3e7 },
            Dist::Triangular { min: 0.0, mode: 0.3, max: 0.6 },
            Dist::Triangular { min: -1.0, mode: -1.0, max: 2.0 },
            Dist::Triangular { min: 5.0, mode: 9.0, max: 9.0 },
        ];
        let n = world.len().min(shapes.len() * 2);
        for (i, d) in world.iter_mut().take(n).enumerate() {
            *d = shapes[i % shapes.len()].clone();
        }
        let engine = ParamDraws::new(Scenario::built_in().run().seed, &world);
        let count = |f: fn(&LaneSampler) -> bool| engine.lane_samplers.iter().filter(|l| f(l)).count();
        let bb = count(|l| matches!(l, LaneSampler::ChengBB(_)));
        let scalar = count(|l| matches!(l, LaneSampler::Scalar));
        let other = count(|l| matches!(l, LaneSampler::LogNormal { .. } | LaneSampler::Triangular { .. }));
        assert!(bb >= 8 && scalar >= 3 && other >= 5, "{bb} BB, {other} lognormal or triangular, {scalar} scalar");
        assert_lanes_draw_as_runs(&engine, 2000);
    }
}
