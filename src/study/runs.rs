//! The simulations a study makes, and where their runs come from: simulated whole, one shard
//! of them simulated and captured (`--shard K/N`), or the shards' captures replayed (a
//! merge). A study numbers its simulations in the order it makes them (0 is the main
//! simulation, then each analysis's, in plan order), the same on every machine, so the
//! simulation a merge replays as number `i` is the one each shard captured as `i`.

use std::ops::Range;
use std::sync::Arc;

use crate::model::{Policy, Scenario};
use crate::sim::pipeline::{ChunkSource, Pipeline, PipelineError, Simulate, Sink, SinkError};
use crate::sim::{Control, Engine, Record, Results, Shard, SimOptions};

/// One simulation a study needs: a scenario's world under its own policies or under variants
/// of them (a sweep's grid points), some number of its runs, what to record, and world
/// parameters held at a value in every run.
#[derive(Clone, Debug)]
pub struct Task {
    pub scenario: Arc<Scenario>,
    pub engine: Arc<Engine>,
    /// Runs `0..runs` (a plan may use fewer than the scenario's).
    pub runs: u64,
    pub options: SimOptions,
}

impl Task {
    /// The scenario's own policies.
    pub fn new(scenario: Arc<Scenario>, runs: u64, record: Record) -> Task {
        let engine = Arc::new(Engine::new(&scenario));
        Task { scenario, engine, runs, options: SimOptions { record, ..SimOptions::default() } }
    }

    /// `policies` instead of the scenario's, paired against `policies[reference]`.
    pub fn with_policies(
        scenario: Arc<Scenario>,
        policies: &[Policy],
        reference: usize,
        runs: u64,
        record: Record,
    ) -> Task {
        let engine = Arc::new(Engine::with_policies(&scenario, policies, reference));
        Task { scenario, engine, runs, options: SimOptions { record, ..SimOptions::default() } }
    }

    /// The same simulation with world parameters held at a value in every run (a 2-D
    /// sweep's axis, a tornado's ends).
    pub fn holding(mut self, overrides: Vec<(usize, f64)>) -> Task {
        self.options.param_overrides = overrides;
        self
    }

    pub fn n_policies(&self) -> usize {
        self.engine.n_policies
    }
}

/// Receives every chunk of every simulation of a study with the simulation's number: a
/// shard's partial result.
pub trait Capture: Send {
    /// # Errors
    /// A file that cannot be written.
    fn chunk(&mut self, simulation: usize, chunk: &Results) -> Result<(), SinkError>;

    /// Called once every simulation has been captured (flush and close the files).
    ///
    /// # Errors
    /// A file that cannot be written.
    fn finish(&mut self) -> Result<(), SinkError>;
}

/// Gives back the captured simulations of every shard, in the order a study asks for them.
pub trait Replay: Send {
    /// The runs of simulation `simulation`, which the study expects to be `task`'s.
    ///
    /// # Errors
    /// The shards hold no such simulation, or one of another shape.
    fn simulation(&mut self, simulation: usize, task: &Task) -> Result<Box<dyn ChunkSource>, PipelineError>;
}

/// Where a study's runs come from.
pub enum Runs {
    /// Simulate every run of every simulation.
    All,
    /// Simulate shard `shard` of every simulation's runs and hand them to `capture`: a
    /// partial result, which has no analyses of its own.
    Shard { shard: Shard, capture: Box<dyn Capture> },
    /// The merged shards' runs instead of simulating: the same sinks and analyses as one
    /// machine, on the same runs, give the same bytes.
    Replay(Box<dyn Replay>),
}

impl std::fmt::Debug for Runs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Runs::All => write!(f, "Runs::All"),
            Runs::Shard { shard, .. } => write!(f, "Runs::Shard({shard})"),
            Runs::Replay(_) => write!(f, "Runs::Replay"),
        }
    }
}

impl ChunkSource for Box<dyn ChunkSource> {
    fn runs(&self) -> Range<u64> {
        (**self).runs()
    }
    fn next_chunk(&mut self, max_runs: u64, control: &Control) -> Result<Option<Results>, PipelineError> {
        (**self).next_chunk(max_runs, control)
    }
}

impl Runs {
    /// Whether this is a shard, whose study stops at capturing (no analyses, no outputs).
    pub fn is_shard(&self) -> bool {
        matches!(self, Runs::Shard { .. })
    }

    /// The runs of simulation `index` (`task`) as a pipeline of `chunk_runs` per step.
    ///
    /// # Errors
    /// A replay that has no such simulation.
    pub fn pipeline(
        &mut self,
        index: usize,
        task: &Task,
        chunk_runs: u64,
    ) -> Result<Pipeline<Box<dyn ChunkSource>>, PipelineError> {
        let simulate = |range: Range<u64>| -> Box<dyn ChunkSource> {
            Box::new(Simulate::new(Arc::clone(&task.scenario), Arc::clone(&task.engine), range, task.options.clone()))
        };
        let source = match self {
            Runs::All => simulate(0..task.runs),
            Runs::Shard { shard, .. } => simulate(shard.range(task.runs)),
            Runs::Replay(replay) => replay.simulation(index, task)?,
        };
        Ok(Pipeline::new(source, chunk_runs))
    }

    /// The sink that captures simulation `index` (a shard's), if any.
    pub fn capture(&mut self, index: usize) -> Option<CaptureSink<'_>> {
        match self {
            Runs::Shard { capture, .. } => Some(CaptureSink { simulation: index, capture: capture.as_mut() }),
            _ => None,
        }
    }
}

/// [`Capture`] as a [`Sink`] of one simulation.
pub struct CaptureSink<'a> {
    simulation: usize,
    capture: &'a mut dyn Capture,
}

impl Sink for CaptureSink<'_> {
    fn accept(&mut self, chunk: &Results) -> Result<(), SinkError> {
        self.capture.chunk(self.simulation, chunk)
    }
}
