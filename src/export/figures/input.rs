//! What a figure is drawn from, and whether it holds what a figure needs.

use crate::analysis::decision::Decision;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::{BestThreshold, Sweep, Sweep2d};
use crate::analysis::{SeriesSummary, Summary};
use crate::model::Scenario;
use crate::sim::Results;
use crate::study::{Provenance, Study, StudyNote};

use super::error::FigureError;
use super::kind::{FigureKind, Requirement};

/// Everything a figure is drawn from. Borrowed, so the app can render from its current
/// result on a background thread without copying it.
#[derive(Clone, Copy)]
pub struct FigureInput<'a> {
    pub scenario: &'a Scenario,
    pub results: &'a Results,
    pub summary: &'a Summary,
    /// Per-step percentile series; fan charts and the time figures need it.
    pub series: Option<&'a SeriesSummary>,
    pub provenance: &'a Provenance,
    /// A 1-D threshold sweep; the threshold curves and the frontier need it.
    pub sweep: Option<&'a Sweep>,
    /// The best threshold of `sweep` under a cap; the threshold curves mark it.
    pub best_threshold: Option<&'a BestThreshold>,
    /// A 2-D sweep; the heat map needs it.
    pub sweep_2d: Option<&'a Sweep2d>,
    /// A sensitivity analysis with a tornado; the tornado chart needs it.
    pub sensitivity: Option<&'a Sensitivity>,
    /// Decision support on paired worlds; the PRIM, regret and EVPPI figures need it.
    pub decision: Option<&'a Decision>,
    /// What the report says about analyses left out or capped (no figure draws these).
    pub notes: &'a [StudyNote],
    /// The scenario file's text behind `provenance`'s hash; a report writes it beside itself.
    pub scenario_text: Option<&'a str>,
}

impl<'a> FigureInput<'a> {
    /// An input without series (add them with [`FigureInput::with_series`]). Prefer this to a
    /// struct literal: later figure families add optional inputs here.
    pub fn new(
        scenario: &'a Scenario,
        results: &'a Results,
        summary: &'a Summary,
        provenance: &'a Provenance,
    ) -> FigureInput<'a> {
        FigureInput {
            scenario,
            results,
            summary,
            series: None,
            provenance,
            sweep: None,
            best_threshold: None,
            sweep_2d: None,
            sensitivity: None,
            decision: None,
            notes: &[],
            scenario_text: None,
        }
    }

    /// The input of a study's results, analyses attached; `None` when the study did not
    /// simulate the scenario itself.
    pub fn of_study(study: &'a Study, scenario: &'a Scenario) -> Option<FigureInput<'a>> {
        let sim = study.simulated.as_ref()?;
        Some(
            FigureInput::new(scenario, &sim.results, &sim.summary, &study.provenance)
                .with_series(sim.series.as_ref())
                .with_sweep(study.sweep.as_ref())
                .with_best_threshold(study.best_threshold.as_ref())
                .with_sweep_2d(study.sweep_2d.as_ref())
                .with_sensitivity(study.sensitivity.as_ref())
                .with_decision(study.decision.as_ref())
                .with_notes(&study.notes)
                .with_scenario_text(Some(&study.scenario_text)),
        )
    }

    pub fn with_series(mut self, series: Option<&'a SeriesSummary>) -> FigureInput<'a> {
        self.series = series;
        self
    }

    pub fn with_sweep(mut self, sweep: Option<&'a Sweep>) -> FigureInput<'a> {
        self.sweep = sweep;
        self
    }

    pub fn with_best_threshold(mut self, best: Option<&'a BestThreshold>) -> FigureInput<'a> {
        self.best_threshold = best;
        self
    }

    pub fn with_notes(mut self, notes: &'a [StudyNote]) -> FigureInput<'a> {
        self.notes = notes;
        self
    }

    pub fn with_scenario_text(mut self, text: Option<&'a str>) -> FigureInput<'a> {
        self.scenario_text = text;
        self
    }

    pub fn with_sweep_2d(mut self, sweep_2d: Option<&'a Sweep2d>) -> FigureInput<'a> {
        self.sweep_2d = sweep_2d;
        self
    }

    pub fn with_sensitivity(mut self, sensitivity: Option<&'a Sensitivity>) -> FigureInput<'a> {
        self.sensitivity = sensitivity;
        self
    }

    pub fn with_decision(mut self, decision: Option<&'a Decision>) -> FigureInput<'a> {
        self.decision = decision;
        self
    }

    /// The runs a figure was drawn from: an analysis's own runs (which a report may cap
    /// below the simulation's), else the simulation's.
    pub fn runs_behind(&self, kind: FigureKind) -> u64 {
        let own = match kind.requirement() {
            Requirement::Sweep => self.sweep.map(|s| s.runs),
            Requirement::Sweep2d => self.sweep_2d.map(|s| s.runs),
            Requirement::Sensitivity => self.sensitivity.map(|s| s.runs),
            Requirement::Decision => self.decision.map(|d| d.discovery.runs),
            _ => None,
        };
        own.unwrap_or(self.provenance.runs)
    }

    /// The figures this input can draw, in report order.
    pub fn available(&self) -> Vec<FigureKind> {
        FigureKind::ALL.iter().copied().filter(|k| k.available(self)).collect()
    }
}

impl FigureKind {
    /// Whether `input` holds what this figure needs.
    pub fn available(self, input: &FigureInput<'_>) -> bool {
        check_requirement(self, input).is_ok()
    }
}

pub(super) fn check_requirement(kind: FigureKind, input: &FigureInput<'_>) -> Result<(), FigureError> {
    let missing = |what: &str| Err(FigureError::MissingData { figure: kind.name(), what: what.to_string() });
    match kind.requirement() {
        Requirement::None => Ok(()),
        Requirement::Series => match input.series {
            Some(s) if s.steps > 0 && s.runs > 0 && s.n_policies == input.scenario.policies().len() => Ok(()),
            _ => missing("per-step series (simulate with Record::series_runs > 0 and pass summarise_series)"),
        },
        Requirement::Jurisdictions => {
            if input.summary.policies.iter().all(|p| p.jurisdictions.len() == input.scenario.jurisdictions().len()) {
                Ok(())
            } else {
                missing("per-jurisdiction results (simulate with Record::jurisdictions)")
            }
        }
        Requirement::TwoPolicies => {
            if input.scenario.policies().len() >= 2 {
                Ok(())
            } else {
                missing("at least two policies")
            }
        }
        Requirement::Sweep => match input.sweep {
            Some(s) if !s.points.is_empty() => Ok(()),
            _ => missing("a threshold sweep (tierlab sweep)"),
        },
        Requirement::Sweep2d => match input.sweep_2d {
            Some(s)
                if !s.values.is_empty()
                    && !s.values2.is_empty()
                    && s.cells.len() == s.values.len() * s.values2.len() =>
            {
                Ok(())
            }
            _ => missing("a 2-D sweep (tierlab sweep with a world axis)"),
        },
        Requirement::Sensitivity => match input.sensitivity {
            Some(s) if s.params.iter().any(|p| p.low.is_finite() && p.high.is_finite()) => Ok(()),
            _ => missing("a sensitivity analysis with a tornado (tierlab sensitivity)"),
        },
        Requirement::Decision => match input.decision {
            Some(d) if !d.robustness.options.is_empty() => Ok(()),
            _ => missing("a decision analysis on paired worlds (tierlab decide)"),
        },
    }
}
