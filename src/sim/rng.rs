//! Random streams. Every run has its own streams derived from (seed, run), so a run's
//! numbers depend on neither the thread count, the batch it falls in, the total run count,
//! nor which policies are simulated beside it.

use super::simd::{ALL_LANES, F, LANES, U};
use crate::model::sample::ZIG_NORM_X;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use wide::bytemuck::cast;

/// The generator used throughout: fast, small state, good statistical quality.
pub type SimRng = Xoshiro256PlusPlus;

/// Purposes of the per-run streams.
#[derive(Clone, Copy)]
#[repr(u64)]
pub enum Stream {
    /// World parameter draws.
    Params = 1,
    /// Leaks, event counts, migration shocks, frontier noise: a fixed number per step.
    Dynamics = 2,
    /// Misuse event landing, source and severity: one stream per (run, step), so event k of a
    /// step has the same uniforms for every policy that has at least k + 1 events.
    Events = 3,
    /// Scenario-wide draws (the score orders of Iman-Conover).
    Scenario = 4,
    /// The policy levers' per-run draws (who joins a coordinated policy, evaluation errors),
    /// a stream of its own so that scenarios without levers draw exactly as before.
    Levers = 5,
}

/// SplitMix64's constants: the finaliser's two multipliers and the seeding increment, shared
/// by the scalar and the SIMD (`LaneRng`) seeding so the two cannot drift apart.
const MIX_A: u64 = 0xbf58_476d_1ce4_e5b9;
const MIX_B: u64 = 0x94d0_49bb_1331_11eb;
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's finaliser: a bijective mix with full avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(MIX_A);
    z = (z ^ (z >> 27)).wrapping_mul(MIX_B);
    z ^ (z >> 31)
}

/// A 64-bit key for (seed, stream, run, step).
#[inline]
pub fn stream_key(seed: u64, stream: Stream, run: u64, step: u64) -> u64 {
    step_key(run_key(seed, stream, run), step)
}

/// The part of [`stream_key`] that does not depend on the step: a run's per-step streams
/// (misuse events) hash it once per run instead of once per step.
#[inline]
pub fn run_key(seed: u64, stream: Stream, run: u64) -> u64 {
    let mut h = mix64(seed ^ 0x9e37_79b9_7f4a_7c15);
    h = mix64(h ^ (stream as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
    mix64(h ^ run.wrapping_mul(0x8cb9_2ba7_2f3d_8dd7))
}

const STEP_MULTIPLIER: u64 = 0xa076_1d64_78bd_642f;

/// [`stream_key`] from its [`run_key`].
#[inline]
pub fn step_key(run_key: u64, step: u64) -> u64 {
    mix64(run_key ^ step.wrapping_mul(STEP_MULTIPLIER))
}

#[inline]
pub fn stream(seed: u64, stream: Stream, run: u64, step: u64) -> SimRng {
    SimRng::seed_from_u64(stream_key(seed, stream, run, step))
}

/// [`SimRng`] (xoshiro256++) as a plain state, so that a SIMD lane's stream can be taken
/// out of a [`LaneRng`], used by code that draws a variable number of values, and put back.
#[derive(Clone, Copy, Debug)]
pub struct Xoshiro {
    s: [u64; 4],
}

impl Xoshiro {
    /// The state `SimRng::seed_from_u64(key)` starts from (SplitMix64, as rand seeds it).
    pub fn seed_from_u64(mut key: u64) -> Xoshiro {
        let s = std::array::from_fn(|_| {
            key = key.wrapping_add(GOLDEN_GAMMA);
            mix64(key)
        });
        Xoshiro { s }
    }
}

impl rand::TryRng for Xoshiro {
    type Error = std::convert::Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        Ok(result)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let x = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
        Ok(())
    }
}

/// [`LANES`] [`SimRng`] streams, one per SIMD lane, stepped together: lane `l` yields exactly
/// the numbers `SimRng::seed_from_u64(keys[l])` yields, one `u64` (or `f64`) per call.
#[derive(Clone, Debug)]
pub struct LaneRng {
    /// Word `k` of every lane's state.
    s: [U; 4],
}

#[inline(always)]
fn rotl(x: U, k: u64) -> U {
    (x << k) | (x >> (64 - k))
}

/// [`mix64`] in every lane.
#[inline(always)]
fn mix64_lanes(z: U) -> U {
    let z = (z ^ (z >> 30_u64)) * U::splat(MIX_A);
    let z = (z ^ (z >> 27_u64)) * U::splat(MIX_B);
    z ^ (z >> 31_u64)
}

impl LaneRng {
    pub fn seed_from_u64(keys: [u64; LANES]) -> LaneRng {
        LaneRng::seed_lanes(U::new(keys))
    }

    /// The streams `SimRng::seed_from_u64(step_key(run_keys[l], step))`: the per-(run, step)
    /// streams of every lane, seeded in SIMD (SplitMix64 as rand seeds it, lane by lane).
    #[inline]
    pub fn for_step(run_keys: U, step: u64) -> LaneRng {
        LaneRng::seed_lanes(mix64_lanes(run_keys ^ U::splat(step.wrapping_mul(STEP_MULTIPLIER))))
    }

    #[inline(always)]
    fn seed_lanes(mut key: U) -> LaneRng {
        LaneRng {
            s: std::array::from_fn(|_| {
                key += U::splat(GOLDEN_GAMMA);
                mix64_lanes(key)
            }),
        }
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> U {
        let [s0, s1, s2, s3] = self.s;
        let result = rotl(s0 + s3, 23) + s0;
        let t = s1 << 17_u64;
        let s2 = s2 ^ s0;
        let s3 = s3 ^ s1;
        let s1 = s1 ^ s2;
        let s0 = s0 ^ s3;
        let s2 = s2 ^ t;
        let s3 = rotl(s3, 45);
        self.s = [s0, s1, s2, s3];
        result
    }

    /// `rng.random::<f64>()` in every lane: the top 53 bits times 2^-53, exactly as rand
    /// converts them.
    #[inline(always)]
    pub fn next_f64(&mut self) -> F {
        const TWO_52: f64 = 4503599627370496.0;
        let x = self.next_u64();
        // (x >> 11) has 53 bits, one more than a mantissa trick converts exactly: convert
        // the top 52 and add the last bit back (all steps exact).
        let exp52 = U::splat(TWO_52.to_bits());
        let hi = cast::<U, F>((x >> 12_u64) | exp52) - F::splat(TWO_52);
        let lo = cast::<U, F>(((x >> 11_u64) & U::splat(1)) | exp52) - F::splat(TWO_52);
        (hi + hi + lo) * F::splat(1.0 / (TWO_52 * 2.0))
    }

    /// `rng.sample(Open01)` in every lane: the top 52 bits as a float in [1, 2), less
    /// 1 - 2^-53, exactly as rand converts them.
    #[inline(always)]
    pub fn next_open01(&mut self) -> F {
        let x = self.next_u64();
        cast::<U, F>((x >> 12_u64) | U::splat(1.0_f64.to_bits())) - F::splat(1.0 - f64::EPSILON / 2.0)
    }

    /// Puts back `before`'s state in the lanes where `mask` is set (all bits of a lane), so
    /// that those lanes' streams have drawn nothing since `before`.
    #[inline(always)]
    pub fn keep_where(&mut self, mask: F, before: &LaneRng) {
        let mask = cast::<F, U>(mask);
        for (s, b) in self.s.iter_mut().zip(&before.s) {
            *s = mask.bitselect(*b, *s);
        }
    }

    /// `model::sample::standard_normal` (rand_distr's ziggurat) in every lane: the common
    /// case (one `u64` accepted at once, about 99% of draws) in SIMD; a lane that needs more
    /// goes back to its state before the draw and runs the scalar sampler.
    #[inline]
    pub fn standard_normal(&mut self) -> F {
        let before = self.s;
        let bits = self.next_u64();
        let i = (bits & U::splat(0xff)).to_array().map(|i| i as usize);
        let x_i = F::new(i.map(|i| ZIG_NORM_X[i]));
        let x_next = F::new(i.map(|i| ZIG_NORM_X[i + 1]));
        // rand_distr's u in [-1, 1): 52 bits as a float in [2, 4), minus 3.
        let u = cast::<U, F>((bits >> 12_u64) | U::splat(2.0_f64.to_bits())) - F::splat(3.0);
        let x = u * x_i;
        let slow = !x.abs().simd_lt(x_next).to_bitmask() & ALL_LANES;
        if slow == 0 {
            return x;
        }
        let mut out = x.to_array();
        for (l, out) in out.iter_mut().enumerate() {
            if slow & (1 << l) != 0 {
                let mut lane = Xoshiro { s: std::array::from_fn(|k| before[k].as_array()[l]) };
                *out = crate::model::sample::standard_normal(&mut lane);
                self.set_lane(l, &lane);
            }
        }
        F::new(out)
    }

    /// Lane `l`'s stream as a scalar generator; [`LaneRng::set_lane`] puts it back.
    #[inline]
    pub fn lane(&self, l: usize) -> Xoshiro {
        Xoshiro { s: std::array::from_fn(|k| self.s[k].as_array()[l]) }
    }

    #[inline]
    pub fn set_lane(&mut self, l: usize, x: &Xoshiro) {
        for (k, w) in self.s.iter_mut().enumerate() {
            w.as_mut_array()[l] = x.s[k];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;
    use rand_distr::StandardNormal;

    #[test]
    fn normals_match_rand_distr() {
        let keys: [u64; LANES] = std::array::from_fn(|l| 3 + l as u64);
        let mut lanes = LaneRng::seed_from_u64(keys);
        let mut alone = keys.map(SimRng::seed_from_u64);
        for i in 0..400_000 {
            let got = if i % 3 == 0 { lanes.next_f64() } else { lanes.standard_normal() }.to_array();
            for (g, r) in got.iter().zip(alone.iter_mut()) {
                let want: f64 = if i % 3 == 0 { r.random() } else { r.sample(StandardNormal) };
                assert_eq!(g.to_bits(), want.to_bits(), "draw {i}");
            }
        }
    }

    #[test]
    fn step_streams_seeded_in_simd_are_each_runs_own() {
        for step in [0u64, 1, 39, 1 << 40] {
            let keys: [u64; LANES] = std::array::from_fn(|l| run_key(7, Stream::Events, l as u64 * 1_000_003));
            let mut lanes = LaneRng::for_step(U::new(keys), step);
            let mut alone = keys.map(|k| SimRng::seed_from_u64(step_key(k, step)));
            for _ in 0..64 {
                let got = lanes.next_f64().to_array();
                for (a, g) in alone.iter_mut().zip(got) {
                    assert_eq!(a.random::<f64>().to_bits(), g.to_bits());
                }
            }
        }
    }

    #[test]
    fn lanes_draw_what_each_run_draws_alone() {
        let keys: [u64; LANES] = std::array::from_fn(|l| [1, 2, 0xdead_beef, u64::MAX][l % 4] ^ (l as u64 / 4));
        let mut lanes = LaneRng::seed_from_u64(keys);
        let mut alone = keys.map(SimRng::seed_from_u64);
        for i in 0..100_000 {
            if i % 7 == 6 {
                // A variable number of draws from one lane's stream, as the normal sampler does.
                let l = i % LANES;
                let mut x = lanes.lane(l);
                let a: f64 = x.sample(StandardNormal);
                let b: f64 = alone[l].sample(StandardNormal);
                assert_eq!(a.to_bits(), b.to_bits());
                lanes.set_lane(l, &x);
            } else if i % 2 == 0 {
                let got = lanes.next_f64().to_array();
                for (g, r) in got.iter().zip(alone.iter_mut()) {
                    assert_eq!(g.to_bits(), r.random::<f64>().to_bits());
                }
            } else {
                let got = lanes.next_u64().to_array();
                for (g, r) in got.iter().zip(alone.iter_mut()) {
                    assert_eq!(*g, rand::Rng::next_u64(r));
                }
            }
        }
    }
}
