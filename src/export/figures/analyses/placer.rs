//! Value labels placed beside a chart's points without covering other marks.

use plotters::prelude::*;

use crate::export::figures::style::Axis;

/// Places value labels beside points of a chart without covering other marks. Works in
/// output pixels: each label tries a few spots around its point and is left out when every
/// spot overlaps a mark, another label or the plot's edge.
pub(super) struct LabelPlacer {
    /// Taken pixel rectangles, `[x0, y0, x1, y1]`.
    taken: Vec<[i32; 4]>,
    bounds: [i32; 4],
    /// Pixels per data unit and the pixel of data 0 on each axis (y grows downward).
    to_data: [f64; 4],
}

impl LabelPlacer {
    pub(super) fn new<DB: DrawingBackend>(
        ch: &crate::export::figures::style::Chart<'_, DB>,
        x: &Axis,
        y: &Axis,
    ) -> LabelPlacer {
        let (x0, y0) = ch.backend_coord(&(x.lo, y.lo));
        let (x1, y1) = ch.backend_coord(&(x.hi, y.hi));
        let sx = f64::from(x1 - x0) / (x.hi - x.lo);
        let sy = f64::from(y1 - y0) / (y.hi - y.lo);
        LabelPlacer {
            taken: Vec::new(),
            bounds: [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)],
            to_data: [sx, f64::from(x0) - sx * x.lo, sy, f64::from(y0) - sy * y.lo],
        }
    }

    fn data(&self, px: (i32, i32)) -> (f64, f64) {
        let [sx, ox, sy, oy] = self.to_data;
        ((f64::from(px.0) - ox) / sx, (f64::from(px.1) - oy) / sy)
    }

    pub(super) fn block_point<DB: DrawingBackend>(
        &mut self,
        ch: &crate::export::figures::style::Chart<'_, DB>,
        at: (f64, f64),
        r: i32,
    ) {
        let (px, py) = ch.backend_coord(&at);
        self.taken.push([px - r, py - r, px + r, py + r]);
    }

    /// Blocks a line from `a` to `b` (data coordinates), `half` pixels either side.
    pub(super) fn block_segment<DB: DrawingBackend>(
        &mut self,
        ch: &crate::export::figures::style::Chart<'_, DB>,
        a: (f64, f64),
        b: (f64, f64),
        half: i32,
    ) {
        let (pa, pb) = (ch.backend_coord(&a), ch.backend_coord(&b));
        let len = (pb.0 - pa.0).abs().max((pb.1 - pa.1).abs());
        let steps = (len / half.max(1)).max(1);
        for i in 0..=steps {
            let t = f64::from(i) / f64::from(steps);
            let px = pa.0 + (f64::from(pb.0 - pa.0) * t).round() as i32;
            let py = pa.1 + (f64::from(pb.1 - pa.1) * t).round() as i32;
            self.taken.push([px - half, py - half, px + half, py + half]);
        }
    }

    /// A free spot for a `size` (pixels) label beside the point `at`: above left first (a
    /// rising curve leaves that side empty), then below right, right, left, above right and
    /// below left. Returns the label's top-left and bottom-right corners in data coordinates
    /// and takes the spot.
    pub(super) fn place<DB: DrawingBackend>(
        &mut self,
        ch: &crate::export::figures::style::Chart<'_, DB>,
        at: (f64, f64),
        size: (i32, i32),
        gap: i32,
    ) -> Option<((f64, f64), (f64, f64))> {
        let (px, py) = ch.backend_coord(&at);
        let (w, h) = size;
        let spots = [
            (px - gap - w, py - gap - h),
            (px + gap, py + gap),
            (px + gap, py - h / 2),
            (px - gap - w, py - h / 2),
            (px + gap, py - gap - h),
            (px - gap - w, py + gap),
        ];
        let [bx0, by0, bx1, by1] = self.bounds;
        let overlaps = |r: &[i32; 4], q: &[i32; 4]| r[0] < q[2] && q[0] < r[2] && r[1] < q[3] && q[1] < r[3];
        let spot = spots.into_iter().map(|(x0, y0)| [x0, y0, x0 + w, y0 + h]).find(|r| {
            r[0] >= bx0 && r[1] >= by0 && r[2] <= bx1 && r[3] <= by1 && !self.taken.iter().any(|q| overlaps(r, q))
        })?;
        self.taken.push(spot);
        Some((self.data((spot[0], spot[1])), self.data((spot[2], spot[3]))))
    }
}
