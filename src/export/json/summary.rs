//! summary.json: the provenance and, per policy, its summary.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analysis::summary::{ContinuationSummary, JurisdictionSummary, Moments, PolicySummary, Summary};
use crate::study::Provenance;

use super::provenance::ProvenanceJson;

/// Mean with its Monte Carlo standard error, and three percentiles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MomentsJson {
    pub mean: f64,
    pub se: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

impl From<&Moments> for MomentsJson {
    fn from(m: &Moments) -> MomentsJson {
        MomentsJson { mean: m.mean, se: m.se, p5: m.p5, p50: m.p50, p95: m.p95 }
    }
}

/// One jurisdiction's means under one policy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct JurisdictionJson {
    pub benefit_mean: f64,
    pub benefit_se: f64,
    pub harm_mean: f64,
    pub harm_se: f64,
    pub share_end_mean: f64,
}

impl From<&JurisdictionSummary> for JurisdictionJson {
    fn from(j: &JurisdictionSummary) -> JurisdictionJson {
        JurisdictionJson {
            benefit_mean: j.benefit_mean,
            benefit_se: j.benefit_se,
            harm_mean: j.harm_mean,
            harm_se: j.harm_se,
            share_end_mean: j.share_end_mean,
        }
    }
}

/// A policy's `continuation`: the continuation value's part of benefit and harm.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContinuationJson {
    pub benefit_mean: f64,
    pub benefit_se: f64,
    pub harm_mean: f64,
    pub harm_se: f64,
}

impl From<&ContinuationSummary> for ContinuationJson {
    fn from(c: &ContinuationSummary) -> ContinuationJson {
        ContinuationJson {
            benefit_mean: c.benefit_mean,
            benefit_se: c.benefit_se,
            harm_mean: c.harm_mean,
            harm_se: c.harm_se,
        }
    }
}

/// One policy's entry under `policies`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyJson {
    pub name: String,
    pub benefit: MomentsJson,
    pub harm: MomentsJson,
    pub net: MomentsJson,
    /// Absent for a policy that spends nothing, so files without spending stay as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spending_mean: Option<f64>,
    /// Absent without a continuation value (model v2), so version-1 files stay as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation: Option<ContinuationJson>,
    pub cvar95_harm: f64,
    pub p_catastrophe: f64,
    pub p_catastrophe_lo: f64,
    pub p_catastrophe_hi: f64,
    pub p_better_than_baseline: f64,
    pub net_diff_mean: f64,
    pub net_diff_se: f64,
    pub events_mean: f64,
    pub catastrophes_mean: f64,
    pub max_event_p95: f64,
    pub open_pool_end_mean: f64,
    pub p_hazard_crossed: f64,
    pub hazard_year_median: Option<f64>,
    pub jurisdictions: Vec<JurisdictionJson>,
}

impl From<&PolicySummary> for PolicyJson {
    fn from(p: &PolicySummary) -> PolicyJson {
        PolicyJson {
            name: p.name.clone(),
            benefit: MomentsJson::from(&p.benefit),
            harm: MomentsJson::from(&p.harm),
            net: MomentsJson::from(&p.net),
            spending_mean: p.spending_mean,
            continuation: p.continuation.as_ref().map(ContinuationJson::from),
            cvar95_harm: p.cvar95_harm,
            p_catastrophe: p.p_catastrophe,
            p_catastrophe_lo: p.p_catastrophe_lo,
            p_catastrophe_hi: p.p_catastrophe_hi,
            p_better_than_baseline: p.p_better_than_reference,
            net_diff_mean: p.net_diff_mean,
            net_diff_se: p.net_diff_se,
            events_mean: p.events_mean,
            catastrophes_mean: p.catastrophes_mean,
            max_event_p95: p.max_event_p95,
            open_pool_end_mean: p.open_pool_end_mean,
            p_hazard_crossed: p.p_hazard_crossed,
            hazard_year_median: p.hazard_year_median,
            jurisdictions: p.jurisdictions.iter().map(JurisdictionJson::from).collect(),
        }
    }
}

/// summary.json.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryFile {
    pub meta: ProvenanceJson,
    /// The reference policy, which the others are paired against.
    pub baseline: String,
    pub policy_order: Vec<String>,
    /// Each policy under its name. The file has always listed the policies, and each one's
    /// keys, in alphabetical order (serde_json's map): kept, as readers may compare files.
    pub policies: serde_json::Map<String, serde_json::Value>,
    /// Absent unless some draw was clamped: files of scenarios without clamps stay as they were.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub clamped_draws: BTreeMap<String, u64>,
}

impl SummaryFile {
    /// # Errors
    /// A policy cannot be serialised (a bug).
    pub fn new(summary: &Summary, meta: &Provenance) -> serde_json::Result<SummaryFile> {
        let mut policies = serde_json::Map::new();
        for p in &summary.policies {
            policies.insert(p.name.clone(), serde_json::to_value(PolicyJson::from(p))?);
        }
        Ok(SummaryFile {
            meta: ProvenanceJson::from(meta),
            baseline: summary.policies.get(summary.reference).map(|p| p.name.clone()).unwrap_or_default(),
            policy_order: summary.policies.iter().map(|p| p.name.clone()).collect(),
            policies,
            clamped_draws: summary.clamped_draws.clone(),
        })
    }
}
