//! The policy levers (docs/MODEL.md, "Policy levers"): each one off, or set so that it must
//! equal a policy without levers, gives exactly that policy's results, bit for bit; each one
//! on moves the results the way it must.

use tierlab::model::{Evaluation, Levers, P, Policy, Regime, Scenario, Signpost, Spending, Trigger};
use tierlab::sim::{JurisdictionOutcome, Outcome, Record, Results};

use crate::support::{param_value, sim};

const TIERED: Regime = Regime::tiered(27.0, 28.0, 0.0);

fn everything() -> Record {
    Record { jurisdictions: true, series_runs: u64::MAX, params: true }
}

/// Model v1's baseline (Status quo open everywhere, Global tiered 1e27, Global closed,
/// Unilateral tiered; tests/data/baseline_v1.toml) with `extra` policies after its four.
fn with_policies(runs: u64, extra: Vec<Policy>) -> Scenario {
    crate::support::parse_ok(crate::support::BASELINE_V1)
        .edited(|d| {
            d.run.runs = runs;
            d.policies.extend(extra);
        })
        .expect("the baseline with the extra policies is valid")
}

fn policy(name: &str, default: Regime, levers: Levers) -> Policy {
    Policy { name: name.into(), default, overrides: Vec::new(), levers }
}

fn same_outcome(a: &Outcome, b: &Outcome) -> bool {
    a.benefit.to_bits() == b.benefit.to_bits()
        && a.harm.to_bits() == b.harm.to_bits()
        && a.max_event.to_bits() == b.max_event.to_bits()
        && a.open_pool_end.to_bits() == b.open_pool_end.to_bits()
        && a.hazard_year.to_bits() == b.hazard_year.to_bits()
        && a.events == b.events
        && a.catastrophes == b.catastrophes
        && a.spending.to_bits() == b.spending.to_bits()
}

fn same_jurisdiction(a: &JurisdictionOutcome, b: &JurisdictionOutcome) -> bool {
    a.benefit.to_bits() == b.benefit.to_bits()
        && a.harm.to_bits() == b.harm.to_bits()
        && a.share_end.to_bits() == b.share_end.to_bits()
}

/// Policy `a` and policy `b` have the same outcomes, jurisdictions and series in every run.
fn assert_twins(r: &Results, a: usize, b: usize, what: &str) {
    let nj = r.n_jurisdictions;
    for i in 0..r.n_runs() {
        assert!(
            same_outcome(r.outcome(i, a), r.outcome(i, b)),
            "{what}: run {i}: {:?} vs {:?}",
            r.outcome(i, a),
            r.outcome(i, b)
        );
        for j in 0..nj {
            let (x, y) =
                (&r.jurisdictions[(i * r.n_policies + a) * nj + j], &r.jurisdictions[(i * r.n_policies + b) * nj + j]);
            assert!(same_jurisdiction(x, y), "{what}: run {i}, jurisdiction {j}: {x:?} vs {y:?}");
        }
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for t in 0..r.steps {
        for m in 0..r.series_metrics {
            r.series_cell(a, t, m, &mut x);
            r.series_cell(b, t, m, &mut y);
            assert_eq!(x, y, "{what}: series at step {t}, metric {m}");
        }
    }
}

fn mean(r: &Results, p: usize, f: impl Fn(&Outcome) -> f64) -> f64 {
    let c = r.column(p, f);
    c.iter().sum::<f64>() / c.len() as f64
}

#[test]
fn levers_set_to_nothing_give_the_policy_without_them_bit_for_bit() {
    let nj = Scenario::built_in().jurisdictions().len();
    let s = with_policies(
        400,
        vec![
            // 4: evaluations without error (sd 0, bias 0) = Global tiered 1e27 (1).
            policy(
                "Exact evaluations",
                TIERED,
                Levers { evaluation: Some(Evaluation { sd: 0.0, bias: 0.0 }), ..Levers::default() },
            ),
            // 5: spending 0 everywhere = Status quo (0).
            policy(
                "No spending",
                Regime::Open,
                Levers { spending: vec![Spending::default(); nj], ..Levers::default() },
            ),
            // 6: a trigger at year 0 to closed = Global closed (2).
            policy(
                "Closed from year 0",
                Regime::Open,
                Levers {
                    triggers: vec![Trigger {
                        when: Signpost::Year(0.0),
                        delay: 0.0,
                        regime: Regime::Closed,
                        jurisdictions: vec![],
                    }],
                    ..Levers::default()
                },
            ),
            // 7: a trigger at year 0 to the tiers in US, EU and UK = Unilateral tiered (3).
            policy(
                "Unilateral from year 0",
                Regime::Open,
                Levers {
                    triggers: vec![Trigger {
                        when: Signpost::Year(0.0),
                        delay: 0.0,
                        regime: TIERED,
                        jurisdictions: vec![0, 2, 3],
                    }],
                    ..Levers::default()
                },
            ),
            // 8: everyone joins for sure = Global tiered 1e27 (1).
            policy("Everyone joins", TIERED, Levers { coordination: vec![1.0; nj], ..Levers::default() }),
            // 9: nobody joins = the baseline policy, Status quo (0).
            policy("Nobody joins", TIERED, Levers { coordination: vec![0.0; nj], ..Levers::default() }),
            // 10: a signpost never reached (year 100 of a 10-year run) = Status quo (0).
            policy(
                "Too late to matter",
                Regime::Open,
                Levers {
                    triggers: vec![Trigger {
                        when: Signpost::Year(100.0),
                        delay: 0.0,
                        regime: Regime::Closed,
                        jurisdictions: vec![],
                    }],
                    ..Levers::default()
                },
            ),
        ],
    );
    let r = sim(&s, everything());
    assert_twins(&r, 4, 1, "evaluation sd 0");
    assert_twins(&r, 5, 0, "spending 0");
    assert_twins(&r, 6, 2, "trigger at year 0 to closed");
    assert_twins(&r, 7, 3, "trigger at year 0 to the tiers in three places");
    assert_twins(&r, 8, 1, "coordination probability 1");
    assert_twins(&r, 9, 0, "coordination probability 0");
    assert_twins(&r, 10, 0, "a trigger after the horizon");
}

#[test]
fn an_evaluation_bias_is_the_tiers_moved_by_minus_the_bias() {
    // Measured = true + bias: with sd 0 the tiers act as if their ceilings were lower by the
    // bias, exactly.
    let bias = -0.4;
    let moved = Regime::tiered(27.0 - bias, 28.0 - bias, 0.0);
    let s = with_policies(
        300,
        vec![
            policy(
                "Biased evaluations",
                TIERED,
                Levers { evaluation: Some(Evaluation { sd: 0.0, bias }), ..Levers::default() },
            ),
            policy("Moved tiers", moved, Levers::default()),
        ],
    );
    let r = sim(&s, everything());
    assert_twins(&r, 4, 5, "bias -0.4 against tiers at 27.4/28.4");
}

#[test]
fn evaluation_error_that_under_estimates_releases_more_and_harms_more() {
    let s = with_policies(
        2000,
        vec![policy(
            "Noisy, under-estimating evaluations",
            TIERED,
            Levers { evaluation: Some(Evaluation { sd: 0.3, bias: -0.3 }), ..Levers::default() },
        )],
    );
    let r = sim(&s, Record::default());
    let pool = |p| mean(&r, p, |o| o.open_pool_end);
    let harm = |p| mean(&r, p, |o| o.harm);
    assert!(pool(4) > pool(1) + 0.1, "open pool {} vs exact tiers {}", pool(4), pool(1));
    assert!(harm(4) > harm(1), "harm {} vs exact tiers {}", harm(4), harm(1));
    // Still below open everywhere, which has no ceiling at all.
    assert!(pool(4) < pool(0), "open pool {} vs status quo {}", pool(4), pool(0));
}

#[test]
fn preparedness_spending_lowers_harm_in_every_world_and_costs_its_discounted_sum() {
    let nj = Scenario::built_in().jurisdictions().len();
    let rate = 2.0;
    let s = with_policies(
        1000,
        vec![policy(
            "Open + preparedness",
            Regime::Open,
            Levers { spending: vec![Spending { safeguards: 0.0, preparedness: rate }; nj], ..Levers::default() },
        )],
    );
    let r = sim(&s, everything());
    let (dt, steps) = (s.run().dt(), s.run().steps());
    let mut harmed = 0;
    for i in 0..r.n_runs() {
        let (open, spend) = (r.outcome(i, 0), r.outcome(i, 4));
        // Preparedness changes no release, count or draw: only each event's damage, downwards.
        assert_eq!(open.benefit.to_bits(), spend.benefit.to_bits(), "run {i}: benefit");
        assert_eq!(open.events, spend.events, "run {i}: events");
        assert!(spend.harm <= open.harm * (1.0 + 1e-12), "run {i}: harm {} vs {}", spend.harm, open.harm);
        if open.harm > 0.0 {
            assert!(spend.harm < open.harm, "run {i}: preparedness must prevent some damage");
            harmed += 1;
        }
        // Spending: sum over steps of exp(-delta t) dt * (rate in every jurisdiction).
        let delta = param_value(&s, &r, i, P::discount_rate);
        let want: f64 = (0..steps).map(|t| (-delta * t as f64 * dt).exp() * dt * rate * nj as f64).sum();
        assert!((spend.spending - want).abs() < 1e-9 * want, "run {i}: spending {} vs {want}", spend.spending);
        assert_eq!(spend.net().to_bits(), (spend.benefit - spend.harm - spend.spending).to_bits());
    }
    assert!(harmed > 0, "some runs have harm, so the comparison above is made");
}

#[test]
fn safeguard_spending_lowers_the_open_hazard() {
    let nj = Scenario::built_in().jurisdictions().len();
    let s = with_policies(
        3000,
        vec![policy(
            "Open + safeguards",
            Regime::Open,
            Levers { spending: vec![Spending { safeguards: 10.0, preparedness: 0.0 }; nj], ..Levers::default() },
        )],
    );
    let r = sim(&s, Record::default());
    // $50B/yr halves strip_prob five times (default safeguard_halving $10B/yr): open-weight
    // misuse almost stops, API misuse is untouched.
    let (e0, e4) = (mean(&r, 0, |o| f64::from(o.events)), mean(&r, 4, |o| f64::from(o.events)));
    assert!(e4 < 0.5 * e0, "events {e4} vs {e0}");
    assert!(mean(&r, 4, |o| o.harm) < mean(&r, 0, |o| o.harm));
    for i in 0..r.n_runs() {
        assert!(r.outcome(i, 4).events <= r.outcome(i, 0).events, "run {i}: a lower event rate cannot add events");
    }
}

#[test]
fn an_earlier_trigger_leaves_a_smaller_open_pool_and_the_pool_never_shrinks() {
    let trigger = |year: f64| Levers {
        triggers: vec![Trigger {
            when: Signpost::Year(year),
            delay: 0.0,
            regime: Regime::Closed,
            jurisdictions: vec![],
        }],
        ..Levers::default()
    };
    let reaction = |delay: f64| Levers {
        triggers: vec![Trigger {
            when: Signpost::OpenPoolAbove(27.0),
            delay,
            regime: Regime::Closed,
            jurisdictions: vec![],
        }],
        ..Levers::default()
    };
    let s = with_policies(
        1500,
        vec![
            policy("Closed from year 2", Regime::Open, trigger(2.0)),
            policy("Closed from year 6", Regime::Open, trigger(6.0)),
            policy("Closed at 1e27, at once", Regime::Open, reaction(0.0)),
            policy("Closed at 1e27, 2 years late", Regime::Open, reaction(2.0)),
        ],
    );
    let r = sim(&s, everything());
    let pool = |p| mean(&r, p, |o| o.open_pool_end);
    assert!(
        pool(2) <= pool(4) && pool(4) < pool(5) && pool(5) < pool(0),
        "{} {} {} {}",
        pool(2),
        pool(4),
        pool(5),
        pool(0)
    );
    assert!(pool(6) < pool(7), "a late reaction: {} vs {}", pool(6), pool(7));
    assert!(mean(&r, 4, |o| o.harm) < mean(&r, 5, |o| o.harm));
    // What was released stays released: the open pool series never goes down.
    let mut x = Vec::new();
    for p in 4..8 {
        let mut last = vec![f32::NEG_INFINITY; r.n_runs()];
        for t in 0..r.steps {
            r.series_cell(p, t, 1, &mut x);
            for (i, (&now, before)) in x.iter().zip(&mut last).enumerate() {
                assert!(now >= *before, "policy {p}, run {i}, step {t}: open pool fell");
                *before = now;
            }
        }
    }
}

#[test]
fn partial_coordination_lies_between_nobody_and_everybody() {
    let nj = Scenario::built_in().jurisdictions().len();
    let s = with_policies(
        3000,
        vec![policy("Half join", TIERED, Levers { coordination: vec![0.5; nj], ..Levers::default() })],
    );
    let r = sim(&s, Record::default());
    let pool = |p| mean(&r, p, |o| o.open_pool_end);
    // Status quo (nobody) > half > Global tiered (everybody), in open pool.
    assert!(pool(1) < pool(4) && pool(4) < pool(0), "{} < {} < {}", pool(1), pool(4), pool(0));
    // In some worlds everyone joins (1/32): the policy is then the global one in that run.
    let same = (0..r.n_runs()).filter(|&i| r.outcome(i, 4) == r.outcome(i, 1)).count() as f64 / r.n_runs() as f64;
    let all_join = 0.5f64.powi(nj as i32);
    let sd = (all_join * (1.0 - all_join) / r.n_runs() as f64).sqrt();
    assert!(same >= all_join - 4.0 * sd, "share of runs equal to the global policy {same}, at least {all_join}");
}

#[test]
fn a_harm_signpost_switches_only_after_that_much_harm() {
    let s = with_policies(
        1000,
        vec![policy(
            "Closed after $500B of harm",
            Regime::Open,
            Levers {
                triggers: vec![Trigger {
                    when: Signpost::HarmAbove(500.0),
                    delay: 0.0,
                    regime: Regime::Closed,
                    jurisdictions: vec![],
                }],
                ..Levers::default()
            },
        )],
    );
    let r = sim(&s, Record::default());
    // Until harm passes $500B (undiscounted) the policy is the status quo. Discounting at most
    // 7%/yr over 10 years keeps at least half of any damage, so a status-quo run with less
    // than $238B of discounted harm never reaches the signpost and must be the same run.
    let mut switched = 0;
    for i in 0..r.n_runs() {
        let (open, adaptive) = (r.outcome(i, 0), r.outcome(i, 4));
        if open.harm * 2.1 < 500.0 {
            assert_eq!(adaptive, open, "run {i}: switched before the signpost");
        } else if adaptive != open {
            switched += 1;
        }
    }
    assert!(switched > 0, "some runs pass $500B of harm and switch");
}
