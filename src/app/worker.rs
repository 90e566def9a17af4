//! The background simulation: one named thread that takes jobs, runs a quick preview, refines
//! it in stages to the full count, and sends each stage's plot data back.
//!
//! Run `n` of a simulation does not depend on the range it is simulated in, so the stages
//! extend one another: the preview is exactly the first runs of the full result.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::analysis::summary::JurisdictionSummary;
use crate::export::data::ScenarioSource;
use crate::model::Scenario;
use crate::sim::driver::BATCH_RUNS;
use crate::sim::{Control, CorrelatedDraws, Engine, Record, Results, SimError, SimOptions, simulate_range};

use super::computed::Computed;

/// Runs of the first, quick result (a multiple of the driver's batch size, so the stages'
/// per-step series join up).
pub const PREVIEW_RUNS: u64 = 2 * BATCH_RUNS as u64;
/// Each refinement stage has this many times the runs of the one before.
pub const STAGE_FACTOR: u64 = 16;
/// Per-step series (fan charts) come from at most this many runs: 512 worlds put 25 in each
/// 5% tail, enough for a fan chart's outer band, and their bands cost a twentieth of 10,000
/// runs' (they sit between the last simulated run and the screen).
pub const SERIES_RUNS: u64 = 4 * BATCH_RUNS as u64;

/// The app simulates at most this many runs per policy (their outcomes stay in memory for
/// the summaries); `tierlab run` streams any number.
pub const APP_MAX_RUNS: u64 = 2_000_000;
/// Per-run, per-jurisdiction outcomes are kept for at most this many runs; above it the
/// jurisdiction means come from the last stage within it.
pub const JURISDICTION_RUNS: u64 = 200_000;

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

/// Appends a later range of runs to `acc`. Series join only when `acc` holds whole batches
/// that all have series (the stage boundaries make sure of that).
fn append(acc: &mut Results, chunk: Results) {
    let joinable = acc.series_runs == acc.n_runs() && acc.n_runs().is_multiple_of(BATCH_RUNS);
    acc.outcomes.extend_from_slice(&chunk.outcomes);
    if chunk.jurisdictions.is_empty() {
        // Per-jurisdiction outcomes are all or nothing.
        acc.jurisdictions = Vec::new();
    } else {
        acc.jurisdictions.extend_from_slice(&chunk.jurisdictions);
    }
    if joinable && chunk.series_runs > 0 {
        acc.series.extend_from_slice(&chunk.series);
        acc.series_runs += chunk.series_runs;
    }
    acc.runs.end = chunk.runs.end;
}

/// A stage's options: per-jurisdiction outcomes while within [`JURISDICTION_RUNS`], series for
/// the runs below [`SERIES_RUNS`].
fn stage_options(start: u64, end: u64) -> SimOptions {
    SimOptions {
        threads: None,
        record: Record {
            jurisdictions: end <= JURISDICTION_RUNS,
            series_runs: SERIES_RUNS.saturating_sub(start).min(end - start),
            params: false,
        },
        param_overrides: Vec::new(),
    }
}

/// The message for a simulation that stopped.
fn stopped(job: u64, e: &SimError) -> WorkerMsg {
    match e {
        SimError::Cancelled => WorkerMsg::Cancelled { job },
        other => WorkerMsg::Failed { job, message: other.to_string() },
    }
}

/// Jurisdiction means of the last stage that kept per-jurisdiction outcomes, and its runs.
type JurisdictionMeans = Option<(usize, Vec<Vec<JurisdictionSummary>>)>;

/// A stage's plot data; later stages without per-jurisdiction outcomes reuse the last means.
fn stage_result(job: &Job, acc: &Results, started: Instant, means: &mut JurisdictionMeans) -> Computed {
    let mut computed = Computed::new(job.id, &job.scenario, &job.source, acc, job.runs, started.elapsed());
    if acc.jurisdictions.is_empty() {
        if let Some((runs, js)) = means.as_ref() {
            for (p, j) in computed.summary.policies.iter_mut().zip(js) {
                p.jurisdictions.clone_from(j);
            }
            computed.jurisdiction_runs = *runs;
        }
    } else {
        *means = Some((acc.n_runs(), computed.summary.policies.iter().map(|p| p.jurisdictions.clone()).collect()));
    }
    // From the edit to the data ready to draw.
    computed.elapsed = started.elapsed();
    computed.provenance.wall_time_s = computed.elapsed.as_secs_f64();
    computed
}

/// Runs one job stage by stage, emitting each stage's result. A stage's plot data is built
/// while the next stage simulates (both on the rayon pool), so the preview costs the full
/// result almost nothing.
pub fn run_job(job: &Job, emit: &mut (dyn FnMut(WorkerMsg) + Send)) {
    let started = Instant::now();
    let engine = Engine::new(&job.scenario);
    let correlated = CorrelatedDraws::new(&job.scenario, &engine, job.runs);
    let simulate = |start: u64, end: u64| {
        simulate_range(&engine, correlated.as_ref(), start..end, &stage_options(start, end), &job.control)
    };
    let stages = stages(job.runs);
    let mut acc = match simulate(0, stages[0]) {
        Ok(r) => r,
        Err(e) => return emit(stopped(job.id, &e)),
    };
    let mut means: JurisdictionMeans = None;
    let mut delivered = false;
    for (k, &end) in stages.iter().enumerate() {
        let next = stages.get(k + 1).copied();
        let (_, chunk) = rayon::join(
            || {
                if !job.control.is_cancelled() {
                    emit(WorkerMsg::Result(Arc::new(stage_result(job, &acc, started, &mut means))));
                    delivered = next.is_none();
                }
            },
            || next.map(|n| simulate(end, n)),
        );
        match chunk {
            None => break,
            Some(Ok(c)) => append(&mut acc, c),
            Some(Err(e)) => return emit(stopped(job.id, &e)),
        }
    }
    if !delivered {
        emit(WorkerMsg::Cancelled { job: job.id });
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
        let s = Scenario::baseline().with_runs(600).unwrap();
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
        assert_eq!(full.series_runs, SERIES_RUNS as usize);
        // The full result equals a one-shot simulation of the same runs.
        let opts = SimOptions {
            threads: None,
            record: Record { jurisdictions: true, series_runs: SERIES_RUNS, params: false },
            param_overrides: Vec::new(),
        };
        let one = crate::sim::simulate(&s, &opts, &Control::new()).unwrap();
        let direct = Computed::new(7, &s, &source(&s), &one, 600, Duration::ZERO);
        assert_eq!(direct.summary, full.summary);
        assert_eq!(direct.fans, full.fans);
    }

    #[test]
    fn tiny_jobs_work() {
        for runs in [1, 2, 3] {
            let job = Job {
                id: 1,
                scenario: Arc::new(Scenario::baseline()),
                source: source(&Scenario::baseline()),
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
            scenario: Arc::new(Scenario::baseline()),
            source: source(&Scenario::baseline()),
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
        let s = Scenario::baseline().with_runs(100).unwrap();
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
