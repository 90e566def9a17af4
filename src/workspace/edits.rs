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

/// Resolution of the release thresholds' controls (log10 FLOP): a value set by a slider, a
/// click on the Thresholds tab's plots or a drag there is a multiple of it.
pub const THRESHOLD_STEP: f64 = 0.05;

/// The resolution of a swept parameter's controls.
pub fn swept_step(param: crate::analysis::sweep::SweepParam) -> f64 {
    use crate::analysis::sweep::SweepParam;
    match param {
        SweepParam::OpenBelow | SweepParam::GatedBelow => THRESHOLD_STEP,
        SweepParam::Drift => 0.01,
    }
}

/// `value` rounded to a multiple of `step` (a power of ten or a fraction such as 0.05) and
/// written as that decimal would be: 26.95, never 26.950000000000003.
pub fn snap(value: f64, step: f64) -> f64 {
    if !value.is_finite() || step <= 0.0 {
        return value;
    }
    let per = (1.0 / step).round();
    if per >= 1.0 { (value * per).round() / per } else { (value / step).round() * step }
}

/// `value` without the float noise of arithmetic on decimals (27.950000000000003 is 27.95):
/// rounded to nine decimals, which no control can set finer.
pub fn clean(value: f64) -> f64 {
    if value.is_finite() { (value * 1e9).round() / 1e9 } else { value }
}

/// Rids every tiered regime of `p` of float noise in its ceilings and drift (after they were
/// moved by arithmetic: a gated ceiling moved along with its open one).
pub fn clean_thresholds(p: &mut Policy) {
    p.map_tiered(|open, gated, drift| {
        *open = clean(*open);
        *gated = clean(*gated);
        *drift = clean(*drift);
    });
}

/// A threshold the policy's name states ("Global tiered 1e27": 27.0 log10 FLOP), with the
/// byte range of where it says it.
pub fn threshold_in_name(name: &str) -> Option<(f64, std::ops::Range<usize>)> {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric() && bytes[i - 1] != b'.') {
            let start = i;
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                j += 1;
            }
            if j < bytes.len() && (bytes[j] == b'e' || bytes[j] == b'E') {
                let mut k = j + 1;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                let ends_word = k == bytes.len() || !bytes[k].is_ascii_alphanumeric();
                if k > j + 1 && ends_word {
                    let mantissa: Option<f64> = name[start..j].parse().ok();
                    let exponent: Option<f64> = name[j + 1..k].parse().ok();
                    if let (Some(m), Some(e)) = (mantissa, exponent)
                        && m > 0.0
                    {
                        return Some((e + m.log10(), start..k));
                    }
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// When the policy's name states a threshold that none of its tiered regimes has any longer
/// (the open ceiling was moved), the name with the open ceiling as it is now in its place.
pub fn stale_name(p: &Policy) -> Option<String> {
    let (stated, range) = threshold_in_name(&p.name)?;
    let mut ceilings = Vec::new();
    let mut first_open = None;
    let mut q = p.clone();
    q.map_tiered(|open, gated, _| {
        first_open.get_or_insert(*open);
        ceilings.extend([*open, *gated]);
    });
    let open = first_open?;
    // The name's number is rounded as the name writes it (1e27 is 27.0, 3.2e26 is 26.505).
    let said = |k: f64| crate::fmt::flop(k) == crate::fmt::flop(stated) || (k - stated).abs() < 0.01;
    if ceilings.iter().any(|&k| said(k)) {
        return None;
    }
    let mut name = p.name.clone();
    name.replace_range(range, &crate::fmt::flop(open));
    Some(name)
}

#[cfg(test)]
mod threshold_tests {
    use super::*;

    #[test]
    fn snapped_values_have_no_float_noise() {
        let v = (26.93 / 0.05f64).round() * 0.05;
        assert_ne!(v.to_string(), "26.95", "the naive rounding is noisy: {v}");
        assert_eq!(snap(26.93, 0.05).to_string(), "26.95");
        assert_eq!(snap(27.02, 0.1).to_string(), "27");
        assert_eq!(snap(0.123, 0.01).to_string(), "0.12");
        assert_eq!(clean(26.95 + 1.0).to_string(), "27.95");
    }

    #[test]
    fn a_name_that_states_another_threshold_is_flagged_with_a_new_name() {
        let mut p = new_policy(&crate::model::Scenario::built_in().to_draft());
        p.name = "Global tiered 1e27".into();
        assert_eq!(threshold_in_name(&p.name).map(|(k, _)| k), Some(27.0));
        assert_eq!(stale_name(&p), None, "open below 1e27: the name is right");
        p.map_tiered(|open, _, _| *open = 26.95);
        assert_eq!(stale_name(&p).as_deref(), Some("Global tiered 8.9e26"));
        p.name = "Tiered 3.2e26 open".into();
        p.map_tiered(|open, _, _| *open = 26.5);
        assert_eq!(stale_name(&p), None);
        p.name = "Plain name 2".into();
        assert_eq!(stale_name(&p), None);
    }
}
