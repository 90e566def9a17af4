//! Poisson counts by inverting the CDF at a shared uniform, so that in one run and step the
//! count is monotone in the rate across policies (MODEL.md, common random numbers).

use statrs::distribution::{DiscreteCDF, Poisson};
use wide::f64x4;

/// Below this mean the CDF is summed term by term; above it statrs' bisection is used
/// (exp(-mean) would lose precision and the loop would grow long).
const DIRECT_MAX_MEAN: f64 = 50.0;

/// Smallest n with P(N <= n) > u for N ~ Poisson(mean); u in [0, 1).
#[inline]
pub fn poisson_inverse(u: f64, mean: f64) -> u32 {
    // Also catches NaN.
    if mean.is_nan() || mean <= 0.0 {
        return 0;
    }
    if mean > DIRECT_MAX_MEAN {
        return large(u, mean);
    }
    let mut p = (-mean).exp();
    let mut cdf = p;
    let mut n = 0u32;
    // The bound guards against rounding leaving cdf a hair below u forever.
    let limit = (mean + 40.0 * mean.sqrt() + 40.0) as u32;
    while u >= cdf && n < limit {
        n += 1;
        p *= mean / f64::from(n);
        cdf += p;
    }
    n
}

#[cold]
fn large(u: f64, mean: f64) -> u32 {
    match Poisson::new(mean) {
        // inverse_cdf(q) gives the smallest n with CDF(n) >= q; shift to the strict form.
        Ok(d) => {
            let mut n = d.inverse_cdf(u);
            while n > 0 && d.cdf(n - 1) > u {
                n -= 1;
            }
            let limit = (mean + 50.0 * mean.sqrt() + 100.0) as u64;
            while d.cdf(n) <= u && n < limit {
                n += 1;
            }
            n.min(u64::from(u32::MAX)) as u32
        }
        Err(_) => mean.round().min(f64::from(u32::MAX)) as u32,
    }
}

/// How close (relative) `u` may come to a CDF value computed from wide's `exp` before
/// [`poisson_inverse_lanes`] defers to the scalar walk. The two `exp`s differ by a few ulp
/// (about 1e-16), and the walk adds a few more per term, so 1e-12 leaves a wide margin.
const LANE_MARGIN: f64 = 1e-12;

/// [`poisson_inverse`] for four lanes at once, for the lanes set in the mask `lanes` (the
/// others get 0): the same counts as the scalar function, exactly. The CDF is walked in SIMD
/// from a vectorised `exp`, which can differ from libm's in the last bits; a lane whose `u`
/// falls within [`LANE_MARGIN`] of a CDF value it is compared with, a large mean, or a long
/// walk is recomputed by the scalar function, so rounding never changes a count.
#[inline]
pub fn poisson_inverse_lanes(u: f64x4, mean: f64x4, lanes: f64x4) -> [u32; 4] {
    let direct = mean.simd_le(f64x4::splat(DIRECT_MAX_MEAN)) & lanes;
    let mut redo = lanes.to_bitmask() & !direct.to_bitmask();
    let mut count = f64x4::ZERO;
    if direct.any() {
        let margin = f64x4::splat(LANE_MARGIN);
        let mut p = super::vmath::exp(-mean);
        let mut cdf = p;
        let mut walking = direct;
        let mut k = 0u32;
        // Short walks only: counts are small where the mean is small, and a lane that has not
        // stopped after 64 terms is handed to the scalar walk.
        loop {
            let unsure = (u - cdf).abs().simd_le(margin * cdf) & walking;
            redo |= unsure.to_bitmask();
            walking = walking & !unsure & u.simd_ge(cdf);
            // The scalar walk's bound (computed the same way) is at least 40 terms.
            if k >= 40 {
                let limit = (mean + f64x4::splat(40.0) * mean.sqrt() + f64x4::splat(40.0)).floor();
                let at_limit = limit.simd_le(f64x4::splat(f64::from(k))) & walking;
                redo |= at_limit.to_bitmask();
                walking = walking & !at_limit;
            }
            if !walking.any() {
                break;
            }
            if k == 64 {
                redo |= walking.to_bitmask();
                break;
            }
            k += 1;
            count += walking & f64x4::ONE;
            p *= mean / f64x4::splat(f64::from(k));
            cdf += p;
        }
    }
    let mut n = count.to_array().map(|c| c as u32);
    if redo != 0 {
        let (u, mean) = (u.to_array(), mean.to_array());
        for (l, n) in n.iter_mut().enumerate() {
            if redo & (1 << l) != 0 {
                *n = poisson_inverse(u[l], mean[l]);
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn lanes_give_the_scalar_counts() {
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(7);
        for i in 0..200_000 {
            let scale = [1e-3, 0.1, 1.0, 5.0, 30.0, 60.0][i % 6];
            let u: [f64; 4] = std::array::from_fn(|_| rng.random::<f64>());
            let mean: [f64; 4] = std::array::from_fn(|_| rng.random::<f64>() * scale);
            let lanes = rng.random::<u32>() & 0xf;
            let mask = f64x4::new(std::array::from_fn(|l| l as f64)).simd_lt(f64x4::splat(4.0))
                & f64x4::new(std::array::from_fn(|l| f64::from((lanes >> l) & 1))).simd_eq(f64x4::ONE);
            let got = poisson_inverse_lanes(f64x4::new(u), f64x4::new(mean), mask);
            for l in 0..4 {
                let want = if lanes & (1 << l) != 0 { poisson_inverse(u[l], mean[l]) } else { 0 };
                assert_eq!(got[l], want, "u {} mean {}", u[l], mean[l]);
            }
        }
    }

    #[test]
    fn lanes_defer_at_a_cdf_boundary() {
        // u exactly at P(N = 0) = exp(-mean): the count is 1, decided by the last bit.
        for mean in [0.1, 0.5, 1.0, 2.0, 7.0] {
            let u = (-mean as f64).exp();
            let all = f64x4::ZERO.simd_eq(f64x4::ZERO);
            let got = poisson_inverse_lanes(f64x4::splat(u), f64x4::splat(mean), all);
            assert_eq!(got, [poisson_inverse(u, mean); 4]);
        }
    }
}
