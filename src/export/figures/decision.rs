//! Figures of decision support: PRIM's coverage/density trade-off and its chosen box, the
//! regret of every policy, and the value of information per uncertain parameter.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use super::error::FigureError;
use super::input::FigureInput;
use super::kind::FigureKind;
use super::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, chart, color, dashed, line, text,
};
use crate::analysis::decision::Decision;
use crate::analysis::discovery::{PrimBox, Restriction};
use crate::export::json::{OptionRegretJson, ParamValueJson};
use crate::fmt;
use crate::theme::{BEST, HAZARD, LOW, REFERENCE, policy_color};

const REFERENCE_INK: RGBColor = color(REFERENCE);
const BOX_INK: RGBColor = color(HAZARD);
const TRAJECTORY_INK: RGBColor = color(LOW);
const VALUE_INK: RGBColor = color(BEST);
/// Most parameters the EVPPI bars show.
pub(crate) const MAX_EVPPI_BARS: usize = 15;

fn decision<'a>(input: &FigureInput<'a>, kind: FigureKind) -> Result<&'a Decision, FigureError> {
    input.decision.ok_or_else(|| FigureError::MissingData {
        figure: kind.name(),
        what: "a decision analysis (tierlab decide)".into(),
    })
}

fn padded_axis(hi: f64, label: fn(f64) -> String, title: &str) -> Axis {
    let hi = if hi.is_finite() && hi > 0.0 { hi * 1.08 } else { 1.0 };
    Axis::linear(0.0, hi, 5, label, title)
}

// ---------------------------------------------------------------------------------------
// PRIM trade-off

#[derive(Serialize)]
pub(crate) struct TradeoffPoint {
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    pub restrictions: usize,
}

/// The peeling trajectory with the chosen box.
#[derive(Serialize)]
pub(crate) struct Tradeoff {
    pub policy: String,
    pub event: String,
    pub runs: u64,
    pub seed: u64,
    /// Share of all worlds with the event: the density of the box of all worlds.
    pub event_share: f64,
    pub trajectory: Vec<TradeoffPoint>,
    pub chosen: usize,
    /// The chosen box after pasting.
    pub chosen_box: TradeoffPoint,
    /// The chosen box's rules.
    pub rules: String,
    pub statement: String,
}

fn point(b: &PrimBox) -> TradeoffPoint {
    TradeoffPoint { coverage: b.coverage, density: b.density, mass: b.mass, restrictions: b.restrictions.len() }
}

impl Tradeoff {
    pub fn compute(input: &FigureInput<'_>) -> Result<Tradeoff, FigureError> {
        let d = &decision(input, FigureKind::PrimTradeoff)?.discovery;
        Ok(Tradeoff {
            policy: d.policy.clone(),
            event: d.event_text.clone(),
            runs: d.runs,
            seed: d.seed,
            event_share: d.event_share,
            trajectory: d.trajectory.iter().map(point).collect(),
            chosen: d.chosen,
            chosen_box: point(&d.chosen_box),
            rules: d.chosen_box.rules(),
            statement: d.statement.clone(),
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::new("peeling trajectory (one point per box)", TRAJECTORY_INK, Swatch::Line),
            LegendItem::new(format!("chosen box {} after pasting", self.chosen), BOX_INK, Swatch::Fill(1.0)),
            LegendItem::new(
                format!("share of all worlds with the event ({})", fmt::percent(self.event_share)),
                REFERENCE_INK,
                Swatch::Dashed,
            ),
        ];
        let notes = vec![
            format!("Event: {} ({} worlds, seed {}).", self.event, self.runs, self.seed),
            super::style::fit_text(
                st,
                &format!("Chosen box {}: {}.", self.chosen, self.rules),
                &st.note_font(),
                root.dim_in_pixel().0 as i32 - st.px(40.0),
            ),
        ];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let x = Axis::linear(0.0, 1.02, 6, fmt::percent, "Coverage: share of all event worlds inside the box");
        // From a round tenth below the event share: no box is less dense than all worlds.
        let floor = ((self.event_share - 0.05) * 10.0).floor().clamp(0.0, 9.0) / 10.0;
        let y = Axis::linear(floor, 1.01, 6, fmt::percent, "Density: share of the box's worlds with the event");
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        let pts: Vec<(f64, f64)> = self.trajectory.iter().map(|p| (p.coverage, p.density)).collect();
        line(&mut ch, &clip, &pts, st.line(TRAJECTORY_INK, 2.0))?;
        ch.draw_series(pts.iter().map(|&p| Circle::new(p, st.px(3.0), st.fill(TRAJECTORY_INK, 1.0))))?;
        dashed(
            &mut ch,
            &clip,
            &[(0.0, self.event_share), (1.0, self.event_share)],
            st.line(REFERENCE_INK, 1.4),
            st.px(7.0),
            st.px(5.0),
        )?;
        if let Some(p) = self.trajectory.get(self.chosen) {
            ch.draw_series(std::iter::once(Circle::new((p.coverage, p.density), st.px(7.0), st.line(BOX_INK, 2.0))))?;
        }
        let c = &self.chosen_box;
        ch.draw_series(std::iter::once(Circle::new((c.coverage, c.density), st.px(6.0), st.fill(BOX_INK, 1.0))))?;
        let label = format!(
            "box {}: coverage {}, density {}, {} restriction{}",
            self.chosen,
            fmt::percent(c.coverage),
            fmt::percent(c.density),
            c.restrictions,
            if c.restrictions == 1 { "" } else { "s" }
        );
        let (pos, dx) = if c.coverage > 0.55 { (HPos::Right, -0.02) } else { (HPos::Left, 0.02) };
        let below = (c.density - 0.06 * (1.0 - floor)).max(floor + 0.03);
        text(&mut ch, label, (c.coverage + dx, below), st.note_font(), (pos, VPos::Center))?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The chosen box

#[derive(Serialize)]
pub(crate) struct BoxRow {
    pub param: String,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub sampled_min: f64,
    pub sampled_max: f64,
    pub p_value: f64,
}

/// The chosen box's restrictions, each within its parameter's sampled range.
#[derive(Serialize)]
pub(crate) struct ChosenBox {
    pub event: String,
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    pub rows: Vec<BoxRow>,
    pub rules: String,
}

impl ChosenBox {
    pub fn compute(input: &FigureInput<'_>) -> Result<ChosenBox, FigureError> {
        let d = &decision(input, FigureKind::PrimBox)?.discovery;
        let b = &d.chosen_box;
        if b.restrictions.is_empty() {
            return Err(FigureError::MissingData {
                figure: FigureKind::PrimBox.name(),
                what: "a box that restricts some parameter (PRIM found none for this event)".into(),
            });
        }
        let row = |r: &Restriction| BoxRow {
            param: r.name.clone(),
            lower: r.lower,
            upper: r.upper,
            sampled_min: r.sampled_min,
            sampled_max: r.sampled_max,
            p_value: r.p_value,
        };
        Ok(ChosenBox {
            event: d.event_text.clone(),
            coverage: b.coverage,
            density: b.density,
            mass: b.mass,
            rows: b.restrictions.iter().map(row).collect(),
            rules: b.rules(),
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::new("range of the draws", REFERENCE_INK, Swatch::Fill(0.25)),
            LegendItem::new("inside the box", BOX_INK, Swatch::Fill(0.85)),
        ];
        let notes = vec![format!(
            "When {}: density {}, coverage {}, {} of all worlds. p: one-sided binomial chance of the box's event count \
             without that restriction.",
            self.event,
            fmt::percent(self.density),
            fmt::percent(self.coverage),
            fmt::percent(self.mass)
        )];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let names: Vec<String> = self.rows.iter().map(|r| r.param.trim_start_matches("world.").to_string()).collect();
        let x = Axis::linear(0.0, 1.0, 5, fmt::percent, "Position within the parameter's sampled range");
        let y = Axis::categories(names, "Restricted world parameter (most significant first)");
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let n = self.rows.len();
        let font = st.note_font();
        for (i, r) in self.rows.iter().enumerate() {
            let yc = (n - 1 - i) as f64;
            let span = (r.sampled_max - r.sampled_min).max(f64::MIN_POSITIVE);
            let at = |v: f64| ((v - r.sampled_min) / span).clamp(0.0, 1.0);
            let (a, z) = (r.lower.map_or(0.0, at), r.upper.map_or(1.0, at));
            ch.draw_series(std::iter::once(Rectangle::new(
                [(0.0, yc - 0.3), (1.0, yc + 0.3)],
                st.fill(REFERENCE_INK, 0.25),
            )))?;
            ch.draw_series(std::iter::once(Rectangle::new([(a, yc - 0.3), (z, yc + 0.3)], st.fill(BOX_INK, 0.85))))?;
            let bounds = match (r.lower, r.upper) {
                (Some(lo), Some(hi)) => format!("{} to {}", fmt::bound(lo), fmt::bound(hi)),
                (Some(lo), None) => format!("> {}", fmt::bound(lo)),
                (None, Some(hi)) => format!("< {}", fmt::bound(hi)),
                (None, None) => "any".into(),
            };
            let p = fmt::p_value_short(r.p_value);
            let p = if p.starts_with('<') { format!("p {p}") } else { format!("p = {p}") };
            let label = format!("{bounds} (draws {} to {}), {p}", fmt::bound(r.sampled_min), fmt::bound(r.sampled_max));
            text(&mut ch, label, (0.01, yc + 0.42), font.clone(), (HPos::Left, VPos::Center))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Regret

#[derive(Serialize)]
pub(crate) struct RegretChart {
    pub worlds: usize,
    pub floor: Option<f64>,
    pub options: Vec<OptionRegretJson>,
    pub minimax_regret: String,
    pub min_p95_regret: String,
    pub best_expected: String,
}

impl RegretChart {
    pub fn compute(input: &FigureInput<'_>) -> Result<RegretChart, FigureError> {
        let r = &decision(input, FigureKind::Regret)?.robustness;
        let name = |i: usize| r.options.get(i).map(|o| o.name.clone()).unwrap_or_default();
        Ok(RegretChart {
            worlds: r.worlds,
            floor: r.floor,
            options: r.options.iter().map(OptionRegretJson::from).collect(),
            minimax_regret: name(r.minimax_regret),
            min_p95_regret: name(r.min_p95_regret),
            best_expected: name(r.best_expected),
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::new("mean regret (± 2 SE)", REFERENCE_INK, Swatch::Fill(1.0)),
            LegendItem::new("95th-percentile regret", REFERENCE_INK, Swatch::Fill(0.3)),
        ];
        let notes = vec![
            format!(
                "Regret in a world: the best net of any policy there minus this policy's net; {} worlds shared by every \
                 policy (common random numbers).",
                self.worlds
            ),
            format!(
                "Best expected: \"{}\". Minimax regret: \"{}\". Least 95th-percentile regret: \"{}\".",
                self.best_expected, self.minimax_regret, self.min_p95_regret
            ),
        ];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let hi = self.options.iter().map(|o| o.regret_p95.max(o.regret_mean + 2.0 * o.regret_se)).fold(0.0, f64::max);
        let x = padded_axis(hi * 1.25, fmt::money_compact, "Regret (2025 US$, discounted)");
        let y = Axis::categories(self.options.iter().map(|o| o.name.clone()).collect(), "Policy");
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        let n = self.options.len();
        for (i, o) in self.options.iter().enumerate() {
            let yc = (n - 1 - i) as f64;
            let c = color(policy_color(i));
            let p95 = o.regret_p95.min(x.hi);
            ch.draw_series(std::iter::once(Rectangle::new([(0.0, yc - 0.34), (p95, yc + 0.34)], st.fill(c, 0.3))))?;
            let mean = o.regret_mean.min(x.hi);
            ch.draw_series(std::iter::once(Rectangle::new([(0.0, yc - 0.18), (mean, yc + 0.18)], st.fill(c, 1.0))))?;
            let (lo, hi) = (o.regret_mean - 2.0 * o.regret_se, o.regret_mean + 2.0 * o.regret_se);
            line(&mut ch, &clip, &[(lo.max(0.0), yc), (hi.min(x.hi), yc)], st.line(RGBColor(0, 0, 0), 1.4))?;
            let label = format!(
                "mean {}, p95 {}, max {}",
                fmt::money_compact(o.regret_mean),
                fmt::money_compact(o.regret_p95),
                fmt::money_compact(o.regret_max)
            );
            text(&mut ch, label, (p95.max(mean) + 0.01 * x.hi, yc), st.note_font(), (HPos::Left, VPos::Center))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Value of information

#[derive(Serialize)]
pub(crate) struct EvppiBars {
    pub worlds: usize,
    pub bins: usize,
    pub best_expected: String,
    pub evpi: f64,
    pub evpi_se: f64,
    pub bias: f64,
    /// Largest first (at most [`MAX_EVPPI_BARS`]).
    pub params: Vec<ParamValueJson>,
    pub omitted: usize,
    pub statement: String,
}

impl EvppiBars {
    pub fn compute(input: &FigureInput<'_>) -> Result<EvppiBars, FigureError> {
        let v = &decision(input, FigureKind::Evppi)?.value_of_information;
        let mut params: Vec<ParamValueJson> = v.params.iter().map(ParamValueJson::from).collect();
        let omitted = params.len().saturating_sub(MAX_EVPPI_BARS);
        params.truncate(MAX_EVPPI_BARS);
        Ok(EvppiBars {
            worlds: v.worlds,
            bins: v.options.bins,
            best_expected: v.best_expected.clone(),
            evpi: v.evpi,
            evpi_se: v.evpi_se,
            bias: v.bias,
            params,
            omitted,
            statement: v.statement.clone(),
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = vec![
            LegendItem::new("EVPPI: worth of learning this parameter first (± 2 SE)", VALUE_INK, Swatch::Fill(1.0)),
            LegendItem::new(
                format!("EVPI, learning everything: {}", fmt::money_compact_plus_minus(self.evpi, self.evpi_se)),
                RGBColor(0, 0, 0),
                Swatch::Dashed,
            ),
        ];
        let top = self.params.first().map_or_else(String::new, |p| {
            format!(
                "Resolving {} first is worth {} ({:.0}% of EVPI). ",
                p.param.trim_start_matches("world."),
                fmt::money_compact_plus_minus(p.evppi, p.evppi_se),
                100.0 * p.share_of_evpi
            )
        });
        let mut notes = vec![
            format!("{top}Without more information the best choice is \"{}\".", self.best_expected),
            format!(
                "{} worlds binned into {} quantile bins of each parameter; the selection bias of a random partition \
                 ({}) is taken off.",
                self.worlds,
                self.bins,
                fmt::money_compact(self.bias)
            ),
        ];
        if self.omitted > 0 {
            notes.push(format!("{} more parameters are worth less; the sidecar lists the ones drawn.", self.omitted));
        }
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let hi = self.params.iter().map(|p| p.evppi + 2.0 * p.evppi_se).fold(self.evpi, f64::max);
        let x = padded_axis(hi, fmt::money_compact, "Expected value of information (2025 US$ of expected net welfare)");
        let y = Axis::categories(
            self.params.iter().map(|p| p.param.trim_start_matches("world.").to_string()).collect(),
            "Uncertain world parameter",
        );
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        let n = self.params.len();
        for (i, p) in self.params.iter().enumerate() {
            let yc = (n - 1 - i) as f64;
            if p.evppi > 0.0 {
                ch.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, yc - 0.32), (p.evppi.min(x.hi), yc + 0.32)],
                    st.fill(VALUE_INK, 1.0),
                )))?;
            }
            let (lo, hi) = ((p.evppi - 2.0 * p.evppi_se).max(0.0), (p.evppi + 2.0 * p.evppi_se).min(x.hi));
            line(&mut ch, &clip, &[(lo, yc), (hi, yc)], st.line(RGBColor(0, 0, 0), 1.4))?;
        }
        dashed(
            &mut ch,
            &clip,
            &[(self.evpi, y.lo), (self.evpi, y.hi)],
            st.line(RGBColor(0, 0, 0), 1.6),
            st.px(7.0),
            st.px(5.0),
        )?;
        Ok(())
    }
}
