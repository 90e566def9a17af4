//! One struct per row of every CSV file Tierlab writes: the fields are the file's columns, in
//! order, and their names are the header (docs/OUTPUTS.md and docs/ANALYSES.md document
//! them; the tests below hold the two together). Each row is built from the simulation's or an
//! analysis's types field by field, so renaming a field there cannot change a file.

use serde::Serialize;

use crate::analysis::Band;
use crate::analysis::discovery::{Discovery, PrimBox, Restriction};
use crate::analysis::robustness::OptionRegret;
use crate::analysis::sensitivity::ParamSensitivity;
use crate::analysis::sweep::{Cell2d, SweepPoint};
use crate::analysis::voi::ParamValue;
use crate::sim::Outcome;

use super::table::Finite;

// ---------------------------------------------------------------------------------------
// tierlab run --out: runs.csv, jurisdictions.csv, params.csv, series.csv. Numbers as ryu
// writes them (NaN and infinities included), a missing hazard year empty.

/// A row of runs.csv: one run under one policy.
#[derive(Debug, Default, Serialize)]
pub struct RunRow<'a> {
    pub run: u64,
    pub policy: &'a str,
    pub benefit: f64,
    pub harm: f64,
    pub net: f64,
    pub events: u32,
    pub catastrophes: u32,
    pub max_event: f64,
    pub open_pool_end: f64,
    /// Empty when the open pool never reached the hazard threshold (NaN in the outcome).
    pub hazard_year: Option<f64>,
}

impl<'a> RunRow<'a> {
    pub fn new(run: u64, policy: &'a str, o: &Outcome) -> RunRow<'a> {
        RunRow {
            run,
            policy,
            benefit: o.benefit,
            harm: o.harm,
            net: o.net(),
            events: o.events,
            catastrophes: o.catastrophes,
            max_event: o.max_event,
            open_pool_end: o.open_pool_end,
            hazard_year: (!o.hazard_year.is_nan()).then_some(o.hazard_year),
        }
    }
}

/// A row of jurisdictions.csv: one jurisdiction in one run under one policy.
#[derive(Debug, Default, Serialize)]
pub struct JurisdictionRow<'a> {
    pub run: u64,
    pub policy: &'a str,
    pub jurisdiction: &'a str,
    pub benefit: f64,
    pub harm: f64,
    pub share_end: f64,
}

/// A row of params.csv: one uncertain parameter's draw in one run.
#[derive(Debug, Default, Serialize)]
pub struct ParamRow<'a> {
    pub run: u64,
    /// `world.KEY`, or `jurisdiction.NAME.ATTR` for a jurisdiction's attribute.
    pub param: &'a str,
    pub value: f64,
}

/// A row of series.csv: one metric of one policy at the end of one step.
#[derive(Debug, Default, Serialize)]
pub struct SeriesRow<'a> {
    pub policy: &'a str,
    pub year: f64,
    pub metric: &'a str,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub mean: f64,
}

impl<'a> SeriesRow<'a> {
    pub fn new(policy: &'a str, year: f64, metric: &'a str, b: &Band) -> SeriesRow<'a> {
        SeriesRow { policy, year, metric, p5: b.p5, p25: b.p25, p50: b.p50, p75: b.p75, p95: b.p95, mean: b.mean }
    }
}

// ---------------------------------------------------------------------------------------
// The analyses' tables. A number that is not finite leaves its cell empty.

/// A row of sweep.csv: one grid point.
#[derive(Debug, Default, Serialize)]
pub struct SweepRow {
    pub value: Finite,
    pub benefit_mean: Finite,
    pub benefit_se: Finite,
    pub harm_mean: Finite,
    pub harm_se: Finite,
    pub net_mean: Finite,
    pub net_se: Finite,
    pub p_catastrophe: Finite,
    pub p_catastrophe_lo: Finite,
    pub p_catastrophe_hi: Finite,
    pub cvar95_harm: Finite,
    pub hazard_year_median: Option<Finite>,
    pub open_share_end: Finite,
    pub p_better_than_current: Finite,
    pub net_diff_mean: Finite,
    pub net_diff_se: Finite,
    pub p_better_than_baseline: Finite,
    pub clamped: bool,
}

impl From<&SweepPoint> for SweepRow {
    fn from(p: &SweepPoint) -> SweepRow {
        SweepRow {
            value: Finite(p.value),
            benefit_mean: Finite(p.benefit_mean),
            benefit_se: Finite(p.benefit_se),
            harm_mean: Finite(p.harm_mean),
            harm_se: Finite(p.harm_se),
            net_mean: Finite(p.net_mean),
            net_se: Finite(p.net_se),
            p_catastrophe: Finite(p.p_catastrophe),
            p_catastrophe_lo: Finite(p.p_catastrophe_lo),
            p_catastrophe_hi: Finite(p.p_catastrophe_hi),
            cvar95_harm: Finite(p.cvar95_harm),
            hazard_year_median: p.hazard_year_median.map(Finite),
            open_share_end: Finite(p.open_share_end),
            p_better_than_current: Finite(p.p_better_than_current),
            net_diff_mean: Finite(p.net_diff_mean),
            net_diff_se: Finite(p.net_diff_se),
            p_better_than_baseline: Finite(p.p_better_than_reference),
            clamped: p.clamped,
        }
    }
}

/// A row of sweep2d.csv: one cell, the paired difference to the reference policy first.
#[derive(Debug, Default, Serialize)]
pub struct Sweep2dRow {
    pub value: Finite,
    pub value2: Finite,
    pub net_diff_mean: Finite,
    pub net_diff_se: Finite,
    pub p_better_than_baseline: Finite,
    pub net_mean: Finite,
    pub net_se: Finite,
    pub p_catastrophe: Finite,
    pub p_catastrophe_lo: Finite,
    pub p_catastrophe_hi: Finite,
    pub cvar95_harm: Finite,
    pub benefit_mean: Finite,
    pub benefit_se: Finite,
    pub harm_mean: Finite,
    pub harm_se: Finite,
    pub hazard_year_median: Option<Finite>,
    pub open_share_end: Finite,
    pub p_better_than_current: Finite,
    pub clamped: bool,
}

impl From<&Cell2d> for Sweep2dRow {
    fn from(c: &Cell2d) -> Sweep2dRow {
        let p = &c.point;
        Sweep2dRow {
            value: Finite(p.value),
            value2: Finite(c.value2),
            net_diff_mean: Finite(p.net_diff_mean),
            net_diff_se: Finite(p.net_diff_se),
            p_better_than_baseline: Finite(p.p_better_than_reference),
            net_mean: Finite(p.net_mean),
            net_se: Finite(p.net_se),
            p_catastrophe: Finite(p.p_catastrophe),
            p_catastrophe_lo: Finite(p.p_catastrophe_lo),
            p_catastrophe_hi: Finite(p.p_catastrophe_hi),
            cvar95_harm: Finite(p.cvar95_harm),
            benefit_mean: Finite(p.benefit_mean),
            benefit_se: Finite(p.benefit_se),
            harm_mean: Finite(p.harm_mean),
            harm_se: Finite(p.harm_se),
            hazard_year_median: p.hazard_year_median.map(Finite),
            open_share_end: Finite(p.open_share_end),
            p_better_than_current: Finite(p.p_better_than_current),
            clamped: p.clamped,
        }
    }
}

/// A row of sensitivity.csv: one uncertain parameter.
#[derive(Debug, Default, Serialize)]
pub struct SensitivityRow<'a> {
    /// `world.KEY`.
    pub param: &'a str,
    pub spearman: Finite,
    pub prcc: Finite,
    pub low: Finite,
    pub high: Finite,
    pub swing: Finite,
    pub p10: Finite,
    pub p90: Finite,
}

impl<'a> From<&'a ParamSensitivity> for SensitivityRow<'a> {
    fn from(x: &'a ParamSensitivity) -> SensitivityRow<'a> {
        SensitivityRow {
            param: &x.param,
            spearman: Finite(x.spearman),
            prcc: Finite(x.prcc),
            low: Finite(x.low),
            high: Finite(x.high),
            swing: Finite(x.swing),
            p10: Finite(x.p10),
            p90: Finite(x.p90),
        }
    }
}

/// A row of discovery.csv: one box of the peeling trajectory.
#[derive(Debug, Default, Serialize)]
pub struct DiscoveryRow {
    /// The box's number on the trajectory.
    #[serde(rename = "box")]
    pub number: usize,
    pub coverage: Finite,
    pub density: Finite,
    pub mass: Finite,
    pub worlds: usize,
    pub events: usize,
    /// How many restrictions the box has.
    pub restrictions: usize,
    pub chosen: bool,
    /// The restrictions as one rule.
    pub rules: String,
}

impl DiscoveryRow {
    /// Box `number` of `d`'s trajectory.
    pub fn new(d: &Discovery, number: usize, b: &PrimBox) -> DiscoveryRow {
        DiscoveryRow {
            number,
            coverage: Finite(b.coverage),
            density: Finite(b.density),
            mass: Finite(b.mass),
            worlds: b.worlds,
            events: b.events,
            restrictions: b.restrictions.len(),
            chosen: number == d.chosen,
            rules: b.rules(),
        }
    }
}

/// A row of discovery_box.csv: one restriction of the chosen box; an empty bound is
/// unrestricted.
#[derive(Debug, Default, Serialize)]
pub struct DiscoveryBoxRow<'a> {
    pub param: &'a str,
    pub lower: Option<Finite>,
    pub upper: Option<Finite>,
    pub p_value: Finite,
}

impl<'a> From<&'a Restriction> for DiscoveryBoxRow<'a> {
    fn from(r: &'a Restriction) -> DiscoveryBoxRow<'a> {
        DiscoveryBoxRow {
            param: &r.name,
            lower: r.lower.map(Finite),
            upper: r.upper.map(Finite),
            p_value: Finite(r.p_value),
        }
    }
}

/// A row of robustness.csv: one policy's regret.
#[derive(Debug, Default, Serialize)]
pub struct RobustnessRow<'a> {
    pub policy: &'a str,
    pub net_mean: Finite,
    pub net_se: Finite,
    pub regret_mean: Finite,
    pub regret_se: Finite,
    pub regret_p95: Finite,
    pub regret_max: Finite,
    pub best_share: Finite,
    /// Empty without a satisficing floor.
    pub satisficing_share: Option<Finite>,
}

impl<'a> From<&'a OptionRegret> for RobustnessRow<'a> {
    fn from(o: &'a OptionRegret) -> RobustnessRow<'a> {
        RobustnessRow {
            policy: &o.name,
            net_mean: Finite(o.net_mean),
            net_se: Finite(o.net_se),
            regret_mean: Finite(o.regret_mean),
            regret_se: Finite(o.regret_se),
            regret_p95: Finite(o.regret_p95),
            regret_max: Finite(o.regret_max),
            best_share: Finite(o.best_share),
            satisficing_share: o.satisficing_share.map(Finite),
        }
    }
}

/// A row of value_of_information.csv: one uncertain parameter's EVPPI.
#[derive(Debug, Default, Serialize)]
pub struct VoiRow<'a> {
    pub param: &'a str,
    pub evppi: Finite,
    pub evppi_se: Finite,
    pub evppi_raw: Finite,
    pub share_of_evpi: Finite,
}

impl<'a> From<&'a ParamValue> for VoiRow<'a> {
    fn from(p: &'a ParamValue) -> VoiRow<'a> {
        VoiRow {
            param: &p.param,
            evppi: Finite(p.evppi),
            evppi_se: Finite(p.evppi_se),
            evppi_raw: Finite(p.evppi_raw),
            share_of_evpi: Finite(p.share_of_evpi),
        }
    }
}

#[cfg(test)]
mod tests;
