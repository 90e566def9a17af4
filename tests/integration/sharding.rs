//! `--shard K/N` and `tierlab merge`: shards merged give the files of one machine byte for
//! byte (wall time and threads aside), with and without correlated parameters, for every
//! command (`run`, `sweep`, `sensitivity`, `decide`, `report`, `figures`); shards that do not
//! fit together are refused as invalid input.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::support::{BASELINE, BASELINE_V1, baseline_file, read, run_bin, temp_toml};

const RUN_FILES: [&str; 4] = ["runs.csv", "jurisdictions.csv", "params.csv", "series.csv"];

fn ok(args: &[OsString]) -> String {
    let out = run_bin(args);
    assert_eq!(out.status.code(), Some(0), "tierlab {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn args(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    parts.iter().map(|p| p.as_ref().to_os_string()).collect()
}

/// A JSON file without what may differ between one machine and a merge.
fn json_without_timing(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&read(path)).expect("json");
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("threads");
                m.remove("wall_time_s");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v
}

/// Runs `command` (with `extra` arguments) whole, then as `n` shards merged, and checks the
/// merged `files` and `json` against the whole run's.
fn assert_merge_equal(command: &str, file: &Path, extra: &[&str], n: u64, files: &[&str], json: &str) {
    let root = tempfile::tempdir().expect("dir");
    let whole = root.path().join("whole");
    let mut a = args(&[&command, &file]);
    a.extend(extra.iter().map(OsString::from));
    let mut w = a.clone();
    w.extend(args(&[&"--quiet", &"--threads", &"2", &"--out", &whole]));
    ok(&w);
    let mut shard_dirs: Vec<PathBuf> = Vec::new();
    // Shards in reverse order and one thread each: neither may matter.
    for k in (1..=n).rev() {
        let dir = root.path().join(format!("shard-{k}"));
        let mut s = a.clone();
        s.extend(args(&[&"--quiet", &"--threads", &"1", &"--shard", &format!("{k}/{n}"), &"--out", &dir]));
        let printed = ok(&s);
        assert!(printed.contains(&format!("shard {k}/{n}")), "{printed}");
        shard_dirs.push(dir);
    }
    let merged = root.path().join("merged");
    let mut m = args(&[&"merge", &"--quiet", &"--out", &merged]);
    m.extend(shard_dirs.iter().map(OsString::from));
    ok(&m);
    for name in files {
        let (x, y) = (read(&whole.join(name)), read(&merged.join(name)));
        assert!(x.lines().count() > 1, "{name} has rows");
        assert!(x == y, "{command}: {name} of {n} merged shards differs from one machine's");
    }
    assert_eq!(
        json_without_timing(&whole.join(json)),
        json_without_timing(&merged.join(json)),
        "{command}: {json} of {n} merged shards"
    );
}

#[test]
fn run_shards_merge_to_one_machines_files_at_1_3_and_7_shards() {
    for n in [1, 3, 7] {
        // 1,000 runs: seven shards of 142-143 runs, none a multiple of a batch or a block.
        assert_merge_equal("run", &baseline_file(), &["--runs", "1000"], n, &RUN_FILES, "summary.json");
    }
}

#[test]
fn run_shards_merge_with_correlated_parameters() {
    let text = format!(
        "{BASELINE}\n[[correlation]]\na = \"world.misuse_rate\"\nb = \"world.severity_min\"\nrho = 0.6\n\n\
         [[correlation]]\na = \"world.growth\"\nb = \"world.leak_closed\"\nrho = -0.4\n"
    );
    let f = temp_toml(text.as_bytes());
    for n in [1, 3, 7] {
        assert_merge_equal("run", f.path(), &["--runs", "1500"], n, &RUN_FILES, "summary.json");
    }
}

/// Uncertain jurisdiction attributes, one of them correlated with a world parameter: drawn
/// by run number, so shards merge to one machine's bytes.
#[test]
fn run_shards_merge_with_uncertain_jurisdiction_attributes() {
    // Model v1's baseline, whose attributes are all fixed: two of them made uncertain here.
    let text = BASELINE_V1
        .replacen(
            "\napi_access = 0.85\n",
            "\napi_access = { dist = \"pert\", min = 0.7, mode = 0.85, max = 0.95 }\n",
            1,
        )
        .replacen("\nleak_multiplier = 1.5\n", "\nleak_multiplier = { dist = \"uniform\", min = 1.0, max = 2.0 }\n", 1);
    let text =
        format!("{text}\n[[correlation]]\na = \"world.growth\"\nb = \"jurisdiction.US.api_access\"\nrho = 0.5\n");
    let s = tierlab::model::Scenario::parse(&text, "t").expect("valid");
    let v1 = tierlab::model::Scenario::parse(BASELINE_V1, "baseline_v1.toml").expect("model v1's baseline");
    assert_eq!(s.uncertain_params().len(), v1.uncertain_params().len() + 2);
    let f = temp_toml(text.as_bytes());
    assert_merge_equal("run", f.path(), &["--runs", "1000"], 3, &RUN_FILES, "summary.json");
}

#[test]
fn series_cover_every_run() {
    let dir = tempfile::tempdir().expect("dir");
    ok(&args(&[&"run", &"baseline", &"--runs", &"25000", &"--quiet", &"--out", &dir.path()]));
    let v: serde_json::Value = serde_json::from_str(&read(&dir.path().join("summary.json"))).expect("json");
    assert_eq!(v["meta"]["series_runs"], 25000);
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").all(|e| !e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .contains(".tmp"))
    );
}

#[test]
fn sweep_and_sensitivity_shards_merge_to_one_machines_files() {
    // Grid values with no short decimal form (25.1 + k * 0.7 / 3): the merge reads the
    // command's configuration back from partial.json and must get the very same numbers.
    let sweep = ["--runs", "600", "--from", "25.1", "--to", "26.5", "--steps", "7", "--max-p-catastrophe", "0.3"];
    assert_merge_equal("sweep", &baseline_file(), &sweep, 3, &["sweep.csv"], "sweep.json");
    let sweep2 = [
        "--runs",
        "400",
        "--from",
        "25",
        "--to",
        "29",
        "--steps",
        "3",
        "--param2",
        "world.hazard_threshold",
        "--from2",
        "26",
        "--to2",
        "29",
        "--steps2",
        "3",
    ];
    assert_merge_equal("sweep", &baseline_file(), &sweep2, 3, &["sweep2d.csv"], "sweep.json");
    let sens = ["--runs", "500", "--output", "harm"];
    assert_merge_equal("sensitivity", &baseline_file(), &sens, 3, &["sensitivity.csv"], "sensitivity.json");
}

#[test]
fn decide_shards_merge_to_one_machines_files_at_3_shards() {
    let extra = ["--runs", "900", "--policy", "Global tiered 1e27", "--event", "net-below", "--against", "Status quo"];
    let files = ["discovery.csv", "discovery_box.csv", "robustness.csv", "value_of_information.csv"];
    assert_merge_equal("decide", &baseline_file(), &extra, 3, &files, "decision.json");
}

/// Every file of two report directories, the same bytes (figures, PNG and SVG), JSON equal
/// apart from timing and threads, text equal apart from the lines that report them.
fn assert_same_report(whole: &Path, merged: &Path) {
    let mut names: Vec<PathBuf> = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(whole.join(&rel)).expect("dir") {
            let entry = entry.expect("entry");
            let name = rel.join(entry.file_name());
            if entry.file_type().expect("type").is_dir() { stack.push(name) } else { names.push(name) }
        }
    }
    names.sort();
    assert!(names.len() > 30, "a report has its figures: {names:?}");
    let untimed = |p: &Path| -> String {
        read(p).lines().filter(|l| !l.contains("Wall time") && !l.contains("Threads (")).collect::<Vec<_>>().join("\n")
    };
    for name in names {
        let (a, b) = (whole.join(&name), merged.join(&name));
        match name.extension().and_then(|e| e.to_str()) {
            Some("json") => assert_eq!(json_without_timing(&a), json_without_timing(&b), "{}", name.display()),
            Some("md" | "html") => assert!(untimed(&a) == untimed(&b), "{} differs", name.display()),
            _ => assert!(
                std::fs::read(&a).expect("read") == std::fs::read(&b).expect("read"),
                "{} differs",
                name.display()
            ),
        }
    }
}

#[test]
fn report_shards_merge_to_one_machines_report_at_3_shards() {
    let root = tempfile::tempdir().expect("dir");
    let whole = root.path().join("whole");
    // A 5-point threshold grid keeps the debug build quick; every analysis runs.
    let extra = ["--runs", "600", "--steps", "5", "--format", "svg,png", "--quiet"];
    let mut a = args(&[&"report", &baseline_file()]);
    a.extend(extra.iter().map(OsString::from));
    let mut w = a.clone();
    w.extend(args(&[&"--out", &whole]));
    ok(&w);
    let mut dirs = Vec::new();
    for k in 1..=3 {
        let dir = root.path().join(format!("shard-{k}"));
        let mut s = a.clone();
        s.extend(args(&[&"--threads", &"1", &"--shard", &format!("{k}/3"), &"--out", &dir]));
        ok(&s);
        dirs.push(dir);
    }
    let merged = root.path().join("merged");
    let mut m = args(&[&"merge", &"--quiet", &"--out", &merged]);
    m.extend(dirs.iter().map(OsString::from));
    ok(&m);
    assert_same_report(&whole, &merged);
}

fn code(a: &[OsString]) -> (Option<i32>, String) {
    let out = run_bin(a);
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn shards_that_do_not_fit_together_are_refused() {
    let root = tempfile::tempdir().expect("dir");
    let shard = |k: u64, n: u64, runs: &str, name: &str| -> PathBuf {
        let dir = root.path().join(name);
        ok(&args(&[
            &"run",
            &"baseline",
            &"--runs",
            &runs,
            &"--quiet",
            &"--shard",
            &format!("{k}/{n}"),
            &"--out",
            &dir,
        ]));
        dir
    };
    let a1 = shard(1, 3, "90", "a1");
    let a2 = shard(2, 3, "90", "a2");
    let a3 = shard(3, 3, "90", "a3");
    let b2 = shard(2, 3, "120", "b2");
    let out = root.path().join("out");
    let merge = |dirs: &[&PathBuf]| {
        let mut m = args(&[&"merge", &"--out", &out]);
        m.extend(dirs.iter().map(OsString::from));
        code(&m)
    };
    let (c, e) = merge(&[&a1, &a3]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("shards missing: 2/3"), "{e}");
    let (c, e) = merge(&[&a1, &a2, &a2, &a3]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("given twice"), "{e}");
    let (c, e) = merge(&[&a1, &b2, &a3]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("different commands"), "{e}");
    let (c, e) = merge(&[&a1, &root.path().join("nowhere"), &a3]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("partial.json"), "{e}");
    // A truncated shard is named, not a panic.
    let bin = a2.join("results.bin");
    let bytes = std::fs::read(&bin).expect("read");
    std::fs::write(&bin, &bytes[..bytes.len() / 2]).expect("write");
    let (c, e) = merge(&[&a1, &a2, &a3]);
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("results.bin"), "{e}");
    // Bad --shard arguments.
    for bad in ["0/3", "4/3", "3", "x/y"] {
        let (c, e) = code(&args(&[&"run", &"baseline", &"--shard", &bad, &"--out", &root.path().join("bad")]));
        assert_eq!(c, Some(2), "{bad}: {e}");
        assert!(e.contains("K/N"), "{e}");
    }
    let (c, e) = code(&args(&[&"run", &"baseline", &"--shard", &"1/2"]));
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("--out"), "{e}");
    let (c, e) =
        code(&args(&[&"run", &"baseline", &"--runs", &"5", &"--shard", &"1/6", &"--out", &root.path().join("x")]));
    assert_eq!(c, Some(2), "{e}");
    assert!(e.contains("at most 5"), "{e}");
}
