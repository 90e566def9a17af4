//! Value of information: what knowing the world (or one of its uncertain parameters) before
//! choosing among the scenario's policies would be worth, in expected net welfare.
//!
//! - EVPI, the expected value of perfect information: E[max over policies of net] minus
//!   max over policies of E[net]. On paired worlds it is the mean regret of the policy with
//!   the best expected net, so its Monte Carlo error is that mean's standard error.
//! - EVPPI per parameter, the expected value of partial perfect information, by binning:
//!   the worlds are split into `bins` equal-count bins of the parameter's draws, the best
//!   policy is chosen within each bin, and EVPPI = mean over worlds of (net of their bin's
//!   best policy - net of the overall best policy). The standard error is that mean's.
//!   Choosing the best of noisy bin means inflates the estimate even for a parameter that
//!   carries no information; that inflation is measured by binning on random partitions of
//!   the worlds instead of the parameter (a parameter independent of everything) and
//!   subtracted. Bins also blur a decision boundary inside them, which biases the other way.

use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;

use super::stats::mean_se;
use super::worlds::Worlds;
use crate::fmt;
use crate::sim::rng::{Stream, stream};

/// Bins per parameter when there are enough worlds (at least `MIN_PER_BIN` each).
pub const DEFAULT_BINS: usize = 20;
/// Fewest worlds per bin: fewer bins are used for small runs.
pub const MIN_PER_BIN: usize = 50;
/// Random partitions the selection bias is estimated from.
pub const DEFAULT_PERMUTATIONS: usize = 40;
/// The stream of the random partitions (apart from every run's streams).
const PARTITION_STREAM: u64 = u64::MAX - 1;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct VoiOptions {
    pub bins: usize,
    pub permutations: usize,
    pub seed: u64,
}

impl VoiOptions {
    /// The defaults for `worlds` worlds and the scenario's seed.
    pub fn new(worlds: usize, seed: u64) -> VoiOptions {
        VoiOptions { bins: (worlds / MIN_PER_BIN).clamp(2, DEFAULT_BINS), permutations: DEFAULT_PERMUTATIONS, seed }
    }
}

/// The value of resolving one parameter ($B of expected net welfare).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamValue {
    /// `world.KEY`.
    pub param: String,
    /// Index into `params::PARAMS`.
    pub index: usize,
    /// `evppi_raw - bias`, kept within [0, EVPI].
    pub evppi: f64,
    /// Monte Carlo standard error of the binned estimate.
    pub evppi_se: f64,
    /// The binned estimate before the selection bias is taken off.
    pub evppi_raw: f64,
    /// `evppi / evpi` (0 when EVPI is 0).
    pub share_of_evpi: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ValueOfInformation {
    pub worlds: usize,
    pub options: VoiOptions,
    /// The policy with the best expected net: the choice without further information.
    pub best_expected: String,
    pub evpi: f64,
    pub evpi_se: f64,
    /// Mean binned EVPPI over random partitions: the estimate's upward selection bias.
    pub bias: f64,
    /// Its spread over the partitions (standard deviation).
    pub bias_sd: f64,
    /// Largest EVPPI first.
    pub params: Vec<ParamValue>,
    /// The top parameter's value in words.
    pub statement: String,
}

/// The binned EVPPI of a grouping of the worlds (`bin[w]` in `0..bins`) and its standard
/// error, for nets `[policy][world]`; `overall` is the policy with the best mean net.
pub fn evppi_binned(bin: &[u32], bins: usize, net: &[Vec<f64>], overall: usize) -> (f64, f64) {
    let np = net.len();
    let mut sums = vec![0.0; bins * np];
    for (w, &b) in bin.iter().enumerate() {
        for (p, column) in net.iter().enumerate() {
            sums[b as usize * np + p] += column[w];
        }
    }
    // Within a bin every world has the same weight, so the best sum is the best mean.
    let best_in: Vec<usize> = (0..bins)
        .map(|b| {
            let s = &sums[b * np..(b + 1) * np];
            (0..np).fold(0, |best, p| if s[p] > s[best] { p } else { best })
        })
        .collect();
    let gain: Vec<f64> = bin.iter().enumerate().map(|(w, &b)| net[best_in[b as usize]][w] - net[overall][w]).collect();
    mean_se(&gain)
}

/// Bins of equal count by rank of `x` (ties broken by world).
fn rank_bins(x: &[f64], bins: usize) -> Vec<u32> {
    let n = x.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| x[a as usize].total_cmp(&x[b as usize]).then(a.cmp(&b)));
    let mut bin = vec![0u32; n];
    for (rank, &w) in order.iter().enumerate() {
        bin[w as usize] = (rank * bins / n.max(1)) as u32;
    }
    bin
}

/// EVPI and the EVPPI of every uncertain parameter of `worlds`.
pub fn value_of_information(worlds: &Worlds, opts: &VoiOptions) -> ValueOfInformation {
    let n = worlds.n_worlds();
    let net = &worlds.net;
    let means: Vec<f64> = net.iter().map(|c| mean_se(c).0).collect();
    let overall = (0..means.len()).fold(0, |best, p| if means[p] > means[best] { p } else { best });
    let perfect: Vec<f64> = (0..n)
        .map(|w| net.iter().map(|c| c[w]).fold(f64::NEG_INFINITY, f64::max) - net.get(overall).map_or(0.0, |c| c[w]))
        .collect();
    let (evpi, evpi_se) = if n == 0 { (0.0, 0.0) } else { mean_se(&perfect) };
    let bins = opts.bins.max(1);
    let null: Vec<f64> = (0..opts.permutations)
        .into_par_iter()
        .map(|r| {
            let mut rng = stream(opts.seed, Stream::Scenario, PARTITION_STREAM, r as u64);
            let mut bin: Vec<u32> = (0..n).map(|i| (i * bins / n.max(1)) as u32).collect();
            bin.shuffle(&mut rng);
            evppi_binned(&bin, bins, net, overall).0
        })
        .collect();
    let (bias, bias_se) = if null.is_empty() { (0.0, 0.0) } else { mean_se(&null) };
    let bias_sd = bias_se * (null.len() as f64).sqrt();
    let mut params: Vec<ParamValue> = worlds
        .params
        .par_iter()
        .enumerate()
        .map(|(i, x)| {
            let (raw, se) = if n == 0 { (0.0, 0.0) } else { evppi_binned(&rank_bins(x, bins), bins, net, overall) };
            let evppi = (raw - bias).clamp(0.0, evpi.max(0.0));
            ParamValue {
                param: worlds.param_name(i),
                index: worlds.param_ids[i],
                evppi,
                evppi_se: se,
                evppi_raw: raw,
                share_of_evpi: if evpi > 0.0 { evppi / evpi } else { 0.0 },
            }
        })
        .collect();
    params.sort_by(|a, b| b.evppi.total_cmp(&a.evppi).then(a.index.cmp(&b.index)));
    let best_expected = worlds.policies.get(overall).cloned().unwrap_or_default();
    let statement = match params.first() {
        Some(top) if evpi > 0.0 => format!(
            "Resolving {} before choosing is worth {} ± {} $B of expected net welfare ({:.0}% of the {} ± {} $B that \
             knowing the world exactly would be worth); without it the best choice is \"{best_expected}\".",
            top.param.trim_start_matches("world."),
            fmt::billions(top.evppi),
            fmt::billions(top.evppi_se),
            100.0 * top.share_of_evpi,
            fmt::billions(evpi),
            fmt::billions(evpi_se)
        ),
        _ => format!("\"{best_expected}\" is best in every world: no information would change the choice."),
    };
    ValueOfInformation { worlds: n, options: *opts, best_expected, evpi, evpi_se, bias, bias_sd, params, statement }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_bins_have_equal_counts() {
        let x: Vec<f64> = (0..100).map(|i| f64::from((i * 37) % 100)).collect();
        let b = rank_bins(&x, 10);
        for k in 0..10 {
            assert_eq!(b.iter().filter(|&&v| v == k).count(), 10);
        }
        assert_eq!(b[0], 0);
        assert_eq!(b[x.iter().position(|&v| v == 99.0).unwrap()], 9);
    }
}
