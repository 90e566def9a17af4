//! The tables of the analyses, as CSV text: sweep.csv, sweep2d.csv, sensitivity.csv and the
//! decision-support tables (discovery.csv, discovery_box.csv, robustness.csv,
//! value_of_information.csv), and the JSON beside them (sweep.json, sensitivity.json,
//! decision.json: the provenance and every number). One
//! writer for the command line and the app's "Export this view's data", so both give the same
//! columns and keys (docs/ANALYSES.md and docs/OUTPUTS.md describe them; `export::rows` and
//! `export::json` spell them).

use crate::analysis::decision::Decision;
use crate::analysis::discovery::Discovery;
use crate::analysis::robustness::Robustness;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::{BestThreshold, Constraint, Sweep, Sweep2d};
use crate::analysis::voi::ValueOfInformation;
use crate::study::Provenance;

use super::json::{DecisionFile, SensitivityFile, Sweep2dFile, SweepFile};
use super::rows::{DiscoveryBoxRow, DiscoveryRow, RobustnessRow, SensitivityRow, Sweep2dRow, SweepRow, VoiRow};
use super::table::to_csv;

/// Indented JSON ending in a newline (also the app's view files).
pub use super::json::pretty;

/// sweep.csv of a 1-D sweep: one row per grid point ([`SweepRow`]).
///
/// # Errors
/// Only if formatting fails (it does not for these types).
pub fn sweep_csv(sw: &Sweep) -> std::io::Result<Vec<u8>> {
    Ok(to_csv(sw.points.iter().map(SweepRow::from))?)
}

/// sweep2d.csv of a 2-D sweep: one row per cell ([`Sweep2dRow`]).
///
/// # Errors
/// Only if formatting fails.
pub fn sweep2d_csv(sw: &Sweep2d) -> std::io::Result<Vec<u8>> {
    Ok(to_csv(sw.cells.iter().map(Sweep2dRow::from))?)
}

/// sensitivity.csv: one row per uncertain parameter, largest swing first
/// ([`SensitivityRow`]).
///
/// # Errors
/// Only if formatting fails.
pub fn sensitivity_csv(r: &Sensitivity) -> std::io::Result<Vec<u8>> {
    Ok(to_csv(r.params.iter().map(SensitivityRow::from))?)
}

/// sweep.json of a 1-D sweep: its provenance, every point, and the best threshold when one
/// was sought; `scenario_as_run` is the scenario's text when no file holds it.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn sweep_json(
    p: &Provenance,
    sw: &Sweep,
    best: Option<&BestThreshold>,
    scenario_as_run: Option<&str>,
) -> serde_json::Result<Vec<u8>> {
    pretty(&SweepFile::new(p, sw, best, scenario_as_run))
}

/// sweep.json of a 2-D sweep, with the best grid value per world value under `constraint`.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn sweep2d_json(
    p: &Provenance,
    sw: &Sweep2d,
    constraint: Option<&Constraint>,
    scenario_as_run: Option<&str>,
) -> serde_json::Result<Vec<u8>> {
    pretty(&Sweep2dFile::new(p, sw, constraint, scenario_as_run))
}

/// sensitivity.json: the provenance and the whole analysis.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn sensitivity_json(p: &Provenance, r: &Sensitivity, scenario_as_run: Option<&str>) -> serde_json::Result<Vec<u8>> {
    pretty(&SensitivityFile::new(p, r, scenario_as_run))
}

/// discovery.csv: the peeling trajectory, the chosen box marked (its bounds before pasting)
/// ([`DiscoveryRow`]).
///
/// # Errors
/// Only if formatting fails.
pub fn discovery_csv(d: &Discovery) -> std::io::Result<Vec<u8>> {
    Ok(to_csv(d.trajectory.iter().enumerate().map(|(i, b)| DiscoveryRow::new(d, i, b)))?)
}

/// discovery_box.csv: the chosen box's restrictions, most significant first; an empty bound
/// is unrestricted ([`DiscoveryBoxRow`]).
///
/// # Errors
/// Only if formatting fails.
pub fn discovery_box_csv(d: &Discovery) -> std::io::Result<Vec<u8>> {
    Ok(to_csv(d.chosen_box.restrictions.iter().map(DiscoveryBoxRow::from))?)
}

/// robustness.csv: regret per option ([`RobustnessRow`]).
///
/// # Errors
/// Only if formatting fails.
pub fn robustness_csv(r: &Robustness) -> std::io::Result<Vec<u8>> {
    Ok(to_csv(r.options.iter().map(RobustnessRow::from))?)
}

/// value_of_information.csv: EVPPI per parameter ([`VoiRow`]).
///
/// # Errors
/// Only if formatting fails.
pub fn voi_csv(v: &ValueOfInformation) -> std::io::Result<Vec<u8>> {
    Ok(to_csv(v.params.iter().map(VoiRow::from))?)
}

/// decision.json: the provenance, the discovery (trajectory, chosen box, statement), the
/// regret of every policy and the value of information, all from the same worlds.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn decision_json(p: &Provenance, d: &Decision, scenario_as_run: Option<&str>) -> serde_json::Result<Vec<u8>> {
    pretty(&DecisionFile::new(p, d, scenario_as_run))
}
