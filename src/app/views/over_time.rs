//! Over time: fan charts (p5-p95 and p25-p75 bands, median) of cumulative benefit and harm,
//! and the frontier against the open pool and the hazard threshold.

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::{Color32, Ui};
use egui_plot::{FilledArea, HLine, Line, LineStyle, PlotPoints, PlotUi};

use super::super::theme;
use super::ViewCx;
use super::plots;
use crate::workspace::computed::{CUM_BENEFIT, CUM_HARM, Computed, FRONTIER, Fan, OPEN_POOL};

pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    let c = cx.current;
    let n = c.n_policies();
    if cx.state.over_time_policy.is_some_and(|p| p >= n) {
        cx.state.over_time_policy = None;
    }
    ui.horizontal(|ui| {
        let label = ui.label("Policy");
        let selected = match cx.state.over_time_policy {
            Some(p) => c.policy_names.get(p).cloned().unwrap_or_default(),
            None => "All policies (medians, 50% bands)".into(),
        };
        egui::ComboBox::from_id_salt("over_time_policy")
            .selected_text(selected)
            .width(280.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut cx.state.over_time_policy, None, "All policies (medians, 50% bands)");
                for (i, name) in c.policy_names.iter().enumerate() {
                    ui.selectable_value(&mut cx.state.over_time_policy, Some(i), name);
                }
            })
            .response
            .labelled_by(label.id);
        plots::note(
            ui,
            format!(
                "Bands from the first {} worlds: dark 25–75%, light 5–95%; line: median.",
                fmt::count(c.series_runs as u64)
            ),
        );
    });
    let selected = cx.state.over_time_policy;
    let pinned = cx.pinned;
    let out = &mut *cx.out;
    let height = ((ui.available_height() - 90.0) / 2.0).max(200.0);
    ui.columns(2, |cols| {
        for (col, metric, title, y_title) in [
            (0, CUM_BENEFIT, "Cumulative benefit", "cumulative benefit (2025 US$, discounted)"),
            (1, CUM_HARM, "Cumulative harm", "cumulative harm (2025 US$, discounted)"),
        ] {
            let plot = plots::base(&format!("fan_{metric}"), "year", y_title, height)
                .legend(plots::legend(egui_plot::Corner::LeftTop))
                .y_axis_formatter(plots::money_ticks)
                .link_axis(egui::Id::unique("tierlab_over_time_x"), [true, false])
                .label_formatter(plots::readout("year", |x| format!("{x:.2}"), "value", fmt::money_compact));
            let items = fan_items(c, pinned, selected, metric);
            let figure = if col == 0 { FigureKind::FanBenefit } else { FigureKind::FanHarm };
            plots::show(&mut cols[col], out, title, Some(figure), plot, move |p| items.draw(p));
        }
    });
    ui.add_space(6.0);
    let height = (ui.available_height() - 40.0).max(200.0);
    let plot = plots::base("frontier", "year", "capability (log10 effective FLOP)", height)
        .legend(plots::legend(egui_plot::Corner::LeftTop))
        .y_axis_formatter(|m, _| format!("{:.1}", m.value))
        .link_axis(egui::Id::unique("tierlab_over_time_x"), [true, false])
        .label_formatter(plots::readout(
            "year",
            |x| format!("{x:.2}"),
            "capability",
            |y| format!("{y:.2} ({} effective FLOP)", crate::fmt::flop(y)),
        ));
    let items = frontier_items(c, pinned, selected);
    plots::show(
        ui,
        out,
        "Frontier, open pool and the hazard threshold",
        Some(FigureKind::FrontierOpenPool),
        plot,
        move |p| items.draw(p),
    );
}

/// Plot items built before the plot closure (which must own them).
#[derive(Default)]
struct Items<'a> {
    areas: Vec<FilledArea>,
    lines: Vec<Line<'a>>,
    hlines: Vec<HLine>,
}

impl<'a> Items<'a> {
    fn draw(self, p: &mut PlotUi<'a>) {
        for a in self.areas {
            p.add(a);
        }
        for h in self.hlines {
            p.hline(h);
        }
        for l in self.lines {
            p.line(l);
        }
    }

    fn band(&mut self, name: &str, f: &Fan, color: Color32, outer: bool) {
        if outer {
            self.areas.push(FilledArea::new(name, &f.years, &f.p5, &f.p95).fill_color(theme::band(color, false)));
        }
        self.areas.push(FilledArea::new(name, &f.years, &f.p25, &f.p75).fill_color(theme::band(color, true)));
    }
}

fn fan_items<'a>(c: &Computed, pinned: Option<&Computed>, selected: Option<usize>, metric: usize) -> Items<'a> {
    let mut items = Items::default();
    let policies: Vec<usize> = match selected {
        Some(p) => vec![p],
        None => (0..c.n_policies()).collect(),
    };
    for &p in &policies {
        let color = theme::policy(p);
        let name = c.policy_names.get(p).map_or("", String::as_str);
        if let Some(f) = c.fan(p, metric) {
            items.band(name, f, color, selected.is_some());
            items.lines.push(plots::policy_line(name, color, f.median_points(), false));
            if selected.is_some() {
                let mean: Vec<[f64; 2]> = f.years.iter().zip(&f.mean).map(|(&x, &y)| [x, y]).collect();
                items.lines.push(
                    Line::new(format!("{name}: mean"), PlotPoints::from(mean))
                        .color(color)
                        .style(LineStyle::dotted_dense())
                        .width(1.5),
                );
            }
        }
        if let Some(f) = pinned.and_then(|x| x.fan(p, metric)) {
            let pname = pinned.and_then(|x| x.policy_names.get(p)).map_or(name, String::as_str);
            items.lines.push(plots::policy_line(pname, color, f.median_points(), true));
        }
    }
    items
}

fn frontier_items<'a>(c: &Computed, pinned: Option<&Computed>, selected: Option<usize>) -> Items<'a> {
    let mut items = Items::default();
    let [h5, h50, h95] = c.hazard_threshold;
    if h95 > h5 {
        let xs = [0.0, c.years];
        items.areas.push(
            FilledArea::new("hazard threshold, 5–95% of worlds", &xs, &[h5, h5], &[h95, h95])
                .fill_color(theme::hazard().gamma_multiply(0.10)),
        );
    }
    items.hlines.push(
        HLine::new(format!("hazard threshold (median {})", crate::fmt::flop(h50)), h50)
            .color(theme::hazard())
            .width(1.5)
            .style(LineStyle::dashed_loose()),
    );
    let frontier_color = theme::reference();
    match selected {
        Some(p) => {
            let name = c.policy_names.get(p).map_or("", String::as_str);
            if let Some(f) = c.fan(p, FRONTIER) {
                items.band("frontier", f, frontier_color, true);
                items
                    .lines
                    .push(Line::new("frontier", PlotPoints::from(f.median_points())).color(frontier_color).width(2.0));
            }
            if let Some(f) = c.fan(p, OPEN_POOL) {
                let label = format!("open pool: {name}");
                items.band(&label, f, theme::policy(p), true);
                items.lines.push(plots::policy_line(&label, theme::policy(p), f.median_points(), false));
            }
            if let Some(f) = pinned.and_then(|x| x.fan(p, OPEN_POOL)) {
                items.lines.push(plots::policy_line(
                    &format!("open pool: {name}"),
                    theme::policy(p),
                    f.median_points(),
                    true,
                ));
            }
        }
        None => {
            if let Some(f) = c.fan(0, FRONTIER) {
                items.lines.push(
                    Line::new("frontier (median)", PlotPoints::from(f.median_points()))
                        .color(frontier_color)
                        .width(2.0),
                );
            }
            for p in 0..c.n_policies() {
                let name = c.policy_names.get(p).map_or("", String::as_str);
                if let Some(f) = c.fan(p, OPEN_POOL) {
                    items.lines.push(plots::policy_line(
                        &format!("open pool: {name}"),
                        theme::policy(p),
                        f.median_points(),
                        false,
                    ));
                }
                if let Some(f) = pinned.and_then(|x| x.fan(p, OPEN_POOL)) {
                    items.lines.push(plots::policy_line(
                        &format!("open pool: {name}"),
                        theme::policy(p),
                        f.median_points(),
                        true,
                    ));
                }
            }
        }
    }
    items
}
