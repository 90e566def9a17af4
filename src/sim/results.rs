//! What a simulation produces: per-run outcomes of every policy, and per jurisdiction,
//! step and parameter what was asked to be recorded, for a contiguous range of runs; and its
//! exact binary form, which a shard writes and a merge reads back bit for bit.

use std::io::{self, Read, Write};
use std::ops::Range;

use super::engine::{JurisdictionOutcome, Outcome};

/// Runs per batch: the unit of parallel work and of cancellation checks (a baseline batch
/// takes about a millisecond), and of the layout of [`Results::series`].
pub const BATCH_RUNS: usize = 128;

/// Per-run results of a simulation over a range of runs.
#[derive(Clone, Debug, Default)]
pub struct Results {
    pub runs: Range<u64>,
    pub n_policies: usize,
    pub n_jurisdictions: usize,
    pub steps: usize,
    pub dt: f64,
    /// `[(run - start) * P + policy]`.
    pub outcomes: Vec<Outcome>,
    /// `[((run - start) * P + policy) * J + j]`, empty unless recorded.
    pub jurisdictions: Vec<JurisdictionOutcome>,
    /// Runs with series (the first `series_runs` of the range).
    pub series_runs: usize,
    /// Series metrics per step (4 + J).
    pub series_metrics: usize,
    /// Blocked by batch so that one (policy, step, metric) cell is read in contiguous
    /// pieces: batch `b` (runs `b * BATCH_RUNS ..`, `bn` of them with series) holds
    /// `[((policy * T + t) * M + metric) * bn + i]`. Use [`Results::series_cell`].
    pub series: Vec<f32>,
    /// World parameter indices in `params`.
    pub param_ids: Vec<usize>,
    /// `[(run - start) * param_ids.len() + i]`, empty unless recorded.
    pub params: Vec<f64>,
}

impl Results {
    pub fn n_runs(&self) -> usize {
        (self.runs.end - self.runs.start) as usize
    }
    pub fn outcome(&self, run_offset: usize, policy: usize) -> &Outcome {
        &self.outcomes[run_offset * self.n_policies + policy]
    }
    /// The values of one series cell over the runs with series, in run order.
    pub fn series_cell(&self, policy: usize, step: usize, metric: usize, out: &mut Vec<f32>) {
        out.clear();
        let cells = self.n_policies * self.steps * self.series_metrics;
        let cell = (policy * self.steps + step) * self.series_metrics + metric;
        let mut start = 0;
        while start < self.series_runs {
            let bn = BATCH_RUNS.min(self.series_runs - start);
            let block = &self.series[start * cells..(start + bn) * cells];
            out.extend_from_slice(&block[cell * bn..(cell + 1) * bn]);
            start += bn;
        }
    }

    /// One column of outcomes for a policy, in run order.
    pub fn column(&self, policy: usize, f: impl Fn(&Outcome) -> f64) -> Vec<f64> {
        // By rows of the run-major layout: `skip().step_by()` does not compile to a plain
        // strided loop, and the summaries of a million runs read a dozen columns.
        // (`max(1)`: a default, empty result has no policies and no rows.)
        self.outcomes.chunks_exact(self.n_policies.max(1)).map(|row| f(&row[policy])).collect()
    }
}

/// Version 3: each outcome carries the continuation value's parts (model v2).
const MAGIC: &[u8; 8] = b"TLRES\x00\x03\x00";

fn put_u64(w: &mut impl Write, x: u64) -> io::Result<()> {
    w.write_all(&x.to_le_bytes())
}

fn put_f64s(w: &mut impl Write, xs: impl Iterator<Item = f64>) -> io::Result<()> {
    for x in xs {
        w.write_all(&x.to_le_bytes())?;
    }
    Ok(())
}

fn get_u64(r: &mut impl Read) -> io::Result<u64> {
    let mut b = [0u8; 8];
    r.read_exact(&mut b)?;
    Ok(u64::from_le_bytes(b))
}

fn get_f64(r: &mut impl Read) -> io::Result<f64> {
    Ok(f64::from_bits(get_u64(r)?))
}

fn bad_data(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

impl Results {
    /// Writes the per-run results (not the series, which shards write as series files) in
    /// a little-endian binary form that [`Results::read_from`] reads back bit for bit.
    ///
    /// # Errors
    /// A write fails.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        w.write_all(MAGIC)?;
        for x in [
            self.runs.start,
            self.runs.end,
            self.n_policies as u64,
            self.n_jurisdictions as u64,
            self.steps as u64,
            self.dt.to_bits(),
            self.outcomes.len() as u64,
            self.jurisdictions.len() as u64,
            self.param_ids.len() as u64,
            self.params.len() as u64,
        ] {
            put_u64(w, x)?;
        }
        for o in &self.outcomes {
            put_f64s(w, o.reals().into_iter())?;
            put_u64(w, u64::from(o.events) | (u64::from(o.catastrophes) << 32))?;
        }
        for j in &self.jurisdictions {
            put_f64s(w, [j.benefit, j.harm, j.share_end].into_iter())?;
        }
        for &id in &self.param_ids {
            put_u64(w, id as u64)?;
        }
        put_f64s(w, self.params.iter().copied())
    }

    /// Reads what [`Results::write_to`] wrote.
    ///
    /// # Errors
    /// A read fails, or the data is not a results file of this version.
    pub fn read_from(r: &mut impl Read) -> io::Result<Results> {
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(bad_data("not a Tierlab results file (or one of another version)"));
        }
        let mut h = [0u64; 10];
        for x in &mut h {
            *x = get_u64(r)?;
        }
        let [start, end, np, nj, steps, dt, n_out, n_jur, k, n_params] = h;
        let runs = end.checked_sub(start).ok_or_else(|| bad_data("run range ends before it starts"))?;
        let (np, nj, k) = (np as usize, nj as usize, k as usize);
        let consistent = n_out == runs * np as u64
            && (n_jur == 0 || n_jur == n_out * nj as u64)
            && (n_params == 0 || n_params == runs * k as u64)
            && runs <= 100_000_000;
        if !consistent {
            return Err(bad_data("the results file's counts do not agree with each other"));
        }
        let mut outcomes = Vec::with_capacity(n_out as usize);
        for _ in 0..n_out {
            let mut x = [0.0; 8];
            for v in &mut x {
                *v = get_f64(r)?;
            }
            let counts = get_u64(r)?;
            outcomes.push(Outcome::from_reals(x, counts as u32, (counts >> 32) as u32));
        }
        let mut jurisdictions = Vec::with_capacity(n_jur as usize);
        for _ in 0..n_jur {
            jurisdictions.push(JurisdictionOutcome { benefit: get_f64(r)?, harm: get_f64(r)?, share_end: get_f64(r)? });
        }
        let mut param_ids = Vec::with_capacity(k);
        for _ in 0..k {
            param_ids.push(get_u64(r)? as usize);
        }
        let mut params = Vec::with_capacity(n_params as usize);
        for _ in 0..n_params {
            params.push(get_f64(r)?);
        }
        Ok(Results {
            runs: start..end,
            n_policies: np,
            n_jurisdictions: nj,
            steps: steps as usize,
            dt: f64::from_bits(dt),
            outcomes,
            jurisdictions,
            series_runs: 0,
            series_metrics: 0,
            series: Vec::new(),
            param_ids,
            params,
        })
    }
}

impl Results {
    /// Every cell's values over the runs with series, cell-major (`[cell * runs + i]`).
    pub fn series_cell_major(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.series.len());
        let mut cell = Vec::new();
        for p in 0..self.n_policies {
            for t in 0..self.steps {
                for m in 0..self.series_metrics {
                    self.series_cell(p, t, m, &mut cell);
                    out.extend_from_slice(&cell);
                }
            }
        }
        out
    }

    /// Appends the series of `next` (the runs right after these; every run of both with
    /// series) to these runs' series. Called before `runs` is extended.
    pub(crate) fn append_series(&mut self, next: &Results) {
        let (a, b) = (self.series_runs, next.series_runs);
        if b == 0 {
            return;
        }
        let metrics = next.series_metrics;
        let cells = next.n_policies * next.steps * metrics;
        let (left, right) = (self.series_cell_major(), next.series_cell_major());
        let mut joined = Vec::with_capacity(cells * (a + b));
        for c in 0..cells {
            joined.extend_from_slice(&left[c * a..(c + 1) * a]);
            joined.extend_from_slice(&right[c * b..(c + 1) * b]);
        }
        let runs = self.runs.clone();
        self.runs = runs.start..runs.start + (a + b) as u64;
        self.set_series_cell_major(metrics, &joined);
        self.runs = runs;
    }

    /// Sets the per-step series of every run from values laid out cell-major over the whole
    /// range (`values[cell * n_runs + i]`, as a series store's block holds them), in this
    /// type's batch-blocked layout: what [`Results::series_cell`] reads back.
    ///
    /// # Panics
    /// `values` does not hold every cell of every run (a caller's bug).
    pub fn set_series_cell_major(&mut self, metrics: usize, values: &[f32]) {
        let n = self.n_runs();
        let cells = self.n_policies * self.steps * metrics;
        assert_eq!(values.len(), cells * n, "a value for every cell of every run");
        self.series_metrics = metrics;
        self.series_runs = n;
        self.series = vec![0.0; cells * n];
        let mut start = 0;
        while start < n {
            let bn = BATCH_RUNS.min(n - start);
            let block = &mut self.series[start * cells..(start + bn) * cells];
            for c in 0..cells {
                block[c * bn..(c + 1) * bn].copy_from_slice(&values[c * n + start..c * n + start + bn]);
            }
            start += bn;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scenario;
    use crate::sim::{Control, Record, SimOptions, simulate};

    fn small(runs: u64) -> (Scenario, Results) {
        let s = Scenario::built_in().edited(|d| {
            d.run.runs = runs;
            d.run.years = 2;
        });
        let s = s.unwrap();
        let opts = SimOptions {
            record: Record { jurisdictions: true, params: true, series_runs: u64::MAX },
            ..SimOptions::default()
        };
        let r = simulate(&s, &opts, &Control::new()).unwrap();
        (s, r)
    }

    #[test]
    fn the_file_form_reads_back_bit_for_bit() {
        let (_, r) = small(300);
        let mut bytes = Vec::new();
        r.write_to(&mut bytes).unwrap();
        let back = Results::read_from(&mut bytes.as_slice()).unwrap();
        assert_eq!(back.runs, r.runs);
        assert_eq!(back.outcomes.len(), r.outcomes.len());
        for (a, b) in back.outcomes.iter().zip(&r.outcomes) {
            assert_eq!(a.benefit.to_bits(), b.benefit.to_bits());
            assert_eq!(a.harm.to_bits(), b.harm.to_bits());
            assert_eq!(a.hazard_year.to_bits(), b.hazard_year.to_bits());
            assert_eq!(a.continuation_benefit.to_bits(), b.continuation_benefit.to_bits());
            assert_eq!(a.continuation_harm.to_bits(), b.continuation_harm.to_bits());
            assert_eq!((a.events, a.catastrophes), (b.events, b.catastrophes));
        }
        assert_eq!(back.jurisdictions, r.jurisdictions);
        assert_eq!(back.params, r.params);
        assert!(Results::read_from(&mut &bytes[..bytes.len() - 1]).is_err(), "a truncated file");
        assert!(Results::read_from(&mut &b"not a results file at all"[..]).is_err());
    }

    #[test]
    fn series_set_cell_major_read_back_cell_by_cell() {
        let (_, r) = small(300);
        let cells = r.n_policies * r.steps * r.series_metrics;
        let mut cell_major = Vec::with_capacity(cells * r.n_runs());
        let mut cell = Vec::new();
        for p in 0..r.n_policies {
            for t in 0..r.steps {
                for m in 0..r.series_metrics {
                    r.series_cell(p, t, m, &mut cell);
                    cell_major.extend_from_slice(&cell);
                }
            }
        }
        let mut again = Results { series: Vec::new(), series_runs: 0, ..r.clone() };
        again.set_series_cell_major(r.series_metrics, &cell_major);
        assert_eq!(again.series, r.series);
    }
}
