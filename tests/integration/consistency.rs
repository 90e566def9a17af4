//! One scenario and seed give one answer, whichever front end asks: `tierlab run --out`,
//! `tierlab report` (its figures' sidecars) and the study layer the app's workspace uses agree
//! on the summary statistics, the series percentiles, the per-jurisdiction means (also above
//! 65,536 runs, where the command line once wrote none) and the best threshold. Every number
//! is compared exactly: they come from one pipeline, so they are the same bits.

use std::path::Path;

use serde_json::Value;
use tierlab::analysis::sweep::{Constraint, best_threshold, reference_cap};
use tierlab::model::Scenario;
use tierlab::sim::Control;
use tierlab::study::{Input, Keeps, MainSimulation, ScenarioSource, StudyPlan, bootstrap_options};

use crate::support::{BASELINE, read, run_bin, temp_toml};

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ok(args: &[&str]) {
    let o = run_bin(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// `tierlab run FILE --runs N --out DIR` and `tierlab report FILE --runs N --out DIR`.
fn run_and_report(file: &str, runs: u64, report_args: &[&str]) -> (tempfile::TempDir, tempfile::TempDir) {
    let (run, report) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let runs = runs.to_string();
    let run_dir = run.path().display().to_string();
    ok(&["run", file, "--runs", &runs, "--quiet", "--out", &run_dir]);
    let report_dir = report.path().display().to_string();
    let mut args = vec!["report", file, "--runs", &runs, "--quiet", "--format", "svg", "--out", &report_dir];
    args.extend_from_slice(report_args);
    ok(&args);
    (run, report)
}

/// The per-jurisdiction means of summary.json and of the report's jurisdiction bars and of the
/// study's main simulation, which the app's workspace shows.
fn assert_jurisdictions_agree(summary: &Value, bars: &Value, study: &tierlab::analysis::Summary) {
    let bar_policies = bars["data"]["policies"].as_array().expect("policies");
    for (p, name) in summary["policy_order"].as_array().expect("order").iter().enumerate() {
        let from_run = summary["policies"][name.as_str().expect("name")]["jurisdictions"].as_array().expect("array");
        assert!(!from_run.is_empty(), "summary.json has per-jurisdiction means for {name}");
        let from_report = bar_policies[p]["jurisdictions"].as_array().expect("bars");
        assert_eq!(from_run.len(), from_report.len());
        for (j, (a, b)) in from_run.iter().zip(from_report).enumerate() {
            assert_eq!(a["benefit_mean"], b["benefit"]["mean"], "{name}, jurisdiction {j}: benefit");
            assert_eq!(a["benefit_se"], b["benefit"]["se"], "{name}, jurisdiction {j}: benefit se");
            assert_eq!(a["harm_mean"], b["harm"]["mean"], "{name}, jurisdiction {j}: harm");
            assert_eq!(a["harm_se"], b["harm"]["se"], "{name}, jurisdiction {j}: harm se");
            assert_eq!(a["share_end_mean"], b["share_end_mean"], "{name}, jurisdiction {j}: share");
            let s = &study.policies[p].jurisdictions[j];
            assert_eq!(a["benefit_mean"].as_f64(), Some(s.benefit_mean), "{name}, {j}: the study's benefit");
            assert_eq!(a["harm_se"].as_f64(), Some(s.harm_se), "{name}, {j}: the study's harm se");
        }
    }
}

#[test]
fn run_report_and_study_agree_on_summaries_series_and_the_best_threshold() {
    let runs = 1200;
    let file = crate::support::baseline_file().display().to_string();
    let (run, report) = run_and_report(&file, runs, &[]);
    let summary = json(&run.path().join("summary.json"));
    let figures = report.path().join("figures");

    // The study the app's workspace runs: the same main simulation, every run.
    let input = Input::new(Scenario::built_in(), ScenarioSource::new(file.clone(), BASELINE))
        .with_overrides(Some(runs), None)
        .expect("runs");
    let sim = MainSimulation::run_whole(&input, &Keeps::everything(), &Control::new()).expect("simulation");
    let text = tierlab::export::data::summary_json(&sim.summary, &sim.provenance).expect("json");
    let mut from_study: Value = serde_json::from_str(&text).expect("json");
    let mut from_run = summary.clone();
    for v in [&mut from_study, &mut from_run] {
        for key in ["wall_time_s", "threads", "scenario_file"] {
            v["meta"][key] = Value::Null;
        }
    }
    assert_eq!(from_run, from_study, "summary.json of `tierlab run` and of the study");

    // Summary statistics: the report's distribution sidecar and exceedance sidecar read the
    // same summary.
    let bars = json(&figures.join("jurisdiction_bars.json"));
    assert_jurisdictions_agree(&summary, &bars, &sim.summary);

    // Series percentiles over every run: series.csv rows and the report's fan chart of harm.
    let series = read(&run.path().join("series.csv"));
    let fan = json(&figures.join("fan_harm.json"));
    assert_eq!(fan["data"]["series_runs"], runs, "the fan chart is drawn from every run");
    let mut compared = 0;
    for (p, policy) in fan["data"]["policies"].as_array().expect("policies").iter().enumerate() {
        let name = policy["name"].as_str().expect("name");
        let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(series.as_bytes())
            .records()
            .map(|r| r.expect("a series.csv row"))
            .filter(|c| &c[0] == name && &c[2] == "cum_harm")
            .collect();
        let band = |step: usize| sim.series.as_ref().expect("series").band(p, 3, step).p95;
        // The fan starts at year 0 (nothing yet), then one point per step.
        for (t, point) in policy["points"].as_array().expect("points").iter().skip(1).enumerate() {
            let row = &rows[t];
            for (k, q) in ["p5", "p25", "p50", "p75", "p95"].iter().enumerate() {
                let csv: f64 = row[3 + k].parse().expect("number");
                assert_eq!(point[q].as_f64(), Some(csv), "{name}, step {t}, {q}: series.csv against the fan chart");
            }
            assert_eq!(point["p95"].as_f64(), Some(band(t)), "{name}, step {t}: the study's band");
            compared += 1;
        }
    }
    assert_eq!(compared, Scenario::built_in().policies().len() * 40, "every policy's every step");

    // The best threshold: the report's, and the one the app's Thresholds tab asks for (the same
    // sweep, the default cap (the reference policy's P(catastrophe)), the bootstrap seeded by
    // the scenario).
    let curves = json(&figures.join("threshold_curves.json"));
    let best = &curves["data"]["best_threshold"];
    let plan = StudyPlan::default_for(&input.scenario);
    let sweep_plan = plan.sweep.expect("the built-in scenario has a tiered policy");
    let sweep = tierlab::study::analyses::sweep(&input.scenario, &sweep_plan.spec, &Control::new()).expect("sweep");
    let cap = tierlab::workspace::settings::ThresholdSettings::default().constraint(&sweep);
    let reference_p = reference_cap(&sweep).map(|point| point.p_catastrophe);
    assert!(reference_p.is_some(), "the report's swept policy is not the reference policy");
    assert_eq!(cap, Constraint { max_p_catastrophe: reference_p, max_cvar95: None }, "the app's default cap");
    let app_best = best_threshold(&sweep, &cap, &bootstrap_options(&input.scenario));
    let app_best = serde_json::to_value(&app_best).expect("json");
    assert_eq!(best, &app_best, "the report's best threshold and the app's");
    assert_eq!(best["best"]["bootstrap"]["seed"], input.scenario.run().seed, "the bootstrap's seed is the scenario's");
}

#[test]
fn per_jurisdiction_means_agree_above_65536_runs() {
    // The built-in scenario cut to one year of one step keeps 70,000 runs quick in a debug
    // build; what is compared (every run's per-jurisdiction outcomes) is the same machinery.
    let text = BASELINE
        .lines()
        .filter(|l| !l.starts_with("years =") && !l.starts_with("steps_per_year ="))
        .collect::<Vec<_>>()
        .join("\n")
        .replacen("[run]", "[run]\nyears = 1\nsteps_per_year = 1", 1);
    let file = temp_toml(text.as_bytes());
    let path = file.path().display().to_string();
    let runs = 70_000;
    let (run, report) = run_and_report(&path, runs, &["--no-analyses"]);
    let summary = json(&run.path().join("summary.json"));
    assert_eq!(summary["meta"]["runs"], runs);
    let bars = json(&report.path().join("figures").join("jurisdiction_bars.json"));
    let input = Input::new(Scenario::parse(&text, "t.toml").expect("valid"), ScenarioSource::new(path, text.clone()))
        .with_overrides(Some(runs), None)
        .expect("runs");
    let sim = MainSimulation::run_whole(&input, &Keeps::everything(), &Control::new()).expect("simulation");
    assert_eq!(sim.summary.runs, runs as usize);
    assert_jurisdictions_agree(&summary, &bars, &sim.summary);
}
