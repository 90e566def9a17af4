//! The report bundle: every figure (with sidecars) in `figures/`, a self-contained
//! `report.html` (inline SVG or PNG data URIs, inline CSS, no scripts, no external
//! resource) and `report.md` (the same content, figures linked relatively).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::analysis::Summary;
use crate::analysis::plotdata::money_label;
use crate::export::data::{Provenance, write_atomic};
use crate::export::figures::{Figure, FigureError, FigureInput, FigureKind, FigureOptions, Format, prepare};
use crate::model::params::{Group, JURISDICTION_KEYS};
use crate::model::{PARAMS, Scenario, dist_to_toml};

/// Sub-directory of the report directory holding the figures.
pub const FIGURES_DIR: &str = "figures";

/// A figure as the report shows it.
pub struct ReportFigure {
    pub kind: FigureKind,
    /// Files written, relative to the report directory, in the order of the formats asked.
    pub files: Vec<(Format, String)>,
    /// What the HTML inlines: SVG text, or PNG bytes when no SVG was made.
    pub inline: Inline,
}

pub enum Inline {
    Svg(String),
    Png(Vec<u8>),
}

/// What a report run wrote.
pub struct ReportFiles {
    pub html: PathBuf,
    pub markdown: PathBuf,
    pub figures: Vec<ReportFigure>,
    /// Figures left out and why (e.g. no per-step series).
    pub skipped: Vec<(FigureKind, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Figure(#[from] FigureError),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no figure format asked for")]
    NoFormat,
}

/// Renders every figure the input can draw into `dir/figures/` (with sidecars) and writes
/// `dir/report.html` and `dir/report.md`. `progress` is called after each figure.
///
/// # Errors
/// A figure cannot be drawn or a file cannot be written.
pub fn write_report(
    dir: &Path,
    input: &FigureInput<'_>,
    formats: &[Format],
    opts: &FigureOptions,
    mut progress: impl FnMut(FigureKind),
) -> Result<ReportFiles, ReportError> {
    if formats.is_empty() {
        return Err(ReportError::NoFormat);
    }
    let fig_dir = dir.join(FIGURES_DIR);
    std::fs::create_dir_all(&fig_dir).map_err(|source| ReportError::Io { path: fig_dir.clone(), source })?;
    let mut figures = Vec::new();
    let mut skipped = Vec::new();
    for &kind in FigureKind::all() {
        let figure = match prepare(kind, input) {
            Ok(f) => f,
            Err(e @ FigureError::MissingData { .. }) => {
                skipped.push((kind, e.to_string()));
                progress(kind);
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        figures.push(write_figure(&figure, &fig_dir, formats, opts)?);
        progress(kind);
    }
    let html_path = dir.join("report.html");
    let md_path = dir.join("report.md");
    let html = html(input, &figures, &skipped);
    write_atomic(&html_path, html.as_bytes()).map_err(|source| ReportError::Io { path: html_path.clone(), source })?;
    let md = markdown(input, &figures, &skipped);
    write_atomic(&md_path, md.as_bytes()).map_err(|source| ReportError::Io { path: md_path.clone(), source })?;
    Ok(ReportFiles { html: html_path, markdown: md_path, figures, skipped })
}

fn write_figure(
    figure: &Figure,
    fig_dir: &Path,
    formats: &[Format],
    opts: &FigureOptions,
) -> Result<ReportFigure, ReportError> {
    let kind = figure.kind();
    let mut files = Vec::new();
    let mut svg = None;
    let mut png = None;
    for &format in formats {
        let name = format!("{}.{}", kind.name(), format.extension());
        let path = fig_dir.join(&name);
        let bytes = figure.render(format, opts)?;
        write_atomic(&path, &bytes).map_err(|source| ReportError::Io { path: path.clone(), source })?;
        files.push((format, format!("{FIGURES_DIR}/{name}")));
        match format {
            Format::Svg => svg = Some(bytes),
            Format::Png => png = Some(bytes),
        }
    }
    let car = fig_dir.join(format!("{}.json", kind.name()));
    write_atomic(&car, figure.sidecar_json().as_bytes()).map_err(|source| ReportError::Io { path: car, source })?;
    let inline = match (svg, png) {
        (Some(s), _) => Inline::Svg(String::from_utf8_lossy(&s).into_owned()),
        (None, Some(p)) => Inline::Png(p),
        (None, None) => return Err(ReportError::NoFormat),
    };
    Ok(ReportFigure { kind, files, inline })
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
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

/// Escapes text for a Markdown table cell.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
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

/// A number with a sensible number of digits and thousands separators: 36234.2 -> "36,234".
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    let s = if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    };
    group_thousands(&s)
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    if int.len() <= 3 {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

fn pm(mean: f64, se: f64) -> String {
    format!("{} ± {}", num(mean), num(se))
}

/// The summary table: header and rows of plain text cells.
fn summary_rows(summary: &Summary) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let header = vec![
        "Policy",
        "Benefit ($B)",
        "Harm ($B)",
        "Net ($B)",
        "Net − baseline ($B)",
        "P(better than baseline)",
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
            let baseline = i == summary.baseline;
            vec![
                if baseline { format!("{} (baseline)", p.name) } else { p.name.clone() },
                pm(p.benefit.mean, p.benefit.se),
                pm(p.harm.mean, p.harm.se),
                pm(p.net.mean, p.net.se),
                if baseline { "—".into() } else { pm(p.net_diff_mean, p.net_diff_se) },
                if baseline { "—".into() } else { format!("{:.3}", p.p_better_than_baseline) },
                num(p.cvar95_harm),
                format!("{:.3} [{:.3}, {:.3}]", p.p_catastrophe, p.p_catastrophe_lo, p.p_catastrophe_hi),
                format!("{:.3}", p.p_hazard_crossed),
                p.hazard_year_median.map_or_else(|| "never (in most runs)".into(), |y| format!("{y:.2}")),
            ]
        })
        .collect();
    (header, rows)
}

fn policy_rows(scenario: &Scenario) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["Policy".to_string()];
    header.extend(scenario.jurisdictions.iter().map(|j| j.name.clone()));
    let rows = scenario
        .policies
        .iter()
        .map(|p| {
            let mut row = vec![p.name.clone()];
            row.extend((0..scenario.jurisdictions.len()).map(|j| p.regime_for(j).label()));
            row
        })
        .collect();
    (header, rows)
}

fn param_rows(scenario: &Scenario) -> Vec<(Group, Vec<String>)> {
    PARAMS
        .iter()
        .enumerate()
        .map(|(i, info)| {
            let d = &scenario.world[i];
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

const PARAM_HEADER: [&str; 7] = ["Key", "Symbol", "Value or distribution", "Kind", "Unit", "Meaning", "Source"];

fn jurisdiction_rows(scenario: &Scenario) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["Jurisdiction".to_string()];
    header.extend(JURISDICTION_KEYS.iter().map(|(k, unit, _, _)| format!("{k} ({unit})")));
    let rows = scenario
        .jurisdictions
        .iter()
        .map(|j| {
            let mut row = vec![j.name.clone()];
            row.extend(j.values().iter().map(|v| format!("{v}")));
            row
        })
        .collect();
    (header, rows)
}

fn provenance_rows(p: &Provenance) -> Vec<(&'static str, String)> {
    vec![
        ("Scenario", p.scenario_name.clone()),
        ("Scenario file", p.scenario_file.clone()),
        ("Scenario SHA-256", p.scenario_sha256.clone()),
        ("Seed", p.seed.to_string()),
        ("Runs per policy", p.runs.to_string()),
        ("Runs behind the per-step series", p.series_runs.to_string()),
        ("Threads (results do not depend on them)", p.threads.to_string()),
        ("Wall time (s)", format!("{:.3}", p.wall_time_s)),
        ("Tool", format!("{} {}", p.tool, p.version)),
        ("Model version (docs/MODEL.md)", p.model_version.clone()),
    ]
}

fn correlation_lines(scenario: &Scenario) -> Vec<String> {
    scenario
        .correlations
        .iter()
        .map(|c| format!("{} and {}: rank correlation {}", PARAMS[c.a].key, PARAMS[c.b].key, c.rho))
        .collect()
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;margin:0 auto;max-width:1280px;padding:1.5em 2em;color:#1e1e1e;line-height:1.45}
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

fn html_table(out: &mut String, header: &[impl AsRef<str>], rows: &[Vec<String>], numeric_from: usize) {
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

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|p| !p.is_empty()).collect()
}

/// Inline SVG from plotters, without an XML declaration if there is one.
fn inline_svg(svg: &str, title: &str) -> String {
    let body = match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    };
    // Give the figure an accessible name.
    body.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(title)), 1)
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
        esc(&s.name),
        CSS
    );
    let _ = writeln!(o, "<h1>{}</h1>", esc(&s.name));
    let _ = writeln!(o, "<p class=\"meta\">{}</p>", esc(&p.caption()));
    let _ = writeln!(
        o,
        "<p class=\"meta\">{} runs per policy over {} years ({} steps a year); all policies are compared on the same simulated worlds (common random numbers). Money is in billions of 2025 US dollars, discounted; ± is one Monte Carlo standard error.</p>",
        p.runs, s.run.years, s.run.steps_per_year
    );

    if !s.description.trim().is_empty() {
        o.push_str("<h2>The scenario</h2>\n<div class=\"desc\">\n");
        for para in paragraphs(&s.description) {
            let _ = writeln!(o, "<p>{}</p>", esc(&para));
        }
        o.push_str("</div>\n");
    }

    o.push_str("<h2>Summary</h2>\n");
    let (header, rows) = summary_rows(input.summary);
    html_table(&mut o, &header, &rows, 1);
    let _ = writeln!(
        o,
        "<p class=\"meta\">Baseline policy: {}. “Net − baseline” and “P(better)” are paired: each policy against the baseline in the same run. CVaR95: mean harm of the worst 5% of runs. P(catastrophe): share of runs with at least one event of at least {}. H: the hazard threshold.</p>",
        esc(&input.summary.policies[input.summary.baseline].name),
        esc(&money_label(s.world[crate::model::P::catastrophe_threshold as usize].central()))
    );

    o.push_str("<h2>Policies</h2>\n<p>The release regime of each policy in each jurisdiction, in the order every figure uses (with its colour).</p>\n");
    let (header, mut rows) = policy_rows(s);
    html_table_with_swatches(&mut o, &header, &mut rows);

    o.push_str("<h2>Figures</h2>\n");
    for f in figures {
        let _ = writeln!(o, "<figure id=\"{}\">\n<h3>{}</h3>", f.kind.name(), esc(f.kind.title()));
        match &f.inline {
            Inline::Svg(svg) => o.push_str(&inline_svg(svg, f.kind.title())),
            Inline::Png(png) => {
                let _ =
                    write!(o, "<img alt=\"{}\" src=\"data:image/png;base64,{}\">", esc(f.kind.title()), base64(png));
            }
        }
        let links: Vec<String> = f
            .files
            .iter()
            .map(|(fmt, rel)| format!("<a href=\"{}\">{}</a>", esc(rel), fmt.extension().to_uppercase()))
            .chain(std::iter::once(format!("<a href=\"{FIGURES_DIR}/{}.json\">data (JSON)</a>", f.kind.name())))
            .collect();
        let _ =
            writeln!(o, "\n<figcaption>{} Files: {}.</figcaption>\n</figure>", esc(f.kind.about()), links.join(", "));
    }
    for (kind, why) in skipped {
        let _ = writeln!(o, "<p class=\"meta\">Not drawn: {} ({}).</p>", esc(kind.title()), esc(why));
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
    for (k, v) in provenance_rows(p) {
        let _ = writeln!(o, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    }
    o.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        o,
        "<p class=\"meta\">Same scenario file (SHA-256 above), seed and run count give identical results and figures on any machine and thread count. Each figure's JSON file holds the plotted numbers, their Monte Carlo errors and this provenance.</p>\n</body>\n</html>"
    );
    o
}

fn html_table_with_swatches(out: &mut String, header: &[String], rows: &mut [Vec<String>]) {
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

fn md_table(out: &mut String, header: &[impl AsRef<str>], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.iter().map(|h| md_cell(h.as_ref())).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | "));
    }
    out.push('\n');
}

/// report.md: the same content as report.html, figures linked relatively.
pub fn markdown(input: &FigureInput<'_>, figures: &[ReportFigure], skipped: &[(FigureKind, String)]) -> String {
    let s = input.scenario;
    let p = input.provenance;
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", s.name);
    let _ = writeln!(o, "{}\n", p.caption());
    let _ = writeln!(
        o,
        "{} runs per policy over {} years ({} steps a year); all policies are compared on the same simulated worlds (common random numbers). Money is in billions of 2025 US dollars, discounted; ± is one Monte Carlo standard error.\n",
        p.runs, s.run.years, s.run.steps_per_year
    );
    if !s.description.trim().is_empty() {
        o.push_str("## The scenario\n\n");
        for para in paragraphs(&s.description) {
            let _ = writeln!(o, "{para}\n");
        }
    }
    o.push_str("## Summary\n\n");
    let (header, rows) = summary_rows(input.summary);
    md_table(&mut o, &header, &rows);
    let _ = writeln!(
        o,
        "Baseline policy: {}. “Net − baseline” and “P(better)” are paired: each policy against the baseline in the same run. CVaR95: mean harm of the worst 5% of runs. P(catastrophe): share of runs with at least one event of at least {}. H: the hazard threshold.\n",
        input.summary.policies[input.summary.baseline].name,
        money_label(s.world[crate::model::P::catastrophe_threshold as usize].central())
    );
    o.push_str("## Policies\n\n");
    let (header, rows) = policy_rows(s);
    md_table(&mut o, &header, &rows);

    o.push_str("## Figures\n\n");
    for f in figures {
        let _ = writeln!(o, "### {}\n", f.kind.title());
        let shown = f.files.iter().find(|(fmt, _)| *fmt == Format::Svg).or_else(|| f.files.first());
        if let Some((_, rel)) = shown {
            let _ = writeln!(o, "![{}]({})\n", f.kind.title(), rel);
        }
        let links: Vec<String> = f
            .files
            .iter()
            .map(|(fmt, rel)| format!("[{}]({})", fmt.extension().to_uppercase(), rel))
            .chain(std::iter::once(format!("[data (JSON)]({FIGURES_DIR}/{}.json)", f.kind.name())))
            .collect();
        let _ = writeln!(o, "{} Files: {}.\n", f.kind.about(), links.join(", "));
    }
    for (kind, why) in skipped {
        let _ = writeln!(o, "Not drawn: {} ({}).\n", kind.title(), why);
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
    let rows: Vec<Vec<String>> = provenance_rows(p).into_iter().map(|(k, v)| vec![k.to_string(), v]).collect();
    md_table(&mut o, &["Field", "Value"], &rows);
    o.push_str("Same scenario file (SHA-256 above), seed and run count give identical results and figures on any machine and thread count. Each figure's JSON file holds the plotted numbers, their Monte Carlo errors and this provenance.\n");
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
    fn numbers_group_thousands() {
        assert_eq!(num(36234.2), "36,234");
        assert_eq!(num(-1234567.0), "-1,234,567");
        assert_eq!(num(4321.0), "4,321");
        assert_eq!(num(999.0), "999");
        assert_eq!(num(0.1234), "0.123");
    }

    #[test]
    fn html_escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
