//! The report bundle: every figure (with sidecars) in `figures/`, a self-contained
//! `report.html` (inline SVG or PNG data URIs, inline CSS, no scripts, no external
//! resource) and `report.md` (the same content, figures linked relatively).
//!
//! `mod.rs` writes the bundle; `html.rs` and `markdown.rs` set the same sections
//! (`sections.rs`, and `analyses.rs` for the analyses) each in its own format.

mod analyses;
mod figure;
mod html;
mod layout;
mod markdown;
mod sections;

use std::path::{Path, PathBuf};

use crate::export::data::write_atomic;
use crate::export::figures::{Figure, FigureError, FigureInput, FigureKind, FigureOptions, Format, prepare};

pub use analyses::{SENSITIVITY_ROWS, best_threshold_sentence};
pub use figure::{Inline, ReportFigure, is_analysis, missing_reason};
pub use html::{base64, html};
pub use layout::{FIGURES_DIR, SCENARIO_COPY};
pub use markdown::markdown;

/// Writes `text` as [`SCENARIO_COPY`] in `dir`; its path.
///
/// # Errors
/// The file cannot be written.
pub fn write_scenario_copy(dir: &Path, text: &str) -> Result<PathBuf, ReportError> {
    let path = dir.join(SCENARIO_COPY);
    write_atomic(&path, text.as_bytes()).map_err(|source| ReportError::Io { path: path.clone(), source })?;
    Ok(path)
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
