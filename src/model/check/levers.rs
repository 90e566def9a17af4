//! A policy's levers: evaluation error, spending, triggers and coordination.

use toml::{Spanned, Value};

use super::super::params::Range;
use super::super::raw::RawPolicy;
use super::super::regime::{Evaluation, Levers, Signpost, Spending, Trigger};
use super::super::scenario::MAX_TRIGGERS;
use super::{Checker, describe_value};

impl Checker<'_> {
    pub(super) fn levers(
        &mut self,
        label: &str,
        p: &RawPolicy,
        jurisdictions: &[String],
        have_j: bool,
    ) -> Option<Levers> {
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
}
