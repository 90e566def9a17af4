//! Structural edits of the scenario being edited, which the workspace applies as commands:
//! policies added, duplicated and removed (the reference policy kept), jurisdictions added and
//! removed (policies' overrides renumbered), and the shares renormalised.

use crate::model::scenario::SUM_TOLERANCE;
use crate::model::{Jurisdiction, Policy, Regime, ScenarioDraft};

/// A name not used by any policy: `base`, or `base 2`, `base 3`...
pub fn unique_name(s: &ScenarioDraft, base: &str) -> String {
    let taken = |n: &str| s.policies.iter().any(|p| p.name == n);
    if !taken(base) {
        return base.to_string();
    }
    (2..).map(|i| format!("{base} {i}")).find(|n| !taken(n)).unwrap_or_else(|| base.to_string())
}

/// The policy "Add policy" creates: tiered everywhere at the usual thresholds.
pub fn new_policy(s: &ScenarioDraft) -> Policy {
    Policy {
        name: unique_name(s, "New policy"),
        default: Regime::tiered(27.0, 28.0, 0.0),
        overrides: Vec::new(),
        levers: Default::default(),
    }
}

/// Inserts a copy of policy `i` after it.
pub fn duplicate_policy(s: &mut ScenarioDraft, i: usize) {
    let Some(p) = s.policies.get(i) else { return };
    let mut copy = p.clone();
    let base: String = format!("{} (copy)", p.name).chars().take(56).collect();
    copy.name = unique_name(s, &base);
    s.policies.insert(i + 1, copy);
    if s.run.reference > i {
        s.run.reference += 1;
    }
}

/// Removes policy `i` (never the last one), keeping the reference policy the same
/// policy (or the first, if the reference policy itself goes).
pub fn remove_policy(s: &mut ScenarioDraft, i: usize) {
    if s.policies.len() <= 1 || i >= s.policies.len() {
        return;
    }
    s.policies.remove(i);
    if s.run.reference == i {
        s.run.reference = 0;
    } else if s.run.reference > i {
        s.run.reference -= 1;
    }
}

/// Columns (indices into `JURISDICTION_KEYS`) that must each sum to 1.
pub const SUMMED: [usize; 4] = crate::model::params::SUMMED_JURISDICTION_ATTRS;

/// Sums of the summed columns, in `SUMMED` order.
pub fn sums(s: &ScenarioDraft) -> [f64; 4] {
    SUMMED.map(|k| s.jurisdictions.iter().map(|j| j.values()[k]).sum())
}

/// Whether any summed column is off by more than the checker allows.
pub fn sums_off(s: &ScenarioDraft) -> bool {
    sums(s).iter().any(|x| (x - 1.0).abs() > SUM_TOLERANCE)
}

/// Rescales each summed column to sum to 1 (equal shares where a column is all zero).
pub fn renormalise(s: &mut ScenarioDraft) {
    let n = s.jurisdictions.len();
    if n == 0 {
        return;
    }
    for k in SUMMED {
        let sum: f64 = s.jurisdictions.iter().map(|j| j.values()[k]).sum();
        for j in &mut s.jurisdictions {
            if let Some(v) = j.values_mut().into_iter().nth(k) {
                *v = if sum > 0.0 { *v / sum } else { 1.0 / n as f64 };
            }
        }
    }
}

/// A new jurisdiction with no share of anything (so the sums stay as they are) and middling
/// attributes; its name is unique.
pub fn new_jurisdiction(s: &ScenarioDraft) -> Jurisdiction {
    let mut n = s.jurisdictions.len() + 1;
    let mut name = format!("Jurisdiction {n}");
    while s.jurisdictions.iter().any(|j| j.name == name) {
        n += 1;
        name = format!("Jurisdiction {n}");
    }
    Jurisdiction {
        name,
        share0: 0.0,
        host: 0.0,
        base_burden: 0.1,
        weight: 0.0,
        exposure: 0.0,
        api_access: 0.7,
        adoption0: 0.2,
        preparedness0: 0.2,
        defense_rate: 0.1,
        leak_multiplier: 1.0,
        uncertain: Default::default(),
    }
}

/// Removes jurisdiction `j`, dropping policies' overrides and levers for it and renumbering the rest.
pub fn remove_jurisdiction(s: &mut ScenarioDraft, j: usize) {
    if j >= s.jurisdictions.len() {
        return;
    }
    s.jurisdictions.remove(j);
    for p in &mut s.policies {
        p.remove_jurisdiction(j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scenario;
    use crate::workspace::state::check_edit;

    #[test]
    fn duplicate_and_remove_keep_the_reference_and_names_unique() {
        let mut s = Scenario::built_in().to_draft();
        s.run.reference = 2;
        duplicate_policy(&mut s, 0);
        assert_eq!(s.policies[1].name, "Status quo (copy)");
        assert_eq!(s.run.reference, 3);
        duplicate_policy(&mut s, 0);
        assert_eq!(s.policies[1].name, "Status quo (copy) 2");
        assert_eq!(s.run.reference, 4);
        remove_policy(&mut s, 1);
        assert_eq!(s.run.reference, 3);
        remove_policy(&mut s, 3);
        assert_eq!(s.run.reference, 0);
        assert!(check_edit(&s).is_ok());
        while s.policies.len() > 1 {
            remove_policy(&mut s, 0);
        }
        remove_policy(&mut s, 0);
        assert_eq!(s.policies.len(), 1);
    }

    #[test]
    fn renormalise_fixes_every_sum() {
        let mut s = Scenario::built_in().to_draft();
        s.jurisdictions[0].share0 = 2.0;
        s.jurisdictions.push(new_jurisdiction(&s));
        assert!(sums_off(&s));
        renormalise(&mut s);
        assert!(!sums_off(&s));
        assert!(check_edit(&s).is_ok());
    }

    #[test]
    fn removing_a_jurisdiction_renumbers_overrides() {
        let base = Scenario::built_in();
        let p = base.policy_index("Unilateral tiered (US, EU, UK)").unwrap();
        let mut s = base.to_draft();
        let eu = s.jurisdictions.iter().position(|j| j.name == "EU").unwrap();
        let before: Vec<String> =
            s.policies[p].overrides.iter().map(|(j, _)| s.jurisdictions[*j].name.clone()).collect();
        remove_jurisdiction(&mut s, 0);
        let after: Vec<String> =
            s.policies[p].overrides.iter().map(|(j, _)| s.jurisdictions[*j].name.clone()).collect();
        assert_eq!(after, before[1..].to_vec());
        assert!(after.contains(&"EU".to_string()) && eu > 0);
    }
}
