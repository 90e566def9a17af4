//! Decision support on constructed worlds with known answers: PRIM finds a planted box,
//! EVPPI credits the one parameter that decides, regret vanishes for a dominant policy, and
//! `tierlab discover` rejects bad input with exit code 2.

use crate::support::run_bin;

use tierlab::analysis::decision::{DecisionSpec, decide};
use tierlab::analysis::discovery::{DiscoverySpec, OutcomeEvent, Prim, PrimOptions, default_choice, discover};
use tierlab::analysis::robustness::robustness;
use tierlab::analysis::voi::{VoiOptions, value_of_information};
use tierlab::analysis::worlds::Worlds;
use tierlab::model::Scenario;
use tierlab::sim::Control;
use tierlab::sim::rng::mix64;
use tierlab::study::analyses::worlds as simulate_worlds;

/// A uniform in [0, 1) from a counter.
fn u(i: u64) -> f64 {
    (mix64(i ^ 0x5eed) >> 11) as f64 / (1u64 << 53) as f64
}

/// `k` inputs of `n` worlds, input `j` uniform on `ranges[j]`.
fn inputs(n: u64, ranges: &[(f64, f64)]) -> Vec<Vec<f64>> {
    ranges
        .iter()
        .enumerate()
        .map(|(j, &(lo, hi))| (0..n).map(|i| lo + (hi - lo) * u(j as u64 * n + i)).collect())
        .collect()
}

/// Worlds over `params` (ids 0..k) with the given nets.
fn worlds(params: Vec<Vec<f64>>, net: Vec<Vec<f64>>) -> Worlds {
    let n = net[0].len();
    Worlds {
        policies: (0..net.len()).map(|p| format!("P{p}")).collect(),
        reference: 0,
        runs: n as u64,
        seed: 7,
        param_ids: (0..params.len()).collect(),
        param_keys: (0..params.len()).map(|i| tierlab::model::params::param_key(i, &[] as &[&str])).collect(),
        params,
        harm: vec![vec![0.0; n]; net.len()],
        catastrophe: vec![vec![false; n]; net.len()],
        net,
    }
}

#[test]
fn prim_finds_a_planted_box_and_leaves_irrelevant_inputs_alone() {
    // The event: x1 in [0.2, 0.6] and x2 > 0.5 (x2 on [10, 30], so its edge is at 20); x3..x5
    // play no part.
    let ranges = [(0.0, 1.0), (10.0, 30.0), (0.0, 1.0), (-5.0, 5.0), (0.0, 100.0)];
    let n = 6000;
    let x = inputs(n, &ranges);
    let event: Vec<bool> = (0..n as usize).map(|w| (0.2..=0.6).contains(&x[0][w]) && x[1][w] > 20.0).collect();
    let names: Vec<String> = (1..=5).map(|i| format!("x{i}")).collect();
    let prim = Prim::new(&x, names, &event, PrimOptions::default());
    let t = prim.peel();
    let chosen = default_choice(&t.boxes);
    let b = prim.paste(&t, chosen);
    let edge = |input: usize| b.restrictions.iter().find(|r| r.input == input);
    let close = |got: Option<f64>, want: f64, input: usize| {
        let (lo, hi) = ranges[input];
        let got = got.unwrap_or_else(|| panic!("x{} has no such edge: {}", input + 1, b.rules()));
        assert!((got - want).abs() <= 0.05 * (hi - lo), "x{} edge {got} vs {want}: {}", input + 1, b.rules());
    };
    let x1 = edge(0).expect("x1 restricted");
    close(x1.lower, 0.2, 0);
    close(x1.upper, 0.6, 0);
    let x2 = edge(1).expect("x2 restricted");
    close(x2.lower, 20.0, 1);
    assert_eq!(x2.upper, None, "{}", b.rules());
    for i in 2..5 {
        assert!(edge(i).is_none(), "x{} should be unrestricted: {}", i + 1, b.rules());
    }
    assert!(b.coverage > 0.9 && b.density > 0.9, "coverage {} density {}", b.coverage, b.density);
    assert!(x1.p_value < 1e-6 && x2.p_value < 1e-6, "{} {}", x1.p_value, x2.p_value);
    // The trajectory trades coverage for density: coverage never rises along it.
    assert!(t.boxes.windows(2).all(|w| w[1].coverage <= w[0].coverage));
}

#[test]
fn discovery_reads_the_event_between_two_policies_in_words() {
    let n = 3000;
    let x = inputs(n, &[(0.0, 1.0), (0.0, 1.0), (0.0, 1.0)]);
    // P1 beats P0 exactly when x2 > 0.7.
    let net = vec![vec![0.0; n as usize], x[1].iter().map(|v| v - 0.7).collect()];
    let w = worlds(x, net);
    let spec = DiscoverySpec {
        policy: 0,
        event: OutcomeEvent::NetBelowPolicy { against: 1 },
        chosen: None,
        prim: PrimOptions::default(),
    };
    let d = discover(&w, &spec).unwrap();
    assert!((d.event_share - 0.3).abs() < 0.03, "{}", d.event_share);
    let b = &d.chosen_box;
    assert_eq!(b.restrictions.len(), 1, "{}", d.statement);
    assert!((b.restrictions[0].lower.unwrap() - 0.7).abs() < 0.05);
    assert!(d.statement.starts_with("o0 > 0.") && d.statement.contains("of such worlds"), "{}", d.statement);
    assert!(d.statement.contains("\"P0\" nets less than \"P1\""), "{}", d.statement);
    // A box off the trajectory is an input error.
    let off = DiscoverySpec { chosen: Some(d.trajectory.len()), ..spec };
    assert!(discover(&w, &off).is_err());
}

#[test]
fn evppi_credits_the_one_parameter_that_decides() {
    let n = 10_000;
    let x = inputs(n, &[(0.0, 1.0); 5]);
    // Which policy is best depends on x1 alone; a heavy common shock moves every policy
    // alike in each world, so it changes no choice.
    let shock: Vec<f64> = (0..n).map(|w| 50.0 * (1.0 / (1.0 - u(900_000 + w)).sqrt() - 1.0)).collect();
    // Close means, so that bins of an irrelevant parameter sometimes pick another policy by
    // chance: the selection bias the estimator must take off.
    let net: Vec<Vec<f64>> = [(0.0, 0.0), (2.0, -0.98), (-1.5, 0.74)]
        .iter()
        .map(|&(slope, shift)| (0..n as usize).map(|w| slope * x[0][w] + shift + shock[w]).collect())
        .collect();
    let w = worlds(x, net);
    let v = value_of_information(&w, &VoiOptions::new(n as usize, 3));
    assert!(v.evpi > 0.1, "{}", v.evpi);
    assert!(v.bias > 0.0, "the bins of a random partition should sometimes choose wrongly");
    let top = &v.params[0];
    assert_eq!(top.index, 0, "{:?}", v.params);
    let tol = 3.0 * (top.evppi_se + v.evpi_se) + 0.02 * v.evpi;
    assert!((top.evppi - v.evpi).abs() < tol, "EVPPI {} vs EVPI {} (tol {tol})", top.evppi, v.evpi);
    for p in &v.params[1..] {
        assert!(p.evppi < 3.0 * p.evppi_se + 2.0 * v.bias_sd + 1e-9, "{} EVPPI {} ± {}", p.param, p.evppi, p.evppi_se);
        assert!(p.evppi < 0.05 * v.evpi, "{}: {} of {}", p.param, p.evppi, v.evpi);
    }
    // Without the correction the irrelevant parameters carry the selection bias.
    for p in &v.params[1..] {
        let tol = 4.0 * p.evppi_se.max(v.bias_sd) + 1e-9;
        assert!((p.evppi_raw - v.bias).abs() < tol, "{}: raw {} bias {} tol {tol}", p.param, p.evppi_raw, v.bias);
    }
}

#[test]
fn regret_is_zero_for_a_policy_best_in_every_world() {
    let n = 2000;
    let x = inputs(n, &[(0.0, 1.0), (0.0, 1.0)]);
    let other: Vec<f64> = (0..n).map(|w| 100.0 * (u(5000 + w) - 0.5)).collect();
    let best: Vec<f64> = other.iter().zip(&x[0]).map(|(o, a)| o + 0.1 + a).collect();
    let third: Vec<f64> = (0..n as usize).map(|w| best[w] - 10.0 * x[1][w]).collect();
    let w = worlds(x, vec![other, best, third]);
    let r = robustness(&w.policies, &w.net, Some(0.0));
    let b = &r.options[1];
    assert_eq!((b.regret_max, b.regret_mean, b.regret_p95, b.best_share), (0.0, 0.0, 0.0, 1.0));
    assert_eq!((r.minimax_regret, r.min_p95_regret, r.best_expected), (1, 1, 1));
    assert!(r.options[0].regret_max > 0.1 && r.options[2].regret_mean > 0.0);
    // Nothing to learn either: the same policy is best whatever the world.
    let v = value_of_information(&w, &VoiOptions::new(n as usize, 1));
    assert_eq!(v.evpi, 0.0);
    assert!(v.params.iter().all(|p| p.evppi == 0.0));
}

#[test]
fn identical_policies_give_identical_rows_on_the_simulator() {
    let base = Scenario::built_in();
    let twin_at = base.policies().len();
    let mut twin = base.policies()[1].clone();
    twin.name = "Twin".into();
    let s = base
        .edited(|d| {
            d.run.runs = 400;
            d.run.years = 5;
            d.policies.push(twin);
        })
        .unwrap();
    let w = simulate_worlds(&s, &Control::new()).unwrap();
    let spec = DecisionSpec {
        discovery: DiscoverySpec {
            policy: 1,
            event: OutcomeEvent::NetBelowPolicy { against: 0 },
            chosen: None,
            prim: PrimOptions::default(),
        },
        floor: Some(0.0),
    };
    let d = decide(&w, &spec).unwrap();
    let (a, b) = (&d.robustness.options[1], &d.robustness.options[twin_at]);
    assert_eq!(b.name, "Twin");
    assert_eq!(
        (a.net_mean, a.net_se, a.regret_mean, a.regret_p95, a.regret_max, a.satisficing_share),
        (b.net_mean, b.net_se, b.regret_mean, b.regret_p95, b.regret_max, b.satisficing_share)
    );
    // The twin under the same event finds the same box.
    let twin = DiscoverySpec { policy: twin_at, ..spec.discovery };
    let e = discover(&w, &twin).unwrap();
    assert_eq!(e.trajectory, d.discovery.trajectory);
    assert_eq!(e.chosen_box, d.discovery.chosen_box);
}

// The command line.

fn baseline() -> String {
    crate::support::baseline_file().display().to_string()
}

fn invalid(args: &[&str], needle: &str) {
    let o = run_bin(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: expected {needle:?} in {err}");
}

#[test]
fn decide_under_its_old_name_rejects_bad_input_with_exit_code_2() {
    let f = baseline();
    let base = ["discover", f.as_str(), "--runs", "50"];
    let with = |extra: &[&'static str]| -> Vec<&str> { base.iter().copied().chain(extra.iter().copied()).collect() };
    invalid(&with(&["--policy", "Nope", "--event", "catastrophe"]), "--policy \"Nope\" names no policy");
    invalid(&with(&["--policy", "Status quo", "--event", "harm-above"]), "needs a level: --level");
    invalid(&with(&["--policy", "Status quo", "--event", "net-below"]), "--against");
    invalid(&with(&["--policy", "Status quo", "--event", "net-below", "--against", "Nope"]), "--against \"Nope\"");
    invalid(&with(&["--policy", "Status quo", "--event", "doom"]), "not an event");
    invalid(&with(&["--policy", "Status quo", "--event", "catastrophe", "--box", "999"]), "not on the trajectory");
}

#[test]
fn decide_writes_the_trajectory_the_box_and_their_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let f = baseline();
    let o = run_bin(&[
        "decide",
        &f,
        "--runs",
        "600",
        "--policy",
        "Global tiered 1e27",
        "--against",
        "Status quo",
        "--event",
        "net-below",
        "--floor",
        "0",
        "--quiet",
        "--out",
        &out,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("nets less than \"Status quo\""), "{stdout}");
    assert!(stdout.contains("minimax regret"), "{stdout}");
    let trajectory = std::fs::read_to_string(dir.path().join("discovery.csv")).unwrap();
    assert!(trajectory.starts_with("box,coverage,density,mass,worlds,events,restrictions,chosen,rules\n"));
    let chosen = trajectory.lines().filter(|l| l.contains(",true,")).count();
    assert_eq!(chosen, 1, "{trajectory}");
    let restrictions = std::fs::read_to_string(dir.path().join("discovery_box.csv")).unwrap();
    assert!(restrictions.starts_with("param,lower,upper,p_value\n"), "{restrictions}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("decision.json")).unwrap()).unwrap();
    assert_eq!(json["kind"], "decision");
    assert_eq!(json["provenance"]["runs"], 600);
    assert_eq!(json["provenance"]["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(json["discovery"]["statement"].as_str().unwrap().contains('%'));
    assert_eq!(json["robustness"]["options"].as_array().unwrap().len(), 5, "every policy of the baseline");
    assert!(json["value_of_information"]["evpi"].as_f64().unwrap() >= 0.0);
}
