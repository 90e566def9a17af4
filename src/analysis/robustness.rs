//! Robustness across options (the scenario's policies, or a threshold sweep's grid points)
//! when the probabilities of the worlds are not trusted: regret per world against the best
//! option in that world, on the common random numbers every option shares.
//!
//! An option's regret in a world is the best net any option achieves there minus its own
//! net: what choosing it costs once the world is known. Its maximum over the worlds is
//! Savage's minimax-regret criterion; the 95th percentile is the same idea without letting
//! one extreme world decide. The satisficing share is the share of worlds in which the
//! option's net reaches a floor the user sets.

use serde::Serialize;

use super::stats::{mean_se, quantile_select};

/// Regret quantile reported beside the maximum.
pub const REGRET_QUANTILE: f64 = 0.95;

/// One option's regret and net across the worlds ($B, discounted).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptionRegret {
    /// The option: a policy name or a grid value.
    pub name: String,
    pub net_mean: f64,
    pub net_se: f64,
    pub regret_mean: f64,
    pub regret_se: f64,
    pub regret_p95: f64,
    pub regret_max: f64,
    /// Share of worlds in which this option is the best (ties to the earlier option).
    pub best_share: f64,
    /// Share of worlds whose net is at least the floor (`None` without a floor).
    pub satisficing_share: Option<f64>,
}

/// Regret of every option, with the choices each criterion makes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Robustness {
    pub worlds: usize,
    /// The satisficing floor ($B), if one was set.
    pub floor: Option<f64>,
    pub options: Vec<OptionRegret>,
    /// The option with the least maximum regret (minimax regret).
    pub minimax_regret: usize,
    /// The option with the least 95th-percentile regret.
    pub min_p95_regret: usize,
    /// The option with the highest expected net.
    pub best_expected: usize,
    /// The option most often reaching the floor (`None` without a floor).
    pub most_satisficing: Option<usize>,
}

/// The first index with the smallest `key` (NaN never wins).
fn argmin(n: usize, key: impl Fn(usize) -> f64) -> usize {
    (0..n).fold(0, |best, i| if key(i) < key(best) || key(best).is_nan() { i } else { best })
}

/// Regret of each option over `net` (`[option][world]`, every option on the same worlds).
pub fn robustness(names: &[String], net: &[Vec<f64>], floor: Option<f64>) -> Robustness {
    let m = net.len().min(names.len());
    let n = net.first().map_or(0, Vec::len);
    let best: Vec<f64> = (0..n).map(|w| net[..m].iter().map(|o| o[w]).fold(f64::NEG_INFINITY, f64::max)).collect();
    let mut winner_counts = vec![0usize; m];
    for (w, &b) in best.iter().enumerate() {
        if let Some(i) = (0..m).find(|&i| net[i][w] == b) {
            winner_counts[i] += 1;
        }
    }
    let options: Vec<OptionRegret> = (0..m)
        .map(|i| {
            let (net_mean, net_se) = mean_se(&net[i]);
            let mut regret: Vec<f64> = best.iter().zip(&net[i]).map(|(b, x)| b - x).collect();
            let (regret_mean, regret_se) = mean_se(&regret);
            let regret_max = regret.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let regret_p95 = quantile_select(&mut regret, REGRET_QUANTILE);
            OptionRegret {
                name: names[i].clone(),
                net_mean,
                net_se,
                regret_mean,
                regret_se,
                regret_p95,
                regret_max,
                best_share: winner_counts[i] as f64 / n.max(1) as f64,
                satisficing_share: floor.map(|f| net[i].iter().filter(|&&x| x >= f).count() as f64 / n.max(1) as f64),
            }
        })
        .collect();
    Robustness {
        worlds: n,
        floor,
        minimax_regret: argmin(m, |i| options[i].regret_max),
        min_p95_regret: argmin(m, |i| options[i].regret_p95),
        best_expected: argmin(m, |i| -options[i].net_mean),
        most_satisficing: floor.map(|_| argmin(m, |i| -options[i].satisficing_share.unwrap_or(0.0))),
        options,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::mix64;

    fn u(i: u64) -> f64 {
        (mix64(i) >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn criteria_choose_as_defined() {
        // A: steady 10. B: 0 or 30 (mean 15, best expected). C: 9, never best, but never far off.
        let n = 1000;
        let a = vec![10.0; n];
        let b: Vec<f64> = (0..n).map(|w| if w % 2 == 0 { 0.0 } else { 30.0 }).collect();
        let c = vec![9.0; n];
        let names: Vec<String> = ["A", "B", "C"].map(String::from).into();
        let r = robustness(&names, &[a, b, c], Some(5.0));
        assert_eq!(r.best_expected, 1);
        // A's regret is 0 or 20, B's 10 or 0, C's 1 or 21.
        assert_eq!(r.options[0].regret_max, 20.0);
        assert_eq!(r.options[1].regret_max, 10.0);
        assert_eq!(r.minimax_regret, 1);
        assert_eq!(r.options[0].satisficing_share, Some(1.0));
        assert_eq!(r.options[1].satisficing_share, Some(0.5));
        assert_eq!(r.most_satisficing, Some(0));
        assert_eq!(r.options[2].best_share, 0.0);
        assert!((r.options.iter().map(|o| o.best_share).sum::<f64>() - 1.0).abs() < 1e-12);
        let mean = |o: &OptionRegret| o.regret_mean;
        assert!((mean(&r.options[0]) - 10.0).abs() < 1e-9 && (mean(&r.options[1]) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn shifting_every_option_in_a_world_changes_no_regret() {
        let n = 500u64;
        let net: Vec<Vec<f64>> = (0..4).map(|p| (0..n).map(|w| u(p * n + w) * 10.0).collect()).collect();
        let shifted: Vec<Vec<f64>> =
            net.iter().map(|o| o.iter().enumerate().map(|(w, x)| x + 1000.0 * u(77 + w as u64)).collect()).collect();
        let names: Vec<String> = (0..4).map(|i| i.to_string()).collect();
        let (a, b) = (robustness(&names, &net, None), robustness(&names, &shifted, None));
        for (x, y) in a.options.iter().zip(&b.options) {
            assert!((x.regret_max - y.regret_max).abs() < 1e-9 && (x.regret_mean - y.regret_mean).abs() < 1e-9);
        }
        assert_eq!(a.minimax_regret, b.minimax_regret);
    }
}
