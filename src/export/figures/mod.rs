//! Publication figures rendered headless with plotters (SVG and PNG), each with a JSON
//! sidecar holding the plotted data and the provenance.
//!
//! The app and the CLI share this API; it needs no window and no GPU and may run on any
//! thread (the embedded font is registered once per process):
//!
//! ```no_run
//! # use std::path::Path;
//! # use tierlab::export::figures::*;
//! # fn demo(input: &FigureInput<'_>) -> Result<(), FigureError> {
//! // One call: compute, draw, write `harm_exceedance.svg` and `harm_exceedance.json`.
//! render(FigureKind::HarmExceedance, input, Format::Svg, Path::new("out/harm_exceedance.svg"), &FigureOptions::default())?;
//! // Or compute once and draw to several formats (or to memory, for a preview).
//! let figure = prepare(FigureKind::NetDistribution, input)?;
//! let png: Vec<u8> = figure.render(Format::Png, &FigureOptions::default())?;
//! # Ok(()) }
//! ```
//!
//! # Adding a figure (the extension point)
//! Threshold sweeps, the benefit/tail-risk frontier, heat maps and tornado charts slot in
//! the same way as the figures here:
//! 1. add a variant to [`FigureKind`] (and to `FigureKind::ALL`, `name`, `title`, `about`);
//! 2. if it needs data this module does not get yet (a sweep or sensitivity result), add an
//!    `Option<&'a …>` field to [`FigureInput`] (default `None` in [`FigureInput::new`], a
//!    `with_…` setter) and name it in `FigureKind::requirement`, so that asking for the
//!    figure without the data is a [`FigureError::MissingData`], not a panic;
//! 3. write a family module like `distributions.rs`: a `Serialize` struct with the plotted
//!    data and its Monte Carlo errors, `fn compute(&FigureInput) -> Result<Self, FigureError>`
//!    and `fn draw(&self, root, style, frame)`, using `style.rs` for the frame, axes,
//!    ticks, legend and clipping;
//! 4. add a variant to the private `Plot` enum and its three `match`es.
//!
//! Colours come from [`crate::theme`] in the scenario's policy order, as in the app.
//!
//! Files: `kind.rs` the figures and what each needs, `input.rs` what they are drawn from,
//! `options.rs` format and size, `figure.rs` a computed figure drawn and written with its
//! sidecar, `error.rs`; the families (`distributions.rs`, `tail.rs`, `time.rs`,
//! `jurisdictions.rs`, `analyses/`, `decision.rs`) each compute and draw their figures with
//! `style.rs`.

mod analyses;
mod decision;
mod distributions;
mod error;
mod figure;
mod input;
mod jurisdictions;
mod kind;
mod options;
mod policy;
pub(crate) mod style;
mod tail;
mod time;

pub use error::FigureError;
pub use figure::{Figure, prepare, render, sidecar_path};
pub use input::FigureInput;
pub use kind::{FigureKind, Requirement, parts_for};
pub use options::{FigureOptions, Format};
pub use style::FONT_FAMILY;
