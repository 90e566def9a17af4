//! `[[jurisdiction]]` tables: names, attributes (numbers, or distributions where allowed) in
//! range, shares that sum to one.

use std::collections::HashSet;

use toml::Spanned;

use super::super::dist::Dist;
use super::super::locate::line_of;
use super::super::params::{JURISDICTION_KEYS, attr_may_be_uncertain};
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
            let mut dists: [Option<Dist>; 10] = Default::default();
            for (k, (field, (key, unit, range, _))) in j.numeric().iter().zip(JURISDICTION_KEYS).enumerate() {
                let path = format!("{label}: {key}");
                match field {
                    // An attribute that sums to 1 over the jurisdictions stays a number.
                    Some(v) if !attr_may_be_uncertain(k) && !v.get_ref().is_table() => {
                        match self.number_in(&path, v, *range) {
                            Some(x) => vals[k] = x,
                            None => ok = false,
                        }
                    }
                    Some(v) if !attr_may_be_uncertain(k) => {
                        let msg = format!(
                            "must be a fixed number ({}, {unit}), not a distribution: the jurisdictions' {key} \
                             values must sum to 1, which draws would break; only base_burden, api_access, \
                             adoption0, preparedness0, defense_rate and leak_multiplier may be uncertain",
                            range.describe()
                        );
                        self.push(&path, self.line(v), msg);
                        ok = false;
                    }
                    Some(v) => match self.dist(&path, v, *range, None) {
                        Some(Dist::Fixed(x)) => vals[k] = x,
                        Some(d) => {
                            vals[k] = d.central();
                            dists[k] = Some(d);
                        }
                        None => ok = false,
                    },
                    None => {
                        let allowed = if attr_may_be_uncertain(k) {
                            format!("{} ({unit}), as a number or a distribution", range.describe())
                        } else {
                            format!("{} ({unit})", range.describe())
                        };
                        self.missing(&path, line, &allowed);
                        ok = false;
                    }
                }
            }
            match name {
                Some(n) => {
                    let mut jurisdiction = Jurisdiction::from_values(n, vals);
                    jurisdiction.uncertain = dists;
                    out.push(jurisdiction);
                }
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
