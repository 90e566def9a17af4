//! `tierlab sweep`: one regime parameter of one policy over a grid on common random numbers,
//! or against a world parameter (2-D); a table on stdout, sweep.csv / sweep2d.csv and
//! sweep.json with `--out`.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::merge::{Source, finish_shard};
use super::run::{Loaded, fmt_num, load};
use super::{CommonRunArgs, InvalidInput, SweepArgs, progress};
use crate::analysis::sweep::{
    BestThreshold, BootstrapOptions, Constraint, DEFAULT_BOOTSTRAP, Sweep, Sweep2d, SweepError, SweepOptions,
    SweepParam, SweepPoint, SweepSpec, WorldAxis, best_threshold, check_grid, grid, progress_total, sweep_2d_from,
    sweep_from, world_param,
};
use crate::export::data::{Provenance, write_atomic};
use crate::export::tables::{sweep_csv, sweep_json, sweep2d_csv, sweep2d_json};
use crate::model::Scenario;
use crate::sim::Control;

/// Grid points of the world axis when `--steps2` is not given.
pub const DEFAULT_STEPS2: usize = 11;

pub(crate) fn invalid(msg: impl Into<String>) -> anyhow::Error {
    InvalidInput(msg.into()).into()
}

fn sweep_error(e: SweepError) -> anyhow::Error {
    if e.is_invalid_input() { invalid(e.to_string()) } else { e.into() }
}

/// Applies `--runs` and `--seed` to a loaded scenario.
pub(crate) fn apply_common(loaded: Loaded, common: &CommonRunArgs) -> anyhow::Result<Loaded> {
    Ok(loaded.with_overrides(common.runs, common.seed)?)
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

/// Runs `work` while a progress bar (only when stderr is a terminal and not `quiet`) follows
/// `control.runs_done()` up to `total`.
pub(crate) fn with_progress<T: Send>(total: u64, quiet: bool, control: &Control, work: impl FnOnce() -> T + Send) -> T {
    let Some(bar) = progress::bar(total, progress::RUNS, quiet) else {
        return work();
    };
    let out = progress::polled(Duration::from_millis(50), || bar.set_position(control.runs_done().min(total)), work);
    bar.finish_and_clear();
    out
}

/// A grid value for tables and tick labels: up to 4 decimals, trailing zeros dropped.
pub fn fmt_value(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn pm(mean: f64, se: f64) -> String {
    format!("{} ± {}", fmt_num(mean), fmt_num(se))
}

/// `tierlab sweep`.
///
/// # Errors
/// Invalid input (exit code 2), cancellation, or a file that cannot be written.
pub fn run(args: SweepArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let loaded = load(&args.file)?;
    run_loaded(args, loaded, Source::Simulate, started)
}

/// `tierlab sweep` on a loaded scenario: simulated, a shard of it (`--shard`), or the merged
/// shards (`tierlab merge`).
///
/// # Errors
/// As [`run`].
pub fn run_loaded(args: SweepArgs, loaded: Loaded, source: Source, started: Instant) -> anyhow::Result<ExitCode> {
    let loaded = apply_common(loaded, &args.common)?;
    let s = &loaded.scenario;
    let param = SweepParam::parse(&args.param).ok_or_else(|| {
        invalid(format!("--param {:?} is not a regime parameter; use open_below, gated_below or drift", args.param))
    })?;
    check_grid("--from/--to/--steps", args.from, args.to, args.steps).map_err(invalid)?;
    let policy = match args.policy.as_deref() {
        Some(name) => policy_named(s, name)?,
        None => {
            let nj = s.jurisdictions().len();
            s.policies().iter().position(|p| (0..nj).any(|j| p.regime_for(j).is_tiered())).ok_or_else(|| {
                invalid(format!(
                    "no policy of {} has a tiered regime to sweep; the policies are {}",
                    loaded.origin,
                    policy_list(s)
                ))
            })?
        }
    };
    let constraint = Constraint { max_p_catastrophe: args.max_p_catastrophe, max_cvar95: args.max_cvar95 };
    constraint.check().map_err(invalid)?;
    let spec = SweepSpec { policy, param, values: grid(args.from, args.to, args.steps) };
    let opts = SweepOptions { threads: args.common.threads.map(|t| t as usize) };
    let control = Control::new();
    let source = source.run_source(args.shard, args.out.as_deref(), s.run().runs)?;
    let mut provenance = Provenance::new(s, &loaded.origin, &loaded.text);
    provenance.threads = opts.threads.unwrap_or_else(rayon::current_num_threads);

    let Some(key2) = args.param2.as_deref() else {
        if args.from2.is_some() || args.to2.is_some() || args.steps2.is_some() {
            return Err(invalid("--from2, --to2 and --steps2 need --param2 world.KEY"));
        }
        let result = with_progress(progress_total(s, 0), args.common.quiet, &control, || {
            sweep_from(s, &spec, &opts, &source, &control)
        })
        .map_err(sweep_error)?;
        if let (Some(shard), Some(dir)) = (args.shard, &args.out) {
            return finish_shard("sweep", shard, &loaded, source, dir);
        }
        let best = best_threshold(
            &result,
            &constraint,
            &BootstrapOptions { replicates: DEFAULT_BOOTSTRAP, seed: s.run().seed },
        );
        provenance.wall_time_s = started.elapsed().as_secs_f64();
        print_sweep(&loaded, &provenance, &result, &best);
        if let Some(dir) = &args.out {
            write_sweep(dir, &provenance, &result, &best)?;
            eprintln!("wrote sweep.csv and sweep.json to {}", dir.display());
        }
        return Ok(ExitCode::SUCCESS);
    };

    let param2 = world_param(key2).map_err(|e| invalid(format!("--param2: {e}")))?;
    let (Some(from2), Some(to2)) = (args.from2, args.to2) else {
        return Err(invalid("--param2 needs --from2 and --to2 (and optionally --steps2)"));
    };
    let steps2 = args.steps2.unwrap_or(DEFAULT_STEPS2);
    check_grid("--from2/--to2/--steps2", from2, to2, steps2).map_err(invalid)?;
    let axis = WorldAxis { param: param2, values: grid(from2, to2, steps2) };
    let result = with_progress(progress_total(s, steps2), args.common.quiet, &control, || {
        sweep_2d_from(s, &spec, &axis, &opts, &source, &control)
    })
    .map_err(sweep_error)?;
    if let (Some(shard), Some(dir)) = (args.shard, &args.out) {
        return finish_shard("sweep", shard, &loaded, source, dir);
    }
    provenance.wall_time_s = started.elapsed().as_secs_f64();
    print_sweep_2d(&loaded, &provenance, &result, &constraint);
    if let Some(dir) = &args.out {
        write_sweep_2d(dir, &provenance, &result, &constraint)?;
        eprintln!("wrote sweep2d.csv and sweep.json to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn header_lines(loaded: &Loaded, p: &Provenance, what: &str) {
    println!("{what} — {} ({})", loaded.scenario.name(), loaded.origin);
    println!(
        "{} runs per point, seed {}, {} threads, {:.3} s, scenario sha256 {}",
        p.runs,
        p.seed,
        p.threads,
        p.wall_time_s,
        p.short_hash()
    );
    println!(
        "Every point sees the same simulated worlds (common random numbers). Money in $B (2025), discounted; \
         ± is one Monte Carlo standard error.\n"
    );
}

fn print_sweep(loaded: &Loaded, p: &Provenance, sw: &Sweep, best: &BestThreshold) {
    let key = sw.param.key();
    header_lines(loaded, p, &format!("Sweep of {key} ({}) in policy \"{}\"", sw.param.unit(), sw.policy));
    println!(
        "{:>11}  {:>16}  {:>8}  {:>8}  {:>20}  {:>8}  {:>9}  {:>6}  {:>9}  {:>16}  {:>9}",
        key,
        "net",
        "benefit",
        "harm",
        "P(catastrophe)",
        "CVaR95",
        "hazard yr",
        "open",
        "P(>curr.)",
        "Δnet vs baseline",
        "P(>base.)"
    );
    let best_index = best.best.as_ref().map(|b| b.index);
    let row = |label: String, pt: &SweepPoint, note: &str| {
        let pc = format!("{:.3} [{:.3},{:.3}]", pt.p_catastrophe, pt.p_catastrophe_lo, pt.p_catastrophe_hi);
        let hy = pt.hazard_year_median.map_or_else(|| "never".to_string(), |y| format!("{y:.2}"));
        println!(
            "{:>11}  {:>16}  {:>8}  {:>8}  {:>20}  {:>8}  {:>9}  {:>6.3}  {:>9.3}  {:>16}  {:>9.3}{note}",
            label,
            pm(pt.net_mean, pt.net_se),
            fmt_num(pt.benefit_mean),
            fmt_num(pt.harm_mean),
            pc,
            fmt_num(pt.cvar95_harm),
            hy,
            pt.open_share_end,
            pt.p_better_than_current,
            pm(pt.net_diff_mean, pt.net_diff_se),
            pt.p_better_than_baseline
        );
    };
    for (i, pt) in sw.points.iter().enumerate() {
        let mark = if best_index == Some(i) { "*" } else { " " };
        let mut note = String::new();
        if pt.value == sw.current_value {
            note.push_str("  <- current");
        }
        if pt.clamped {
            note.push_str("  (gated_below clamped to open_below)");
        }
        row(format!("{mark}{}", fmt_value(pt.value)), pt, &note);
    }
    if !sw.points.iter().any(|pt| pt.value == sw.current_value) {
        row(format!("({})", fmt_value(sw.current_value)), &sw.current, "  current setting, not on the grid");
    }
    println!(
        "\nhazard yr: median year the open pool reaches the hazard threshold (never: in under half the runs). \
         open: final development share of jurisdictions left open. P(>curr.): P(net better than the current \
         setting, {key} = {}). Paired against \"{}\".",
        fmt_value(sw.current_value),
        sw.baseline
    );
    println!("\n{}{}", if best_index.is_some() { "* " } else { "" }, best.statement);
    let r = &sw.robustness;
    if !r.options.is_empty() {
        let name = |i: usize| &r.options[i].name;
        println!(
            "Robustness, regret per world against the best grid point in that world: the least maximum regret at \
             {key} = {} (max {} $B), the least 95th-percentile regret at {key} = {} (p95 {} $B); best expected at {key} \
             = {}, no cap.",
            name(r.minimax_regret),
            fmt_num(r.options[r.minimax_regret].regret_max),
            name(r.min_p95_regret),
            fmt_num(r.options[r.min_p95_regret].regret_p95),
            name(r.best_expected)
        );
    }
}

fn print_sweep_2d(loaded: &Loaded, p: &Provenance, sw: &Sweep2d, constraint: &Constraint) {
    let key = sw.param.key();
    header_lines(loaded, p, &format!("Sweep of {key} in policy \"{}\" against {}", sw.policy, sw.param2));
    let capped = constraint.max_p_catastrophe.is_some() || constraint.max_cvar95.is_some();
    println!(
        "Per value of {}: the {key} with the highest expected net difference to \"{}\"{}",
        sw.param2,
        sw.baseline,
        if capped { format!(", and the best {key} under {}", constraint.describe()) } else { String::new() }
    );
    let best_capped = sw.best_by_row(constraint);
    let key2 = sw.param2.trim_start_matches("world.");
    let w2 = key2.len().max(12);
    println!(
        "{:>w2$}  {:>11}  {:>18}  {:>9}{}",
        key2,
        format!("best {key}"),
        "Δnet vs baseline",
        "P(better)",
        if capped { format!("  {:>14}", "best under cap") } else { String::new() }
    );
    let n = sw.values.len();
    for (i2, &v2) in sw.values2.iter().enumerate() {
        let row = &sw.cells[i2 * n..(i2 + 1) * n];
        let Some(c) = row.iter().max_by(|a, b| a.point.net_diff_mean.total_cmp(&b.point.net_diff_mean)) else {
            continue;
        };
        let cap = if capped {
            format!("  {:>14}", best_capped[i2].map_or_else(|| "none".to_string(), |j| fmt_value(sw.values[j])))
        } else {
            String::new()
        };
        println!(
            "{:>w2$}  {:>11}  {:>18}  {:>9.3}{cap}",
            fmt_value(v2),
            fmt_value(c.point.value),
            pm(c.point.net_diff_mean, c.point.net_diff_se),
            c.point.p_better_than_baseline
        );
    }
    if n <= 30 {
        println!("\nP(better than \"{}\") in percent; rows: {}, columns: {key}", sw.baseline, sw.param2);
        print!("{:>12} ", "");
        for &v in &sw.values {
            print!("{:>6}", fmt_value(v));
        }
        println!();
        for (i2, &v2) in sw.values2.iter().enumerate().rev() {
            print!("{:>12} ", fmt_value(v2));
            for i in 0..n {
                print!("{:>6.0}", 100.0 * sw.cell(i, i2).point.p_better_than_baseline);
            }
            println!();
        }
    }
    let lines = &sw.contour_p_better_half;
    println!(
        "\nP(better) = 0.5 contour: {} line{} ({} points in all; in sweep.json).",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" },
        lines.iter().map(Vec::len).sum::<usize>()
    );
}

/// Writes an analysis's files (its CSV, then the JSON beside it) into `dir`, creating it.
pub(super) fn write_files<const N: usize>(dir: &Path, files: [(&str, Vec<u8>); N]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn write_sweep(dir: &Path, p: &Provenance, sw: &Sweep, best: &BestThreshold) -> anyhow::Result<()> {
    write_files(dir, [("sweep.csv", sweep_csv(sw)?), ("sweep.json", sweep_json(p, sw, Some(best), None)?)])
}

fn write_sweep_2d(dir: &Path, p: &Provenance, sw: &Sweep2d, constraint: &Constraint) -> anyhow::Result<()> {
    write_files(dir, [("sweep2d.csv", sweep2d_csv(sw)?), ("sweep.json", sweep2d_json(p, sw, Some(constraint), None)?)])
}
