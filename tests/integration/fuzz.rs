//! No input may panic or hang: random mutations of the baseline text go through the parser,
//! and whatever it accepts through a short simulation, the summaries and the output writers.

use proptest::prelude::*;
use proptest::sample::Index;
use tierlab::export::data::summary_json;
use tierlab::model::params::Range;
use tierlab::model::{N_PARAMS, Scenario};
use tierlab::sim::Control;
use tierlab::study::{Input, Keeps, MainSimulation, ScenarioSource};

use crate::support::{BASELINE, Spec};

/// Values a mutation may put on the right of `key =`: edge numbers, wrong types, odd
/// distributions and regimes.
const VALUES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "0.0",
    "1",
    "1e308",
    "-1e308",
    "5e-324",
    "9223372036854775807",
    "-9223372036854775808",
    "\"x\"",
    "\"\"",
    "true",
    "[]",
    "[1, 2]",
    "{}",
    "1979-05-27",
    "\"open\"",
    "\"closed\"",
    "{ tiered = { open_below = -1e308, gated_below = 1e308, drift = 1e308 } }",
    "{ tiered = { open_below = 27, gated_below = 27 } }",
    "{ tiered = 1 }",
    "{ dist = \"pert\", min = 1, mode = 0, max = 2 }",
    "{ dist = \"pert\", min = 0, mode = 0, max = 0 }",
    "{ dist = \"uniform\", min = -1e308, max = 1e308 }",
    "{ dist = \"uniform\", min = 0, max = 1e308 }",
    "{ dist = \"normal\", mean = 0, sd = 1e-300, min = 5, max = 6 }",
    "{ dist = \"normal\", mean = 0.5, sd = 1e300, min = 0, max = 1 }",
    "{ dist = \"normal\", mean = 0.5, sd = 1, min = 0.4999999, max = 0.5000001 }",
    "{ dist = \"lognormal\", median = 1e-300, p95 = 1e300 }",
    "{ dist = \"lognormal\", median = 0.5, p95 = 0.5000001 }",
    "{ dist = \"beta\", mean = 0.5, sd = 0.4999 }",
    "{ dist = \"beta\", mean = 1e-9, sd = 1e-10 }",
    "{ dist = \"triangular\", min = 0, mode = 1, max = 1 }",
    "{ dist = 3 }",
    "{ dist = \"pert\" }",
];

#[derive(Clone, Debug)]
enum Mutation {
    FlipByte(Index, u8),
    DeleteLine(Index),
    DuplicateLine(Index),
    SwapLines(Index, Index),
    SetValue(Index, Index),
    SetNumber(Index, f64),
    Truncate(Index),
    InsertText(Index, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::FlipByte(i, b)),
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SetValue(a, b)),
        (any::<Index>(), any::<f64>()).prop_map(|(a, x)| Mutation::SetNumber(a, x)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), "[\\[\\]{}=\",.#a-z0-9 \n]{0,12}").prop_map(|(i, s)| Mutation::InsertText(i, s)),
    ]
}

fn apply(text: &mut Vec<u8>, m: &Mutation) {
    let lines = |t: &[u8]| -> Vec<Vec<u8>> { t.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect() };
    let join = |ls: Vec<Vec<u8>>| ls.join(&b'\n');
    if text.is_empty() {
        return;
    }
    match m {
        Mutation::FlipByte(i, b) => {
            let at = i.index(text.len());
            text[at] = *b;
        }
        Mutation::DeleteLine(i) => {
            let mut ls = lines(text);
            ls.remove(i.index(ls.len()));
            *text = join(ls);
        }
        Mutation::DuplicateLine(i) => {
            let mut ls = lines(text);
            let at = i.index(ls.len());
            ls.insert(at, ls[at].clone());
            *text = join(ls);
        }
        Mutation::SwapLines(a, b) => {
            let mut ls = lines(text);
            let (a, b) = (a.index(ls.len()), b.index(ls.len()));
            ls.swap(a, b);
            *text = join(ls);
        }
        Mutation::SetValue(i, _) | Mutation::SetNumber(i, _) if text.contains(&b'=') => {
            let mut ls = lines(text);
            let with_value: Vec<usize> = (0..ls.len()).filter(|&k| ls[k].contains(&b'=')).collect();
            let at = with_value[i.index(with_value.len())];
            let eq = ls[at].iter().position(|&b| b == b'=').unwrap_or(0);
            let value = match m {
                Mutation::SetNumber(_, x) => format!("{x:?}"),
                Mutation::SetValue(_, v) => VALUES[v.index(VALUES.len())].to_string(),
                _ => unreachable!(),
            };
            ls[at].truncate(eq + 1);
            ls[at].extend_from_slice(format!(" {value}").as_bytes());
            *text = join(ls);
        }
        Mutation::SetValue(..) | Mutation::SetNumber(..) => {}
        Mutation::Truncate(i) => text.truncate(i.index(text.len())),
        Mutation::InsertText(i, s) => {
            let at = i.index(text.len() + 1);
            text.splice(at..at, s.bytes());
        }
    }
}

/// Parses; if valid, simulates a few runs through the main simulation every front end uses
/// (series and per-jurisdiction stores, summaries) and serialises the results.
fn exercise(text: &str) {
    let Ok(s) = Scenario::parse(text, "mutated.toml") else { return };
    let s = s
        .edited(|d| {
            d.run.runs = d.run.runs.min(3);
            d.run.years = d.run.years.min(10);
        })
        .expect("a valid scenario with fewer runs and years is valid");
    let _ = s.to_toml();
    let input = Input::new(s, ScenarioSource::new("mutated.toml", text));
    let sim = MainSimulation::run_whole(&input, &Keeps::everything(), &Control::new()).expect("a valid scenario runs");
    assert_eq!(sim.summary.runs, input.scenario.run().runs as usize);
    let _ = summary_json(&sim.summary, &sim.provenance);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_baselines_never_panic(mutations in prop::collection::vec(mutation(), 1..6)) {
        let mut bytes = BASELINE.as_bytes().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_text_never_panics(text in "[\\[\\]{}=\",.#a-z0-9_ \n]{0,200}") {
        let _ = Scenario::parse(&text, "random.toml");
    }
}

/// The extreme values each kind of range allows (the validator accepts all of them).
fn extremes(range: Range) -> Vec<f64> {
    match range {
        Range::Any => vec![-1e6, 0.0, 1e6],
        Range::NonNegative => vec![0.0, 1e-300, 1e6],
        Range::Positive => vec![1e-300, 1e-6, 1e6],
        Range::Probability => vec![0.0, 1.0],
        Range::Closed(lo, hi) => vec![lo, hi],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every world parameter at a random extreme of its range (or its default), the list taken
    /// from the model's own table (so a parameter added to the model is covered at once): the
    /// scenario is valid, so simulating it must not panic.
    #[test]
    fn extreme_valid_parameters_never_panic(picks in prop::collection::vec((any::<bool>(), any::<Index>()), N_PARAMS)) {
        let mut spec = Spec::new().policy("Closed", "\"closed\"").policy(
            "Tiered",
            "{ tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.5 } }",
        );
        spec.runs = 3;
        spec.years = 3;
        for ((extreme, which), info) in picks.iter().zip(tierlab::model::PARAMS) {
            if *extreme {
                let xs = extremes(info.range);
                spec = spec.fix(info.key, xs[which.index(xs.len())]);
            }
        }
        // Keep severity_cap >= severity_min, the one cross-parameter rule.
        let min = spec.world.iter().find(|(k, _)| k == "severity_min").map(|(_, v)| v.clone()).unwrap_or_default();
        let cap = spec.world.iter().find(|(k, _)| k == "severity_cap").map(|(_, v)| v.clone()).unwrap_or_default();
        if min.parse::<f64>().unwrap_or(0.0) > cap.parse::<f64>().unwrap_or(0.0) {
            spec = spec.raw("severity_cap", &min);
        }
        let text = spec.to_toml();
        prop_assert!(Scenario::parse(&text, "extreme.toml").is_ok(), "refused:\n{text}");
        exercise(&text);
    }
}
