//! The test suite of the simulation core: one integration test binary, one module per theme.

mod analytic;
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
