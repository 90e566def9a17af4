//! The JSON files' keys: pinned here and held to docs/OUTPUTS.md where it lists them.

use super::*;
use crate::analysis::discovery::OutcomeEvent;
use crate::analysis::summary::{Moments, PolicySummary};
use crate::analysis::sweep::SweepPoint;
use crate::export::docs::{OUTPUTS, table_columns};
use crate::export::rows::SweepRow;
use crate::export::table::header;
use crate::study::Provenance;

/// The keys of a JSON object, in the order written.
fn keys(value: &impl Serialize) -> Vec<String> {
    struct Keys(Vec<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Keys, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Keys, M::Error> {
                    let mut keys = Vec::new();
                    while let Some((k, serde::de::IgnoredAny)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                        keys.push(k);
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(Visit)
        }
    }
    serde_json::from_str::<Keys>(&serde_json::to_string(value).unwrap()).unwrap().0
}

fn provenance() -> Provenance {
    Provenance {
        tool: "tierlab".into(),
        version: "0".into(),
        model_version: "1".into(),
        scenario_name: "s".into(),
        scenario_file: "f".into(),
        scenario_sha256: "00".into(),
        seed: 1,
        runs: 2,
        threads: 3,
        wall_time_s: 0.5,
        series_runs: 2,
    }
}

#[test]
fn provenance_has_the_documented_fields() {
    let documented = table_columns(OUTPUTS, "`meta` (the same block");
    assert_eq!(keys(&ProvenanceJson::from(&provenance())), documented);
    assert_eq!(
        documented.join(","),
        "tool,version,model_version,scenario_name,scenario_file,scenario_sha256,seed,runs,threads,wall_time_s,\
         series_runs"
    );
}

#[test]
fn a_policy_has_the_documented_fields() {
    let p = PolicySummary {
        name: "A".into(),
        benefit: Moments::default(),
        harm: Moments::default(),
        net: Moments::default(),
        spending_mean: None,
        continuation: None,
        cvar95_harm: 0.0,
        p_catastrophe: 0.0,
        p_catastrophe_lo: 0.0,
        p_catastrophe_hi: 0.0,
        p_better_than_reference: 0.0,
        net_diff_mean: 0.0,
        net_diff_se: 0.0,
        events_mean: 0.0,
        catastrophes_mean: 0.0,
        max_event_p95: 0.0,
        open_pool_end_mean: 0.0,
        p_hazard_crossed: 0.0,
        hazard_year_median: None,
        jurisdictions: Vec::new(),
    };
    let documented = table_columns(OUTPUTS, "Each policy (all money in $B):");
    assert_eq!(keys(&PolicyJson::from(&p)), documented);
    let spending = PolicyJson::from(&PolicySummary { spending_mean: Some(1.0), ..p.clone() });
    assert!(keys(&spending).contains(&"spending_mean".to_string()));
    let c = crate::analysis::summary::ContinuationSummary {
        benefit_mean: 1.0,
        benefit_se: 0.1,
        harm_mean: 2.0,
        harm_se: 0.2,
    };
    let continued = PolicyJson::from(&PolicySummary { continuation: Some(c), ..p });
    assert!(keys(&continued).contains(&"continuation".to_string()));
    let documented = table_columns(OUTPUTS, "A policy's `continuation` (model v2):");
    assert_eq!(keys(&ContinuationJson::from(&c)), documented);
    assert_eq!(keys(&MomentsJson::default()), ["mean", "se", "p5", "p50", "p95"]);
}

#[test]
fn a_sweep_point_has_the_columns_of_a_sweep_csv_row() {
    assert_eq!(keys(&SweepPointJson::from(&SweepPoint::default())), header::<SweepRow>().unwrap());
}

#[test]
fn events_are_tagged_by_kind() {
    let json = |e: OutcomeEvent| serde_json::to_string(&EventJson::from(e)).unwrap();
    assert_eq!(json(OutcomeEvent::NetBelowPolicy { against: 2 }), r#"{"kind":"net_below_policy","against":2}"#);
    assert_eq!(json(OutcomeEvent::NetBelow { level: -5.5 }), r#"{"kind":"net_below","level":-5.5}"#);
    assert_eq!(json(OutcomeEvent::Catastrophe), r#"{"kind":"catastrophe"}"#);
    assert_eq!(json(OutcomeEvent::HarmAbove { level: 1e3 }), r#"{"kind":"harm_above","level":1000.0}"#);
}

#[test]
fn pretty_ends_in_a_newline_and_writes_nan_as_null() {
    let text = String::from_utf8(pretty(&MomentsJson { mean: f64::NAN, ..MomentsJson::default() }).unwrap()).unwrap();
    assert!(text.starts_with("{\n  \"mean\": null,\n  \"se\": 0.0,"), "{text}");
    assert!(text.ends_with("}\n"));
}
