//! The analyses behind the Thresholds, Sensitivity and Robustness tabs, off the UI thread: a
//! threshold sweep, the best threshold under the cap (a bootstrap over the sweep's runs), its
//! 2-D heat map, a sensitivity analysis, the paired worlds of the Robustness tab and the
//! decision analysis on them, each in its own slot. Nothing here runs on the UI thread:
//! even the bootstrap uses the rayon pool, and a UI thread waiting for a pool busy with a heat
//! map would freeze for as long.
//!
//! A slot holds at most one job in flight and the last result. Asking for an analysis that
//! is already running or already on screen does nothing, so the shell can ask every frame;
//! asking for a different one cancels the job in flight (through its [`Control`], checked
//! every batch of runs) and starts the new one on a fresh named thread. Results of
//! superseded jobs are dropped. The analyses use the same rayon pool as the simulation; the
//! shell only asks while no simulation is running, so the main result always comes first.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crate::analysis::decision::{Decision, DecisionSpec, decide};
use crate::analysis::sensitivity::{Sensitivity, SensitivitySpec};
use crate::analysis::sweep::{self, BestThreshold, BootstrapOptions, Constraint, Sweep, Sweep2d, SweepSpec, WorldAxis};
use crate::analysis::worlds::Worlds;
use crate::model::Scenario;
use crate::sim::Control;
use crate::study::analyses::{
    AnalysisJob, AnalysisOutput, SensitivityJob, Sweep2dJob, SweepJob, WorldsJob, run_analysis,
};
use crate::study::{SensitivityPlan, StudyError, Sweep2dPlan, SweepPlan};

/// The thread name of an analysis job, as debuggers and profilers show it.
pub const THREAD_NAME: &str = "tierlab-analysis";

/// The analyses the app keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Sweep,
    Best,
    Heatmap,
    Sensitivity,
    /// The paired worlds of the Robustness tab (a simulation).
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
                AnalysisJob::Sweep(SweepJob::new(Arc::clone(scenario), &plan)?)
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

    /// The count `Control::runs_done` reaches when the job is done.
    fn progress_total(&self) -> u64 {
        self.job().ok().flatten().map_or(0, |j| j.runs())
    }

    fn run(&self, control: &Control) -> Result<Outcome, String> {
        match self {
            // The bootstrap draws from the scenario's seed, as in every front end.
            Request::Best { sweep, constraint } => {
                let boot = BootstrapOptions { replicates: sweep::DEFAULT_BOOTSTRAP, seed: sweep.seed };
                Ok(Outcome::Best(Arc::new(sweep::best_threshold(sweep, constraint, &boot))))
            }
            Request::Decision { worlds, spec } => {
                decide(worlds, spec).map(|d| Outcome::Decision(Arc::new(d))).map_err(|e| e.to_string())
            }
            _ => {
                let job = self.job().map_err(|e| e.to_string())?.ok_or("nothing to run")?;
                match run_analysis(job, control).map_err(|e| e.to_string())? {
                    AnalysisOutput::Sweep { sweep, .. } => Ok(Outcome::Sweep(Arc::from(sweep))),
                    AnalysisOutput::Sweep2d(s) => Ok(Outcome::Heatmap(Arc::new(s))),
                    AnalysisOutput::Sensitivity(s) => Ok(Outcome::Sensitivity(Arc::new(s))),
                    AnalysisOutput::Worlds(w) => Ok(Outcome::Worlds(Arc::new(w))),
                }
            }
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

/// The UI's handle on the analyses.
pub struct Analyses {
    slots: [SlotState; SLOTS],
    tx: Sender<Message>,
    rx: Receiver<Message>,
    last_id: u64,
    repaint: Arc<dyn Fn() + Send + Sync>,
}

impl Analyses {
    /// `repaint` is called when a job ends (to wake the UI).
    pub fn new(repaint: impl Fn() + Send + Sync + 'static) -> Analyses {
        let (tx, rx) = channel();
        Analyses { slots: Default::default(), tx, rx, last_id: 0, repaint: Arc::new(repaint) }
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
        let total = request.progress_total();
        let job_request = request.clone();
        let job_control = Arc::clone(&control);
        let tx = self.tx.clone();
        let repaint = Arc::clone(&self.repaint);
        let spawned = std::thread::Builder::new().name(THREAD_NAME.into()).spawn(move || {
            let started = Instant::now();
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| job_request.run(&job_control)))
                .unwrap_or_else(|panic| Err(format!("the {} failed: {}", which.label(), panic_text(&*panic))));
            let done = (!job_control.is_cancelled()).then(|| Done {
                request: job_request,
                result,
                elapsed: started.elapsed(),
            });
            // A closed channel means the app is gone: nothing left to do.
            let _ = tx.send(Message { slot: which, id, done });
            repaint();
        });
        let slot = &mut self.slots[which.index()];
        match spawned {
            Ok(_) => slot.job = Some(Job { id, request, control, total }),
            Err(e) => {
                slot.done = Some(Done {
                    request,
                    result: Err(format!("cannot start the {} thread: {e}", which.label())),
                    elapsed: Duration::ZERO,
                });
            }
        }
    }

    /// Stops the slot's job in flight; its last result stays.
    pub fn cancel(&mut self, slot: Slot) {
        if let Some(job) = self.slots[slot.index()].job.take() {
            job.control.cancel();
        }
    }

    /// Takes the messages of finished jobs; returns whether a slot changed.
    pub fn poll(&mut self) -> bool {
        let mut changed = false;
        while let Ok(msg) = self.rx.try_recv() {
            changed |= self.accept(msg);
        }
        changed
    }

    /// Files a finished job's message in its slot, unless a newer job replaced it.
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

    /// Waits until no job is in flight (or `timeout` passes). For tests and benchmarks.
    pub fn wait_until_idle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll();
            if !self.busy() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            if let Ok(msg) = self.rx.recv_timeout(left) {
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

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown error".into())
}
