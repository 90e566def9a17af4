//! The simulation: world state, one step, one run for every policy on common random
//! numbers, and the Monte Carlo driver. Depends on `model` only.

pub mod continuation;
pub mod driver;
pub mod engine;
mod lane_params;
pub mod lanes;
pub(crate) use crate::math::libm;
pub mod pipeline;
pub mod poisson;
#[cfg(test)]
mod reference;
pub mod results;
pub mod rng;
pub mod shard;
pub use crate::math::simd;
pub mod sinks;
pub mod store;
pub mod vmath;

pub use driver::{Control, IC_BLOCK_RUNS, ParamTable, Record, SimError, SimOptions, simulate_range};
pub use engine::{Engine, JurisdictionOutcome, Mechanisms, Outcome, SERIES_FIXED};
pub use pipeline::{simulate, simulate_engine};
pub use results::{BATCH_RUNS, Results};
pub use shard::Shard;
