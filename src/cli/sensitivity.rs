//! `tierlab sensitivity`: which uncertain parameters drive an outcome (Spearman, PRCC,
//! one-at-a-time tornado) and what the worst 5% of runs drew; a ranking on stdout,
//! sensitivity.csv and sensitivity.json with `--out`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use super::SensitivityArgs;
use super::merge::{Source, finish_shard};
use super::run::{Loaded, fmt_num, load};
use super::sweep::{apply_common, invalid, policy_named, with_progress, write_files};
use crate::analysis::sensitivity::{
    Output, Sensitivity, SensitivityError, SensitivityOptions, SensitivitySpec, TailBy, progress_total,
    sensitivity_from,
};
use crate::export::data::Provenance;
use crate::export::tables::{sensitivity_csv, sensitivity_json};
use crate::sim::Control;

/// `tierlab sensitivity`.
///
/// # Errors
/// Invalid input (exit code 2), cancellation, or a file that cannot be written.
pub fn run(args: SensitivityArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let loaded = load(&args.file)?;
    run_loaded(args, loaded, Source::Simulate, started)
}

/// `tierlab sensitivity` on a loaded scenario: simulated, a shard of it (`--shard`), or the
/// merged shards (`tierlab merge`).
///
/// # Errors
/// As [`run`].
pub fn run_loaded(args: SensitivityArgs, loaded: Loaded, source: Source, started: Instant) -> anyhow::Result<ExitCode> {
    let loaded = apply_common(loaded, &args.common)?;
    let s = &loaded.scenario;
    let output = Output::parse(&args.output).ok_or_else(|| {
        invalid(format!(
            "--output {:?} is not an output; use benefit, harm, net, net_diff (net minus the baseline policy's) \
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
            "--output net_diff compares a policy with the baseline policy \"{}\"; choose another --policy",
            s.reference_policy().name
        )));
    }
    let spec = SensitivitySpec::new(policy, output);
    let opts = SensitivityOptions { threads: args.common.threads.map(|t| t as usize) };
    let control = Control::new();
    let source = source.run_source(args.shard, args.out.as_deref(), s.run().runs)?;
    let result = with_progress(progress_total(s, &spec), args.common.quiet, &control, || {
        sensitivity_from(s, &spec, &opts, &source, &control)
    })
    .map_err(|e: SensitivityError| if e.is_invalid_input() { invalid(e.to_string()) } else { e.into() })?;
    if let (Some(shard), Some(dir)) = (args.shard, &args.out) {
        return finish_shard("sensitivity", shard, &loaded, source, dir);
    }
    let mut provenance = Provenance::new(s, &loaded.origin, &loaded.text);
    provenance.threads = opts.threads.unwrap_or_else(rayon::current_num_threads);
    provenance.wall_time_s = started.elapsed().as_secs_f64();
    print_sensitivity(&loaded, &provenance, &result);
    if let Some(dir) = &args.out {
        write_sensitivity(dir, &provenance, &result)?;
        eprintln!("wrote sensitivity.csv and sensitivity.json to {}", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn signed(x: f64) -> String {
    if x.is_finite() { format!("{x:+.3}") } else { "n/a".into() }
}

fn print_sensitivity(loaded: &Loaded, p: &Provenance, r: &Sensitivity) {
    let out = r.output.key();
    println!("Sensitivity of {out} under \"{}\" — {} ({})", r.policy, loaded.scenario.name(), loaded.origin);
    println!(
        "{} runs, {} uncertain parameters, seed {}, {} threads, {:.3} s, scenario sha256 {}",
        p.runs,
        r.params.len(),
        p.seed,
        p.threads,
        p.wall_time_s,
        p.short_hash()
    );
    let what = match r.output {
        Output::NetDiff => format!(" $B: net minus the net of \"{}\" in the same run", r.baseline),
        Output::Catastrophe => ": P(at least one catastrophe)".into(),
        _ => " $B (2025, discounted)".into(),
    };
    println!("Mean {out}: {} ± {}{what}.", fmt_num(r.output_mean), fmt_num(r.output_se));
    println!(
        "Tornado: each parameter held at its 10th, then 90th percentile in every run while the others keep \
         their draws (same worlds); swing = |high - low| of the mean. Spearman and PRCC (partial rank \
         correlation) from the runs with every parameter drawn.\n"
    );
    let w = r.params.iter().map(|x| x.param.len()).max().unwrap_or(5).max(5);
    println!(
        "{:<w$}  {:>8}  {:>7}  {:>10} {:>10}  {:>10} {:>10}  {:>10}",
        "param", "spearman", "PRCC", "p10", "low", "p90", "high", "swing"
    );
    for x in &r.params {
        println!(
            "{:<w$}  {:>8}  {:>7}  {:>10} {:>10}  {:>10} {:>10}  {:>10}",
            x.param,
            signed(x.spearman),
            signed(x.prcc),
            fmt_num(x.p10),
            fmt_num(x.low),
            fmt_num(x.p90),
            fmt_num(x.high),
            fmt_num(x.swing)
        );
    }
    let t = &r.tail;
    let by = match t.by {
        TailBy::Harm => format!("highest harm: harm >= {} $B", fmt_num(t.threshold)),
        TailBy::Net => format!("lowest net: net <= {} $B", fmt_num(t.threshold)),
    };
    println!("\nWhat drove the worst {:.0}% of runs ({} runs, {by}):", 100.0 * t.share, t.runs);
    println!("{:<w$}  {:>12}  {:>12}  {:>12}", "param", "median all", "median worst", "shift (IQR)");
    for x in &t.params {
        println!(
            "{:<w$}  {:>12}  {:>12}  {:>12}",
            x.param,
            fmt_num(x.median_all),
            fmt_num(x.median_tail),
            signed(x.shift_iqr)
        );
    }
    println!("shift: (median in the worst runs - median in all runs) / interquartile range in all runs.");
}

fn write_sensitivity(dir: &Path, p: &Provenance, r: &Sensitivity) -> anyhow::Result<()> {
    write_files(dir, [("sensitivity.csv", sensitivity_csv(r)?), ("sensitivity.json", sensitivity_json(p, r, None)?)])
}
