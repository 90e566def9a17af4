//! Publication figures, their sidecars and the report bundle, through the library (a small
//! run of the baseline) and once through the binary.

use std::path::Path;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};
use tierlab::analysis::decision::{Decision, DecisionSpec, decide};
use tierlab::analysis::discovery::{DiscoverySpec, OutcomeEvent, PrimOptions};
use tierlab::analysis::sweep::{SweepParam, WorldAxis, grid};
use tierlab::analysis::{SeriesSummary, Summary};
use tierlab::export::figures::{
    FigureError, FigureInput, FigureKind, FigureOptions, Format, prepare, render, sidecar_path,
};
use tierlab::export::report::write_report;
use tierlab::model::Scenario;
use tierlab::model::params::param_index;
use tierlab::model::scenario::BUILT_IN_TOML;
use tierlab::sim::{Control, Results};
use tierlab::study::analyses::worlds as simulate_worlds;
use tierlab::study::{
    Input, Keeps, MainSimulation, Provenance, Runs, ScenarioSource, Study, StudyError, StudyJob, StudyPlan,
};

const RUNS: u64 = 500;

/// Relative tolerance for numbers read back from JSON text.
const JSON_TOL: f64 = 1e-12;

struct Fixture {
    scenario: Scenario,
    results: Results,
    summary: Summary,
    series: SeriesSummary,
    provenance: Provenance,
}

impl Fixture {
    fn input(&self) -> FigureInput<'_> {
        FigureInput::new(&self.scenario, &self.results, &self.summary, &self.provenance).with_series(Some(&self.series))
    }
}

/// The baseline's main simulation as every front end makes it (`study`).
fn simulate_baseline(runs: u64, seed: u64) -> Fixture {
    let input = Input::new(Scenario::built_in(), ScenarioSource::new("baseline.toml", BUILT_IN_TOML))
        .with_overrides(Some(runs), Some(seed))
        .expect("runs and seed");
    let sim = MainSimulation::run_whole(&input, &Keeps::everything(), &Control::new()).expect("simulation");
    let series = sim.series.expect("series kept");
    Fixture {
        scenario: (*input.scenario).clone(),
        results: sim.results,
        summary: sim.summary,
        series,
        provenance: sim.provenance,
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| simulate_baseline(RUNS, 20261122))
}

/// Smaller than the default so the debug build renders every figure quickly.
const SMALL: FigureOptions = FigureOptions { width: 800, height: 500, png_scale: 2 };

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= JSON_TOL * a.abs().max(b.abs()).max(1.0)
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("sidecar")).expect("sidecar parses")
}

/// The figures a plain run draws (the analysis figures need a sweep or a sensitivity analysis).
fn run_kinds() -> Vec<FigureKind> {
    FigureKind::all().iter().copied().filter(|k| !ANALYSIS_KINDS.contains(k)).collect()
}

const ANALYSIS_KINDS: [FigureKind; 8] = [
    FigureKind::ThresholdCurves,
    FigureKind::Frontier,
    FigureKind::Heatmap,
    FigureKind::Tornado,
    FigureKind::PrimTradeoff,
    FigureKind::PrimBox,
    FigureKind::Regret,
    FigureKind::Evppi,
];

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).map(|t| t.trim().to_string()).collect()
}

#[test]
fn every_figure_renders_as_svg_and_png_with_sidecar() {
    let f = fixture();
    let input = f.input();
    let dir = tempfile::tempdir().expect("tempdir");
    let caption = f.provenance.caption();
    for kind in run_kinds() {
        let svg_path = dir.path().join(format!("{}.svg", kind.name()));
        render(kind, &input, Format::Svg, &svg_path, &SMALL).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let svg = std::fs::read_to_string(&svg_path).expect("svg written");
        let texts = svg_texts(&svg);
        assert!(texts.contains(&caption), "{kind}: caption missing from the SVG");
        assert!(texts.iter().any(|t| t == kind.title()), "{kind}: title missing");

        let png_path = dir.path().join(format!("{}.png", kind.name()));
        render(kind, &input, Format::Png, &png_path, &SMALL).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let (w, h) = image::image_dimensions(&png_path).expect("PNG readable");
        assert_eq!((w, h), SMALL.pixels(Format::Png), "{kind}: PNG size");

        let car = read_json(&sidecar_path(&svg_path));
        assert_eq!(car["figure"], kind.name());
        assert_eq!(car["caption"], caption.as_str());
        assert_eq!(car["provenance"]["scenario_sha256"], f.provenance.scenario_sha256.as_str());
        assert_eq!(car["provenance"]["seed"], 20261122);
        assert_eq!(car["provenance"]["runs"], RUNS);
        assert_eq!(car["provenance"]["version"], tierlab::VERSION);
        assert!(car["data"].is_object(), "{kind}: sidecar has data");
    }
}

#[test]
fn default_png_is_2400_by_1500() {
    let f = fixture();
    let png = prepare(FigureKind::HarmExceedance, &f.input())
        .and_then(|fig| fig.render(Format::Png, &FigureOptions::default()))
        .expect("render");
    let img = image::load_from_memory(&png).expect("PNG decodes");
    assert_eq!((img.width(), img.height()), (2400, 1500));
}

#[test]
fn sidecar_means_equal_the_summary() {
    let f = fixture();
    let input = f.input();
    for (kind, field) in [
        (FigureKind::NetDistribution, "net"),
        (FigureKind::BenefitDistribution, "benefit"),
        (FigureKind::HarmDistribution, "harm"),
    ] {
        let car = prepare(kind, &input).expect("prepare").sidecar();
        let policies = car["data"]["policies"].as_array().expect("policies");
        assert_eq!(policies.len(), f.summary.policies.len());
        for (p, s) in policies.iter().zip(&f.summary.policies) {
            let m = match field {
                "net" => s.net,
                "benefit" => s.benefit,
                _ => s.harm,
            };
            assert_eq!(p["name"], s.name.as_str(), "policy order");
            assert!(close(num(&p["moments"]["mean"]), m.mean), "{kind} {}: mean", s.name);
            assert!(close(num(&p["moments"]["se"]), m.se), "{kind} {}: se", s.name);
            assert!(close(num(&p["moments"]["p95"]), m.p95), "{kind} {}: p95", s.name);
        }
    }

    let car = prepare(FigureKind::HarmExceedance, &input).expect("prepare").sidecar();
    let n = RUNS as f64;
    for (p, s) in car["data"]["policies"].as_array().expect("policies").iter().zip(&f.summary.policies) {
        assert!(close(num(&p["cvar95_harm"]), s.cvar95_harm));
        assert!(close(num(&p["p_catastrophe"]), s.p_catastrophe));
        for pt in p["points"].as_array().expect("points") {
            let prob = num(&pt["p"]);
            assert!(close(num(&pt["se"]), (prob * (1.0 - prob) / n).sqrt()), "binomial SE");
            assert!(num(&pt["lo95"]) <= prob + 1e-12 && prob <= num(&pt["hi95"]) + 1e-12);
        }
    }

    let car = prepare(FigureKind::JurisdictionBars, &input).expect("prepare").sidecar();
    for (p, s) in car["data"]["policies"].as_array().expect("policies").iter().zip(&f.summary.policies) {
        for (j, js) in p["jurisdictions"].as_array().expect("jurisdictions").iter().zip(&s.jurisdictions) {
            assert!(close(num(&j["benefit"]["mean"]), js.benefit_mean));
            assert!(close(num(&j["harm"]["se"]), js.harm_se));
        }
    }

    let car = prepare(FigureKind::PairedDifference, &input).expect("prepare").sidecar();
    let others: Vec<_> = f.summary.policies.iter().enumerate().filter(|(i, _)| *i != f.summary.reference).collect();
    for (p, (_, s)) in car["data"]["policies"].as_array().expect("policies").iter().zip(others) {
        assert!(close(num(&p["mean"]), s.net_diff_mean));
        assert!(close(num(&p["se"]), s.net_diff_se));
        assert!(close(num(&p["p_better"]), s.p_better_than_reference));
    }

    let car = prepare(FigureKind::FanHarm, &input).expect("prepare").sidecar();
    let m = f.series.metric_index("cum_harm").expect("metric");
    let last = f.series.steps - 1;
    let pts = car["data"]["policies"][0]["points"].as_array().expect("points");
    assert_eq!(pts.len(), f.series.steps + 1, "year 0 and every step");
    assert!(close(num(&pts[last + 1]["p50"]), f.series.band(0, m, last).p50));
}

#[test]
fn svg_and_png_are_byte_identical_for_the_same_seed() {
    let a = simulate_baseline(300, 7);
    let b = simulate_baseline(300, 7);
    for kind in [FigureKind::HarmExceedance, FigureKind::FanBenefit, FigureKind::NetDistribution] {
        let fa = prepare(kind, &a.input()).expect("prepare");
        let fb = prepare(kind, &b.input()).expect("prepare");
        assert_eq!(fa.svg(&SMALL).expect("svg"), fb.svg(&SMALL).expect("svg"), "{kind}: SVG differs");
        assert_eq!(fa.png(&SMALL).expect("png"), fb.png(&SMALL).expect("png"), "{kind}: PNG differs");
    }
    let c = simulate_baseline(300, 8);
    let fa = prepare(FigureKind::HarmExceedance, &a.input()).expect("prepare");
    let fc = prepare(FigureKind::HarmExceedance, &c.input()).expect("prepare");
    assert_ne!(fa.svg(&SMALL).expect("svg"), fc.svg(&SMALL).expect("svg"), "another seed, another figure");
}

#[test]
fn names_round_trip_and_unknown_names_list_the_valid_ones() {
    for &kind in FigureKind::all() {
        assert_eq!(FigureKind::from_name(kind.name()), Some(kind));
        assert!(!kind.title().is_empty());
    }
    let mut names: Vec<&str> = FigureKind::all().iter().map(|k| k.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), FigureKind::all().len(), "names are unique");
    let err = FigureKind::parse("harm_exceedence").expect_err("typo");
    let msg = err.to_string();
    assert!(msg.contains("harm_exceedence") && msg.contains("harm_exceedance") && msg.contains("fan_benefit"), "{msg}");
    assert_eq!(Format::from_name("PNG"), Some(Format::Png));
    assert_eq!(Format::from_name("pdf"), None);
}

#[test]
fn missing_inputs_are_errors_not_panics() {
    let f = fixture();
    let without_series = FigureInput::new(&f.scenario, &f.results, &f.summary, &f.provenance);
    for kind in [FigureKind::FanBenefit, FigureKind::FanHarm, FigureKind::FrontierOpenPool, FigureKind::SharesOverTime]
    {
        assert!(matches!(prepare(kind, &without_series), Err(FigureError::MissingData { .. })), "{kind}");
        assert!(!kind.available(&without_series));
    }
    assert!(prepare(FigureKind::HarmExceedance, &without_series).is_ok());
    let bad = FigureOptions { width: 10, ..FigureOptions::default() };
    let fig = prepare(FigureKind::Ecdf, &f.input()).expect("prepare");
    assert!(matches!(fig.svg(&bad), Err(FigureError::Options(_))));
}

#[test]
fn colours_follow_the_shared_policy_palette() {
    let f = fixture();
    let car = prepare(FigureKind::NetDistribution, &f.input()).expect("prepare").sidecar();
    let svg = prepare(FigureKind::NetDistribution, &f.input()).expect("prepare").svg(&SMALL).expect("svg");
    for (i, p) in car["data"]["policies"].as_array().expect("policies").iter().enumerate() {
        let c = tierlab::theme::policy_color(i);
        assert_eq!(p["color"], format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2));
        assert!(svg.contains(&format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)), "colour of policy {i} drawn");
    }
}

fn assert_self_contained(html: &str) {
    for bad in ["src=\"http", "src='http", "<link", "url(http", "<script", "@import", "href=\"http"] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
}

#[test]
fn report_is_self_contained_and_lists_every_policy() {
    let f = fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_report(dir.path(), &f.input(), &[Format::Svg], &SMALL, |_| {}).expect("report");
    assert_eq!(files.figures.len(), run_kinds().len());
    let skipped: Vec<FigureKind> = files.skipped.iter().map(|(k, _)| *k).collect();
    assert_eq!(skipped, ANALYSIS_KINDS, "analysis figures listed as not drawn");
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    let md = std::fs::read_to_string(dir.path().join("report.md")).expect("md");
    assert_self_contained(&html);
    let p = &f.provenance;
    let cite = format!("seed {}, {} runs per policy", p.seed, p.runs);
    assert!(md.contains("| Cite as | Tierlab ") && md.contains(&cite) && md.contains(p.short_hash()), "cite line");
    assert_eq!(html.matches("<svg").count(), run_kinds().len(), "every figure inline");
    for p in f.scenario.policies() {
        let escaped = p.name.replace('&', "&amp;").replace('<', "&lt;");
        assert!(html.contains(&escaped), "html lists {}", p.name);
        assert!(md.contains(&p.name), "md lists {}", p.name);
    }
    for key in ["hazard_threshold", "strip_prob", "Epoch AI"] {
        assert!(html.contains(key) && md.contains(key), "parameters and sources: {key}");
    }
    assert!(html.contains(&f.provenance.scenario_sha256) && md.contains(&f.provenance.scenario_sha256));
    assert!(html.contains("±"), "summary with standard errors");
    for kind in run_kinds() {
        let rel = format!("figures/{}.svg", kind.name());
        assert!(md.contains(&format!("]({rel})")), "md links {rel}");
        assert!(dir.path().join(&rel).exists());
        assert!(dir.path().join(format!("figures/{}.json", kind.name())).exists());
    }

    // PNG only: figures inline as data: URIs.
    let dir = tempfile::tempdir().expect("tempdir");
    let kinds_seen = std::cell::Cell::new(0);
    write_report(dir.path(), &f.input(), &[Format::Png], &SMALL, |_| kinds_seen.set(kinds_seen.get() + 1))
        .expect("report");
    assert_eq!(kinds_seen.get(), FigureKind::all().len(), "progress once per figure");
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    assert_self_contained(&html);
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), run_kinds().len());
}

#[test]
fn binary_writes_report_and_rejects_unknown_figures() {
    // The analyses run by default (a 5-point grid keeps the debug build quick).
    let dir = tempfile::tempdir().expect("tempdir");
    let out = crate::support::bin()
        .args(["report", "baseline", "--runs", "400", "--seed", "3", "--steps", "5", "--quiet", "--out"])
        .arg(dir.path())
        .output()
        .expect("run tierlab");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "report failed: {stderr}");
    assert!(!stderr.contains("not drawn"), "{stderr}");
    assert!(stderr.contains("Best open_below under the cap"), "{stderr}");
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("report.html");
    assert_self_contained(&html);
    assert!(dir.path().join("report.md").exists());
    for kind in FigureKind::all() {
        for ext in ["svg", "png", "json"] {
            assert!(dir.path().join(format!("figures/{}.{ext}", kind.name())).exists(), "{kind}.{ext}");
        }
        assert!(html.contains(&format!("<figure id=\"{}\">", kind.name())), "{kind} in report.html");
    }
    for p in Scenario::built_in().policies() {
        assert!(html.contains(&p.name), "{}", p.name);
    }
    for section in ["Threshold sweep", "Heat map", "Sensitivity"] {
        assert!(html.contains(&format!("<h3>{section}")), "{section}");
    }
    let car = read_json(&dir.path().join("figures/harm_exceedance.json"));
    assert_eq!(car["provenance"]["runs"], 400);
    assert_eq!(car["provenance"]["seed"], 3);
    let curves = read_json(&dir.path().join("figures/threshold_curves.json"));
    assert_eq!(curves["data"]["points"].as_array().map(Vec::len), Some(5));
    assert_eq!(curves["data"]["policy"], "Global tiered 1e27");
    for kind in ANALYSIS_KINDS {
        let car = read_json(&dir.path().join(format!("figures/{}.json", kind.name())));
        assert_eq!(car["provenance"]["runs"], 400, "{kind}: below every cap, the scenario's runs");
    }

    // --no-analyses: the simulation's figures only, and the report says why.
    let plain = dir.path().join("plain");
    let out = crate::support::bin()
        .args(["report", "baseline", "--runs", "100", "--format", "svg", "--quiet", "--no-analyses", "--out"])
        .arg(&plain)
        .output()
        .expect("run tierlab");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for kind in ANALYSIS_KINDS {
        assert!(!plain.join(format!("figures/{}.svg", kind.name())).exists(), "{kind} skipped");
    }
    let html = std::fs::read_to_string(plain.join("report.html")).expect("report.html");
    assert!(html.contains("--no-analyses"), "the report says the analyses were not asked for");
    assert_eq!(html.matches("<svg").count(), run_kinds().len());

    // The scenario file as run is written beside the report, and the command the report
    // gives runs it again to the same figures, byte for byte.
    let copy = std::fs::read_to_string(plain.join("scenario_as_run.toml")).expect("scenario copy");
    let car = read_json(&plain.join("figures/harm_exceedance.json"));
    let hash: String = Sha256::digest(copy.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(car["provenance"]["scenario_sha256"], hash.as_str(), "the copy is the file the hash names");
    let md = std::fs::read_to_string(plain.join("report.md")).expect("report.md");
    let command = md.split("come from `").nth(1).and_then(|r| r.split('`').next()).expect("a command in report.md");
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!((words[0], words[1], words[2]), ("tierlab", "report", "scenario_as_run.toml"), "{command}");
    let again = dir.path().join("again");
    let out = crate::support::bin()
        .current_dir(&plain)
        .args(words[1..].iter().map(|w| if *w == "DIR" { again.as_os_str() } else { std::ffi::OsStr::new(w) }))
        .args(["--no-analyses", "--format", "svg", "--quiet"])
        .output()
        .expect("run tierlab");
    assert!(out.status.success(), "{command}: {}", String::from_utf8_lossy(&out.stderr));
    for kind in run_kinds() {
        let name = format!("figures/{}.svg", kind.name());
        let (a, b) = (std::fs::read(plain.join(&name)).expect("svg"), std::fs::read(again.join(&name)).expect("svg"));
        assert!(a == b, "{name} differs when made again from the report's command");
    }

    // --policy must name a policy; grid flags need a tiered one.
    for (args, needle) in [
        (&["--policy", "Nope"][..], "\"Status quo\", \"Global tiered 1e27\", \"Global closed\""),
        (&["--policy", "All open", "--steps", "5"], "has no tiered regime"),
        (&["--no-analyses", "--policy", "Global closed"], "--policy"),
        (&["--steps", "1"], "from 2 to 201"),
        (&["--max-p-catastrophe", "2"], "in [0, 1]"),
    ] {
        let out = crate::support::bin()
            .args(["report", "baseline", "--runs", "10", "--quiet", "--out"])
            .arg(dir.path().join("never"))
            .args(args)
            .output()
            .expect("run tierlab");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert!(!dir.path().join("never").exists(), "nothing written for invalid input");

    // figures --only an analysis figure runs just the analysis it needs.
    let only = dir.path().join("only");
    let out = crate::support::bin()
        .args(["figures", "baseline", "--runs", "100", "--quiet", "--format", "svg", "--steps", "5"])
        .args(["--only", "threshold_curves", "--out"])
        .arg(&only)
        .output()
        .expect("run tierlab");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(only.join("threshold_curves.svg").exists() && only.join("threshold_curves.json").exists());
    assert_eq!(std::fs::read_dir(&only).expect("dir").count(), 2, "only the figure asked for");

    let out = crate::support::bin()
        .args(["figures", "baseline", "--runs", "100", "--only", "harm_exceedence", "--out"])
        .arg(dir.path().join("single"))
        .output()
        .expect("run tierlab");
    assert_eq!(out.status.code(), Some(2), "unknown figure is invalid input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("harm_exceedence") && err.contains("harm_exceedance") && err.contains("paired_difference"),
        "{err}"
    );

    let out = crate::support::bin()
        .args(["figures", "baseline", "--runs", "100", "--format", "gif", "--out"])
        .arg(dir.path().join("single"))
        .output()
        .expect("run tierlab");
    assert_eq!(out.status.code(), Some(2), "unknown format is invalid input");

    let single = dir.path().join("single");
    let out = crate::support::bin()
        .args([
            "figures", "baseline", "--runs", "100", "--quiet", "--format", "svg", "--only", "ecdf", "fan_harm", "--out",
        ])
        .arg(&single)
        .output()
        .expect("run tierlab");
    assert!(out.status.success(), "figures failed: {}", String::from_utf8_lossy(&out.stderr));
    for name in ["ecdf.svg", "ecdf.json", "fan_harm.svg", "fan_harm.json"] {
        assert!(single.join(name).exists(), "{name}");
    }
    assert!(!single.join("harm_exceedance.svg").exists(), "--only limits the figures");
}

#[test]
fn figures_can_be_made_on_a_background_thread() {
    fn send<T: Send>() {}
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    send::<tierlab::export::figures::Figure>();
    error::<FigureError>();
    error::<tierlab::export::report::ReportError>();
    // What an app moves to and from its analysis thread.
    send::<Study>();
    send::<StudyPlan>();
    error::<StudyError>();
    let f = fixture();
    let svg = std::thread::scope(|s| {
        s.spawn(|| prepare(FigureKind::SharesOverTime, &f.input()).and_then(|fig| fig.svg(&SMALL)))
            .join()
            .expect("thread")
    })
    .expect("svg");
    assert!(svg.starts_with("<svg"));
}

/// The study of `plan` on `scenario` (the built-in text), every run simulated.
fn run_study(
    scenario: &Scenario,
    plan: &StudyPlan,
    threads: Option<usize>,
    control: &Control,
) -> Result<Study, StudyError> {
    let input = Input::new(scenario.clone(), ScenarioSource::new("baseline.toml", BUILT_IN_TOML));
    StudyJob::new(&input, plan, Runs::All, &Keeps::everything(), None)?.run(threads, control)
}

/// The runs `Control::runs_done` reaches when the study of `plan` ends.
fn progress_total(scenario: &Scenario, plan: &StudyPlan) -> u64 {
    let input = Input::new(scenario.clone(), ScenarioSource::new("baseline.toml", BUILT_IN_TOML));
    let job = StudyJob::new(&input, plan, Runs::All, &Keeps::everything(), None).expect("a plan that fits");
    job.stages().iter().map(|s| s.runs).sum()
}

/// The scenario a study fixture was made of, and the study.
struct Studied {
    scenario: Scenario,
    plan: StudyPlan,
    study: Study,
    /// Decision support on the same scenario, as `tierlab report` adds it.
    decision: Decision,
}

impl Studied {
    fn input(&self) -> tierlab::export::figures::FigureInput<'_> {
        FigureInput::of_study(&self.study, &self.scenario).expect("a simulation").with_decision(Some(&self.decision))
    }
}

/// The baseline's default plan made small for the debug build: `runs` runs, 7 threshold
/// values (5 in the heat map against 4 hazard thresholds).
fn small_plan(scenario: &Scenario) -> StudyPlan {
    let mut plan = StudyPlan::default_for(scenario);
    plan.set_grid(SweepParam::OpenBelow, 25.0, 29.0, 7).expect("grid");
    let s2 = plan.sweep_2d.as_mut().expect("2-D sweep planned");
    s2.spec.values = grid(25.0, 29.0, 5);
    s2.axis.values = grid(s2.axis.values[0], s2.axis.values[s2.axis.values.len() - 1], 4);
    plan
}

fn study_of(runs: u64, seed: u64, threads: Option<usize>) -> Studied {
    let scenario = Scenario::built_in().with_runs(runs).expect("runs").with_seed(seed).expect("seed");
    let plan = small_plan(&scenario);
    let control = Control::new();
    let input = Input::new(scenario.clone(), ScenarioSource::new("baseline.toml", BUILT_IN_TOML));
    let job = StudyJob::new(&input, &plan, Runs::All, &Keeps::everything(), None).expect("a plan that fits");
    let total: u64 = job.stages().iter().map(|s| s.runs).sum();
    let study = job.run(threads, &control).expect("study");
    assert_eq!(control.runs_done(), total, "the progress total is exact");
    let worlds = simulate_worlds(&scenario, &Control::new()).expect("worlds");
    let policy = scenario.policy_index("Global tiered 1e27").expect("policy");
    let spec = DecisionSpec {
        discovery: DiscoverySpec {
            policy,
            event: OutcomeEvent::NetBelowPolicy { against: scenario.run().reference },
            chosen: None,
            prim: PrimOptions::default(),
        },
        floor: Some(0.0),
    };
    let decision = decide(&worlds, &spec).expect("decision");
    Studied { scenario, plan, study, decision }
}

/// A small study of the baseline: the simulation, a sweep, a 2-D sweep and a sensitivity
/// analysis, as `tierlab report` makes them.
fn studied() -> &'static Studied {
    static S: OnceLock<Studied> = OnceLock::new();
    S.get_or_init(|| study_of(300, 20261123, None))
}

#[test]
fn analysis_figures_render_with_sidecars_and_are_skipped_without_data() {
    let f = fixture();
    let plain = f.input();
    for kind in ANALYSIS_KINDS {
        assert!(!kind.available(&plain), "{kind}");
        assert!(matches!(prepare(kind, &plain), Err(FigureError::MissingData { .. })), "{kind}");
    }
    let st = studied();
    let input = st.input();
    assert_eq!(input.available().len(), FigureKind::all().len());
    let keep = std::env::var_os("TIERLAB_FIGURE_DIR");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = keep.as_ref().map_or(tmp.path(), |d| Path::new(d));
    std::fs::create_dir_all(dir).expect("dir");
    for kind in ANALYSIS_KINDS {
        let svg_path = dir.join(format!("{}.svg", kind.name()));
        render(kind, &input, Format::Svg, &svg_path, &SMALL).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let texts = svg_texts(&std::fs::read_to_string(&svg_path).expect("svg written"));
        let car = read_json(&sidecar_path(&svg_path));
        let caption = car["caption"].as_str().expect("caption").to_string();
        assert!(texts.contains(&caption), "{kind}: caption missing from the SVG");
        assert!(texts.iter().any(|t| t == kind.title()), "{kind}: title missing");

        let png_path = dir.join(format!("{}.png", kind.name()));
        render(kind, &input, Format::Png, &png_path, &SMALL).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(image::image_dimensions(&png_path).expect("PNG readable"), SMALL.pixels(Format::Png), "{kind}");

        assert_eq!(car["figure"], kind.name());
        assert_eq!(car["provenance"]["scenario_sha256"], st.study.provenance.scenario_sha256.as_str());
        assert!(car["data"].is_object(), "{kind}: sidecar has data");
    }

    let sw = st.study.sweep.as_ref().expect("sweep");
    let curves = prepare(FigureKind::ThresholdCurves, &input).expect("curves").sidecar();
    let pts = curves["data"]["points"].as_array().expect("points");
    assert_eq!(pts.len(), 7);
    for (p, q) in pts.iter().zip(&sw.points) {
        assert!(close(num(&p["net_mean"]), q.net_mean) && close(num(&p["cvar95_harm"]), q.cvar95_harm));
        assert!(close(num(&p["p_catastrophe"]), q.p_catastrophe));
    }
    assert_eq!(curves["data"]["param"], "open_below");
    let best = st.study.best_threshold.as_ref().and_then(|b| b.best.as_ref()).expect("a best threshold");
    assert!(close(num(&curves["data"]["best_threshold"]["best"]["value"]), best.value));
    // The default cap: no riskier than the reference policy.
    assert_eq!(
        st.study.best_threshold.as_ref().map(|b| b.constraint.max_p_catastrophe),
        Some(tierlab::analysis::sweep::reference_cap(sw).map(|point| point.p_catastrophe))
    );
    assert!(tierlab::analysis::sweep::reference_cap(sw).is_some(), "the swept policy is not the reference policy");
    assert!(best.p_catastrophe <= sw.current.p_catastrophe);

    let front = prepare(FigureKind::Frontier, &input).expect("frontier").sidecar();
    let fp = front["data"]["points"].as_array().expect("points");
    assert!(fp.iter().any(|p| p["efficient"] == true), "some point is efficient");
    for p in fp.iter().filter(|p| p["efficient"] == true) {
        let (b, r) = (num(&p["benefit_mean"]), num(&p["cvar95_harm"]));
        assert!(
            !fp.iter().any(|q| num(&q["benefit_mean"]) > b && num(&q["cvar95_harm"]) < r),
            "efficient is undominated"
        );
    }
    for (p, q) in fp.iter().zip(&sw.points) {
        assert!(close(num(&p["benefit_mean"]), q.benefit_mean));
    }

    let s2 = st.study.sweep_2d.as_ref().expect("2-D sweep");
    let heat = prepare(FigureKind::Heatmap, &input).expect("heatmap").sidecar();
    let cells = heat["data"]["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 20);
    for (c, q) in cells.iter().zip(&s2.cells) {
        assert!(close(num(&c["net_diff_mean"]), q.point.net_diff_mean));
        assert!(close(num(&c["p_better_than_baseline"]), q.point.p_better_than_reference));
    }
    let scale = num(&heat["data"]["scale"]);
    assert!(s2.cells.iter().all(|c| c.point.net_diff_mean.abs() <= scale), "symmetric scale covers the data");
    assert_eq!(heat["data"]["param2"], "world.hazard_threshold");

    let se = st.study.sensitivity.as_ref().expect("sensitivity");
    let tornado = prepare(FigureKind::Tornado, &input).expect("tornado").sidecar();
    let bars = tornado["data"]["bars"].as_array().expect("bars");
    assert!(!bars.is_empty());
    let swings: Vec<f64> = bars.iter().map(|b| num(&b["swing"])).collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "sorted by swing");
    for b in bars.iter().chain(tornado["data"]["not_drawn"].as_array().expect("not drawn")) {
        let p = se.params.iter().find(|p| p.param == b["param"].as_str().expect("param")).expect("a parameter");
        assert!(close(num(&b["swing"]), p.swing) && close(num(&b["low"]), p.low), "{}", p.param);
    }
    assert_eq!(bars.len() + tornado["data"]["not_drawn"].as_array().map_or(0, Vec::len), se.params.len());
    assert!(close(num(&tornado["data"]["output_mean"]), se.output_mean));
    assert_eq!(tornado["data"]["output"], "net_diff");

    // Each figure's provenance gives the runs it was drawn from.
    for (kind, runs) in [
        (FigureKind::ThresholdCurves, sw.runs),
        (FigureKind::Heatmap, s2.runs),
        (FigureKind::Tornado, se.runs),
        (FigureKind::HarmExceedance, st.scenario.run().runs),
    ] {
        let car = prepare(kind, &input).expect("prepare").sidecar();
        assert_eq!(car["provenance"]["runs"], runs, "{kind}");
        assert!(car["caption"].as_str().expect("caption").contains(&format!("{runs} runs")), "{kind}");
    }
}

#[test]
fn a_capped_analysis_says_so_in_its_provenance() {
    let st = studied();
    let mut sensitivity = st.study.sensitivity.clone().expect("sensitivity");
    sensitivity.runs = 120;
    let input = st.input().with_sensitivity(Some(&sensitivity));
    let car = prepare(FigureKind::Tornado, &input).expect("tornado").sidecar();
    assert_eq!(car["provenance"]["runs"], 120);
    assert_eq!(car["data"]["runs"], 120);
    assert!(car["caption"].as_str().expect("caption").contains("120 runs"));
}

#[test]
fn study_report_has_every_figure_and_the_analysis_sections() {
    let st = studied();
    let input = st.input();
    let dir = tempfile::tempdir().expect("tempdir");
    let files = write_report(dir.path(), &input, &[Format::Svg], &SMALL, |_| {}).expect("report");
    assert_eq!(files.figures.len(), FigureKind::all().len());
    assert!(files.skipped.is_empty(), "{:?}", files.skipped);
    let copy = files.scenario.as_deref().expect("the scenario file is copied beside the report");
    assert_eq!(std::fs::read_to_string(copy).expect("copy"), BUILT_IN_TOML);
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("html");
    let md = std::fs::read_to_string(dir.path().join("report.md")).expect("md");
    assert_self_contained(&html);
    assert_eq!(html.matches("<svg").count(), FigureKind::all().len(), "every figure inline");
    for p in st.scenario.policies() {
        assert!(html.contains(&p.name.replace('&', "&amp;")) && md.contains(&p.name), "{}", p.name);
    }
    for section in ["Analyses", "Threshold sweep", "Heat map: open_below against world.hazard_threshold", "Sensitivity"]
    {
        assert!(html.contains(&format!(">{section}")), "html section {section}");
        assert!(md.contains(&format!("## {section}")), "md section {section}");
    }
    assert!(html.contains("Best open_below under the cap") && md.contains("Best open_below under the cap"));
    let se = st.study.sensitivity.as_ref().expect("sensitivity");
    let top = &se.params[0];
    assert!(html.contains(&format!("<td>{}</td>", top.param)), "sensitivity table");
    assert!(md.contains(&format!("| {} |", top.param)));
    for header in ["Spearman", "PRCC", "Swing ($B)", "Mean at 10th ($B)"] {
        assert!(html.contains(&format!("<th>{header}</th>")), "{header}");
    }
    // The sensitivity table's rows (the value-of-information table after it lists parameters too).
    let table = html.split("Scenario discovery").next().expect("html");
    let rows = table.matches("<td>world.").count() + table.matches("<td>jurisdiction.").count();
    assert_eq!(rows, se.params.len().min(tierlab::export::report::SENSITIVITY_ROWS), "top rows only");
    // Thresholds say their unit: training FLOP (as laws count) or effective FLOP.
    assert!(html.contains("log10 training FLOP") && html.contains("$B"), "units");
    for kind in ANALYSIS_KINDS {
        assert!(md.contains(&format!("](figures/{}.svg)", kind.name())), "md links {kind}");
    }
}

#[test]
fn analysis_figures_are_byte_identical_for_the_same_seed_at_any_thread_count() {
    let a = studied();
    let b = study_of(300, 20261123, Some(1));
    let (ia, ib) = (a.input(), b.input());
    for kind in ANALYSIS_KINDS {
        let fa = prepare(kind, &ia).expect("prepare");
        let fb = prepare(kind, &ib).expect("prepare");
        assert_eq!(fa.svg(&SMALL).expect("svg"), fb.svg(&SMALL).expect("svg"), "{kind}: SVG differs");
        assert_eq!(fa.sidecar()["data"], fb.sidecar()["data"], "{kind}: sidecar data differ");
    }
    assert_eq!(b.study.provenance.threads, 1);
    assert_eq!(a.plan, b.plan);
}

/// `tierlab report`'s heat map on a 2-D sweep whose P(better) crosses 0.5: a cheaper AI
/// (`world.value_per_oom` low) makes the tiers better than the status quo in most worlds,
/// an expensive one in few.
#[test]
fn heatmap_draws_the_half_contour_of_a_real_sweep() {
    let scenario = Scenario::built_in().with_runs(200).unwrap();
    let mut plan = StudyPlan::default_for(&scenario);
    plan.sweep = None;
    plan.sensitivity = None;
    let s2 = plan.sweep_2d.as_mut().expect("2-D sweep");
    s2.spec.values = grid(25.0, 29.0, 5);
    s2.axis = WorldAxis { param: param_index("value_per_oom").expect("param"), values: grid(10.0, 700.0, 5) };
    let study = run_study(&scenario, &plan, None, &Control::new()).expect("study");
    let sweep = study.sweep_2d.as_ref().expect("2-D sweep");
    let lines = &sweep.contour_p_better_half;
    assert!(!lines.is_empty(), "P(better) crosses 0.5 on this grid");
    let figure =
        prepare(FigureKind::Heatmap, &FigureInput::of_study(&study, &scenario).expect("simulated")).expect("heatmap");
    let car = figure.sidecar();
    let drawn = car["data"]["contour_p_better_half"].as_array().expect("contour");
    assert_eq!(drawn.len(), lines.len());
    assert!(drawn.iter().all(|l| l.as_array().is_some_and(|pts| pts.len() >= 2)), "non-empty lines");

    // The contour is a black polyline with one vertex per contour point (the legend's
    // swatch is the only other black line, two points long).
    let black_lines = |svg: &str| -> Vec<usize> {
        let doc = roxmltree::Document::parse(svg).expect("SVG parses");
        doc.descendants()
            .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#000000"))
            .map(|n| n.attribute("points").unwrap_or("").split_whitespace().count())
            .collect()
    };
    let svg = figure.svg(&SMALL).expect("svg");
    if let Some(dir) = std::env::var_os("TIERLAB_FIGURE_DIR") {
        let path = Path::new(&dir).join("sweep_heatmap_contour.png");
        figure.write(Format::Png, &path, &FigureOptions::default()).expect("png");
    }
    let found = black_lines(&svg);
    for line in lines {
        assert!(found.contains(&line.len()), "a polyline of {} points in {found:?}", line.len());
    }
    assert!(svg.contains("P(better than reference) = 0.5") && !svg.contains("not reached"));

    // The baseline's own heat map never reaches 0.5: only the legend's line.
    let st = studied();
    let s2 = st.study.sweep_2d.as_ref().expect("2-D sweep");
    assert!(s2.contour_p_better_half.is_empty(), "the fixture's heat map stays below 0.5");
    let svg = prepare(FigureKind::Heatmap, &st.input()).expect("heatmap").svg(&SMALL).expect("svg");
    assert_eq!(black_lines(&svg), vec![2]);
    assert!(svg.contains("not reached on this grid"));
}

#[test]
fn a_cancelled_study_stops_promptly() {
    let scenario = Scenario::built_in().with_runs(2_000).unwrap();
    let plan = StudyPlan::default_for(&scenario);
    let control = Control::new();
    control.cancel();
    let started = std::time::Instant::now();
    let err = run_study(&scenario, &plan, None, &control).expect_err("cancelled");
    assert!(matches!(err, StudyError::Cancelled), "{err}");
    assert!(!err.is_invalid_input());
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());

    // Cancelled while the threshold sweep runs: the study returns within a few batches.
    let control = Control::new();
    let total = progress_total(&scenario, &plan);
    let (err, late) = std::thread::scope(|s| {
        let watcher = s.spawn(|| {
            while control.runs_done() < scenario.run().runs + 256 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            control.cancel();
            std::time::Instant::now()
        });
        let out = run_study(&scenario, &plan, None, &control);
        let returned = std::time::Instant::now();
        let cancelled_at = watcher.join().expect("watcher");
        (out.expect_err("cancelled"), returned.duration_since(cancelled_at))
    });
    assert!(matches!(err, StudyError::Cancelled), "{err}");
    assert!(control.runs_done() < total, "stopped before the end");
    assert!(late < std::time::Duration::from_secs(5), "returned {late:?} after the cancel");
}
