//! Where a report's files go in its directory.

/// Sub-directory of the report directory holding the figures.
pub const FIGURES_DIR: &str = "figures";

/// The copy of the scenario file written beside a report or exported figures: the exact text
/// whose SHA-256 every caption and sidecar carries. Named so that it cannot be mistaken for
/// (or overwrite) a scenario a user keeps in the same folder.
pub const SCENARIO_COPY: &str = "scenario_as_run.toml";
