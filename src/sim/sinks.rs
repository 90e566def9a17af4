//! The sinks every front end's main simulation shares besides the outcomes it keeps
//! (`pipeline::Collect`): every run's per-step series and per-jurisdiction outcomes in stores
//! (for percentiles and means over every run), and the count of clamped parameter draws.
//! File writers are sinks too (`export`).

use std::collections::BTreeMap;

use super::pipeline::{Sink, SinkError};
use super::results::Results;
use super::store::{Keep, Store};
use crate::model::params::{PARAMS, draw_cap};

/// Every run's per-step series: cell `(policy * steps + step) * metrics + metric`, one value
/// per run, in a [`Store`]. The chunks it takes must record the series of every run.
#[derive(Debug)]
pub struct SeriesStore {
    pub n_policies: usize,
    pub steps: usize,
    pub metrics: usize,
    pub dt: f64,
    store: Store<f32>,
}

impl SeriesStore {
    pub fn new(n_policies: usize, steps: usize, metrics: usize, dt: f64, keep: Keep) -> SeriesStore {
        let tag = [n_policies as u64, steps as u64, metrics as u64, dt.to_bits()];
        SeriesStore { n_policies, steps, metrics, dt, store: Store::new(n_policies * steps * metrics, tag, keep) }
    }

    /// The series of stores written by shards (`Keep::File`), read as one.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open(paths: &[std::path::PathBuf]) -> Result<SeriesStore, super::store::StoreError> {
        let store = Store::open(paths)?;
        let [p, t, m, dt] = store.tag();
        Ok(SeriesStore {
            n_policies: p as usize,
            steps: t as usize,
            metrics: m as usize,
            dt: f64::from_bits(dt),
            store,
        })
    }

    pub fn store(&self) -> &Store<f32> {
        &self.store
    }

    pub fn runs(&self) -> usize {
        self.store.runs()
    }

    /// # Errors
    /// The store's file cannot be flushed.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.store.flush()
    }

    /// One cell over every run, in run order.
    ///
    /// # Errors
    /// The store's file cannot be read.
    pub fn cell(&self, policy: usize, step: usize, metric: usize, out: &mut Vec<f32>) -> std::io::Result<()> {
        self.store.cell((policy * self.steps + step) * self.metrics + metric, out)
    }
}

impl Sink for SeriesStore {
    fn accept(&mut self, chunk: &Results) -> Result<(), SinkError> {
        let n = chunk.n_runs();
        if chunk.series_runs != n {
            return Err(SinkError::new(
                "the per-step series",
                std::io::Error::other(format!("a chunk of {n} runs has series for {}", chunk.series_runs)),
            ));
        }
        let mut values = Vec::with_capacity(self.store.cells() * n);
        let mut cell = Vec::with_capacity(n);
        for p in 0..chunk.n_policies {
            for t in 0..chunk.steps {
                for m in 0..chunk.series_metrics {
                    chunk.series_cell(p, t, m, &mut cell);
                    values.extend_from_slice(&cell);
                }
            }
        }
        self.store.push_block(n, values).map_err(|e| SinkError::new("the per-step series", e))
    }
}

/// Per-jurisdiction outcomes of every run: cell `((policy * J + j) * 3 + k)` for benefit
/// (k = 0), harm (1) and final share (2). Means over every run read a cell whole, in run
/// order, so they are the same bytes at any run count and however the runs were cut.
#[derive(Debug)]
pub struct JurisdictionStore {
    pub n_policies: usize,
    pub n_jurisdictions: usize,
    store: Store<f64>,
}

/// The quantities of a [`JurisdictionStore`] cell, in cell order.
pub const JURISDICTION_QUANTITIES: [&str; 3] = ["benefit", "harm", "share_end"];

impl JurisdictionStore {
    pub fn new(n_policies: usize, n_jurisdictions: usize, keep: Keep) -> JurisdictionStore {
        let tag = [n_policies as u64, n_jurisdictions as u64, 3, 0];
        JurisdictionStore {
            n_policies,
            n_jurisdictions,
            store: Store::new(n_policies * n_jurisdictions * 3, tag, keep),
        }
    }

    pub fn runs(&self) -> usize {
        self.store.runs()
    }

    /// # Errors
    /// The store's file cannot be flushed.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.store.flush()
    }

    /// Quantity `k` of [`JURISDICTION_QUANTITIES`] of jurisdiction `j` under `policy`, over
    /// every run, in run order.
    ///
    /// # Errors
    /// The store's file cannot be read.
    pub fn cell(&self, policy: usize, j: usize, k: usize, out: &mut Vec<f64>) -> std::io::Result<()> {
        self.store.cell((policy * self.n_jurisdictions + j) * 3 + k, out)
    }
}

impl Sink for JurisdictionStore {
    fn accept(&mut self, chunk: &Results) -> Result<(), SinkError> {
        let n = chunk.n_runs();
        let (np, nj) = (chunk.n_policies, chunk.n_jurisdictions);
        if chunk.jurisdictions.len() != n * np * nj {
            return Err(SinkError::new(
                "the per-jurisdiction outcomes",
                std::io::Error::other("a chunk without per-jurisdiction outcomes"),
            ));
        }
        let mut values = Vec::with_capacity(n * np * nj * 3);
        for p in 0..np {
            for j in 0..nj {
                for k in 0..3 {
                    values.extend((0..n).map(|r| {
                        let x = &chunk.jurisdictions[(r * np + p) * nj + j];
                        [x.benefit, x.harm, x.share_end][k]
                    }));
                }
            }
        }
        self.store.push_block(n, values).map_err(|e| SinkError::new("the per-jurisdiction outcomes", e))
    }
}

/// Counts the runs whose draw of a capped parameter (`params::DRAW_CAPS`) sits at its cap,
/// by `world.KEY`. A continuous draw lands exactly on the cap with probability zero, so these
/// are the clamped draws. The chunks must record their parameter draws.
#[derive(Debug, Default)]
pub struct Clamps {
    counts: BTreeMap<String, u64>,
}

impl Clamps {
    /// Parameters with at least one clamp.
    pub fn counts(&self) -> &BTreeMap<String, u64> {
        &self.counts
    }

    pub fn into_counts(self) -> BTreeMap<String, u64> {
        self.counts
    }

    /// The clamps of results that recorded their draws (none when they did not).
    pub fn of(results: &Results) -> BTreeMap<String, u64> {
        let mut c = Clamps::default();
        c.count(results);
        c.counts
    }

    fn count(&mut self, results: &Results) {
        let k = results.param_ids.len();
        if k == 0 || results.params.is_empty() {
            return;
        }
        for (i, &id) in results.param_ids.iter().enumerate() {
            // Only world parameters have caps (jurisdictions' attributes come after them).
            let Some(key) = PARAMS.get(id).map(|p| p.key) else { continue };
            let Some(cap) = draw_cap(key) else { continue };
            let n = results.params.iter().skip(i).step_by(k).filter(|&&x| x >= cap).count() as u64;
            if n > 0 {
                *self.counts.entry(format!("world.{key}")).or_insert(0) += n;
            }
        }
    }
}

impl Sink for Clamps {
    fn accept(&mut self, chunk: &Results) -> Result<(), SinkError> {
        self.count(chunk);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Scenario;
    use crate::sim::pipeline::{Collect, Pipeline, Simulate, simulate};
    use crate::sim::{Control, Engine, Record, SimOptions};

    /// (Here rather than in pipeline.rs, whose tests would otherwise import this file while
    /// it imports pipeline.rs: a circle the tidy test refuses.)
    fn small() -> Scenario {
        Scenario::built_in()
            .edited(|d| {
                d.run.runs = 700;
                d.run.years = 2;
            })
            .unwrap()
    }

    fn everything() -> Record {
        Record { jurisdictions: true, series_runs: u64::MAX, params: true }
    }

    /// The sinks' contents after a pipeline of `chunk` runs per step.
    fn through(s: &Scenario, chunk: u64) -> (Results, Vec<Vec<f32>>, Vec<Vec<f64>>) {
        let engine = Arc::new(Engine::new(s));
        let opts = SimOptions { record: everything(), ..SimOptions::default() };
        let source = Simulate::new(Arc::new(s.clone()), Arc::clone(&engine), 0..s.run().runs, opts);
        let mut collect = Collect::new(Record { jurisdictions: true, params: true, series_runs: 0 });
        let mut series =
            SeriesStore::new(engine.n_policies, engine.steps, engine.series_metrics(), engine.dt, Keep::Memory);
        let mut jur = JurisdictionStore::new(engine.n_policies, engine.n_jurisdictions, Keep::Memory);
        let mut clamps = Clamps::default();
        let mut p = Pipeline::new(source, chunk);
        let mut steps = 0;
        while !p.step(&mut [&mut collect, &mut series, &mut jur, &mut clamps], &Control::new()).unwrap() {
            steps += 1;
        }
        assert_eq!(p.runs_done(), s.run().runs);
        assert!(steps as u64 + 1 >= s.run().runs.div_ceil(chunk), "one chunk per step");
        let mut cell = Vec::new();
        let cells: Vec<Vec<f32>> = (0..4)
            .map(|m| {
                series.cell(1, 3, m, &mut cell).unwrap();
                cell.clone()
            })
            .collect();
        let mut jcell = Vec::new();
        let jcells: Vec<Vec<f64>> = (0..3)
            .map(|k| {
                jur.cell(2, 1, k, &mut jcell).unwrap();
                jcell.clone()
            })
            .collect();
        (collect.into_results(), cells, jcells)
    }

    #[test]
    fn what_the_sinks_hold_does_not_depend_on_the_chunks() {
        let s = small();
        let (whole, cells, jcells) = through(&s, u64::MAX);
        for chunk in [1, 7, 128, 300] {
            let (r, c, j) = through(&s, chunk);
            // Bit for bit (a never-crossed hazard year is NaN, which `==` would refuse).
            let bits = |r: &Results| -> Vec<[u64; 6]> {
                r.outcomes
                    .iter()
                    .map(|o| {
                        let counts = u64::from(o.events) << 32 | u64::from(o.catastrophes);
                        [
                            o.benefit.to_bits(),
                            o.harm.to_bits(),
                            o.max_event.to_bits(),
                            o.hazard_year.to_bits(),
                            o.spending.to_bits(),
                            counts,
                        ]
                    })
                    .collect()
            };
            assert_eq!(bits(&r), bits(&whole), "chunks of {chunk}");
            assert_eq!(r.jurisdictions, whole.jurisdictions, "chunks of {chunk}");
            assert_eq!(r.params, whole.params, "chunks of {chunk}");
            assert_eq!(c, cells, "series, chunks of {chunk}");
            assert_eq!(j, jcells, "jurisdictions, chunks of {chunk}");
        }
        // And the series are every run's: the cell read from the store is the one a single
        // simulation records.
        let one = simulate(&s, &SimOptions { record: everything(), ..SimOptions::default() }, &Control::new()).unwrap();
        let mut cell = Vec::new();
        one.series_cell(1, 3, 2, &mut cell);
        assert_eq!(cell.len(), 700);
        assert_eq!(cell, cells[2]);
    }
}
