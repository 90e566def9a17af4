//! The analyses section: the threshold sweep, the heat map, the sensitivity ranking and the
//! decision support, each in words with its tables and figures, as blocks that the HTML and
//! the Markdown render.

use std::fmt::Write as _;

use crate::analysis::sensitivity::Output;
use crate::analysis::sweep::{BestThreshold, Sweep, SweepParam, SweepPoint};
use crate::export::figures::{FigureInput, FigureKind};
use crate::fmt;
use crate::study::Part;

use super::figure::{ReportFigure, is_analysis};

/// A piece of the analyses section, rendered as HTML or Markdown.
pub(super) enum Block<'a> {
    Heading(String),
    Para(String),
    /// A smaller, muted paragraph (how it was computed, what was left out).
    Meta(String),
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        numeric_from: usize,
    },
    Figure(&'a ReportFigure),
}

/// Rows of the sensitivity table in a report.
pub const SENSITIVITY_ROWS: usize = 10;

/// A world parameter's value with its unit: "27.5 log10 FLOP".
pub(super) fn world_value(key: &str, x: f64) -> String {
    match crate::model::params::describe_key(key) {
        Some(p) if !p.unit.is_empty() => format!("{} {}", fmt::grid(x), p.unit),
        _ => fmt::grid(x),
    }
}

/// The best threshold in one or two sentences, every number with its unit.
pub fn best_threshold_sentence(sweep: &Sweep, best: &BestThreshold) -> String {
    let key = sweep.param.key();
    let n = sweep.points.len();
    let cap = best.constraint.describe();
    let Some(b) = &best.best else {
        let lowest = sweep.points.iter().min_by(|a, b| a.p_catastrophe.total_cmp(&b.p_catastrophe));
        let mut s = format!("No grid point meets the cap ({cap}).");
        if let Some(p) = lowest {
            let _ = write!(
                s,
                " The lowest P(catastrophe) on the grid is {}, at {key} = {}.",
                fmt::probability(p.p_catastrophe),
                sweep.label(p.value)
            );
        }
        return s;
    };
    let mut s = format!(
        "Best {key} under the cap: {}, with expected net welfare {}, P(catastrophe) {:.3} and CVaR95 of harm {} \
         ({} of {n} grid points meet the cap: {cap}).",
        sweep.label(b.value),
        fmt::money_plus_minus(b.net_mean, b.net_se),
        b.p_catastrophe,
        fmt::money(b.cvar95_harm),
        best.feasible_points,
    );
    let boot = &b.bootstrap;
    if boot.replicates > 0 {
        let _ = write!(
            s,
            " Resampling the runs ({} bootstrap replicates), the same grid point is chosen {} of the time",
            boot.replicates,
            fmt::percent(boot.share_same)
        );
        if let (Some(lo), Some(hi)) = (boot.value_p5, boot.value_p95) {
            let _ = write!(s, " and 90% of the choices lie between {} and {}", fmt::grid(lo), fmt::grid(hi));
        }
        if boot.share_none > 0.0 {
            let _ = write!(s, "; {} of the resamples meet no cap", fmt::percent(boot.share_none));
        }
        s.push('.');
    }
    if let Some(end) = sweep.grid_end(b.value) {
        let _ = write!(s, " It is the grid's {end} value: a better one may lie beyond the grid.");
    }
    s
}

pub(super) fn notes_of<'a>(input: &FigureInput<'a>, part: Part) -> impl Iterator<Item = Block<'a>> + use<'a> {
    input.notes.iter().filter(move |n| n.part == part).map(|n| Block::Meta(n.text.clone()))
}

/// The analyses section: the threshold sweep, the heat map and the sensitivity ranking, each
/// with what it shows in words, its figures, and what was left out and why.
pub(super) fn analysis_blocks<'a>(
    input: &FigureInput<'a>,
    figures: &'a [ReportFigure],
    skipped: &[(FigureKind, String)],
) -> Vec<Block<'a>> {
    let figure = |kind: FigureKind| figures.iter().find(|f| f.kind == kind).map(Block::Figure);
    // A figure left out for a reason a note already gives is only named.
    let not_drawn = |kinds: &[FigureKind], part: Part| -> Vec<Block<'a>> {
        let explained = input.notes.iter().any(|n| n.part == part);
        let missing: Vec<&(FigureKind, String)> = skipped.iter().filter(|(k, _)| kinds.contains(k)).collect();
        if missing.is_empty() {
            Vec::new()
        } else if explained {
            let titles: Vec<&str> = missing.iter().map(|(k, _)| k.title()).collect();
            vec![Block::Meta(format!("Not drawn: {}.", titles.join("; ")))]
        } else {
            missing
                .iter()
                .map(|(k, why)| Block::Meta(format!("Not drawn: {} ({}).", k.title(), why.trim_end_matches('.'))))
                .collect()
        }
    };
    if input.sweep.is_none() && input.sweep_2d.is_none() && input.sensitivity.is_none() && input.decision.is_none() {
        let mut out: Vec<Block<'a>> = input.notes.iter().map(|n| Block::Para(n.text.clone())).collect();
        if out.is_empty() {
            out.push(Block::Para("This report has no threshold sweep, heat map or sensitivity analysis.".into()));
        }
        let titles: Vec<&str> = skipped.iter().filter(|(k, _)| is_analysis(*k)).map(|(k, _)| k.title()).collect();
        if !titles.is_empty() {
            out.push(Block::Meta(format!("Not drawn: {}.", titles.join("; "))));
        }
        return out;
    }
    let mut out: Vec<Block<'a>> = vec![Block::Para(
        "Each analysis below runs on common random numbers: every grid point and every parameter setting sees the \
         same simulated worlds, so the differences between them come from the setting, not from chance. Each says \
         how many runs it used."
            .into(),
    )];
    out.extend(notes_of(input, Part::Simulation));

    out.push(Block::Heading("Threshold sweep".into()));
    match input.sweep {
        Some(sw) => {
            let key = sw.param.key();
            let (from, to) = min_max(sw.points.iter().map(|p| p.value));
            let moves = match sw.param {
                SweepParam::OpenBelow => " (each regime's gated_below moves with it, keeping its gap)",
                SweepParam::GatedBelow => " (a value below a regime's open_below is raised to it)",
                SweepParam::Drift => " (the yearly drift of both ceilings)",
            };
            out.push(Block::Para(format!(
                "{key} of policy \"{}\"{moves} swept from {} to {} in {} grid points, {} runs per point (seed {}). \
                 As it stands ({key} = {}): expected net welfare {}, P(catastrophe) {:.3} [{:.3}, {:.3}], CVaR95 of \
                 harm {}, expected net difference to \"{}\" {}.",
                sw.policy,
                sw.label(from),
                sw.label(to),
                sw.points.len(),
                fmt::grouped(sw.runs as f64),
                sw.seed,
                sw.label(sw.current_value),
                fmt::money_plus_minus(sw.current.net_mean, sw.current.net_se),
                sw.current.p_catastrophe,
                sw.current.p_catastrophe_lo,
                sw.current.p_catastrophe_hi,
                fmt::money(sw.current.cvar95_harm),
                sw.reference,
                fmt::money_plus_minus(sw.current.net_diff_mean, sw.current.net_diff_se),
            )));
            let extreme = |f: fn(&SweepPoint) -> f64| {
                sw.points.iter().max_by(|a, b| f(a).total_cmp(&f(b))).map(|p| (p.value, f(p)))
            };
            if let (Some((v_net, net)), Some((v_cat, _))) = (extreme(|p| p.net_mean), extreme(|p| -p.p_catastrophe)) {
                let lowest = sw.points.iter().map(|p| p.p_catastrophe).fold(f64::INFINITY, f64::min);
                out.push(Block::Para(format!(
                    "Across the grid, expected net welfare is highest at {key} = {} ({}), and P(catastrophe) is \
                     lowest at {key} = {} ({lowest:.3}).",
                    sw.label(v_net),
                    fmt::money(net),
                    sw.label(v_cat),
                )));
            }
            out.extend(notes_of(input, Part::Sweep));
            if let Some(best) = input.best_threshold {
                out.push(Block::Para(best_threshold_sentence(sw, best)));
            }
        }
        None => out.extend(notes_of(input, Part::Sweep)),
    }
    out.extend([FigureKind::ThresholdCurves, FigureKind::Frontier].into_iter().filter_map(figure));
    out.extend(not_drawn(&[FigureKind::ThresholdCurves, FigureKind::Frontier], Part::Sweep));

    match input.sweep_2d {
        Some(sw) => {
            let key = sw.param.key();
            out.push(Block::Heading(format!("Heat map: {key} against {}", sw.param2)));
            let (from, to) = min_max(sw.values.iter().copied());
            let (from2, to2) = min_max(sw.values2.iter().copied());
            out.push(Block::Para(format!(
                "{key} of policy \"{}\" from {} to {} ({} values) against {} from {} to {} ({} values), the world \
                 parameter set to each value in every run while the others keep their draws; {} runs per cell (seed \
                 {}), each cell paired against \"{}\".",
                sw.policy,
                sw.label(from),
                sw.label(to),
                sw.values.len(),
                sw.param2,
                world_value(&sw.param2, from2),
                world_value(&sw.param2, to2),
                sw.values2.len(),
                fmt::grouped(sw.runs as f64),
                sw.seed,
                sw.reference,
            )));
            let (lo, hi) = min_max(sw.cells.iter().map(|c| c.point.p_better_than_reference));
            let contour = if sw.contour_p_better_half.is_empty() {
                format!(
                    "P(better than \"{}\") ranges from {lo:.3} to {hi:.3} across the grid; it {} 0.5, so the heat map \
                     has no P(better) = 0.5 line.",
                    sw.reference,
                    if hi < 0.5 { "stays below" } else { "stays above" }
                )
            } else {
                format!(
                    "P(better than \"{}\") ranges from {lo:.3} to {hi:.3} across the grid; the black line marks where \
                     it is 0.5.",
                    sw.reference
                )
            };
            let best = sw.cells.iter().max_by(|a, b| a.point.net_diff_mean.total_cmp(&b.point.net_diff_mean));
            let worst = sw.cells.iter().min_by(|a, b| a.point.net_diff_mean.total_cmp(&b.point.net_diff_mean));
            let mut text = contour;
            if let (Some(b), Some(w)) = (best, worst) {
                let _ = write!(
                    text,
                    " The mean net difference runs from {} ({key} = {}, {} = {}) to {} ({key} = {}, {} = {}).",
                    fmt::money_plus_minus(w.point.net_diff_mean, w.point.net_diff_se),
                    fmt::grid(w.point.value),
                    sw.param2,
                    fmt::grid(w.value2),
                    fmt::money_plus_minus(b.point.net_diff_mean, b.point.net_diff_se),
                    fmt::grid(b.point.value),
                    sw.param2,
                    fmt::grid(b.value2),
                );
            }
            out.push(Block::Para(text));
        }
        None => out.push(Block::Heading("Heat map".into())),
    }
    out.extend(notes_of(input, Part::Sweep2d));
    out.extend(figure(FigureKind::Heatmap));
    out.extend(not_drawn(&[FigureKind::Heatmap], Part::Sweep2d));

    out.push(Block::Heading("Sensitivity: what drives the outcome".into()));
    if let Some(se) = input.sensitivity {
        let (what, unit) = match se.output {
            Output::Benefit => (format!("the benefit of \"{}\"", se.policy), "$B"),
            Output::Harm => (format!("the harm of \"{}\"", se.policy), "$B"),
            Output::Net => (format!("the net welfare of \"{}\"", se.policy), "$B"),
            Output::NetDiff => (
                format!("the net welfare of \"{}\" minus that of \"{}\" in the same run", se.policy, se.reference),
                "$B",
            ),
            Output::Catastrophe => (format!("whether \"{}\" suffers a catastrophe", se.policy), "share of runs"),
        };
        let mean = if unit == "$B" {
            fmt::money_plus_minus(se.output_mean, se.output_se)
        } else {
            format!("{:.3} ± {:.3}", se.output_mean, se.output_se)
        };
        out.push(Block::Para(format!(
            "Output: {what}; its mean is {mean} over {} runs (seed {}). Tornado: each of the {} uncertain world \
             parameters held at its 10th and then its 90th percentile in every run while the others keep their \
             draws; the swing is the change in the mean output. Spearman and PRCC (partial rank correlation, \
             which removes the other parameters' effects) are rank correlations with the output over the runs with \
             every parameter drawn, from -1 to 1.",
            fmt::grouped(se.runs as f64),
            se.seed,
            se.params.len()
        )));
        out.extend(notes_of(input, Part::Sensitivity));
        let shown = se.params.len().min(SENSITIVITY_ROWS);
        let header = vec![
            "Parameter".to_string(),
            "Unit".into(),
            "10th percentile".into(),
            "90th percentile".into(),
            "Spearman".into(),
            "PRCC".into(),
            format!("Mean at 10th ({unit})"),
            format!("Mean at 90th ({unit})"),
            format!("Swing ({unit})"),
        ];
        let outcome = |x: f64| if unit == "$B" { fmt::grouped(x) } else { fmt::probability(x) };
        let rows = se
            .params
            .iter()
            .take(shown)
            .map(|p| {
                vec![
                    p.param.clone(),
                    crate::model::params::ParamRef::of(p.index).unit().to_string(),
                    fmt::sig4(p.p10),
                    fmt::sig4(p.p90),
                    fmt::signed(p.spearman),
                    fmt::signed(p.prcc),
                    outcome(p.low),
                    outcome(p.high),
                    outcome(p.swing),
                ]
            })
            .collect();
        out.push(Block::Table { header, rows, numeric_from: 2 });
        out.push(Block::Meta(format!(
            "The {shown} parameters with the largest swings of {}, largest first{}.",
            se.params.len(),
            if shown < se.params.len() { "; the tornado's sidecar lists more" } else { "" }
        )));
    } else {
        out.extend(notes_of(input, Part::Sensitivity));
    }
    out.extend(figure(FigureKind::Tornado));
    out.extend(not_drawn(&[FigureKind::Tornado], Part::Sensitivity));
    if let Some(d) = input.decision {
        out.extend(decision_blocks(d, &figure));
    } else if input.notes.iter().any(|n| n.part == Part::Decision) {
        out.push(Block::Heading("Scenario discovery, regret and the value of information".into()));
        out.extend(notes_of(input, Part::Decision));
    }
    let decision_figures = [FigureKind::PrimTradeoff, FigureKind::PrimBox, FigureKind::Regret, FigureKind::Evppi];
    out.extend(not_drawn(&decision_figures, Part::Decision));
    out
}

/// Decision support: the PRIM box of the report's event, regret per policy and the value
/// of information, with their figures.
pub(super) fn decision_blocks<'a>(
    d: &crate::analysis::decision::Decision,
    figure: &dyn Fn(FigureKind) -> Option<Block<'a>>,
) -> Vec<Block<'a>> {
    let disc = &d.discovery;
    let mut out = vec![Block::Heading("Scenario discovery: when does it go wrong?".into())];
    out.push(Block::Para(format!(
        "Event: {} — in {} of {} paired worlds (seed {}). PRIM (patient rule induction) peels {} of the worlds per \
         step off the low or high end of one uncertain parameter, keeping the peel that leaves the highest share of \
         event worlds, down to {} of all worlds; the chosen box (number {} of {} on the trajectory: the one holding \
         the most event worlds beyond what the overall event rate would put in a box of its size) is then pasted \
         back where that keeps its density.",
        disc.event_text,
        fmt::grouped(disc.event_worlds as f64),
        fmt::grouped(disc.runs as f64),
        disc.seed,
        fmt::percent(disc.prim.alpha),
        fmt::percent(disc.prim.min_mass),
        disc.chosen,
        disc.trajectory.len()
    )));
    out.push(Block::Para(disc.statement.clone()));
    if !disc.chosen_box.restrictions.is_empty() {
        let rows = disc
            .chosen_box
            .restrictions
            .iter()
            .map(|r| vec![r.rule(), fmt::sig4(r.sampled_min), fmt::sig4(r.sampled_max), fmt::p_value(r.p_value)])
            .collect();
        let header = ["Rule", "Smallest draw", "Largest draw", "p-value"].map(String::from).to_vec();
        out.push(Block::Table { header, rows, numeric_from: 1 });
        out.push(Block::Meta(
            "p-value: the one-sided binomial chance of at least the box's event count among its worlds if the \
             event rate were that of the box without this restriction (EMA Workbench's quasi-p-value); a large \
             one says the restriction adds little."
                .into(),
        ));
    }
    out.extend(figure(FigureKind::PrimTradeoff));
    out.extend(figure(FigureKind::PrimBox));

    let r = &d.robustness;
    out.push(Block::Heading("Robustness: regret across the policies".into()));
    let name = |i: usize| r.options.get(i).map_or(String::new(), |o| o.name.clone());
    out.push(Block::Para(format!(
        "Regret of a policy in a world is the best net any policy achieves in that world minus its own, over the same \
         {} worlds. Best expected net: \"{}\". Minimax regret (least maximum regret): \"{}\". Least 95th-percentile \
         regret: \"{}\".",
        fmt::grouped(r.worlds as f64),
        name(r.best_expected),
        name(r.minimax_regret),
        name(r.min_p95_regret)
    )));
    let mut header = ["Policy", "Mean net ($B)", "Mean regret ($B)", "p95 regret ($B)", "Max regret ($B)", "Best in"]
        .map(String::from)
        .to_vec();
    if let Some(f) = r.floor {
        header.push(format!("Net ≥ {} $B in", fmt::bound(f)));
    }
    let rows = r
        .options
        .iter()
        .map(|o| {
            let mut row = vec![
                o.name.clone(),
                fmt::plus_minus_grouped(o.net_mean, o.net_se),
                fmt::plus_minus_grouped(o.regret_mean, o.regret_se),
                fmt::grouped(o.regret_p95),
                fmt::grouped(o.regret_max),
                fmt::percent(o.best_share),
            ];
            row.extend(o.satisficing_share.map(fmt::percent));
            row
        })
        .collect();
    out.push(Block::Table { header, rows, numeric_from: 1 });
    out.extend(figure(FigureKind::Regret));

    let v = &d.value_of_information;
    out.push(Block::Heading("Value of information: which uncertainty is worth resolving?".into()));
    out.push(Block::Para(format!(
        "{} EVPI (knowing the world exactly before choosing) = E[best net in each world] - best expected net = {}. \
         EVPPI per parameter: the worlds binned into {} equal-count bins of the parameter, the best policy chosen in \
         each bin; the selection bias of the same binning on random partitions ({} $B) is taken off.",
        v.statement,
        fmt::money_plus_minus(v.evpi, v.evpi_se),
        v.options.bins,
        fmt::number(v.bias)
    )));
    let rows = v
        .params
        .iter()
        .take(SENSITIVITY_ROWS)
        .map(|p| vec![p.param.clone(), fmt::plus_minus_grouped(p.evppi, p.evppi_se), fmt::percent(p.share_of_evpi)])
        .collect();
    let header = ["Parameter", "EVPPI ($B)", "Share of EVPI"].map(String::from).to_vec();
    out.push(Block::Table { header, rows, numeric_from: 1 });
    out.extend(figure(FigureKind::Evppi));
    out
}

pub(super) fn min_max(it: impl Iterator<Item = f64>) -> (f64, f64) {
    it.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
}
