//! Tierlab: a Monte Carlo simulator of AI model-release policy.
//!
//! Data flows one way: a scenario file becomes a checked [`model::Scenario`]; [`sim`] turns
//! it into per-run results on common random numbers; [`analysis`] summarises them; [`study`]
//! plans and runs what a command or a view needs; [`workspace`] is a session's state and work
//! without drawing (the document, its runs and analyses, exports); the app and [`export`]
//! only draw and write. Nothing but the app depends on the GUI.

pub mod analysis;
// The command line (terminal progress bars, files, a thread pool per command) has no place in
// a browser; the web build is the library without it.
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod export;
pub mod fmt;
pub mod math;
pub mod model;
pub mod sim;
pub mod study;
pub mod theme;
pub mod workspace;

#[cfg(feature = "gui")]
pub mod app;

/// The browser's entry point (scripts/web/build.sh): the app on a canvas, stepped.
#[cfg(all(target_arch = "wasm32", feature = "gui"))]
pub mod web;

/// Version of the model specification the engine implements (MODEL.md, v2). A scenario that
/// uses no v2 key runs exactly as under v1 and says so in its provenance
/// (`Scenario::model_version`).
pub const MODEL_VERSION: &str = "2";

/// The tool's version, stamped on every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
