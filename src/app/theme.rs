//! Every colour the app draws, derived from [`crate::theme`] (one colour per policy, the
//! same in every view and in exported figures), plus the light and dark themes.

use egui::Color32;

use crate::theme::{self as palette, Rgb};

pub fn color(c: Rgb) -> Color32 {
    Color32::from_rgb(c.0, c.1, c.2)
}

/// The colour of policy `i` (scenario order).
pub fn policy(i: usize) -> Color32 {
    color(palette::policy_color(i))
}

/// The colour of jurisdiction `j` (scenario order).
pub fn jurisdiction(j: usize) -> Color32 {
    color(palette::jurisdiction_color(j))
}

/// The hazard threshold and other danger marks.
pub fn hazard() -> Color32 {
    color(palette::HAZARD)
}

/// Expected benefit, where it is drawn beside net welfare and harm.
pub fn benefit() -> Color32 {
    color(palette::BENEFIT)
}

/// The best setting found by a sweep.
pub fn best() -> Color32 {
    color(palette::BEST)
}

/// A parameter at its low (10th percentile) and high (90th percentile) value in a tornado.
pub fn low() -> Color32 {
    color(palette::LOW)
}

pub fn high() -> Color32 {
    color(palette::HIGH)
}

/// Partial rank correlation bars.
pub fn prcc() -> Color32 {
    color(palette::PRCC)
}

/// Neutral reference marks (zero lines, the world frontier).
pub fn reference() -> Color32 {
    color(palette::REFERENCE)
}

/// A pinned result's version of a colour: the same hue, faded.
pub fn ghost(c: Color32) -> Color32 {
    c.gamma_multiply(0.55)
}

/// A percentile band's fill: the p5-p95 band lighter than the p25-p75 one.
pub fn band(c: Color32, inner: bool) -> Color32 {
    c.gamma_multiply(if inner { 0.35 } else { 0.15 })
}

/// Text colour of an error.
pub fn error(dark: bool) -> Color32 {
    if dark { Color32::from_rgb(255, 120, 110) } else { Color32::from_rgb(180, 20, 20) }
}

/// Text colour of a warning (sums that are off, stale results).
pub fn warning(dark: bool) -> Color32 {
    if dark { Color32::from_rgb(240, 190, 90) } else { Color32::from_rgb(150, 90, 0) }
}

/// Switches egui's light or dark theme.
pub fn apply(ctx: &egui::Context, dark: bool) {
    ctx.set_theme(if dark { egui::Theme::Dark } else { egui::Theme::Light });
}
