//! Release regimes and policies (MODEL.md, "Regimes").

use crate::fmt;

/// What a developer in a jurisdiction may release, as two capability ceilings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Regime {
    /// Everything may be released as open weights.
    Open,
    /// Everything may be released as open weights, but only `stage_delay` years after the
    /// model exists (staged release, model v2; the file's `{ open = { stage_delay = 0.5 } }`).
    /// A delay of 0 is written, and read, as plain [`Regime::Open`].
    OpenStaged { stage_delay: f64 },
    /// No new open or gated releases; what was released stays released.
    Closed,
    /// Open below `open_below`, vetted researchers only below `gated_below`, API-only above;
    /// both ceilings move by `drift` OOM per year. Model v2 adds what the thresholds measure
    /// (`measure`) and a staged release (`stage_delay`, years); at their defaults
    /// ([`Measure::Effective`], 0) the regime is v1's.
    Tiered { open_below: f64, gated_below: f64, drift: f64, measure: Measure, stage_delay: f64 },
}

/// What a tiered regime's thresholds measure (model v2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Measure {
    /// Effective compute (training FLOP times algorithmic gains), the capability scale of the
    /// whole model: the ceilings move by `drift` alone.
    #[default]
    Effective,
    /// Training FLOP: as algorithms improve, a model under a fixed training-FLOP threshold is
    /// ever more capable, so the ceilings on the capability scale rise by
    /// `algorithmic_progress` per year on top of `drift`.
    TrainingFlop,
}

impl Measure {
    pub const KEYWORDS: [&'static str; 2] = ["effective", "training_flop"];

    /// The file's keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Measure::Effective => "effective",
            Measure::TrainingFlop => "training_flop",
        }
    }

    /// The unit of a threshold stated in this measure, for labels: "training FLOP" (what a
    /// law counts) or "effective FLOP" (training FLOP at the start's algorithms, the model's
    /// capability scale).
    pub fn flop_unit(self) -> &'static str {
        match self {
            Measure::Effective => "effective FLOP",
            Measure::TrainingFlop => "training FLOP",
        }
    }

    /// A threshold's unit when it may be in either measure: the measure's, or plain "FLOP"
    /// when unknown or mixed (a policy whose tiered regimes measure differently).
    pub fn flop_unit_of(measure: Option<Measure>) -> &'static str {
        measure.map_or("FLOP", Measure::flop_unit)
    }

    pub fn from_keyword(s: &str) -> Option<Measure> {
        match s {
            "effective" => Some(Measure::Effective),
            "training_flop" => Some(Measure::TrainingFlop),
            _ => None,
        }
    }
}

/// A regime reduced to the numbers the step needs (infinite ceilings for open/closed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ceilings {
    pub open_below: f64,
    pub gated_below: f64,
    pub drift: f64,
    /// The thresholds are training FLOP: a run's `algorithmic_progress` adds to the drift
    /// ([`Ceilings::with_progress`]).
    pub training_flop: bool,
    /// Years a model waits before it may be opened or gated (0: none).
    pub stage_delay: f64,
}

impl Ceilings {
    /// The open and gated ceilings at time `tau` (years): MODEL.md step 2.
    #[inline]
    pub fn at(&self, tau: f64) -> (f64, f64) {
        // drift is 0 for open/closed, and inf + 0 stays inf.
        let oc = self.open_below + self.drift * tau;
        let gc = oc.max(self.gated_below + self.drift * tau);
        (oc, gc)
    }

    /// The ceilings in a run with algorithmic progress `a` (OOM/yr): training-FLOP
    /// thresholds drift by `a` more; effective ones are unchanged.
    #[inline]
    pub fn with_progress(self, a: f64) -> Ceilings {
        if self.training_flop { Ceilings { drift: self.drift + a, ..self } } else { self }
    }
}

impl Regime {
    /// A tiered regime with v1's measure and no stage delay.
    pub const fn tiered(open_below: f64, gated_below: f64, drift: f64) -> Regime {
        Regime::Tiered { open_below, gated_below, drift, measure: Measure::Effective, stage_delay: 0.0 }
    }

    pub fn ceilings(self) -> Ceilings {
        let (inf, neg_inf) = (f64::INFINITY, f64::NEG_INFINITY);
        let plain = |open_below, gated_below| Ceilings {
            open_below,
            gated_below,
            drift: 0.0,
            training_flop: false,
            stage_delay: 0.0,
        };
        match self {
            Regime::Open => plain(inf, inf),
            Regime::OpenStaged { stage_delay } => Ceilings { stage_delay, ..plain(inf, inf) },
            Regime::Closed => plain(neg_inf, neg_inf),
            Regime::Tiered { open_below, gated_below, drift, measure, stage_delay } => Ceilings {
                open_below,
                gated_below,
                drift,
                training_flop: measure == Measure::TrainingFlop,
                stage_delay,
            },
        }
    }

    /// Label for tables and the app: "open", "closed", "tiered 1e27/1e28 training FLOP", with
    /// the thresholds' unit, the drift and model v2's stage delay where set.
    pub fn label(self) -> String {
        let staged = |d: f64| if d != 0.0 { format!(", staged {d} yr") } else { String::new() };
        match self {
            Regime::Open => "open".into(),
            Regime::OpenStaged { stage_delay } => format!("open{}", staged(stage_delay)),
            Regime::Closed => "closed".into(),
            Regime::Tiered { open_below, gated_below, drift, measure, stage_delay } => {
                let mut s =
                    format!("tiered {}/{} {}", fmt::flop(open_below), fmt::flop(gated_below), measure.flop_unit());
                if drift != 0.0 {
                    s.push_str(&format!(", drift {drift:+} OOM/yr"));
                }
                s.push_str(&staged(stage_delay));
                s
            }
        }
    }

    pub fn is_tiered(self) -> bool {
        matches!(self, Regime::Tiered { .. })
    }

    /// Whether the regime uses a model v2 key: thresholds in training FLOP or a stage delay.
    pub fn is_v2(self) -> bool {
        match self {
            Regime::OpenStaged { stage_delay } => stage_delay != 0.0,
            Regime::Tiered { measure, stage_delay, .. } => measure != Measure::Effective || stage_delay != 0.0,
            Regime::Open | Regime::Closed => false,
        }
    }
}

/// A release policy: a regime for every jurisdiction (a default plus overrides), and the
/// levers beyond release rules (all off unless the scenario sets them).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub name: String,
    pub default: Regime,
    /// (jurisdiction index, regime), sorted by index, each index at most once.
    pub overrides: Vec<(usize, Regime)>,
    pub levers: Levers,
}

/// Policy levers besides the release regime (docs/MODEL.md, "Policy levers"). The default
/// is every lever off, which leaves the model exactly as without them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Levers {
    /// Tiers are decided on measured, not true, capability.
    pub evaluation: Option<Evaluation>,
    /// Spending per jurisdiction, `[j]`; empty: none anywhere.
    pub spending: Vec<Spending>,
    /// Signposts that switch regimes, applied in order (a later switch wins).
    pub triggers: Vec<Trigger>,
    /// Chance each jurisdiction joins the policy, `[j]`; empty: every one joins.
    pub coordination: Vec<f64>,
}

impl Levers {
    pub fn any(&self) -> bool {
        *self != Levers::default()
    }

    /// The levers in words, for tables and reports ("" when none is on); `names` are the
    /// jurisdictions' names.
    pub fn describe(&self, names: &[String]) -> String {
        let name = |j: usize| names.get(j).map_or("?", String::as_str);
        let mut parts = Vec::new();
        if let Some(e) = self.evaluation {
            parts.push(format!("evaluated with error (sd {} OOM, bias {:+} OOM)", e.sd, e.bias));
        }
        if !self.spending.is_empty() {
            let (g, r): (f64, f64) =
                self.spending.iter().fold((0.0, 0.0), |(g, r), s| (g + s.safeguards, r + s.preparedness));
            parts.push(format!("spends ${g}B/yr on safeguards and ${r}B/yr on preparedness"));
        }
        for t in &self.triggers {
            let when = match t.when {
                Signpost::Catastrophe => "after the first catastrophe".to_string(),
                Signpost::HarmAbove(x) => format!("once harm passes ${x}B"),
                Signpost::OpenPoolAbove(x) => format!("once the open pool reaches {}", fmt::flop(x)),
                Signpost::Year(y) => format!("from year {y}"),
            };
            let delay = if t.delay > 0.0 { format!(" (+{} yr delay)", t.delay) } else { String::new() };
            let places = if t.jurisdictions.is_empty() {
                String::new()
            } else {
                format!(" in {}", t.jurisdictions.iter().map(|&j| name(j)).collect::<Vec<_>>().join(", "))
            };
            parts.push(format!("{} {when}{delay}{places}", t.regime.label()));
        }
        let partial: Vec<String> = self
            .coordination
            .iter()
            .enumerate()
            .filter(|&(_, &q)| q < 1.0)
            .map(|(j, q)| format!("{} {q}", name(j)))
            .collect();
        if !partial.is_empty() {
            parts.push(format!("joined with probability {}", partial.join(", ")));
        }
        parts.join("; ")
    }
}

/// An evaluation's error on capability, in log10 FLOP: measured = true + bias + sd * z, with
/// one z per run and jurisdiction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub sd: f64,
    pub bias: f64,
}

/// Yearly spending in one jurisdiction, $B/yr.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Spending {
    /// Tamper-resistant safeguards: lower `strip_prob`.
    pub safeguards: f64,
    /// Societal preparedness: raises the jurisdiction's `defense_rate`.
    pub preparedness: f64,
}

impl Spending {
    pub fn total(self) -> f64 {
        self.safeguards + self.preparedness
    }
}

/// What a trigger watches for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Signpost {
    /// The first catastrophe (an event of at least `catastrophe_threshold`).
    Catastrophe,
    /// Cumulative undiscounted harm above this many $B.
    HarmAbove(f64),
    /// The open pool at or above this capability (log10 FLOP).
    OpenPoolAbove(f64),
    /// This year (years from the start).
    Year(f64),
}

impl Signpost {
    /// The file's `when` keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Signpost::Catastrophe => "catastrophe",
            Signpost::HarmAbove(_) => "harm_above",
            Signpost::OpenPoolAbove(_) => "open_pool_above",
            Signpost::Year(_) => "year",
        }
    }

    pub fn level(self) -> Option<f64> {
        match self {
            Signpost::Catastrophe => None,
            Signpost::HarmAbove(x) | Signpost::OpenPoolAbove(x) | Signpost::Year(x) => Some(x),
        }
    }

    pub const KEYWORDS: [&'static str; 4] = ["catastrophe", "harm_above", "open_pool_above", "year"];

    /// The signpost of keyword `when` with `level` (ignored for a catastrophe).
    pub fn from_keyword(when: &str, level: f64) -> Option<Signpost> {
        match when {
            "catastrophe" => Some(Signpost::Catastrophe),
            "harm_above" => Some(Signpost::HarmAbove(level)),
            "open_pool_above" => Some(Signpost::OpenPoolAbove(level)),
            "year" => Some(Signpost::Year(level)),
            _ => None,
        }
    }
}

/// Switches the listed jurisdictions to `regime` once `delay` years have passed since the
/// signpost was observed; what was released before stays released.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub when: Signpost,
    pub delay: f64,
    pub regime: Regime,
    /// Jurisdiction indices, sorted; empty: every jurisdiction.
    pub jurisdictions: Vec<usize>,
}

impl Trigger {
    pub fn applies_to(&self, j: usize) -> bool {
        self.jurisdictions.is_empty() || self.jurisdictions.contains(&j)
    }
}

impl Policy {
    pub fn regime_for(&self, jurisdiction: usize) -> Regime {
        self.overrides.iter().find(|(j, _)| *j == jurisdiction).map_or(self.default, |(_, r)| *r)
    }

    /// Sets the regime of one jurisdiction, keeping overrides minimal and sorted.
    pub fn set_regime(&mut self, jurisdiction: usize, regime: Regime) {
        self.overrides.retain(|(j, _)| *j != jurisdiction);
        if regime != self.default {
            self.overrides.push((jurisdiction, regime));
            self.overrides.sort_by_key(|(j, _)| *j);
        }
    }

    /// What the policy's tiered regimes measure, when they all measure the same (None when it
    /// has no tiered regime or they differ); labels of its thresholds say this unit.
    pub fn threshold_measure(&self) -> Option<Measure> {
        let mut measures =
            std::iter::once(&self.default).chain(self.overrides.iter().map(|(_, r)| r)).filter_map(|r| match r {
                Regime::Tiered { measure, .. } => Some(*measure),
                _ => None,
            });
        let first = measures.next()?;
        measures.all(|m| m == first).then_some(first)
    }

    /// Applies `f` to every tiered regime of the policy (default and overrides).
    pub fn map_tiered(&mut self, mut f: impl FnMut(&mut f64, &mut f64, &mut f64)) {
        let mut apply = |r: &mut Regime| {
            if let Regime::Tiered { open_below, gated_below, drift, .. } = r {
                f(open_below, gated_below, drift);
            }
        };
        apply(&mut self.default);
        for (_, r) in &mut self.overrides {
            apply(r);
        }
    }

    /// Forgets jurisdiction `j` (removed from the scenario): its override and its part in the
    /// levers go, and the jurisdictions after it move down by one.
    pub fn remove_jurisdiction(&mut self, j: usize) {
        let shift = |k: &mut usize| {
            if *k > j {
                *k -= 1;
            }
        };
        self.overrides.retain(|(k, _)| *k != j);
        self.overrides.iter_mut().for_each(|(k, _)| shift(k));
        let l = &mut self.levers;
        if j < l.spending.len() {
            l.spending.remove(j);
        }
        if j < l.coordination.len() {
            l.coordination.remove(j);
        }
        for t in &mut l.triggers {
            let all = t.jurisdictions.is_empty();
            t.jurisdictions.retain(|&k| k != j);
            t.jurisdictions.iter_mut().for_each(shift);
            // A trigger for the removed place only now switches nowhere: drop it rather than
            // let an empty list mean "everywhere".
            if !all && t.jurisdictions.is_empty() {
                t.jurisdictions.push(usize::MAX);
            }
        }
        l.triggers.retain(|t| t.jurisdictions != [usize::MAX]);
    }

    pub fn has_tiered(&self) -> bool {
        self.default.is_tiered() || self.overrides.iter().any(|(_, r)| r.is_tiered())
    }

    /// Every regime the policy names: its default, its overrides and its triggers' regimes.
    pub fn regimes(&self) -> impl Iterator<Item = Regime> + '_ {
        std::iter::once(self.default)
            .chain(self.overrides.iter().map(|(_, r)| *r))
            .chain(self.levers.triggers.iter().map(|t| t.regime))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_jurisdiction_renumbers_every_lever() {
        let mut p = Policy {
            name: "p".into(),
            default: Regime::Open,
            overrides: vec![(1, Regime::Closed), (2, Regime::Closed)],
            levers: Levers {
                spending: vec![
                    Spending { safeguards: 1.0, preparedness: 0.0 },
                    Spending::default(),
                    Spending::default(),
                ],
                coordination: vec![0.1, 0.2, 0.3],
                triggers: vec![
                    Trigger { when: Signpost::Catastrophe, delay: 0.0, regime: Regime::Closed, jurisdictions: vec![1] },
                    Trigger {
                        when: Signpost::Catastrophe,
                        delay: 0.0,
                        regime: Regime::Closed,
                        jurisdictions: vec![0, 2],
                    },
                    Trigger { when: Signpost::Catastrophe, delay: 0.0, regime: Regime::Closed, jurisdictions: vec![] },
                ],
                evaluation: None,
            },
        };
        p.remove_jurisdiction(1);
        assert_eq!(p.overrides, vec![(1, Regime::Closed)]);
        assert_eq!(p.levers.spending.len(), 2);
        assert_eq!(p.levers.coordination, vec![0.1, 0.3]);
        let lists: Vec<Vec<usize>> = p.levers.triggers.iter().map(|t| t.jurisdictions.clone()).collect();
        assert_eq!(lists, vec![vec![0, 1], vec![]]);
    }
}
