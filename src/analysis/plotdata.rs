//! The data behind every plot, computed once and drawn by the app or written as figures.
//! All functions bin or decimate: no plot ever draws one point per run.

use super::stats::{quantile_sorted, sorted};

/// A shared range for several samples: from the lowest `tail` quantile to the highest
/// `1 - tail` quantile over all of them, so one wild run does not squash every histogram.
pub fn common_range(samples: &[&[f64]], tail: f64) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in samples {
        let v = sorted(s);
        if v.is_empty() {
            continue;
        }
        lo = lo.min(quantile_sorted(&v, tail));
        hi = hi.max(quantile_sorted(&v, 1.0 - tail));
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi <= lo {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        return (lo - pad, hi + pad);
    }
    (lo, hi)
}

/// A histogram normalised to a density (area 1 over all values, including those outside
/// the range, so densities of different policies compare).
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    /// Density per bin (per unit of the variable).
    pub density: Vec<f64>,
    /// Values below `lo` and above `hi`, as shares of all.
    pub below: f64,
    pub above: f64,
}

impl Histogram {
    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.density.len().max(1) as f64
    }
    /// Centre of bin `i`.
    pub fn center(&self, i: usize) -> f64 {
        self.lo + (i as f64 + 0.5) * self.bin_width()
    }
}

pub fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Histogram {
    let bins = bins.max(1);
    let mut counts = vec![0u64; bins];
    let (mut below, mut above) = (0u64, 0u64);
    let width = (hi - lo) / bins as f64;
    for &x in values {
        if x < lo {
            below += 1;
        } else if x > hi {
            above += 1;
        } else {
            let i = (((x - lo) / width) as usize).min(bins - 1);
            counts[i] += 1;
        }
    }
    let n = values.len().max(1) as f64;
    Histogram {
        lo,
        hi,
        density: counts.iter().map(|&c| c as f64 / (n * width)).collect(),
        below: below as f64 / n,
        above: above as f64 / n,
    }
}

/// Silverman's bandwidth (never narrower than one grid step) and the fine histogram the
/// kernel densities are computed from; `None` with fewer than two values or an empty range.
fn kernel_setup(values: &[f64], lo: f64, hi: f64, points: usize) -> Option<(f64, Histogram)> {
    let v = sorted(values);
    let n = v.len();
    if n < 2 || hi <= lo {
        return None;
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let iqr = quantile_sorted(&v, 0.75) - quantile_sorted(&v, 0.25);
    let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
    let bw = (0.9 * spread * (n as f64).powf(-0.2)).max((hi - lo) / points as f64);
    Some((bw, histogram(&v, lo, hi, points * 2)))
}

/// Gaussian kernel density on a grid of `points` over [lo, hi] (Silverman's bandwidth),
/// computed from a fine histogram so it costs O(points^2), not O(runs x points).
pub fn density(values: &[f64], lo: f64, hi: f64, points: usize) -> Vec<[f64; 2]> {
    let points = points.max(2);
    let Some((bw, fine)) = kernel_setup(values, lo, hi, points) else {
        return Vec::new();
    };
    let fw = fine.bin_width();
    (0..points)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / (points - 1) as f64;
            let d: f64 = fine
                .density
                .iter()
                .enumerate()
                .map(|(k, &dk)| {
                    let z = (x - fine.center(k)) / bw;
                    dk * fw * (-0.5 * z * z).exp()
                })
                .sum::<f64>()
                / (bw * (2.0 * std::f64::consts::PI).sqrt());
            [x, d]
        })
        .collect()
}

/// Kernels are cut this many bandwidths from their centre in [`density_windowed`]
/// (the Gaussian there is below 1.6e-8 of its peak).
pub const KERNEL_CUTOFF_BW: f64 = 6.0;

/// The same curve as [`density`], with each kernel cut at [`KERNEL_CUTOFF_BW`] bandwidths and
/// empty bins skipped: a fraction of the cost where the bandwidth is small against the range
/// (many runs, heavy tails), for the app's live redraws.
pub fn density_windowed(values: &[f64], lo: f64, hi: f64, points: usize) -> Vec<[f64; 2]> {
    let points = points.max(2);
    let Some((bw, fine)) = kernel_setup(values, lo, hi, points) else {
        return Vec::new();
    };
    let fw = fine.bin_width();
    let bins = fine.density.len();
    let reach = ((KERNEL_CUTOFF_BW * bw / fw).ceil() as usize).saturating_add(1);
    let norm = fw / (bw * (2.0 * std::f64::consts::PI).sqrt());
    (0..points)
        .map(|i| {
            let x = lo + (hi - lo) * i as f64 / (points - 1) as f64;
            let centre = (((x - lo) / fw) as usize).min(bins - 1);
            let first = centre.saturating_sub(reach);
            let last = (centre + reach).min(bins - 1);
            let d: f64 = (first..=last)
                .filter(|&k| fine.density[k] > 0.0)
                .map(|k| {
                    let z = (x - fine.center(k)) / bw;
                    fine.density[k] * (-0.5 * z * z).exp()
                })
                .sum::<f64>()
                * norm;
            [x, d]
        })
        .collect()
}

/// The empirical CDF at up to `points` quantiles: (x, P(X <= x)).
pub fn ecdf(values: &[f64], points: usize) -> Vec<[f64; 2]> {
    let v = sorted(values);
    let n = v.len();
    if n == 0 {
        return Vec::new();
    }
    let points = points.clamp(2, n.max(2));
    (0..points)
        .map(|i| {
            let q = i as f64 / (points - 1) as f64;
            let idx = ((q * (n - 1) as f64).round() as usize).min(n - 1);
            [v[idx], (idx + 1) as f64 / n as f64]
        })
        .collect()
}

/// The exceedance curve P(X > x) at up to `points` log-spaced x above the smallest
/// positive value, as (log10 x, log10 P). Stops where no value exceeds x; includes the
/// share of zeros implicitly (P is over all values).
pub fn exceedance_log(values: &[f64], points: usize) -> Vec<[f64; 2]> {
    let v = sorted(values);
    let n = v.len();
    let Some(&first_pos) = v.iter().find(|&&x| x > 0.0) else {
        return Vec::new();
    };
    let max = v[n - 1];
    let (l0, l1) = (first_pos.log10(), max.log10());
    if l1 <= l0 {
        return vec![[l0, ((v.iter().filter(|&&x| x >= first_pos).count()) as f64 / n as f64).log10()]];
    }
    let points = points.max(2);
    let mut out = Vec::with_capacity(points);
    for i in 0..points {
        let lx = l0 + (l1 - l0) * i as f64 / (points - 1) as f64;
        let x = 10f64.powf(lx);
        // Values strictly above x.
        let above = n - v.partition_point(|&y| y <= x);
        if above == 0 {
            break;
        }
        out.push([lx, (above as f64 / n as f64).log10()]);
    }
    out
}

/// The outline of a histogram as a step line: (x, density) corners from `lo` to `hi`, starting
/// and ending at zero, so a plot can overlay several histograms without filled bars.
pub fn histogram_outline(h: &Histogram) -> Vec<[f64; 2]> {
    let w = h.bin_width();
    let mut out = Vec::with_capacity(2 * h.density.len() + 2);
    out.push([h.lo, 0.0]);
    for (i, &d) in h.density.iter().enumerate() {
        let x0 = h.lo + i as f64 * w;
        out.push([x0, d]);
        out.push([x0 + w, d]);
    }
    out.push([h.hi, 0.0]);
    out
}

/// Share of `values` at or below each point of `grid`: (x, P(X <= x)). NaN values count as
/// never reached (the share at the grid's end is then below 1).
pub fn share_at_or_below(values: &[f64], grid: &[f64]) -> Vec<[f64; 2]> {
    let n = values.len().max(1) as f64;
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_unstable_by(f64::total_cmp);
    grid.iter().map(|&x| [x, v.partition_point(|&y| y <= x) as f64 / n]).collect()
}

/// Decades covering [lo, hi] in log10 units, for labelling log axes.
pub fn decades(lo: f64, hi: f64) -> Vec<i32> {
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return Vec::new();
    }
    (lo.floor() as i32..=hi.ceil() as i32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_density_integrates_to_share_inside() {
        let v: Vec<f64> = (0..1000).map(|i| f64::from(i) / 1000.0).collect();
        let h = histogram(&v, 0.0, 0.5, 10);
        let area: f64 = h.density.iter().sum::<f64>() * h.bin_width();
        assert!((area + h.below + h.above - 1.0).abs() < 1e-12);
        assert!((h.above - 0.499).abs() < 1e-9);
    }

    #[test]
    fn exceedance_is_decreasing_and_starts_below_one() {
        let v: Vec<f64> = (1..=1000).map(f64::from).collect();
        let e = exceedance_log(&v, 50);
        assert!(e.windows(2).all(|w| w[1][1] <= w[0][1] && w[1][0] > w[0][0]));
        assert!(e[0][1] <= 0.0);
    }

    #[test]
    fn ecdf_ends_at_one() {
        let v = [3.0, 1.0, 2.0];
        let e = ecdf(&v, 3);
        assert_eq!(e.last().unwrap(), &[3.0, 1.0]);
        assert_eq!(e[0], [1.0, 1.0 / 3.0]);
    }

    #[test]
    fn histogram_outline_encloses_the_same_area() {
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        let h = histogram(&v, 0.0, 100.0, 10);
        let o = histogram_outline(&h);
        assert_eq!(o.len(), 2 * 10 + 2);
        let area: f64 = o.windows(2).map(|w| (w[1][0] - w[0][0]) * w[0][1].min(w[1][1])).sum();
        assert!((area - 1.0).abs() < 1e-12, "{area}");
        assert_eq!(o[0], [0.0, 0.0]);
        assert_eq!(o[o.len() - 1], [100.0, 0.0]);
    }

    #[test]
    fn share_at_or_below_counts_nan_as_never() {
        let v = [1.0, 2.0, f64::NAN, 3.0];
        let c = share_at_or_below(&v, &[0.0, 1.0, 2.5, 10.0]);
        assert_eq!(c, vec![[0.0, 0.0], [1.0, 0.25], [2.5, 0.5], [10.0, 0.75]]);
    }

    #[test]
    fn windowed_density_matches_the_full_one() {
        let v: Vec<f64> = (0..5000).map(|i| (f64::from(i) * 0.618_034).fract().powi(3) * 1e4 - 300.0).collect();
        for (lo, hi, points) in [(-300.0, 9700.0, 120), (0.0, 2000.0, 50), (-1000.0, 20_000.0, 200)] {
            let full = density(&v, lo, hi, points);
            let fast = density_windowed(&v, lo, hi, points);
            assert_eq!(full.len(), fast.len());
            let peak = full.iter().map(|p| p[1]).fold(0.0, f64::max);
            for (a, b) in full.iter().zip(&fast) {
                assert_eq!(a[0], b[0]);
                assert!((a[1] - b[1]).abs() <= 1e-7 * peak, "{a:?} {b:?}");
            }
        }
    }
}
