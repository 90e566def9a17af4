//! `tierlab decide` (also `discover`): decision support on paired worlds: scenario discovery
//! (PRIM) for an outcome event of one policy, with the regret of every policy and the value
//! of information from the same worlds; the box in words on stdout, discovery.csv,
//! discovery_box.csv, robustness.csv, value_of_information.csv and decision.json with
//! `--out`.

use std::path::Path;

use anyhow::Context as _;

use super::config::RunConfig;
use super::sweep::write_files;
use crate::analysis::decision::Decision;
use crate::export::tables::{decision_json, discovery_box_csv, discovery_csv, robustness_csv, voi_csv};
use crate::fmt;
use crate::study::{Input, Provenance, Study};

/// What `tierlab decide` prints and writes once the study is made (also after a merge).
///
/// # Errors
/// A file that cannot be written.
pub fn output(config: &RunConfig, study: &Study) -> anyhow::Result<()> {
    let decision = study.decision.as_ref().context("the study made no decision analysis")?;
    print_decision(&config.input, &study.provenance, decision);
    if let Some(dir) = &config.out {
        write_decision(dir, &study.provenance, decision)?;
        eprintln!(
            "wrote discovery.csv, discovery_box.csv, robustness.csv, value_of_information.csv and decision.json to {}",
            dir.display()
        );
    }
    Ok(())
}

fn print_decision(input: &Input, p: &Provenance, d: &Decision) {
    let disc = &d.discovery;
    println!("Scenario discovery: when {} — {} ({})", disc.event_text, input.scenario.name(), input.source.origin);
    println!(
        "{} worlds, seed {}, {} threads, {:.3} s, scenario sha256 {}",
        p.runs,
        p.seed,
        p.threads,
        p.wall_time_s,
        p.short_hash()
    );
    println!(
        "It happens in {} worlds ({}). PRIM peels {} of the box per step down to {} of all worlds.\n",
        disc.event_worlds,
        fmt::percent(disc.event_share),
        fmt::percent(disc.prim.alpha),
        fmt::percent(disc.prim.min_mass)
    );
    println!(
        "Peeling trajectory (coverage: share of event worlds inside; density: share of the box's worlds with the event):"
    );
    println!("{:>4}  {:>8}  {:>7}  {:>6}  {:>12}", "box", "coverage", "density", "mass", "restrictions");
    let n = disc.trajectory.len();
    let step = n.div_ceil(15).max(1);
    for (i, b) in disc.trajectory.iter().enumerate() {
        if i % step != 0 && i != disc.chosen && i + 1 != n {
            continue;
        }
        let mark = if i == disc.chosen { "  <- chosen" } else { "" };
        println!(
            "{i:>4}  {:>8}  {:>7}  {:>6}  {:>12}{mark}",
            fmt::percent(b.coverage),
            fmt::percent(b.density),
            fmt::percent(b.mass),
            b.restrictions.len()
        );
    }
    println!("\nChosen box {} (pasted): {}", disc.chosen, disc.statement);
    let w = disc.chosen_box.restrictions.iter().map(|r| r.rule().len()).max().unwrap_or(4).max(4);
    println!("{:<w$}  {:>9}", "rule", "p-value");
    for r in &disc.chosen_box.restrictions {
        println!("{:<w$}  {:>9}", r.rule(), fmt::p_value(r.p_value));
    }
    println!(
        "p-value: one-sided binomial chance of at least the box's event count if the event rate were that of the box \
         without this restriction."
    );

    let rb = &d.robustness;
    println!("\nRegret per world = best net of any policy in that world - this policy's net ($B, same worlds):");
    let w = rb.options.iter().map(|o| o.name.len()).max().unwrap_or(6).max(6);
    let floor = rb.floor.map(|f| format!("net ≥ {} $B", fmt::bound(f)));
    println!(
        "{:<w$}  {:>10}  {:>12}  {:>11}  {:>11}  {:>8}{}",
        "policy",
        "net mean",
        "regret mean",
        "regret p95",
        "regret max",
        "best in",
        floor.as_ref().map_or(String::new(), |f| format!("  {f:>12}"))
    );
    for o in &rb.options {
        println!(
            "{:<w$}  {:>10}  {:>12}  {:>11}  {:>11}  {:>8}{}",
            o.name,
            fmt::number(o.net_mean),
            fmt::number(o.regret_mean),
            fmt::number(o.regret_p95),
            fmt::number(o.regret_max),
            fmt::percent(o.best_share),
            o.satisficing_share.map_or(String::new(), |s| format!("  {:>12}", fmt::percent(s)))
        );
    }
    let name = |i: usize| &rb.options[i].name;
    println!(
        "Best expected: \"{}\"; minimax regret: \"{}\"; least p95 regret: \"{}\"{}.",
        name(rb.best_expected),
        name(rb.minimax_regret),
        name(rb.min_p95_regret),
        rb.most_satisficing.map_or(String::new(), |i| format!("; most often at the floor: \"{}\"", name(i)))
    );

    let v = &d.value_of_information;
    println!(
        "\nValue of information ($B of expected net welfare): EVPI {} ± {}; EVPPI by {} quantile bins, selection bias {} \
         taken off:",
        fmt::number(v.evpi),
        fmt::number(v.evpi_se),
        v.options.bins,
        fmt::number(v.bias)
    );
    let w = v.params.iter().map(|x| x.param.len()).max().unwrap_or(5).max(5);
    for x in v.params.iter().take(8) {
        println!(
            "{:<w$}  {:>10} ± {:<8}  {:>4} of EVPI",
            x.param,
            fmt::number(x.evppi),
            fmt::number(x.evppi_se),
            fmt::percent(x.share_of_evpi)
        );
    }
    println!("{}", v.statement);
}

fn write_decision(dir: &Path, p: &Provenance, d: &Decision) -> anyhow::Result<()> {
    write_files(
        dir,
        [
            ("discovery.csv", discovery_csv(&d.discovery)?),
            ("discovery_box.csv", discovery_box_csv(&d.discovery)?),
            ("robustness.csv", robustness_csv(&d.robustness)?),
            ("value_of_information.csv", voi_csv(&d.value_of_information)?),
            ("decision.json", decision_json(p, d, None)?),
        ],
    )
}
