//! Why a study could not be made.

use crate::analysis::discovery::DiscoveryError;
use crate::analysis::sensitivity::SensitivityError;
use crate::analysis::sweep::SweepError;
use crate::sim::SimError;
use crate::sim::pipeline::{PipelineError, SinkError};

#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("the study was cancelled")]
    Cancelled,
    #[error("could not start {threads} worker threads: {reason}")]
    Threads { threads: usize, reason: String },
    /// A plan that cannot be run, with a message saying what is allowed.
    #[error("{0}")]
    Invalid(String),
    #[error("threshold sweep: {0}")]
    Sweep(SweepError),
    #[error("2-D sweep: {0}")]
    Sweep2d(SweepError),
    #[error("sensitivity analysis: {0}")]
    Sensitivity(SensitivityError),
    #[error("decision support: {0}")]
    Decision(DiscoveryError),
    /// Runs read back that do not fit what the study expects (shards of another command).
    #[error("{0}")]
    Replay(String),
    /// An output (a file sink, a store's file) that could not be written or read back.
    #[error(transparent)]
    Output(SinkError),
}

impl StudyError {
    /// Whether the error is the caller's input (as opposed to cancellation, threads or files).
    pub fn is_invalid_input(&self) -> bool {
        match self {
            StudyError::Invalid(_)
            | StudyError::Sweep(_)
            | StudyError::Sweep2d(_)
            | StudyError::Sensitivity(_)
            | StudyError::Decision(_)
            | StudyError::Replay(_) => true,
            StudyError::Cancelled | StudyError::Threads { .. } | StudyError::Output(_) => false,
        }
    }
}

impl From<SimError> for StudyError {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Cancelled => StudyError::Cancelled,
            SimError::Threads { threads, reason } => StudyError::Threads { threads, reason },
            SimError::Mismatch(m) => StudyError::Replay(m),
        }
    }
}

impl From<PipelineError> for StudyError {
    fn from(e: PipelineError) -> Self {
        match e {
            PipelineError::Sim(s) => s.into(),
            PipelineError::Sink(s) => StudyError::Output(s),
            PipelineError::Source(m) => StudyError::Replay(m),
        }
    }
}
