//! The engine's SIMD width: how many runs one register holds. Each lane is one run and does
//! exactly the arithmetic of a run alone (lane-wise IEEE operations, the same fused
//! multiply-adds), so the width changes speed and never a result: a build with AVX-512
//! steps eight runs per register, any other x86-64-v3 build four (`wide` picks the
//! instructions from the target features the build enables; see `.cargo/config.toml`).

#[cfg(target_feature = "avx512f")]
mod width {
    /// Runs simulated together, one per lane.
    pub const LANES: usize = 8;
    /// A value per lane.
    pub type F = wide::f64x8;
    /// A 64-bit word per lane (random-number state, float bit patterns).
    pub type U = wide::u64x8;
}

#[cfg(not(target_feature = "avx512f"))]
mod width {
    /// Runs simulated together, one per lane.
    pub const LANES: usize = 4;
    /// A value per lane.
    pub type F = wide::f64x4;
    /// A 64-bit word per lane (random-number state, float bit patterns).
    pub type U = wide::u64x4;
}

pub use width::{F, LANES, U};

/// Every lane's bit in a [`F::to_bitmask`] mask.
pub const ALL_LANES: u32 = (1 << LANES) - 1;
