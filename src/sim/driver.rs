//! The Monte Carlo driver: runs in fixed batches on rayon, each run on its own random
//! streams, results written in run order, so output is identical at any thread count.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use crate::model::correlation::{iman_conover, involved};
use crate::model::scenario::Scenario;

use super::engine::{Engine, JurisdictionOutcome, Outcome};
use super::lanes::LANES;
pub use super::results::BATCH_RUNS;
use super::results::Results;
use super::rng::{Stream, stream};

/// Progress and cooperative cancellation, shared with whoever started the simulation.
#[derive(Debug, Default)]
pub struct Control {
    cancel: AtomicBool,
    runs_done: AtomicU64,
}

impl Control {
    pub fn new() -> Control {
        Control::default()
    }
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    pub fn runs_done(&self) -> u64 {
        self.runs_done.load(Ordering::Relaxed)
    }
    /// Counts runs that were read back rather than simulated (a merge), so that progress
    /// moves as it does on one machine.
    pub fn add_runs_done(&self, runs: u64) {
        self.runs_done.fetch_add(runs, Ordering::Relaxed);
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SimError {
    #[error("the simulation was cancelled")]
    Cancelled,
    #[error("could not start {threads} worker threads: {reason}")]
    Threads { threads: usize, reason: String },
    /// Partial results that do not fit together (sharded runs being merged).
    #[error("{0}")]
    Mismatch(String),
}

/// What to keep beyond the per-run outcomes.
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// Per-run, per-policy, per-jurisdiction benefit, harm and final share.
    pub jurisdictions: bool,
    /// Per-step series for the first `series_runs` runs of the range (0: none).
    pub series_runs: u64,
    /// The uncertain parameters drawn in each run.
    pub params: bool,
}

/// Options of one simulation.
#[derive(Clone, Debug, Default)]
pub struct SimOptions {
    /// Worker threads; `None` uses rayon's global pool.
    pub threads: Option<usize>,
    pub record: Record,
    /// World parameters forced to a value in every run, applied after the draw so that
    /// every other parameter keeps its draw (one-at-a-time sensitivity, 2-D sweeps).
    pub param_overrides: Vec<(usize, f64)>,
    /// Parameter values given run by run instead of drawn (an experimental design read from
    /// a file), applied after the correlated draws and before `param_overrides`.
    pub design: Option<std::sync::Arc<ParamTable>>,
}

/// Runs per Iman-Conover block. Correlation is induced within fixed blocks of run numbers
/// (`b * IC_BLOCK_RUNS ..`), each block a full sample whether or not every run in it is
/// simulated, so run `n`'s correlated draws depend only on the seed and `n`: not on the run
/// count, the range simulated or the shard it falls in. 4,096 runs put the induced rank
/// correlation within about 0.02 of its target in every block.
pub const IC_BLOCK_RUNS: u64 = 4096;
const _: () = assert!(IC_BLOCK_RUNS.is_multiple_of(LANES as u64));

/// World parameter values given run by run: the correlated draws of a range of runs, or an
/// experimental design (every run's values of some parameters, from a file).
#[derive(Clone, Debug, PartialEq)]
pub struct ParamTable {
    pub ids: Vec<usize>,
    /// The run `columns[i][0]` belongs to.
    pub first_run: u64,
    /// `columns[i][run - first_run]` for parameter `ids[i]`.
    pub columns: Vec<Vec<f64>>,
}

impl ParamTable {
    /// A table of `columns[i]` for parameter `ids[i]`, from run `first_run` on.
    ///
    /// # Errors
    /// Columns of different lengths, or another number of columns than parameters.
    pub fn new(ids: Vec<usize>, first_run: u64, columns: Vec<Vec<f64>>) -> Result<ParamTable, String> {
        if ids.len() != columns.len() {
            return Err(format!("{} parameters but {} columns", ids.len(), columns.len()));
        }
        if columns.windows(2).any(|w| w[0].len() != w[1].len()) {
            return Err("columns of different lengths".into());
        }
        Ok(ParamTable { ids, first_run, columns })
    }

    /// The correlated draws of the Iman-Conover blocks that hold `runs` (Iman-Conover needs a
    /// whole sample: each block of [`IC_BLOCK_RUNS`] runs is one, fixed by run number); `None`
    /// when the scenario asks for no correlation.
    pub fn correlated(scenario: &Scenario, engine: &Engine, runs: Range<u64>) -> Option<ParamTable> {
        if scenario.correlations().is_empty() {
            return None;
        }
        let ids = involved(scenario.correlations());
        let first_block = runs.start / IC_BLOCK_RUNS;
        let end_block = runs.end.div_ceil(IC_BLOCK_RUNS).max(first_block);
        let block = IC_BLOCK_RUNS as usize;
        let n = (end_block - first_block) as usize * block;
        let mut columns = vec![vec![0.0; n]; ids.len()];
        // Blocks are independent samples: induce them in parallel, each into its own slice.
        let mut slices: Vec<Vec<&mut [f64]>> = (0..(end_block - first_block) as usize).map(|_| Vec::new()).collect();
        for col in &mut columns {
            for (b, chunk) in col.chunks_mut(block).enumerate() {
                slices[b].push(chunk);
            }
        }
        slices.into_par_iter().enumerate().for_each(|(b, mut cols)| {
            let block_no = first_block + b as u64;
            let first = block_no * IC_BLOCK_RUNS;
            let mut params: [Vec<f64>; LANES] = std::array::from_fn(|_| vec![0.0; engine.n_params]);
            let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(block); cols.len()];
            // IC_BLOCK_RUNS is a multiple of LANES: whole registers of runs.
            for g in (0..IC_BLOCK_RUNS).step_by(LANES) {
                let runs: [u64; LANES] = std::array::from_fn(|l| first + g + l as u64);
                engine.draw_params_lanes(&runs, &mut params);
                for p in &params {
                    for (d, &id) in draws.iter_mut().zip(&ids) {
                        d.push(p[id]);
                    }
                }
            }
            let mut rng = stream(scenario.run().seed, Stream::Scenario, block_no, 1);
            iman_conover(&mut draws, scenario.correlations(), &mut rng);
            for (dst, src) in cols.iter_mut().zip(&draws) {
                dst.copy_from_slice(src);
            }
        });
        Some(ParamTable { ids, first_run: first_block * IC_BLOCK_RUNS, columns })
    }

    /// Run `run`'s value of parameter `ids[i]`, if the table holds the run.
    #[inline]
    pub fn get(&self, i: usize, run: u64) -> Option<f64> {
        let off = run.checked_sub(self.first_run)?;
        self.columns[i].get(off as usize).copied()
    }
}

struct Batch<'a> {
    first_run: u64,
    n: usize,
    outcomes: &'a mut [Outcome],
    jurisdictions: &'a mut [JurisdictionOutcome],
    series: &'a mut [f32],
    params: &'a mut [f64],
}

/// Simulates runs `range` of a prepared engine. Run `n` gives the same result whatever the
/// range, batch or thread it falls in.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_range(
    engine: &Engine,
    correlated: Option<&ParamTable>,
    range: Range<u64>,
    opts: &SimOptions,
    control: &Control,
) -> Result<Results, SimError> {
    let n_runs = (range.end - range.start) as usize;
    let np = engine.n_policies;
    let nj = engine.n_jurisdictions;
    let m = engine.series_metrics();
    let series_stride = np * engine.steps * m;
    let series_runs = (opts.record.series_runs as usize).min(n_runs);
    let param_ids = engine.uncertain.clone();
    let k = param_ids.len();
    let mut results = Results {
        runs: range.clone(),
        n_policies: np,
        n_jurisdictions: nj,
        steps: engine.steps,
        dt: engine.dt,
        outcomes: vec![Outcome::default(); n_runs * np],
        jurisdictions: if opts.record.jurisdictions {
            vec![JurisdictionOutcome::default(); n_runs * np * nj]
        } else {
            Vec::new()
        },
        series_runs,
        series_metrics: m,
        series: vec![0.0; series_runs * series_stride],
        param_ids,
        params: if opts.record.params { vec![0.0; n_runs * k] } else { Vec::new() },
    };

    // Cut the output buffers into per-batch pieces, in run order.
    let mut batches = Vec::with_capacity(n_runs.div_ceil(BATCH_RUNS));
    {
        let mut outcomes = results.outcomes.as_mut_slice();
        let mut jur = results.jurisdictions.as_mut_slice();
        let mut series = results.series.as_mut_slice();
        let mut params = results.params.as_mut_slice();
        let mut start = 0usize;
        while start < n_runs {
            let n = BATCH_RUNS.min(n_runs - start);
            let (o, rest) = outcomes.split_at_mut(n * np);
            outcomes = rest;
            let jl = if jur.is_empty() { 0 } else { n * np * nj };
            let (j, rest) = jur.split_at_mut(jl);
            jur = rest;
            let sr = series_runs.saturating_sub(start).min(n);
            let (s, rest) = series.split_at_mut(sr * series_stride);
            series = rest;
            let pl = if params.is_empty() { 0 } else { n * k };
            let (p, rest) = params.split_at_mut(pl);
            params = rest;
            batches.push(Batch {
                first_run: range.start + start as u64,
                n,
                outcomes: o,
                jurisdictions: j,
                series: s,
                params: p,
            });
            start += n;
        }
    }

    let record_series = series_runs > 0;
    let work = |batches: Vec<Batch<'_>>| -> Result<(), SimError> {
        batches.into_par_iter().try_for_each_init(
            || engine.lane_scratch(record_series),
            |sc, b| {
                if control.is_cancelled() {
                    return Err(SimError::Cancelled);
                }
                for g in (0..b.n).step_by(LANES) {
                    // A short last group repeats its last run in the spare lanes.
                    let idx: [usize; LANES] = std::array::from_fn(|l| (g + l).min(b.n - 1));
                    let runs = idx.map(|i| b.first_run + i as u64);
                    engine.draw_params_lanes(&runs, &mut sc.params);
                    for (l, &run) in runs.iter().enumerate() {
                        let params = &mut sc.params[l];
                        for table in correlated.into_iter().chain(opts.design.as_deref()) {
                            for (i, &id) in table.ids.iter().enumerate() {
                                if let Some(x) = table.get(i, run) {
                                    params[id] = x;
                                }
                            }
                        }
                        for &(id, x) in &opts.param_overrides {
                            params[id] = x;
                        }
                    }
                    let with_series = record_series && (g + 1) * series_stride <= b.series.len();
                    engine.run_lanes(runs, sc, with_series);
                    for l in 0..LANES.min(b.n - g) {
                        let i = g + l;
                        b.outcomes[i * np..(i + 1) * np].copy_from_slice(&sc.outcomes[l]);
                        if !b.jurisdictions.is_empty() {
                            b.jurisdictions[i * np * nj..(i + 1) * np * nj].copy_from_slice(&sc.jurisdictions[l]);
                        }
                        if !b.params.is_empty() {
                            for (dst, &id) in b.params[i * k..(i + 1) * k].iter_mut().zip(&engine.uncertain) {
                                *dst = sc.params[l][id];
                            }
                        }
                        if with_series && (i + 1) * series_stride <= b.series.len() {
                            let bn = b.series.len() / series_stride;
                            for (c, &x) in sc.series[l].iter().enumerate() {
                                b.series[c * bn + i] = x;
                            }
                        }
                    }
                }
                control.runs_done.fetch_add(b.n as u64, Ordering::Relaxed);
                Ok(())
            },
        )
    };

    match opts.threads {
        Some(t) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .thread_name(|i| format!("tierlab-sim-{i}"))
                .build()
                .map_err(|e| SimError::Threads { threads: t, reason: e.to_string() })?;
            pool.install(|| work(batches))?;
        }
        None => work(batches)?,
    }
    Ok(results)
}
