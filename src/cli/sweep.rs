//! `tierlab sweep`: one regime parameter of one policy over a grid on common random numbers,
//! or against a world parameter (2-D); a table on stdout, sweep.csv / sweep2d.csv and
//! sweep.json with `--out`.

use std::path::Path;

use anyhow::Context as _;

use super::config::{CommandConfig, RunConfig};
use crate::analysis::sweep::{BestThreshold, Constraint, Sweep, Sweep2d, SweepPoint};
use crate::export::data::write_atomic;
use crate::export::tables::{sweep_csv, sweep_json, sweep2d_csv, sweep2d_json};
use crate::fmt;
use crate::study::{Input, Provenance, Study};

/// What `tierlab sweep` prints and writes once the study is made (also after a merge).
///
/// # Errors
/// A file that cannot be written.
pub fn output(config: &RunConfig, study: &Study) -> anyhow::Result<()> {
    let CommandConfig::Sweep { constraint, .. } = &config.command else {
        anyhow::bail!("not a sweep");
    };
    let p = &study.provenance;
    if let (Some(sw), Some(best)) = (&study.sweep, &study.best_threshold) {
        print_sweep(&config.input, p, sw, best);
        if let Some(dir) = &config.out {
            write_files(dir, [("sweep.csv", sweep_csv(sw)?), ("sweep.json", sweep_json(p, sw, Some(best), None)?)])?;
            eprintln!("wrote sweep.csv and sweep.json to {}", dir.display());
        }
    } else if let Some(sw) = &study.sweep_2d {
        print_sweep_2d(&config.input, p, sw, constraint);
        if let Some(dir) = &config.out {
            write_files(
                dir,
                [("sweep2d.csv", sweep2d_csv(sw)?), ("sweep.json", sweep2d_json(p, sw, Some(constraint), None)?)],
            )?;
            eprintln!("wrote sweep2d.csv and sweep.json to {}", dir.display());
        }
    }
    Ok(())
}

pub(super) fn header_lines(input: &Input, p: &Provenance, what: &str) {
    println!("{what} — {} ({})", input.scenario.name(), input.source.origin);
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

fn print_sweep(input: &Input, p: &Provenance, sw: &Sweep, best: &BestThreshold) {
    let key = sw.param.key();
    header_lines(input, p, &format!("Sweep of {key} ({}) in policy \"{}\"", sw.unit(), sw.policy));
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
        "Δnet vs ref.",
        "P(>ref.)"
    );
    let best_index = best.best.as_ref().map(|b| b.index);
    let row = |label: String, pt: &SweepPoint, note: &str| {
        let pc = format!("{:.3} [{:.3},{:.3}]", pt.p_catastrophe, pt.p_catastrophe_lo, pt.p_catastrophe_hi);
        let hy = pt.hazard_year_median.map_or_else(|| "never".to_string(), |y| format!("{y:.2}"));
        println!(
            "{:>11}  {:>16}  {:>8}  {:>8}  {:>20}  {:>8}  {:>9}  {:>6.3}  {:>9.3}  {:>16}  {:>9.3}{note}",
            label,
            fmt::plus_minus(pt.net_mean, pt.net_se),
            fmt::number(pt.benefit_mean),
            fmt::number(pt.harm_mean),
            pc,
            fmt::number(pt.cvar95_harm),
            hy,
            pt.open_share_end,
            pt.p_better_than_current,
            fmt::plus_minus(pt.net_diff_mean, pt.net_diff_se),
            pt.p_better_than_reference
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
        row(format!("{mark}{}", fmt::grid_column(pt.value)), pt, &note);
    }
    if !sw.points.iter().any(|pt| pt.value == sw.current_value) {
        row(format!("({})", fmt::grid_column(sw.current_value)), &sw.current, "  current setting, not on the grid");
    }
    println!(
        "\nhazard yr: median year the open pool reaches the hazard threshold (never: in under half the runs). \
         open: final development share of jurisdictions left open. P(>curr.): P(net better than the current \
         setting, {key} = {}). Paired against \"{}\".",
        fmt::grid_column(sw.current_value),
        sw.reference
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
            fmt::number(r.options[r.minimax_regret].regret_max),
            name(r.min_p95_regret),
            fmt::number(r.options[r.min_p95_regret].regret_p95),
            name(r.best_expected)
        );
    }
}

fn print_sweep_2d(input: &Input, p: &Provenance, sw: &Sweep2d, constraint: &Constraint) {
    let key = sw.param.key();
    header_lines(input, p, &format!("Sweep of {key} in policy \"{}\" against {}", sw.policy, sw.param2));
    let capped = constraint.max_p_catastrophe.is_some() || constraint.max_cvar95.is_some();
    println!(
        "Per value of {}: the {key} with the highest expected net difference to \"{}\"{}",
        sw.param2,
        sw.reference,
        if capped { format!(", and the best {key} under {}", constraint.describe()) } else { String::new() }
    );
    let best_capped = sw.best_by_row(constraint);
    let key2 = sw.param2.trim_start_matches("world.");
    let w2 = key2.len().max(12);
    println!(
        "{:>w2$}  {:>11}  {:>18}  {:>9}{}",
        key2,
        format!("best {key}"),
        "Δnet vs reference",
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
            format!("  {:>14}", best_capped[i2].map_or_else(|| "none".to_string(), |j| fmt::grid_column(sw.values[j])))
        } else {
            String::new()
        };
        println!(
            "{:>w2$}  {:>11}  {:>18}  {:>9.3}{cap}",
            fmt::grid_column(v2),
            fmt::grid_column(c.point.value),
            fmt::plus_minus(c.point.net_diff_mean, c.point.net_diff_se),
            c.point.p_better_than_reference
        );
    }
    if n <= 30 {
        println!("\nP(better than \"{}\") in percent; rows: {}, columns: {key}", sw.reference, sw.param2);
        print!("{:>12} ", "");
        for &v in &sw.values {
            print!("{:>6}", fmt::grid_column(v));
        }
        println!();
        for (i2, &v2) in sw.values2.iter().enumerate().rev() {
            print!("{:>12} ", fmt::grid_column(v2));
            for i in 0..n {
                print!("{:>6.0}", 100.0 * sw.cell(i, i2).point.p_better_than_reference);
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
