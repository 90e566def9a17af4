//! The tables of the analyses, as CSV text: sweep.csv, sweep2d.csv, sensitivity.csv and the
//! decision-support tables (discovery.csv, discovery_box.csv, robustness.csv,
//! value_of_information.csv), and the JSON beside them (sweep.json, sensitivity.json,
//! decision.json: the provenance and every number). One
//! writer for the command line and the app's "Export this view's data", so both give the same
//! columns and keys (docs/ANALYSES.md and docs/OUTPUTS.md describe them).

use serde::Serialize;

use crate::analysis::decision::Decision;
use crate::analysis::discovery::Discovery;
use crate::analysis::robustness::Robustness;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::{BestThreshold, Constraint, Sweep, Sweep2d, SweepPoint};
use crate::analysis::voi::ValueOfInformation;
use crate::study::Provenance;

/// Columns of sweep.csv, in order (one row per grid point).
pub const SWEEP_HEADER: [&str; 18] = [
    "value",
    "benefit_mean",
    "benefit_se",
    "harm_mean",
    "harm_se",
    "net_mean",
    "net_se",
    "p_catastrophe",
    "p_catastrophe_lo",
    "p_catastrophe_hi",
    "cvar95_harm",
    "hazard_year_median",
    "open_share_end",
    "p_better_than_current",
    "net_diff_mean",
    "net_diff_se",
    "p_better_than_baseline",
    "clamped",
];

/// Columns of sweep2d.csv, in order (one row per cell).
pub const SWEEP2D_HEADER: [&str; 19] = [
    "value",
    "value2",
    "net_diff_mean",
    "net_diff_se",
    "p_better_than_baseline",
    "net_mean",
    "net_se",
    "p_catastrophe",
    "p_catastrophe_lo",
    "p_catastrophe_hi",
    "cvar95_harm",
    "benefit_mean",
    "benefit_se",
    "harm_mean",
    "harm_se",
    "hazard_year_median",
    "open_share_end",
    "p_better_than_current",
    "clamped",
];

/// Columns of sensitivity.csv, in order (one row per uncertain parameter, largest swing first).
pub const SENSITIVITY_HEADER: [&str; 8] = ["param", "spearman", "prcc", "low", "high", "swing", "p10", "p90"];

/// A number as the shortest text that reads back to it; empty for NaN and infinities.
fn num(buf: &mut ryu::Buffer, x: f64) -> String {
    if x.is_finite() { buf.format(x).to_string() } else { String::new() }
}

fn point_fields(buf: &mut ryu::Buffer, p: &SweepPoint) -> [(&'static str, String); 18] {
    [
        ("value", num(buf, p.value)),
        ("benefit_mean", num(buf, p.benefit_mean)),
        ("benefit_se", num(buf, p.benefit_se)),
        ("harm_mean", num(buf, p.harm_mean)),
        ("harm_se", num(buf, p.harm_se)),
        ("net_mean", num(buf, p.net_mean)),
        ("net_se", num(buf, p.net_se)),
        ("p_catastrophe", num(buf, p.p_catastrophe)),
        ("p_catastrophe_lo", num(buf, p.p_catastrophe_lo)),
        ("p_catastrophe_hi", num(buf, p.p_catastrophe_hi)),
        ("cvar95_harm", num(buf, p.cvar95_harm)),
        ("hazard_year_median", p.hazard_year_median.map_or_else(String::new, |y| num(buf, y))),
        ("open_share_end", num(buf, p.open_share_end)),
        ("p_better_than_current", num(buf, p.p_better_than_current)),
        ("net_diff_mean", num(buf, p.net_diff_mean)),
        ("net_diff_se", num(buf, p.net_diff_se)),
        ("p_better_than_baseline", num(buf, p.p_better_than_reference)),
        ("clamped", p.clamped.to_string()),
    ]
}

/// The fields of `p` in the order of `header` (`value2` from `value2`).
fn record(header: &[&str], p: &SweepPoint, value2: Option<f64>) -> Vec<String> {
    let mut buf = ryu::Buffer::new();
    let fields = point_fields(&mut buf, p);
    header
        .iter()
        .map(|h| match (*h, value2) {
            ("value2", Some(v)) => num(&mut buf, v),
            (h, _) => fields.iter().find(|(k, _)| *k == h).map(|(_, v)| v.clone()).unwrap_or_default(),
        })
        .collect()
}

fn finish(w: csv::Writer<Vec<u8>>) -> std::io::Result<Vec<u8>> {
    w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

/// sweep.csv of a 1-D sweep.
///
/// # Errors
/// Only if formatting fails (it does not for these types).
pub fn sweep_csv(sw: &Sweep) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SWEEP_HEADER)?;
    for pt in &sw.points {
        w.write_record(record(&SWEEP_HEADER, pt, None))?;
    }
    finish(w)
}

/// sweep2d.csv of a 2-D sweep.
///
/// # Errors
/// Only if formatting fails.
pub fn sweep2d_csv(sw: &Sweep2d) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SWEEP2D_HEADER)?;
    for c in &sw.cells {
        w.write_record(record(&SWEEP2D_HEADER, &c.point, Some(c.value2)))?;
    }
    finish(w)
}

/// sensitivity.csv of a sensitivity analysis.
///
/// # Errors
/// Only if formatting fails.
pub fn sensitivity_csv(r: &Sensitivity) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SENSITIVITY_HEADER)?;
    let mut buf = ryu::Buffer::new();
    for x in &r.params {
        let mut n = |v: f64| num(&mut buf, v);
        let row = [n(x.spearman), n(x.prcc), n(x.low), n(x.high), n(x.swing), n(x.p10), n(x.p90)];
        w.write_record(std::iter::once(x.param.clone()).chain(row))?;
    }
    finish(w)
}

#[derive(Serialize)]
struct SweepFile<'a> {
    kind: &'static str,
    provenance: &'a Provenance,
    unit: &'static str,
    #[serde(flatten)]
    sweep: &'a Sweep,
    #[serde(skip_serializing_if = "Option::is_none")]
    best_threshold: Option<&'a BestThreshold>,
    /// The scenario's text when no file holds it (a scenario edited in the app).
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario_as_run: Option<&'a str>,
}

#[derive(Serialize)]
struct BestRow {
    value2: f64,
    /// `None` when no grid point meets the cap at this value.
    value: Option<f64>,
}

#[derive(Serialize)]
struct Sweep2dFile<'a> {
    kind: &'static str,
    provenance: &'a Provenance,
    unit: &'static str,
    #[serde(flatten)]
    sweep: &'a Sweep2d,
    #[serde(skip_serializing_if = "Option::is_none")]
    constraint: Option<&'a Constraint>,
    /// Per value of the world parameter, the best grid value under the cap (point estimates).
    #[serde(skip_serializing_if = "Option::is_none")]
    best_by_value2: Option<Vec<BestRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario_as_run: Option<&'a str>,
}

#[derive(Serialize)]
struct SensitivityFile<'a> {
    kind: &'static str,
    provenance: &'a Provenance,
    #[serde(flatten)]
    sensitivity: &'a Sensitivity,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario_as_run: Option<&'a str>,
}

/// Indented JSON ending in a newline, as every JSON file beside a CSV is written.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn pretty(value: &impl Serialize) -> serde_json::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(value)?;
    out.push(b'\n');
    Ok(out)
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
    pretty(&SweepFile {
        kind: "sweep",
        provenance: p,
        unit: sw.param.unit(),
        sweep: sw,
        best_threshold: best,
        scenario_as_run,
    })
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
    let best_by_value2 = constraint.map(|c| {
        sw.best_by_row(c)
            .into_iter()
            .zip(&sw.values2)
            .map(|(i, &value2)| BestRow { value2, value: i.map(|i| sw.values[i]) })
            .collect()
    });
    pretty(&Sweep2dFile {
        kind: "sweep2d",
        provenance: p,
        unit: sw.param.unit(),
        sweep: sw,
        constraint,
        best_by_value2,
        scenario_as_run,
    })
}

/// sensitivity.json: the provenance and the whole analysis.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn sensitivity_json(p: &Provenance, r: &Sensitivity, scenario_as_run: Option<&str>) -> serde_json::Result<Vec<u8>> {
    pretty(&SensitivityFile { kind: "sensitivity", provenance: p, sensitivity: r, scenario_as_run })
}

/// Columns of discovery.csv, in order (one row per box of the peeling trajectory).
pub const DISCOVERY_HEADER: [&str; 9] =
    ["box", "coverage", "density", "mass", "worlds", "events", "restrictions", "chosen", "rules"];

/// Columns of discovery_box.csv (one row per restriction of the chosen box, after pasting).
pub const DISCOVERY_BOX_HEADER: [&str; 4] = ["param", "lower", "upper", "p_value"];

/// Columns of robustness.csv (one row per policy).
pub const ROBUSTNESS_HEADER: [&str; 9] = [
    "policy",
    "net_mean",
    "net_se",
    "regret_mean",
    "regret_se",
    "regret_p95",
    "regret_max",
    "best_share",
    "satisficing_share",
];

/// Columns of value_of_information.csv (one row per uncertain parameter, largest first).
pub const VOI_HEADER: [&str; 5] = ["param", "evppi", "evppi_se", "evppi_raw", "share_of_evpi"];

/// discovery.csv: the peeling trajectory, the chosen box marked (its bounds before pasting).
///
/// # Errors
/// Only if formatting fails.
pub fn discovery_csv(d: &Discovery) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(DISCOVERY_HEADER)?;
    let mut buf = ryu::Buffer::new();
    for (i, b) in d.trajectory.iter().enumerate() {
        let mut n = |v: f64| num(&mut buf, v);
        w.write_record([
            i.to_string(),
            n(b.coverage),
            n(b.density),
            n(b.mass),
            b.worlds.to_string(),
            b.events.to_string(),
            b.restrictions.len().to_string(),
            (i == d.chosen).to_string(),
            b.rules(),
        ])?;
    }
    finish(w)
}

/// discovery_box.csv: the chosen box's restrictions, most significant first; an empty bound
/// is unrestricted.
///
/// # Errors
/// Only if formatting fails.
pub fn discovery_box_csv(d: &Discovery) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(DISCOVERY_BOX_HEADER)?;
    let mut buf = ryu::Buffer::new();
    for r in &d.chosen_box.restrictions {
        let mut n = |v: Option<f64>| v.map_or_else(String::new, |v| num(&mut buf, v));
        w.write_record([r.name.clone(), n(r.lower), n(r.upper), n(Some(r.p_value))])?;
    }
    finish(w)
}

/// robustness.csv: regret per option.
///
/// # Errors
/// Only if formatting fails.
pub fn robustness_csv(r: &Robustness) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(ROBUSTNESS_HEADER)?;
    let mut buf = ryu::Buffer::new();
    for o in &r.options {
        let mut n = |v: f64| num(&mut buf, v);
        let row = [
            n(o.net_mean),
            n(o.net_se),
            n(o.regret_mean),
            n(o.regret_se),
            n(o.regret_p95),
            n(o.regret_max),
            n(o.best_share),
            o.satisficing_share.map_or_else(String::new, &mut n),
        ];
        w.write_record(std::iter::once(o.name.clone()).chain(row))?;
    }
    finish(w)
}

/// value_of_information.csv: EVPPI per parameter.
///
/// # Errors
/// Only if formatting fails.
pub fn voi_csv(v: &ValueOfInformation) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(VOI_HEADER)?;
    let mut buf = ryu::Buffer::new();
    for p in &v.params {
        let mut n = |v: f64| num(&mut buf, v);
        let row = [n(p.evppi), n(p.evppi_se), n(p.evppi_raw), n(p.share_of_evpi)];
        w.write_record(std::iter::once(p.param.clone()).chain(row))?;
    }
    finish(w)
}

#[derive(Serialize)]
struct DiscoveryFile<'a> {
    kind: &'static str,
    provenance: &'a Provenance,
    #[serde(flatten)]
    decision: &'a Decision,
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario_as_run: Option<&'a str>,
}

/// decision.json: the provenance, the discovery (trajectory, chosen box, statement), the
/// regret of every policy and the value of information, all from the same worlds.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn decision_json(p: &Provenance, d: &Decision, scenario_as_run: Option<&str>) -> serde_json::Result<Vec<u8>> {
    pretty(&DiscoveryFile { kind: "decision", provenance: p, decision: d, scenario_as_run })
}
