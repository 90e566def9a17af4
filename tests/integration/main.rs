//! The test suite of the simulation core: one integration test binary, one module per theme.

mod analytic;
mod bad_input;
mod determinism;
mod distributions;
mod support;
