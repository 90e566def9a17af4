//! What the analyses' figures share: missing-input errors, axis titles and ranges, a
//! policy's colour, inks, and the cells of a grid.

use plotters::prelude::*;

use crate::analysis::sweep::SweepParam;
use crate::export::figures::error::FigureError;
use crate::export::figures::input::FigureInput;
use crate::export::figures::kind::FigureKind;
use crate::export::figures::style::{Axis, MUTED, color};
use crate::model::Measure;
use crate::theme::{HAZARD, REFERENCE};

pub(super) const REFERENCE_INK: RGBColor = color(REFERENCE);

pub(super) fn missing(kind: FigureKind, what: &str) -> FigureError {
    FigureError::MissingData { figure: kind.name(), what: what.to_string() }
}

/// The x-axis title of a swept regime parameter, e.g. "open_below (log10 training FLOP)".
pub(super) fn param_title(param: SweepParam, measure: Option<Measure>) -> String {
    format!("{} ({})", param.key(), param.unit(measure))
}

/// `world.KEY` with its unit, e.g. "world.hazard_threshold (log10 FLOP)".
pub(super) fn world_title(key: &str) -> String {
    match crate::model::params::describe_key(key) {
        Some(p) if !p.unit.is_empty() => format!("{key} ({})", p.unit),
        _ => key.to_string(),
    }
}

/// The policy's index in the scenario (for its colour), 0 when it is not there.
pub(super) fn policy_index(input: &FigureInput<'_>, name: &str) -> usize {
    input.scenario.policies().iter().position(|p| p.name == name).unwrap_or(0)
}

/// `lo..hi` widened by `pad` of its span on both sides (a unit span if empty).
pub(super) fn padded(lo: f64, hi: f64, pad: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= 0.0 {
        let w = lo.abs().max(1.0) * 0.1;
        return (lo - w, hi + w);
    }
    (lo - span * pad, hi + span * pad)
}

pub(super) fn min_max(it: impl Iterator<Item = f64>) -> (f64, f64) {
    it.filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)))
}

/// A linear axis over the padded range of `values`.
pub(super) fn value_axis(
    values: impl Iterator<Item = f64>,
    label: fn(f64) -> String,
    title: String,
    floor0: bool,
) -> Axis {
    let (lo, hi) = min_max(values);
    let (mut lo, hi) = padded(lo, hi, 0.06);
    if floor0 {
        lo = lo.max(0.0);
    }
    Axis::linear(lo, hi, 5, label, title)
}

pub(super) const HAZARD_INK: RGBColor = color(HAZARD);
/// The best threshold under a cap: a dark green apart from every policy colour.
pub(super) const BEST_INK: RGBColor = RGBColor(0, 110, 60);
pub(super) const MUTED_INK: RGBColor = MUTED;

/// Cell edges around sorted-or-not grid values: midpoints between neighbours, half a step
/// beyond the ends. Returns (lo, hi) per value.
pub(super) fn cell_edges(values: &[f64]) -> Vec<(f64, f64)> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let sorted: Vec<f64> = order.iter().map(|&i| values[i]).collect();
    let n = sorted.len();
    let mut edges = vec![(0.0, 0.0); n];
    for (k, &i) in order.iter().enumerate() {
        let v = sorted[k];
        let lo = if k > 0 {
            (sorted[k - 1] + v) / 2.0
        } else if n > 1 {
            v - (sorted[1] - v) / 2.0
        } else {
            v - 0.5
        };
        let hi = if k + 1 < n {
            (sorted[k + 1] + v) / 2.0
        } else if n > 1 {
            v + (v - sorted[n - 2]) / 2.0
        } else {
            v + 0.5
        };
        edges[i] = (lo, hi);
    }
    edges
}
