//! Random streams. Every run has its own streams derived from (seed, run), so a run's
//! numbers depend on neither the thread count, the batch it falls in, the total run count,
//! nor which policies are simulated beside it.

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

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
}

/// SplitMix64's finaliser: a bijective mix with full avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
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

/// [`stream_key`] from its [`run_key`].
#[inline]
pub fn step_key(run_key: u64, step: u64) -> u64 {
    mix64(run_key ^ step.wrapping_mul(0xa076_1d64_78bd_642f))
}

#[inline]
pub fn stream(seed: u64, stream: Stream, run: u64, step: u64) -> SimRng {
    SimRng::seed_from_u64(stream_key(seed, stream, run, step))
}
