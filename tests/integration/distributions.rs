//! Every distribution's samples against MODEL.md's definition (Kolmogorov-Smirnov), the
//! quantile and density functions against the same definitions, and the Poisson inverse.

use statrs::distribution::{
    Beta, ContinuousCDF, Discrete, DiscreteCDF, LogNormal, Normal, Poisson, Triangular, Uniform,
};
use tierlab::model::Dist;
use tierlab::sim::poisson::poisson_inverse;
use tierlab::sim::rng::{SimRng, Stream, stream};

/// z with P(Z <= z) = 0.95, as MODEL.md writes it.
const Z95: f64 = 1.644_853_6;

/// Samples per Kolmogorov-Smirnov test.
const N_KS: usize = 20_000;

/// Asymptotic Kolmogorov-Smirnov critical value at significance 0.001 for `n` samples:
/// sqrt(-ln(alpha / 2) / 2) / sqrt(n).
fn ks_critical(n: usize) -> f64 {
    (-(0.001f64 / 2.0).ln() / 2.0).sqrt() / (n as f64).sqrt()
}

/// The Kolmogorov-Smirnov statistic of `samples` against `cdf`.
fn ks_statistic(samples: &mut [f64], cdf: impl Fn(f64) -> f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len() as f64;
    samples.iter().enumerate().fold(0.0f64, |d, (i, &x)| {
        let f = cdf(x);
        d.max(f - i as f64 / n).max((i + 1) as f64 / n - f)
    })
}

fn rng(seed: u64) -> SimRng {
    stream(seed, Stream::Params, 0, 0)
}

fn draw(dist: &Dist, n: usize, seed: u64) -> Vec<f64> {
    let sampler = dist.sampler().expect("a valid distribution has a sampler");
    let mut r = rng(seed);
    (0..n).map(|_| sampler.sample(&mut r)).collect()
}

/// The CDF of `dist` built from MODEL.md's definition (independently of `Dist::quantile`).
fn model_cdf(dist: &Dist) -> Box<dyn Fn(f64) -> f64> {
    match *dist {
        Dist::Fixed(v) => Box::new(move |x| if x >= v { 1.0 } else { 0.0 }),
        Dist::Uniform { min, max } => {
            let d = Uniform::new(min, max).expect("uniform");
            Box::new(move |x| d.cdf(x))
        }
        Dist::Triangular { min, mode, max } => {
            let d = Triangular::new(min, max, mode).expect("triangular");
            Box::new(move |x| d.cdf(x))
        }
        Dist::Pert { min, mode, max } => {
            let r = max - min;
            let d = Beta::new(1.0 + 4.0 * (mode - min) / r, 1.0 + 4.0 * (max - mode) / r).expect("pert");
            Box::new(move |x| d.cdf(((x - min) / r).clamp(0.0, 1.0)))
        }
        Dist::Normal { mean, sd, min, max } => {
            let d = Normal::new(mean, sd).expect("normal");
            let lo = min.map_or(0.0, |m| d.cdf(m));
            let hi = max.map_or(1.0, |m| d.cdf(m));
            let (a, b) = (min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY));
            Box::new(move |x| ((d.cdf(x.clamp(a, b)) - lo) / (hi - lo)).clamp(0.0, 1.0))
        }
        Dist::LogNormal { median, p95 } => {
            let d = LogNormal::new(median.ln(), (p95 / median).ln() / Z95).expect("lognormal");
            Box::new(move |x| if x <= 0.0 { 0.0 } else { d.cdf(x) })
        }
        Dist::Beta { mean, sd } => {
            let c = mean * (1.0 - mean) / (sd * sd) - 1.0;
            let d = Beta::new(mean * c, (1.0 - mean) * c).expect("beta");
            Box::new(move |x| d.cdf(x.clamp(0.0, 1.0)))
        }
    }
}

/// The distributions under test: every kind, with edge shapes (mode at an end, one-sided and
/// deep truncation, skewed beta).
fn cases() -> Vec<Dist> {
    vec![
        Dist::Uniform { min: 2.0, max: 5.0 },
        Dist::Uniform { min: -1e-3, max: 1e-3 },
        Dist::Triangular { min: 0.0, mode: 1.0, max: 4.0 },
        Dist::Triangular { min: 0.0, mode: 0.0, max: 0.6 },
        Dist::Triangular { min: 1.0, mode: 3.0, max: 3.0 },
        Dist::Pert { min: 26.0, mode: 26.4, max: 26.7 },
        Dist::Pert { min: 0.4, mode: 0.65, max: 0.78 },
        Dist::Pert { min: 0.0, mode: 0.0, max: 2.0 },
        Dist::Pert { min: 1.05, mode: 2.0, max: 2.0 },
        Dist::Normal { mean: 1.0, sd: 2.0, min: None, max: None },
        Dist::Normal { mean: 0.03, sd: 0.015, min: Some(0.0), max: Some(0.07) },
        Dist::Normal { mean: 0.5, sd: 1.0, min: Some(0.0), max: None },
        Dist::Normal { mean: 10.0, sd: 3.0, min: None, max: Some(9.0) },
        Dist::Normal { mean: 0.0, sd: 1.0, min: Some(2.0), max: Some(3.0) },
        Dist::LogNormal { median: 0.03, p95: 0.2 },
        Dist::LogNormal { median: 700.0, p95: 2000.0 },
        Dist::Beta { mean: 0.95, sd: 0.03 },
        Dist::Beta { mean: 0.5, sd: 0.2 },
        Dist::Beta { mean: 0.1, sd: 0.1 },
    ]
}

/// Shapes that only the sampler is checked on: a U-shaped beta with a = 0.044, whose quantile
/// function is beyond the precision of a bisection.
fn extreme_cases() -> Vec<Dist> {
    vec![Dist::Beta { mean: 0.1, sd: 0.25 }, Dist::Pert { min: 0.0, mode: 1e-9, max: 1.0 }]
}

#[test]
fn samples_follow_the_model_definitions() {
    let crit = ks_critical(N_KS);
    let mut failures = Vec::new();
    for (i, dist) in cases().iter().chain(&extreme_cases()).enumerate() {
        let mut xs = draw(dist, N_KS, 1000 + i as u64);
        let (lo, hi) = dist.support();
        assert!(xs.iter().all(|&x| x.is_finite() && x >= lo && x <= hi), "{dist:?}: a sample left the support");
        let d = ks_statistic(&mut xs, model_cdf(dist));
        if d > crit {
            failures.push(format!("{dist:?}: KS D = {d:.5} > {crit:.5}"));
        }
    }
    assert!(failures.is_empty(), "samplers disagree with MODEL.md:\n{}", failures.join("\n"));
}

#[test]
fn truncated_normal_with_little_mass_samples_its_interval() {
    // About 1e-3 of N(0,1) lies in [3.1, 6]: rejection sampling needs ~1000 tries per draw.
    let dist = Dist::Normal { mean: 0.0, sd: 1.0, min: Some(3.1), max: Some(6.0) };
    let n = 5000;
    let mut xs = draw(&dist, n, 77);
    assert!(xs.iter().all(|&x| (3.1..=6.0).contains(&x)));
    let d = ks_statistic(&mut xs, model_cdf(&dist));
    assert!(d < ks_critical(n), "KS D = {d}");
}

#[test]
fn truncated_normal_at_the_mass_limit_still_samples_inside() {
    // Just above the 1e-6 validation limit; the sampler must neither hang nor leave [min, max].
    let dist = Dist::Normal { mean: 0.0, sd: 1.0, min: Some(4.7), max: Some(5.5) };
    assert!(Dist::normal_mass(0.0, 1.0, Some(4.7), Some(5.5)) > 1e-6);
    let n = 300;
    let mut xs = draw(&dist, n, 78);
    assert!(xs.iter().all(|&x| (4.7..=5.5).contains(&x)), "{xs:?}");
    let d = ks_statistic(&mut xs, model_cdf(&dist));
    assert!(d < ks_critical(n), "KS D = {d}");
}

#[test]
fn fixed_values_are_returned_exactly() {
    let xs = draw(&Dist::Fixed(26.8), 100, 3);
    assert!(xs.iter().all(|&x| x == 26.8));
}

#[test]
fn quantile_inverts_the_model_cdf() {
    for dist in cases() {
        let cdf = model_cdf(&dist);
        for q in [1e-4, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0 - 1e-4] {
            let x = dist.quantile(q);
            assert!(x.is_finite(), "{dist:?}: quantile({q}) = {x}");
            let back = cdf(x);
            assert!((back - q).abs() < 1e-6, "{dist:?}: cdf(quantile({q})) = {back}");
        }
    }
}

#[test]
fn lognormal_quantiles_are_its_median_and_p95() {
    let d = Dist::LogNormal { median: 0.3, p95: 1.0 };
    assert!((d.quantile(0.5) - 0.3).abs() < 1e-9);
    assert!((d.quantile(0.95) - 1.0).abs() < 1e-6);
}

#[test]
fn density_is_the_derivative_of_the_model_cdf() {
    for dist in cases() {
        let cdf = model_cdf(&dist);
        for q in [0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98] {
            let x = dist.quantile(q);
            let h = 1e-5 * (dist.quantile(0.9) - dist.quantile(0.1));
            let numeric = (cdf(x + h) - cdf(x - h)) / (2.0 * h);
            let pdf = dist.pdf(x);
            assert!(
                (pdf - numeric).abs() <= 1e-3 * numeric.max(1e-12) + 1e-9,
                "{dist:?}: pdf({x}) = {pdf}, numeric derivative {numeric}"
            );
        }
        let (lo, hi) = dist.support();
        if lo.is_finite() {
            assert_eq!(dist.pdf(lo - 1.0), 0.0, "{dist:?}: density below the support");
        }
        if hi.is_finite() {
            assert_eq!(dist.pdf(hi + 1.0), 0.0, "{dist:?}: density above the support");
        }
    }
}

#[test]
fn beta_shape_follows_model_md() {
    let (a, b) = Dist::beta_shape(0.95, 0.03).expect("fits");
    let c = 0.95 * 0.05 / (0.03 * 0.03) - 1.0;
    assert!((a - 0.95 * c).abs() < 1e-12 && (b - 0.05 * c).abs() < 1e-12);
    assert!(Dist::beta_shape(0.5, 0.5).is_none(), "c = 0 is no beta");
    assert!(Dist::beta_shape(0.0, 0.1).is_none());
    assert!(Dist::beta_shape(1.0, 0.1).is_none());
    assert!(Dist::beta_shape(0.5, 0.0).is_none());
}

// --- The Poisson inverse ---------------------------------------------------------------

/// Means on both sides of the switch from direct summation to bisection (at 50).
const POISSON_MEANS: [f64; 9] = [1e-6, 0.05, 0.7, 3.0, 17.5, 49.9, 50.1, 400.0, 20_000.0];

#[test]
fn poisson_inverse_is_the_smallest_n_with_cdf_above_u() {
    for mean in POISSON_MEANS {
        let d = Poisson::new(mean).expect("poisson");
        for i in 0..2000 {
            let u = (i as f64 + 0.5) / 2000.0;
            let n = u64::from(poisson_inverse(u, mean));
            assert!(d.cdf(n) > u - 1e-12, "mean {mean}, u {u}: n = {n} has cdf {} <= u", d.cdf(n));
            if n > 0 {
                assert!(d.cdf(n - 1) <= u + 1e-12, "mean {mean}, u {u}: n = {n} is not the smallest");
            }
        }
    }
}

#[test]
fn poisson_inverse_of_a_uniform_has_the_poisson_pmf() {
    // Chi-square goodness of fit on 20,000 draws per mean, cells with expected count >= 5
    // pooled into the tails; critical values are for alpha = 0.001.
    let mut r = rng(99);
    for mean in [0.3, 2.5, 12.0, 60.0] {
        let d = Poisson::new(mean).expect("poisson");
        let n = 20_000;
        let mut counts = std::collections::BTreeMap::<u64, f64>::new();
        for _ in 0..n {
            let u: f64 = rand::RngExt::random(&mut r);
            *counts.entry(u64::from(poisson_inverse(u, mean))).or_default() += 1.0;
        }
        let lo = (0..).find(|&k| d.cdf(k) * n as f64 >= 5.0).expect("lower cell");
        let hi = (lo + 1..).find(|&k| d.sf(k) * (n as f64) < 5.0).expect("upper cell");
        let mut chi2 = 0.0;
        let mut cells = 0;
        for k in lo..=hi {
            let p = if k == lo {
                d.cdf(lo)
            } else if k == hi {
                d.sf(hi - 1)
            } else {
                d.pmf(k)
            };
            let observed: f64 = if k == lo {
                counts.range(..=lo).map(|(_, c)| c).sum()
            } else if k == hi {
                counts.range(hi..).map(|(_, c)| c).sum()
            } else {
                counts.get(&k).copied().unwrap_or(0.0)
            };
            let expected = p * n as f64;
            chi2 += (observed - expected).powi(2) / expected;
            cells += 1;
        }
        let dof = cells - 1;
        // Wilson-Hilferty approximation of the chi-square 0.999 quantile.
        let z = 3.090_232_3;
        let k = dof as f64;
        let critical = k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3);
        assert!(chi2 < critical, "mean {mean}: chi2 = {chi2:.1} with {dof} dof, critical {critical:.1}");
    }
}

#[test]
fn poisson_inverse_of_no_rate_is_zero() {
    for u in [0.0, 0.5, 0.999_999] {
        assert_eq!(poisson_inverse(u, 0.0), 0);
        assert_eq!(poisson_inverse(u, -1.0), 0);
        assert_eq!(poisson_inverse(u, f64::NAN), 0);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

    /// The count is monotone in the rate for a fixed uniform (MODEL.md, common random
    /// numbers), also across the switch between the two inversion methods.
    #[test]
    fn poisson_inverse_is_monotone_in_the_mean(u in 0.0f64..1.0, m1 in 0.0f64..120.0, m2 in 0.0f64..120.0) {
        let (lo, hi) = if m1 <= m2 { (m1, m2) } else { (m2, m1) };
        proptest::prop_assert!(poisson_inverse(u, lo) <= poisson_inverse(u, hi));
    }

    /// No uniform and no rate the engine can produce makes the inverse panic or go wild.
    #[test]
    fn poisson_inverse_is_total(u in 0.0f64..1.0, mean in 0.0f64..20_000.0) {
        let n = f64::from(poisson_inverse(u, mean));
        proptest::prop_assert!(n <= mean + 50.0 * mean.sqrt() + 100.0);
    }
}

#[test]
fn poisson_inverse_is_monotone_across_the_method_switch() {
    for i in 0..10_000 {
        let u = (i as f64 + 0.5) / 10_000.0;
        let below = poisson_inverse(u, 50.0 - 1e-9);
        let at = poisson_inverse(u, 50.0);
        let above = poisson_inverse(u, 50.0 + 1e-9);
        assert!(below <= at && at <= above, "u = {u}: {below}, {at}, {above}");
    }
}
