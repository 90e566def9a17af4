//! The one simulation loop: runs come from a [`ChunkSource`] a chunk at a time, in run
//! order, and every chunk goes through the same [`Sink`]s. Every way Tierlab turns runs into
//! outputs goes through here: `tierlab run` (its sinks write the CSV files), the report and
//! the app (their sinks keep outcomes, series and per-jurisdiction values), a shard (its
//! sinks write the partial result) and a merge (its source reads the shards back instead of
//! simulating, into the same sinks as one machine's run).
//!
//! A [`Pipeline`] advances one chunk per [`Pipeline::step`], so a front end without threads
//! can do a bounded slice of work per frame; [`Pipeline::run`] steps to the end. Within a
//! chunk the simulation uses rayon (`driver.rs`): results do not depend on how many threads
//! there are, nor on how the runs are cut into chunks, because every sink reads its chunks in
//! run order and keeps nothing that depends on where one chunk ends.

use std::ops::Range;
use std::sync::Arc;

use super::driver::{Control, ParamTable, Record, SimError, SimOptions, simulate_range};
use super::engine::Engine;
use super::results::Results;
use crate::model::Scenario;

/// Something that takes a simulation's runs chunk by chunk, in run order: a file writer, a
/// store of per-run values, the outcomes kept in memory.
pub trait Sink {
    /// The next chunk: the runs right after the previous chunk's.
    ///
    /// # Errors
    /// What the sink cannot do with it (a file that cannot be written).
    fn accept(&mut self, chunk: &Results) -> Result<(), SinkError>;

    /// Called once after the last chunk: flush and close what the sink writes.
    ///
    /// # Errors
    /// What cannot be written.
    fn finish(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// A sink's failure, saying what it could not do.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}")]
pub struct SinkError {
    pub what: String,
    #[source]
    pub source: std::io::Error,
}

impl SinkError {
    pub fn new(what: impl Into<String>, source: std::io::Error) -> SinkError {
        SinkError { what: what.into(), source }
    }
}

/// Why a simulation stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// Runs read back (a merge) that do not fit together, or a source that failed.
    #[error("{0}")]
    Source(String),
}

impl PipelineError {
    pub fn is_cancelled(&self) -> bool {
        matches!(self, PipelineError::Sim(SimError::Cancelled))
    }
}

/// Where a simulation's runs come from.
pub trait ChunkSource: Send {
    /// Every run this source yields, in order.
    fn runs(&self) -> Range<u64>;

    /// The next chunk of at most `max_runs` runs (at least one), or `None` once every run has
    /// been yielded.
    ///
    /// # Errors
    /// A cancelled simulation, or runs read back that do not fit.
    fn next_chunk(&mut self, max_runs: u64, control: &Control) -> Result<Option<Results>, PipelineError>;
}

/// Runs simulated by a prepared engine.
pub struct Simulate {
    engine: Arc<Engine>,
    scenario: Arc<Scenario>,
    range: Range<u64>,
    next: u64,
    options: SimOptions,
}

impl Simulate {
    /// Runs `range` of `engine` (prepared from `scenario`, whose seed and correlations it
    /// has), recording what `options` asks for.
    pub fn new(scenario: Arc<Scenario>, engine: Arc<Engine>, range: Range<u64>, options: SimOptions) -> Simulate {
        Simulate { next: range.start, engine, scenario, range, options }
    }
}

impl ChunkSource for Simulate {
    fn runs(&self) -> Range<u64> {
        self.range.clone()
    }

    fn next_chunk(&mut self, max_runs: u64, control: &Control) -> Result<Option<Results>, PipelineError> {
        if self.next >= self.range.end {
            return Ok(None);
        }
        let end = (self.next + max_runs.max(1)).min(self.range.end);
        let chunk = self.next..end;
        // Correlated draws are whole Iman-Conover blocks, fixed by run number: the chunk's
        // blocks, however the chunk falls, give every run its one correlated draw.
        let correlated = ParamTable::correlated(&self.scenario, &self.engine, chunk.clone());
        let r = simulate_range(&self.engine, correlated.as_ref(), chunk, &self.options, control)?;
        self.next = end;
        Ok(Some(r))
    }
}

/// A simulation in progress: its source, its chunk size and how far it has come.
pub struct Pipeline<S: ChunkSource> {
    source: S,
    chunk_runs: u64,
    done: u64,
    finished: bool,
}

/// Runs per chunk when nothing else is asked: large enough that rayon's batches keep every
/// core busy, small enough that a chunk's per-run buffers stay a few megabytes.
pub const DEFAULT_CHUNK_RUNS: u64 = 16_384;

impl<S: ChunkSource> Pipeline<S> {
    /// A pipeline that takes at most `chunk_runs` runs per step.
    pub fn new(source: S, chunk_runs: u64) -> Pipeline<S> {
        Pipeline { source, chunk_runs: chunk_runs.max(1), done: 0, finished: false }
    }

    /// Runs this pipeline yields, all told.
    pub fn total_runs(&self) -> u64 {
        let r = self.source.runs();
        r.end - r.start
    }

    /// Runs that have been through the sinks.
    pub fn runs_done(&self) -> u64 {
        self.done
    }

    /// The first run not yet through the sinks.
    pub fn next_run(&self) -> u64 {
        self.source.runs().start + self.done
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Simulates (or reads) the next chunk of at most `max_runs` runs (and at most the
    /// pipeline's chunk size) without handing it to any sink: with [`Pipeline::push`], this
    /// lets a caller do other work with the sinks while the chunk is simulated.
    ///
    /// # Errors
    /// Cancellation, or a source that fails.
    pub fn pull(&mut self, max_runs: u64, control: &Control) -> Result<Option<Results>, PipelineError> {
        if self.finished {
            return Ok(None);
        }
        let chunk = self.source.next_chunk(max_runs.min(self.chunk_runs).max(1), control)?;
        match &chunk {
            None => self.finished = true,
            Some(c) if c.runs.start != self.next_run() || c.runs.end <= c.runs.start => {
                return Err(PipelineError::Source(format!(
                    "runs {}..{} came where run {} was due",
                    c.runs.start,
                    c.runs.end,
                    self.next_run()
                )));
            }
            Some(_) => {}
        }
        Ok(chunk)
    }

    /// Hands a chunk from [`Pipeline::pull`] to every sink, in order.
    ///
    /// # Errors
    /// A sink that fails; the sinks then hold a prefix of the runs.
    pub fn push(&mut self, chunk: &Results, sinks: &mut [&mut dyn Sink]) -> Result<bool, PipelineError> {
        for sink in sinks.iter_mut() {
            sink.accept(chunk)?;
        }
        self.done += chunk.n_runs() as u64;
        self.finished = self.next_run() >= self.source.runs().end;
        Ok(self.finished)
    }

    /// Puts the next chunk (at most `max_runs` runs, and at most the pipeline's chunk size)
    /// through every sink, in order. Returns whether every run has been through them.
    ///
    /// # Errors
    /// Cancellation, a source or a sink that fails; the sinks then hold a prefix of the runs.
    pub fn step_at_most(
        &mut self,
        max_runs: u64,
        sinks: &mut [&mut dyn Sink],
        control: &Control,
    ) -> Result<bool, PipelineError> {
        match self.pull(max_runs, control)? {
            Some(chunk) => self.push(&chunk, sinks),
            None => Ok(true),
        }
    }

    /// [`Pipeline::step_at_most`] with the pipeline's chunk size.
    ///
    /// # Errors
    /// As [`Pipeline::step_at_most`].
    pub fn step(&mut self, sinks: &mut [&mut dyn Sink], control: &Control) -> Result<bool, PipelineError> {
        self.step_at_most(self.chunk_runs, sinks, control)
    }

    /// Steps until every run has been through the sinks.
    ///
    /// # Errors
    /// As [`Pipeline::step_at_most`].
    pub fn run(&mut self, sinks: &mut [&mut dyn Sink], control: &Control) -> Result<(), PipelineError> {
        while !self.step(sinks, control)? {}
        Ok(())
    }
}

/// Keeps the chunks' results in memory, one [`Results`] over every run: always the outcomes,
/// and the per-jurisdiction outcomes, parameter draws and series where `keep` asks (large
/// simulations keep their series in a [`SeriesStore`] instead, which has no limit on runs).
#[derive(Debug, Default)]
pub struct Collect {
    keep: Record,
    results: Option<Results>,
}

impl Collect {
    pub fn new(keep: Record) -> Collect {
        Collect { keep, results: None }
    }

    /// What has been collected so far (an empty result before the first chunk).
    pub fn results(&self) -> Option<&Results> {
        self.results.as_ref()
    }

    pub fn into_results(self) -> Results {
        self.results.unwrap_or_default()
    }
}

impl Sink for Collect {
    fn accept(&mut self, chunk: &Results) -> Result<(), SinkError> {
        match self.results.as_mut() {
            None => {
                let mut first = chunk.clone();
                if self.keep.series_runs == 0 {
                    first.series = Vec::new();
                    first.series_runs = 0;
                }
                if !self.keep.jurisdictions {
                    first.jurisdictions = Vec::new();
                }
                if !self.keep.params {
                    first.params = Vec::new();
                }
                self.results = Some(first);
            }
            Some(r) => {
                r.outcomes.extend_from_slice(&chunk.outcomes);
                if self.keep.jurisdictions {
                    r.jurisdictions.extend_from_slice(&chunk.jurisdictions);
                }
                if self.keep.params {
                    r.params.extend_from_slice(&chunk.params);
                }
                if self.keep.series_runs > 0 {
                    r.append_series(chunk);
                }
                r.runs.end = chunk.runs.end;
            }
        }
        Ok(())
    }
}

/// Simulates every run of `scenario` (`0..runs`) into memory, recording what `opts` asks
/// for, on `opts.threads` threads (`None`: rayon's pool): the pipeline with one [`Collect`]
/// sink. For tests, benches and small analyses; front ends go through `study`.
///
/// # Errors
/// [`SimError::Cancelled`] if `control` was cancelled; a thread pool that cannot start.
pub fn simulate(scenario: &Scenario, opts: &SimOptions, control: &Control) -> Result<Results, SimError> {
    simulate_engine(scenario, Arc::new(Engine::new(scenario)), scenario.run().runs, opts, control)
}

/// [`simulate`] of runs `0..runs` of an engine prepared from `scenario` (perhaps with other
/// policies, [`Engine::with_policies`]).
///
/// # Errors
/// As [`simulate`].
pub fn simulate_engine(
    scenario: &Scenario,
    engine: Arc<Engine>,
    runs: u64,
    opts: &SimOptions,
    control: &Control,
) -> Result<Results, SimError> {
    let run = || -> Result<Results, SimError> {
        // The pool, if any, is this function's: the chunks run inside it.
        let chunk_opts = SimOptions { threads: None, ..opts.clone() };
        let source = Simulate::new(Arc::new(scenario.clone()), Arc::clone(&engine), 0..runs, chunk_opts);
        let mut collect = Collect::new(opts.record.clone());
        let mut pipeline = Pipeline::new(source, u64::MAX);
        pipeline.run(&mut [&mut collect], control).map_err(|e| match e {
            PipelineError::Sim(s) => s,
            other => SimError::Mismatch(other.to_string()),
        })?;
        Ok(collect.into_results())
    };
    match opts.threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .thread_name(|i| format!("tierlab-sim-{i}"))
            .build()
            .map_err(|e| SimError::Threads { threads: t, reason: e.to_string() })?
            .install(run),
        None => run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Scenario {
        Scenario::built_in()
            .edited(|d| {
                d.run.runs = 700;
                d.run.years = 2;
            })
            .unwrap()
    }

    #[test]
    fn a_design_gives_the_runs_their_parameter_values() {
        let s = small();
        let uncertain = s.uncertain_params();
        let (a, b) = (uncertain[0], uncertain[1]);
        let n = s.run().runs as usize;
        let column_a: Vec<f64> = (0..n).map(|i| s.world()[a].quantile((i as f64 + 0.5) / n as f64)).collect();
        let column_b: Vec<f64> = (0..n).map(|i| s.world()[b].quantile(1.0 - (i as f64 + 0.5) / n as f64)).collect();
        let design = ParamTable::new(vec![a, b], 0, vec![column_a.clone(), column_b.clone()]).unwrap();
        let opts = SimOptions {
            record: Record { params: true, ..Record::default() },
            design: Some(Arc::new(design)),
            ..SimOptions::default()
        };
        let r = simulate(&s, &opts, &Control::new()).unwrap();
        let k = r.param_ids.len();
        let (ia, ib) =
            (r.param_ids.iter().position(|&x| x == a).unwrap(), r.param_ids.iter().position(|&x| x == b).unwrap());
        for i in 0..n {
            assert_eq!(r.params[i * k + ia], column_a[i], "run {i}");
            assert_eq!(r.params[i * k + ib], column_b[i], "run {i}");
        }
        // The other parameters keep their draws.
        let drawn = simulate(
            &s,
            &SimOptions { record: Record { params: true, ..Record::default() }, ..SimOptions::default() },
            &Control::new(),
        )
        .unwrap();
        let ic = (0..k).find(|&c| c != ia && c != ib).unwrap();
        assert!((0..n).all(|i| r.params[i * k + ic] == drawn.params[i * k + ic]));
        assert!(ParamTable::new(vec![a], 0, vec![vec![1.0], vec![2.0]]).is_err(), "a column per parameter");
    }

    #[test]
    fn a_source_that_skips_runs_is_refused() {
        struct Skipping(u64);
        impl ChunkSource for Skipping {
            fn runs(&self) -> Range<u64> {
                0..10
            }
            fn next_chunk(&mut self, _: u64, _: &Control) -> Result<Option<Results>, PipelineError> {
                self.0 += 5;
                Ok(Some(Results { runs: self.0..self.0 + 1, ..Results::default() }))
            }
        }
        let mut p = Pipeline::new(Skipping(0), 4);
        let err = p.step(&mut [], &Control::new()).unwrap_err();
        assert!(err.to_string().contains("came where run 0 was due"), "{err}");
    }
}
