//! `tierlab report` (figures, report.html and report.md) and `tierlab figures` (single
//! figures): a study of the scenario (the simulation and the analyses, `export::study`)
//! drawn and written, with one progress bar over all of it.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::sweep::{invalid, policy_list, policy_named};
use super::{AnalysisArgs, CommonRunArgs, FiguresArgs, InvalidInput, Loaded, ReportArgs, load, progress};
use crate::analysis::sweep::{Constraint, DEFAULT_STEPS, SweepParam, default_grid};
use crate::export::figures::{FigureError, FigureKind, FigureOptions, Format, prepare};
use crate::export::report::{best_threshold_sentence, is_analysis, missing_reason, write_report};
use crate::export::study::{Cap, Part, Study, StudyError, StudyNote, StudyPlan, progress_at, run_study};
use crate::model::Scenario;
use crate::sim::Control;

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

fn load_with(file: &Path, common: &CommonRunArgs) -> anyhow::Result<Loaded> {
    Ok(load(file)?.with_overrides(common.runs, common.seed)?)
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
        let tiered: Vec<String> = (0..s.policies().len())
            .filter(|&i| SweepParam::OpenBelow.current(&s.policies()[i], s.jurisdictions().len()).is_some())
            .map(|i| format!("{:?}", s.policies()[i].name))
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
        sweep.cap = Cap::Given(c);
    }
    Ok(plan)
}

/// Runs a study while a progress bar (only when stderr is a terminal and not `quiet`) shows
/// the stage under way and the share of the work done.
fn study_with_progress(loaded: &Loaded, plan: &StudyPlan, common: &CommonRunArgs) -> anyhow::Result<Study> {
    let control = Control::new();
    let threads = common.threads.map(|t| t as usize);
    let work = || run_study(&loaded.scenario, &loaded.text, &loaded.origin, plan, threads, &control);
    let template = "{spinner} {msg:16} [{elapsed_precise}] {bar:40} {percent:>3}% ({eta} left)";
    let out = match progress::bar(1000, template, common.quiet) {
        None => work(),
        Some(b) => {
            let stages = plan.stages(&loaded.scenario);
            let tick = || {
                let p = progress_at(&stages, control.runs_done());
                b.set_message(p.part.label());
                b.set_position((p.fraction * 1000.0) as u64);
            };
            let out = progress::polled(Duration::from_millis(100), tick, work);
            b.finish_and_clear();
            out
        }
    };
    out.map_err(|e: StudyError| if e.is_invalid_input() { invalid(e.to_string()) } else { e.into() })
}

/// `tierlab report FILE --out DIR`.
///
/// # Errors
/// Invalid input, or a figure or file that cannot be written.
pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let formats = parse_formats(&args.format)?;
    let loaded = load_with(&args.file, &args.common)?;
    let plan = plan_from_args(&loaded.scenario, &args.analyses)?;
    let study = study_with_progress(&loaded, &plan, &args.common)?;
    let input = study.input(&loaded.scenario);
    let progress = progress::bar(
        FigureKind::all().len() as u64,
        "{spinner} drawing {bar:40} {pos}/{len} figures {msg}",
        args.common.quiet,
    );
    let files = write_report(&args.out, &input, &formats, &FigureOptions::default(), |kind| {
        if let Some(b) = &progress {
            b.set_message(kind.name());
            b.inc(1);
        }
    })
    .with_context(|| format!("cannot write the report to {}", args.out.display()))?;
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    // Figures left out because the analyses were skipped on request need no note.
    for (kind, why) in files.skipped.iter().filter(|(k, _)| !(args.analyses.no_analyses && is_analysis(*k))) {
        eprintln!("note: {} not drawn: {why}", kind.name());
    }
    if let (Some(sweep), Some(best)) = (&study.sweep, &study.best_threshold) {
        eprintln!("{}", best_threshold_sentence(sweep, best));
    }
    eprintln!(
        "wrote {} figures to {}, {} and {} ({:.1} s)",
        files.figures.len(),
        args.out.join(crate::export::report::FIGURES_DIR).display(),
        files.html.display(),
        files.markdown.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// `tierlab figures FILE --out DIR [--only NAME...]`.
///
/// # Errors
/// Invalid input (an unknown figure or format), or a figure that cannot be written.
pub fn figures(args: FiguresArgs) -> anyhow::Result<ExitCode> {
    let kinds = parse_figures(&args.only)?;
    let formats = parse_formats(&args.format)?;
    let loaded = load_with(&args.file, &args.common)?;
    let plan = plan_from_args(&loaded.scenario, &args.analyses)?.only(&kinds);
    let study = study_with_progress(&loaded, &plan, &args.common)?;
    let input = study.input(&loaded.scenario);
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let opts = FigureOptions::default();
    let explicit = !args.only.is_empty();
    let progress =
        progress::bar(kinds.len() as u64, "{spinner} drawing {bar:40} {pos}/{len} figures {msg}", args.common.quiet);
    let mut written = 0;
    for kind in kinds {
        if let Some(b) = &progress {
            b.set_message(kind.name());
        }
        let figure = match prepare(kind, &input) {
            Ok(f) => f,
            Err(e @ FigureError::MissingData { .. }) if !explicit => {
                if !(args.analyses.no_analyses && is_analysis(kind)) {
                    eprintln!("note: {} not drawn: {}", kind.name(), missing_reason(kind, &input, &e));
                }
                continue;
            }
            // Asked by name for a figure this scenario cannot have (e.g. a paired
            // difference with one policy): invalid input.
            Err(e @ FigureError::MissingData { .. }) => {
                return Err(InvalidInput(missing_reason(kind, &input, &e)).into());
            }
            Err(e) => return Err(e.into()),
        };
        for &format in &formats {
            let path = args.out.join(format!("{}.{}", kind.name(), format.extension()));
            figure.write(format, &path, &opts)?;
        }
        written += 1;
        if let Some(b) = &progress {
            b.inc(1);
        }
    }
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    eprintln!("wrote {written} figures (with JSON sidecars) to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
