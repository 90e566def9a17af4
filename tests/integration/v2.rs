//! Model v2's mechanisms (docs/MODEL.md): each at its default gives model v1's results bit
//! for bit; each has its known value or sign; extreme conditions in the manner of system
//! dynamics validity tests; the checker, the writer and the editor know the keys.
//!
//! `BASELINE` here is model v1's baseline (tests/data/baseline_v1.toml): the tests add v2 keys
//! to a v1 world and pin v1's numbers. The shipped baseline, a v2 scenario, is
//! `support::BASELINE`, tested at the end of this file.

use rand::RngExt;
use tierlab::model::params::V2_PARAMS;
use tierlab::model::{P, Scenario};
use tierlab::sim::continuation::{discount_weight, expected_capped_pareto};
use tierlab::sim::{Control, Engine, Record, Results, SimOptions, simulate};

use crate::support::{BASELINE_V1 as BASELINE, Jur, LEVERS_V1, PRESETS_V1, Spec, parse_ok, sim, sim_all};

/// Every number a simulation records, as bits (outcomes with their continuation parts, per
/// jurisdiction, series, parameter draws).
fn bits(r: &Results) -> Vec<u64> {
    let mut out = Vec::new();
    for o in &r.outcomes {
        out.extend(o.reals().map(f64::to_bits));
        out.push(u64::from(o.events) << 32 | u64::from(o.catastrophes));
    }
    for j in &r.jurisdictions {
        out.extend([j.benefit, j.harm, j.share_end].map(f64::to_bits));
    }
    out.extend(r.series.iter().map(|x| u64::from(x.to_bits())));
    out.extend(r.params.iter().map(|x| x.to_bits()));
    out
}

/// `text` with `lines` added at the top of `[world]`.
fn with_world(text: &str, lines: &str) -> String {
    assert_eq!(text.matches("\n[world]\n").count(), 1);
    text.replacen("\n[world]\n", &format!("\n[world]\n{lines}\n"), 1)
}

fn small(text: &str, runs: u64) -> Scenario {
    parse_ok(text).with_runs(runs).expect("a valid run count")
}

/// The levers preset as model version 1's (tests/data/presets_v1/levers.toml): the one in
/// scenarios/ is a version-2 scenario.
fn levers_preset() -> &'static str {
    LEVERS_V1
}

/// The first two runs of the model-v1 baseline and of the v1 levers preset, as model v1 computed
/// them (written down from the v1 engine's runs.csv before model v2 existed; runs.csv's
/// numbers read back as the same doubles): a v1 scenario keeps its v1 results.
#[test]
fn v1_scenarios_keep_model_v1s_numbers_exactly() {
    type Row = (u64, &'static str, f64, f64, f64, f64);
    let baseline: [Row; 8] = [
        (0, "Status quo", 47540.38474913515, 8299.409332871679, 1607.8729417685813, 33.655446314942154),
        (0, "Global tiered 1e27", 39351.02415649878, 2421.188322761792, 525.9168484499054, 31.1051504039346),
        (0, "Global closed", 36956.83152076438, 1764.8110555107746, 435.26401027105396, 30.86751780801997),
        (
            0,
            "Unilateral tiered (US, EU, UK)",
            47008.320804849754,
            7856.819606670066,
            1519.9963860323594,
            33.582019668053285,
        ),
        (1, "Status quo", 28855.272448864525, 1855.5755862780675, 534.3083520272136, 32.12244763952064),
        (1, "Global tiered 1e27", 24921.192143469994, 543.4790649576039, 130.01233652758737, 29.87385566371827),
        (1, "Global closed", 24290.501055139182, 384.36372628731397, 115.64535099331468, 29.6777380110369),
        (
            1,
            "Unilateral tiered (US, EU, UK)",
            27572.95688711766,
            1579.5031122039454,
            510.6252245133843,
            31.810965231353798,
        ),
    ];
    let levers: [Row; 14] = [
        (0, "Status quo", 76279.64991050972, 1139.8392491337147, 501.57925448139224, 32.5096924281643),
        (0, "Global tiered 1e27", 71491.78409487588, 935.9870359619827, 490.884602247643, 30.48484738031394),
        (
            0,
            "Tiered, evaluated with error",
            71489.80632177526,
            937.0496875192594,
            490.90015178268743,
            30.48716849821546,
        ),
        (0, "Tiered, partial coordination", 71491.78409487588, 935.9870359619827, 490.884602247643, 30.48484738031394),
        (0, "Open + $20B/yr resilience", 76279.64991050972, 913.0093486234551, 389.59543034379175, 32.5096924281643),
        (0, "Tiered after a catastrophe", 76279.64991050972, 1139.8392491337147, 501.57925448139224, 32.5096924281643),
        (0, "Tiered at a signpost", 70749.69489006176, 925.1923982046699, 486.31348726241896, 30.428805246010352),
        (1, "Status quo", 14606.494328124249, 671.9051677824316, 370.75486851710707, 32.14116287970129),
        (1, "Global tiered 1e27", 11780.654811194961, 453.662025450713, 197.7024838699178, 28.0),
        (
            1,
            "Tiered, evaluated with error",
            12094.524008486285,
            508.1235474947756,
            241.61831387553391,
            28.6628355780311,
        ),
        (1, "Tiered, partial coordination", 11780.654811194961, 453.662025450713, 197.7024838699178, 28.0),
        (1, "Open + $20B/yr resilience", 14606.494328124249, 417.2412418752265, 288.78573396618924, 32.14116287970129),
        (1, "Tiered after a catastrophe", 14606.494328124249, 671.9051677824316, 370.75486851710707, 32.14116287970129),
        (1, "Tiered at a signpost", 11805.291809227849, 465.0096742624545, 197.21429785189304, 28.0),
    ];
    for (text, rows) in [(BASELINE, &baseline[..]), (levers_preset(), &levers[..])] {
        let s = small(text, 2);
        assert_eq!(s.model_version(), "1");
        let r = sim(&s, Record::default());
        for &(run, policy, benefit, harm, max_event, pool) in rows {
            let p = s.policy_index(policy).expect("policy");
            let o = r.outcome(run as usize, p);
            let got = [o.benefit, o.harm, o.max_event, o.open_pool_end].map(f64::to_bits);
            assert_eq!(got, [benefit, harm, max_event, pool].map(f64::to_bits), "{policy}, run {run}: {o:?}");
            assert_eq!((o.continuation_benefit, o.continuation_harm), (0.0, 0.0));
        }
    }
}

/// Each mechanism written out at its default gives the results of the same scenario without
/// the key, bit for bit; the two mechanisms with no default value (`world_output`,
/// `distill_lag`) leave the engine on model v1's path when left out.
#[test]
fn each_mechanism_at_its_default_gives_v1_results_bit_for_bit() {
    let runs = 160;
    for base_text in [BASELINE, levers_preset()] {
        let base = small(base_text, runs);
        let reference = bits(&sim_all(&base));
        // Left out, no v2 mechanism runs: the step is model v1's code.
        let engine = Engine::new(&base);
        let mut params = vec![0.0; engine.n_params];
        for run in 0..runs {
            engine.draw_params(run, &mut params);
            assert!(!engine.mechanisms([params.as_slice()]).any(), "run {run}");
        }
        let tiered = "{ tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0 } }";
        let variants = [
            ("continuation_years = 0", with_world(base_text, "continuation_years = 0.0")),
            ("leak_public_share = 1", with_world(base_text, "leak_public_share = 1.0")),
            ("scrutiny_safety = 0", with_world(base_text, "scrutiny_safety = 0")),
            (
                "algorithmic_progress = 0 with training-FLOP thresholds",
                with_world(base_text, "algorithmic_progress = 0.0").replace(
                    tiered,
                    "{ tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0, measure = \"training_flop\" } }",
                ),
            ),
            (
                "stage_delay = 0",
                base_text
                    .replace(
                        tiered,
                        "{ tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0, stage_delay = 0.0 } }",
                    )
                    .replace("default = \"open\"", "default = { open = { stage_delay = 0 } }"),
            ),
        ];
        for (what, text) in &variants {
            assert_ne!(text.as_str(), base_text, "{what}: the variant changes the text");
            let s = small(text, runs);
            assert_eq!(bits(&sim_all(&s)), reference, "{what} changes the results of {}", base.name());
        }
    }
}

/// A world held still: one place, adoption 1 for ever (bass p = q = 0), no frontier growth or
/// noise, no misuse, no leaks. Every step's benefit flow is then the same.
fn still_world(years: u32, continuation: f64, discount: f64) -> Spec {
    let mut spec = Spec::new()
        .fix("growth", 0.0)
        .fix("growth_sd", 0.0)
        .fix("research_boost", 0.0)
        .fix("bass_p", 0.0)
        .fix("bass_q", 0.0)
        .fix("misuse_rate", 0.0)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .fix("discount_rate", discount)
        .fix("continuation_years", continuation);
    spec.jurisdictions = vec![Jur::world("World").set("adoption0", 1.0)];
    spec.years = years;
    spec.runs = 8;
    spec
}

/// MODEL.md, the continuation: with the end state's flows constant, 10 years and 10 of
/// continuation are a 20-year run (undiscounted: exactly the same sum), and with discounting
/// the continuation is the closed-form integral of the flow from year 10 to 20.
#[test]
fn a_continuation_counts_the_end_states_flows_on() {
    let short = sim(&still_world(10, 10.0, 0.0).build(), Record::default());
    let long = sim(&still_world(20, 0.0, 0.0).build(), Record::default());
    for (a, b) in short.outcomes.iter().zip(&long.outcomes) {
        assert!((a.benefit - b.benefit).abs() <= 1e-9 * b.benefit, "{} vs {}", a.benefit, b.benefit);
        assert!(a.continuation_benefit > 0.0 && b.continuation_benefit == 0.0);
        assert!((a.continuation_benefit - 0.5 * b.benefit).abs() <= 1e-9 * b.benefit);
        assert_eq!((a.harm, a.continuation_harm), (0.0, 0.0), "no misuse, no harm");
    }
    // Discounted: the flow W * weight * A * v per year, v = max(O - k_base, phi (K - k_base)),
    // from year 10 to 20 at rate d.
    let d = 0.03;
    let spec = still_world(10, 10.0, d);
    let s = spec.build();
    let r = sim(&s, Record::default());
    let (k0, o0, lag, k_base, w) = (26.8, 26.4, 0.22, 22.0, 700.0);
    let pool = f64::max(o0, k0 - lag);
    let v = f64::max(pool - k_base, 0.85 * (k0 - k_base));
    let integral = w * v * ((-d * 10.0f64).exp() - (-d * 20.0f64).exp()) / d;
    for o in &r.outcomes {
        assert!(
            (o.continuation_benefit - integral).abs() <= 1e-12 * integral,
            "{} vs {integral}",
            o.continuation_benefit
        );
    }
    assert!((discount_weight(d, 10.0, 10.0) - ((-0.3f64).exp() - (-0.6f64).exp()) / d).abs() < 1e-12);
    assert_eq!(discount_weight(0.0, 10.0, 7.5), 7.5);
    assert_eq!(discount_weight(0.05, 10.0, 0.0), 0.0);
}

/// The expected size of one event, `E[min(c, a X)]` for `X ~ Pareto(1, alpha)`, in closed
/// form against a Monte Carlo estimate (within 4 standard errors), and its limits.
#[test]
fn the_expected_capped_pareto_size_matches_monte_carlo_and_its_limits() {
    let mut rng = tierlab::sim::rng::stream(11, tierlab::sim::rng::Stream::Scenario, 0, 0);
    let n = 400_000;
    for (a, cap, alpha) in [(5.0, 1000.0, 1.4), (5.0, 1000.0, 1.0), (2.0, 50.0, 0.7), (1.0, 1e5, 2.5), (3.0, 4.0, 1.2)]
    {
        let xs: Vec<f64> = (0..n)
            .map(|_| {
                let u: f64 = rng.random();
                f64::min(cap, a * (1.0 - u).powf(-1.0 / alpha))
            })
            .collect();
        let (mean, se) = crate::support::mean_se(&xs);
        let e = expected_capped_pareto(a, cap, alpha);
        assert!((e - mean).abs() <= 4.0 * se, "a {a}, cap {cap}, alpha {alpha}: {e} vs {mean} ± {se}");
    }
    // At or above the cap every event is the cap; no scale, no size.
    assert_eq!(expected_capped_pareto(1000.0, 1000.0, 1.4), 1000.0);
    assert_eq!(expected_capped_pareto(2000.0, 1000.0, 0.5), 1000.0);
    assert_eq!(expected_capped_pareto(0.0, 1000.0, 1.4), 0.0);
    // A thin tail: every event is its scale. A far cap: the Pareto mean a alpha / (alpha - 1).
    assert!((expected_capped_pareto(5.0, 1000.0, 1e9) - 5.0).abs() < 1e-6);
    let far = expected_capped_pareto(5.0, 1e300, 2.0);
    assert!((far - 10.0).abs() < 1e-9, "{far}");
    // alpha = 1 is the limit of its neighbours (a (1 + ln m)).
    let at_one = expected_capped_pareto(5.0, 1000.0, 1.0);
    assert!((at_one - 5.0 * (1.0 + 200f64.ln())).abs() < 1e-12);
    for alpha in [1.0 - 1e-9, 1.0 + 1e-9] {
        assert!((expected_capped_pareto(5.0, 1000.0, alpha) - at_one).abs() < 1e-6 * at_one);
    }
    // A heavy tail with a huge cap: cap m^-alpha / (1 - alpha) with m = 1e600, whose
    // intermediate values overflow a double if formed naively.
    let heavy = expected_capped_pareto(1e-300, 1e300, 0.05);
    let want = 1e300 * 1e-30 / 0.95;
    assert!((heavy - want).abs() <= 1e-9 * want, "{heavy} vs {want}");
}

/// The baseline with heavy misuse, for bounded losses.
fn heavy_misuse(output: Option<f64>) -> Scenario {
    let mut text = BASELINE
        .replacen("misuse_rate = { dist = \"pert\", min = 0.5, mode = 2.0, max = 10.0 }", "misuse_rate = 40.0", 1)
        .replacen("severity_min = { dist = \"pert\", min = 1.0, mode = 5.0, max = 20.0 }", "severity_min = 50.0", 1);
    if let Some(y) = output {
        text = with_world(&text, &format!("world_output = {y:?}"));
    }
    assert!(text.contains("misuse_rate = 40.0") && text.contains("severity_min = 50.0"), "the baseline's lines moved");
    small(&text, 200)
}

/// Bounded losses: harm within the horizon never exceeds the output at stake,
/// `world_output * years`, nor does a single event; benefit is lower after heavy losses
/// (never higher in any run), since it accrues only on the output that remains.
#[test]
fn bounded_losses_never_exceed_the_stake_and_lower_benefit_after_heavy_losses() {
    let output = 300.0;
    let stake = output * 10.0;
    let bounded = heavy_misuse(Some(output));
    assert_eq!(bounded.model_version(), "2");
    let (rb, ru) = (sim(&bounded, Record::default()), sim(&heavy_misuse(None), Record::default()));
    let mut lower = 0;
    for (b, u) in rb.outcomes.iter().zip(&ru.outcomes) {
        assert!(b.harm <= stake * (1.0 + 1e-12), "harm {} above the stake {stake}", b.harm);
        assert!(b.max_event <= stake * (1.0 + 1e-12));
        assert!(b.harm <= u.harm * (1.0 + 1e-12) + 1e-9, "bounding never adds harm: {} vs {}", b.harm, u.harm);
        assert!(b.benefit <= u.benefit, "benefit on what remains: {} vs {}", b.benefit, u.benefit);
        if b.benefit < u.benefit {
            lower += 1;
        }
    }
    let heavy = ru.outcomes.iter().filter(|o| o.harm > stake).count();
    assert!(heavy > 20, "the scenario destroys more than the stake in many unbounded runs ({heavy})");
    assert!(lower >= heavy, "benefit falls wherever losses were heavy ({lower} runs of {heavy})");
}

/// Training-FLOP thresholds under algorithmic progress rise on the capability scale, so they
/// admit more capable models each year: with the frontier's path the same (no research boost,
/// no leaks, no migration), the open pool is never lower in any year of any run, and ends
/// higher.
#[test]
fn training_flop_thresholds_admit_more_capable_models_as_algorithms_improve() {
    let tier = |measure: &str| {
        format!("{{ tiered = {{ open_below = 27.0, gated_below = 27.5, drift = 0.0, measure = \"{measure}\" }} }}")
    };
    let spec = Spec::new()
        .fix("algorithmic_progress", 0.3)
        .fix("research_boost", 0.0)
        .fix("leak_gated", 0.0)
        .fix("leak_closed", 0.0)
        .raw("growth", "{ dist = \"uniform\", min = 0.4, max = 0.8 }")
        .only_policy("Effective", &tier("effective"))
        .policy("Training FLOP", &tier("training_flop"));
    let mut spec = spec;
    spec.runs = 64;
    let s = spec.build();
    let r = sim_all(&s);
    let mut cell = (Vec::new(), Vec::new());
    for t in 0..r.steps {
        r.series_cell(0, t, 1, &mut cell.0);
        r.series_cell(1, t, 1, &mut cell.1);
        for (e, f) in cell.0.iter().zip(&cell.1) {
            assert!(f >= e, "step {t}: open pool {f} under training FLOP, {e} under effective");
        }
    }
    let (mut higher, mut gap) = (0, 0.0);
    for i in 0..r.n_runs() {
        let (e, f) = (r.outcome(i, 0).open_pool_end, r.outcome(i, 1).open_pool_end);
        assert!(f >= e);
        higher += usize::from(f > e);
        gap += f - e;
    }
    assert_eq!(higher, r.n_runs(), "the effective ceiling binds in every run");
    // Both ceilings bind at the end: the pools differ by the progress since the start.
    let mean_gap = gap / r.n_runs() as f64;
    assert!((mean_gap - 0.3 * (10.0 - 0.25)).abs() < 1e-9, "{mean_gap}");
}

/// A leak that reaches misusers only leaves the public pool where no leak happened; misuse
/// rises with the misusers' pool: with nothing released (closed everywhere) and every leak
/// private, the open pool stays at o0 while events are at least as many in every run as
/// without leaks, and more overall.
#[test]
fn private_leaks_arm_misusers_and_leave_the_public_pool() {
    let closed = |leaks: bool| {
        let mut spec = Spec::new()
            .fix("leak_public_share", 0.0)
            .fix("leak_closed", if leaks { 2.0 } else { 0.0 })
            .fix("leak_gated", if leaks { 2.0 } else { 0.0 })
            .fix("misuse_rate", 20.0)
            .fix("hazard_threshold", 27.0)
            .only_policy("Closed", "\"closed\"");
        spec.runs = 64;
        spec.build()
    };
    let (with, without) = (sim_all(&closed(true)), sim_all(&closed(false)));
    let o0 = 26.4;
    let (mut more, mut cell) = (0, Vec::new());
    for (a, b) in with.outcomes.iter().zip(&without.outcomes) {
        assert_eq!(a.open_pool_end, o0, "a private leak is not published");
        assert!(a.events >= b.events, "misuse rises with the misusers' pool: {} vs {}", a.events, b.events);
        more += a.events - b.events;
    }
    assert!(more > 100, "leaked weights add misuse ({more} events)");
    for t in 0..with.steps {
        with.series_cell(0, t, 1, &mut cell);
        assert!(cell.iter().all(|&x| x == o0 as f32), "step {t}: the public pool moved");
    }
}

/// Distillation: the open pool never trails the best API model by more than the lag, even
/// under closed regimes, where it would otherwise stay at o0.
#[test]
fn distillation_bounds_the_gap_between_frontier_and_open_pool() {
    let lag = 0.5;
    let mut spec = Spec::new().fix("distill_lag", lag).only_policy("Closed", "\"closed\"");
    spec.runs = 32;
    let r = sim_all(&spec.build());
    let (mut k, mut o) = (Vec::new(), Vec::new());
    for t in 1..r.steps {
        // O of step t is set from K at the start of step t, the frontier recorded after step t - 1.
        r.series_cell(0, t - 1, 0, &mut k);
        r.series_cell(0, t, 1, &mut o);
        for (&k, &o) in k.iter().zip(&o) {
            assert!(f64::from(k) - f64::from(o) <= lag + 1e-5, "step {t}: K {k} - O {o} above the lag {lag}");
        }
    }
    for i in 0..r.n_runs() {
        assert!(r.outcome(i, 0).open_pool_end > 26.4 + 1.0, "distillation raised the pool");
    }
}

/// Scrutiny lowers misuse through open weights and APIs alike: harm is never higher in any run
/// of a fixed scenario (the same runs, the same random numbers), and lower overall.
#[test]
fn scrutiny_lowers_harm_and_never_raises_it() {
    let base = small(BASELINE, 200);
    let with = small(&with_world(BASELINE, "scrutiny_safety = 0.5"), 200);
    let (a, b) = (sim(&with, Record::default()), sim(&base, Record::default()));
    let (mut ha, mut hb) = (0.0, 0.0);
    for (x, y) in a.outcomes.iter().zip(&b.outcomes) {
        assert!(x.harm <= y.harm, "scrutiny raised harm: {} vs {}", x.harm, y.harm);
        assert!(x.events <= y.events);
        assert_eq!(x.benefit.to_bits(), y.benefit.to_bits(), "scrutiny changes no benefit without levers");
        (ha, hb) = (ha + x.harm, hb + y.harm);
    }
    assert!(ha < 0.95 * hb, "scrutiny lowers harm overall: {ha} vs {hb}");
}

/// A stage delay holds models back: with the frontier's path the same and no leaks, the open
/// pool never ends higher and ends lower on average; in the baseline too, on average.
#[test]
fn a_stage_delay_lowers_the_open_pools_end() {
    let mut spec = Spec::new()
        .fix("research_boost", 0.0)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .raw("growth", "{ dist = \"uniform\", min = 0.4, max = 0.8 }")
        .only_policy("Open", "\"open\"")
        .policy("Staged", "{ open = { stage_delay = 0.5 } }");
    spec.runs = 64;
    let r = sim(&spec.build(), Record::default());
    for i in 0..r.n_runs() {
        let (open, staged) = (r.outcome(i, 0).open_pool_end, r.outcome(i, 1).open_pool_end);
        assert!(staged < open, "run {i}: staged {staged}, open {open}");
    }
    let text = BASELINE.replace("default = \"open\"", "default = { open = { stage_delay = 1.0 } }");
    let (staged, open) = (sim(&small(&text, 200), Record::default()), sim(&small(BASELINE, 200), Record::default()));
    let mean = |r: &Results| r.column(0, |o| o.open_pool_end).iter().sum::<f64>() / r.n_runs() as f64;
    assert!(mean(&staged) < mean(&open) - 0.1, "{} vs {}", mean(&staged), mean(&open));
}

/// Every mechanism on at once, for the extreme-condition tests.
fn every_mechanism(text: &str) -> String {
    with_world(
        text,
        "continuation_years = 15.0\nworld_output = 2000.0\nalgorithmic_progress = 0.3\nleak_public_share = 0.5\n\
         distill_lag = 1.0\nscrutiny_safety = 0.3",
    )
    .replace("{ tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0 } }", "{ tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0, measure = \"training_flop\", stage_delay = 0.5 } }")
}

/// Extreme conditions (system dynamics validity tests), with every mechanism on: no misuse,
/// no harm; no value, no benefit; nothing released and nothing leaked, the public pool stays at
/// o0 for ever; bounded losses never exceed the stake.
#[test]
fn extreme_conditions_give_their_obvious_results() {
    let text = every_mechanism(BASELINE);
    // No misuse: no harm anywhere, within the horizon or after it.
    let no_misuse = small(
        &text.replacen("misuse_rate = { dist = \"pert\", min = 0.5, mode = 2.0, max = 10.0 }", "misuse_rate = 0.0", 1),
        64,
    );
    assert_eq!(no_misuse.model_version(), "2");
    let r = sim_all(&no_misuse);
    assert!(r.outcomes.iter().all(|o| o.harm == 0.0 && o.events == 0 && o.continuation_harm == 0.0));
    assert!(r.jurisdictions.iter().all(|j| j.harm == 0.0));
    assert!(r.outcomes.iter().all(|o| o.continuation_benefit > 0.0), "the continuation runs");
    // No value: no benefit (value_per_oom must be > 0 in a file; the engine is asked directly).
    let s = small(&text, 64);
    let opts = SimOptions {
        param_overrides: vec![(P::value_per_oom as usize, 0.0)],
        record: Record { jurisdictions: true, ..Record::default() },
        ..SimOptions::default()
    };
    let r = simulate(&s, &opts, &Control::new()).expect("simulation");
    assert!(r.outcomes.iter().all(|o| o.benefit == 0.0 && o.continuation_benefit == 0.0));
    assert!(r.jurisdictions.iter().all(|j| j.benefit == 0.0));
    assert!(r.outcomes.iter().any(|o| o.harm > 0.0), "harm still happens");
    // Closed everywhere, no leaks, no distillation: the open pool is o0 for ever.
    let mut spec = Spec::new()
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .fix("continuation_years", 10.0)
        .fix("world_output", 5000.0)
        .fix("algorithmic_progress", 0.5)
        .fix("leak_public_share", 0.3)
        .fix("scrutiny_safety", 1.0)
        .raw("o0", "{ dist = \"uniform\", min = 25.0, max = 26.5 }")
        .only_policy("Closed", "\"closed\"");
    spec.runs = 32;
    let s = spec.build();
    let r = sim_all(&s);
    let mut cell = Vec::new();
    for i in 0..r.n_runs() {
        let o0 = crate::support::param_value(&s, &r, i, P::o0);
        assert_eq!(r.outcome(i, 0).open_pool_end, o0, "run {i}");
    }
    for t in 0..r.steps {
        r.series_cell(0, t, 1, &mut cell);
        for (i, &x) in cell.iter().enumerate() {
            assert_eq!(x, crate::support::param_value(&s, &r, i, P::o0) as f32, "step {t}, run {i}");
        }
    }
    // Bounded losses: harm within the horizon never exceeds the stake; the continuation's harm
    // is at most the remaining output per year over its discounted length.
    let heavy = small(
        &text
            .replacen("misuse_rate = { dist = \"pert\", min = 0.5, mode = 2.0, max = 10.0 }", "misuse_rate = 200.0", 1)
            .replacen("world_output = 2000.0", "world_output = 100.0", 1),
        64,
    );
    let r = sim(&heavy, Record { params: true, ..Record::default() });
    let stake = 100.0 * 10.0;
    for o in &r.outcomes {
        assert!(o.harm - o.continuation_harm <= stake * (1.0 + 1e-12), "{o:?}");
        assert!(o.continuation_harm <= 100.0 * 15.0 * (1.0 + 1e-12), "{o:?}");
    }
}

/// The checker knows the keys: ranges, what a regime table may hold, and clear messages.
#[test]
fn the_checker_refuses_bad_v2_keys_with_clear_messages() {
    let cases: [(&str, &str, &str, &str); 8] = [
        ("world_output = 0.0", "", "world.world_output", "must be a number > 0"),
        ("distill_lag = -0.5", "", "world.distill_lag", "must be a number >= 0"),
        ("leak_public_share = 1.5", "", "world.leak_public_share", "must be a number in [0, 1]"),
        ("continuation_years = -1", "", "world.continuation_years", "must be a number >= 0"),
        (
            "",
            "{ tiered = { open_below = 27.0, gated_below = 28.0, measure = \"flops\" } }",
            "policy \"Global tiered 1e27\": default.tiered.measure",
            "must be \"effective\" or \"training_flop\"",
        ),
        (
            "",
            "{ tiered = { open_below = 27.0, gated_below = 28.0, stage_delay = -1 } }",
            "policy \"Global tiered 1e27\": default.tiered.stage_delay",
            "must be a number of years >= 0",
        ),
        (
            "",
            "{ open = { stage_delay = 1, delay = 2 } }",
            "policy \"Global tiered 1e27\": default.open.delay",
            "allowed: stage_delay",
        ),
        (
            "",
            "{ closed = { stage_delay = 1 } }",
            "policy \"Global tiered 1e27\": default",
            "or { open = { stage_delay = 0.5 } }",
        ),
    ];
    for (world, regime, path, message) in cases {
        let mut text = if world.is_empty() { BASELINE.to_string() } else { with_world(BASELINE, world) };
        if !regime.is_empty() {
            text = text.replacen(
                "default = { tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0 } }",
                &format!("default = {regime}"),
                1,
            );
        }
        let err = Scenario::parse(&text, "case.toml").expect_err("invalid");
        let issue =
            err.issues().iter().find(|i| i.path == path).unwrap_or_else(|| panic!("{path} not reported:\n{err}"));
        assert!(issue.message.contains(message), "{path}: {}", issue.message);
        assert!(issue.line.is_some(), "{path}: a line");
    }
}

/// Written back: the keys round-trip, an absent optional parameter is not written, a regime's
/// v2 keys only when set; the editor's save keeps the file's comments; the model version.
#[test]
fn the_writer_and_the_editor_know_the_keys_and_the_model_version_follows_them() {
    let base = parse_ok(BASELINE);
    let written = base.to_toml();
    for p in V2_PARAMS {
        assert!(!written.contains(p.info().key), "{} written though left out", p.info().key);
    }
    assert!(!written.contains("measure") && !written.contains("stage_delay"));
    for (name, text) in tierlab::model::scenario::PRESETS {
        assert_eq!(parse_ok(text).model_version(), "2", "{name}: every preset is a model-v2 scenario");
    }
    for (name, text) in PRESETS_V1 {
        assert_eq!(parse_ok(text).model_version(), "1", "{name}: the copies kept for the tests are v1");
    }
    let full = parse_ok(
        &every_mechanism(BASELINE).replace("default = \"closed\"", "default = { open = { stage_delay = 0.25 } }"),
    );
    assert_eq!(full.model_version(), "2");
    let again = parse_ok(&full.to_toml());
    assert_eq!(again, full, "every v2 key reads back as written");
    assert!(full.to_toml().contains("measure = \"training_flop\", stage_delay = 0.5"));
    assert!(full.to_toml().contains("{ open = { stage_delay = 0.25 } }"));
    // Each key alone makes a v2 scenario.
    for line in [
        "continuation_years = 1",
        "world_output = 100000",
        "algorithmic_progress = 0.1",
        "leak_public_share = 0.9",
        "distill_lag = 0",
        "scrutiny_safety = 0.1",
    ] {
        assert_eq!(parse_ok(&with_world(BASELINE, line)).model_version(), "2", "{line}");
    }
    // The editor's save: a v2 key added to the user's text keeps every comment.
    let after = base
        .edited(|d| {
            d.world[P::world_output as usize] = tierlab::model::Dist::Fixed(110_000.0);
            d.policies[1].default = tierlab::model::Regime::Tiered {
                open_below: 27.0,
                gated_below: 28.0,
                drift: 0.0,
                measure: tierlab::model::regime::Measure::TrainingFlop,
                stage_delay: 0.5,
            };
        })
        .expect("valid");
    let (saved, how) = tierlab::model::edit::update_text(BASELINE, &base, &after);
    assert_eq!(how, tierlab::model::edit::Saved::Kept, "{saved}");
    assert_eq!(parse_ok(&saved), after);
    let comments = |t: &str| t.lines().filter(|l| l.trim_start().starts_with('#')).count();
    assert_eq!(comments(&saved), comments(BASELINE));
    // Back to the defaults: the keys go again, and the file is v1's.
    let (restored, _) = tierlab::model::edit::update_text(&saved, &after, &base);
    assert_eq!(parse_ok(&restored), base);
    assert!(!restored.contains("world_output") && !restored.contains("measure"), "{restored}");
}

/// The provenance stamps the scenario's model version, not the engine's.
#[test]
fn provenance_stamps_the_scenarios_model_version() {
    assert_eq!(tierlab::study::Input::built_in().provenance().model_version, "2", "the shipped baseline");
    let v1 = parse_ok(BASELINE);
    let source = tierlab::study::ScenarioSource::written_out(&v1, "v1.toml");
    assert_eq!(tierlab::study::Input::new(v1, source).provenance().model_version, "1");
    let s = parse_ok(&with_world(BASELINE, "continuation_years = 5"));
    let source = tierlab::study::ScenarioSource::written_out(&s, "v2.toml");
    assert_eq!(tierlab::study::Input::new(s, source).provenance().model_version, "2");
    assert_eq!(tierlab::MODEL_VERSION, "2");
}

/// The extreme conditions on the shipped baseline, a v2 scenario with every world mechanism on
/// as shipped: no misuse, no harm; no value, no benefit; nothing leaked and nothing distilled,
/// the public pool never moves under Global closed; with bounded losses harm within the horizon
/// never exceeds the output at stake, nor the continuation's harm the output of its years.
#[test]
fn the_shipped_v2_baseline_meets_the_extreme_conditions() {
    use crate::support::param_value;
    let s = small(crate::support::BASELINE, 64);
    assert_eq!(s.model_version(), "2");
    let run = |overrides: &[(P, f64)]| {
        let opts = SimOptions {
            param_overrides: overrides.iter().map(|&(p, x)| (p as usize, x)).collect(),
            record: Record { jurisdictions: true, series_runs: 64, params: true },
            ..SimOptions::default()
        };
        simulate(&s, &opts, &Control::new()).expect("simulation")
    };
    let r = run(&[(P::misuse_rate, 0.0)]);
    assert!(r.outcomes.iter().all(|o| o.harm == 0.0 && o.events == 0 && o.continuation_harm == 0.0));
    assert!(r.jurisdictions.iter().all(|j| j.harm == 0.0));
    assert!(r.outcomes.iter().any(|o| o.continuation_benefit > 0.0), "the continuation runs");
    let r = run(&[(P::value_per_oom, 0.0)]);
    assert!(r.outcomes.iter().all(|o| o.benefit == 0.0 && o.continuation_benefit == 0.0));
    assert!(r.jurisdictions.iter().all(|j| j.benefit == 0.0));
    assert!(r.outcomes.iter().any(|o| o.harm > 0.0), "harm still happens");
    let closed = s.policy_index("Global closed").expect("policy");
    let r = run(&[
        (P::leak_closed, 0.0),
        (P::leak_gated, 0.0),
        (P::distill_lag, tierlab::model::params::DISTILL_LAG_LEFT_OUT),
    ]);
    let mut cell = Vec::new();
    for i in 0..r.n_runs() {
        let o0 = param_value(&s, &r, i, P::o0);
        assert_eq!(r.outcome(i, closed).open_pool_end, o0, "run {i}");
    }
    for t in 0..r.steps {
        r.series_cell(closed, t, 1, &mut cell);
        for (i, &x) in cell.iter().enumerate() {
            assert_eq!(x, param_value(&s, &r, i, P::o0) as f32, "step {t}, run {i}");
        }
    }
    // Heavy misuse against a small output: the bound binds.
    let output = 100.0;
    let r = run(&[(P::misuse_rate, 2000.0), (P::world_output, output)]);
    let years = f64::from(s.run().years);
    let mut bound = 0;
    for i in 0..r.n_runs() {
        let continuation = param_value(&s, &r, i, P::continuation_years);
        for p in 0..s.policies().len() {
            let o = r.outcome(i, p);
            let within = o.harm - o.continuation_harm;
            assert!(within <= output * years * (1.0 + 1e-12), "{o:?}");
            assert!(o.continuation_harm <= output * continuation * (1.0 + 1e-12), "{o:?}");
            bound += usize::from(within > 0.5 * output * years * (-0.07 * years).exp());
        }
    }
    assert!(bound > 0, "the bound binds in some runs");
}
