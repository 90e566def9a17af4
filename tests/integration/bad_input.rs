//! Invalid scenario files: each case edits the baseline so that it has exactly one defect and
//! checks that `tierlab validate` refuses it with exit code 2, naming the key path (and the
//! line, where the parser knows it). The library must report exactly that one issue.

use std::fmt::Write as _;

use tierlab::model::Scenario;

// The checker is tested on model v1's baseline text: a valid scenario whose lines the cases below
// edit by their exact text (the shipped baseline, a v2 scenario, is tested in scenarios.rs and v2.rs).
use crate::support::{BASELINE_V1 as BASELINE, line_at, parse_ok, run_bin, temp_toml};

/// Runs `tierlab validate` on `bytes`; asserts exit code 2 and that one line of stderr names
/// `path` (and line `line`, when given). Returns stderr.
fn check_bytes(bytes: &[u8], path: &str, line: Option<usize>) -> String {
    let file = temp_toml(bytes);
    let out = run_bin(&[std::ffi::OsStr::new("validate"), file.path().as_os_str()]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "exit code for invalid input; stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "the binary panicked:\n{stderr}");
    let hit = stderr.lines().find(|l| l.contains(path) && line.is_none_or(|n| l.contains(&format!(":{n}: "))));
    assert!(hit.is_some(), "stderr should name {path:?} at line {line:?}; got:\n{stderr}");
    stderr
}

/// The data-driven check: the library reports exactly one issue, at `path` (and `line`), and
/// the binary refuses the file with exit code 2 and the same path and line.
fn check(toml: &str, path: &str, line: Option<usize>) {
    let err = Scenario::parse(toml, "case.toml").expect_err("the case must be invalid");
    let issues = err.issues();
    assert_eq!(issues.len(), 1, "each case has exactly one defect, got:\n{err}");
    assert!(issues[0].path.contains(path), "issue path {:?} should contain {path:?}:\n{err}", issues[0].path);
    if let Some(n) = line {
        assert_eq!(issues[0].line, Some(n), "line of the issue:\n{err}");
    }
    assert!(!issues[0].message.is_empty(), "every issue says what is allowed");
    check_bytes(toml.as_bytes(), path, line);
}

/// The check for an edit of the baseline: path and line of the edit.
fn at(edited: (String, usize), path: &str) {
    check(&edited.0, path, Some(edited.1));
}

/// The check where the line is not pinned (missing keys, cross-jurisdiction sums, counts).
fn anywhere(edited: (String, usize), path: &str) {
    check(&edited.0, path, None);
}

/// Byte offset of the only occurrence of `needle` in the baseline.
fn unique(needle: &str) -> usize {
    assert_eq!(BASELINE.matches(needle).count(), 1, "{needle:?} must occur exactly once in the baseline");
    BASELINE.find(needle).unwrap_or_default()
}

/// The baseline with the first line `key = ...` after `anchor` ("" for the whole file)
/// replaced by `key = value` (or removed, leaving an empty line, when `value` is None).
fn set(anchor: &str, key: &str, value: Option<&str>) -> (String, usize) {
    let from = if anchor.is_empty() { 0 } else { unique(anchor) };
    let needle = format!("\n{key} = ");
    let at = BASELINE[from..].find(&needle).map(|i| i + from + 1).unwrap_or_else(|| panic!("no {key} line"));
    let end = BASELINE[at..].find('\n').map_or(BASELINE.len(), |i| i + at);
    let new = value.map(|v| format!("{key} = {v}")).unwrap_or_default();
    (format!("{}{new}{}", &BASELINE[..at], &BASELINE[end..]), line_at(BASELINE, at))
}

/// `set` for a world parameter.
fn world(key: &str, value: &str) -> (String, usize) {
    set("\n[world]\n", key, Some(value))
}

/// `set` for a jurisdiction attribute.
fn jur(name: &str, key: &str, value: &str) -> (String, usize) {
    set(&format!("name = {name:?}\n"), key, Some(value))
}

/// The baseline with `line` inserted after the (unique) line containing `anchor`; the line
/// number is the inserted line's.
fn insert_after(anchor: &str, line: &str) -> (String, usize) {
    let a = unique(anchor);
    let from = a + anchor.len();
    let eol = BASELINE[from..].find('\n').map_or(BASELINE.len(), |i| i + from);
    (format!("{}\n{line}{}", &BASELINE[..eol], &BASELINE[eol..]), line_at(BASELINE, eol) + 1)
}

/// The baseline with text appended at the end; the line is the first appended line + `offset`.
fn append(extra: &str, offset: usize) -> (String, usize) {
    let base = if BASELINE.ends_with('\n') { BASELINE.to_string() } else { format!("{BASELINE}\n") };
    let first = line_at(&base, base.len());
    (format!("{base}{extra}"), first + offset)
}

fn correlation(a: &str, b: &str, rho: &str) -> String {
    format!("\n[[correlation]]\na = {a:?}\nb = {b:?}\nrho = {rho}\n")
}

const GLOBAL_TIERED: &str = "name = \"Global tiered 1e27\"";
const CLOSED: &str = "name = \"Global closed\"";
const UNILATERAL: &str = "policy \"Unilateral tiered (US, EU, UK)\": overrides";

/// Defines one `#[test]` per case.
macro_rules! cases {
    ($($name:ident => $body:expr;)*) => { $( #[test] fn $name() { $body; } )* };
}

// Missing keys.
cases! {
    missing_name => anywhere(set("", "name", None), "name");
    missing_run_runs => anywhere(set("", "runs", None), "run.runs");
    missing_run_seed => anywhere(set("", "seed", None), "run.seed");
    missing_world_key => anywhere(set("\n[world]\n", "k0", None), "world.k0");
    missing_jurisdiction_key => anywhere(set("name = \"EU\"\n", "exposure", None), "jurisdiction \"EU\": exposure");
    missing_policy_default => anywhere(set(CLOSED, "default", None), "policy \"Global closed\": default");
    missing_tiered_open_below => at(
        set(GLOBAL_TIERED, "default", Some("{ tiered = { gated_below = 28.0 } }")),
        "policy \"Global tiered 1e27\": default.tiered.open_below",
    );
    missing_distribution_parameter =>
        at(world("o0", "{ dist = \"pert\", min = 26.0, max = 26.7 }"), "world.o0.mode");
    missing_distribution_kind => at(world("o0", "{ min = 26.0, max = 26.7 }"), "world.o0");
    missing_correlation_rho => anywhere(
        append("[[correlation]]\na = \"world.o0\"\nb = \"world.growth\"\n", 0),
        "correlation[0].rho",
    );
}

// Unknown keys.
cases! {
    unknown_top_level_key => at(insert_after("name = \"Baseline 2026\"", "colour = \"blue\""), "colour");
    unknown_run_key => at(insert_after("years = 10", "threads = 2"), "run.threads");
    unknown_world_key => at(insert_after("\nk0 = 26.8", "k1 = 3.0"), "world.k1");
    unknown_jurisdiction_key => at(insert_after("name = \"EU\"", "shares0 = 0.1"), "jurisdiction \"EU\": shares0");
    unknown_policy_key => at(insert_after(CLOSED, "regime = \"open\""), "policy \"Global closed\": regime");
    unknown_distribution_parameter =>
        at(world("o0", "{ dist = \"pert\", min = 26.0, mode = 26.4, max = 26.7, sd = 0.1 }"), "world.o0.sd");
    unknown_distribution_kind =>
        at(world("o0", "{ dist = \"gamma\", min = 26.0, max = 26.7 }"), "world.o0.dist");
    unknown_tiered_key => at(
        set(GLOBAL_TIERED, "default", Some("{ tiered = { open_below = 27.0, gated_below = 28.0, slope = 1.0 } }")),
        "policy \"Global tiered 1e27\": default.tiered.slope",
    );
    unknown_correlation_key => anywhere(
        append("[[correlation]]\na = \"world.o0\"\nb = \"world.growth\"\nrho = 0.5\nweight = 1.0\n", 0),
        "correlation",
    );
}

// Wrong types.
cases! {
    world_value_is_a_string => at(world("k0", "\"26.8\""), "world.k0");
    world_value_is_an_array => at(world("k0", "[26.8]"), "world.k0");
    runs_is_a_string => at(set("", "runs", Some("\"many\"")), "run.runs");
    runs_is_a_float => at(set("", "runs", Some("10000.5")), "run.runs");
    seed_is_a_float => at(set("", "seed", Some("1.5")), "run.seed");
    share_is_a_boolean => at(jur("EU", "share0", "true"), "jurisdiction \"EU\": share0");
    name_is_a_number => at(set("", "name", Some("5")), "name");
    description_is_a_number => at(description("5"), "description");
    baseline_is_a_number => at(set("", "baseline", Some("1")), "run.baseline");
    regime_is_a_number => at(set(CLOSED, "default", Some("5")), "policy \"Global closed\": default");
    distribution_parameter_is_a_string =>
        at(world("o0", "{ dist = \"pert\", min = \"26\", mode = 26.4, max = 26.7 }"), "world.o0.min");
}

// Not finite.
cases! {
    world_value_nan => at(world("k0", "nan"), "world.k0");
    world_value_inf => at(world("k0", "inf"), "world.k0");
    world_value_negative_inf => at(world("k_base", "-inf"), "world.k_base");
    jurisdiction_value_nan => at(jur("EU", "weight", "nan"), "jurisdiction \"EU\": weight");
    distribution_parameter_nan =>
        at(world("o0", "{ dist = \"pert\", min = 26.0, mode = 26.4, max = nan }"), "world.o0.max");
    tiered_threshold_inf => at(
        set(GLOBAL_TIERED, "default", Some("{ tiered = { open_below = -inf, gated_below = 28.0 } }")),
        "policy \"Global tiered 1e27\": default.tiered.open_below",
    );
}

// Out of range, for a number and for a distribution's support.
cases! {
    probability_above_one => at(world("strip_prob", "1.5"), "world.strip_prob");
    probability_negative => at(world("api_misuse", "-0.1"), "world.api_misuse");
    positive_parameter_zero => at(world("hazard_width", "0.0"), "world.hazard_width");
    misuse_rate_above_limit => at(world("misuse_rate", "10001.0"), "world.misuse_rate");
    rate_negative => at(world("leak_gated", "-0.01"), "world.leak_gated");
    severity_cap_below_severity_min => at(world("severity_cap", "10.0"), "world.severity_cap");
    leak_multiplier_above_two => at(jur("EU", "leak_multiplier", "2.5"), "jurisdiction \"EU\": leak_multiplier");
    defense_rate_negative => at(jur("EU", "defense_rate", "-0.1"), "jurisdiction \"EU\": defense_rate");
    api_access_above_one => at(jur("China", "api_access", "1.2"), "jurisdiction \"China\": api_access");
    uniform_support_beyond_probability =>
        at(world("strip_prob", "{ dist = \"uniform\", min = 0.8, max = 1.2 }"), "world.strip_prob");
    lognormal_support_beyond_probability =>
        at(world("strip_prob", "{ dist = \"lognormal\", median = 0.9, p95 = 0.99 }"), "world.strip_prob");
    untruncated_normal_for_a_rate =>
        at(world("discount_rate", "{ dist = \"normal\", mean = 0.03, sd = 0.015 }"), "world.discount_rate");
    triangular_support_below_zero =>
        at(world("growth", "{ dist = \"triangular\", min = -0.1, mode = 0.5, max = 0.8 }"), "world.growth");
    pert_support_beyond_misuse_limit =>
        at(world("misuse_rate", "{ dist = \"pert\", min = 1.0, mode = 2.0, max = 20000.0 }"), "world.misuse_rate");
}

// Distributions of the wrong shape.
cases! {
    uniform_min_above_max => at(world("growth", "{ dist = \"uniform\", min = 0.8, max = 0.4 }"), "world.growth");
    uniform_min_equals_max => at(world("growth", "{ dist = \"uniform\", min = 0.5, max = 0.5 }"), "world.growth");
    pert_mode_above_max =>
        at(world("o0", "{ dist = \"pert\", min = 26.0, mode = 26.9, max = 26.7 }"), "world.o0");
    triangular_min_above_max => at(
        world("severity_per_oom", "{ dist = \"triangular\", min = 0.6, mode = 0.3, max = 0.0 }"),
        "world.severity_per_oom",
    );
    lognormal_p95_below_median =>
        at(world("leak_closed", "{ dist = \"lognormal\", median = 0.03, p95 = 0.02 }"), "world.leak_closed");
    lognormal_p95_equals_median =>
        at(world("leak_closed", "{ dist = \"lognormal\", median = 0.03, p95 = 0.03 }"), "world.leak_closed");
    lognormal_median_zero =>
        at(world("value_per_oom", "{ dist = \"lognormal\", median = 0.0, p95 = 2000.0 }"), "world.value_per_oom");
    beta_sd_too_large => at(world("strip_prob", "{ dist = \"beta\", mean = 0.95, sd = 0.3 }"), "world.strip_prob");
    beta_mean_above_one => at(world("strip_prob", "{ dist = \"beta\", mean = 1.2, sd = 0.01 }"), "world.strip_prob");
    normal_sd_zero => at(
        world("discount_rate", "{ dist = \"normal\", mean = 0.03, sd = 0.0, min = 0.0, max = 0.07 }"),
        "world.discount_rate",
    );
    normal_sd_negative =>
        at(world("k0", "{ dist = \"normal\", mean = 26.8, sd = -0.1 }"), "world.k0");
    truncated_normal_without_mass => at(
        world("discount_rate", "{ dist = \"normal\", mean = 0.03, sd = 0.001, min = 0.06, max = 0.07 }"),
        "world.discount_rate",
    );
    truncated_normal_min_above_max =>
        at(world("k0", "{ dist = \"normal\", mean = 26.8, sd = 0.1, min = 27.0, max = 26.0 }"), "world.k0");
}

// Jurisdiction sums.
cases! {
    share0_does_not_sum_to_one => anywhere(jur("US", "share0", "0.76"), "jurisdiction: share0");
    host_does_not_sum_to_one => anywhere(jur("US", "host", "0.44"), "jurisdiction: host");
    weight_does_not_sum_to_one => anywhere(jur("UK", "weight", "0.0"), "jurisdiction: weight");
    exposure_does_not_sum_to_one => anywhere(jur("China", "exposure", "0.2001"), "jurisdiction: exposure");
}

// Names, policies and regimes.
cases! {
    duplicate_jurisdiction_name => anywhere(set_name("name = \"China\"", "US"), "jurisdiction \"US\": name");
    duplicate_policy_name => anywhere(set_name(CLOSED, "Status quo"), "policy \"Status quo\": name");
    override_names_unknown_jurisdiction => at(rename_override("EU", "Eu"), UNILATERAL);
    override_jurisdiction_case_differs => at(rename_override("UK", "uk"), UNILATERAL);
    gated_below_under_open_below => at(
        set(GLOBAL_TIERED, "default", Some("{ tiered = { open_below = 27.0, gated_below = 26.0, drift = 0.0 } }")),
        "policy \"Global tiered 1e27\": default",
    );
    regime_unknown_word => at(set(CLOSED, "default", Some("\"half-open\"")), "policy \"Global closed\": default");
    baseline_names_no_policy => at(set("", "baseline", Some("\"status quo\"")), "run.baseline");
    name_empty => at(set("", "name", Some("\"\"")), "name");
    name_too_long => at(set("", "name", Some(&format!("{:?}", "x".repeat(65)))), "name");
    name_too_long_in_characters => at(set("", "name", Some(&format!("{:?}", "é".repeat(65)))), "name");
    jurisdiction_name_too_long => at(set_name("name = \"EU\"", &"E".repeat(65)), "jurisdiction[2].name");
    policy_name_too_long => at(set_name(CLOSED, &"P".repeat(65)), "policy[2].name");
}

// Run limits.
cases! {
    runs_zero => at(set("", "runs", Some("0")), "run.runs");
    runs_too_many => at(set("", "runs", Some("10000001")), "run.runs");
    years_zero => at(set("", "years", Some("0")), "run.years");
    years_101 => at(set("", "years", Some("101")), "run.years");
    steps_per_year_zero => at(set("", "steps_per_year", Some("0")), "run.steps_per_year");
    steps_per_year_53 => at(set("", "steps_per_year", Some("53")), "run.steps_per_year");
    seed_negative => at(set("", "seed", Some("-1")), "run.seed");
}

// Counts of tables.
cases! {
    too_many_policies => anywhere(append(&extra_policies(13), 0), "policy");
    no_policies => anywhere((BASELINE[..unique("# Policies:")].to_string().replace(
        "baseline = \"Status quo\"", ""), 0), "policy");
    no_jurisdictions => anywhere((without_jurisdictions(), 0), "jurisdiction");
    too_many_jurisdictions => anywhere((with_jurisdictions(65), 0), "jurisdiction");
}

// Correlations.
cases! {
    correlation_names_unknown_parameter =>
        at(append(&correlation("world.nope", "world.growth", "0.5"), 2), "correlation[0].a");
    correlation_without_world_prefix =>
        at(append(&correlation("o0", "world.growth", "0.5"), 2), "correlation[0].a");
    correlation_names_fixed_parameter =>
        at(append(&correlation("world.o0", "world.k0", "0.5"), 3), "correlation[0].b");
    correlation_rho_out_of_range =>
        at(append(&correlation("world.o0", "world.growth", "1.5"), 4), "correlation[0].rho");
    correlation_of_a_parameter_with_itself =>
        anywhere(append(&correlation("world.o0", "world.o0", "0.5"), 0), "correlation[0]");
    correlation_pair_given_twice => anywhere(
        append(&format!("{}{}", correlation("world.o0", "world.growth", "0.5"),
            correlation("world.growth", "world.o0", "0.3")), 0),
        "correlation[1]",
    );
    correlation_not_positive_definite => anywhere(
        append(&format!("{}{}{}",
            correlation("world.o0", "world.growth", "0.9"),
            correlation("world.growth", "world.open_lag", "0.9"),
            correlation("world.o0", "world.open_lag", "-0.9")), 0),
        "correlation",
    );
}

// TOML syntax: the parse stops, so there is one issue, on the line of the mistake.
cases! {
    syntax_missing_value => at(world("k0", ""), "");
    syntax_duplicate_key => at(insert_after("\nk0 = 26.8", "k0 = 27.0"), "");
    syntax_unclosed_string => at(set("", "name", Some("\"Baseline 2026")), "");
    syntax_double_comma => at(world("o0", "{ dist = \"pert\", min = 26.0,, max = 26.7 }"), "");
    syntax_bare_word_value => at(world("growth", "fast"), "");
}

/// The baseline with the override of jurisdiction `old` renamed to `new`.
fn rename_override(old: &str, new: &str) -> (String, usize) {
    let needle = format!("\n{old} = {{ tiered");
    let at = unique(&needle) + 1;
    (BASELINE.replacen(&needle, &format!("\n{new} = {{ tiered"), 1), line_at(BASELINE, at))
}

/// The baseline with its (multi-line) description replaced by `value`.
fn description(value: &str) -> (String, usize) {
    let start = unique("description = \"\"\"");
    let end = BASELINE[start + 18..].find("\"\"\"").map(|i| i + start + 18 + 3).expect("end of description");
    (format!("{}description = {value}{}", &BASELINE[..start], &BASELINE[end..]), line_at(BASELINE, start))
}

/// Renames the table whose `name = ...` line is `anchor`.
fn set_name(anchor: &str, new: &str) -> (String, usize) {
    let at = unique(anchor);
    let text = format!("{}name = {new:?}{}", &BASELINE[..at], &BASELINE[at + anchor.len()..]);
    (text, line_at(BASELINE, at))
}

fn extra_policies(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(s, "\n[[policy]]\nname = \"Extra {i}\"\ndefault = \"open\"\n");
    }
    s
}

/// The baseline without jurisdictions (and without the policy that overrides them).
fn without_jurisdictions() -> String {
    let first = unique("[[jurisdiction]]\nname = \"US\"");
    let policies = unique("# Policies:");
    let unilateral = unique("# US, EU and UK apply");
    format!("{}{}", &BASELINE[..first], &BASELINE[policies..unilateral])
}

/// The baseline with `n` identical jurisdictions (shares 1/n) instead of its own, and without
/// the policy that overrides them.
fn with_jurisdictions(n: usize) -> String {
    let mut s = without_jurisdictions();
    let share = 1.0 / n as f64;
    for i in 0..n {
        let _ = write!(
            s,
            "\n[[jurisdiction]]\nname = \"J{i}\"\nshare0 = {share:?}\nhost = {share:?}\nbase_burden = 0.1\n\
             weight = {share:?}\nexposure = {share:?}\napi_access = 0.8\nadoption0 = 0.3\npreparedness0 = 0.3\n\
             defense_rate = 0.1\nleak_multiplier = 1.0\n"
        );
    }
    s
}

#[test]
fn the_case_builders_leave_the_baseline_valid() {
    parse_ok(BASELINE);
    parse_ok(&world("k0", "26.8").0);
    parse_ok(&jur("EU", "share0", "0.05").0);
    parse_ok(&insert_after("name = \"Baseline 2026\"", "").0);
    parse_ok(&append(&correlation("world.o0", "world.growth", "0.5"), 0).0);
    parse_ok(&append(&extra_policies(12), 0).0);
    parse_ok(&without_jurisdictions().replacen(
        "# Policies:",
        "[[jurisdiction]]\nname = \"W\"\nshare0 = 1.0\nhost = 1.0\nbase_burden = 0.0\nweight = 1.0\nexposure = 1.0\n\
         api_access = 0.8\nadoption0 = 0.3\npreparedness0 = 0.3\ndefense_rate = 0.1\nleak_multiplier = 1.0\n# Policies:",
        1,
    ));
    let s = parse_ok(&with_jurisdictions(64));
    assert_eq!(s.jurisdictions().len(), 64);
}

#[test]
fn several_problems_are_reported_at_once() {
    let mut text = world("strip_prob", "1.5").0;
    text = text.replacen("years = 10", "years = 0", 1);
    text = text.replacen("name = \"EU\"\nshare0 = 0.05", "name = \"EU\"\nshare0 = \"x\"", 1);
    text = text.replacen("\nk0 = 26.8\n", "\nk0 = 26.8\nk9 = 1.0\n", 1);
    text = text.replacen("default = \"closed\"", "default = \"shut\"", 1);
    let err = Scenario::parse(&text, "many.toml").expect_err("invalid");
    let paths: Vec<&str> = err.issues().iter().map(|i| i.path.as_str()).collect();
    for want in [
        "world.strip_prob",
        "run.years",
        "jurisdiction \"EU\": share0",
        "world.k9",
        "policy \"Global closed\": default",
    ] {
        assert!(paths.iter().any(|p| p.contains(want)), "{want} missing from {paths:?}");
    }
    assert_eq!(paths.len(), 5, "exactly the five problems: {err}");
    let stderr = check_bytes(text.as_bytes(), "world.strip_prob", None);
    for want in ["run.years", "jurisdiction \"EU\": share0", "world.k9", "policy \"Global closed\": default"] {
        assert!(stderr.contains(want), "{want} missing from stderr:\n{stderr}");
    }
    assert!(stderr.contains("5 problems"), "{stderr}");
}

#[test]
fn file_over_one_mebibyte_is_refused() {
    let limit = 1024 * 1024;
    let mut text = BASELINE.to_string();
    text.push('#');
    while text.len() < limit + 1 {
        text.push('x');
    }
    assert_eq!(text.len(), limit + 1);
    let stderr = check_bytes(text.as_bytes(), "1048577 bytes", None);
    assert!(stderr.contains("1 MiB") || stderr.contains("1048576"), "{stderr}");
}

#[test]
fn oversized_file_is_refused_before_parsing() {
    // Not TOML at all: a parser would complain about syntax; the size check must come first.
    let text = "this is not toml = = =\n".repeat(50_000);
    assert!(text.len() > 1024 * 1024);
    let stderr = check_bytes(text.as_bytes(), "bytes", None);
    assert!(stderr.contains("1 MiB") || stderr.contains("1048576"), "{stderr}");
    assert!(!stderr.contains("expected"), "no parse error expected before the size check:\n{stderr}");
}

#[test]
fn file_of_exactly_one_mebibyte_is_accepted() {
    let limit = 1024 * 1024;
    let mut text = BASELINE.to_string();
    text.push('#');
    while text.len() < limit - 1 {
        text.push('x');
    }
    text.push('\n');
    assert_eq!(text.len(), limit);
    let file = temp_toml(text.as_bytes());
    let out = run_bin(&[std::ffi::OsStr::new("validate"), file.path().as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn non_utf8_bytes_are_refused_with_their_line() {
    let at = unique("(26.8 = 6.3e26 FLOP)");
    let mut bytes = BASELINE.as_bytes().to_vec();
    bytes.splice(at + 2..at + 2, [0xff, 0xfe]);
    let line = line_at(BASELINE, at);
    let stderr = check_bytes(&bytes, "(file)", Some(line));
    assert!(stderr.contains("UTF-8"), "{stderr}");
}

#[test]
fn missing_or_unreadable_file_is_invalid_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    for path in [dir.path().join("nope.toml"), dir.path().to_path_buf()] {
        let out = run_bin(&[std::ffi::OsStr::new("validate"), path.as_os_str()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains(&path.display().to_string()) && stderr.contains("cannot read"), "{stderr}");
        assert_eq!(stderr.matches("os error").count(), 1, "the reason is said once: {stderr}");
    }
}

/// The parser's own complaints are said in the file's terms, with what is allowed.
#[test]
fn parser_errors_say_what_is_allowed() {
    let message = |text: &str| -> String {
        let err = Scenario::parse(text, "case.toml").expect_err("invalid");
        err.issues().iter().map(|i| format!("{}: {}", i.path, i.message)).collect::<Vec<_>>().join("\n")
    };
    let dup = insert_after("\nk0 = 26.8", "k0 = 26.9").0;
    assert!(message(&dup).contains("may appear only once"), "{}", message(&dup));
    let runs_array = BASELINE.replacen("[run]", "[[run]]", 1);
    assert!(message(&runs_array).contains("[run] once, not [[run]]"), "{}", message(&runs_array));
    let huge = world("k0", "1e400").0;
    assert!(message(&huge).contains("must be a finite number"), "{}", message(&huge));
    let seed = set("", "seed", Some("18446744073709551615")).0;
    assert!(message(&seed).contains("up to 9223372036854775807"), "{}", message(&seed));
    let runs = set("", "runs", Some("1000.0")).0;
    assert!(message(&runs).contains("(1000, not 1000.0)"), "{}", message(&runs));
    let world_string = format!("world = \"none\"\n{}", BASELINE.replacen("[world]", "[world_was]", 1));
    let m = message(&world_string);
    assert!(m.contains("world: must be a table ([world] or world = { ... }), got the string \"none\""), "{m}");
}

#[test]
fn an_empty_policy_array_is_reported_at_its_line() {
    let text = BASELINE.replacen("name = \"Baseline 2026\"", "name = \"Baseline 2026\"\npolicy = []", 1);
    let text = text.split("\n[[policy]]").next().expect("before the policies").to_string();
    let err = Scenario::parse(&text, "case.toml").expect_err("no policies");
    let issue = err.issues().iter().find(|i| i.path == "policy").expect("a policy issue");
    assert_eq!(issue.line, Some(line_at(&text, text.find("policy = []").expect("inserted"))), "{err}");
}

#[test]
fn seeds_stop_at_the_largest_toml_integer_on_the_command_line_too() {
    let out = run_bin(
        &["run", "baseline", "--runs", "10", "--quiet", "--seed", "9223372036854775808"].map(std::ffi::OsStr::new),
    );
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run_bin(
        &["run", "baseline", "--runs", "10", "--quiet", "--seed", "9223372036854775807"].map(std::ffi::OsStr::new),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

// Boundary values that must be accepted.

#[test]
fn boundary_values_are_accepted() {
    let accept = |text: &str| {
        parse_ok(text);
    };
    accept(&world("strip_prob", "1.0").0);
    accept(&world("api_misuse", "0.0").0);
    accept(&world("misuse_rate", "10000.0").0);
    accept(&world("k0", "27").0); // an integer where a float is expected
    accept(&world("strip_prob", "{ dist = \"uniform\", min = 0.0, max = 1.0 }").0);
    accept(&world("strip_prob", "{ dist = \"beta\", mean = 0.5, sd = 0.2 }").0);
    accept(&world("discount_rate", "{ dist = \"normal\", mean = 0.03, sd = 0.015, min = 0.0 }").0);
    accept(&world("o0", "{ dist = \"pert\", min = 26.0, mode = 26.0, max = 26.7 }").0);
    accept(&world("hazard_width", "{ dist = \"lognormal\", median = 0.5, p95 = 0.9 }").0);
    accept(&jur("EU", "leak_multiplier", "2.0").0);
    accept(&jur("US", "share0", "0.7500005").0); // sum off by 5e-7, within 1e-6
    accept(&set("", "runs", Some("10000000")).0);
    accept(&set("", "years", Some("100")).0);
    accept(&set("", "steps_per_year", Some("52")).0);
    accept(&set("", "seed", Some("0")).0);
    accept(&set("", "name", Some(&format!("{:?}", "x".repeat(64)))).0);
    accept(&set("", "name", Some(&format!("{:?}", "é".repeat(64)))).0); // 64 characters, 128 bytes
    accept(&append(&extra_policies(12), 0).0); // 16 policies
    accept(&set(GLOBAL_TIERED, "default", Some("{ tiered = { open_below = 27.0, gated_below = 27.0 } }")).0);
    accept(&append(&correlation("world.o0", "world.growth", "-0.99"), 0).0);
    accept(&without_jurisdictions().replace("baseline = \"Status quo\"", "").replacen(
        "# Policies:",
        "[[jurisdiction]]\nname = \"W\"\nshare0 = 1\nhost = 1\nbase_burden = 0\nweight = 1\nexposure = 1\n\
         api_access = 1\nadoption0 = 0\npreparedness0 = 1\ndefense_rate = 0\nleak_multiplier = 0\n# Policies:",
        1,
    ));
}

// Policy levers (appended to the last policy, "Unilateral tiered (US, EU, UK)").
const LAST: &str = "policy \"Unilateral tiered (US, EU, UK)\"";
cases! {
    evaluation_sd_negative => anywhere(append("[policy.evaluation]\nsd = -0.1\n", 0), &format!("{LAST}: evaluation.sd"));
    evaluation_without_sd => anywhere(append("[policy.evaluation]\nbias = 0.1\n", 0), &format!("{LAST}: evaluation.sd"));
    evaluation_unknown_key => anywhere(append("[policy.evaluation]\nsd = 0.1\nnoise = 2\n", 0), &format!("{LAST}: evaluation.noise"));
    spending_negative => anywhere(append("[policy.spending]\nsafeguards = -1.0\n", 0), &format!("{LAST}: spending.safeguards"));
    spending_in_unknown_jurisdiction => anywhere(
        append("[policy.spending]\nsafeguards = 1.0\n[policy.spending.overrides]\nFrance = { safeguards = 2.0 }\n", 0),
        &format!("{LAST}: spending.overrides.France"),
    );
    spending_overrides_as_a_number => anywhere(append("[policy.spending]\noverrides = 5\n", 0), &format!("{LAST}: spending.overrides"));
    trigger_unknown_signpost => anywhere(
        append("[[policy.trigger]]\nwhen = \"election\"\nregime = \"closed\"\n", 0),
        &format!("{LAST}: trigger[0].when"),
    );
    trigger_without_level => anywhere(
        append("[[policy.trigger]]\nwhen = \"harm_above\"\nregime = \"closed\"\n", 0),
        &format!("{LAST}: trigger[0].level"),
    );
    trigger_catastrophe_with_level => anywhere(
        append("[[policy.trigger]]\nwhen = \"catastrophe\"\nlevel = 3\nregime = \"closed\"\n", 0),
        &format!("{LAST}: trigger[0].level"),
    );
    trigger_negative_delay => anywhere(
        append("[[policy.trigger]]\nwhen = \"year\"\nlevel = 2\ndelay = -1\nregime = \"closed\"\n", 0),
        &format!("{LAST}: trigger[0].delay"),
    );
    trigger_without_regime => anywhere(
        append("[[policy.trigger]]\nwhen = \"year\"\nlevel = 2\n", 0),
        &format!("{LAST}: trigger[0].regime"),
    );
    trigger_bad_regime => anywhere(
        append("[[policy.trigger]]\nwhen = \"year\"\nlevel = 2\nregime = \"banned\"\n", 0),
        &format!("{LAST}: trigger[0].regime"),
    );
    trigger_unknown_jurisdiction => anywhere(
        append("[[policy.trigger]]\nwhen = \"year\"\nlevel = 2\nregime = \"closed\"\njurisdictions = [\"US\", \"Mars\"]\n", 0),
        &format!("{LAST}: trigger[0].jurisdictions"),
    );
    coordination_probability_above_one => anywhere(
        append("[policy.coordination]\nChina = 1.5\n", 0),
        &format!("{LAST}: coordination.China"),
    );
    coordination_unknown_jurisdiction => anywhere(
        append("[policy.coordination]\nchina = 0.5\n", 0),
        &format!("{LAST}: coordination.china"),
    );
    optional_world_parameter_out_of_range => at(insert_after("\nk0 = 26.8", "safeguard_halving = 0.0"), "world.safeguard_halving");
}

#[test]
fn a_lever_error_names_the_line_of_its_table() {
    let (text, _) = append("[policy.evaluation]\nsd = -0.1\n", 0);
    let err = Scenario::parse(&text, "case.toml").expect_err("invalid");
    let line = err.issues()[0].line.expect("a line");
    let header = text.lines().position(|l| l == "[policy.evaluation]").unwrap() + 1;
    assert!((header..=header + 1).contains(&line), "line {line}, the table starts at {header}:\n{err}");
}
