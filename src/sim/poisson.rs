//! Poisson counts by inverting the CDF at a shared uniform, so that in one run and step the
//! count is monotone in the rate across policies (MODEL.md, common random numbers).

use super::libm::exp_f64;
use super::simd::F;
use statrs::distribution::{DiscreteCDF, Poisson};

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
    let mut p = exp_f64(-mean);
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
/// [`poisson_inverse_policies`] defers to the scalar walk. The two `exp`s differ by a few ulp
/// (about 1e-16), and the walk adds a few more per term, so 1e-12 leaves a wide margin.
const LANE_MARGIN: f64 = 1e-12;

/// Working vectors of [`poisson_inverse_policies`], one per policy, for more than eight
/// policies (fewer keep theirs on the stack).
#[derive(Clone, Debug, Default)]
pub struct PoissonWork {
    p: Vec<F>,
    cdf: Vec<F>,
    walking: Vec<F>,
    count: Vec<F>,
    redo: Vec<u32>,
}

impl PoissonWork {
    pub fn new(policies: usize) -> PoissonWork {
        let v = vec![F::ZERO; policies];
        PoissonWork { p: v.clone(), cdf: v.clone(), walking: v.clone(), count: v, redo: vec![0; policies] }
    }
}

/// [`poisson_inverse`] for every lane (run) and every policy at once, for the lanes whose
/// mean is at least `zero_below` (= -ln u; the others have no event), with the same counts
/// as the scalar function, exactly. The CDFs are walked in SIMD from a vectorised `exp`,
/// which can differ from libm's in the last bits; a lane whose `u` falls within
/// [`LANE_MARGIN`] of a CDF value it is compared with, a mean above 50, or a walk at the
/// scalar bound or past 64 terms is recomputed by the scalar function, so rounding never
/// changes a count. The walks of all policies advance together, so the loop ends once per
/// step rather than once per policy (each end is a branch the predictor mostly gets
/// wrong). The counts are whole numbers held as floats, as the step uses them. Returns
/// whether any count is positive.
pub fn poisson_inverse_policies(u: F, zero_below: F, means: &[F], counts: &mut [F], w: &mut PoissonWork) -> bool {
    // With the policy count a compile-time constant the walk's loops over policies unroll and
    // its state lives on the stack, not behind the work vectors' pointers; the arithmetic
    // is the same.
    match means.len() {
        1 => walk_fixed::<1>(u, zero_below, means, counts),
        2 => walk_fixed::<2>(u, zero_below, means, counts),
        3 => walk_fixed::<3>(u, zero_below, means, counts),
        4 => walk_fixed::<4>(u, zero_below, means, counts),
        5 => walk_fixed::<5>(u, zero_below, means, counts),
        6 => walk_fixed::<6>(u, zero_below, means, counts),
        7 => walk_fixed::<7>(u, zero_below, means, counts),
        8 => walk_fixed::<8>(u, zero_below, means, counts),
        np => walk(
            u,
            zero_below,
            means,
            counts,
            (&mut w.p[..np], &mut w.cdf[..np], &mut w.walking[..np], &mut w.count[..np], &mut w.redo[..np]),
        ),
    }
}

fn walk_fixed<const NP: usize>(u: F, zero_below: F, means: &[F], counts: &mut [F]) -> bool {
    let (mut p, mut cdf, mut walking, mut count) = ([F::ZERO; NP], [F::ZERO; NP], [F::ZERO; NP], [F::ZERO; NP]);
    let mut redo = [0u32; NP];
    walk(u, zero_below, &means[..NP], &mut counts[..NP], (&mut p, &mut cdf, &mut walking, &mut count, &mut redo))
}

/// The walk of [`poisson_inverse_policies`] on its working vectors, one per policy.
#[inline(always)]
#[allow(clippy::type_complexity)]
fn walk(
    u: F,
    zero_below: F,
    means: &[F],
    counts: &mut [F],
    (p, cdf, walking, count, redo): (&mut [F], &mut [F], &mut [F], &mut [F], &mut [u32]),
) -> bool {
    let np = means.len();
    let mut any_possible = F::ZERO.simd_ne(F::ZERO);
    for (i, &mean) in means.iter().enumerate() {
        let possible = mean.simd_ge(zero_below);
        let direct = possible & mean.simd_le(F::splat(DIRECT_MAX_MEAN));
        redo[i] = possible.to_bitmask() & !direct.to_bitmask();
        walking[i] = direct;
        count[i] = F::ZERO;
        any_possible |= possible;
    }
    if !any_possible.any() {
        counts[..np].fill(F::ZERO);
        return false;
    }
    for (((p, cdf), &mean), walking) in p.iter_mut().zip(cdf.iter_mut()).zip(means).zip(walking.iter()) {
        // A policy with no lane to walk never reads its CDF (its comparisons are all masked
        // by `walking`): skip its exp, most steps most policies.
        *p = if walking.any() { super::vmath::exp(-mean) } else { F::ZERO };
        *cdf = *p;
    }
    let margin = F::splat(LANE_MARGIN);
    let mut k = 0u32;
    loop {
        let mut still = F::ZERO.simd_ne(F::ZERO);
        for i in 0..np {
            let unsure = (u - cdf[i]).abs().simd_le(margin * cdf[i]) & walking[i];
            redo[i] |= unsure.to_bitmask();
            walking[i] = walking[i] & !unsure & u.simd_ge(cdf[i]);
            // The scalar walk's bound (computed the same way) is at least 40 terms.
            if k >= 40 {
                let mean = means[i];
                let limit = (mean + F::splat(40.0) * mean.sqrt() + F::splat(40.0)).floor();
                let at_limit = limit.simd_le(F::splat(f64::from(k))) & walking[i];
                redo[i] |= at_limit.to_bitmask();
                walking[i] &= !at_limit;
            }
            still |= walking[i];
        }
        if !still.any() {
            break;
        }
        if k == 64 {
            for (r, w) in redo.iter_mut().zip(walking.iter()) {
                *r |= w.to_bitmask();
            }
            break;
        }
        k += 1;
        // Times 1/k rather than divided by k: one scalar division an iteration instead of a
        // vector one per policy. The product can differ from the scalar walk's quotient in
        // the last bit, which LANE_MARGIN (a thousand times wider) already covers.
        let inv_k = F::splat(1.0 / f64::from(k));
        for i in 0..np {
            count[i] += walking[i] & F::ONE;
            p[i] *= means[i] * inv_k;
            cdf[i] += p[i];
        }
    }
    let mut any = F::ZERO.simd_ne(F::ZERO);
    for i in 0..np {
        let mut n = count[i];
        if redo[i] != 0 {
            let (u, mean) = (u.to_array(), means[i].to_array());
            let mut lanes = n.to_array();
            for (l, n) in lanes.iter_mut().enumerate() {
                if redo[i] & (1 << l) != 0 {
                    *n = f64::from(poisson_inverse(u[l], mean[l]));
                }
            }
            n = F::new(lanes);
        }
        any |= n.simd_gt(F::ZERO);
        counts[i] = n;
    }
    any.any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::libm::ln_f64;
    use crate::sim::simd::LANES;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn policies_give_the_scalar_counts() {
        // Policy counts of the fixed-size walks (1-8) and of the general one (9 and more).
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(8);
        let mut work = PoissonWork::new(11);
        let mut counts = [F::ZERO; 11];
        for i in 0..40_000 {
            let scale = [1e-3, 0.1, 1.0, 5.0, 30.0, 60.0][i % 6];
            let np = [6, 1, 3, 8, 9, 11][(i / 6) % 6];
            let counts = &mut counts[..np];
            let u: [f64; LANES] = std::array::from_fn(|_| rng.random::<f64>());
            let zero_below = F::new(u.map(|u| -ln_f64(u)));
            let means: Vec<F> = (0..np).map(|_| F::new(std::array::from_fn(|_| rng.random::<f64>() * scale))).collect();
            let any = poisson_inverse_policies(F::new(u), zero_below, &means, counts, &mut work);
            let mut want_any = false;
            for (m, got) in means.iter().zip(counts.iter()) {
                for l in 0..LANES {
                    let (u, mean) = (u[l], m.to_array()[l]);
                    let want = if mean >= -ln_f64(u) { poisson_inverse(u, mean) } else { 0 };
                    want_any |= want > 0;
                    assert_eq!(got.to_array()[l], f64::from(want), "u {u} mean {mean}");
                }
            }
            assert_eq!(any, want_any);
        }
    }

    #[test]
    fn policies_defer_at_a_cdf_boundary() {
        // u exactly at P(N = 0) = exp(-mean): the count is 1, decided by the last bit.
        let mut work = PoissonWork::new(1);
        let mut counts = [F::splat(9.0)];
        for mean in [0.1f64, 0.5, 1.0, 2.0, 7.0] {
            let u = exp_f64(-mean);
            let zero_below = F::splat(mean);
            poisson_inverse_policies(F::splat(u), zero_below, &[F::splat(mean)], &mut counts, &mut work);
            assert_eq!(counts[0].to_array(), [f64::from(poisson_inverse(u, mean)); LANES]);
        }
    }
}
