//! A study in progress: the main simulation, then each analysis of the plan, stepped a chunk
//! of runs at a time. Natively a command runs it to the end on a thread pool
//! ([`StudyJob::run`]); the app steps it from a background thread; a front end without
//! threads steps it between frames. Whatever drives it, the same plan and runs give the same
//! [`Study`].

use std::sync::Arc;
use web_time::Instant;

use crate::analysis::decision::{Decision, decide};
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::{BestThreshold, Sweep, Sweep2d};
use crate::analysis::worlds::Worlds;
use crate::sim::Control;
use crate::sim::pipeline::Sink;

use super::analyses::{AnalysisJob, AnalysisOutput, AnalysisRun, SensitivityJob, Sweep2dJob, SweepJob};
use super::error::StudyError;
use super::plan::{Part, StudyNote, StudyPlan};
use super::progress::{Stage, StudyProgress, progress_at};
use super::provenance::{Input, Provenance};
use super::runs::Runs;
use super::simulation::{CHUNK_RUNS, Keeps, MAIN_SIMULATION, MainSimulation, Simulated};

/// Everything a study made: what the report, the figures, the command line and the app show.
#[derive(Clone, Debug)]
pub struct Study {
    /// The main simulation's results (none when the plan does not simulate the scenario).
    pub simulated: Option<Simulated>,
    pub provenance: Provenance,
    /// The scenario file's text the provenance hashes; a report writes it beside itself.
    pub scenario_text: String,
    pub sweep: Option<Sweep>,
    /// The best threshold of `sweep` under the plan's cap.
    pub best_threshold: Option<BestThreshold>,
    pub sweep_2d: Option<Sweep2d>,
    pub sensitivity: Option<Sensitivity>,
    /// The paired worlds of the decision analysis, and what it found in them.
    pub worlds: Option<Arc<Worlds>>,
    pub decision: Option<Decision>,
    /// What the report says about analyses left out or capped.
    pub notes: Vec<StudyNote>,
    /// How many simulations the study made (the main one and each analysis's).
    pub simulations: usize,
}

/// A study being made.
pub struct StudyJob {
    input: Input,
    plan: StudyPlan,
    runs: Runs,
    main: Option<MainSimulation>,
    simulated: Option<Simulated>,
    analyses: Vec<AnalysisRun>,
    /// The analysis under way.
    next: usize,
    stages: Vec<Stage>,
    simulations: usize,
    started: Instant,
}

impl StudyJob {
    /// Prepares the study of `input` that `plan` asks for, its runs taken from `runs`, the
    /// main simulation keeping what `keeps` says and handing every chunk to `files` as well.
    /// Every analysis is checked against the scenario before anything is simulated.
    ///
    /// # Errors
    /// A plan that does not fit the scenario, or a replay without the main simulation.
    pub fn new(
        input: &Input,
        plan: &StudyPlan,
        mut runs: Runs,
        keeps: &Keeps,
        files: Option<Box<dyn Sink + Send>>,
    ) -> Result<StudyJob, StudyError> {
        let s = &input.scenario;
        let mut jobs = Vec::new();
        if let Some(p) = &plan.sweep {
            jobs.push(AnalysisJob::Sweep(Box::new(SweepJob::new(Arc::clone(s), p)?)));
        }
        if let Some(p) = &plan.sweep_2d {
            jobs.push(AnalysisJob::Sweep2d(Sweep2dJob::new(Arc::clone(s), p)?));
        }
        if let Some(p) = &plan.sensitivity {
            jobs.push(AnalysisJob::Sensitivity(SensitivityJob::new(Arc::clone(s), p)?));
        }
        if let Some(p) = &plan.decision {
            if s.uncertain_params().is_empty() || s.policies().len() < 2 {
                return Err(StudyError::Invalid(
                    "decision support needs uncertain world parameters and at least two policies".into(),
                ));
            }
            jobs.push(AnalysisJob::for_decision(Arc::clone(s), p));
        }
        let mut stages = Vec::new();
        let main = if plan.main_simulation {
            let runs_total = s.run().runs;
            stages.push(Stage {
                part: Part::Simulation,
                runs: runs_total,
                work: runs_total * s.policies().len() as u64,
            });
            Some(MainSimulation::new(input, keeps, &mut runs, files)?)
        } else {
            None
        };
        let chunk_runs = keeps.chunk_runs.clamp(1, CHUNK_RUNS);
        let mut first = MAIN_SIMULATION + 1;
        let mut analyses = Vec::with_capacity(jobs.len());
        for job in jobs {
            stages.push(Stage { part: job.part(), runs: job.runs(), work: job.work() });
            let run = AnalysisRun::new(job, first, chunk_runs);
            first = run.end_simulation();
            analyses.push(run);
        }
        Ok(StudyJob {
            input: input.clone(),
            plan: plan.clone(),
            runs,
            main,
            simulated: None,
            analyses,
            next: 0,
            stages,
            simulations: usize::from(plan.main_simulation) + (first - MAIN_SIMULATION - 1),
            started: Instant::now(),
        })
    }

    /// The stages the study runs through, in order, for progress.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// Where the study stands, from the runs `control` has counted.
    pub fn progress(&self, control: &Control) -> StudyProgress {
        progress_at(&self.stages, control.runs_done())
    }

    /// The main simulation under way (the app reads its partial summaries).
    pub fn main_simulation(&mut self) -> Option<&mut MainSimulation> {
        self.main.as_mut()
    }

    /// The main simulation's results, once it has finished.
    pub fn simulated(&self) -> Option<&Simulated> {
        self.simulated.as_ref()
    }

    pub fn is_finished(&self) -> bool {
        self.main.is_none() && self.next >= self.analyses.len()
    }

    /// Does a bounded slice of work: the next chunk of at most `max_runs` runs of the
    /// simulation under way. Returns whether the study has made every simulation.
    ///
    /// # Errors
    /// Cancellation, a replay that does not fit, an output that cannot be written.
    pub fn step(&mut self, max_runs: u64, control: &Control) -> Result<bool, StudyError> {
        if let Some(main) = self.main.as_mut() {
            if main.step(max_runs, &mut self.runs, control)? {
                let main = self.main.take().ok_or_else(|| StudyError::Invalid("no simulation under way".into()))?;
                if self.runs.is_shard() {
                    main.finish_shard()?;
                } else {
                    self.simulated = Some(main.finish()?);
                }
            }
            return Ok(self.is_finished());
        }
        let Some(run) = self.analyses.get_mut(self.next) else {
            return Ok(true);
        };
        if run.step(&mut self.runs, max_runs, control)? {
            self.next += 1;
        }
        Ok(self.is_finished())
    }

    /// Everything the study made. A shard's study has made no analyses (its runs went to its
    /// capture): its [`Study`] holds the provenance alone.
    ///
    /// # Errors
    /// Simulations that did not all run, or an analysis that fails on its results.
    pub fn finish(mut self) -> Result<Study, StudyError> {
        if !self.is_finished() {
            return Err(StudyError::Invalid("the study has not made every simulation yet".into()));
        }
        let shard = self.runs.is_shard();
        let mut notes = self.plan.notes.clone();
        let mut study = Study {
            simulated: self.simulated.take(),
            provenance: self.input.provenance(),
            scenario_text: self.input.source.text.clone(),
            sweep: None,
            best_threshold: None,
            sweep_2d: None,
            sensitivity: None,
            worlds: None,
            decision: None,
            notes: Vec::new(),
            simulations: self.simulations,
        };
        if !shard {
            for run in std::mem::take(&mut self.analyses) {
                match run.finish()? {
                    AnalysisOutput::Sweep { sweep, best, note } => {
                        notes.extend(note);
                        study.sweep = Some(*sweep);
                        study.best_threshold = best;
                    }
                    AnalysisOutput::Sweep2d(s) => study.sweep_2d = Some(s),
                    AnalysisOutput::Sensitivity(s) => study.sensitivity = Some(s),
                    AnalysisOutput::Worlds(w) => {
                        if let Some(p) = &self.plan.decision {
                            study.decision = Some(decide(&w, &p.spec).map_err(StudyError::Decision)?);
                        }
                        study.worlds = Some(Arc::new(w));
                    }
                }
            }
        }
        if let Runs::Shard { capture, .. } = &mut self.runs {
            capture.finish().map_err(StudyError::Output)?;
        }
        study.notes = notes;
        study.provenance.threads = rayon::current_num_threads();
        study.provenance.series_runs = study.simulated.as_ref().map_or(0, |s| s.provenance.series_runs);
        study.provenance.wall_time_s = self.started.elapsed().as_secs_f64();
        if let Some(s) = study.simulated.as_mut() {
            s.provenance.threads = study.provenance.threads;
            s.provenance.wall_time_s = study.provenance.wall_time_s;
        }
        Ok(study)
    }

    /// Steps to the end and finishes, on a pool of `threads` threads of its own (`None`:
    /// rayon's current pool). Results do not depend on the thread count.
    ///
    /// # Errors
    /// As [`StudyJob::step`] and [`StudyJob::finish`]; a pool that cannot start.
    pub fn run(mut self, threads: Option<usize>, control: &Control) -> Result<Study, StudyError> {
        let body = move || -> Result<Study, StudyError> {
            while !self.step(u64::MAX, control)? {}
            self.finish()
        };
        match threads {
            None => body(),
            Some(t) => rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .thread_name(|i| format!("tierlab-study-{i}"))
                .build()
                .map_err(|e| StudyError::Threads { threads: t, reason: e.to_string() })?
                .install(body),
        }
    }

    pub fn input(&self) -> &Input {
        &self.input
    }
}
