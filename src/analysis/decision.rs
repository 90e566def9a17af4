//! Decision support on one set of paired worlds: scenario discovery for a chosen event,
//! regret across the scenario's policies, and the value of information, from a single
//! simulation (what the command line's `discover`, the report and the app's Robustness tab
//! show together).

use serde::{Deserialize, Serialize};

use super::discovery::{Discovery, DiscoveryError, DiscoverySpec, discover};
use super::robustness::{Robustness, robustness};
use super::voi::{ValueOfInformation, VoiOptions, value_of_information};
use super::worlds::Worlds;

/// What the user chose: the event to explain and the satisficing floor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionSpec {
    pub discovery: DiscoverySpec,
    /// Net ($B) a policy should reach for a world to count as acceptable.
    pub floor: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub discovery: Discovery,
    pub robustness: Robustness,
    pub value_of_information: ValueOfInformation,
}

/// All three analyses of `worlds`.
///
/// # Errors
/// As [`discover`].
pub fn decide(worlds: &Worlds, spec: &DecisionSpec) -> Result<Decision, DiscoveryError> {
    let discovery = discover(worlds, &spec.discovery)?;
    Ok(Decision {
        discovery,
        robustness: robustness(&worlds.policies, &worlds.net, spec.floor),
        value_of_information: value_of_information(worlds, &VoiOptions::new(worlds.n_worlds(), worlds.seed)),
    })
}
