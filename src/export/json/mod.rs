//! One struct per JSON file Tierlab writes (summary.json, sweep.json, sensitivity.json,
//! decision.json) and per object inside them: the keys are spelled here and only here, each
//! struct built from the simulation's or an analysis's types field by field, so renaming a
//! field there cannot change a file. Figure sidecars reuse the objects (a sweep point, a
//! policy's moments, the provenance).
//!
//! Numbers are serde_json's: the shortest text that reads back exactly (ryu), `null` for NaN,
//! infinities and a missing value.

mod decision;
mod provenance;
mod robustness;
mod sensitivity;
mod summary;
mod sweep;

use serde::Serialize;

pub use decision::{
    DecisionFile, DiscoveryJson, EventJson, ParamValueJson, PrimBoxJson, PrimOptionsJson, RestrictionJson, VoiJson,
    VoiOptionsJson,
};
pub use provenance::ProvenanceJson;
pub use robustness::{OptionRegretJson, RobustnessJson};
pub use sensitivity::{HistogramJson, ParamSensitivityJson, SensitivityFile, TailJson, TailParamJson};
pub use summary::{ContinuationJson, JurisdictionJson, MomentsJson, PolicyJson, SummaryFile};
pub use sweep::{
    BestPointJson, BestRowJson, BestThresholdJson, BootstrapJson, Cell2dJson, ConstraintJson, Sweep2dFile, SweepFile,
    SweepPointJson,
};

/// Indented JSON ending in a newline, as every JSON file beside a CSV is written.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn pretty(value: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(value)?;
    out.push(b'\n');
    Ok(out)
}

#[cfg(test)]
mod tests;
