//! "Export figure…" and "Export report…": publication figures (SVG and PNG with JSON
//! sidecars) and the report bundle, drawn by the same headless renderer as `tierlab figures`
//! and `tierlab report` (never a screenshot), with progress and cancellation: on a named
//! background thread, or stepped by a workspace without threads (the study a slice at a
//! time, then the figures in one slice).
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
use crate::study::{Input, Keeps, Runs, ScenarioSource, Stage, Study, StudyJob, StudyPlan, progress_at};

use super::executor::{Pace, Slice};
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
        Tab::Decision => &[PrimTradeoff, PrimBox, Regret, Evppi],
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
    /// A tab's figures, or only the one figure `only` (one of its plots), into a folder.
    Figures { tab: Tab, only: Option<FigureKind>, dir: PathBuf, on_screen: OnScreen },
    /// The report bundle (figures, report.html, report.md), into a folder.
    Report { dir: PathBuf, plan: StudyPlan, formats: Vec<Format> },
}

impl Publication {
    fn what(&self) -> String {
        match self {
            Publication::Figures { only: Some(kind), .. } => format!("the figure “{}”", kind.title()),
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

    /// The figures a [`Publication::Figures`] draws (none for a report, which draws all).
    fn kinds(&self) -> &[FigureKind] {
        match self {
            Publication::Figures { only: Some(kind), .. } => std::slice::from_ref(kind),
            Publication::Figures { tab, .. } => figures_of(*tab),
            Publication::Report { .. } => &[],
        }
    }

    /// Figures to draw once the study is done.
    fn figures(&self) -> usize {
        match self {
            Publication::Figures { .. } => self.kinds().len(),
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
    backend: Backend,
}

/// Where the work is done.
enum Backend {
    Thread { done: Receiver<Result<String, String>> },
    Stepped(Box<Stepped>),
}

/// A stepped publication: its study until it is made, then its message.
struct Stepped {
    job: Option<StudyJob>,
    input: Input,
    publication: Publication,
    pace: Pace,
    ended: Option<Result<String, String>>,
}

/// The study of `publication` of `scenario` (at its own run count): the plan it needs, the
/// main simulation keeping every run for the figures.
fn study_of(
    scenario: Scenario,
    source: ScenarioSource,
    publication: &Publication,
) -> (Input, Result<StudyJob, String>) {
    let input = Input::new(scenario, source);
    let keeps = Keeps { store: super::simulation::store_keep(), ..Keeps::everything() };
    let job = StudyJob::new(&input, &publication.plan(), Runs::All, &keeps, None)
        .map_err(|e| format!("Could not write {}: {e}", publication.what()));
    (input, job)
}

impl Publishing {
    /// Starts `publication` of `scenario` (simulated at its own run count) on a new thread;
    /// `source` is the scenario text the provenance hashes; `wake` wakes the front end when it
    /// ends.
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn start(
        scenario: Scenario,
        source: ScenarioSource,
        publication: Publication,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Publishing> {
        let control = Arc::new(Control::new());
        let drawn = Arc::new(AtomicUsize::new(0));
        let (input, job) = study_of(scenario, source, &publication);
        let stages = job.as_ref().map(|j| j.stages().to_vec()).unwrap_or_default();
        let (tx, rx) = channel();
        let what = publication.what();
        let figures = publication.figures();
        let (c, d) = (Arc::clone(&control), Arc::clone(&drawn));
        std::thread::Builder::new().name(THREAD_NAME.into()).spawn(move || {
            let out = std::panic::catch_unwind(AssertUnwindSafe(|| {
                let study = job?.run(None, &c).map_err(|e| study_failed(&publication, &c, &e))?;
                write_publication(&study, &input, &publication, &c, &d)
            }))
            .unwrap_or_else(|_| Err(format!("Writing {} failed unexpectedly.", publication.what())));
            // A closed channel means the workspace is gone: nothing left to do.
            let _ = tx.send(out);
            wake();
        })?;
        Ok(Publishing { what, control, stages, drawn, figures, backend: Backend::Thread { done: rx } })
    }

    /// Prepares `publication` to be made in the slices of [`Publishing::advance`]; no thread.
    pub fn stepped(scenario: Scenario, source: ScenarioSource, publication: Publication) -> Publishing {
        let (input, job) = study_of(scenario, source, &publication);
        let stages = job.as_ref().map(|j| j.stages().to_vec()).unwrap_or_default();
        let (job, ended) = match job {
            Ok(j) => (Some(j), None),
            Err(e) => (None, Some(Err(e))),
        };
        Publishing {
            what: publication.what(),
            control: Arc::new(Control::new()),
            stages,
            drawn: Arc::new(AtomicUsize::new(0)),
            figures: publication.figures(),
            backend: Backend::Stepped(Box::new(Stepped { job, input, publication, pace: Pace::default(), ended })),
        }
    }

    /// Steps the study within `slice`; once it is made, draws and writes every file in the
    /// same slice (a figure is not cut in parts). A thread's publication needs no help.
    pub(crate) fn advance(&mut self, slice: &mut Slice) {
        let Backend::Stepped(s) = &mut self.backend else { return };
        if s.ended.is_some() {
            return;
        }
        let control = &self.control;
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| -> Result<Option<String>, String> {
            let Some(job) = s.job.as_mut() else { return Err(format!("Could not write {}.", s.publication.what())) };
            while !job.is_finished() {
                let Some(max_runs) = slice.next_chunk(&s.pace) else { return Ok(None) };
                let (before, t0) = (control.runs_done(), web_time::Instant::now());
                let stepped = job.step(max_runs, control);
                let done = control.runs_done().saturating_sub(before);
                s.pace.observe(done, t0.elapsed());
                slice.spend(done);
                stepped.map_err(|e| study_failed(&s.publication, control, &e))?;
            }
            let job = s.job.take().ok_or_else(|| format!("Could not write {}.", s.publication.what()))?;
            let study = job.finish().map_err(|e| study_failed(&s.publication, control, &e))?;
            write_publication(&study, &s.input, &s.publication, control, &self.drawn).map(Some)
        }))
        .unwrap_or_else(|_| Err(format!("Writing {} failed unexpectedly.", s.publication.what())));
        match result {
            Ok(None) => {}
            Ok(Some(msg)) => s.ended = Some(Ok(msg)),
            Err(msg) => s.ended = Some(Err(msg)),
        }
    }

    /// Whether a stepped publication has work left for [`Publishing::advance`].
    pub fn has_work(&self) -> bool {
        matches!(&self.backend, Backend::Stepped(s) if s.ended.is_none())
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
    pub fn poll(&mut self) -> Option<Result<String, String>> {
        match &mut self.backend {
            Backend::Thread { done } => done.try_recv().ok(),
            Backend::Stepped(s) => s.ended.take(),
        }
    }

    /// Stops it before its next batch of runs or its next figure.
    pub fn cancel(&mut self) {
        self.control.cancel();
        if let Backend::Stepped(s) = &mut self.backend
            && s.ended.is_none()
        {
            s.job = None;
            s.ended = Some(Err(format!("Stopped writing {}.", self.what)));
        }
    }
}

/// The message for a study that could not be made.
fn study_failed(publication: &Publication, control: &Control, e: &crate::study::StudyError) -> String {
    let what = publication.what();
    if control.is_cancelled() { format!("Stopped writing {what}.") } else { format!("Could not write {what}: {e}") }
}

/// Writes the files of `publication` from its study; the message for the status line.
fn write_publication(
    study: &Study,
    input: &Input,
    publication: &Publication,
    control: &Control,
    drawn: &AtomicUsize,
) -> Result<String, String> {
    let what = publication.what();
    let (scenario, source) = (&*input.scenario, &*input.source);
    let missing = || format!("Could not write {what}: no simulation was made");
    let dir = publication.dir();
    std::fs::create_dir_all(dir).map_err(|e| format!("Could not create {}: {e}", dir.display()))?;
    let opts = FigureOptions::default();
    let cancelled = || format!("Stopped writing {what}.");
    match publication {
        Publication::Figures { tab, on_screen, .. } => {
            let mut input = FigureInput::of_study(study, scenario).ok_or_else(missing)?;
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
            for &kind in publication.kinds() {
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
            let input = FigureInput::of_study(study, scenario).ok_or_else(missing)?;
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
    use std::time::Duration;
    use web_time::Instant;

    fn wait(p: &mut Publishing) -> Result<String, String> {
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
        let publication = Publication::Figures {
            tab: Tab::Overview,
            only: None,
            dir: dir.path().into(),
            on_screen: OnScreen::default(),
        };
        let mut p = Publishing::start(small(), test_source(), publication, || {}).unwrap();
        let msg = wait(&mut p).unwrap();
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

    /// One plot's export: only its figure, SVG and PNG with a sidecar, the SVG stamped with
    /// the seed and the scenario's hash.
    #[test]
    fn one_plots_figure_is_written_alone_with_its_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let only = Some(FigureKind::FanHarm);
        let publication =
            Publication::Figures { tab: Tab::OverTime, only, dir: dir.path().into(), on_screen: OnScreen::default() };
        let mut p = Publishing::start(small(), test_source(), publication, || {}).unwrap();
        let msg = wait(&mut p).unwrap();
        assert!(msg.contains("fan_harm"), "{msg}");
        for ext in ["svg", "png", "json"] {
            assert!(dir.path().join(format!("fan_harm.{ext}")).exists(), "{ext}");
        }
        for other in [FigureKind::FanBenefit, FigureKind::FrontierOpenPool] {
            assert!(!dir.path().join(format!("{}.svg", other.name())).exists(), "only the one figure");
        }
        let svg = std::fs::read_to_string(dir.path().join("fan_harm.svg")).unwrap();
        let s = small();
        assert!(svg.contains(&s.run().seed.to_string()), "the seed in the SVG");
        assert!(svg.contains(&test_source().sha256()[..12]), "the scenario hash in the SVG");
        assert_eq!(p.progress().1, 1.0);
    }

    #[test]
    fn analysis_figures_wait_for_their_analysis() {
        let dir = tempfile::tempdir().unwrap();
        let publication = Publication::Figures {
            tab: Tab::Sensitivity,
            only: None,
            dir: dir.path().into(),
            on_screen: OnScreen::default(),
        };
        let mut p = Publishing::start(small(), test_source(), publication, || {}).unwrap();
        let msg = wait(&mut p).unwrap_err();
        assert!(msg.contains("tornado") && msg.contains("wait"), "{msg}");
    }

    #[test]
    fn a_report_can_be_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let s = Scenario::built_in().with_runs(1_000_000).unwrap();
        let plan = StudyPlan::default_for(&s);
        let publication = Publication::Report { dir: dir.path().into(), plan, formats: vec![Format::Svg] };
        let mut p = Publishing::start(s, test_source(), publication, || {}).unwrap();
        p.cancel();
        let msg = wait(&mut p).unwrap_err();
        assert!(msg.starts_with("Stopped"), "{msg}");
        assert!(!dir.path().join("report.html").exists());
    }

    #[test]
    fn a_stepped_publication_writes_what_the_thread_writes() {
        let (threaded, stepped) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let figures = |dir: &tempfile::TempDir| Publication::Figures {
            tab: Tab::Overview,
            only: None,
            dir: dir.path().into(),
            on_screen: OnScreen::default(),
        };
        let mut p = Publishing::start(small(), test_source(), figures(&threaded), || {}).unwrap();
        wait(&mut p).unwrap();
        let mut p = Publishing::stepped(small(), test_source(), figures(&stepped));
        let mut slices = 0;
        let msg = loop {
            let mut slice = Slice::new(crate::workspace::Budget::Runs(64));
            p.advance(&mut slice);
            slices += 1;
            if let Some(msg) = p.poll() {
                break msg.unwrap();
            }
            assert!(slices < 100, "the publication does not end");
        };
        assert!(slices > 1, "200 runs take more than one slice of 64");
        assert!(msg.contains("net_distribution"), "{msg}");
        for kind in figures_of(Tab::Overview) {
            let name = format!("{}.svg", kind.name());
            let a = std::fs::read(threaded.path().join(&name)).unwrap();
            let b = std::fs::read(stepped.path().join(&name)).unwrap();
            assert!(a == b, "{name} differs");
        }
    }

    #[test]
    fn a_stepped_publication_can_be_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let publication = Publication::Figures {
            tab: Tab::Overview,
            only: None,
            dir: dir.path().into(),
            on_screen: OnScreen::default(),
        };
        let mut p = Publishing::stepped(small(), test_source(), publication);
        p.advance(&mut Slice::new(crate::workspace::Budget::Runs(10)));
        p.cancel();
        assert!(!p.has_work());
        assert!(p.poll().is_some_and(|r| r.is_err_and(|m| m.starts_with("Stopped"))));
    }
}
