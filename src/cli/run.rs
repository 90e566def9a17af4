//! `tierlab validate` and `tierlab run`.

use std::process::ExitCode;

use anyhow::Context as _;

use super::config::{RunConfig, load};
use super::error::{EXIT_INVALID, InvalidInput};
use crate::export::data::{write_series_csv, write_summary_json};
use crate::fmt;
use crate::model::{Scenario, ScenarioError};
use crate::study::{Input, Provenance, Simulated, Study};

/// Exit code and message for an error at the binary's edge.
pub fn report_error(err: &anyhow::Error) -> ExitCode {
    eprintln!("error: {err:#}");
    // A scenario file that is missing or unreadable is a bad argument, like a bad flag.
    let invalid =
        err.chain().any(|e| e.downcast_ref::<ScenarioError>().is_some() || e.downcast_ref::<InvalidInput>().is_some());
    ExitCode::from(if invalid { EXIT_INVALID } else { 1 })
}

/// `tierlab validate FILE`.
///
/// # Errors
/// The file cannot be read or fails its checks.
pub fn validate(file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let input = load(file)?;
    let s = &input.scenario;
    let uncertain = s.uncertain_params();
    let world_uncertain = uncertain.iter().filter(|&&i| i < s.world().len()).count();
    let places = uncertain.len() - world_uncertain;
    let places = if places > 0 { format!(" ({places} uncertain attributes)") } else { String::new() };
    println!(
        "{}: valid: \"{}\", {} world parameters ({} uncertain), {} jurisdictions{places}, {} policies, {} runs x {} steps",
        input.source.origin,
        s.name(),
        s.world().len(),
        world_uncertain,
        s.jurisdictions().len(),
        s.policies().len(),
        s.run().runs,
        s.run().steps()
    );
    Ok(ExitCode::SUCCESS)
}

/// What `tierlab run` prints and writes once the study is made (also after a merge).
///
/// # Errors
/// A file that cannot be written.
pub fn output(config: &RunConfig, study: &Study) -> anyhow::Result<()> {
    let sim = study.simulated.as_ref().context("the run made no simulation")?;
    let mut provenance = study.provenance.clone();
    provenance.series_runs = sim.provenance.series_runs;
    for (key, n) in &sim.summary.clamped_draws {
        let cap = crate::model::params::draw_cap(key.trim_start_matches("world.")).unwrap_or(f64::INFINITY);
        eprintln!(
            "note: {key}: {n} of {} runs drew a value above {cap} and were clamped to it (summary.json: clamped_draws)",
            sim.results.n_runs()
        );
    }
    print_summary(&config.input, sim, &provenance);
    if let Some(dir) = &config.out {
        let s = &config.input.scenario;
        let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
        let series = sim.series.as_ref().context("the run kept no per-step series")?;
        write_series_csv(&dir.join("series.csv"), &names, series).context("cannot write series.csv")?;
        write_summary_json(&dir.join("summary.json"), &sim.summary, &provenance)
            .context("cannot write summary.json")?;
        eprintln!("wrote runs.csv, jurisdictions.csv, params.csv, series.csv and summary.json to {}", dir.display());
    }
    Ok(())
}

fn print_summary(input: &Input, sim: &Simulated, p: &Provenance) {
    let s = &input.scenario;
    let sum = &sim.summary;
    println!("{} — {}", s.name(), input.source.origin);
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
    let reference = &sum.policies[sum.reference].name;
    let name_w = s.policies().iter().map(|p| p.name.chars().count()).max().unwrap_or(6).max(6);
    println!(
        "{:<name_w$}  {:>18}  {:>16}  {:>18}  {:>12}  {:>18}  {:>10}",
        "policy", "benefit", "harm", "net", "CVaR95 harm", "P(catastrophe)", "P(better)"
    );
    for ps in &sum.policies {
        let pc = format!("{:.3} [{:.3},{:.3}]", ps.p_catastrophe, ps.p_catastrophe_lo, ps.p_catastrophe_hi);
        let better =
            if ps.name == *reference { "reference".to_string() } else { format!("{:.3}", ps.p_better_than_reference) };
        println!(
            "{:<name_w$}  {:>18}  {:>16}  {:>18}  {:>12}  {:>18}  {:>10}",
            ps.name,
            fmt::plus_minus(ps.benefit.mean, ps.benefit.se),
            fmt::plus_minus(ps.harm.mean, ps.harm.se),
            fmt::plus_minus(ps.net.mean, ps.net.se),
            fmt::number(ps.cvar95_harm),
            pc,
            better
        );
    }
    println!("\nPaired against \"{reference}\" (same worlds): net difference, median net, harm p95, hazard crossing");
    for ps in &sum.policies {
        let hy = match ps.hazard_year_median {
            Some(y) => format!("median year {y:.2}"),
            None => "median: never".into(),
        };
        println!(
            "  {:<name_w$}  Δnet {:>18}   net p50 {:>9}   harm p95 {:>9}   P(crossed) {:.3}, {}",
            ps.name,
            fmt::plus_minus(ps.net_diff_mean, ps.net_diff_se),
            fmt::number(ps.net.p50),
            fmt::number(ps.harm.p95),
            ps.p_hazard_crossed,
            hy
        );
    }
    print_levers(s, sim, name_w);
}

/// What the policy levers cost and what evaluation error changes, for policies that have them.
fn print_levers(s: &Scenario, sim: &Simulated, name_w: usize) {
    let sum = &sim.summary;
    let spenders: Vec<_> = sum.policies.iter().filter_map(|p| Some((&p.name, p.spending_mean?))).collect();
    if !spenders.is_empty() {
        println!("\nSpending on the policy levers (discounted, already taken off net):");
        for (name, x) in spenders {
            println!("  {name:<name_w$}  {} $B", fmt::number(x));
        }
    }
    let shares = crate::analysis::levers::evaluation_shares(s, &sim.results);
    let reference = &s.policies()[s.run().reference].name;
    if !shares.is_empty() {
        println!(
            "\nEvaluation error: change against \"{reference}\" = change with exact evaluations + part due to error"
        );
    }
    for e in &shares {
        println!(
            "  {:<name_w$}  benefit {} = {} + {} ± {}   harm {} = {} + {} ± {}   (exact: \"{}\")",
            s.policies()[e.policy].name,
            fmt::number(e.benefit_change),
            fmt::number(e.benefit_change_exact),
            fmt::number(e.benefit_from_error),
            fmt::number(e.benefit_from_error_se),
            fmt::number(e.harm_change),
            fmt::number(e.harm_change_exact),
            fmt::number(e.harm_from_error),
            fmt::number(e.harm_from_error_se),
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
