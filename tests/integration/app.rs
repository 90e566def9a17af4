//! The desktop app, driven through egui_kittest: the real `TierlabApp`, clicked and typed at,
//! with few runs per simulation and a deterministic wait for its workspace.

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::{Key, Modifiers, Pos2, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tierlab::app::views::VIEWS;
use tierlab::app::{AppCommand, AppOptions, Tab, TierlabApp};
use tierlab::model::Scenario;
use tierlab::model::scenario::BUILT_IN_TOML;
use tierlab::workspace::analyses::{Outcome, Slot};

/// Runs per simulation in these tests (the preview is 256, so every run also refines once).
const RUNS: u64 = 300;
const WAIT: Duration = Duration::from_secs(300);
const SIZE: [f32; 2] = [1440.0, 900.0];

fn harness<'a>(file: Option<PathBuf>) -> Harness<'a, TierlabApp> {
    harness_sized(file, SIZE)
}

fn harness_sized<'a>(file: Option<PathBuf>, size: [f32; 2]) -> Harness<'a, TierlabApp> {
    Harness::builder()
        .with_size(size)
        .with_max_steps(200)
        .with_theme(egui::Theme::Light)
        .build_eframe(move |cc| TierlabApp::new(&cc.egui_ctx, None, file, AppOptions::for_tests(RUNS)))
}

/// Draws, waits for the simulation in flight to finish, and draws its result.
fn settle(h: &mut Harness<'_, TierlabApp>) {
    h.run_ok();
    assert!(h.state_mut().workspace_mut().wait_until_idle(WAIT), "the simulation did not finish");
    h.run();
}

/// Scrolls the widget with this label into view, then clicks it.
fn click(h: &mut Harness<'_, TierlabApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run();
    h.get_by_label(label).click();
    h.run_ok();
}

/// The same for the leftmost widget with this label (the scenario panel's, not the table's).
fn click_in_panel(h: &mut Harness<'_, TierlabApp>, label: &str) {
    let leftmost = |h: &Harness<'_, TierlabApp>| {
        let nodes: Vec<_> = h.get_all_by_label(label).collect();
        nodes.iter().map(|n| n.rect().left()).fold(f32::INFINITY, f32::min)
    };
    let x = leftmost(h);
    h.get_all_by_label(label).find(|n| n.rect().left() == x).expect("found").scroll_to_me();
    h.run();
    let x = leftmost(h);
    h.get_all_by_label(label).find(|n| n.rect().left() == x).expect("found").click();
    h.run_ok();
}

fn policy_names(h: &Harness<'_, TierlabApp>) -> Vec<String> {
    h.state().workspace().document().edit.policies.iter().map(|p| p.name.clone()).collect()
}

fn result_names(h: &Harness<'_, TierlabApp>) -> Vec<String> {
    h.state().workspace().result().expect("a result").policy_names.clone()
}

fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Replaces the text of the typed-path window's field.
fn type_path(h: &mut Harness<'_, TierlabApp>, path: &Path) {
    type_into(h, "File path", path);
}

fn type_into(h: &mut Harness<'_, TierlabApp>, field: &str, path: &Path) {
    h.get_by_label(field).focus();
    h.run();
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
    h.get_by_label(field).type_text(&path.display().to_string());
    h.run();
}

/// Chooses File > `item`, types `dir` into the typed-folder window and confirms.
fn export_to_folder(h: &mut Harness<'_, TierlabApp>, item: &str, dir: &Path) {
    h.get_by_label("File").click();
    h.run();
    h.get_by_label(item).click();
    h.run();
    type_into(h, "Folder path", dir);
    h.get_by_label("Write").click();
    h.run();
}

#[test]
fn baseline_loads_runs_and_lists_every_policy() {
    let mut h = harness(None);
    settle(&mut h);
    let r = h.state().workspace().result().expect("a result");
    assert!(r.is_final());
    assert_eq!(r.runs, RUNS as usize);
    assert_eq!(h.state().workspace().title(), "Tierlab — Baseline 2026");
    let names = policy_names(&h);
    assert_eq!(names, Scenario::built_in().policies().iter().map(|p| p.name.clone()).collect::<Vec<_>>());
    assert_eq!(result_names(&h), names);
    for name in &names {
        assert!(h.query_all_by_label(name).count() >= 1, "{name} is not in the summary table");
    }
    // Every tab draws the same result.
    for tab in Tab::ALL {
        h.get_by_label(tab.label()).click();
        h.run();
        assert_eq!(h.state().workspace().persisted().tab, tab);
    }
    assert!(h.query_by_label_contains("1. Broad benefits").is_some(), "the Learn view explains");
    // The status bar stamps the hash of the file as loaded: the one `tierlab run` stamps.
    let hash = tierlab::model::scenario::sha256_hex(tierlab::model::scenario::BUILT_IN_TOML);
    assert_eq!(h.state().workspace().result().expect("a result").provenance.scenario_sha256, hash);
    assert!(h.query_by_label_contains(&format!("scenario {}", &hash[..12])).is_some(), "hash in the status bar");
}

#[test]
fn moving_a_threshold_changes_the_results() {
    let mut h = harness(None);
    settle(&mut h);
    let policy = 1;
    assert_eq!(policy_names(&h)[policy], "Global tiered 1e27");
    let before = h.state().workspace().result().unwrap().summary.policies[policy].clone();
    let job = h.state().workspace().last_job();
    // The first tiered policy starts open in the panel: its sliders are there.
    h.run();
    let slider = || (egui::accesskit::Role::Slider, "open below");
    h.get_by_role_and_label(slider().0, slider().1).scroll_to_me();
    h.run();
    h.get_by_role_and_label(slider().0, slider().1).set_value_accesskit(26.5);
    settle(&mut h);
    let regime = h.state().workspace().document().edit.policies[policy].default;
    assert!(matches!(regime, tierlab::model::Regime::Tiered { open_below, .. } if (open_below - 26.5).abs() < 1e-9));
    assert!(h.state().workspace().last_job() > job, "the edit started a new run");
    let after = &h.state().workspace().result().unwrap().summary.policies[policy];
    assert_ne!(after.net.mean, before.net.mean, "a lower threshold changes the tiered policy's outcome");
    assert!(h.state().workspace().title().ends_with(" *"), "the title marks unsaved changes");
}

#[test]
fn add_duplicate_and_remove_a_policy() {
    let mut h = harness(None);
    settle(&mut h);
    let base = policy_names(&h);

    click(&mut h, "Add policy");
    settle(&mut h);
    let mut expected = base.clone();
    expected.push("New policy".into());
    assert_eq!(policy_names(&h), expected);
    assert_eq!(result_names(&h), expected, "the new policy was simulated");

    // Close the policy that starts open, open the new one: one "Duplicate policy" in view.
    click_in_panel(&mut h, "Global tiered 1e27");
    click_in_panel(&mut h, "New policy");
    h.run();
    click(&mut h, "Duplicate policy");
    settle(&mut h);
    expected.push("New policy (copy)".into());
    assert_eq!(policy_names(&h), expected);
    assert_eq!(result_names(&h), expected);

    click(&mut h, "Remove policy");
    settle(&mut h);
    expected.remove(base.len());
    assert_eq!(policy_names(&h), expected);
    assert_eq!(result_names(&h), expected);
}

#[test]
fn pin_and_unpin() {
    let mut h = harness(None);
    settle(&mut h);
    h.get_by_label("Pin result").click();
    h.run();
    let pinned_job = h.state().workspace().pinned().expect("pinned").job;
    assert!(h.query_by_label("pinned: Status quo").is_some(), "the pinned rows are in the table");

    // New results arrive beside the pinned ones.
    h.state_mut().workspace_mut().scenario_mut().run.seed += 1;
    h.state_mut().apply(AppCommand::Edited { immediate: true });
    settle(&mut h);
    assert_eq!(h.state().workspace().pinned().unwrap().job, pinned_job);
    assert_ne!(h.state().workspace().result().unwrap().job, pinned_job);
    for tab in Tab::ALL {
        h.get_by_label(tab.label()).click();
        h.run();
    }

    h.get_by_label("Unpin").click();
    h.run();
    assert!(h.state().workspace().pinned().is_none());
    h.get_by_label("Overview").click();
    h.run();
    assert!(h.query_by_label("pinned: Status quo").is_none());
}

/// The baseline with two errors: a probability above 1 and shares that no longer sum to 1.
fn broken_file(dir: &Path) -> PathBuf {
    let text = BUILT_IN_TOML
        .replace("strip_prob = { dist = \"beta\", mean = 0.95, sd = 0.03 }", "strip_prob = 1.4")
        .replace("share0 = 0.75", "share0 = 0.5");
    assert_ne!(text, BUILT_IN_TOML);
    let path = dir.join("broken.toml");
    std::fs::write(&path, text).expect("the test file is written");
    path
}

#[test]
fn an_invalid_file_shows_every_error_and_keeps_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken_file(dir.path());
    let mut h = harness(None);
    settle(&mut h);
    let job = h.state().workspace().last_job();

    h.get_by_label("File").click();
    h.run();
    h.get_by_label_contains("Open…").click();
    h.run();
    type_path(&mut h, &path);
    h.get_by_label("Open").click();
    h.run();

    let errors = h.state().workspace().file_errors().expect("the errors are shown").clone();
    assert!(errors.issues.len() >= 2, "{errors:?}");
    assert!(errors.issues.iter().all(|i| i.line.is_some()), "every error has its line: {errors:?}");
    assert!(h.query_by_label_contains("world.strip_prob").is_some());
    assert!(h.query_by_label_contains("jurisdictions' share0").is_some());
    assert_eq!(h.state().workspace().document().edit, Scenario::built_in(), "nothing changed");
    assert_eq!(h.state().workspace().document().path, None);
    assert_eq!(h.state().workspace().last_job(), job, "nothing ran");

    h.get_by_label("Close").click();
    h.run();
    assert!(h.state().workspace().file_errors().is_none());
}

#[test]
fn an_invalid_file_on_the_command_line_falls_back_to_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let path = broken_file(dir.path());
    let mut h = harness(Some(path));
    settle(&mut h);
    assert!(h.state().workspace().file_errors().is_some_and(|e| e.issues.len() >= 2));
    assert_eq!(h.state().workspace().document().edit, Scenario::built_in());
    assert!(h.state().workspace().result().is_some_and(|r| r.is_final()), "the baseline runs");
}

#[test]
fn save_then_reload_gives_an_equal_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.toml");
    let mut h = harness(None);
    settle(&mut h);
    click(&mut h, "Add policy");
    click(&mut h, "Add jurisdiction");
    settle(&mut h);
    assert!(h.state().workspace().title().ends_with(" *"));
    // New jurisdiction has zero shares: the sums still hold and the scenario is valid.
    assert!(h.state().workspace().document().issues.is_empty(), "{:?}", h.state().workspace().document().issues);

    h.get_by_label("File").click();
    h.run();
    // The menu's "Save" (its label carries the shortcut), not "Save as…".
    h.get_by(|n| n.label().is_some_and(|l| l.starts_with("Save") && !l.contains("as"))).click();
    h.run();
    type_path(&mut h, &path);
    h.get_by_label("Save").click();
    h.run();
    assert_eq!(h.state().workspace().title(), "Tierlab — saved.toml", "{}", h.state().workspace().status());
    let (on_disk, _) = Scenario::load(&path).expect("the saved file validates");
    let edited = h.state().workspace().document().edit.clone();
    assert_eq!(on_disk, edited);
    // The baseline's comments (the sources of its numbers) survive the save, in order.
    let text = std::fs::read_to_string(&path).unwrap();
    let comments =
        |t: &str| t.lines().filter(|l| l.trim_start().starts_with('#')).map(String::from).collect::<Vec<_>>();
    assert_eq!(comments(&text), comments(tierlab::model::scenario::BUILT_IN_TOML), "a save keeps every comment");

    // Unsaved edits: opening asks first; discarding reloads the file.
    h.state_mut().workspace_mut().scenario_mut().run.seed += 1;
    h.state_mut().apply(AppCommand::Edited { immediate: true });
    h.state_mut().apply(AppCommand::OpenPath(path.clone()));
    h.run_ok();
    assert!(h.query_by_label("Unsaved changes").is_some(), "opening with unsaved edits asks first");
    h.get_by_label("Discard changes").click();
    settle(&mut h);
    assert_eq!(h.state().workspace().document().edit, on_disk);
    assert_eq!(h.state().workspace().title(), "Tierlab — saved.toml");
    assert_eq!(result_names(&h).len(), on_disk.policies().len());
}

#[test]
fn jurisdiction_sums_are_flagged_and_renormalised_on_request() {
    let mut h = harness(None);
    settle(&mut h);
    let job = h.state().workspace().last_job();
    h.state_mut().workspace_mut().scenario_mut().jurisdictions[0].share0 = 0.95;
    h.state_mut().apply(AppCommand::Edited { immediate: true });
    h.run();
    assert!(!h.state().workspace().document().issues.is_empty(), "the sum is off and flagged");
    assert_eq!(h.state().workspace().last_job(), job, "an invalid edit does not run");
    click(&mut h, "Renormalise sums");
    settle(&mut h);
    assert!(h.state().workspace().document().issues.is_empty());
    let s: f64 = h.state().workspace().document().edit.jurisdictions.iter().map(|j| j.share0).sum();
    assert!((s - 1.0).abs() < 1e-9);
    assert!(h.state().workspace().last_job() > job);
}

#[test]
fn typing_a_number_keystroke_by_keystroke_keeps_the_edit_going() {
    // "0.8" is "0" after its first keystroke: the shares stop summing to 1 and the problems
    // box appears. The field must keep its focus and take the rest of the number.
    let mut h = harness(None);
    settle(&mut h);
    h.get_all_by_label("share0").next().expect("the US share0 field").scroll_to_me();
    h.run();
    h.get_all_by_label("share0").next().expect("the US share0 field").focus();
    h.run();
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
    h.run();
    for key in ["0", ".", "8"] {
        h.get_all_by_label("share0").next().expect("the US share0 field").type_text(key);
        h.run();
        h.run();
    }
    h.key_press(Key::Enter);
    h.run();
    let share = h.state().workspace().document().edit.jurisdictions[0].share0;
    assert!((share - 0.8).abs() < 1e-12, "the whole number was taken: share0 = {share}");
    assert!(!h.state().workspace().document().issues.is_empty(), "0.8 breaks the sum, and that is flagged");
    assert!(
        h.state().workspace().status().contains("problem"),
        "the status line says so: {}",
        h.state().workspace().status()
    );
}

#[test]
fn a_small_window_can_hide_the_panel_and_reach_every_tab() {
    let mut h = Harness::builder()
        .with_size([1024.0, 700.0])
        .with_max_steps(200)
        .with_theme(egui::Theme::Light)
        .build_eframe(|cc| TierlabApp::new(&cc.egui_ctx, None, None, AppOptions::for_tests(RUNS)));
    settle(&mut h);
    // A small window starts with the panel as a strip, so the plots have the width.
    assert!(h.query_by_label("Scenario").is_none(), "the panel starts as a strip");
    for tab in Tab::ALL {
        let r = h.get_by_label(tab.label()).rect();
        assert!(r.right() <= 1024.0 && r.bottom() <= 700.0, "{} at {r:?}", tab.label());
    }
    // The strip's button opens it; every tab still sits inside the window beside it.
    h.get_by_label("»").click();
    h.run();
    h.run();
    assert!(h.query_by_label("Scenario").is_some(), "the strip opens the panel");
    for tab in Tab::ALL {
        let r = h.get_by_label(tab.label()).rect();
        assert!(r.right() <= 1024.0 && r.bottom() <= 700.0, "{} at {r:?}", tab.label());
    }
    // « hides it again, and View > Scenario panel is the same switch.
    h.get_by_label("«").click();
    h.run();
    h.run();
    assert!(!h.state().workspace().persisted().show_panel);
    assert!(h.query_by_label("Scenario").is_none(), "the panel is hidden");
    if let Some(dir) = std::env::var_os("TIERLAB_SHOT_DIR") {
        h.render().expect("render").save(Path::new(&dir).join("small_window.png")).expect("save");
    }
}

/// The status line holds timings: leave it out of snapshots.
fn mask_status(h: &mut Harness<'_, TierlabApp>) {
    mask_status_at(h, SIZE);
}

fn mask_status_at(h: &mut Harness<'_, TierlabApp>, size: [f32; 2]) {
    h.mask(Rect::from_min_max(Pos2::new(0.0, size[1] - 32.0), Pos2::new(size[0], size[1])));
}

/// A snapshot of every tab in the table of views, in the light theme, with its analyses done,
/// on a large screen (1600x1000: `tests/snapshots/{slug}_light.png`) and a small laptop
/// (1024x700: `{slug}_light_small.png`, where the scenario panel starts as a strip);
/// `UPDATE_SNAPSHOTS=1` writes them anew.
#[test]
fn snapshot_every_tab_light_at_both_sizes() {
    let mut failed = Vec::new();
    for (size, suffix) in [([1600.0, 1000.0], ""), ([1024.0, 700.0], "_small")] {
        let mut h = harness_sized(None, size);
        settle(&mut h);
        for view in &VIEWS {
            open_tab_and_wait(&mut h, view.tab);
            assert_eq!(h.state().workspace().persisted().tab, view.tab);
            h.remove_cursor();
            h.run();
            mask_status_at(&mut h, size);
            if let Err(e) = h.try_snapshot(format!("{}_light{suffix}", view.tab.slug())) {
                failed.push(format!("{}{suffix}: {e}", view.label()));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn snapshot_learn_dark_with_pinned() {
    let mut h = harness(None);
    settle(&mut h);
    h.get_by_label("Pin result").click();
    h.get_by_label("Dark theme").click();
    h.get_by_label("Learn").click();
    h.run();
    assert!(h.state().workspace().persisted().dark);
    h.remove_cursor();
    h.run();
    mask_status(&mut h);
    h.snapshot("learn_dark_pinned");
}

#[test]
fn exports_view_csv_and_a_plot_png() {
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("overview.csv");
    let figure_dir = dir.path().join("net_figure");
    let mut h = harness(None);
    settle(&mut h);

    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export Overview data (CSV)…").click();
    h.run();
    type_path(&mut h, &csv_path);
    h.get_by_label("Save").click();
    h.run();
    let text = std::fs::read_to_string(&csv_path).expect("the CSV was written");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("result,policy,quantity,statistic,value"));
    assert!(lines.any(|l| l.starts_with("current,Status quo,net,mean,")));
    // Beside it, the provenance and the scenario text it hashes.
    let json = read_json(&dir.path().join("overview.json"));
    assert_eq!((json["kind"].as_str(), json["view"].as_str()), (Some("view"), Some("Overview")));
    let current = &json["results"][0];
    assert_eq!(current["result"], "current");
    let text = current["scenario_as_run"].as_str().expect("the scenario's text");
    assert_eq!(text, tierlab::model::scenario::BUILT_IN_TOML, "the built-in file, unchanged");
    assert_eq!(current["provenance"]["scenario_sha256"], tierlab::model::scenario::sha256_hex(text).as_str());
    assert_eq!(current["provenance"]["runs"], RUNS);

    // A plot's export is its publication figure (SVG and PNG by the report's renderer, with
    // the seed and the scenario hash), never a screen grab.
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export plot").click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Net welfare across worlds (SVG + PNG)").click();
    h.run();
    type_into(&mut h, "Folder path", &figure_dir);
    h.get_by_label("Write").click();
    h.run();
    assert!(h.state_mut().workspace_mut().wait_for_publishing(WAIT));
    let svg = std::fs::read_to_string(figure_dir.join("net_distribution.svg")).expect("the SVG was written");
    let hash = tierlab::model::scenario::sha256_hex(tierlab::model::scenario::BUILT_IN_TOML);
    assert!(svg.contains("20261122") && svg.contains(&hash[..12]), "seed and scenario hash in the figure");
    let png = image::open(figure_dir.join("net_distribution.png")).expect("the PNG was written");
    assert!(png.width() >= 1200, "a print-size PNG, not a screen grab: {}x{}", png.width(), png.height());
    assert!(figure_dir.join("net_distribution.json").exists(), "the sidecar");
    assert!(!figure_dir.join("harm_exceedance.svg").exists(), "only the plot asked for");
}

#[test]
fn closing_with_unsaved_edits_asks_first() {
    let mut h = harness(None);
    settle(&mut h);
    h.state_mut().workspace_mut().scenario_mut().name = "Edited".into();
    h.state_mut().apply(AppCommand::Edited { immediate: true });
    h.run_ok();
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.run_ok();
    let cancelled = h
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(&egui::ViewportCommand::CancelClose));
    assert!(cancelled || h.query_by_label("Unsaved changes").is_some());
    assert!(h.query_by_label("Unsaved changes").is_some(), "the app asks before closing");
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.query_by_label("Unsaved changes").is_none());
    assert_eq!(h.state().workspace().document().edit.name, "Edited", "nothing was lost");
}

/// eframe's storage, in memory.
#[derive(Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

fn harness_with_storage<'a>(storage: &MemoryStorage, file: Option<PathBuf>) -> Harness<'a, TierlabApp> {
    let stored = MemoryStorage(storage.0.clone());
    Harness::builder()
        .with_size(SIZE)
        .with_max_steps(200)
        .build_eframe(move |cc| TierlabApp::new(&cc.egui_ctx, Some(&stored), file, AppOptions::for_tests(RUNS)))
}

#[test]
fn unsaved_edits_survive_a_crash_but_not_a_discard() {
    let mut storage = MemoryStorage::default();
    let mut h = harness_with_storage(&storage, None);
    settle(&mut h);
    h.state_mut().workspace_mut().scenario_mut().name = "Edited before the crash".into();
    h.state_mut().workspace_mut().scenario_mut().run.seed = 7;
    h.state_mut().apply(AppCommand::Edited { immediate: true });
    settle(&mut h);
    // eframe stores the state every 30 s; the process then dies without closing.
    eframe::App::save(h.state_mut(), &mut storage);
    drop(h);

    let mut h = harness_with_storage(&storage, None);
    settle(&mut h);
    let doc = h.state().workspace().document();
    assert_eq!((doc.edit.name.as_str(), doc.edit.run.seed), ("Edited before the crash", 7), "the edits are back");
    assert!(doc.is_dirty(), "and still unsaved");
    assert_eq!(doc.saved, Scenario::built_in(), "on top of the scenario they were made to");
    assert!(h.query_by_label_contains("Restored the unsaved edits").is_some(), "the status line says so");
    assert_eq!(h.state().workspace().result().expect("a result").provenance.seed, 7, "and they run");

    // Closing with "Discard changes" stores no edits.
    h.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    h.run_ok();
    h.get_by_label("Discard changes").click();
    h.run_ok();
    eframe::App::save(h.state_mut(), &mut storage);
    drop(h);
    let mut h = harness_with_storage(&storage, None);
    settle(&mut h);
    assert!(!h.state().workspace().document().is_dirty(), "discarded edits stay discarded");
    assert_eq!(h.state().workspace().document().edit, Scenario::built_in());
}

/// Opens a tab and waits for the simulation and the tab's analyses.
fn open_tab_and_wait(h: &mut Harness<'_, TierlabApp>, tab: Tab) {
    h.get_by_label(tab.label()).click();
    h.run();
    assert!(h.state_mut().workspace_mut().wait_for_analyses(WAIT), "the analyses did not finish");
    h.run();
}

fn sweep_of(h: &Harness<'_, TierlabApp>) -> std::sync::Arc<tierlab::analysis::sweep::Sweep> {
    match h.state().workspace().analysis(Slot::Sweep).outcome {
        Some(Outcome::Sweep(s)) => s,
        other => panic!("no sweep: {other:?}"),
    }
}

#[test]
fn thresholds_tab_sweeps_marks_the_best_and_drags_the_threshold() {
    let mut h = harness(None);
    settle(&mut h);
    open_tab_and_wait(&mut h, Tab::Thresholds);
    let sw = sweep_of(&h);
    assert_eq!(sw.policy, "Global tiered 1e27", "the first tiered policy that is not the reference policy");
    assert_eq!(sw.points.len(), 25);
    assert_eq!(sw.runs, RUNS, "runs per point are capped like the app's runs");
    assert!((sw.current_value - 27.0).abs() < 1e-12);
    let heat = match h.state().workspace().analysis(Slot::Heatmap).outcome {
        Some(Outcome::Heatmap(x)) => x,
        other => panic!("no heat map: {other:?}"),
    };
    assert_eq!(heat.param2, "world.hazard_threshold");
    assert_eq!(heat.cells.len(), heat.values.len() * heat.values2.len());
    for title in [
        "Expected benefit, harm and net",
        "Chance of at least one catastrophe",
        "Benefit against tail risk (frontier)",
        "Net difference to Status quo (reference policy)",
    ] {
        assert!(h.query_by_label(title).is_some(), "{title} is drawn");
    }
    assert!(
        h.query_by_label_contains("Best threshold with P(catastrophe) no higher than the reference policy").is_some()
    );
    assert!(
        h.query_by_label_contains("bootstrap resamples").is_some()
            || h.query_by_label_contains("No grid point").is_some(),
        "the best threshold is stated"
    );

    // The tab's data: sweep.csv's columns and sweep.json's keys, as the command line writes
    // them, with the heat map beside; the provenance names the file as opened.
    let dir = tempfile::tempdir().unwrap();
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export Thresholds data (CSV)…").click();
    h.run();
    type_path(&mut h, &dir.path().join("thr.csv"));
    h.get_by_label("Save").click();
    h.run();
    let csv = std::fs::read_to_string(dir.path().join("thr.csv")).expect("sweep CSV");
    assert!(csv.starts_with("value,benefit_mean,benefit_se,harm_mean,harm_se,net_mean,net_se,p_catastrophe,"));
    assert_eq!(csv.lines().count(), 26);
    assert!(dir.path().join("thr_heatmap.csv").exists());
    let hash = tierlab::model::scenario::sha256_hex(tierlab::model::scenario::BUILT_IN_TOML);
    let json = read_json(&dir.path().join("thr.json"));
    assert_eq!(json["kind"], "sweep");
    assert_eq!(json["provenance"]["scenario_sha256"], hash.as_str());
    assert_eq!(json["provenance"]["runs"], RUNS);
    assert_eq!(json["points"].as_array().map(Vec::len), Some(25));
    assert!(json["best_threshold"].is_object(), "the best threshold on screen goes with the sweep");
    let heat = read_json(&dir.path().join("thr_heatmap.json"));
    assert_eq!(heat["kind"], "sweep2d");
    assert_eq!(heat["provenance"]["scenario_sha256"], hash.as_str());
    assert_eq!(heat["best_by_value2"].as_array().map(Vec::len), heat["values2"].as_array().map(Vec::len));

    // Drag across the welfare plot: the policy's open_below follows the pointer, its gated
    // ceiling keeps its distance, and the results and the sweep are redone.
    let job = h.state().workspace().last_job();
    let title = h.get_by_label("Expected benefit, harm and net").rect();
    let y = title.bottom() + 120.0;
    h.drag_at(Pos2::new(title.left() + 120.0, y));
    h.run();
    h.hover_at(Pos2::new(title.left() + 160.0, y));
    h.run();
    h.drop_at(Pos2::new(title.left() + 160.0, y));
    h.run();
    let tierlab::model::Regime::Tiered { open_below, gated_below, .. } =
        h.state().workspace().document().edit.policies[1].default
    else {
        panic!("the policy stays tiered");
    };
    assert!(open_below != 27.0 && (25.0..=29.0).contains(&open_below), "open_below = {open_below}");
    assert!(((open_below / 0.05).round() * 0.05 - open_below).abs() < 1e-9, "snapped to the slider's step");
    assert!((gated_below - open_below - 1.0).abs() < 1e-9, "the gap between the ceilings stays");
    assert!(h.state().workspace().last_job() > job, "the edit ran the scenario again");
    assert!(h.state_mut().workspace_mut().wait_for_analyses(WAIT));
    h.run();
    let redone = sweep_of(&h);
    assert!((redone.current_value - open_below).abs() < 1e-12, "the sweep follows the new setting");
    assert_eq!(
        redone.points.iter().map(|p| p.value).collect::<Vec<_>>(),
        sw.points.iter().map(|p| p.value).collect::<Vec<_>>(),
        "the grid stays"
    );
}

#[test]
fn thresholds_tab_shows_progress_and_can_stop() {
    // Many runs per point in a debug build: the sweep takes long enough to watch.
    let mut h = Harness::builder()
        .with_size(SIZE)
        .with_max_steps(200)
        .build_eframe(|cc| TierlabApp::new(&cc.egui_ctx, None, None, AppOptions::for_tests(1_000_000)));
    h.state_mut().workspace_mut().scenario_mut().run.runs = 256;
    h.state_mut().apply(AppCommand::Edited { immediate: true });
    settle(&mut h);
    h.get_by_label("Thresholds").click();
    h.run();
    h.run();
    let v = h.state().workspace().analysis(Slot::Sweep);
    assert!(v.progress.is_some(), "a sweep of 10,000 runs per point is in flight: {v:?}");
    assert!(h.query_by_label_contains("computing the sweep").is_some(), "its progress is shown");
    // The UI keeps drawing while it runs.
    h.get_by_label("Overview").click();
    h.run();
    h.get_by_label("Thresholds").click();
    h.run();
    h.get_by_label("Stop").click();
    h.run();
    let v = h.state().workspace().analysis(Slot::Sweep);
    assert!(v.progress.is_none() && v.stopped, "{v:?}");
    assert!(h.query_by_label("Resume").is_some());
}

#[test]
fn sensitivity_tab_ranks_parameters_and_compares_the_worst_worlds() {
    let mut h = harness(None);
    settle(&mut h);
    open_tab_and_wait(&mut h, Tab::Sensitivity);
    let r = match h.state().workspace().analysis(Slot::Sensitivity).outcome {
        Some(Outcome::Sensitivity(r)) => r,
        other => panic!("no sensitivity analysis: {other:?}"),
    };
    assert_eq!(r.runs, RUNS);
    assert_eq!(r.output, tierlab::analysis::sensitivity::Output::Net);
    let uncertain = Scenario::built_in().uncertain_params().len();
    assert_eq!(r.params.len(), uncertain);
    assert!(r.params.windows(2).all(|w| w[0].swing >= w[1].swing), "sorted by swing");
    assert!(h.query_by_label_contains("Tornado: mean net welfare").is_some());
    assert!(h.query_by_label("Rank correlations: PRCC and Spearman").is_some());
    assert!(h.query_by_label("What drove the worst 5% of worlds").is_some());
    let first = r.tail.params[0].param.clone();
    assert!(h.query_by_label(&format!("{first}: worst worlds against all")).is_some(), "the top row is shown");

    // Another parameter's distributions on a click.
    let other = r.tail.params[1].param.clone();
    click(&mut h, &other);
    assert!(h.query_by_label(&format!("{other}: worst worlds against all")).is_some());

    // Another output: the analysis is redone for it.
    h.get_by_label("What drives").click();
    h.run();
    h.get_by_role_and_label(egui::accesskit::Role::Button, "harm").click();
    h.run();
    assert!(h.state_mut().workspace_mut().wait_for_analyses(WAIT));
    h.run();
    let r = match h.state().workspace().analysis(Slot::Sensitivity).outcome {
        Some(Outcome::Sensitivity(r)) => r,
        other => panic!("no sensitivity analysis: {other:?}"),
    };
    assert_eq!(r.output, tierlab::analysis::sensitivity::Output::Harm);
    assert!(h.query_by_label_contains("Tornado: mean harm").is_some());
}

#[test]
fn decision_support_tab_discovers_a_box_and_ranks_regret_and_information() {
    let mut h = harness(None);
    settle(&mut h);
    open_tab_and_wait(&mut h, Tab::Decision);
    let d = match h.state().workspace().analysis(Slot::Decision).outcome {
        Some(Outcome::Decision(d)) => d,
        other => panic!("no decision analysis: {other:?}"),
    };
    assert_eq!(d.discovery.runs, RUNS, "worlds are capped like the app's runs");
    assert_eq!(d.discovery.policy, "Global tiered 1e27", "the threshold sweep's default policy");
    assert!(d.discovery.event_text.contains("nets less than \"Status quo\""), "{}", d.discovery.event_text);
    assert_eq!(d.robustness.options.len(), Scenario::built_in().policies().len());
    assert!(h.query_by_label(&d.discovery.statement).is_some(), "the box in words is shown");
    for title in [
        "PRIM trade-off: click a box",
        "The chosen box",
        "Regret per policy",
        "Value of information: what resolving each parameter is worth",
    ] {
        assert!(h.query_by_label(title).is_some(), "{title} is drawn");
    }
    for r in &d.discovery.chosen_box.restrictions {
        assert!(h.query_by_label(&r.rule()).is_some(), "rule {} listed", r.rule());
    }
    let money = tierlab::fmt::money_compact;
    for o in &d.robustness.options {
        let cell = format!("{} ± {}", money(o.regret_mean), money(o.regret_se));
        assert!(h.query_by_label(&cell).is_some(), "{}'s mean regret {cell} in the table", o.name);
    }

    // Another box on the trajectory: the decision analysis is redone for it, without a new
    // simulation of the worlds.
    let worlds_before = match h.state().workspace().analysis(Slot::Worlds).outcome {
        Some(Outcome::Worlds(w)) => w,
        other => panic!("no worlds: {other:?}"),
    };
    h.state_mut().workspace_mut().view_state_mut().decision.chosen = Some(1);
    h.run();
    assert!(h.state_mut().workspace_mut().wait_for_analyses(WAIT));
    h.run();
    let d1 = match h.state().workspace().analysis(Slot::Decision).outcome {
        Some(Outcome::Decision(d)) => d,
        other => panic!("no decision analysis: {other:?}"),
    };
    assert_eq!(d1.discovery.chosen, 1);
    assert_eq!(d1.discovery.trajectory, d.discovery.trajectory, "the same trajectory");
    match h.state().workspace().analysis(Slot::Worlds).outcome {
        Some(Outcome::Worlds(w)) => assert!(std::sync::Arc::ptr_eq(&w, &worlds_before), "no new simulation"),
        other => panic!("no worlds: {other:?}"),
    }
}

#[test]
fn exports_publication_figures_and_the_report_with_progress() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(None);
    settle(&mut h);
    open_tab_and_wait(&mut h, Tab::Thresholds);

    // The Thresholds view's figures, from the analyses on screen.
    let figures = dir.path().join("figures");
    export_to_folder(&mut h, "Export publication figures…", &figures);
    assert!(h.state().workspace().is_publishing() || figures.join("threshold_curves.svg").exists());
    assert!(h.state_mut().workspace_mut().wait_for_publishing(WAIT));
    h.run();
    for name in ["threshold_curves", "benefit_risk_frontier", "sweep_heatmap"] {
        for ext in ["svg", "png", "json"] {
            assert!(figures.join(format!("{name}.{ext}")).exists(), "{name}.{ext}: {}", h.state().workspace().status());
        }
    }
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(figures.join("threshold_curves.json")).unwrap()).unwrap();
    assert_eq!(sidecar["provenance"]["seed"], Scenario::built_in().run().seed);

    // The report, with a progress bar in the status line while it runs.
    let report = dir.path().join("report");
    export_to_folder(&mut h, "Export report…", &report);
    if h.state().workspace().is_publishing() {
        assert!(h.query_by_label_contains("Writing the report").is_some(), "progress is shown");
    }
    assert!(h.state_mut().workspace_mut().wait_for_publishing(WAIT));
    h.run();
    let html = std::fs::read_to_string(report.join("report.html")).expect("report.html written");
    for p in Scenario::built_in().policies() {
        assert!(html.contains(&p.name), "{} is in the report", p.name);
    }
    assert!(report.join("figures").join("tornado.svg").exists(), "the report runs the sensitivity analysis");
    for name in ["prim_tradeoff", "regret", "evppi"] {
        assert!(report.join("figures").join(format!("{name}.svg")).exists(), "the report runs the decision support");
    }
    assert!(html.contains("Scenario discovery"), "the report has the decision section");
    assert!(h.state().workspace().status().starts_with("Wrote the report"), "{}", h.state().workspace().status());
}

#[test]
fn levers_are_turned_on_in_the_policy_panel_and_simulated() {
    let mut h = harness(None);
    settle(&mut h);
    // "Global tiered 1e27" starts open; its levers section is closed and says none is on.
    click(&mut h, "Levers: none on");
    click(&mut h, "Evaluations with error");
    settle(&mut h);
    let p = &h.state().workspace().document().edit.policies[1];
    assert_eq!(p.levers.evaluation, Some(tierlab::model::Evaluation { sd: 0.3, bias: 0.0 }));
    click(&mut h, "Add trigger");
    settle(&mut h);
    let edit = h.state().workspace().document().edit.clone();
    let t = &edit.policies[1].levers.triggers;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].when, tierlab::model::Signpost::Catastrophe);
    assert_eq!(t[0].regime, tierlab::model::Regime::Closed);
    let checked = tierlab::model::Scenario::parse(&edit.to_toml(), "edited").expect("the edited scenario is valid");
    assert_eq!(checked.policies()[1].levers, edit.policies[1].levers);
    // The header now says which levers are on.
    assert!(h.query_by_label_contains("Levers: evaluated with error").is_some());
}

#[test]
fn undo_and_redo_from_the_keyboard_and_the_edit_menu() {
    use egui_kittest::kittest::NodeT as _;
    let mut h = harness(None);
    settle(&mut h);
    let start = h.state().workspace().document().edit.clone();
    h.state_mut().workspace_mut().scenario_mut().run.seed += 1;
    h.state_mut().apply(AppCommand::Edited { immediate: true });
    h.run_ok();
    let edited = h.state().workspace().document().edit.clone();
    assert_eq!(h.state().workspace().undo_label(), Some("set the seed"));
    let doc = |h: &Harness<'_, TierlabApp>| h.state().workspace().document().edit.clone();

    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::Z]);
    h.run_ok();
    assert_eq!(doc(&h), start, "Ctrl+Z undoes");
    h.key_combination_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, &[Key::Z]);
    h.run_ok();
    assert_eq!(doc(&h), edited, "Ctrl+Shift+Z redoes");
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::Z]);
    h.run_ok();
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::Y]);
    h.run_ok();
    assert_eq!(doc(&h), edited, "Ctrl+Y redoes");

    // The Edit menu says what it undoes; Redo is greyed with nothing to redo.
    h.get_by_label("Edit").click();
    h.run();
    // (The menu's Redo is a button; its text may show up in more than one node.)
    let redo: Vec<_> = h
        .query_all_by_label_contains("Redo")
        .filter(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .collect();
    assert!(!redo.is_empty() && redo.iter().all(|n| n.accesskit_node().is_disabled()), "nothing to redo");
    h.query_by_label_contains("Undo set the seed").expect("Undo set the seed").click();
    h.run_ok();
    assert_eq!(doc(&h), start);
    h.get_by_label("Edit").click();
    h.run();
    let undo: Vec<_> = h
        .query_all_by_label_contains("Undo")
        .filter(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .collect();
    assert!(!undo.is_empty() && undo.iter().all(|n| n.accesskit_node().is_disabled()), "nothing left to undo");
    h.query_by_label_contains("Redo set the seed").expect("Redo set the seed").click();
    h.run_ok();
    assert_eq!(doc(&h), edited);
}
