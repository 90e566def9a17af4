//! The test suite of the simulation core: one integration test binary, one module per theme.

mod bad_input;
mod distributions;
mod support;
