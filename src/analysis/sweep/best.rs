//! The best threshold of a sweep under a cap on tail risk, and how sure that choice is: a
//! bootstrap over the runs.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::sim::rng::{Stream, stream};

use rayon::prelude::*;

use super::super::stats::{cvar95_unsorted, mean_se, quantile_sorted, sorted};
use super::{PerRun, Sweep, SweepPoint};

/// Run key of the bootstrap's random streams (distinct from every simulated run's).
const BOOTSTRAP_STREAM: u64 = u64::MAX;

/// Caps a grid point must meet to be chosen (both, when both are given).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    /// Largest allowed P(catastrophe), in [0, 1].
    pub max_p_catastrophe: Option<f64>,
    /// Largest allowed CVaR95 of harm, $B.
    pub max_cvar95: Option<f64>,
}

impl Constraint {
    /// Checks the caps.
    ///
    /// # Errors
    /// A cap that is not a probability / not a finite number >= 0.
    pub fn check(&self) -> Result<(), String> {
        if let Some(p) = self.max_p_catastrophe
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("the cap on P(catastrophe) must be in [0, 1], got {p}"));
        }
        if let Some(c) = self.max_cvar95
            && !(c.is_finite() && c >= 0.0)
        {
            return Err(format!("the cap on CVaR95 of harm must be a finite number >= 0 ($B), got {c}"));
        }
        Ok(())
    }

    /// "P(catastrophe) <= 0.1 and CVaR95 <= 20000 $B", or "no cap".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.max_p_catastrophe {
            parts.push(format!("P(catastrophe) <= {p}"));
        }
        if let Some(c) = self.max_cvar95 {
            parts.push(format!("CVaR95 of harm <= {c} $B"));
        }
        if parts.is_empty() { "no cap".into() } else { parts.join(" and ") }
    }
}

/// Bootstrap settings: replicates resample the runs with replacement.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BootstrapOptions {
    pub replicates: usize,
    pub seed: u64,
}

/// How the choice varies when the runs are resampled.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BootstrapChoice {
    pub replicates: usize,
    pub seed: u64,
    /// Percentiles of the chosen value over the replicates in which some point met the cap.
    pub value_p5: Option<f64>,
    pub value_p50: Option<f64>,
    pub value_p95: Option<f64>,
    /// Share of replicates choosing the same point as the full sample.
    pub share_same: f64,
    /// Share of replicates in which no point met the cap.
    pub share_none: f64,
    /// How often each grid point was chosen.
    pub counts: Vec<u32>,
}

/// The grid point with the highest expected net among those meeting the cap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BestPoint {
    pub index: usize,
    pub value: f64,
    pub net_mean: f64,
    pub net_se: f64,
    pub p_catastrophe: f64,
    pub cvar95_harm: f64,
    pub bootstrap: BootstrapChoice,
}

/// Result of the best-threshold search.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BestThreshold {
    pub constraint: Constraint,
    /// Grid points meeting the cap in the full sample.
    pub feasible_points: usize,
    /// `None` when no grid point meets the cap.
    pub best: Option<BestPoint>,
    /// One or two plain sentences saying what was found.
    pub statement: String,
}

/// Per point: mean net, P(catastrophe), CVaR95 (when capped) over the runs `idx` (all when
/// `None`).
fn choose(per_run: &PerRun, constraint: &Constraint, idx: Option<&[u32]>, buf: &mut Vec<f64>) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for i in 0..per_run.n_points() {
        let (net, harm, cat) = (&per_run.net[i], &per_run.harm[i], &per_run.catastrophe[i]);
        let (mean, p_cat) = match idx {
            None => {
                let n = net.len() as f64;
                (net.iter().sum::<f64>() / n, cat.iter().filter(|&&c| c).count() as f64 / n)
            }
            Some(idx) => {
                let n = idx.len() as f64;
                let mut sum = 0.0;
                let mut k = 0usize;
                for &r in idx {
                    sum += net[r as usize];
                    k += usize::from(cat[r as usize]);
                }
                (sum / n, k as f64 / n)
            }
        };
        if constraint.max_p_catastrophe.is_some_and(|cap| p_cat > cap) {
            continue;
        }
        if let Some(cap) = constraint.max_cvar95 {
            buf.clear();
            match idx {
                None => buf.extend_from_slice(harm),
                Some(idx) => buf.extend(idx.iter().map(|&r| harm[r as usize])),
            }
            if cvar95_unsorted(buf) > cap {
                continue;
            }
        }
        if best.is_none_or(|(_, m)| mean > m) {
            best = Some((i, mean));
        }
    }
    best.map(|(i, _)| i)
}

/// The best grid point under `constraint`, from per-run outcomes, with its bootstrap
/// uncertainty; `label` names the swept parameter in the statement.
pub fn best_threshold_from_runs(
    values: &[f64],
    per_run: &PerRun,
    constraint: &Constraint,
    boot: &BootstrapOptions,
    label: &str,
) -> BestThreshold {
    let m = per_run.n_points().min(values.len());
    let n = per_run.n_runs();
    let mut buf = Vec::with_capacity(n);
    // Full-sample statistics of every point.
    let stats: Vec<(f64, f64, f64, f64)> = (0..m)
        .map(|i| {
            let (mean, se) = mean_se(&per_run.net[i]);
            let p = per_run.catastrophe[i].iter().filter(|&&c| c).count() as f64 / n.max(1) as f64;
            buf.clear();
            buf.extend_from_slice(&per_run.harm[i]);
            (mean, se, p, cvar95_unsorted(&mut buf))
        })
        .collect();
    let meets = |&(_, _, p, c): &(f64, f64, f64, f64)| {
        constraint.max_p_catastrophe.is_none_or(|cap| p <= cap) && constraint.max_cvar95.is_none_or(|cap| c <= cap)
    };
    let feasible_points = stats.iter().filter(|s| meets(s)).count();
    let chosen = if n == 0 { None } else { choose(per_run, constraint, None, &mut buf) };
    let Some(index) = chosen else {
        let mut statement = format!("No grid point meets the cap ({}).", constraint.describe());
        let lowest = |f: fn(&(f64, f64, f64, f64)) -> f64| {
            stats.iter().enumerate().min_by(|a, b| f(a.1).total_cmp(&f(b.1))).map(|(i, s)| (values[i], f(s)))
        };
        if constraint.max_p_catastrophe.is_some()
            && let Some((v, p)) = lowest(|s| s.2)
        {
            statement.push_str(&format!(" The lowest P(catastrophe) on the grid is {p:.4}, at {label} = {v}."));
        }
        if constraint.max_cvar95.is_some()
            && let Some((v, c)) = lowest(|s| s.3)
        {
            statement.push_str(&format!(" The lowest CVaR95 of harm on the grid is {c:.0} $B, at {label} = {v}."));
        }
        return BestThreshold { constraint: *constraint, feasible_points, best: None, statement };
    };

    let choices: Vec<Option<usize>> = (0..boot.replicates)
        .into_par_iter()
        .map_init(
            || (Vec::with_capacity(n), Vec::with_capacity(n)),
            |(idx, buf): &mut (Vec<u32>, Vec<f64>), r| {
                let mut rng = stream(boot.seed, Stream::Scenario, BOOTSTRAP_STREAM, r as u64);
                idx.clear();
                idx.extend((0..n).map(|_| rng.random_range(0..n as u32)));
                choose(per_run, constraint, Some(idx), buf)
            },
        )
        .collect();
    let mut counts = vec![0u32; m];
    for c in choices.iter().flatten() {
        counts[*c] += 1;
    }
    let chosen_values = sorted(&choices.iter().flatten().map(|&i| values[i]).collect::<Vec<f64>>());
    let q = |p: f64| (!chosen_values.is_empty()).then(|| quantile_sorted(&chosen_values, p));
    let reps = boot.replicates.max(1) as f64;
    let bootstrap = BootstrapChoice {
        replicates: boot.replicates,
        seed: boot.seed,
        value_p5: q(0.05),
        value_p50: q(0.5),
        value_p95: q(0.95),
        share_same: f64::from(counts[index]) / reps,
        share_none: choices.iter().filter(|c| c.is_none()).count() as f64 / reps,
        counts,
    };
    let (net_mean, net_se, p_catastrophe, cvar95_harm) = stats[index];
    let cap = if constraint.max_p_catastrophe.is_none() && constraint.max_cvar95.is_none() {
        String::new()
    } else {
        format!(" among the {feasible_points} of {m} grid points with {}", constraint.describe())
    };
    // Amounts overflow only with absurd but allowed inputs (a value per decade near f64::MAX).
    let amount = |x: f64| if x.is_finite() { format!("{x:.0}") } else { "n/a".to_string() };
    let mut statement = format!(
        "Best {label} = {}{cap}: expected net {} ± {} $B, P(catastrophe) {p_catastrophe:.3}, CVaR95 of harm {} $B.",
        values[index],
        amount(net_mean),
        amount(net_se),
        amount(cvar95_harm)
    );
    if boot.replicates > 0 {
        statement.push_str(&format!(
            " Resampling the runs ({} bootstrap replicates), the same point is chosen {:.0}% of the time",
            boot.replicates,
            100.0 * bootstrap.share_same
        ));
        if let (Some(lo), Some(hi)) = (bootstrap.value_p5, bootstrap.value_p95) {
            statement.push_str(&format!(" and 90% of choices lie in [{lo}, {hi}]"));
        }
        if bootstrap.share_none > 0.0 {
            statement.push_str(&format!("; {:.0}% of replicates meet no cap", 100.0 * bootstrap.share_none));
        }
        statement.push('.');
    }
    BestThreshold {
        constraint: *constraint,
        feasible_points,
        best: Some(BestPoint { index, value: values[index], net_mean, net_se, p_catastrophe, cvar95_harm, bootstrap }),
        statement,
    }
}

/// Where the best threshold's cap comes from when the user sets none: the reference policy's
/// point (its P(catastrophe) or CVaR95), a level that stays put while the threshold being
/// chosen moves; `None` when the swept policy is the reference policy, whose own tail moves
/// with the threshold (then there is no cap). The report and the app's Thresholds tab both
/// take their default from here, so they choose the same best threshold.
pub fn reference_cap(sweep: &Sweep) -> Option<&SweepPoint> {
    (sweep.policy != sweep.reference).then_some(&sweep.reference_point)
}

/// The best threshold of a sweep under `constraint` (cheap: reads the kept per-run outcomes,
/// so an app may call it again whenever the cap changes).
pub fn best_threshold(sweep: &Sweep, constraint: &Constraint, boot: &BootstrapOptions) -> BestThreshold {
    best_threshold_from_runs(&sweep.values(), &sweep.per_run, constraint, boot, sweep.param.key())
}
