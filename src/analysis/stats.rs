//! Elementary statistics with the conventions the outputs promise.

/// 97.5% standard normal quantile: 95% two-sided intervals.
pub const Z_95_TWO_SIDED: f64 = 1.959_963_984_540_054;

/// Mean and Monte Carlo standard error (sample sd / sqrt(n)). SE is 0 for n < 2.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    (mean, (ss / (n - 1) as f64).sqrt() / (n as f64).sqrt())
}

/// Quantile of sorted data by linear interpolation between order statistics (type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    // Exact order statistics need no interpolation (and inf - inf must not make a NaN).
    if frac == 0.0 || sorted[hi] == sorted[lo] {
        return sorted[lo];
    }
    if sorted[hi].is_infinite() {
        return sorted[hi];
    }
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

/// [`quantile_sorted`] of `xs` as if sorted (by `f64::total_cmp`, as [`sorted`] sorts),
/// by selecting the order statistics it needs instead of sorting: the same value, bit for
/// bit, in linear time. Reorders `xs`.
pub fn quantile_select(xs: &mut [f64], q: f64) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let (_, &mut at_lo, above) = xs.select_nth_unstable_by(lo, f64::total_cmp);
    // The next order statistic is the smallest value above position lo (lo itself at the end).
    let at_hi = above.iter().copied().min_by(f64::total_cmp).unwrap_or(at_lo);
    let frac = h - lo as f64;
    if frac == 0.0 || at_hi == at_lo {
        return at_lo;
    }
    if at_hi.is_infinite() {
        return at_hi;
    }
    at_lo + frac * (at_hi - at_lo)
}

/// [`cvar95_sorted`] of `xs` as if sorted, summing the same values in the same (ascending)
/// order, with a partial selection and a sort of the top 5% only. Reorders `xs`.
pub fn cvar95_select(xs: &mut [f64]) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    let k = ((0.05 * n as f64).ceil() as usize).clamp(1, n);
    xs.select_nth_unstable_by(n - k, f64::total_cmp);
    let tail = &mut xs[n - k..];
    tail.sort_unstable_by(f64::total_cmp);
    tail.iter().sum::<f64>() / k as f64
}

/// Sorts a copy (NaN last) and returns it.
pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Mean of the worst ceil(0.05 n) values (largest), from sorted ascending data.
pub fn cvar95_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let k = ((0.05 * n as f64).ceil() as usize).clamp(1, n);
    sorted[n - k..].iter().sum::<f64>() / k as f64
}

/// Mean of the worst ceil(0.05 n) values (largest) of unsorted data, as [`cvar95_sorted`]
/// would give; reorders `xs` (a partial selection, no full sort).
pub fn cvar95_unsorted(xs: &mut [f64]) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    let k = ((0.05 * n as f64).ceil() as usize).clamp(1, n);
    xs.select_nth_unstable_by(n - k, f64::total_cmp);
    xs[n - k..].iter().sum::<f64>() / k as f64
}

/// Solves `a x = b` for a symmetric positive definite `a` (`k` x `k`, row-major) by a
/// Cholesky factorisation; `None` when `a` is not numerically positive definite (a pivot
/// below `1e-12` times the largest diagonal entry).
pub fn solve_spd(a: &[f64], k: usize, b: &[f64]) -> Option<Vec<f64>> {
    if a.len() != k * k || b.len() != k {
        return None;
    }
    let scale = (0..k).map(|i| a[i * k + i].abs()).fold(0.0, f64::max);
    let tiny = 1e-12 * scale.max(f64::MIN_POSITIVE);
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s = a[i * k + j] - (0..j).map(|p| l[i * k + p] * l[j * k + p]).sum::<f64>();
            if i == j {
                if s.is_nan() || s <= tiny {
                    return None;
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    // L y = b, then L^T x = y.
    let mut y = vec![0.0; k];
    for i in 0..k {
        y[i] = (b[i] - (0..i).map(|p| l[i * k + p] * y[p]).sum::<f64>()) / l[i * k + i];
    }
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        x[i] = (y[i] - (i + 1..k).map(|p| l[p * k + i] * x[p]).sum::<f64>()) / l[i * k + i];
    }
    Some(x)
}

/// 95% Wilson score interval for a proportion of `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = Z_95_TWO_SIDED;
    let n = n as f64;
    let p = k as f64 / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt()) / denom;
    // At the edges the interval's outer end is exact; keep rounding from moving it.
    let lo = if k == 0 { 0.0 } else { (centre - half).max(0.0) };
    let hi = if k as f64 == n { 1.0 } else { (centre + half).min(1.0) };
    (lo, hi)
}

/// Average ranks (ties share the mean rank), 1-based.
pub fn ranks(xs: &[f64]) -> Vec<f64> {
    let n = xs.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; NaN when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 2 {
        return f64::NAN;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_gives_the_sorted_quantiles_and_cvar_bit_for_bit() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(5);
        for n in [1usize, 2, 3, 7, 20, 21, 100, 1001, 5000] {
            for kind in 0..4 {
                let xs: Vec<f64> = (0..n)
                    .map(|_| match kind {
                        0 => rng.random::<f64>() * 1e4 - 10.0,
                        // Ties.
                        1 => (rng.random::<f64>() * 5.0).floor(),
                        // Infinities among finite values.
                        2 => [f64::INFINITY, 1.5, -0.0, 0.0][rng.random_range(0..4)],
                        _ => rng.random::<f64>().powi(20) * 1e6,
                    })
                    .collect();
                let s = sorted(&xs);
                for q in [0.0, 0.05, 0.25, 0.5, 0.95, 1.0] {
                    let want = quantile_sorted(&s, q);
                    let got = quantile_select(&mut xs.clone(), q);
                    assert!(want.to_bits() == got.to_bits(), "n {n} kind {kind} q {q}: {want} vs {got}");
                }
                assert_eq!(cvar95_sorted(&s).to_bits(), cvar95_select(&mut xs.clone()).to_bits());
            }
        }
    }

    #[test]
    fn quantile_matches_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert!((quantile_sorted(&v, 0.05) - 1.15).abs() < 1e-12);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
    }

    #[test]
    fn cvar_is_mean_of_worst_ceil_5_percent() {
        let v: Vec<f64> = (1..=30).map(f64::from).collect();
        // ceil(1.5) = 2 worst: 29, 30.
        assert_eq!(cvar95_sorted(&v), 29.5);
    }

    #[test]
    fn wilson_brackets_the_proportion() {
        let (lo, hi) = wilson(10, 100);
        assert!(lo < 0.1 && hi > 0.1);
        assert!((lo - 0.0552).abs() < 1e-3 && (hi - 0.1744).abs() < 1e-3);
        let (lo0, hi0) = wilson(0, 50);
        assert_eq!(lo0, 0.0);
        assert!(hi0 > 0.0 && hi0 < 0.1);
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn cvar_unsorted_matches_sorted() {
        let v: Vec<f64> = (0..97).map(|i| f64::from((i * 37) % 97)).collect();
        let mut w = v.clone();
        assert_eq!(cvar95_unsorted(&mut w), cvar95_sorted(&sorted(&v)));
    }

    #[test]
    fn solve_spd_solves_and_refuses_singular() {
        // A = [[4, 2], [2, 3]], x = [1, -1] -> b = [2, -1].
        let x = solve_spd(&[4.0, 2.0, 2.0, 3.0], 2, &[2.0, -1.0]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] + 1.0).abs() < 1e-12);
        assert!(solve_spd(&[1.0, 1.0, 1.0, 1.0], 2, &[1.0, 1.0]).is_none());
    }
}
