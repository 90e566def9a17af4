//! Each view's data as tidy CSV (one observation per row, with a header; a `result` column
//! tells the current result from the pinned one) with a JSON file beside it holding the
//! provenance and the scenario's text; the analysis tabs' tables as the command line writes
//! them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::sweep::Constraint;
use crate::export::data::write_atomic;
use crate::export::tables::{
    decision_json, discovery_csv, pretty, sensitivity_csv, sensitivity_json, sweep_csv, sweep_json, sweep2d_csv,
    sweep2d_json,
};
use crate::model::Scenario;
use crate::sim::SERIES_FIXED;
use crate::study::{Provenance, ScenarioSource};

use super::analyses::{Outcome, Slot};
use super::analysis_tabs::{AnalysisView, AnalysisViews};
use super::computed::{Computed, MetricPlot};
use super::state::Tab;

fn io_err(e: impl std::error::Error + Send + Sync + 'static) -> std::io::Error {
    std::io::Error::other(e)
}

/// The CSV text of a view's data (the analysis tabs: [`write_analysis_csv`]).
///
/// # Errors
/// An analysis tab; otherwise only if formatting fails (it does not for these types).
pub fn view_csv(tab: Tab, current: &Computed, pinned: Option<&Computed>) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let results: Vec<(&str, &Computed)> =
        std::iter::once(("current", current)).chain(pinned.map(|p| ("pinned", p))).collect();
    let f = |x: f64| if x.is_finite() { ryu::Buffer::new().format(x).to_string() } else { String::new() };
    match tab {
        Tab::Overview => {
            w.write_record(["result", "policy", "quantity", "statistic", "value"]).map_err(io_err)?;
            for (label, c) in &results {
                for p in &c.summary.policies {
                    let mut row = |q: &str, s: &str, v: f64| w.write_record([*label, &p.name, q, s, &f(v)]);
                    for (q, m) in [("benefit", &p.benefit), ("harm", &p.harm), ("net", &p.net)] {
                        for (s, v) in [("mean", m.mean), ("se", m.se), ("p5", m.p5), ("p50", m.p50), ("p95", m.p95)] {
                            row(q, s, v).map_err(io_err)?;
                        }
                    }
                    row("harm", "cvar95", p.cvar95_harm).map_err(io_err)?;
                    row("catastrophe", "probability", p.p_catastrophe).map_err(io_err)?;
                    row("catastrophe", "ci95_lo", p.p_catastrophe_lo).map_err(io_err)?;
                    row("catastrophe", "ci95_hi", p.p_catastrophe_hi).map_err(io_err)?;
                    row("better_than_baseline", "probability", p.p_better_than_reference).map_err(io_err)?;
                    row("net_minus_baseline", "mean", p.net_diff_mean).map_err(io_err)?;
                    row("net_minus_baseline", "se", p.net_diff_se).map_err(io_err)?;
                    row("runs", "count", c.runs as f64).map_err(io_err)?;
                }
            }
        }
        Tab::Distributions => {
            w.write_record(["result", "policy", "outcome", "curve", "x", "y"]).map_err(io_err)?;
            for (label, c) in &results {
                let outcomes: [(&str, &MetricPlot); 4] =
                    [("benefit", &c.benefit), ("harm", &c.harm), ("net", &c.net), ("net_minus_baseline", &c.diff)];
                for (outcome, m) in outcomes {
                    for (curve, data) in [("density", &m.density), ("histogram", &m.histogram), ("ecdf", &m.ecdf)] {
                        for (p, pts) in data.iter().enumerate() {
                            let name = c.policy_names.get(p).map_or("", String::as_str);
                            for pt in pts {
                                // Log plots store log10 of the value: write the value itself.
                                let x = if m.log10 { 10f64.powf(pt[0]) } else { pt[0] };
                                w.write_record([*label, name, outcome, curve, &f(x), &f(pt[1])]).map_err(io_err)?;
                            }
                        }
                    }
                }
            }
        }
        Tab::OverTime => {
            w.write_record(["result", "policy", "metric", "year", "p5", "p25", "p50", "p75", "p95", "mean"])
                .map_err(io_err)?;
            for (label, c) in &results {
                let metrics: Vec<String> = SERIES_FIXED
                    .iter()
                    .map(|s| (*s).to_string())
                    .chain(c.jurisdiction_names.iter().map(|j| format!("share:{j}")))
                    .collect();
                for (p, fans) in c.fans.iter().enumerate() {
                    let name = c.policy_names.get(p).map_or("", String::as_str);
                    for (m, fan) in fans.iter().enumerate() {
                        let metric = metrics.get(m).map_or("", String::as_str);
                        for t in 0..fan.years.len() {
                            w.write_record([
                                *label,
                                name,
                                metric,
                                &f(fan.years[t]),
                                &f(fan.p5[t]),
                                &f(fan.p25[t]),
                                &f(fan.p50[t]),
                                &f(fan.p75[t]),
                                &f(fan.p95[t]),
                                &f(fan.mean[t]),
                            ])
                            .map_err(io_err)?;
                        }
                    }
                }
            }
        }
        Tab::Jurisdictions => {
            w.write_record([
                "result",
                "policy",
                "jurisdiction",
                "benefit_mean",
                "benefit_se",
                "harm_mean",
                "harm_se",
                "share_end_mean",
            ])
            .map_err(io_err)?;
            for (label, c) in &results {
                for p in &c.summary.policies {
                    for (j, s) in p.jurisdictions.iter().enumerate() {
                        let jname = c.jurisdiction_names.get(j).map_or("", String::as_str);
                        w.write_record([
                            *label,
                            &p.name,
                            jname,
                            &f(s.benefit_mean),
                            &f(s.benefit_se),
                            &f(s.harm_mean),
                            &f(s.harm_se),
                            &f(s.share_end_mean),
                        ])
                        .map_err(io_err)?;
                    }
                }
            }
        }
        Tab::Thresholds | Tab::Sensitivity | Tab::Decision => {
            return Err(std::io::Error::other(format!("the {} view shows an analysis, not a result", tab.label())));
        }
        Tab::Learn => {
            w.write_record(["result", "policy", "year", "share_hazard_public"]).map_err(io_err)?;
            for (label, c) in &results {
                for (p, pts) in c.hazard_public.iter().enumerate() {
                    let name = c.policy_names.get(p).map_or("", String::as_str);
                    for pt in pts {
                        w.write_record([*label, name, &f(pt[0]), &f(pt[1])]).map_err(io_err)?;
                    }
                }
            }
        }
    }
    w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

/// The JSON beside a CSV: `name.csv` -> `name.json` (never the CSV itself).
pub fn sidecar_path(csv: &Path) -> PathBuf {
    let json = csv.with_extension("json");
    if json == csv { with_suffix(csv, "_provenance") } else { json }
}

#[derive(Serialize)]
struct ViewSidecar<'a> {
    kind: &'static str,
    view: &'static str,
    csv: String,
    /// One entry per value of the CSV's `result` column.
    results: Vec<ResultSource<'a>>,
}

#[derive(Serialize)]
struct ResultSource<'a> {
    result: &'static str,
    provenance: &'a Provenance,
    /// The scenario's text, whose SHA-256 the provenance gives: the app's scenario may be in
    /// no file (edited, or a file changed since).
    scenario_as_run: &'a str,
}

/// The JSON beside a view's CSV: for the current result and the pinned one, the provenance
/// and the scenario text behind it.
///
/// # Errors
/// Serialisation fails (a bug).
pub fn view_json(tab: Tab, csv: &Path, current: &Computed, pinned: Option<&Computed>) -> serde_json::Result<Vec<u8>> {
    let results = std::iter::once(("current", current))
        .chain(pinned.map(|p| ("pinned", p)))
        .map(|(result, c)| ResultSource { result, provenance: &c.provenance, scenario_as_run: &c.source.text })
        .collect();
    let csv = csv.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    pretty(&ViewSidecar { kind: "view", view: tab.label(), csv, results })
}

/// Writes a view's CSV and the JSON beside it ([`sidecar_path`]) atomically; the files written.
///
/// # Errors
/// A file cannot be written.
pub fn write_view_csv(
    path: &Path,
    tab: Tab,
    current: &Computed,
    pinned: Option<&Computed>,
) -> std::io::Result<Vec<PathBuf>> {
    write_atomic(path, &view_csv(tab, current, pinned)?)?;
    let json = sidecar_path(path);
    write_atomic(&json, &view_json(tab, path, current, pinned).map_err(io_err)?)?;
    Ok(vec![path.to_path_buf(), json])
}

/// The provenance of an analysis on screen, from the scenario it ran on; `source_of` gives
/// that scenario's text (the file as opened while it is unchanged).
fn analysis_provenance(
    view: &AnalysisView,
    source_of: &dyn Fn(&Scenario) -> ScenarioSource,
) -> Option<(Provenance, ScenarioSource)> {
    let scenario = view.scenario.as_deref()?;
    let source = source_of(scenario);
    let mut p = Provenance::new(scenario, &source.origin, &source.text);
    p.wall_time_s = view.elapsed.as_secs_f64();
    Some((p, source))
}

/// Writes an analysis tab's tables, with the same columns as the command line's files: the
/// Thresholds tab's sweep (sweep.csv) to `path` and its heat map (sweep2d.csv) beside it, with
/// `_heatmap` added to the name; the Sensitivity tab's analysis (sensitivity.csv). Returns
/// the files written. Each CSV has the JSON the command line writes beside its own (sweep.json,
/// sensitivity.json) beside it, with the scenario's text added: the best threshold on screen
/// goes with the sweep, and the heat map's best value per row follows `cap`.
///
/// # Errors
/// A sentence for the status line: nothing computed yet, or a file that cannot be written.
pub fn write_analysis_csv(
    path: &Path,
    tab: Tab,
    views: &AnalysisViews,
    source_of: &dyn Fn(&Scenario) -> ScenarioSource,
    cap: Option<&Constraint>,
) -> Result<Vec<PathBuf>, String> {
    let best = views.view(Slot::Best);
    let best = match best.outcome {
        Some(Outcome::Best(b)) if !best.pending && best.progress.is_none() => Some(b),
        _ => None,
    };
    // Everything is formatted before anything is written: no half export.
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for slot in Slot::ALL {
        let view = views.view(slot);
        // The decision analysis reads the paired worlds: their scenario is its provenance.
        let simulated = if slot == Slot::Decision { views.view(Slot::Worlds) } else { view.clone() };
        let Some((p, source)) = analysis_provenance(&simulated, source_of) else { continue };
        let text = Some(source.text.as_str());
        let (table, json) = match (tab, &view.outcome) {
            (Tab::Thresholds, Some(Outcome::Sweep(s))) => (sweep_csv(s), sweep_json(&p, s, best.as_deref(), text)),
            (Tab::Thresholds, Some(Outcome::Heatmap(h))) => (sweep2d_csv(h), sweep2d_json(&p, h, cap, text)),
            (Tab::Sensitivity, Some(Outcome::Sensitivity(r))) => (sensitivity_csv(r), sensitivity_json(&p, r, text)),
            (Tab::Decision, Some(Outcome::Decision(d))) => (discovery_csv(&d.discovery), decision_json(&p, d, text)),
            _ => continue,
        };
        let file = if slot == Slot::Heatmap { with_suffix(path, "_heatmap") } else { path.to_path_buf() };
        let sidecar = sidecar_path(&file);
        let table = table.map_err(|e| format!("Could not format {}: {e}", file.display()))?;
        let json = json.map_err(|e| format!("Could not format {}: {e}", sidecar.display()))?;
        files.extend([(file, table), (sidecar, json)]);
    }
    if files.is_empty() {
        return Err(format!("The {} view has nothing to export yet.", tab.label()));
    }
    let mut written = Vec::new();
    for (file, bytes) in files {
        write_atomic(&file, &bytes).map_err(|e| format!("Could not write {}: {e}", file.display()))?;
        written.push(file);
    }
    Ok(written)
}

/// `dir/name.csv` -> `dir/name{suffix}.csv`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let stem = path.file_stem().map_or_else(|| "export".into(), |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(ext) => format!("{stem}{suffix}.{}", ext.to_string_lossy()),
        None => format!("{stem}{suffix}"),
    };
    path.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn computed() -> Computed {
        let s = Scenario::built_in().with_runs(100).unwrap();
        let input = crate::study::Input::new(s.clone(), ScenarioSource::written_out(&s, "test"));
        Computed::whole(1, &input).unwrap()
    }

    #[test]
    fn every_view_exports_tidy_csv_with_a_header() {
        let c = computed();
        for tab in Tab::ALL.into_iter().filter(|t| !t.is_analysis()) {
            let bytes = view_csv(tab, &c, Some(&c)).unwrap();
            let mut r = csv::Reader::from_reader(bytes.as_slice());
            let header = r.headers().unwrap().clone();
            assert_eq!(&header[0], "result");
            let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
            assert!(!rows.is_empty(), "{tab:?}");
            assert!(rows.iter().all(|row| row.len() == header.len()));
            assert!(rows.iter().any(|row| &row[0] == "pinned"));
        }
    }

    #[test]
    fn the_sidecar_names_each_result_and_the_text_its_hash_is_of() {
        let c = computed();
        let json: serde_json::Value =
            serde_json::from_slice(&view_json(Tab::Overview, Path::new("/x/o.csv"), &c, Some(&c)).unwrap()).unwrap();
        assert_eq!(json["csv"], "o.csv");
        let results = json["results"].as_array().unwrap();
        assert_eq!(results.iter().map(|r| r["result"].as_str().unwrap()).collect::<Vec<_>>(), ["current", "pinned"]);
        for r in results {
            let text = r["scenario_as_run"].as_str().unwrap();
            assert_eq!(r["provenance"]["scenario_sha256"], crate::model::scenario::sha256_hex(text).as_str());
            assert_eq!(r["provenance"]["runs"], 100);
        }
        assert_eq!(sidecar_path(Path::new("/a/b.csv")), PathBuf::from("/a/b.json"));
        assert_eq!(sidecar_path(Path::new("/a/b")), PathBuf::from("/a/b.json"));
        assert_eq!(sidecar_path(Path::new("/a/b.json")), PathBuf::from("/a/b_provenance.json"), "never the CSV itself");
    }

    #[test]
    fn heat_maps_go_beside_the_sweep() {
        assert_eq!(
            with_suffix(Path::new("/a/b_thresholds.csv"), "_heatmap"),
            PathBuf::from("/a/b_thresholds_heatmap.csv")
        );
        assert_eq!(with_suffix(Path::new("plain"), "_heatmap"), PathBuf::from("plain_heatmap"));
    }
}
