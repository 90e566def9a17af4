//! The main simulation of the scenario being edited: a job runs a quick preview, refines it
//! in stages to the full count, and reports each stage's plot data. A job is the main
//! simulation of the study layer stepped to each stage's run count, its summaries and series
//! bands taken there over every run simulated so far ([`SimulationRun`]); the [`Simulator`]
//! runs jobs on a named thread, or a slice at a time when the workspace is stepped.
//!
//! Run `n` of a simulation does not depend on the range it is simulated in, so the stages
//! extend one another: the preview is exactly the first runs of the full result, and a job
//! stepped in small slices gives what the thread gives.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;
use web_time::Instant;

use crate::model::Scenario;
use crate::sim::driver::BATCH_RUNS;
use crate::sim::pipeline::PipelineError;
use crate::sim::store::Keep;
use crate::sim::{Control, SimError};
use crate::study::{Input, Keeps, MainSimulation, Runs, ScenarioSource};

use super::computed::Computed;
use super::executor::{Pace, Slice};

/// Runs of the first, quick result (a multiple of the driver's batch size, so the stages'
/// per-step series join up).
pub const PREVIEW_RUNS: u64 = 2 * BATCH_RUNS as u64;
/// Each refinement stage has this many times the runs of the one before.
pub const STAGE_FACTOR: u64 = 16;

/// The app simulates at most this many runs per policy (their outcomes stay in memory for
/// the summaries); `tierlab run` streams any number.
pub const APP_MAX_RUNS: u64 = 2_000_000;
/// Bytes of per-run series and per-jurisdiction outcomes kept in memory; beyond it they go
/// to a temporary file (the built-in scenario's take about 6 KB a run).
pub const MEMORY_BUDGET_BYTES: usize = 512 << 20;

/// Where a simulation's per-run stores go: beyond [`MEMORY_BUDGET_BYTES`], a temporary file.
/// A browser has no file system (and `std::env::temp_dir` panics there), so in wasm32 builds
/// they stay in memory; the web page caps its runs so that they fit (`web::MAX_RUNS`).
pub(crate) fn store_keep() -> Keep {
    if cfg!(target_arch = "wasm32") {
        Keep::Memory
    } else {
        Keep::Spill { dir: std::env::temp_dir(), budget_bytes: MEMORY_BUDGET_BYTES }
    }
}

/// The thread's name, as debuggers and profilers show it.
pub const THREAD_NAME: &str = "tierlab-worker";

/// A simulation to run.
pub struct Job {
    pub id: u64,
    pub scenario: Arc<Scenario>,
    /// The text `scenario` was read from, for the provenance.
    pub source: Arc<ScenarioSource>,
    pub runs: u64,
    pub control: Arc<Control>,
}

/// What a job reports.
#[derive(Clone, Debug)]
pub enum Message {
    /// A stage's result; the job is done when the result is final.
    Result(Arc<Computed>),
    Cancelled {
        job: u64,
    },
    Failed {
        job: u64,
        message: String,
    },
}

impl Message {
    pub fn job(&self) -> u64 {
        match self {
            Message::Result(c) => c.job,
            Message::Cancelled { job } | Message::Failed { job, .. } => *job,
        }
    }

    /// Whether this message ends its job.
    pub fn ends_job(&self) -> bool {
        match self {
            Message::Result(c) => c.is_final(),
            _ => true,
        }
    }
}

/// The job in flight.
#[derive(Clone, Debug)]
pub struct Running {
    pub id: u64,
    pub runs: u64,
    pub control: Arc<Control>,
    pub started: Instant,
}

/// The run counts at which results are sent: the preview, then stages growing by
/// [`STAGE_FACTOR`], then `total`. A stage above a quarter of the total is skipped: it would
/// add its summary to the wait for the full result without showing much sooner.
pub fn stages(total: u64) -> Vec<u64> {
    let total = total.max(1);
    let mut v = vec![PREVIEW_RUNS.min(total)];
    let mut end = v[0];
    loop {
        end = end.saturating_mul(STAGE_FACTOR);
        if end >= total || end > total / 4 {
            break;
        }
        v.push(end);
    }
    if v.last() != Some(&total) {
        v.push(total);
    }
    v
}

/// The message for a simulation that stopped.
fn stopped(job: u64, e: &PipelineError) -> Message {
    match e {
        PipelineError::Sim(SimError::Cancelled) => Message::Cancelled { job },
        other => Message::Failed { job, message: other.to_string() },
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown error".into())
}

/// One job stepped towards its stages: whoever drives it (the thread, or a stepped
/// workspace's slices) gets the same results at the same run counts.
pub struct SimulationRun {
    job: Job,
    started: Instant,
    /// Built at the first step, so that a scenario that cannot run reports like any failure.
    main: Option<(Input, MainSimulation, Runs)>,
    stages: Vec<u64>,
    next_stage: usize,
    done: bool,
}

impl SimulationRun {
    pub fn new(job: Job) -> SimulationRun {
        let stages = stages(job.runs);
        SimulationRun { job, started: Instant::now(), main: None, stages, next_stage: 0, done: false }
    }

    pub fn id(&self) -> u64 {
        self.job.id
    }

    /// The job's cancellation and the runs it has done.
    pub fn control(&self) -> &Arc<Control> {
        &self.job.control
    }

    /// Whether the job has sent its last message.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Simulates at most `max_runs` runs, never past the next stage; returns the stage's
    /// result once it is reached, or why the job stopped. A panic in the simulation ends the
    /// job with a failure rather than the caller.
    pub fn step(&mut self, max_runs: u64) -> Option<Message> {
        if self.done {
            return None;
        }
        let id = self.job.id;
        let msg = std::panic::catch_unwind(AssertUnwindSafe(|| self.step_inner(max_runs))).unwrap_or_else(|panic| {
            Some(Message::Failed { job: id, message: format!("the simulation failed: {}", panic_text(&*panic)) })
        });
        if msg.as_ref().is_some_and(Message::ends_job) {
            self.done = true;
        }
        msg
    }

    fn step_inner(&mut self, max_runs: u64) -> Option<Message> {
        let job = &self.job;
        if self.main.is_none() {
            let scenario = match (*job.scenario).clone().with_runs(job.runs) {
                Ok(s) => s,
                Err(e) => return Some(Message::Failed { job: job.id, message: e.to_string() }),
            };
            let input = Input { scenario: Arc::new(scenario), source: Arc::clone(&job.source) };
            let keeps = Keeps { store: store_keep(), ..Keeps::everything() };
            let mut runs = Runs::All;
            match MainSimulation::new(&input, &keeps, &mut runs, None) {
                Ok(m) => self.main = Some((input, m, runs)),
                Err(e) => return Some(stopped(job.id, &e)),
            }
        }
        let (input, main, runs) = self.main.as_mut()?;
        let end = *self.stages.get(self.next_stage)?;
        if main.runs_done() < end {
            if let Err(e) = main.step((end - main.runs_done()).min(max_runs.max(1)), runs, &job.control) {
                return Some(stopped(job.id, &e));
            }
            if main.runs_done() < end {
                return None;
            }
        }
        if job.control.is_cancelled() {
            return Some(Message::Cancelled { job: job.id });
        }
        self.next_stage += 1;
        let (summary, series) = match main.summaries() {
            Ok((summary, Some(series))) => (summary, series),
            Ok((_, None)) => return Some(Message::Failed { job: job.id, message: "no series were kept".into() }),
            Err(e) => return Some(stopped(job.id, &e)),
        };
        let Some(results) = main.results() else {
            return Some(Message::Failed { job: job.id, message: "no runs were simulated".into() });
        };
        let mut computed = Computed::new(
            job.id,
            &input.scenario,
            &job.source,
            results,
            summary,
            series,
            job.runs,
            self.started.elapsed(),
        );
        // From the edit to the data ready to draw.
        computed.elapsed = self.started.elapsed();
        computed.provenance.wall_time_s = computed.elapsed.as_secs_f64();
        Some(Message::Result(Arc::new(computed)))
    }
}

/// Runs one job to its end, emitting each stage's result (what the simulation thread does).
pub fn run_job(job: Job, emit: &mut dyn FnMut(Message)) {
    let mut run = SimulationRun::new(job);
    while !run.is_done() {
        if let Some(msg) = run.step(u64::MAX) {
            emit(msg);
        }
    }
}

/// Where the jobs run.
enum Backend {
    Thread { jobs: Sender<Job>, results: Receiver<Message>, _thread: JoinHandle<()> },
    // Boxed: a simulation in progress is large, and a threaded simulator never holds one.
    Stepped { run: Option<Box<SimulationRun>>, outbox: VecDeque<Message>, pace: Pace },
}

/// The workspace's handle on its simulation jobs: one in flight at most, a newer one
/// cancelling it.
pub struct Simulator {
    backend: Backend,
    running: Option<Running>,
    last_id: u64,
}

impl Simulator {
    /// Starts the simulation thread; `wake` is called after every message (to wake the front
    /// end).
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn spawn(wake: impl Fn() + Send + Sync + 'static) -> std::io::Result<Simulator> {
        let (jobs_tx, jobs_rx) = channel::<Job>();
        let (out_tx, out_rx) = channel::<Message>();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || simulation_thread(&jobs_rx, &out_tx, &wake))?;
        Ok(Simulator {
            backend: Backend::Thread { jobs: jobs_tx, results: out_rx, _thread: thread },
            running: None,
            last_id: 0,
        })
    }

    /// A simulator without a thread: jobs advance only in [`Simulator::advance`].
    pub fn stepped() -> Simulator {
        Simulator {
            backend: Backend::Stepped { run: None, outbox: VecDeque::new(), pace: Pace::default() },
            running: None,
            last_id: 0,
        }
    }

    /// Cancels the job in flight (if any) and starts a new one; returns its id.
    pub fn start(&mut self, scenario: Arc<Scenario>, source: Arc<ScenarioSource>, runs: u64) -> u64 {
        self.cancel();
        self.last_id += 1;
        let control = Arc::new(Control::new());
        let job = Job { id: self.last_id, scenario, source, runs: runs.max(1), control: Arc::clone(&control) };
        self.running = Some(Running { id: job.id, runs: job.runs, control, started: Instant::now() });
        match &mut self.backend {
            Backend::Thread { jobs, .. } => {
                if jobs.send(job).is_err() {
                    // The thread is gone (it only stops on a bug): nothing will answer.
                    self.running = None;
                }
            }
            // The superseded job's cancellation is checked at its next step, which never
            // comes: drop it now.
            Backend::Stepped { run, .. } => *run = Some(Box::new(SimulationRun::new(job))),
        }
        self.last_id
    }

    /// Cancels the job in flight.
    pub fn cancel(&mut self) {
        if let Some(r) = self.running.take() {
            r.control.cancel();
        }
        if let Backend::Stepped { run, .. } = &mut self.backend {
            *run = None;
        }
    }

    pub fn running(&self) -> Option<&Running> {
        self.running.as_ref()
    }

    /// Id of the most recent job.
    pub fn last_job(&self) -> u64 {
        self.last_id
    }

    /// Runs done of the job in flight, and its total.
    pub fn progress(&self) -> Option<(u64, u64)> {
        self.running.as_ref().map(|r| (r.control.runs_done().min(r.runs), r.runs))
    }

    /// Whether a stepped job has work left for [`Simulator::advance`].
    pub fn has_work(&self) -> bool {
        matches!(&self.backend, Backend::Stepped { run: Some(_), .. })
    }

    /// Steps the job in flight within `slice` (stepped simulators only; a thread needs no
    /// help). Its messages wait for [`Simulator::poll`] as a thread's would.
    pub(crate) fn advance(&mut self, slice: &mut Slice) {
        let Backend::Stepped { run: slot, outbox, pace } = &mut self.backend else { return };
        while let Some(run) = slot.as_mut() {
            let Some(max_runs) = slice.next_chunk(pace) else { break };
            let control = Arc::clone(run.control());
            let (before, t0) = (control.runs_done(), Instant::now());
            let msg = run.step(max_runs);
            let done = control.runs_done().saturating_sub(before);
            pace.observe(done, t0.elapsed());
            slice.spend(done);
            if let Some(m) = msg {
                outbox.push_back(m);
            }
            if run.is_done() {
                *slot = None;
            }
        }
    }

    /// The next message, if one is waiting; messages of superseded jobs are dropped.
    pub fn poll(&mut self) -> Option<Message> {
        loop {
            let msg = match &mut self.backend {
                Backend::Thread { results, .. } => results.try_recv().ok()?,
                Backend::Stepped { outbox, .. } => outbox.pop_front()?,
            };
            if let Some(m) = self.accept(msg) {
                return Some(m);
            }
        }
    }

    /// Waits up to `timeout` for the next message of the current job (a stepped simulator
    /// has nothing to wait for: what its slices made is there or not).
    pub fn wait(&mut self, timeout: Duration) -> Option<Message> {
        let deadline = Instant::now() + timeout;
        loop {
            let msg = match &mut self.backend {
                Backend::Thread { results, .. } => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match results.recv_timeout(left) {
                        Ok(msg) => msg,
                        Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
                    }
                }
                Backend::Stepped { outbox, .. } => outbox.pop_front()?,
            };
            if let Some(m) = self.accept(msg) {
                return Some(m);
            }
        }
    }

    fn accept(&mut self, msg: Message) -> Option<Message> {
        if msg.job() != self.last_id {
            return None;
        }
        if msg.ends_job() && self.running.as_ref().is_some_and(|r| r.id == msg.job()) {
            self.running = None;
        }
        Some(msg)
    }
}

impl Drop for Simulator {
    /// Stops the job in flight; the thread ends when it sees the job channel close.
    fn drop(&mut self) {
        self.cancel();
    }
}

fn simulation_thread(jobs: &Receiver<Job>, out: &Sender<Message>, wake: &(dyn Fn() + Sync)) {
    while let Ok(mut job) = jobs.recv() {
        // Only the newest job matters; older ones were cancelled when it was sent.
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        run_job(job, &mut |msg| {
            // A closed channel means the workspace is gone: nothing left to do.
            let _ = out.send(msg);
            wake();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::executor::Budget;

    fn source(s: &Scenario) -> Arc<ScenarioSource> {
        Arc::new(ScenarioSource::written_out(s, "test"))
    }

    fn job(id: u64, scenario: &Scenario, runs: u64) -> Job {
        Job {
            id,
            scenario: Arc::new(scenario.clone()),
            source: source(scenario),
            runs,
            control: Arc::new(Control::new()),
        }
    }

    fn all_messages(job: Job) -> Vec<Message> {
        let mut got = Vec::new();
        run_job(job, &mut |m| got.push(m));
        got
    }

    #[test]
    fn stages_grow_to_the_total() {
        assert_eq!(stages(100), vec![100]);
        assert_eq!(stages(256), vec![256]);
        assert_eq!(stages(10_000), vec![256, 10_000]);
        assert_eq!(stages(100_000), vec![256, 4096, 100_000]);
        assert_eq!(stages(1_000_000), vec![256, 4096, 65_536, 1_000_000]);
        assert!(stages(10_000_000).windows(2).all(|w| w[1] > w[0]));
        assert!(stages(0) == vec![1]);
    }

    #[test]
    fn stages_extend_one_another_exactly() {
        let s = Scenario::built_in().with_runs(600).unwrap();
        let got = all_messages(job(7, &s, 600));
        assert_eq!(got.len(), 2);
        let (Message::Result(preview), Message::Result(full)) = (&got[0], &got[1]) else {
            panic!("expected two results, got {got:?}");
        };
        assert_eq!(preview.runs, 256);
        assert!(!preview.is_final());
        assert_eq!(full.runs, 600);
        assert!(full.is_final());
        assert_eq!(full.series_runs, 600, "series over every run");
        // The full result equals a one-shot simulation of the same runs.
        let input = Input { scenario: Arc::new(s.clone()), source: source(&s) };
        let one = MainSimulation::run_whole(&input, &Keeps::everything(), &Control::new()).unwrap();
        let series = one.series.clone().unwrap();
        let direct = Computed::new(7, &s, &source(&s), &one.results, one.summary.clone(), series, 600, Duration::ZERO);
        assert_eq!(direct.summary, full.summary);
        assert_eq!(direct.fans, full.fans);
    }

    #[test]
    fn tiny_jobs_work() {
        for runs in [1, 2, 3] {
            let got = all_messages(job(1, &Scenario::built_in(), runs));
            assert!(matches!(got.last(), Some(Message::Result(c)) if c.is_final() && c.runs == runs as usize));
        }
    }

    #[test]
    fn cancelled_jobs_say_so() {
        let j = job(3, &Scenario::built_in(), 1000);
        j.control.cancel();
        assert!(matches!(all_messages(j).as_slice(), [Message::Cancelled { job: 3 }]));
    }

    #[test]
    fn the_simulation_thread_runs_jobs_and_drops_stale_ones() {
        let mut w = Simulator::spawn(|| {}).unwrap();
        let s = Arc::new(Scenario::built_in().with_runs(100).unwrap());
        w.start(Arc::clone(&s), source(&s), 100);
        let id = w.start(Arc::clone(&s), source(&s), 100);
        loop {
            let msg = w.wait(Duration::from_secs(60)).expect("the thread answers");
            assert_eq!(msg.job(), id);
            if msg.ends_job() {
                assert!(matches!(msg, Message::Result(_)));
                break;
            }
        }
        assert!(w.running().is_none());
    }

    #[test]
    fn a_stepped_simulator_stops_within_its_budget_and_at_every_stage() {
        let mut w = Simulator::stepped();
        let s = Arc::new(Scenario::built_in().with_runs(600).unwrap());
        let id = w.start(Arc::clone(&s), source(&s), 600);
        let mut results = Vec::new();
        let mut slices = 0;
        while w.running().is_some() {
            let mut slice = Slice::new(Budget::Runs(100));
            w.advance(&mut slice);
            slices += 1;
            assert!(w.progress().is_none_or(|(done, _)| done <= 100 * slices), "no more than the budget");
            while let Some(m) = w.poll() {
                assert_eq!(m.job(), id);
                results.push(m);
            }
            assert!(slices < 100, "the job does not end");
        }
        assert_eq!(slices, 6, "600 runs in slices of 100");
        let runs: Vec<usize> = results
            .iter()
            .map(|m| match m {
                Message::Result(c) => c.runs,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(runs, [256, 600], "the preview and the full result, as the thread sends them");
        assert!(!w.has_work());
    }
}
