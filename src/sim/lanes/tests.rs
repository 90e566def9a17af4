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
            }
            for (a, b) in jur.iter().zip(&lane.jurisdictions[l]) {
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
        let tiered = Regime::Tiered { open_below: 27.0, gated_below: 28.0, drift: 0.1 };
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
    let tiered = Regime::Tiered { open_below: 26.8, gated_below: 27.6, drift: 0.2 };
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
                trigger(
                    Signpost::OpenPoolAbove(27.2),
                    1.0,
                    Regime::Tiered { open_below: 27.5, gated_below: 28.0, drift: 0.0 },
                    vec![],
                ),
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
    for (name, text) in crate::model::scenario::PRESETS {
        let s = Scenario::parse(text, name).expect("preset parses");
        check_matches_reference(&s, 24);
    }
}
