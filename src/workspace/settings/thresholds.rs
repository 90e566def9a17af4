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

/// An end of the swept range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Lower,
    Upper,
}

impl Edge {
    /// The end of `sw`'s range `value` is at, if it is one (a grid of at least three points).
    pub fn of(sw: &Sweep, value: f64) -> Option<Edge> {
        match sw.grid_end(value)? {
            "lowest" => Some(Edge::Lower),
            _ => Some(Edge::Upper),
        }
    }

    /// "lower", "upper".
    pub fn word(self) -> &'static str {
        match self {
            Edge::Lower => "lower",
            Edge::Upper => "upper",
        }
    }
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
    /// The caps the user set; `None` until set, when the cap is [`ThresholdSettings::default_cap`]:
    /// the reference policy's tail risk, which stays put while the threshold moves (the
    /// current setting's would make the best threshold follow the slider).
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

    /// Widens the swept range by half its width beyond `edge` (with as many more points, up
    /// to the most a sweep takes), so that a best value at that edge can be bettered or
    /// confirmed. Returns whether there was a range to widen.
    pub fn widen(&mut self, edge: Edge) -> bool {
        let Some(g) = self.grid.as_mut() else { return false };
        let (lo, hi) = if g.from <= g.to { (&mut g.from, &mut g.to) } else { (&mut g.to, &mut g.from) };
        let half = (*hi - *lo) / 2.0;
        match edge {
            Edge::Lower => *lo = crate::workspace::edits::clean(*lo - half),
            Edge::Upper => *hi = crate::workspace::edits::clean(*hi + half),
        }
        g.steps = (g.steps + g.steps / 2).min(sweep::MAX_POINTS);
        true
    }

    /// The cap when the user has set none: the reference policy's tail risk (of the kind
    /// chosen), or no cap when the swept policy is the reference policy (its tail risk moves
    /// with the threshold). Never the current setting's.
    pub fn default_cap(&self, sw: &Sweep) -> Option<f64> {
        sweep::reference_cap(sw).map(|point| match self.cap_kind {
            CapKind::PCatastrophe => point.p_catastrophe,
            CapKind::Cvar95 => point.cvar95_harm,
        })
    }

    /// The cap for `sw`: as set, or else [`ThresholdSettings::default_cap`].
    pub fn constraint(&self, sw: &Sweep) -> Constraint {
        match self.cap_kind {
            CapKind::PCatastrophe => Constraint {
                max_p_catastrophe: self.max_p_catastrophe.or_else(|| self.default_cap(sw)),
                max_cvar95: None,
            },
            CapKind::Cvar95 => {
                Constraint { max_p_catastrophe: None, max_cvar95: self.max_cvar95.or_else(|| self.default_cap(sw)) }
            }
        }
    }

    /// The cap in words, as the tab states it: "Best threshold with P(catastrophe) no higher
    /// than the reference policy's (“Status quo”, 36.0%)".
    pub fn cap_sentence(&self, sw: &Sweep) -> String {
        let (measure, set, show): (&str, Option<f64>, fn(f64) -> String) = match self.cap_kind {
            CapKind::PCatastrophe => ("P(catastrophe)", self.max_p_catastrophe, crate::fmt::probability_percent),
            CapKind::Cvar95 => ("CVaR95 of harm", self.max_cvar95, crate::fmt::money_compact),
        };
        match (set, self.default_cap(sw)) {
            (Some(cap), _) => format!("Best threshold with {measure} at most {} (the cap set here)", show(cap)),
            (None, Some(cap)) => format!(
                "Best threshold with {measure} no higher than the reference policy's (“{}”, {})",
                sw.reference,
                show(cap)
            ),
            (None, None) => format!(
                "Best threshold with no cap on {measure} (the swept policy is the reference policy, whose tail risk \
                 moves with the threshold)"
            ),
        }
    }

    /// The cap the user set, if any (else [`ThresholdSettings::default_cap`] is the cap).
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
    use crate::analysis::sweep::SweepPoint;

    fn sweep_with(current_p: f64, reference_p: f64, values: &[f64]) -> Sweep {
        let point = |p_catastrophe: f64| SweepPoint {
            p_catastrophe,
            cvar95_harm: p_catastrophe * 1e3,
            ..SweepPoint::default()
        };
        Sweep {
            policy: "Global tiered 1e27".into(),
            param: SweepParam::OpenBelow,
            measure: None,
            reference: "Status quo".into(),
            runs: 1,
            seed: 1,
            current_value: 27.0,
            current: point(current_p),
            reference_point: point(reference_p),
            points: values.iter().map(|&value| SweepPoint { value, ..point(0.3) }).collect(),
            robustness: Default::default(),
            per_run: Default::default(),
        }
    }

    #[test]
    fn the_default_cap_does_not_follow_the_threshold() {
        let t = ThresholdSettings::default();
        // The threshold moves: the current setting's P(catastrophe) with it, the cap not.
        let a = sweep_with(0.20, 0.36, &[26.0, 27.0, 28.0]);
        let b = sweep_with(0.45, 0.36, &[26.0, 27.0, 28.0]);
        assert_eq!(t.constraint(&a), t.constraint(&b));
        assert_eq!(t.constraint(&a).max_p_catastrophe, Some(0.36));
        let said = t.cap_sentence(&a);
        assert!(said.contains("no higher than the reference policy's (“Status quo”, 36"), "{said}");
        // Swept policy = reference policy: no cap, said so.
        let mut c = sweep_with(0.2, 0.2, &[26.0, 27.0, 28.0]);
        c.reference = c.policy.clone();
        assert_eq!(t.constraint(&c).max_p_catastrophe, None);
        assert!(t.cap_sentence(&c).contains("no cap"), "{}", t.cap_sentence(&c));
        // A cap set stays as set.
        let set = ThresholdSettings { max_p_catastrophe: Some(0.1), ..ThresholdSettings::default() };
        assert_eq!(set.constraint(&a).max_p_catastrophe, Some(0.1));
        assert!(set.cap_sentence(&a).contains("at most 10"), "{}", set.cap_sentence(&a));
    }

    #[test]
    fn a_best_value_at_an_edge_widens_the_range_that_way() {
        let mut t = ThresholdSettings::default();
        let s = Scenario::built_in();
        t.resolve(&s).unwrap();
        let g = t.grid.unwrap();
        let width = g.to - g.from;
        assert!(t.widen(Edge::Upper));
        let w = t.grid.unwrap();
        assert_eq!(w.from, g.from);
        assert_eq!(w.steps - 1, (g.steps - 1) * 3 / 2, "as many more points: the same spacing");
        assert!((w.to - (g.to + width / 2.0)).abs() < 1e-9, "{w:?}");
        assert!(t.widen(Edge::Lower));
        let w2 = t.grid.unwrap();
        assert!(w2.from < g.from && w2.to == w.to);
        assert_eq!(w2.from, crate::workspace::edits::clean(w2.from), "no float noise");
    }

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
