//! The C library's `log` and `exp`, for every lane ([`ln`], [`exp`]) and for one number
//! ([`ln_f64`], [`exp_f64`], and `expm1` as [`exp_m1_f64`]): the algorithms of Arm's
//! optimized-routines as glibc 2.36 (Debian 12) runs them on x86-64 with FMA, with the same
//! tables and the same fused multiply-adds in the same order (read from its `__log_fma`,
//! `__exp_fma` and `__expm1_fma`), so that they give the bits `f64::ln`, `f64::exp` and
//! `f64::exp_m1` return there. They are plain arithmetic and fused multiply-adds that round
//! once on every platform (`simd::Fma`, `f64::mul_add`), so they give those bits everywhere:
//! in the browser, where `f64::ln` is Rust's port of FreeBSD's libm, and on other C
//! libraries. Every number of a simulation that takes a logarithm or an exponential takes it
//! here (and the samplers of `model::sample`, copies of rand_distr's, call these), so a
//! scenario and seed give the same bytes natively and in the browser, and natively the same
//! bytes as before these existed, on this machine's glibc. The tests hold every function to
//! this machine's libm bit for bit.
//!
//! The lane functions compute the plain ranges (`log`: positive, normal, finite; `exp`:
//! `2^-54 <= |x| < 512`) in SIMD; a register with a lane outside them goes lane by lane to
//! the scalar functions, which handle every argument.

// The constants keep the C tables' bit patterns, so they can be compared with the source.
#![allow(clippy::unreadable_literal)]

mod scalar;
mod tables;

pub use scalar::{exp as exp_f64, exp_m1 as exp_m1_f64, ln as ln_f64};

#[cfg(test)]
use super::simd::LANES;
use super::simd::{F, Fma, U};
use tables::{EXP_TAB, LOG_TAB};
use wide::bytemuck::cast;

#[inline(always)]
fn s(x: f64) -> F {
    F::splat(x)
}

#[inline(always)]
fn b(bits: u64) -> F {
    F::splat(f64::from_bits(bits))
}

// log: ln2hi, ln2lo, A[0..5] (r^2 .. r^6 of log1p(r) - r), B[0..11] (the polynomial near 1).
const LN2HI: u64 = 0x3fe62e42fefa3800;
const LN2LO: u64 = 0x3d2ef35793c76730;
const A: [u64; 5] =
    [0xbfe0000000000001, 0x3fd555555551305b, 0xbfcfffffffeb4590, 0x3fc999b324f10111, 0xbfc55575e506c89f];
const B: [u64; 11] = [
    0xbfe0000000000000,
    0x3fd5555555555577,
    0xbfcffffffffffdcb,
    0x3fc999999995dd0c,
    0xbfc55555556745a7,
    0x3fc24924a344de30,
    0xbfbfffffa4423d65,
    0x3fbc7184282ad6ca,
    0xbfb999eb43b068ff,
    0x3fb78182f7afd085,
    0xbfb5521375d145cd,
];
/// `asuint64(x)` of the subinterval table's origin, `0x1.6p-1`.
const LOG_OFF: u64 = 0x3fe6000000000000;

// exp: N / ln 2, -ln 2 / N in two parts, C2..C5, and the rounding shift 0x1.8p52.
const INV_LN2_N: u64 = 0x40671547652b82fe;
const NEG_LN2_HI_N: u64 = 0xbf762e42fefa0000;
const NEG_LN2_LO_N: u64 = 0xbd0cf79abc9e3b3a;
const C: [u64; 4] = [0x3fdffffffffffdbd, 0x3fc555555555543c, 0x3fa55555cf172b91, 0x3f81111167a4d017];
const SHIFT: u64 = 0x4338000000000000;

/// Small whole numbers held in the low bits of `u` (below 2^52), as floats, exactly.
#[inline(always)]
fn small_u64_to_f64(u: U) -> F {
    const TWO_52: f64 = 4503599627370496.0;
    cast::<U, F>(u | U::splat(TWO_52.to_bits())) - s(TWO_52)
}

/// Per lane `f(lane's index)` from a table, as a vector.
#[inline(always)]
fn gather(idx: U, f: impl Fn(usize) -> u64) -> F {
    let idx = idx.to_array();
    cast::<U, F>(U::new(std::array::from_fn(|l| f(idx[l] as usize))))
}

/// `f64::ln` (glibc's `log`) in every lane.
#[inline]
pub fn ln(x: F) -> F {
    // Positive, normal and finite (also false for NaN).
    if !(x.simd_ge(s(f64::MIN_POSITIVE)) & x.simd_le(s(f64::MAX))).all() {
        return F::new(x.to_array().map(scalar::ln));
    }
    // Inputs within [1 - 2^-4, 1 + 0x1.09p-4) take a longer polynomial in r = x - 1 and no
    // table; the comparison on floats is glibc's on bits for positive x.
    let near = x.simd_ge(s(1.0 - 1.0 / 16.0)) & x.simd_lt(s(1.0 + 0x109 as f64 / 4096.0));
    let main = ln_table(x);
    if near.any() { near.select(ln_near_one(x), main) } else { main }
}

/// glibc `log`'s main path: x = 2^k z, log x = k ln 2 + log c + log1p(z / c - 1).
#[inline(always)]
fn ln_table(x: F) -> F {
    let ix = cast::<F, U>(x);
    let tmp = ix - U::splat(LOG_OFF);
    let i = (tmp >> 45_u64) & U::splat(127);
    // k = (int64) tmp >> 52 (arithmetic): the top 12 bits as a signed number.
    let k_bits = small_u64_to_f64(tmp >> 52_u64);
    let kd = k_bits.simd_ge(s(2048.0)).select(k_bits - s(4096.0), k_bits);
    let iz = ix - (tmp & U::splat(0xfff << 52));
    let z = cast::<U, F>(iz);
    let invc = gather(i, |i| LOG_TAB[i & 127].0);
    let logc = gather(i, |i| LOG_TAB[i & 127].1);
    let r = z.fma(invc, s(-1.0));
    let w = kd.fma(b(LN2HI), logc);
    let hi = r + w;
    let lo = kd.fma(b(LN2LO), (w - hi) + r);
    let r2 = r * r;
    let r3 = r * r2;
    let p1 = r.fma(b(A[2]), b(A[1]));
    let p2 = r.fma(b(A[4]), b(A[3]));
    let q = r2.fma(b(A[0]), lo);
    let p = p2.fma(r2, p1);
    r3.fma(p, q) + hi
}

/// glibc `log` near 1: log1p(r) with r = x - 1 split so that r^2 / 2 is exact.
#[inline(always)]
fn ln_near_one(x: F) -> F {
    let r = x - F::ONE;
    let r2 = r * r;
    let r3 = r * r2;
    let t1 = r2.fma(b(B[3]), r.fma(b(B[2]), b(B[1])));
    let t2 = r2.fma(b(B[6]), r.fma(b(B[5]), b(B[4])));
    let t3 = r3.fma(b(B[10]), r2.fma(b(B[9]), r.fma(b(B[8]), b(B[7]))));
    let p = t3.fma(r3, t2).fma(r3, t1);
    let two_27 = s(134217728.0);
    let rhi = two_27.fnma(r, r.fma(two_27, r));
    let rhi2 = rhi * rhi;
    let rlo = r - rhi;
    let hi = rhi2.fma(b(B[0]), r);
    let lo = rhi2.fma(b(B[0]), r - hi);
    let lo = (b(B[0]) * rlo).fma(r + rhi, lo);
    hi + p.fma(r3, lo)
}

/// `f64::exp` (glibc's `exp`) in every lane.
#[inline]
pub fn exp(x: F) -> F {
    // 2^-54 <= |x| < 512 (also false for NaN): no overflow, underflow or tiny argument.
    let ax = x.abs();
    if !(ax.simd_ge(s(f64::from_bits(0x3c90000000000000))) & ax.simd_lt(s(512.0))).all() {
        return F::new(x.to_array().map(scalar::exp));
    }
    // exp(x) = 2^(k/N) exp(r), N = 128, |r| <= ln 2 / 2N.
    let kd = x.fma(b(INV_LN2_N), b(SHIFT));
    let ki = cast::<F, U>(kd);
    let kd = kd - b(SHIFT);
    let r = kd.fma(b(NEG_LN2_HI_N), x);
    let r = kd.fma(b(NEG_LN2_LO_N), r);
    let idx = ki & U::splat(127);
    let tail = gather(idx, |i| EXP_TAB[i & 127].0);
    let sbits = cast::<F, U>(gather(idx, |i| EXP_TAB[i & 127].1)) + (ki << 45_u64);
    let r2 = r * r;
    let p1 = r.fma(b(C[1]), b(C[0])).fma(r2, r + tail);
    let p2 = r.fma(b(C[3]), b(C[2]));
    let tmp = (r2 * r2).fma(p2, p1);
    let scale = cast::<U, F>(sbits);
    scale.fma(tmp, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn assert_same(x: [f64; LANES], got: F, want: [f64; LANES], what: &str) {
        for l in 0..LANES {
            let (g, w) = (got.to_array()[l], want[l]);
            assert!(g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()), "{what}({}): {g:e} vs libm {w:e}", x[l]);
        }
    }

    /// Bit for bit libm's results, on the machines this project builds on (glibc, x86-64
    /// with FMA). Elsewhere the test is skipped: there is no reference to compare with.
    #[test]
    fn ln_and_exp_are_this_libms_bit_for_bit() {
        if !cfg!(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64", target_feature = "fma")) {
            return;
        }
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
        for i in 0..400_000 {
            let x: [f64; LANES] = std::array::from_fn(|_| {
                let m: f64 = rng.random();
                match i % 4 {
                    // Any positive normal number.
                    0 => f64::from_bits(rng.random_range(0x0010_0000_0000_0000..0x7ff0_0000_0000_0000)),
                    // Near 1, where log takes its second path, and across its edges.
                    1 => 0.9 + 0.2 * m,
                    // Ratios u / (1 - u), as the Beta sampler takes their log.
                    2 => m / (1.0 - m),
                    _ => m * 1e-300,
                }
            });
            assert_same(x, ln(F::new(x)), x.map(f64::ln), "ln");
            let y: [f64; LANES] = std::array::from_fn(|_| {
                let m: f64 = rng.random();
                (m * 2.0 - 1.0) * [1e-17, 1e-3, 1.0, 40.0, 700.0, 745.5][rng.random_range(0..6)]
            });
            assert_same(y, exp(F::new(y)), y.map(f64::exp), "exp");
        }
        let edges = [
            1.0,
            1.0 - 1.0 / 16.0,
            f64::from_bits((1.0_f64 - 1.0 / 16.0).to_bits() - 1),
            1.0 + 0x109 as f64 / 4096.0,
            f64::from_bits((1.0 + 0x109 as f64 / 4096.0).to_bits() - 1),
            f64::MIN_POSITIVE,
            f64::MAX,
            0.0,
            -1.0,
            f64::INFINITY,
            f64::NAN,
            1e-310,
        ];
        for &e in &edges {
            let x: [f64; LANES] = std::array::from_fn(|l| if l == 0 { e } else { 0.5 + l as f64 });
            assert_same(x, ln(F::new(x)), x.map(f64::ln), "ln");
        }
        let exp_edges =
            [0.0, -0.0, 512.0, -512.0, 511.9, 709.8, 709.79, -708.4, -745.2, 1e-20, f64::NAN, f64::INFINITY];
        for &e in &exp_edges {
            let x: [f64; LANES] = std::array::from_fn(|l| if l == 0 { e } else { 0.5 + l as f64 });
            assert_same(x, exp(F::new(x)), x.map(f64::exp), "exp");
        }
    }
}
