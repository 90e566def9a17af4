//! report.html: self-contained, with the figures inline (SVG, or PNG as data URIs) and its
//! CSS; no script, style sheet, font or image from anywhere.

use std::fmt::Write as _;

use crate::analysis::horizon::horizon_text;
use crate::export::figures::{FigureInput, FigureKind};
use crate::fmt;
use crate::model::params::{Group, JURISDICTION_KEYS};

use super::analyses::{Block, analysis_blocks};
use super::figure::{Inline, ReportFigure, figure_links, is_analysis};
use super::sections::{
    PARAM_HEADER, correlation_lines, jurisdiction_rows, paragraphs, param_rows, policy_rows, provenance_rows, rerun,
    summary_rows,
};

pub(super) const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:0 auto;max-width:1280px;padding:1.5em 2em;color:#1e1e1e;line-height:1.45}
h1{margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555;font-size:.92em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}
th,td{border:1px solid #d8d8d8;padding:.3em .55em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0 2.5em 0}figure svg,figure img{width:100%;height:auto;max-width:1200px;border:1px solid #eee}
figcaption{color:#444;font-size:.92em;margin-top:.4em}
code{background:#f5f5f5;padding:0 .25em;font-size:.92em}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:-.1em;border-radius:2px}
.desc p{margin:.5em 0}";

/// Escapes text for HTML.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Standard base64 (RFC 4648) for data: URIs.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

pub(super) fn html_table(out: &mut String, header: &[impl AsRef<str>], rows: &[Vec<String>], numeric_from: usize) {
    out.push_str("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h.as_ref()));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i >= numeric_from {
                let _ = write!(out, "<td class=\"n\">{}</td>", esc(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", esc(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

pub(super) fn html_table_with_swatches(out: &mut String, header: &[String], rows: &mut [Vec<String>]) {
    out.push_str("<table>\n<thead><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (i, row) in rows.iter().enumerate() {
        let c = crate::theme::policy_color(i);
        out.push_str("<tr>");
        for (k, cell) in row.iter().enumerate() {
            if k == 0 {
                let _ = write!(
                    out,
                    "<td><span class=\"swatch\" style=\"background:#{:02x}{:02x}{:02x}\"></span>{}</td>",
                    c.0,
                    c.1,
                    c.2,
                    esc(cell)
                );
            } else {
                let _ = write!(out, "<td>{}</td>", esc(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Inline SVG from plotters, without an XML declaration if there is one.
pub(super) fn inline_svg(svg: &str, title: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    // Give the figure an accessible name.
    body.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(title)), 1)
}

/// A figure with its title at heading `level` (3 under "Figures", 4 inside an analysis).
pub(super) fn figure_html(o: &mut String, f: &ReportFigure, level: u8) {
    let _ = writeln!(o, "<figure id=\"{}\">\n<h{level}>{}</h{level}>", f.kind.name(), esc(f.kind.title()));
    match &f.inline {
        Inline::Svg(svg) => o.push_str(&inline_svg(svg, f.kind.title())),
        Inline::Png(png) => {
            let _ = write!(o, "<img alt=\"{}\" src=\"data:image/png;base64,{}\">", esc(f.kind.title()), base64(png));
        }
    }
    let links = figure_links(f, |label, rel| format!("<a href=\"{}\">{}</a>", esc(rel), esc(label)));
    let _ = writeln!(o, "\n<figcaption>{} Files: {links}.</figcaption>\n</figure>", esc(f.kind.about()));
}

/// report.html: self-contained (no external scripts, styles, fonts or images).
pub fn html(input: &FigureInput<'_>, figures: &[ReportFigure], skipped: &[(FigureKind, String)]) -> String {
    let s = input.scenario;
    let p = input.provenance;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"Tierlab {}\">\n<title>Tierlab report: {}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n",
        esc(&p.version),
        esc(s.name()),
        CSS
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(s.name()));
    let _ = writeln!(o, "<p class=\"meta\">{}</p>", esc(&p.caption()));
    let _ = writeln!(
        o,
        "<p class=\"meta\">{} runs per policy over {} years ({} steps a year); all policies are compared on the same simulated worlds (common random numbers). Money is in billions of 2025 US dollars, discounted; ± is one Monte Carlo standard error.</p>",
        p.runs,
        s.run().years,
        s.run().steps_per_year
    );

    if !s.description().trim().is_empty() {
        o.push_str("<h2>The scenario</h2>\n<div class=\"desc\">\n");
        for para in paragraphs(s.description()) {
            let _ = writeln!(o, "<p>{}</p>", esc(&para));
        }
        o.push_str("</div>\n");
    }

    o.push_str("<h2>Summary</h2>\n");
    let (header, rows) = summary_rows(input.summary);
    html_table(&mut o, &header, &rows, 1);
    let _ = writeln!(
        o,
        "<p class=\"meta\">Reference policy: {}. “Net − reference” and “P(better than reference)” are paired: each policy against the reference policy in the same run. CVaR95: mean harm of the worst 5% of runs. P(catastrophe): share of runs with at least one event of at least {}. H: the hazard threshold.</p>",
        esc(&input.summary.policies[input.summary.reference].name),
        esc(&fmt::money_compact(s.world()[crate::model::P::catastrophe_threshold as usize].central()))
    );
    let reference = &input.summary.policies[input.summary.reference];
    let _ = writeln!(o, "<p>{}</p>", esc(&horizon_text(s, Some(reference))));

    o.push_str("<h2>Policies</h2>\n<p>The release regime of each policy in each jurisdiction, in the order every figure uses (with its colour).</p>\n");
    let (header, mut rows) = policy_rows(s);
    html_table_with_swatches(&mut o, &header, &mut rows);

    o.push_str("<h2>Figures</h2>\n");
    for f in figures.iter().filter(|f| !is_analysis(f.kind)) {
        figure_html(&mut o, f, 3);
    }
    for (kind, why) in skipped.iter().filter(|(k, _)| !is_analysis(*k)) {
        let _ = writeln!(o, "<p class=\"meta\">Not drawn: {} ({}).</p>", esc(kind.title()), esc(why));
    }

    o.push_str("<h2>Analyses</h2>\n");
    for block in analysis_blocks(input, figures, skipped) {
        match block {
            Block::Heading(t) => {
                let _ = writeln!(o, "<h3>{}</h3>", esc(&t));
            }
            Block::Para(t) => {
                let _ = writeln!(o, "<p>{}</p>", esc(&t));
            }
            Block::Meta(t) => {
                let _ = writeln!(o, "<p class=\"meta\">{}</p>", esc(&t));
            }
            Block::Table { header, rows, numeric_from } => html_table(&mut o, &header, &rows, numeric_from),
            Block::Figure(f) => figure_html(&mut o, f, 4),
        }
    }

    o.push_str("<h2>Parameters</h2>\n<p>Every world parameter with its value in this scenario: a fixed number, or a distribution drawn once per run and shared by all policies in that run.</p>\n");
    let params = param_rows(s);
    for g in Group::ALL {
        let rows: Vec<Vec<String>> = params.iter().filter(|(pg, _)| *pg == g).map(|(_, r)| r.clone()).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(o, "<h3>{}</h3>", esc(g.label()));
        html_table(&mut o, &PARAM_HEADER, &rows, usize::MAX);
    }
    let corr = correlation_lines(s);
    if !corr.is_empty() {
        o.push_str("<h3>Correlations</h3>\n<ul>\n");
        for c in corr {
            let _ = writeln!(o, "<li>{}</li>", esc(&c));
        }
        o.push_str("</ul>\n");
    }
    o.push_str("<h3>Jurisdictions</h3>\n");
    let (header, rows) = jurisdiction_rows(s);
    html_table(&mut o, &header, &rows, 1);
    o.push_str("<table>\n<thead><tr><th>Attribute</th><th>Unit</th><th>Meaning</th></tr></thead>\n<tbody>\n");
    for (k, unit, _, meaning) in JURISDICTION_KEYS {
        let _ = writeln!(o, "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", esc(k), esc(unit), esc(meaning));
    }
    o.push_str("</tbody>\n</table>\n");

    o.push_str("<h2>Provenance</h2>\n<table>\n<tbody>\n");
    for (k, v) in provenance_rows(input) {
        let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    }
    o.push_str("</tbody>\n</table>\n");
    if let Some((words, command)) = rerun(input) {
        let _ = writeln!(
            o,
            "<p>{} <code>{}</code>, with the analysis settings stated in their sections.</p>",
            esc(&words),
            esc(&command)
        );
    }
    let _ = writeln!(
        o,
        "<p class=\"meta\">Same scenario file (SHA-256 above), seed and run count give identical results and figures on any machine and thread count. Each figure's JSON file holds the plotted numbers, their Monte Carlo errors and this provenance.</p>\n</body>\n</html>"
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, want) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(input.as_bytes()), want);
        }
    }

    #[test]
    fn html_escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
