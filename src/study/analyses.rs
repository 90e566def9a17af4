//! The analyses a study runs on simulations of their own, each as a list of [`Task`]s and
//! what it makes of their results: a threshold sweep (one simulation of every grid point),
//! a 2-D sweep (one per value of the world parameter), a sensitivity analysis (the sample,
//! then each tornado end), and the paired worlds of the decision analysis. The list of tasks
//! depends only on the plan, never on results, so a shard simulates the same tasks in the
//! same order as one machine, and a merge replays them in that order.
//!
//! Random numbers an analysis draws itself (the best threshold's bootstrap, EVPPI's random
//! partitions) are seeded by [`analysis_seed`]: the scenario's seed, in every front end.

use std::sync::Arc;

use crate::analysis::sensitivity::{Sensitivity, SensitivityLayout, SensitivitySpec};
use crate::analysis::sweep::{
    BestThreshold, BootstrapOptions, Constraint, DEFAULT_BOOTSTRAP, Evaluation, Sweep, Sweep2d, SweepLayout,
    SweepPoint, SweepSpec, WorldAxis, best_threshold, reference_cap,
};
use crate::analysis::worlds::Worlds;
use crate::fmt;
use crate::model::Scenario;
use crate::sim::pipeline::Collect;
use crate::sim::pipeline::{ChunkSource, Pipeline, Sink};
use crate::sim::{Control, Record, Results};

use super::error::StudyError;
use super::plan::{Cap, DecisionPlan, Part, SensitivityPlan, StudyNote, Sweep2dPlan, SweepPlan};
use super::runs::{Runs, Task};

/// The seed of the random numbers an analysis draws itself: the scenario's, so that one
/// scenario and seed give one answer in every front end.
pub fn analysis_seed(scenario: &Scenario) -> u64 {
    scenario.run().seed
}

/// The best threshold's bootstrap for `scenario`.
pub fn bootstrap_options(scenario: &Scenario) -> BootstrapOptions {
    BootstrapOptions { replicates: DEFAULT_BOOTSTRAP, seed: analysis_seed(scenario) }
}

/// One analysis: its tasks, and what it has made of the results so far.
pub enum AnalysisJob {
    Sweep(Box<SweepJob>),
    Sweep2d(Sweep2dJob),
    Sensitivity(SensitivityJob),
    Worlds(WorldsJob),
}

/// What an analysis made.
#[derive(Clone, Debug)]
pub enum AnalysisOutput {
    Sweep { sweep: Box<Sweep>, best: Option<BestThreshold>, note: Option<StudyNote> },
    Sweep2d(Sweep2d),
    Sensitivity(Sensitivity),
    Worlds(Worlds),
}

/// A threshold sweep: one simulation of every grid point, the policy as it stands and the
/// reference policy.
pub struct SweepJob {
    scenario: Arc<Scenario>,
    layout: SweepLayout,
    best: Option<Cap>,
    tasks: Vec<Task>,
    evaluation: Option<Evaluation>,
}

impl SweepJob {
    /// # Errors
    /// A plan that does not fit the scenario.
    pub fn new(scenario: Arc<Scenario>, plan: &SweepPlan) -> Result<SweepJob, StudyError> {
        let layout = SweepLayout::new(&scenario, &plan.spec).map_err(StudyError::Sweep)?;
        let task = Task::with_policies(
            Arc::clone(&scenario),
            layout.policies(),
            layout.reference(),
            plan.runs,
            layout.record(),
        );
        Ok(SweepJob { scenario, layout, best: plan.best, tasks: vec![task], evaluation: None })
    }

    fn take(&mut self, results: &Results) {
        self.evaluation = Some(self.layout.evaluate(results, true));
    }

    fn finish(self) -> Result<AnalysisOutput, StudyError> {
        let evaluation = self.evaluation.ok_or_else(|| StudyError::Invalid("the sweep was not simulated".into()))?;
        let sweep = self.layout.sweep(self.tasks[0].runs, self.scenario.run().seed, evaluation);
        let Some(cap) = self.best else {
            return Ok(AnalysisOutput::Sweep { sweep: Box::new(sweep), best: None, note: None });
        };
        let (constraint, note) = match cap {
            Cap::ReferencePolicy => {
                let cap = reference_cap(&sweep).map(|point| point.p_catastrophe);
                let text = match cap {
                    Some(p) => format!(
                        "The best threshold is the grid point with the highest expected net among those whose \
                         P(catastrophe) is no higher than the reference policy's (\"{}\", P(catastrophe) {}): a \
                         threshold that buys benefit without more catastrophe risk than the policy it is compared \
                         with.",
                        sweep.reference,
                        fmt::probability(p)
                    ),
                    None => format!(
                        "The best threshold is the grid point with the highest expected net, with no cap on \
                         P(catastrophe): \"{}\" is the reference policy itself.",
                        sweep.policy
                    ),
                };
                let c = Constraint { max_p_catastrophe: cap, max_cvar95: None };
                (c, Some(StudyNote { part: Part::Sweep, text }))
            }
            Cap::Given(c) => (c, None),
        };
        let best = best_threshold(&sweep, &constraint, &bootstrap_options(&self.scenario));
        Ok(AnalysisOutput::Sweep { sweep: Box::new(sweep), best: Some(best), note })
    }
}

/// A threshold swept against a world parameter: one sweep simulation per value of it.
pub struct Sweep2dJob {
    scenario: Arc<Scenario>,
    layout: SweepLayout,
    plan: Sweep2dPlan,
    tasks: Vec<Task>,
    rows: Vec<Vec<SweepPoint>>,
}

impl Sweep2dJob {
    /// # Errors
    /// A plan that does not fit the scenario.
    pub fn new(scenario: Arc<Scenario>, plan: &Sweep2dPlan) -> Result<Sweep2dJob, StudyError> {
        let layout = SweepLayout::new(&scenario, &plan.spec).map_err(StudyError::Sweep2d)?;
        layout.check_axis(&plan.axis).map_err(StudyError::Sweep2d)?;
        let base = Task::with_policies(
            Arc::clone(&scenario),
            layout.policies(),
            layout.reference(),
            plan.runs,
            layout.record(),
        );
        let tasks = plan.axis.values.iter().map(|&v| base.clone().holding(vec![(plan.axis.param, v)])).collect();
        Ok(Sweep2dJob { scenario, layout, plan: plan.clone(), tasks, rows: Vec::new() })
    }

    fn take(&mut self, results: &Results) {
        self.rows.push(self.layout.evaluate(results, false).points);
    }

    fn finish(self) -> AnalysisOutput {
        let seed = self.scenario.run().seed;
        AnalysisOutput::Sweep2d(self.layout.sweep_2d(&self.plan.axis, self.plan.runs, seed, self.rows))
    }
}

/// A sensitivity analysis: the sample with every parameter drawn, then each tornado end.
pub struct SensitivityJob {
    scenario: Arc<Scenario>,
    layout: SensitivityLayout,
    runs: u64,
    tasks: Vec<Task>,
    sample: Option<Results>,
    end_means: Vec<f64>,
}

impl SensitivityJob {
    /// # Errors
    /// A plan that does not fit the scenario (no uncertain parameter, no such policy).
    pub fn new(scenario: Arc<Scenario>, plan: &SensitivityPlan) -> Result<SensitivityJob, StudyError> {
        let layout = SensitivityLayout::new(&scenario, &plan.spec).map_err(StudyError::Sensitivity)?;
        let sample = Task::with_policies(
            Arc::clone(&scenario),
            layout.policies(),
            layout.reference(),
            plan.runs,
            layout.sample_record(),
        );
        let end = Task { options: crate::sim::SimOptions::default(), ..sample.clone() };
        let mut tasks = vec![sample];
        tasks.extend(layout.ends().into_iter().map(|(param, value)| end.clone().holding(vec![(param, value)])));
        Ok(SensitivityJob { scenario, layout, runs: plan.runs, tasks, sample: None, end_means: Vec::new() })
    }

    fn take(&mut self, index: usize, results: Results) {
        if index == 0 {
            self.sample = Some(results);
        } else {
            self.end_means.push(self.layout.end_mean(&results));
        }
    }

    fn finish(self) -> Result<AnalysisOutput, StudyError> {
        let sample =
            self.sample.ok_or_else(|| StudyError::Invalid("the sensitivity sample was not simulated".into()))?;
        let seed = self.scenario.run().seed;
        Ok(AnalysisOutput::Sensitivity(self.layout.finish(self.runs, seed, &sample, &self.end_means)))
    }
}

/// The paired worlds of the decision analysis: every policy on common random numbers, with
/// each world's parameter draws.
pub struct WorldsJob {
    scenario: Arc<Scenario>,
    tasks: Vec<Task>,
    worlds: Option<Worlds>,
}

impl WorldsJob {
    pub fn new(scenario: Arc<Scenario>, runs: u64) -> WorldsJob {
        let task = Task::new(Arc::clone(&scenario), runs, Record { params: true, ..Record::default() });
        WorldsJob { scenario, tasks: vec![task], worlds: None }
    }

    fn take(&mut self, results: &Results) {
        let s = &self.scenario;
        let names = s.policies().iter().map(|p| p.name.clone()).collect();
        let jurisdictions: Vec<String> = s.jurisdictions().iter().map(|j| j.name.clone()).collect();
        self.worlds = Some(Worlds::from_results(results, names, &jurisdictions, s.run().reference, analysis_seed(s)));
    }

    fn finish(self) -> Result<AnalysisOutput, StudyError> {
        self.worlds
            .map(AnalysisOutput::Worlds)
            .ok_or_else(|| StudyError::Invalid("the paired worlds were not simulated".into()))
    }
}

impl AnalysisJob {
    /// The jobs of a plan's analyses, in the order they run.
    ///
    /// # Errors
    /// A plan that does not fit the scenario.
    pub fn for_decision(scenario: Arc<Scenario>, plan: &DecisionPlan) -> AnalysisJob {
        AnalysisJob::Worlds(WorldsJob::new(scenario, plan.runs))
    }

    pub fn part(&self) -> Part {
        match self {
            AnalysisJob::Sweep(_) => Part::Sweep,
            AnalysisJob::Sweep2d(_) => Part::Sweep2d,
            AnalysisJob::Sensitivity(_) => Part::Sensitivity,
            AnalysisJob::Worlds(_) => Part::Decision,
        }
    }

    pub fn tasks(&self) -> &[Task] {
        match self {
            AnalysisJob::Sweep(j) => &j.tasks,
            AnalysisJob::Sweep2d(j) => &j.tasks,
            AnalysisJob::Sensitivity(j) => &j.tasks,
            AnalysisJob::Worlds(j) => &j.tasks,
        }
    }

    /// Runs the analysis's tasks simulate, all told (what `Control::runs_done` adds).
    pub fn runs(&self) -> u64 {
        self.tasks().iter().map(|t| t.runs).sum()
    }

    /// Policy-runs its tasks simulate: its weight in a study's progress.
    pub fn work(&self) -> u64 {
        self.tasks().iter().map(|t| t.runs * t.n_policies() as u64).sum()
    }

    fn take(&mut self, index: usize, results: Results) {
        match self {
            AnalysisJob::Sweep(j) => j.take(&results),
            AnalysisJob::Sweep2d(j) => j.take(&results),
            AnalysisJob::Sensitivity(j) => j.take(index, results),
            AnalysisJob::Worlds(j) => j.take(&results),
        }
    }

    fn finish(self) -> Result<AnalysisOutput, StudyError> {
        match self {
            AnalysisJob::Sweep(j) => (*j).finish(),
            AnalysisJob::Sweep2d(j) => Ok(j.finish()),
            AnalysisJob::Sensitivity(j) => j.finish(),
            AnalysisJob::Worlds(j) => j.finish(),
        }
    }
}

/// An analysis in progress: its tasks run one after another through the pipeline, a chunk
/// per step, each into a [`Collect`] (and a shard's capture).
pub struct AnalysisRun {
    job: AnalysisJob,
    /// The study's number of this analysis's first simulation.
    first_simulation: usize,
    next_task: usize,
    current: Option<(Pipeline<Box<dyn ChunkSource>>, Collect)>,
    chunk_runs: u64,
}

impl AnalysisRun {
    pub fn new(job: AnalysisJob, first_simulation: usize, chunk_runs: u64) -> AnalysisRun {
        AnalysisRun { job, first_simulation, next_task: 0, current: None, chunk_runs }
    }

    pub fn job(&self) -> &AnalysisJob {
        &self.job
    }

    /// The study's number of the simulation after this analysis's last.
    pub fn end_simulation(&self) -> usize {
        self.first_simulation + self.job.tasks().len()
    }

    pub fn is_finished(&self) -> bool {
        self.current.is_none() && self.next_task >= self.job.tasks().len()
    }

    /// Puts the next chunk (at most `max_runs` runs) of the task under way through its sinks,
    /// starting the next task when one ends. Returns whether every task has ended.
    ///
    /// # Errors
    /// Cancellation, a replay that does not fit, a capture that cannot be written.
    pub fn step(&mut self, runs: &mut Runs, max_runs: u64, control: &Control) -> Result<bool, StudyError> {
        if self.current.is_none() {
            let Some(task) = self.job.tasks().get(self.next_task) else {
                return Ok(true);
            };
            let pipeline = runs.pipeline(self.first_simulation + self.next_task, task, self.chunk_runs)?;
            self.current = Some((pipeline, Collect::new(task.options.record.clone())));
        }
        let index = self.first_simulation + self.next_task;
        let Some((pipeline, collect)) = self.current.as_mut() else {
            return Ok(true);
        };
        let done = match pipeline.pull(max_runs, control)? {
            None => true,
            Some(chunk) => {
                let mut capture = runs.capture(index);
                let mut sinks: Vec<&mut dyn Sink> = vec![collect];
                if let Some(c) = capture.as_mut() {
                    sinks.push(c);
                }
                pipeline.push(&chunk, &mut sinks)?
            }
        };
        if done {
            let (_, collect) = self.current.take().ok_or_else(|| StudyError::Invalid("no task under way".into()))?;
            // A shard captures; what an analysis makes of a part of the runs is not kept.
            if !runs.is_shard() {
                self.job.take(self.next_task, collect.into_results());
            }
            self.next_task += 1;
        }
        Ok(self.is_finished())
    }

    /// What the analysis made of its tasks' results.
    ///
    /// # Errors
    /// Tasks that did not all run.
    pub fn finish(self) -> Result<AnalysisOutput, StudyError> {
        self.job.finish()
    }
}

/// Runs one analysis to the end on the calling thread's rayon pool, every run simulated: what
/// an app's analysis slot does (a front end without threads steps an [`AnalysisRun`]).
///
/// # Errors
/// Cancellation, or an analysis that fails on its results.
pub fn run_analysis(job: AnalysisJob, control: &Control) -> Result<AnalysisOutput, StudyError> {
    let mut run = AnalysisRun::new(job, 1, super::simulation::CHUNK_RUNS);
    let mut runs = Runs::All;
    while !run.step(&mut runs, u64::MAX, control)? {}
    run.finish()
}

/// A threshold sweep of every run of `scenario` (no best threshold: see
/// [`crate::analysis::sweep::best_threshold`]).
///
/// # Errors
/// As [`run_analysis`]; a spec that does not fit the scenario.
pub fn sweep(scenario: &Scenario, spec: &SweepSpec, control: &Control) -> Result<Sweep, StudyError> {
    let plan = SweepPlan { spec: spec.clone(), runs: scenario.run().runs, best: None };
    match run_analysis(AnalysisJob::Sweep(Box::new(SweepJob::new(Arc::new(scenario.clone()), &plan)?)), control)? {
        AnalysisOutput::Sweep { sweep, .. } => Ok(*sweep),
        _ => Err(StudyError::Invalid("not a sweep".into())),
    }
}

/// A 2-D sweep of every run of `scenario`.
///
/// # Errors
/// As [`sweep`]; an axis outside its parameter's range.
pub fn sweep_2d(
    scenario: &Scenario,
    spec: &SweepSpec,
    axis: &WorldAxis,
    control: &Control,
) -> Result<Sweep2d, StudyError> {
    let plan = Sweep2dPlan { spec: spec.clone(), axis: axis.clone(), runs: scenario.run().runs };
    match run_analysis(AnalysisJob::Sweep2d(Sweep2dJob::new(Arc::new(scenario.clone()), &plan)?), control)? {
        AnalysisOutput::Sweep2d(s) => Ok(s),
        _ => Err(StudyError::Invalid("not a 2-D sweep".into())),
    }
}

/// A sensitivity analysis of every run of `scenario`.
///
/// # Errors
/// As [`sweep`].
pub fn sensitivity(scenario: &Scenario, spec: &SensitivitySpec, control: &Control) -> Result<Sensitivity, StudyError> {
    let plan = SensitivityPlan { spec: spec.clone(), runs: scenario.run().runs };
    match run_analysis(AnalysisJob::Sensitivity(SensitivityJob::new(Arc::new(scenario.clone()), &plan)?), control)? {
        AnalysisOutput::Sensitivity(s) => Ok(s),
        _ => Err(StudyError::Invalid("not a sensitivity analysis".into())),
    }
}

/// The paired worlds of every run of `scenario`, with each world's parameter draws.
///
/// # Errors
/// As [`run_analysis`].
pub fn worlds(scenario: &Scenario, control: &Control) -> Result<Worlds, StudyError> {
    let job = WorldsJob::new(Arc::new(scenario.clone()), scenario.run().runs);
    match run_analysis(AnalysisJob::Worlds(job), control)? {
        AnalysisOutput::Worlds(w) => Ok(w),
        _ => Err(StudyError::Invalid("not paired worlds".into())),
    }
}
