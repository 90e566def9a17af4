//! `tierlab validate` and `tierlab run`, and the loading and execution other commands share.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;

use super::{EXIT_INVALID, RunArgs, progress};
use crate::analysis::{Summary, summarise, summarise_series};
use crate::export::data::{OutputWriters, Provenance, write_series_csv, write_summary_json};
use crate::model::{Scenario, ScenarioError};
use crate::sim::{Control, CorrelatedDraws, Engine, Record, Results, SimOptions, simulate_range};

pub use crate::export::report::fmt_num;
pub use crate::export::study::{CHUNK_RUNS, SERIES_RUNS_CAP};

/// A scenario as loaded: the checked scenario, its text (for the hash) and its name for
/// messages.
pub struct Loaded {
    pub scenario: Scenario,
    pub text: String,
    pub origin: String,
}

/// Loads a scenario file, or the embedded baseline for the word "baseline".
///
/// # Errors
/// The file cannot be read or fails its checks.
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    if path.as_os_str() == "baseline" && !path.exists() {
        let text = crate::model::scenario::BASELINE_TOML.to_string();
        let scenario = Scenario::parse(&text, "baseline.toml")?;
        return Ok(Loaded { scenario, text, origin: "baseline.toml (built in)".into() });
    }
    let (scenario, text) = Scenario::load(path)?;
    Ok(Loaded { scenario, text, origin: path.display().to_string() })
}

/// Exit code and message for an error at the binary's edge.
pub fn report_error(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    // A scenario file that is missing or unreadable is a bad argument, like a bad flag.
    let invalid = err
        .chain()
        .any(|e| e.downcast_ref::<ScenarioError>().is_some() || e.downcast_ref::<super::InvalidInput>().is_some());
    ExitCode::from(if invalid { EXIT_INVALID } else { 1 })
}

/// `tierlab validate FILE`.
///
/// # Errors
/// The file cannot be read or fails its checks.
pub fn validate(file: &Path) -> anyhow::Result<ExitCode> {
    {
        {
            let loaded = load(file)?;
            let s = &loaded.scenario;
            println!(
                "{}: valid: \"{}\", {} world parameters ({} uncertain), {} jurisdictions, {} policies, {} runs x {} steps",
                loaded.origin,
                s.name,
                s.world.len(),
                s.uncertain_params().len(),
                s.jurisdictions.len(),
                s.policies.len(),
                s.run.runs,
                s.run.steps()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Drives `simulate_range` over chunks of runs, streaming files when asked; returns the
/// combined outcomes (and the first chunk's series and jurisdictions).
pub struct RunOutput {
    pub results: Results,
    pub summary: Summary,
    pub provenance: Provenance,
}

/// `tierlab run`.
///
/// # Errors
/// Invalid input or a failure to write output.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut loaded = load(&args.file)?;
    if let Some(r) = args.runs {
        loaded.scenario.run.runs = r;
    }
    if let Some(s) = args.seed {
        loaded.scenario.run.seed = s;
    }
    let threads = args.threads.map(|t| t as usize);
    let out = execute(&loaded, threads, args.out.as_deref(), args.quiet, started)?;
    print_summary(&loaded, &out);
    if let Some(dir) = &args.out {
        eprintln!("wrote runs.csv, jurisdictions.csv, params.csv, series.csv and summary.json to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Simulates a loaded scenario; with `out`, writes every file of SCENARIO.md there.
///
/// # Errors
/// A thread pool that cannot start, or an output file that cannot be written.
pub fn execute(
    loaded: &Loaded,
    threads: Option<usize>,
    out: Option<&Path>,
    quiet: bool,
    started: Instant,
) -> anyhow::Result<RunOutput> {
    let s = &loaded.scenario;
    let runs = s.run.runs;
    let engine = Engine::new(s);
    let correlated = CorrelatedDraws::new(s, &engine, runs);
    let control = Control::new();
    let mut writers = match out {
        Some(dir) => Some(OutputWriters::create(dir).with_context(|| format!("cannot write to {}", dir.display()))?),
        None => None,
    };
    let series_runs = if out.is_some() { runs.min(SERIES_RUNS_CAP) } else { 0 };
    let bar = progress::bar(runs, progress::RUNS, quiet || runs < 50_000);
    let pool = match threads {
        Some(t) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .thread_name(|i| format!("tierlab-sim-{i}"))
                .build()
                .with_context(|| format!("cannot start {t} worker threads"))?,
        ),
        None => None,
    };
    let mut body = || -> anyhow::Result<(Results, Option<crate::analysis::SeriesSummary>)> {
        let mut combined: Option<Results> = None;
        let mut series = None;
        let mut start = 0;
        while start < runs {
            let end = (start + CHUNK_RUNS).min(runs);
            let opts = SimOptions {
                threads: None,
                record: Record {
                    jurisdictions: out.is_some() || runs <= CHUNK_RUNS,
                    series_runs: if start == 0 { series_runs } else { 0 },
                    params: out.is_some(),
                },
                param_overrides: Vec::new(),
            };
            let chunk = simulate_range(&engine, correlated.as_ref(), start..end, &opts, &control)?;
            if let Some(w) = writers.as_mut() {
                w.write_chunk(s, &chunk).context("cannot write the run files")?;
            }
            if start == 0 && series_runs > 0 {
                series = Some(summarise_series(&chunk, &jurisdiction_names(s)));
            }
            combined = Some(match combined {
                None => {
                    let mut c = chunk;
                    if runs > CHUNK_RUNS {
                        // Keep only what the summary reads; the rest is already written.
                        c.jurisdictions = Vec::new();
                        c.series = Vec::new();
                        c.params = Vec::new();
                    }
                    c
                }
                Some(mut c) => {
                    c.outcomes.extend_from_slice(&chunk.outcomes);
                    c.runs.end = chunk.runs.end;
                    c
                }
            });
            if let Some(b) = &bar {
                b.set_position(end);
            }
            start = end;
        }
        let combined = combined.ok_or_else(|| anyhow::anyhow!("no runs"))?;
        Ok((combined, series))
    };
    let (results, series) = match &pool {
        Some(p) => p.install(body)?,
        None => body()?,
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let names: Vec<String> = s.policies.iter().map(|p| p.name.clone()).collect();
    let summary = match &pool {
        Some(p) => p.install(|| summarise(&results, &names, s.run.baseline)),
        None => summarise(&results, &names, s.run.baseline),
    };
    let mut provenance = Provenance::new(s, &loaded.origin, &loaded.text);
    provenance.threads = pool.as_ref().map_or_else(rayon::current_num_threads, rayon::ThreadPool::current_num_threads);
    provenance.series_runs = series.as_ref().map_or(0, |x| x.runs);
    if let (Some(w), Some(dir)) = (writers, out) {
        w.finish().context("cannot write the run files")?;
        if let Some(series) = &series {
            write_series_csv(&dir.join("series.csv"), &names, series).context("cannot write series.csv")?;
        }
        provenance.wall_time_s = started.elapsed().as_secs_f64();
        write_summary_json(&dir.join("summary.json"), &summary, &provenance).context("cannot write summary.json")?;
    }
    provenance.wall_time_s = started.elapsed().as_secs_f64();
    Ok(RunOutput { results, summary, provenance })
}

pub fn jurisdiction_names(s: &Scenario) -> Vec<String> {
    s.jurisdictions.iter().map(|j| j.name.clone()).collect()
}

fn pm(mean: f64, se: f64) -> String {
    format!("{} ± {}", fmt_num(mean), fmt_num(se))
}

fn print_summary(loaded: &Loaded, out: &RunOutput) {
    let s = &loaded.scenario;
    let p = &out.provenance;
    let sum = &out.summary;
    println!("{} — {}", s.name, loaded.origin);
    println!(
        "{} runs x {} policies x {} steps, seed {}, {} threads, {:.3} s, scenario sha256 {}",
        p.runs,
        s.policies.len(),
        s.run.steps(),
        p.seed,
        p.threads,
        p.wall_time_s,
        p.short_hash()
    );
    println!("Money in $B (2025), discounted; ± is one Monte Carlo standard error.\n");
    let baseline = &sum.policies[sum.baseline].name;
    let name_w = s.policies.iter().map(|p| p.name.chars().count()).max().unwrap_or(6).max(6);
    println!(
        "{:<name_w$}  {:>18}  {:>16}  {:>18}  {:>12}  {:>18}  {:>10}",
        "policy", "benefit", "harm", "net", "CVaR95 harm", "P(catastrophe)", "P(better)"
    );
    for ps in &sum.policies {
        let pc = format!("{:.3} [{:.3},{:.3}]", ps.p_catastrophe, ps.p_catastrophe_lo, ps.p_catastrophe_hi);
        let better =
            if ps.name == *baseline { "baseline".to_string() } else { format!("{:.3}", ps.p_better_than_baseline) };
        println!(
            "{:<name_w$}  {:>18}  {:>16}  {:>18}  {:>12}  {:>18}  {:>10}",
            ps.name,
            pm(ps.benefit.mean, ps.benefit.se),
            pm(ps.harm.mean, ps.harm.se),
            pm(ps.net.mean, ps.net.se),
            fmt_num(ps.cvar95_harm),
            pc,
            better
        );
    }
    println!("\nPaired against \"{baseline}\" (same worlds): net difference, median net, harm p95, hazard crossing");
    for ps in &sum.policies {
        let hy = match ps.hazard_year_median {
            Some(y) => format!("median year {y:.2}"),
            None => "median: never".into(),
        };
        println!(
            "  {:<name_w$}  Δnet {:>18}   net p50 {:>9}   harm p95 {:>9}   P(crossed) {:.3}, {}",
            ps.name,
            pm(ps.net_diff_mean, ps.net_diff_se),
            fmt_num(ps.net.p50),
            fmt_num(ps.harm.p95),
            ps.p_hazard_crossed,
            hy
        );
    }
}
