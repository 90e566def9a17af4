//! Overview: the summary table of every policy, net-welfare distributions overlaid, and the
//! harm exceedance curve on log-log axes.

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::{RichText, Sense, Ui, Vec2};

use crate::analysis::PolicySummary;

use super::super::theme;
use super::ViewCx;
use super::plots;
use crate::workspace::computed::Computed;

pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    summary_table_ui(ui, cx.current, cx.pinned);
    plots::note(
        ui,
        "Money in 2025 US dollars, discounted. ± is one Monte Carlo standard error. P(catastrophe): share of worlds with \
         at least one event above the catastrophe threshold, with its 95% interval. P(better): share of the same \
         worlds in which the policy's net welfare beats the reference policy's.",
    );
    ui.add_space(6.0);
    let height = (ui.available_height() - 40.0).max(240.0);
    let current = cx.current;
    let pinned = cx.pinned;
    let out = &mut *cx.out;
    ui.columns(2, |cols| {
        net_plot_ui(&mut cols[0], current, pinned, height, out);
        exceedance_plot_ui(&mut cols[1], current, pinned, height, out);
    });
}

fn swatch(ui: &mut Ui, color: egui::Color32) {
    let (rect, _) = ui.allocate_exact_size(Vec2::new(12.0, 12.0), Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
}

const HEADERS: [(&str, &str); 7] = [
    ("Mean benefit", "Mean discounted benefit per world (2025 US$)"),
    ("Mean harm", "Mean discounted misuse harm per world (2025 US$)"),
    ("Mean net", "Mean of benefit minus harm per world (2025 US$)"),
    ("CVaR95 harm", "Mean harm of the worst 5% of worlds"),
    ("P(catastrophe)", "Share of worlds with at least one catastrophe, and its 95% (Wilson) interval"),
    ("P(better)", "Share of worlds in which this policy's net beats the reference policy's in the same world"),
    ("Δ net vs reference", "Mean paired difference of net welfare to the reference policy, ± its standard error"),
];

fn row_cells(ui: &mut Ui, p: &PolicySummary, is_reference: bool, weak: bool) {
    let cell = |ui: &mut Ui, text: String| {
        let t = RichText::new(text);
        ui.label(if weak { t.weak().italics() } else { t });
    };
    cell(ui, fmt::money_compact_plus_minus(p.benefit.mean, p.benefit.se));
    cell(ui, fmt::money_compact_plus_minus(p.harm.mean, p.harm.se));
    cell(ui, fmt::money_compact_plus_minus(p.net.mean, p.net.se));
    cell(ui, fmt::money_compact(p.cvar95_harm));
    cell(
        ui,
        format!(
            "{} [{}, {}]",
            fmt::probability_percent(p.p_catastrophe),
            fmt::probability_percent(p.p_catastrophe_lo),
            fmt::probability_percent(p.p_catastrophe_hi)
        ),
    );
    if is_reference {
        cell(ui, "reference".into());
        cell(ui, "—".into());
    } else {
        cell(ui, fmt::probability_percent(p.p_better_than_reference));
        cell(ui, fmt::money_compact_plus_minus(p.net_diff_mean, p.net_diff_se));
    }
}

/// The table of every policy (and, ghosted, the pinned result's rows).
pub fn summary_table_ui(ui: &mut Ui, c: &Computed, pinned: Option<&Computed>) {
    egui::ScrollArea::horizontal().id_salt("summary_scroll").show(ui, |ui| {
        egui::Grid::new("summary_table").striped(true).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label(RichText::new("Policy").strong());
            for (h, tip) in HEADERS {
                ui.label(RichText::new(h).strong()).on_hover_text(tip);
            }
            ui.end_row();
            for (i, p) in c.summary.policies.iter().enumerate() {
                ui.horizontal(|ui| {
                    swatch(ui, theme::policy(i));
                    ui.label(&p.name);
                });
                row_cells(ui, p, i == c.summary.reference, false);
                ui.end_row();
                if let Some(pp) = pinned.and_then(|x| x.summary.policies.get(i).map(|p| (p, x.summary.reference == i)))
                {
                    ui.horizontal(|ui| {
                        ui.add_space(16.0);
                        ui.label(RichText::new(format!("pinned: {}", pp.0.name)).weak().italics());
                    });
                    row_cells(ui, pp.0, pp.1, true);
                    ui.end_row();
                }
            }
        });
    });
}

fn net_plot_ui(ui: &mut Ui, c: &Computed, pinned: Option<&Computed>, height: f32, out: &mut super::ViewOut) {
    let plot = plots::density_y(plots::base(
        "overview_net",
        "net welfare per world (2025 US$, discounted)",
        &plots::density_title(&c.net),
        height,
    ))
    .x_axis_formatter(plots::money_ticks)
    .x_grid_spacer(plots::nice_marks)
    .label_formatter(plots::readout("net", fmt::money_compact, "worlds", |y| format!("{y:.2}%")));
    let mut all = c.net.density.clone();
    all.extend(pinned.iter().flat_map(|p| p.net.density.iter().cloned()));
    let plot = plots::legend_room(plot, &all, all.iter().filter(|s| !s.is_empty()).count(), height);
    let lines: Vec<_> = curves(c, pinned, |c| &c.net.density);
    plots::show(ui, out, "Net welfare across worlds", Some(FigureKind::NetDistribution), plot, move |plot_ui| {
        for l in lines {
            plot_ui.line(l);
        }
    });
}

fn exceedance_plot_ui(ui: &mut Ui, c: &Computed, pinned: Option<&Computed>, height: f32, out: &mut super::ViewOut) {
    let plot = plots::base("overview_exceedance", "harm per world (log scale)", "P(harm > x) (log scale)", height)
        .legend(plots::legend(egui_plot::Corner::LeftBottom))
        .x_axis_formatter(plots::log_money_ticks)
        .y_axis_formatter(plots::log_prob_ticks)
        .x_grid_spacer(plots::decade_marks)
        .y_grid_spacer(plots::decade_marks)
        .label_formatter(plots::readout("harm", plots::log_money, "P(harm > x)", |y| {
            fmt::probability_percent(10f64.powf(y))
        }));
    let mut lines = curves(c, pinned, |c| &c.exceedance);
    // The legend sits bottom-left (the curves fall from the top left to the bottom right) and
    // lists bottom-up: insert in reverse to read in policy order.
    lines.reverse();
    plots::show(
        ui,
        out,
        "Harm tail: how often harm exceeds x",
        Some(FigureKind::HarmExceedance),
        plot,
        move |plot_ui| {
            for l in lines {
                plot_ui.line(l);
            }
        },
    );
}

/// Lines of one per-policy curve for the current and the pinned result.
pub fn curves<'a>(
    c: &Computed,
    pinned: Option<&Computed>,
    pick: impl Fn(&Computed) -> &Vec<Vec<[f64; 2]>>,
) -> Vec<egui_plot::Line<'a>> {
    let mut lines = Vec::new();
    for (i, pts) in pick(c).iter().enumerate() {
        if !pts.is_empty() {
            let name = c.policy_names.get(i).map_or("", String::as_str);
            lines.push(plots::policy_line(name, theme::policy(i), pts.clone(), false));
        }
    }
    if let Some(p) = pinned {
        for (i, pts) in pick(p).iter().enumerate() {
            if !pts.is_empty() {
                let name = p.policy_names.get(i).map_or("", String::as_str);
                lines.push(plots::policy_line(name, theme::policy(i), pts.clone(), true));
            }
        }
    }
    lines
}
