//! Studies: what a command or a view needs, planned, run and returned. A study is the main
//! simulation of a scenario (every run through the one pipeline, `sim::pipeline`, into the
//! sinks that what is asked for needs) and the analyses of a [`StudyPlan`], each a list of
//! simulations of its own; [`StudyJob`] makes them a chunk of runs at a time, with progress
//! and cancellation, on threads or stepped by a front end that has none. Every front end
//! (each command, the report, the app) asks for its results here, so one scenario and seed
//! give one answer through all of them.
//!
//! Where the runs come from is a [`Runs`]: simulated whole, one shard captured
//! (`--shard K/N`), or the shards' captures replayed (`tierlab merge`) through the same
//! sinks and analyses, which is why a merge writes the same bytes as one machine.
//!
//! - `provenance.rs`: the input (scenario, its text and origin) and the provenance stamped on
//!   every output;
//! - `plan.rs`: what to run (the default plan, caps, notes);
//! - `runs.rs`: a study's simulations ([`Task`]) and where their runs come from;
//! - `simulation.rs`: the main simulation and its sinks;
//! - `analyses.rs`: each analysis as tasks and what it makes of their results; the rule for
//!   the seeds analyses draw from;
//! - `job.rs`: a study in progress and what it made ([`Study`]);
//! - `progress.rs`: the stage under way and the share done;
//! - `error.rs`: why a study could not be made.

pub mod analyses;
pub mod error;
pub mod job;
pub mod plan;
pub mod progress;
pub mod provenance;
pub mod runs;
pub mod simulation;

pub use analyses::{analysis_seed, bootstrap_options};
pub use error::StudyError;
pub use job::{Study, StudyJob};
pub use plan::{
    Cap, DECISION_RUNS_CAP, DecisionPlan, Part, SENSITIVITY_RUNS_CAP, SWEEP_2D_RUNS_CAP, SWEEP_RUNS_CAP,
    SensitivityPlan, StudyNote, StudyPlan, Sweep2dPlan, SweepPlan,
};
pub use progress::{Stage, StudyProgress, progress_at};
pub use provenance::{Input, Provenance, ScenarioSource};
pub use runs::{Capture, Replay, Runs, Task};
pub use simulation::{Keeps, MainSimulation, Simulated};
