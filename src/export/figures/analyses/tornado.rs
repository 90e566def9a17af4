//! The tornado of a sensitivity analysis: the mean output with each uncertain parameter at
//! its 10th and 90th percentile.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::Serialize;

use crate::analysis::sensitivity::{Output, TORNADO_HIGH, TORNADO_LOW};
use crate::export::figures::error::FigureError;
use crate::export::figures::input::FigureInput;
use crate::export::figures::kind::FigureKind;
use crate::export::figures::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, chart, color, dashed, text,
};
use crate::fmt;

use super::common::{missing, value_axis};

#[derive(Serialize)]
pub(crate) struct TornadoBar {
    pub param: String,
    pub unit: String,
    /// The parameter's 10th and 90th percentiles.
    pub p10: f64,
    pub p90: f64,
    /// Mean output with the parameter held at p10 and at p90.
    pub low: f64,
    pub high: f64,
    pub swing: f64,
    pub prcc: f64,
}

/// One-at-a-time swings per uncertain parameter.
#[derive(Serialize)]
pub(crate) struct Tornado {
    pub policy: String,
    /// The reference policy (what `net_diff` is paired against).
    #[serde(rename = "baseline")]
    pub reference: String,
    pub output: String,
    pub runs: u64,
    pub seed: u64,
    pub percentiles: [f64; 2],
    /// Mean output with everything drawn, and its standard error.
    pub output_mean: f64,
    pub output_se: f64,
    /// Largest swing first (at most [`MAX_BARS`]).
    pub bars: Vec<TornadoBar>,
    /// Parameters not drawn (smaller swings).
    pub omitted: usize,
    /// Their swings, largest first.
    pub not_drawn: Vec<TornadoBar>,
    #[serde(skip)]
    x_title: String,
    #[serde(skip)]
    money: bool,
}

/// Most bars a tornado draws.
pub(crate) const MAX_BARS: usize = 15;

/// The app's tornado colours (one palette for the app and the figures).
const LOW_COLOR: RGBColor = color(crate::theme::LOW);
const HIGH_COLOR: RGBColor = color(crate::theme::HIGH);

impl Tornado {
    pub fn compute(input: &FigureInput<'_>) -> Result<Tornado, FigureError> {
        let s = input.sensitivity.ok_or_else(|| missing(FigureKind::Tornado, "a sensitivity analysis"))?;
        let mut rows: Vec<_> = s.params.iter().filter(|p| p.low.is_finite() && p.high.is_finite()).collect();
        rows.sort_by(|a, b| b.swing.total_cmp(&a.swing));
        let omitted = rows.len().saturating_sub(MAX_BARS);
        let mut bars: Vec<TornadoBar> = rows
            .into_iter()
            .map(|p| TornadoBar {
                param: p.param.clone(),
                unit: crate::model::params::ParamRef::of(p.index).unit().to_string(),
                p10: p.p10,
                p90: p.p90,
                low: p.low,
                high: p.high,
                swing: p.swing,
                prcc: p.prcc,
            })
            .collect();
        let not_drawn = bars.split_off(bars.len().min(MAX_BARS));
        let (x_title, money) = match s.output {
            Output::Benefit => (format!("Mean benefit of {} (2025 US$, discounted)", s.policy), true),
            Output::Harm => (format!("Mean harm of {} (2025 US$, discounted)", s.policy), true),
            Output::Net => (format!("Mean net welfare of {} (2025 US$, discounted)", s.policy), true),
            Output::NetDiff => (format!("Mean net difference, {} minus {} (2025 US$)", s.policy, s.reference), true),
            Output::Catastrophe => (format!("P(catastrophe) under {} (share of runs)", s.policy), false),
        };
        Ok(Tornado {
            policy: s.policy.clone(),
            reference: s.reference.clone(),
            output: s.output.key().to_string(),
            runs: s.runs,
            seed: s.seed,
            percentiles: [TORNADO_LOW, TORNADO_HIGH],
            output_mean: s.output_mean,
            output_se: s.output_se,
            bars,
            omitted,
            not_drawn,
            x_title,
            money,
        })
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let fmt: fn(f64) -> String = if self.money { fmt::money_compact } else { fmt::fraction };
        let legend = vec![
            LegendItem::new(
                format!("parameter at its {:.0}th percentile", TORNADO_LOW * 100.0),
                LOW_COLOR,
                Swatch::Fill(1.0),
            ),
            LegendItem::new(format!("at its {:.0}th percentile", TORNADO_HIGH * 100.0), HIGH_COLOR, Swatch::Fill(1.0)),
            LegendItem::new(
                format!("everything drawn: {} ± {}", fmt(self.output_mean), fmt(self.output_se)),
                RGBColor(0, 0, 0),
                Swatch::Dashed,
            ),
        ];
        let mut notes = vec![format!(
            "Each parameter held at a percentile in every one of {} runs (seed {}), the others drawn; common random numbers.",
            self.runs, self.seed
        )];
        if let Some(largest) = self.not_drawn.first() {
            notes.push(format!(
                "{} more parameters swing the mean by at most {} each; the figure's JSON sidecar lists them.",
                self.omitted,
                fmt(largest.swing)
            ));
        }
        let body =
            crate::export::figures::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let x = value_axis(
            self.bars.iter().flat_map(|b| [b.low, b.high]).chain(std::iter::once(self.output_mean)),
            fmt,
            self.x_title.clone(),
            false,
        );
        let n = self.bars.len();
        let names: Vec<String> = self.bars.iter().map(|b| b.param.trim_start_matches("world.").to_string()).collect();
        let y = Axis::categories(names, "Uncertain world parameter");
        let mut ch = chart(&body, st, &ChartSpec::new(&x, &y))?;
        let clip = Clip::of(&x, &y);
        let base = self.output_mean;
        let font = st.note_font();
        let gap = f64::from(st.px(6.0));
        let (px_lo, px_hi) =
            (f64::from(ch.backend_coord(&(x.lo, y.lo)).0), f64::from(ch.backend_coord(&(x.hi, y.lo)).0));
        // Pixels per unit of the output.
        let sx = (px_hi - px_lo) / (x.hi - x.lo);
        let px = |v: f64| px_lo + (v - x.lo) * sx;
        for (i, b) in self.bars.iter().enumerate() {
            let yc = (n - 1 - i) as f64;
            let (y0, y1) = (yc - 0.34, yc + 0.34);
            for (v, col) in [(b.low, LOW_COLOR), (b.high, HIGH_COLOR)] {
                let (a, z) = (base.min(v).max(x.lo), base.max(v).min(x.hi));
                if z > a {
                    ch.draw_series(std::iter::once(Rectangle::new([(a, y0), (z, y1)], st.fill(col, 1.0))))?;
                }
            }
            // The range beside the bar where it fits, else inside its longer half, else left.
            let range = format!("{} to {}", fmt(b.low.min(b.high)), fmt(b.low.max(b.high)));
            let w = f64::from(st.text_width(&range, &font));
            let right = b.low.max(b.high).max(base).min(x.hi);
            let left = b.low.min(b.high).min(base).max(x.lo);
            let far = if (b.high - base).abs() >= (b.low - base).abs() { b.high } else { b.low };
            let far = far.clamp(x.lo, x.hi);
            if px(right) + gap + w <= px_hi {
                text(&mut ch, range, (right + gap / sx, yc), font.clone(), (HPos::Left, VPos::Center))?;
            } else if (px(far) - px(base)).abs() >= w + 2.0 * gap {
                let (at, pos) = if far > base { (far - gap / sx, HPos::Right) } else { (far + gap / sx, HPos::Left) };
                text(&mut ch, range, (at, yc), st.font(13.0).color(&WHITE), (pos, VPos::Center))?;
            } else if px(left) - gap - w >= px_lo {
                text(&mut ch, range, (left - gap / sx, yc), font.clone(), (HPos::Right, VPos::Center))?;
            }
        }
        dashed(&mut ch, &clip, &[(base, y.lo), (base, y.hi)], st.line(RGBColor(0, 0, 0), 1.6), st.px(7.0), st.px(5.0))?;
        Ok(())
    }
}
