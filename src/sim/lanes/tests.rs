//! The SIMD step against the per-run reference, lane by lane.

use super::*;
use crate::model::Scenario;
use crate::sim::reference::RunSinks;

/// The SIMD engine computes what the per-run reference computes, run by run.
fn check_matches_reference(scenario: &Scenario, runs: u64) {
    let engine = Engine::new(scenario);
    let np = engine.n_policies;
    let mut scratch = engine.scratch();
    let mut lane = engine.lane_scratch(true);
    let m = np * engine.steps * engine.series_metrics();
    for group in 0..runs.div_ceil(LANES as u64) {
        let ids: [u64; LANES] = std::array::from_fn(|l| group * LANES as u64 + l as u64);
        for (l, &run) in ids.iter().enumerate() {
            engine.draw_params(run, &mut lane.params[l]);
        }
        engine.run_lanes(ids, &mut lane, true);
        for (l, &run) in ids.iter().enumerate() {
            engine.draw_params(run, &mut scratch.params);
            let mut outcomes = vec![Outcome::default(); np];
            let mut jur = vec![JurisdictionOutcome::default(); np * engine.n_jurisdictions];
            let mut series = vec![0.0f32; m];
            engine.run(
                run,
                &mut scratch,
                RunSinks { outcomes: &mut outcomes, jurisdictions: &mut jur, series: &mut series },
            );
            for (a, b) in outcomes.iter().zip(&lane.outcomes[l]) {
                let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs()));
                assert!(close(a.benefit, b.benefit), "run {run}: benefit {} vs {}", a.benefit, b.benefit);
                assert!(close(a.harm, b.harm), "run {run}: harm {} vs {}", a.harm, b.harm);
                assert!(close(a.spending, b.spending), "run {run}: spending {} vs {}", a.spending, b.spending);
                assert!(close(a.open_pool_end, b.open_pool_end), "run {run}: open pool");
                assert_eq!(a.events, b.events, "run {run}: events");
                assert_eq!(a.catastrophes, b.catastrophes, "run {run}: catastrophes");
                assert!(a.hazard_year == b.hazard_year || (a.hazard_year.is_nan() && b.hazard_year.is_nan()));
                assert!(close(a.max_event, b.max_event), "run {run}: max event {} vs {}", a.max_event, b.max_event);
                let (cb, ch) = (a.continuation_benefit, b.continuation_benefit);
                assert!(close(cb, ch), "run {run}: continuation benefit {cb} vs {ch}");
                let (cb, ch) = (a.continuation_harm, b.continuation_harm);
                assert!(close(cb, ch), "run {run}: continuation harm {cb} vs {ch}");
            }
            for (a, b) in jur.iter().zip(&lane.jurisdictions[l]) {
                let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * (1.0 + x.abs().max(y.abs()));
                assert!(close(a.benefit, b.benefit), "run {run}: place benefit {} vs {}", a.benefit, b.benefit);
                assert!(close(a.harm, b.harm), "run {run}: place harm {} vs {}", a.harm, b.harm);
                assert!(
                    (a.share_end - b.share_end).abs() < 1e-9,
                    "run {run}: share {} vs {}",
                    a.share_end,
                    b.share_end
                );
            }
        }
    }
}

/// The step is compiled once per jurisdiction count up to 8 and once for any count:
/// each of those paths against the reference.
#[test]
fn lanes_match_the_per_run_reference_for_any_number_of_jurisdictions() {
    use crate::model::regime::Regime;
    for nj in [1usize, 2, 3, 7, 8, 9, 12] {
        let mut s = Scenario::built_in().to_draft();
        let base = s.jurisdictions.clone();
        s.jurisdictions = (0..nj)
            .map(|j| {
                let mut x = base[j % base.len()].clone();
                x.name = format!("J{j}");
                // Unequal shares (so frontiers differ and development migrates), summing to 1.
                let w = (j + 1) as f64 / (nj * (nj + 1) / 2) as f64;
                (x.share0, x.host, x.weight, x.exposure) = (w, 1.0 / nj as f64, w, 1.0 / nj as f64);
                x
            })
            .collect();
        // The baseline's correlations name its jurisdictions, renamed here.
        s.correlations.clear();
        let tiered = Regime::tiered(27.0, 28.0, 0.1);
        for p in &mut s.policies {
            p.overrides.retain(|(j, _)| *j < nj);
        }
        s.policies[0].set_regime(nj - 1, tiered);
        check_matches_reference(&s.check().unwrap(), 12);
    }
}

/// Every lever at once, with the parts the presets leave out: a drifting tier under
/// evaluation error, partial coordination, spending that differs by place, and triggers of
/// every kind for some jurisdictions, one of them undoing another.
#[test]
fn lanes_match_the_per_run_reference_with_every_lever() {
    use crate::model::{Evaluation, Levers, Policy, Regime, Signpost, Spending, Trigger};
    let mut s = Scenario::built_in().to_draft();
    let tiered = Regime::tiered(26.8, 27.6, 0.2);
    let trigger = |when, delay, regime, jurisdictions| Trigger { when, delay, regime, jurisdictions };
    s.policies.push(Policy {
        name: "Every lever".into(),
        default: tiered,
        overrides: vec![(1, Regime::Open)],
        levers: Levers {
            evaluation: Some(Evaluation { sd: 0.5, bias: 0.1 }),
            spending: (0..5).map(|j| Spending { safeguards: j as f64, preparedness: 3.0 - 0.5 * j as f64 }).collect(),
            triggers: vec![
                trigger(Signpost::HarmAbove(50.0), 0.5, Regime::Closed, vec![0, 1]),
                trigger(Signpost::Catastrophe, 0.0, Regime::Open, vec![4]),
                trigger(Signpost::OpenPoolAbove(27.2), 1.0, Regime::tiered(27.5, 28.0, 0.0), vec![]),
            ],
            coordination: vec![0.7, 0.3, 1.0, 0.5, 0.2],
        },
    });
    s.policies.push(Policy {
        name: "Tiers from year 3.3".into(),
        default: Regime::Open,
        overrides: Vec::new(),
        levers: Levers {
            evaluation: Some(Evaluation { sd: 0.2, bias: -0.3 }),
            triggers: vec![trigger(Signpost::Year(3.3), 0.0, tiered, vec![0, 2, 3])],
            ..Levers::default()
        },
    });
    check_matches_reference(&s.check().unwrap(), 64);
}

#[test]
fn lanes_match_the_per_run_reference_on_every_preset() {
    for (name, text) in crate::model::scenario::PRESETS.iter().chain(&PRESETS_V1) {
        let s = Scenario::parse(text, name).expect("preset parses");
        check_matches_reference(&s, 24);
    }
}

/// The presets as they were under model version 1 (tests/data/presets_v1), each model v1's
/// baseline world with its story's changes: (file name, text).
const PRESETS_V1: [(&str, &str); 6] = [
    ("unilateral_leakage.toml", include_str!("../../../tests/data/presets_v1/unilateral_leakage.toml")),
    ("heavy_tail.toml", include_str!("../../../tests/data/presets_v1/heavy_tail.toml")),
    ("strong_safeguards.toml", include_str!("../../../tests/data/presets_v1/strong_safeguards.toml")),
    ("moving_threshold.toml", include_str!("../../../tests/data/presets_v1/moving_threshold.toml")),
    ("irreversibility.toml", include_str!("../../../tests/data/presets_v1/irreversibility.toml")),
    ("levers.toml", include_str!("../../../tests/data/presets_v1/levers.toml")),
];

/// A scenario with every model v2 mechanism on at once: a continuation of uncertain
/// length, bounded losses that bind in some runs, algorithmic progress under
/// training-FLOP thresholds (drifting, and a staged one), private leaks, distillation,
/// scrutiny, staged open releases; `levers` adds policies with every lever, switching to
/// v2 regimes.
fn every_v2_mechanism(levers: bool) -> Scenario {
    use crate::model::regime::Measure;
    use crate::model::{Dist, Evaluation, Levers, P, Policy, Regime, Signpost, Spending, Trigger};
    let mut s = Scenario::built_in().to_draft();
    let w = &mut s.world;
    w[P::continuation_years as usize] = Dist::Uniform { min: 0.0, max: 30.0 };
    w[P::world_output as usize] = Dist::Uniform { min: 5.0, max: 400.0 };
    w[P::algorithmic_progress as usize] = Dist::Pert { min: 0.0, mode: 0.3, max: 0.8 };
    w[P::leak_public_share as usize] = Dist::Uniform { min: 0.0, max: 1.0 };
    w[P::distill_lag as usize] = Dist::Uniform { min: 0.2, max: 1.5 };
    w[P::scrutiny_safety as usize] = Dist::Uniform { min: 0.0, max: 2.0 };
    // More events and leaks, so that every branch is taken.
    w[P::misuse_rate as usize] = Dist::Fixed(20.0);
    w[P::leak_gated as usize] = Dist::Fixed(2.0);
    w[P::leak_closed as usize] = Dist::Fixed(0.5);
    let flop = Regime::Tiered {
        open_below: 26.9,
        gated_below: 27.4,
        drift: 0.05,
        measure: Measure::TrainingFlop,
        stage_delay: 0.0,
    };
    let staged_flop = Regime::Tiered {
        open_below: 27.0,
        gated_below: 27.8,
        drift: 0.0,
        measure: Measure::TrainingFlop,
        stage_delay: 0.75,
    };
    let mk = |name: &str, default, overrides, levers| Policy { name: name.into(), default, overrides, levers };
    s.policies.push(mk("Training FLOP", flop, vec![(1, Regime::Open)], Levers::default()));
    s.policies.push(mk(
        "Staged",
        Regime::OpenStaged { stage_delay: 0.5 },
        vec![(0, staged_flop), (2, Regime::Closed)],
        Levers::default(),
    ));
    if levers {
        let trigger = |when, delay, regime, jurisdictions| Trigger { when, delay, regime, jurisdictions };
        s.policies.push(mk(
            "Every lever, v2 regimes",
            staged_flop,
            vec![(4, Regime::Open)],
            Levers {
                evaluation: Some(Evaluation { sd: 0.4, bias: -0.1 }),
                spending: (0..5).map(|j| Spending { safeguards: j as f64, preparedness: 1.0 }).collect(),
                triggers: vec![
                    trigger(Signpost::HarmAbove(30.0), 0.5, flop, vec![0, 1]),
                    trigger(Signpost::Year(2.0), 0.0, Regime::OpenStaged { stage_delay: 1.0 }, vec![4]),
                    trigger(Signpost::OpenPoolAbove(27.3), 0.25, Regime::Closed, vec![]),
                ],
                coordination: vec![0.8, 0.4, 1.0, 0.6, 0.3],
            },
        ));
    }
    s.check().unwrap()
}

#[test]
fn lanes_match_the_per_run_reference_with_every_v2_mechanism() {
    let s = every_v2_mechanism(false);
    assert_eq!(s.model_version(), "2");
    let engine = Engine::new(&s);
    let m = engine.mechanisms(std::iter::once(vec![0.0; engine.n_params].as_slice()));
    assert!(m.staged, "a staged policy puts every register on the v2 path");
    check_matches_reference(&s, 64);
}

/// The v2 path without private leaks keeps no separate misusers' pool (M is O).
#[test]
fn lanes_match_the_per_run_reference_with_v2_mechanisms_but_every_leak_public() {
    use crate::model::{Dist, P};
    let s = every_v2_mechanism(true).edited(|d| d.world[P::leak_public_share as usize] = Dist::Fixed(1.0)).unwrap();
    check_matches_reference(&s, 32);
}

#[test]
fn lanes_match_the_per_run_reference_with_every_v2_mechanism_and_every_lever() {
    check_matches_reference(&every_v2_mechanism(true), 64);
}

/// Every register on the v2 path with every mechanism's code running, in a scenario
/// where each is at its off value: each lane computes exactly, bit for bit, what v1's
/// code computes, so a register's path never changes a run's result. Presets, and a
/// training-FLOP regime without algorithmic progress (per-lane ceilings against the table).
#[test]
fn the_v2_path_with_its_mechanisms_off_is_v1_bit_for_bit() {
    use crate::model::regime::Measure;
    use crate::model::{Levers, Policy, Regime};
    // Model v1's scenarios: model v1's baseline and the presets as they were under model v1,
    // kept in tests/data (the presets in scenarios/ are version-2 scenarios, whose mechanisms
    // are on).
    let v1_baseline =
        Scenario::parse(include_str!("../../../tests/data/baseline_v1.toml"), "baseline_v1.toml").unwrap();
    let mut scenarios: Vec<Scenario> = PRESETS_V1
        .iter()
        .map(|(n, t)| Scenario::parse(t, n).unwrap())
        .chain(std::iter::once(v1_baseline.clone()))
        .collect();
    assert!(scenarios.iter().all(|s| s.model_version() == "1"), "model v1's scenarios");
    let flop = Regime::Tiered {
        open_below: 26.9,
        gated_below: 27.4,
        drift: 0.05,
        measure: Measure::TrainingFlop,
        stage_delay: 0.0,
    };
    let with_flop = v1_baseline
        .edited(|d| {
            d.policies.push(Policy {
                name: "Training FLOP".into(),
                default: flop,
                overrides: vec![(1, Regime::Open)],
                levers: Levers::default(),
            })
        })
        .unwrap();
    scenarios.push(with_flop);
    let all = Mechanisms {
        continuation: true,
        bounded: true,
        private_leaks: true,
        distill: true,
        scrutiny: true,
        training_flop: true,
        staged: false,
    };
    for s in &scenarios {
        let engine = Engine::new(s);
        let (mut v1, mut v2) = (engine.lane_scratch(true), engine.lane_scratch(true));
        for group in 0..6u64 {
            let ids: [u64; LANES] = std::array::from_fn(|l| group * LANES as u64 + l as u64);
            for (l, &run) in ids.iter().enumerate() {
                engine.draw_params(run, &mut v1.params[l]);
                engine.draw_params(run, &mut v2.params[l]);
            }
            assert!(!engine.mechanisms(v1.params.iter().map(Vec::as_slice)).any(), "{}", s.name());
            engine.run_lanes(ids, &mut v1, true);
            engine.run_lanes_v::<true>(ids, &mut v2, true, all);
            for (l, &run) in ids.iter().enumerate() {
                for (a, b) in v1.outcomes[l].iter().zip(&v2.outcomes[l]) {
                    let bits = |o: &Outcome| o.reals().map(f64::to_bits);
                    assert_eq!(bits(a), bits(b), "{}: run {run}", s.name());
                    assert_eq!((a.events, a.catastrophes), (b.events, b.catastrophes));
                    assert_eq!((b.continuation_benefit, b.continuation_harm), (0.0, 0.0));
                }
                for (a, b) in v1.jurisdictions[l].iter().zip(&v2.jurisdictions[l]) {
                    let bits = |x: &JurisdictionOutcome| [x.benefit, x.harm, x.share_end].map(f64::to_bits);
                    assert_eq!(bits(a), bits(b), "{}: run {run}", s.name());
                }
                let (a, b) = (&v1.series[l], &v2.series[l]);
                assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()), "{}: series", s.name());
            }
        }
    }
}

/// A scenario whose jurisdictions' attributes are uncertain (every attribute that may be, in
/// every place, each a different kind of distribution), with `extra` applied to its draft.
fn uncertain_places(extra: impl FnOnce(&mut crate::model::ScenarioDraft)) -> Scenario {
    use crate::model::Dist;
    use crate::model::params::attr;
    let mut s = Scenario::built_in().to_draft();
    extra(&mut s);
    for (j, x) in s.jurisdictions.iter_mut().enumerate() {
        let o = 0.01 * j as f64;
        x.set_dist(attr::BASE_BURDEN, Dist::Uniform { min: 0.0, max: 0.4 + o });
        x.set_dist(attr::API_ACCESS, Dist::Pert { min: 0.3, mode: 0.7 - o, max: 0.95 });
        x.set_dist(attr::ADOPTION0, Dist::Beta { mean: 0.25 + o, sd: 0.08 });
        x.set_dist(attr::PREPAREDNESS0, Dist::Triangular { min: 0.05, mode: 0.2 + o, max: 0.5 });
        x.set_dist(attr::DEFENSE_RATE, Dist::LogNormal { median: 0.1, p95: 0.3 + o });
        x.set_dist(attr::LEAK_MULTIPLIER, Dist::Normal { mean: 1.0, sd: 0.3, min: Some(0.2), max: Some(2.0) });
    }
    s.check().unwrap()
}

/// Uncertain jurisdiction attributes: every lane reads its own run's draws, on v1's path, on
/// the v2 path, with levers (defense rates under preparedness spending), and in the general
/// (any jurisdiction count) step.
#[test]
fn lanes_match_the_per_run_reference_with_uncertain_jurisdiction_attributes() {
    use crate::model::{Dist, Levers, Policy, Regime, Spending};
    check_matches_reference(&uncertain_places(|_| {}), 40);
    check_matches_reference(
        &uncertain_places(|s| {
            s.world[P::continuation_years as usize] = Dist::Fixed(20.0);
            s.world[P::world_output as usize] = Dist::Fixed(100_000.0);
            s.world[P::leak_public_share as usize] = Dist::Fixed(0.5);
            s.policies.push(Policy {
                name: "Spending".into(),
                default: Regime::tiered(27.0, 28.0, 0.1),
                overrides: Vec::new(),
                levers: Levers {
                    spending: (0..5).map(|j| Spending { safeguards: 1.0, preparedness: j as f64 }).collect(),
                    ..Levers::default()
                },
            });
        }),
        24,
    );
    check_matches_reference(
        &uncertain_places(|s| {
            let base = s.jurisdictions.clone();
            let nj = 9;
            s.jurisdictions = (0..nj)
                .map(|j| {
                    let mut x = base[j % base.len()].clone();
                    x.name = format!("J{j}");
                    let w = 1.0 / nj as f64;
                    (x.share0, x.host, x.weight, x.exposure) = (w, w, w, w);
                    x
                })
                .collect();
            for p in &mut s.policies {
                p.overrides.retain(|(j, _)| *j < nj);
            }
        }),
        12,
    );
}
