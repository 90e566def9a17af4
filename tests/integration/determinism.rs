//! Same seed and file give identical results whatever the thread count; a run's result does
//! not depend on the total number of runs, the range it is simulated in, or the policies
//! beside it; policies share their random numbers (common random numbers).

use std::path::Path;

use tierlab::model::{Policy, Regime, Scenario};
use tierlab::sim::{Control, Engine, JurisdictionOutcome, Outcome, ParamTable, Record, Results, SimOptions};

use crate::support::{BASELINE, Spec, read, run_bin, sim, temp_toml};

fn same_outcome(a: &Outcome, b: &Outcome) -> bool {
    a.benefit.to_bits() == b.benefit.to_bits()
        && a.harm.to_bits() == b.harm.to_bits()
        && a.max_event.to_bits() == b.max_event.to_bits()
        && a.open_pool_end.to_bits() == b.open_pool_end.to_bits()
        && a.hazard_year.to_bits() == b.hazard_year.to_bits()
        && a.events == b.events
        && a.catastrophes == b.catastrophes
}

fn same_jurisdiction(a: &JurisdictionOutcome, b: &JurisdictionOutcome) -> bool {
    a.benefit.to_bits() == b.benefit.to_bits()
        && a.harm.to_bits() == b.harm.to_bits()
        && a.share_end.to_bits() == b.share_end.to_bits()
}

fn everything() -> Record {
    Record { jurisdictions: true, series_runs: u64::MAX, params: true }
}

fn baseline(runs: u64) -> Scenario {
    Scenario::built_in().with_runs(runs).expect("a valid run count")
}

/// Runs `tierlab run FILE --runs RUNS --threads T --out DIR`.
fn run_cli(file: &Path, runs: u64, threads: u32, dir: &Path) {
    let args: Vec<std::ffi::OsString> = vec![
        "run".into(),
        file.into(),
        "--runs".into(),
        runs.to_string().into(),
        "--threads".into(),
        threads.to_string().into(),
        "--quiet".into(),
        "--out".into(),
        dir.into(),
    ];
    let out = run_bin(&args);
    assert_eq!(out.status.code(), Some(0), "tierlab run failed:\n{}", String::from_utf8_lossy(&out.stderr));
}

/// summary.json without what legitimately differs between the two runs (threads, wall time).
fn summary_without_timing(dir: &Path) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(&read(&dir.join("summary.json"))).expect("summary.json");
    let meta = v.get_mut("meta").and_then(|m| m.as_object_mut()).expect("meta");
    meta.remove("threads");
    meta.remove("wall_time_s");
    v
}

fn assert_thread_independent(file: &Path, runs: u64) {
    let one = tempfile::tempdir().expect("dir");
    let two = tempfile::tempdir().expect("dir");
    run_cli(file, runs, 1, one.path());
    run_cli(file, runs, 2, two.path());
    for name in ["runs.csv", "jurisdictions.csv", "params.csv", "series.csv"] {
        let (a, b) = (read(&one.path().join(name)), read(&two.path().join(name)));
        assert!(a.lines().count() > 1, "{name} has rows");
        assert!(a == b, "{name} differs between --threads 1 and --threads 2");
    }
    assert_eq!(summary_without_timing(one.path()), summary_without_timing(two.path()));
}

#[test]
fn output_files_do_not_depend_on_the_thread_count() {
    // 300 runs: three batches of the driver, so two threads really split the work.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    assert_thread_independent(&file, 300);
}

#[test]
fn correlated_draws_do_not_depend_on_the_thread_count() {
    let text = format!(
        "{BASELINE}\n[[correlation]]\na = \"world.growth\"\nb = \"world.hazard_threshold\"\nrho = 0.6\n\n\
         [[correlation]]\na = \"world.misuse_rate\"\nb = \"world.api_misuse\"\nrho = -0.4\n"
    );
    let file = temp_toml(text.as_bytes());
    assert_thread_independent(file.path(), 300);
}

#[test]
fn same_seed_same_results_and_another_seed_other_results() {
    let s = baseline(200);
    let (a, b) = (sim(&s, everything()), sim(&s, everything()));
    assert!(a.outcomes.iter().zip(&b.outcomes).all(|(x, y)| same_outcome(x, y)));
    assert_eq!(a.series, b.series);
    assert_eq!(a.params, b.params);
    let other = s.clone().with_seed(s.run().seed + 1).unwrap();
    let c = sim(&other, everything());
    let differing = a.outcomes.iter().zip(&c.outcomes).filter(|(x, y)| !same_outcome(x, y)).count();
    assert!(differing > a.outcomes.len() / 2, "a new seed must give new worlds ({differing} rows differ)");
}

#[test]
fn one_thread_and_two_threads_agree_in_the_library() {
    let s = baseline(400);
    let run = |threads| {
        let opts = SimOptions {
            threads: Some(threads),
            record: everything(),
            param_overrides: Vec::new(),
            ..SimOptions::default()
        };
        tierlab::sim::simulate(&s, &opts, &Control::new()).expect("simulate")
    };
    let (a, b) = (run(1), run(2));
    assert!(a.outcomes.iter().zip(&b.outcomes).all(|(x, y)| same_outcome(x, y)));
    assert!(a.jurisdictions.iter().zip(&b.jurisdictions).all(|(x, y)| same_jurisdiction(x, y)));
    assert_eq!(a.series, b.series);
    assert_eq!(a.params, b.params);
}

#[test]
fn identical_policies_give_identical_rows() {
    let mut s = baseline(300).to_draft();
    let n = s.policies.len();
    let open = s.policies.iter().position(|p| p.name == "All open").expect("an open policy");
    for i in [1, 3] {
        let mut copy = s.policies[i].clone();
        copy.name = format!("Copy of {}", copy.name);
        s.policies.push(copy);
    }
    // The same regimes written differently: a default plus overrides that equal the default.
    s.policies.push(Policy {
        name: "Open, spelled out".into(),
        default: Regime::Open,
        overrides: vec![(2, Regime::Open)],
        levers: Default::default(),
    });
    let s = s.check().unwrap();
    let r = sim(&s, everything());
    let nj = r.n_jurisdictions;
    for (copy, original) in [(n, 1), (n + 1, 3), (n + 2, open)] {
        for i in 0..r.n_runs() {
            assert!(
                same_outcome(r.outcome(i, copy), r.outcome(i, original)),
                "run {i}: policy {copy} differs from its twin {original}:\n{:?}\n{:?}",
                r.outcome(i, copy),
                r.outcome(i, original)
            );
            for j in 0..nj {
                let (a, b) = (
                    &r.jurisdictions[(i * r.n_policies + copy) * nj + j],
                    &r.jurisdictions[(i * r.n_policies + original) * nj + j],
                );
                assert!(same_jurisdiction(a, b), "run {i}, jurisdiction {j}: {a:?} vs {b:?}");
            }
        }
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for t in 0..r.steps {
            for m in 0..r.series_metrics {
                r.series_cell(copy, t, m, &mut x);
                r.series_cell(original, t, m, &mut y);
                assert_eq!(x, y, "series of policy {copy} at step {t}, metric {m}");
            }
        }
    }
}

#[test]
fn a_policy_does_not_depend_on_the_policies_beside_it() {
    let all = baseline(200);
    let r = sim(&all, everything());
    for p in 0..all.policies().len() {
        let alone = all
            .edited(|d| {
                d.policies = vec![all.policies()[p].clone()];
                d.run.reference = 0;
            })
            .unwrap();
        let a = sim(&alone, everything());
        for i in 0..r.n_runs() {
            assert!(same_outcome(a.outcome(i, 0), r.outcome(i, p)), "run {i}, policy {p} alone differs");
        }
    }
}

#[test]
fn a_run_does_not_depend_on_the_total_number_of_runs() {
    let small = sim(&baseline(100), everything());
    let large = sim(&baseline(300), everything());
    let np = small.n_policies;
    for k in 0..100 * np {
        assert!(same_outcome(&small.outcomes[k], &large.outcomes[k]), "row {k} differs");
    }
    let per_run = np * small.n_jurisdictions;
    for k in 0..100 * per_run {
        assert!(same_jurisdiction(&small.jurisdictions[k], &large.jurisdictions[k]), "jurisdiction row {k}");
    }
    let kp = small.param_ids.len();
    assert_eq!(small.params[..], large.params[..100 * kp]);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for p in 0..np {
        for t in [0, small.steps - 1] {
            for m in 0..small.series_metrics {
                small.series_cell(p, t, m, &mut x);
                large.series_cell(p, t, m, &mut y);
                assert_eq!(x[..], y[..100], "series of policy {p}, step {t}, metric {m}");
            }
        }
    }
}

#[test]
fn a_run_does_not_depend_on_the_range_it_is_simulated_in() {
    let s = baseline(300);
    let full = sim(&s, Record::default());
    let engine = Engine::new(&s);
    let correlated = ParamTable::correlated(&s, &engine, 0..s.run().runs);
    let opts = SimOptions {
        threads: Some(2),
        record: Record::default(),
        param_overrides: Vec::new(),
        ..SimOptions::default()
    };
    let part: Results =
        tierlab::sim::simulate_range(&engine, correlated.as_ref(), 150..250, &opts, &Control::new()).expect("range");
    let np = s.policies().len();
    assert_eq!(part.n_runs(), 100);
    for i in 0..100 {
        for p in 0..np {
            assert!(same_outcome(part.outcome(i, p), full.outcome(150 + i, p)), "run {} policy {p}", 150 + i);
        }
    }
}

#[test]
fn event_counts_are_monotone_in_the_rate_across_policies() {
    // Open vs closed with no leaks and no research boost: both see the same frontier K, and the
    // open pool under "Open" is never below the closed one, so its rate is never lower in any
    // step; with one shared uniform per step its count is never lower either.
    let mut spec = Spec::new()
        .fix("research_boost", 0.0)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .raw("hazard_threshold", "{ dist = \"uniform\", min = 26.5, max = 28.0 }")
        .raw("misuse_rate", "{ dist = \"uniform\", min = 1.0, max = 20.0 }")
        .policy("Closed", "\"closed\"");
    spec.runs = 1000;
    let s = spec.build();
    let r = sim(&s, Record::default());
    let mut strictly = 0;
    for i in 0..r.n_runs() {
        let (open, closed) = (r.outcome(i, 0), r.outcome(i, 1));
        assert!(open.events >= closed.events, "run {i}: open {} < closed {} events", open.events, closed.events);
        assert!(open.open_pool_end >= closed.open_pool_end, "run {i}");
        strictly += usize::from(open.events > closed.events);
    }
    assert!(strictly > 0, "the open pool should add events in some runs");
}

#[test]
fn cancelled_simulation_reports_cancellation() {
    let s = baseline(1000);
    let control = Control::new();
    control.cancel();
    let err = tierlab::sim::simulate(&s, &SimOptions::default(), &control).expect_err("cancelled");
    assert_eq!(err, tierlab::sim::SimError::Cancelled);
}
