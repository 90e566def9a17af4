//! The binary's interface: `run --out DIR` writes exactly SCENARIO.md's files with its headers,
//! summary.json agrees with runs.csv, and the exit codes.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tierlab::model::Scenario;

use crate::support::{BASELINE, baseline_file, read, run_bin, temp_toml};

const RUNS: usize = 150;

/// `tierlab run baseline.toml --runs 150 --threads 2 --quiet --out DIR` into a fresh directory.
fn run_baseline() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let out_dir = dir.path().join("out");
    let args: Vec<OsString> = vec![
        "run".into(),
        baseline_file().into(),
        "--runs".into(),
        RUNS.to_string().into(),
        "--threads".into(),
        "2".into(),
        "--quiet".into(),
        "--out".into(),
        out_dir.into(),
    ];
    let out = run_bin(&args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

fn out(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("out")
}

/// A CSV file as its header and rows (the files hold no quoted commas except policy names,
/// which the csv crate handles).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().expect("header").iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.expect("record").iter().map(str::to_string).collect()).collect();
    (header, rows)
}

fn f(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Quantile type 7 of sorted data.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

#[test]
fn help_and_version_exit_zero() {
    for args in [&["--help"][..], &["-h"], &["--version"], &["run", "--help"], &["validate", "--help"]] {
        let out = run_bin(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stdout.is_empty(), "{args:?} prints something");
    }
    let help = String::from_utf8_lossy(&run_bin(&["--help"]).stdout).to_string();
    assert!(help.contains("validate") && help.contains("run"), "{help}");
}

#[test]
fn bad_arguments_exit_two() {
    let file = baseline_file();
    let file = file.to_str().expect("utf-8 path");
    for args in [
        &["run", file, "--runs", "0"][..],
        &["run", file, "--threads", "0"],
        &["run", file, "--runs", "many"],
        &["validate"],
    ] {
        let out = run_bin(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn run_on_an_invalid_scenario_exits_two_and_writes_nothing() {
    let text = BASELINE.replacen("years = 10", "years = 0", 1);
    let file = temp_toml(text.as_bytes());
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("out");
    let args: Vec<OsString> = vec!["run".into(), file.path().into(), "--out".into(), target.clone().into()];
    let out = run_bin(&args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("run.years"), "{stderr}");
    assert!(!target.join("runs.csv").exists(), "nothing is written for an invalid scenario");
}

#[test]
fn run_without_out_prints_a_summary_of_every_policy() {
    let out = run_bin(&["run", "baseline", "--runs", "40", "--quiet", "--seed", "3"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for p in Scenario::built_in().policies() {
        assert!(stdout.contains(&p.name), "{} missing from:\n{stdout}", p.name);
    }
}

#[test]
fn run_writes_exactly_the_documented_files_and_headers() {
    let dir = run_baseline();
    let out = out(&dir);
    let names: BTreeSet<String> = std::fs::read_dir(&out)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    let expected: BTreeSet<String> =
        ["runs.csv", "jurisdictions.csv", "params.csv", "series.csv", "summary.json"].map(String::from).into();
    assert_eq!(names, expected);
    let first_line = |name: &str| read(&out.join(name)).lines().next().unwrap_or_default().to_string();
    assert_eq!(
        first_line("runs.csv"),
        "run,policy,benefit,harm,net,events,catastrophes,max_event,open_pool_end,hazard_year"
    );
    assert_eq!(first_line("jurisdictions.csv"), "run,policy,jurisdiction,benefit,harm,share_end");
    assert_eq!(first_line("params.csv"), "run,param,value");
    assert_eq!(first_line("series.csv"), "policy,year,metric,p5,p25,p50,p75,p95,mean");
}

#[test]
fn run_files_hold_one_row_per_run_policy_and_jurisdiction() {
    let dir = run_baseline();
    let out = out(&dir);
    let s = Scenario::built_in();
    let policies: Vec<&str> = s.policies().iter().map(|p| p.name.as_str()).collect();
    let jurisdictions: Vec<&str> = s.jurisdictions().iter().map(|j| j.name.as_str()).collect();
    let (np, nj) = (policies.len(), jurisdictions.len());

    let (_, runs) = csv(&out.join("runs.csv"));
    assert_eq!(runs.len(), RUNS * np);
    let mut benefit = BTreeMap::new();
    for (k, row) in runs.iter().enumerate() {
        assert_eq!(row[0], (k / np).to_string(), "runs are numbered from 0, in order");
        assert_eq!(row[1], policies[k % np]);
        let (b, h, net) = (f(&row[2]), f(&row[3]), f(&row[4]));
        assert!(b >= 0.0 && h >= 0.0, "{row:?}");
        assert_eq!(net, b - h, "net = benefit - harm: {row:?}");
        let events: u32 = row[5].parse().expect("events");
        let cats: u32 = row[6].parse().expect("catastrophes");
        assert!(cats <= events, "{row:?}");
        assert!(f(&row[7]) >= 0.0 && f(&row[8]).is_finite(), "{row:?}");
        if !row[9].is_empty() {
            let y = f(&row[9]);
            assert!((0.0..10.0).contains(&y), "hazard_year in [0, years): {row:?}");
        }
        benefit.insert((row[0].clone(), row[1].clone()), b);
    }

    let (_, jur) = csv(&out.join("jurisdictions.csv"));
    assert_eq!(jur.len(), RUNS * np * nj);
    let mut sums: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    for (k, row) in jur.iter().enumerate() {
        assert_eq!(row[0], (k / (np * nj)).to_string());
        assert_eq!(row[1], policies[(k / nj) % np]);
        assert_eq!(row[2], jurisdictions[k % nj]);
        let e = sums.entry((row[0].clone(), row[1].clone())).or_default();
        e.0 += f(&row[3]);
        e.1 += f(&row[5]);
    }
    for (key, (b, share)) in &sums {
        assert!(close(*b, benefit[key]), "{key:?}: jurisdiction benefits sum to {b}, run benefit {}", benefit[key]);
        assert!((share - 1.0).abs() < 1e-9, "{key:?}: final shares sum to {share}");
    }

    let (_, params) = csv(&out.join("params.csv"));
    let uncertain: Vec<String> = s.uncertain_params().iter().map(|&i| s.param_key(i)).collect();
    assert_eq!(params.len(), RUNS * uncertain.len());
    for (k, row) in params.iter().enumerate() {
        assert_eq!(row[0], (k / uncertain.len()).to_string());
        assert_eq!(row[1], uncertain[k % uncertain.len()]);
        assert!(f(&row[2]).is_finite());
    }

    let (_, series) = csv(&out.join("series.csv"));
    let mut metrics: Vec<String> = ["frontier", "open_pool", "cum_benefit", "cum_harm"].map(String::from).to_vec();
    metrics.extend(jurisdictions.iter().map(|j| format!("share:{j}")));
    let steps = s.run().steps();
    assert_eq!(series.len(), np * steps * metrics.len());
    for (k, row) in series.iter().enumerate() {
        assert_eq!(row[0], policies[k / (steps * metrics.len())]);
        let t = (k / metrics.len()) % steps;
        assert!((f(&row[1]) - (t + 1) as f64 * s.run().dt()).abs() < 1e-12, "year of step {t}: {row:?}");
        assert_eq!(row[2], metrics[k % metrics.len()]);
        let q: Vec<f64> = row[3..8].iter().map(|x| f(x)).collect();
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "percentiles in order: {row:?}");
        let mean = f(&row[8]);
        assert!(mean.is_finite(), "{row:?}");
    }
}

#[test]
fn summary_json_carries_provenance_and_agrees_with_runs_csv() {
    let dir = run_baseline();
    let out = out(&dir);
    let json: serde_json::Value = serde_json::from_str(&read(&out.join("summary.json"))).expect("summary.json");
    let meta = &json["meta"];
    assert_eq!(meta["seed"], 20_261_122);
    assert_eq!(meta["runs"], RUNS);
    assert_eq!(meta["threads"], 2);
    assert_eq!(meta["version"], env!("CARGO_PKG_VERSION"));
    assert!(meta["wall_time_s"].as_f64().is_some_and(|t| t >= 0.0));
    let hash = meta["scenario_sha256"].as_str().expect("scenario_sha256");
    assert_eq!(hash.len(), 64);
    assert!(hash.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let bytes = std::fs::read(baseline_file()).expect("baseline");
    let expected: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hash, expected, "sha256 of the scenario file");

    let s = Scenario::built_in();
    let (_, runs) = csv(&out.join("runs.csv"));
    let column =
        |policy: &str, c: usize| -> Vec<f64> { runs.iter().filter(|r| r[1] == policy).map(|r| f(&r[c])).collect() };
    let baseline_net = column(&s.reference_policy().name, 4);
    let policies = json["policies"].as_object().expect("policies");
    assert_eq!(policies.len(), s.policies().len());
    for p in s.policies() {
        let ps = &policies[&p.name];
        for (key, c) in [("benefit", 2), ("harm", 3), ("net", 4)] {
            let xs = column(&p.name, c);
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let se = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() / n.sqrt();
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            for (field, want) in [
                ("mean", mean),
                ("se", se),
                ("p5", quantile(&sorted, 0.05)),
                ("p50", quantile(&sorted, 0.5)),
                ("p95", quantile(&sorted, 0.95)),
            ] {
                let got = ps[key][field].as_f64().unwrap_or_else(|| panic!("{}: {key}.{field} missing", p.name));
                assert!(close(got, want), "{}: {key}.{field} = {got}, runs.csv gives {want}", p.name);
            }
        }
        let mut harm = column(&p.name, 3);
        harm.sort_by(f64::total_cmp);
        let k = (0.05 * harm.len() as f64).ceil() as usize;
        let cvar = harm[harm.len() - k..].iter().sum::<f64>() / k as f64;
        let got = ps["cvar95_harm"].as_f64().expect("cvar95_harm");
        assert!(close(got, cvar), "{}: cvar95_harm {got} vs {cvar}", p.name);
        let cats = column(&p.name, 6);
        let p_cat = cats.iter().filter(|&&c| c > 0.0).count() as f64 / cats.len() as f64;
        assert!(close(ps["p_catastrophe"].as_f64().expect("p_catastrophe"), p_cat), "{}", p.name);
        let net = column(&p.name, 4);
        let better = net.iter().zip(&baseline_net).filter(|(a, b)| a > b).count() as f64 / net.len() as f64;
        let got = ps["p_better_than_baseline"].as_f64().expect("p_better_than_baseline");
        assert!(close(got, better), "{}: p_better_than_baseline {got} vs {better}", p.name);
    }
    assert_eq!(
        policies[&s.reference_policy().name]["p_better_than_baseline"],
        0.0,
        "never strictly better than itself"
    );
}

#[test]
fn seed_and_runs_flags_override_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let args: Vec<OsString> = vec![
        "run".into(),
        baseline_file().into(),
        "--runs".into(),
        "7".into(),
        "--seed".into(),
        "42".into(),
        "--quiet".into(),
        "--out".into(),
        dir.path().into(),
    ];
    let out = run_bin(&args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&read(&dir.path().join("summary.json"))).expect("json");
    assert_eq!(json["meta"]["seed"], 42);
    assert_eq!(json["meta"]["runs"], 7);
    let (_, runs) = csv(&dir.path().join("runs.csv"));
    assert_eq!(runs.len(), 7 * tierlab::model::Scenario::built_in().policies().len());
}

/// A rate may take an unbounded distribution: `misuse_rate = lognormal(median 2, p95 5000)`
/// validates, its draws above the 10,000/yr cap are clamped to the cap, and summary.json
/// counts them (as many as params.csv shows at the cap, and about as many as the lognormal's
/// tail holds). A bounded distribution past the cap is still refused, saying what is allowed.
/// Scenarios without clamps keep summary.json without the key.
#[test]
fn an_unbounded_rate_is_clamped_at_its_cap_and_the_clamps_are_counted() {
    let text = BASELINE.replace(
        "misuse_rate = { dist = \"pert\", min = 0.5, mode = 2.0, max = 10.0 }",
        "misuse_rate = { dist = \"lognormal\", median = 2.0, p95 = 5000.0 }",
    );
    assert_ne!(text, BASELINE, "the baseline's misuse_rate line");
    let file = temp_toml(text.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let runs = 2_000;
    let o = run_bin(&[
        OsString::from("run"),
        file.path().into(),
        "--runs".into(),
        runs.to_string().into(),
        "--quiet".into(),
        "--out".into(),
        dir.path().into(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let params = read(&dir.path().join("params.csv"));
    let at_cap =
        params.lines().filter(|l| l.contains(",world.misuse_rate,")).filter(|l| l.ends_with(",10000.0")).count();
    let above = params
        .lines()
        .filter(|l| l.contains(",world.misuse_rate,"))
        .filter_map(|l| l.rsplit(',').next()?.parse::<f64>().ok())
        .filter(|&x| x > 10_000.0)
        .count();
    assert_eq!(above, 0, "no draw above the cap reaches the engine");
    let summary: serde_json::Value = serde_json::from_str(&read(&dir.path().join("summary.json"))).unwrap();
    assert_eq!(summary["clamped_draws"]["world.misuse_rate"].as_u64(), Some(at_cap as u64));
    // P(X > 10,000) for the lognormal: sigma = ln(5000/2)/1.645, z = ln(10000/2)/sigma.
    let sigma = (5000.0f64 / 2.0).ln() / 1.6448536269514722;
    let z = (10_000.0f64 / 2.0).ln() / sigma;
    let p = 0.5 * statrs::function::erf::erfc(z / std::f64::consts::SQRT_2);
    let (mean, sd) = (p * runs as f64, (p * (1.0 - p) * runs as f64).sqrt());
    assert!((at_cap as f64 - mean).abs() < 5.0 * sd, "{at_cap} clamps, expected {mean:.1} ± {sd:.1}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("clamped"), "the run says so");

    let bounded = BASELINE.replace(
        "misuse_rate = { dist = \"pert\", min = 0.5, mode = 2.0, max = 10.0 }",
        "misuse_rate = { dist = \"uniform\", min = 0.0, max = 20000.0 }",
    );
    let o = run_bin(&[OsString::from("validate"), temp_toml(bounded.as_bytes()).path().into()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("world.misuse_rate") && err.contains("lognormal") && err.contains("10000"), "{err}");

    let base = run_baseline();
    let summary = read(&out(&base).join("summary.json"));
    assert!(!summary.contains("clamped_draws"), "nothing clamped, nothing added");
}
