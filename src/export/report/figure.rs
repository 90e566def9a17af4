//! A figure as the report shows it, and why one is not drawn.

use crate::export::figures::{FigureError, FigureInput, FigureKind, Format, Requirement};
use crate::study::Part;

use super::layout::FIGURES_DIR;

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

/// Whether a figure belongs to an analysis (a sweep or a sensitivity analysis) rather than
/// to the simulation.
pub fn is_analysis(kind: FigureKind) -> bool {
    matches!(
        kind.requirement(),
        Requirement::Sweep | Requirement::Sweep2d | Requirement::Sensitivity | Requirement::Decision
    )
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

pub(super) fn figure_links(f: &ReportFigure, link: impl Fn(&str, &str) -> String) -> String {
    f.files
        .iter()
        .map(|(fmt, rel)| link(&fmt.extension().to_uppercase(), rel))
        .chain(std::iter::once(link("data (JSON)", &format!("{FIGURES_DIR}/{}.json", f.kind.name()))))
        .collect::<Vec<_>>()
        .join(", ")
}
