//! Distributions: density or histogram and ECDF of benefit, harm or net welfare, and the
//! paired difference of every policy's net welfare to the reference policy's.

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::Ui;
use egui_plot::{LineStyle, VLine};

use super::super::theme;
use super::ViewCx;
use super::overview::curves;
use super::plots;
use crate::workspace::computed::{Computed, MetricPlot};
use crate::workspace::state::{Metric, Shape};

pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    ui.horizontal(|ui| {
        ui.label("Outcome");
        for m in Metric::ALL {
            ui.selectable_value(&mut cx.persisted.metric, m, m.label());
        }
        ui.separator();
        ui.label("Show as");
        ui.selectable_value(&mut cx.persisted.shape, Shape::Density, "Density");
        ui.selectable_value(&mut cx.persisted.shape, Shape::Histogram, "Histogram");
    });
    let metric = cx.persisted.metric;
    let shape = cx.persisted.shape;
    let c = cx.current;
    let pinned = cx.pinned;
    let out = &mut *cx.out;
    let height = ((ui.available_height() - 110.0) / 2.0).max(200.0);
    let m = c.metric(metric);
    let x_title = if m.log10 {
        format!("{} per world (2025 US$, log scale)", metric.label().to_lowercase())
    } else {
        format!("{} per world (2025 US$, discounted)", metric.label().to_lowercase())
    };
    let fx: fn(f64) -> String = if m.log10 { plots::log_money } else { fmt::money_compact };
    let ticks: plots::TickFn = if m.log10 { plots::log_money_ticks } else { plots::money_ticks };
    ui.columns(2, |cols| {
        let y_title = plots::density_title(m);
        let mut plot = plots::density_y(plots::base("dist_main", &x_title, &y_title, height))
            .x_axis_formatter(ticks)
            .label_formatter(plots::readout("value", fx, "worlds", |y| format!("{y:.2}%")));
        plot = plot.x_grid_spacer(if m.log10 { plots::decade_marks } else { plots::nice_marks });
        let pick = |x: &Computed| -> Vec<Vec<[f64; 2]>> {
            match shape {
                Shape::Density => x.metric(metric).density.clone(),
                Shape::Histogram => x.metric(metric).histogram.clone(),
            }
        };
        let mut all = pick(c);
        all.extend(pinned.map(pick).unwrap_or_default());
        let plot = plots::legend_room(plot, &all, all.iter().filter(|s| !s.is_empty()).count(), height);
        let lines = match shape {
            Shape::Density => curves(c, pinned, |x| &x.metric(metric).density),
            Shape::Histogram => curves(c, pinned, |x| &x.metric(metric).histogram),
        };
        let title = format!("{}: {}", metric.label(), if shape == Shape::Density { "density" } else { "histogram" });
        let figure = match metric {
            Metric::Benefit => FigureKind::BenefitDistribution,
            Metric::Harm => FigureKind::HarmDistribution,
            Metric::Net => FigureKind::NetDistribution,
        };
        plots::show(&mut cols[0], out, &title, Some(figure), plot, move |p| {
            for l in lines {
                p.line(l);
            }
        });
        zero_note(&mut cols[0], c, m);

        let mut plot = plots::base("dist_ecdf", &x_title, "share of worlds at or below x", height)
            .legend(plots::legend(egui_plot::Corner::LeftTop))
            .x_axis_formatter(ticks)
            .y_axis_formatter(plots::share_ticks)
            .include_y(0.0)
            .include_y(1.0)
            .label_formatter(plots::readout("value", fx, "P(X at most x)", fmt::probability_percent));
        plot = plot.x_grid_spacer(if m.log10 { plots::decade_marks } else { plots::nice_marks });
        let lines = curves(c, pinned, |x| &x.metric(metric).ecdf);
        plots::show(
            &mut cols[1],
            out,
            &format!("{}: cumulative distribution (ECDF)", metric.label()),
            Some(FigureKind::Ecdf),
            plot,
            move |p| {
                for l in lines {
                    p.line(l);
                }
            },
        );
        plots::note(
            &mut cols[1],
            format!(
                "The x axis shows the middle {} of worlds; the {} beyond each end sit on the edges (the ECDF's \
                 first and last steps). Drag or zoom the plot to see them.",
                fmt::probability_percent(1.0 - 2.0 * m.tail),
                fmt::probability_percent(m.tail)
            ),
        );
    });
    ui.add_space(6.0);
    diff_ui(ui, c, pinned, (ui.available_height() - 50.0).max(200.0), out);
}

fn zero_note(ui: &mut Ui, c: &Computed, m: &MetricPlot) {
    if !m.log10 {
        return;
    }
    let parts: Vec<String> = c
        .policy_names
        .iter()
        .zip(&m.zero_share)
        .map(|(n, z)| format!("{n} {}", fmt::probability_percent(*z)))
        .collect();
    plots::note(
        ui,
        format!("Worlds with no harm at all (not drawn; curves' areas exclude them): {}", parts.join(", ")),
    );
}

fn diff_ui(ui: &mut Ui, c: &Computed, pinned: Option<&Computed>, height: f32, out: &mut super::ViewOut) {
    let base_name = c.policy_names.get(c.reference).cloned().unwrap_or_default();
    let plot = plots::density_y(plots::base(
        "dist_diff",
        &format!("net welfare minus {base_name}'s, same world (2025 US$)"),
        &plots::density_title(&c.diff),
        height,
    ))
    .x_axis_formatter(plots::money_ticks)
    .x_grid_spacer(plots::nice_marks)
    .label_formatter(plots::readout("difference", fmt::money_compact, "worlds", |y| format!("{y:.2}%")));
    let lines = curves(c, pinned, |x| &x.diff.density);
    let zero_color = theme::reference();
    plots::show(
        ui,
        out,
        &format!("Paired difference to the reference policy ({base_name})"),
        Some(FigureKind::PairedDifference),
        plot,
        move |p| {
            for l in lines {
                p.line(l);
            }
            p.vline(VLine::new("no difference", 0.0).color(zero_color).style(LineStyle::dashed_loose()));
        },
    );
    let parts: Vec<String> = c
        .summary
        .policies
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != c.reference)
        .map(|(_, p)| {
            format!("{}: better in {} of worlds", p.name, fmt::probability_percent(p.p_better_than_reference))
        })
        .collect();
    plots::note(ui, parts.join(" · "));
}
