//! The C library's `log`, `exp` and `expm1` for one number, bit for bit what glibc 2.36
//! (Debian 12) returns on x86-64 with FMA, in plain Rust: the same algorithms, tables and
//! fused multiply-adds in the same order (read from its `__log_fma`, `__exp_fma` and
//! `__expm1_fma`). Rust's `f64::mul_add` is the correctly rounded fused multiply-add on
//! every platform (an instruction where there is one, a software routine elsewhere, e.g.
//! in WebAssembly), so these give the same bits on every platform, where `f64::ln`,
//! `f64::exp` and `f64::exp_m1` follow the platform's C library (or, in the browser, Rust's
//! port of FreeBSD's). Every simulated number goes through these instead, so that a run
//! gives the same bytes natively and in the browser; the tests hold them to this machine's
//! libm on many millions of arguments and at the edges.

// fdlibm's constants keep their source's digits.
#![allow(clippy::excessive_precision)]

use super::tables::{EXP_TAB, LOG_TAB};
use super::{A, B, C, INV_LN2_N, LN2HI, LN2LO, LOG_OFF, NEG_LN2_HI_N, NEG_LN2_LO_N, SHIFT};

#[inline(always)]
fn f(bits: u64) -> f64 {
    f64::from_bits(bits)
}

/// glibc's `log(x)`.
#[inline]
pub fn ln(x: f64) -> f64 {
    let mut ix = x.to_bits();
    let top = ix >> 48;
    const LO: u64 = 0x3fee000000000000; // asuint64(1.0 - 0x1p-4)
    const HI: u64 = 0x3ff1090000000000; // asuint64(1.0 + 0x1.09p-4)
    if ix.wrapping_sub(LO) < HI - LO {
        if ix == 1.0_f64.to_bits() {
            return 0.0;
        }
        return ln_near_one(x);
    }
    if top.wrapping_sub(0x0010) >= 0x7ff0 - 0x0010 {
        // Below the normal range, infinite or NaN.
        if ix << 1 == 0 {
            return f64::NEG_INFINITY;
        }
        if ix == f64::INFINITY.to_bits() {
            return x;
        }
        if (top & 0x8000) != 0 || (top & 0x7ff0) == 0x7ff0 {
            return if x.is_nan() { x } else { f64::NAN };
        }
        // Subnormal: normalise.
        ix = (x * f64::from_bits(0x4330000000000000)).to_bits(); // x * 0x1p52
        ix = ix.wrapping_sub(52 << 52);
    }
    let tmp = ix.wrapping_sub(LOG_OFF);
    let i = ((tmp >> 45) & 127) as usize;
    let k = (tmp as i64) >> 52;
    let iz = ix.wrapping_sub(tmp & (0xfff << 52));
    let (invc, logc) = (f(LOG_TAB[i].0), f(LOG_TAB[i].1));
    let z = f64::from_bits(iz);
    let kd = k as f64;
    let r = z.mul_add(invc, -1.0);
    let w = kd.mul_add(f(LN2HI), logc);
    let hi = r + w;
    let lo = kd.mul_add(f(LN2LO), (w - hi) + r);
    let r2 = r * r;
    let r3 = r * r2;
    let p1 = r.mul_add(f(A[2]), f(A[1]));
    let p2 = r.mul_add(f(A[4]), f(A[3]));
    let q = r2.mul_add(f(A[0]), lo);
    let p = p2.mul_add(r2, p1);
    r3.mul_add(p, q) + hi
}

#[inline(always)]
fn ln_near_one(x: f64) -> f64 {
    let r = x - 1.0;
    let r2 = r * r;
    let r3 = r * r2;
    let t1 = r2.mul_add(f(B[3]), r.mul_add(f(B[2]), f(B[1])));
    let t2 = r2.mul_add(f(B[6]), r.mul_add(f(B[5]), f(B[4])));
    let t3 = r3.mul_add(f(B[10]), r2.mul_add(f(B[9]), r.mul_add(f(B[8]), f(B[7]))));
    let p = t3.mul_add(r3, t2).mul_add(r3, t1);
    let two_27: f64 = 134217728.0;
    let rhi = (-two_27).mul_add(r, r.mul_add(two_27, r));
    let rhi2 = rhi * rhi;
    let rlo = r - rhi;
    let hi = rhi2.mul_add(f(B[0]), r);
    let lo = rhi2.mul_add(f(B[0]), r - hi);
    let lo = (f(B[0]) * rlo).mul_add(r + rhi, lo);
    hi + p.mul_add(r3, lo)
}

/// glibc's `exp(x)`.
#[inline]
pub fn exp(x: f64) -> f64 {
    let top12 = |v: f64| (v.to_bits() >> 52) as u32;
    let mut abstop = top12(x) & 0x7ff;
    if abstop.wrapping_sub(top12(f(0x3c90000000000000))) >= top12(512.0) - top12(f(0x3c90000000000000)) {
        if abstop.wrapping_sub(top12(f(0x3c90000000000000))) >= 0x8000_0000 {
            // Tiny x (also zero).
            return 1.0 + x;
        }
        if abstop >= top12(1024.0) {
            if x.to_bits() == f64::NEG_INFINITY.to_bits() {
                return 0.0;
            }
            if abstop >= top12(f64::INFINITY) {
                return 1.0 + x;
            }
            return if x.is_sign_negative() { 0.0 } else { f64::INFINITY };
        }
        // Large x: special-cased below.
        abstop = 0;
    }
    let kd = x.mul_add(f(INV_LN2_N), f(SHIFT));
    let ki = kd.to_bits();
    let kd = kd - f(SHIFT);
    let r = kd.mul_add(f(NEG_LN2_HI_N), x);
    let r = kd.mul_add(f(NEG_LN2_LO_N), r);
    let idx = (ki & 127) as usize;
    let tail = f(EXP_TAB[idx].0);
    let sbits = EXP_TAB[idx].1.wrapping_add(ki << 45);
    let r2 = r * r;
    let p1 = r.mul_add(f(C[1]), f(C[0])).mul_add(r2, r + tail);
    let p2 = r.mul_add(f(C[3]), f(C[2]));
    let tmp = (r2 * r2).mul_add(p2, p1);
    if abstop == 0 {
        return exp_special(tmp, sbits, ki);
    }
    let scale = f64::from_bits(sbits);
    scale.mul_add(tmp, scale)
}

/// glibc `exp`'s `specialcase`: a result near overflow, or subnormal.
#[cold]
fn exp_special(tmp: f64, sbits: u64, ki: u64) -> f64 {
    if ki & 0x8000_0000 == 0 {
        // k > 0: the scale's exponent may have overflowed by up to 460.
        let scale = f64::from_bits(sbits.wrapping_sub(1009 << 52));
        return f(0x7f00000000000000) * scale.mul_add(tmp, scale); // 0x1p1009
    }
    // k < 0: take care in the subnormal range.
    // (glibc's code has no fused multiply-add on this branch.)
    let scale = f64::from_bits(sbits.wrapping_add(1022 << 52));
    let scale_tmp = scale * tmp;
    let mut y = scale + scale_tmp;
    if y < 1.0 {
        let lo = (scale - y) + scale_tmp;
        let hi = 1.0 + y;
        let lo = 1.0 - hi + y + lo;
        y = (lo + hi) - 1.0;
        if y == 0.0 {
            y = 0.0;
        }
    }
    f64::MIN_POSITIVE * y
}

// expm1 (fdlibm's, as glibc has it): ln 2 in two parts, 1 / ln 2, the scaled coefficients.
const O_THRESHOLD: f64 = 7.09782712893383973096e+02;
const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
// fdlibm writes 1.44269504088896338700e+00: the same double.
const INVLN2: f64 = std::f64::consts::LOG2_E;
const Q1: f64 = -3.33333333333331316428e-02;
const Q2: f64 = 1.58730158725481460165e-03;
const Q3: f64 = -7.93650757867487942473e-05;
const Q4: f64 = 4.00821782732936239552e-06;
const Q5: f64 = -2.01099218183624371326e-07;

/// glibc's `expm1(x)`: fdlibm's algorithm (`s_expm1.c`) as GCC compiles it for
/// `__expm1_fma`, whose contractions into fused multiply-adds are kept here one for one.
#[inline]
pub fn exp_m1(x: f64) -> f64 {
    let bits = x.to_bits();
    let negative = bits >> 63 != 0;
    let hx = ((bits >> 32) as u32) & 0x7fff_ffff;
    // Huge and non-finite arguments.
    if hx >= 0x4043_687a {
        if hx >= 0x4086_2e42 {
            if hx >= 0x7ff0_0000 {
                if (bits & 0x000f_ffff_ffff_ffff) != 0 {
                    return x + x;
                }
                return if negative { -1.0 } else { x };
            }
            if x > O_THRESHOLD {
                return f64::INFINITY;
            }
        }
        if negative {
            return 1.0e-300 - 1.0;
        }
    }
    let (x, c, k) = if hx > 0x3fd6_2e42 {
        // |x| > ln 2 / 2: argument reduction.
        let (hi, lo, k) = if hx < 0x3ff0_a2b2 {
            if negative { (x + LN2_HI, -LN2_LO, -1) } else { (x - LN2_HI, LN2_LO, 1) }
        } else {
            let k = (INVLN2 * x + if negative { -0.5 } else { 0.5 }) as i32;
            let t = f64::from(k);
            ((-t).mul_add(LN2_HI, x), t * LN2_LO, k)
        };
        let xr = hi - lo;
        (xr, (hi - xr) - lo, k)
    } else if hx < 0x3c90_0000 {
        // |x| < 2^-54.
        return x;
    } else {
        (x, 0.0, 0)
    };
    let hfx = 0.5 * x;
    let hxs = x * hfx;
    let r2 = hxs.mul_add(Q3, Q2);
    let r3 = hxs.mul_add(Q5, Q4);
    let h2 = hxs * hxs;
    let r1 = hxs.mul_add(Q1, 1.0);
    let h4 = h2 * h2;
    let r1 = h4.mul_add(r3, h2.mul_add(r2, r1));
    let t = (-r1).mul_add(hfx, 3.0);
    let e = (r1 - t) / (-x).mul_add(t, 6.0) * hxs;
    if k == 0 {
        return x - x.mul_add(e, -hxs);
    }
    let e = (e - c).mul_add(x, -c) - hxs;
    if k == -1 {
        return 0.5_f64.mul_add(x - e, -0.5);
    }
    if k == 1 {
        return if x < -0.25 { (e - (x + 0.5)) * -2.0 } else { (x - e).mul_add(2.0, 1.0) };
    }
    let add_exponent = |y: f64| {
        let b = y.to_bits();
        let high = ((b >> 32) as u32).wrapping_add((k as u32) << 20);
        f64::from_bits((u64::from(high) << 32) | (b & 0xffff_ffff))
    };
    if !(-1..=56).contains(&k) {
        return add_exponent(1.0 - (e - x)) - 1.0;
    }
    if k < 20 {
        let t = f64::from_bits(u64::from(0x3ff0_0000 - (0x0020_0000_u32 >> k)) << 32);
        add_exponent(t - (e - x))
    } else {
        let t = f64::from_bits(u64::from((0x3ff - k as u32) << 20) << 32);
        add_exponent((x - (e + t)) + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// On the machines this project builds on (glibc, x86-64 with FMA) these are libm's
    /// functions bit for bit; elsewhere there is nothing to compare with (they are the same
    /// functions there too: plain arithmetic and correctly rounded fused multiply-adds).
    fn on_reference_libm() -> bool {
        cfg!(all(target_os = "linux", target_env = "gnu", target_arch = "x86_64", target_feature = "fma"))
    }

    #[test]
    fn scalar_ln_exp_expm1_are_this_libms_bit_for_bit() {
        if !on_reference_libm() {
            return;
        }
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(17);
        let check = |name: &str, g: fn(f64) -> f64, want: fn(f64) -> f64, x: f64| {
            assert!(same(g(x), want(x)), "{name}({x:e} = {:#x}): {:e} vs libm {:e}", x.to_bits(), g(x), want(x));
        };
        for i in 0..4_000_000_u32 {
            let m: f64 = rng.random();
            let x = match i % 6 {
                0 => f64::from_bits(rng.random_range(0..0x7ff0_0000_0000_0000)),
                1 => 0.9 + 0.2 * m,
                2 => m / (1.0 - m),
                3 => m,
                4 => m * 1e-300,
                _ => f64::from_bits(rng.random_range(1..0x0010_0000_0000_0000)),
            };
            check("ln", ln, f64::ln, x);
            let scale = [1e-17, 1e-6, 1e-3, 0.3, 1.0, 3.0, 40.0, 700.0, 745.5, 800.0][(i % 10) as usize];
            let y = (m * 2.0 - 1.0) * scale;
            check("exp", exp, f64::exp, y);
            check("exp_m1", exp_m1, f64::exp_m1, y);
            let z = -f64::from_bits(rng.random_range(0..0x7ff0_0000_0000_0000));
            check("exp", exp, f64::exp, z);
            check("exp_m1", exp_m1, f64::exp_m1, z);
            check("exp", exp, f64::exp, -z);
            check("exp_m1", exp_m1, f64::exp_m1, -z);
        }
        let edges = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            -f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1.0 - 1.0 / 16.0,
            1.0 + 0x109 as f64 / 4096.0,
            f64::from_bits((1.0 + 0x109 as f64 / 4096.0).to_bits() - 1),
            512.0,
            -512.0,
            709.78,
            709.79,
            -708.4,
            -745.1,
            -745.2,
            -746.0,
            1e-20,
            -1e-20,
            0.5 * std::f64::consts::LN_2,
            1.5 * std::f64::consts::LN_2,
            -1.5 * std::f64::consts::LN_2,
            56.0 * std::f64::consts::LN_2,
            -56.0 * std::f64::consts::LN_2,
            -0.25,
            -0.2500001,
            O_THRESHOLD,
        ];
        for &e in &edges {
            for d in -3_i64..=3 {
                let x = if e.is_finite() && e != 0.0 { f64::from_bits((e.to_bits() as i64 + d) as u64) } else { e };
                check("ln", ln, f64::ln, x);
                check("exp", exp, f64::exp, x);
                check("exp_m1", exp_m1, f64::exp_m1, x);
            }
        }
    }
}
