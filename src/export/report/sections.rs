//! The text of the report's sections other than the analyses: the summary table, the
//! policies, the world parameters, the jurisdictions and the provenance, as plain cells that
//! the HTML and the Markdown set each in their own way.

use crate::analysis::Summary;
use crate::export::figures::FigureInput;
use crate::fmt;
use crate::model::params::{Group, JURISDICTION_KEYS};
use crate::model::{PARAMS, Scenario, dist_to_toml};

use super::layout::SCENARIO_COPY;

/// How to run a study again, in words with the command as a separate piece (the HTML and the
/// Markdown set it differently): the text before the command and the command.
pub(super) fn rerun(input: &FigureInput<'_>) -> Option<(String, String)> {
    input.scenario_text?;
    let p = input.provenance;
    Some((
        format!(
            "{SCENARIO_COPY} beside this report is the scenario file as run (its SHA-256 is the one above). \
             The same results and figures come from"
        ),
        format!("tierlab report {SCENARIO_COPY} --seed {} --runs {} --out DIR", p.seed, p.runs),
    ))
}

pub(super) fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|p| !p.is_empty()).collect()
}

/// The summary table: header and rows of plain text cells.
pub(super) fn summary_rows(summary: &Summary) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec![
        "Policy",
        "Benefit ($B)",
        "Harm ($B)",
        "Net ($B)",
        "Net − reference ($B)",
        "P(better than reference)",
        "CVaR95 harm ($B)",
        "P(catastrophe) [95% CI]",
        "P(open pool reaches H)",
        "Median year H reached (years from start)",
    ];
    let rows = summary
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let reference = i == summary.reference;
            vec![
                if reference { format!("{} (reference)", p.name) } else { p.name.clone() },
                fmt::plus_minus_grouped(p.benefit.mean, p.benefit.se),
                fmt::plus_minus_grouped(p.harm.mean, p.harm.se),
                fmt::plus_minus_grouped(p.net.mean, p.net.se),
                if reference { "—".into() } else { fmt::plus_minus_grouped(p.net_diff_mean, p.net_diff_se) },
                if reference { "—".into() } else { format!("{:.3}", p.p_better_than_reference) },
                fmt::grouped(p.cvar95_harm),
                format!("{:.3} [{:.3}, {:.3}]", p.p_catastrophe, p.p_catastrophe_lo, p.p_catastrophe_hi),
                format!("{:.3}", p.p_hazard_crossed),
                p.hazard_year_median.map_or_else(|| "never (in most runs)".into(), |y| format!("{y:.2}")),
            ]
        })
        .collect();
    (header, rows)
}

pub(super) fn policy_rows(scenario: &Scenario) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["Policy".to_string()];
    let names: Vec<String> = scenario.jurisdictions().iter().map(|j| j.name.clone()).collect();
    header.extend(names.iter().cloned());
    // A column for the policy levers only when some policy has one.
    let levers = scenario.policies().iter().any(|p| p.levers.any());
    if levers {
        header.push("Levers (docs/MODEL.md, 3.5)".into());
    }
    let rows = scenario
        .policies()
        .iter()
        .map(|p| {
            let mut row = vec![p.name.clone()];
            row.extend((0..scenario.jurisdictions().len()).map(|j| p.regime_for(j).label()));
            if levers {
                row.push(p.levers.describe(&names));
            }
            row
        })
        .collect();
    (header, rows)
}

pub(super) fn param_rows(scenario: &Scenario) -> Vec<(Group, Vec<String>)> {
    PARAMS
        .iter()
        .enumerate()
        .map(|(i, info)| {
            let d = &scenario.world()[i];
            let kind = if d.is_fixed() { "fixed" } else { d.kind() };
            (
                info.group,
                vec![
                    info.key.to_string(),
                    info.symbol.to_string(),
                    dist_to_toml(d),
                    kind.to_string(),
                    info.unit.to_string(),
                    info.meaning.to_string(),
                    info.source.to_string(),
                ],
            )
        })
        .collect()
}

pub(super) const PARAM_HEADER: [&str; 7] =
    ["Key", "Symbol", "Value or distribution", "Kind", "Unit", "Meaning", "Source"];

pub(super) fn jurisdiction_rows(scenario: &Scenario) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["Jurisdiction".to_string()];
    header.extend(JURISDICTION_KEYS.iter().map(|(k, unit, _, _)| format!("{k} ({unit})")));
    let rows = scenario
        .jurisdictions()
        .iter()
        .map(|j| {
            let mut row = vec![j.name.clone()];
            row.extend(j.values().iter().map(|v| format!("{v}")));
            row
        })
        .collect();
    (header, rows)
}

pub(super) fn provenance_rows(input: &FigureInput<'_>) -> Vec<(&'static str, String)> {
    let p = input.provenance;
    let mut rows = vec![
        ("Scenario", p.scenario_name.clone()),
        ("Scenario file", p.scenario_file.clone()),
        ("Scenario SHA-256", p.scenario_sha256.clone()),
    ];
    if input.scenario_text.is_some() {
        rows.push(("Scenario file as run", format!("{SCENARIO_COPY} (beside this report)")));
    }
    rows.extend([
        ("Seed", p.seed.to_string()),
        ("Runs per policy", p.runs.to_string()),
        ("Runs behind the per-step series", p.series_runs.to_string()),
    ]);
    if let Some(s) = input.sweep {
        rows.push(("Runs per grid point of the threshold sweep", s.runs.to_string()));
    }
    if let Some(s) = input.sweep_2d {
        rows.push(("Runs per cell of the 2-D sweep", s.runs.to_string()));
    }
    if let Some(s) = input.sensitivity {
        rows.push(("Runs of the sensitivity analysis (each tornado setting)", s.runs.to_string()));
    }
    if let Some(d) = input.decision {
        rows.push(("Paired worlds of the decision support", d.discovery.runs.to_string()));
    }
    rows.extend([
        ("Threads (results do not depend on them)", p.threads.to_string()),
        ("Wall time of the simulation and analyses (s)", format!("{:.3}", p.wall_time_s)),
        ("Tool", format!("{} {}", p.tool, p.version)),
        ("Model version (docs/MODEL.md)", p.model_version.clone()),
        (
            "Cite as",
            format!(
                "Tierlab {} (model version {}), scenario \"{}\" (SHA-256 {}), seed {}, {} runs per policy",
                p.version,
                p.model_version,
                p.scenario_name,
                p.short_hash(),
                p.seed,
                p.runs
            ),
        ),
    ]);
    rows
}

pub(super) fn correlation_lines(scenario: &Scenario) -> Vec<String> {
    scenario
        .correlations()
        .iter()
        .map(|c| {
            let (a, b) = (scenario.param_key(c.a), scenario.param_key(c.b));
            let bare = |k: &str| k.strip_prefix("world.").unwrap_or(k).to_string();
            format!("{} and {}: rank correlation {}", bare(&a), bare(&b), c.rho)
        })
        .collect()
}
