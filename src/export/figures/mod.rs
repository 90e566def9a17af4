//! Publication figures rendered headless with plotters (SVG and PNG), each with a JSON
//! sidecar holding the plotted data and the provenance.
//!
//! The app and the CLI share this API; it needs no window and no GPU and may run on any
//! thread (the embedded font is registered once per process):
//!
//! ```no_run
//! # use std::path::Path;
//! # use tierlab::export::figures::*;
//! # fn demo(input: &FigureInput<'_>) -> Result<(), FigureError> {
//! // One call: compute, draw, write `harm_exceedance.svg` and `harm_exceedance.json`.
//! render(FigureKind::HarmExceedance, input, Format::Svg, Path::new("out/harm_exceedance.svg"), &FigureOptions::default())?;
//! // Or compute once and draw to several formats (or to memory, for a preview).
//! let figure = prepare(FigureKind::NetDistribution, input)?;
//! let png: Vec<u8> = figure.render(Format::Png, &FigureOptions::default())?;
//! # Ok(()) }
//! ```
//!
//! # Adding a figure (the extension point)
//! Threshold sweeps, the benefit/tail-risk frontier, heat maps and tornado charts slot in
//! the same way as the figures here:
//! 1. add a variant to [`FigureKind`] (and to `FigureKind::ALL`, `name`, `title`, `about`);
//! 2. if it needs data this module does not get yet (a sweep or sensitivity result), add an
//!    `Option<&'a …>` field to [`FigureInput`] (default `None` in [`FigureInput::new`], a
//!    `with_…` setter) and name it in `FigureKind::requirement`, so that asking for the
//!    figure without the data is a [`FigureError::MissingData`], not a panic;
//! 3. write a family module like `distributions.rs`: a `Serialize` struct with the plotted
//!    data and its Monte Carlo errors, `fn compute(&FigureInput) -> Result<Self, FigureError>`
//!    and `fn draw(&self, root, style, frame)`, using `style.rs` for the frame, axes,
//!    ticks, legend and clipping;
//! 4. add a variant to the private `Plot` enum and its three `match`es.
//!
//! Colours come from [`crate::theme`] in the scenario's policy order, as in the app.

mod analyses;
mod decision;
mod distributions;
mod jurisdictions;
pub(crate) mod style;
mod tail;
mod time;

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analysis::decision::Decision;
use crate::analysis::sensitivity::Sensitivity;
use crate::analysis::sweep::{BestThreshold, Sweep, Sweep2d};
use crate::analysis::{SeriesSummary, Summary};
use crate::export::data::write_atomic;
use crate::export::json::ProvenanceJson;
use crate::model::Scenario;
use crate::sim::Results;
use crate::study::{Part, Provenance, Study, StudyNote};

pub use style::FONT_FAMILY;
use style::{Area, DrawResult, FrameSpec, Style};

/// Every figure Tierlab draws. `name()` is the file stem and the CLI's name for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    /// Density of net welfare per policy (benefit minus harm).
    NetDistribution,
    /// Density of discounted benefit per policy.
    BenefitDistribution,
    /// Density of discounted harm per policy, on a log axis.
    HarmDistribution,
    /// Empirical CDFs of benefit, harm and net.
    Ecdf,
    /// P(harm > x) on log-log axes, with binomial error bands.
    HarmExceedance,
    /// Fan chart of cumulative benefit over time, per policy.
    FanBenefit,
    /// Fan chart of cumulative harm over time, per policy.
    FanHarm,
    /// Frontier, open-weight pool and hazard threshold over time, per policy.
    FrontierOpenPool,
    /// Frontier-development shares of jurisdictions over time, per policy.
    SharesOverTime,
    /// Mean benefit and harm per jurisdiction and policy.
    JurisdictionBars,
    /// Distribution of each policy's net minus the baseline policy's, run by run.
    PairedDifference,
    /// Expected net, P(catastrophe) and CVaR95 against a swept threshold (needs a sweep).
    ThresholdCurves,
    /// Expected benefit against CVaR95 of harm per grid point of a sweep, Pareto front marked.
    Frontier,
    /// Paired net difference to the baseline over a 2-D sweep, with the P(better) = 0.5 contour.
    Heatmap,
    /// One-at-a-time swings of the output per uncertain parameter (needs a sensitivity analysis).
    Tornado,
    /// PRIM's coverage/density trade-off with the chosen box (needs a decision analysis).
    PrimTradeoff,
    /// The chosen PRIM box: each restriction within its parameter's sampled range.
    PrimBox,
    /// Mean and 95th-percentile regret per policy.
    Regret,
    /// EVPPI per uncertain parameter, ranked, against EVPI.
    Evppi,
}

/// What a figure needs beyond the outcomes and the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    None,
    /// Per-step series ([`FigureInput::series`]).
    Series,
    /// Per-jurisdiction summaries (recorded jurisdictions).
    Jurisdictions,
    /// At least two policies.
    TwoPolicies,
    /// A 1-D threshold sweep ([`FigureInput::sweep`]).
    Sweep,
    /// A 2-D sweep ([`FigureInput::sweep_2d`]).
    Sweep2d,
    /// A sensitivity analysis with a tornado ([`FigureInput::sensitivity`]).
    Sensitivity,
    /// A decision analysis ([`FigureInput::decision`]).
    Decision,
}

impl Requirement {
    /// The part of a study that makes what the figure needs (`None`: the main simulation).
    pub fn part(self) -> Option<Part> {
        match self {
            Requirement::Sweep => Some(Part::Sweep),
            Requirement::Sweep2d => Some(Part::Sweep2d),
            Requirement::Sensitivity => Some(Part::Sensitivity),
            Requirement::Decision => Some(Part::Decision),
            Requirement::None | Requirement::Series | Requirement::Jurisdictions | Requirement::TwoPolicies => None,
        }
    }
}

/// The parts of a study that the figures `kinds` need besides the main simulation.
pub fn parts_for(kinds: &[FigureKind]) -> Vec<Part> {
    let mut parts: Vec<Part> = kinds.iter().filter_map(|k| k.requirement().part()).collect();
    parts.dedup();
    parts
}

impl FigureKind {
    /// Every figure, in the order a report shows them.
    pub const ALL: [FigureKind; 19] = [
        FigureKind::NetDistribution,
        FigureKind::BenefitDistribution,
        FigureKind::HarmDistribution,
        FigureKind::Ecdf,
        FigureKind::HarmExceedance,
        FigureKind::FanBenefit,
        FigureKind::FanHarm,
        FigureKind::FrontierOpenPool,
        FigureKind::SharesOverTime,
        FigureKind::JurisdictionBars,
        FigureKind::PairedDifference,
        FigureKind::ThresholdCurves,
        FigureKind::Frontier,
        FigureKind::Heatmap,
        FigureKind::Tornado,
        FigureKind::PrimTradeoff,
        FigureKind::PrimBox,
        FigureKind::Regret,
        FigureKind::Evppi,
    ];

    pub fn all() -> &'static [FigureKind] {
        &Self::ALL
    }

    /// File stem and CLI name, e.g. "harm_exceedance".
    pub fn name(self) -> &'static str {
        match self {
            FigureKind::NetDistribution => "net_distribution",
            FigureKind::BenefitDistribution => "benefit_distribution",
            FigureKind::HarmDistribution => "harm_distribution",
            FigureKind::Ecdf => "ecdf",
            FigureKind::HarmExceedance => "harm_exceedance",
            FigureKind::FanBenefit => "fan_benefit",
            FigureKind::FanHarm => "fan_harm",
            FigureKind::FrontierOpenPool => "frontier_open_pool",
            FigureKind::SharesOverTime => "shares_over_time",
            FigureKind::JurisdictionBars => "jurisdiction_bars",
            FigureKind::PairedDifference => "paired_difference",
            FigureKind::ThresholdCurves => "threshold_curves",
            FigureKind::Frontier => "benefit_risk_frontier",
            FigureKind::Heatmap => "sweep_heatmap",
            FigureKind::Tornado => "tornado",
            FigureKind::PrimTradeoff => "prim_tradeoff",
            FigureKind::PrimBox => "prim_box",
            FigureKind::Regret => "regret",
            FigureKind::Evppi => "evppi",
        }
    }

    /// The figure's title.
    pub fn title(self) -> &'static str {
        match self {
            FigureKind::NetDistribution => "Net welfare per policy",
            FigureKind::BenefitDistribution => "Benefit per policy",
            FigureKind::HarmDistribution => "Harm per policy",
            FigureKind::Ecdf => "Cumulative distributions of benefit, harm and net welfare",
            FigureKind::HarmExceedance => "Harm tail: probability that total harm exceeds x",
            FigureKind::FanBenefit => "Cumulative benefit over time",
            FigureKind::FanHarm => "Cumulative harm over time",
            FigureKind::FrontierOpenPool => "Frontier, open-weight pool and hazard threshold",
            FigureKind::SharesOverTime => "Where frontier development happens",
            FigureKind::JurisdictionBars => "Benefit and harm by jurisdiction",
            FigureKind::PairedDifference => "Difference to the baseline policy in the same worlds",
            FigureKind::ThresholdCurves => "Outcomes against the swept threshold",
            FigureKind::Frontier => "Benefit against tail risk across the sweep",
            FigureKind::Heatmap => "Difference to the baseline across two parameters",
            FigureKind::Tornado => "What moves the outcome most (one at a time)",
            FigureKind::PrimTradeoff => "Scenario discovery: coverage against density",
            FigureKind::PrimBox => "Scenario discovery: the worlds where it happens",
            FigureKind::Regret => "Regret per policy across the worlds",
            FigureKind::Evppi => "What resolving each uncertainty is worth",
        }
    }

    /// One sentence on how to read the figure (for reports and tooltips).
    pub fn about(self) -> &'static str {
        match self {
            FigureKind::NetDistribution => {
                "Kernel density of net welfare (discounted benefit minus harm) over all runs; dashed lines mark the means."
            }
            FigureKind::BenefitDistribution => {
                "Kernel density of discounted benefit over all runs; dashed lines mark the means."
            }
            FigureKind::HarmDistribution => {
                "Density of discounted harm on a log scale (per decade of harm); dashed lines mark the means, which the rare large harms pull far to the right of the typical run."
            }
            FigureKind::Ecdf => {
                "Share of runs at or below each value: a curve further right is better for benefit and net, worse for harm."
            }
            FigureKind::HarmExceedance => {
                "Share of runs whose total harm exceeds x, on log-log axes; the shaded bands are 95% binomial Monte Carlo intervals, wide where few runs reach the tail."
            }
            FigureKind::FanBenefit => {
                "Cumulative discounted benefit: median (line), mean (dashed), middle 50% and 90% of runs (bands)."
            }
            FigureKind::FanHarm => {
                "Cumulative discounted harm: median (line), mean (dashed), middle 50% and 90% of runs (bands); the mean runs above the median because of rare large harms."
            }
            FigureKind::FrontierOpenPool => {
                "The world frontier and the open-weight pool (median and 90% of runs) against the hazard threshold (central value and 90% range of its uncertainty)."
            }
            FigureKind::SharesOverTime => {
                "Mean share of frontier development capacity in each jurisdiction, stacked: development drifting toward laxer rules."
            }
            FigureKind::JurisdictionBars => {
                "Mean discounted benefit and harm landing in each jurisdiction, with 95% Monte Carlo intervals."
            }
            FigureKind::PairedDifference => {
                "Net welfare of each policy minus the baseline policy's in the same simulated world: where the curve crosses zero, one minus P(better)."
            }
            FigureKind::ThresholdCurves => {
                "Expected net welfare (band: ± 2 standard errors), P(catastrophe) (band: 95% Wilson interval) and CVaR95 of harm at each value of the swept parameter; the dashed line marks the policy as it stands."
            }
            FigureKind::Frontier => {
                "Each grid point of the sweep by its expected benefit (bars: ± 2 standard errors) and the mean of its worst 5% of harms; the connected points are Pareto efficient: no other point has more benefit with less tail risk."
            }
            FigureKind::Heatmap => {
                "Mean paired net difference to the baseline policy at each combination of the swept threshold and a world parameter (blue better, red worse); the black line is where P(better than baseline) = 0.5."
            }
            FigureKind::Tornado => {
                "Mean output with each uncertain parameter held at its 10th and at its 90th percentile in every run, the others drawn as usual; sorted by swing, the line is the mean with everything drawn."
            }
            FigureKind::PrimTradeoff => {
                "Each point is a box of PRIM's peeling trajectory: further right catches more of the worlds where the event happens, higher holds fewer worlds where it does not; the red point is the chosen box after pasting."
            }
            FigureKind::PrimBox => {
                "The chosen box's rules: for each restricted parameter, the part of its sampled range inside the box (red), most significant restriction first, with its quasi-p-value."
            }
            FigureKind::Regret => {
                "Regret in a world is the best net any policy achieves there minus this policy's net; bars show its mean (solid, with ± 2 standard errors) and 95th percentile (light) over the same worlds."
            }
            FigureKind::Evppi => {
                "Expected value of partial perfect information: how much expected net welfare knowing each parameter before choosing among the policies would add (bars ± 2 standard errors); the dashed line is the value of knowing everything (EVPI)."
            }
        }
    }

    /// Looks a figure up by its name.
    pub fn from_name(name: &str) -> Option<FigureKind> {
        Self::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// The valid names, comma separated (for error messages).
    pub fn names() -> String {
        Self::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
    }

    /// What the figure needs beyond the outcomes and summary.
    pub fn requirement(self) -> Requirement {
        match self {
            FigureKind::FanBenefit
            | FigureKind::FanHarm
            | FigureKind::FrontierOpenPool
            | FigureKind::SharesOverTime => Requirement::Series,
            FigureKind::JurisdictionBars => Requirement::Jurisdictions,
            FigureKind::PairedDifference => Requirement::TwoPolicies,
            FigureKind::ThresholdCurves | FigureKind::Frontier => Requirement::Sweep,
            FigureKind::Heatmap => Requirement::Sweep2d,
            FigureKind::Tornado => Requirement::Sensitivity,
            FigureKind::PrimTradeoff | FigureKind::PrimBox | FigureKind::Regret | FigureKind::Evppi => {
                Requirement::Decision
            }
            _ => Requirement::None,
        }
    }

    /// Whether `input` holds what this figure needs.
    pub fn available(self, input: &FigureInput<'_>) -> bool {
        check_requirement(self, input).is_ok()
    }
}

impl std::fmt::Display for FigureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Svg, Format::Png];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// "svg" or "png" (case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }
}

/// Size of a figure. The layout (and the SVG) is `width` x `height` CSS pixels; a PNG has
/// `png_scale` pixels per layout pixel, fonts and lines scaled alike, so the default PNG is
/// 2400 x 1500.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FigureOptions {
    pub width: u32,
    pub height: u32,
    pub png_scale: u32,
}

impl Default for FigureOptions {
    fn default() -> Self {
        FigureOptions { width: 1200, height: 750, png_scale: 2 }
    }
}

impl FigureOptions {
    /// Smallest and largest layout size accepted.
    pub const MIN_SIZE: u32 = 480;
    pub const MAX_SIZE: u32 = 4000;
    pub const MAX_PNG_SCALE: u32 = 8;

    /// The output size in pixels.
    pub fn pixels(&self, format: Format) -> (u32, u32) {
        match format {
            Format::Svg => (self.width, self.height),
            Format::Png => (self.width * self.png_scale, self.height * self.png_scale),
        }
    }

    fn check(&self) -> Result<(), FigureError> {
        let size_ok = |x: u32| (Self::MIN_SIZE..=Self::MAX_SIZE).contains(&x);
        if !size_ok(self.width) || !size_ok(self.height) || !(1..=Self::MAX_PNG_SCALE).contains(&self.png_scale) {
            return Err(FigureError::Options(format!(
                "width and height must be {}..={} and png_scale 1..={} (got {} x {}, scale {})",
                Self::MIN_SIZE,
                Self::MAX_SIZE,
                Self::MAX_PNG_SCALE,
                self.width,
                self.height,
                self.png_scale
            )));
        }
        Ok(())
    }
}

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

#[derive(Debug, thiserror::Error)]
pub enum FigureError {
    #[error("unknown figure \"{name}\"; valid figures: {valid}")]
    UnknownFigure { name: String, valid: String },
    #[error("figure {figure} needs {what}")]
    MissingData { figure: &'static str, what: String },
    #[error("invalid figure options: {0}")]
    Options(String),
    #[error("the embedded font could not be loaded")]
    Font,
    #[error("could not draw figure {figure}: {message}")]
    Draw { figure: &'static str, message: String },
    #[error("could not encode the PNG: {0}")]
    Encode(String),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl FigureKind {
    /// Parses a figure name, with the valid names in the error.
    ///
    /// # Errors
    /// The name is not a figure's.
    pub fn parse(name: &str) -> Result<FigureKind, FigureError> {
        FigureKind::from_name(name)
            .ok_or_else(|| FigureError::UnknownFigure { name: name.to_string(), valid: FigureKind::names() })
    }
}

fn check_requirement(kind: FigureKind, input: &FigureInput<'_>) -> Result<(), FigureError> {
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
            _ => missing("a decision analysis on paired worlds (tierlab discover)"),
        },
    }
}

/// The data of one figure kind, computed from the results.
enum Plot {
    Density(distributions::Density),
    Ecdf(distributions::Ecdf),
    Paired(distributions::Paired),
    Exceedance(tail::Exceedance),
    Fan(time::Fan),
    Capability(time::Capability),
    Shares(time::Shares),
    Jurisdictions(jurisdictions::Bars),
    Curves(analyses::Curves),
    Frontier(analyses::Frontier),
    Heatmap(analyses::Heatmap),
    Tornado(analyses::Tornado),
    Tradeoff(decision::Tradeoff),
    ChosenBox(decision::ChosenBox),
    Regret(decision::RegretChart),
    Evppi(decision::EvppiBars),
}

impl Plot {
    fn compute(kind: FigureKind, input: &FigureInput<'_>) -> Result<Plot, FigureError> {
        Ok(match kind {
            FigureKind::NetDistribution => {
                Plot::Density(distributions::Density::compute(input, distributions::Measure::Net))
            }
            FigureKind::BenefitDistribution => {
                Plot::Density(distributions::Density::compute(input, distributions::Measure::Benefit))
            }
            FigureKind::HarmDistribution => {
                Plot::Density(distributions::Density::compute(input, distributions::Measure::Harm))
            }
            FigureKind::Ecdf => Plot::Ecdf(distributions::Ecdf::compute(input)),
            FigureKind::PairedDifference => Plot::Paired(distributions::Paired::compute(input)),
            FigureKind::HarmExceedance => Plot::Exceedance(tail::Exceedance::compute(input)),
            FigureKind::FanBenefit => Plot::Fan(time::Fan::compute(input, time::FanMetric::Benefit)?),
            FigureKind::FanHarm => Plot::Fan(time::Fan::compute(input, time::FanMetric::Harm)?),
            FigureKind::FrontierOpenPool => Plot::Capability(time::Capability::compute(input)?),
            FigureKind::SharesOverTime => Plot::Shares(time::Shares::compute(input)?),
            FigureKind::JurisdictionBars => Plot::Jurisdictions(jurisdictions::Bars::compute(input)),
            FigureKind::ThresholdCurves => Plot::Curves(analyses::Curves::compute(input)?),
            FigureKind::Frontier => Plot::Frontier(analyses::Frontier::compute(input)?),
            FigureKind::Heatmap => Plot::Heatmap(analyses::Heatmap::compute(input)?),
            FigureKind::Tornado => Plot::Tornado(analyses::Tornado::compute(input)?),
            FigureKind::PrimTradeoff => Plot::Tradeoff(decision::Tradeoff::compute(input)?),
            FigureKind::PrimBox => Plot::ChosenBox(decision::ChosenBox::compute(input)?),
            FigureKind::Regret => Plot::Regret(decision::RegretChart::compute(input)?),
            FigureKind::Evppi => Plot::Evppi(decision::EvppiBars::compute(input)?),
        })
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        match self {
            Plot::Density(p) => p.draw(root, st, frame),
            Plot::Ecdf(p) => p.draw(root, st, frame),
            Plot::Paired(p) => p.draw(root, st, frame),
            Plot::Exceedance(p) => p.draw(root, st, frame),
            Plot::Fan(p) => p.draw(root, st, frame),
            Plot::Capability(p) => p.draw(root, st, frame),
            Plot::Shares(p) => p.draw(root, st, frame),
            Plot::Jurisdictions(p) => p.draw(root, st, frame),
            Plot::Curves(p) => p.draw(root, st, frame),
            Plot::Frontier(p) => p.draw(root, st, frame),
            Plot::Heatmap(p) => p.draw(root, st, frame),
            Plot::Tornado(p) => p.draw(root, st, frame),
            Plot::Tradeoff(p) => p.draw(root, st, frame),
            Plot::ChosenBox(p) => p.draw(root, st, frame),
            Plot::Regret(p) => p.draw(root, st, frame),
            Plot::Evppi(p) => p.draw(root, st, frame),
        }
    }

    fn data(&self) -> serde_json::Value {
        let v = match self {
            Plot::Density(p) => serde_json::to_value(p),
            Plot::Ecdf(p) => serde_json::to_value(p),
            Plot::Paired(p) => serde_json::to_value(p),
            Plot::Exceedance(p) => serde_json::to_value(p),
            Plot::Fan(p) => serde_json::to_value(p),
            Plot::Capability(p) => serde_json::to_value(p),
            Plot::Shares(p) => serde_json::to_value(p),
            Plot::Jurisdictions(p) => serde_json::to_value(p),
            Plot::Curves(p) => serde_json::to_value(p),
            Plot::Frontier(p) => serde_json::to_value(p),
            Plot::Heatmap(p) => serde_json::to_value(p),
            Plot::Tornado(p) => serde_json::to_value(p),
            Plot::Tradeoff(p) => serde_json::to_value(p),
            Plot::ChosenBox(p) => serde_json::to_value(p),
            Plot::Regret(p) => serde_json::to_value(p),
            Plot::Evppi(p) => serde_json::to_value(p),
        };
        // Plot data are plain numbers and strings; NaN becomes null.
        v.unwrap_or(serde_json::Value::Null)
    }
}

/// A figure computed from the results, ready to draw in any format.
pub struct Figure {
    kind: FigureKind,
    caption: String,
    provenance: Provenance,
    plot: Plot,
}

/// The sidecar written next to every figure (same stem, `.json`).
#[derive(Serialize)]
struct Sidecar<'a> {
    figure: &'static str,
    title: &'static str,
    about: &'static str,
    caption: &'a str,
    provenance: ProvenanceJson,
    /// The plotted data, with Monte Carlo errors.
    data: serde_json::Value,
}

/// Computes the data of a figure.
///
/// # Errors
/// The input lacks what the figure needs ([`FigureError::MissingData`]).
pub fn prepare(kind: FigureKind, input: &FigureInput<'_>) -> Result<Figure, FigureError> {
    check_requirement(kind, input)?;
    let plot = Plot::compute(kind, input)?;
    // The provenance (and caption) of a figure gives the runs it was drawn from.
    let mut provenance = input.provenance.clone();
    provenance.runs = input.runs_behind(kind);
    Ok(Figure { kind, caption: provenance.caption(), provenance, plot })
}

impl Figure {
    pub fn kind(&self) -> FigureKind {
        self.kind
    }

    /// The figure as SVG text or PNG bytes.
    ///
    /// # Errors
    /// Invalid options, or drawing or encoding fails.
    pub fn render(&self, format: Format, opts: &FigureOptions) -> Result<Vec<u8>, FigureError> {
        match format {
            Format::Svg => self.svg(opts).map(String::into_bytes),
            Format::Png => self.png(opts),
        }
    }

    fn frame_spec(&self) -> FrameSpec<'_> {
        FrameSpec { title: self.kind.title(), legend: &[], notes: &[], caption: &self.caption }
    }

    fn draw_error(&self, e: &dyn std::fmt::Display) -> FigureError {
        FigureError::Draw { figure: self.kind.name(), message: e.to_string() }
    }

    /// The figure as SVG text (no timestamps: the same input gives the same bytes).
    ///
    /// # Errors
    /// Invalid options, or drawing fails.
    pub fn svg(&self, opts: &FigureOptions) -> Result<String, FigureError> {
        opts.check()?;
        style::ensure_font()?;
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, opts.pixels(Format::Svg)).into_drawing_area();
            let st = Style { scale: 1.0 };
            self.plot.draw(&root, &st, &self.frame_spec()).map_err(|e| self.draw_error(&e))?;
            root.present().map_err(|e| self.draw_error(&e))?;
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        Ok(text)
    }

    /// The figure as PNG bytes, `png_scale` times the layout size.
    ///
    /// # Errors
    /// Invalid options, or drawing or encoding fails.
    pub fn png(&self, opts: &FigureOptions) -> Result<Vec<u8>, FigureError> {
        opts.check()?;
        style::ensure_font()?;
        let (w, h) = opts.pixels(Format::Png);
        let mut pixels = vec![255u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            let st = Style { scale: f64::from(opts.png_scale) };
            self.plot.draw(&root, &st, &self.frame_spec()).map_err(|e| self.draw_error(&e))?;
            root.present().map_err(|e| self.draw_error(&e))?;
        }
        let mut out = Vec::new();
        {
            use image::ImageEncoder as _;
            let encoder = image::codecs::png::PngEncoder::new(&mut out);
            encoder
                .write_image(&pixels, w, h, image::ExtendedColorType::Rgb8)
                .map_err(|e| FigureError::Encode(e.to_string()))?;
        }
        Ok(out)
    }

    /// The sidecar: figure, caption, provenance and the plotted data.
    pub fn sidecar(&self) -> serde_json::Value {
        let car = Sidecar {
            figure: self.kind.name(),
            title: self.kind.title(),
            about: self.kind.about(),
            caption: &self.caption,
            provenance: ProvenanceJson::from(&self.provenance),
            data: self.plot.data(),
        };
        serde_json::to_value(&car).unwrap_or(serde_json::Value::Null)
    }

    /// The sidecar as pretty-printed JSON text.
    pub fn sidecar_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.sidecar()).unwrap_or_else(|_| "null".into());
        s.push('\n');
        s
    }

    /// Writes the figure to `path` and its sidecar next to it, both atomically.
    ///
    /// # Errors
    /// Drawing fails or a file cannot be written.
    pub fn write(&self, format: Format, path: &Path, opts: &FigureOptions) -> Result<(), FigureError> {
        let bytes = self.render(format, opts)?;
        write_atomic(path, &bytes).map_err(|source| FigureError::Io { path: path.to_path_buf(), source })?;
        let car = sidecar_path(path);
        write_atomic(&car, self.sidecar_json().as_bytes()).map_err(|source| FigureError::Io { path: car, source })
    }
}

/// The sidecar's path for a figure's path: the same stem with `.json`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    path.with_extension("json")
}

/// Computes, draws and writes one figure and its JSON sidecar (same stem, `.json`).
///
/// # Errors
/// The input lacks what the figure needs, drawing fails, or a file cannot be written.
pub fn render(
    kind: FigureKind,
    input: &FigureInput<'_>,
    format: Format,
    path: &Path,
    opts: &FigureOptions,
) -> Result<(), FigureError> {
    prepare(kind, input)?.write(format, path, opts)
}

/// Policy identity as the sidecars record it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PolicyRef {
    pub index: usize,
    pub name: String,
    pub color: String,
}

pub(crate) fn policy_refs(scenario: &Scenario) -> Vec<PolicyRef> {
    scenario
        .policies()
        .iter()
        .enumerate()
        .map(|(i, p)| PolicyRef { index: i, name: p.name.clone(), color: style::hex(crate::theme::policy_color(i)) })
        .collect()
}
