//! A plot saved as PNG: a frame or two for the path window to close, a screenshot of the
//! window, the plot's rectangle cut from it.

use std::path::PathBuf;

use egui::{ColorImage, Rect};

use super::TierlabApp;
use crate::app::png;
use crate::export::data::write_atomic;

/// A PNG of a plot: waiting a frame or two (so windows such as the path prompt are gone),
/// then waiting for the screenshot.
pub(super) struct PngRequest {
    pub plot: String,
    pub path: PathBuf,
    pub frames_left: u8,
}

pub(super) struct PngPending {
    pub path: PathBuf,
    pub rect: Rect,
    pub pixels_per_point: f32,
}

impl TierlabApp {
    /// Requests the screenshot of a PNG export once its frames have passed.
    pub(super) fn after_frame(&mut self) {
        let Some(req) = &mut self.png_request else { return };
        if req.frames_left > 0 {
            req.frames_left -= 1;
            self.ctx.request_repaint();
            return;
        }
        let Some(req) = self.png_request.take() else { return };
        match self.plots.iter().find(|p| p.title == req.plot).map(|p| p.rect) {
            Some(rect) => {
                self.png_pending =
                    Some(PngPending { path: req.path, rect, pixels_per_point: self.ctx.pixels_per_point() });
                let tx = self.screenshot_tx.clone();
                let ctx = self.ctx.clone();
                self.ctx.request_screenshot(move |image| {
                    let _ = tx.send(image);
                    ctx.request_repaint();
                });
            }
            None => self.workspace.set_status(format!("The plot \"{}\" is not on screen.", req.plot)),
        }
    }

    pub(super) fn on_screenshot(&mut self, image: &ColorImage) {
        let Some(p) = self.png_pending.take() else { return };
        let status = match png::crop_png(image, p.rect, p.pixels_per_point) {
            Ok(bytes) => match write_atomic(&p.path, &bytes) {
                Ok(()) => format!("Saved the plot to {}.", p.path.display()),
                Err(e) => format!("Could not write {}: {e}", p.path.display()),
            },
            Err(e) => format!("Could not save the plot: {e}"),
        };
        self.workspace.set_status(status);
    }
}
