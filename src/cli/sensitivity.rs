//! `tierlab sensitivity`: which uncertain parameters drive an outcome (Spearman, PRCC,
//! one-at-a-time tornado) and what the worst 5% of runs drew; a ranking on stdout,
//! sensitivity.csv and sensitivity.json with `--out`.

use std::path::Path;

use anyhow::Context as _;

use super::config::RunConfig;
use super::sweep::write_files;
use crate::analysis::sensitivity::{Output, Sensitivity, TailBy};
use crate::export::tables::{sensitivity_csv, sensitivity_json};
use crate::fmt;
use crate::study::{Input, Provenance, Study};

/// What `tierlab sensitivity` prints and writes once the study is made (also after a merge).
///
/// # Errors
/// A file that cannot be written.
pub fn output(config: &RunConfig, study: &Study) -> anyhow::Result<()> {
    let result = study.sensitivity.as_ref().context("the study made no sensitivity analysis")?;
    print_sensitivity(&config.input, &study.provenance, result);
    if let Some(dir) = &config.out {
        write_sensitivity(dir, &study.provenance, result)?;
        eprintln!("wrote sensitivity.csv and sensitivity.json to {}", dir.display());
    }
    Ok(())
}

fn print_sensitivity(input: &Input, p: &Provenance, r: &Sensitivity) {
    let out = r.output.key();
    println!("Sensitivity of {out} under \"{}\" — {} ({})", r.policy, input.scenario.name(), input.source.origin);
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
        Output::NetDiff => format!(" $B: net minus the net of \"{}\" in the same run", r.reference),
        Output::Catastrophe => ": P(at least one catastrophe)".into(),
        _ => " $B (2025, discounted)".into(),
    };
    println!("Mean {out}: {} ± {}{what}.", fmt::number(r.output_mean), fmt::number(r.output_se));
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
            fmt::signed(x.spearman),
            fmt::signed(x.prcc),
            fmt::number(x.p10),
            fmt::number(x.low),
            fmt::number(x.p90),
            fmt::number(x.high),
            fmt::number(x.swing)
        );
    }
    let t = &r.tail;
    let by = match t.by {
        TailBy::Harm => format!("highest harm: harm >= {} $B", fmt::number(t.threshold)),
        TailBy::Net => format!("lowest net: net <= {} $B", fmt::number(t.threshold)),
    };
    println!("\nWhat drove the worst {} of runs ({} runs, {by}):", fmt::percent(t.share), t.runs);
    println!("{:<w$}  {:>12}  {:>12}  {:>12}", "param", "median all", "median worst", "shift (IQR)");
    for x in &t.params {
        println!(
            "{:<w$}  {:>12}  {:>12}  {:>12}",
            x.param,
            fmt::number(x.median_all),
            fmt::number(x.median_tail),
            fmt::signed(x.shift_iqr)
        );
    }
    println!("shift: (median in the worst runs - median in all runs) / interquartile range in all runs.");
}

fn write_sensitivity(dir: &Path, p: &Provenance, r: &Sensitivity) -> anyhow::Result<()> {
    write_files(dir, [("sensitivity.csv", sensitivity_csv(r)?), ("sensitivity.json", sensitivity_json(p, r, None)?)])
}
