//! What a study starts from and what it stamps on every result: the scenario, the text it
//! was read from and where that text came from; the seed, the text's sha256 and the versions.

use std::sync::Arc;

use serde::Serialize;

use crate::model::Scenario;
use crate::model::scenario::sha256_hex;

/// The scenario text a result was computed from and where that text came from: what the
/// provenance hashes, and what a report writes beside itself so that the hash can be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioSource {
    /// A file path, a built-in name, or "(edited in the app)".
    pub origin: String,
    pub text: String,
}

impl ScenarioSource {
    pub fn new(origin: impl Into<String>, text: impl Into<String>) -> ScenarioSource {
        ScenarioSource { origin: origin.into(), text: text.into() }
    }

    /// `scenario` written out as a file: the source of a scenario that has no file text.
    pub fn written_out(scenario: &Scenario, origin: impl Into<String>) -> ScenarioSource {
        ScenarioSource::new(origin, scenario.to_toml())
    }

    /// A scenario edited in the app, written out (no file holds it).
    pub fn edited(scenario: &Scenario) -> ScenarioSource {
        ScenarioSource::written_out(scenario, "(edited in the app)")
    }

    pub fn sha256(&self) -> String {
        sha256_hex(&self.text)
    }
}

/// A checked scenario with the text behind it: what every command, the report and the app
/// hand to a study.
#[derive(Clone, Debug)]
pub struct Input {
    pub scenario: Arc<Scenario>,
    pub source: Arc<ScenarioSource>,
}

impl Input {
    pub fn new(scenario: Scenario, source: ScenarioSource) -> Input {
        Input { scenario: Arc::new(scenario), source: Arc::new(source) }
    }

    /// The built-in scenario, with the text it is read from.
    pub fn built_in() -> Input {
        Input::new(Scenario::built_in(), ScenarioSource::new(BUILT_IN_ORIGIN, crate::model::scenario::BUILT_IN_TOML))
    }

    /// The same input with another run count or seed (the text, and so the hash, stays:
    /// the provenance records the runs and the seed beside it).
    ///
    /// # Errors
    /// A run count or seed out of range.
    pub fn with_overrides(self, runs: Option<u64>, seed: Option<u64>) -> Result<Input, crate::model::ScenarioError> {
        let mut s = (*self.scenario).clone();
        if let Some(r) = runs {
            s = s.with_runs(r)?;
        }
        if let Some(x) = seed {
            s = s.with_seed(x)?;
        }
        Ok(Input { scenario: Arc::new(s), source: self.source })
    }

    pub fn provenance(&self) -> Provenance {
        Provenance::new(&self.scenario, &self.source.origin, &self.source.text)
    }
}

/// Where the built-in scenario comes from, as stamped on its results.
pub const BUILT_IN_ORIGIN: &str = "baseline.toml (built in)";

/// Where a result came from: stamped on summary.json, every figure and its sidecar.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Provenance {
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
    /// Runs the per-step series were computed from: every run.
    pub series_runs: usize,
}

impl Provenance {
    pub fn new(scenario: &Scenario, file: &str, text: &str) -> Provenance {
        Provenance {
            tool: "tierlab".into(),
            version: crate::VERSION.into(),
            model_version: scenario.model_version().into(),
            scenario_name: scenario.name().to_string(),
            scenario_file: file.into(),
            scenario_sha256: sha256_hex(text),
            seed: scenario.run().seed,
            runs: scenario.run().runs,
            threads: rayon::current_num_threads(),
            wall_time_s: 0.0,
            series_runs: 0,
        }
    }

    /// First 12 hex digits of the scenario hash.
    pub fn short_hash(&self) -> &str {
        &self.scenario_sha256[..12.min(self.scenario_sha256.len())]
    }

    /// One-line caption for figures.
    pub fn caption(&self) -> String {
        format!(
            "{} · {} runs · seed {} · scenario {} · Tierlab {}",
            self.scenario_name,
            self.runs,
            self.seed,
            self.short_hash(),
            self.version
        )
    }
}
