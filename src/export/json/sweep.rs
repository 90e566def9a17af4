//! sweep.json of a 1-D sweep (`"kind": "sweep"`) and of a 2-D sweep (`"kind": "sweep2d"`).

use serde::Serialize;

use crate::analysis::sweep::{
    BestPoint, BestThreshold, BootstrapChoice, Cell2d, Constraint, Sweep, Sweep2d, SweepPoint,
};
use crate::study::Provenance;

use super::provenance::ProvenanceJson;
use super::robustness::RobustnessJson;

/// Everything reported about one grid point (money in $B, discounted): the columns of a
/// sweep.csv row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SweepPointJson {
    pub value: f64,
    pub benefit_mean: f64,
    pub benefit_se: f64,
    pub harm_mean: f64,
    pub harm_se: f64,
    pub net_mean: f64,
    pub net_se: f64,
    pub p_catastrophe: f64,
    pub p_catastrophe_lo: f64,
    pub p_catastrophe_hi: f64,
    pub cvar95_harm: f64,
    pub hazard_year_median: Option<f64>,
    pub open_share_end: f64,
    pub p_better_than_current: f64,
    pub net_diff_mean: f64,
    pub net_diff_se: f64,
    pub p_better_than_baseline: f64,
    pub clamped: bool,
}

impl From<&SweepPoint> for SweepPointJson {
    fn from(p: &SweepPoint) -> SweepPointJson {
        SweepPointJson {
            value: p.value,
            benefit_mean: p.benefit_mean,
            benefit_se: p.benefit_se,
            harm_mean: p.harm_mean,
            harm_se: p.harm_se,
            net_mean: p.net_mean,
            net_se: p.net_se,
            p_catastrophe: p.p_catastrophe,
            p_catastrophe_lo: p.p_catastrophe_lo,
            p_catastrophe_hi: p.p_catastrophe_hi,
            cvar95_harm: p.cvar95_harm,
            hazard_year_median: p.hazard_year_median,
            open_share_end: p.open_share_end,
            p_better_than_current: p.p_better_than_current,
            net_diff_mean: p.net_diff_mean,
            net_diff_se: p.net_diff_se,
            p_better_than_baseline: p.p_better_than_reference,
            clamped: p.clamped,
        }
    }
}

/// Caps a grid point must meet to be chosen.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ConstraintJson {
    pub max_p_catastrophe: Option<f64>,
    pub max_cvar95: Option<f64>,
}

impl From<&Constraint> for ConstraintJson {
    fn from(c: &Constraint) -> ConstraintJson {
        ConstraintJson { max_p_catastrophe: c.max_p_catastrophe, max_cvar95: c.max_cvar95 }
    }
}

/// How the choice of the best grid point varies when the runs are resampled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BootstrapJson {
    pub replicates: usize,
    pub seed: u64,
    pub value_p5: Option<f64>,
    pub value_p50: Option<f64>,
    pub value_p95: Option<f64>,
    pub share_same: f64,
    pub share_none: f64,
    pub counts: Vec<u32>,
}

impl From<&BootstrapChoice> for BootstrapJson {
    fn from(b: &BootstrapChoice) -> BootstrapJson {
        BootstrapJson {
            replicates: b.replicates,
            seed: b.seed,
            value_p5: b.value_p5,
            value_p50: b.value_p50,
            value_p95: b.value_p95,
            share_same: b.share_same,
            share_none: b.share_none,
            counts: b.counts.clone(),
        }
    }
}

/// The grid point with the highest expected net among those meeting the cap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BestPointJson {
    pub index: usize,
    pub value: f64,
    pub net_mean: f64,
    pub net_se: f64,
    pub p_catastrophe: f64,
    pub cvar95_harm: f64,
    pub bootstrap: BootstrapJson,
}

impl From<&BestPoint> for BestPointJson {
    fn from(b: &BestPoint) -> BestPointJson {
        BestPointJson {
            index: b.index,
            value: b.value,
            net_mean: b.net_mean,
            net_se: b.net_se,
            p_catastrophe: b.p_catastrophe,
            cvar95_harm: b.cvar95_harm,
            bootstrap: BootstrapJson::from(&b.bootstrap),
        }
    }
}

/// The best threshold under a cap (`best` null when no grid point meets it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BestThresholdJson {
    pub constraint: ConstraintJson,
    pub feasible_points: usize,
    pub best: Option<BestPointJson>,
    pub statement: String,
}

impl From<&BestThreshold> for BestThresholdJson {
    fn from(b: &BestThreshold) -> BestThresholdJson {
        BestThresholdJson {
            constraint: ConstraintJson::from(&b.constraint),
            feasible_points: b.feasible_points,
            best: b.best.as_ref().map(BestPointJson::from),
            statement: b.statement.clone(),
        }
    }
}

/// sweep.json of a 1-D sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepFile<'a> {
    pub kind: &'static str,
    pub provenance: ProvenanceJson,
    pub unit: String,
    pub policy: String,
    /// `open_below`, `gated_below` or `drift`.
    pub param: &'static str,
    /// The reference policy's name.
    pub baseline: String,
    pub runs: u64,
    pub seed: u64,
    pub current_value: f64,
    pub current: SweepPointJson,
    pub points: Vec<SweepPointJson>,
    pub robustness: RobustnessJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_threshold: Option<BestThresholdJson>,
    /// The scenario's text when no file holds it (a scenario edited in the app).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_as_run: Option<&'a str>,
}

impl<'a> SweepFile<'a> {
    pub fn new(
        p: &Provenance,
        sw: &Sweep,
        best: Option<&BestThreshold>,
        scenario_as_run: Option<&'a str>,
    ) -> SweepFile<'a> {
        SweepFile {
            kind: "sweep",
            provenance: ProvenanceJson::from(p),
            unit: sw.unit(),
            policy: sw.policy.clone(),
            param: sw.param.key(),
            baseline: sw.reference.clone(),
            runs: sw.runs,
            seed: sw.seed,
            current_value: sw.current_value,
            current: SweepPointJson::from(&sw.current),
            points: sw.points.iter().map(SweepPointJson::from).collect(),
            robustness: RobustnessJson::from(&sw.robustness),
            best_threshold: best.map(BestThresholdJson::from),
            scenario_as_run,
        }
    }
}

/// One cell of a 2-D sweep: the world parameter's value, then the grid point's fields.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Cell2dJson {
    pub value2: f64,
    #[serde(flatten)]
    pub point: SweepPointJson,
}

impl From<&Cell2d> for Cell2dJson {
    fn from(c: &Cell2d) -> Cell2dJson {
        Cell2dJson { value2: c.value2, point: SweepPointJson::from(&c.point) }
    }
}

/// Per value of the world parameter, the best grid value under the cap (`null`: none meets it).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BestRowJson {
    pub value2: f64,
    pub value: Option<f64>,
}

/// sweep.json of a 2-D sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sweep2dFile<'a> {
    pub kind: &'static str,
    pub provenance: ProvenanceJson,
    pub unit: String,
    pub policy: String,
    pub param: &'static str,
    /// `world.KEY`.
    pub param2: String,
    /// The reference policy's name.
    pub baseline: String,
    pub runs: u64,
    pub seed: u64,
    pub values: Vec<f64>,
    pub values2: Vec<f64>,
    /// `cells[i2 * values.len() + i]`.
    pub cells: Vec<Cell2dJson>,
    /// Where P(better than the reference) = 0.5: polylines of `[value, value2]` points.
    pub contour_p_better_half: Vec<Vec<[f64; 2]>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint: Option<ConstraintJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub best_by_value2: Option<Vec<BestRowJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario_as_run: Option<&'a str>,
}

impl<'a> Sweep2dFile<'a> {
    /// With the best grid value per world value under `constraint`, when given.
    pub fn new(
        p: &Provenance,
        sw: &Sweep2d,
        constraint: Option<&Constraint>,
        scenario_as_run: Option<&'a str>,
    ) -> Sweep2dFile<'a> {
        let best_by_value2 = constraint.map(|c| {
            sw.best_by_row(c)
                .into_iter()
                .zip(&sw.values2)
                .map(|(i, &value2)| BestRowJson { value2, value: i.map(|i| sw.values[i]) })
                .collect()
        });
        Sweep2dFile {
            kind: "sweep2d",
            provenance: ProvenanceJson::from(p),
            unit: sw.unit(),
            policy: sw.policy.clone(),
            param: sw.param.key(),
            param2: sw.param2.clone(),
            baseline: sw.reference.clone(),
            runs: sw.runs,
            seed: sw.seed,
            values: sw.values.clone(),
            values2: sw.values2.clone(),
            cells: sw.cells.iter().map(Cell2dJson::from).collect(),
            contour_p_better_half: sw.contour_p_better_half.clone(),
            constraint: constraint.map(ConstraintJson::from),
            best_by_value2,
            scenario_as_run,
        }
    }
}
