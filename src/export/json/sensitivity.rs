//! sensitivity.json: the provenance and the whole analysis.

use serde::Serialize;

use crate::analysis::sensitivity::{Histogram, ParamSensitivity, Sensitivity, TailComparison, TailParam};
use crate::study::Provenance;

use super::provenance::ProvenanceJson;

/// One uncertain parameter: rank correlations and the tornado's means (`null` without one).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamSensitivityJson {
    /// `world.KEY`.
    pub param: String,
    /// Index into the world parameters (docs/MODEL.md).
    pub index: usize,
    pub spearman: f64,
    pub prcc: f64,
    pub p10: f64,
    pub p90: f64,
    pub low: f64,
    pub high: f64,
    pub swing: f64,
}

impl From<&ParamSensitivity> for ParamSensitivityJson {
    fn from(x: &ParamSensitivity) -> ParamSensitivityJson {
        ParamSensitivityJson {
            param: x.param.clone(),
            index: x.index,
            spearman: x.spearman,
            prcc: x.prcc,
            p10: x.p10,
            p90: x.p90,
            low: x.low,
            high: x.high,
            swing: x.swing,
        }
    }
}

/// Histogram densities on shared bins.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistogramJson {
    pub edges: Vec<f64>,
    pub density_all: Vec<f64>,
    pub density_tail: Vec<f64>,
}

impl From<&Histogram> for HistogramJson {
    fn from(h: &Histogram) -> HistogramJson {
        HistogramJson {
            edges: h.edges.clone(),
            density_all: h.density_all.clone(),
            density_tail: h.density_tail.clone(),
        }
    }
}

/// One parameter's draws in the worst runs against all runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TailParamJson {
    pub param: String,
    pub index: usize,
    pub median_all: f64,
    pub median_tail: f64,
    pub iqr_all: f64,
    pub shift_iqr: f64,
    pub histogram: HistogramJson,
}

impl From<&TailParam> for TailParamJson {
    fn from(t: &TailParam) -> TailParamJson {
        TailParamJson {
            param: t.param.clone(),
            index: t.index,
            median_all: t.median_all,
            median_tail: t.median_tail,
            iqr_all: t.iqr_all,
            shift_iqr: t.shift_iqr,
            histogram: HistogramJson::from(&t.histogram),
        }
    }
}

/// What drove the worst runs (`tail`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TailJson {
    /// `harm` (highest harm) or `net` (lowest net).
    pub by: &'static str,
    pub share: f64,
    pub runs: usize,
    pub threshold: f64,
    pub params: Vec<TailParamJson>,
}

impl From<&TailComparison> for TailJson {
    fn from(t: &TailComparison) -> TailJson {
        TailJson {
            by: t.by.key(),
            share: t.share,
            runs: t.runs,
            threshold: t.threshold,
            params: t.params.iter().map(TailParamJson::from).collect(),
        }
    }
}

/// sensitivity.json.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SensitivityFile<'a> {
    pub kind: &'static str,
    pub provenance: ProvenanceJson,
    pub policy: String,
    /// The reference policy's name.
    pub baseline: String,
    /// `benefit`, `harm`, `net`, `net_diff` or `catastrophe`.
    pub output: &'static str,
    pub runs: u64,
    pub seed: u64,
    pub output_mean: f64,
    pub output_se: f64,
    pub params: Vec<ParamSensitivityJson>,
    pub tail: TailJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_as_run: Option<&'a str>,
}

impl<'a> SensitivityFile<'a> {
    pub fn new(p: &Provenance, r: &Sensitivity, scenario_as_run: Option<&'a str>) -> SensitivityFile<'a> {
        SensitivityFile {
            kind: "sensitivity",
            provenance: ProvenanceJson::from(p),
            policy: r.policy.clone(),
            baseline: r.reference.clone(),
            output: r.output.key(),
            runs: r.runs,
            seed: r.seed,
            output_mean: r.output_mean,
            output_se: r.output_se,
            params: r.params.iter().map(ParamSensitivityJson::from).collect(),
            tail: TailJson::from(&r.tail),
            scenario_as_run,
        }
    }
}
