//! `[[jurisdiction]]` tables: names, attributes in range, shares that sum to one.

use std::collections::HashSet;

use toml::Spanned;

use super::super::locate::line_of;
use super::super::params::JURISDICTION_KEYS;
use super::super::raw::{RawJurisdiction, ScenarioFile};
use super::super::scenario::{Jurisdiction, MAX_JURISDICTIONS, SUM_TOLERANCE};
use super::{Checker, top_level_key_line};

impl Checker<'_> {
    pub(super) fn jurisdictions(
        &mut self,
        raw: &[Spanned<RawJurisdiction>],
        file: &ScenarioFile,
    ) -> Option<Vec<Jurisdiction>> {
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
}
