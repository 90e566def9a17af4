//! A figure's output format and size.

use serde::{Deserialize, Serialize};

use super::error::FigureError;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub const ALL: [Format; 2] = [Format::Svg, Format::Png];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// "svg" or "png" (case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }
}

/// Size of a figure. The layout (and the SVG) is `width` x `height` CSS pixels; a PNG has
/// `png_scale` pixels per layout pixel, fonts and lines scaled alike, so the default PNG is
/// 2400 x 1500.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FigureOptions {
    pub width: u32,
    pub height: u32,
    pub png_scale: u32,
}

impl Default for FigureOptions {
    fn default() -> Self {
        FigureOptions { width: 1200, height: 750, png_scale: 2 }
    }
}

impl FigureOptions {
    /// Smallest and largest layout size accepted.
    pub const MIN_SIZE: u32 = 480;
    pub const MAX_SIZE: u32 = 4000;
    pub const MAX_PNG_SCALE: u32 = 8;

    /// The output size in pixels.
    pub fn pixels(&self, format: Format) -> (u32, u32) {
        match format {
            Format::Svg => (self.width, self.height),
            Format::Png => (self.width * self.png_scale, self.height * self.png_scale),
        }
    }

    pub(super) fn check(&self) -> Result<(), FigureError> {
        let size_ok = |x: u32| (Self::MIN_SIZE..=Self::MAX_SIZE).contains(&x);
        if !size_ok(self.width) || !size_ok(self.height) || !(1..=Self::MAX_PNG_SCALE).contains(&self.png_scale) {
            return Err(FigureError::Options(format!(
                "width and height must be {}..={} and png_scale 1..={} (got {} x {}, scale {})",
                Self::MIN_SIZE,
                Self::MAX_SIZE,
                Self::MAX_PNG_SCALE,
                self.width,
                self.height,
                self.png_scale
            )));
        }
        Ok(())
    }
}
