//! The main simulation of a scenario, as every front end makes it: every run of every policy
//! through the pipeline, into the sinks that what is asked for needs: outcomes kept for the
//! summaries, per-step series and per-jurisdiction outcomes in stores (percentiles and means
//! over every run), clamped draws counted, and any sinks of the caller's (`tierlab run
//! --out`'s CSV files). It advances a chunk per step, so the app can show results as runs
//! come in and a browser can step it between frames; the summaries of what has been
//! simulated so far can be taken at any point.

use std::sync::Arc;

use crate::analysis::series::summarise_series_from;
use crate::analysis::summary::jurisdiction_summaries;
use crate::analysis::{SeriesSummary, Summary, summarise};
use crate::sim::pipeline::Collect;
use crate::sim::pipeline::{ChunkSource, Pipeline, PipelineError, Sink};
use crate::sim::sinks::{Clamps, JurisdictionStore, SeriesStore};
use crate::sim::store::Keep;
use crate::sim::{Control, Record, Results};

use super::provenance::{Input, Provenance};
use super::runs::{Runs, Task};

/// The main simulation's number among a study's simulations.
pub const MAIN_SIMULATION: usize = 0;

/// What the main simulation keeps beyond the per-run outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keeps {
    /// Per-step series of every run (fan charts, series.csv).
    pub series: bool,
    /// Per-jurisdiction outcomes of every run (their means and standard errors).
    pub jurisdictions: bool,
    /// Where the series and per-jurisdiction stores keep their values.
    pub store: Keep,
    /// Where a shard writes its series (its partial result's `series.bin`).
    pub shard_series: Option<std::path::PathBuf>,
    /// Runs per pipeline step.
    pub chunk_runs: u64,
}

/// Runs per chunk of the main simulation: a chunk's per-step series of the baseline take
/// about 6 KB a run, so 16,384 runs hold about 100 MB at once.
pub const CHUNK_RUNS: u64 = 16_384;

impl Keeps {
    /// Everything, in memory (the app, the browser, tests).
    pub fn everything() -> Keeps {
        Keeps { series: true, jurisdictions: true, store: Keep::Memory, shard_series: None, chunk_runs: CHUNK_RUNS }
    }

    /// The outcomes alone (`tierlab run` without `--out` prints nothing more).
    pub fn outcomes_only() -> Keeps {
        Keeps { series: false, jurisdictions: false, ..Keeps::everything() }
    }
}

/// A main simulation in progress.
pub struct MainSimulation {
    input: Input,
    pipeline: Pipeline<Box<dyn ChunkSource>>,
    collect: Collect,
    series: Option<SeriesStore>,
    jurisdictions: Option<JurisdictionStore>,
    clamps: Clamps,
    files: Option<Box<dyn Sink + Send>>,
    shard: bool,
}

/// The main simulation's results: every run's outcomes and their summaries.
#[derive(Clone, Debug)]
pub struct Simulated {
    /// Per-run outcomes of every run simulated (no series, jurisdictions or draws).
    pub results: Results,
    /// Per-policy summaries, with per-jurisdiction means and the clamped draws.
    pub summary: Summary,
    /// Percentile bands of every per-step series, over every run (none if not kept).
    pub series: Option<SeriesSummary>,
    pub provenance: Provenance,
}

fn store_error(what: &str, e: std::io::Error) -> PipelineError {
    PipelineError::Sink(crate::sim::pipeline::SinkError::new(what, e))
}

impl MainSimulation {
    /// Starts the simulation of `input`'s scenario with its runs taken from `runs`; `files`
    /// is a sink of the caller's that takes every chunk after the others (CSV writers).
    ///
    /// # Errors
    /// A replay that holds no main simulation of this shape.
    pub fn new(
        input: &Input,
        keeps: &Keeps,
        runs: &mut Runs,
        files: Option<Box<dyn Sink + Send>>,
    ) -> Result<MainSimulation, PipelineError> {
        let s = &input.scenario;
        let shard = runs.is_shard();
        let series_kept = keeps.series || (shard && keeps.shard_series.is_some());
        let record = Record {
            // A shard captures its per-jurisdiction outcomes with its runs for the merge.
            jurisdictions: keeps.jurisdictions || files.is_some(),
            series_runs: if series_kept { u64::MAX } else { 0 },
            params: true,
        };
        let task = Task::new(Arc::clone(s), s.run().runs, record);
        let pipeline = runs.pipeline(MAIN_SIMULATION, &task, keeps.chunk_runs)?;
        let e = &task.engine;
        let series_keep = match (&keeps.shard_series, shard) {
            (Some(path), true) => Keep::File(path.clone()),
            _ => keeps.store.clone(),
        };
        Ok(MainSimulation {
            input: input.clone(),
            pipeline,
            collect: Collect::new(Record::default()),
            series: series_kept.then(|| SeriesStore::new(e.n_policies, e.steps, e.series_metrics(), e.dt, series_keep)),
            jurisdictions: (keeps.jurisdictions && !shard)
                .then(|| JurisdictionStore::new(e.n_policies, e.n_jurisdictions, keeps.store.clone())),
            clamps: Clamps::default(),
            files,
            shard,
        })
    }

    /// Every run of `input`'s scenario through the pipeline with what `keeps` says, on the
    /// calling thread's rayon pool: the main simulation without a study around it.
    ///
    /// # Errors
    /// Cancellation, or a store that cannot be written.
    pub fn run_whole(input: &Input, keeps: &Keeps, control: &Control) -> Result<Simulated, PipelineError> {
        let mut runs = Runs::All;
        let mut main = MainSimulation::new(input, keeps, &mut runs, None)?;
        main.run(&mut runs, control)?;
        main.finish()
    }

    pub fn input(&self) -> &Input {
        &self.input
    }

    pub fn runs_done(&self) -> u64 {
        self.pipeline.runs_done()
    }

    pub fn total_runs(&self) -> u64 {
        self.pipeline.total_runs()
    }

    pub fn is_finished(&self) -> bool {
        self.pipeline.is_finished()
    }

    /// Simulates the next chunk without handing it on: see [`MainSimulation::push`].
    ///
    /// # Errors
    /// Cancellation, or a replay that does not fit.
    pub fn pull(&mut self, max_runs: u64, control: &Control) -> Result<Option<Results>, PipelineError> {
        self.pipeline.pull(max_runs, control)
    }

    /// Hands a chunk from [`MainSimulation::pull`] to every sink. Returns whether every run
    /// has been through them.
    ///
    /// # Errors
    /// A sink that fails.
    pub fn push(&mut self, chunk: &Results, runs: &mut Runs) -> Result<bool, PipelineError> {
        let mut capture = runs.capture(MAIN_SIMULATION);
        let mut sinks: Vec<&mut dyn Sink> = Vec::with_capacity(6);
        if !self.shard {
            sinks.push(&mut self.collect);
            sinks.push(&mut self.clamps);
        }
        if let Some(s) = self.series.as_mut() {
            sinks.push(s);
        }
        if let Some(j) = self.jurisdictions.as_mut() {
            sinks.push(j);
        }
        if let Some(f) = self.files.as_mut() {
            sinks.push(f.as_mut());
        }
        if let Some(c) = capture.as_mut() {
            sinks.push(c);
        }
        self.pipeline.push(chunk, &mut sinks)
    }

    /// Puts the next chunk of at most `max_runs` runs through every sink. Returns whether
    /// every run has been through them.
    ///
    /// # Errors
    /// As [`MainSimulation::pull`] and [`MainSimulation::push`].
    pub fn step(&mut self, max_runs: u64, runs: &mut Runs, control: &Control) -> Result<bool, PipelineError> {
        match self.pull(max_runs, control)? {
            Some(chunk) => self.push(&chunk, runs),
            None => Ok(true),
        }
    }

    /// Steps to the end.
    ///
    /// # Errors
    /// As [`MainSimulation::step`].
    pub fn run(&mut self, runs: &mut Runs, control: &Control) -> Result<(), PipelineError> {
        while !self.step(u64::MAX, runs, control)? {}
        Ok(())
    }

    /// The outcomes simulated so far.
    pub fn results(&self) -> Option<&Results> {
        self.collect.results()
    }

    /// The summaries of the runs simulated so far (every run once finished): per policy,
    /// with per-jurisdiction means and clamped draws, and the series' bands. The stores are
    /// flushed first, so their files can be read.
    ///
    /// # Errors
    /// A store's file that cannot be written or read back.
    pub fn summaries(&mut self) -> Result<(Summary, Option<SeriesSummary>), PipelineError> {
        let s = &self.input.scenario;
        let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
        let jurisdiction_names: Vec<String> = s.jurisdictions().iter().map(|j| j.name.clone()).collect();
        let empty = Results::default();
        let results = self.collect.results().unwrap_or(&empty);
        let mut summary = summarise(results, &names, s.run().reference);
        if let Some(j) = self.jurisdictions.as_mut() {
            j.flush().map_err(|e| store_error("the per-jurisdiction outcomes", e))?;
            let per_policy = jurisdiction_summaries(j).map_err(|e| store_error("the per-jurisdiction outcomes", e))?;
            for (p, js) in summary.policies.iter_mut().zip(per_policy) {
                p.jurisdictions = js;
            }
        }
        summary.clamped_draws = self.clamps.counts().clone();
        let series = match self.series.as_mut() {
            Some(store) => {
                store.flush().map_err(|e| store_error("the per-step series", e))?;
                Some(
                    summarise_series_from(&*store, &jurisdiction_names)
                        .map_err(|e| store_error("the per-step series", e))?,
                )
            }
            None => None,
        };
        Ok((summary, series))
    }

    /// Flushes what a shard wrote (its series file).
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn finish_shard(mut self) -> Result<(), PipelineError> {
        if let Some(s) = self.series.as_mut() {
            s.flush().map_err(|e| store_error("the per-step series", e))?;
        }
        Ok(())
    }

    /// The results of every run, once finished.
    ///
    /// # Errors
    /// A store's file that cannot be read back.
    pub fn finish(mut self) -> Result<Simulated, PipelineError> {
        if let Some(f) = self.files.as_mut() {
            f.finish()?;
        }
        let (summary, series) = self.summaries()?;
        let mut provenance = self.input.provenance();
        provenance.series_runs = series.as_ref().map_or(0, |x| x.runs);
        Ok(Simulated { results: self.collect.into_results(), summary, series, provenance })
    }
}
