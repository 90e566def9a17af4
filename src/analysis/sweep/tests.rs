use std::sync::Arc;

use super::*;
use crate::model::Scenario;
use crate::model::params::Range;
use crate::sim::{Control, Engine, Results, SimError, SimOptions, simulate_engine};

/// One simulation of a layout's policies (what `study` does for a sweep, here without it).
fn simulate_layout(
    s: &Scenario,
    lay: &SweepLayout,
    overrides: Vec<(usize, f64)>,
    control: &Control,
) -> Result<Results, SimError> {
    let engine = Arc::new(Engine::with_policies(s, lay.policies(), lay.reference()));
    let opts = SimOptions { record: lay.record(), param_overrides: overrides, ..SimOptions::default() };
    simulate_engine(s, engine, s.run().runs, &opts, control)
}

fn sweep(s: &Scenario, spec: &SweepSpec, control: &Control) -> Result<Sweep, String> {
    let lay = SweepLayout::new(s, spec).map_err(|e| e.to_string())?;
    let r = simulate_layout(s, &lay, Vec::new(), control).map_err(|e| e.to_string())?;
    Ok(lay.sweep(s.run().runs, s.run().seed, lay.evaluate(&r, true)))
}

fn sweep_2d(s: &Scenario, spec: &SweepSpec, axis: &WorldAxis, control: &Control) -> Result<Sweep2d, String> {
    let lay = SweepLayout::new(s, spec).map_err(|e| e.to_string())?;
    lay.check_axis(axis).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for &v in &axis.values {
        let r = simulate_layout(s, &lay, vec![(axis.param, v)], control).map_err(|e| e.to_string())?;
        rows.push(lay.evaluate(&r, false).points);
    }
    Ok(lay.sweep_2d(axis, s.run().runs, s.run().seed, rows))
}

/// The baseline, made small enough for debug-build tests.
fn small(runs: u64) -> Scenario {
    Scenario::built_in()
        .edited(|d| {
            d.run.runs = runs;
            d.run.years = 5;
        })
        .unwrap()
}

fn tiered(s: &Scenario) -> usize {
    s.policy_index("Global tiered 1e27").unwrap()
}

fn run_sweep(s: &Scenario, policy: usize, param: SweepParam, values: &[f64]) -> Sweep {
    let spec = SweepSpec { policy, param, values: values.to_vec() };
    sweep(s, &spec, &Control::new()).unwrap()
}

#[test]
fn identical_settings_give_identical_points() {
    let s = small(400);
    let sw = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[26.0, 27.0, 26.0]);
    assert_eq!(sw.points[0], sw.points[2]);
    assert_eq!(sw.per_run.net[0], sw.per_run.net[2]);
    // 27 is the policy's own setting: the grid point equals the hidden current point.
    assert_eq!(sw.current_value, 27.0);
    assert_eq!(sw.points[1], sw.current);
    assert_eq!(sw.points[1].p_better_than_current, 0.0);
    // The points differ where the settings differ (else the checks above prove nothing).
    assert_ne!(sw.points[0].net_mean, sw.points[1].net_mean);
}

#[test]
fn a_point_does_not_depend_on_the_rest_of_the_grid() {
    let s = small(300);
    let a = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[26.0, 27.5]);
    let b = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[27.5, 28.0, 29.0]);
    assert_eq!(a.points[1], b.points[0]);
    assert_eq!(a.current, b.current);
}

#[test]
fn sweep_points_agree_with_plain_simulation() {
    // The grid point at the current setting has the statistics a plain run of the
    // scenario gives that policy (same runs, same seed).
    let s = small(300);
    let sw = run_sweep(&s, tiered(&s), SweepParam::Drift, &[0.0, 0.2]);
    let r = crate::sim::simulate(&s, &SimOptions::default(), &Control::new()).unwrap();
    let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
    let sum = crate::analysis::summarise(&r, &names, s.run().reference);
    let ps = &sum.policies[tiered(&s)];
    let p = &sw.points[0];
    assert_eq!(p.net_mean, ps.net.mean);
    assert_eq!(p.p_catastrophe, ps.p_catastrophe);
    assert_eq!(p.cvar95_harm, ps.cvar95_harm);
    assert_eq!(p.net_diff_mean, ps.net_diff_mean);
    assert_eq!(p.p_better_than_reference, ps.p_better_than_reference);
    assert_eq!(sw.reference, "Status quo");
}

#[test]
fn open_share_counts_open_jurisdictions_only() {
    let s = small(200);
    let uni = s.policy_index("Unilateral tiered (US, EU, UK)").unwrap();
    let sw = run_sweep(&s, uni, SweepParam::OpenBelow, &[25.0, 30.0]);
    // China and the rest of the world stay open: 0.15 + 0.03 at the start, more as
    // development moves to them when the tiers bind (low threshold).
    assert!(sw.points[0].open_share_end > 0.18, "{}", sw.points[0].open_share_end);
    assert!(sw.points[0].open_share_end > sw.points[1].open_share_end);
    let all_tiered = run_sweep(&s, tiered(&s), SweepParam::OpenBelow, &[25.0]);
    assert_eq!(all_tiered.points[0].open_share_end, 0.0);
}

#[test]
fn policy_without_tiered_regime_is_refused_by_name() {
    let s = small(10);
    let open = s.policy_index("All open").unwrap();
    let spec = SweepSpec { policy: open, param: SweepParam::OpenBelow, values: vec![27.0] };
    let err = sweep(&s, &spec, &Control::new()).unwrap_err();
    assert!(err.to_string().contains("\"All open\""), "{err}");
    let bad = SweepSpec { policy: 0, param: SweepParam::OpenBelow, values: vec![] };
    assert!(sweep(&s, &SweepSpec { policy: 1, ..bad }, &Control::new()).is_err());
}

#[test]
fn cancelled_sweep_reports_cancellation() {
    let s = small(1000);
    let control = Control::new();
    control.cancel();
    let spec = SweepSpec { policy: tiered(&s), param: SweepParam::OpenBelow, values: vec![27.0] };
    let lay = SweepLayout::new(&s, &spec).unwrap();
    let err = simulate_layout(&s, &lay, Vec::new(), &control).unwrap_err();
    assert_eq!(err, SimError::Cancelled);
}

#[test]
fn apply_moves_every_tiered_regime() {
    // The baseline states its tiers in training FLOP, as laws do; a sweep keeps the measure.
    let flop = |open_below, gated_below, drift| Regime::Tiered {
        open_below,
        gated_below,
        drift,
        measure: crate::model::regime::Measure::TrainingFlop,
        stage_delay: 0.0,
    };
    let s = Scenario::built_in();
    let mut p = s.policies()[s.policy_index("Unilateral tiered (US, EU, UK)").unwrap()].clone();
    assert!(!SweepParam::OpenBelow.apply(&mut p, 25.5));
    for (_, r) in &p.overrides {
        assert_eq!(*r, flop(25.5, 26.5, 0.0));
    }
    assert_eq!(p.default, Regime::Open);
    assert!(SweepParam::GatedBelow.apply(&mut p, 25.0));
    assert_eq!(p.overrides[0].1, flop(25.5, 25.5, 0.0));
    assert!(!SweepParam::GatedBelow.apply(&mut p, 27.0));
    assert!(!SweepParam::Drift.apply(&mut p, 0.25));
    assert_eq!(p.overrides[2].1, flop(25.5, 27.0, 0.25));
    assert_eq!(SweepParam::GatedBelow.current(&p, 5), Some(27.0));
    assert_eq!(SweepParam::parse("drift"), Some(SweepParam::Drift));
    assert_eq!(SweepParam::parse("open"), None);
}

#[test]
fn grid_and_its_checks() {
    let g = grid(24.0, 30.0, 25);
    assert_eq!(g.len(), 25);
    assert_eq!((g[0], g[12], g[24]), (24.0, 27.0, 30.0));
    assert_eq!(grid(1.0, 0.0, 3), vec![1.0, 0.5, 0.0]);
    assert!(check_grid("x", 0.0, 1.0, 2).is_ok());
    assert!(check_grid("x", 0.0, 1.0, 201).is_ok());
    assert!(check_grid("x", 0.0, 1.0, 1).is_err());
    assert!(check_grid("x", 0.0, 1.0, 202).is_err());
    assert!(check_grid("x", f64::NAN, 1.0, 5).is_err());
    assert!(check_grid("x", 0.0, f64::INFINITY, 5).is_err());
}

#[test]
fn world_params_are_named_world_key() {
    assert_eq!(world_param("world.mobility"), Ok(crate::model::P::mobility as usize));
    let e = world_param("mobility").unwrap_err();
    assert!(e.contains("world.mobility"), "{e}");
    let e = world_param("world.mobilty").unwrap_err();
    assert!(e.contains("did you mean `world.mobility`"), "{e}");
    assert!(check_world_values(crate::model::P::tail_alpha as usize, &[0.5, 2.0]).is_ok());
    assert!(check_world_values(crate::model::P::tail_alpha as usize, &[0.0, 2.0]).is_err());
    assert!(check_world_values(crate::model::P::strip_prob as usize, &[0.5, 1.1]).is_err());
}

#[test]
fn sweep_2d_row_equals_the_1d_sweep_at_a_fixed_world_value() {
    // r_max is fixed (0.8) in the baseline: overriding it with 0.8 changes nothing, so that
    // row must equal the 1-D sweep exactly; the other row must differ.
    let s = small(200);
    let spec = SweepSpec { policy: tiered(&s), param: SweepParam::OpenBelow, values: vec![26.0, 28.0] };
    let axis = WorldAxis { param: crate::model::P::r_max as usize, values: vec![0.8, 0.2] };
    let control = Control::new();
    let two = sweep_2d(&s, &spec, &axis, &control).unwrap();
    assert_eq!(control.runs_done(), 2 * s.run().runs);
    let one = sweep(&s, &spec, &Control::new()).unwrap();
    assert_eq!(two.cells.len(), 4);
    assert_eq!(two.cell(0, 0).point, one.points[0]);
    assert_eq!(two.cell(1, 0).point, one.points[1]);
    assert_eq!(two.cell(1, 0).value2, 0.8);
    assert!(two.cell(0, 1).point.harm_mean > two.cell(0, 0).point.harm_mean);
    assert_eq!(two.param2, "world.r_max");
    let bad = WorldAxis { param: crate::model::P::r_max as usize, values: vec![1.5] };
    assert!(sweep_2d(&s, &spec, &bad, &Control::new()).unwrap_err().contains("world.r_max"));
}

/// Per-run columns for synthetic best-threshold cases: point i has net `nets[i]` in every
/// run (plus a small run-dependent wobble), catastrophes in the first `cats[i]` of `n` runs
/// and harm `harms[i]` in every run.
fn synthetic(nets: &[f64], cats: &[usize], harms: &[f64], n: usize) -> PerRun {
    let mut pr = PerRun::default();
    for i in 0..nets.len() {
        pr.net.push((0..n).map(|r| nets[i] + (r % 7) as f64).collect());
        pr.catastrophe.push((0..n).map(|r| r < cats[i]).collect());
        pr.harm.push(vec![harms[i]; n]);
    }
    pr
}

#[test]
fn best_threshold_finds_the_known_answer_under_the_cap() {
    let values = [1.0, 2.0, 3.0, 4.0];
    // Net rises with the value, and so does P(catastrophe): 0.05, 0.10, 0.20, 0.40.
    let pr = synthetic(&[100.0, 200.0, 300.0, 400.0], &[50, 100, 200, 400], &[1.0, 2.0, 3.0, 4.0], 1000);
    let boot = BootstrapOptions { replicates: 100, seed: 7 };
    let none = Constraint::default();
    let b = best_threshold_from_runs(&values, &pr, &none, &boot, "x");
    assert_eq!(b.best.as_ref().map(|b| b.value), Some(4.0));
    let cap = Constraint { max_p_catastrophe: Some(0.15), max_cvar95: None };
    let b = best_threshold_from_runs(&values, &pr, &cap, &boot, "x");
    let best = b.best.as_ref().unwrap();
    assert_eq!((best.index, best.value, b.feasible_points), (1, 2.0, 2));
    assert_eq!(best.p_catastrophe, 0.1);
    // Point 2 is far above the cap and point 1 far below: every resample agrees.
    assert_eq!(best.bootstrap.share_same, 1.0);
    assert_eq!((best.bootstrap.value_p5, best.bootstrap.value_p95), (Some(2.0), Some(2.0)));
    assert_eq!(best.bootstrap.counts, vec![0, 100, 0, 0]);
    assert!(b.statement.starts_with("Best x = 2"), "{}", b.statement);
    // A cap on CVaR95 instead (harm is constant per point, so CVaR95 = harm).
    let cap = Constraint { max_p_catastrophe: None, max_cvar95: Some(3.0) };
    let b = best_threshold_from_runs(&values, &pr, &cap, &boot, "x");
    assert_eq!(b.best.as_ref().map(|b| b.value), Some(3.0));
    // Both caps: the stricter wins.
    let cap = Constraint { max_p_catastrophe: Some(0.15), max_cvar95: Some(3.0) };
    assert_eq!(best_threshold_from_runs(&values, &pr, &cap, &boot, "x").best.map(|b| b.value), Some(2.0));
}

#[test]
fn a_best_value_at_either_end_of_the_grid_is_flagged() {
    let sweep_of = |values: &[f64]| Sweep {
        policy: "p".into(),
        param: SweepParam::OpenBelow,
        measure: None,
        reference: "b".into(),
        runs: 1,
        seed: 1,
        current_value: values[0],
        current: SweepPoint::default(),
        reference_point: SweepPoint::default(),
        points: values.iter().map(|&value| SweepPoint { value, ..SweepPoint::default() }).collect(),
        robustness: Robustness::default(),
        per_run: PerRun::default(),
    };
    let up = sweep_of(&[25.0, 26.0, 27.0]);
    assert_eq!((up.grid_end(25.0), up.grid_end(26.0), up.grid_end(27.0)), (Some("lowest"), None, Some("highest")));
    let down = sweep_of(&[0.3, 0.0, -0.3]);
    assert_eq!((down.grid_end(0.3), down.grid_end(-0.3)), (Some("highest"), Some("lowest")));
    assert_eq!(sweep_of(&[1.0, 2.0]).grid_end(2.0), None, "two points have no inside");
}

#[test]
fn best_threshold_says_when_no_point_meets_the_cap() {
    let values = [1.0, 2.0];
    let pr = synthetic(&[100.0, 200.0], &[300, 200], &[5.0, 6.0], 1000);
    let cap = Constraint { max_p_catastrophe: Some(0.1), max_cvar95: None };
    let b = best_threshold_from_runs(
        &values,
        &pr,
        &cap,
        &BootstrapOptions { replicates: DEFAULT_BOOTSTRAP, seed: 0 },
        "open_below",
    );
    assert!(b.best.is_none());
    assert_eq!(b.feasible_points, 0);
    assert!(b.statement.starts_with("No grid point meets the cap"), "{}", b.statement);
    assert!(b.statement.contains("0.2000, at open_below = 2"), "{}", b.statement);
}

#[test]
fn bootstrap_is_reproducible_and_spreads_between_close_points() {
    let values = [1.0, 2.0];
    // Two points with nearly equal expected net and independent noise.
    let n = 400;
    let mut pr = PerRun::default();
    for (i, shift) in [(0u64, 0.0), (1, 0.5)] {
        pr.net.push((0..n).map(|r| shift + (crate::sim::rng::mix64(r * 2 + i) % 1000) as f64 / 10.0).collect());
        pr.harm.push(vec![0.0; n as usize]);
        pr.catastrophe.push(vec![false; n as usize]);
    }
    let boot = BootstrapOptions { replicates: 200, seed: 3 };
    let a = best_threshold_from_runs(&values, &pr, &Constraint::default(), &boot, "x");
    let b = best_threshold_from_runs(&values, &pr, &Constraint::default(), &boot, "x");
    assert_eq!(a, b);
    let bs = &a.best.as_ref().unwrap().bootstrap;
    assert!(bs.share_same > 0.05 && bs.share_same < 0.95, "{}", bs.share_same);
    assert_eq!(bs.counts.iter().sum::<u32>(), 200);
    assert_eq!((bs.value_p5, bs.value_p95), (Some(1.0), Some(2.0)));
}

#[test]
fn contour_of_a_ramp_is_a_straight_line() {
    let xs = [0.0, 1.0, 2.0, 3.0];
    let ys = [10.0, 20.0, 30.0];
    // z = x / 3 on every row: 0.5 at x = 1.5.
    let z: Vec<f64> = ys.iter().flat_map(|_| xs.iter().map(|x| x / 3.0)).collect();
    let lines = contour_lines(&xs, &ys, &z, 0.5);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line.len(), 3);
    for p in line {
        assert!((p[0] - 1.5).abs() < 1e-12, "{p:?}");
    }
    let mut ys_on: Vec<f64> = line.iter().map(|p| p[1]).collect();
    ys_on.sort_by(f64::total_cmp);
    assert_eq!(ys_on, vec![10.0, 20.0, 30.0]);
    assert!(contour_lines(&xs, &ys, &z, 2.0).is_empty());
}

#[test]
fn contour_of_a_peak_is_a_closed_loop() {
    let xs: Vec<f64> = (0..21).map(|i| f64::from(i) / 10.0 - 1.0).collect();
    let ys = xs.clone();
    let z: Vec<f64> = ys.iter().flat_map(|y| xs.iter().map(move |x| 1.0 - (x * x + y * y).sqrt())).collect();
    let lines = contour_lines(&xs, &ys, &z, 0.5);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert!(line.len() > 12);
    assert_eq!(line.first(), line.last());
    for p in line {
        let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
        assert!((r - 0.5).abs() < 0.02, "{p:?} at radius {r}");
    }
}

#[test]
fn contour_resolves_saddles_by_the_cell_mean() {
    // One cell, z[iy * 2 + ix]: bottom left a = 1, bottom right b = 0, top left d = 0,
    // top right c = 1; the mean is 0.5.
    let (xs, ys) = ([0.0, 1.0], [0.0, 1.0]);
    let z = [1.0, 0.0, 0.0, 1.0];
    // The line that starts on the bottom edge (y = 0) ends on the right edge (x = 1) when
    // the centre is above the level (a and c join, b is cut off), else on the left edge.
    let partner_of_bottom = |level: f64| {
        let lines = contour_lines(&xs, &ys, &z, level);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| l.len() == 2));
        let l = lines.iter().find(|l| l.iter().any(|p| p[1] == 0.0)).unwrap();
        *l.iter().find(|p| p[1] != 0.0).unwrap()
    };
    assert_eq!(partner_of_bottom(0.4)[0], 1.0);
    assert_eq!(partner_of_bottom(0.6)[0], 0.0);
}

#[test]
fn defaults_pick_a_tiered_policy_a_centred_grid_and_an_axis_inside_the_range() {
    let s = Scenario::built_in();
    let p = default_policy(&s).unwrap();
    assert_ne!(p, s.run().reference, "a threshold is compared with the baseline");
    assert!(SweepParam::OpenBelow.current(&s.policies()[p], s.jurisdictions().len()).is_some());
    assert_eq!(default_grid(SweepParam::OpenBelow, 27.0), (25.0, 29.0));
    assert_eq!(default_grid(SweepParam::Drift, 0.1), (0.1 - DEFAULT_DRIFT_HALF_SPAN, 0.1 + DEFAULT_DRIFT_HALF_SPAN));
    let h = DEFAULT_HEATMAP_PARAM as usize;
    let (lo, hi) = default_world_range(&s, h).unwrap();
    assert!(lo <= s.world()[h].quantile(0.05) && hi >= s.world()[h].quantile(0.95), "the central 90%, rounded out");
    // A fixed probability near its bound stays a probability.
    let prob = PARAMS.iter().position(|q| q.range == Range::Probability).unwrap();
    let s = s.edited(|d| d.world[prob] = crate::model::Dist::Fixed(0.98)).unwrap();
    let (lo, hi) = default_world_range(&s, prob).unwrap();
    assert!(lo < hi && (0.0..=1.0).contains(&lo) && (0.0..=1.0).contains(&hi));
    // Only the baseline tiered: it is swept; nothing tiered: nothing to sweep.
    let s = s
        .edited(|d| {
            for (i, pol) in d.policies.iter_mut().enumerate() {
                if i != d.run.reference {
                    pol.default = Regime::Closed;
                    pol.overrides.clear();
                } else {
                    // Today's practice holds the EU's AI Act line as a tiered override.
                    pol.overrides.retain(|(_, r)| !r.is_tiered());
                }
            }
        })
        .unwrap();
    assert_eq!(default_policy(&s), None, "the baseline is open");
    let b = s.run().reference;
    let s = s.edited(|d| d.policies[b].default = Regime::tiered(27.0, 28.0, 0.0)).unwrap();
    assert_eq!(default_policy(&s), Some(b));
}

#[test]
fn a_v2_parameter_left_out_gets_its_usual_span_as_an_axis() {
    use crate::model::params::P;
    // Model v1's baseline leaves every v2 parameter out (the shipped one sets them all).
    let s = Scenario::parse(include_str!("../../../tests/data/baseline_v1.toml"), "baseline_v1.toml").unwrap();
    for p in [P::world_output, P::distill_lag, P::continuation_years] {
        let (lo, hi) = default_world_range(&s, p as usize).unwrap();
        let info = p.info();
        assert!(info.range.contains(lo) && info.range.contains(hi) && lo < hi, "{}: {lo}..{hi}", info.key);
        assert_eq!((lo, hi), info.slider, "{}", info.key);
    }
}

#[test]
fn pareto_marks_the_undominated_points() {
    let pts = [(1.0, 1.0), (2.0, 2.0), (1.5, 2.5), (3.0, 2.0), (0.5, 0.5), (f64::NAN, 0.0)];
    assert_eq!(pareto_efficient(&pts), vec![true, false, false, true, true, false]);
    // Ties on one side: the one better on the other side wins.
    let pts = [(10.0, 5.0), (8.0, 5.0), (12.0, 9.0), (12.0, 10.0), (3.0, 1.0)];
    assert_eq!(pareto_efficient(&pts), vec![true, false, true, false, true]);
}
