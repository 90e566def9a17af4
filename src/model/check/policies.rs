//! `[[policy]]` tables and regimes: a default regime, per-jurisdiction overrides, names.

use std::collections::HashSet;

use toml::{Spanned, Value};

use super::super::raw::RawPolicy;
use super::super::regime::{Measure, Policy, Regime};
use super::super::scenario::MAX_POLICIES;
use super::{Checker, describe_value, top_level_key_line};

impl Checker<'_> {
    pub(super) fn regime(&mut self, path: &str, v: &Spanned<Value>) -> Option<Regime> {
        let line = self.line(v);
        const ALLOWED: &str = "\"open\", \"closed\", { tiered = { open_below = 27.0, gated_below = 28.0, drift = 0.0 } } \
             or { open = { stage_delay = 0.5 } }";
        match v.get_ref() {
            Value::String(s) if s == "open" => Some(Regime::Open),
            Value::String(s) if s == "closed" => Some(Regime::Closed),
            Value::Table(t) if t.len() == 1 && t.contains_key("tiered") => {
                let Some(Value::Table(tt)) = t.get("tiered") else {
                    self.push(format!("{path}.tiered"), line, format!("must be a table: {ALLOWED}"));
                    return None;
                };
                self.tiered(path, line, tt)
            }
            Value::Table(t) if t.len() == 1 && t.contains_key("open") => {
                let Some(Value::Table(ot)) = t.get("open") else {
                    self.push(
                        format!("{path}.open"),
                        line,
                        format!("must be a table such as {{ stage_delay = 0.5 }}: {ALLOWED}"),
                    );
                    return None;
                };
                let mut ok = true;
                for key in ot.keys() {
                    if key != "stage_delay" {
                        let msg = "is not a key of an open regime's table (allowed: stage_delay)";
                        self.push(format!("{path}.open.{key}"), line, msg);
                        ok = false;
                    }
                }
                let stage_delay = self.stage_delay(&format!("{path}.open"), line, ot);
                match (ok, stage_delay) {
                    // A delay of 0 is plain open, so a file that spells the default out runs
                    // exactly as one that leaves it out.
                    (true, Some(stage_delay)) => {
                        Some(if stage_delay == 0.0 { Regime::Open } else { Regime::OpenStaged { stage_delay } })
                    }
                    _ => None,
                }
            }
            other => {
                self.push(path, line, format!("must be {ALLOWED}, got {}", describe_value(other)));
                None
            }
        }
    }

    /// The inner table of `{ tiered = { ... } }`.
    fn tiered(&mut self, path: &str, line: Option<usize>, tt: &toml::Table) -> Option<Regime> {
        const KEYS: [&str; 5] = ["open_below", "gated_below", "drift", "measure", "stage_delay"];
        let mut ok = true;
        for key in tt.keys() {
            if !KEYS.contains(&key.as_str()) {
                let msg = format!("is not a key of a tiered regime (allowed: {})", KEYS.join(", "));
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
        let measure = match tt.get("measure") {
            None => Some(Measure::Effective),
            Some(Value::String(m)) if Measure::from_keyword(m).is_some() => Measure::from_keyword(m),
            Some(other) => {
                let kinds = Measure::KEYWORDS.map(|w| format!("{w:?}")).join(" or ");
                let msg = format!(
                    "must be {kinds} (what the thresholds measure: effective compute, or training FLOP, which \
                     algorithmic_progress makes ever more capable), got {}",
                    describe_value(other)
                );
                self.push(format!("{path}.tiered.measure"), line, msg);
                None
            }
        };
        let stage_delay = self.stage_delay(&format!("{path}.tiered"), line, tt);
        let (Some(open_below), Some(gated_below), Some(drift), Some(measure), Some(stage_delay)) =
            (open_below, gated_below, drift, measure, stage_delay)
        else {
            return None;
        };
        if gated_below < open_below {
            let msg = format!(
                "gated_below must be >= open_below, got open_below = {open_below}, gated_below = {gated_below}"
            );
            self.push(format!("{path}.tiered"), line, msg);
            ok = false;
        }
        ok.then_some(Regime::Tiered { open_below, gated_below, drift, measure, stage_delay })
    }

    /// A regime table's `stage_delay` (years, >= 0; 0 when left out).
    fn stage_delay(&mut self, path: &str, line: Option<usize>, t: &toml::Table) -> Option<f64> {
        let x = match t.get("stage_delay") {
            None => return Some(0.0),
            Some(Value::Integer(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            Some(other) => {
                let msg = format!("must be a number of years >= 0, got {}", describe_value(other));
                self.push(format!("{path}.stage_delay"), line, msg);
                return None;
            }
        };
        if !(x.is_finite() && x >= 0.0) {
            let msg = format!(
                "must be a number of years >= 0 (how long a model waits before it may be opened or gated), got {x}"
            );
            self.push(format!("{path}.stage_delay"), line, msg);
            return None;
        }
        Some(x)
    }

    pub(super) fn policies(
        &mut self,
        raw: &[Spanned<RawPolicy>],
        jurisdictions: &[String],
        have_j: bool,
    ) -> Option<Vec<Policy>> {
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
}
