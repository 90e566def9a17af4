//! The scenario file as written: serde types that accept any well-formed TOML of the right
//! shape. Values stay as spanned TOML values so that `scenario::check` can report every
//! problem at once, each with its line. Nothing downstream uses these types.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::{Spanned, Value};

pub type Field = Option<Spanned<Value>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: Field,
    pub description: Field,
    pub run: Option<Spanned<RawRun>>,
    pub world: Option<Spanned<BTreeMap<String, Spanned<Value>>>>,
    #[serde(default)]
    pub jurisdiction: Vec<Spanned<RawJurisdiction>>,
    #[serde(default)]
    pub policy: Vec<Spanned<RawPolicy>>,
    #[serde(default)]
    pub correlation: Vec<Spanned<RawCorrelation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    pub runs: Field,
    pub seed: Field,
    pub years: Field,
    pub steps_per_year: Field,
    pub baseline: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJurisdiction {
    pub name: Field,
    pub share0: Field,
    pub host: Field,
    pub base_burden: Field,
    pub weight: Field,
    pub exposure: Field,
    pub api_access: Field,
    pub adoption0: Field,
    pub preparedness0: Field,
    pub defense_rate: Field,
    pub leak_multiplier: Field,
}

impl RawJurisdiction {
    /// The numeric attributes in the order of `params::JURISDICTION_KEYS`.
    pub fn numeric(&self) -> [&Field; 10] {
        [
            &self.share0,
            &self.host,
            &self.base_burden,
            &self.weight,
            &self.exposure,
            &self.api_access,
            &self.adoption0,
            &self.preparedness0,
            &self.defense_rate,
            &self.leak_multiplier,
        ]
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub name: Field,
    pub default: Field,
    pub overrides: Option<Spanned<BTreeMap<String, Spanned<Value>>>>,
    /// Policy levers (docs/MODEL.md, "Policy levers"), checked in `scenario::Checker::levers`.
    pub evaluation: Field,
    pub spending: Field,
    pub trigger: Field,
    pub coordination: Field,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCorrelation {
    pub a: Field,
    pub b: Field,
    pub rho: Field,
}
