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

/// Whether wide's `mul_add` and `mul_neg_add` on [`F`] are fused multiply-adds in this build.
const WIDE_FUSES: bool =
    cfg!(any(all(target_arch = "x86_64", target_feature = "avx", target_feature = "fma"), target_arch = "aarch64"));

/// Fused multiply-adds on [`F`] that round once on every platform.
pub trait Fma {
    /// `self * b + c` rounded once, in every lane: wide's `mul_add` where it is a fused
    /// multiply-add (x86-64 with AVX and FMA, aarch64), elsewhere each lane's
    /// `f64::mul_add`, which is the correctly rounded operation on every platform (a software
    /// routine where there is no instruction: WebAssembly's simd128 has none, and there
    /// wide's `mul_add` rounds twice). Every polynomial of `vmath.rs` and `libm.rs` goes
    /// through this, so a lane gives the same bits natively and in the browser.
    fn fma(self, b: F, c: F) -> F;
    /// `c - self * b` rounded once, in every lane (wide's `mul_neg_add`; see [`Fma::fma`]).
    fn fnma(self, b: F, c: F) -> F;
}

impl Fma for F {
    #[inline(always)]
    fn fma(self, b: F, c: F) -> F {
        if WIDE_FUSES {
            self.mul_add(b, c)
        } else {
            let (a, b, c) = (self.to_array(), b.to_array(), c.to_array());
            F::new(std::array::from_fn(|l| a[l].mul_add(b[l], c[l])))
        }
    }

    #[inline(always)]
    fn fnma(self, b: F, c: F) -> F {
        if WIDE_FUSES {
            self.mul_neg_add(b, c)
        } else {
            let (a, b, c) = (self.to_array(), b.to_array(), c.to_array());
            F::new(std::array::from_fn(|l| (-a[l]).mul_add(b[l], c[l])))
        }
    }
}
