//! Rank correlation between uncertain parameters, induced by the Iman-Conover method.

use rand::Rng;
use rand::seq::SliceRandom;

/// A requested rank correlation between two uncertain world parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    pub a: usize,
    pub b: usize,
    pub rho: f64,
}

/// Pearson correlation of normal scores that yields Spearman rank correlation `rho_s`.
pub fn pearson_for_spearman(rho_s: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho_s / 6.0).sin()
}

/// The distinct parameters that take part in correlations, in ascending order.
pub fn involved(correlations: &[Correlation]) -> Vec<usize> {
    let mut v: Vec<usize> = correlations.iter().flat_map(|c| [c.a, c.b]).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Target correlation matrix over `involved(correlations)` (row-major, k x k).
pub fn target_matrix(correlations: &[Correlation], pearson: bool) -> (Vec<usize>, Vec<f64>) {
    let ids = involved(correlations);
    let k = ids.len();
    let mut m = vec![0.0; k * k];
    for i in 0..k {
        m[i * k + i] = 1.0;
    }
    for c in correlations {
        let (Some(a), Some(b)) = (ids.iter().position(|&x| x == c.a), ids.iter().position(|&x| x == c.b)) else {
            continue;
        };
        let r = if pearson { pearson_for_spearman(c.rho) } else { c.rho };
        m[a * k + b] = r;
        m[b * k + a] = r;
    }
    (ids, m)
}

/// Lower-triangular Cholesky factor, or `None` if `m` is not positive definite.
pub fn cholesky(m: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = m[i * k + j];
            for p in 0..j {
                s -= l[i * k + p] * l[j * k + p];
            }
            if i == j {
                if s <= 1e-10 {
                    return None;
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    Some(l)
}

/// Whether the requested correlations (as given, and as normal-score correlations) form a
/// positive definite matrix.
pub fn is_positive_definite(correlations: &[Correlation]) -> bool {
    let (ids, m) = target_matrix(correlations, false);
    let (_, p) = target_matrix(correlations, true);
    cholesky(&m, ids.len()).is_some() && cholesky(&p, ids.len()).is_some()
}

/// Reorders the columns of `columns` (each a parameter's draws over all runs) so that their
/// rank correlations approach the targets, leaving each column's values (its marginal) as
/// they were. `columns[i]` belongs to parameter `involved(correlations)[i]`.
pub fn iman_conover<R: Rng + ?Sized>(columns: &mut [Vec<f64>], correlations: &[Correlation], rng: &mut R) {
    let (ids, target) = target_matrix(correlations, true);
    let k = ids.len();
    let n = columns.first().map_or(0, Vec::len);
    if k < 2 || n < 3 || columns.len() != k {
        return;
    }
    let Some(p) = cholesky(&target, k) else { return };
    // statrs' quantile, copied (`model::sample`): the same scores on every platform.
    let scores: Vec<f64> = (1..=n).map(|i| super::sample::normal_quantile(i as f64 / (n as f64 + 1.0))).collect();
    // Independent random orders of the scores, one per column.
    let mut m: Vec<Vec<f64>> = (0..k)
        .map(|_| {
            let mut s = scores.clone();
            s.shuffle(rng);
            s
        })
        .collect();
    // Remove the sample correlation of the shuffled scores, then impose the target.
    let e = correlation_matrix(&m);
    let Some(q) = cholesky(&e, k) else { return };
    let q_inv = invert_lower(&q, k);
    // T = M * (Q^-1)^T * P^T, row by row.
    let mut row = vec![0.0; k];
    let mut tmp = vec![0.0; k];
    #[allow(clippy::needless_range_loop)] // r indexes every column at once
    for r in 0..n {
        for (i, x) in row.iter_mut().enumerate() {
            *x = m[i][r];
        }
        for i in 0..k {
            tmp[i] = (0..=i).map(|j| q_inv[i * k + j] * row[j]).sum();
        }
        for i in 0..k {
            m[i][r] = (0..=i).map(|j| p[i * k + j] * tmp[j]).sum();
        }
    }
    // Give each column of draws the rank order of the corresponding column of T.
    for (col, t) in columns.iter_mut().zip(&m) {
        let mut sorted = col.clone();
        sorted.sort_by(f64::total_cmp);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| t[a].total_cmp(&t[b]));
        for (rank, &run) in order.iter().enumerate() {
            col[run] = sorted[rank];
        }
    }
}

fn correlation_matrix(cols: &[Vec<f64>]) -> Vec<f64> {
    let k = cols.len();
    let n = cols[0].len() as f64;
    let means: Vec<f64> = cols.iter().map(|c| c.iter().sum::<f64>() / n).collect();
    let mut m = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
            for (x, y) in cols[i].iter().zip(&cols[j]) {
                let (dx, dy) = (x - means[i], y - means[j]);
                sxy += dx * dy;
                sxx += dx * dx;
                syy += dy * dy;
            }
            let r = sxy / (sxx * syy).sqrt();
            m[i * k + j] = r;
            m[j * k + i] = r;
        }
    }
    m
}

fn invert_lower(l: &[f64], k: usize) -> Vec<f64> {
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        inv[i * k + i] = 1.0 / l[i * k + i];
        for j in 0..i {
            let s: f64 = (j..i).map(|p| l[i * k + p] * inv[p * k + j]).sum();
            inv[i * k + j] = -s / l[i * k + i];
        }
    }
    inv
}
