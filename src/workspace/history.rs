//! Undo and redo of the scenario's edits. Every edit of the draft (a value, a distribution, a
//! policy, a jurisdiction, a run setting) is recorded as one step: the draft as it was before,
//! and what the edit did in words ("set world.alpha"). A slider's drag (or a run of
//! keystrokes in one field) is one step: edits that continue one another (not yet
//! `immediate`, the same thing changed, close in time) are merged into the step they
//! continue. The history is bounded ([`MAX_STEPS`]) and is kept with the unsaved edits
//! between launches (`unsaved.rs`).

use std::time::Duration;
use web_time::Instant;

use crate::model::{PARAMS, Regime, ScenarioDraft};

/// The most undo steps kept; the oldest go first.
pub const MAX_STEPS: usize = 200;

/// Edits further apart than this are separate steps even when they continue one another.
pub const MERGE_GAP: Duration = Duration::from_millis(1500);

/// One step: what the edit did, and the draft on the other side of it (before it, on the undo
/// stack; after it, on the redo stack).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub label: String,
    pub draft: ScenarioDraft,
}

/// The undo and redo stacks of one document.
#[derive(Clone, Debug)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    /// The draft as last recorded: the state every step is taken from.
    recorded: ScenarioDraft,
    /// When the top undo step may still be continued (a drag in progress), the time of its
    /// last edit.
    open: Option<Instant>,
}

impl History {
    /// An empty history of a document whose draft is `draft`.
    pub fn new(draft: &ScenarioDraft) -> History {
        History { undo: Vec::new(), redo: Vec::new(), recorded: draft.clone(), open: None }
    }

    /// A history restored from its stacks (oldest first) and the draft they lead to.
    pub fn from_parts(undo: Vec<Step>, redo: Vec<Step>, draft: &ScenarioDraft) -> History {
        let mut h = History { undo, redo, recorded: draft.clone(), open: None };
        h.trim();
        h
    }

    /// The undo steps, oldest first.
    pub fn undo_steps(&self) -> &[Step] {
        &self.undo
    }

    /// The redo steps, the one redone last first (the stack's order).
    pub fn redo_steps(&self) -> &[Step] {
        &self.redo
    }

    /// What "Undo" would undo.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|s| s.label.as_str())
    }

    /// What "Redo" would redo.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|s| s.label.as_str())
    }

    /// Records the draft after an edit. `label` says what the edit did (else it is read from
    /// the change); `continuing`: more of the same edit may follow (a drag in progress), so
    /// the next edit of the same thing joins this step. Returns whether anything changed.
    pub fn record(&mut self, draft: &ScenarioDraft, label: Option<&str>, continuing: bool, now: Instant) -> bool {
        if *draft == self.recorded {
            if !continuing {
                self.open = None;
            }
            return false;
        }
        let open = self.open.is_some_and(|t| now.saturating_duration_since(t) <= MERGE_GAP);
        // The step this edit continues: its change from where it started is still the same
        // change (a drag of one slider, keystrokes in one name).
        let continues = open
            && self.undo.last().is_some_and(|s| {
                s.draft == *draft || label.map_or_else(|| describe(&s.draft, draft), str::to_string) == s.label
            });
        if continues {
            // A drag back to where it started leaves no step at all.
            if self.undo.last().is_some_and(|s| s.draft == *draft) {
                self.undo.pop();
            }
        } else {
            let label = label.map_or_else(|| describe(&self.recorded, draft), str::to_string);
            self.undo.push(Step { label, draft: self.recorded.clone() });
            self.trim();
        }
        self.redo.clear();
        self.recorded = draft.clone();
        self.open = continuing.then_some(now);
        true
    }

    /// Undoes the last step from `current` (recorded first if it was not): the draft to show.
    pub fn undo(&mut self, current: &ScenarioDraft, now: Instant) -> Option<ScenarioDraft> {
        self.record(current, None, false, now);
        let step = self.undo.pop()?;
        self.redo.push(Step { label: step.label, draft: current.clone() });
        self.recorded = step.draft.clone();
        self.open = None;
        Some(step.draft)
    }

    /// Redoes the last step undone: the draft to show.
    pub fn redo(&mut self, current: &ScenarioDraft, now: Instant) -> Option<ScenarioDraft> {
        if self.record(current, None, false, now) {
            // A new edit since the undo: nothing to redo (recording cleared it).
            return None;
        }
        let step = self.redo.pop()?;
        self.undo.push(Step { label: step.label, draft: current.clone() });
        self.trim();
        self.recorded = step.draft.clone();
        self.open = None;
        Some(step.draft)
    }

    fn trim(&mut self) {
        if self.undo.len() > MAX_STEPS {
            let extra = self.undo.len() - MAX_STEPS;
            self.undo.drain(..extra);
        }
        self.redo.truncate(MAX_STEPS);
    }
}

/// What changed from `a` to `b`, in words: "set world.alpha", "rename policy “Open”".
pub fn describe(a: &ScenarioDraft, b: &ScenarioDraft) -> String {
    let mut what: Vec<String> = Vec::new();
    if a.name != b.name {
        what.push("rename the scenario".into());
    }
    if a.description != b.description {
        what.push("edit the description".into());
    }
    let (ra, rb) = (&a.run, &b.run);
    if ra.runs != rb.runs {
        what.push("set the runs".into());
    }
    if ra.seed != rb.seed {
        what.push("set the seed".into());
    }
    if ra.years != rb.years || ra.steps_per_year != rb.steps_per_year {
        what.push("set the horizon".into());
    }
    if ra.reference != rb.reference && a.policies.len() == b.policies.len() {
        what.push("change the reference policy".into());
    }
    for (i, (da, db)) in a.world.iter().zip(&b.world).enumerate() {
        if da != db {
            let key = PARAMS.get(i).map_or("?", |p| p.key);
            if std::mem::discriminant(da) == std::mem::discriminant(db) {
                what.push(format!("set world.{key}"));
            } else {
                what.push(format!("change world.{key}'s distribution"));
            }
        }
    }
    let (ja, jb) = (&a.jurisdictions, &b.jurisdictions);
    if ja.len() < jb.len() {
        what.push("add a jurisdiction".into());
    } else if ja.len() > jb.len() {
        what.push("remove a jurisdiction".into());
    } else {
        for (x, y) in ja.iter().zip(jb) {
            if x.name != y.name {
                what.push(format!("rename jurisdiction “{}”", x.name));
            } else if x != y {
                what.push(format!("edit jurisdiction “{}”", x.name));
            }
        }
    }
    let (pa, pb) = (&a.policies, &b.policies);
    if pa.len() < pb.len() {
        what.push("add a policy".into());
    } else if pa.len() > pb.len() {
        what.push("remove a policy".into());
    } else {
        for (x, y) in pa.iter().zip(pb) {
            if x.name != y.name {
                what.push(format!("rename policy “{}”", x.name));
            } else if x.default != y.default || x.overrides != y.overrides {
                what.push(regime_change(x.default, y.default, &x.name, x.overrides != y.overrides));
            } else if x.levers != y.levers {
                what.push(format!("change “{}”'s levers", x.name));
            }
        }
    }
    if a.correlations != b.correlations {
        what.push("edit the correlations".into());
    }
    // Several things at once (or nothing describable): the scenario.
    if what.len() == 1 { what.swap_remove(0) } else { "edit the scenario".into() }
}

/// "move “P”'s threshold" for a tiered regime's numbers, "change “P”'s regime" otherwise.
fn regime_change(a: Regime, b: Regime, name: &str, overrides: bool) -> String {
    if !overrides && a.is_tiered() && b.is_tiered() {
        format!("move “{name}”'s thresholds")
    } else {
        format!("change “{name}”'s regime")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scenario;

    fn draft() -> ScenarioDraft {
        Scenario::built_in().to_draft()
    }

    #[test]
    fn a_drag_is_one_step_and_a_release_closes_it() {
        let t0 = Instant::now();
        let mut d = draft();
        let start = d.clone();
        let mut h = History::new(&d);
        for k in 1..=30 {
            d.run.runs += 10;
            assert!(h.record(&d, None, true, t0 + Duration::from_millis(16 * k)));
        }
        h.record(&d, None, false, t0 + Duration::from_millis(500));
        assert_eq!(h.undo_steps().len(), 1, "one drag, one step");
        assert_eq!(h.undo_label(), Some("set the runs"));
        // A second drag of the same slider is a second step.
        d.run.seed += 7;
        h.record(&d, None, true, t0 + Duration::from_millis(600));
        h.record(&d, None, false, t0 + Duration::from_millis(700));
        assert_eq!(h.undo_steps().len(), 2);
        let back = h.undo(&d, t0 + Duration::from_secs(1)).expect("undo");
        let back = h.undo(&back, t0 + Duration::from_secs(1)).expect("undo");
        assert_eq!(back, start);
        assert!(h.undo(&back, t0).is_none(), "nothing older");
        let fwd = h.redo(&back, t0).expect("redo");
        let fwd = h.redo(&fwd, t0).expect("redo");
        assert_eq!(fwd, d);
        assert!(h.redo(&fwd, t0).is_none());
    }

    #[test]
    fn steps_say_what_they_undo() {
        let a = draft();
        let mut b = a.clone();
        b.policies[0].name = "X".into();
        assert_eq!(describe(&a, &b), format!("rename policy “{}”", a.policies[0].name));
        let mut b = a.clone();
        b.policies.pop();
        assert_eq!(describe(&a, &b), "remove a policy");
        let mut b = a.clone();
        b.world[1] = crate::model::Dist::Uniform { min: 0.0, max: 1.0 };
        assert!(describe(&a, &b).contains(&format!("world.{}", PARAMS[1].key)), "{}", describe(&a, &b));
        let mut b = a.clone();
        b.run.runs += 1;
        assert_eq!(describe(&a, &b), "set the runs");
        let mut b = a.clone();
        b.jurisdictions[0].share0 += 0.1;
        assert_eq!(describe(&a, &b), format!("edit jurisdiction “{}”", a.jurisdictions[0].name));
    }

    #[test]
    fn a_new_edit_clears_redo_and_the_history_is_bounded() {
        let t0 = Instant::now();
        let mut d = draft();
        let mut h = History::new(&d);
        for _ in 0..(MAX_STEPS + 20) {
            d.run.seed += 1;
            h.record(&d, Some("set the seed"), false, t0);
        }
        assert_eq!(h.undo_steps().len(), MAX_STEPS);
        let back = h.undo(&d, t0).expect("undo");
        assert_eq!(h.redo_label(), Some("set the seed"));
        let mut e = back.clone();
        e.run.runs += 1;
        h.record(&e, None, false, t0);
        assert_eq!(h.redo_label(), None, "a new edit ends the redo");
        assert_eq!(h.undo_label(), Some("set the runs"));
    }

    #[test]
    fn a_drag_back_to_its_start_leaves_no_step() {
        let t0 = Instant::now();
        let d = draft();
        let mut h = History::new(&d);
        let mut e = d.clone();
        e.run.seed += 1;
        h.record(&e, Some("set the seed"), true, t0);
        h.record(&d, Some("set the seed"), false, t0);
        assert_eq!(h.undo_label(), None);
    }
}
