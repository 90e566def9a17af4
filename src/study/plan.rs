//! What a study runs: the main simulation and the analyses a command or a view needs, with
//! their run counts (capped where an analysis would take too long, said in a note), built
//! from the scenario before anything is simulated.

use serde::{Deserialize, Serialize};

use crate::analysis::decision::DecisionSpec;
use crate::analysis::discovery::{DiscoverySpec, OutcomeEvent, PrimOptions};
use crate::analysis::sensitivity::{Output, SensitivitySpec};
use crate::analysis::sweep::{
    Constraint, DEFAULT_HEATMAP_PARAM, DEFAULT_HEATMAP_STEPS, DEFAULT_HEATMAP_STEPS2, DEFAULT_STEPS, SweepParam,
    SweepSpec, WorldAxis, check_grid, default_grid, default_policy, default_world_range, grid,
};
use crate::fmt;
use crate::model::Scenario;
use crate::model::params::PARAMS;

use super::error::StudyError;

/// Most runs per grid point of the default threshold sweep. A sweep keeps every point's
/// per-run outcomes for the best-threshold bootstrap, so memory grows with runs x points.
pub const SWEEP_RUNS_CAP: u64 = 50_000;
/// Most runs per cell of the default 2-D sweep: one simulation of every grid point per value
/// of the world parameter.
pub const SWEEP_2D_RUNS_CAP: u64 = 10_000;
/// Most runs of the default sensitivity analysis: its tornado simulates everything
/// `1 + 2 x (uncertain parameters)` times.
pub const SENSITIVITY_RUNS_CAP: u64 = 10_000;
/// Most paired worlds of the default decision support (PRIM's boxes and EVPPI's bins are
/// stable well before this, and the report should not wait on them).
pub const DECISION_RUNS_CAP: u64 = 10_000;

/// The parts of a study, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Part {
    Simulation,
    Sweep,
    Sweep2d,
    Sensitivity,
    Decision,
}

impl Part {
    /// What a progress bar says while the part runs.
    pub fn label(self) -> &'static str {
        match self {
            Part::Simulation => "simulating",
            Part::Sweep => "threshold sweep",
            Part::Sweep2d => "2-D sweep",
            Part::Sensitivity => "sensitivity",
            Part::Decision => "decision support",
        }
    }
}

/// A sentence for the report about one part of the study: an analysis left out or capped,
/// and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudyNote {
    pub part: Part,
    pub text: String,
}

/// How the best threshold is chosen among the sweep's grid points.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cap {
    /// The highest expected net among points whose P(catastrophe) is no higher than the
    /// reference policy's (no cap when the swept policy is the reference policy):
    /// `analysis::sweep::reference_cap`, the app's default too. Not the policy's own as it
    /// stands, which would make the answer follow the setting it is meant to judge.
    ReferencePolicy,
    /// Caps given by the user.
    Given(Constraint),
}

/// A threshold sweep to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPlan {
    pub spec: SweepSpec,
    /// Runs per grid point.
    pub runs: u64,
    /// The cap the best threshold is chosen under (`None`: no best threshold).
    pub best: Option<Cap>,
}

/// A 2-D sweep to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sweep2dPlan {
    pub spec: SweepSpec,
    pub axis: WorldAxis,
    /// Runs per cell.
    pub runs: u64,
}

/// A sensitivity analysis to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivityPlan {
    pub spec: SensitivitySpec,
    pub runs: u64,
}

/// Decision support to run: scenario discovery, regret and the value of information on one
/// set of paired worlds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionPlan {
    pub spec: DecisionSpec,
    /// Paired worlds simulated.
    pub runs: u64,
}

/// What a study runs: the main simulation (every run of the scenario, its summaries and
/// series) and which analyses besides it, and what the report says about those it leaves
/// out or caps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StudyPlan {
    /// Whether the scenario itself is simulated (a command that only sweeps does not).
    pub main_simulation: bool,
    pub sweep: Option<SweepPlan>,
    pub sweep_2d: Option<Sweep2dPlan>,
    pub sensitivity: Option<SensitivityPlan>,
    pub decision: Option<DecisionPlan>,
    pub notes: Vec<StudyNote>,
}

/// What the report says in the sweep's and the heat map's sections when there is no threshold.
fn no_sweep_notes(why: &str) -> [StudyNote; 2] {
    [
        StudyNote { part: Part::Sweep, text: format!("{why}: no threshold curves or frontier.") },
        StudyNote { part: Part::Sweep2d, text: format!("{why}: no heat map.") },
    ]
}

fn policy_name(scenario: &Scenario, policy: usize) -> &str {
    scenario.policies().get(policy).map_or("?", |p| p.name.as_str())
}

impl StudyPlan {
    /// The simulation alone, no analyses.
    pub fn simulation_only() -> StudyPlan {
        StudyPlan { main_simulation: true, ..StudyPlan::default() }
    }

    /// The default plan: the analyses of [`StudyPlan::for_policy`] for [`default_policy`];
    /// without a tiered policy, no sweeps, and the sensitivity of the first policy other
    /// than the baseline (or of the baseline's harm when it is the only policy).
    pub fn default_for(scenario: &Scenario) -> StudyPlan {
        match default_policy(scenario) {
            Some(p) => StudyPlan::for_policy(scenario, p),
            None => {
                let other = (0..scenario.policies().len()).find(|&i| i != scenario.run().reference);
                let mut plan = StudyPlan::for_policy(scenario, other.unwrap_or(scenario.run().reference));
                plan.notes.retain(|n| matches!(n.part, Part::Sensitivity | Part::Decision));
                let why = "No policy of the scenario has a tiered regime, so there is no threshold to sweep";
                plan.notes.splice(0..0, no_sweep_notes(why));
                plan
            }
        }
    }

    /// The analyses of one policy: if it has a tiered regime, a sweep of `open_below` over
    /// its current value ± [`DEFAULT_THRESHOLD_HALF_SPAN`] in [`DEFAULT_STEPS`] points with the best
    /// threshold under [`Cap::ReferencePolicy`], and a [`DEFAULT_HEATMAP_STEPS`] x [`DEFAULT_HEATMAP_STEPS2`]
    /// sweep of the same range against [`DEFAULT_HEATMAP_PARAM`]; and a sensitivity analysis with a
    /// tornado of its net difference to the baseline (of its harm when it is the baseline).
    /// Runs: the scenario's, capped at [`SWEEP_RUNS_CAP`], [`SWEEP_2D_RUNS_CAP`] and
    /// [`SENSITIVITY_RUNS_CAP`]; a cap that binds is stated in the notes.
    pub fn for_policy(scenario: &Scenario, policy: usize) -> StudyPlan {
        let runs = scenario.run().runs;
        let name = policy_name(scenario, policy).to_string();
        let mut plan = StudyPlan::simulation_only();
        let capped = |plan: &mut StudyPlan, part: Part, cap: u64, what: &str| {
            if runs > cap {
                let text = format!(
                    "The {what} uses {} runs, not the scenario's {}, to keep the report quick.",
                    fmt::count(cap),
                    fmt::count(runs)
                );
                plan.notes.push(StudyNote { part, text });
            }
            runs.min(cap)
        };
        let nj = scenario.jurisdictions().len();
        match scenario.policies().get(policy).and_then(|p| SweepParam::OpenBelow.current(p, nj)) {
            Some(current) => {
                let (from, to) = default_grid(SweepParam::OpenBelow, current);
                let spec = SweepSpec { policy, param: SweepParam::OpenBelow, values: grid(from, to, DEFAULT_STEPS) };
                let sweep_runs = capped(&mut plan, Part::Sweep, SWEEP_RUNS_CAP, "threshold sweep");
                plan.sweep = Some(SweepPlan { spec: spec.clone(), runs: sweep_runs, best: Some(Cap::ReferencePolicy) });
                match default_world_range(scenario, DEFAULT_HEATMAP_PARAM as usize) {
                    Some((lo, hi)) => {
                        let axis = WorldAxis {
                            param: DEFAULT_HEATMAP_PARAM as usize,
                            values: grid(lo, hi, DEFAULT_HEATMAP_STEPS2),
                        };
                        let spec2 = SweepSpec { values: grid(from, to, DEFAULT_HEATMAP_STEPS), ..spec };
                        let runs2 = capped(&mut plan, Part::Sweep2d, SWEEP_2D_RUNS_CAP, "2-D sweep");
                        plan.sweep_2d = Some(Sweep2dPlan { spec: spec2, axis, runs: runs2 });
                    }
                    None => plan.notes.push(StudyNote {
                        part: Part::Sweep2d,
                        text: format!(
                            "world.{} leaves no range to sweep: no heat map.",
                            PARAMS[DEFAULT_HEATMAP_PARAM as usize].key
                        ),
                    }),
                }
            }
            None => plan.notes.extend(no_sweep_notes(&format!(
                "Policy \"{name}\" has no tiered regime, so there is no threshold to sweep"
            ))),
        }
        if scenario.uncertain_params().is_empty() {
            plan.notes.push(StudyNote {
                part: Part::Sensitivity,
                text: "Every world parameter is fixed in this scenario: no sensitivity analysis.".into(),
            });
        } else {
            let output = if policy == scenario.run().reference { Output::Harm } else { Output::NetDiff };
            let runs = capped(&mut plan, Part::Sensitivity, SENSITIVITY_RUNS_CAP, "sensitivity analysis");
            plan.sensitivity = Some(SensitivityPlan { spec: SensitivitySpec::new(policy, output), runs });
        }
        if scenario.uncertain_params().is_empty() || scenario.policies().len() < 2 {
            plan.notes.push(StudyNote {
                part: Part::Decision,
                text: "Scenario discovery, regret and the value of information need uncertain world parameters and \
                       at least two policies: not run."
                    .into(),
            });
        } else {
            // The analysed policy's failure is netting less than the baseline; the baseline's own
            // is a catastrophe. A floor of zero net: worlds where the policy does net good.
            let event = if policy == scenario.run().reference {
                OutcomeEvent::Catastrophe
            } else {
                OutcomeEvent::NetBelowPolicy { against: scenario.run().reference }
            };
            let spec = DecisionSpec {
                discovery: DiscoverySpec { policy, event, chosen: None, prim: PrimOptions::default() },
                floor: Some(0.0),
            };
            let runs = capped(&mut plan, Part::Decision, DECISION_RUNS_CAP, "decision support");
            plan.decision = Some(DecisionPlan { spec, runs });
        }
        plan
    }

    /// Sweeps `param` over `from..=to` in `steps` points instead of the default grid; the
    /// 2-D sweep takes the same range with at most [`DEFAULT_HEATMAP_STEPS`] points.
    ///
    /// # Errors
    /// No sweep is planned (the policy has no tiered regime), or the grid is not one
    /// `tierlab sweep` accepts.
    pub fn set_grid(&mut self, param: SweepParam, from: f64, to: f64, steps: usize) -> Result<(), StudyError> {
        check_grid("--from/--to/--steps", from, to, steps).map_err(StudyError::Invalid)?;
        let Some(sweep) = self.sweep.as_mut() else {
            return Err(StudyError::Invalid("the analysed policy has no tiered regime to sweep".into()));
        };
        sweep.spec.param = param;
        sweep.spec.values = grid(from, to, steps);
        if let Some(s2) = self.sweep_2d.as_mut() {
            s2.spec.param = param;
            s2.spec.values = grid(from, to, steps.min(DEFAULT_HEATMAP_STEPS));
        }
        Ok(())
    }

    /// Keeps only the analyses among `parts` (and the notes about them); the main
    /// simulation stays.
    pub fn only(mut self, parts: &[Part]) -> StudyPlan {
        let needs = |p: Part| parts.contains(&p);
        if !needs(Part::Sweep) {
            self.sweep = None;
        }
        if !needs(Part::Sweep2d) {
            self.sweep_2d = None;
        }
        if !needs(Part::Sensitivity) {
            self.sensitivity = None;
        }
        if !needs(Part::Decision) {
            self.decision = None;
        }
        self.notes.retain(|n| n.part == Part::Simulation || needs(n.part));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::P;

    #[test]
    fn default_plan_of_the_baseline() {
        let s = Scenario::built_in();
        let plan = StudyPlan::default_for(&s);
        let sweep = plan.sweep.as_ref().unwrap();
        assert_eq!(policy_name(&s, sweep.spec.policy), "Global tiered 1e27");
        assert_eq!(sweep.spec.values.len(), DEFAULT_STEPS);
        assert_eq!((sweep.spec.values[0], sweep.spec.values[DEFAULT_STEPS - 1]), (25.0, 29.0));
        assert!(sweep.spec.values.contains(&27.0), "the current value is on the grid");
        assert_eq!(sweep.runs, 10_000);
        let s2 = plan.sweep_2d.as_ref().unwrap();
        assert_eq!((s2.spec.values.len(), s2.axis.values.len()), (DEFAULT_HEATMAP_STEPS, DEFAULT_HEATMAP_STEPS2));
        assert_eq!(s2.axis.param, P::hazard_threshold as usize);
        // The central 90% of PERT(26.5, 27.5, 29), rounded outward.
        let (lo, hi) = (s2.axis.values[0], s2.axis.values[DEFAULT_HEATMAP_STEPS2 - 1]);
        assert!(lo > 26.5 && lo < 27.0 && hi > 28.2 && hi < 29.0, "{lo}..{hi}");
        let sens = plan.sensitivity.as_ref().unwrap();
        assert_eq!(sens.spec.output, Output::NetDiff);
        let dec = plan.decision.as_ref().unwrap();
        assert_eq!(dec.spec.discovery.policy, sweep.spec.policy, "the decision support explains the analysed policy");
        assert_eq!(dec.spec.discovery.event, OutcomeEvent::NetBelowPolicy { against: s.run().reference });
        assert_eq!((dec.runs, dec.spec.floor), (10_000, Some(0.0)));
        assert!(plan.notes.is_empty(), "nothing capped at 10,000 runs: {:?}", plan.notes);

        let big = s.clone().with_runs(1_000_000).unwrap();
        let plan = StudyPlan::default_for(&big);
        assert_eq!(plan.sweep.as_ref().unwrap().runs, SWEEP_RUNS_CAP);
        assert_eq!(plan.sweep_2d.as_ref().unwrap().runs, SWEEP_2D_RUNS_CAP);
        assert_eq!(plan.sensitivity.as_ref().unwrap().runs, SENSITIVITY_RUNS_CAP);
        assert_eq!(plan.decision.as_ref().unwrap().runs, DECISION_RUNS_CAP);
        assert_eq!(plan.notes.len(), 4, "each cap is stated");
        assert!(plan.notes[0].text.contains("50,000") && plan.notes[0].text.contains("1,000,000"));
    }

    #[test]
    fn plans_without_a_tiered_policy_or_uncertainty() {
        let s = Scenario::built_in()
            .edited(|d| {
                d.policies.retain(|p| !p.name.contains("tiered"));
                // Today's practice holds the EU's AI Act line as a tiered override: off too.
                for p in &mut d.policies {
                    p.overrides.retain(|(_, r)| !r.is_tiered());
                }
            })
            .unwrap();
        let plan = StudyPlan::default_for(&s);
        assert!(plan.sweep.is_none() && plan.sweep_2d.is_none());
        assert!(
            plan.notes
                .iter()
                .any(|n| n.part == Part::Sweep && n.text.starts_with("No policy of the scenario has a tiered regime"))
        );
        assert_eq!(policy_name(&s, plan.sensitivity.as_ref().unwrap().spec.policy), "Global closed");

        // The baseline alone: its harm, and no policies to compare.
        let s = s
            .edited(|d| {
                d.policies.truncate(1);
            })
            .unwrap();
        let plan = StudyPlan::default_for(&s);
        assert_eq!(plan.sensitivity.as_ref().unwrap().spec.output, Output::Harm);
        assert!(plan.decision.is_none() && plan.notes.iter().any(|n| n.part == Part::Decision));

        let fixed = Scenario::built_in()
            .edited(|d| {
                d.fix_every_input();
            })
            .unwrap();
        let plan = StudyPlan::default_for(&fixed);
        assert!(plan.sensitivity.is_none());
        assert!(plan.notes.iter().any(|n| n.part == Part::Sensitivity));
        // A fixed hazard threshold: an order of magnitude either side.
        let s2 = plan.sweep_2d.as_ref().unwrap();
        assert_eq!((s2.axis.values[0], s2.axis.values[DEFAULT_HEATMAP_STEPS2 - 1]), (26.5, 28.5));
    }

    #[test]
    fn only_keeps_the_parts_asked_for() {
        let s = Scenario::built_in();
        let plan = StudyPlan::default_for(&s).only(&[Part::Sensitivity]);
        assert!(plan.sweep.is_none() && plan.sweep_2d.is_none() && plan.sensitivity.is_some());
        let plan = StudyPlan::default_for(&s).only(&[Part::Sweep]);
        assert!(plan.sweep.is_some() && plan.sweep_2d.is_none() && plan.sensitivity.is_none());
        assert!(plan.decision.is_none());
        let plan = StudyPlan::default_for(&s).only(&[Part::Decision]);
        assert!(plan.decision.is_some() && plan.sweep.is_none() && plan.sensitivity.is_none());
        assert_eq!(StudyPlan::default_for(&s).only(&[]), StudyPlan::simulation_only());
    }

    #[test]
    fn set_grid_checks_like_tierlab_sweep() {
        let s = Scenario::built_in();
        let mut plan = StudyPlan::default_for(&s);
        plan.set_grid(SweepParam::Drift, 0.0, 0.5, 6).unwrap();
        let sweep = plan.sweep.as_ref().unwrap();
        assert_eq!((sweep.spec.param, sweep.spec.values.len()), (SweepParam::Drift, 6));
        assert_eq!(plan.sweep_2d.as_ref().unwrap().spec.values.len(), 6);
        assert!(plan.set_grid(SweepParam::OpenBelow, 24.0, 30.0, 1).unwrap_err().is_invalid_input());
        // A tightening threshold (negative drift) is a valid regime: its grid is too.
        plan.set_grid(SweepParam::Drift, -0.1, 0.3, 5).unwrap();
        assert_eq!(plan.sweep.as_ref().unwrap().spec.values[0], -0.1);
        let mut none = StudyPlan::simulation_only();
        assert!(none.set_grid(SweepParam::OpenBelow, 24.0, 30.0, 5).is_err());
    }
}
