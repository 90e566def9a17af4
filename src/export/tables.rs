//! The tables of the analyses, as CSV text: sweep.csv, sweep2d.csv and sensitivity.csv. One
//! writer for the command line and the app's "Export this view's data", so both give the same
//! columns (docs/ANALYSES.md and docs/OUTPUTS.md describe them).

use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::{Sweep, Sweep2d, SweepPoint};

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
        ("p_better_than_baseline", num(buf, p.p_better_than_baseline)),
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
