//! "Export figure…" and "Export report…": publication figures (SVG and PNG with JSON
//! sidecars) and the report bundle, drawn by the same headless renderer as `tierlab figures`
//! and `tierlab report` (never a screenshot), on a named background thread with progress and
//! cancellation.
//!
//! The scenario is simulated again with its seed: run `n` of a simulation does not depend on
//! what else is simulated, so this reproduces the results on screen exactly, with every run
//! kept for the figures. Figures of the analysis tabs reuse the analyses on screen as they
//! are; the report runs its own analyses (the plan the app hands it).

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};

use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::{BestThreshold, Sweep, Sweep2d};
use crate::export::figures::{FigureInput, FigureKind, FigureOptions, Format, prepare};
use crate::export::report::{SCENARIO_COPY, write_report, write_scenario_copy};
use crate::model::Scenario;
use crate::sim::Control;
use crate::sim::store::Keep;
use crate::study::{Input, Keeps, Runs, ScenarioSource, Stage, StudyJob, StudyPlan, progress_at};

use super::state::Tab;

/// The thread's name, as debuggers and profilers show it.
pub const THREAD_NAME: &str = "tierlab-publish";

/// The figures that show what a tab shows.
pub fn figures_of(tab: Tab) -> &'static [FigureKind] {
    use FigureKind::*;
    match tab {
        Tab::Overview => &[NetDistribution, HarmExceedance],
        Tab::Distributions => &[NetDistribution, BenefitDistribution, HarmDistribution, Ecdf, PairedDifference],
        Tab::OverTime => &[FanBenefit, FanHarm, FrontierOpenPool],
        Tab::Jurisdictions => &[SharesOverTime, JurisdictionBars],
        Tab::Thresholds => &[ThresholdCurves, Frontier, Heatmap],
        Tab::Sensitivity => &[Tornado],
        Tab::Robustness => &[PrimTradeoff, PrimBox, Regret, Evppi],
        Tab::Learn => &[HarmExceedance, NetDistribution],
    }
}

/// The analyses on screen, for the figures of the analysis tabs.
#[derive(Clone, Debug, Default)]
pub struct OnScreen {
    pub sweep: Option<Arc<Sweep>>,
    pub best_threshold: Option<BestThreshold>,
    pub sweep_2d: Option<Arc<Sweep2d>>,
    pub sensitivity: Option<Arc<Sensitivity>>,
    pub decision: Option<Arc<crate::analysis::decision::Decision>>,
}

/// What to publish.
#[derive(Clone, Debug)]
pub enum Publication {
    /// A tab's figures, into a folder.
    Figures { tab: Tab, dir: PathBuf, on_screen: OnScreen },
    /// The report bundle (figures, report.html, report.md), into a folder.
    Report { dir: PathBuf, plan: StudyPlan, formats: Vec<Format> },
}

impl Publication {
    fn what(&self) -> String {
        match self {
            Publication::Figures { tab, .. } => format!("the {} figures", tab.label()),
            Publication::Report { .. } => "the report".into(),
        }
    }

    fn dir(&self) -> &PathBuf {
        match self {
            Publication::Figures { dir, .. } | Publication::Report { dir, .. } => dir,
        }
    }

    fn plan(&self) -> StudyPlan {
        match self {
            Publication::Figures { .. } => StudyPlan::simulation_only(),
            Publication::Report { plan, .. } => plan.clone(),
        }
    }

    /// Figures to draw once the study is done.
    fn figures(&self) -> usize {
        match self {
            Publication::Figures { tab, .. } => figures_of(*tab).len(),
            Publication::Report { .. } => FigureKind::all().len(),
        }
    }
}

/// A publication in the making: its progress, and the message it ends with.
pub struct Publishing {
    what: String,
    control: Arc<Control>,
    stages: Vec<Stage>,
    drawn: Arc<AtomicUsize>,
    figures: usize,
    done: Receiver<Result<String, String>>,
}

impl Publishing {
    /// Starts `publication` of `scenario` (simulated at its own run count) on a new thread;
    /// `source` is the scenario text the provenance hashes; `repaint` wakes the UI when it ends.
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn start(
        scenario: Scenario,
        source: ScenarioSource,
        publication: Publication,
        repaint: impl Fn() + Send + 'static,
    ) -> std::io::Result<Publishing> {
        let control = Arc::new(Control::new());
        let drawn = Arc::new(AtomicUsize::new(0));
        let plan = publication.plan();
        let input = Input::new(scenario, source);
        let keeps = Keeps {
            store: Keep::Spill { dir: std::env::temp_dir(), budget_bytes: super::worker::MEMORY_BUDGET_BYTES },
            ..Keeps::everything()
        };
        let job = StudyJob::new(&input, &plan, Runs::All, &keeps, None);
        let stages = job.as_ref().map(|j| j.stages().to_vec()).unwrap_or_default();
        let (tx, rx) = channel();
        let what = publication.what();
        let figures = publication.figures();
        let (c, d) = (Arc::clone(&control), Arc::clone(&drawn));
        std::thread::Builder::new().name(THREAD_NAME.into()).spawn(move || {
            let out = std::panic::catch_unwind(AssertUnwindSafe(|| match job {
                Ok(job) => publish(job, &input, &publication, &c, &d),
                Err(e) => Err(format!("Could not write {}: {e}", publication.what())),
            }))
            .unwrap_or_else(|_| Err(format!("Writing {} failed unexpectedly.", publication.what())));
            // A closed channel means the app is gone: nothing left to do.
            let _ = tx.send(out);
            repaint();
        })?;
        Ok(Publishing { what, control, stages, drawn, figures, done: rx })
    }

    /// What is being written and how far along: a phrase and a fraction in [0, 1].
    pub fn progress(&self) -> (String, f32) {
        let drawn = self.drawn.load(Ordering::Relaxed);
        if drawn > 0 {
            return (
                format!("Writing {}: drawing figure {} of {}", self.what, drawn.min(self.figures), self.figures),
                drawn as f32 / self.figures.max(1) as f32,
            );
        }
        let p = progress_at(&self.stages, self.control.runs_done());
        let phrase = if p.stages > 1 {
            format!("Writing {}: {} ({} of {})", self.what, p.part.label(), p.stage + 1, p.stages)
        } else {
            format!("Writing {}: {}", self.what, p.part.label())
        };
        (phrase, p.fraction as f32)
    }

    /// The message it ended with, once it has.
    pub fn poll(&self) -> Option<Result<String, String>> {
        self.done.try_recv().ok()
    }

    /// Stops it before its next batch of runs or its next figure.
    pub fn cancel(&self) {
        self.control.cancel();
    }
}

/// Simulates, runs the plan's analyses and writes the files; the message for the status line.
fn publish(
    job: StudyJob,
    input: &Input,
    publication: &Publication,
    control: &Control,
    drawn: &AtomicUsize,
) -> Result<String, String> {
    let what = publication.what();
    let (scenario, source) = (&*input.scenario, &*input.source);
    let study = job.run(None, control).map_err(|e| {
        if control.is_cancelled() { format!("Stopped writing {what}.") } else { format!("Could not write {what}: {e}") }
    })?;
    let missing = || format!("Could not write {what}: no simulation was made");
    let dir = publication.dir();
    std::fs::create_dir_all(dir).map_err(|e| format!("Could not create {}: {e}", dir.display()))?;
    let opts = FigureOptions::default();
    let cancelled = || format!("Stopped writing {what}.");
    match publication {
        Publication::Figures { tab, on_screen, .. } => {
            let mut input = FigureInput::of_study(&study, scenario).ok_or_else(missing)?;
            if tab.is_analysis() {
                input = input
                    .with_sweep(on_screen.sweep.as_deref())
                    .with_best_threshold(on_screen.best_threshold.as_ref())
                    .with_sweep_2d(on_screen.sweep_2d.as_deref())
                    .with_sensitivity(on_screen.sensitivity.as_deref())
                    .with_decision(on_screen.decision.as_deref());
            }
            let mut written = Vec::new();
            let mut missing = Vec::new();
            for &kind in figures_of(*tab) {
                if control.is_cancelled() {
                    return Err(cancelled());
                }
                drawn.fetch_add(1, Ordering::Relaxed);
                let figure = match prepare(kind, &input) {
                    Ok(f) => f,
                    Err(_) => {
                        missing.push(kind.name());
                        continue;
                    }
                };
                for format in [Format::Svg, Format::Png] {
                    let path = dir.join(format!("{}.{}", kind.name(), format.extension()));
                    figure
                        .write(format, &path, &opts)
                        .map_err(|e| format!("Could not write {}: {e}", path.display()))?;
                }
                written.push(kind.name());
            }
            if written.is_empty() {
                return Err(format!(
                    "No figure of the {} view could be drawn yet ({}): wait for its results, then export again.",
                    tab.label(),
                    missing.join(", ")
                ));
            }
            write_scenario_copy(dir, &source.text).map_err(|e| e.to_string())?;
            let skipped =
                if missing.is_empty() { String::new() } else { format!(" ({} not ready)", missing.join(", ")) };
            Ok(format!(
                "Wrote {} (SVG, PNG and JSON sidecars) and {SCENARIO_COPY} to {}{skipped}.",
                written.join(", "),
                dir.display()
            ))
        }
        Publication::Report { formats, .. } => {
            let input = FigureInput::of_study(&study, scenario).ok_or_else(missing)?;
            let files = write_report(dir, &input, formats, &opts, |_| {
                drawn.fetch_add(1, Ordering::Relaxed);
            })
            .map_err(|e| format!("Could not write the report to {}: {e}", dir.display()))?;
            Ok(format!(
                "Wrote the report: {} ({} figures in {}).",
                files.html.display(),
                files.figures.len(),
                dir.join(crate::export::report::FIGURES_DIR).display()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn wait(p: &Publishing) -> Result<String, String> {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            if let Some(r) = p.poll() {
                return r;
            }
            assert!(Instant::now() < deadline, "the publication did not finish");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn test_source() -> ScenarioSource {
        ScenarioSource::written_out(&small(), "test")
    }

    fn small() -> Scenario {
        Scenario::built_in().with_runs(200).unwrap()
    }

    #[test]
    fn figures_of_a_tab_are_written_with_sidecars() {
        let dir = tempfile::tempdir().unwrap();
        let publication =
            Publication::Figures { tab: Tab::Overview, dir: dir.path().into(), on_screen: OnScreen::default() };
        let p = Publishing::start(small(), test_source(), publication, || {}).unwrap();
        let msg = wait(&p).unwrap();
        assert!(msg.contains("net_distribution"), "{msg}");
        let copy = std::fs::read_to_string(dir.path().join(SCENARIO_COPY)).expect("scenario copy");
        assert_eq!(copy, test_source().text, "the scenario as run is written beside the figures");
        for kind in figures_of(Tab::Overview) {
            for ext in ["svg", "png", "json"] {
                assert!(dir.path().join(format!("{}.{ext}", kind.name())).exists(), "{} {ext}", kind.name());
            }
        }
        assert_eq!(p.progress().1, 1.0, "every figure drawn");
    }

    #[test]
    fn analysis_figures_wait_for_their_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let publication =
            Publication::Figures { tab: Tab::Sensitivity, dir: dir.path().into(), on_screen: OnScreen::default() };
        let p = Publishing::start(small(), test_source(), publication, || {}).unwrap();
        let msg = wait(&p).unwrap_err();
        assert!(msg.contains("tornado") && msg.contains("wait"), "{msg}");
    }

    #[test]
    fn a_report_can_be_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let s = Scenario::built_in().with_runs(1_000_000).unwrap();
        let plan = StudyPlan::default_for(&s);
        let publication = Publication::Report { dir: dir.path().into(), plan, formats: vec![Format::Svg] };
        let p = Publishing::start(s, test_source(), publication, || {}).unwrap();
        p.cancel();
        let msg = wait(&p).unwrap_err();
        assert!(msg.starts_with("Stopped"), "{msg}");
        assert!(!dir.path().join("report.html").exists());
    }
}
