//! Jurisdictions: frontier-development shares over time under each policy (the drift to lax
//! regions), and mean benefit and harm per jurisdiction (who gains, who is hit).

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::Ui;
use egui_plot::{Bar, BarChart, FilledArea, Line, MarkerShape, Points};

use super::super::theme;
use super::plots;
use super::{ViewCx, ViewOut};
use crate::workspace::computed::{Computed, FIRST_SHARE};

pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    let c = cx.current;
    let pinned = cx.pinned;
    let out = &mut *cx.out;
    let np = c.n_policies().max(1);
    let per_row = np.min(4);
    let rows = np.div_ceil(per_row);
    let multiples_height = ((ui.available_height() * 0.5) / rows as f32 - 30.0).max(150.0);
    plots::note(
        ui,
        "Share of frontier development in each jurisdiction (median line, 25–75% band). Development moves toward \
         jurisdictions with a lighter burden.",
    );
    legend_strip_ui(ui, &c.jurisdiction_names);
    for row in 0..rows {
        ui.columns(per_row, |cols| {
            for (k, col) in cols.iter_mut().enumerate() {
                let p = row * per_row + k;
                if p < c.n_policies() {
                    shares_plot_ui(col, c, pinned, p, multiples_height, out);
                }
            }
        });
    }
    ui.add_space(6.0);
    let height = (ui.available_height() - 60.0).max(200.0);
    ui.columns(2, |cols| {
        bars_ui(&mut cols[0], c, pinned, true, height, out);
        bars_ui(&mut cols[1], c, pinned, false, height, out);
    });
    let from = if c.jurisdiction_runs < c.runs {
        format!(" Means from the first {} worlds.", fmt::count(c.jurisdiction_runs as u64))
    } else {
        String::new()
    };
    plots::note(ui, format!("Bars: mean per world (2025 US$, discounted); diamonds: the pinned result.{from}"));
}

fn shares_plot_ui(ui: &mut Ui, c: &Computed, pinned: Option<&Computed>, p: usize, height: f32, out: &mut ViewOut) {
    let name = c.policy_names.get(p).cloned().unwrap_or_default();
    // One legend for all the small multiples (the strip above them), so none hides a line.
    let plot = plots::base_without_legend(&format!("shares_{p}"), "year", "share of development", height)
        .include_y(0.0)
        .include_y(1.0)
        .y_axis_formatter(plots::share_ticks)
        .link_axis(egui::Id::unique("tierlab_shares"), [true, true])
        .label_formatter(plots::readout("year", |x| format!("{x:.2}"), "share", fmt::probability_percent));
    let mut areas = Vec::new();
    let mut lines: Vec<Line<'_>> = Vec::new();
    for (j, jname) in c.jurisdiction_names.iter().enumerate() {
        let color = theme::jurisdiction(j);
        if let Some(f) = c.fan(p, FIRST_SHARE + j) {
            areas.push(FilledArea::new(jname, &f.years, &f.p25, &f.p75).fill_color(theme::band(color, true)));
            lines.push(plots::policy_line(jname, color, f.median_points(), false));
        }
        if let Some(f) = pinned.and_then(|x| x.fan(p, FIRST_SHARE + j)) {
            lines.push(plots::policy_line(jname, color, f.median_points(), true));
        }
    }
    plots::show(ui, out, &format!("Shares under {name}"), Some(FigureKind::SharesOverTime), plot, move |pu| {
        for a in areas {
            pu.add(a);
        }
        for l in lines {
            pu.line(l);
        }
    });
}

/// A name short enough for an axis tick (egui_plot drops labels wider than their spacing):
/// "Rest of world" -> "Rest of…". Hovering a bar shows the full name.
pub fn tick_name(name: &str) -> String {
    const MAX: usize = 9;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The jurisdictions' colours, once for every small multiple.
fn legend_strip_ui(ui: &mut Ui, names: &[String]) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Jurisdictions:");
        for (j, name) in names.iter().enumerate() {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 10.0), egui::Sense::hover());
            ui.painter().line_segment(
                [rect.left_center(), rect.right_center()],
                egui::Stroke::new(2.5, theme::jurisdiction(j)),
            );
            ui.label(name);
        }
    });
}

fn bars_ui(ui: &mut Ui, c: &Computed, pinned: Option<&Computed>, benefit: bool, height: f32, out: &mut ViewOut) {
    let np = c.n_policies().max(1);
    let width = 0.8 / np as f64;
    let names = c.jurisdiction_names.clone();
    let value = |x: &Computed, p: usize, j: usize| -> Option<f64> {
        x.summary.policies.get(p)?.jurisdictions.get(j).map(|s| if benefit { s.benefit_mean } else { s.harm_mean })
    };
    let mut charts = Vec::new();
    let mut ghosts = Vec::new();
    for p in 0..c.n_policies() {
        let pname = c.policy_names.get(p).cloned().unwrap_or_default();
        let x_of = |j: usize| j as f64 - 0.4 + (p as f64 + 0.5) * width;
        let bars: Vec<Bar> = (0..names.len())
            .filter_map(|j| {
                value(c, p, j).map(|v| Bar::new(x_of(j), v).width(width * 0.92).name(format!("{} · {pname}", names[j])))
            })
            .collect();
        charts.push(
            BarChart::new(pname.clone(), bars)
                .color(theme::policy(p))
                .element_formatter(Box::new(|bar, _| format!("{}\n{}", bar.name, fmt::money_compact(bar.value)))),
        );
        if let Some(pin) = pinned {
            let pts: Vec<[f64; 2]> = (0..names.len()).filter_map(|j| value(pin, p, j).map(|v| [x_of(j), v])).collect();
            if !pts.is_empty() {
                ghosts.push(
                    Points::new(format!("{pname} (pinned)"), pts)
                        .shape(MarkerShape::Diamond)
                        .radius(4.0)
                        .color(theme::ghost(theme::policy(p))),
                );
            }
        }
    }
    let (title, y_title) = if benefit {
        ("Who gains: mean benefit per jurisdiction", "benefit (2025 US$, discounted)")
    } else {
        ("Who is hit: mean harm per jurisdiction", "harm (2025 US$, discounted)")
    };
    let tick_names = names.clone();
    let top = (0..c.n_policies())
        .flat_map(|p| (0..names.len()).filter_map(move |j| value(c, p, j)))
        .chain(pinned.into_iter().flat_map(|pin| {
            (0..pin.n_policies())
                .flat_map(move |p| (0..pin.jurisdiction_names.len()).filter_map(move |j| value(pin, p, j)))
        }))
        .fold(0.0, f64::max);
    let plot = plots::base(if benefit { "bars_benefit" } else { "bars_harm" }, "jurisdiction", y_title, height)
        .y_axis_formatter(plots::money_ticks)
        .x_axis_formatter(move |m, _| {
            let j = m.value.round();
            if (m.value - j).abs() < 1e-6 && j >= 0.0 {
                tick_names.get(j as usize).map(|n| tick_name(n)).unwrap_or_default()
            } else {
                String::new()
            }
        })
        .x_grid_spacer(|input| {
            let (lo, hi) = input.bounds;
            (lo.ceil() as i64..=hi.floor() as i64)
                .map(|j| egui_plot::GridMark { value: j as f64, step_size: 1.0 })
                .collect()
        })
        .include_y(0.0)
        .include_x(-0.7)
        .include_x(names.len() as f64 - 0.3)
        .show_x(false);
    // Headroom above the tallest bar for the legend, however short the plot.
    let entries = c.n_policies() + pinned.map_or(0, |p| p.n_policies());
    let plot = plots::legend_room(plot, &[vec![[0.0, top]]], entries, height);
    plots::show(ui, out, title, Some(FigureKind::JurisdictionBars), plot, move |pu| {
        for ch in charts {
            pu.bar_chart(ch);
        }
        for g in ghosts {
            pu.points(g);
        }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn tick_names_are_short() {
        assert_eq!(super::tick_name("US"), "US");
        assert_eq!(super::tick_name("Rest of world"), "Rest of…");
    }
}
