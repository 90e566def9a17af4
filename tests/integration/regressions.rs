//! Regression tests for bugs these tests once exposed. Each states the expected behaviour from
//! MODEL.md / SCENARIO.md.

use tierlab::model::Scenario;
use tierlab::sim::Record;

use crate::support::{BASELINE, Jur, Spec, line_at, sim};

/// MODEL.md step 8: `S = min(S_cap, S_min * X * 10^(kappa * max(0, k_src - H)) * (1 - r_i))`.
/// A jurisdiction with preparedness r = 1 takes no damage: S = 0. When the uplift factor
/// overflows to infinity (a large but valid `severity_per_oom`), the engine computes
/// `inf * 0 = NaN`, and `f64::min(NaN, cap)` returns `cap`: every event becomes a full-cap
/// catastrophe in a fully prepared world (src/sim/engine.rs, step 8, `let sev = ...`).
#[test]
fn fully_prepared_jurisdiction_takes_no_damage_even_when_uplift_overflows() {
    let mut spec = Spec::new()
        .fix("hazard_threshold", 10.0)
        .fix("hazard_width", 0.05)
        .fix("severity_per_oom", 100.0) // 10^(100 * (26.8 - 10)) overflows to infinity
        .fix("r_max", 1.0)
        .fix("misuse_rate", 5.0);
    spec.jurisdictions = vec![Jur::world("World").set("preparedness0", 1.0).set("defense_rate", 0.0)];
    spec.runs = 3;
    let r = sim(&spec.build(), Record::default());
    for o in &r.outcomes {
        assert!(o.events > 0, "the saturated hazard produces events: {o:?}");
        assert_eq!(o.harm, 0.0, "preparedness 1 prevents all damage: {o:?}");
        assert_eq!(o.catastrophes, 0, "no damage, no catastrophe: {o:?}");
        assert_eq!(o.max_event, 0.0, "{o:?}");
    }
}

/// SCENARIO.md: "An error message names the key path". For a table header left unclosed the
/// issue has the right line but names the *next* table: `[run` is reported as `world`,
/// `[world` as `jurisdiction`, the first `[[policy]` as `policy.overrides[0]`
/// (src/model/locate.rs, `path_at` on the recovered document).
#[test]
fn an_unclosed_table_header_is_not_blamed_on_another_table() {
    for (header, broken, allowed) in [
        ("\n[run]\n", "\n[run\n", ["run", "(file)"]),
        ("\n[world]\n", "\n[world\n", ["world", "(file)"]),
        ("\n[[policy]]\nname = \"Status quo\"", "\n[[policy]\nname = \"Status quo\"", ["policy", "(file)"]),
    ] {
        assert_eq!(BASELINE.matches(header).count(), 1);
        let line = line_at(BASELINE, BASELINE.find(header).unwrap_or_default() + 1);
        let text = BASELINE.replacen(header, broken, 1);
        let err = Scenario::parse(&text, "case.toml").expect_err("a syntax error");
        let issue = &err.issues()[0];
        assert_eq!(issue.line, Some(line), "{err}");
        assert!(
            allowed.contains(&issue.path.as_str()),
            "{}: the issue names {:?}, a table the mistake is not in:\n{err}",
            broken.trim(),
            issue.path
        );
    }
}

/// SCENARIO.md: "All errors in a file are reported at once where the parse got that far."
/// A file that is well-formed TOML parses completely, yet an unknown key in a table with a
/// fixed shape (top level, `[run]`, a jurisdiction, a policy, a correlation) hides every other
/// problem: serde's `deny_unknown_fields` in src/model/raw.rs fails the whole
/// deserialisation, so `Scenario::parse` returns that one issue and never runs the checks.
/// (Unknown `[world]` keys are already reported together with everything else.)
#[test]
fn an_unknown_key_does_not_hide_the_other_problems() {
    let text = BASELINE
        .replacen("name = \"EU\"\n", "name = \"EU\"\nshares0 = 0.1\n", 1)
        .replacen("years = 10", "years = 0", 1)
        .replacen("strip_prob = { dist = \"beta\", mean = 0.95, sd = 0.03 }", "strip_prob = 1.5", 1);
    let err = Scenario::parse(&text, "case.toml").expect_err("invalid");
    let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
    for want in ["jurisdiction \"EU\": shares0", "run.years", "world.strip_prob"] {
        assert!(paths.contains(&want), "{want} is not reported:\n{err}");
    }
}
