//! The checked scenario that everything downstream trusts, and the checks that build it.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::{Spanned, Value};

use super::dist::{Dist, MIN_TRUNCATED_MASS};
use super::error::{Issue, MAX_FILE_BYTES, ScenarioError};
use super::params::{self, JURISDICTION_KEYS, N_PARAMS, PARAMS, Range, param_index};
use super::raw::{Field, RawJurisdiction, RawPolicy, ScenarioFile};
use super::regime::{Evaluation, Levers, Policy, Regime, Signpost, Spending, Trigger};

pub const MAX_RUNS: u64 = 10_000_000;
/// The largest seed: the largest TOML integer, so that every seed can be written in a file.
pub const MAX_SEED: u64 = i64::MAX as u64;
pub const MAX_YEARS: u64 = 100;
pub const MAX_STEPS_PER_YEAR: u64 = 52;
pub const MAX_JURISDICTIONS: usize = 64;
pub const MAX_POLICIES: usize = 16;
/// Triggers per policy.
pub const MAX_TRIGGERS: usize = 8;
pub const MAX_NAME_CHARS: usize = 64;
/// Tolerance on the sums of share0, host, weight and exposure.
pub const SUM_TOLERANCE: f64 = 1e-6;

/// What to run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    pub runs: u64,
    pub seed: u64,
    pub years: u32,
    pub steps_per_year: u32,
    /// Index of the policy others are paired against.
    pub baseline: usize,
}

impl RunSpec {
    pub fn steps(&self) -> usize {
        (self.years * self.steps_per_year) as usize
    }
    pub fn dt(&self) -> f64 {
        1.0 / f64::from(self.steps_per_year)
    }
}

/// A jurisdiction's fixed attributes (MODEL.md, "Entities and state").
#[derive(Clone, Debug, PartialEq)]
pub struct Jurisdiction {
    pub name: String,
    pub share0: f64,
    pub host: f64,
    pub base_burden: f64,
    pub weight: f64,
    pub exposure: f64,
    pub api_access: f64,
    pub adoption0: f64,
    pub preparedness0: f64,
    pub defense_rate: f64,
    pub leak_multiplier: f64,
}

impl Jurisdiction {
    /// The attributes in the order of `params::JURISDICTION_KEYS`.
    pub fn values(&self) -> [f64; 10] {
        [
            self.share0,
            self.host,
            self.base_burden,
            self.weight,
            self.exposure,
            self.api_access,
            self.adoption0,
            self.preparedness0,
            self.defense_rate,
            self.leak_multiplier,
        ]
    }

    pub fn values_mut(&mut self) -> [&mut f64; 10] {
        [
            &mut self.share0,
            &mut self.host,
            &mut self.base_burden,
            &mut self.weight,
            &mut self.exposure,
            &mut self.api_access,
            &mut self.adoption0,
            &mut self.preparedness0,
            &mut self.defense_rate,
            &mut self.leak_multiplier,
        ]
    }

    fn from_values(name: String, v: [f64; 10]) -> Self {
        Jurisdiction {
            name,
            share0: v[0],
            host: v[1],
            base_burden: v[2],
            weight: v[3],
            exposure: v[4],
            api_access: v[5],
            adoption0: v[6],
            preparedness0: v[7],
            defense_rate: v[8],
            leak_multiplier: v[9],
        }
    }
}

/// A requested rank correlation between two uncertain world parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    pub a: usize,
    pub b: usize,
    pub rho: f64,
}

/// A validated scenario. Constructed only by [`Scenario::parse`] (or by editing one that was),
/// so the simulation may rely on every rule in SCENARIO.md.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub run: RunSpec,
    /// Indexed by `params::P`.
    pub world: Vec<Dist>,
    pub jurisdictions: Vec<Jurisdiction>,
    pub policies: Vec<Policy>,
    pub correlations: Vec<Correlation>,
}

/// The baseline scenario shipped inside the binary.
pub const BASELINE_TOML: &str = include_str!("../../scenarios/baseline.toml");

/// Every preset in `scenarios/`, embedded: (file name, contents).
pub const PRESETS: &[(&str, &str)] = &[
    ("baseline.toml", BASELINE_TOML),
    ("unilateral_leakage.toml", include_str!("../../scenarios/unilateral_leakage.toml")),
    ("heavy_tail.toml", include_str!("../../scenarios/heavy_tail.toml")),
    ("strong_safeguards.toml", include_str!("../../scenarios/strong_safeguards.toml")),
    ("moving_threshold.toml", include_str!("../../scenarios/moving_threshold.toml")),
    ("irreversibility.toml", include_str!("../../scenarios/irreversibility.toml")),
    ("levers.toml", include_str!("../../scenarios/levers.toml")),
];

/// Hex sha256 of a scenario's text, the identity stamped on every output.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Scenario {
    /// The embedded baseline.
    pub fn baseline() -> Scenario {
        match Scenario::parse(BASELINE_TOML, "baseline.toml") {
            Ok(s) => s,
            // The embedded file is checked by the test suite; reaching this is a build defect.
            Err(e) => panic!("embedded baseline scenario is invalid: {e}"),
        }
    }

    /// Reads and checks a scenario file, refusing files over 1 MiB before parsing.
    ///
    /// # Errors
    /// I/O failure, a file that is too large, or every problem the checks find.
    pub fn load(path: &Path) -> Result<(Scenario, String), ScenarioError> {
        let io = |reason| ScenarioError::Io { path: path.to_path_buf(), reason };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_FILE_BYTES {
            return Err(ScenarioError::TooLarge { path: path.to_path_buf(), size });
        }
        let bytes = std::fs::read(path).map_err(io)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ScenarioError::TooLarge { path: path.to_path_buf(), size: bytes.len() as u64 });
        }
        let origin = path.display().to_string();
        let text = String::from_utf8(bytes).map_err(|e| ScenarioError::Invalid {
            origin: origin.clone(),
            issues: vec![Issue {
                path: "(file)".into(),
                line: Some(line_of(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to())),
                message: "the file is not valid UTF-8 text".into(),
            }],
        })?;
        let scenario = Scenario::parse(&text, &origin)?;
        Ok((scenario, text))
    }

    /// Parses and checks scenario text; `origin` names it in messages (usually the path).
    ///
    /// # Errors
    /// Every problem found, each with key path, line and what is allowed.
    pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let invalid = |issues| ScenarioError::Invalid { origin: origin.to_string(), issues };
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(invalid(vec![Issue {
                path: "(file)".into(),
                line: None,
                message: format!("the text is {} bytes; at most {MAX_FILE_BYTES} are allowed", text.len()),
            }]));
        }
        if let Err(e) = toml::de::DeTable::parse(text) {
            return Err(invalid(vec![super::locate::issue_from_syntax(text, &e)]));
        }
        // An unknown key stops serde at once; blank it out (keeping every offset, so lines
        // stay right), note it, and parse again, so it hides none of the other problems.
        let mut unknown = Vec::new();
        let mut current = std::borrow::Cow::Borrowed(text);
        let raw: ScenarioFile = loop {
            match toml::from_str(&current) {
                Ok(raw) => break raw,
                Err(e) => {
                    let issue = super::locate::issue_from_toml(text, &e);
                    let blanked = if e.message().starts_with("unknown field") && unknown.len() < 100 {
                        e.span().and_then(|span| super::locate::blank_key_line(&current, span.start))
                    } else {
                        None
                    };
                    unknown.push(issue);
                    match blanked {
                        Some(next) => current = std::borrow::Cow::Owned(next),
                        None => return Err(invalid(unknown)),
                    }
                }
            }
        };
        let mut c = Checker { text, issues: unknown };
        let scenario = c.scenario(&raw);
        match scenario {
            Some(s) if c.issues.is_empty() => Ok(s),
            _ => Err(invalid(c.issues)),
        }
    }

    pub fn baseline_policy(&self) -> &Policy {
        &self.policies[self.run.baseline]
    }

    /// Indices of world parameters that are uncertain (drawn per run), in parameter order.
    pub fn uncertain_params(&self) -> Vec<usize> {
        (0..N_PARAMS).filter(|&i| !self.world[i].is_fixed()).collect()
    }

    pub fn policy_index(&self, name: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.name == name)
    }

    /// The scenario written back as a scenario file (comments are not kept).
    pub fn to_toml(&self) -> String {
        super::write::scenario_to_toml(self)
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The line of `key = ...` written before the first table header (`policy = []`), if any.
fn top_level_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| l.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')))
        .map(|i| i + 1)
}

struct Checker<'a> {
    text: &'a str,
    issues: Vec<Issue>,
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {s:?}"),
        Value::Integer(i) => format!("{i}"),
        Value::Float(f) => format!("{f:?}"),
        Value::Boolean(b) => format!("{b}"),
        Value::Datetime(d) => format!("the date {d}"),
        Value::Array(_) => "an array".into(),
        Value::Table(_) => "a table".into(),
    }
}

impl Checker<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> Option<usize> {
        Some(line_of(self.text, s.span().start))
    }

    fn push(&mut self, path: impl Into<String>, line: Option<usize>, message: impl Into<String>) {
        self.issues.push(Issue { path: path.into(), line, message: message.into() });
    }

    fn missing(&mut self, path: &str, line: Option<usize>, allowed: &str) {
        self.push(path, line, format!("is required ({allowed})"));
    }

    /// A finite number (TOML integer or float).
    fn number(&mut self, path: &str, v: &Spanned<Value>) -> Option<f64> {
        let x = match v.get_ref() {
            Value::Float(f) => *f,
            Value::Integer(i) => *i as f64,
            other => {
                let msg = format!("must be a number, got {}", describe_value(other));
                self.push(path, self.line(v), msg);
                return None;
            }
        };
        if !x.is_finite() {
            self.push(path, self.line(v), format!("must be a finite number, got {x}"));
            return None;
        }
        Some(x)
    }

    fn number_in(&mut self, path: &str, v: &Spanned<Value>, range: Range) -> Option<f64> {
        let x = self.number(path, v)?;
        if !range.contains(x) {
            self.push(path, self.line(v), format!("must be {}, got {x}", range.describe()));
            return None;
        }
        Some(x)
    }

    fn integer(&mut self, path: &str, v: &Spanned<Value>, lo: u64, hi: u64) -> Option<u64> {
        match v.get_ref() {
            Value::Integer(i) if *i >= 0 && (*i as u64) >= lo && (*i as u64) <= hi => Some(*i as u64),
            Value::Integer(i) => {
                self.push(path, self.line(v), format!("must be a whole number from {lo} to {hi}, got {i}"));
                None
            }
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() => {
                let msg = format!(
                    "must be a whole number from {lo} to {hi} written without a decimal point or exponent \
                     ({:.0}, not {f:?})",
                    f
                );
                self.push(path, self.line(v), msg);
                None
            }
            other => {
                let msg = format!("must be a whole number from {lo} to {hi}, got {}", describe_value(other));
                self.push(path, self.line(v), msg);
                None
            }
        }
    }

    fn name(&mut self, path: &str, v: &Spanned<Value>) -> Option<String> {
        match v.get_ref() {
            Value::String(s) if (1..=MAX_NAME_CHARS).contains(&s.chars().count()) => Some(s.clone()),
            Value::String(s) => {
                let msg =
                    format!("must be 1 to {MAX_NAME_CHARS} characters long, got {} characters", s.chars().count());
                self.push(path, self.line(v), msg);
                None
            }
            other => {
                let msg = format!("must be a string, got {}", describe_value(other));
                self.push(path, self.line(v), msg);
                None
            }
        }
    }

    fn scenario(&mut self, raw: &ScenarioFile) -> Option<Scenario> {
        let name = match &raw.name {
            Some(v) => self.name("name", v),
            None => {
                self.missing("name", Some(1), "a string of 1 to 64 characters");
                None
            }
        };
        let description = match &raw.description {
            Some(v) => match v.get_ref() {
                Value::String(s) => Some(s.clone()),
                other => {
                    let msg = format!("must be a string, got {}", describe_value(other));
                    self.push("description", self.line(v), msg);
                    None
                }
            },
            None => Some(String::new()),
        };
        let world = self.world(raw);
        let jurisdictions = self.jurisdictions(&raw.jurisdiction, raw);
        let names: Vec<String> =
            jurisdictions.as_ref().map(|js| js.iter().map(|j| j.name.clone()).collect()).unwrap_or_default();
        let policies = self.policies(&raw.policy, &names, jurisdictions.is_some());
        let run = self.run(raw, policies.as_deref());
        let correlations = match &world {
            Some(w) => self.correlations(raw, w),
            None => None,
        };
        if let Some(w) = &world {
            self.cross_checks(raw, w);
        }
        Some(Scenario {
            name: name?,
            description: description?,
            run: run?,
            world: world?,
            jurisdictions: jurisdictions?,
            policies: policies?,
            correlations: correlations?,
        })
    }

    fn run(&mut self, raw: &ScenarioFile, policies: Option<&[Policy]>) -> Option<RunSpec> {
        let Some(run) = &raw.run else {
            self.missing("run", None, "a [run] table with at least runs and seed");
            return None;
        };
        let line = self.line(run);
        let run = run.get_ref();
        let runs = match &run.runs {
            Some(v) => self.integer("run.runs", v, 1, MAX_RUNS),
            None => {
                self.missing("run.runs", line, "a whole number from 1 to 10000000");
                None
            }
        };
        let seed = match &run.seed {
            Some(v) => self.integer("run.seed", v, 0, MAX_SEED),
            None => {
                self.missing("run.seed", line, "a whole number >= 0");
                None
            }
        };
        let years = match &run.years {
            Some(v) => self.integer("run.years", v, 1, MAX_YEARS),
            None => Some(10),
        };
        let steps_per_year = match &run.steps_per_year {
            Some(v) => self.integer("run.steps_per_year", v, 1, MAX_STEPS_PER_YEAR),
            None => Some(4),
        };
        let baseline = match (&run.baseline, policies) {
            (None, _) => Some(0),
            (Some(v), policies) => match v.get_ref() {
                Value::String(s) => match policies {
                    Some(ps) => match ps.iter().position(|p| &p.name == s) {
                        Some(i) => Some(i),
                        None => {
                            let known: Vec<String> = ps.iter().map(|p| format!("{:?}", p.name)).collect();
                            let msg = format!("names no policy: {s:?}; the policies are {}", known.join(", "));
                            self.push("run.baseline", self.line(v), msg);
                            None
                        }
                    },
                    None => None,
                },
                other => {
                    let msg = format!("must be the name of a policy (a string), got {}", describe_value(other));
                    self.push("run.baseline", self.line(v), msg);
                    None
                }
            },
        };
        Some(RunSpec {
            runs: runs?,
            seed: seed?,
            years: years? as u32,
            steps_per_year: steps_per_year? as u32,
            baseline: baseline?,
        })
    }

    fn world(&mut self, raw: &ScenarioFile) -> Option<Vec<Dist>> {
        let Some(world) = &raw.world else {
            self.missing("world", None, "a [world] table with every parameter of the model");
            return None;
        };
        let line = self.line(world);
        let map = world.get_ref();
        let mut ok = true;
        for (key, value) in map {
            if param_index(key).is_none() {
                let hint = suggest(key, PARAMS.iter().map(|p| p.key));
                let msg = format!("is not a world parameter{hint}");
                self.push(format!("world.{key}"), self.line(value), msg);
                ok = false;
            }
        }
        let mut out = Vec::with_capacity(N_PARAMS);
        for info in PARAMS {
            let path = format!("world.{}", info.key);
            match map.get(info.key) {
                Some(v) => match self.dist(&path, v, info.range, params::draw_cap(info.key)) {
                    Some(d) => out.push(d),
                    None => ok = false,
                },
                None if params::optional_default(info.key).is_some() => {
                    out.push(Dist::Fixed(params::optional_default(info.key).unwrap_or_default()));
                }
                None => {
                    let allowed = format!("{}, in {}, as a number or a distribution", info.range.describe(), info.unit);
                    self.missing(&path, line, &allowed);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A parameter value: a bare number, or `{ dist = "...", ... }` that fits `range`.
    fn dist(&mut self, path: &str, v: &Spanned<Value>, range: Range, cap: Option<f64>) -> Option<Dist> {
        let table = match v.get_ref() {
            Value::Integer(_) | Value::Float(_) => {
                return self.number_in(path, v, range).map(Dist::Fixed);
            }
            Value::Table(t) => t,
            other => {
                let msg = format!(
                    "must be a number or a distribution table such as {{ dist = \"pert\", min = 1, mode = 2, max = 3 }}, got {}",
                    describe_value(other)
                );
                self.push(path, self.line(v), msg);
                return None;
            }
        };
        let line = self.line(v);
        let kind = match table.get("dist") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                let msg = format!("dist must be a string naming the distribution, got {}", describe_value(other));
                self.push(path, line, msg);
                return None;
            }
            None => {
                self.push(path, line, "a distribution table needs dist = \"uniform\" | \"triangular\" | \"pert\" | \"normal\" | \"lognormal\" | \"beta\"");
                return None;
            }
        };
        let (required, optional): (&[&str], &[&str]) = match kind {
            "uniform" => (&["min", "max"], &[]),
            "triangular" | "pert" => (&["min", "mode", "max"], &[]),
            "normal" => (&["mean", "sd"], &["min", "max"]),
            "lognormal" => (&["median", "p95"], &[]),
            "beta" => (&["mean", "sd"], &[]),
            other => {
                let msg = format!(
                    "unknown distribution {other:?}; allowed: uniform, triangular, pert, normal, lognormal, beta"
                );
                self.push(format!("{path}.dist"), line, msg);
                return None;
            }
        };
        let mut ok = true;
        for key in table.keys() {
            if key != "dist" && !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
                let mut allowed: Vec<&str> = required.to_vec();
                allowed.extend_from_slice(optional);
                let msg = format!("is not a parameter of a {kind} distribution (allowed: {})", allowed.join(", "));
                self.push(format!("{path}.{key}"), line, msg);
                ok = false;
            }
        }
        let get = |c: &mut Self, key: &str, needed: bool| -> Option<Option<f64>> {
            match table.get(key) {
                Some(Value::Integer(i)) => Some(Some(*i as f64)),
                Some(Value::Float(f)) if f.is_finite() => Some(Some(*f)),
                Some(other) => {
                    let msg = format!("must be a finite number, got {}", describe_value(other));
                    c.push(format!("{path}.{key}"), line, msg);
                    None
                }
                None if needed => {
                    c.push(format!("{path}.{key}"), line, format!("is required by a {kind} distribution"));
                    None
                }
                None => Some(None),
            }
        };
        let mut vals = BTreeMap::new();
        for key in required {
            match get(self, key, true) {
                Some(Some(x)) => {
                    vals.insert(*key, x);
                }
                _ => ok = false,
            }
        }
        let mut opt = BTreeMap::new();
        for key in optional {
            match get(self, key, false) {
                Some(x) => {
                    opt.insert(*key, x);
                }
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let g = |k: &str| vals.get(k).copied().unwrap_or(f64::NAN);
        let dist = match kind {
            "uniform" => Dist::Uniform { min: g("min"), max: g("max") },
            "triangular" => Dist::Triangular { min: g("min"), mode: g("mode"), max: g("max") },
            "pert" => Dist::Pert { min: g("min"), mode: g("mode"), max: g("max") },
            "normal" => Dist::Normal {
                mean: g("mean"),
                sd: g("sd"),
                min: opt.get("min").copied().flatten(),
                max: opt.get("max").copied().flatten(),
            },
            "lognormal" => Dist::LogNormal { median: g("median"), p95: g("p95") },
            _ => Dist::Beta { mean: g("mean"), sd: g("sd") },
        };
        let shape_error = match dist {
            Dist::Uniform { min, max } if min >= max => {
                Some(format!("uniform needs min < max, got min = {min}, max = {max}"))
            }
            Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max }
                if !(min < max && min <= mode && mode <= max) =>
            {
                Some(format!(
                    "{kind} needs min < max and min <= mode <= max, got min = {min}, mode = {mode}, max = {max}"
                ))
            }
            Dist::Normal { sd, .. } if sd <= 0.0 => Some(format!("normal needs sd > 0, got sd = {sd}")),
            Dist::Normal { min: Some(lo), max: Some(hi), .. } if lo >= hi => {
                Some(format!("normal needs min < max, got min = {lo}, max = {hi}"))
            }
            Dist::Normal { mean, sd, min, max } if Dist::normal_mass(mean, sd, min, max) < MIN_TRUNCATED_MASS => {
                Some(format!(
                    "the truncation interval holds less than {MIN_TRUNCATED_MASS} of the normal's mass; move min/max towards the mean"
                ))
            }
            Dist::LogNormal { median, p95 } if !(median > 0.0 && p95 > median) => {
                Some(format!("lognormal needs p95 > median > 0, got median = {median}, p95 = {p95}"))
            }
            Dist::Beta { mean, sd } if Dist::beta_shape(mean, sd).is_none() => Some(format!(
                "no beta distribution has mean {mean} and sd {sd}: it needs 0 < mean < 1, sd > 0 and sd^2 < mean*(1-mean)"
            )),
            _ => None,
        };
        if let Some(msg) = shape_error {
            self.push(path, line, msg);
            return None;
        }
        // The distribution's every possible value must be allowed for the key.
        let (lo, hi) = dist.support();
        let (klo, khi, open_lo) = range.bounds();
        let lo_ok = if open_lo { lo > klo || (lo == klo && dist.support_open_below()) } else { lo >= klo };
        // An unbounded distribution for a capped parameter (a rate as a lognormal) is drawn and
        // clamped at the cap; a bounded one reaching past it is a mistake worth naming.
        let capped = cap.is_some_and(|c| c == khi) && hi == f64::INFINITY;
        if !lo_ok || (hi > khi && !capped) {
            let fix = match cap {
                Some(c) if lo_ok => format!(
                    "; an unbounded distribution (lognormal, or normal without max) is also allowed, its draws clamped \
                     at {c}"
                ),
                _ if matches!(dist, Dist::Normal { .. }) => "; truncate it with min and max".to_string(),
                _ => String::new(),
            };
            let msg = format!(
                "a {kind} distribution here can take values from {lo} to {hi}, but the parameter must be {}{fix}",
                range.describe()
            );
            self.push(path, line, msg);
            return None;
        }
        Some(dist)
    }

    fn jurisdictions(&mut self, raw: &[Spanned<RawJurisdiction>], file: &ScenarioFile) -> Option<Vec<Jurisdiction>> {
        if raw.is_empty() || raw.len() > MAX_JURISDICTIONS {
            let msg = format!("there must be 1 to {MAX_JURISDICTIONS} [[jurisdiction]] tables, found {}", raw.len());
            let line = top_level_key_line(self.text, "jurisdiction")
                .or_else(|| file.world.as_ref().map(|w| line_of(self.text, w.span().start)));
            self.push("jurisdiction", if raw.is_empty() { line } else { self.line(&raw[0]) }, msg);
            return None;
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut ok = true;
        for (i, rj) in raw.iter().enumerate() {
            let line = self.line(rj);
            let j = rj.get_ref();
            let name = match &j.name {
                Some(v) => self.name(&format!("jurisdiction[{i}].name"), v),
                None => {
                    self.missing(&format!("jurisdiction[{i}].name"), line, "a string of 1 to 64 characters");
                    None
                }
            };
            let label = match &name {
                Some(n) => format!("jurisdiction {n:?}"),
                None => format!("jurisdiction[{i}]"),
            };
            if let Some(n) = &name
                && !seen.insert(n.clone())
            {
                self.push(format!("{label}: name"), line, "names must be unique; this name is used twice");
                ok = false;
            }
            let mut vals = [0.0; 10];
            for (k, (field, (key, unit, range, _))) in j.numeric().iter().zip(JURISDICTION_KEYS).enumerate() {
                let path = format!("{label}: {key}");
                match field {
                    Some(v) => match self.number_in(&path, v, *range) {
                        Some(x) => vals[k] = x,
                        None => ok = false,
                    },
                    None => {
                        self.missing(&path, line, &format!("{} ({unit})", range.describe()));
                        ok = false;
                    }
                }
            }
            match name {
                Some(n) => out.push(Jurisdiction::from_values(n, vals)),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        for (k, key) in [(0usize, "share0"), (1, "host"), (3, "weight"), (4, "exposure")] {
            let sum: f64 = out.iter().map(|j| j.values()[k]).sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                let line = self.line(&raw[raw.len() - 1]);
                let msg = format!("the jurisdictions' {key} values must sum to 1 (within 1e-6), they sum to {sum}");
                self.push(format!("jurisdiction: {key}"), line, msg);
                ok = false;
            }
        }
        ok.then_some(out)
    }

    fn regime(&mut self, path: &str, v: &Spanned<Value>) -> Option<Regime> {
        let line = self.line(v);
        const ALLOWED: &str =
            "\"open\", \"closed\" or { tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0 } }";
        match v.get_ref() {
            Value::String(s) if s == "open" => Some(Regime::Open),
            Value::String(s) if s == "closed" => Some(Regime::Closed),
            Value::Table(t) if t.len() == 1 && t.contains_key("tiered") => {
                let Some(Value::Table(tt)) = t.get("tiered") else {
                    self.push(format!("{path}.tiered"), line, format!("must be a table: {ALLOWED}"));
                    return None;
                };
                let mut ok = true;
                for key in tt.keys() {
                    if !["open_below", "gated_below", "drift"].contains(&key.as_str()) {
                        let msg = "is not a key of a tiered regime (allowed: open_below, gated_below, drift)";
                        self.push(format!("{path}.tiered.{key}"), line, msg);
                        ok = false;
                    }
                }
                let num = |c: &mut Self, key: &str, default: Option<f64>| -> Option<f64> {
                    match tt.get(key) {
                        Some(Value::Integer(i)) => Some(*i as f64),
                        Some(Value::Float(f)) if f.is_finite() => Some(*f),
                        Some(other) => {
                            let msg = format!("must be a finite number (log10 FLOP), got {}", describe_value(other));
                            c.push(format!("{path}.tiered.{key}"), line, msg);
                            None
                        }
                        None if default.is_some() => default,
                        None => {
                            c.push(
                                format!("{path}.tiered.{key}"),
                                line,
                                "is required (a capability in log10 FLOP, e.g. 27.0 for 1e27)",
                            );
                            None
                        }
                    }
                };
                let open_below = num(self, "open_below", None);
                let gated_below = num(self, "gated_below", None);
                let drift = num(self, "drift", Some(0.0));
                let (Some(open_below), Some(gated_below), Some(drift)) = (open_below, gated_below, drift) else {
                    return None;
                };
                if gated_below < open_below {
                    let msg = format!(
                        "gated_below must be >= open_below, got open_below = {open_below}, gated_below = {gated_below}"
                    );
                    self.push(format!("{path}.tiered"), line, msg);
                    ok = false;
                }
                ok.then_some(Regime::Tiered { open_below, gated_below, drift })
            }
            other => {
                self.push(path, line, format!("must be {ALLOWED}, got {}", describe_value(other)));
                None
            }
        }
    }

    fn policies(&mut self, raw: &[Spanned<RawPolicy>], jurisdictions: &[String], have_j: bool) -> Option<Vec<Policy>> {
        if raw.is_empty() || raw.len() > MAX_POLICIES {
            let line = raw.first().and_then(|p| self.line(p)).or_else(|| top_level_key_line(self.text, "policy"));
            self.push(
                "policy",
                line,
                format!("there must be 1 to {MAX_POLICIES} [[policy]] tables, found {}", raw.len()),
            );
            return None;
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut ok = true;
        for (i, rp) in raw.iter().enumerate() {
            let line = self.line(rp);
            let p = rp.get_ref();
            let name = match &p.name {
                Some(v) => self.name(&format!("policy[{i}].name"), v),
                None => {
                    self.missing(&format!("policy[{i}].name"), line, "a string of 1 to 64 characters");
                    None
                }
            };
            let label = match &name {
                Some(n) => format!("policy {n:?}"),
                None => format!("policy[{i}]"),
            };
            if let Some(n) = &name
                && !seen.insert(n.clone())
            {
                self.push(format!("{label}: name"), line, "policy names must be unique; this name is used twice");
                ok = false;
            }
            let default = match &p.default {
                Some(v) => self.regime(&format!("{label}: default"), v),
                None => {
                    self.missing(&format!("{label}: default"), line, "\"open\", \"closed\" or { tiered = { ... } }");
                    None
                }
            };
            let mut overrides = Vec::new();
            if let Some(ov) = &p.overrides {
                for (jname, v) in ov.get_ref() {
                    let regime = self.regime(&format!("{label}: overrides.{jname}"), v);
                    match jurisdictions.iter().position(|n| n == jname) {
                        Some(j) => {
                            if let Some(r) = regime {
                                overrides.push((j, r));
                            } else {
                                ok = false;
                            }
                        }
                        None if have_j => {
                            let known: Vec<String> = jurisdictions.iter().map(|n| format!("{n:?}")).collect();
                            let msg = format!(
                                "{jname:?} is not a jurisdiction (names match exactly, case included); the jurisdictions are {}",
                                known.join(", ")
                            );
                            self.push(format!("{label}: overrides"), self.line(v), msg);
                            ok = false;
                        }
                        None => ok = false,
                    }
                }
            }
            overrides.sort_by_key(|(j, _)| *j);
            let levers = self.levers(&label, p, jurisdictions, have_j);
            match (name, default, levers) {
                (Some(name), Some(default), Some(levers)) => out.push(Policy { name, default, overrides, levers }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A table's keys must be among `allowed`.
    fn known_keys(&mut self, path: &str, line: Option<usize>, t: &toml::Table, allowed: &[&str]) -> bool {
        let mut ok = true;
        for key in t.keys() {
            if !allowed.contains(&key.as_str()) {
                let hint = suggest(key, allowed.iter().copied());
                let msg = format!("is not a key here{hint} (allowed: {})", allowed.join(", "));
                self.push(format!("{path}.{key}"), line, msg);
                ok = false;
            }
        }
        ok
    }

    /// A number in a plain table (no spans inside: errors take the table's line).
    fn table_number(
        &mut self,
        (path, line, t): (&str, Option<usize>, &toml::Table),
        key: &str,
        range: Range,
        default: Option<f64>,
        unit: &str,
    ) -> Option<f64> {
        let x = match t.get(key) {
            Some(Value::Integer(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            Some(other) => {
                let msg = format!("must be {} ({unit}), got {}", range.describe(), describe_value(other));
                self.push(format!("{path}.{key}"), line, msg);
                return None;
            }
            None => {
                if default.is_none() {
                    self.missing(&format!("{path}.{key}"), line, &format!("{} ({unit})", range.describe()));
                }
                return default;
            }
        };
        if !range.contains(x) {
            self.push(format!("{path}.{key}"), line, format!("must be {} ({unit}), got {x}", range.describe()));
            return None;
        }
        Some(x)
    }

    fn table<'v>(&mut self, path: &str, v: &'v Spanned<Value>, example: &str) -> Option<&'v toml::Table> {
        match v.get_ref() {
            Value::Table(t) => Some(t),
            other => {
                let msg = format!("must be a table such as {example}, got {}", describe_value(other));
                self.push(path, self.line(v), msg);
                None
            }
        }
    }

    /// A jurisdiction by name, for the levers' per-jurisdiction keys.
    fn jurisdiction_index(
        &mut self,
        path: &str,
        line: Option<usize>,
        name: &str,
        jurisdictions: &[String],
        have_j: bool,
    ) -> Option<usize> {
        let found = jurisdictions.iter().position(|n| n == name);
        if found.is_none() && have_j {
            let known: Vec<String> = jurisdictions.iter().map(|n| format!("{n:?}")).collect();
            let msg = format!(
                "{name:?} is not a jurisdiction (names match exactly, case included); the jurisdictions are {}",
                known.join(", ")
            );
            self.push(path, line, msg);
        }
        found
    }

    /// The policy levers of one policy: every one absent means all off.
    fn levers(&mut self, label: &str, p: &RawPolicy, jurisdictions: &[String], have_j: bool) -> Option<Levers> {
        let mut levers = Levers::default();
        let mut ok = true;
        let nj = jurisdictions.len();
        if let Some(v) = &p.evaluation {
            let path = format!("{label}: evaluation");
            let line = self.line(v);
            match self.table(&path, v, "{ sd = 0.3, bias = 0.0 }") {
                Some(t) => {
                    ok &= self.known_keys(&path, line, t, &["sd", "bias"]);
                    let sd = self.table_number((&path, line, t), "sd", Range::Closed(0.0, 5.0), None, "log10 FLOP");
                    let bias =
                        self.table_number((&path, line, t), "bias", Range::Closed(-5.0, 5.0), Some(0.0), "log10 FLOP");
                    match (sd, bias) {
                        (Some(sd), Some(bias)) => levers.evaluation = Some(Evaluation { sd, bias }),
                        _ => ok = false,
                    }
                }
                None => ok = false,
            }
        }
        if let Some(v) = &p.spending {
            let path = format!("{label}: spending");
            let line = self.line(v);
            let spend = |c: &mut Self, path: &str, t: &toml::Table, default: Spending| -> Option<Spending> {
                let range = Range::Closed(0.0, 10_000.0);
                let s = c.table_number((path, line, t), "safeguards", range, Some(default.safeguards), "$B/yr");
                let r = c.table_number((path, line, t), "preparedness", range, Some(default.preparedness), "$B/yr");
                Some(Spending { safeguards: s?, preparedness: r? })
            };
            match self.table(&path, v, "{ safeguards = 2.0, preparedness = 1.0 }") {
                Some(t) => {
                    ok &= self.known_keys(&path, line, t, &["safeguards", "preparedness", "overrides"]);
                    match spend(self, &path, t, Spending::default()) {
                        Some(everywhere) => {
                            let mut per_j = vec![everywhere; nj];
                            match t.get("overrides") {
                                Some(Value::Table(ov)) => {
                                    for (name, x) in ov {
                                        let opath = format!("{path}.overrides.{name}");
                                        let Value::Table(xt) = x else {
                                            let msg = format!(
                                                "must be a table such as {{ safeguards = 2.0 }}, got {}",
                                                describe_value(x)
                                            );
                                            self.push(opath, line, msg);
                                            ok = false;
                                            continue;
                                        };
                                        ok &= self.known_keys(&opath, line, xt, &["safeguards", "preparedness"]);
                                        let j = self.jurisdiction_index(&opath, line, name, jurisdictions, have_j);
                                        match (j, spend(self, &opath, xt, everywhere)) {
                                            (Some(j), Some(s)) => per_j[j] = s,
                                            _ => ok = false,
                                        }
                                    }
                                }
                                Some(other) => {
                                    let msg = format!(
                                        "must be a table of jurisdictions, such as {{ US = {{ safeguards = 4.0 }} }}, got {}",
                                        describe_value(other)
                                    );
                                    self.push(format!("{path}.overrides"), line, msg);
                                    ok = false;
                                }
                                None => {}
                            }
                            levers.spending = per_j;
                        }
                        None => ok = false,
                    }
                }
                None => ok = false,
            }
        }
        if let Some(v) = &p.trigger {
            let line = self.line(v);
            let tables: Vec<&toml::Table> = match v.get_ref() {
                Value::Array(a) if a.iter().all(Value::is_table) && a.len() <= MAX_TRIGGERS => {
                    a.iter().filter_map(Value::as_table).collect()
                }
                Value::Array(a) if a.len() > MAX_TRIGGERS => {
                    let msg = format!("a policy may have at most {MAX_TRIGGERS} triggers, found {}", a.len());
                    self.push(format!("{label}: trigger"), line, msg);
                    ok = false;
                    Vec::new()
                }
                other => {
                    let msg = format!(
                        "must be [[policy.trigger]] tables (when, level, delay, regime, jurisdictions), got {}",
                        describe_value(other)
                    );
                    self.push(format!("{label}: trigger"), line, msg);
                    ok = false;
                    Vec::new()
                }
            };
            for (k, t) in tables.into_iter().enumerate() {
                let path = format!("{label}: trigger[{k}]");
                ok &= self.known_keys(&path, line, t, &["when", "level", "delay", "regime", "jurisdictions"]);
                let kinds = Signpost::KEYWORDS.map(|w| format!("{w:?}")).join(", ");
                let when = match t.get("when") {
                    Some(Value::String(w)) if Signpost::KEYWORDS.contains(&w.as_str()) => Some(w.clone()),
                    Some(other) => {
                        self.push(
                            format!("{path}.when"),
                            line,
                            format!("must be one of {kinds}, got {}", describe_value(other)),
                        );
                        None
                    }
                    None => {
                        self.missing(&format!("{path}.when"), line, &format!("one of {kinds}"));
                        None
                    }
                };
                let level = match when.as_deref() {
                    Some("catastrophe") => {
                        if t.contains_key("level") {
                            self.push(
                                format!("{path}.level"),
                                line,
                                "a catastrophe trigger has no level (leave it out)",
                            );
                            None
                        } else {
                            Some(0.0)
                        }
                    }
                    Some("harm_above") => self.table_number(
                        (&path, line, t),
                        "level",
                        Range::NonNegative,
                        None,
                        "$B of harm, undiscounted",
                    ),
                    Some("open_pool_above") => {
                        self.table_number((&path, line, t), "level", Range::Any, None, "log10 FLOP")
                    }
                    Some(_) => {
                        self.table_number((&path, line, t), "level", Range::NonNegative, None, "years from the start")
                    }
                    None => None,
                };
                let delay =
                    self.table_number((&path, line, t), "delay", Range::Closed(0.0, 1000.0), Some(0.0), "years");
                let regime = match t.get("regime") {
                    Some(r) => self.regime(&format!("{path}.regime"), &Spanned::new(v.span(), r.clone())),
                    None => {
                        self.missing(
                            &format!("{path}.regime"),
                            line,
                            "the regime to switch to: \"open\", \"closed\" or { tiered = { ... } }",
                        );
                        None
                    }
                };
                let mut targets = Vec::new();
                match t.get("jurisdictions") {
                    Some(Value::Array(names)) => {
                        for n in names {
                            match n {
                                Value::String(name) => {
                                    let jpath = format!("{path}.jurisdictions");
                                    match self.jurisdiction_index(&jpath, line, name, jurisdictions, have_j) {
                                        Some(j) if !targets.contains(&j) => targets.push(j),
                                        Some(_) => {}
                                        None => ok = false,
                                    }
                                }
                                other => {
                                    let msg = format!("must be jurisdiction names, got {}", describe_value(other));
                                    self.push(format!("{path}.jurisdictions"), line, msg);
                                    ok = false;
                                }
                            }
                        }
                        if names.is_empty() {
                            let msg = "lists no jurisdiction; leave it out to switch every jurisdiction";
                            self.push(format!("{path}.jurisdictions"), line, msg);
                            ok = false;
                        }
                    }
                    Some(other) => {
                        let msg = format!("must be an array of jurisdiction names, got {}", describe_value(other));
                        self.push(format!("{path}.jurisdictions"), line, msg);
                        ok = false;
                    }
                    None => {}
                }
                targets.sort_unstable();
                match (
                    when.as_deref().and_then(|w| Signpost::from_keyword(w, level.unwrap_or(0.0))),
                    level,
                    delay,
                    regime,
                ) {
                    (Some(when), Some(_), Some(delay), Some(regime)) => {
                        levers.triggers.push(Trigger { when, delay, regime, jurisdictions: targets })
                    }
                    _ => ok = false,
                }
            }
        }
        if let Some(v) = &p.coordination {
            let path = format!("{label}: coordination");
            let line = self.line(v);
            match self.table(&path, v, "{ China = 0.4, \"Rest of world\" = 0.5 }") {
                Some(t) => {
                    let mut join = vec![1.0; nj];
                    for (name, x) in t {
                        let jpath = format!("{path}.{name}");
                        let j = self.jurisdiction_index(&jpath, line, name, jurisdictions, have_j);
                        let prob = match x {
                            Value::Integer(_) | Value::Float(_) => self.table_number(
                                (&path, line, t),
                                name,
                                Range::Probability,
                                None,
                                "probability of joining",
                            ),
                            other => {
                                let msg = format!("must be a probability in [0, 1], got {}", describe_value(other));
                                self.push(&jpath, line, msg);
                                None
                            }
                        };
                        match (j, prob) {
                            (Some(j), Some(q)) => join[j] = q,
                            _ => ok = false,
                        }
                    }
                    levers.coordination = join;
                }
                None => ok = false,
            }
        }
        ok.then_some(levers)
    }

    fn correlations(&mut self, raw: &ScenarioFile, world: &[Dist]) -> Option<Vec<Correlation>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut pairs = HashSet::new();
        for (i, rc) in raw.correlation.iter().enumerate() {
            let line = self.line(rc);
            let c = rc.get_ref();
            let path = format!("correlation[{i}]");
            let param = |c: &mut Self, key: &str, f: &Field| -> Option<usize> {
                let Some(v) = f else {
                    c.missing(
                        &format!("{path}.{key}"),
                        line,
                        "a string \"world.KEY\" naming an uncertain world parameter",
                    );
                    return None;
                };
                let Value::String(s) = v.get_ref() else {
                    c.push(format!("{path}.{key}"), c.line(v), "must be a string \"world.KEY\"");
                    return None;
                };
                let Some(idx) = s.strip_prefix("world.").and_then(param_index) else {
                    c.push(
                        format!("{path}.{key}"),
                        c.line(v),
                        format!("{s:?} is not \"world.KEY\" for a world parameter"),
                    );
                    return None;
                };
                if world[idx].is_fixed() {
                    let msg = format!(
                        "{s} is a fixed number; only uncertain parameters (with a distribution) can be correlated"
                    );
                    c.push(format!("{path}.{key}"), c.line(v), msg);
                    return None;
                }
                Some(idx)
            };
            let a = param(self, "a", &c.a);
            let b = param(self, "b", &c.b);
            let rho = match &c.rho {
                Some(v) => self.number_in(&format!("{path}.rho"), v, Range::Closed(-1.0, 1.0)),
                None => {
                    self.missing(&format!("{path}.rho"), line, "a rank correlation in [-1, 1]");
                    None
                }
            };
            match (a, b, rho) {
                (Some(a), Some(b), Some(rho)) => {
                    if a == b {
                        self.push(&path, line, "a and b must name two different parameters");
                        ok = false;
                    } else if !pairs.insert((a.min(b), a.max(b))) {
                        self.push(&path, line, "this pair of parameters is correlated twice");
                        ok = false;
                    } else {
                        out.push(Correlation { a, b, rho });
                    }
                }
                _ => ok = false,
            }
        }
        if ok && !out.is_empty() && !super::correlation::is_positive_definite(&out) {
            let names: Vec<String> = out
                .iter()
                .enumerate()
                .map(|(i, c)| format!("correlation[{i}] ({} ~ {}, rho = {})", PARAMS[c.a].key, PARAMS[c.b].key, c.rho))
                .collect();
            let line = raw.correlation.first().and_then(|c| self.line(c));
            let msg = format!(
                "the correlation matrix is not positive definite; these entries contradict each other: {}",
                names.join(", ")
            );
            self.push("correlation", line, msg);
            ok = false;
        }
        ok.then_some(out)
    }

    fn cross_checks(&mut self, raw: &ScenarioFile, world: &[Dist]) {
        use super::params::P;
        let cap = &world[P::severity_cap as usize];
        let min = &world[P::severity_min as usize];
        let (cap_lo, _) = cap.support();
        let (_, min_hi) = min.support();
        if min_hi.is_finite() && cap_lo < min_hi {
            let line = raw
                .world
                .as_ref()
                .and_then(|w| w.get_ref().get("severity_cap"))
                .map(|v| line_of(self.text, v.span().start));
            let msg = format!(
                "severity_cap must be >= severity_min in every run: its smallest value {cap_lo} is below severity_min's largest {min_hi}"
            );
            self.push("world.severity_cap", line, msg);
        }
    }
}

/// ", did you mean `x`?" for a near miss among `known`, else "".
pub fn suggest<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> String {
    let best = known.map(|k| (edit_distance(key, k), k)).min_by_key(|(d, _)| *d);
    match best {
        Some((d, k)) if d <= 3 => format!("; did you mean `{k}`?"),
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
