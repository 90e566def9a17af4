//! World parameters: a slider for a fixed value, a small editor with a density sparkline for
//! an uncertainty distribution, and a switch between the two (and between distribution kinds).

use egui::{DragValue, Pos2, RichText, Sense, Stroke, Ui, Vec2};

use crate::model::params::{Group, PARAMS, ParamInfo, Range};
use crate::model::{Dist, Issue, N_PARAMS};

use super::note_edit;
use crate::app::AppCommand;

/// Distribution kinds, in the order the switch offers them.
pub const KINDS: [&str; 7] = ["fixed", "uniform", "triangular", "pert", "normal", "lognormal", "beta"];

/// Density sparklines, recomputed only when their distribution changes.
pub struct SparkCache {
    entries: Vec<Option<(Dist, Spark)>>,
}

impl Default for SparkCache {
    fn default() -> Self {
        SparkCache { entries: vec![None; N_PARAMS] }
    }
}

/// A density over its central 99% (x and y scaled to 0..1), and its 5th and 95th percentiles.
#[derive(Clone, Debug, PartialEq)]
pub struct Spark {
    pub points: Vec<[f32; 2]>,
    pub q05: f64,
    pub q95: f64,
}

impl Spark {
    pub fn of(d: &Dist) -> Spark {
        let (lo, hi) = (d.quantile(0.005), d.quantile(0.995));
        let q05 = d.quantile(0.05);
        let q95 = d.quantile(0.95);
        if !(lo.is_finite() && hi.is_finite() && hi > lo) {
            return Spark { points: Vec::new(), q05, q95 };
        }
        const N: usize = 48;
        let ys: Vec<f64> = (0..N).map(|i| d.pdf(lo + (hi - lo) * i as f64 / (N - 1) as f64)).collect();
        let max = ys.iter().copied().filter(|y| y.is_finite()).fold(0.0, f64::max);
        if max <= 0.0 {
            return Spark { points: Vec::new(), q05, q95 };
        }
        let points = ys
            .iter()
            .enumerate()
            .map(|(i, y)| [i as f32 / (N - 1) as f32, (if y.is_finite() { y / max } else { 1.0 }) as f32])
            .collect();
        Spark { points, q05, q95 }
    }
}

impl SparkCache {
    fn get(&mut self, i: usize, d: &Dist) -> Option<&Spark> {
        if self.entries.len() <= i {
            self.entries.resize(i + 1, None);
        }
        let slot = self.entries.get_mut(i)?;
        if slot.as_ref().is_none_or(|(cached, _)| cached != d) {
            *slot = Some((d.clone(), Spark::of(d)));
        }
        slot.as_ref().map(|(_, spark)| spark)
    }
}

/// The checker's issues, to mark the parameters they name.
pub struct Flagged<'a> {
    pub issues: &'a [Issue],
    pub color: egui::Color32,
}

impl Flagged<'_> {
    /// The first issue about `world.<key>`.
    fn about(&self, key: &str) -> Option<&Issue> {
        self.issues.iter().find(|i| i.path.strip_prefix("world.") == Some(key))
    }
}

/// Every world parameter, grouped.
pub fn world_ui(
    ui: &mut Ui,
    world: &mut [Dist],
    sparks: &mut SparkCache,
    flagged: &Flagged<'_>,
    cmds: &mut Vec<AppCommand>,
) {
    for group in Group::ALL {
        egui::CollapsingHeader::new(group.label())
            .id_salt(("param_group", group.label()))
            .default_open(group == Group::Capability)
            .show(ui, |ui| {
                for (i, info) in PARAMS.iter().enumerate().filter(|(_, p)| p.group == group) {
                    if let Some(d) = world.get_mut(i) {
                        param_ui(ui, i, info, d, sparks, flagged, cmds);
                    }
                }
            });
    }
}

/// Hover text of a parameter: meaning, unit, allowed values, source.
pub fn tooltip_ui(ui: &mut Ui, info: &ParamInfo) {
    ui.set_max_width(360.0);
    ui.label(RichText::new(format!("{} ({})", info.key, info.symbol)).strong());
    ui.label(info.meaning);
    ui.label(format!("Unit: {}", info.unit));
    ui.label(format!("Allowed: {}", info.range.describe()));
    ui.label(RichText::new(format!("Source: {}", info.source)).italics());
}

fn param_ui(
    ui: &mut Ui,
    i: usize,
    info: &ParamInfo,
    d: &mut Dist,
    sparks: &mut SparkCache,
    flagged: &Flagged<'_>,
    cmds: &mut Vec<AppCommand>,
) {
    ui.push_id(("param", i), |ui| {
        let key = ui
            .horizontal(|ui| {
                let issue = flagged.about(info.key);
                let text = RichText::new(info.key).strong();
                let text = if issue.is_some() { text.color(flagged.color) } else { text };
                let key = ui.label(text).on_hover_ui(|ui| {
                    tooltip_ui(ui, info);
                    if let Some(i) = issue {
                        ui.label(RichText::new(&i.message).color(flagged.color));
                    }
                });
                ui.label(RichText::new(info.unit).weak()).on_hover_ui(|ui| tooltip_ui(ui, info));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| kind_ui(ui, info, d, cmds));
                key.id
            })
            .inner;
        match d {
            Dist::Fixed(v) => fixed_ui(ui, info, v, key, cmds),
            _ => {
                dist_fields_ui(ui, info, d, cmds);
                if let Some(spark) = sparks.get(i, d) {
                    spark_ui(ui, spark);
                }
            }
        }
        ui.add_space(3.0);
    });
}

fn kind_ui(ui: &mut Ui, info: &ParamInfo, d: &mut Dist, cmds: &mut Vec<AppCommand>) {
    let current = d.kind();
    egui::ComboBox::from_id_salt("kind")
        .selected_text(current)
        .width(92.0)
        .show_ui(ui, |ui| {
            for kind in KINDS {
                if ui.selectable_label(kind == current, kind).clicked() && kind != current {
                    *d = convert(d, kind, info);
                    cmds.push(AppCommand::Edited { immediate: true });
                }
            }
        })
        .response
        .on_hover_text("Fixed value, or an uncertainty distribution drawn once per run");
}

fn fixed_ui(ui: &mut Ui, info: &ParamInfo, v: &mut f64, key: egui::Id, cmds: &mut Vec<AppCommand>) {
    let (lo, hi) = info.slider;
    let log = lo > 0.0 && hi / lo >= 100.0;
    ui.spacing_mut().slider_width = (ui.available_width() - 110.0).max(80.0);
    let r = ui
        .add(egui::Slider::new(v, lo..=hi).clamping(egui::SliderClamping::Never).logarithmic(log).max_decimals(4))
        .labelled_by(key)
        .on_hover_ui(|ui| tooltip_ui(ui, info));
    note_edit(&r, cmds);
}

fn drag(ui: &mut Ui, label: &str, v: &mut f64, speed: f64, cmds: &mut Vec<AppCommand>) {
    let label = ui.label(RichText::new(label).small());
    let r = ui.add(DragValue::new(v).speed(speed).max_decimals(4)).labelled_by(label.id);
    note_edit(&r, cmds);
}

fn dist_fields_ui(ui: &mut Ui, info: &ParamInfo, d: &mut Dist, cmds: &mut Vec<AppCommand>) {
    let speed = ((info.slider.1 - info.slider.0) / 400.0).max(1e-4);
    ui.horizontal_wrapped(|ui| match d {
        Dist::Fixed(_) => {}
        Dist::Uniform { min, max } => {
            drag(ui, "min", min, speed, cmds);
            drag(ui, "max", max, speed, cmds);
        }
        Dist::Triangular { min, mode, max } | Dist::Pert { min, mode, max } => {
            drag(ui, "min", min, speed, cmds);
            drag(ui, "mode", mode, speed, cmds);
            drag(ui, "max", max, speed, cmds);
        }
        Dist::Normal { mean, sd, min, max } => {
            drag(ui, "mean", mean, speed, cmds);
            drag(ui, "sd", sd, speed, cmds);
            let (rlo, rhi, _) = info.range.bounds();
            let (m, s) = (*mean, *sd);
            bound_ui(ui, "min", min, if rlo.is_finite() { rlo } else { m - 3.0 * s }, speed, cmds);
            bound_ui(ui, "max", max, if rhi.is_finite() { rhi } else { m + 3.0 * s }, speed, cmds);
        }
        Dist::LogNormal { median, p95 } => {
            drag(ui, "median", median, speed, cmds);
            drag(ui, "p95", p95, speed, cmds);
        }
        Dist::Beta { mean, sd } => {
            drag(ui, "mean", mean, 0.002, cmds);
            drag(ui, "sd", sd, 0.001, cmds);
        }
    });
}

/// An optional truncation bound of a normal: a checkbox and a value.
fn bound_ui(ui: &mut Ui, label: &str, bound: &mut Option<f64>, default: f64, speed: f64, cmds: &mut Vec<AppCommand>) {
    let mut on = bound.is_some();
    let check = ui.checkbox(&mut on, RichText::new(label).small()).on_hover_text("Truncate the normal here");
    if check.changed() {
        *bound = on.then_some(default);
        cmds.push(AppCommand::Edited { immediate: true });
    }
    if let Some(b) = bound {
        let r = ui.add(DragValue::new(b).speed(speed).max_decimals(4)).labelled_by(check.id);
        note_edit(&r, cmds);
    }
}

fn spark_ui(ui: &mut Ui, spark: &Spark) {
    ui.horizontal(|ui| {
        let (rect, resp) = ui.allocate_exact_size(Vec2::new(140.0, 26.0), Sense::hover());
        let stroke_color = ui.visuals().widgets.active.fg_stroke.color;
        let painter = ui.painter_at(rect);
        painter.rect_stroke(rect, 2.0, Stroke::new(0.5, ui.visuals().weak_text_color()), egui::StrokeKind::Inside);
        if spark.points.len() >= 2 {
            let to_screen = |p: &[f32; 2]| {
                Pos2::new(
                    rect.left() + 2.0 + p[0] * (rect.width() - 4.0),
                    rect.bottom() - 2.0 - p[1] * (rect.height() - 4.0),
                )
            };
            let pts: Vec<Pos2> = spark.points.iter().map(to_screen).collect();
            painter.add(egui::Shape::line(pts, Stroke::new(1.3, stroke_color)));
        }
        resp.on_hover_text("Density of the distribution over its central 99%");
        ui.label(RichText::new(format!("90%: {} – {}", short(spark.q05), short(spark.q95))).small().weak());
    });
}

/// A number in at most four significant digits.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return "∞".into();
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 0.1 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

/// The distribution `kind` closest to `d`: same centre, a spread taken from `d` (or a tenth of
/// the slider span for a fixed value), kept inside the parameter's range where it can be.
pub fn convert(d: &Dist, kind: &str, info: &ParamInfo) -> Dist {
    let c = d.central();
    let span = (info.slider.1 - info.slider.0).abs().max(1e-9);
    let half = if d.is_fixed() {
        span * 0.1
    } else {
        let w = (d.quantile(0.95) - d.quantile(0.05)) / 2.0;
        if w.is_finite() && w > 0.0 { w } else { span * 0.1 }
    };
    let (rlo, rhi, open_lo) = info.range.bounds();
    let mut lo = (c - half).max(rlo);
    if open_lo && lo <= rlo {
        lo = if c > rlo { rlo + (c - rlo) * 0.5 } else { rlo + half * 0.1 };
    }
    let hi = (c + half).min(rhi);
    let (lo, hi) = if hi > lo { (lo, hi) } else { (c - half, c + half) };
    let mode = c.clamp(lo, hi);
    match kind {
        "uniform" => Dist::Uniform { min: lo, max: hi },
        "triangular" => Dist::Triangular { min: lo, mode, max: hi },
        "pert" => Dist::Pert { min: lo, mode, max: hi },
        "normal" => {
            let bounded = |b: f64| b.is_finite().then_some(b);
            let min = match info.range {
                Range::Positive => Some(lo),
                _ => bounded(rlo),
            };
            Dist::Normal { mean: c, sd: half / 1.645, min, max: bounded(rhi) }
        }
        "lognormal" => {
            let median = if c > 0.0 { c } else { (span * 0.1).max(1e-3) };
            let p95 = if c > 0.0 && hi > median { hi.max(median * 1.2) } else { median * 2.0 };
            Dist::LogNormal { median, p95 }
        }
        "beta" => {
            let mean = c.clamp(0.02, 0.98);
            let max_sd = (mean * (1.0 - mean)).sqrt();
            Dist::Beta { mean, sd: (half / 1.645).clamp(max_sd * 0.05, max_sd * 0.5) }
        }
        _ => Dist::Fixed(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Scenario;
    use crate::model::params::param_index;

    /// Switching any baseline parameter to any kind gives a distribution the checker accepts,
    /// except kinds that cannot fit the parameter's range (lognormal and beta on a range that
    /// excludes their support, or below a bound set by another parameter).
    #[test]
    fn converted_distributions_fit_their_parameter() {
        let base = Scenario::built_in();
        for (i, info) in PARAMS.iter().enumerate() {
            for kind in KINDS {
                let d = convert(&base.world()[i], kind, info);
                assert_eq!(d.kind(), kind);
                let (rlo, rhi, _) = info.range.bounds();
                // severity_cap must stay above severity_min's largest value in every run,
                // which a lognormal or beta (support down to 0) cannot.
                let cross = info.key == "severity_cap" && matches!(kind, "lognormal" | "beta");
                let fits_support = !cross
                    && match kind {
                        "lognormal" => rlo <= 0.0 && rhi.is_infinite(),
                        "beta" => rlo <= 0.0 && rhi >= 1.0,
                        _ => true,
                    };
                if !fits_support {
                    continue;
                }
                let mut s = base.to_draft();
                s.world[i] = d.clone();
                let result = crate::workspace::state::check_edit(&s);
                assert!(result.is_ok(), "{} as {kind}: {d:?}: {:?}", info.key, result.err());
            }
        }
    }

    #[test]
    fn sparklines_are_normalised() {
        let i = param_index("growth").unwrap();
        let s = Spark::of(&Scenario::built_in().world()[i]);
        assert_eq!(s.points.len(), 48);
        assert!(s.points.iter().all(|p| (0.0..=1.0).contains(&p[0]) && (0.0..=1.0).contains(&p[1])));
        assert!(s.q05 < s.q95);
        assert!(Spark::of(&Dist::Fixed(1.0)).points.is_empty());
    }
}
