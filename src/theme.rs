//! Colours shared by the app and exported figures: one colour per policy, everywhere.
//!
//! Plain RGB so that the core and the headless figure renderer need no GUI crate.

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// Okabe-Ito's colour-blind-safe palette (black moved last), then a few extra hues for
/// scenarios with many policies.
pub const POLICY_COLORS: [Rgb; 12] = [
    Rgb(0, 114, 178),   // blue
    Rgb(230, 159, 0),   // orange
    Rgb(0, 158, 115),   // bluish green
    Rgb(204, 121, 167), // reddish purple
    Rgb(86, 180, 233),  // sky blue
    Rgb(213, 94, 0),    // vermillion
    Rgb(240, 228, 66),  // yellow
    Rgb(120, 120, 120), // grey
    Rgb(117, 112, 179), // purple
    Rgb(166, 118, 29),  // brown
    Rgb(27, 158, 119),  // teal
    Rgb(231, 41, 138),  // magenta
];

/// The colour of the policy at `index` in the scenario's policy order.
pub fn policy_color(index: usize) -> Rgb {
    POLICY_COLORS[index % POLICY_COLORS.len()]
}

/// Colour of the hazard threshold line and other "danger" marks.
pub const HAZARD: Rgb = Rgb(200, 30, 30);

/// Colour of neutral reference marks (zero lines, the pinned baseline's outline).
pub const REFERENCE: Rgb = Rgb(110, 110, 110);

/// Expected benefit beside net welfare and harm (a dark bluish green, apart from the hazard red).
pub const BENEFIT: Rgb = Rgb(0, 120, 90);

/// The best setting of a threshold sweep.
pub const BEST: Rgb = Rgb(0, 150, 60);

/// Tornado bars: a parameter at its 10th percentile (blue) and at its 90th (vermillion), the
/// ends of the diverging ramp so that low and high read the same in every figure.
pub const LOW: Rgb = Rgb(33, 102, 172);
pub const HIGH: Rgb = Rgb(213, 94, 0);

/// Partial rank correlations, apart from the tornado's low and high colours.
pub const PRCC: Rgb = Rgb(117, 112, 179);

/// Diverging ramp for heat maps of a paired difference: negative red, zero white,
/// positive blue. `t` in [-1, 1].
pub fn diverging(t: f64) -> Rgb {
    let t = t.clamp(-1.0, 1.0);
    let lerp = |a: u8, b: u8, x: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * x).round() as u8;
    if t < 0.0 {
        let x = -t;
        Rgb(lerp(247, 178, x), lerp(247, 24, x), lerp(247, 43, x))
    } else {
        Rgb(lerp(247, 33, t), lerp(247, 102, t), lerp(247, 172, t))
    }
}

/// Jurisdiction colours (for per-jurisdiction bars and share plots), distinct from the
/// policy palette's order so the two are not confused.
pub fn jurisdiction_color(index: usize) -> Rgb {
    const J: [Rgb; 8] = [
        Rgb(68, 119, 170),
        Rgb(238, 102, 119),
        Rgb(34, 136, 51),
        Rgb(204, 187, 68),
        Rgb(102, 204, 238),
        Rgb(170, 51, 119),
        Rgb(187, 187, 187),
        Rgb(0, 0, 0),
    ];
    J[index % J.len()]
}
