//! The coverage check of a band across arcs, on the rounded coordinates that are served: no two
//! arcs may cross or touch except at the junction they share, no arc may cross or fold onto
//! itself, and no simplified segment may jump over another arc's vertex (the region between the
//! segment and the source stretch it replaces must hold no other vertex of the band).
//!
//! The per-polygon check ([`super::valid`]) sees one polygon's rings; this one sees every kept
//! ring of every area at once, so it finds the parts of one area that cross, neighbours across a
//! river whose borders cross, and islands swept into their coast, which the per-polygon check
//! cannot. Segment pairs come from an R-tree of segment envelopes, vertices from an R-tree of
//! points.

use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Coord, Line, LineString};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};

use super::valid::SegSource;

/// A segment's envelope, with (index into the arcs, segment index).
type SegmentBox = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// One arc of the band as served: its rounded coordinates and, for each, the run of source
/// indices (canonical direction) it stands for.
pub(super) struct BandArc<'a> {
    pub arc: usize,
    pub coords: &'a [Coord<f64>],
    pub runs: &'a [(u32, u32)],
    /// The junctions (vertex ids) at its ends; `None` for a closed arc, whose first and last
    /// segments are neighbours.
    pub ends: Option<(u32, u32)>,
    /// Changed since the last check (every arc at the first).
    pub dirty: bool,
}

/// The source stretches of every segment that takes part in a conflict (each once), among the
/// conflicts that involve a `dirty` arc (changed since the last check; all arcs the first time).
///
/// A pair of segments that both are exactly their source segment is left alone: the source has
/// that contact itself (the overlapping LEPs' borders, a source's own touching rings).
pub(super) fn conflicts(arcs: &[BandArc<'_>], sources: &[LineString<f64>]) -> Vec<SegSource> {
    let segments: Vec<SegmentBox> = arcs
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            a.coords.windows(2).enumerate().map(move |(k, w)| {
                GeomWithData::new(
                    Rectangle::from_corners([w[0].x, w[0].y], [w[1].x, w[1].y]),
                    (i as u32, k as u32),
                )
            })
        })
        .collect();
    let exact = |(i, k): (u32, u32)| {
        arcs.get(i as usize).is_some_and(|a| {
            let source = sources.get(a.arc).map_or(&[][..], |s| s.0.as_slice());
            is_exact(a, k as usize, source)
        })
    };
    let dirty = |i: u32| arcs.get(i as usize).is_some_and(|a| a.dirty);
    let tree = RTree::bulk_load(segments);
    let mut bad: Vec<(u32, u32)> = Vec::new();
    for s in tree.iter() {
        let a = s.data;
        if !dirty(a.0) {
            continue;
        }
        for t in tree.locate_in_envelope_intersecting(&s.envelope()) {
            let b = t.data;
            // Each pair once: from its smaller segment when both arcs are dirty.
            if a == b || (dirty(b.0) && b < a) {
                continue;
            }
            if exact(a) && exact(b) {
                continue;
            }
            if crosses(arcs, a, b) {
                bad.extend([a, b]);
            }
        }
    }

    // Jumps: a vertex of the band strictly inside the region a segment sweeps. A dirty arc's
    // segments against every vertex, a clean arc's against the dirty arcs' vertices.
    let points = |only_dirty: bool| -> RTree<GeomWithData<[f64; 2], ()>> {
        RTree::bulk_load(
            arcs.iter()
                .filter(|a| a.dirty || !only_dirty)
                .flat_map(|a| a.coords.iter().map(|c| GeomWithData::new([c.x, c.y], ())))
                .collect(),
        )
    };
    let (all_vertices, dirty_vertices) = (points(false), points(true));
    for (i, a) in arcs.iter().enumerate() {
        let Some(source) = sources.get(a.arc) else {
            continue;
        };
        let vertices = if a.dirty {
            &all_vertices
        } else {
            &dirty_vertices
        };
        for k in 0..a.coords.len().saturating_sub(1) {
            let (lo, hi) = (a.runs[k].1 as usize, a.runs[k + 1].0 as usize);
            if hi < lo + 2 || hi >= source.0.len() {
                continue;
            }
            let (start, end) = (a.coords[k], a.coords[k + 1]);
            let inner = &source.0[lo + 1..hi];
            let envelope = envelope(inner.iter().chain([&start, &end]));
            let mut candidates = vertices
                .locate_in_envelope(&envelope)
                .map(|p| Coord {
                    x: p.geom()[0],
                    y: p.geom()[1],
                })
                .filter(|&p| p != start && p != end)
                .peekable();
            if candidates.peek().is_none() {
                continue;
            }
            let mut region: Vec<Coord<f64>> = Vec::with_capacity(inner.len() + 3);
            region.push(start);
            region.extend_from_slice(inner);
            region.extend([end, start]);
            if candidates.any(|p| strictly_inside(p, &region)) {
                bad.push((i as u32, k as u32));
            }
        }
    }

    bad.sort_unstable();
    bad.dedup();
    bad.into_iter()
        .filter_map(|(i, k)| {
            let a = arcs.get(i as usize)?;
            let k = k as usize;
            Some(SegSource {
                arc: a.arc,
                lo: a.runs.get(k)?.1,
                hi: a.runs.get(k + 1)?.0,
            })
        })
        .collect()
}

/// Whether segment `k` of `a` is exactly the source segment it stands for.
fn is_exact(a: &BandArc<'_>, k: usize, source: &[Coord<f64>]) -> bool {
    let (Some(&(_, lo)), Some(&(hi, _))) = (a.runs.get(k), a.runs.get(k + 1)) else {
        return false;
    };
    hi == lo + 1
        && source.get(lo as usize) == a.coords.get(k)
        && source.get(hi as usize) == a.coords.get(k + 1)
}

/// Whether two segments of the band meet where they must not.
fn crosses(arcs: &[BandArc<'_>], (i, k): (u32, u32), (j, m): (u32, u32)) -> bool {
    let (Some(a), Some(b)) = (arcs.get(i as usize), arcs.get(j as usize)) else {
        return false;
    };
    let (k, m) = (k as usize, m as usize);
    let s = Line::new(a.coords[k], a.coords[k + 1]);
    let t = Line::new(b.coords[m], b.coords[m + 1]);
    let Some(meet) = line_intersection(s, t) else {
        return false;
    };
    let point = match meet {
        LineIntersection::Collinear { .. } => return true,
        LineIntersection::SinglePoint {
            is_proper: true, ..
        } => return true,
        LineIntersection::SinglePoint { intersection, .. } => intersection,
    };
    if i == j {
        let last = a.coords.len().saturating_sub(2);
        let neighbours =
            k.abs_diff(m) == 1 || (a.ends.is_none() && (k.min(m), k.max(m)) == (0, last));
        if neighbours {
            // They share their common vertex and nothing else (a collinear fold was caught above).
            return false;
        }
    }
    // Only at a junction: the same junction at an end of both arcs (two junctions rounded onto
    // one point pinch the rings through them).
    let junction_at = |c: &BandArc<'_>| {
        let (first, last) = c.ends?;
        if c.coords.first() == Some(&point) {
            Some(first)
        } else if c.coords.last() == Some(&point) {
            Some(last)
        } else {
            None
        }
    };
    match (junction_at(a), junction_at(b)) {
        (Some(x), Some(y)) => x != y,
        _ => true,
    }
}

fn envelope<'a>(coords: impl Iterator<Item = &'a Coord<f64>>) -> AABB<[f64; 2]> {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for c in coords {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    AABB::from_corners(lo, hi)
}

/// Even–odd point in a closed ring, false on its boundary.
fn strictly_inside(p: Coord<f64>, ring: &[Coord<f64>]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
        let within_x = p.x >= a.x.min(b.x) && p.x <= a.x.max(b.x);
        let within_y = p.y >= a.y.min(b.y) && p.y <= a.y.max(b.y);
        if cross == 0.0 && within_x && within_y {
            return false;
        }
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x {
                inside = !inside;
            }
        }
    }
    inside
}
