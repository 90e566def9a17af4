//! The checks that turn a scenario file (or a draft) into a checked [`Scenario`], every rule
//! of docs/SCENARIO.md, all problems at once, each with its key path and line. Split by
//! concern: this file the file as a whole and `[run]`; `world.rs` world parameters, their
//! distributions and correlations; `jurisdictions.rs`; `policies.rs` regimes and policies;
//! `levers.rs` a policy's levers.

mod jurisdictions;
mod levers;
mod policies;
mod world;

use std::path::Path;

use toml::{Spanned, Value};

use super::error::{Issue, MAX_FILE_BYTES, ScenarioError};
use super::locate::line_of;
use super::params::Range;
use super::raw::ScenarioFile;
use super::regime::Policy;
use super::scenario::{
    MAX_NAME_CHARS, MAX_RUNS, MAX_SEED, MAX_STEPS_PER_YEAR, MAX_YEARS, RunSpec, Scenario, ScenarioDraft,
};

impl Scenario {
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
}

impl ScenarioDraft {
    /// Checks the draft against every rule a scenario file must meet. The draft is written
    /// out as a scenario file and parsed again, so a draft and a file are held to exactly the
    /// same rules by the same code; the issues name key paths (lines would point into that
    /// written-out text, so they are left out).
    ///
    /// # Errors
    /// Every problem found.
    pub fn check(&self) -> Result<Scenario, ScenarioError> {
        let invalid = |issues| ScenarioError::Invalid { origin: "the edited scenario".into(), issues };
        // What the written-out text cannot say (it would name no policy, or a jurisdiction
        // that is not there), said in the editor's terms.
        let mut issues = Vec::new();
        if self.policies.is_empty() {
            issues.push(Issue { path: "policy".into(), line: None, message: "at least one policy is required".into() });
        } else if self.run.reference >= self.policies.len() {
            issues.push(Issue {
                path: "run.baseline".into(),
                line: None,
                message: "must name one of the policies".into(),
            });
        }
        for p in &self.policies {
            let gone = |j: usize| j >= self.jurisdictions.len();
            if p.overrides.iter().any(|(j, _)| gone(*j))
                || p.levers.triggers.iter().any(|t| t.jurisdictions.iter().any(|&j| gone(j)))
            {
                issues.push(Issue {
                    path: format!("policy {:?}: overrides", p.name),
                    line: None,
                    message: "refers to a jurisdiction that no longer exists".into(),
                });
            }
        }
        if !issues.is_empty() {
            return Err(invalid(issues));
        }
        let text = self.to_toml();
        Scenario::parse(&text, "the edited scenario").map_err(|e| match e {
            ScenarioError::Invalid { origin, issues } => ScenarioError::Invalid {
                origin,
                issues: issues.into_iter().map(|i| Issue { line: None, ..i }).collect(),
            },
            other => other,
        })
    }
}

/// The line of `key = ...` written before the first table header (`policy = []`), if any.
pub(super) fn top_level_key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with('['))
        .position(|l| l.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')))
        .map(|i| i + 1)
}

pub(super) struct Checker<'a> {
    text: &'a str,
    issues: Vec<Issue>,
}

pub(super) fn describe_value(v: &Value) -> String {
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
    pub(super) fn line<T>(&self, s: &Spanned<T>) -> Option<usize> {
        Some(line_of(self.text, s.span().start))
    }

    pub(super) fn push(&mut self, path: impl Into<String>, line: Option<usize>, message: impl Into<String>) {
        self.issues.push(Issue { path: path.into(), line, message: message.into() });
    }

    pub(super) fn missing(&mut self, path: &str, line: Option<usize>, allowed: &str) {
        self.push(path, line, format!("is required ({allowed})"));
    }

    /// A finite number (TOML integer or float).
    pub(super) fn number(&mut self, path: &str, v: &Spanned<Value>) -> Option<f64> {
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

    pub(super) fn number_in(&mut self, path: &str, v: &Spanned<Value>, range: Range) -> Option<f64> {
        let x = self.number(path, v)?;
        if !range.contains(x) {
            self.push(path, self.line(v), format!("must be {}, got {x}", range.describe()));
            return None;
        }
        Some(x)
    }

    pub(super) fn integer(&mut self, path: &str, v: &Spanned<Value>, lo: u64, hi: u64) -> Option<u64> {
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

    pub(super) fn name(&mut self, path: &str, v: &Spanned<Value>) -> Option<String> {
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
            Some(w) => self.correlations(raw, w, jurisdictions.as_deref()),
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
            reference: baseline?,
        })
    }

    /// A table's keys must be among `allowed`.
    pub(super) fn known_keys(&mut self, path: &str, line: Option<usize>, t: &toml::Table, allowed: &[&str]) -> bool {
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
    pub(super) fn table_number(
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

    pub(super) fn table<'v>(&mut self, path: &str, v: &'v Spanned<Value>, example: &str) -> Option<&'v toml::Table> {
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
    pub(super) fn jurisdiction_index(
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
