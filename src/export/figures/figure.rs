//! A figure computed from the results: drawn as SVG or PNG, with its JSON sidecar.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use serde::Serialize;

use crate::export::data::write_atomic;
use crate::export::json::ProvenanceJson;
use crate::study::Provenance;

use super::error::FigureError;
use super::input::{FigureInput, check_requirement};
use super::kind::FigureKind;
use super::options::{FigureOptions, Format};
use super::style::{self, Area, DrawResult, FrameSpec, Style};
use super::{analyses, decision, distributions, jurisdictions, tail, time};

/// The data of one figure kind, computed from the results.
enum Plot {
    Density(distributions::Density),
    Ecdf(distributions::Ecdf),
    Paired(distributions::Paired),
    Exceedance(tail::Exceedance),
    Fan(time::Fan),
    Capability(time::Capability),
    Shares(time::Shares),
    Jurisdictions(jurisdictions::Bars),
    Curves(analyses::Curves),
    Frontier(analyses::Frontier),
    Heatmap(analyses::Heatmap),
    Tornado(analyses::Tornado),
    Tradeoff(decision::Tradeoff),
    ChosenBox(decision::ChosenBox),
    Regret(decision::RegretChart),
    Evppi(decision::EvppiBars),
}

impl Plot {
    fn compute(kind: FigureKind, input: &FigureInput<'_>) -> Result<Plot, FigureError> {
        Ok(match kind {
            FigureKind::NetDistribution => {
                Plot::Density(distributions::Density::compute(input, distributions::Measure::Net))
            }
            FigureKind::BenefitDistribution => {
                Plot::Density(distributions::Density::compute(input, distributions::Measure::Benefit))
            }
            FigureKind::HarmDistribution => {
                Plot::Density(distributions::Density::compute(input, distributions::Measure::Harm))
            }
            FigureKind::Ecdf => Plot::Ecdf(distributions::Ecdf::compute(input)),
            FigureKind::PairedDifference => Plot::Paired(distributions::Paired::compute(input)),
            FigureKind::HarmExceedance => Plot::Exceedance(tail::Exceedance::compute(input)),
            FigureKind::FanBenefit => Plot::Fan(time::Fan::compute(input, time::FanMetric::Benefit)?),
            FigureKind::FanHarm => Plot::Fan(time::Fan::compute(input, time::FanMetric::Harm)?),
            FigureKind::FrontierOpenPool => Plot::Capability(time::Capability::compute(input)?),
            FigureKind::SharesOverTime => Plot::Shares(time::Shares::compute(input)?),
            FigureKind::JurisdictionBars => Plot::Jurisdictions(jurisdictions::Bars::compute(input)),
            FigureKind::ThresholdCurves => Plot::Curves(analyses::Curves::compute(input)?),
            FigureKind::Frontier => Plot::Frontier(analyses::Frontier::compute(input)?),
            FigureKind::Heatmap => Plot::Heatmap(analyses::Heatmap::compute(input)?),
            FigureKind::Tornado => Plot::Tornado(analyses::Tornado::compute(input)?),
            FigureKind::PrimTradeoff => Plot::Tradeoff(decision::Tradeoff::compute(input)?),
            FigureKind::PrimBox => Plot::ChosenBox(decision::ChosenBox::compute(input)?),
            FigureKind::Regret => Plot::Regret(decision::RegretChart::compute(input)?),
            FigureKind::Evppi => Plot::Evppi(decision::EvppiBars::compute(input)?),
        })
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        match self {
            Plot::Density(p) => p.draw(root, st, frame),
            Plot::Ecdf(p) => p.draw(root, st, frame),
            Plot::Paired(p) => p.draw(root, st, frame),
            Plot::Exceedance(p) => p.draw(root, st, frame),
            Plot::Fan(p) => p.draw(root, st, frame),
            Plot::Capability(p) => p.draw(root, st, frame),
            Plot::Shares(p) => p.draw(root, st, frame),
            Plot::Jurisdictions(p) => p.draw(root, st, frame),
            Plot::Curves(p) => p.draw(root, st, frame),
            Plot::Frontier(p) => p.draw(root, st, frame),
            Plot::Heatmap(p) => p.draw(root, st, frame),
            Plot::Tornado(p) => p.draw(root, st, frame),
            Plot::Tradeoff(p) => p.draw(root, st, frame),
            Plot::ChosenBox(p) => p.draw(root, st, frame),
            Plot::Regret(p) => p.draw(root, st, frame),
            Plot::Evppi(p) => p.draw(root, st, frame),
        }
    }

    fn data(&self) -> serde_json::Value {
        let v = match self {
            Plot::Density(p) => serde_json::to_value(p),
            Plot::Ecdf(p) => serde_json::to_value(p),
            Plot::Paired(p) => serde_json::to_value(p),
            Plot::Exceedance(p) => serde_json::to_value(p),
            Plot::Fan(p) => serde_json::to_value(p),
            Plot::Capability(p) => serde_json::to_value(p),
            Plot::Shares(p) => serde_json::to_value(p),
            Plot::Jurisdictions(p) => serde_json::to_value(p),
            Plot::Curves(p) => serde_json::to_value(p),
            Plot::Frontier(p) => serde_json::to_value(p),
            Plot::Heatmap(p) => serde_json::to_value(p),
            Plot::Tornado(p) => serde_json::to_value(p),
            Plot::Tradeoff(p) => serde_json::to_value(p),
            Plot::ChosenBox(p) => serde_json::to_value(p),
            Plot::Regret(p) => serde_json::to_value(p),
            Plot::Evppi(p) => serde_json::to_value(p),
        };
        // Plot data are plain numbers and strings; NaN becomes null.
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// A figure computed from the results, ready to draw in any format.
pub struct Figure {
    kind: FigureKind,
    caption: String,
    provenance: Provenance,
    plot: Plot,
}

/// The sidecar written next to every figure (same stem, `.json`).
#[derive(Serialize)]
struct Sidecar<'a> {
    figure: &'static str,
    title: &'static str,
    about: &'static str,
    caption: &'a str,
    provenance: ProvenanceJson,
    /// The plotted data, with Monte Carlo errors.
    data: serde_json::Value,
}

/// Computes the data of a figure.
///
/// # Errors
/// The input lacks what the figure needs ([`FigureError::MissingData`]).
pub fn prepare(kind: FigureKind, input: &FigureInput<'_>) -> Result<Figure, FigureError> {
    check_requirement(kind, input)?;
    let plot = Plot::compute(kind, input)?;
    // The provenance (and caption) of a figure gives the runs it was drawn from.
    let mut provenance = input.provenance.clone();
    provenance.runs = input.runs_behind(kind);
    Ok(Figure { kind, caption: provenance.caption(), provenance, plot })
}

impl Figure {
    pub fn kind(&self) -> FigureKind {
        self.kind
    }

    /// The figure as SVG text or PNG bytes.
    ///
    /// # Errors
    /// Invalid options, or drawing or encoding fails.
    pub fn render(&self, format: Format, opts: &FigureOptions) -> Result<Vec<u8>, FigureError> {
        match format {
            Format::Svg => self.svg(opts).map(String::into_bytes),
            Format::Png => self.png(opts),
        }
    }

    fn frame_spec(&self) -> FrameSpec<'_> {
        FrameSpec { title: self.kind.title(), legend: &[], notes: &[], caption: &self.caption }
    }

    fn draw_error(&self, e: &dyn std::fmt::Display) -> FigureError {
        FigureError::Draw { figure: self.kind.name(), message: e.to_string() }
    }

    /// The figure as SVG text (no timestamps: the same input gives the same bytes).
    ///
    /// # Errors
    /// Invalid options, or drawing fails.
    pub fn svg(&self, opts: &FigureOptions) -> Result<String, FigureError> {
        opts.check()?;
        style::ensure_font()?;
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, opts.pixels(Format::Svg)).into_drawing_area();
            let st = Style { scale: 1.0 };
            self.plot.draw(&root, &st, &self.frame_spec()).map_err(|e| self.draw_error(&e))?;
            root.present().map_err(|e| self.draw_error(&e))?;
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }

    /// The figure as PNG bytes, `png_scale` times the layout size.
    ///
    /// # Errors
    /// Invalid options, or drawing or encoding fails.
    pub fn png(&self, opts: &FigureOptions) -> Result<Vec<u8>, FigureError> {
        opts.check()?;
        style::ensure_font()?;
        let (w, h) = opts.pixels(Format::Png);
        let mut pixels = vec![255u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            let st = Style { scale: f64::from(opts.png_scale) };
            self.plot.draw(&root, &st, &self.frame_spec()).map_err(|e| self.draw_error(&e))?;
            root.present().map_err(|e| self.draw_error(&e))?;
        }
        let mut out = Vec::new();
        {
            use image::ImageEncoder as _;
            let encoder = image::codecs::png::PngEncoder::new(&mut out);
            encoder
                .write_image(&pixels, w, h, image::ExtendedColorType::Rgb8)
                .map_err(|e| FigureError::Encode(e.to_string()))?;
        }
        Ok(out)
    }

    /// The sidecar: figure, caption, provenance and the plotted data.
    pub fn sidecar(&self) -> serde_json::Value {
        let car = Sidecar {
            figure: self.kind.name(),
            title: self.kind.title(),
            about: self.kind.about(),
            caption: &self.caption,
            provenance: ProvenanceJson::from(&self.provenance),
            data: self.plot.data(),
        };
        serde_json::to_value(&car).unwrap_or(serde_json::Value::Null)
    }

    /// The sidecar as pretty-printed JSON text.
    pub fn sidecar_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.sidecar()).unwrap_or_else(|_| "null".into());
        s.push('\n');
        s
    }

    /// Writes the figure to `path` and its sidecar next to it, both atomically.
    ///
    /// # Errors
    /// Drawing fails or a file cannot be written.
    pub fn write(&self, format: Format, path: &Path, opts: &FigureOptions) -> Result<(), FigureError> {
        let bytes = self.render(format, opts)?;
        write_atomic(path, &bytes).map_err(|source| FigureError::Io { path: path.to_path_buf(), source })?;
        let car = sidecar_path(path);
        write_atomic(&car, self.sidecar_json().as_bytes()).map_err(|source| FigureError::Io { path: car, source })
    }
}

/// The sidecar's path for a figure's path: the same stem with `.json`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    path.with_extension("json")
}

/// Computes, draws and writes one figure and its JSON sidecar (same stem, `.json`).
///
/// # Errors
/// The input lacks what the figure needs, drawing fails, or a file cannot be written.
pub fn render(
    kind: FigureKind,
    input: &FigureInput<'_>,
    format: Format,
    path: &Path,
    opts: &FigureOptions,
) -> Result<(), FigureError> {
    prepare(kind, input)?.write(format, path, opts)
}
