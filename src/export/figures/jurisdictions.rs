//! Who gains and who is hit: mean benefit and harm per jurisdiction and policy.

use plotters::prelude::*;
use serde::Serialize;

use super::input::FigureInput;
use super::policy::{PolicyRef, policy_refs};
use super::style::{
    Area, Axis, ChartSpec, Clip, DrawResult, FrameSpec, LegendItem, Style, Swatch, chart, color, line, y_label_width,
};
use crate::analysis::stats::Z_95_TWO_SIDED;
use crate::fmt;
use crate::theme::policy_color;

/// One bar: a mean with its Monte Carlo standard error.
#[derive(Clone, Copy, Serialize)]
pub(crate) struct MeanSe {
    pub mean: f64,
    pub se: f64,
}

#[derive(Serialize)]
pub(crate) struct JurisdictionBar {
    pub jurisdiction: String,
    pub benefit: MeanSe,
    pub harm: MeanSe,
    pub share_end_mean: f64,
}

#[derive(Serialize)]
pub(crate) struct PolicyBars {
    #[serde(flatten)]
    pub policy: PolicyRef,
    pub jurisdictions: Vec<JurisdictionBar>,
}

/// Mean discounted benefit and harm landing in each jurisdiction.
#[derive(Serialize)]
pub(crate) struct Bars {
    pub unit: &'static str,
    pub runs: usize,
    pub jurisdictions: Vec<String>,
    pub policies: Vec<PolicyBars>,
}

impl Bars {
    pub fn compute(input: &FigureInput<'_>) -> Bars {
        let refs = policy_refs(input.scenario);
        let names: Vec<String> = input.scenario.jurisdictions().iter().map(|j| j.name.clone()).collect();
        let policies = input
            .summary
            .policies
            .iter()
            .enumerate()
            .map(|(p, s)| PolicyBars {
                policy: refs[p].clone(),
                jurisdictions: s
                    .jurisdictions
                    .iter()
                    .zip(&names)
                    .map(|(j, name)| JurisdictionBar {
                        jurisdiction: name.clone(),
                        benefit: MeanSe { mean: j.benefit_mean, se: j.benefit_se },
                        harm: MeanSe { mean: j.harm_mean, se: j.harm_se },
                        share_end_mean: j.share_end_mean,
                    })
                    .collect(),
            })
            .collect();
        Bars { unit: "$B (2025, discounted)", runs: input.summary.runs, jurisdictions: names, policies }
    }

    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, st: &Style, frame: &FrameSpec<'_>) -> DrawResult<()>
    where
        DB::ErrorType: 'static,
    {
        let legend: Vec<LegendItem> = self
            .policies
            .iter()
            .map(|p| LegendItem::new(p.policy.name.clone(), color(policy_color(p.policy.index)), Swatch::Fill(1.0)))
            .collect();
        let notes = vec![format!(
            "Mean over {} runs, in 2025 US dollars, discounted; whiskers: 95% Monte Carlo interval (± 1.96 standard errors).",
            self.runs
        )];
        let body = super::style::frame(root, st, &FrameSpec { legend: &legend, notes: &notes, ..*frame })?;
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 as i32 / 2);
        let nj = self.jurisdictions.len();
        let np = self.policies.len().max(1);
        let y_axis = |k: usize| {
            let pick = |b: &JurisdictionBar| if k == 0 { b.benefit } else { b.harm };
            let ymax = self
                .policies
                .iter()
                .flat_map(|p| p.jurisdictions.iter().map(|b| pick(b).mean + Z_95_TWO_SIDED * pick(b).se))
                .fold(0.0, f64::max);
            let what = if k == 0 { "Benefit (2025 US$)" } else { "Harm (2025 US$)" };
            Axis::linear(0.0, if ymax > 0.0 { ymax * 1.08 } else { 1.0 }, 4, fmt::money_compact, what)
        };
        let ys = [y_axis(0), y_axis(1)];
        let y_area_min = ys.iter().map(|y| y_label_width(st, y)).fold(0.0, f64::max);
        for (k, area) in [top, bottom].iter().enumerate() {
            let pick = |b: &JurisdictionBar| if k == 0 { b.benefit } else { b.harm };
            let names = self.jurisdictions.clone();
            let mut x = Axis::linear(-0.5, nj as f64 - 0.5, 1, fmt::fraction, "Jurisdiction");
            x.ticks = (0..nj).map(|j| j as f64).collect();
            x.label = Box::new(move |v| names.get(v.round().max(0.0) as usize).cloned().unwrap_or_default());
            x.grid = false;
            let y = &ys[k];
            let title = if k == 0 { "Benefit received" } else { "Harm suffered" };
            let spec = ChartSpec { y_area_min, ..ChartSpec::panel(&x, y, title, k == 1, true) };
            let mut ch = chart(area, st, &spec)?;
            let clip = Clip::of(&x, y);
            let group = 0.8;
            let w = group / np as f64;
            for (i, p) in self.policies.iter().enumerate() {
                let c = color(policy_color(p.policy.index));
                for (j, b) in p.jurisdictions.iter().enumerate() {
                    let v = pick(b);
                    let x0 = j as f64 - group / 2.0 + i as f64 * w;
                    let x1 = x0 + w * 0.9;
                    ch.draw_series(std::iter::once(Rectangle::new(
                        [(x0, 0.0), (x1, clip.clamp_y(v.mean))],
                        st.fill(c, 1.0),
                    )))?;
                    let xm = 0.5 * (x0 + x1);
                    let (lo, hi) = (v.mean - Z_95_TWO_SIDED * v.se, v.mean + Z_95_TWO_SIDED * v.se);
                    let ink = st.line(RGBColor(40, 40, 40), 1.4);
                    line(&mut ch, &clip, &[(xm, lo), (xm, hi)], ink)?;
                    let cap = w * 0.2;
                    line(&mut ch, &clip, &[(xm - cap, hi), (xm + cap, hi)], ink)?;
                    line(&mut ch, &clip, &[(xm - cap, lo), (xm + cap, lo)], ink)?;
                }
            }
        }
        Ok(())
    }
}
