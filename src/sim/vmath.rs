//! `exp` and `ln` for every lane, bit for bit the results of `wide`'s `exp` and
//! `ln` (the same reductions, polynomials and fused multiply-adds, in the same order),
//! without the masks and selects those spend on infinities, NaN, overflow and subnormal
//! results. The step's arguments never need them; a vector with any lane outside the
//! plain range goes to wide's function, so every input gives wide's answer.
//!
//! The step calls these about 30 times per register of runs, policy and step, and the special
//! cases were about a third of their instructions. Tests below hold them to wide's results
//! on random and edge-case inputs; wide is pinned by Cargo.lock, and a wide upgrade that
//! changed its algorithms would fail those tests rather than change results silently.

// The constants keep wide's digits, so they can be compared with its source by eye.
#![allow(clippy::excessive_precision)]

use super::simd::{F, Fma, U};
use wide::bytemuck::cast;

const P2: f64 = 1.0 / 2.0;
const P3: f64 = 1.0 / 6.0;
const P4: f64 = 1.0 / 24.0;
const P5: f64 = 1.0 / 120.0;
const P6: f64 = 1.0 / 720.0;
const P7: f64 = 1.0 / 5040.0;
const P8: f64 = 1.0 / 40320.0;
const P9: f64 = 1.0 / 362880.0;
const P10: f64 = 1.0 / 3628800.0;
const P11: f64 = 1.0 / 39916800.0;
const P12: f64 = 1.0 / 479001600.0;
const P13: f64 = 1.0 / 6227020800.0;
const LN2D_HI: f64 = 0.693145751953125;
const LN2D_LO: f64 = 1.42860682030941723212E-6;

/// Arguments of [`exp`] with magnitude up to this give a normal result without overflow
/// (2^r with |r| <= 1010).
const EXP_PLAIN: f64 = 700.0;

#[inline(always)]
fn s(x: f64) -> F {
    F::splat(x)
}

/// 2^r for integral `r` in the normal exponent range.
#[inline(always)]
fn pow2n(r: F) -> F {
    let a = r + s(1023.0 + 4503599627370496.0);
    cast::<U, F>(cast::<F, U>(a) << 52_u64)
}

/// `x.exp()` (wide), for `|x| <= 700` without wide's special-case handling.
#[inline(always)]
pub fn exp(x: F) -> F {
    // Also false for NaN.
    if !x.abs().simd_le(s(EXP_PLAIN)).all() {
        return exp_any(x);
    }
    let r = (x * F::LOG2_E).round_ties_even();
    // wide multiplies by an overflow scale of exactly 1 here, which changes nothing.
    (exp_poly(r, x) + F::ONE) * pow2n(r)
}

/// wide's polynomial for `exp(x - r ln 2)`, minus 1.
#[inline(always)]
fn exp_poly(r: F, x: F) -> F {
    let x = r.fnma(s(LN2D_HI), x);
    let x = r.fnma(s(LN2D_LO), x);
    let x2 = x * x;
    let x4 = x2 * x2;
    let x8 = x4 * x4;
    x8.fma(
        x4.fma(x.fma(s(P13), s(P12)), x2.fma(x.fma(s(P11), s(P10)), x.fma(s(P9), s(P8)))),
        x4.fma(x2.fma(x.fma(s(P7), s(P6)), x.fma(s(P5), s(P4))), x2.fma(x.fma(s(P3), s(P2)), x)),
    )
}

/// wide's `f64x4::exp` for any arguments (its overflow scale, subnormal results and special
/// values), with its fused multiply-adds rounding once on every platform ([`Fma`]); wide's
/// own rounds twice in WebAssembly.
#[cold]
#[inline(never)]
fn exp_any(x: F) -> F {
    let neg_underflow = x.simd_lt(s(-744.79)) & x.is_finite();
    if neg_underflow.all() {
        return F::ZERO;
    }
    let (r, z) = exp_parts(x);
    let exp_val = exp_value(r, z);
    exp_specials(x, exp_val, F::ZERO)
}

/// `x.exp_m1()` (wide's `f64x4::exp_m1`) for any arguments, fused multiply-adds as in
/// [`exp_any`].
#[inline]
pub fn exp_m1(x: F) -> F {
    if x.simd_lt(s(-37.429)).all() {
        return s(-1.0);
    }
    let (r, z) = exp_parts(x);
    let exp_val = exp_value(r, z);
    // At r = 0, z is e^x - 1 already.
    let z = r.simd_eq(F::ZERO).select(z, exp_val - F::ONE);
    let result = exp_specials(x, z, s(-1.0));
    x.simd_eq(F::ZERO).select(x, result)
}

/// wide's reduction `r = round(x / ln 2)` and polynomial `exp(x - r ln 2) - 1`.
#[inline(always)]
fn exp_parts(x: F) -> (F, F) {
    let r = (x * F::LOG2_E).round_ties_even();
    (r, exp_poly(r, x))
}

/// `exp(x) = (z + 1) 2^r` as wide forms it: the power split into an overflow scale and a
/// clamped power, multiplied in that order.
#[inline(always)]
fn exp_value(r: F, z: F) -> F {
    let max_r = s(1023.0);
    let big = r.simd_gt(max_r);
    let scale = pow2n_any(big.select(r - max_r, F::ZERO));
    let n2 = pow2n_any(big.select(max_r, r));
    (z + F::ONE) * scale * n2
}

/// wide's special values of `exp` and `exp_m1`: NaN, overflow, underflow (to `low`: 0 or -1)
/// and infinities.
#[inline(always)]
fn exp_specials(x: F, value: F, low: F) -> F {
    let nan_mask = x.is_nan();
    let finite = x.is_finite();
    let nan = cast::<U, F>(U::splat(0x7FF8_0000_0000_0000 | 0x101 << 29));
    let mut result = nan_mask.select(nan, value);
    result = (x.simd_gt(s(709.783)) & finite).select(s(f64::INFINITY), result);
    result = (x.simd_lt(s(-744.79)) & finite).select(low, result);
    result = (!finite & !x.is_sign_negative() & !nan_mask).select(s(f64::INFINITY), result);
    (!finite & x.is_sign_negative() & !nan_mask).select(low, result)
}

/// wide's `vm_pow2n`: 2^r for integral `r`, subnormal powers included.
#[inline(always)]
fn pow2n_any(r: F) -> F {
    let normal = pow2n(r);
    if !r.simd_lt(s(-1022.0)).any() {
        return normal;
    }
    let (r, normal) = (r.to_array(), normal.to_array());
    F::new(std::array::from_fn(|l| {
        if r[l] < -1022.0 {
            if r[l] >= -1074.0 { f64::from_bits(1_u64 << ((r[l] + 1074.0) as i64)) } else { 0.0 }
        } else {
            normal[l]
        }
    }))
}

/// `x.ln()` (wide), for positive normal finite `x` without wide's special-case handling.
#[inline(always)]
pub fn ln(x1: F) -> F {
    if !(x1.simd_ge(s(f64::MIN_POSITIVE)) & x1.simd_le(s(f64::MAX))).all() {
        return ln_any(x1);
    }
    ln_core(x1)
}

/// wide's `f64x4::ln` for any arguments: the same computation, then its special values.
#[cold]
#[inline(never)]
fn ln_any(x1: F) -> F {
    let res = ln_core(x1);
    let finite = x1.is_finite();
    let nan = cast::<U, F>(U::splat(0x7FF8_0000_0000_0000 | 0x101 << 29));
    let zero_or_subnormal = (cast::<F, U>(x1) & U::splat(0x7FF0_0000_0000_0000)).simd_eq(U::ZERO);
    let res = x1.simd_lt(s(f64::MIN_POSITIVE)).select(nan, res);
    let res = cast::<U, F>(zero_or_subnormal).select(s(f64::NEG_INFINITY), res);
    let res = (!finite).select(x1, res);
    (!finite & x1.is_sign_negative()).select(nan, res)
}

/// wide's `ln` for positive normal finite `x1`.
#[inline(always)]
fn ln_core(x1: F) -> F {
    const Q0: f64 = 2.31251620126765340583E1;
    const Q1: f64 = 7.11544750618563894466E1;
    const Q2: f64 = 8.29875266912776603211E1;
    const Q3: f64 = 4.52279145837532221105E1;
    const Q4: f64 = 1.12873587189167450590E1;
    const C0: f64 = 7.70838733755885391666E0;
    const C1: f64 = 1.79368678507819816313E1;
    const C2: f64 = 1.44989225341610930846E1;
    const C3: f64 = 4.70579119878881725854E0;
    const C4: f64 = 4.97494994976747001425E-1;
    const C5: f64 = 1.01875663804580931796E-4;
    const HALF: f64 = 0.5;
    let bits = cast::<F, U>(x1);
    let x = cast::<U, F>((bits & U::splat(0x000F_FFFF_FFFF_FFFF)) | U::splat(0x3FE0_0000_0000_0000));
    let e =
        cast::<U, F>((bits >> 52_u64) | U::splat(4503599627370496.0_f64.to_bits())) - s(4503599627370496.0 + 1023.0);
    let mask = x.simd_gt(s(std::f64::consts::SQRT_2) * s(HALF));
    let x = (!mask).select(x + x, x);
    let fe = mask.select(e + F::ONE, e);
    let x = x - F::ONE;
    let x2 = x * x;
    let x4 = x2 * x2;
    let px = s(C3).fma(x, s(C2)).fma(x2, s(C5).fma(x, s(C4)).fma(x4, s(C1).fma(x, s(C0))));
    let px = x2 * x * px;
    let qx = x2.fma(x.fma(s(Q3), s(Q2)), x4.fma(s(Q4) + x, x.fma(s(Q1), s(Q0))));
    let res = px / qx;
    let res = fe.fma(s(f64::from_bits(0x3DEA_39EF_3579_3C76)), res);
    let res = res + x2.fnma(s(HALF), x);
    fe.fma(s(f64::from_bits(0x3FE6_2E42_FEE0_0000)), res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::simd::LANES;
    use rand::{RngExt, SeedableRng};

    fn same(a: F, b: F) -> bool {
        a.to_array().iter().zip(b.to_array().iter()).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    #[test]
    fn exp_is_wides_exp_bit_for_bit() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(11);
        let check = |x: [f64; LANES]| {
            let v = F::new(x);
            assert!(same(exp(v), v.exp()), "{x:?}: {:?} vs {:?}", exp(v), v.exp());
        };
        for i in 0..200_000 {
            let scale = [1e-9, 1e-3, 1.0, 10.0, 100.0, 800.0][i % 6];
            check(std::array::from_fn(|_| (rng.random::<f64>() * 2.0 - 1.0) * scale));
        }
        let edges = [0.0, -0.0, 700.0, -700.0, 700.5, -745.0, 709.9, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
        for &e in &edges {
            check(std::array::from_fn(|l| [e, 1.0, -2.0, 0.5][l % 4]));
        }
    }

    #[test]
    fn exp_m1_is_wides_exp_m1_bit_for_bit() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(13);
        let check = |x: [f64; LANES]| {
            let v = F::new(x);
            let (a, b) = (exp_m1(v), v.exp_m1());
            let nan_both = a.to_array().iter().zip(b.to_array().iter()).all(|(x, y)| x.is_nan() && y.is_nan());
            assert!(same(a, b) || nan_both, "{x:?}: {a:?} vs {b:?}");
        };
        for i in 0..200_000 {
            let scale = [1e-12, 1e-3, 0.3, 1.0, 10.0, 50.0, 800.0][i % 7];
            check(std::array::from_fn(|_| (rng.random::<f64>() * 2.0 - 1.0) * scale));
        }
        let edges = [0.0, -0.0, 700.0, -700.0, -37.5, 709.9, -745.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
        for &e in &edges {
            check(std::array::from_fn(|l| [e, 1.0, -2.0, 0.5][l % 4]));
            check([e; LANES]);
        }
    }

    #[test]
    fn ln_is_wides_ln_bit_for_bit() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(12);
        let check = |x: [f64; LANES]| {
            let v = F::new(x);
            let (a, b) = (ln(v), v.ln());
            let nan_both = a.to_array().iter().zip(b.to_array().iter()).all(|(x, y)| x.is_nan() && y.is_nan());
            assert!(same(a, b) || nan_both, "{x:?}: {a:?} vs {b:?}");
        };
        for i in 0..200_000 {
            let scale = [1e-12, 1e-6, 1.0, 1e3, 1e300][i % 5];
            check(std::array::from_fn(|_| rng.random::<f64>() * scale + f64::MIN_POSITIVE));
        }
        let edges = [1.0, 1e-12, f64::MIN_POSITIVE, 1e-310, 0.0, -1.0, f64::MAX, f64::INFINITY, f64::NAN];
        for &e in &edges {
            check(std::array::from_fn(|l| [e, 0.75, 0.05, 1.0][l % 4]));
        }
    }
}
