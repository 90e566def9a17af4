//! The provenance block: `meta` in summary.json, `provenance` in every other file and sidecar.

use serde::Serialize;

use crate::study::Provenance;

/// Where a result came from (docs/OUTPUTS.md, `meta`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProvenanceJson {
    pub tool: String,
    pub version: String,
    pub model_version: String,
    pub scenario_name: String,
    pub scenario_file: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub runs: u64,
    pub threads: usize,
    pub wall_time_s: f64,
    pub series_runs: usize,
}

impl From<&Provenance> for ProvenanceJson {
    fn from(p: &Provenance) -> ProvenanceJson {
        ProvenanceJson {
            tool: p.tool.clone(),
            version: p.version.clone(),
            model_version: p.model_version.clone(),
            scenario_name: p.scenario_name.clone(),
            scenario_file: p.scenario_file.clone(),
            scenario_sha256: p.scenario_sha256.clone(),
            seed: p.seed,
            runs: p.runs,
            threads: p.threads,
            wall_time_s: p.wall_time_s,
            series_runs: p.series_runs,
        }
    }
}
