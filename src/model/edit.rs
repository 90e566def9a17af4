//! Saving an edited scenario into the user's own file text: comments (the sources of every
//! number), key order and formatting stay, and only what the edit changed is rewritten.
//!
//! The change is found by comparing the canonical text of the scenario as loaded with that of
//! the scenario as edited (both from [`Scenario::to_toml`]), so a value the file spells in its
//! own way (a default left out, `2` for `2.0`) is touched only when the edit changed it. The
//! result is checked by parsing it back: if it does not give exactly the edited scenario (a
//! file laid out in a way the merge does not follow, such as policies as an inline array), the
//! canonical text is written instead, so a save is never wrong, at worst plain.

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table};

use super::scenario::Scenario;

/// How a save was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Saved {
    /// The user's text with only the changed values rewritten.
    Kept,
    /// The canonical text: the user's layout could not be followed.
    Rewritten,
}

/// The text of `after` written into `original`, the file text `before` was parsed from.
pub fn update_text(original: &str, before: &Scenario, after: &Scenario) -> (String, Saved) {
    let canonical = after.to_toml();
    match merged(original, before, &canonical) {
        Some(text) if Scenario::parse(&text, "scenario to save").is_ok_and(|s| s == *after) => (text, Saved::Kept),
        _ => (canonical, Saved::Rewritten),
    }
}

fn merged(original: &str, before: &Scenario, canonical_after: &str) -> Option<String> {
    let mut doc: DocumentMut = original.parse().ok()?;
    let old: DocumentMut = before.to_toml().parse().ok()?;
    let new: DocumentMut = canonical_after.parse().ok()?;
    merge_table(doc.as_table_mut(), old.as_table(), new.as_table())?;
    if has_unplaced(doc.as_table()) {
        let mut next = 0;
        renumber(doc.as_table_mut(), &mut next);
    }
    Some(doc.to_string())
}

/// Applies the difference `old -> new` (canonical tables) to the user's table `user`.
fn merge_table(user: &mut Table, old: &Table, new: &Table) -> Option<()> {
    for (key, new_item) in new.iter() {
        let Some(old_item) = old.get(key) else {
            user.insert(key, fresh(new_item));
            continue;
        };
        match (user.get_mut(key), old_item, new_item) {
            (Some(Item::Table(u)), Item::Table(o), Item::Table(n)) => merge_table(u, o, n)?,
            (Some(Item::ArrayOfTables(u)), Item::ArrayOfTables(o), Item::ArrayOfTables(n)) => merge_tables(u, o, n)?,
            (Some(Item::Value(u)), Item::Value(o), Item::Value(n)) => {
                if o.to_string().trim() != n.to_string().trim() {
                    // The user's comment after the value and spacing before it stay.
                    let decor = u.decor().clone();
                    *u = n.clone();
                    *u.decor_mut() = decor;
                }
            }
            (None, o, n) => {
                if !same(o, n) {
                    user.insert(key, fresh(n));
                }
            }
            // A layout the merge does not follow (an inline table for a section, say).
            _ if same(old_item, new_item) => {}
            _ => return None,
        }
    }
    let gone: Vec<String> = old.iter().map(|(k, _)| k.to_string()).filter(|k| !new.contains_key(k)).collect();
    for key in gone {
        user.remove(&key);
    }
    Some(())
}

/// Arrays of tables (`[[policy]]`, `[[jurisdiction]]`, `[[correlation]]`): entries are
/// matched by `name` first, then in order, so a removed or added entry takes its own comments
/// with it and leaves the others' in place.
fn merge_tables(user: &mut ArrayOfTables, old: &ArrayOfTables, new: &ArrayOfTables) -> Option<()> {
    if user.len() != old.len() {
        return None;
    }
    let name = |t: &Table| t.get("name").and_then(Item::as_str).map(str::to_string);
    let mut matched: Vec<Option<usize>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];
    for (j, n) in new.iter().enumerate() {
        if let Some(nm) = name(n)
            && let Some(i) =
                (0..old.len()).find(|&i| !taken[i] && old.get(i).and_then(name).as_deref() == Some(nm.as_str()))
        {
            matched[j] = Some(i);
            taken[i] = true;
        }
    }
    // Left over on both sides in equal numbers: renamed entries, paired in order. Otherwise
    // the new ones are new and the old ones were removed.
    let free: Vec<usize> = (0..old.len()).filter(|&i| !taken[i]).collect();
    if free.len() == matched.iter().filter(|m| m.is_none()).count() {
        let mut free = free.into_iter();
        for m in matched.iter_mut().filter(|m| m.is_none()) {
            *m = free.next();
        }
    }
    let mut rebuilt = ArrayOfTables::new();
    for (n, m) in new.iter().zip(&matched) {
        let t = match m {
            Some(i) => {
                let mut t = user.get(*i)?.clone();
                merge_table(&mut t, old.get(*i)?, n)?;
                t
            }
            None => {
                // No place in the user's layout yet: [`renumber`] gives it one.
                let mut t = n.clone();
                unplace(&mut t);
                t
            }
        };
        rebuilt.push(t);
    }
    *user = rebuilt;
    Some(())
}

/// A canonical item to insert, its tables without a place yet.
fn fresh(item: &Item) -> Item {
    let mut item = item.clone();
    match &mut item {
        Item::Table(t) => unplace(t),
        Item::ArrayOfTables(a) => a.iter_mut().for_each(unplace),
        _ => {}
    }
    item
}

fn unplace(t: &mut Table) {
    t.set_position(None);
    for (_, item) in t.iter_mut() {
        match item {
            Item::Table(sub) => unplace(sub),
            Item::ArrayOfTables(a) => a.iter_mut().for_each(unplace),
            _ => {}
        }
    }
}

fn has_unplaced(t: &Table) -> bool {
    t.iter().any(|(_, item)| match item {
        Item::Table(sub) => (!sub.is_implicit() && sub.position().is_none()) || has_unplaced(sub),
        Item::ArrayOfTables(a) => a.iter().any(|sub| sub.position().is_none() || has_unplaced(sub)),
        _ => false,
    })
}

/// Document positions in the order the tables are nested (each table before its sub-tables,
/// the entries of an array in order): a file laid out as Tierlab writes it keeps its order,
/// and an added entry lands after its siblings.
fn renumber(t: &mut Table, next: &mut isize) {
    for (_, item) in t.iter_mut() {
        match item {
            Item::Table(sub) => {
                sub.set_position(Some(*next));
                *next += 1;
                renumber(sub, next);
            }
            Item::ArrayOfTables(a) => {
                for sub in a.iter_mut() {
                    sub.set_position(Some(*next));
                    *next += 1;
                    renumber(sub, next);
                }
            }
            _ => {}
        }
    }
}

/// Whether two canonical items are written the same.
fn same(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (Item::Value(a), Item::Value(b)) => a.to_string().trim() == b.to_string().trim(),
        (Item::Table(a), Item::Table(b)) => a.to_string() == b.to_string(),
        (Item::ArrayOfTables(a), Item::ArrayOfTables(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.to_string() == y.to_string())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::{BUILT_IN_TOML, PRESETS};
    use crate::model::{Dist, P, Regime};

    fn comments(text: &str) -> Vec<&str> {
        text.lines().filter(|l| l.trim_start().starts_with('#')).collect()
    }

    /// Lines of `a` not in `b`, in order (a plain line diff is enough here).
    fn changed<'a>(a: &'a str, b: &str) -> Vec<&'a str> {
        let theirs: std::collections::HashSet<&str> = b.lines().collect();
        a.lines().filter(|l| !theirs.contains(l)).collect()
    }

    fn save(before: &Scenario, after: &Scenario) -> (String, Saved) {
        let (text, how) = update_text(BUILT_IN_TOML, before, after);
        assert_eq!(&Scenario::parse(&text, "saved").unwrap(), after, "the saved text gives the edit");
        (text, how)
    }

    #[test]
    fn an_unchanged_scenario_keeps_its_text_byte_for_byte() {
        for (name, text) in PRESETS {
            let s = Scenario::parse(text, name).unwrap();
            assert_eq!(update_text(text, &s, &s), (text.to_string(), Saved::Kept), "{name}");
        }
    }

    #[test]
    fn changed_values_move_and_every_comment_stays() {
        let before = Scenario::built_in();
        let mut after = before.clone();
        after.run.runs = 2_000;
        after.world[P::misuse_rate as usize] = Dist::Pert { min: 0.5, mode: 3.0, max: 12.0 };
        after.policies[1].default = Regime::tiered(26.5, 27.5, 0.1);
        let (text, how) = save(&before, &after);
        assert_eq!(how, Saved::Kept);
        assert_eq!(comments(&text), comments(BUILT_IN_TOML), "no comment lost or moved");
        let moved = changed(&text, BUILT_IN_TOML);
        assert_eq!(moved.len(), 3, "only the three edited lines differ: {moved:#?}");
        assert!(moved[0].starts_with("runs = 2000") && moved[0].contains("# simulated futures per policy"));
        assert!(moved[1].starts_with("misuse_rate = { dist = \"pert\", min = 0.5, mode = 3.0"), "{}", moved[1]);
        assert!(moved[2].contains("open_below = 26.5"), "{}", moved[2]);
    }

    #[test]
    fn lever_edits_keep_the_files_comments() {
        use crate::model::{Evaluation, Signpost, Trigger};
        let text = PRESETS.iter().find(|(n, _)| *n == "levers.toml").map(|(_, t)| *t).unwrap();
        let before = Scenario::parse(text, "levers.toml").unwrap();
        let mut after = before.clone();
        let noisy = after.policy_index("Tiered, evaluated with error").unwrap();
        after.policies[noisy].levers.evaluation = Some(Evaluation { sd: 0.5, bias: -0.2 });
        // A lever where the file has none yet: a new [[policy.trigger]] table.
        after.policies[0].levers.triggers.push(Trigger {
            when: Signpost::Year(3.0),
            delay: 0.5,
            regime: Regime::Closed,
            jurisdictions: vec![1],
        });
        let (saved, how) = update_text(text, &before, &after);
        assert_eq!(how, Saved::Kept, "{saved}");
        assert_eq!(&Scenario::parse(&saved, "saved").unwrap(), &after);
        assert_eq!(comments(&saved)[..comments(text).len()], comments(text)[..], "the file's comments stay");
        let moved = changed(&saved, text);
        assert!(moved.iter().any(|l| l.starts_with("sd = 0.5") && l.contains("# OOM")), "{moved:#?}");
    }

    #[test]
    fn removed_and_added_policies_take_only_their_own_comments() {
        let before = Scenario::built_in();
        let mut removed = before.clone();
        removed.policies.remove(2); // "Global closed"
        let (text, how) = save(&before, &removed);
        assert_eq!(how, Saved::Kept);
        let closed_comment = "# Nobody releases new open or gated weights";
        assert!(!text.contains(closed_comment), "the removed policy's comment goes with it");
        let kept: Vec<&str> = comments(BUILT_IN_TOML).into_iter().filter(|c| !c.starts_with(closed_comment)).collect();
        assert_eq!(comments(&text), kept, "every other comment stays, in order");

        // A copy of a policy with overrides (a sub-table), as "Duplicate policy" makes it.
        let mut added = before.clone();
        let mut copy = added.policies[3].clone();
        copy.name = "Unilateral tiered, copy".into();
        copy.overrides.retain(|(j, _)| *j != 2);
        added.policies.push(copy);
        let (text, how) = save(&before, &added);
        assert_eq!(how, Saved::Kept);
        assert_eq!(comments(&text), comments(BUILT_IN_TOML));
        let at = text.find("name = \"Unilateral tiered, copy\"").expect("the new policy");
        assert!(at > text.find("name = \"Unilateral tiered (US, EU, UK)\"").unwrap(), "added after its siblings");
    }

    #[test]
    fn a_renamed_policy_keeps_its_comment_and_the_baseline_follows() {
        let before = Scenario::built_in();
        let mut after = before.clone();
        after.policies[0].name = "Open weights everywhere".into();
        let (text, _) = save(&before, &after);
        assert_eq!(comments(&text), comments(BUILT_IN_TOML));
        assert!(text.contains("baseline = \"Open weights everywhere\""));
    }

    #[test]
    fn a_layout_the_merge_does_not_follow_is_still_saved_right() {
        // Policies as an inline array of tables, and a world key left out (its default).
        let policies = BUILT_IN_TOML.find("# Policies:").unwrap();
        let original = format!(
            "policy = [ {{ name = \"Status quo\", default = \"open\" }}, {{ name = \"B\", default = \"closed\" }} ]\n{}",
            &BUILT_IN_TOML[..policies]
        );
        let original = original.as_str();
        let before = Scenario::parse(original, "odd").unwrap();
        let mut after = before.clone();
        after.policies[1].default = Regime::Open;
        after.world[P::growth as usize] = Dist::Fixed(0.5);
        let (saved, _) = update_text(original, &before, &after);
        assert_eq!(Scenario::parse(&saved, "saved").unwrap(), after);
    }
}
