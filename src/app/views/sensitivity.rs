//! Sensitivity: which uncertain parameters drive an outcome. A one-at-a-time tornado (each
//! parameter at its 10th and 90th percentile, the others drawn, common random numbers),
//! partial rank correlations beside plain Spearman correlations, and what the worst 5% of
//! worlds drew compared with all worlds.

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::{ComboBox, DragValue, RichText, Ui};
use egui_plot::{Bar, BarChart, GridMark, Line, LineStyle, PlotPoints, VLine};

use crate::analysis::sensitivity::{Output, Sensitivity, TAIL_SHARE, TORNADO_HIGH, TORNADO_LOW, TailBy};
use crate::model::{PARAMS, Scenario};

use super::super::theme;
use super::plots::{self, param_meaning, short};
use super::{ViewCx, ViewOut, analysis_status_ui};
use crate::workspace::analyses::{Outcome, Slot};
use crate::workspace::settings::SensitivitySettings;

fn output_label(o: Output) -> &'static str {
    match o {
        Output::Benefit => "benefit",
        Output::Harm => "harm",
        Output::Net => "net welfare",
        Output::NetDiff => "net minus the reference policy's",
        Output::Catastrophe => "catastrophe (0 or 1)",
    }
}

fn output_help(o: Output) -> &'static str {
    match o {
        Output::Benefit => "Discounted benefit per world (2025 US$)",
        Output::Harm => "Discounted misuse harm per world (2025 US$)",
        Output::Net => "Benefit minus harm per world (2025 US$)",
        Output::NetDiff => "The policy's net minus the reference policy's net in the same world (2025 US$)",
        Output::Catastrophe => "1 if the world had at least one catastrophe, else 0: its mean is P(catastrophe)",
    }
}

/// A value of the output: fmt::money_compact, or a probability for catastrophe.
fn output_value(o: Output, v: f64) -> String {
    if o == Output::Catastrophe { fmt::probability_percent(v) } else { fmt::money_compact(v) }
}

/// Draws the tab.
pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    let scenario = cx.scenario;
    let settings = &mut cx.state.sensitivity;
    let policy = settings.resolve(scenario);
    controls_ui(ui, scenario, settings, policy);
    let view = cx.analyses.view(Slot::Sensitivity);
    analysis_status_ui(ui, &view, Slot::Sensitivity, "sensitivity analysis", cx.dark(), cx.out);
    let Some(Outcome::Sensitivity(r)) = view.outcome.clone() else {
        return;
    };
    let settings = &mut cx.state.sensitivity;
    ui.label(
        RichText::new(format!(
            "Mean {} of {}: {} ± {} over {} worlds (seed {}).",
            output_label(r.output),
            r.policy,
            output_value(r.output, r.output_mean),
            output_value(r.output, r.output_se),
            fmt::number(r.runs as f64),
            r.seed
        ))
        .strong(),
    );
    let out = &mut *cx.out;
    let row_h = ((ui.available_height() - 60.0) / 2.0).max(240.0);
    // egui_plot drops tick labels closer than about 20 points: a short window shows the
    // top parameters that keep their names rather than bars without them.
    let fit = (((row_h - 70.0) / 20.0).floor() as usize).max(3);
    let shown = settings.shown.max(1).min(fit);
    key_ui(ui, &r);
    if settings.shown > fit && r.params.len() > fit {
        plots::note(
            ui,
            format!("The top {fit} parameters, as many as this window's height can label; a taller window shows more."),
        );
    }
    ui.columns(2, |cols| {
        tornado_ui(&mut cols[0], &r, shown, row_h, out);
        correlations_ui(&mut cols[1], &r, shown, row_h, out);
    });
    ui.columns(2, |cols| {
        tail_table_ui(&mut cols[0], &r, settings, row_h);
        tail_plot_ui(&mut cols[1], &r, settings, row_h, out);
    });
}

fn controls_ui(ui: &mut Ui, scenario: &Scenario, s: &mut SensitivitySettings, policy: usize) {
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("What drives");
        ComboBox::from_id_salt("sens_output")
            .selected_text(output_label(s.output))
            .show_ui(ui, |ui| {
                for o in Output::ALL {
                    let usable = !(o == Output::NetDiff && policy == scenario.run().reference);
                    ui.add_enabled_ui(usable, |ui| {
                        ui.selectable_value(&mut s.output, o, output_label(o)).on_hover_text(output_help(o));
                    })
                    .response
                    .on_disabled_hover_text("The reference policy's difference to itself is always zero");
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("under");
        let name = scenario.policies().get(policy).map_or("", |p| p.name.as_str());
        ComboBox::from_id_salt("sens_policy")
            .selected_text(name)
            .width(220.0)
            .show_ui(ui, |ui| {
                for (i, p) in scenario.policies().iter().enumerate() {
                    ui.selectable_value(&mut s.policy, Some(i), &p.name);
                }
            })
            .response
            .labelled_by(label.id);
        ui.add(DragValue::new(&mut s.runs).range(20..=1_000_000).speed(100.0).suffix(" runs")).on_hover_text(
            "Worlds simulated with every parameter drawn; the tornado simulates the same worlds twice more per \
             uncertain parameter.",
        );
        ui.checkbox(&mut s.tornado, "tornado").on_hover_text(format!(
            "Hold each parameter at its {:.0}th and {:.0}th percentile in every world (the others keep their draws) \
             and compare the mean outcome. Costs two simulations per uncertain parameter.",
            TORNADO_LOW * 100.0,
            TORNADO_HIGH * 100.0
        ));
        ui.add(DragValue::new(&mut s.shown).range(1..=PARAMS.len()).prefix("top ").suffix(" parameters"))
            .on_hover_text("How many parameters the bars show, largest first");
    });
}

/// Tick labels naming the parameter at each integer position (top row first).
fn name_ticks(names: Vec<String>) -> impl Fn(GridMark, &std::ops::RangeInclusive<f64>) -> String {
    move |mark, _| {
        let i = mark.value.round();
        if (mark.value - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        // Rows are drawn bottom-up: the first name sits at the top.
        let n = names.len();
        let k = i as usize;
        if k < n { names[n - 1 - k].clone() } else { String::new() }
    }
}

/// Grid marks at every row, so every parameter is labelled.
fn row_marks(input: egui_plot::GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let (lo, hi) = (lo.ceil().max(0.0) as i64, hi.floor().max(0.0) as i64);
    (lo..=hi).map(|i| GridMark { value: i as f64, step_size: 1.0 }).collect()
}

/// One key for the tornado and the correlation bars (legends inside would cover bars).
fn key_ui(ui: &mut Ui, r: &Sensitivity) {
    use plots::KeyMark::{Band, Dashed, Solid};
    let noise = 2.0 / (r.runs.max(1) as f64).sqrt();
    plots::key_ui(
        ui,
        &[
            (format!("parameter at its {:.0}th percentile", TORNADO_LOW * 100.0), theme::low(), Band),
            (format!("at its {:.0}th percentile", TORNADO_HIGH * 100.0), theme::high(), Band),
            (
                format!("mean with every parameter drawn: {}", output_value(r.output, r.output_mean)),
                theme::reference(),
                Solid,
            ),
            ("partial rank correlation (PRCC)".into(), theme::prcc(), Band),
            ("Spearman".into(), theme::reference(), Band),
            (format!("noise level ±{noise:.3} (2/√runs)"), theme::reference(), Dashed),
        ],
    );
}

/// A horizontal bar from `base` by `length`, filled in `color`.
fn bar(y: f64, base: f64, length: f64, color: egui::Color32, name: String) -> Bar {
    Bar::new(y, length)
        .base_offset(base)
        .fill(color.gamma_multiply(0.8))
        .stroke(egui::Stroke::new(1.0, color))
        .name(name)
}

fn tornado_ui(ui: &mut Ui, r: &Sensitivity, shown: usize, height: f32, out: &mut ViewOut) {
    if r.params.iter().all(|p| !p.low.is_finite()) {
        ui.label(RichText::new("One-at-a-time tornado").strong());
        plots::note(ui, "Tick \"tornado\" above to hold each parameter at its 10th and 90th percentile.");
        return;
    }
    let rows: Vec<_> = r.params.iter().filter(|p| p.low.is_finite() && p.high.is_finite()).take(shown).collect();
    let n = rows.len();
    let mean = r.output_mean;
    let (low_c, high_c) = (theme::low(), theme::high());
    let low: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let name = format!("{} at p10 = {}: {}", p.param, fmt::number(p.p10), output_value(r.output, p.low));
            bar((n - 1 - k) as f64, mean, p.low - mean, low_c, name)
        })
        .collect();
    let high: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let name = format!("{} at p90 = {}: {}", p.param, fmt::number(p.p90), output_value(r.output, p.high));
            bar((n - 1 - k) as f64, mean, p.high - mean, high_c, name)
        })
        .collect();
    let names: Vec<String> = rows.iter().map(|p| short(&p.param).to_string()).collect();
    let output = r.output;
    let x_title = format!(
        "mean {} ({})",
        output_label(output),
        if output == Output::Catastrophe { "probability" } else { "2025 US$" }
    );
    let plot = plots::base_without_legend("sens_tornado", &x_title, "", height)
        .x_grid_spacer(plots::nice_marks)
        .y_axis_formatter(name_ticks(names))
        .y_grid_spacer(row_marks)
        .y_axis_min_width(150.0)
        .x_axis_formatter(move |m, _| output_value(output, m.value))
        .allow_drag(false)
        .allow_zoom(false);
    let low = BarChart::new(format!("parameter at its {:.0}th percentile", TORNADO_LOW * 100.0), low)
        .horizontal()
        .width(0.7)
        .color(low_c);
    let high = BarChart::new(format!("parameter at its {:.0}th percentile", TORNADO_HIGH * 100.0), high)
        .horizontal()
        .width(0.7)
        .color(high_c);
    let centre = VLine::new(format!("mean with every parameter drawn: {}", output_value(output, mean)), mean)
        .color(theme::reference())
        .width(1.5);
    plots::show(
        ui,
        out,
        &format!("Tornado: mean {} as one parameter moves", output_label(output)),
        Some(FigureKind::Tornado),
        plot,
        move |p| {
            p.bar_chart(low);
            p.bar_chart(high);
            p.vline(centre);
        },
    );
}

fn correlations_ui(ui: &mut Ui, r: &Sensitivity, shown: usize, height: f32, out: &mut ViewOut) {
    let mut rows: Vec<_> = r.params.iter().filter(|p| p.prcc.is_finite()).collect();
    rows.sort_by(|a, b| b.prcc.abs().total_cmp(&a.prcc.abs()));
    rows.truncate(shown);
    let n = rows.len();
    let (prcc_c, spearman_c) = (theme::prcc(), theme::reference());
    let at = |k: usize, off: f64| (n - 1 - k) as f64 + off;
    let prcc: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(k, p)| bar(at(k, 0.19), 0.0, p.prcc, prcc_c, format!("{}: PRCC {:+.3}", p.param, p.prcc)).width(0.36))
        .collect();
    let spearman: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(k, p)| {
            bar(at(k, -0.19), 0.0, p.spearman, spearman_c, format!("{}: Spearman {:+.3}", p.param, p.spearman))
                .width(0.36)
        })
        .collect();
    let names: Vec<String> = rows.iter().map(|p| short(&p.param).to_string()).collect();
    let noise = 2.0 / (r.runs.max(1) as f64).sqrt();
    let plot = plots::base_without_legend("sens_prcc", "rank correlation with the outcome", "", height)
        .y_axis_formatter(name_ticks(names))
        .y_grid_spacer(row_marks)
        .y_axis_min_width(150.0)
        .include_x(-1.0)
        .include_x(1.0)
        .allow_drag(false)
        .allow_zoom(false);
    let prcc = BarChart::new("partial rank correlation (PRCC)", prcc).horizontal().color(prcc_c);
    let spearman = BarChart::new("Spearman rank correlation", spearman).horizontal().color(spearman_c);
    let noise_lines = [-noise, noise].map(|x| {
        VLine::new(format!("noise level ±{noise:.3} (2/√runs)"), x)
            .color(theme::reference().gamma_multiply(0.6))
            .style(LineStyle::dashed_dense())
    });
    plots::show(ui, out, "Rank correlations: PRCC and Spearman", None, plot, move |p| {
        p.bar_chart(spearman);
        p.bar_chart(prcc);
        for l in noise_lines {
            p.vline(l);
        }
    });
}

fn tail_table_ui(ui: &mut Ui, r: &Sensitivity, s: &mut SensitivitySettings, height: f32) {
    let t = &r.tail;
    let by = match t.by {
        TailBy::Harm => format!("highest harm (harm ≥ {})", fmt::money_compact(t.threshold)),
        TailBy::Net => format!("lowest net (net ≤ {})", fmt::money_compact(t.threshold)),
    };
    ui.label(RichText::new(format!("What drove the worst {:.0}% of worlds", TAIL_SHARE * 100.0)).strong());
    plots::note(
        ui,
        format!(
            "The {} worlds with the {by}, against all worlds. Shift: the change of the median in units of the \
             interquartile range over all worlds. Click a row to see both distributions.",
            t.runs
        ),
    );
    if s.selected.is_none() {
        s.selected = t.params.first().map(|p| p.param.clone());
    }
    egui::ScrollArea::vertical().id_salt("tail_table").max_height(height - 40.0).show(ui, |ui| {
        egui::Grid::new("tail_rows").striped(true).spacing([12.0, 3.0]).show(ui, |ui| {
            for h in ["parameter", "median, all", "median, worst", "shift (IQR)"] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for p in &t.params {
                let selected = s.selected.as_deref() == Some(p.param.as_str());
                if ui.selectable_label(selected, &p.param).on_hover_text(param_meaning(&p.param)).clicked() {
                    s.selected = Some(p.param.clone());
                }
                ui.label(fmt::number(p.median_all));
                ui.label(fmt::number(p.median_tail));
                ui.label(if p.shift_iqr.is_finite() { format!("{:+.2}", p.shift_iqr) } else { "—".into() });
                ui.end_row();
            }
        });
    });
}

fn tail_plot_ui(ui: &mut Ui, r: &Sensitivity, s: &SensitivitySettings, height: f32, out: &mut ViewOut) {
    let Some(p) = r.tail.params.iter().find(|p| Some(p.param.as_str()) == s.selected.as_deref()) else {
        return;
    };
    let step = |d: &[f64]| -> Vec<[f64; 2]> {
        let e = &p.histogram.edges;
        let mut v = Vec::with_capacity(2 * d.len() + 2);
        for (i, y) in d.iter().enumerate() {
            if let (Some(&a), Some(&b)) = (e.get(i), e.get(i + 1)) {
                v.push([a, *y]);
                v.push([b, *y]);
            }
        }
        v
    };
    let series = [step(&p.histogram.density_all), step(&p.histogram.density_tail)];
    let all = plots::step_safe(
        Line::new("all worlds", PlotPoints::from(series[0].clone())).color(theme::reference()).width(2.0),
    );
    let tail = plots::step_safe(
        Line::new(format!("worst {:.0}% of worlds", TAIL_SHARE * 100.0), PlotPoints::from(series[1].clone()))
            .color(theme::hazard())
            .width(2.0),
    );
    let x_title = plots::param_label(&p.param);
    let medians = [
        VLine::new(format!("median, all: {}", fmt::number(p.median_all)), p.median_all)
            .color(theme::reference())
            .style(LineStyle::dashed_dense()),
        VLine::new(format!("median, worst: {}", fmt::number(p.median_tail)), p.median_tail)
            .color(theme::hazard())
            .style(LineStyle::dashed_dense()),
    ];
    let plot = plots::base("sens_tail", &x_title, "density", height)
        .x_grid_spacer(plots::nice_marks)
        .x_axis_formatter(plots::value_ticks)
        .include_y(0.0)
        .label_formatter(plots::readout("value", fmt::number, "density", fmt::number));
    let plot = plots::legend_room(plot, &series, 4, height);
    plots::show(ui, out, &format!("{}: worst worlds against all", p.param), None, plot, move |pu| {
        pu.line(all);
        pu.line(tail);
        for m in medians {
            pu.vline(m);
        }
    });
}
