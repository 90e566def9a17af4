//! The integration tests: one binary, one module per theme; the desktop app's (driven through
//! egui_kittest) with the `gui` feature.

mod analytic;
#[cfg(feature = "gui")]
mod app;
mod bad_input;
mod cli;
mod determinism;
mod distributions;
mod fuzz;
mod levers;
mod properties;
mod regressions;
mod scenarios;
mod sharding;
mod support;
