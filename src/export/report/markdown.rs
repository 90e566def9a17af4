//! report.md: the same content as report.html, figures linked relatively.

use std::fmt::Write as _;

use crate::analysis::horizon::horizon_text;
use crate::export::figures::{FigureInput, FigureKind, Format};
use crate::fmt;
use crate::model::params::{Group, JURISDICTION_KEYS};

use super::analyses::{Block, analysis_blocks};
use super::figure::{ReportFigure, figure_links, is_analysis};
use super::sections::{
    PARAM_HEADER, correlation_lines, jurisdiction_rows, paragraphs, param_rows, policy_rows, provenance_rows, rerun,
    summary_rows,
};

/// Escapes text for a Markdown table cell.
pub(super) fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub(super) fn md_table(out: &mut String, header: &[impl AsRef<str>], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.iter().map(|h| md_cell(h.as_ref())).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | "));
    }
    out.push('\n');
}

pub(super) fn figure_md(o: &mut String, f: &ReportFigure, level: u8) {
    let _ = writeln!(o, "{} {}\n", "#".repeat(usize::from(level)), f.kind.title());
    let shown = f.files.iter().find(|(fmt, _)| *fmt == Format::Svg).or_else(|| f.files.first());
    if let Some((_, rel)) = shown {
        let _ = writeln!(o, "![{}]({})\n", f.kind.title(), rel);
    }
    let links = figure_links(f, |label, rel| format!("[{label}]({rel})"));
    let _ = writeln!(o, "{} Files: {links}.\n", f.kind.about());
}

/// report.md: the same content as report.html, figures linked relatively.
pub fn markdown(input: &FigureInput<'_>, figures: &[ReportFigure], skipped: &[(FigureKind, String)]) -> String {
    let s = input.scenario;
    let p = input.provenance;
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", s.name());
    let _ = writeln!(o, "{}\n", p.caption());
    let _ = writeln!(
        o,
        "{} runs per policy over {} years ({} steps a year); all policies are compared on the same simulated worlds (common random numbers). Money is in billions of 2025 US dollars, discounted; ± is one Monte Carlo standard error.\n",
        p.runs,
        s.run().years,
        s.run().steps_per_year
    );
    if !s.description().trim().is_empty() {
        o.push_str("## The scenario\n\n");
        for para in paragraphs(s.description()) {
            let _ = writeln!(o, "{para}\n");
        }
    }
    o.push_str("## Summary\n\n");
    let (header, rows) = summary_rows(input.summary);
    md_table(&mut o, &header, &rows);
    let _ = writeln!(
        o,
        "Reference policy: {}. “Net − reference” and “P(better than reference)” are paired: each policy against the reference policy in the same run. CVaR95: mean harm of the worst 5% of runs. P(catastrophe): share of runs with at least one event of at least {}. H: the hazard threshold.\n",
        input.summary.policies[input.summary.reference].name,
        fmt::money_compact(s.world()[crate::model::P::catastrophe_threshold as usize].central())
    );
    let _ = writeln!(o, "{}\n", horizon_text(s, Some(&input.summary.policies[input.summary.reference])));
    o.push_str("## Policies\n\n");
    let (header, rows) = policy_rows(s);
    md_table(&mut o, &header, &rows);

    o.push_str("## Figures\n\n");
    for f in figures.iter().filter(|f| !is_analysis(f.kind)) {
        figure_md(&mut o, f, 3);
    }
    for (kind, why) in skipped.iter().filter(|(k, _)| !is_analysis(*k)) {
        let _ = writeln!(o, "Not drawn: {} ({}).\n", kind.title(), why);
    }

    o.push_str("## Analyses\n\n");
    for block in analysis_blocks(input, figures, skipped) {
        match block {
            Block::Heading(t) => {
                let _ = writeln!(o, "### {t}\n");
            }
            Block::Para(t) | Block::Meta(t) => {
                let _ = writeln!(o, "{t}\n");
            }
            Block::Table { header, rows, .. } => md_table(&mut o, &header, &rows),
            Block::Figure(f) => figure_md(&mut o, f, 4),
        }
    }

    o.push_str("## Parameters\n\nEvery world parameter with its value in this scenario: a fixed number, or a distribution drawn once per run and shared by all policies in that run.\n\n");
    let params = param_rows(s);
    for g in Group::ALL {
        let rows: Vec<Vec<String>> = params
            .iter()
            .filter(|(pg, _)| *pg == g)
            .map(|(_, r)| {
                r.iter().enumerate().map(|(i, c)| if i == 2 { format!("`{c}`") } else { c.clone() }).collect()
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(o, "### {}\n", g.label());
        md_table(&mut o, &PARAM_HEADER, &rows);
    }
    let corr = correlation_lines(s);
    if !corr.is_empty() {
        o.push_str("### Correlations\n\n");
        for c in corr {
            let _ = writeln!(o, "- {c}");
        }
        o.push('\n');
    }
    o.push_str("### Jurisdictions\n\n");
    let (header, rows) = jurisdiction_rows(s);
    md_table(&mut o, &header, &rows);
    let rows: Vec<Vec<String>> =
        JURISDICTION_KEYS.iter().map(|(k, u, _, m)| vec![k.to_string(), u.to_string(), m.to_string()]).collect();
    md_table(&mut o, &["Attribute", "Unit", "Meaning"], &rows);

    o.push_str("## Provenance\n\n");
    let rows: Vec<Vec<String>> = provenance_rows(input).into_iter().map(|(k, v)| vec![k.to_string(), v]).collect();
    md_table(&mut o, &["Field", "Value"], &rows);
    if let Some((words, command)) = rerun(input) {
        let _ = writeln!(o, "{words} `{command}`, with the analysis settings stated in their sections.\n");
    }
    o.push_str("Same scenario file (SHA-256 above), seed and run count give identical results and figures on any machine and thread count. Each figure's JSON file holds the plotted numbers, their Monte Carlo errors and this provenance.\n");
    o
}
