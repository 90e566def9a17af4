//! Shared helpers: the baseline text, the binary, small scenarios built as TOML text, and
//! simulation shortcuts.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use tierlab::model::{P, PARAMS, Scenario};
use tierlab::sim::{Control, Record, Results, SimOptions, simulate};

/// The shipped baseline scenario, as text (a model-v2 scenario).
pub const BASELINE: &str = include_str!("../../scenarios/baseline.toml");

/// The baseline as it was under model version 1 (no v2 key set), kept so that the tests that
/// pin model v1's numbers, or add v2 keys to a v1 world, keep checking model v1.
pub const BASELINE_V1: &str = include_str!("../data/baseline_v1.toml");

/// The six presets as they were under model version 1 (each model v1's baseline world with
/// its story's changes, no v2 key set), as (file name, text): the presets in scenarios/ are
/// version 2 now, and these copies keep the tests that pin model v1's outputs checking v1.
pub const PRESETS_V1: [(&str, &str); 6] = [
    ("unilateral_leakage.toml", include_str!("../data/presets_v1/unilateral_leakage.toml")),
    ("heavy_tail.toml", include_str!("../data/presets_v1/heavy_tail.toml")),
    ("strong_safeguards.toml", include_str!("../data/presets_v1/strong_safeguards.toml")),
    ("moving_threshold.toml", include_str!("../data/presets_v1/moving_threshold.toml")),
    ("irreversibility.toml", include_str!("../data/presets_v1/irreversibility.toml")),
    ("levers.toml", include_str!("../data/presets_v1/levers.toml")),
];

/// The levers preset as it was under model version 1 (see `PRESETS_V1`).
pub const LEVERS_V1: &str = include_str!("../data/presets_v1/levers.toml");

/// The `tierlab` binary built for this test run, started in the repository (so relative paths
/// such as `scenarios/baseline.toml` resolve).
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tierlab"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// The shipped baseline scenario's file.
pub fn baseline_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")
}

/// Runs the binary with `args` and returns its output.
pub fn run_bin<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    bin().args(args).output().expect("the tierlab binary starts")
}

/// Writes `bytes` to a fresh `.toml` file that lives as long as the returned handle.
pub fn temp_toml(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".toml").tempfile().expect("temp file");
    std::io::Write::write_all(&mut f, bytes).expect("write temp file");
    f
}

/// Parses scenario text that must be valid, with every issue in the panic message.
pub fn parse_ok(text: &str) -> Scenario {
    match Scenario::parse(text, "test.toml") {
        Ok(s) => s,
        Err(e) => panic!("expected a valid scenario, got:\n{e}\n--- text ---\n{text}"),
    }
}

/// 1-based line number of byte offset `offset` in `text`.
pub fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

/// A fixed value for every world parameter: SCENARIO.md's suggested baseline values.
pub fn default_world_value(key: &str) -> f64 {
    match key {
        "k0" => 26.8,
        "o0" => 26.4,
        "growth" => 0.65,
        "growth_sd" => 0.15,
        "open_lag" => 0.22,
        "gap_per_log_share" => 0.5,
        "gap_cap" => 2.0,
        "research_boost" => 0.1,
        "openness_gap_ref" => 1.0,
        "hazard_threshold" => 27.5,
        "hazard_width" => 0.5,
        "misuse_rate" => 2.0,
        "strip_prob" => 0.95,
        "api_misuse" => 0.1,
        "severity_min" => 5.0,
        "tail_alpha" => 1.4,
        "severity_per_oom" => 0.3,
        "severity_cap" => 100_000.0,
        "catastrophe_threshold" => 1000.0,
        "leak_closed" => 0.03,
        "leak_gated" => 0.3,
        "value_per_oom" => 700.0,
        "k_base" => 22.0,
        "bass_p" => 0.03,
        "bass_q" => 0.38,
        "open_adoption_boost" => 0.3,
        "scrutiny_boost" => 0.5,
        "r_max" => 0.8,
        "burden_gated" => 0.2,
        "burden_closed" => 0.5,
        "mobility" => 0.3,
        "migration_sd" => 0.3,
        "discount_rate" => 0.03,
        "safeguard_halving" => 10.0,
        "defense_per_billion" => 0.02,
        other => panic!("no default for world parameter {other:?}: the test support needs updating"),
    }
}

/// A float as TOML that reads back as the same f64.
pub fn num(x: f64) -> String {
    assert!(x.is_finite(), "num() is for finite values");
    format!("{x:?}")
}

/// One jurisdiction of a test scenario.
#[derive(Clone, Debug)]
pub struct Jur {
    pub name: String,
    /// share0, host, base_burden, weight, exposure, api_access, adoption0, preparedness0,
    /// defense_rate, leak_multiplier.
    pub values: [f64; 10],
}

impl Jur {
    /// A jurisdiction holding the whole world (every share-like attribute 1).
    pub fn world(name: &str) -> Jur {
        Jur { name: name.into(), values: [1.0, 1.0, 0.05, 1.0, 1.0, 0.85, 0.35, 0.3, 0.1, 1.0] }
    }
    pub fn set(mut self, key: &str, x: f64) -> Jur {
        let i = tierlab::model::params::JURISDICTION_KEYS
            .iter()
            .position(|(k, ..)| *k == key)
            .unwrap_or_else(|| panic!("{key:?} is not a jurisdiction key"));
        self.values[i] = x;
        self
    }
}

/// A policy of a test scenario: name, default regime as TOML, overrides as
/// (jurisdiction, regime as TOML).
pub type PolicySpec = (String, String, Vec<(String, String)>);

/// A small scenario written as a scenario file, so that building it also exercises the parser.
#[derive(Clone, Debug)]
pub struct Spec {
    pub runs: u64,
    pub seed: u64,
    pub years: u32,
    pub steps_per_year: u32,
    /// World parameters as TOML values (a number or an inline distribution table).
    pub world: Vec<(String, String)>,
    pub jurisdictions: Vec<Jur>,
    pub policies: Vec<PolicySpec>,
    /// Extra text appended at the end (e.g. `[[correlation]]` tables).
    pub tail: String,
}

impl Spec {
    /// One open policy, one jurisdiction, every world parameter fixed at its default; model
    /// v2's parameters left out (their mechanisms off), as a v1 file has them.
    pub fn new() -> Spec {
        let v2 = |key: &str| tierlab::model::params::V2_PARAMS.iter().any(|p| p.info().key == key);
        Spec {
            runs: 100,
            seed: 7,
            years: 10,
            steps_per_year: 4,
            world: PARAMS
                .iter()
                .filter(|p| !v2(p.key))
                .map(|p| (p.key.to_string(), num(default_world_value(p.key))))
                .collect(),
            jurisdictions: vec![Jur::world("World")],
            policies: vec![("Open".into(), "\"open\"".into(), Vec::new())],
            tail: String::new(),
        }
    }

    /// Sets a world parameter to a fixed value.
    pub fn fix(self, key: &str, x: f64) -> Spec {
        self.raw(key, &num(x))
    }

    /// Sets a world parameter to raw TOML (e.g. a distribution table); a parameter left out
    /// so far (model v2's) is added.
    pub fn raw(mut self, key: &str, toml: &str) -> Spec {
        match self.world.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = toml.to_string(),
            None => {
                assert!(PARAMS.iter().any(|p| p.key == key), "unknown key {key}");
                self.world.push((key.to_string(), toml.to_string()));
            }
        }
        self
    }

    pub fn policy(mut self, name: &str, default: &str) -> Spec {
        self.policies.push((name.into(), default.into(), Vec::new()));
        self
    }

    pub fn only_policy(mut self, name: &str, default: &str) -> Spec {
        self.policies.clear();
        self.policy(name, default)
    }

    pub fn to_toml(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "name = \"Test scenario\"");
        let _ = writeln!(
            s,
            "[run]\nruns = {}\nseed = {}\nyears = {}\nsteps_per_year = {}",
            self.runs, self.seed, self.years, self.steps_per_year
        );
        let _ = writeln!(s, "[world]");
        for (k, v) in &self.world {
            let _ = writeln!(s, "{k} = {v}");
        }
        for j in &self.jurisdictions {
            let _ = writeln!(s, "[[jurisdiction]]\nname = {:?}", j.name);
            for ((key, ..), x) in tierlab::model::params::JURISDICTION_KEYS.iter().zip(j.values) {
                let _ = writeln!(s, "{key} = {}", num(x));
            }
        }
        for (name, default, overrides) in &self.policies {
            let _ = writeln!(s, "[[policy]]\nname = {name:?}\ndefault = {default}");
            if !overrides.is_empty() {
                let _ = writeln!(s, "[policy.overrides]");
                for (j, r) in overrides {
                    let _ = writeln!(s, "{j:?} = {r}");
                }
            }
        }
        s.push_str(&self.tail);
        s
    }

    pub fn build(&self) -> Scenario {
        parse_ok(&self.to_toml())
    }
}

/// Simulates every run of the scenario on two worker threads.
pub fn sim(scenario: &Scenario, record: Record) -> Results {
    let opts = SimOptions { threads: Some(2), record, param_overrides: Vec::new(), ..SimOptions::default() };
    simulate(scenario, &opts, &Control::new()).expect("simulation")
}

/// Simulates and records everything: jurisdictions, params and every run's series.
pub fn sim_all(scenario: &Scenario) -> Results {
    sim(scenario, Record { jurisdictions: true, series_runs: scenario.run().runs, params: true })
}

/// The value world parameter `p` took in run offset `i` (fixed or drawn; needs recorded params).
pub fn param_value(scenario: &Scenario, results: &Results, i: usize, p: P) -> f64 {
    let id = p as usize;
    match results.param_ids.iter().position(|&x| x == id) {
        Some(c) => results.params[i * results.param_ids.len() + c],
        None => match scenario.world()[id] {
            tierlab::model::Dist::Fixed(x) => x,
            ref d => panic!("parameter {id} is uncertain ({d:?}) but its draws were not recorded"),
        },
    }
}

/// Mean and standard error of `xs`.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Reads a whole file as text.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
