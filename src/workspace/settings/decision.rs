//! The Decision support tab's settings and the analyses they ask for: the paired worlds, and
//! the decision analysis of them.

use std::sync::Arc;

use crate::analysis::decision::DecisionSpec;
use crate::analysis::discovery::{DiscoverySpec, OutcomeEvent, PrimOptions};
use crate::analysis::worlds::Worlds;
use crate::model::Scenario;
use crate::workspace::analyses::Request;

/// Worlds simulated unless the user asks for another count: PRIM and EVPPI read every
/// policy's outcome in each, and 5,000 keep the box's edges within a few percent of the range.
pub const DEFAULT_RUNS: u64 = 5_000;

/// The kind of event the tab explains.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventChoice {
    /// The policy nets less than another policy in the same world.
    #[default]
    NetBelowPolicy,
    /// The policy's net is below a level.
    NetBelow,
    Catastrophe,
    /// The policy's harm is above a level.
    HarmAbove,
}

impl EventChoice {
    pub const ALL: [EventChoice; 4] =
        [EventChoice::NetBelowPolicy, EventChoice::NetBelow, EventChoice::Catastrophe, EventChoice::HarmAbove];

    pub fn label(self) -> &'static str {
        match self {
            EventChoice::NetBelowPolicy => "nets less than",
            EventChoice::NetBelow => "nets below",
            EventChoice::Catastrophe => "sees a catastrophe",
            EventChoice::HarmAbove => "has harm above",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            EventChoice::NetBelowPolicy => "The policy's net welfare is below the other policy's in the same world",
            EventChoice::NetBelow => "The policy's net welfare is below a level you set ($B)",
            EventChoice::Catastrophe => "The world has at least one catastrophe under the policy",
            EventChoice::HarmAbove => "The policy's discounted misuse harm is above a level you set ($B)",
        }
    }
}

/// The Decision support tab's choices.
#[derive(Clone, Debug)]
pub struct DecisionSettings {
    /// The policy whose event is explained; `None` until chosen (the threshold sweep's default
    /// policy, else the first policy).
    pub policy: Option<usize>,
    /// The policy compared with, for "nets less than" (default: the reference policy).
    pub against: Option<usize>,
    pub event: EventChoice,
    /// The level of "nets below" and "has harm above" ($B).
    pub threshold: f64,
    /// The satisficing floor ($B), when set.
    pub floor: Option<f64>,
    pub runs: u64,
    /// The box picked on the trajectory; `None` is the default box.
    pub chosen: Option<usize>,
    /// The event the pick belongs to: a box number means nothing on another trajectory.
    picked_for: Option<(usize, OutcomeEvent)>,
}

impl Default for DecisionSettings {
    fn default() -> Self {
        DecisionSettings {
            policy: None,
            against: None,
            event: EventChoice::default(),
            threshold: 0.0,
            floor: Some(0.0),
            runs: DEFAULT_RUNS,
            chosen: None,
            picked_for: None,
        }
    }
}

impl DecisionSettings {
    /// Fills in the policies and mends choices an edit made invalid: (policy, against).
    pub fn resolve(&mut self, n_policies: usize, reference: usize) -> (usize, usize) {
        let n = n_policies.max(1);
        let default = (0..n).find(|&i| i != reference).unwrap_or(0);
        let policy = self.policy.filter(|&p| p < n).unwrap_or(default);
        let other = if policy == reference { default } else { reference };
        let against = self.against.filter(|&a| a < n && a != policy).unwrap_or(other);
        self.policy = Some(policy);
        self.against = Some(against);
        (policy, against)
    }

    /// The paired worlds the tab reads, at most `max_runs` of them.
    ///
    /// # Errors
    /// A sentence for the tab when the scenario cannot be analysed.
    pub fn request(&mut self, scenario: &Scenario, max_runs: u64) -> Result<Request, String> {
        if scenario.uncertain_params().is_empty() {
            return Err("Every world parameter is fixed, so nothing is uncertain to explain: give at least one \
                        parameter a distribution in the scenario panel."
                .into());
        }
        if scenario.policies().len() < 2 {
            return Err("Decision support compares policies: add a second policy in the scenario panel.".into());
        }
        if self.policy.is_none() {
            self.policy = crate::analysis::sweep::default_policy(scenario);
        }
        self.resolve(scenario.policies().len(), scenario.run().reference);
        let s = scenario.clone().with_runs(self.runs.clamp(1, max_runs.max(1))).map_err(|e| e.to_string())?;
        Ok(Request::Worlds { scenario: Arc::new(s) })
    }

    /// The event as chosen.
    pub fn event(&self, against: usize) -> OutcomeEvent {
        match self.event {
            EventChoice::NetBelowPolicy => OutcomeEvent::NetBelowPolicy { against },
            EventChoice::NetBelow => OutcomeEvent::NetBelow { level: self.threshold },
            EventChoice::Catastrophe => OutcomeEvent::Catastrophe,
            EventChoice::HarmAbove => OutcomeEvent::HarmAbove { level: self.threshold },
        }
    }

    /// The decision analysis of `worlds` the tab asks for; forgets a box picked for another
    /// event.
    pub fn spec(&mut self, worlds: &Worlds) -> DecisionSpec {
        self.spec_for(worlds.policies.len(), worlds.reference)
    }

    /// The decision analysis for a scenario of `n_policies` policies as the tab is set.
    pub fn spec_for(&mut self, n_policies: usize, reference: usize) -> DecisionSpec {
        let (policy, against) = self.resolve(n_policies, reference);
        let event = self.event(against);
        if self.picked_for != Some((policy, event)) {
            self.chosen = None;
            self.picked_for = Some((policy, event));
        }
        DecisionSpec {
            discovery: DiscoverySpec { policy, event, chosen: self.chosen, prim: PrimOptions::default() },
            floor: self.floor,
        }
    }
}
