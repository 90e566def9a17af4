//! A command's arguments resolved once into what it runs ([`RunConfig`]): the scenario with
//! its runs and seed, the command's own configuration (a sweep's spec, a report's plan),
//! where to write and how. Every check of the arguments happens here, before anything is
//! simulated; the rest of the command reads only the configuration. A shard writes the
//! command's configuration into its partial result, and `tierlab merge` runs the command
//! again from it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::args::{
    AnalysisArgs, CommonRunArgs, DecideArgs, FiguresArgs, ReportArgs, RunArgs, SensitivityArgs, SweepArgs,
};
use super::error::InvalidInput;
use crate::analysis::decision::DecisionSpec;
use crate::analysis::discovery::{DiscoverySpec, OutcomeEvent, PrimOptions};
use crate::analysis::sensitivity::{Output, SensitivitySpec};
use crate::analysis::sweep::{
    Constraint, DEFAULT_STEPS, SweepParam, SweepSpec, WorldAxis, check_grid, default_grid, grid, world_param,
};
use crate::export::figures::{FigureKind, Format, parts_for};
use crate::model::{Scenario, ScenarioError};
use crate::sim::Shard;
use crate::study::{
    Cap, DecisionPlan, Input, Part, ScenarioSource, SensitivityPlan, StudyNote, StudyPlan, Sweep2dPlan, SweepPlan,
};

/// Grid points of a 2-D sweep's world axis when `--steps2` is not given.
pub const DEFAULT_STEPS2: usize = 11;

/// An error of the command line's input: exit code 2.
pub(crate) fn invalid(msg: impl Into<String>) -> anyhow::Error {
    InvalidInput(msg.into()).into()
}

/// What a command runs: everything its outputs depend on besides the scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandConfig {
    /// `tierlab run`: the scenario's summary table; with `--out`, the run files.
    Run,
    /// `tierlab sweep`: a threshold over a grid, against a world parameter with `axis`.
    Sweep { spec: SweepSpec, axis: Option<WorldAxis>, constraint: Constraint },
    /// `tierlab sensitivity`.
    Sensitivity { spec: SensitivitySpec },
    /// `tierlab decide`: decision support (scenario discovery, regret, value of information).
    Decide { spec: DecisionSpec },
    /// `tierlab report` (every figure, report.html and report.md) or, with `only`, `tierlab
    /// figures` (those figures alone; `named`: the user named them, so a figure the scenario
    /// cannot have is an error rather than a note).
    Report { plan: Box<StudyPlan>, formats: Vec<Format>, only: Option<Vec<FigureKind>>, named: bool, no_analyses: bool },
}

impl CommandConfig {
    /// The subcommand's name.
    pub fn name(&self) -> &'static str {
        match self {
            CommandConfig::Run => "run",
            CommandConfig::Sweep { .. } => "sweep",
            CommandConfig::Sensitivity { .. } => "sensitivity",
            CommandConfig::Decide { .. } => "decide",
            CommandConfig::Report { only: None, .. } => "report",
            CommandConfig::Report { only: Some(_), .. } => "figures",
        }
    }

    /// The study that makes the command's results.
    pub fn plan(&self, scenario: &Scenario) -> StudyPlan {
        let runs = scenario.run().runs;
        match self {
            CommandConfig::Run => StudyPlan::simulation_only(),
            CommandConfig::Sweep { spec, axis: None, constraint } => StudyPlan {
                sweep: Some(SweepPlan { spec: spec.clone(), runs, best: Some(Cap::Given(*constraint)) }),
                ..StudyPlan::default()
            },
            CommandConfig::Sweep { spec, axis: Some(axis), .. } => StudyPlan {
                sweep_2d: Some(Sweep2dPlan { spec: spec.clone(), axis: axis.clone(), runs }),
                ..StudyPlan::default()
            },
            CommandConfig::Sensitivity { spec } => {
                StudyPlan { sensitivity: Some(SensitivityPlan { spec: spec.clone(), runs }), ..StudyPlan::default() }
            }
            CommandConfig::Decide { spec } => {
                StudyPlan { decision: Some(DecisionPlan { spec: *spec, runs }), ..StudyPlan::default() }
            }
            CommandConfig::Report { plan, .. } => (**plan).clone(),
        }
    }
}

/// A command, resolved.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub input: Input,
    pub command: CommandConfig,
    pub threads: Option<usize>,
    pub out: Option<PathBuf>,
    pub shard: Option<Shard>,
    pub quiet: bool,
}

/// Loads a scenario file, or the built-in scenario for the word "baseline".
///
/// # Errors
/// The file cannot be read or fails its checks.
pub fn load(path: &Path) -> Result<Input, ScenarioError> {
    if path.as_os_str() == "baseline" && !path.exists() {
        return Ok(Input::built_in());
    }
    let (scenario, text) = Scenario::load(path)?;
    Ok(Input::new(scenario, ScenarioSource::new(path.display().to_string(), text)))
}

fn threads(t: Option<u64>) -> Option<usize> {
    t.map(|t| t as usize)
}

/// The scenario of `file` with `--runs` and `--seed` applied.
fn input(file: &Path, common: &CommonRunArgs) -> anyhow::Result<Input> {
    Ok(load(file)?.with_overrides(common.runs, common.seed)?)
}

/// A shard's arguments: `--out` is needed, and a shard must hold at least one run.
fn check_shard(shard: Option<Shard>, out: Option<&Path>, runs: u64) -> anyhow::Result<()> {
    let Some(shard) = shard else { return Ok(()) };
    if out.is_none() {
        return Err(invalid("--shard needs --out DIR for its partial result"));
    }
    if shard.count > runs {
        return Err(invalid(format!(
            "--shard {shard}: {runs} runs cannot be cut into {} shards; use at most {runs}",
            shard.count
        )));
    }
    Ok(())
}

/// `"A", "B"` for messages.
pub(crate) fn policy_list(s: &Scenario) -> String {
    s.policies().iter().map(|p| format!("{:?}", p.name)).collect::<Vec<_>>().join(", ")
}

/// The policy named `name`, or an invalid-input error listing the policies.
pub(crate) fn policy_named(s: &Scenario, name: &str) -> anyhow::Result<usize> {
    s.policy_index(name).ok_or_else(|| {
        invalid(format!(
            "--policy {name:?} names no policy (names match exactly, case included); the policies are {}",
            policy_list(s)
        ))
    })
}

impl RunConfig {
    fn new(
        input: Input,
        command: CommandConfig,
        common: &CommonRunArgs,
        out: Option<PathBuf>,
    ) -> anyhow::Result<RunConfig> {
        check_shard(common.shard, out.as_deref(), input.scenario.run().runs)?;
        Ok(RunConfig {
            input,
            command,
            threads: threads(common.threads),
            out,
            shard: common.shard,
            quiet: common.quiet,
        })
    }

    /// `tierlab run`.
    ///
    /// # Errors
    /// Invalid input.
    pub fn run(args: &RunArgs) -> anyhow::Result<RunConfig> {
        RunConfig::new(input(&args.file, &args.common)?, CommandConfig::Run, &args.common, args.out.clone())
    }

    /// `tierlab sweep`.
    ///
    /// # Errors
    /// Invalid input.
    pub fn sweep(args: &SweepArgs) -> anyhow::Result<RunConfig> {
        let input = input(&args.file, &args.common)?;
        let s = &input.scenario;
        let param = SweepParam::parse(&args.param).ok_or_else(|| {
            invalid(format!("--param {:?} is not a regime parameter; use open_below, gated_below or drift", args.param))
        })?;
        check_grid("--from/--to/--steps", args.from, args.to, args.steps).map_err(invalid)?;
        let policy = match args.policy.as_deref() {
            Some(name) => policy_named(s, name)?,
            None => {
                // As the app and the report choose: the first tiered policy other than the
                // reference (a threshold is judged against the reference), else the reference.
                crate::analysis::sweep::default_policy(s).ok_or_else(|| {
                    invalid(format!(
                        "no policy of {} has a tiered regime to sweep; the policies are {}",
                        input.source.origin,
                        policy_list(s)
                    ))
                })?
            }
        };
        let constraint = Constraint { max_p_catastrophe: args.max_p_catastrophe, max_cvar95: args.max_cvar95 };
        constraint.check().map_err(invalid)?;
        let spec = SweepSpec { policy, param, values: grid(args.from, args.to, args.steps) };
        let axis = match args.param2.as_deref() {
            None => {
                if args.from2.is_some() || args.to2.is_some() || args.steps2.is_some() {
                    return Err(invalid("--from2, --to2 and --steps2 need --param2 world.KEY"));
                }
                None
            }
            Some(key2) => {
                let param2 = world_param(key2).map_err(|e| invalid(format!("--param2: {e}")))?;
                let (Some(from2), Some(to2)) = (args.from2, args.to2) else {
                    return Err(invalid("--param2 needs --from2 and --to2 (and optionally --steps2)"));
                };
                let steps2 = args.steps2.unwrap_or(DEFAULT_STEPS2);
                check_grid("--from2/--to2/--steps2", from2, to2, steps2).map_err(invalid)?;
                Some(WorldAxis { param: param2, values: grid(from2, to2, steps2) })
            }
        };
        RunConfig::new(input, CommandConfig::Sweep { spec, axis, constraint }, &args.common, args.out.clone())
    }

    /// `tierlab sensitivity`.
    ///
    /// # Errors
    /// Invalid input.
    pub fn sensitivity(args: &SensitivityArgs) -> anyhow::Result<RunConfig> {
        let input = input(&args.file, &args.common)?;
        let s = &input.scenario;
        let output = Output::parse(&args.output).ok_or_else(|| {
            invalid(format!(
                "--output {:?} is not an output; use benefit, harm, net, net_diff (net minus the reference policy's) \
                 or catastrophe",
                args.output
            ))
        })?;
        let policy = match args.policy.as_deref() {
            Some(name) => policy_named(s, name)?,
            None => s.run().reference,
        };
        if output == Output::NetDiff && policy == s.run().reference {
            return Err(invalid(format!(
                "--output net_diff compares a policy with the reference policy \"{}\"; choose another --policy",
                s.reference_policy().name
            )));
        }
        if s.uncertain_params().is_empty() {
            return Err(invalid(
                "the scenario has no uncertain parameters: give at least one world parameter a distribution",
            ));
        }
        let spec = SensitivitySpec::new(policy, output);
        RunConfig::new(input, CommandConfig::Sensitivity { spec }, &args.common, args.out.clone())
    }

    /// `tierlab decide`.
    ///
    /// # Errors
    /// Invalid input.
    pub fn decide(args: &DecideArgs) -> anyhow::Result<RunConfig> {
        let input = input(&args.file, &args.common)?;
        let s = &input.scenario;
        let policy = policy_named(s, &args.policy)?;
        let against = match args.against.as_deref() {
            Some(name) => Some(s.policy_index(name).ok_or_else(|| {
                invalid(format!("--against {name:?} names no policy; the policies are {}", policy_list(s)))
            })?),
            None => None,
        };
        if against == Some(policy) {
            return Err(invalid("--against names the policy itself; compare with another policy"));
        }
        let event = OutcomeEvent::parse(&args.event, against, args.level).map_err(|e| invalid(e.to_string()))?;
        if s.uncertain_params().is_empty() {
            return Err(invalid(
                "the scenario has no uncertain parameters: give at least one world parameter a distribution",
            ));
        }
        if s.policies().len() < 2 {
            return Err(invalid("regret and scenario discovery compare policies: the scenario needs at least two"));
        }
        if args.floor.is_some_and(|f| !f.is_finite()) {
            return Err(invalid("--floor must be a finite number ($B)"));
        }
        let spec = DecisionSpec {
            discovery: DiscoverySpec { policy, event, chosen: args.r#box, prim: PrimOptions::default() },
            floor: args.floor,
        };
        RunConfig::new(input, CommandConfig::Decide { spec }, &args.common, args.out.clone())
    }

    /// `tierlab report`.
    ///
    /// # Errors
    /// Invalid input.
    pub fn report(args: &ReportArgs) -> anyhow::Result<RunConfig> {
        let input = input(&args.file, &args.common)?;
        let formats = parse_formats(&args.format)?;
        let plan = plan_from_args(&input.scenario, &args.analyses)?;
        let command = CommandConfig::Report {
            plan: Box::new(plan),
            formats,
            only: None,
            named: false,
            no_analyses: args.analyses.no_analyses,
        };
        RunConfig::new(input, command, &args.common, Some(args.out.clone()))
    }

    /// `tierlab figures`.
    ///
    /// # Errors
    /// Invalid input.
    pub fn figures(args: &FiguresArgs) -> anyhow::Result<RunConfig> {
        let input = input(&args.file, &args.common)?;
        let kinds = parse_figures(&args.only)?;
        let formats = parse_formats(&args.format)?;
        let plan = plan_from_args(&input.scenario, &args.analyses)?.only(&parts_for(&kinds));
        let named = !args.only.is_empty();
        let command = CommandConfig::Report {
            plan: Box::new(plan),
            formats,
            only: Some(kinds),
            named,
            no_analyses: args.analyses.no_analyses,
        };
        RunConfig::new(input, command, &args.common, Some(args.out.clone()))
    }
}

/// Parses `--format svg,png`.
///
/// # Errors
/// An unknown format ([`InvalidInput`]).
pub fn parse_formats(names: &[String]) -> anyhow::Result<Vec<Format>> {
    let mut formats = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        let f = Format::from_name(name)
            .ok_or_else(|| InvalidInput(format!("unknown figure format \"{name}\"; valid formats: svg, png")))?;
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    if formats.is_empty() {
        return Err(InvalidInput("no figure format given; valid formats: svg, png".into()).into());
    }
    Ok(formats)
}

/// Parses `--only NAME...` (all figures when empty).
///
/// # Errors
/// An unknown figure name ([`InvalidInput`], listing the valid names).
pub fn parse_figures(names: &[String]) -> anyhow::Result<Vec<FigureKind>> {
    if names.is_empty() {
        return Ok(FigureKind::all().to_vec());
    }
    let mut kinds = Vec::new();
    for name in names.iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()) {
        let kind = FigureKind::parse(name).map_err(|e| InvalidInput(e.to_string()))?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// The study plan the analysis flags ask for: the default plan, or the analyses of
/// `--policy`, with `--param/--from/--to/--steps` and the caps applied.
///
/// # Errors
/// An unknown policy (the message lists them), a grid or cap `tierlab sweep` would refuse,
/// or grid flags for a policy without a tiered regime ([`InvalidInput`]).
pub fn plan_from_args(s: &Scenario, args: &AnalysisArgs) -> anyhow::Result<StudyPlan> {
    if args.no_analyses {
        let mut plan = StudyPlan::simulation_only();
        plan.notes.push(StudyNote {
            part: Part::Simulation,
            text: "No threshold sweep, heat map, sensitivity analysis or decision support: they were not asked for \
             (--no-analyses)."
                .into(),
        });
        return Ok(plan);
    }
    let mut plan = match args.policy.as_deref() {
        Some(name) => StudyPlan::for_policy(s, policy_named(s, name)?),
        None => StudyPlan::default_for(s),
    };
    let grid_flags = args.param.is_some() || args.from.is_some() || args.to.is_some() || args.steps.is_some();
    let cap_flags = args.max_p_catastrophe.is_some() || args.max_cvar95.is_some();
    if (grid_flags || cap_flags) && plan.sweep.is_none() {
        let nj = s.jurisdictions().len();
        let tiered: Vec<String> = s
            .policies()
            .iter()
            .filter(|p| SweepParam::OpenBelow.current(p, nj).is_some())
            .map(|p| format!("{:?}", p.name))
            .collect();
        let which = match args.policy.as_deref() {
            Some(name) => format!("policy {name:?} has no tiered regime"),
            None => "no policy has a tiered regime".into(),
        };
        return Err(invalid(format!(
            "--param, --from, --to, --steps and the caps set the threshold sweep, but {which}; {}",
            if tiered.is_empty() {
                format!("the policies are {}", policy_list(s))
            } else {
                format!("policies with one: {}", tiered.join(", "))
            }
        )));
    }
    if let Some(sweep) = plan.sweep.as_mut().filter(|_| grid_flags) {
        let param = match args.param.as_deref() {
            Some(key) => SweepParam::parse(key).ok_or_else(|| {
                invalid(format!("--param {key:?} is not a regime parameter; use open_below, gated_below or drift"))
            })?,
            None => sweep.spec.param,
        };
        let current = s
            .policies()
            .get(sweep.spec.policy)
            .and_then(|p| param.current(p, s.jurisdictions().len()))
            .ok_or_else(|| invalid("the analysed policy has no tiered regime to sweep"))?;
        let (from, to) = default_grid(param, current);
        plan.set_grid(param, args.from.unwrap_or(from), args.to.unwrap_or(to), args.steps.unwrap_or(DEFAULT_STEPS))
            .map_err(|e| invalid(e.to_string()))?;
    }
    if let Some(sweep) = plan.sweep.as_mut().filter(|_| cap_flags) {
        let c = Constraint { max_p_catastrophe: args.max_p_catastrophe, max_cvar95: args.max_cvar95 };
        c.check().map_err(invalid)?;
        sweep.best = Some(Cap::Given(c));
    }
    Ok(plan)
}
