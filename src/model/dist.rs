//! Uncertainty distributions for world parameters, exactly as MODEL.md defines them.

use super::sample::{Beta, Normal, Pert, Triangular, standard_normal};
use crate::math::libm::{exp_f64, ln_f64};
use rand::Rng;
use rand::RngExt;
use statrs::distribution::{ContinuousCDF, Normal as SNormal};

/// z such that P(Z <= z) = 0.95 for a standard normal.
pub const Z95: f64 = 1.644_853_6;

/// Truncated normals whose interval holds less than this mass are refused.
pub const MIN_TRUNCATED_MASS: f64 = 1e-6;

/// A parameter's value: a fixed number or one of MODEL.md's distributions.
///
/// Built only through [`Dist::new_checked`]-style validation in `scenario`, so every
/// variant's parameters are known to be well formed when sampled.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform { min: f64, max: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
    Pert { min: f64, mode: f64, max: f64 },
    Normal { mean: f64, sd: f64, min: Option<f64>, max: Option<f64> },
    LogNormal { median: f64, p95: f64 },
    Beta { mean: f64, sd: f64 },
}

/// A ready-to-draw sampler, built once per simulation from a [`Dist`].
#[derive(Clone, Debug)]
pub enum Sampler {
    Fixed(f64),
    Uniform { min: f64, width: f64 },
    Triangular(Triangular),
    Pert(Pert),
    Normal { normal: Normal, min: f64, max: f64 },
    LogNormal { mu: f64, sigma: f64 },
    Beta(Beta),
}

impl Dist {
    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }

    /// Short name used in the file format (`dist = "..."`).
    pub fn kind(&self) -> &'static str {
        match self {
            Dist::Fixed(_) => "fixed",
            Dist::Uniform { .. } => "uniform",
            Dist::Triangular { .. } => "triangular",
            Dist::Pert { .. } => "pert",
            Dist::Normal { .. } => "normal",
            Dist::LogNormal { .. } => "lognormal",
            Dist::Beta { .. } => "beta",
        }
    }

    /// Smallest and largest value the distribution can produce.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Fixed(x) => (x, x),
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } | Dist::Pert { min, max, .. } => (min, max),
            Dist::Normal { min, max, .. } => (min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY)),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
            Dist::Beta { .. } => (0.0, 1.0),
        }
    }

    /// Whether the lower end of the support is excluded (lognormal, beta).
    pub fn support_open_below(&self) -> bool {
        matches!(self, Dist::LogNormal { .. } | Dist::Beta { .. })
    }

    /// Parameters of a beta(mean, sd): `(a, b)`, or `None` where no beta fits.
    pub fn beta_shape(mean: f64, sd: f64) -> Option<(f64, f64)> {
        if !(mean > 0.0 && mean < 1.0 && sd > 0.0) {
            return None;
        }
        let c = mean * (1.0 - mean) / (sd * sd) - 1.0;
        (c > 0.0).then_some((mean * c, (1.0 - mean) * c))
    }

    /// Probability mass a normal keeps inside its truncation interval.
    pub fn normal_mass(mean: f64, sd: f64, min: Option<f64>, max: Option<f64>) -> f64 {
        let Ok(n) = SNormal::new(mean, sd) else {
            return 0.0;
        };
        let hi = max.map_or(1.0, |m| n.cdf(m));
        let lo = min.map_or(0.0, |m| n.cdf(m));
        hi - lo
    }

    /// A sampler for this distribution. The distribution must have passed validation;
    /// a malformed one yields an error rather than a panic.
    pub fn sampler(&self) -> Result<Sampler, String> {
        Ok(match *self {
            Dist::Fixed(x) => Sampler::Fixed(x),
            Dist::Uniform { min, max } => Sampler::Uniform { min, width: max - min },
            Dist::Triangular { min, mode, max } => Sampler::Triangular(Triangular::new(min, max, mode)?),
            Dist::Pert { min, mode, max } => Sampler::Pert(Pert::new(min, max, mode)?),
            Dist::Normal { mean, sd, min, max } => Sampler::Normal {
                normal: Normal::new(mean, sd)?,
                min: min.unwrap_or(f64::NEG_INFINITY),
                max: max.unwrap_or(f64::INFINITY),
            },
            Dist::LogNormal { median, p95 } => {
                Sampler::LogNormal { mu: ln_f64(median), sigma: ln_f64(p95 / median) / Z95 }
            }
            Dist::Beta { mean, sd } => {
                let (a, b) = Dist::beta_shape(mean, sd).ok_or_else(|| "no beta fits".to_string())?;
                Sampler::Beta(Beta::new(a, b)?)
            }
        })
    }

    /// Quantile function (inverse CDF) at probability `q` in (0, 1).
    pub fn quantile(&self, q: f64) -> f64 {
        use statrs::distribution::{Beta as SBeta, Triangular as STri};
        match *self {
            Dist::Fixed(x) => x,
            Dist::Uniform { min, max } => min + q * (max - min),
            Dist::Triangular { min, mode, max } => STri::new(min, max, mode).map(|t| t.inverse_cdf(q)).unwrap_or(mode),
            Dist::Pert { min, mode, max } => {
                let r = max - min;
                let a = 1.0 + 4.0 * (mode - min) / r;
                let b = 1.0 + 4.0 * (max - mode) / r;
                SBeta::new(a, b).map(|d| min + r * d.inverse_cdf(q)).unwrap_or(mode)
            }
            Dist::Normal { mean, sd, min, max } => match SNormal::new(mean, sd) {
                Ok(n) => {
                    let lo = min.map_or(0.0, |m| n.cdf(m));
                    let hi = max.map_or(1.0, |m| n.cdf(m));
                    n.inverse_cdf(lo + q * (hi - lo)).clamp(min.unwrap_or(f64::MIN), max.unwrap_or(f64::MAX))
                }
                Err(_) => mean,
            },
            Dist::LogNormal { median, p95 } => {
                let sigma = (p95 / median).ln() / Z95;
                SNormal::new(0.0, 1.0).map(|n| median * (sigma * n.inverse_cdf(q)).exp()).unwrap_or(median)
            }
            Dist::Beta { mean, sd } => {
                Dist::beta_shape(mean, sd).and_then(|(a, b)| SBeta::new(a, b).ok()).map_or(mean, |d| d.inverse_cdf(q))
            }
        }
    }

    /// Probability density at `x` (for the app's sparklines). Fixed values have none.
    pub fn pdf(&self, x: f64) -> f64 {
        use statrs::distribution::{Beta as SBeta, Continuous, LogNormal as SLogN, Triangular as STri};
        match *self {
            Dist::Fixed(_) => 0.0,
            Dist::Uniform { min, max } => {
                if x >= min && x <= max {
                    1.0 / (max - min)
                } else {
                    0.0
                }
            }
            Dist::Triangular { min, mode, max } => STri::new(min, max, mode).map_or(0.0, |t| t.pdf(x)),
            Dist::Pert { min, mode, max } => {
                let r = max - min;
                let a = 1.0 + 4.0 * (mode - min) / r;
                let b = 1.0 + 4.0 * (max - mode) / r;
                if x <= min || x >= max {
                    return 0.0;
                }
                SBeta::new(a, b).map_or(0.0, |d| d.pdf((x - min) / r) / r)
            }
            Dist::Normal { mean, sd, min, max } => {
                if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                    return 0.0;
                }
                let mass = Dist::normal_mass(mean, sd, min, max);
                SNormal::new(mean, sd).map_or(0.0, |n| n.pdf(x) / mass.max(1e-300))
            }
            Dist::LogNormal { median, p95 } => {
                let sigma = (p95 / median).ln() / Z95;
                if x <= 0.0 {
                    return 0.0;
                }
                SLogN::new(median.ln(), sigma).map_or(0.0, |d| d.pdf(x))
            }
            Dist::Beta { mean, sd } => {
                if x <= 0.0 || x >= 1.0 {
                    return 0.0;
                }
                Dist::beta_shape(mean, sd).and_then(|(a, b)| SBeta::new(a, b).ok()).map_or(0.0, |d| d.pdf(x))
            }
        }
    }

    /// Mean of the distribution (the point value shown when it is collapsed to fixed).
    pub fn central(&self) -> f64 {
        match *self {
            Dist::Fixed(x) => x,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { mode, .. } | Dist::Pert { mode, .. } => mode,
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { median, .. } => median,
            Dist::Beta { mean, .. } => mean,
        }
    }
}

impl Sampler {
    /// One draw. Truncated normals redraw until inside their interval; validation has
    /// ensured the interval holds at least [`MIN_TRUNCATED_MASS`], and a generous retry cap
    /// falls back to inverse-CDF sampling so no input can make this loop forever.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Fixed(x) => *x,
            Sampler::Uniform { min, width } => min + width * rng.random::<f64>(),
            Sampler::Triangular(t) => t.sample(rng),
            Sampler::Pert(p) => p.sample(rng),
            Sampler::Normal { normal, min, max } => {
                for _ in 0..10_000 {
                    let x = normal.sample(rng);
                    if x >= *min && x <= *max {
                        return x;
                    }
                }
                let Ok(n) = SNormal::new(normal.mean(), normal.std_dev()) else {
                    return normal.mean();
                };
                let lo = n.cdf(*min);
                let hi = n.cdf(*max);
                n.inverse_cdf(lo + rng.random::<f64>() * (hi - lo)).clamp(*min, *max)
            }
            Sampler::LogNormal { mu, sigma } => {
                let z = standard_normal(rng);
                exp_f64(mu + sigma * z)
            }
            Sampler::Beta(b) => b.sample(rng),
        }
    }
}
