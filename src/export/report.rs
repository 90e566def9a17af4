//! The report bundle: every figure (with sidecars) in `figures/`, a self-contained
//! `report.html` (inline SVG or PNG data URIs, inline CSS, no scripts, no external
//! resource) and `report.md` (the same content, figures linked relatively).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::analysis::Summary;
use crate::analysis::sensitivity::Output;
use crate::analysis::sweep::{BestThreshold, Sweep, SweepParam, SweepPoint};
use crate::export::data::write_atomic;
use crate::export::figures::{
    Figure, FigureError, FigureInput, FigureKind, FigureOptions, Format, Requirement, prepare,
};
use crate::fmt;
use crate::model::params::{Group, JURISDICTION_KEYS};
use crate::model::{PARAMS, Scenario, dist_to_toml};
use crate::study::Part;

/// Sub-directory of the report directory holding the figures.
pub const FIGURES_DIR: &str = "figures";

/// The copy of the scenario file written beside a report or exported figures: the exact text
/// whose SHA-256 every caption and sidecar carries. Named so that it cannot be mistaken for
/// (or overwrite) a scenario a user keeps in the same folder.
pub const SCENARIO_COPY: &str = "scenario_as_run.toml";

/// Writes `text` as [`SCENARIO_COPY`] in `dir`; its path.
///
/// # Errors
/// The file cannot be written.
pub fn write_scenario_copy(dir: &Path, text: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join(SCENARIO_COPY);
    write_atomic(&path, text.as_bytes()).map_err(|source| ReportError::Io { path: path.clone(), source })?;
    Ok(path)
}

/// How to run a study again, in words with the command as a separate piece (the HTML and the
/// Markdown set it differently): the text before the command and the command.
fn rerun(input: &FigureInput<'_>) -> Option<(String, String)> {
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
    /// The copy of the scenario file ([`SCENARIO_COPY`]), when the input carried its text.
    pub scenario: Option<PathBuf>,
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
                skipped.push((kind, missing_reason(kind, input, &e)));
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
    let scenario = input.scenario_text.map(|text| write_scenario_copy(dir, text)).transpose()?;
    Ok(ReportFiles { html: html_path, markdown: md_path, figures, scenario, skipped })
}

/// Why `input` cannot draw `kind`: the study's note on the analysis it needs when there is
/// one (e.g. "no policy has a tiered regime"), else what is missing.
pub fn missing_reason(kind: FigureKind, input: &FigureInput<'_>, err: &FigureError) -> String {
    let part = match kind.requirement() {
        Requirement::Sweep => Part::Sweep,
        Requirement::Sweep2d => Part::Sweep2d,
        Requirement::Sensitivity => Part::Sensitivity,
        Requirement::Decision => Part::Decision,
        _ => return err.to_string(),
    };
    match input.notes.iter().find(|n| n.part == part || n.part == Part::Simulation) {
        Some(n) => n.text.clone(),
        None => err.to_string(),
    }
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
            let baseline = i == summary.reference;
            vec![
                if baseline { format!("{} (baseline)", p.name) } else { p.name.clone() },
                fmt::plus_minus_grouped(p.benefit.mean, p.benefit.se),
                fmt::plus_minus_grouped(p.harm.mean, p.harm.se),
                fmt::plus_minus_grouped(p.net.mean, p.net.se),
                if baseline { "—".into() } else { fmt::plus_minus_grouped(p.net_diff_mean, p.net_diff_se) },
                if baseline { "—".into() } else { format!("{:.3}", p.p_better_than_reference) },
                fmt::grouped(p.cvar95_harm),
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

fn param_rows(scenario: &Scenario) -> Vec<(Group, Vec<String>)> {
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

const PARAM_HEADER: [&str; 7] = ["Key", "Symbol", "Value or distribution", "Kind", "Unit", "Meaning", "Source"];

fn jurisdiction_rows(scenario: &Scenario) -> (Vec<String>, Vec<Vec<String>>) {
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

fn provenance_rows(input: &FigureInput<'_>) -> Vec<(&'static str, String)> {
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

fn correlation_lines(scenario: &Scenario) -> Vec<String> {
    scenario
        .correlations()
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

/// Whether a figure belongs to an analysis (a sweep or a sensitivity analysis) rather than
/// to the simulation.
pub fn is_analysis(kind: FigureKind) -> bool {
    matches!(
        kind.requirement(),
        Requirement::Sweep | Requirement::Sweep2d | Requirement::Sensitivity | Requirement::Decision
    )
}

fn figure_links(f: &ReportFigure, link: impl Fn(&str, &str) -> String) -> String {
    f.files
        .iter()
        .map(|(fmt, rel)| link(&fmt.extension().to_uppercase(), rel))
        .chain(std::iter::once(link("data (JSON)", &format!("{FIGURES_DIR}/{}.json", f.kind.name()))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A figure with its title at heading `level` (3 under "Figures", 4 inside an analysis).
fn figure_html(o: &mut String, f: &ReportFigure, level: u8) {
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

fn figure_md(o: &mut String, f: &ReportFigure, level: u8) {
    let _ = writeln!(o, "{} {}\n", "#".repeat(usize::from(level)), f.kind.title());
    let shown = f.files.iter().find(|(fmt, _)| *fmt == Format::Svg).or_else(|| f.files.first());
    if let Some((_, rel)) = shown {
        let _ = writeln!(o, "![{}]({})\n", f.kind.title(), rel);
    }
    let links = figure_links(f, |label, rel| format!("[{label}]({rel})"));
    let _ = writeln!(o, "{} Files: {links}.\n", f.kind.about());
}

/// A piece of the analyses section, rendered as HTML or Markdown.
enum Block<'a> {
    Heading(String),
    Para(String),
    /// A smaller, muted paragraph (how it was computed, what was left out).
    Meta(String),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric_from: usize,
    },
    Figure(&'a ReportFigure),
}

/// A world parameter's value with its unit: "27.5 log10 FLOP".
fn world_value(key: &str, x: f64) -> String {
    let bare = key.strip_prefix("world.").unwrap_or(key);
    match PARAMS.iter().find(|p| p.key == bare) {
        Some(p) if !p.unit.is_empty() => format!("{} {}", fmt::grid(x), p.unit),
        _ => fmt::grid(x),
    }
}

/// The best threshold in one or two sentences, every number with its unit.
pub fn best_threshold_sentence(sweep: &Sweep, best: &BestThreshold) -> String {
    let key = sweep.param.key();
    let n = sweep.points.len();
    let cap = best.constraint.describe();
    let Some(b) = &best.best else {
        let lowest = sweep.points.iter().min_by(|a, b| a.p_catastrophe.total_cmp(&b.p_catastrophe));
        let mut s = format!("No grid point meets the cap ({cap}).");
        if let Some(p) = lowest {
            let _ = write!(
                s,
                " The lowest P(catastrophe) on the grid is {}, at {key} = {}.",
                fmt::probability(p.p_catastrophe),
                sweep.param.label(p.value)
            );
        }
        return s;
    };
    let mut s = format!(
        "Best {key} under the cap: {}, with expected net welfare {}, P(catastrophe) {:.3} and CVaR95 of harm {} \
         ({} of {n} grid points meet the cap: {cap}).",
        sweep.param.label(b.value),
        fmt::money_plus_minus(b.net_mean, b.net_se),
        b.p_catastrophe,
        fmt::money(b.cvar95_harm),
        best.feasible_points,
    );
    let boot = &b.bootstrap;
    if boot.replicates > 0 {
        let _ = write!(
            s,
            " Resampling the runs ({} bootstrap replicates), the same grid point is chosen {} of the time",
            boot.replicates,
            fmt::percent(boot.share_same)
        );
        if let (Some(lo), Some(hi)) = (boot.value_p5, boot.value_p95) {
            let _ = write!(s, " and 90% of the choices lie between {} and {}", fmt::grid(lo), fmt::grid(hi));
        }
        if boot.share_none > 0.0 {
            let _ = write!(s, "; {} of the resamples meet no cap", fmt::percent(boot.share_none));
        }
        s.push('.');
    }
    if let Some(end) = sweep.grid_end(b.value) {
        let _ = write!(s, " It is the grid's {end} value: a better one may lie beyond the grid.");
    }
    s
}

fn notes_of<'a>(input: &FigureInput<'a>, part: Part) -> impl Iterator<Item = Block<'a>> + use<'a> {
    input.notes.iter().filter(move |n| n.part == part).map(|n| Block::Meta(n.text.clone()))
}

/// The analyses section: the threshold sweep, the heat map and the sensitivity ranking, each
/// with what it shows in words, its figures, and what was left out and why.
fn analysis_blocks<'a>(
    input: &FigureInput<'a>,
    figures: &'a [ReportFigure],
    skipped: &[(FigureKind, String)],
) -> Vec<Block<'a>> {
    let figure = |kind: FigureKind| figures.iter().find(|f| f.kind == kind).map(Block::Figure);
    // A figure left out for a reason a note already gives is only named.
    let not_drawn = |kinds: &[FigureKind], part: Part| -> Vec<Block<'a>> {
        let explained = input.notes.iter().any(|n| n.part == part);
        let missing: Vec<&(FigureKind, String)> = skipped.iter().filter(|(k, _)| kinds.contains(k)).collect();
        if missing.is_empty() {
            Vec::new()
        } else if explained {
            let titles: Vec<&str> = missing.iter().map(|(k, _)| k.title()).collect();
            vec![Block::Meta(format!("Not drawn: {}.", titles.join("; ")))]
        } else {
            missing
                .iter()
                .map(|(k, why)| Block::Meta(format!("Not drawn: {} ({}).", k.title(), why.trim_end_matches('.'))))
                .collect()
        }
    };
    if input.sweep.is_none() && input.sweep_2d.is_none() && input.sensitivity.is_none() && input.decision.is_none() {
        let mut out: Vec<Block<'a>> = input.notes.iter().map(|n| Block::Para(n.text.clone())).collect();
        if out.is_empty() {
            out.push(Block::Para("This report has no threshold sweep, heat map or sensitivity analysis.".into()));
        }
        let titles: Vec<&str> = skipped.iter().filter(|(k, _)| is_analysis(*k)).map(|(k, _)| k.title()).collect();
        if !titles.is_empty() {
            out.push(Block::Meta(format!("Not drawn: {}.", titles.join("; "))));
        }
        return out;
    }
    let mut out: Vec<Block<'a>> = vec![Block::Para(
        "Each analysis below runs on common random numbers: every grid point and every parameter setting sees the \
         same simulated worlds, so the differences between them come from the setting, not from chance. Each says \
         how many runs it used."
            .into(),
    )];
    out.extend(notes_of(input, Part::Simulation));

    out.push(Block::Heading("Threshold sweep".into()));
    match input.sweep {
        Some(sw) => {
            let key = sw.param.key();
            let (from, to) = min_max(sw.points.iter().map(|p| p.value));
            let moves = match sw.param {
                SweepParam::OpenBelow => " (each regime's gated_below moves with it, keeping its gap)",
                SweepParam::GatedBelow => " (a value below a regime's open_below is raised to it)",
                SweepParam::Drift => " (the yearly drift of both ceilings)",
            };
            out.push(Block::Para(format!(
                "{key} of policy \"{}\"{moves} swept from {} to {} in {} grid points, {} runs per point (seed {}). \
                 As it stands ({key} = {}): expected net welfare {}, P(catastrophe) {:.3} [{:.3}, {:.3}], CVaR95 of \
                 harm {}, expected net difference to \"{}\" {}.",
                sw.policy,
                sw.param.label(from),
                sw.param.label(to),
                sw.points.len(),
                fmt::grouped(sw.runs as f64),
                sw.seed,
                sw.param.label(sw.current_value),
                fmt::money_plus_minus(sw.current.net_mean, sw.current.net_se),
                sw.current.p_catastrophe,
                sw.current.p_catastrophe_lo,
                sw.current.p_catastrophe_hi,
                fmt::money(sw.current.cvar95_harm),
                sw.reference,
                fmt::money_plus_minus(sw.current.net_diff_mean, sw.current.net_diff_se),
            )));
            let extreme = |f: fn(&SweepPoint) -> f64| {
                sw.points.iter().max_by(|a, b| f(a).total_cmp(&f(b))).map(|p| (p.value, f(p)))
            };
            if let (Some((v_net, net)), Some((v_cat, _))) = (extreme(|p| p.net_mean), extreme(|p| -p.p_catastrophe)) {
                let lowest = sw.points.iter().map(|p| p.p_catastrophe).fold(f64::INFINITY, f64::min);
                out.push(Block::Para(format!(
                    "Across the grid, expected net welfare is highest at {key} = {} ({}), and P(catastrophe) is \
                     lowest at {key} = {} ({lowest:.3}).",
                    sw.param.label(v_net),
                    fmt::money(net),
                    sw.param.label(v_cat),
                )));
            }
            out.extend(notes_of(input, Part::Sweep));
            if let Some(best) = input.best_threshold {
                out.push(Block::Para(best_threshold_sentence(sw, best)));
            }
        }
        None => out.extend(notes_of(input, Part::Sweep)),
    }
    out.extend([FigureKind::ThresholdCurves, FigureKind::Frontier].into_iter().filter_map(figure));
    out.extend(not_drawn(&[FigureKind::ThresholdCurves, FigureKind::Frontier], Part::Sweep));

    match input.sweep_2d {
        Some(sw) => {
            let key = sw.param.key();
            out.push(Block::Heading(format!("Heat map: {key} against {}", sw.param2)));
            let (from, to) = min_max(sw.values.iter().copied());
            let (from2, to2) = min_max(sw.values2.iter().copied());
            out.push(Block::Para(format!(
                "{key} of policy \"{}\" from {} to {} ({} values) against {} from {} to {} ({} values), the world \
                 parameter set to each value in every run while the others keep their draws; {} runs per cell (seed \
                 {}), each cell paired against \"{}\".",
                sw.policy,
                sw.param.label(from),
                sw.param.label(to),
                sw.values.len(),
                sw.param2,
                world_value(&sw.param2, from2),
                world_value(&sw.param2, to2),
                sw.values2.len(),
                fmt::grouped(sw.runs as f64),
                sw.seed,
                sw.reference,
            )));
            let (lo, hi) = min_max(sw.cells.iter().map(|c| c.point.p_better_than_reference));
            let contour = if sw.contour_p_better_half.is_empty() {
                format!(
                    "P(better than \"{}\") ranges from {lo:.3} to {hi:.3} across the grid; it {} 0.5, so the heat map \
                     has no P(better) = 0.5 line.",
                    sw.reference,
                    if hi < 0.5 { "stays below" } else { "stays above" }
                )
            } else {
                format!(
                    "P(better than \"{}\") ranges from {lo:.3} to {hi:.3} across the grid; the black line marks where \
                     it is 0.5.",
                    sw.reference
                )
            };
            let best = sw.cells.iter().max_by(|a, b| a.point.net_diff_mean.total_cmp(&b.point.net_diff_mean));
            let worst = sw.cells.iter().min_by(|a, b| a.point.net_diff_mean.total_cmp(&b.point.net_diff_mean));
            let mut text = contour;
            if let (Some(b), Some(w)) = (best, worst) {
                let _ = write!(
                    text,
                    " The mean net difference runs from {} ({key} = {}, {} = {}) to {} ({key} = {}, {} = {}).",
                    fmt::money_plus_minus(w.point.net_diff_mean, w.point.net_diff_se),
                    fmt::grid(w.point.value),
                    sw.param2,
                    fmt::grid(w.value2),
                    fmt::money_plus_minus(b.point.net_diff_mean, b.point.net_diff_se),
                    fmt::grid(b.point.value),
                    sw.param2,
                    fmt::grid(b.value2),
                );
            }
            out.push(Block::Para(text));
        }
        None => out.push(Block::Heading("Heat map".into())),
    }
    out.extend(notes_of(input, Part::Sweep2d));
    out.extend(figure(FigureKind::Heatmap));
    out.extend(not_drawn(&[FigureKind::Heatmap], Part::Sweep2d));

    out.push(Block::Heading("Sensitivity: what drives the outcome".into()));
    if let Some(se) = input.sensitivity {
        let (what, unit) = match se.output {
            Output::Benefit => (format!("the benefit of \"{}\"", se.policy), "$B"),
            Output::Harm => (format!("the harm of \"{}\"", se.policy), "$B"),
            Output::Net => (format!("the net welfare of \"{}\"", se.policy), "$B"),
            Output::NetDiff => (
                format!("the net welfare of \"{}\" minus that of \"{}\" in the same run", se.policy, se.reference),
                "$B",
            ),
            Output::Catastrophe => (format!("whether \"{}\" suffers a catastrophe", se.policy), "share of runs"),
        };
        let mean = if unit == "$B" {
            fmt::money_plus_minus(se.output_mean, se.output_se)
        } else {
            format!("{:.3} ± {:.3}", se.output_mean, se.output_se)
        };
        out.push(Block::Para(format!(
            "Output: {what}; its mean is {mean} over {} runs (seed {}). Tornado: each of the {} uncertain world \
             parameters held at its 10th and then its 90th percentile in every run while the others keep their \
             draws; the swing is the change in the mean output. Spearman and PRCC (partial rank correlation, \
             which removes the other parameters' effects) are rank correlations with the output over the runs with \
             every parameter drawn, from -1 to 1.",
            fmt::grouped(se.runs as f64),
            se.seed,
            se.params.len()
        )));
        out.extend(notes_of(input, Part::Sensitivity));
        let shown = se.params.len().min(SENSITIVITY_ROWS);
        let header = vec![
            "Parameter".to_string(),
            "Unit".into(),
            "10th percentile".into(),
            "90th percentile".into(),
            "Spearman".into(),
            "PRCC".into(),
            format!("Mean at 10th ({unit})"),
            format!("Mean at 90th ({unit})"),
            format!("Swing ({unit})"),
        ];
        let outcome = |x: f64| if unit == "$B" { fmt::grouped(x) } else { fmt::probability(x) };
        let rows = se
            .params
            .iter()
            .take(shown)
            .map(|p| {
                vec![
                    p.param.clone(),
                    PARAMS.get(p.index).map_or("", |i| i.unit).to_string(),
                    fmt::sig4(p.p10),
                    fmt::sig4(p.p90),
                    fmt::signed(p.spearman),
                    fmt::signed(p.prcc),
                    outcome(p.low),
                    outcome(p.high),
                    outcome(p.swing),
                ]
            })
            .collect();
        out.push(Block::Table { header, rows, numeric_from: 2 });
        out.push(Block::Meta(format!(
            "The {shown} parameters with the largest swings of {}, largest first{}.",
            se.params.len(),
            if shown < se.params.len() { "; the tornado's sidecar lists more" } else { "" }
        )));
    } else {
        out.extend(notes_of(input, Part::Sensitivity));
    }
    out.extend(figure(FigureKind::Tornado));
    out.extend(not_drawn(&[FigureKind::Tornado], Part::Sensitivity));
    if let Some(d) = input.decision {
        out.extend(decision_blocks(d, &figure));
    } else if input.notes.iter().any(|n| n.part == Part::Decision) {
        out.push(Block::Heading("Scenario discovery, regret and the value of information".into()));
        out.extend(notes_of(input, Part::Decision));
    }
    let decision_figures = [FigureKind::PrimTradeoff, FigureKind::PrimBox, FigureKind::Regret, FigureKind::Evppi];
    out.extend(not_drawn(&decision_figures, Part::Decision));
    out
}

/// Decision support: the PRIM box of the report's event, regret per policy and the value
/// of information, with their figures.
fn decision_blocks<'a>(
    d: &crate::analysis::decision::Decision,
    figure: &dyn Fn(FigureKind) -> Option<Block<'a>>,
) -> Vec<Block<'a>> {
    let disc = &d.discovery;
    let mut out = vec![Block::Heading("Scenario discovery: when does it go wrong?".into())];
    out.push(Block::Para(format!(
        "Event: {} — in {} of {} paired worlds (seed {}). PRIM (patient rule induction) peels {} of the worlds per \
         step off the low or high end of one uncertain parameter, keeping the peel that leaves the highest share of \
         event worlds, down to {} of all worlds; the chosen box (number {} of {} on the trajectory: the one holding \
         the most event worlds beyond what the overall event rate would put in a box of its size) is then pasted \
         back where that keeps its density.",
        disc.event_text,
        fmt::grouped(disc.event_worlds as f64),
        fmt::grouped(disc.runs as f64),
        disc.seed,
        fmt::percent(disc.prim.alpha),
        fmt::percent(disc.prim.min_mass),
        disc.chosen,
        disc.trajectory.len()
    )));
    out.push(Block::Para(disc.statement.clone()));
    if !disc.chosen_box.restrictions.is_empty() {
        let rows = disc
            .chosen_box
            .restrictions
            .iter()
            .map(|r| vec![r.rule(), fmt::sig4(r.sampled_min), fmt::sig4(r.sampled_max), fmt::p_value(r.p_value)])
            .collect();
        let header = ["Rule", "Smallest draw", "Largest draw", "p-value"].map(String::from).to_vec();
        out.push(Block::Table { header, rows, numeric_from: 1 });
        out.push(Block::Meta(
            "p-value: the one-sided binomial chance of at least the box's event count among its worlds if the \
             event rate were that of the box without this restriction (EMA Workbench's quasi-p-value); a large \
             one says the restriction adds little."
                .into(),
        ));
    }
    out.extend(figure(FigureKind::PrimTradeoff));
    out.extend(figure(FigureKind::PrimBox));

    let r = &d.robustness;
    out.push(Block::Heading("Robustness: regret across the policies".into()));
    let name = |i: usize| r.options.get(i).map_or(String::new(), |o| o.name.clone());
    out.push(Block::Para(format!(
        "Regret of a policy in a world is the best net any policy achieves in that world minus its own, over the same \
         {} worlds. Best expected net: \"{}\". Minimax regret (least maximum regret): \"{}\". Least 95th-percentile \
         regret: \"{}\".",
        fmt::grouped(r.worlds as f64),
        name(r.best_expected),
        name(r.minimax_regret),
        name(r.min_p95_regret)
    )));
    let mut header = ["Policy", "Mean net ($B)", "Mean regret ($B)", "p95 regret ($B)", "Max regret ($B)", "Best in"]
        .map(String::from)
        .to_vec();
    if let Some(f) = r.floor {
        header.push(format!("Net ≥ {} $B in", fmt::bound(f)));
    }
    let rows = r
        .options
        .iter()
        .map(|o| {
            let mut row = vec![
                o.name.clone(),
                fmt::plus_minus_grouped(o.net_mean, o.net_se),
                fmt::plus_minus_grouped(o.regret_mean, o.regret_se),
                fmt::grouped(o.regret_p95),
                fmt::grouped(o.regret_max),
                fmt::percent(o.best_share),
            ];
            row.extend(o.satisficing_share.map(fmt::percent));
            row
        })
        .collect();
    out.push(Block::Table { header, rows, numeric_from: 1 });
    out.extend(figure(FigureKind::Regret));

    let v = &d.value_of_information;
    out.push(Block::Heading("Value of information: which uncertainty is worth resolving?".into()));
    out.push(Block::Para(format!(
        "{} EVPI (knowing the world exactly before choosing) = E[best net in each world] - best expected net = {}. \
         EVPPI per parameter: the worlds binned into {} equal-count bins of the parameter, the best policy chosen in \
         each bin; the selection bias of the same binning on random partitions ({} $B) is taken off.",
        v.statement,
        fmt::money_plus_minus(v.evpi, v.evpi_se),
        v.options.bins,
        fmt::number(v.bias)
    )));
    let rows = v
        .params
        .iter()
        .take(SENSITIVITY_ROWS)
        .map(|p| vec![p.param.clone(), fmt::plus_minus_grouped(p.evppi, p.evppi_se), fmt::percent(p.share_of_evpi)])
        .collect();
    let header = ["Parameter", "EVPPI ($B)", "Share of EVPI"].map(String::from).to_vec();
    out.push(Block::Table { header, rows, numeric_from: 1 });
    out.extend(figure(FigureKind::Evppi));
    out
}

/// Rows of the sensitivity table in a report.
pub const SENSITIVITY_ROWS: usize = 10;

fn min_max(it: impl Iterator<Item = f64>) -> (f64, f64) {
    it.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
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
        "<p class=\"meta\">Baseline policy: {}. “Net − baseline” and “P(better)” are paired: each policy against the baseline in the same run. CVaR95: mean harm of the worst 5% of runs. P(catastrophe): share of runs with at least one event of at least {}. H: the hazard threshold.</p>",
        esc(&input.summary.policies[input.summary.reference].name),
        esc(&fmt::money_compact(s.world()[crate::model::P::catastrophe_threshold as usize].central()))
    );

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
        "Baseline policy: {}. “Net − baseline” and “P(better)” are paired: each policy against the baseline in the same run. CVaR95: mean harm of the worst 5% of runs. P(catastrophe): share of runs with at least one event of at least {}. H: the hazard threshold.\n",
        input.summary.policies[input.summary.reference].name,
        fmt::money_compact(s.world()[crate::model::P::catastrophe_threshold as usize].central())
    );
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
