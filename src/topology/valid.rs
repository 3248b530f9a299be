//! A fast validity check of a rebuilt polygon that names the arcs to refine.
//!
//! It enforces what `geo::Validation` does for a polygon (rings of at least three distinct
//! points that do not cross or touch themselves, rings that cross or share a segment with no
//! other ring, holes inside the exterior and not inside each other), plus: no zero-area ring, no
//! ring whose orientation flipped, no spike. Segment pairs are found by a sweep over x, not by
//! testing every pair as `geo::Validation` does.

use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Coord, Distance, Euclidean, Intersects, Line};

use super::arcs::signed_area2;

/// Where a rebuilt segment comes from: the source vertices `lo..=hi` of an arc (canonical
/// direction) that it replaces; `lo == hi` when it cannot be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SegSource {
    pub arc: usize,
    pub lo: u32,
    pub hi: u32,
}

/// A rebuilt ring: closed coordinates without repeated neighbours, and the source of each segment.
pub(super) struct RingCoords {
    pub coords: Vec<Coord<f64>>,
    /// `sources[i]` is where the segment `coords[i]`–`coords[i + 1]` comes from.
    pub sources: Vec<SegSource>,
}

pub(super) enum Verdict {
    Valid,
    /// Invalid: refine the stretches of arcs under these segments, and the whole of these rings.
    Refine {
        segments: Vec<SegSource>,
        rings: Vec<usize>,
    },
}

#[derive(Clone, Copy)]
struct Seg {
    ring: usize,
    index: usize,
    line: Line<f64>,
    min_x: f64,
    max_x: f64,
    min_y: f64,
    max_y: f64,
}

/// Checks a polygon whose rings (exterior first) should run as `ccw` says. `reach` (degrees) is
/// how far a simplified segment may lie from its source: a hole left outside the exterior names
/// the exterior's segments within that reach of it.
pub(super) fn check_polygon(rings: &[RingCoords], ccw: &[bool], reach: f64) -> Verdict {
    // Each ring on its own: enough points, a non-zero area, the source's orientation.
    let mut bad_rings: Vec<usize> = Vec::new();
    for (i, ring) in rings.iter().enumerate() {
        let a2 = signed_area2(&ring.coords);
        let wanted_ccw = ccw.get(i).copied().unwrap_or(i == 0);
        if ring.coords.len() < 4 || a2 == 0.0 || !a2.is_finite() || (a2 > 0.0) != wanted_ccw {
            bad_rings.push(i);
        }
    }
    if !bad_rings.is_empty() {
        return Verdict::Refine {
            segments: Vec::new(),
            rings: bad_rings,
        };
    }
    let mut bad: Vec<SegSource> = Vec::new();

    // Segment pairs whose x and y ranges overlap.
    let mut segs: Vec<Seg> = Vec::new();
    for (r, ring) in rings.iter().enumerate() {
        for (index, w) in ring.coords.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            segs.push(Seg {
                ring: r,
                index,
                line: Line::new(a, b),
                min_x: a.x.min(b.x),
                max_x: a.x.max(b.x),
                min_y: a.y.min(b.y),
                max_y: a.y.max(b.y),
            });
        }
    }
    segs.sort_unstable_by(|a, b| a.min_x.total_cmp(&b.min_x));
    for (i, s) in segs.iter().enumerate() {
        for t in &segs[i + 1..] {
            if t.min_x > s.max_x {
                break;
            }
            if t.min_y > s.max_y || t.max_y < s.min_y {
                continue;
            }
            if conflict(s, t, rings) {
                for g in [s, t] {
                    if let Some(&source) = rings[g.ring].sources.get(g.index) {
                        bad.push(source);
                    }
                }
            }
        }
    }
    if !bad.is_empty() {
        return Verdict::Refine {
            segments: bad,
            rings: Vec::new(),
        };
    }

    // No crossings left: each hole lies wholly inside or wholly outside the exterior, and
    // wholly inside, outside or around each other hole; one point of each decides.
    let Some(exterior) = rings.first() else {
        return Verdict::Valid;
    };
    let holes = rings.get(1..).unwrap_or(&[]);
    for (h, hole) in holes.iter().enumerate() {
        let Some(p) = probe(&hole.coords) else {
            continue;
        };
        if !point_in_ring(p, &exterior.coords) {
            let near = segments_near(exterior, &hole.coords, reach);
            if near.is_empty() {
                bad_rings.extend([0, h + 1]);
            } else {
                bad.extend(near);
            }
        }
        let bbox = bounds(&hole.coords);
        for (o, other) in holes.iter().enumerate().skip(h + 1) {
            let obox = bounds(&other.coords);
            if bbox.0 > obox.2 || obox.0 > bbox.2 || bbox.1 > obox.3 || obox.1 > bbox.3 {
                continue;
            }
            let nested = probe(&other.coords).is_some_and(|q| point_in_ring(q, &hole.coords))
                || point_in_ring(p, &other.coords);
            if nested {
                bad_rings.extend([h + 1, o + 1]);
            }
        }
    }
    if bad_rings.is_empty() && bad.is_empty() {
        Verdict::Valid
    } else {
        Verdict::Refine {
            segments: bad,
            rings: bad_rings,
        }
    }
}

/// The sources of `ring`'s segments that pass within `reach` of a vertex of `other`.
fn segments_near(ring: &RingCoords, other: &[Coord<f64>], reach: f64) -> Vec<SegSource> {
    let (x0, y0, x1, y1) = bounds(other);
    let (x0, y0, x1, y1) = (x0 - reach, y0 - reach, x1 + reach, y1 + reach);
    ring.coords
        .windows(2)
        .zip(&ring.sources)
        .filter(|(w, _)| {
            let (a, b) = (w[0], w[1]);
            a.x.max(b.x) >= x0 && a.x.min(b.x) <= x1 && a.y.max(b.y) >= y0 && a.y.min(b.y) <= y1
        })
        .filter(|(w, _)| {
            let line = Line::new(w[0], w[1]);
            other
                .iter()
                .any(|&c| Euclidean.distance(&line, &geo::Point::from(c)) <= reach)
        })
        .map(|(_, &source)| source)
        .collect()
}

/// Whether two segments of the polygon meet where they must not.
fn conflict(s: &Seg, t: &Seg, rings: &[RingCoords]) -> bool {
    if s.ring == t.ring {
        let n = rings[s.ring].sources.len();
        let (first, second) = if t.index == (s.index + 1) % n {
            (s, t)
        } else if s.index == (t.index + 1) % n {
            (t, s)
        } else {
            // Not neighbours along the ring: they must not meet at all.
            return s.line.intersects(&t.line);
        };
        // Neighbours share a vertex; going straight back along the same line is a spike.
        let (p, v, q) = (first.line.start, first.line.end, second.line.end);
        let (u, w) = (p - v, q - v);
        return u.x * w.y - u.y * w.x == 0.0 && u.x * w.x + u.y * w.y > 0.0;
    }
    match line_intersection(s.line, t.line) {
        None => false,
        Some(LineIntersection::Collinear { .. }) => true,
        Some(LineIntersection::SinglePoint {
            is_proper: true, ..
        }) => true,
        Some(LineIntersection::SinglePoint { intersection, .. }) => {
            // Two rings may touch at a point, but not cross there.
            let (a1, a2) = rays(s, intersection, rings);
            let (b1, b2) = rays(t, intersection, rings);
            in_sector(a1, a2, b1) != in_sector(a1, a2, b2)
        }
    }
}

/// The two directions in which the ring of `seg` leaves the point `p` on `seg`.
fn rays(seg: &Seg, p: Coord<f64>, rings: &[RingCoords]) -> (Coord<f64>, Coord<f64>) {
    let coords = &rings[seg.ring].coords;
    let n = coords.len().saturating_sub(1).max(1);
    let vertex = if p == seg.line.start {
        Some(seg.index)
    } else if p == seg.line.end {
        Some((seg.index + 1) % n)
    } else {
        None
    };
    match vertex {
        Some(k) => (coords[(k + n - 1) % n] - p, coords[(k + 1) % n] - p),
        None => (seg.line.start - p, seg.line.end - p),
    }
}

/// Whether direction `x` lies strictly inside the counter-clockwise sweep from `a1` to `a2`.
fn in_sector(a1: Coord<f64>, a2: Coord<f64>, x: Coord<f64>) -> bool {
    let tau = std::f64::consts::TAU;
    let angle = |v: Coord<f64>| v.y.atan2(v.x);
    let from_a1 = |v: Coord<f64>| (angle(v) - angle(a1)).rem_euclid(tau);
    let ax = from_a1(x);
    ax > 0.0 && ax < from_a1(a2)
}

/// A point inside a ring's first segment (its midpoint), to test the ring's position with.
fn probe(ring: &[Coord<f64>]) -> Option<Coord<f64>> {
    let (a, b) = (ring.first()?, ring.get(1)?);
    Some(Coord {
        x: (a.x + b.x) / 2.0,
        y: (a.y + b.y) / 2.0,
    })
}

/// Even–odd point in ring (a point on the boundary may go either way).
fn point_in_ring(p: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x {
                inside = !inside;
            }
        }
    }
    inside
}

fn bounds(ring: &[Coord<f64>]) -> (f64, f64, f64, f64) {
    ring.iter().fold(
        (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ),
        |(x0, y0, x1, y1), c| (x0.min(c.x), y0.min(c.y), x1.max(c.x), y1.max(c.y)),
    )
}
