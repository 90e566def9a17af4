//! `tierlab sweep` and `tierlab sensitivity` through the binary: argument checks (exit code 2),
//! the files they write, and their headers.

use std::process::Output;

use crate::support::run_bin;

fn baseline() -> String {
    crate::support::baseline_file().display().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and expects exit code 2 with `needle` in the message.
fn invalid(args: &[&str], needle: &str) {
    let o = run_bin(args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(stderr(&o).contains(needle), "{args:?}: expected {needle:?} in {}", stderr(&o));
}

#[test]
fn sweep_rejects_bad_arguments_with_exit_code_2() {
    let f = baseline();
    let base = ["sweep", f.as_str(), "--policy", "Global tiered 1e27", "--runs", "20"];
    let with = |extra: &[&'static str]| -> Vec<&str> { base.iter().copied().chain(extra.iter().copied()).collect() };
    invalid(&with(&["--from", "24", "--to", "30", "--steps", "1"]), "from 2 to 201");
    invalid(&with(&["--from", "24", "--to", "30", "--steps", "202"]), "from 2 to 201");
    invalid(&with(&["--from", "nan", "--to", "30"]), "finite");
    invalid(&with(&["--from", "24", "--to", "inf"]), "finite");
    invalid(&with(&["--param", "threshold", "--from", "24", "--to", "30"]), "open_below, gated_below or drift");
    invalid(
        &with(&["--from", "24", "--to", "30", "--param2", "hazard_threshold", "--from2", "27", "--to2", "28"]),
        "world.hazard_threshold",
    );
    invalid(
        &with(&["--from", "24", "--to", "30", "--param2", "world.nope", "--from2", "1", "--to2", "2"]),
        "not a world parameter",
    );
    invalid(
        &with(&["--from", "24", "--to", "30", "--param2", "world.tail_alpha", "--from2", "0", "--to2", "2"]),
        "world.tail_alpha must be a number > 0",
    );
    invalid(&with(&["--from", "24", "--to", "30", "--param2", "world.mobility"]), "--from2 and --to2");
    invalid(&with(&["--from", "24", "--to", "30", "--steps2", "5"]), "need --param2");
    invalid(&with(&["--from", "24", "--to", "30", "--max-p-catastrophe", "1.5"]), "in [0, 1]");
    invalid(
        &["sweep", &f, "--policy", "global tiered 1e27", "--from", "24", "--to", "30"],
        "the policies are \"Status quo\", \"Global tiered 1e27\"",
    );
    invalid(
        &["sweep", &f, "--policy", "All open", "--from", "24", "--to", "30"],
        "policy \"All open\" has no tiered regime",
    );
}

#[test]
fn sweep_writes_csv_and_json_with_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let f = baseline();
    let o = run_bin(&[
        "sweep",
        &f,
        "--param",
        "open_below",
        "--from",
        "26",
        "--to",
        "28",
        "--steps",
        "5",
        "--runs",
        "200",
        "--seed",
        "11",
        "--max-p-catastrophe",
        "0.3",
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Global tiered 1e27"), "the first tiered policy is the default: {stdout}");
    assert!(stdout.contains("<- current"), "{stdout}");
    let csv = std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with(
        "value,benefit_mean,benefit_se,harm_mean,harm_se,net_mean,net_se,p_catastrophe,p_catastrophe_lo,\
         p_catastrophe_hi,cvar95_harm,hazard_year_median,open_share_end,p_better_than_current,net_diff_mean,\
         net_diff_se,p_better_than_baseline"
    ));
    let values: Vec<f64> = lines.map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(values, vec![26.0, 26.5, 27.0, 27.5, 28.0]);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sweep.json")).unwrap()).unwrap();
    let text = std::fs::read_to_string(&f).unwrap();
    assert_eq!(json["provenance"]["scenario_sha256"], tierlab::model::scenario::sha256_hex(&text));
    assert_eq!(json["provenance"]["version"], tierlab::VERSION);
    assert_eq!(json["provenance"]["seed"], 11);
    assert_eq!(json["provenance"]["runs"], 200);
    assert_eq!(json["points"].as_array().unwrap().len(), 5);
    assert_eq!(json["current_value"], 27.0);
    assert_eq!(json["best_threshold"]["constraint"]["max_p_catastrophe"], 0.3);
    assert!(json["best_threshold"]["statement"].as_str().unwrap().len() > 10);

    // Same seed, same file, another thread count: identical numbers.
    let dir2 = tempfile::tempdir().unwrap();
    let out2 = dir2.path().display().to_string();
    let o = run_bin(&[
        "sweep",
        &f,
        "--from",
        "26",
        "--to",
        "28",
        "--steps",
        "5",
        "--runs",
        "200",
        "--seed",
        "11",
        "--threads",
        "1",
        "--max-p-catastrophe",
        "0.3",
        "--out",
        &out2,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(csv, std::fs::read_to_string(dir2.path().join("sweep.csv")).unwrap());
}

#[test]
fn sweep_2d_writes_one_row_per_cell() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let f = baseline();
    let o = run_bin(&[
        "sweep",
        &f,
        "--policy",
        "Unilateral tiered (US, EU, UK)",
        "--from",
        "26",
        "--to",
        "29",
        "--steps",
        "3",
        "--param2",
        "world.mobility",
        "--from2",
        "0.1",
        "--to2",
        "1",
        "--steps2",
        "4",
        "--runs",
        "100",
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.path().join("sweep2d.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().starts_with("value,value2,net_diff_mean,net_diff_se,p_better_than_baseline,net_mean,")
    );
    assert_eq!(lines.count(), 12);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["kind"], "sweep2d");
    assert_eq!(json["param2"], "world.mobility");
    assert!(json["contour_p_better_half"].is_array());
}

#[test]
fn sensitivity_ranks_by_swing_and_writes_the_worst_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let f = baseline();
    let o = run_bin(&[
        "sensitivity",
        &f,
        "--output",
        "harm",
        "--policy",
        "Global tiered 1e27",
        "--runs",
        "200",
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(dir.path().join("sensitivity.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("param,spearman,prcc,low,high,swing"));
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(String::from).collect()).collect();
    assert_eq!(rows.len(), tierlab::model::Scenario::built_in().uncertain_params().len());
    assert!(rows.iter().all(|r| r[0].starts_with("world.") || r[0].starts_with("jurisdiction.")));
    let swings: Vec<f64> = rows.iter().map(|r| r[5].parse().unwrap()).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sensitivity.json")).unwrap()).unwrap();
    assert_eq!(json["tail"]["runs"], 10);
    assert_eq!(json["tail"]["by"], "harm");
    assert_eq!(json["output"], "harm");

    invalid(&["sensitivity", &f, "--output", "welfare", "--runs", "20"], "benefit, harm, net, net_diff");
    invalid(&["sensitivity", &f, "--policy", "Nope", "--runs", "20"], "the policies are");
    invalid(&["sensitivity", &f, "--output", "net_diff", "--runs", "20"], "choose another --policy");
}
