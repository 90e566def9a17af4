//! The workspace driven headless, as a front end drives it: commands in, effects and results
//! out, on threads and stepped.

use std::path::PathBuf;
use std::time::Duration;

use super::analyses::{Outcome, Slot};
use super::*;
use crate::export::data::summary_json;

/// Runs of every simulation here: the preview (256) and one refinement.
const RUNS: u64 = 600;
const WAIT: Duration = Duration::from_secs(300);

fn open(executor: Executor) -> Workspace {
    let options = Options { max_runs: Some(RUNS), debounce: Duration::from_millis(20), executor, ..Options::default() };
    Workspace::open(Persisted::default(), None, options, || {})
}

/// Drives a stepped workspace the way a single-threaded front end would: a slice of at most
/// `runs` runs, then a poll, until nothing is left to do. Returns the run counts of the
/// results seen, in order.
fn step_until_idle(ws: &mut Workspace, runs: u64) -> Vec<usize> {
    let mut seen: Vec<usize> = Vec::new();
    for _ in 0..100_000 {
        let more = ws.advance(Budget::Runs(runs));
        ws.poll();
        if let Some(c) = ws.result()
            && seen.last() != Some(&c.runs)
        {
            seen.push(c.runs);
        }
        if !more && !ws.has_work() && !ws.is_running() && !ws.analyses.busy() {
            return seen;
        }
    }
    panic!("the stepped workspace did not finish");
}

/// The summary as `tierlab run` writes it, with what differs between two runs of the same
/// simulation (its wall time, the threads it had) set equal.
fn summary_bytes(c: &Computed) -> String {
    let mut p = c.provenance.clone();
    p.wall_time_s = 0.0;
    p.threads = 1;
    summary_json(&c.summary, &p).expect("the summary serialises")
}

#[test]
fn a_stepped_run_gives_the_threaded_run_byte_for_byte() {
    let mut threaded = open(Executor::Threads);
    assert!(threaded.wait_until_idle(WAIT), "the threaded run did not finish");
    let mut stepped = open(Executor::Stepped);
    assert_eq!(stepped.result().map(|c| c.runs), None, "nothing runs before a slice");
    let seen = step_until_idle(&mut stepped, 100);
    assert_eq!(seen, [256, RUNS as usize], "the preview, then the full result, as the thread sends them");

    let (a, b) = (threaded.result().expect("a result"), stepped.result().expect("a result"));
    assert!(a.is_final() && b.is_final());
    assert_eq!(summary_bytes(a), summary_bytes(b));
    assert_eq!(a.fans, b.fans, "the series bands");
    assert_eq!((&a.benefit, &a.harm, &a.net, &a.diff), (&b.benefit, &b.harm, &b.net, &b.diff));
    assert_eq!((&a.exceedance, &a.hazard_public), (&b.exceedance, &b.hazard_public));
}

#[test]
fn a_stepped_workspace_runs_nothing_outside_its_slices() {
    let mut ws = open(Executor::Stepped);
    assert!(ws.is_running() && ws.has_work());
    ws.poll();
    assert_eq!(ws.progress(), Some((0, RUNS)), "no runs without a slice");
    assert!(ws.advance(Budget::Runs(100)), "work is left");
    assert_eq!(ws.progress(), Some((100, RUNS)), "exactly the budget");
    // A generous time budget finishes the job in one call; its results wait for the poll.
    assert!(!ws.advance(Budget::Time(Duration::from_secs(600))), "nothing left");
    assert!(ws.is_running() && ws.result().is_none());
    ws.poll();
    assert!(ws.result().is_some_and(Computed::is_final));
    assert_eq!(ws.wake_after(), None, "nothing left to wake for");
}

#[test]
fn a_threaded_workspace_leaves_advance_to_its_threads() {
    let mut ws = open(Executor::Threads);
    assert!(!ws.advance(Budget::Runs(100)));
    assert!(ws.wait_until_idle(WAIT));
}

#[test]
fn an_edit_applied_starts_a_new_run() {
    let mut ws = open(Executor::Stepped);
    step_until_idle(&mut ws, 1_000);
    let job = ws.last_job();
    let seed = ws.document().edit.run.seed + 1;
    ws.scenario_mut().run.seed = seed;
    assert_eq!(ws.apply(Command::Edited { immediate: true }), None);
    assert!(ws.last_job() > job, "the edit started a new run");
    assert!(ws.title().ends_with(" *"), "unsaved");
    step_until_idle(&mut ws, 1_000);
    let c = ws.result().expect("a result");
    assert_eq!((c.job, c.provenance.seed), (ws.last_job(), seed));
    assert!(!ws.is_stale());

    // While a slider is dragged, the run waits for a pause.
    let job = ws.last_job();
    ws.scenario_mut().run.seed += 1;
    assert_eq!(ws.apply(Command::Edited { immediate: false }), None);
    assert_eq!(ws.last_job(), job, "not yet");
    assert!(ws.is_running() && ws.wake_after().is_some_and(|d| d <= Duration::from_millis(20)));
    std::thread::sleep(Duration::from_millis(30));
    ws.poll();
    assert!(ws.last_job() > job, "the pause has passed: it runs");

    // An edit that breaks the scenario runs nothing and says why.
    let job = ws.last_job();
    ws.scenario_mut().jurisdictions[0].share0 = 0.95;
    assert_eq!(ws.apply(Command::Edited { immediate: true }), None);
    assert_eq!(ws.last_job(), job);
    assert!(!ws.document().issues.is_empty() && ws.status().contains("problem"), "{}", ws.status());
    assert_eq!(ws.apply(Command::Renormalise), None);
    assert!(ws.document().issues.is_empty() && ws.last_job() > job, "renormalised, it runs");
}

#[test]
fn a_cancelled_job_says_so() {
    let mut ws = open(Executor::Stepped);
    ws.advance(Budget::Runs(100));
    assert_eq!(ws.apply(Command::Cancel), None);
    assert_eq!(ws.status(), "Cancelled.");
    assert!(!ws.is_running() && !ws.has_work() && ws.progress().is_none());
    ws.poll();
    assert!(ws.result().is_none(), "no stage was reached");

    let mut ws = open(Executor::Threads);
    assert_eq!(ws.apply(Command::Cancel), None);
    assert_eq!(ws.status(), "Cancelled.");
    assert!(!ws.is_running());
    assert!(ws.wait_until_idle(WAIT));
}

#[test]
fn structural_edits_run_and_keep_the_reference_policy() {
    let mut ws = open(Executor::Stepped);
    let n = ws.document().edit.policies.len();
    let job = ws.last_job();
    assert_eq!(ws.apply(Command::AddPolicy), None);
    assert_eq!(ws.document().edit.policies.len(), n + 1);
    assert!(ws.last_job() > job);
    assert_eq!(ws.apply(Command::SetReferencePolicy(2)), None);
    assert_eq!(ws.document().valid.run().reference, 2);
    assert_eq!(ws.apply(Command::DuplicatePolicy(0)), None);
    assert_eq!(ws.document().edit.run.reference, 3, "the same policy, one place on");
    assert_eq!(ws.apply(Command::RemovePolicy(n + 1)), None);
    assert_eq!(ws.document().edit.policies.len(), n + 1);
    let job = ws.last_job();
    assert_eq!(ws.apply(Command::SetReferencePolicy(99)), None, "no such policy: nothing");
    assert_eq!(ws.last_job(), job);
    let nj = ws.document().edit.jurisdictions.len();
    assert_eq!(ws.apply(Command::AddJurisdiction), None);
    assert_eq!(ws.apply(Command::RemoveJurisdiction(nj)), None);
    assert_eq!(ws.document().edit.jurisdictions.len(), nj);
    step_until_idle(&mut ws, 1_000);
    assert_eq!(ws.result().expect("a result").n_policies(), n + 1);
}

#[test]
fn commands_leave_dialogs_screenshots_and_closing_to_the_front_end() {
    let mut ws = open(Executor::Stepped);
    let Some(Effect::AskPath { purpose: PathPurpose::Open, .. }) = ws.apply(Command::Open) else {
        panic!("Open asks for a path");
    };
    let Some(Effect::AskPath { purpose: PathPurpose::SaveAs, suggested }) = ws.apply(Command::Save) else {
        panic!("a scenario with no file asks where to save it");
    };
    assert!(suggested.ends_with("baseline_2026.toml"), "{}", suggested.display());
    assert_eq!(ws.apply(Command::ExportFigure { tab: Tab::Overview, only: None }), None, "no result yet");
    assert_eq!(ws.status(), "No results to draw yet.");
    let png = Command::ExportPngTo { plot: "Net".into(), path: PathBuf::from("/tmp/net.png") };
    assert_eq!(ws.apply(png), Some(Effect::CapturePlot { plot: "Net".into(), path: PathBuf::from("/tmp/net.png") }));
    assert_eq!(ws.apply(Command::Quit), Some(Effect::Close), "nothing unsaved: it closes");

    let mut ws = open(Executor::Stepped);
    ws.scenario_mut().name = "Edited".into();
    assert_eq!(ws.apply(Command::Edited { immediate: true }), None);
    assert_eq!(ws.apply(Command::Quit), None);
    assert_eq!(ws.confirming(), Some(&Pending::Close), "unsaved edits: it asks first");
    assert_eq!(ws.apply(Command::CancelPending), None);
    assert_eq!(ws.confirming(), None);
    assert_eq!(ws.apply(Command::Quit), None);
    let Some(Effect::AskPath { purpose: PathPurpose::SaveAs, .. }) = ws.apply(Command::ConfirmSave) else {
        panic!("save first: where?");
    };
    assert_eq!(ws.apply(Command::CancelPrompt), None, "the user does not say");
    assert!(!ws.allows_close());
    assert_eq!(ws.apply(Command::Quit), None);
    assert_eq!(ws.apply(Command::ConfirmDiscard), Some(Effect::Close));
    assert!(ws.allows_close());
    assert!(ws.to_store().unsaved.is_none(), "discarded edits are not kept");
}

#[test]
fn save_first_then_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.toml");
    let mut ws = open(Executor::Stepped);
    ws.scenario_mut().name = "Saved scenario".into();
    assert_eq!(ws.apply(Command::Edited { immediate: true }), None);
    assert_eq!(ws.apply(Command::Quit), None);
    let Some(Effect::AskPath { purpose, .. }) = ws.apply(Command::ConfirmSave) else { panic!("where to save?") };
    assert_eq!(ws.apply(purpose.command(path.clone())), Some(Effect::Close), "saved, then closed");
    assert_eq!(ws.title(), "Tierlab — saved.toml");
    assert_eq!(ws.to_store().last_file.as_deref(), Some(path.as_path()));

    // The next start opens the last file.
    let stored = ws.to_store().clone();
    let options = Options { max_runs: Some(RUNS), executor: Executor::Stepped, ..Options::default() };
    let ws = Workspace::open(stored, None, options, || {});
    assert_eq!(ws.document().edit.name, "Saved scenario");
    assert!(!ws.document().is_dirty());
}

#[test]
fn unsaved_edits_are_kept_for_the_next_start() {
    let mut ws = open(Executor::Stepped);
    ws.scenario_mut().run.seed = 7;
    assert_eq!(ws.apply(Command::Edited { immediate: true }), None);
    let stored = ws.to_store().clone();
    assert!(stored.unsaved.is_some());
    let options = Options { max_runs: Some(RUNS), executor: Executor::Stepped, ..Options::default() };
    let mut ws = Workspace::open(stored, None, options, || {});
    assert_eq!(ws.document().edit.run.seed, 7);
    assert!(ws.document().is_dirty(), "still unsaved");
    step_until_idle(&mut ws, 1_000);
    assert!(ws.status().starts_with("Restored the unsaved edits"), "{}", ws.status());
}

#[test]
fn stepped_analyses_give_the_threaded_analyses() {
    let mut threaded = open(Executor::Threads);
    let mut stepped = open(Executor::Stepped);
    for ws in [&mut threaded, &mut stepped] {
        assert_eq!(ws.apply(Command::SetTab(Tab::Thresholds)), None);
        assert!(ws.wait_for_analyses(WAIT), "the analyses did not finish");
    }
    let json = |ws: &Workspace, slot: Slot| match ws.analysis(slot).outcome {
        Some(Outcome::Sweep(s)) => serde_json::to_string(&*s).expect("serialises"),
        Some(Outcome::Heatmap(h)) => serde_json::to_string(&*h).expect("serialises"),
        Some(Outcome::Best(b)) => serde_json::to_string(&*b).expect("serialises"),
        other => panic!("{slot:?}: {other:?}"),
    };
    for slot in [Slot::Sweep, Slot::Heatmap, Slot::Best] {
        assert_eq!(json(&threaded, slot), json(&stepped, slot), "{slot:?}");
    }
    let Some(Outcome::Sweep(sweep)) = stepped.analysis(Slot::Sweep).outcome else { panic!("a sweep") };
    assert_eq!((sweep.points.len(), sweep.runs), (25, RUNS), "25 points of the capped runs");
}

#[test]
fn a_stopped_analysis_waits_to_be_resumed() {
    let mut ws = open(Executor::Stepped);
    step_until_idle(&mut ws, 1_000);
    assert_eq!(ws.apply(Command::SetTab(Tab::Sensitivity)), None);
    ws.poll();
    assert!(ws.analysis(Slot::Sensitivity).progress.is_some(), "it starts once the run is done");
    ws.advance(Budget::Runs(10));
    assert_eq!(ws.apply(Command::StopAnalysis(Slot::Sensitivity)), None);
    ws.poll();
    let v = ws.analysis(Slot::Sensitivity);
    assert!(v.stopped && v.progress.is_none() && !ws.has_work(), "{v:?}");
    assert_eq!(ws.apply(Command::ResumeAnalysis(Slot::Sensitivity)), None);
    assert!(ws.wait_for_analyses(WAIT));
    assert!(matches!(ws.analysis(Slot::Sensitivity).outcome, Some(Outcome::Sensitivity(_))));
}

/// A stepped workspace keeping its unsaved state in `file`, on a clock moved by hand.
fn open_keeping(file: &std::path::Path, clock: &Clock) -> Workspace {
    let options = Options {
        max_runs: Some(RUNS),
        executor: Executor::Stepped,
        unsaved_file: Some(file.to_path_buf()),
        clock: clock.clone(),
        ..Options::default()
    };
    Workspace::open(Persisted::default(), None, options, || {})
}

#[test]
fn every_kind_of_edit_is_undone_and_redone() {
    let mut ws = open(Executor::Stepped);
    let start = ws.document().edit.clone();
    assert_eq!(ws.undo_label(), None);
    assert_eq!(ws.apply(Command::Undo), None);
    assert_eq!(ws.status(), "Nothing to undo.");
    // A world parameter dragged over many frames, then released: one step.
    for _ in 0..20 {
        match &mut ws.scenario_mut().world[0] {
            crate::model::Dist::Fixed(v) => *v *= 1.001,
            other => *other = crate::model::Dist::Fixed(0.5),
        }
        let _ = ws.apply(Command::Edited { immediate: false });
    }
    let _ = ws.apply(Command::Edited { immediate: true });
    assert_eq!(ws.history().undo_steps().len(), 1, "one drag, one step");
    let after_drag = ws.document().edit.clone();
    // Policies, jurisdictions, run settings.
    let _ = ws.apply(Command::AddPolicy);
    let _ = ws.apply(Command::DuplicatePolicy(0));
    let first = ws.document().edit.policies[0].name.clone();
    ws.scenario_mut().policies[0].name.push_str(" renamed");
    let _ = ws.apply(Command::Edited { immediate: false });
    let _ = ws.apply(Command::RemovePolicy(1));
    let _ = ws.apply(Command::AddJurisdiction);
    // The new jurisdiction's shares are 0: renormalising changes nothing, and is no step.
    let _ = ws.apply(Command::Renormalise);
    ws.scenario_mut().run.seed += 1;
    let _ = ws.apply(Command::Edited { immediate: true });
    let end = ws.document().edit.clone();
    assert_eq!(ws.undo_label(), Some("set the seed"));
    let labels: Vec<&str> = ws.history().undo_steps().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels[3], format!("rename policy “{first}”"), "{labels:?}");
    let n = labels.len();
    assert_eq!(n, 7, "{labels:?}");
    for _ in 0..n - 1 {
        let _ = ws.apply(Command::Undo);
    }
    assert_eq!(ws.document().edit, after_drag);
    assert!(ws.status().starts_with("Undone: "), "{}", ws.status());
    let _ = ws.apply(Command::Undo);
    assert_eq!(ws.document().edit, start);
    assert!(!ws.document().is_dirty());
    for _ in 0..n {
        let _ = ws.apply(Command::Redo);
    }
    assert_eq!(ws.document().edit, end);
    assert_eq!(ws.redo_label(), None);
    // What runs follows: the undone scenario is checked and run.
    let _ = ws.apply(Command::Undo);
    assert_eq!(ws.document().valid.to_draft(), ws.document().edit);
}

#[test]
fn an_edit_then_no_input_is_on_disk_within_two_seconds_and_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state").join("unsaved.json");
    let clock = Clock::manual();
    let mut ws = open_keeping(&file, &clock);
    ws.scenario_mut().run.seed = 4242;
    let _ = ws.apply(Command::Edited { immediate: true });
    ws.scenario_mut().name = "Kept".into();
    let _ = ws.apply(Command::Edited { immediate: true });
    assert!(!file.exists(), "not yet");
    // The front end is told to wake in time even when nothing else happens.
    let wake = ws.wake_after().expect("a wake-up");
    assert!(wake <= Duration::from_secs(2), "{wake:?}");
    clock.advance(Duration::from_secs(2));
    ws.poll();
    assert!(file.exists(), "on disk within 2 s of the edit");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("4242"), "{text}");
    assert!(std::fs::read_dir(file.parent().unwrap()).unwrap().count() == 1, "no temporary file left");

    // The process is killed here (nothing else is written); the next start restores the edits
    // and their history.
    drop(ws);
    let mut ws = open_keeping(&file, &clock);
    assert_eq!(ws.document().edit.run.seed, 4242);
    assert_eq!(ws.document().edit.name, "Kept");
    assert!(ws.document().is_dirty());
    assert_eq!(ws.undo_label(), Some("rename the scenario"));
    let _ = ws.apply(Command::Undo);
    let _ = ws.apply(Command::Undo);
    assert_eq!(ws.document().edit, Scenario::built_in().to_draft());
    assert_eq!(ws.redo_label(), Some("set the seed"));

    // Undone back to the file: nothing unsaved, so nothing is kept.
    clock.advance(Duration::from_secs(2));
    ws.poll();
    assert!(!file.exists(), "no unsaved edits, no file");
}

#[test]
fn a_threshold_set_from_the_plot_is_saved_without_float_noise() {
    use crate::analysis::sweep::SweepParam;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.toml");
    let mut ws = open(Executor::Stepped);
    let policy = crate::analysis::sweep::default_policy(&ws.document().valid).expect("a tiered policy");
    // A click at x = 26.93 on the plot: the value a naive rounding makes is 26.950000000000003.
    let _ = ws.apply(Command::SetSweptValue { policy, param: SweepParam::OpenBelow, value: 26.93, immediate: true });
    let _ = ws.apply(Command::SaveTo(path.clone()));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("open_below = 26.95"), "{text}");
    assert!(!text.contains("0000000"), "float noise in the file: {text}");
    let _ = ws.apply(Command::SetSweptValue { policy, param: SweepParam::GatedBelow, value: 28.07, immediate: true });
    let p = &ws.document().edit.policies[policy];
    assert_eq!(SweepParam::GatedBelow.current(p, ws.document().edit.jurisdictions.len()), Some(28.05));
}
