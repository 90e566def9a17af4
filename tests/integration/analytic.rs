//! Special cases of the model with known answers: closed forms, exact recursions, and means
//! of known distributions, each within a stated tolerance (Monte Carlo ones within 4
//! standard errors).

use tierlab::model::P;
use tierlab::sim::Record;

use crate::support::{Jur, Spec, mean_se, param_value, sim, sim_all};

/// Far below every capability in these tests, with a narrow width: h(k) = 1 exactly.
const SATURATED: [(&str, f64); 2] = [("hazard_threshold", 10.0), ("hazard_width", 0.05)];

/// Asserts `observed` is within `k` standard errors of `expected`.
fn within_se(what: &str, observed: f64, expected: f64, se: f64, k: f64) {
    assert!(se > 0.0 && se.is_finite(), "{what}: standard error {se}");
    let z = (observed - expected) / se;
    assert!(z.abs() <= k, "{what}: observed {observed}, expected {expected}, SE {se}: {z:.2} SE away");
}

fn saturated(mut spec: Spec) -> Spec {
    for (k, v) in SATURATED {
        spec = spec.fix(k, v);
    }
    spec
}

/// Fixed frontier and open pool: no growth, no noise.
fn frozen(spec: Spec) -> Spec {
    spec.fix("growth", 0.0).fix("growth_sd", 0.0)
}

#[test]
fn saturated_hazard_gives_poisson_event_counts() {
    let (rate, a_open, a_api, years) = (3.0, 0.6, 0.25, 8);
    let mut spec = frozen(saturated(Spec::new()))
        .fix("misuse_rate", rate)
        .fix("strip_prob", a_open)
        .fix("api_misuse", a_api)
        .policy("Closed", "\"closed\"");
    spec.runs = 4000;
    spec.years = years;
    let s = spec.build();
    let r = sim(&s, Record::default());
    let expected = rate * (a_open + a_api) * f64::from(years);
    let events: Vec<f64> = r.column(0, |o| f64::from(o.events));
    let (mean, se) = mean_se(&events);
    within_se("mean events", mean, expected, se, 4.0);
    // A Poisson count's variance equals its mean: the sample variance has sd
    // sqrt((mu + 2 mu^2) / n) around mu.
    let var = se * se * events.len() as f64;
    let var_se = ((expected + 2.0 * expected * expected) / events.len() as f64).sqrt();
    within_se("variance of events", var, expected, var_se, 4.0);
    for i in 0..r.n_runs() {
        let (open, closed) = (r.outcome(i, 0), r.outcome(i, 1));
        assert_eq!(open.events, closed.events, "run {i}: the same rate must give the same count (shared uniforms)");
        assert_eq!(open.hazard_year, 0.0, "run {i}: o0 >= H means hazard_year 0");
    }
}

/// The Bass curve with A(0) = 0: A(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t}).
fn bass(p: f64, q: f64, t: f64) -> f64 {
    let e = (-(p + q) * t).exp();
    (1.0 - e) / (1.0 + (q / p) * e)
}

/// Integral of the Bass curve over [0, years] (midpoint rule, 10^5 panels).
fn bass_integral(p: f64, q: f64, years: f64) -> f64 {
    let n = 100_000;
    let h = years / n as f64;
    (0..n).map(|i| bass(p, q, (i as f64 + 0.5) * h)).sum::<f64>() * h
}

/// One jurisdiction, all closed, no leaks and no misuse: benefit per step is W A_t v dt with a
/// constant v, so benefit / (W v) is the left Riemann sum of the adoption path.
fn bass_benefit(steps_per_year: u32) -> (f64, f64) {
    let (w, p, q, years) = (700.0, 0.03, 0.38, 10);
    let mut spec = frozen(Spec::new())
        .fix("misuse_rate", 0.0)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .fix("discount_rate", 0.0)
        .fix("open_adoption_boost", 0.0)
        .fix("value_per_oom", w)
        .fix("bass_p", p)
        .fix("bass_q", q)
        .fix("k0", 26.8)
        .fix("o0", 26.4)
        .fix("k_base", 22.0)
        .only_policy("Closed", "\"closed\"");
    spec.jurisdictions = vec![Jur::world("World").set("adoption0", 0.0).set("api_access", 1.0)];
    spec.runs = 3;
    spec.years = years;
    spec.steps_per_year = steps_per_year;
    let s = spec.build();
    let r = sim(&s, Record::default());
    let v = 26.8 - 22.0; // max(O - k_base, phi * (K - k_base)) with phi = 1 and K > O
    let b = r.outcome(0, 0).benefit;
    for i in 1..r.n_runs() {
        assert_eq!(r.outcome(i, 0).benefit, b, "nothing random here: every run is the same");
    }
    (b / (w * v), bass_integral(p, q, f64::from(years)))
}

#[test]
fn adoption_follows_the_bass_closed_form() {
    let (fine, exact) = bass_benefit(52);
    let fine_err = (fine - exact) / exact;
    assert!(fine_err.abs() < 0.01, "dt = 1/52: integral of adoption {fine} vs closed form {exact} ({fine_err:+.4})");
    // The error is a discretisation error: first order in dt.
    let (coarse, _) = bass_benefit(4);
    let coarse_err = (coarse - exact) / exact;
    assert!(coarse_err.abs() < 0.1, "dt = 1/4: {coarse} vs {exact} ({coarse_err:+.4})");
    assert!(
        fine_err.abs() * 5.0 < coarse_err.abs(),
        "error should shrink with dt: {coarse_err:+.5} at dt = 1/4, {fine_err:+.5} at dt = 1/52"
    );
}

#[test]
fn benefits_follow_the_step_recursion_exactly() {
    // Two jurisdictions with their own weight, access and adoption; open-weight value share f
    // and omega active; discounting at the start of each step. Closed, no leaks, no growth:
    // K and O stay put, so the whole path is deterministic.
    let (w, p, q, omega, delta, k0, o0, k_base) = (500.0, 0.05, 0.4, 0.7, 0.05, 26.8, 25.5, 22.0);
    let jurs = [
        Jur::world("A").set("share0", 0.7).set("host", 0.5).set("weight", 0.3).set("exposure", 0.5),
        Jur::world("B").set("share0", 0.3).set("host", 0.5).set("weight", 0.7).set("exposure", 0.5),
    ];
    let jurs = [
        jurs[0].clone().set("api_access", 0.5).set("adoption0", 0.2),
        jurs[1].clone().set("api_access", 0.9).set("adoption0", 0.05),
    ];
    let mut spec = frozen(Spec::new())
        .fix("misuse_rate", 0.0)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .fix("discount_rate", delta)
        .fix("open_adoption_boost", omega)
        .fix("value_per_oom", w)
        .fix("bass_p", p)
        .fix("bass_q", q)
        .fix("k0", k0)
        .fix("o0", o0)
        .fix("k_base", k_base)
        .only_policy("Closed", "\"closed\"");
    spec.jurisdictions = jurs.to_vec();
    spec.runs = 2;
    spec.years = 7;
    spec.steps_per_year = 12;
    let s = spec.build();
    let r = sim(&s, Record { jurisdictions: true, ..Record::default() });
    let dt = 1.0 / 12.0;
    for (j, jur) in jurs.iter().enumerate() {
        let (weight, phi, a0) = (jur.values[3], jur.values[5], jur.values[6]);
        let v_open = o0 - k_base;
        let v = v_open.max(phi * (k0 - k_base));
        let f = v_open / v;
        let (mut a, mut b) = (a0, 0.0);
        for t in 0..7 * 12 {
            b += (-delta * t as f64 * dt).exp() * w * weight * a * v * dt;
            a = (a + dt * (p + q * a * (1.0 + omega * f)) * (1.0 - a)).clamp(0.0, 1.0);
        }
        let got = r.jurisdictions[j].benefit;
        assert!((got - b).abs() <= 1e-9 * b, "jurisdiction {}: benefit {got}, recursion {b}", jur.name);
    }
    let total = r.outcome(0, 0).benefit;
    let sum = r.jurisdictions[0].benefit + r.jurisdictions[1].benefit;
    assert!((total - sum).abs() <= 1e-12 * total);
}

#[test]
fn closed_everywhere_without_leaks_keeps_the_open_pool_at_o0() {
    let mut spec = Spec::new()
        .raw("o0", "{ dist = \"pert\", min = 26.0, mode = 26.4, max = 26.7 }")
        .raw("hazard_threshold", "{ dist = \"uniform\", min = 26.2, max = 27.0 }")
        .raw("growth", "{ dist = \"pert\", min = 0.4, mode = 0.65, max = 0.78 }")
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .only_policy("Closed", "\"closed\"")
        // Open below 20 (under o0), nothing gated: the same as closed for the pool.
        .policy("Tiered far below", "{ tiered = { open_below = 20.0, gated_below = 20.0 } }");
    spec.jurisdictions = vec![
        Jur::world("A").set("share0", 0.6).set("host", 0.2).set("weight", 0.5).set("exposure", 0.4),
        Jur::world("B").set("share0", 0.3).set("host", 0.3).set("weight", 0.3).set("exposure", 0.3),
        Jur::world("C").set("share0", 0.1).set("host", 0.5).set("weight", 0.2).set("exposure", 0.3),
    ];
    spec.runs = 2000;
    let s = spec.build();
    let r = sim(&s, Record { params: true, ..Record::default() });
    for i in 0..r.n_runs() {
        let o0 = param_value(&s, &r, i, P::o0);
        let h = param_value(&s, &r, i, P::hazard_threshold);
        for p in 0..2 {
            let o = r.outcome(i, p);
            assert_eq!(o.open_pool_end, o0, "run {i}, policy {p}: the open pool moved");
            if o0 >= h {
                assert_eq!(o.hazard_year, 0.0, "run {i}: o0 >= H");
            } else {
                assert!(o.hazard_year.is_nan(), "run {i}: the pool never reaches H");
            }
        }
    }
}

#[test]
fn mean_harm_is_the_compound_poisson_mean() {
    let (rate, a_open, a_api, s_min, alpha, years) = (2.0, 0.9, 0.1, 2.0, 2.5, 10);
    let mut spec = frozen(saturated(Spec::new()))
        .fix("misuse_rate", rate)
        .fix("strip_prob", a_open)
        .fix("api_misuse", a_api)
        .fix("severity_min", s_min)
        .fix("tail_alpha", alpha)
        .fix("severity_per_oom", 0.0)
        .fix("severity_cap", 1e12)
        .fix("catastrophe_threshold", 1e11)
        .fix("discount_rate", 0.0);
    spec.jurisdictions = vec![Jur::world("World").set("preparedness0", 0.0).set("defense_rate", 0.0)];
    spec.runs = 4000;
    spec.years = years;
    let s = spec.build();
    let r = sim(&s, Record::default());
    let harm = r.column(0, |o| o.harm);
    let (mean, se) = mean_se(&harm);
    let expected_events = rate * (a_open + a_api) * f64::from(years);
    let expected = expected_events * s_min * alpha / (alpha - 1.0);
    within_se("mean harm", mean, expected, se, 4.0);
    // Every event is at least S_min.
    for i in 0..r.n_runs() {
        let o = r.outcome(i, 0);
        assert!(o.harm >= f64::from(o.events) * s_min * (1.0 - 1e-12), "run {i}: {o:?}");
        assert!(o.events == 0 || o.max_event >= s_min, "run {i}: {o:?}");
    }
}

#[test]
fn preparedness_scales_every_event_by_one_minus_r() {
    // Preparedness held at r = r_max = 0.4 from the start: with the same events (same seed,
    // same rate) each run's harm is exactly 0.6 of the unprepared harm.
    let base = frozen(saturated(Spec::new())).fix("severity_per_oom", 0.0).fix("r_max", 0.4);
    let mut exposed = base.clone();
    exposed.jurisdictions = vec![Jur::world("World").set("preparedness0", 0.0).set("defense_rate", 0.0)];
    exposed.runs = 500;
    let mut prepared = exposed.clone();
    prepared.jurisdictions = vec![Jur::world("World").set("preparedness0", 0.4).set("defense_rate", 0.3)];
    let (a, b) = (sim(&exposed.build(), Record::default()), sim(&prepared.build(), Record::default()));
    let mut some_harm = false;
    for i in 0..a.n_runs() {
        let (x, y) = (a.outcome(i, 0), b.outcome(i, 0));
        assert_eq!(x.events, y.events, "run {i}");
        assert!((y.harm - 0.6 * x.harm).abs() <= 1e-12 * x.harm, "run {i}: {} vs 0.6 * {}", y.harm, x.harm);
        some_harm |= x.harm > 0.0;
    }
    assert!(some_harm);
}

/// Kolmogorov-Smirnov statistic of `xs` against `cdf`.
fn ks(xs: &mut [f64], cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter().enumerate().fold(0.0f64, |d, (i, &x)| d.max(cdf(x) - i as f64 / n).max((i + 1) as f64 / n - cdf(x)))
}

fn ks_critical(n: usize) -> f64 {
    1.949_5 / (n as f64).sqrt()
}

#[test]
fn event_severity_landing_and_source_follow_the_model() {
    // One yearly step; saturated hazard; the open pool stays at o0 = 25 (closed, no leaks) and
    // the frontier at K = 28, so with kappa = 1 an API event is 10^3 times an open one:
    // S = S_min * X * 10^(k_src - H). Preparedness is zero.
    let (s_min, alpha, a_open, a_api) = (2.0, 1.7, 0.6, 0.4);
    let mut spec = frozen(saturated(Spec::new()))
        .fix("k0", 28.0)
        .fix("o0", 25.0)
        .fix("misuse_rate", 1.0)
        .fix("strip_prob", a_open)
        .fix("api_misuse", a_api)
        .fix("severity_min", s_min)
        .fix("tail_alpha", alpha)
        .fix("severity_per_oom", 1.0)
        .fix("severity_cap", 1e300)
        .fix("catastrophe_threshold", s_min * 1e15 * 5.0)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .only_policy("Closed", "\"closed\"");
    let exposure = [0.2, 0.3, 0.5];
    spec.jurisdictions = exposure
        .iter()
        .enumerate()
        .map(|(i, &e)| {
            Jur::world(&format!("J{i}"))
                .set("share0", 1.0 / 3.0)
                .set("host", 1.0 / 3.0)
                .set("weight", 1.0 / 3.0)
                .set("exposure", e)
                .set("preparedness0", 0.0)
                .set("defense_rate", 0.0)
        })
        .collect();
    spec.runs = 20_000;
    spec.years = 1;
    spec.steps_per_year = 1;
    let s = spec.build();
    let r = sim(&s, Record { jurisdictions: true, ..Record::default() });
    let (open_scale, api_scale) = (s_min * 1e15, s_min * 1e18);
    let mut x_one = Vec::new();
    let mut x_two_max = Vec::new();
    let mut api = 0.0;
    let mut landed = [0.0; 3];
    for i in 0..r.n_runs() {
        let o = r.outcome(i, 0);
        assert_eq!(o.catastrophes > 0, o.max_event >= s_min * 1e15 * 5.0, "run {i}: {o:?}");
        match o.events {
            1 => {
                let is_api = o.max_event >= api_scale * 0.999;
                api += f64::from(u8::from(is_api));
                x_one.push(o.max_event / if is_api { api_scale } else { open_scale });
                let hit: Vec<usize> = (0..3).filter(|&j| r.jurisdictions[i * 3 + j].harm > 0.0).collect();
                assert_eq!(hit.len(), 1, "run {i}: one event lands in one place");
                landed[hit[0]] += 1.0;
                assert!((o.harm - o.max_event).abs() <= 1e-12 * o.harm, "run {i}: undiscounted first step");
            }
            // The larger of two events; both must come from the open source to compare.
            2 if o.max_event < api_scale * 0.999 => x_two_max.push(o.max_event / open_scale),
            _ => {}
        }
    }
    let pareto = |x: f64| if x < 1.0 { 0.0 } else { 1.0 - x.powf(-alpha) };
    let n1 = x_one.len();
    assert!(n1 > 6000, "about e^-1 of 20,000 runs have one event, got {n1}");
    let d = ks(&mut x_one, pareto);
    assert!(d < ks_critical(n1), "single-event severity vs Pareto({alpha}): KS D = {d:.5}");
    let n2 = x_two_max.len();
    let d2 = ks(&mut x_two_max, |x| pareto(x).powi(2));
    assert!(d2 < ks_critical(n2), "max of two open events vs Pareto^2: KS D = {d2:.5} (n = {n2})");
    let p_api = a_api / (a_open + a_api);
    within_se("share of API-sourced events", api / n1 as f64, p_api, (p_api * (1.0 - p_api) / n1 as f64).sqrt(), 4.0);
    for (j, &e) in exposure.iter().enumerate() {
        let se = (e * (1.0 - e) / n1 as f64).sqrt();
        within_se(&format!("share of events landing in J{j}"), landed[j] / n1 as f64, e, se, 4.0);
    }
}

#[test]
fn frontier_is_a_brownian_motion_with_drift() {
    let (k0, g, sd, years) = (26.0, 0.5, 0.3, 4);
    let mut spec = Spec::new().fix("k0", k0).fix("growth", g).fix("growth_sd", sd).fix("research_boost", 0.0);
    spec.runs = 4000;
    spec.years = years;
    let s = spec.build();
    let r = sim(&s, Record { series_runs: 4000, ..Record::default() });
    let mut end = Vec::new();
    r.series_cell(0, r.steps - 1, 0, &mut end);
    let end: Vec<f64> = end.iter().map(|&x| f64::from(x)).collect();
    let (mean, se) = mean_se(&end);
    let t = f64::from(years);
    within_se("mean final frontier", mean, k0 + g * t, se, 4.0);
    let var = se * se * end.len() as f64;
    let expected_var = sd * sd * t;
    let var_se = expected_var * (2.0 / (end.len() as f64 - 1.0)).sqrt();
    within_se("variance of the final frontier", var, expected_var, var_se, 4.0);
}

#[test]
fn frontier_growth_with_research_boost_is_exact_without_noise() {
    // One open jurisdiction, no leaks: O = K - l from the first step, so theta = 1 - l / gap_ref
    // and K grows by g dt (1 + psi theta) per step.
    let (k0, g, psi, lag, gap_ref, years, spy) = (26.8, 0.6, 0.3, 0.22, 1.0, 5, 4);
    let mut spec = Spec::new()
        .fix("k0", k0)
        .fix("o0", 26.0)
        .fix("growth", g)
        .fix("growth_sd", 0.0)
        .fix("research_boost", psi)
        .fix("open_lag", lag)
        .fix("openness_gap_ref", gap_ref)
        .fix("leak_closed", 0.0)
        .fix("hazard_threshold", 40.0);
    spec.runs = 2;
    spec.years = years;
    spec.steps_per_year = spy;
    let s = spec.build();
    let r = sim(&s, Record { series_runs: 2, ..Record::default() });
    let dt = 1.0 / f64::from(spy);
    let step = g * dt * (1.0 + psi * (1.0 - lag / gap_ref));
    let steps = (years * spy) as usize;
    let o = r.outcome(0, 0);
    // The pool is set in step 5 of the last step, from the frontier before that step's growth.
    let expected_pool = k0 + (steps - 1) as f64 * step - lag;
    assert!((o.open_pool_end - expected_pool).abs() < 1e-9, "open pool {} vs {expected_pool}", o.open_pool_end);
    let mut k = Vec::new();
    r.series_cell(0, steps - 1, 0, &mut k);
    let expected_k = k0 + steps as f64 * step;
    assert!((f64::from(k[0]) - expected_k).abs() < 1e-4, "frontier {} vs {expected_k}", k[0]);
}

#[test]
fn hazard_year_is_the_first_step_the_pool_reaches_the_threshold() {
    // K_t = 26 + 0.125 t at step t (g = 0.5, quarterly); the open release K_t - 0.2 first
    // reaches H = 27.1 at t = 11, i.e. year 2.75. A tiered cap at 27.0 keeps the pool below H.
    let mut spec = Spec::new()
        .fix("k0", 26.0)
        .fix("o0", 25.0)
        .fix("growth", 0.5)
        .fix("growth_sd", 0.0)
        .fix("research_boost", 0.0)
        .fix("open_lag", 0.2)
        .fix("hazard_threshold", 27.1)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .policy("Capped", "{ tiered = { open_below = 27.0, gated_below = 27.0 } }")
        .policy("Closed", "\"closed\"");
    spec.runs = 3;
    spec.years = 5;
    let s = spec.build();
    let r = sim(&s, Record::default());
    for i in 0..r.n_runs() {
        assert_eq!(r.outcome(i, 0).hazard_year, 2.75, "run {i}");
        assert!(r.outcome(i, 1).hazard_year.is_nan(), "run {i}: capped below H");
        assert_eq!(r.outcome(i, 1).open_pool_end, 27.0, "run {i}: capped pool");
        assert!(r.outcome(i, 2).hazard_year.is_nan(), "run {i}: closed");
        assert_eq!(r.outcome(i, 2).open_pool_end, 25.0, "run {i}: closed pool");
    }
}

#[test]
fn leaks_happen_at_their_stated_rates() {
    // One jurisdiction with leak multiplier 1.5. "Gated": open below 20 (under o0), gated up to
    // 40, so only a gated leak can raise the pool; "Closed": only a held-back leak can.
    let (leak_gated, leak_closed, m, years) = (0.3, 0.1, 1.5, 2);
    let mut spec = Spec::new()
        .fix("leak_gated", leak_gated)
        .fix("leak_closed", leak_closed)
        .only_policy("Gated", "{ tiered = { open_below = 20.0, gated_below = 40.0 } }")
        .policy("Closed", "\"closed\"");
    spec.jurisdictions = vec![Jur::world("World").set("leak_multiplier", m)];
    spec.runs = 4000;
    spec.years = years;
    let s = spec.build();
    let r = sim(&s, Record::default());
    let o0 = 26.4;
    for (p, rate) in [(0, leak_gated), (1, leak_closed)] {
        let leaked = r.column(p, |o| f64::from(u8::from(o.open_pool_end > o0)));
        let share = leaked.iter().sum::<f64>() / leaked.len() as f64;
        let expected = 1.0 - (-rate * m * f64::from(years)).exp();
        let se = (expected * (1.0 - expected) / leaked.len() as f64).sqrt();
        within_se(&format!("policy {p}: share of runs with a leak"), share, expected, se, 4.0);
    }
}

#[test]
fn migration_follows_burden_differences_exactly() {
    // Two jurisdictions, no shock (migration_sd 0). Under "Open" only base burdens differ
    // (0.5 vs 0.0); under "A closed" A also pays burden_gated + burden_closed (read literally);
    // under "A tiered" only burden_gated.
    let (mu, spy, years) = (0.4, 4, 5);
    let mut spec = Spec::new()
        .fix("mobility", mu)
        .fix("migration_sd", 0.0)
        .fix("burden_gated", 0.2)
        .fix("burden_closed", 0.5)
        .policy("A closed", "\"open\"");
    spec.policies[1].2.push(("A".into(), "\"closed\"".into()));
    // Tiered with K_j between the ceilings: A pays burden_gated only.
    spec = spec.policy("A tiered", "\"open\"");
    spec.policies[2].2.push(("A".into(), "{ tiered = { open_below = 20.0, gated_below = 40.0 } }".into()));
    spec.jurisdictions = vec![
        Jur::world("A")
            .set("share0", 0.6)
            .set("host", 0.25)
            .set("base_burden", 0.5)
            .set("weight", 0.5)
            .set("exposure", 0.5),
        Jur::world("B")
            .set("share0", 0.4)
            .set("host", 0.75)
            .set("base_burden", 0.0)
            .set("weight", 0.5)
            .set("exposure", 0.5),
    ];
    spec.runs = 2;
    spec.years = years;
    spec.steps_per_year = spy;
    let s = spec.build();
    let r = sim(&s, Record { jurisdictions: true, ..Record::default() });
    let dt = 1.0 / f64::from(spy);
    let steps = (years * spy) as i32;
    for (p, burden_gap) in [(0usize, 0.5), (1, 0.5 + 0.2 + 0.5), (2, 0.5 + 0.2)] {
        let expected_a = 0.6 * (1.0 - mu * dt * 0.75 * burden_gap).powi(steps);
        let a = r.jurisdictions[p * 2].share_end;
        let b = r.jurisdictions[p * 2 + 1].share_end;
        assert!((a - expected_a).abs() < 1e-12, "policy {p}: share of A {a}, expected {expected_a}");
        assert!((a + b - 1.0).abs() < 1e-12, "policy {p}: shares sum to {}", a + b);
    }
}

#[test]
fn migration_outflow_is_capped_at_the_share() {
    // mu dt host_B (burden gap) = 100 * 1 * 1 * 1 = 100: far more than A's share, so A's flows
    // are scaled down to exactly its share and A empties in the first step.
    let mut spec = Spec::new().fix("mobility", 100.0).fix("migration_sd", 0.0);
    spec.jurisdictions = vec![
        Jur::world("A")
            .set("share0", 0.7)
            .set("host", 0.0)
            .set("base_burden", 1.0)
            .set("weight", 0.5)
            .set("exposure", 0.5),
        Jur::world("B")
            .set("share0", 0.3)
            .set("host", 1.0)
            .set("base_burden", 0.0)
            .set("weight", 0.5)
            .set("exposure", 0.5),
    ];
    spec.runs = 2;
    spec.years = 3;
    spec.steps_per_year = 1;
    let s = spec.build();
    let r = sim_all(&s);
    let a = r.jurisdictions[0].share_end;
    let b = r.jurisdictions[1].share_end;
    assert!((0.0..1e-12).contains(&a), "A keeps {a}");
    assert!((b - 1.0).abs() < 1e-12, "B holds {b}");
    let mut first = Vec::new();
    r.series_cell(0, 0, 4, &mut first);
    assert!(f64::from(first[0]).abs() < 1e-7, "A is empty after the first step: {}", first[0]);
}

/// Spearman rank correlation of two equally long samples (no ties expected).
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let ranks = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut r = vec![0.0; v.len()];
        for (rank, &i) in idx.iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let m = (n - 1.0) / 2.0;
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - m) * (b - m)).sum();
    let var: f64 = rx.iter().map(|a| (a - m).powi(2)).sum();
    cov / var
}

#[test]
fn correlations_reach_their_rank_targets_and_keep_the_marginals() {
    let base = Spec::new()
        .raw("growth", "{ dist = \"pert\", min = 0.4, mode = 0.65, max = 0.78 }")
        .raw("hazard_threshold", "{ dist = \"uniform\", min = 26.5, max = 29.0 }")
        .raw("misuse_rate", "{ dist = \"triangular\", min = 0.5, mode = 2.0, max = 10.0 }");
    let mut plain = base.clone();
    // Whole Iman-Conover blocks: the marginals of a partly used block are a subsample.
    plain.runs = 2 * tierlab::sim::IC_BLOCK_RUNS;
    let mut correlated = plain.clone();
    correlated.tail = "\n[[correlation]]\na = \"world.growth\"\nb = \"world.hazard_threshold\"\nrho = 0.6\n\n\
                       [[correlation]]\na = \"world.misuse_rate\"\nb = \"world.growth\"\nrho = -0.3\n"
        .into();
    let (sp, sc) = (plain.build(), correlated.build());
    let record = Record { params: true, ..Record::default() };
    let (rp, rc) = (sim(&sp, record.clone()), sim(&sc, record));
    let column = |s: &tierlab::model::Scenario, r: &tierlab::sim::Results, p: P| -> Vec<f64> {
        (0..r.n_runs()).map(|i| param_value(s, r, i, p)).collect()
    };
    let (g, h, m) =
        (column(&sc, &rc, P::growth), column(&sc, &rc, P::hazard_threshold), column(&sc, &rc, P::misuse_rate));
    let (gh, mg, hm) = (spearman(&g, &h), spearman(&m, &g), spearman(&h, &m));
    assert!((gh - 0.6).abs() < 0.05, "rank correlation growth ~ hazard_threshold {gh}, target 0.6");
    assert!((mg + 0.3).abs() < 0.05, "rank correlation misuse_rate ~ growth {mg}, target -0.3");
    assert!(hm.abs() < 0.1 + 0.6 * 0.3, "no pair was asked for hazard_threshold ~ misuse_rate: {hm}");
    // Iman-Conover only reorders the draws within each block: each marginal sample is the
    // same multiset.
    for p in [P::growth, P::hazard_threshold, P::misuse_rate] {
        let mut a = column(&sp, &rp, p);
        let mut b = column(&sc, &rc, p);
        a.sort_by(f64::total_cmp);
        b.sort_by(f64::total_cmp);
        assert_eq!(a, b, "{p:?}: correlating changed the marginal draws");
    }
    let (pg, ph) = (column(&sp, &rp, P::growth), column(&sp, &rp, P::hazard_threshold));
    assert!(spearman(&pg, &ph).abs() < 0.1, "without correlations the draws are independent");
}

#[test]
fn parameter_overrides_fix_one_parameter_and_keep_every_other_draw() {
    let mut spec = Spec::new()
        .raw("o0", "{ dist = \"pert\", min = 26.0, mode = 26.4, max = 26.7 }")
        .raw("growth", "{ dist = \"pert\", min = 0.4, mode = 0.65, max = 0.78 }")
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .only_policy("Closed", "\"closed\"");
    spec.runs = 300;
    let s = spec.build();
    let record = Record { params: true, ..Record::default() };
    let free = sim(&s, record.clone());
    let opts = tierlab::sim::SimOptions {
        threads: Some(2),
        record,
        param_overrides: vec![(P::o0 as usize, 26.2)],
        ..Default::default()
    };
    let forced = tierlab::sim::simulate(&s, &opts, &tierlab::sim::Control::new()).expect("simulate");
    for i in 0..forced.n_runs() {
        assert_eq!(forced.outcome(i, 0).open_pool_end, 26.2, "run {i}");
        assert_eq!(param_value(&s, &forced, i, P::o0), 26.2, "run {i}: the recorded draw is the forced value");
        assert_eq!(param_value(&s, &forced, i, P::growth), param_value(&s, &free, i, P::growth), "run {i}");
    }
}

#[test]
fn hazard_is_logistic_in_capability() {
    // Closed, no leaks, no growth: O = 26.4 and K = 26.8 throughout, on both sides of H = 26.6.
    let (rate, a_open, a_api, h, w, years) = (4.0, 0.5, 0.3, 26.6, 0.2, 10);
    let mut spec = frozen(Spec::new())
        .fix("hazard_threshold", h)
        .fix("hazard_width", w)
        .fix("misuse_rate", rate)
        .fix("strip_prob", a_open)
        .fix("api_misuse", a_api)
        .fix("leak_closed", 0.0)
        .fix("leak_gated", 0.0)
        .only_policy("Closed", "\"closed\"");
    spec.runs = 4000;
    spec.years = years;
    let s = spec.build();
    let r = sim(&s, Record::default());
    let logistic = |k: f64| 1.0 / (1.0 + (-(k - h) / w).exp());
    let expected = rate * (a_open * logistic(26.4) + a_api * logistic(26.8)) * f64::from(years);
    let (mean, se) = mean_se(&r.column(0, |o| f64::from(o.events)));
    within_se("mean events with a logistic hazard", mean, expected, se, 4.0);
}

#[test]
fn a_follower_trails_the_leader_by_gamma_log_share_ratio_capped() {
    // The leader (share 0.9) is closed and nothing leaks, so the pool is set by the open
    // follower alone: O = K - gamma * min(gap_cap, log10(0.9 / s_f)) - l. A follower with
    // share 0 uses the 1e-12 floor (a ratio of 1e12 to a leader with share 1), capped at gap_cap.
    let (k0, gamma, lag) = (26.8, 0.5, 0.22);
    for (follower, gap_cap, gap) in [(0.1, 2.0, (0.9f64 / 0.1).log10()), (0.0, 1.5, 1.5), (0.0, 20.0, 12.0)] {
        let mut spec = frozen(Spec::new())
            .fix("k0", k0)
            .fix("o0", 20.0)
            .fix("gap_per_log_share", gamma)
            .fix("gap_cap", gap_cap)
            .fix("open_lag", lag)
            .fix("mobility", 0.0)
            .fix("leak_closed", 0.0)
            .fix("leak_gated", 0.0)
            .only_policy("Follower open", "\"open\"");
        spec.policies[0].2.push(("Leader".into(), "\"closed\"".into()));
        spec.jurisdictions = vec![
            Jur::world("Leader").set("share0", 1.0 - follower).set("host", 0.5).set("weight", 0.5).set("exposure", 0.5),
            Jur::world("Follower").set("share0", follower).set("host", 0.5).set("weight", 0.5).set("exposure", 0.5),
        ];
        spec.runs = 2;
        spec.years = 1;
        let r = sim(&spec.build(), Record::default());
        let expected = k0 - gamma * gap.min(gap_cap) - lag;
        let got = r.outcome(0, 0).open_pool_end;
        assert!(
            (got - expected).abs() < 1e-9,
            "follower share {follower}, cap {gap_cap}: pool {got}, expected {expected}"
        );
    }
}

#[test]
fn open_ceilings_drift_and_the_pool_keeps_its_maximum() {
    // K - l stays far above the ceiling, so the open release is the ceiling itself:
    // open_below + drift * tau. Rising ceilings carry the pool up; falling ones leave it at
    // its first value (weights cannot be recalled).
    let (open_below, spy, years) = (26.0, 4, 5);
    let steps = (spy * years) as f64;
    for (drift, expected) in [(0.2, open_below + 0.2 * (steps - 1.0) / 4.0), (-0.3, open_below)] {
        let regime = format!(
            "{{ tiered = {{ open_below = {open_below:?}, gated_below = {open_below:?}, drift = {drift:?} }} }}"
        );
        let mut spec = frozen(Spec::new())
            .fix("k0", 35.0)
            .fix("o0", 20.0)
            .fix("leak_closed", 0.0)
            .fix("leak_gated", 0.0)
            .only_policy("Drifting", &regime);
        spec.runs = 2;
        spec.years = years;
        spec.steps_per_year = spy;
        let r = sim(&spec.build(), Record::default());
        let got = r.outcome(0, 0).open_pool_end;
        assert!((got - expected).abs() < 1e-9, "drift {drift}: pool {got}, expected {expected}");
    }
}

#[test]
fn leaks_release_the_gated_model_or_the_held_back_frontier() {
    // Leak rates so high that the first step leaks for sure. A gated leak publishes
    // G = min(K_j, gated ceiling) = 27.0; a held-back leak under "closed" publishes K_j = k0.
    let mut spec = frozen(Spec::new())
        .fix("k0", 28.0)
        .fix("o0", 20.0)
        .fix("leak_gated", 1000.0)
        .fix("leak_closed", 0.0)
        .only_policy("Gated up to 27", "{ tiered = { open_below = 20.0, gated_below = 27.0 } }")
        .policy("Gated above the frontier", "{ tiered = { open_below = 20.0, gated_below = 40.0 } }");
    spec.runs = 3;
    spec.years = 1;
    let r = sim(&spec.build(), Record::default());
    for i in 0..r.n_runs() {
        assert_eq!(r.outcome(i, 0).open_pool_end, 27.0, "run {i}: the gated model is capped at its ceiling");
        assert_eq!(r.outcome(i, 1).open_pool_end, 28.0, "run {i}: the gated model is the frontier");
    }
    let mut spec = frozen(Spec::new())
        .fix("k0", 28.0)
        .fix("o0", 20.0)
        .fix("leak_gated", 0.0)
        .fix("leak_closed", 1000.0)
        .only_policy("Closed", "\"closed\"");
    spec.runs = 3;
    spec.years = 1;
    let r = sim(&spec.build(), Record::default());
    for i in 0..r.n_runs() {
        assert_eq!(r.outcome(i, 0).open_pool_end, 28.0, "run {i}: the held-back frontier leaked");
    }
}

#[test]
fn preparedness_grows_with_scrutiny_and_its_rate_is_capped_at_one() {
    // Yearly steps, one open jurisdiction, no growth: O = K - l, theta = 1 - l / gap_ref.
    // The same events hit an unprepared twin (r = 0 always), so per-step harm ratios are
    // (1 - r_t): r_0 = 0.2, r_1 = r_0 + min(1, rho (1 + beta theta)) (r_max - r_0).
    let (r0, r_max, beta, lag) = (0.2, 0.8, 0.5, 0.22);
    let theta = 1.0 - lag;
    let base = frozen(saturated(Spec::new()))
        .fix("severity_per_oom", 0.0)
        .fix("discount_rate", 0.0)
        .fix("misuse_rate", 5.0)
        .fix("r_max", r_max)
        .fix("scrutiny_boost", beta)
        .fix("open_lag", lag)
        .fix("openness_gap_ref", 1.0)
        .fix("leak_closed", 0.0);
    let with = |r0: f64, rho: f64, runs: u64| {
        let mut spec = base.clone();
        spec.jurisdictions = vec![Jur::world("World").set("preparedness0", r0).set("defense_rate", rho)];
        spec.runs = runs;
        spec.years = 2;
        spec.steps_per_year = 1;
        sim(&spec.build(), Record { series_runs: runs, ..Record::default() })
    };
    let bare = with(0.0, 0.0, 200);
    for rho in [0.3, 5.0] {
        let prepared = with(r0, rho, 200);
        let r1 = r0 + (rho * (1.0 + beta * theta)).min(1.0) * (r_max - r0);
        let (mut a0, mut a1, mut b0, mut b1) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        bare.series_cell(0, 0, 3, &mut a0);
        bare.series_cell(0, 1, 3, &mut a1);
        prepared.series_cell(0, 0, 3, &mut b0);
        prepared.series_cell(0, 1, 3, &mut b1);
        let mut checked = 0;
        for i in 0..200 {
            let (h0, h1) = (f64::from(a0[i]), f64::from(a1[i]) - f64::from(a0[i]));
            let (p0, p1) = (f64::from(b0[i]), f64::from(b1[i]) - f64::from(b0[i]));
            if h0 > 0.0 {
                assert!((p0 / h0 - (1.0 - r0)).abs() < 1e-5, "run {i}: step 0 ratio {}", p0 / h0);
            }
            if h1 > 1e-3 * f64::from(a1[i]) {
                assert!(
                    (p1 / h1 - (1.0 - r1)).abs() < 1e-4,
                    "rho {rho}, run {i}: step 1 ratio {}, 1 - r1 = {}",
                    p1 / h1,
                    1.0 - r1
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "enough runs with harm in step 1: {checked}");
    }
}
