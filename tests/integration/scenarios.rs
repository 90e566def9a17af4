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
