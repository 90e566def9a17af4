//! Learn: a short guided explanation, for students, of the benefit/harm asymmetry and of
//! irreversibility, with every number taken from the results on screen.

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::{RichText, Ui};
use egui_plot::{LineStyle, PlotPoint, Text, VLine};

use super::super::theme;
use super::ViewCx;
use super::overview::curves;
use super::plots;
use crate::workspace::computed::Computed;

/// The numbers the explanation quotes, for one policy.
#[derive(Clone, Debug, PartialEq)]
pub struct LearnFacts {
    pub policy: String,
    pub years: f64,
    pub harm_mean: f64,
    pub harm_median: f64,
    pub harm_cvar95: f64,
    pub no_harm_share: f64,
    pub benefit_mean: f64,
    pub benefit_median: f64,
    pub p_catastrophe: f64,
    pub hazard_threshold_median: f64,
    pub mid_year: f64,
    pub public_by_mid: f64,
    pub public_by_end: f64,
}

impl LearnFacts {
    pub fn of(c: &Computed, p: usize) -> Option<LearnFacts> {
        let s = c.summary.policies.get(p)?;
        let mid_year = (c.years / 2.0).round().max(1.0).min(c.years);
        Some(LearnFacts {
            policy: s.name.clone(),
            years: c.years,
            harm_mean: s.harm.mean,
            harm_median: s.harm.p50,
            harm_cvar95: s.cvar95_harm,
            no_harm_share: c.harm.zero_share.get(p).copied().unwrap_or(0.0),
            benefit_mean: s.benefit.mean,
            benefit_median: s.benefit.p50,
            p_catastrophe: s.p_catastrophe,
            hazard_threshold_median: c.hazard_threshold[1],
            mid_year,
            public_by_mid: c.hazard_public_by(p, mid_year),
            public_by_end: c.hazard_public_by(p, c.years),
        })
    }

    /// The paragraph on the asymmetry of benefits and harms.
    pub fn asymmetry_text(&self) -> String {
        let mut t = if self.harm_median > 0.0 {
            format!(
                "Under {}, the typical world (the median) suffers {} of misuse harm over {} years, but the average \
                 over all worlds is {}: {:.1} times the median. ",
                self.policy,
                fmt::money_compact(self.harm_median),
                self.years,
                fmt::money_compact(self.harm_mean),
                self.harm_mean / self.harm_median
            )
        } else {
            format!(
                "Under {}, more than half of the worlds see no misuse damage at all in {} years, yet the average harm \
                 is {}: all of it comes from the minority of worlds in which something goes wrong. ",
                self.policy,
                self.years,
                fmt::money_compact(self.harm_mean)
            )
        };
        t.push_str(&format!(
            "A few very bad worlds pull the average up: the worst 5% of worlds average {} of harm each{}. ",
            fmt::money_compact(self.harm_cvar95),
            if self.harm_mean > 0.0 {
                format!(", {:.0} times the mean", self.harm_cvar95 / self.harm_mean)
            } else {
                String::new()
            }
        ));
        if self.no_harm_share > 0.0 {
            t.push_str(&format!(
                "In {} of worlds there is no misuse damage at all.",
                fmt::probability_percent(self.no_harm_share)
            ));
        }
        t
    }

    /// The paragraph on benefits.
    pub fn benefit_text(&self) -> String {
        let ratio = if self.benefit_median.abs() > 0.0 { self.benefit_mean / self.benefit_median } else { f64::NAN };
        format!(
            "Benefits behave differently. They accrue in almost every world, spread over many users and years, so \
             the mean benefit ({}) sits close to the median ({}; a ratio of {:.2}). Judged by the typical world, a \
             policy looks safer than it is on average; judged by the average alone, it can be decided by worlds that \
             rarely happen. Read both, and the tail: here the chance of at least one catastrophe is {}.",
            fmt::money_compact(self.benefit_mean),
            fmt::money_compact(self.benefit_median),
            ratio,
            fmt::probability_percent(self.p_catastrophe)
        )
    }

    /// The paragraph on irreversibility.
    pub fn irreversibility_text(&self) -> String {
        format!(
            "Open weights cannot be recalled. Once a model past the hazard threshold (median {} effective FLOP here) is \
             public, released openly or leaked, the open pool never shrinks again. Under {}, the hazardous \
             capability was public by year {} in {} of worlds and by year {} in {}, and in each of those worlds it \
             stays public for good. A stricter rule can delay that moment; it cannot undo it. A delay can be \
             reversed later, a release cannot: this is why when a threshold bites matters as much as where it sits.",
            crate::fmt::flop(self.hazard_threshold_median),
            self.policy,
            self.mid_year,
            fmt::probability_percent(self.public_by_mid),
            self.years,
            fmt::probability_percent(self.public_by_end)
        )
    }
}

pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    let c = cx.current;
    let p = cx.state.learn_policy.filter(|&p| p < c.n_policies()).unwrap_or(c.reference);
    ui.horizontal(|ui| {
        let label = ui.label("Explain the results of");
        let mut chosen = p;
        egui::ComboBox::from_id_salt("learn_policy")
            .selected_text(c.policy_names.get(p).cloned().unwrap_or_default())
            .width(260.0)
            .show_ui(ui, |ui| {
                for (i, name) in c.policy_names.iter().enumerate() {
                    ui.selectable_value(&mut chosen, i, name);
                }
            })
            .response
            .labelled_by(label.id);
        if chosen != p {
            cx.state.learn_policy = Some(chosen);
        }
        if !c.is_final() {
            ui.label(RichText::new("(preview: numbers will settle as runs complete)").italics().weak());
        }
    });
    let Some(facts) = LearnFacts::of(c, p) else {
        return;
    };
    let pinned = cx.pinned;
    let out = &mut *cx.out;
    let text_width = ui.available_width().min(1100.0);
    ui.add_space(4.0);
    ui.scope(|ui| {
        ui.set_max_width(text_width);
        ui.label(RichText::new(format!("What these numbers count. {}", c.horizon)).italics());
        ui.add_space(6.0);
        ui.label(RichText::new("1. Broad benefits, rare and heavy-tailed harms").heading().size(17.0));
        ui.label(facts.asymmetry_text());
        ui.label(facts.benefit_text());
        ui.add_space(6.0);
        ui.label(RichText::new("2. What is released cannot be recalled").heading().size(17.0));
        ui.label(facts.irreversibility_text());
        let others: Vec<String> = c
            .policy_names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n}: {}", fmt::probability_percent(c.hazard_public_by(i, c.years))))
            .collect();
        ui.label(format!("Public by year {} under each policy: {}.", c.years, others.join("; ")));
    });
    ui.add_space(8.0);
    let height = (ui.available_height() - 30.0).max(220.0);
    ui.columns(2, |cols| {
        harm_plot_ui(&mut cols[0], (c, pinned), p, &facts, height, out);
        hazard_plot_ui(&mut cols[1], c, pinned, height, out);
    });
}

fn harm_plot_ui(
    ui: &mut Ui,
    (c, pinned): (&Computed, Option<&Computed>),
    p: usize,
    f: &LearnFacts,
    height: f32,
    out: &mut super::ViewOut,
) {
    let ghost = pinned.and_then(|x| x.harm.density.get(p)).filter(|d| !d.is_empty()).cloned();
    let color = theme::policy(p);
    let pts = c.harm.density.get(p).cloned().unwrap_or_default();
    let plot = plots::density_y(plots::base(
        "learn_harm",
        "harm per world (log scale)",
        &plots::density_title(&c.harm),
        height,
    ))
    .legend(plots::legend(egui_plot::Corner::LeftTop))
    .x_axis_formatter(plots::log_money_ticks)
    .x_grid_spacer(plots::decade_marks)
    .label_formatter(plots::readout("harm", plots::log_money, "worlds", |y| format!("{y:.1}%")));
    let name = f.policy.clone();
    let top = pts.iter().map(|p| p[1]).fold(0.0, f64::max) * 1.04;
    // Tags sit just right of their line (left of it near the right edge).
    let nudge = (c.harm.hi - c.harm.lo) * 0.008;
    let right_edge = c.harm.lo + (c.harm.hi - c.harm.lo) * 0.85;
    let marks: Vec<(&str, String, f64, egui::Color32, LineStyle)> = [
        ("median", f.harm_median, theme::reference(), LineStyle::dotted_dense()),
        ("mean", f.harm_mean, theme::hazard(), LineStyle::Solid),
        ("worst 5%", f.harm_cvar95, theme::hazard(), LineStyle::dashed_loose()),
    ]
    .into_iter()
    .filter(|(_, v, _, _)| *v > 0.0)
    .map(|(n, v, c, s)| (n, format!("{n}: {}", fmt::money_compact(v)), v.log10(), c, s))
    .collect();
    let text_color = ui.visuals().text_color();
    plots::show(
        ui,
        out,
        &format!("Harm under {name}: where the median and the mean sit"),
        Some(FigureKind::HarmDistribution),
        plot,
        move |pu| {
            if !pts.is_empty() {
                pu.line(plots::policy_line(&name, color, pts, false));
            }
            if let Some(g) = ghost {
                pu.line(plots::policy_line(&name, color, g, true));
            }
            for (short, label, x, c, style) in marks {
                pu.vline(VLine::new(label, x).color(c).style(style).width(1.5));
                if top > 0.0 {
                    // No name: the line, not its tag, has the legend entry.
                    pu.text(
                        if x < right_edge {
                            Text::new("", PlotPoint::new(x + nudge, top), short).anchor(egui::Align2::LEFT_BOTTOM)
                        } else {
                            Text::new("", PlotPoint::new(x - nudge, top), short).anchor(egui::Align2::RIGHT_BOTTOM)
                        }
                        .color(text_color),
                    );
                }
            }
        },
    );
    plots::note(ui, format!("Worlds with no harm ({}) are not drawn.", fmt::probability_percent(f.no_harm_share)));
}

fn hazard_plot_ui(ui: &mut Ui, c: &Computed, pinned: Option<&Computed>, height: f32, out: &mut super::ViewOut) {
    let plot = plots::base("learn_hazard", "year", "share of worlds", height)
        .legend(plots::legend(egui_plot::Corner::RightBottom))
        .include_y(0.0)
        .include_y(1.0)
        .y_axis_formatter(plots::share_ticks)
        .label_formatter(plots::readout("year", |x| format!("{x:.2}"), "share", fmt::probability_percent));
    let mut lines = curves(c, pinned, |x| &x.hazard_public);
    // A legend in a bottom corner lists bottom-up: insert in reverse to read in policy order.
    lines.reverse();
    plots::show(
        ui,
        out,
        "Hazardous capability public (for good) by year",
        Some(FigureKind::FrontierOpenPool),
        plot,
        move |pu| {
            for l in lines {
                pu.line(l);
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> LearnFacts {
        LearnFacts {
            policy: "Status quo".into(),
            years: 10.0,
            harm_mean: 500.0,
            harm_median: 50.0,
            harm_cvar95: 5000.0,
            no_harm_share: 0.2,
            benefit_mean: 20_000.0,
            benefit_median: 19_000.0,
            p_catastrophe: 0.12,
            hazard_threshold_median: 27.5,
            mid_year: 5.0,
            public_by_mid: 0.4,
            public_by_end: 0.9,
        }
    }

    #[test]
    fn the_text_quotes_the_numbers() {
        let f = facts();
        let a = f.asymmetry_text();
        assert!(a.contains("$50B") && a.contains("$500B") && a.contains("10.0 times the median"), "{a}");
        assert!(a.contains("$5T") && a.contains("20%"), "{a}");
        let i = f.irreversibility_text();
        assert!(i.contains("3.2e27") && i.contains("by year 5 in 40%") && i.contains("by year 10 in 90%"), "{i}");
        assert!(f.benefit_text().contains("12%"));
    }

    #[test]
    fn a_median_of_zero_is_explained() {
        let f = LearnFacts { harm_median: 0.0, ..facts() };
        assert!(f.asymmetry_text().contains("more than half of the worlds see no misuse damage"));
    }
}
