//! The test suite: one integration test binary, one module per theme (the app's tests too,
//! with the `gui` feature).

mod analytic;
#[cfg(feature = "gui")]
mod app;
mod bad_input;
mod calibration;
mod cli;
mod consistency;
mod decision;
mod determinism;
mod distributions;
mod figures;
mod fuzz;
mod jurisdictions_uncertain;
mod levers;
mod properties;
mod regressions;
mod scenarios;
mod sharding;
mod support;
mod sweep_sensitivity;
mod tidy;
mod v2;
