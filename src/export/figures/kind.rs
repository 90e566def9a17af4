//! Which figures there are: their names, titles, how to read them and what each needs.

use serde::{Deserialize, Serialize};

use crate::study::Part;

use super::error::FigureError;

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
            FigureKind::PairedDifference => "Difference to the reference policy in the same worlds",
            FigureKind::ThresholdCurves => "Outcomes against the swept threshold",
            FigureKind::Frontier => "Benefit against tail risk across the sweep",
            FigureKind::Heatmap => "Difference to the reference policy across two parameters",
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
                "Net welfare of each policy minus the reference policy's in the same simulated world: where the curve crosses zero, one minus P(better)."
            }
            FigureKind::ThresholdCurves => {
                "Expected net welfare (band: ± 2 standard errors), P(catastrophe) (band: 95% Wilson interval) and CVaR95 of harm at each value of the swept parameter; the dashed line marks the policy as it stands."
            }
            FigureKind::Frontier => {
                "Each grid point of the sweep by its expected benefit (bars: ± 2 standard errors) and the mean of its worst 5% of harms; the connected points are Pareto efficient: no other point has more benefit with less tail risk."
            }
            FigureKind::Heatmap => {
                "Mean paired net difference to the reference policy at each combination of the swept threshold and a world parameter (blue better, red worse); the black line is where P(better than reference) = 0.5."
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
}

impl std::fmt::Display for FigureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
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
