//! The Thresholds tab's settings and the analyses they ask for.

use std::sync::Arc;

use crate::analysis::sweep::{self, Constraint, Sweep, SweepParam, SweepSpec, WorldAxis};
use crate::model::{PARAMS, Scenario};
use crate::workspace::analyses::Request;

/// Runs per grid point unless the user asks for another count: enough for a P(catastrophe)
/// to within about one percentage point, and a 25-point sweep of the built-in scenario in a blink.
pub const DEFAULT_RUNS: u64 = 10_000;

/// A grid of `steps` values from `from` to `to`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    pub from: f64,
    pub to: f64,
    pub steps: usize,
}

impl Grid {
    pub fn values(&self) -> Vec<f64> {
        sweep::grid(self.from, self.to, self.steps)
    }
}

/// Which tail-risk measure the best threshold is capped on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapKind {
    PCatastrophe,
    Cvar95,
}

/// The Thresholds tab's choices (kept while the app runs, reset with a new scenario).
#[derive(Clone, Debug)]
pub struct ThresholdSettings {
    /// The swept policy; `None` until chosen (then [`sweep::default_policy`]).
    pub policy: Option<usize>,
    pub param: SweepParam,
    /// `None` until centred on the policy's current value.
    pub grid: Option<Grid>,
    /// The (policy, parameter) the grid was centred for: another choice re-centres it.
    grid_for: Option<(usize, SweepParam)>,
    pub runs: u64,
    pub cap_kind: CapKind,
    /// The caps; `None` until set, when they start at the current setting's value: the best
    /// threshold then answers "what gains the most without adding tail risk?".
    pub max_p_catastrophe: Option<f64>,
    pub max_cvar95: Option<f64>,
    pub heatmap: bool,
    pub world_param: usize,
    pub world_grid: Option<Grid>,
    world_grid_for: Option<usize>,
}

impl Default for ThresholdSettings {
    fn default() -> Self {
        ThresholdSettings {
            policy: None,
            param: SweepParam::OpenBelow,
            grid: None,
            grid_for: None,
            runs: DEFAULT_RUNS,
            cap_kind: CapKind::PCatastrophe,
            max_p_catastrophe: None,
            max_cvar95: None,
            heatmap: true,
            world_param: sweep::DEFAULT_HEATMAP_PARAM as usize,
            world_grid: None,
            world_grid_for: None,
        }
    }
}

/// The requests of the tab: the sweep and the heat map's 2-D sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct ThresholdRequests {
    pub sweep: Request,
    pub heatmap: Option<Request>,
}

impl ThresholdSettings {
    /// Fills in what is not chosen yet from `scenario` and mends choices an edit made
    /// invalid (a removed policy, one no longer tiered); returns the swept policy.
    ///
    /// # Errors
    /// A sentence for the tab when no policy has a tiered regime.
    pub fn resolve(&mut self, scenario: &Scenario) -> Result<usize, String> {
        let nj = scenario.jurisdictions().len();
        let tiered = |i: usize| scenario.policies().get(i).and_then(|p| self.param.current(p, nj));
        let policy = match self.policy.filter(|&i| tiered(i).is_some()) {
            Some(i) => i,
            None => sweep::default_policy(scenario).ok_or_else(|| {
                "No policy has a tiered regime, so there is no threshold to sweep: give a policy a tiered regime \
                 in the scenario panel (or add a policy, which starts tiered)."
                    .to_string()
            })?,
        };
        self.policy = Some(policy);
        if self.grid.is_none() || self.grid_for != Some((policy, self.param)) {
            let current = tiered(policy).unwrap_or(27.0);
            let (from, to) = sweep::default_grid(self.param, current);
            self.grid = Some(Grid { from, to, steps: sweep::DEFAULT_STEPS });
            self.grid_for = Some((policy, self.param));
        }
        if self.world_param >= PARAMS.len() {
            self.world_param = 0;
        }
        if self.world_grid.is_none() || self.world_grid_for != Some(self.world_param) {
            // A parameter fixed at a value with no room around it has no axis: no heat map.
            self.world_grid = sweep::default_world_range(scenario, self.world_param).map(|(from, to)| Grid {
                from,
                to,
                steps: sweep::DEFAULT_HEATMAP_STEPS2,
            });
            self.world_grid_for = Some(self.world_param);
        }
        Ok(policy)
    }

    /// The analyses the tab shows for `scenario`, at most `max_runs` runs per point.
    ///
    /// # Errors
    /// As [`ThresholdSettings::resolve`].
    pub fn requests(&mut self, scenario: &Scenario, max_runs: u64) -> Result<ThresholdRequests, String> {
        let policy = self.resolve(scenario)?;
        let grid = self.grid.unwrap_or(Grid { from: 26.0, to: 28.0, steps: sweep::DEFAULT_STEPS });
        let s = scenario.clone().with_runs(self.runs.clamp(1, max_runs.max(1))).map_err(|e| e.to_string())?;
        let scenario = Arc::new(s);
        let spec = SweepSpec { policy, param: self.param, values: grid.values() };
        let heatmap = match (self.heatmap, self.world_grid) {
            (true, Some(w)) => Some(Request::Heatmap {
                scenario: Arc::clone(&scenario),
                spec: SweepSpec {
                    values: sweep::grid(grid.from, grid.to, sweep::DEFAULT_HEATMAP_STEPS.min(grid.steps)),
                    ..spec.clone()
                },
                axis: WorldAxis { param: self.world_param, values: w.values() },
            }),
            _ => None,
        };
        Ok(ThresholdRequests { sweep: Request::Sweep { scenario, spec }, heatmap })
    }

    /// The cap for `sw`: as set, or the current setting's tail risk.
    pub fn constraint(&self, sw: &Sweep) -> Constraint {
        match self.cap_kind {
            CapKind::PCatastrophe => Constraint {
                max_p_catastrophe: Some(self.max_p_catastrophe.unwrap_or(sw.current.p_catastrophe)),
                max_cvar95: None,
            },
            CapKind::Cvar95 => Constraint {
                max_p_catastrophe: None,
                max_cvar95: Some(self.max_cvar95.unwrap_or(sw.current.cvar95_harm)),
            },
        }
    }

    /// The cap the user set, if any (else the current setting's tail risk is the cap).
    pub fn cap_set(&self) -> Option<Constraint> {
        match self.cap_kind {
            CapKind::PCatastrophe => {
                self.max_p_catastrophe.map(|c| Constraint { max_p_catastrophe: Some(c), max_cvar95: None })
            }
            CapKind::Cvar95 => self.max_cvar95.map(|c| Constraint { max_p_catastrophe: None, max_cvar95: Some(c) }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_resolve_to_the_first_tiered_policy_and_centre_the_grid() {
        let s = Scenario::built_in();
        let mut t = ThresholdSettings::default();
        let r = t.requests(&s, 500).unwrap();
        let Request::Sweep { scenario, spec } = &r.sweep else { panic!("a sweep") };
        assert_eq!(scenario.run().runs, 500, "runs are capped");
        assert_eq!(Some(spec.policy), sweep::default_policy(&s));
        let current = SweepParam::OpenBelow.current(&s.policies()[spec.policy], s.jurisdictions().len()).unwrap();
        assert_eq!(spec.values.len(), sweep::DEFAULT_STEPS);
        assert!((spec.values[sweep::DEFAULT_STEPS / 2] - current).abs() < 1e-9, "centred on the current value");
        let Some(Request::Heatmap { axis, spec: hs, .. }) = &r.heatmap else { panic!("a heat map") };
        assert_eq!(axis.param, sweep::DEFAULT_HEATMAP_PARAM as usize);
        assert_eq!(axis.values.len(), sweep::DEFAULT_HEATMAP_STEPS2);
        assert_eq!(hs.values.len(), sweep::DEFAULT_HEATMAP_STEPS);
        // Same settings and scenario: the same requests (the app starts nothing new).
        assert_eq!(t.requests(&s, 500).unwrap(), r);
    }

    #[test]
    fn a_removed_policy_falls_back_and_no_tiered_policy_is_explained() {
        let s = Scenario::built_in();
        let mut t = ThresholdSettings { policy: Some(99), ..ThresholdSettings::default() };
        assert_eq!(t.resolve(&s), Ok(sweep::default_policy(&s).unwrap()));
        let s = s
            .edited(|d| {
                for p in &mut d.policies {
                    p.default = crate::model::Regime::Closed;
                    p.overrides.clear();
                }
            })
            .unwrap();
        let err = t.resolve(&s).unwrap_err();
        assert!(err.contains("tiered"), "{err}");
    }
}
