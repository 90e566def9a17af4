//! The simulation: world state, one step, one run for every policy on common random
//! numbers, and the Monte Carlo driver. Depends on `model` only.

pub mod driver;
pub mod engine;
mod lane_params;
pub mod lanes;
mod libm;
pub mod poisson;
#[cfg(test)]
mod reference;
pub mod rng;
pub mod shard;
pub mod simd;
pub mod vmath;

pub use driver::{
    Control, CorrelatedDraws, IC_BLOCK_RUNS, Record, Results, SimError, SimOptions, simulate, simulate_range,
};
pub use engine::{Engine, JurisdictionOutcome, Outcome, SERIES_FIXED};
pub use shard::{RunSource, Shard};
