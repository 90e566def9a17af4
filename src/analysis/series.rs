//! Per-step percentile series (fan charts, series.csv).

use rayon::prelude::*;
use serde::Serialize;

use crate::sim::sinks::SeriesStore;
use crate::sim::{Results, SERIES_FIXED};

/// Percentiles and mean of one metric at one step for one policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Band {
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub mean: f64,
}

/// `bands[(policy * M + metric) * T + step]`, with metric names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesSummary {
    pub n_policies: usize,
    pub steps: usize,
    pub dt: f64,
    pub metrics: Vec<String>,
    pub runs: usize,
    pub bands: Vec<Band>,
}

impl SeriesSummary {
    pub fn band(&self, policy: usize, metric: usize, step: usize) -> &Band {
        &self.bands[(policy * self.metrics.len() + metric) * self.steps + step]
    }
    /// Year stamped on a step: the end of the step.
    pub fn year(&self, step: usize) -> f64 {
        (step + 1) as f64 * self.dt
    }
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m == name)
    }
}

/// Series metric names: the fixed ones, then `share:<jurisdiction>`.
pub fn metric_names(jurisdictions: &[String]) -> Vec<String> {
    SERIES_FIXED.iter().map(|s| s.to_string()).chain(jurisdictions.iter().map(|j| format!("share:{j}"))).collect()
}

/// Quantile (type 7) of data partially ordered in place by successive selection.
fn band_of(v: &mut [f32]) -> Band {
    let n = v.len();
    if n == 0 {
        return Band { p5: f64::NAN, p25: f64::NAN, p50: f64::NAN, p75: f64::NAN, p95: f64::NAN, mean: f64::NAN };
    }
    let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n as f64;
    let q = |v: &mut [f32], p: f64| -> f64 {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        let (_, x_lo, rest) = v.select_nth_unstable_by(lo, f32::total_cmp);
        let x_lo = f64::from(*x_lo);
        if lo + 1 < n {
            let x_hi = f64::from(rest.iter().copied().fold(f32::INFINITY, f32::min));
            x_lo + (h - lo as f64) * (x_hi - x_lo)
        } else {
            x_lo
        }
    };
    Band { p5: q(v, 0.05), p25: q(v, 0.25), p50: q(v, 0.5), p75: q(v, 0.75), p95: q(v, 0.95), mean }
}

/// Where per-run series values come from: a simulation's [`Results`], or a [`SeriesStore`],
/// which holds every run of a large or sharded simulation in memory or in a file.
pub trait SeriesCells: Sync {
    fn n_policies(&self) -> usize;
    fn steps(&self) -> usize;
    /// Metrics per step (4 + jurisdictions).
    fn metrics(&self) -> usize;
    fn dt(&self) -> f64;
    /// Runs with series.
    fn runs(&self) -> usize;
    /// The values of one cell over every run with series, in run order.
    ///
    /// # Errors
    /// The values cannot be read.
    fn cell(&self, policy: usize, step: usize, metric: usize, out: &mut Vec<f32>) -> std::io::Result<()>;
}

impl SeriesCells for Results {
    fn n_policies(&self) -> usize {
        self.n_policies
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn metrics(&self) -> usize {
        self.series_metrics
    }
    fn dt(&self) -> f64 {
        self.dt
    }
    fn runs(&self) -> usize {
        self.series_runs
    }
    fn cell(&self, policy: usize, step: usize, metric: usize, out: &mut Vec<f32>) -> std::io::Result<()> {
        self.series_cell(policy, step, metric, out);
        Ok(())
    }
}

impl SeriesCells for SeriesStore {
    fn n_policies(&self) -> usize {
        self.n_policies
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn metrics(&self) -> usize {
        self.metrics
    }
    fn dt(&self) -> f64 {
        self.dt
    }
    fn runs(&self) -> usize {
        SeriesStore::runs(self)
    }
    fn cell(&self, policy: usize, step: usize, metric: usize, out: &mut Vec<f32>) -> std::io::Result<()> {
        SeriesStore::cell(self, policy, step, metric, out)
    }
}

/// Bands of every recorded series cell.
pub fn summarise_series(results: &Results, jurisdictions: &[String]) -> SeriesSummary {
    // Results hold their series in memory: reading a cell cannot fail.
    summarise_series_from(results, jurisdictions).unwrap_or_default()
}

/// Bands of every cell of `cells`: each percentile over every run with series, so the same
/// runs give the same bands however they were cut into chunks or shards.
///
/// # Errors
/// A cell cannot be read.
pub fn summarise_series_from(cells: &impl SeriesCells, jurisdictions: &[String]) -> std::io::Result<SeriesSummary> {
    let metrics = metric_names(jurisdictions);
    let m = cells.metrics();
    let t_steps = cells.steps();
    let np = cells.n_policies();
    let bands: Vec<Band> = (0..np * m * t_steps)
        .into_par_iter()
        .map_init(Vec::new, |buf, idx| {
            let step = idx % t_steps;
            let metric = (idx / t_steps) % m;
            let policy = idx / (t_steps * m);
            cells.cell(policy, step, metric, buf)?;
            Ok(band_of(buf))
        })
        .collect::<std::io::Result<Vec<Band>>>()?;
    Ok(SeriesSummary { n_policies: np, steps: t_steps, dt: cells.dt(), metrics, runs: cells.runs(), bands })
}
