//! Queen contiguity between the areas of one layer: who touches or overlaps whom, and along how many km.
//!
//! # Definitions
//!
//! Areas are `MultiPolygon`s in WGS84 lon/lat degrees. Distances are measured in metres in a local
//! equirectangular frame centred on each boundary segment (`x = Δlon·cos(lat₀)·111 320`,
//! `y = Δlat·110 574`), which is accurate to well under 1 % over the few metres that matter here.
//! Lengths along the boundary are great-circle lengths on the mean-radius sphere ([`geo::Haversine`],
//! R = 6 371 008.8 m); in England they run 0.1–0.3 % shorter than ellipsoidal (GDAL) lengths.
//!
//! * **Boundary** of an area: all its rings (exterior rings and holes) as line segments.
//! * **Neighbours (queen contiguity):** areas `a` and `b` (`a ≠ b`) are neighbours when some point of
//!   `a`'s boundary lies within `tolerance_m` of `b`'s boundary, or their interiors overlap (this
//!   includes one area lying wholly inside the other). Meeting at a single corner is enough.
//!   An area is never its own neighbour, and the relation is symmetric.
//! * **[`Relation::Overlaps`]** when some point of one area's boundary lies inside the other area
//!   *farther than `tolerance_m` from its boundary* (either way round), or when one area's whole
//!   boundary lies within the tolerance of the other's and an interior point of the first
//!   ([`geo::InteriorPoint`]) lies inside the second farther than the tolerance from its boundary
//!   (identical areas), and the overlap covers at least [`MIN_OVERLAP_M2`]. Otherwise
//!   **[`Relation::Touches`]**: a sliver thinner than the tolerance, or smaller than 10 ha, is a touch.

//! * **`shared_km`:** the length of the common boundary. Along each ring of `a`, the parts within
//!   `tolerance_m` of `b`'s boundary form runs; a run counts from its first to its last *anchor*,
//!   where anchors are `a`'s vertices within the tolerance of `b`'s boundary and the nearest points
//!   on `a` of `b`'s vertices within the tolerance of `a`'s boundary. A ring lying wholly within
//!   the tolerance counts in full. This makes a shared arc count vertex to vertex (no extra
//!   tolerance-long stubs where the boundaries part) and a pure corner or point contact count
//!   0.0. The value is the mean of the `a`-side and the `b`-side lengths, computed once per pair,
//!   so it is the same in both directions. Features shorter than the tolerance are not resolved.
//!
//! Rings containing a non-finite coordinate are ignored. Longitudes are not wrapped across the
//! antimeridian (England does not need it).

use std::collections::{BTreeMap, BTreeSet};

use geo::{
    BooleanOps, BoundingRect, ChamberlainDuquetteArea, Coord, Distance, Haversine, InteriorPoint,
    Intersects, MultiPolygon, Point,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};
use serde::{Deserialize, Serialize};

/// Default snapping tolerance in metres: 5 m.
///
/// Why 5 m:
/// * The boundary files are snapped to a 1e-6° grid (about 0.1 m) and neighbours within a layer
///   share their arcs exactly, so real contacts are at distance 0: the tolerance only has to absorb
///   rounding, and 5 m does so fifty times over while staying far below the gap between boundaries
///   that do not meet. Measured against GEOS `ST_Intersects`, the neighbour pairs are identical at
///   every tolerance from 1 m to 15 m on `leps_2014/2017/2020`, `leps_2020_lad_derived`,
///   `regions`, `nuts2_2016`, `nuts3_2016` and `lads`; at 20 m NUTS3 2016 gains a false pair
///   (UKF22/UKH11) and at 50 m the LADs gain one.
/// * LAD-derived layers (`lads`, `regions`, `leps_2014/2017`, `leps_2020_lad_derived`) come from
///   TopoJSON quantised to about 60 m, and their dissolves left overlap slivers between some
///   neighbours (GEOS `ST_Overlaps`, 1 000–16 000 m²). Their tips reach from about 13 m to more
///   than 100 m into the neighbour, so no tolerance small enough to keep real contacts apart hides
///   them all. The boundary scan flags them (at 5 m: 30 of the 828 LAD pairs, and 2 LEP pairs in
///   2017 besides the 14 real overlaps), and [`MIN_OVERLAP_M2`] then demotes them to touches by
///   the area of the overlap, so that the overlaps are exactly the shared districts.
/// * GISCO NUTS (1:3 million) also shares arcs within each layer, so the same value works there;
///   the slivers one vertex (1e-6°) thick in `leps_2020` are touches.
///
/// Never compare layers with each other using this function: their generalisations differ by
/// tens to hundreds of metres.
pub const DEFAULT_TOLERANCE_M: f64 = 5.0;

/// Tolerances below this (including 0, negative and NaN) are raised to it, so that floating-point
/// noise on exactly shared arcs never splits them.
pub const MIN_TOLERANCE_M: f64 = 0.001;

/// Interiors must overlap by at least this many square metres (10 ha) for [`Relation::Overlaps`].
///
/// The LAD-derived layers carry dissolve slivers of 1 000–16 000 m² (GEOS `ST_Overlaps`) whose
/// tips reach deeper than any safe tolerance; real overlaps are whole districts (the smallest
/// English LAD, the City of London, is about 290 ha; the LEP overlaps are 86–3 362 km²). A pair
/// flagged by the boundary scan is confirmed by the area of the intersection of the two
/// geometries (`geo::BooleanOps`, Chamberlain–Duquette area); below this it is a touch.
pub const MIN_OVERLAP_M2: f64 = 100_000.0;

const M_PER_DEG_LAT: f64 = 110_574.0;
const M_PER_DEG_LON_AT_EQUATOR: f64 = 111_320.0;
/// Gaps between near-runs shorter than this (metres along the ring) are floating-point noise.
const GAP_EPS_M: f64 = 1e-6;
/// Interval ends (as a fraction of a segment) closer than this are the same point.
const MERGE_EPS: f64 = 1e-9;

/// How two neighbouring areas meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// The boundaries meet (within the tolerance) but the interiors do not overlap.
    Touches,
    /// The interiors overlap by more than the tolerance (e.g. two LEPs sharing a district).
    Overlaps,
}

/// One neighbour of an area: see the module documentation for the definitions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// Position of the neighbour in the input slice.
    pub index: usize,
    /// Whether the two areas only touch or overlap.
    pub relation: Relation,
    /// Length of the common boundary in kilometres (0.0 for a corner contact or pure containment).
    pub shared_km: f64,
}

/// Queen contiguity of `areas` with snapping tolerance `tolerance_m` (metres).
///
/// Returns one list per input area (same order), holding its neighbours sorted by index. The
/// result is symmetric: if `j` is in list `i` then `i` is in list `j` with the same relation and
/// `shared_km`.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use smartspec::index::adjacency::{adjacency, Relation, DEFAULT_TOLERANCE_M};
///
/// let west = MultiPolygon(vec![polygon![(x: 0.0, y: 52.0), (x: 0.01, y: 52.0), (x: 0.01, y: 52.01), (x: 0.0, y: 52.01)]]);
/// let east = MultiPolygon(vec![polygon![(x: 0.01, y: 52.0), (x: 0.02, y: 52.0), (x: 0.02, y: 52.01), (x: 0.01, y: 52.01)]]);
/// let adj = adjacency(&[west, east], DEFAULT_TOLERANCE_M);
/// assert_eq!(adj[0][0].index, 1);
/// assert_eq!(adj[0][0].relation, Relation::Touches);
/// assert!((adj[0][0].shared_km - 1.11).abs() < 0.01); // 0.01° of latitude
/// ```
pub fn adjacency(areas: &[MultiPolygon<f64>], tolerance_m: f64) -> Vec<Vec<Neighbour>> {
    let refs: Vec<&MultiPolygon<f64>> = areas.iter().collect();
    adjacency_of(&refs, tolerance_m)
}

/// [`adjacency`] over borrowed geometries, so that callers holding them inside larger records
/// need not copy them.
pub fn adjacency_of(areas: &[&MultiPolygon<f64>], tolerance_m: f64) -> Vec<Vec<Neighbour>> {
    let tol = if tolerance_m.is_nan() {
        MIN_TOLERANCE_M
    } else {
        tolerance_m.max(MIN_TOLERANCE_M)
    };
    let layer = Layer::new(areas);
    let mut acc = Accumulator::default();
    for ring in &layer.rings {
        layer.scan_ring(ring, tol, &mut acc);
    }
    layer.check_covered_areas(areas, tol, &mut acc);
    acc.demote_slivers(areas);
    acc.into_neighbours(areas.len())
}

/// The area in square metres of the intersection of two areas.
fn overlap_m2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    a.intersection(b).chamberlain_duquette_unsigned_area()
}

/// A boundary ring prepared for the scan.
struct Ring {
    area: usize,
    /// Closed (first == last), no consecutive duplicates, at least 2 coordinates.
    coords: Vec<Coord<f64>>,
    /// `cum_m[k]`: geodesic length in metres from `coords[0]` to `coords[k]` along the ring.
    cum_m: Vec<f64>,
    bbox: AABB<[f64; 2]>,
}

impl Ring {
    fn new(area: usize, raw: &[Coord<f64>]) -> Option<Ring> {
        if raw.iter().any(|c| !c.x.is_finite() || !c.y.is_finite()) {
            return None;
        }
        let mut coords: Vec<Coord<f64>> = Vec::with_capacity(raw.len());
        for &c in raw {
            if coords.last() != Some(&c) {
                coords.push(c);
            }
        }
        if coords.len() < 2 {
            return None;
        }
        let mut cum_m = Vec::with_capacity(coords.len());
        let mut total = 0.0;
        cum_m.push(0.0);
        for w in coords.windows(2) {
            if let [a, b] = w {
                total += Haversine.distance(Point(*a), Point(*b));
            }
            cum_m.push(total);
        }
        let bbox = AABB::from_points(coords.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>().iter());
        Some(Ring {
            area,
            coords,
            cum_m,
            bbox,
        })
    }

    fn len_m(&self) -> f64 {
        self.cum_m.last().copied().unwrap_or(0.0)
    }

    /// Position in metres along the ring of fraction `u` of segment `k`.
    fn position(&self, k: usize, u: f64) -> f64 {
        match (self.cum_m.get(k), self.cum_m.get(k + 1)) {
            (Some(a), Some(b)) => a + u * (b - a),
            _ => self.len_m(),
        }
    }

    /// The point at `pos` metres along the ring (taken modulo the ring length).
    fn point_at(&self, pos: f64) -> Option<Coord<f64>> {
        let len = self.len_m();
        let pos = if len > 0.0 { pos.rem_euclid(len) } else { 0.0 };
        let k = self.cum_m.partition_point(|&c| c <= pos).saturating_sub(1);
        let k = k.min(self.coords.len().saturating_sub(2));
        let (a, b) = (self.coords.get(k)?, self.coords.get(k + 1)?);
        let (ca, cb) = (self.cum_m.get(k)?, self.cum_m.get(k + 1)?);
        let u = if cb > ca {
            ((pos - ca) / (cb - ca)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Some(Coord {
            x: a.x + u * (b.x - a.x),
            y: a.y + u * (b.y - a.y),
        })
    }
}

/// One boundary segment in the R-tree.
struct Segment {
    a: Coord<f64>,
    b: Coord<f64>,
    area: usize,
}

impl RTreeObject for Segment {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.a.x, self.a.y], [self.b.x, self.b.y])
    }
}

/// A polygon of an area with its bounding box, for point-in-area tests.
struct Part<'a> {
    polygon: &'a geo::Polygon<f64>,
    bbox: geo::Rect<f64>,
}

struct Layer<'a> {
    rings: Vec<Ring>,
    segments: RTree<Segment>,
    area_boxes: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    parts: Vec<Vec<Part<'a>>>,
    boundary_len_m: Vec<f64>,
}

/// Query results of one ring against everything else, grouped later by neighbour area.
#[derive(Default)]
struct RingHits {
    /// (neighbour area, segment index, lo, hi): fraction interval of the segment within tolerance.
    intervals: Vec<(usize, usize, f64, f64)>,
    /// (neighbour area, segment index, u): anchor points (see module docs).
    anchors: Vec<(usize, usize, f64)>,
}

/// Per ordered pair (this area, other area).
#[derive(Default, Clone, Copy)]
struct Directed {
    /// Anchor-to-anchor shared length on this area's side (metres).
    shared_m: f64,
    /// Length of this area's boundary within the tolerance of the other's (metres).
    covered_m: f64,
}

#[derive(Default)]
struct Accumulator {
    directed: BTreeMap<(usize, usize), Directed>,
    /// Unordered pairs (low, high) whose interiors overlap.
    overlaps: BTreeSet<(usize, usize)>,
    /// Pairs the scan saw overlapping by less than [`MIN_OVERLAP_M2`]: touches.
    slivers: BTreeSet<(usize, usize)>,
}

fn pair(i: usize, j: usize) -> (usize, usize) {
    (i.min(j), i.max(j))
}

impl Accumulator {
    /// Turns overlaps smaller than [`MIN_OVERLAP_M2`] into touches.
    fn demote_slivers(&mut self, areas: &[&MultiPolygon<f64>]) {
        let slivers: Vec<(usize, usize)> = self
            .overlaps
            .iter()
            .copied()
            .filter(|&(i, j)| match (areas.get(i), areas.get(j)) {
                (Some(a), Some(b)) => overlap_m2(a, b) < MIN_OVERLAP_M2,
                _ => false,
            })
            .collect();
        for pair in slivers {
            self.overlaps.remove(&pair);
            self.slivers.insert(pair);
        }
    }

    fn into_neighbours(self, n: usize) -> Vec<Vec<Neighbour>> {
        let mut pairs: BTreeSet<(usize, usize)> = self.overlaps.clone();
        pairs.extend(self.slivers.iter().copied());

        pairs.extend(self.directed.keys().map(|&(i, j)| pair(i, j)));
        let mut out: Vec<Vec<Neighbour>> = vec![Vec::new(); n];
        for (i, j) in pairs {
            let sides: Vec<f64> = [(i, j), (j, i)]
                .iter()
                .filter_map(|k| self.directed.get(k).map(|d| d.shared_m))
                .collect();
            let shared_m = if sides.is_empty() {
                0.0
            } else {
                sides.iter().sum::<f64>() / sides.len() as f64
            };
            let relation = if self.overlaps.contains(&(i, j)) {
                Relation::Overlaps
            } else {
                Relation::Touches
            };
            let shared_km = shared_m / 1000.0;
            if let Some(list) = out.get_mut(i) {
                list.push(Neighbour {
                    index: j,
                    relation,
                    shared_km,
                });
            }
            if let Some(list) = out.get_mut(j) {
                list.push(Neighbour {
                    index: i,
                    relation,
                    shared_km,
                });
            }
        }
        for list in &mut out {
            list.sort_by_key(|nb| nb.index);
        }
        out
    }
}

impl<'a> Layer<'a> {
    fn new(areas: &[&'a MultiPolygon<f64>]) -> Layer<'a> {
        let mut rings = Vec::new();
        let mut parts = Vec::with_capacity(areas.len());
        let mut boxes = Vec::new();
        for (area, &mp) in areas.iter().enumerate() {
            let mut area_parts = Vec::new();
            for polygon in &mp.0 {
                for ls in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    if let Some(ring) = Ring::new(area, &ls.0) {
                        rings.push(ring);
                    }
                }
                if let Some(bbox) = polygon.bounding_rect() {
                    area_parts.push(Part { polygon, bbox });
                }
            }
            if let Some(r) = mp.bounding_rect() {
                if r.min().x.is_finite()
                    && r.min().y.is_finite()
                    && r.max().x.is_finite()
                    && r.max().y.is_finite()
                {
                    boxes.push(GeomWithData::new(
                        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                        area,
                    ));
                }
            }
            parts.push(area_parts);
        }
        let mut boundary_len_m = vec![0.0; areas.len()];
        let mut segments = Vec::new();
        for ring in &rings {
            if let Some(len) = boundary_len_m.get_mut(ring.area) {
                *len += ring.len_m();
            }
            for w in ring.coords.windows(2) {
                if let [a, b] = w {
                    segments.push(Segment {
                        a: *a,
                        b: *b,
                        area: ring.area,
                    });
                }
            }
        }
        Layer {
            rings,
            segments: RTree::bulk_load(segments),
            area_boxes: RTree::bulk_load(boxes),
            parts,
            boundary_len_m,
        }
    }

    /// Is `c` inside area `area` (boundary points count as inside)?
    fn area_contains(&self, area: usize, c: Coord<f64>) -> bool {
        let p = Point(c);
        self.parts.get(area).is_some_and(|parts| {
            parts.iter().any(|part| {
                c.x >= part.bbox.min().x
                    && c.x <= part.bbox.max().x
                    && c.y >= part.bbox.min().y
                    && c.y <= part.bbox.max().y
                    && part.polygon.intersects(&p)
            })
        })
    }

    /// Is any boundary segment of `area` within `tol` metres of `c`?
    fn near_boundary_of(&self, area: usize, c: Coord<f64>, tol: f64) -> bool {
        let frame = Frame::at(c);
        let p = frame.project(c);
        self.segments
            .locate_in_envelope_intersecting(&query_envelope(c, c, tol))
            .filter(|s| s.area == area)
            .any(|s| point_segment_distance(p, frame.project(s.a), frame.project(s.b)) <= tol)
    }

    /// Find everything within `tol` of `ring`, then account shared lengths and overlaps.
    fn scan_ring(&self, ring: &Ring, tol: f64, acc: &mut Accumulator) {
        let i = ring.area;
        let mut hits = RingHits::default();
        for (k, w) in ring.coords.windows(2).enumerate() {
            let [a, b] = w else { continue };
            let frame = Frame::at(*a);
            let (p0, p1) = (frame.project(*a), frame.project(*b));
            for t in self
                .segments
                .locate_in_envelope_intersecting(&query_envelope(*a, *b, tol))
            {
                if t.area == i {
                    continue;
                }
                let (q0, q1) = (frame.project(t.a), frame.project(t.b));
                let Some((lo, hi)) = near_interval(p0, p1, q0, q1, tol) else {
                    continue;
                };
                hits.intervals.push((t.area, k, lo, hi));
                if lo == 0.0 {
                    hits.anchors.push((t.area, k, 0.0));
                }
                if hi == 1.0 {
                    hits.anchors.push((t.area, k, 1.0));
                }
                for q in [q0, q1] {
                    if point_segment_distance(q, p0, p1) <= tol {
                        hits.anchors
                            .push((t.area, k, projection_fraction(q, p0, p1)));
                    }
                }
            }
        }
        hits.intervals
            .sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2)));
        hits.anchors
            .sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2)));

        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut rest = hits.intervals.as_slice();
        let mut anchors = hits.anchors.as_slice();
        while let Some(&(j, ..)) = rest.first() {
            let n = rest.iter().take_while(|h| h.0 == j).count();
            let (group, tail) = rest.split_at(n);
            rest = tail;
            let m = anchors.iter().take_while(|h| h.0 < j).count();
            anchors = anchors.get(m..).unwrap_or(&[]);
            let m = anchors.iter().take_while(|h| h.0 == j).count();
            let (group_anchors, tail) = anchors.split_at(m);
            anchors = tail;
            seen.insert(j);

            let cover = ring_cover(ring, group, group_anchors);
            let d = acc.directed.entry((i, j)).or_default();
            d.shared_m += cover.shared_m;
            d.covered_m += cover.covered_m;
            if !acc.overlaps.contains(&pair(i, j))
                && cover.free_points.iter().any(|&c| self.area_contains(j, c))
            {
                acc.overlaps.insert(pair(i, j));
            }
        }

        // Areas whose box meets this ring but whose boundary never comes near it: the whole ring
        // is farther than the tolerance from them, so one vertex tells inside from outside.
        let Some(first) = ring.coords.first().copied() else {
            return;
        };
        for bx in self.area_boxes.locate_in_envelope_intersecting(&ring.bbox) {
            let j = bx.data;
            if j == i || seen.contains(&j) || acc.overlaps.contains(&pair(i, j)) {
                continue;
            }
            if self.area_contains(j, first) {
                acc.overlaps.insert(pair(i, j));
            }
        }
    }

    /// Areas whose whole boundary lies within the tolerance of another area's boundary are either
    /// identical to it (overlap) or fill one of its holes (touch): an interior point decides.
    fn check_covered_areas(&self, areas: &[&MultiPolygon<f64>], tol: f64, acc: &mut Accumulator) {
        let candidates: Vec<(usize, usize)> = acc
            .directed
            .iter()
            .filter(|(&(i, j), d)| {
                let total = self.boundary_len_m.get(i).copied().unwrap_or(0.0);
                total > 0.0
                    && d.covered_m >= total * (1.0 - 1e-9) - GAP_EPS_M
                    && !acc.overlaps.contains(&pair(i, j))
            })
            .map(|(&k, _)| k)
            .collect();
        for (i, j) in candidates {
            let Some(p) = areas.get(i).and_then(|a| a.interior_point()) else {
                continue;
            };
            if self.area_contains(j, p.0) && !self.near_boundary_of(j, p.0, tol) {
                acc.overlaps.insert(pair(i, j));
            }
        }
    }
}

/// What one ring shares with one other area.
struct RingCover {
    shared_m: f64,
    covered_m: f64,
    /// Points of the ring farther than the tolerance from the other area's boundary, one per
    /// maximal stretch of such points (each stretch is wholly inside or wholly outside it).
    free_points: Vec<Coord<f64>>,
}

/// A run of the ring within the tolerance, in metres along the ring (`start` may be negative
/// for a run that wraps past the ring's first vertex).
struct Run {
    start: f64,
    end: f64,
}

/// Turn the sorted per-segment intervals and anchors of one (ring, other area) pair into runs.
fn ring_cover(
    ring: &Ring,
    intervals: &[(usize, usize, f64, f64)],
    anchors: &[(usize, usize, f64)],
) -> RingCover {
    let len = ring.len_m();
    let last_seg = ring.coords.len().saturating_sub(2);

    // Merge overlapping intervals within each segment, then join runs across shared vertices.
    let mut runs: Vec<Run> = Vec::new();
    let mut prev: Option<(usize, f64, f64)> = None; // (k, lo, hi) of the interval being merged
    let mut starts_at_origin = false;
    let mut ends_at_origin = false;
    let mut push = |k: usize, lo: f64, hi: f64, runs: &mut Vec<Run>| {
        let (start, end) = (ring.position(k, lo), ring.position(k, hi));
        if runs.is_empty() && k == 0 && lo == 0.0 {
            starts_at_origin = true;
        }
        ends_at_origin = k == last_seg && hi == 1.0;
        match runs.last_mut() {
            Some(run) if start <= run.end + GAP_EPS_M => run.end = run.end.max(end),
            _ => runs.push(Run { start, end }),
        }
    };
    for &(_, k, lo, hi) in intervals {
        prev = match prev {
            Some((pk, plo, phi)) if pk == k && lo <= phi + MERGE_EPS => Some((k, plo, phi.max(hi))),
            Some((pk, plo, phi)) => {
                push(pk, plo, phi, &mut runs);
                Some((k, lo, hi))
            }
            None => Some((k, lo, hi)),
        };
    }
    if let Some((pk, plo, phi)) = prev {
        push(pk, plo, phi, &mut runs);
    }

    let covered_m: f64 = runs.iter().map(|r| r.end - r.start).sum();
    let closed = runs.len() == 1 && starts_at_origin && ends_at_origin;
    if closed {
        return RingCover {
            shared_m: len,
            covered_m: len,
            free_points: Vec::new(),
        };
    }
    if runs.len() >= 2 && starts_at_origin && ends_at_origin {
        if let Some(last) = runs.pop() {
            if let Some(first) = runs.first_mut() {
                first.start = last.start - len;
            }
        }
    }

    let positions: Vec<f64> = anchors
        .iter()
        .map(|&(_, k, u)| ring.position(k, u))
        .collect();
    let mut shared_m = 0.0;
    for run in &runs {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for &a in &positions {
            for cand in [a, a - len] {
                if cand >= run.start - GAP_EPS_M && cand <= run.end + GAP_EPS_M {
                    lo = lo.min(cand);
                    hi = hi.max(cand);
                }
            }
        }
        if hi > lo {
            shared_m += hi - lo;
        }
    }

    let mut free_points = Vec::new();
    match (runs.first(), runs.last()) {
        (Some(first), Some(last)) => {
            let gaps = runs
                .windows(2)
                .filter_map(|w| match w {
                    [a, b] => Some((a.end, b.start)),
                    _ => None,
                })
                .chain(std::iter::once((last.end, first.start + len)));
            for (from, to) in gaps {
                if to - from > GAP_EPS_M {
                    free_points.extend(ring.point_at((from + to) / 2.0));
                }
            }
        }
        _ => free_points.extend(ring.coords.first().copied()),
    }
    RingCover {
        shared_m,
        covered_m,
        free_points,
    }
}

/// Local equirectangular frame in metres centred on a coordinate.
struct Frame {
    origin: Coord<f64>,
    kx: f64,
}

impl Frame {
    fn at(origin: Coord<f64>) -> Frame {
        Frame {
            origin,
            kx: origin.y.to_radians().cos() * M_PER_DEG_LON_AT_EQUATOR,
        }
    }

    fn project(&self, c: Coord<f64>) -> [f64; 2] {
        [
            (c.x - self.origin.x) * self.kx,
            (c.y - self.origin.y) * M_PER_DEG_LAT,
        ]
    }
}

/// Envelope (degrees) of segment `a`-`b` grown by at least `tol` metres in every direction.
fn query_envelope(a: Coord<f64>, b: Coord<f64>, tol: f64) -> AABB<[f64; 2]> {
    let margin = 1.01;
    let dlat = tol / M_PER_DEG_LAT * margin;
    let max_abs_lat = (a.y.abs().max(b.y.abs()) + dlat).min(89.9);
    let cos = max_abs_lat.to_radians().cos().max(1e-3);
    let dlon = tol / (M_PER_DEG_LON_AT_EQUATOR * cos) * margin;
    AABB::from_corners(
        [a.x.min(b.x) - dlon, a.y.min(b.y) - dlat],
        [a.x.max(b.x) + dlon, a.y.max(b.y) + dlat],
    )
}

fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

fn dot(a: [f64; 2], b: [f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// Fraction along `p0`-`p1` of the point nearest to `q` (clamped to the segment).
fn projection_fraction(q: [f64; 2], p0: [f64; 2], p1: [f64; 2]) -> f64 {
    let d = sub(p1, p0);
    let dd = dot(d, d);
    if dd > 0.0 {
        (dot(sub(q, p0), d) / dd).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn point_segment_distance(q: [f64; 2], p0: [f64; 2], p1: [f64; 2]) -> f64 {
    let u = projection_fraction(q, p0, p1);
    let d = sub(p1, p0);
    let nearest = [p0[0] + u * d[0], p0[1] + u * d[1]];
    let w = sub(q, nearest);
    dot(w, w).sqrt()
}

/// The fractions `u ∈ [0, 1]` for which `p0 + u·(p1 − p0)` lies within `r` of segment `q0`-`q1`.
///
/// The set of points within `r` of a segment (a capsule) is convex, so the answer is one interval:
/// the hull of the line's intervals in the two end discs and in the rectangle between them.
fn near_interval(
    p0: [f64; 2],
    p1: [f64; 2],
    q0: [f64; 2],
    q1: [f64; 2],
    r: f64,
) -> Option<(f64, f64)> {
    let d = sub(p1, p0);
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let parts = [
        disc_interval(p0, d, q0, r),
        disc_interval(p0, d, q1, r),
        slab_interval(p0, d, q0, q1, r),
    ];
    for (a, b) in parts.into_iter().flatten() {
        lo = lo.min(a);
        hi = hi.max(b);
    }
    let (lo, hi) = (lo.max(0.0), hi.min(1.0));
    (lo <= hi).then_some((lo, hi))
}

/// Parameters of the line `p0 + u·d` inside the disc of radius `r` around `c`.
fn disc_interval(p0: [f64; 2], d: [f64; 2], c: [f64; 2], r: f64) -> Option<(f64, f64)> {
    let w = sub(p0, c);
    let a = dot(d, d);
    let b = 2.0 * dot(d, w);
    let cc = dot(w, w) - r * r;
    if a <= 0.0 {
        return (cc <= 0.0).then_some((f64::NEG_INFINITY, f64::INFINITY));
    }
    let disc = b * b - 4.0 * a * cc;
    if disc < 0.0 {
        return None;
    }
    let sq = disc.sqrt();
    Some(((-b - sq) / (2.0 * a), (-b + sq) / (2.0 * a)))
}

/// Parameters of the line `p0 + u·d` inside the rectangle of half-width `r` along `q0`-`q1`.
fn slab_interval(
    p0: [f64; 2],
    d: [f64; 2],
    q0: [f64; 2],
    q1: [f64; 2],
    r: f64,
) -> Option<(f64, f64)> {
    let e = sub(q1, q0);
    let len = dot(e, e).sqrt();
    if len <= 0.0 {
        return None;
    }
    let e = [e[0] / len, e[1] / len];
    let n = [-e[1], e[0]];
    let w = sub(p0, q0);
    let mut range = (f64::NEG_INFINITY, f64::INFINITY);
    for (axis, min, max) in [(e, 0.0, len), (n, -r, r)] {
        let alpha = dot(w, axis);
        let beta = dot(d, axis);
        if beta == 0.0 {
            if alpha < min || alpha > max {
                return None;
            }
            continue;
        }
        let (t1, t2) = ((min - alpha) / beta, (max - alpha) / beta);
        range = (range.0.max(t1.min(t2)), range.1.min(t1.max(t2)));
        if range.0 > range.1 {
            return None;
        }
    }
    Some(range)
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use geo::{polygon, LineString, Polygon};

    const LAT: f64 = 52.0;
    /// Side of the test squares in degrees (about 685 m east-west and 1112 m north-south at 52°N).
    const S: f64 = 0.01;

    fn square(col: f64, row: f64) -> MultiPolygon<f64> {
        rect(
            col * S,
            LAT + row * S,
            (col + 1.0) * S,
            LAT + (row + 1.0) * S,
        )
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)
        ]])
    }

    /// Haversine length of a meridian arc of `S` degrees (the same at every latitude).
    fn ns_km() -> f64 {
        Haversine.distance(Point::new(0.0, LAT), Point::new(0.0, LAT + S)) / 1000.0
    }

    fn assert_symmetric(adj: &[Vec<Neighbour>]) {
        for (i, list) in adj.iter().enumerate() {
            assert!(list.windows(2).all(|w| w[0].index < w[1].index), "sorted");
            for nb in list {
                assert_ne!(nb.index, i, "area {i} is its own neighbour");
                let back = adj[nb.index]
                    .iter()
                    .find(|b| b.index == i)
                    .unwrap_or_else(|| panic!("{i} -> {} but not back", nb.index));
                assert_eq!(back.relation, nb.relation);
                assert_eq!(back.shared_km, nb.shared_km);
            }
        }
    }

    fn find(adj: &[Vec<Neighbour>], i: usize, j: usize) -> Option<Neighbour> {
        adj[i].iter().find(|n| n.index == j).copied()
    }

    #[test]
    fn grid_3x3_queen() {
        // Index = row * 3 + col; 4 is the centre.
        let areas: Vec<_> = (0..9)
            .map(|i| square((i % 3) as f64, (i / 3) as f64))
            .collect();
        let adj = adjacency(&areas, DEFAULT_TOLERANCE_M);
        assert_symmetric(&adj);
        let idx = |i: usize| adj[i].iter().map(|n| n.index).collect::<Vec<_>>();
        assert_eq!(idx(4), vec![0, 1, 2, 3, 5, 6, 7, 8]);
        assert_eq!(idx(0), vec![1, 3, 4]);
        assert_eq!(idx(8), vec![4, 5, 7]);
        assert_eq!(idx(1), vec![0, 2, 3, 4, 5]);
        assert_eq!(idx(3), vec![0, 1, 4, 6, 7]);
        for list in &adj {
            for nb in list {
                assert_eq!(nb.relation, Relation::Touches);
            }
        }
        // Corner-only pairs share nothing.
        for (i, j) in [(4, 0), (4, 2), (4, 6), (4, 8), (0, 4), (1, 3), (1, 5)] {
            assert_eq!(find(&adj, i, j).map(|n| n.shared_km), Some(0.0), "{i}-{j}");
        }
        // Edge pairs, by hand on the haversine sphere (R = 6 371 008.8 m): 0.01° of latitude is
        // R·0.01·π/180 = 1.11195 km; 0.01° of longitude at 52°N is that × cos 52° = 0.68459 km.
        let ns = ns_km();
        assert!((ns - 1.11195).abs() < 0.00001, "{ns}");
        let ew = Haversine.distance(Point::new(0.0, LAT), Point::new(S, LAT)) / 1000.0;
        assert!((ew - 0.68459).abs() < 0.00001, "{ew}");
        // The centre square's east edge runs from 52.01°N to 52.02°N.
        let ns_mid = Haversine.distance(
            Point::new(2.0 * S, LAT + S),
            Point::new(2.0 * S, LAT + 2.0 * S),
        ) / 1000.0;
        assert!((ns_mid - ns).abs() < 1e-9);
        let east = find(&adj, 4, 5).map(|n| n.shared_km).unwrap_or_default();
        assert!((east - ns_mid).abs() < 1e-9, "{east}");
        let north = find(&adj, 4, 7).map(|n| n.shared_km).unwrap_or_default();
        // The north edge of the centre square is at 52.02°N: 0.01° of longitude there.
        let ew_top = Haversine.distance(
            Point::new(S, LAT + 2.0 * S),
            Point::new(2.0 * S, LAT + 2.0 * S),
        ) / 1000.0;
        assert!((north - ew_top).abs() < 1e-9, "{north} vs {ew_top}");
    }

    #[test]
    fn overlapping_squares_overlap_both_ways() {
        let a = rect(0.0, LAT, 2.0 * S, LAT + 2.0 * S);
        let b = rect(S, LAT + S, 3.0 * S, LAT + 3.0 * S);
        let adj = adjacency(&[a, b], DEFAULT_TOLERANCE_M);
        assert_symmetric(&adj);
        assert_eq!(
            find(&adj, 0, 1).map(|n| n.relation),
            Some(Relation::Overlaps)
        );
        assert_eq!(
            find(&adj, 1, 0).map(|n| n.relation),
            Some(Relation::Overlaps)
        );
        // The boundaries only cross at two points.
        assert_eq!(find(&adj, 0, 1).map(|n| n.shared_km), Some(0.0));
    }

    #[test]
    fn plus_shaped_overlap_without_vertices_inside() {
        // No vertex of either bar lies inside the other, but the interiors overlap.
        let h = rect(0.0, LAT + S, 3.0 * S, LAT + 2.0 * S);
        let v = rect(S, LAT, 2.0 * S, LAT + 3.0 * S);
        let adj = adjacency(&[h, v], DEFAULT_TOLERANCE_M);
        assert_eq!(
            find(&adj, 0, 1).map(|n| n.relation),
            Some(Relation::Overlaps)
        );
    }

    #[test]
    fn contained_area_overlaps_and_identical_areas_overlap() {
        let big = rect(0.0, LAT, 3.0 * S, LAT + 3.0 * S);
        let inner = square(1.0, 1.0);
        let twin = big.clone();
        let far = square(10.0, 0.0);
        let adj = adjacency(&[big, inner, twin, far], DEFAULT_TOLERANCE_M);
        assert_symmetric(&adj);
        assert_eq!(
            find(&adj, 0, 1).map(|n| n.relation),
            Some(Relation::Overlaps)
        );
        assert_eq!(find(&adj, 0, 1).map(|n| n.shared_km), Some(0.0));
        let twins = find(&adj, 0, 2).unwrap_or_else(|| panic!("twins"));
        assert_eq!(twins.relation, Relation::Overlaps);
        // Whole perimeter: 3 squares per side.
        let perimeter = Ring::new(0, &rect(0.0, LAT, 3.0 * S, LAT + 3.0 * S).0[0].exterior().0)
            .map(|r| r.len_m() / 1000.0)
            .unwrap_or_default();
        assert!((twins.shared_km - perimeter).abs() < 1e-9);
        assert!(adj[3].is_empty());
    }

    #[test]
    fn gap_within_tolerance_touches_wider_gap_does_not() {
        // 0.00003° of longitude at 52°N is 2.06 m; 0.0001° is 6.9 m.
        let a = square(0.0, 0.0);
        let close = rect(S + 0.00003, LAT, 2.0 * S, LAT + S);
        let adj = adjacency(&[a.clone(), close], DEFAULT_TOLERANCE_M);
        let nb = find(&adj, 0, 1).unwrap_or_else(|| panic!("2 m gap should touch at 5 m"));
        assert_eq!(nb.relation, Relation::Touches);
        assert!((nb.shared_km - ns_km()).abs() < 1e-6, "{}", nb.shared_km);

        let apart = rect(S + 0.0001, LAT, 2.0 * S, LAT + S);
        let adj = adjacency(&[a.clone(), apart.clone()], DEFAULT_TOLERANCE_M);
        assert!(adj[0].is_empty() && adj[1].is_empty());
        // ... unless the tolerance is raised above 6.9 m.
        let adj = adjacency(&[a, apart], 10.0);
        assert!(find(&adj, 0, 1).is_some());
    }

    #[test]
    fn sliver_thinner_than_tolerance_touches() {
        // b reaches 0.00003° (2 m) into a: a touch at 5 m. At 1 m the scan sees it, but the
        // overlap (2 m x the square's side) is under MIN_OVERLAP_M2, so it is still a touch.
        let a = square(0.0, 0.0);
        let b = rect(S - 0.00003, LAT, 2.0 * S, LAT + S);
        let adj = adjacency(&[a.clone(), b.clone()], DEFAULT_TOLERANCE_M);
        assert_eq!(
            find(&adj, 0, 1).map(|n| n.relation),
            Some(Relation::Touches)
        );
        let adj = adjacency(&[a, b], 1.0);
        assert_eq!(
            find(&adj, 0, 1).map(|n| n.relation),
            Some(Relation::Touches)
        );
    }

    #[test]
    fn a_deep_but_small_sliver_is_a_touch_and_a_large_overlap_is_not() {
        // b reaches 0.0005° (34 m) into a along the whole side: about 34 m x 1.1 km = 3.8 ha,
        // deeper than the tolerance but under 10 ha. c reaches half-way in: an overlap.
        let a = square(0.0, 0.0);
        let b = rect(S - 0.0005, LAT, 2.0 * S, LAT + S);
        let c = rect(S / 2.0, LAT, 2.0 * S, LAT + S);
        let adj = adjacency(&[a.clone(), b], DEFAULT_TOLERANCE_M);
        assert_eq!(
            find(&adj, 0, 1).map(|n| n.relation),
            Some(Relation::Touches)
        );
        let adj = adjacency(&[a, c], DEFAULT_TOLERANCE_M);
        assert_eq!(
            find(&adj, 0, 1).map(|n| n.relation),
            Some(Relation::Overlaps)
        );
        assert_eq!(
            find(&adj, 1, 0).map(|n| n.relation),
            Some(Relation::Overlaps)
        );
    }

    #[test]
    fn second_part_of_multipolygon_touches() {
        // Area 0: a square far away plus a second square at (0,0); area 1 touches that second part.
        let mut a = square(10.0, 10.0);
        a.0.extend(square(0.0, 0.0).0);
        let b = square(1.0, 0.0);
        let c = square(5.0, 5.0);
        let adj = adjacency(&[a, b, c], DEFAULT_TOLERANCE_M);
        assert_symmetric(&adj);
        let nb = find(&adj, 0, 1).unwrap_or_else(|| panic!("second part touches"));
        assert_eq!(nb.relation, Relation::Touches);
        assert!((nb.shared_km - ns_km()).abs() < 1e-9);
        assert!(adj[2].is_empty());
    }

    #[test]
    fn island_in_hole_touches_along_the_hole() {
        let outer = LineString::from(vec![
            (0.0, LAT),
            (3.0 * S, LAT),
            (3.0 * S, LAT + 3.0 * S),
            (0.0, LAT + 3.0 * S),
        ]);
        let hole = square(1.0, 1.0).0[0].exterior().clone();
        let donut = MultiPolygon(vec![Polygon::new(outer, vec![hole.clone()])]);
        let island = square(1.0, 1.0);
        let adj = adjacency(&[donut, island], DEFAULT_TOLERANCE_M);
        assert_symmetric(&adj);
        let nb = find(&adj, 0, 1).unwrap_or_else(|| panic!("island touches"));
        assert_eq!(nb.relation, Relation::Touches);
        let perimeter = Ring::new(1, &hole.0)
            .map(|r| r.len_m() / 1000.0)
            .unwrap_or_default();
        assert!(
            (nb.shared_km - perimeter).abs() < 1e-9,
            "{} vs {perimeter}",
            nb.shared_km
        );
        // Two sides of 1.11195 km and two of about 0.6844 km (at 52.01°N and 52.02°N).
        assert!((perimeter - 3.5926).abs() < 0.0005, "{perimeter}");
    }

    #[test]
    fn t_junction_counts_the_shared_part() {
        // A 2x1 bar on top of two unit squares: the bar's bottom edge has no vertex at x = S.
        let bar = rect(0.0, LAT + S, 2.0 * S, LAT + 2.0 * S);
        let left = square(0.0, 0.0);
        let right = square(1.0, 0.0);
        let adj = adjacency(&[bar, left, right], DEFAULT_TOLERANCE_M);
        assert_symmetric(&adj);
        let west = Haversine.distance(Point::new(0.0, LAT + S), Point::new(S, LAT + S)) / 1000.0;
        let got = find(&adj, 0, 1).map(|n| n.shared_km).unwrap_or_default();
        assert!((got - west).abs() < 1e-6, "{got} vs {west}");
    }

    #[test]
    fn point_contact_on_an_edge_shares_nothing() {
        // A diamond whose lowest vertex sits on the middle of the square's top edge.
        let sq = square(0.0, 0.0);
        let m = S / 2.0;
        let diamond = MultiPolygon(vec![polygon![
            (x: m, y: LAT + S), (x: m + S / 4.0, y: LAT + 1.25 * S),
            (x: m, y: LAT + 1.5 * S), (x: m - S / 4.0, y: LAT + 1.25 * S)
        ]]);
        let adj = adjacency(&[sq, diamond], DEFAULT_TOLERANCE_M);
        let nb = find(&adj, 0, 1).unwrap_or_else(|| panic!("point contact is queen contiguity"));
        assert_eq!(nb.relation, Relation::Touches);
        assert_eq!(nb.shared_km, 0.0);
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let empty = MultiPolygon::<f64>(vec![]);
        let nan = rect(f64::NAN, LAT, S, LAT + S);
        let sq = square(0.0, 0.0);
        for tol in [0.0, -1.0, f64::NAN, f64::INFINITY, 5.0] {
            let adj = adjacency(&[empty.clone(), nan.clone(), sq.clone()], tol);
            assert_eq!(adj.len(), 3);
            assert!(adj[0].is_empty());
        }
        assert!(adjacency(&[], 5.0).is_empty());
    }

    #[test]
    fn exact_contact_found_with_zero_tolerance() {
        let areas = [square(0.0, 0.0), square(1.0, 0.0), square(1.0, 1.0)];
        let adj = adjacency(&areas, 0.0);
        assert_eq!(
            adj[0].iter().map(|n| n.index).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(find(&adj, 0, 2).map(|n| n.shared_km), Some(0.0));
    }

    #[test]
    fn near_interval_hand_checked() {
        // Segment along x from 0 to 10; obstacle segment from (4, 1) to (6, 1), r = 2:
        // points (x, 0) within 2 of it: x in [4 - √3, 6 + √3].
        let got = near_interval([0.0, 0.0], [10.0, 0.0], [4.0, 1.0], [6.0, 1.0], 2.0);
        let s3 = 3f64.sqrt();
        let (lo, hi) = got.unwrap_or((f64::NAN, f64::NAN));
        assert!((lo - (4.0 - s3) / 10.0).abs() < 1e-12);
        assert!((hi - (6.0 + s3) / 10.0).abs() < 1e-12);
        // Too far away.
        assert_eq!(
            near_interval([0.0, 0.0], [10.0, 0.0], [4.0, 3.0], [6.0, 3.0], 2.0),
            None
        );
        // Crossing: a single short interval around the crossing point x = 5 (perpendicular).
        let (lo, hi) = near_interval([0.0, 0.0], [10.0, 0.0], [5.0, -5.0], [5.0, 5.0], 1.0)
            .unwrap_or((f64::NAN, f64::NAN));
        assert!((lo - 0.4).abs() < 1e-12 && (hi - 0.6).abs() < 1e-12);
    }
}
