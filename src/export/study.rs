//! A study: everything a report shows, computed in one call that an app can run on a
//! background thread. The scenario is simulated for the figures (every run, with per-step
//! series and per-jurisdiction results), and then, as a [`StudyPlan`] says, a threshold
//! sweep of one policy, a 2-D sweep of that threshold against a world parameter, and a
//! sensitivity analysis with a tornado.
//!
//! # Progress
//! One [`Control`] serves the whole study. Every stage adds the runs it simulates to the same
//! `Control::runs_done` counter (a 2-D sweep counts each value of its world parameter, a
//! sensitivity analysis each of its `1 + 2k` simulations), so the counter only grows and
//! ends at [`StudyPlan::progress_total`]. A run costs very different time in each stage (a
//! sweep run simulates every grid point), so [`progress_at`] turns the counter into the
//! stage under way and a fraction of the whole study weighted by policy-runs, which tracks
//! time far better than the raw count. Cancelling the `Control` stops the stage under way
//! within a batch of runs and the study returns [`StudyError::Cancelled`].

use std::time::Instant;

use crate::analysis::decision::{Decision, DecisionSpec, decide};
use crate::analysis::discovery::{DiscoveryError, DiscoverySpec, OutcomeEvent, PrimOptions};
use crate::analysis::sensitivity::{self, Output, Sensitivity, SensitivityError, SensitivityOptions, SensitivitySpec};
use crate::analysis::summary::JurisdictionSummary;
use crate::analysis::sweep::{
    self, BestThreshold, BootstrapOptions, Constraint, DEFAULT_BOOTSTRAP, DEFAULT_HEATMAP_PARAM, DEFAULT_HEATMAP_STEPS,
    DEFAULT_HEATMAP_STEPS2, DEFAULT_STEPS, Sweep, Sweep2d, SweepError, SweepOptions, SweepParam, SweepSpec, WorldAxis,
    best_threshold, check_grid, default_grid, default_policy, default_world_range, grid,
};
use crate::analysis::worlds::simulate_worlds;
use crate::analysis::{SeriesSummary, Summary, summarise, summarise_series};
use crate::export::data::Provenance;
use crate::export::figures::{FigureInput, FigureKind, Requirement};
use crate::model::Scenario;
use crate::model::params::PARAMS;
use crate::sim::{Control, CorrelatedDraws, Engine, Record, Results, SimError, SimOptions, simulate_range};

/// Runs held in memory at once; larger simulations stream chunk by chunk.
pub const CHUNK_RUNS: u64 = 65_536;

/// Per-step series (fan charts, series.csv) use at most this many runs: the percentiles'
/// Monte Carlo error at 20,000 runs is far below what a fan chart can show.
pub const SERIES_RUNS_CAP: u64 = 20_000;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StudyNote {
    pub part: Part,
    pub text: String,
}

/// How the best threshold is chosen among the sweep's grid points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cap {
    /// The highest expected net among points whose P(catastrophe) is no higher than the
    /// policy's as it stands: a threshold that buys benefit without adding catastrophe risk.
    AsItStands,
    /// Caps given by the user.
    Given(Constraint),
}

/// A threshold sweep to run.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPlan {
    pub spec: SweepSpec,
    /// Runs per grid point.
    pub runs: u64,
    pub cap: Cap,
}

/// A 2-D sweep to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep2dPlan {
    pub spec: SweepSpec,
    pub axis: WorldAxis,
    /// Runs per cell.
    pub runs: u64,
}

/// A sensitivity analysis to run.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityPlan {
    pub spec: SensitivitySpec,
    pub runs: u64,
}

/// Decision support to run: scenario discovery, regret and the value of information on one
/// set of paired worlds.
#[derive(Clone, Debug, PartialEq)]
pub struct DecisionPlan {
    pub spec: DecisionSpec,
    /// Paired worlds simulated.
    pub runs: u64,
}

/// Which analyses a study runs besides the simulation, and what the report says about
/// those it leaves out or caps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StudyPlan {
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
        StudyPlan::default()
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
    /// threshold under [`Cap::AsItStands`], and a [`DEFAULT_HEATMAP_STEPS`] x [`DEFAULT_HEATMAP_STEPS2`]
    /// sweep of the same range against [`DEFAULT_HEATMAP_PARAM`]; and a sensitivity analysis with a
    /// tornado of its net difference to the baseline (of its harm when it is the baseline).
    /// Runs: the scenario's, capped at [`SWEEP_RUNS_CAP`], [`SWEEP_2D_RUNS_CAP`] and
    /// [`SENSITIVITY_RUNS_CAP`]; a cap that binds is stated in the notes.
    pub fn for_policy(scenario: &Scenario, policy: usize) -> StudyPlan {
        let runs = scenario.run().runs;
        let name = policy_name(scenario, policy).to_string();
        let mut plan = StudyPlan::default();
        let capped = |plan: &mut StudyPlan, part: Part, cap: u64, what: &str| {
            if runs > cap {
                let text = format!(
                    "The {what} uses {} runs, not the scenario's {}, to keep the report quick.",
                    thousands(cap),
                    thousands(runs)
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
                plan.sweep = Some(SweepPlan { spec: spec.clone(), runs: sweep_runs, cap: Cap::AsItStands });
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

    /// Keeps only the analyses the figures `kinds` need (and the notes about them).
    pub fn only(mut self, kinds: &[FigureKind]) -> StudyPlan {
        let needs = |r: Requirement| kinds.iter().any(|k| k.requirement() == r);
        if !needs(Requirement::Sweep) {
            self.sweep = None;
        }
        if !needs(Requirement::Sweep2d) {
            self.sweep_2d = None;
        }
        if !needs(Requirement::Sensitivity) {
            self.sensitivity = None;
        }
        if !needs(Requirement::Decision) {
            self.decision = None;
        }
        let keep = [
            (Part::Sweep, needs(Requirement::Sweep)),
            (Part::Sweep2d, needs(Requirement::Sweep2d)),
            (Part::Sensitivity, needs(Requirement::Sensitivity)),
            (Part::Decision, needs(Requirement::Decision)),
        ];
        self.notes.retain(|n| keep.iter().any(|&(p, k)| p == n.part && k));
        self
    }

    /// The stages a study of `scenario` runs through, in order.
    pub fn stages(&self, scenario: &Scenario) -> Vec<Stage> {
        let mut stages = vec![Stage {
            part: Part::Simulation,
            runs: scenario.run().runs,
            work: scenario.run().runs * scenario.policies().len() as u64,
        }];
        // A sweep simulates every grid point, the policy as it stands and the baseline.
        if let Some(p) = &self.sweep {
            let runs = p.runs;
            stages.push(Stage { part: Part::Sweep, runs, work: runs * (p.spec.values.len() as u64 + 2) });
        }
        if let Some(p) = &self.sweep_2d {
            let runs = p.runs * p.axis.values.len() as u64;
            stages.push(Stage { part: Part::Sweep2d, runs, work: runs * (p.spec.values.len() as u64 + 2) });
        }
        if let Some(p) = &self.sensitivity {
            let s = scenario.clone().with_runs(p.runs).unwrap_or_else(|_| scenario.clone());
            let runs = sensitivity::progress_total(&s, &p.spec);
            let policies =
                if p.spec.output == Output::NetDiff && p.spec.policy != scenario.run().reference { 2 } else { 1 };
            stages.push(Stage { part: Part::Sensitivity, runs, work: runs * policies });
        }
        if let Some(p) = &self.decision {
            let work = p.runs * scenario.policies().len() as u64;
            stages.push(Stage { part: Part::Decision, runs: p.runs, work });
        }
        stages
    }

    /// The count `Control::runs_done` reaches when a study of `scenario` finishes.
    pub fn progress_total(&self, scenario: &Scenario) -> u64 {
        self.stages(scenario).iter().map(|s| s.runs).sum()
    }
}

/// One stage of a study, for progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stage {
    pub part: Part,
    /// What the stage adds to `Control::runs_done`.
    pub runs: u64,
    /// Policy-runs it simulates: its weight in the overall fraction.
    pub work: u64,
}

/// Where a study stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StudyProgress {
    /// The stage under way (the last one once everything is done) and its position.
    pub part: Part,
    pub stage: usize,
    pub stages: usize,
    /// Share of this stage done, in [0, 1].
    pub stage_fraction: f64,
    /// Share of the whole study done, weighted by each stage's work, in [0, 1]; never
    /// decreases while `runs_done` grows.
    pub fraction: f64,
}

/// Maps `Control::runs_done` of a study with `stages` to the stage under way and the share
/// of the work done.
pub fn progress_at(stages: &[Stage], runs_done: u64) -> StudyProgress {
    let total_work: u64 = stages.iter().map(|s| s.work).sum();
    let mut runs_before = 0u64;
    let mut work_before = 0u64;
    for (i, s) in stages.iter().enumerate() {
        let last = i + 1 == stages.len();
        if runs_done < runs_before + s.runs || last {
            let stage_fraction = if s.runs == 0 {
                1.0
            } else {
                ((runs_done - runs_before.min(runs_done)) as f64 / s.runs as f64).min(1.0)
            };
            let done = work_before as f64 + stage_fraction * s.work as f64;
            let fraction = if total_work == 0 { 1.0 } else { (done / total_work as f64).clamp(0.0, 1.0) };
            return StudyProgress { part: s.part, stage: i, stages: stages.len(), stage_fraction, fraction };
        }
        runs_before += s.runs;
        work_before += s.work;
    }
    StudyProgress { part: Part::Simulation, stage: 0, stages: 0, stage_fraction: 1.0, fraction: 1.0 }
}

/// Why a study could not be made.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    #[error("the study was cancelled")]
    Cancelled,
    #[error("could not start {threads} worker threads: {reason}")]
    Threads { threads: usize, reason: String },
    /// A plan that cannot be run, with a message saying what is allowed.
    #[error("{0}")]
    Invalid(String),
    #[error("threshold sweep: {0}")]
    Sweep(SweepError),
    #[error("2-D sweep: {0}")]
    Sweep2d(SweepError),
    #[error("sensitivity analysis: {0}")]
    Sensitivity(SensitivityError),
    #[error("decision support: {0}")]
    Decision(DiscoveryError),
}

impl StudyError {
    /// Whether the error is the caller's input (as opposed to cancellation or threads).
    pub fn is_invalid_input(&self) -> bool {
        match self {
            StudyError::Invalid(_) => true,
            StudyError::Sweep(e) | StudyError::Sweep2d(e) => e.is_invalid_input(),
            StudyError::Sensitivity(e) => e.is_invalid_input(),
            StudyError::Decision(_) => true,
            StudyError::Cancelled | StudyError::Threads { .. } => false,
        }
    }
}

impl From<SimError> for StudyError {
    fn from(e: SimError) -> Self {
        match e {
            SimError::Cancelled => StudyError::Cancelled,
            SimError::Threads { threads, reason } => StudyError::Threads { threads, reason },
            SimError::Mismatch(m) => StudyError::Invalid(m),
        }
    }
}

fn sweep_error(e: SweepError, wrap: fn(SweepError) -> StudyError) -> StudyError {
    match e {
        SweepError::Sim(s) => s.into(),
        e => wrap(e),
    }
}

/// Everything a report is drawn from.
#[derive(Clone, Debug)]
pub struct Study {
    pub results: Results,
    pub summary: Summary,
    pub series: Option<SeriesSummary>,
    pub provenance: Provenance,
    /// The scenario file's text the provenance hashes; a report writes it beside itself.
    pub scenario_text: String,
    pub sweep: Option<Sweep>,
    /// The best threshold of `sweep` under the plan's cap.
    pub best_threshold: Option<BestThreshold>,
    pub sweep_2d: Option<Sweep2d>,
    pub sensitivity: Option<Sensitivity>,
    pub decision: Option<Decision>,
    /// What the report says about analyses left out or capped.
    pub notes: Vec<StudyNote>,
}

impl Study {
    /// The figure input of the study, analyses attached.
    pub fn input<'a>(&'a self, scenario: &'a Scenario) -> FigureInput<'a> {
        FigureInput::new(scenario, &self.results, &self.summary, &self.provenance)
            .with_series(self.series.as_ref())
            .with_sweep(self.sweep.as_ref())
            .with_best_threshold(self.best_threshold.as_ref())
            .with_sweep_2d(self.sweep_2d.as_ref())
            .with_sensitivity(self.sensitivity.as_ref())
            .with_decision(self.decision.as_ref())
            .with_notes(&self.notes)
            .with_scenario_text(Some(&self.scenario_text))
    }
}

/// Runs a study of `scenario`: the simulation, then the analyses of `plan`. `text` and
/// `origin` are the scenario file's text and name for the provenance. `threads` sizes a pool
/// of its own (`None`: rayon's current pool). Results do not depend on the thread count.
///
/// # Errors
/// [`StudyError::Cancelled`] once `control` is cancelled; a pool that cannot start; a plan
/// that does not fit the scenario ([`StudyError::is_invalid_input`]).
pub fn run_study(
    scenario: &Scenario,
    text: &str,
    origin: &str,
    plan: &StudyPlan,
    threads: Option<usize>,
    control: &Control,
) -> Result<Study, StudyError> {
    let started = Instant::now();
    let pool = match threads {
        Some(t) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .thread_name(|i| format!("tierlab-study-{i}"))
                .build()
                .map_err(|e| StudyError::Threads { threads: t, reason: e.to_string() })?,
        ),
        None => None,
    };
    let body = || -> Result<Study, StudyError> {
        let (results, summary, series) = simulate_for_figures(scenario, control)?;
        let mut notes = plan.notes.clone();
        // A plan's run counts are at most the scenario's, and at least 1.
        let with_runs = |runs: u64| scenario.clone().with_runs(runs).unwrap_or_else(|_| scenario.clone());
        // Sub-analyses run in the pool this closure runs in.
        let (sweep, best) = match &plan.sweep {
            Some(p) => {
                let s = with_runs(p.runs);
                let sw = sweep::sweep(&s, &p.spec, &SweepOptions::default(), control)
                    .map_err(|e| sweep_error(e, StudyError::Sweep))?;
                let constraint = match p.cap {
                    Cap::AsItStands => {
                        notes.push(StudyNote {
                            part: Part::Sweep,
                            text: format!(
                                "The best threshold is the grid point with the highest expected net among those \
                                 whose P(catastrophe) is no higher than under the policy as it stands ({} = {}, \
                                 P(catastrophe) {:.4}): a threshold that buys benefit without adding catastrophe \
                                 risk.",
                                sw.param.key(),
                                crate::export::report::threshold_label(sw.param, sw.current_value),
                                sw.current.p_catastrophe
                            ),
                        });
                        Constraint { max_p_catastrophe: Some(sw.current.p_catastrophe), max_cvar95: None }
                    }
                    Cap::Given(c) => c,
                };
                let boot = BootstrapOptions { replicates: DEFAULT_BOOTSTRAP, seed: scenario.run().seed };
                let best = best_threshold(&sw, &constraint, &boot);
                (Some(sw), Some(best))
            }
            None => (None, None),
        };
        let sweep_2d = match &plan.sweep_2d {
            Some(p) => Some(
                sweep::sweep_2d(&with_runs(p.runs), &p.spec, &p.axis, &SweepOptions::default(), control)
                    .map_err(|e| sweep_error(e, StudyError::Sweep2d))?,
            ),
            None => None,
        };
        let sensitivity = match &plan.sensitivity {
            Some(p) => Some(
                sensitivity::sensitivity(&with_runs(p.runs), &p.spec, &SensitivityOptions::default(), control)
                    .map_err(|e| match e {
                        SensitivityError::Sim(s) => s.into(),
                        e => StudyError::Sensitivity(e),
                    })?,
            ),
            None => None,
        };
        let decision = match &plan.decision {
            Some(p) => {
                let worlds = simulate_worlds(&with_runs(p.runs), None, control)?;
                Some(decide(&worlds, &p.spec).map_err(StudyError::Decision)?)
            }
            None => None,
        };
        let mut provenance = Provenance::new(scenario, origin, text);
        provenance.threads = rayon::current_num_threads();
        provenance.series_runs = series.as_ref().map_or(0, |x| x.runs);
        Ok(Study {
            results,
            summary,
            series,
            provenance,
            scenario_text: text.to_string(),
            sweep,
            best_threshold: best,
            sweep_2d,
            sensitivity,
            decision,
            notes,
        })
    };
    let mut study = match &pool {
        Some(p) => p.install(body),
        None => body(),
    }?;
    study.provenance.wall_time_s = started.elapsed().as_secs_f64();
    Ok(study)
}

/// An integer with thousands separators: 10000 -> "10,000".
fn thousands(n: u64) -> String {
    crate::export::report::num(n as f64)
}

/// Running mean and M2 of one per-jurisdiction quantity (Chan et al.'s pairwise update).
#[derive(Clone, Copy, Default)]
struct Moments2 {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments2 {
    fn add_chunk(&mut self, xs: impl Iterator<Item = f64> + Clone) {
        let n_b = xs.clone().count() as f64;
        if n_b == 0.0 {
            return;
        }
        let mean_b = xs.clone().sum::<f64>() / n_b;
        let m2_b: f64 = xs.map(|x| (x - mean_b) * (x - mean_b)).sum();
        let n = self.n + n_b;
        let delta = mean_b - self.mean;
        self.mean += delta * n_b / n;
        self.m2 += m2_b + delta * delta * self.n * n_b / n;
        self.n = n;
    }
    fn se(&self) -> f64 {
        if self.n < 2.0 { 0.0 } else { (self.m2 / (self.n - 1.0)).sqrt() / self.n.sqrt() }
    }
}

/// Simulates every run for the figures: outcomes of all runs, series of the first
/// `min(runs, SERIES_RUNS_CAP)`, and per-jurisdiction means and standard errors over all runs.
/// Above [`CHUNK_RUNS`] runs the simulation streams in chunks and keeps only per-run outcomes
/// and running per-jurisdiction moments, so memory stays bounded at any run count.
fn simulate_for_figures(
    s: &Scenario,
    control: &Control,
) -> Result<(Results, Summary, Option<SeriesSummary>), StudyError> {
    let runs = s.run().runs;
    let np = s.policies().len();
    let nj = s.jurisdictions().len();
    let engine = Engine::new(s);
    let correlated = CorrelatedDraws::new(s, &engine, runs);
    let series_runs = runs.min(SERIES_RUNS_CAP);
    let jurisdiction_names: Vec<String> = s.jurisdictions().iter().map(|j| j.name.clone()).collect();
    let mut combined: Option<Results> = None;
    let mut series = None;
    // [(policy * J + j)] -> benefit, harm, share_end
    let mut jur = vec![[Moments2::default(); 3]; np * nj];
    let mut start = 0;
    while start < runs {
        let end = (start + CHUNK_RUNS).min(runs);
        let opts = SimOptions {
            threads: None,
            record: Record {
                jurisdictions: true,
                series_runs: if start == 0 { series_runs } else { 0 },
                params: false,
            },
            param_overrides: Vec::new(),
        };
        let mut chunk = simulate_range(&engine, correlated.as_ref(), start..end, &opts, control)?;
        if start == 0 && series_runs > 0 {
            series = Some(summarise_series(&chunk, &jurisdiction_names));
            chunk.series = Vec::new();
        }
        if runs > CHUNK_RUNS {
            let n = chunk.n_runs();
            for p in 0..np {
                for j in 0..nj {
                    let cell = |r: usize| &chunk.jurisdictions[(r * np + p) * nj + j];
                    let m = &mut jur[p * nj + j];
                    m[0].add_chunk((0..n).map(|r| cell(r).benefit));
                    m[1].add_chunk((0..n).map(|r| cell(r).harm));
                    m[2].add_chunk((0..n).map(|r| cell(r).share_end));
                }
            }
            chunk.jurisdictions = Vec::new();
        }
        combined = Some(match combined {
            None => chunk,
            Some(mut c) => {
                c.outcomes.extend_from_slice(&chunk.outcomes);
                c.runs.end = chunk.runs.end;
                c
            }
        });
        start = end;
    }
    // A checked scenario has at least one run; an empty result is still a valid (if
    // useless) input for the summaries.
    let results = combined.unwrap_or_default();
    let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
    let mut summary = summarise(&results, &names, s.run().reference);
    if runs > CHUNK_RUNS {
        for (p, ps) in summary.policies.iter_mut().enumerate() {
            ps.jurisdictions = (0..nj)
                .map(|j| {
                    let [b, h, sh] = jur[p * nj + j];
                    JurisdictionSummary {
                        benefit_mean: b.mean,
                        benefit_se: b.se(),
                        harm_mean: h.mean,
                        harm_se: h.se(),
                        share_end_mean: sh.mean,
                    }
                })
                .collect();
        }
    }
    Ok((results, summary, series))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::P;

    fn stage(part: Part, runs: u64, work: u64) -> Stage {
        Stage { part, runs, work }
    }

    #[test]
    fn progress_is_weighted_by_work_and_monotone() {
        let stages =
            [stage(Part::Simulation, 100, 400), stage(Part::Sweep, 100, 2700), stage(Part::Sensitivity, 300, 600)];
        let at = |n| progress_at(&stages, n);
        assert_eq!(at(0).part, Part::Simulation);
        assert_eq!(at(0).fraction, 0.0);
        assert_eq!(at(50).stage_fraction, 0.5);
        assert!((at(50).fraction - 200.0 / 3700.0).abs() < 1e-12);
        assert_eq!(at(100).part, Part::Sweep);
        assert!((at(150).fraction - (400.0 + 1350.0) / 3700.0).abs() < 1e-12);
        assert_eq!(at(200).part, Part::Sensitivity);
        assert_eq!((at(500).fraction, at(500).stage), (1.0, 2));
        assert_eq!(at(10_000).fraction, 1.0, "past the end stays at 1");
        let mut last = 0.0;
        for n in 0..=520 {
            let f = at(n).fraction;
            assert!(f >= last, "fraction fell at {n}");
            last = f;
        }
    }

    #[test]
    fn default_plan_of_the_baseline() {
        let s = Scenario::baseline();
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
        let s = Scenario::baseline()
            .edited(|d| {
                d.policies.retain(|p| !p.name.contains("tiered"));
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

        let fixed = Scenario::baseline()
            .edited(|d| {
                for x in &mut d.world {
                    *x = crate::model::Dist::Fixed(x.central());
                }
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
    fn only_keeps_what_the_figures_need() {
        let s = Scenario::baseline();
        let plan = StudyPlan::default_for(&s).only(&[FigureKind::Tornado, FigureKind::Ecdf]);
        assert!(plan.sweep.is_none() && plan.sweep_2d.is_none() && plan.sensitivity.is_some());
        let plan = StudyPlan::default_for(&s).only(&[FigureKind::Frontier]);
        assert!(plan.sweep.is_some() && plan.sweep_2d.is_none() && plan.sensitivity.is_none());
        assert!(plan.decision.is_none());
        let plan = StudyPlan::default_for(&s).only(&[FigureKind::Evppi]);
        assert!(plan.decision.is_some() && plan.sweep.is_none() && plan.sensitivity.is_none());
        assert_eq!(StudyPlan::default_for(&s).only(&[]), StudyPlan::simulation_only());
    }

    #[test]
    fn set_grid_checks_like_tierlab_sweep() {
        let s = Scenario::baseline();
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
