//! Shards: a simulation cut into contiguous ranges of run numbers, simulated on different
//! machines and put back together. Run `n` draws from streams keyed by its number alone
//! (`rng.rs`, and Iman-Conover in fixed blocks, `driver.rs`), so the runs of a shard are the
//! very runs one machine would have simulated; putting the ranges back in order gives the
//! same results bit for bit (`study::runs` captures and replays them).

use std::ops::Range;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
