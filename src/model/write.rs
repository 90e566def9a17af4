//! Writing a scenario back to its file format.

use std::fmt::Write as _;

use super::dist::Dist;
use super::params::{JURISDICTION_KEYS, PARAMS, is_left_out, param_key};
use super::regime::{Levers, Measure, Regime};
use super::scenario::{Scenario, ScenarioDraft};

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A float that reads back as exactly the same f64.
fn num(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") { s } else { format!("{s}.0") }
}

pub fn dist_to_toml(d: &Dist) -> String {
    match *d {
        Dist::Fixed(x) => num(x),
        Dist::Uniform { min, max } => format!("{{ dist = \"uniform\", min = {}, max = {} }}", num(min), num(max)),
        Dist::Triangular { min, mode, max } => {
            format!("{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}", num(min), num(mode), num(max))
        }
        Dist::Pert { min, mode, max } => {
            format!("{{ dist = \"pert\", min = {}, mode = {}, max = {} }}", num(min), num(mode), num(max))
        }
        Dist::Normal { mean, sd, min, max } => {
            let mut s = format!("{{ dist = \"normal\", mean = {}, sd = {}", num(mean), num(sd));
            if let Some(m) = min {
                let _ = write!(s, ", min = {}", num(m));
            }
            if let Some(m) = max {
                let _ = write!(s, ", max = {}", num(m));
            }
            s.push_str(" }");
            s
        }
        Dist::LogNormal { median, p95 } => {
            format!("{{ dist = \"lognormal\", median = {}, p95 = {} }}", num(median), num(p95))
        }
        Dist::Beta { mean, sd } => format!("{{ dist = \"beta\", mean = {}, sd = {} }}", num(mean), num(sd)),
    }
}

pub fn regime_to_toml(r: Regime) -> String {
    match r {
        Regime::Open => "\"open\"".into(),
        Regime::OpenStaged { stage_delay } => format!("{{ open = {{ stage_delay = {} }} }}", num(stage_delay)),
        Regime::Closed => "\"closed\"".into(),
        Regime::Tiered { open_below, gated_below, drift, measure, stage_delay } => {
            // Model v2's keys only when set, so a v1 regime reads as it always did.
            let mut extra = String::new();
            if measure != Measure::Effective {
                let _ = write!(extra, ", measure = {}", quoted(measure.keyword()));
            }
            if stage_delay != 0.0 {
                let _ = write!(extra, ", stage_delay = {}", num(stage_delay));
            }
            format!(
                "{{ tiered = {{ open_below = {}, gated_below = {}, drift = {}{extra} }} }}",
                num(open_below),
                num(gated_below),
                num(drift)
            )
        }
    }
}

impl Scenario {
    /// The scenario as a scenario file in the canonical layout (comments are not kept; the
    /// app's saves keep them with `edit.rs`).
    pub fn to_toml(&self) -> String {
        self.to_draft().to_toml()
    }
}

impl ScenarioDraft {
    /// The draft as a scenario file in the canonical layout. Never panics, however broken the
    /// draft: a reference that names no policy, or an override of a jurisdiction that is not
    /// there, is written so that the checks report it.
    pub fn to_toml(&self) -> String {
        draft_to_toml(self)
    }
}

fn draft_to_toml(s: &ScenarioDraft) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "name = {}", quoted(&s.name));
    if !s.description.is_empty() {
        let _ = writeln!(out, "description = {}", quoted(&s.description));
    }
    let _ = writeln!(out, "\n[run]");
    let _ = writeln!(out, "runs = {}", s.run.runs);
    let _ = writeln!(out, "seed = {}", s.run.seed);
    let _ = writeln!(out, "years = {}", s.run.years);
    let _ = writeln!(out, "steps_per_year = {}", s.run.steps_per_year);
    let reference = s.policies.get(s.run.reference).map_or("", |p| p.name.as_str());
    let _ = writeln!(out, "baseline = {}", quoted(reference));
    let _ = writeln!(out, "\n[world]");
    for (info, d) in PARAMS.iter().zip(&s.world) {
        // A parameter that may be left out is written only when it is not its default (for
        // model v2's, when its mechanism is on).
        if is_left_out(info.key, d) {
            continue;
        }
        let _ = writeln!(out, "{} = {}  # {}", info.key, dist_to_toml(d), info.unit);
    }
    for j in &s.jurisdictions {
        let _ = writeln!(out, "\n[[jurisdiction]]");
        let _ = writeln!(out, "name = {}", quoted(&j.name));
        for (k, ((key, ..), v)) in JURISDICTION_KEYS.iter().zip(j.values()).enumerate() {
            match &j.uncertain[k] {
                Some(d) => {
                    let _ = writeln!(out, "{key} = {}", dist_to_toml(d));
                }
                None => {
                    let _ = writeln!(out, "{key} = {}", num(v));
                }
            }
        }
    }
    for p in &s.policies {
        let _ = writeln!(out, "\n[[policy]]");
        let _ = writeln!(out, "name = {}", quoted(&p.name));
        let _ = writeln!(out, "default = {}", regime_to_toml(p.default));
        if !p.overrides.is_empty() {
            let _ = writeln!(out, "[policy.overrides]");
            for (j, r) in &p.overrides {
                let _ = writeln!(out, "{} = {}", jurisdiction_name(s, *j), regime_to_toml(*r));
            }
        }
        levers_to_toml(&mut out, s, &p.levers);
    }
    for c in &s.correlations {
        let _ = writeln!(out, "\n[[correlation]]");
        let names: Vec<&str> = s.jurisdictions.iter().map(|j| j.name.as_str()).collect();
        let _ = writeln!(out, "a = {}", quoted(&param_key(c.a, &names)));
        let _ = writeln!(out, "b = {}", quoted(&param_key(c.b, &names)));
        let _ = writeln!(out, "rho = {}", num(c.rho));
    }
    out
}

/// A policy's levers, each only when set, so a policy without levers reads as before.
fn levers_to_toml(out: &mut String, s: &ScenarioDraft, levers: &Levers) {
    let name = |j: usize| jurisdiction_name(s, j);
    if let Some(e) = levers.evaluation {
        let _ = writeln!(out, "[policy.evaluation]");
        let _ = writeln!(out, "sd = {}  # log10 FLOP", num(e.sd));
        let _ = writeln!(out, "bias = {}  # log10 FLOP", num(e.bias));
    }
    if let Some(&first) = levers.spending.first() {
        // The most common spending is written once; the others as overrides.
        let everywhere = levers
            .spending
            .iter()
            .copied()
            .max_by_key(|x| levers.spending.iter().filter(|y| *y == x).count())
            .unwrap_or(first);
        let _ = writeln!(out, "[policy.spending]");
        let _ = writeln!(out, "safeguards = {}  # $B/yr", num(everywhere.safeguards));
        let _ = writeln!(out, "preparedness = {}  # $B/yr", num(everywhere.preparedness));
        let others: Vec<usize> = (0..levers.spending.len()).filter(|&j| levers.spending[j] != everywhere).collect();
        if !others.is_empty() {
            let _ = writeln!(out, "[policy.spending.overrides]");
            for j in others {
                let x = levers.spending[j];
                let _ = writeln!(
                    out,
                    "{} = {{ safeguards = {}, preparedness = {} }}",
                    name(j),
                    num(x.safeguards),
                    num(x.preparedness)
                );
            }
        }
    }
    for t in &levers.triggers {
        let _ = writeln!(out, "[[policy.trigger]]");
        let _ = writeln!(out, "when = {}", quoted(t.when.keyword()));
        if let Some(level) = t.when.level() {
            let _ = writeln!(out, "level = {}", num(level));
        }
        let _ = writeln!(out, "delay = {}  # years", num(t.delay));
        let _ = writeln!(out, "regime = {}", regime_to_toml(t.regime));
        if !t.jurisdictions.is_empty() {
            let names: Vec<String> = t.jurisdictions.iter().map(|&j| name(j)).collect();
            let _ = writeln!(out, "jurisdictions = [{}]", names.join(", "));
        }
    }
    if !levers.coordination.is_empty() {
        let _ = writeln!(out, "[policy.coordination]");
        for (j, &q) in levers.coordination.iter().enumerate() {
            if q != 1.0 {
                let _ = writeln!(out, "{} = {}", name(j), num(q));
            }
        }
    }
}

/// A jurisdiction's name, quoted; a number past the last jurisdiction as a name no
/// jurisdiction has, which the checks report.
fn jurisdiction_name(s: &ScenarioDraft, j: usize) -> String {
    quoted(s.jurisdictions.get(j).map_or("(no such jurisdiction)", |x| x.name.as_str()))
}
