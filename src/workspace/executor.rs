//! Who does the workspace's work. Natively, background threads: the simulation thread, one
//! thread per analysis job, one per publication; their results wait in channels until
//! [`Workspace::poll`](super::Workspace::poll) takes them. A front end with a single thread
//! (a browser) cannot block on a simulation, so in the stepped mode nothing runs by itself:
//! [`Workspace::advance`](super::Workspace::advance) does a bounded slice of the same work,
//! a chunk of runs at a time, and files the same messages where `poll` finds them.
//!
//! Both modes drive the same state machines (`SimulationRun`, `AnalysisTask`,
//! the publication's `StudyJob`) through the same stage boundaries; run `n` of a simulation does not
//! depend on the chunk it is simulated in, so the two give the same bytes. Only the chunk
//! sizes differ: a thread takes whole pipeline chunks, a slice as many runs as its budget
//! allows.

use std::time::Duration;
use web_time::Instant;

use crate::sim::driver::BATCH_RUNS;
use crate::study::simulation::CHUNK_RUNS;

/// Where the workspace's simulations run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Executor {
    /// On background threads of the workspace's own; results arrive by themselves.
    #[default]
    Threads,
    /// Only inside [`Workspace::advance`](super::Workspace::advance): no thread is spawned.
    Stepped,
}

/// How much work one call of [`Workspace::advance`](super::Workspace::advance) may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Budget {
    /// At most this many runs, all simulations told (exact: tests, and front ends that pace
    /// themselves). Work that simulates nothing (a best threshold, a decision analysis on
    /// worlds already simulated) is done whole within any budget.
    Runs(u64),
    /// About this long: chunks are sized from the pace seen so far and none starts once the
    /// time is spent, so a slice overruns by at most one chunk.
    Time(Duration),
}

/// Fewest runs a timed slice simulates per step: one batch of the driver, the unit its
/// cancellation is checked in, so a slow machine still makes progress every frame.
const MIN_CHUNK: u64 = BATCH_RUNS as u64;

/// One call's budget as it is spent.
pub(crate) struct Slice {
    budget: Budget,
    started: Instant,
    runs: u64,
}

impl Slice {
    pub(crate) fn new(budget: Budget) -> Slice {
        Slice { budget, started: Instant::now(), runs: 0 }
    }

    /// The most runs the next step may simulate, for work going at `pace`; `None` once the
    /// budget is spent.
    pub(crate) fn next_chunk(&self, pace: &Pace) -> Option<u64> {
        match self.budget {
            Budget::Runs(n) => Some(n.saturating_sub(self.runs)).filter(|&left| left > 0),
            Budget::Time(d) => {
                let left = d.saturating_sub(self.started.elapsed());
                if left.is_zero() {
                    return None;
                }
                let runs = pace.runs_in(left).clamp(MIN_CHUNK, CHUNK_RUNS);
                Some(runs)
            }
        }
    }

    /// Whether nothing more may start.
    pub(crate) fn is_spent(&self) -> bool {
        self.next_chunk(&Pace::default()).is_none()
    }

    pub(crate) fn spend(&mut self, runs: u64) {
        self.runs = self.runs.saturating_add(runs);
    }
}

/// How fast a kind of work has gone: runs per second, smoothed over its steps.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Pace {
    runs_per_s: Option<f64>,
}

impl Pace {
    /// Runs it can do in `time`; [`MIN_CHUNK`] before anything has been measured.
    fn runs_in(&self, time: Duration) -> u64 {
        match self.runs_per_s {
            Some(r) => (r * time.as_secs_f64()) as u64,
            None => MIN_CHUNK,
        }
    }

    /// Takes note of `runs` done in `took`.
    pub(crate) fn observe(&mut self, runs: u64, took: Duration) {
        if runs == 0 || took.is_zero() {
            return;
        }
        let now = runs as f64 / took.as_secs_f64();
        // Halfway to the newest measure: a chunk of a sweep and a chunk of a plain run differ,
        // and the next chunk should follow quickly without jumping on one noisy step.
        self.runs_per_s = Some(self.runs_per_s.map_or(now, |r| 0.5 * (r + now)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_budget_is_exact() {
        let mut s = Slice::new(Budget::Runs(300));
        assert_eq!(s.next_chunk(&Pace::default()), Some(300));
        s.spend(256);
        assert_eq!(s.next_chunk(&Pace::default()), Some(44));
        s.spend(44);
        assert!(s.is_spent());
    }

    #[test]
    fn a_time_budget_sizes_chunks_from_the_pace() {
        let s = Slice::new(Budget::Time(Duration::from_secs(3600)));
        assert_eq!(s.next_chunk(&Pace::default()), Some(MIN_CHUNK), "unmeasured: one batch");
        let mut pace = Pace::default();
        pace.observe(1000, Duration::from_millis(1));
        assert_eq!(s.next_chunk(&pace), Some(CHUNK_RUNS), "at most a pipeline chunk");
        let spent = Slice::new(Budget::Time(Duration::ZERO));
        assert!(spent.is_spent());
    }
}
