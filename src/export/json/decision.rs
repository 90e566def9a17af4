//! decision.json: scenario discovery, regret and the value of information on one set of
//! paired worlds.

use serde::Serialize;

use crate::analysis::decision::Decision;
use crate::analysis::discovery::{Discovery, OutcomeEvent, PrimBox, PrimOptions, Restriction};
use crate::analysis::voi::{ParamValue, ValueOfInformation, VoiOptions};
use crate::study::Provenance;

use super::provenance::ProvenanceJson;
use super::robustness::RobustnessJson;

/// The outcome event, tagged by `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventJson {
    /// `against`: the index of the policy compared with.
    NetBelowPolicy {
        against: usize,
    },
    NetBelow {
        level: f64,
    },
    Catastrophe,
    HarmAbove {
        level: f64,
    },
}

impl From<OutcomeEvent> for EventJson {
    fn from(e: OutcomeEvent) -> EventJson {
        match e {
            OutcomeEvent::NetBelowPolicy { against } => EventJson::NetBelowPolicy { against },
            OutcomeEvent::NetBelow { level } => EventJson::NetBelow { level },
            OutcomeEvent::Catastrophe => EventJson::Catastrophe,
            OutcomeEvent::HarmAbove { level } => EventJson::HarmAbove { level },
        }
    }
}

/// PRIM's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PrimOptionsJson {
    pub alpha: f64,
    pub min_mass: f64,
}

impl From<&PrimOptions> for PrimOptionsJson {
    fn from(o: &PrimOptions) -> PrimOptionsJson {
        PrimOptionsJson { alpha: o.alpha, min_mass: o.min_mass }
    }
}

/// One restricted parameter of a box: `lower < x < upper` (`null`: unrestricted).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RestrictionJson {
    /// Index of the parameter among the worlds' uncertain parameters.
    pub input: usize,
    pub name: String,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub p_value: f64,
    pub sampled_min: f64,
    pub sampled_max: f64,
}

impl From<&Restriction> for RestrictionJson {
    fn from(r: &Restriction) -> RestrictionJson {
        RestrictionJson {
            input: r.input,
            name: r.name.clone(),
            lower: r.lower,
            upper: r.upper,
            p_value: r.p_value,
            sampled_min: r.sampled_min,
            sampled_max: r.sampled_max,
        }
    }
}

/// A box of the peeling trajectory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrimBoxJson {
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    pub worlds: usize,
    pub events: usize,
    pub restrictions: Vec<RestrictionJson>,
}

impl From<&PrimBox> for PrimBoxJson {
    fn from(b: &PrimBox) -> PrimBoxJson {
        PrimBoxJson {
            coverage: b.coverage,
            density: b.density,
            mass: b.mass,
            worlds: b.worlds,
            events: b.events,
            restrictions: b.restrictions.iter().map(RestrictionJson::from).collect(),
        }
    }
}

/// Scenario discovery (`discovery`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DiscoveryJson {
    pub policy: String,
    pub event: EventJson,
    pub event_text: String,
    pub runs: u64,
    pub seed: u64,
    pub prim: PrimOptionsJson,
    pub event_worlds: usize,
    pub event_share: f64,
    pub trajectory: Vec<PrimBoxJson>,
    pub chosen: usize,
    pub chosen_box: PrimBoxJson,
    pub statement: String,
}

impl From<&Discovery> for DiscoveryJson {
    fn from(d: &Discovery) -> DiscoveryJson {
        DiscoveryJson {
            policy: d.policy.clone(),
            event: EventJson::from(d.event),
            event_text: d.event_text.clone(),
            runs: d.runs,
            seed: d.seed,
            prim: PrimOptionsJson::from(&d.prim),
            event_worlds: d.event_worlds,
            event_share: d.event_share,
            trajectory: d.trajectory.iter().map(PrimBoxJson::from).collect(),
            chosen: d.chosen,
            chosen_box: PrimBoxJson::from(&d.chosen_box),
            statement: d.statement.clone(),
        }
    }
}

/// The settings of the EVPPI estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct VoiOptionsJson {
    pub bins: usize,
    pub permutations: usize,
    pub seed: u64,
}

impl From<&VoiOptions> for VoiOptionsJson {
    fn from(o: &VoiOptions) -> VoiOptionsJson {
        VoiOptionsJson { bins: o.bins, permutations: o.permutations, seed: o.seed }
    }
}

/// The value of resolving one parameter ($B of expected net welfare).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamValueJson {
    pub param: String,
    pub index: usize,
    pub evppi: f64,
    pub evppi_se: f64,
    pub evppi_raw: f64,
    pub share_of_evpi: f64,
}

impl From<&ParamValue> for ParamValueJson {
    fn from(p: &ParamValue) -> ParamValueJson {
        ParamValueJson {
            param: p.param.clone(),
            index: p.index,
            evppi: p.evppi,
            evppi_se: p.evppi_se,
            evppi_raw: p.evppi_raw,
            share_of_evpi: p.share_of_evpi,
        }
    }
}

/// The value of information (`value_of_information`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VoiJson {
    pub worlds: usize,
    pub options: VoiOptionsJson,
    pub best_expected: String,
    pub evpi: f64,
    pub evpi_se: f64,
    pub bias: f64,
    pub bias_sd: f64,
    pub params: Vec<ParamValueJson>,
    pub statement: String,
}

impl From<&ValueOfInformation> for VoiJson {
    fn from(v: &ValueOfInformation) -> VoiJson {
        VoiJson {
            worlds: v.worlds,
            options: VoiOptionsJson::from(&v.options),
            best_expected: v.best_expected.clone(),
            evpi: v.evpi,
            evpi_se: v.evpi_se,
            bias: v.bias,
            bias_sd: v.bias_sd,
            params: v.params.iter().map(ParamValueJson::from).collect(),
            statement: v.statement.clone(),
        }
    }
}

/// decision.json.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionFile<'a> {
    pub kind: &'static str,
    pub provenance: ProvenanceJson,
    pub discovery: DiscoveryJson,
    pub robustness: RobustnessJson,
    pub value_of_information: VoiJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_as_run: Option<&'a str>,
}

impl<'a> DecisionFile<'a> {
    pub fn new(p: &Provenance, d: &Decision, scenario_as_run: Option<&'a str>) -> DecisionFile<'a> {
        DecisionFile {
            kind: "decision",
            provenance: ProvenanceJson::from(p),
            discovery: DiscoveryJson::from(&d.discovery),
            robustness: RobustnessJson::from(&d.robustness),
            value_of_information: VoiJson::from(&d.value_of_information),
            scenario_as_run,
        }
    }
}
