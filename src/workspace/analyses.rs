//! The analyses behind the Thresholds, Sensitivity and Decision support tabs: a threshold
//! sweep, the best threshold under the cap (a bootstrap over the sweep's runs), its 2-D heat
//! map, a sensitivity analysis, the paired worlds of the Decision support tab and the
//! decision analysis on them, each in its own slot. Natively each job runs on a thread of its
//! own: even the bootstrap uses the rayon pool, and a UI thread waiting for a pool busy with
//! a heat map would freeze for as long. A stepped workspace advances them a slice at a time.
//!
//! A slot holds at most one job in flight and the last result. Asking for an analysis that
//! is already running or already on screen does nothing, so the front end can ask every
//! frame; asking for a different one cancels the job in flight (through its [`Control`],
//! checked every batch of runs) and starts the new one. Results of superseded jobs are
//! dropped. The analyses use the same rayon pool as the simulation; the workspace only asks
//! while no simulation is running, so the main result always comes first.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;
use web_time::Instant;

use crate::analysis::decision::{Decision, DecisionSpec, decide};
use crate::analysis::sensitivity::{Sensitivity, SensitivitySpec};
use crate::analysis::sweep::{self, BestThreshold, BootstrapOptions, Constraint, Sweep, Sweep2d, SweepSpec, WorldAxis};
use crate::analysis::worlds::Worlds;
use crate::model::Scenario;
use crate::sim::Control;
use crate::study::analyses::{
    AnalysisJob, AnalysisOutput, AnalysisRun, SensitivityJob, Sweep2dJob, SweepJob, WorldsJob,
};
use crate::study::{Runs, SensitivityPlan, StudyError, Sweep2dPlan, SweepPlan};

use super::executor::{Pace, Slice};
use super::simulation::panic_text;

/// The thread name of an analysis job, as debuggers and profilers show it.
pub const THREAD_NAME: &str = "tierlab-analysis";

/// The analyses the app keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Sweep,
    Best,
    Heatmap,
    Sensitivity,
    /// The paired worlds of the Decision support tab (a simulation).
    Worlds,
    /// Scenario discovery, regret and value of information on those worlds.
    Decision,
}

/// Number of slots.
pub const SLOTS: usize = 6;

impl Slot {
    pub const ALL: [Slot; SLOTS] =
        [Slot::Sweep, Slot::Best, Slot::Heatmap, Slot::Sensitivity, Slot::Worlds, Slot::Decision];

    /// The slot's place in per-slot arrays.
    pub fn index(self) -> usize {
        match self {
            Slot::Sweep => 0,
            Slot::Best => 1,
            Slot::Heatmap => 2,
            Slot::Sensitivity => 3,
            Slot::Worlds => 4,
            Slot::Decision => 5,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Slot::Sweep => "threshold sweep",
            Slot::Best => "best threshold",
            Slot::Heatmap => "heat map",
            Slot::Sensitivity => "sensitivity analysis",
            Slot::Worlds => "paired worlds",
            Slot::Decision => "decision analysis",
        }
    }
}

/// An analysis to run: everything its result depends on (the scenario carries the runs and
/// the seed), so two equal requests give equal results.
#[derive(Clone, Debug)]
pub enum Request {
    Sweep {
        scenario: Arc<Scenario>,
        spec: SweepSpec,
    },
    /// The best threshold of a sweep (the very one: compared by identity) under a cap.
    Best {
        sweep: Arc<Sweep>,
        constraint: Constraint,
    },
    Heatmap {
        scenario: Arc<Scenario>,
        spec: SweepSpec,
        axis: WorldAxis,
    },
    Sensitivity {
        scenario: Arc<Scenario>,
        spec: SensitivitySpec,
    },
    Worlds {
        scenario: Arc<Scenario>,
    },
    /// Decision support on paired worlds (the very ones: compared by identity).
    Decision {
        worlds: Arc<Worlds>,
        spec: DecisionSpec,
    },
}

impl PartialEq for Request {
    fn eq(&self, other: &Request) -> bool {
        match (self, other) {
            (Request::Sweep { scenario: a, spec: b }, Request::Sweep { scenario: c, spec: d }) => a == c && b == d,
            // A sweep keeps every run's outcome: its identity stands for its contents.
            (Request::Best { sweep: a, constraint: b }, Request::Best { sweep: c, constraint: d }) => {
                Arc::ptr_eq(a, c) && b == d
            }
            (
                Request::Heatmap { scenario: a, spec: b, axis: c },
                Request::Heatmap { scenario: d, spec: e, axis: f },
            ) => a == d && b == e && c == f,
            (Request::Sensitivity { scenario: a, spec: b }, Request::Sensitivity { scenario: c, spec: d }) => {
                a == c && b == d
            }
            (Request::Worlds { scenario: a }, Request::Worlds { scenario: b }) => a == b,
            (Request::Decision { worlds: a, spec: b }, Request::Decision { worlds: c, spec: d }) => {
                Arc::ptr_eq(a, c) && b == d
            }
            _ => false,
        }
    }
}

impl Request {
    pub fn slot(&self) -> Slot {
        match self {
            Request::Sweep { .. } => Slot::Sweep,
            Request::Best { .. } => Slot::Best,
            Request::Heatmap { .. } => Slot::Heatmap,
            Request::Sensitivity { .. } => Slot::Sensitivity,
            Request::Worlds { .. } => Slot::Worlds,
            Request::Decision { .. } => Slot::Decision,
        }
    }

    /// The scenario it simulates (at the analysis's own runs); none for the best threshold,
    /// which resamples a sweep.
    pub fn scenario(&self) -> Option<&Arc<Scenario>> {
        match self {
            Request::Sweep { scenario, .. }
            | Request::Heatmap { scenario, .. }
            | Request::Sensitivity { scenario, .. }
            | Request::Worlds { scenario } => Some(scenario),
            Request::Best { .. } | Request::Decision { .. } => None,
        }
    }

    /// The study's job that makes this analysis (none for the best threshold and the decision
    /// analysis, which read results already made).
    fn job(&self) -> Result<Option<AnalysisJob>, StudyError> {
        Ok(Some(match self {
            Request::Sweep { scenario, spec } => {
                let plan = SweepPlan { spec: spec.clone(), runs: scenario.run().runs, best: None };
                AnalysisJob::Sweep(Box::new(SweepJob::new(Arc::clone(scenario), &plan)?))
            }
            Request::Heatmap { scenario, spec, axis } => {
                let plan = Sweep2dPlan { spec: spec.clone(), axis: axis.clone(), runs: scenario.run().runs };
                AnalysisJob::Sweep2d(Sweep2dJob::new(Arc::clone(scenario), &plan)?)
            }
            Request::Sensitivity { scenario, spec } => {
                let plan = SensitivityPlan { spec: spec.clone(), runs: scenario.run().runs };
                AnalysisJob::Sensitivity(SensitivityJob::new(Arc::clone(scenario), &plan)?)
            }
            Request::Worlds { scenario } => {
                AnalysisJob::Worlds(WorldsJob::new(Arc::clone(scenario), scenario.run().runs))
            }
            Request::Best { .. } | Request::Decision { .. } => return Ok(None),
        }))
    }
}

/// Chunk size of an analysis's pipelines: the study's, as `tierlab sweep` and the report use.
const ANALYSIS_CHUNK_RUNS: u64 = crate::study::simulation::CHUNK_RUNS;

/// An analysis being made: its simulations stepped a chunk at a time (the same
/// [`AnalysisRun`] whether a thread or a stepped workspace drives it), or, for the analyses
/// that simulate nothing, the request alone.
pub struct AnalysisTask {
    request: Request,
    run: Option<AnalysisRun>,
    runs: Runs,
}

impl AnalysisTask {
    /// # Errors
    /// A request that does not fit its scenario.
    pub fn new(request: Request) -> Result<AnalysisTask, String> {
        let run = request.job().map_err(|e| e.to_string())?.map(|job| AnalysisRun::new(job, 1, ANALYSIS_CHUNK_RUNS));
        Ok(AnalysisTask { request, run, runs: Runs::All })
    }

    /// The count `Control::runs_done` reaches when the task is done.
    pub fn runs_total(&self) -> u64 {
        self.run.as_ref().map_or(0, |r| r.job().runs())
    }

    /// Simulates at most `max_runs` more runs of the task under way, or makes the analysis
    /// when it simulates nothing; its outcome once there is one.
    ///
    /// # Errors
    /// Cancellation, or an analysis that fails on its results.
    pub fn step(&mut self, max_runs: u64, control: &Control) -> Result<Option<Outcome>, String> {
        let Some(run) = self.run.as_mut() else {
            return self.compute().map(Some);
        };
        if !run.step(&mut self.runs, max_runs.max(1), control).map_err(|e| e.to_string())? {
            return Ok(None);
        }
        let run = self.run.take().ok_or("the analysis has already ended")?;
        Ok(Some(match run.finish().map_err(|e| e.to_string())? {
            AnalysisOutput::Sweep { sweep, .. } => Outcome::Sweep(Arc::from(sweep)),
            AnalysisOutput::Sweep2d(s) => Outcome::Heatmap(Arc::new(s)),
            AnalysisOutput::Sensitivity(s) => Outcome::Sensitivity(Arc::new(s)),
            AnalysisOutput::Worlds(w) => Outcome::Worlds(Arc::new(w)),
        }))
    }

    /// Steps to the end (what an analysis thread does).
    ///
    /// # Errors
    /// As [`AnalysisTask::step`].
    pub fn run(mut self, control: &Control) -> Result<Outcome, String> {
        loop {
            if let Some(outcome) = self.step(u64::MAX, control)? {
                return Ok(outcome);
            }
        }
    }

    /// The analyses that read results already made.
    fn compute(&self) -> Result<Outcome, String> {
        match &self.request {
            // The bootstrap draws from the scenario's seed, as in every front end.
            Request::Best { sweep, constraint } => {
                let boot = BootstrapOptions { replicates: sweep::DEFAULT_BOOTSTRAP, seed: sweep.seed };
                Ok(Outcome::Best(Arc::new(sweep::best_threshold(sweep, constraint, &boot))))
            }
            Request::Decision { worlds, spec } => {
                decide(worlds, spec).map(|d| Outcome::Decision(Arc::new(d))).map_err(|e| e.to_string())
            }
            _ => Err("the analysis simulates: it has no result without its runs".into()),
        }
    }
}

/// A finished analysis.
#[derive(Clone, Debug)]
pub enum Outcome {
    Sweep(Arc<Sweep>),
    Best(Arc<BestThreshold>),
    Heatmap(Arc<Sweep2d>),
    Sensitivity(Arc<Sensitivity>),
    Worlds(Arc<Worlds>),
    Decision(Arc<Decision>),
}

/// What a finished job left in its slot: its result, or why there is none.
#[derive(Clone, Debug)]
pub struct Done {
    pub request: Request,
    pub result: Result<Outcome, String>,
    pub elapsed: Duration,
}

struct Job {
    id: u64,
    request: Request,
    control: Arc<Control>,
    total: u64,
    /// A stepped workspace's task (`None` on a thread, which owns its own).
    task: Option<SteppedTask>,
}

struct SteppedTask {
    task: AnalysisTask,
    started: Instant,
    pace: Pace,
}

#[derive(Default)]
struct SlotState {
    job: Option<Job>,
    done: Option<Done>,
    /// A request the user stopped: asking for it again starts nothing until resumed.
    stopped: Option<Request>,
}

struct Message {
    slot: Slot,
    id: u64,
    /// `None` when the job was cancelled.
    done: Option<Done>,
}

/// Where the jobs run: each on a thread of its own that reports through a channel, or in
/// the slices of [`Analyses::advance`], which file their reports in a queue.
enum Backend {
    Threads { tx: Sender<Message>, rx: Receiver<Message>, wake: Arc<dyn Fn() + Send + Sync> },
    Stepped { outbox: VecDeque<Message> },
}

/// The workspace's handle on the analyses.
pub struct Analyses {
    slots: [SlotState; SLOTS],
    backend: Backend,
    last_id: u64,
}

impl Analyses {
    /// Analyses on threads; `wake` is called when a job ends (to wake the front end).
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> Analyses {
        let (tx, rx) = channel();
        Analyses { slots: Default::default(), backend: Backend::Threads { tx, rx, wake: Arc::new(wake) }, last_id: 0 }
    }

    /// Analyses without threads: jobs advance only in [`Analyses::advance`].
    pub fn stepped() -> Analyses {
        Analyses { slots: Default::default(), backend: Backend::Stepped { outbox: VecDeque::new() }, last_id: 0 }
    }

    /// Makes sure `request` is running or done: starts it (cancelling the slot's job in
    /// flight) unless it already is.
    pub fn ensure(&mut self, request: Request) {
        let slot = &mut self.slots[request.slot().index()];
        if slot.job.as_ref().is_some_and(|j| j.request == request)
            || (slot.job.is_none() && slot.done.as_ref().is_some_and(|d| d.request == request))
            || slot.stopped.as_ref() == Some(&request)
        {
            return;
        }
        slot.stopped = None;
        self.start(request);
    }

    /// Stops the slot's job in flight at the user's request: [`Analyses::ensure`] will not
    /// start it again until [`Analyses::resume`] (or until something else is asked for).
    pub fn stop(&mut self, slot: Slot) {
        let s = &mut self.slots[slot.index()];
        if let Some(job) = s.job.take() {
            job.control.cancel();
            s.stopped = Some(job.request);
        }
    }

    /// Lets a stopped request run again.
    pub fn resume(&mut self, slot: Slot) {
        self.slots[slot.index()].stopped = None;
    }

    /// Whether `request` was stopped by the user.
    pub fn is_stopped(&self, request: &Request) -> bool {
        self.slots[request.slot().index()].stopped.as_ref() == Some(request)
    }

    fn start(&mut self, request: Request) {
        let which = request.slot();
        self.cancel(which);
        self.last_id += 1;
        let id = self.last_id;
        let control = Arc::new(Control::new());
        let failed =
            |request: Request, message: String| Done { request, result: Err(message), elapsed: Duration::ZERO };
        let task = match AnalysisTask::new(request.clone()) {
            Ok(t) => t,
            Err(e) => {
                self.slots[which.index()].done = Some(failed(request, e));
                return;
            }
        };
        let total = task.runs_total();
        let job = match &self.backend {
            Backend::Threads { tx, wake, .. } => {
                let (tx, wake) = (tx.clone(), Arc::clone(wake));
                let (job_request, job_control) = (request.clone(), Arc::clone(&control));
                let spawned = std::thread::Builder::new().name(THREAD_NAME.into()).spawn(move || {
                    let started = Instant::now();
                    let result = std::panic::catch_unwind(AssertUnwindSafe(|| task.run(&job_control)))
                        .unwrap_or_else(|panic| Err(format!("the {} failed: {}", which.label(), panic_text(&*panic))));
                    let done = (!job_control.is_cancelled()).then(|| Done {
                        request: job_request,
                        result,
                        elapsed: started.elapsed(),
                    });
                    // A closed channel means the workspace is gone: nothing left to do.
                    let _ = tx.send(Message { slot: which, id, done });
                    wake();
                });
                if let Err(e) = spawned {
                    let message = format!("cannot start the {} thread: {e}", which.label());
                    self.slots[which.index()].done = Some(failed(request, message));
                    return;
                }
                Job { id, request, control, total, task: None }
            }
            Backend::Stepped { .. } => {
                let task = SteppedTask { task, started: Instant::now(), pace: Pace::default() };
                Job { id, request, control, total, task: Some(task) }
            }
        };
        self.slots[which.index()].job = Some(job);
    }

    /// Steps the jobs in flight, slot by slot, within `slice` (stepped analyses only); their
    /// reports wait for [`Analyses::poll`] as a thread's would.
    pub(crate) fn advance(&mut self, slice: &mut Slice) {
        let Backend::Stepped { outbox } = &mut self.backend else { return };
        for (index, slot) in self.slots.iter_mut().enumerate() {
            let Some(job) = slot.job.as_mut() else { continue };
            let Some(stepped) = job.task.as_mut() else { continue };
            loop {
                let Some(max_runs) = slice.next_chunk(&stepped.pace) else { return };
                let (before, t0) = (job.control.runs_done(), Instant::now());
                let which = Slot::ALL[index];
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| stepped.task.step(max_runs, &job.control)))
                    .unwrap_or_else(|panic| Err(format!("the {} failed: {}", which.label(), panic_text(&*panic))));
                let done = job.control.runs_done().saturating_sub(before);
                stepped.pace.observe(done, t0.elapsed());
                slice.spend(done);
                let result = match result {
                    Ok(None) => continue,
                    Ok(Some(outcome)) => Ok(outcome),
                    Err(e) => Err(e),
                };
                let done = (!job.control.is_cancelled()).then(|| Done {
                    request: job.request.clone(),
                    result,
                    elapsed: stepped.started.elapsed(),
                });
                outbox.push_back(Message { slot: which, id: job.id, done });
                // The slot's job stays in flight until `poll` files its report.
                job.task = None;
                break;
            }
        }
    }

    /// Whether a stepped job has work left for [`Analyses::advance`].
    pub fn has_work(&self) -> bool {
        self.slots.iter().any(|s| s.job.as_ref().is_some_and(|j| j.task.is_some()))
    }

    /// Stops the slot's job in flight; its last result stays.
    pub fn cancel(&mut self, slot: Slot) {
        if let Some(job) = self.slots[slot.index()].job.take() {
            job.control.cancel();
        }
    }

    /// Takes the reports of finished jobs; returns whether a slot changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        while let Some(msg) = self.next_message() {
            changed |= self.accept(msg);
        }
        changed
    }

    fn next_message(&mut self) -> Option<Message> {
        match &mut self.backend {
            Backend::Threads { rx, .. } => rx.try_recv().ok(),
            Backend::Stepped { outbox } => outbox.pop_front(),
        }
    }

    /// Files a finished job's report in its slot, unless a newer job replaced it.
    fn accept(&mut self, msg: Message) -> bool {
        let slot = &mut self.slots[msg.slot.index()];
        if slot.job.as_ref().is_none_or(|j| j.id != msg.id) {
            return false;
        }
        slot.job = None;
        if let Some(done) = msg.done {
            slot.done = Some(done);
        }
        true
    }

    /// The slot's last finished job (its request says what it was for).
    pub fn done(&self, slot: Slot) -> Option<&Done> {
        self.slots[slot.index()].done.as_ref()
    }

    /// Runs done and the total of the slot's job in flight.
    pub fn progress(&self, slot: Slot) -> Option<(u64, u64)> {
        self.slots[slot.index()].job.as_ref().map(|j| (j.control.runs_done().min(j.total), j.total))
    }

    /// Whether any job is in flight.
    pub fn busy(&self) -> bool {
        Slot::ALL.iter().any(|s| self.slots[s.index()].job.is_some())
    }

    /// Waits until no job is in flight (or `timeout` passes). For tests and benchmarks; a
    /// stepped workspace's jobs only end in its slices, so this only takes their reports.
    pub fn wait_until_idle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll();
            if !self.busy() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let Backend::Threads { rx, .. } = &self.backend else { return false };
            if left.is_zero() {
                return false;
            }
            if let Ok(msg) = rx.recv_timeout(left) {
                self.accept(msg);
            }
        }
    }
}

impl Drop for Analyses {
    fn drop(&mut self) {
        for s in Slot::ALL {
            self.cancel(s);
        }
    }
}
