//! The Sensitivity tab's settings and the analysis they ask for.

use std::sync::Arc;

use crate::analysis::sensitivity::{Output, SensitivitySpec};
use crate::analysis::sweep;
use crate::model::Scenario;
use crate::workspace::analyses::Request;

/// Runs of the analysis unless the user asks for another count. The tornado simulates them
/// twice more per uncertain parameter (about 40 times for the built-in scenario), so fewer than a
/// plain run; PRCCs from 5,000 runs are within about ±0.03 of their limit.
pub const DEFAULT_RUNS: u64 = 5_000;
/// Parameters shown in the tornado and the correlation bars (the rest are in the CSV).
pub const DEFAULT_SHOWN: usize = 12;

/// The Sensitivity tab's choices.
#[derive(Clone, Debug)]
pub struct SensitivitySettings {
    /// `None` until chosen (then the threshold sweep's default policy, else the reference
    /// policy).
    pub policy: Option<usize>,
    pub output: Output,
    pub runs: u64,
    pub tornado: bool,
    pub shown: usize,
    /// The parameter whose worst-5% draws are drawn over all draws (`world.KEY`).
    pub selected: Option<String>,
}

impl Default for SensitivitySettings {
    fn default() -> Self {
        SensitivitySettings {
            policy: None,
            output: Output::Net,
            runs: DEFAULT_RUNS,
            tornado: true,
            shown: DEFAULT_SHOWN,
            selected: None,
        }
    }
}

impl SensitivitySettings {
    /// Fills in the policy and mends choices an edit made invalid; returns the policy.
    pub fn resolve(&mut self, scenario: &Scenario) -> usize {
        let n = scenario.policies().len();
        let policy = match self.policy.filter(|&p| p < n) {
            Some(p) => p,
            None => sweep::default_policy(scenario).unwrap_or(scenario.run().reference),
        };
        self.policy = Some(policy);
        if self.output == Output::NetDiff && policy == scenario.run().reference {
            // The reference policy's difference to itself is zero in every world: nothing to explain.
            self.output = Output::Net;
        }
        policy
    }

    /// The analysis the tab shows for `scenario`, at most `max_runs` runs.
    ///
    /// # Errors
    /// A sentence for the tab when the scenario has no uncertain parameter.
    pub fn request(&mut self, scenario: &Scenario, max_runs: u64) -> Result<Request, String> {
        let policy = self.resolve(scenario);
        if scenario.uncertain_params().is_empty() {
            return Err("Every world parameter is fixed, so nothing is uncertain to analyse: give at least one \
                        parameter a distribution in the scenario panel."
                .into());
        }
        let s = scenario.clone().with_runs(self.runs.clamp(1, max_runs.max(1))).map_err(|e| e.to_string())?;
        let spec = SensitivitySpec { tornado: self.tornado, ..SensitivitySpec::new(policy, self.output) };
        Ok(Request::Sensitivity { scenario: Arc::new(s), spec })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_follows_the_settings() {
        let s = Scenario::built_in();
        let mut t = SensitivitySettings { output: Output::Harm, tornado: false, ..SensitivitySettings::default() };
        let Ok(Request::Sensitivity { scenario, spec }) = t.request(&s, 300) else { panic!("a request") };
        assert_eq!(scenario.run().runs, 300);
        assert_eq!(spec.output, Output::Harm);
        assert!(!spec.tornado);
        assert_eq!(Some(spec.policy), sweep::default_policy(&s));
    }

    #[test]
    fn the_reference_policy_is_not_compared_with_itself() {
        let s = Scenario::built_in();
        let mut t = SensitivitySettings {
            policy: Some(s.run().reference),
            output: Output::NetDiff,
            ..SensitivitySettings::default()
        };
        t.resolve(&s);
        assert_eq!(t.output, Output::Net);
    }

    #[test]
    fn a_scenario_without_uncertainty_is_explained() {
        let s = Scenario::built_in()
            .edited(|d| {
                d.fix_every_input();
            })
            .unwrap();
        let err = SensitivitySettings::default().request(&s, 300).unwrap_err();
        assert!(err.contains("fixed"), "{err}");
    }
}
