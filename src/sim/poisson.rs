//! Poisson counts by inverting the CDF at a shared uniform, so that in one run and step the
//! count is monotone in the rate across policies (MODEL.md, common random numbers).

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
