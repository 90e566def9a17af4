//! Decision support under deep uncertainty, on paired worlds. Scenario discovery
//! (under which assumptions an event of one policy happens: PRIM's coverage/density trade-off,
//! a box picked on it, its rules with their significance), every policy's regret against the
//! best policy in each world, and what resolving each uncertain parameter would be worth.

use crate::export::figures::FigureKind;
use crate::fmt;
use egui::{ComboBox, DragValue, RichText, Ui};
use egui_plot::{Bar, BarChart, GridMark, Line, PlotPoints, Points, VLine};

use crate::analysis::decision::Decision;
use crate::model::Scenario;

use super::super::theme;
use super::plots::{self, param_meaning, short};
use super::{ViewCx, ViewOut, analysis_status_ui};
use crate::workspace::analyses::{Outcome, Slot};
use crate::workspace::settings::{DecisionSettings, EventChoice};

/// Parameters the EVPPI bars show.
pub const SHOWN: usize = 12;

/// Draws the tab.
pub fn ui(ui: &mut Ui, cx: &mut ViewCx<'_>) {
    let scenario = cx.scenario;
    let dark = cx.dark();
    if scenario.policies().len() < 2 || scenario.uncertain_params().is_empty() {
        ui.add_space(20.0);
        let mut s = cx.state.decision.clone();
        ui.label(s.request(scenario, 1).err().unwrap_or_default());
        return;
    }
    controls_ui(ui, scenario, &mut cx.state.decision);
    let worlds_view = cx.analyses.view(Slot::Worlds);
    analysis_status_ui(ui, &worlds_view, Slot::Worlds, "simulation of the paired worlds", dark, cx.out);
    if worlds_view.outcome.is_none() {
        return;
    }
    let view = cx.analyses.view(Slot::Decision);
    analysis_status_ui(ui, &view, Slot::Decision, "decision analysis", dark, cx.out);
    let Some(Outcome::Decision(d)) = view.outcome.clone() else {
        return;
    };
    let settings = &mut cx.state.decision;
    let out = &mut *cx.out;
    let disc = &d.discovery;
    ui.label(RichText::new(&disc.statement).strong()).on_hover_text(
        "The chosen box as rules on the uncertain parameters: the share of its worlds where the event happens \
         (density), the share of all event worlds it holds (coverage) and its share of all worlds.",
    );
    let row_h = ((ui.available_height() - 60.0) / 2.0).max(230.0);
    ui.columns(2, |cols| {
        tradeoff_ui(&mut cols[0], &d, settings, row_h, out);
        rules_ui(&mut cols[1], &d, settings, row_h);
    });
    // The regret table has seven columns, the bars only labels and a scale: the table gets the
    // larger share, and scrolls sideways rather than spill into the bars in a narrow window.
    let gap = ui.spacing().item_spacing.x;
    let table_w = ((ui.available_width() - gap) * 0.6).floor();
    let bars_w = ui.available_width() - gap - table_w;
    ui.horizontal_top(|ui| {
        ui.allocate_ui_with_layout(egui::vec2(table_w, row_h), egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_width(table_w);
            regret_ui(ui, &d, row_h);
        });
        ui.allocate_ui_with_layout(egui::vec2(bars_w, row_h), egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_width(bars_w);
            evppi_ui(ui, &d, row_h, out);
        });
    });
}

fn controls_ui(ui: &mut Ui, scenario: &Scenario, s: &mut DecisionSettings) {
    let (policy, against) = s.resolve(scenario.policies().len(), scenario.run().reference);
    let name = |i: usize| scenario.policies().get(i).map_or("", |p| p.name.as_str());
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Explain when");
        ComboBox::from_id_salt("rob_policy")
            .selected_text(name(policy))
            .width(200.0)
            .show_ui(ui, |ui| {
                for (i, p) in scenario.policies().iter().enumerate() {
                    ui.selectable_value(&mut s.policy, Some(i), &p.name);
                }
            })
            .response
            .labelled_by(label.id)
            .on_hover_text("Policy A: the policy whose outcome event scenario discovery explains");
        ComboBox::from_id_salt("rob_event")
            .selected_text(s.event.label())
            .show_ui(ui, |ui| {
                for e in EventChoice::ALL {
                    ui.selectable_value(&mut s.event, e, e.label()).on_hover_text(e.help());
                }
            })
            .response
            .on_hover_text("The outcome event whose worlds PRIM looks for");
        match s.event {
            EventChoice::NetBelowPolicy => {
                ComboBox::from_id_salt("rob_against")
                    .selected_text(name(against))
                    .width(200.0)
                    .show_ui(ui, |ui| {
                        for (i, p) in scenario.policies().iter().enumerate() {
                            if i != policy {
                                ui.selectable_value(&mut s.against, Some(i), &p.name);
                            }
                        }
                    })
                    .response
                    .on_hover_text("Policy B: compared with A in the same world (common random numbers)");
            }
            EventChoice::NetBelow | EventChoice::HarmAbove => {
                let speed = (s.threshold.abs() * 0.01).max(10.0);
                ui.add(DragValue::new(&mut s.threshold).speed(speed).prefix("$").suffix("B"))
                    .on_hover_text("The level of net welfare or harm (2025 US$ billions, discounted)");
            }
            EventChoice::Catastrophe => {}
        }
        ui.separator();
        let mut use_floor = s.floor.is_some();
        if ui
            .checkbox(&mut use_floor, "net floor")
            .on_hover_text("Satisficing: count the worlds in which each policy's net reaches this floor")
            .changed()
        {
            s.floor = use_floor.then_some(0.0);
        }
        if let Some(f) = s.floor.as_mut() {
            let speed = (f.abs() * 0.01).max(10.0);
            ui.add(DragValue::new(f).speed(speed).prefix("$").suffix("B"))
                .on_hover_text("The net welfare a world should reach to count as acceptable ($B)");
        }
        ui.separator();
        ui.add(DragValue::new(&mut s.runs).range(100..=1_000_000).speed(100.0).suffix(" worlds")).on_hover_text(
            "Worlds simulated, every policy in each (common random numbers), each world's parameter draws kept",
        );
    });
}

fn tradeoff_ui(ui: &mut Ui, d: &Decision, s: &mut DecisionSettings, height: f32, out: &mut ViewOut) {
    let disc = &d.discovery;
    let pts: Vec<[f64; 2]> = disc.trajectory.iter().map(|b| [b.coverage, b.density]).collect();
    let line = Line::new("peeling trajectory", PlotPoints::from(pts.clone())).color(theme::low()).width(2.0);
    let dots = Points::new("boxes", PlotPoints::from(pts.clone())).color(theme::low()).radius(3.0);
    let picked = disc.trajectory.get(disc.chosen).map(|b| [b.coverage, b.density]);
    let ring = picked.map(|p| {
        Points::new(format!("box {} as peeled", disc.chosen), PlotPoints::from(vec![p]))
            .color(theme::hazard())
            .radius(7.0)
            .filled(false)
    });
    let c = &disc.chosen_box;
    let pasted = Points::new(
        format!(
            "box {} after pasting: coverage {}, density {}",
            disc.chosen,
            fmt::probability_percent(c.coverage),
            fmt::probability_percent(c.density)
        ),
        PlotPoints::from(vec![[c.coverage, c.density]]),
    )
    .color(theme::hazard())
    .radius(6.0);
    let share = disc.event_share;
    let base = egui_plot::HLine::new(format!("all worlds: {} have the event", fmt::probability_percent(share)), share)
        .color(theme::reference())
        .style(egui_plot::LineStyle::dashed_dense());
    let floor = ((share - 0.05) * 10.0).floor().clamp(0.0, 9.0) / 10.0;
    // The trajectory runs from the top left to the bottom right: the bottom left stays free.
    let plot = plots::base_without_legend("rob_tradeoff", "coverage: share of event worlds inside", "density", height)
        .legend(plots::legend(egui_plot::Corner::LeftBottom))
        .include_x(0.0)
        .include_x(1.0)
        .include_y(floor)
        .include_y(1.0)
        .x_axis_formatter(|m: GridMark, _| fmt::probability_percent(m.value))
        .y_axis_formatter(|m: GridMark, _| fmt::probability_percent(m.value))
        .allow_drag(false)
        .allow_zoom(false)
        .label_formatter(plots::readout("coverage", fmt::probability_percent, "density", fmt::probability_percent));
    let resp = plots::show(ui, out, "PRIM trade-off: click a box", Some(FigureKind::PrimTradeoff), plot, move |p| {
        p.hline(base);
        p.line(line);
        p.points(dots);
        if let Some(r) = ring {
            p.points(r);
        }
        p.points(pasted);
    });
    if resp.response.clicked()
        && let Some(pos) = resp.response.interact_pointer_pos()
    {
        // The box whose point is nearest on screen.
        let nearest = pts
            .iter()
            .enumerate()
            .map(|(i, p)| (i, resp.transform.position_from_point(&egui_plot::PlotPoint::new(p[0], p[1])).distance(pos)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, _)) = nearest {
            s.chosen = Some(i);
        }
    }
}

fn rules_ui(ui: &mut Ui, d: &Decision, s: &mut DecisionSettings, height: f32) {
    let disc = &d.discovery;
    let b = &disc.chosen_box;
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("The chosen box").strong());
        let mut i = disc.chosen;
        if ui
            .add(DragValue::new(&mut i).range(0..=disc.trajectory.len().saturating_sub(1)).prefix("box "))
            .on_hover_text("Pick a box on the peeling trajectory by its number (0 holds every world)")
            .changed()
        {
            s.chosen = Some(i);
        }
        if s.chosen.is_some()
            && ui
                .small_button("default box")
                .on_hover_text(
                    "The box holding the most event worlds beyond what the overall event rate would put in a box of \
                     its size",
                )
                .clicked()
        {
            s.chosen = None;
        }
    });
    plots::note(
        ui,
        format!(
            "When {}: {} of its worlds (density), {} of all such worlds inside (coverage), {} of all worlds; {} \
             restrictions after pasting. Event in {} of all {} worlds.",
            disc.event_text,
            fmt::probability_percent(b.density),
            fmt::probability_percent(b.coverage),
            fmt::probability_percent(b.mass),
            b.restrictions.len(),
            fmt::probability_percent(disc.event_share),
            fmt::number(disc.runs as f64)
        ),
    );
    egui::ScrollArea::vertical().id_salt("rob_rules").max_height(height - 50.0).show(ui, |ui| {
        egui::Grid::new("rob_rule_rows").striped(true).spacing([14.0, 3.0]).show(ui, |ui| {
            ui.label(RichText::new("rule").strong());
            ui.label(RichText::new("draws").strong())
                .on_hover_text("The smallest and largest draw of the parameter over all worlds");
            ui.label(RichText::new("p-value").strong()).on_hover_text(
                "One-sided binomial chance of at least the box's event count among its worlds if the event rate \
                 were that of the box without this restriction (EMA Workbench's quasi-p-value). Small: the \
                 restriction matters; large: it adds little beyond the others.",
            );
            ui.end_row();
            if b.restrictions.is_empty() {
                ui.label("every world (no restriction)");
                ui.end_row();
            }
            for r in &b.restrictions {
                ui.label(r.rule()).on_hover_text(param_meaning(&r.name));
                ui.label(format!("{} to {}", crate::fmt::bound(r.sampled_min), crate::fmt::bound(r.sampled_max)));
                ui.label(format!("{:.1e}", r.p_value));
                ui.end_row();
            }
        });
    });
}

fn regret_ui(ui: &mut Ui, d: &Decision, height: f32) {
    let r = &d.robustness;
    ui.label(RichText::new("Regret per policy").strong());
    let name = |i: usize| r.options.get(i).map_or("", |o| o.name.as_str());
    plots::note(
        ui,
        format!(
            "Best expected: \"{}\". Minimax regret: \"{}\". Least 95th-percentile regret: \"{}\".",
            name(r.best_expected),
            name(r.minimax_regret),
            name(r.min_p95_regret)
        ),
    );
    egui::ScrollArea::both().id_salt("rob_regret").max_height(height - 40.0).show(ui, |ui| {
        egui::Grid::new("rob_regret_rows").striped(true).spacing([10.0, 4.0]).show(ui, |ui| {
            let heads: [(&str, &str); 7] = [
                ("policy", "The scenario's policies, all simulated on the same worlds"),
                (
                    "mean net",
                    "Mean discounted benefit minus harm over the worlds (hover a cell for its standard error)",
                ),
                (
                    "mean regret",
                    "Regret in a world: the best net any policy achieves there minus this policy's net. Its mean is \
                     the expected loss of committing to this policy before knowing the world.",
                ),
                ("p95 regret", "The regret this policy stays under in 95% of the worlds"),
                ("max regret", "The largest regret over every world (minimax regret chooses the least)"),
                ("best in", "Share of the worlds in which this policy has the highest net"),
                ("at floor", "Share of the worlds in which this policy's net reaches the floor (satisficing)"),
            ];
            for (h, tip) in heads {
                if h == "at floor" && r.floor.is_none() {
                    continue;
                }
                let text = match (h, r.floor) {
                    ("at floor", Some(f)) => format!("net ≥ {}", fmt::money_compact(f)),
                    _ => h.to_string(),
                };
                ui.label(RichText::new(text).strong()).on_hover_text(tip);
            }
            ui.end_row();
            for (i, o) in r.options.iter().enumerate() {
                let mut label = RichText::new(&o.name).color(theme::policy(i));
                if i == r.minimax_regret || i == r.min_p95_regret {
                    label = label.strong();
                }
                let mut tags = Vec::new();
                if i == r.best_expected {
                    tags.push("best expected");
                }
                if i == r.minimax_regret {
                    tags.push("minimax regret");
                }
                if i == r.min_p95_regret {
                    tags.push("least p95 regret");
                }
                let resp = ui.label(label);
                if !tags.is_empty() {
                    resp.on_hover_text(tags.join(", "));
                }
                // The net's own error is in the Overview table; here it would only widen the row.
                ui.label(fmt::money_compact(o.net_mean))
                    .on_hover_text(format!("± {} (one standard error)", fmt::money_compact(o.net_se)));
                ui.label(format!("{} ± {}", fmt::money_compact(o.regret_mean), fmt::money_compact(o.regret_se)));
                ui.label(fmt::money_compact(o.regret_p95));
                ui.label(fmt::money_compact(o.regret_max));
                ui.label(fmt::probability_percent(o.best_share));
                if let Some(sh) = o.satisficing_share {
                    ui.label(fmt::probability_percent(sh));
                }
                ui.end_row();
            }
        });
    });
}

fn evppi_ui(ui: &mut Ui, d: &Decision, height: f32, out: &mut ViewOut) {
    let v = &d.value_of_information;
    let rows: Vec<_> = v.params.iter().take(SHOWN).collect();
    let n = rows.len();
    let bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(k, p)| {
            Bar::new((n - 1 - k) as f64, p.evppi)
                .fill(theme::best().gamma_multiply(0.8))
                .stroke(egui::Stroke::new(1.0, theme::best()))
                .name(format!(
                    "resolving {} is worth {} ± {} ({} of EVPI)",
                    short(&p.param),
                    fmt::money_compact(p.evppi),
                    fmt::money_compact(p.evppi_se),
                    fmt::probability_percent(p.share_of_evpi)
                ))
        })
        .collect();
    let names: Vec<String> = rows.iter().map(|p| short(&p.param).to_string()).collect();
    let evpi = VLine::new(
        format!("EVPI, knowing everything: {} ± {}", fmt::money_compact(v.evpi), fmt::money_compact(v.evpi_se)),
        v.evpi,
    )
    .color(theme::reference())
    .width(1.5);
    let chart = BarChart::new("EVPPI", bars).horizontal().width(0.7).color(theme::best());
    let plot = plots::base_without_legend("rob_evppi", "expected value of information (2025 US$)", "", height - 30.0)
        .x_grid_spacer(plots::nice_marks)
        .x_axis_formatter(|m: GridMark, _| fmt::money_compact(m.value))
        .y_axis_formatter(move |m: GridMark, _| {
            let i = m.value.round();
            if (m.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= names.len() {
                String::new()
            } else {
                names[names.len() - 1 - i as usize].clone()
            }
        })
        .y_grid_spacer(|input: egui_plot::GridInput| {
            let (lo, hi) = input.bounds;
            let (lo, hi) = (lo.ceil().max(0.0) as i64, hi.floor().max(0.0) as i64);
            (lo..=hi).map(|i| GridMark { value: i as f64, step_size: 1.0 }).collect()
        })
        .y_axis_min_width(150.0)
        .include_x(0.0)
        .include_x(v.evpi * 1.05)
        .allow_drag(false)
        .allow_zoom(false);
    plots::show(
        ui,
        out,
        "Value of information: what resolving each parameter is worth",
        Some(FigureKind::Evppi),
        plot,
        move |p| {
            p.bar_chart(chart);
            p.vline(evpi);
        },
    );
    ui.label(RichText::new(&v.statement).size(10.5).weak()).on_hover_text(format!(
        "EVPI = E[best net in each world] - best expected net. EVPPI by {} equal-count bins of each parameter: the \
         best policy in each bin, against the best overall; ± is the Monte Carlo standard error. Choosing the best of \
         noisy bin means inflates the estimate; that inflation, measured on random partitions of the worlds ({}), \
         is taken off.",
        v.options.bins,
        fmt::money_compact(v.bias)
    ));
}
