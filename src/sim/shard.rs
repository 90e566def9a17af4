//! Shards: a simulation cut into contiguous ranges of run numbers, simulated on different
//! machines and put back together. Run `n` draws from streams keyed by its number alone
//! (`rng.rs`, and Iman-Conover in fixed blocks, `driver.rs`), so the runs of a shard are the
//! very runs one machine would have simulated; putting the ranges back in order gives the
//! same [`Results`] bit for bit, and every summary computed from them is the same.
//!
//! An analysis that simulates several times (a sweep per axis value, a tornado per
//! parameter) takes a [`RunSource`]: [`RunSource::All`] simulates every run;
//! [`RunSource::capture`] simulates one shard's range and keeps each simulation in call
//! order; [`RunSource::replay`] hands merged simulations back in that order, so the analysis
//! code that finishes the merge is the code that ran on one machine.

use std::io::{self, Read, Write};
use std::ops::Range;
use std::sync::Mutex;

use super::driver::{Control, CorrelatedDraws, Results, SimError, SimOptions, simulate_range};
use super::engine::{Engine, JurisdictionOutcome, Outcome};
use crate::model::Scenario;

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Parses "K/N" with 1 <= K <= N.
    ///
    /// # Errors
    /// A message that says what is allowed.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard takes K/N with 1 <= K <= N (e.g. 3/8), got \"{text}\"");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || count == 0 || index > count || count > 1_000_000 {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// The shard's runs out of `0..total`: contiguous, in order, covering every run once
    /// over `1..=count`, sizes differing by at most one.
    pub fn range(self, total: u64) -> Range<u64> {
        let at = |k: u64| ((u128::from(total) * u128::from(k)) / u128::from(self.count)) as u64;
        at(self.index - 1)..at(self.index)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Where an analysis's simulations come from.
#[derive(Debug, Default)]
pub enum RunSource {
    /// Simulate every run of the scenario.
    #[default]
    All,
    /// Simulate only `range`, keeping each simulation.
    Capture { range: Range<u64>, captured: Mutex<Vec<Results>> },
    /// Hand back these simulations, in order, instead of simulating.
    Replay { queue: Mutex<std::collections::VecDeque<Results>> },
}

impl RunSource {
    pub fn capture(range: Range<u64>) -> RunSource {
        RunSource::Capture { range, captured: Mutex::new(Vec::new()) }
    }

    pub fn replay(simulations: Vec<Results>) -> RunSource {
        RunSource::Replay { queue: Mutex::new(simulations.into()) }
    }

    /// The simulations captured so far, in call order.
    pub fn into_captured(self) -> Vec<Results> {
        match self {
            RunSource::Capture { captured, .. } => captured.into_inner().unwrap_or_else(|e| e.into_inner()),
            _ => Vec::new(),
        }
    }

    /// Simulations not yet handed back by a replay (a merge that fits its analysis has none).
    pub fn left_over(&self) -> usize {
        match self {
            RunSource::Replay { queue } => queue.lock().map_or(0, |q| q.len()),
            _ => 0,
        }
    }

    /// One simulation of `scenario` (prepared as `engine`) with `opts`.
    ///
    /// # Errors
    /// As [`simulate_range`]; a replay that has run out of simulations, or whose next one
    /// does not have the shape asked for, is [`SimError::Mismatch`].
    pub fn simulate(
        &self,
        scenario: &Scenario,
        engine: &Engine,
        opts: &SimOptions,
        control: &Control,
    ) -> Result<Results, SimError> {
        match self {
            RunSource::All => {
                let runs = 0..scenario.run().runs;
                let correlated = CorrelatedDraws::for_range(scenario, engine, runs.clone());
                simulate_range(engine, correlated.as_ref(), runs, opts, control)
            }
            RunSource::Capture { range, captured } => {
                let correlated = CorrelatedDraws::for_range(scenario, engine, range.clone());
                let r = simulate_range(engine, correlated.as_ref(), range.clone(), opts, control)?;
                captured.lock().unwrap_or_else(|e| e.into_inner()).push(r.clone());
                Ok(r)
            }
            RunSource::Replay { queue } => {
                let r = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front().ok_or_else(|| {
                    SimError::Mismatch("the partial results hold fewer simulations than the analysis needs".into())
                })?;
                if r.runs != (0..scenario.run().runs) || r.n_policies != engine.n_policies || r.steps != engine.steps {
                    return Err(SimError::Mismatch(format!(
                        "a merged simulation has runs {:?} and {} policies where the analysis needs runs 0..{} and {}",
                        r.runs,
                        r.n_policies,
                        scenario.run().runs,
                        engine.n_policies
                    )));
                }
                Ok(r)
            }
        }
    }
}

const MAGIC: &[u8; 8] = b"TLRES\x00\x02\x00";

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
            put_f64s(w, [o.benefit, o.harm, o.max_event, o.open_pool_end, o.hazard_year, o.spending].into_iter())?;
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
            let (benefit, harm, max_event, open_pool_end, hazard_year, spending) =
                (get_f64(r)?, get_f64(r)?, get_f64(r)?, get_f64(r)?, get_f64(r)?, get_f64(r)?);
            let counts = get_u64(r)?;
            outcomes.push(Outcome {
                benefit,
                harm,
                max_event,
                open_pool_end,
                hazard_year,
                events: counts as u32,
                catastrophes: (counts >> 32) as u32,
                spending,
            });
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

    /// Appends the next range of runs. Series are not carried (shards merge them through
    /// series files, `export::partial`).
    ///
    /// # Errors
    /// [`SimError::Mismatch`] if `next` does not start where `self` ends or differs in shape.
    pub fn append(&mut self, next: Results) -> Result<(), SimError> {
        let same = next.n_policies == self.n_policies
            && next.n_jurisdictions == self.n_jurisdictions
            && next.steps == self.steps
            && next.dt.to_bits() == self.dt.to_bits()
            && next.param_ids == self.param_ids
            && next.jurisdictions.is_empty() == self.jurisdictions.is_empty()
            && next.params.is_empty() == self.params.is_empty();
        if next.runs.start != self.runs.end {
            return Err(SimError::Mismatch(format!(
                "runs {}..{} do not follow runs {}..{}: a shard is missing or given twice",
                next.runs.start, next.runs.end, self.runs.start, self.runs.end
            )));
        }
        if !same {
            return Err(SimError::Mismatch("two partial results of different shape (another scenario?)".into()));
        }
        self.runs.end = next.runs.end;
        self.outcomes.extend_from_slice(&next.outcomes);
        self.jurisdictions.extend_from_slice(&next.jurisdictions);
        self.params.extend_from_slice(&next.params);
        self.series_runs = 0;
        self.series.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Record, simulate};

    #[test]
    fn shards_cover_every_run_once_in_order() {
        for total in [0u64, 1, 7, 10, 10_000, 1_000_003] {
            for count in [1u64, 2, 3, 7, 64] {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.range(total);
                    assert_eq!(r.start, next);
                    assert!(r.end - r.start <= total / count + 1);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn shard_arguments() {
        assert_eq!(Shard::parse("3/8"), Ok(Shard { index: 3, count: 8 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "-1/4", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    fn with_correlation(runs: u64) -> Scenario {
        let text = format!(
            "{}\n[[correlation]]\na = \"world.misuse_rate\"\nb = \"world.severity_min\"\nrho = 0.6\n",
            crate::model::scenario::BASELINE_TOML
        );
        Scenario::parse(&text, "test")
            .unwrap()
            .edited(|d| {
                d.run.runs = runs;
                d.run.years = 3;
            })
            .unwrap()
    }

    #[test]
    fn shards_appended_equal_one_simulation_and_survive_the_file_form() {
        let s = with_correlation(5000);
        let opts = SimOptions {
            record: Record { jurisdictions: true, params: true, series_runs: 0 },
            ..SimOptions::default()
        };
        let whole = simulate(&s, &opts, &Control::new()).unwrap();
        let engine = Engine::new(&s);
        let mut merged: Option<Results> = None;
        for index in 1..=3 {
            let src = RunSource::capture(Shard { index, count: 3 }.range(s.run().runs));
            src.simulate(&s, &engine, &opts, &Control::new()).unwrap();
            let part = src.into_captured().pop().unwrap();
            let mut bytes = Vec::new();
            part.write_to(&mut bytes).unwrap();
            let back = Results::read_from(&mut bytes.as_slice()).unwrap();
            match merged.as_mut() {
                None => merged = Some(back),
                Some(m) => m.append(back).unwrap(),
            }
        }
        let merged = merged.unwrap();
        assert_eq!(merged.runs, whole.runs);
        assert_eq!(merged.outcomes.len(), whole.outcomes.len());
        for (a, b) in merged.outcomes.iter().zip(&whole.outcomes) {
            assert_eq!(a.benefit.to_bits(), b.benefit.to_bits());
            assert_eq!(a.harm.to_bits(), b.harm.to_bits());
            assert_eq!(a.hazard_year.to_bits(), b.hazard_year.to_bits());
            assert_eq!((a.events, a.catastrophes), (b.events, b.catastrophes));
        }
        assert_eq!(merged.jurisdictions, whole.jurisdictions);
        assert_eq!(merged.params, whole.params);
    }

    #[test]
    fn correlated_draws_do_not_depend_on_the_run_count() {
        let opts = SimOptions { record: Record { params: true, ..Record::default() }, ..SimOptions::default() };
        let small = simulate(&with_correlation(300), &opts, &Control::new()).unwrap();
        let large = simulate(&with_correlation(9000), &opts, &Control::new()).unwrap();
        assert_eq!(small.params[..], large.params[..small.params.len()]);
    }

    #[test]
    fn appending_out_of_order_or_another_shape_is_refused() {
        let s = with_correlation(100);
        let engine = Engine::new(&s);
        let part = |range: Range<u64>| {
            let src = RunSource::capture(range);
            src.simulate(&s, &engine, &SimOptions::default(), &Control::new()).unwrap();
            src.into_captured().pop().unwrap()
        };
        let mut a = part(0..40);
        assert!(matches!(a.append(part(50..100)), Err(SimError::Mismatch(_))));
        let mut other = part(40..100);
        other.n_policies = 1;
        assert!(a.append(other).is_err());
        assert!(Results::read_from(&mut &b"not results at all"[..]).is_err());
    }
}
