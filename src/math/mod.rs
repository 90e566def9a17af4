//! The arithmetic every simulated number goes through, below the model and the engine both:
//! the SIMD lane types (`simd`) and the project's own `log`, `exp` and `expm1`, scalar and
//! in lanes (`libm`), bit for bit the same on every platform (docs/ARCHITECTURE.md,
//! "Determinism").

pub(crate) mod libm;
pub mod simd;
