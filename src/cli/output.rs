//! What each command prints and writes from its study.

use super::config::{CommandConfig, RunConfig};
use super::{decide, report, run, sensitivity, sweep};

/// What a command prints and writes from its study (after a run, or a merge of its shards).
///
/// # Errors
/// A file that cannot be written.
pub fn output(config: &RunConfig, study: &crate::study::Study) -> anyhow::Result<()> {
    match &config.command {
        CommandConfig::Run => run::output(config, study),
        CommandConfig::Sweep { .. } => sweep::output(config, study),
        CommandConfig::Sensitivity { .. } => sensitivity::output(config, study),
        CommandConfig::Decide { .. } => decide::output(config, study),
        CommandConfig::Report { .. } => report::output(config, study),
    }
}
