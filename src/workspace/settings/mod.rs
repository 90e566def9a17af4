//! What the user chose in the tabs that is not saved between launches: which policy a tab is
//! about, and the analysis tabs' settings, each with the analyses it asks for. Reset when
//! another scenario is opened (a policy number means nothing in another scenario).

pub mod decision;
pub mod sensitivity;
pub mod thresholds;

pub use decision::{DecisionSettings, EventChoice};
pub use sensitivity::SensitivitySettings;
pub use thresholds::{CapKind, Grid, ThresholdRequests, ThresholdSettings};

/// The tabs' choices.
#[derive(Clone, Debug, Default)]
pub struct ViewState {
    /// Over time: the policy whose fans are shown; `None` compares all policies' medians.
    pub over_time_policy: Option<usize>,
    /// Learn: the policy the explanation is about (default: the reference policy).
    pub learn_policy: Option<usize>,
    pub thresholds: ThresholdSettings,
    pub sensitivity: SensitivitySettings,
    pub decision: DecisionSettings,
}
