//! The background simulation: one named thread that takes jobs, runs a quick preview, refines
//! it in stages to the full count, and sends each stage's plot data back. A job is the main
//! simulation of `study` stepped to each stage's run count, its summaries and series bands
//! taken there over every run simulated so far.
//!
//! Run `n` of a simulation does not depend on the range it is simulated in, so the stages
//! extend one another: the preview is exactly the first runs of the full result.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::model::Scenario;
use crate::sim::driver::BATCH_RUNS;
use crate::sim::pipeline::PipelineError;
use crate::sim::store::Keep;
use crate::sim::{Control, SimError};
use crate::study::{Input, Keeps, MainSimulation, Runs, ScenarioSource};

use super::computed::Computed;

/// Runs of the first, quick result (a multiple of the driver's batch size, so the stages'
/// per-step series join up).
pub const PREVIEW_RUNS: u64 = 2 * BATCH_RUNS as u64;
/// Each refinement stage has this many times the runs of the one before.
pub const STAGE_FACTOR: u64 = 16;

/// The app simulates at most this many runs per policy (their outcomes stay in memory for
/// the summaries); `tierlab run` streams any number.
pub const APP_MAX_RUNS: u64 = 2_000_000;
/// Bytes of per-run series and per-jurisdiction outcomes the app keeps in memory; beyond it
/// they go to a temporary file (the baseline's take about 6 KB a run).
pub const MEMORY_BUDGET_BYTES: usize = 512 << 20;

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

/// What the worker sends back.
#[derive(Clone, Debug)]
pub enum WorkerMsg {
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

impl WorkerMsg {
    pub fn job(&self) -> u64 {
        match self {
            WorkerMsg::Result(c) => c.job,
            WorkerMsg::Cancelled { job } | WorkerMsg::Failed { job, .. } => *job,
        }
    }

    /// Whether this message ends its job.
    pub fn ends_job(&self) -> bool {
        match self {
            WorkerMsg::Result(c) => c.is_final(),
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

/// The UI's handle on the worker thread.
pub struct Worker {
    jobs: Sender<Job>,
    results: Receiver<WorkerMsg>,
    running: Option<Running>,
    last_id: u64,
    _thread: JoinHandle<()>,
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

impl Worker {
    /// Starts the worker thread; `repaint` is called after every message (to wake the UI).
    ///
    /// # Errors
    /// The thread cannot be started.
    pub fn spawn(repaint: impl Fn() + Send + Sync + 'static) -> std::io::Result<Worker> {
        let (jobs_tx, jobs_rx) = channel::<Job>();
        let (out_tx, out_rx) = channel::<WorkerMsg>();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || worker_loop(&jobs_rx, &out_tx, &repaint))?;
        Ok(Worker { jobs: jobs_tx, results: out_rx, running: None, last_id: 0, _thread: thread })
    }

    /// Cancels the job in flight (if any) and starts a new one; returns its id.
    pub fn start(&mut self, scenario: Arc<Scenario>, source: Arc<ScenarioSource>, runs: u64) -> u64 {
        self.cancel();
        self.last_id += 1;
        let control = Arc::new(Control::new());
        let job = Job { id: self.last_id, scenario, source, runs: runs.max(1), control: Arc::clone(&control) };
        self.running = Some(Running { id: job.id, runs: job.runs, control, started: Instant::now() });
        if self.jobs.send(job).is_err() {
            // The thread is gone (it only stops on a bug); report through the usual channel.
            self.running = None;
        }
        self.last_id
    }

    /// Cancels the job in flight.
    pub fn cancel(&mut self) {
        if let Some(r) = self.running.take() {
            r.control.cancel();
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

    /// The next message, if one is waiting; messages of superseded jobs are dropped.
    pub fn poll(&mut self) -> Option<WorkerMsg> {
        while let Ok(msg) = self.results.try_recv() {
            if let Some(m) = self.accept(msg) {
                return Some(m);
            }
        }
        None
    }

    /// Waits up to `timeout` for the next message of the current job.
    pub fn wait(&mut self, timeout: Duration) -> Option<WorkerMsg> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.results.recv_timeout(left) {
                Ok(msg) => {
                    if let Some(m) = self.accept(msg) {
                        return Some(m);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    fn accept(&mut self, msg: WorkerMsg) -> Option<WorkerMsg> {
        if msg.job() != self.last_id {
            return None;
        }
        if msg.ends_job() && self.running.as_ref().is_some_and(|r| r.id == msg.job()) {
            self.running = None;
        }
        Some(msg)
    }
}

impl Drop for Worker {
    /// Stops the job in flight; the thread ends when it sees the job channel close.
    fn drop(&mut self) {
        self.cancel();
    }
}

fn worker_loop(jobs: &Receiver<Job>, out: &Sender<WorkerMsg>, repaint: &(dyn Fn() + Sync)) {
    while let Ok(mut job) = jobs.recv() {
        // Only the newest job matters; older ones were cancelled when it was sent.
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let id = job.id;
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            run_job(&job, &mut |msg| {
                // A closed channel means the app is gone: nothing left to do.
                let _ = out.send(msg);
                repaint();
            });
        }));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown error".into());
            let _ = out.send(WorkerMsg::Failed { job: id, message: format!("the simulation failed: {message}") });
            repaint();
        }
    }
}

/// The message for a simulation that stopped.
fn stopped(job: u64, e: &PipelineError) -> WorkerMsg {
    match e {
        PipelineError::Sim(SimError::Cancelled) => WorkerMsg::Cancelled { job },
        other => WorkerMsg::Failed { job, message: other.to_string() },
    }
}

/// Runs one job stage by stage, emitting each stage's result: the main simulation of the
/// job's scenario at its run count, its summaries taken at each stage over every run so far.
pub fn run_job(job: &Job, emit: &mut (dyn FnMut(WorkerMsg) + Send)) {
    let started = Instant::now();
    let scenario = match (*job.scenario).clone().with_runs(job.runs) {
        Ok(s) => s,
        Err(e) => return emit(WorkerMsg::Failed { job: job.id, message: e.to_string() }),
    };
    let input = Input { scenario: Arc::new(scenario), source: Arc::clone(&job.source) };
    let keeps = Keeps {
        store: Keep::Spill { dir: std::env::temp_dir(), budget_bytes: MEMORY_BUDGET_BYTES },
        ..Keeps::everything()
    };
    let mut runs = Runs::All;
    let mut main = match MainSimulation::new(&input, &keeps, &mut runs, None) {
        Ok(m) => m,
        Err(e) => return emit(stopped(job.id, &e)),
    };
    for end in stages(job.runs) {
        while main.runs_done() < end {
            if let Err(e) = main.step(end - main.runs_done(), &mut runs, &job.control) {
                return emit(stopped(job.id, &e));
            }
        }
        if job.control.is_cancelled() {
            return emit(WorkerMsg::Cancelled { job: job.id });
        }
        let (summary, series) = match main.summaries() {
            Ok((summary, Some(series))) => (summary, series),
            Ok((_, None)) => return emit(WorkerMsg::Failed { job: job.id, message: "no series were kept".into() }),
            Err(e) => return emit(stopped(job.id, &e)),
        };
        let Some(results) = main.results() else {
            return emit(WorkerMsg::Failed { job: job.id, message: "no runs were simulated".into() });
        };
        let mut computed =
            Computed::new(job.id, &input.scenario, &job.source, results, summary, series, job.runs, started.elapsed());
        // From the edit to the data ready to draw.
        computed.elapsed = started.elapsed();
        computed.provenance.wall_time_s = computed.elapsed.as_secs_f64();
        emit(WorkerMsg::Result(Arc::new(computed)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(s: &Scenario) -> Arc<ScenarioSource> {
        Arc::new(ScenarioSource::written_out(s, "test"))
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
        let job = Job {
            id: 7,
            scenario: Arc::new(s.clone()),
            source: source(&s),
            runs: 600,
            control: Arc::new(Control::new()),
        };
        let mut got = Vec::new();
        run_job(&job, &mut |m| got.push(m));
        assert_eq!(got.len(), 2);
        let (WorkerMsg::Result(preview), WorkerMsg::Result(full)) = (&got[0], &got[1]) else {
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
            let job = Job {
                id: 1,
                scenario: Arc::new(Scenario::built_in()),
                source: source(&Scenario::built_in()),
                runs,
                control: Arc::new(Control::new()),
            };
            let mut got = Vec::new();
            run_job(&job, &mut |m| got.push(m));
            assert!(matches!(got.last(), Some(WorkerMsg::Result(c)) if c.is_final() && c.runs == runs as usize));
        }
    }

    #[test]
    fn cancelled_jobs_say_so() {
        let job = Job {
            id: 3,
            scenario: Arc::new(Scenario::built_in()),
            source: source(&Scenario::built_in()),
            runs: 1000,
            control: Arc::new(Control::new()),
        };
        job.control.cancel();
        let mut got = Vec::new();
        run_job(&job, &mut |m| got.push(m));
        assert!(matches!(got.as_slice(), [WorkerMsg::Cancelled { job: 3 }]));
    }

    #[test]
    fn the_worker_thread_runs_jobs_and_drops_stale_ones() {
        let mut w = Worker::spawn(|| {}).unwrap();
        let s = Scenario::built_in().with_runs(100).unwrap();
        let s = Arc::new(s);
        w.start(Arc::clone(&s), source(&s), 100);
        let id = w.start(Arc::clone(&s), source(&s), 100);
        loop {
            let msg = w.wait(Duration::from_secs(60)).expect("worker answers");
            assert_eq!(msg.job(), id);
            if msg.ends_job() {
                assert!(matches!(msg, WorkerMsg::Result(_)));
                break;
            }
        }
        assert!(w.running().is_none());
    }
}
