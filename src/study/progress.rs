//! A study's progress: the stage under way and the share of the work done, from the runs
//! `Control::runs_done` has counted.
//!
//! Every stage adds the runs it simulates (or reads back) to the one counter, so it only
//! grows and ends at the sum of the stages' runs. A run costs very different time in each
//! stage (a sweep run simulates every grid point), so [`progress_at`] weights each stage by
//! its policy-runs, which tracks time far better than the raw count.

use super::plan::Part;

/// One stage of a study, for progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stage {
    pub part: Part,
    /// What the stage adds to `Control::runs_done`.
    pub runs: u64,
    /// Policy-runs it simulates: its weight in the overall fraction.
    pub work: u64,
}

/// Where a study stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StudyProgress {
    /// The stage under way (the last one once everything is done) and its position.
    pub part: Part,
    pub stage: usize,
    pub stages: usize,
    /// Share of this stage done, in [0, 1].
    pub stage_fraction: f64,
    /// Share of the whole study done, weighted by each stage's work, in [0, 1]; never
    /// decreases while `runs_done` grows.
    pub fraction: f64,
}

/// Maps `Control::runs_done` of a study with `stages` to the stage under way and the share
/// of the work done.
pub fn progress_at(stages: &[Stage], runs_done: u64) -> StudyProgress {
    let total_work: u64 = stages.iter().map(|s| s.work).sum();
    let mut runs_before = 0u64;
    let mut work_before = 0u64;
    for (i, s) in stages.iter().enumerate() {
        let last = i + 1 == stages.len();
        if runs_done < runs_before + s.runs || last {
            let stage_fraction = if s.runs == 0 {
                1.0
            } else {
                ((runs_done - runs_before.min(runs_done)) as f64 / s.runs as f64).min(1.0)
            };
            let done = work_before as f64 + stage_fraction * s.work as f64;
            let fraction = if total_work == 0 { 1.0 } else { (done / total_work as f64).clamp(0.0, 1.0) };
            return StudyProgress { part: s.part, stage: i, stages: stages.len(), stage_fraction, fraction };
        }
        runs_before += s.runs;
        work_before += s.work;
    }
    StudyProgress { part: Part::Simulation, stage: 0, stages: 0, stage_fraction: 1.0, fraction: 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(part: Part, runs: u64, work: u64) -> Stage {
        Stage { part, runs, work }
    }

    #[test]
    fn progress_is_weighted_by_work_and_monotone() {
        let stages =
            [stage(Part::Simulation, 100, 400), stage(Part::Sweep, 100, 2700), stage(Part::Sensitivity, 300, 600)];
        let at = |n| progress_at(&stages, n);
        assert_eq!(at(0).part, Part::Simulation);
        assert_eq!(at(0).fraction, 0.0);
        assert_eq!(at(50).stage_fraction, 0.5);
        assert!((at(50).fraction - 200.0 / 3700.0).abs() < 1e-12);
        assert_eq!(at(100).part, Part::Sweep);
        assert!((at(150).fraction - (400.0 + 1350.0) / 3700.0).abs() < 1e-12);
        assert_eq!(at(200).part, Part::Sensitivity);
        assert_eq!((at(500).fraction, at(500).stage), (1.0, 2));
        assert_eq!(at(10_000).fraction, 1.0, "past the end stays at 1");
        let mut last = 0.0;
        for n in 0..=520 {
            let f = at(n).fraction;
            assert!(f >= last, "fraction fell at {n}");
            last = f;
        }
    }
}
