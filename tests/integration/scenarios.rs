//! Every scenario shipped in scenarios/ is valid, embedded, round-trips, and simulates.

use std::path::PathBuf;

use tierlab::model::Scenario;
use tierlab::model::scenario::PRESETS;
use tierlab::sim::Record;

use crate::support::{read, run_bin, sim};

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenario files in {}", dir.display());
    files
}

#[test]
fn every_scenario_file_loads_through_the_library() {
    for file in scenario_files() {
        if let Err(e) = Scenario::load(&file) {
            panic!("{} is invalid:\n{e}", file.display());
        }
    }
}

#[test]
fn every_scenario_file_validates_through_the_binary() {
    for file in scenario_files() {
        let out = run_bin(&["validate".as_ref(), file.as_os_str()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: stdout {stdout}\nstderr {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("valid"), "{}: {stdout}", file.display());
    }
}

#[test]
fn every_scenario_file_is_embedded_verbatim() {
    let files = scenario_files();
    assert_eq!(files.len(), PRESETS.len(), "every file in scenarios/ is a preset and vice versa");
    for file in files {
        let name = file.file_name().and_then(|n| n.to_str()).expect("file name");
        let embedded = PRESETS.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{name} is not embedded"));
        assert_eq!(embedded.1, read(&file), "{name}: the embedded copy differs from the file");
    }
}

#[test]
fn every_scenario_round_trips_through_its_toml() {
    for (name, text) in PRESETS {
        let s = Scenario::parse(text, name).expect("valid preset");
        let written = s.to_toml();
        let back = Scenario::parse(&written, "written.toml")
            .unwrap_or_else(|e| panic!("{name}: the written scenario does not parse:\n{e}\n{written}"));
        assert_eq!(back, s, "{name}: writing and reading back changed the scenario");
    }
}

#[test]
fn every_scenario_simulates_to_finite_outcomes() {
    for (name, text) in PRESETS {
        let s = Scenario::parse(text, name).expect("valid preset").with_runs(60).unwrap();
        let r = sim(&s, Record { jurisdictions: true, ..Record::default() });
        for o in &r.outcomes {
            assert!(o.benefit.is_finite() && o.benefit >= 0.0, "{name}: {o:?}");
            assert!(o.harm.is_finite() && o.harm >= 0.0, "{name}: {o:?}");
            assert!(o.open_pool_end.is_finite(), "{name}: {o:?}");
        }
    }
}

#[test]
fn baseline_matches_scenario_md() {
    let s = Scenario::built_in();
    let names: Vec<&str> = s.jurisdictions().iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, ["US", "China", "EU", "UK", "Rest of world"]);
    let share0: Vec<f64> = s.jurisdictions().iter().map(|j| j.share0).collect();
    assert_eq!(share0, [0.75, 0.15, 0.05, 0.02, 0.03]);
    let policies: Vec<&str> = s.policies().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        policies,
        ["Status quo", "Global tiered 1e27", "Global closed", "Unilateral tiered (US, EU, UK)", "All open"]
    );
    assert_eq!(s.model_version(), "2", "the baseline is a model-version-2 scenario");
    assert_eq!(s.reference_policy().name, "Status quo");
    assert_eq!((s.run().years, s.run().steps_per_year), (10, 4));
}

/// Every preset is the baseline's world with its story's changes: the inputs (world
/// parameters and jurisdiction attributes) that differ from the built-in baseline's are
/// exactly the story's, each changed world parameter's line follows a "CHANGED" comment that
/// gives a source or a judgment, and the correlations, today's practice ("Status quo") and
/// "All open" are the baseline's. When the baseline changes, the presets change with it.
#[test]
fn every_preset_is_the_baseline_world_with_its_storys_changes() {
    let base = Scenario::built_in();
    let places = ["US", "China", "EU", "UK", "Rest of world"];
    let prepared: Vec<String> = places
        .iter()
        .flat_map(|j| [format!("jurisdiction.{j}.preparedness0"), format!("jurisdiction.{j}.defense_rate")])
        .collect();
    let mut strong: Vec<String> = vec!["world.strip_prob".into(), "world.api_misuse".into()];
    strong.extend(prepared);
    let stories: [(&str, Vec<String>, u32); 6] = [
        ("unilateral_leakage.toml", vec!["world.mobility".into()], 10),
        ("heavy_tail.toml", vec!["world.tail_alpha".into()], 10),
        ("strong_safeguards.toml", strong, 10),
        ("moving_threshold.toml", vec![], 15),
        (
            "irreversibility.toml",
            vec!["world.hazard_threshold".into(), "world.leak_closed".into(), "world.leak_gated".into()],
            15,
        ),
        ("levers.toml", vec!["world.safeguard_halving".into(), "world.defense_per_billion".into()], 10),
    ];
    assert_eq!(stories.len() + 1, PRESETS.len(), "a story for every preset but the baseline");
    let policy = |s: &Scenario, name: &str| {
        s.policies()[s.policy_index(name).unwrap_or_else(|| panic!("{}: no policy {name}", s.name()))].clone()
    };
    for (name, mut changed, years) in stories {
        let text = PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).expect("embedded");
        let s = Scenario::parse(text, name).expect("valid preset");
        assert_eq!(s.model_version(), "2", "{name}");
        assert_eq!(s.run().years, years, "{name}");
        assert_eq!(s.param_keys(), base.param_keys(), "{name}: the baseline's parameters and places");
        let mut differ: Vec<String> = (0..base.param_count())
            .filter(|&i| s.param_dist(i) != base.param_dist(i))
            .map(|i| base.param_key(i))
            .collect();
        differ.sort();
        changed.sort();
        assert_eq!(differ, changed, "{name}: the inputs that differ from the baseline's (has the baseline changed?)");
        for key in changed.iter().filter_map(|k| k.strip_prefix("world.")) {
            let at = text.find(&format!("\n{key} = ")).unwrap_or_else(|| panic!("{name}: no line for {key}"));
            // The comment lines just above it (in reverse order; only what they say matters).
            let comment = text[..at].lines().rev().take_while(|l| l.starts_with('#')).collect::<Vec<_>>().join("\n");
            assert!(comment.contains("CHANGED in this scenario"), "{name}: {key} is not marked CHANGED");
            assert!(
                comment.contains("source:") || comment.contains("judgment:"),
                "{name}: {key}: no source or judgment"
            );
        }
        assert_eq!(s.correlations(), base.correlations(), "{name}: the baseline's correlations");
        assert_eq!(policy(&s, "All open"), policy(&base, "All open"), "{name}");
        // Today's practice; over 15 years the EU's unreached gated line sits higher (1e60), so
        // that the frontier never reaches it, as 1e40 is never reached in the baseline's 10.
        let mut today = policy(&s, "Status quo");
        for (j, regime) in &mut today.overrides {
            if let tierlab::model::Regime::Tiered { gated_below, .. } = regime
                && places[*j] == "EU"
                && years == 15
            {
                assert_eq!(*gated_below, 60.0, "{name}");
                *gated_below = 40.0;
            }
        }
        assert_eq!(today, policy(&base, "Status quo"), "{name}: today's practice is the baseline's");
    }
}
