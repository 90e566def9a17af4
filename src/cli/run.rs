//! `tierlab validate` and `tierlab run`, and the loading and execution other commands share.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;

use super::{EXIT_INVALID, InvalidInput, RunArgs, progress};
use crate::analysis::series::summarise_series_from;
use crate::analysis::summary::clamped_draws;
use crate::analysis::{Summary, summarise};
use crate::export::data::{OutputWriters, Provenance, write_series_csv, write_summary_json};
use crate::export::partial::{
    Part, PartialMeta, RESULTS_FILE, ResultsReader, ResultsWriter, SERIES_FILE, SeriesReader, SeriesWriter, write_meta,
};
use crate::model::{Scenario, ScenarioError};
use crate::sim::{Control, CorrelatedDraws, Engine, Record, Results, Shard, SimOptions, simulate_range};

pub use crate::export::report::fmt_num;
pub use crate::export::study::CHUNK_RUNS;

/// A scenario as loaded: the checked scenario, its text (for the hash) and its name for
/// messages.
pub struct Loaded {
    pub scenario: Scenario,
    pub text: String,
    pub origin: String,
}

impl Loaded {
    /// The scenario with `--runs` and `--seed` applied.
    ///
    /// # Errors
    /// A run count or seed out of range.
    pub fn with_overrides(mut self, runs: Option<u64>, seed: Option<u64>) -> Result<Loaded, ScenarioError> {
        if let Some(r) = runs {
            self.scenario = self.scenario.with_runs(r)?;
        }
        if let Some(s) = seed {
            self.scenario = self.scenario.with_seed(s)?;
        }
        Ok(self)
    }
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
                s.name(),
                s.world().len(),
                s.uncertain_params().len(),
                s.jurisdictions().len(),
                s.policies().len(),
                s.run().runs,
                s.run().steps()
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
    let loaded = load(&args.file)?.with_overrides(args.runs, args.seed)?;
    let threads = args.threads.map(|t| t as usize);
    if let Some(shard) = args.shard {
        let dir =
            args.out.as_deref().ok_or_else(|| InvalidInput("--shard needs --out DIR for its partial result".into()))?;
        check_shard(shard, loaded.scenario.run().runs)?;
        let mode = Mode::Shard { shard, args: Vec::new() };
        let out = execute(&loaded, threads, Some(dir), args.quiet, started, mode)?;
        let r = &out.results.runs;
        println!(
            "shard {shard} of {}: runs {}..{} of {} in {:.3} s, {} threads; partial result in {} (combine the shards \
             with `tierlab merge --out DIR SHARD_DIR...`)",
            loaded.origin,
            r.start,
            r.end,
            loaded.scenario.run().runs,
            out.provenance.wall_time_s,
            out.provenance.threads,
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let out = execute(&loaded, threads, args.out.as_deref(), args.quiet, started, Mode::Whole)?;
    print_summary(&loaded, &out);
    if let Some(dir) = &args.out {
        eprintln!("wrote runs.csv, jurisdictions.csv, params.csv, series.csv and summary.json to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Refuses a shard without runs: every shard must simulate at least one.
///
/// # Errors
/// More shards than runs.
pub fn check_shard(shard: Shard, runs: u64) -> Result<(), InvalidInput> {
    if shard.count > runs {
        return Err(InvalidInput(format!(
            "--shard {shard}: {runs} runs cannot be cut into {} shards; use at most {runs}",
            shard.count
        )));
    }
    Ok(())
}

/// Runs held in memory at once when the per-step series of every run are recorded (about
/// 6 KB a run on the baseline): the series go to a file chunk by chunk.
pub const SERIES_CHUNK_RUNS: u64 = 16_384;

/// What [`execute`] does with the runs.
pub enum Mode<'a> {
    /// Simulate every run.
    Whole,
    /// Simulate one shard's runs and write them as a partial result (needs `out`).
    Shard { shard: Shard, args: Vec<String> },
    /// Read every shard's runs back (in shard order) instead of simulating.
    Merge(&'a [Part]),
}

/// Simulates a loaded scenario (or reads merged shards back); with `out`, writes every file
/// of SCENARIO.md there, or for a shard its partial result. A merge goes through the same
/// steps as one machine, chunk for chunk of the same runs, so it writes the same bytes.
///
/// # Errors
/// A thread pool that cannot start, an output file that cannot be written, or shards that
/// cannot be read.
pub fn execute(
    loaded: &Loaded,
    threads: Option<usize>,
    out: Option<&Path>,
    quiet: bool,
    started: Instant,
    mode: Mode<'_>,
) -> anyhow::Result<RunOutput> {
    let s = &loaded.scenario;
    let runs = s.run().runs;
    let range = match &mode {
        Mode::Shard { shard, .. } => shard.range(runs),
        _ => 0..runs,
    };
    let engine = Engine::new(s);
    let control = Control::new();
    let cannot_write = |what: &str| match out {
        Some(dir) => format!("cannot write {what} to {}", dir.display()),
        None => format!("cannot write {what}"),
    };
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).with_context(|| cannot_write("the output"))?;
    }
    let sharding = matches!(mode, Mode::Shard { .. });
    let mut writers = match out {
        Some(dir) if !sharding => Some(OutputWriters::create(dir).with_context(|| cannot_write("the run files"))?),
        _ => None,
    };
    let mut partial = match out {
        Some(dir) if sharding => Some(ResultsWriter::create(dir).with_context(|| cannot_write(RESULTS_FILE))?),
        _ => None,
    };
    // Every run's series, chunk by chunk: a temporary file for one machine, the shard's
    // series.bin for a shard; a merge reads the shards' files.
    let series_path = out.map(|dir| {
        if sharding { dir.join(SERIES_FILE) } else { dir.join(format!(".series-{}.bin.tmp", std::process::id())) }
    });
    let mut series_file = match (&series_path, &mode) {
        (Some(p), Mode::Whole | Mode::Shard { .. }) => {
            Some(SeriesWriter::create(p).with_context(|| cannot_write("the per-step series"))?)
        }
        _ => None,
    };
    // Per-jurisdiction outcomes stay in memory for the summary up to one chunk's worth.
    let keep_jurisdictions = runs <= CHUNK_RUNS;
    let chunk_runs = if out.is_some() { SERIES_CHUNK_RUNS } else { CHUNK_RUNS };
    let bar = progress::bar(range.end - range.start, progress::RUNS, quiet || runs < 50_000);
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
    let mut clamped: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let mut body = || -> anyhow::Result<Results> {
        let mut combined: Option<Results> = None;
        let mut take = |chunk: Results| -> anyhow::Result<()> {
            if let Some(w) = writers.as_mut() {
                w.write_chunk(s, &chunk).context("cannot write the run files")?;
            }
            if let Some(w) = series_file.as_mut() {
                w.append(&chunk).with_context(|| cannot_write("the per-step series"))?;
            }
            if let Some(w) = partial.as_mut() {
                w.append(&chunk).with_context(|| cannot_write(RESULTS_FILE))?;
            }
            if let Some(b) = &bar {
                b.set_position(chunk.runs.end - range.start);
            }
            // The combined results keep no draws, so clamps are counted chunk by chunk.
            for (key, n) in clamped_draws(&chunk) {
                *clamped.entry(key).or_insert(0) += n;
            }
            match combined.as_mut() {
                None => {
                    let mut c = chunk;
                    c.series = Vec::new();
                    c.series_runs = 0;
                    c.params = Vec::new();
                    if !keep_jurisdictions {
                        c.jurisdictions = Vec::new();
                    }
                    combined = Some(c);
                }
                Some(c) => {
                    c.outcomes.extend_from_slice(&chunk.outcomes);
                    if keep_jurisdictions {
                        c.jurisdictions.extend_from_slice(&chunk.jurisdictions);
                    }
                    c.runs.end = chunk.runs.end;
                }
            }
            Ok(())
        };
        match &mode {
            Mode::Merge(parts) => {
                for part in *parts {
                    let mut reader = ResultsReader::open(&part.dir)?;
                    while let Some(chunk) = reader.next_results()? {
                        take(chunk)?;
                    }
                }
            }
            Mode::Whole | Mode::Shard { .. } => {
                let correlated = CorrelatedDraws::for_range(s, &engine, range.clone());
                let mut start = range.start;
                while start < range.end {
                    let end = (start + chunk_runs).min(range.end);
                    let opts = SimOptions {
                        threads: None,
                        record: Record {
                            jurisdictions: out.is_some() || keep_jurisdictions,
                            series_runs: if out.is_some() { end - start } else { 0 },
                            params: out.is_some(),
                        },
                        param_overrides: Vec::new(),
                    };
                    take(simulate_range(&engine, correlated.as_ref(), start..end, &opts, &control)?)?;
                    start = end;
                }
            }
        }
        let combined = combined.ok_or_else(|| anyhow::anyhow!("no runs"))?;
        if combined.runs != range {
            anyhow::bail!("the shards hold runs {:?}, not {:?}", combined.runs, range);
        }
        Ok(combined)
    };
    let results = match &pool {
        Some(p) => p.install(&mut body)?,
        None => body()?,
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
    let mut provenance = Provenance::new(s, &loaded.origin, &loaded.text);
    provenance.threads = pool.as_ref().map_or_else(rayon::current_num_threads, rayon::ThreadPool::current_num_threads);
    if let Mode::Shard { shard, args } = &mode {
        let dir = out.ok_or_else(|| anyhow::anyhow!("a shard needs --out DIR"))?;
        partial.take().map(ResultsWriter::finish).transpose().with_context(|| cannot_write(RESULTS_FILE))?;
        series_file.take().map(SeriesWriter::finish).transpose().with_context(|| cannot_write(SERIES_FILE))?;
        let meta = partial_meta("run", args.clone(), *shard, loaded, 1);
        write_meta(dir, &meta, &loaded.text).with_context(|| cannot_write("partial.json"))?;
        provenance.wall_time_s = started.elapsed().as_secs_f64();
        let summary = summarise(&results, &names, s.run().reference);
        return Ok(RunOutput { results, summary, provenance });
    }
    let mut summary = match &pool {
        Some(p) => p.install(|| summarise(&results, &names, s.run().reference)),
        None => summarise(&results, &names, s.run().reference),
    };
    summary.clamped_draws = std::mem::take(&mut clamped);
    for (key, n) in &summary.clamped_draws {
        let cap = crate::model::params::draw_cap(key.trim_start_matches("world.")).unwrap_or(f64::INFINITY);
        eprintln!(
            "note: {key}: {n} of {} runs drew a value above {cap} and were clamped to it (summary.json: clamped_draws)",
            results.n_runs()
        );
    }
    if let (Some(w), Some(dir)) = (writers, out) {
        w.finish().context("cannot write the run files")?;
        let series_paths: Vec<PathBuf> = match &mode {
            Mode::Merge(parts) => parts.iter().map(|p| p.dir.join(SERIES_FILE)).collect(),
            _ => series_path.iter().cloned().collect(),
        };
        if let Some(f) = series_file.take() {
            f.finish().with_context(|| cannot_write("the per-step series"))?;
        }
        let series = {
            let reader = SeriesReader::open(&series_paths)?;
            let summarise = || summarise_series_from(&reader, &jurisdiction_names(s));
            match &pool {
                Some(p) => p.install(summarise),
                None => summarise(),
            }
        };
        if !matches!(mode, Mode::Merge(_)) {
            for p in &series_paths {
                let _ = std::fs::remove_file(p);
            }
        }
        let series = series.context("cannot read the per-step series back")?;
        provenance.series_runs = series.runs;
        write_series_csv(&dir.join("series.csv"), &names, &series).context("cannot write series.csv")?;
        provenance.wall_time_s = started.elapsed().as_secs_f64();
        write_summary_json(&dir.join("summary.json"), &summary, &provenance).context("cannot write summary.json")?;
    }
    provenance.wall_time_s = started.elapsed().as_secs_f64();
    Ok(RunOutput { results, summary, provenance })
}

/// The partial.json of a shard of `command`.
pub fn partial_meta(
    command: &str,
    args: Vec<String>,
    shard: Shard,
    loaded: &Loaded,
    simulations: usize,
) -> PartialMeta {
    let s = &loaded.scenario;
    let range = shard.range(s.run().runs);
    PartialMeta {
        tool: "tierlab".into(),
        version: crate::VERSION.into(),
        command: command.into(),
        args,
        shard: shard.index,
        shards: shard.count,
        first_run: range.start,
        end_run: range.end,
        runs: s.run().runs,
        seed: s.run().seed,
        scenario_sha256: crate::model::scenario::sha256_hex(&loaded.text),
        scenario_file: loaded.origin.clone(),
        simulations,
    }
}

pub fn jurisdiction_names(s: &Scenario) -> Vec<String> {
    s.jurisdictions().iter().map(|j| j.name.clone()).collect()
}

fn pm(mean: f64, se: f64) -> String {
    format!("{} ± {}", fmt_num(mean), fmt_num(se))
}

fn print_summary(loaded: &Loaded, out: &RunOutput) {
    let s = &loaded.scenario;
    let p = &out.provenance;
    let sum = &out.summary;
    println!("{} — {}", s.name(), loaded.origin);
    println!(
        "{} runs x {} policies x {} steps, seed {}, {} threads, {:.3} s, scenario sha256 {}",
        p.runs,
        s.policies().len(),
        s.run().steps(),
        p.seed,
        p.threads,
        p.wall_time_s,
        p.short_hash()
    );
    println!("Money in $B (2025), discounted; ± is one Monte Carlo standard error.\n");
    let baseline = &sum.policies[sum.baseline].name;
    let name_w = s.policies().iter().map(|p| p.name.chars().count()).max().unwrap_or(6).max(6);
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
    print_levers(s, out, name_w);
}

/// What the policy levers cost and what evaluation error changes, for policies that have them.
fn print_levers(s: &Scenario, out: &RunOutput, name_w: usize) {
    let sum = &out.summary;
    let spenders: Vec<_> = sum.policies.iter().filter_map(|p| Some((&p.name, p.spending_mean?))).collect();
    if !spenders.is_empty() {
        println!("\nSpending on the policy levers (discounted, already taken off net):");
        for (name, x) in spenders {
            println!("  {name:<name_w$}  {} $B", fmt_num(x));
        }
    }
    let shares = crate::analysis::levers::evaluation_shares(s, &out.results);
    let baseline = &s.policies()[s.run().reference].name;
    if !shares.is_empty() {
        println!(
            "\nEvaluation error: change against \"{baseline}\" = change with exact evaluations + part due to error"
        );
    }
    for e in &shares {
        println!(
            "  {:<name_w$}  benefit {} = {} + {} ± {}   harm {} = {} + {} ± {}   (exact: \"{}\")",
            s.policies()[e.policy].name,
            fmt_num(e.benefit_change),
            fmt_num(e.benefit_change_exact),
            fmt_num(e.benefit_from_error),
            fmt_num(e.benefit_from_error_se),
            fmt_num(e.harm_change),
            fmt_num(e.harm_change_exact),
            fmt_num(e.harm_from_error),
            fmt_num(e.harm_from_error_se),
            s.policies()[e.exact].name,
        );
    }
    for (p, policy) in s.policies().iter().enumerate() {
        let noisy = policy.levers.evaluation.is_some_and(|e| e.sd != 0.0 || e.bias != 0.0);
        if noisy && !shares.iter().any(|e| e.policy == p) {
            println!(
                "  note: add a copy of \"{}\" without [policy.evaluation] to see how much of its change comes from evaluation error",
                policy.name
            );
        }
    }
}
