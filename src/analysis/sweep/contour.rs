//! Contours of a field on a grid (the P(better) = 0.5 line of a 2-D sweep).

/// The `level` contour of a field on a rectangular grid, by marching squares, as polylines
/// in data coordinates (`[x, y]` points). `z[iy * xs.len() + ix]`; a corner counts as above
/// the level when `z >= level`. Crossings are placed by linear interpolation along cell
/// edges; saddle cells are resolved by the mean of their corners. A line ends on the grid's
/// boundary or closes on itself (a closed line repeats its first point at the end).
pub fn contour_lines(xs: &[f64], ys: &[f64], z: &[f64], level: f64) -> Vec<Vec<[f64; 2]>> {
    let (nx, ny) = (xs.len(), ys.len());
    if nx < 2 || ny < 2 || z.len() != nx * ny {
        return Vec::new();
    }
    let at = |ix: usize, iy: usize| z[iy * nx + ix];
    let above = |ix: usize, iy: usize| at(ix, iy) >= level;
    // Edge ids: horizontal (ix, iy)-(ix+1, iy), then vertical (ix, iy)-(ix, iy+1).
    let n_h = (nx - 1) * ny;
    let h = |ix: usize, iy: usize| iy * (nx - 1) + ix;
    let v = |ix: usize, iy: usize| n_h + iy * nx + ix;
    let n_edges = n_h + nx * (ny - 1);
    let point = |e: usize| -> [f64; 2] {
        let frac = |a: f64, b: f64| if b == a { 0.5 } else { ((level - a) / (b - a)).clamp(0.0, 1.0) };
        if e < n_h {
            let (ix, iy) = (e % (nx - 1), e / (nx - 1));
            let t = frac(at(ix, iy), at(ix + 1, iy));
            [xs[ix] + t * (xs[ix + 1] - xs[ix]), ys[iy]]
        } else {
            let e = e - n_h;
            let (ix, iy) = (e % nx, e / nx);
            let t = frac(at(ix, iy), at(ix, iy + 1));
            [xs[ix], ys[iy] + t * (ys[iy + 1] - ys[iy])]
        }
    };
    let mut segments: Vec<[usize; 2]> = Vec::new();
    for iy in 0..ny - 1 {
        for ix in 0..nx - 1 {
            // Corners a (bottom left), b (bottom right), c (top right), d (top left).
            let (a, b, c, d) = (above(ix, iy), above(ix + 1, iy), above(ix + 1, iy + 1), above(ix, iy + 1));
            let (bottom, right, top, left) = (h(ix, iy), v(ix + 1, iy), h(ix, iy + 1), v(ix, iy));
            let crossed: Vec<usize> = [(a != b, bottom), (b != c, right), (c != d, top), (d != a, left)]
                .iter()
                .filter(|x| x.0)
                .map(|x| x.1)
                .collect();
            match crossed.len() {
                2 => segments.push([crossed[0], crossed[1]]),
                4 => {
                    let mean = (at(ix, iy) + at(ix + 1, iy) + at(ix + 1, iy + 1) + at(ix, iy + 1)) / 4.0;
                    if (mean >= level) == a {
                        // a and c join through the centre: cut off corners b and d.
                        segments.push([bottom, right]);
                        segments.push([top, left]);
                    } else {
                        segments.push([left, bottom]);
                        segments.push([right, top]);
                    }
                }
                _ => {}
            }
        }
    }
    // Join segments that share an edge point into polylines.
    const NONE: usize = usize::MAX;
    let mut incident = vec![[NONE; 2]; n_edges];
    for (s, seg) in segments.iter().enumerate() {
        for &e in seg {
            let slot = &mut incident[e];
            if slot[0] == NONE {
                slot[0] = s;
            } else {
                slot[1] = s;
            }
        }
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    let mut walk = |start_edge: usize, first: usize, used: &mut Vec<bool>| {
        let mut line = vec![point(start_edge)];
        let (mut edge, mut seg) = (start_edge, first);
        loop {
            used[seg] = true;
            let [e0, e1] = segments[seg];
            edge = if e0 == edge { e1 } else { e0 };
            line.push(point(edge));
            match incident[edge].iter().find(|&&s| s != NONE && !used[s]) {
                Some(&s) => seg = s,
                None => break,
            }
        }
        lines.push(line);
    };
    // Open lines start at an edge point with one segment (on the boundary).
    for e in 0..n_edges {
        if incident[e][0] != NONE && incident[e][1] == NONE && !used[incident[e][0]] {
            walk(e, incident[e][0], &mut used);
        }
    }
    // What remains are closed loops.
    for s in 0..segments.len() {
        if !used[s] {
            walk(segments[s][0], s, &mut used);
        }
    }
    lines
}
