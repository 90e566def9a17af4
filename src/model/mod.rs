//! The model's inputs: the scenario file, its checks, parameters, distributions and regimes.
//! Nothing here does I/O except `Scenario::load`, and nothing depends on `sim` or the app.

mod check;
pub use check::suggest;
pub mod correlation;
pub mod dist;
pub mod edit;
pub mod error;
mod locate;
pub mod params;
pub mod raw;
pub mod regime;
pub mod sample;
pub mod scenario;
mod write;

pub use correlation::Correlation;
pub use dist::Dist;
pub use error::{Issue, ScenarioError};
pub use params::{N_PARAMS, P, PARAMS};
pub use regime::{Evaluation, Levers, Measure, Policy, Regime, Signpost, Spending, Trigger};
pub use scenario::{Jurisdiction, RunSpec, Scenario, ScenarioDraft};
pub use write::{dist_to_toml, regime_to_toml};
