//! `[world]`: every parameter a number or a distribution within its range, the correlations
//! between them, and the rules that join two parameters.

use std::collections::{BTreeMap, HashSet};

use toml::{Spanned, Value};

use super::super::correlation::Correlation;
use super::super::dist::{Dist, MIN_TRUNCATED_MASS};
use super::super::locate::line_of;
use super::super::params::{self, JURISDICTION_KEYS, N_PARAMS, PARAMS, Range, param_index};
use super::super::raw::{Field, ScenarioFile};
use super::super::scenario::Jurisdiction;
use super::{Checker, describe_value, suggest};

impl Checker<'_> {
    pub(super) fn world(&mut self, raw: &ScenarioFile) -> Option<Vec<Dist>> {
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
    pub(super) fn dist(&mut self, path: &str, v: &Spanned<Value>, range: Range, cap: Option<f64>) -> Option<Dist> {
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

    /// `[[correlation]]` entries between uncertain per-run parameters: world parameters
    /// (`world.KEY`) and, once the jurisdictions are valid, jurisdictions' attributes
    /// (`jurisdiction.NAME.ATTR`).
    pub(super) fn correlations(
        &mut self,
        raw: &ScenarioFile,
        world: &[Dist],
        jurisdictions: Option<&[Jurisdiction]>,
    ) -> Option<Vec<Correlation>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut pairs = HashSet::new();
        let names: Vec<&str> = jurisdictions.unwrap_or_default().iter().map(|j| j.name.as_str()).collect();
        for (i, rc) in raw.correlation.iter().enumerate() {
            let line = self.line(rc);
            let c = rc.get_ref();
            let path = format!("correlation[{i}]");
            let param = |c: &mut Self, key: &str, f: &Field| -> Option<usize> {
                let Some(v) = f else {
                    c.missing(
                        &format!("{path}.{key}"),
                        line,
                        "a string \"world.KEY\" or \"jurisdiction.NAME.ATTR\" naming an uncertain parameter",
                    );
                    return None;
                };
                let Value::String(s) = v.get_ref() else {
                    c.push(
                        format!("{path}.{key}"),
                        c.line(v),
                        "must be a string \"world.KEY\" or \"jurisdiction.NAME.ATTR\"",
                    );
                    return None;
                };
                // A jurisdiction's attribute is looked up only when every jurisdiction is
                // valid (their own problems are reported already).
                if s.starts_with("jurisdiction.") && jurisdictions.is_none() {
                    return None;
                }
                let Some(idx) = params::param_of_key(s, &names) else {
                    let msg = if let Some(rest) = s.strip_prefix("jurisdiction.") {
                        let attr = rest.rsplit_once('.').map_or("", |(_, a)| a);
                        if rest.rsplit_once('.').is_some_and(|(n, _)| names.contains(&n)) {
                            format!(
                                "{s:?}: {attr:?} is not a jurisdiction attribute (they are {})",
                                JURISDICTION_KEYS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
                            )
                        } else {
                            format!(
                                "{s:?} is not \"jurisdiction.NAME.ATTR\" for a jurisdiction of the scenario (NAME one of {})",
                                names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
                            )
                        }
                    } else {
                        format!(
                            "{s:?} is not \"world.KEY\" for a world parameter nor \"jurisdiction.NAME.ATTR\" for a jurisdiction's attribute"
                        )
                    };
                    c.push(format!("{path}.{key}"), c.line(v), msg);
                    return None;
                };
                let fixed = match params::ParamRef::of(idx) {
                    params::ParamRef::World(w) => world[w].is_fixed(),
                    params::ParamRef::Jurisdiction { j, attr } => {
                        jurisdictions.is_none_or(|js| js[j].uncertain[attr].is_none())
                    }
                };
                if fixed {
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
        if ok && !out.is_empty() && !super::super::correlation::is_positive_definite(&out) {
            let names: Vec<String> = out
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let key = |id| params::param_key(id, &names);
                    format!("correlation[{i}] ({} ~ {}, rho = {})", key(c.a), key(c.b), c.rho)
                })
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

    pub(super) fn cross_checks(&mut self, raw: &ScenarioFile, world: &[Dist]) {
        use super::super::params::P;
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
