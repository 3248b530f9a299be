//! Cutting a layer's rings into shared arcs at junctions, as TopoJSON's join and cut do.

use super::overlaps::{union_of, Overlap, SourceCover};
use super::COS_REFERENCE_LATITUDE;
use geo::{Coord, LineString, MultiPolygon};
use std::collections::HashMap;

/// One use of an arc by a ring: the arc's index, and whether the ring runs it backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArcRef {
    pub arc: usize,
    pub reversed: bool,
}

/// One polygon as arcs: its rings (exterior first, then holes), each a cycle of arc uses.
pub type PolygonArcs = Vec<Vec<ArcRef>>;

/// A layer's rings cut into shared arcs.
///
/// A vertex is a *junction* when more than two distinct segments meet there (the point where a
/// shared border ends, or a corner contact), so an *arc* is a maximal chain of segments whose set
/// of owning rings is constant, from junction to junction. It works for any number of rings per
/// segment (overlapping LEPs share a district's border three or four ways). A ring without any
/// junction is one closed arc, stored in a canonical rotation and direction, so that an island
/// and the hole it fills are the same arc. Every ring is the concatenation of its arcs.
#[derive(Debug, Clone)]
pub struct Topology {
    /// The source coordinates of every arc, in its canonical direction; closed arcs end where
    /// they start.
    arcs: Vec<LineString<f64>>,
    /// The junction (vertex id) at each end of an arc; `None` for a closed arc without junctions.
    arc_ends: Vec<Option<(u32, u32)>>,
    /// The areas (input indices) using each arc, sorted, unique.
    arc_areas: Vec<Vec<u32>>,
    /// Each area's polygons as arcs.
    areas: Vec<Vec<PolygonArcs>>,
    /// Each polygon's source area (holes subtracted), per area and part, in square degrees of
    /// latitude: longitudes scaled by cos 52.5°, as the tolerance is (so a pixel is square).
    part_areas: Vec<Vec<f64>>,
    /// Whether each ring (per area, part, ring) runs counter-clockwise in the source.
    ring_ccw: Vec<Vec<Vec<bool>>>,
    /// Each ring's source area (unsigned, scaled as `part_areas`), per area, part and ring.
    ring_areas: Vec<Vec<Vec<f64>>>,
    /// How many rings of the layer use each arc (an arc used twice by one ring counts twice).
    arc_uses: Vec<u32>,
    /// The arcs meeting at each junction (vertex id).
    junction_arcs: HashMap<u32, Vec<usize>>,
    vertex_count: usize,
    /// The pairs of areas that overlap in the source.
    overlaps: Vec<Overlap>,
    /// Per area, part and ring: whether another area's border comes within [`NEAR_DEG`] of the
    /// ring without sharing its vertices (so the ring holds a border that no arc shows).
    ring_near_other: Vec<Vec<Vec<bool>>>,
    /// The land the layer's sources cover.
    cover: SourceCover,
}

/// How close (degrees) another area's border must come to a ring for the ring to count as
/// bordering it: about 5 m, the snap the adjacency uses.
pub(super) const NEAR_DEG: f64 = 5e-5;

const NONE: u32 = u32::MAX;

type Key = (u64, u64);

fn key(c: Coord<f64>) -> Key {
    // +0.0 and -0.0 are the same point.
    ((c.x + 0.0).to_bits(), (c.y + 0.0).to_bits())
}

/// Twice the signed area of a closed ring (positive counter-clockwise).
pub(super) fn signed_area2(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

impl Topology {
    /// Builds the arcs of `geometries` (one entry per area). Linear in the number of vertices.
    pub fn build(geometries: &[&MultiPolygon<f64>]) -> Topology {
        // 1. Vertex ids, and every ring as an open cycle of ids without repeated neighbours.
        let mut ids: HashMap<Key, u32> = HashMap::new();
        let mut coords: Vec<Coord<f64>> = Vec::new();
        let mut rings: Vec<Vec<Vec<Vec<u32>>>> = Vec::with_capacity(geometries.len());
        let mut ring_ccw = Vec::with_capacity(geometries.len());
        let mut ring_areas = Vec::with_capacity(geometries.len());
        let mut part_areas = Vec::with_capacity(geometries.len());
        for geometry in geometries {
            let mut area_rings = Vec::with_capacity(geometry.0.len());
            let mut area_ccw = Vec::with_capacity(geometry.0.len());
            let mut area_ring_areas = Vec::with_capacity(geometry.0.len());
            let mut area_parts = Vec::with_capacity(geometry.0.len());
            for polygon in &geometry.0 {
                let mut poly_rings = Vec::new();
                let mut poly_ccw = Vec::new();
                let mut poly_areas = Vec::new();
                let mut area2 = 0.0;
                for (i, ring) in std::iter::once(polygon.exterior())
                    .chain(polygon.interiors())
                    .enumerate()
                {
                    let mut cycle: Vec<u32> = Vec::with_capacity(ring.0.len());
                    for &c in &ring.0 {
                        let next = coords.len() as u32;
                        let id = *ids.entry(key(c)).or_insert(next);
                        if id == next {
                            coords.push(c);
                        }
                        if cycle.last() != Some(&id) {
                            cycle.push(id);
                        }
                    }
                    while cycle.len() > 1 && cycle.first() == cycle.last() {
                        cycle.pop();
                    }
                    let a2 = signed_area2(&ring.0);
                    area2 += if i == 0 { a2.abs() } else { -a2.abs() };
                    poly_ccw.push(a2 > 0.0);
                    poly_areas.push(a2.abs() / 2.0 * COS_REFERENCE_LATITUDE);
                    poly_rings.push(cycle);
                }
                area_parts.push((area2 / 2.0 * COS_REFERENCE_LATITUDE).max(0.0));
                area_rings.push(poly_rings);
                area_ccw.push(poly_ccw);
                area_ring_areas.push(poly_areas);
            }
            rings.push(area_rings);
            ring_ccw.push(area_ccw);
            ring_areas.push(area_ring_areas);
            part_areas.push(area_parts);
        }

        // 1b. Borders that run along one line with their vertices interleaved share that stretch.
        node_on_segments(&coords, &mut rings);

        // 2. Junctions: vertices where more than two distinct segments meet.
        let mut neighbours = vec![[NONE; 2]; coords.len()];
        let mut junction = vec![false; coords.len()];
        let mut add = |v: u32, w: u32| {
            let v = v as usize;
            if junction[v] {
                return;
            }
            let slot = &mut neighbours[v];
            if slot[0] == w || slot[1] == w {
                return;
            }
            if slot[0] == NONE {
                slot[0] = w;
            } else if slot[1] == NONE {
                slot[1] = w;
            } else {
                junction[v] = true;
            }
        };
        for cycle in rings.iter().flatten().flatten() {
            let n = cycle.len();
            for i in 0..n {
                let (v, w) = (cycle[i], cycle[(i + 1) % n]);
                if v != w {
                    add(v, w);
                    add(w, v);
                }
            }
        }

        // 3. Cut every ring at its junctions; the same chain found again is the same arc.
        let mut builder = ArcBuilder {
            junction: &junction,
            by_key: HashMap::new(),
            arcs: Vec::new(),
            arc_ends: Vec::new(),
            arc_areas: Vec::new(),
        };
        let areas: Vec<Vec<PolygonArcs>> = rings
            .iter()
            .enumerate()
            .map(|(area, parts)| {
                parts
                    .iter()
                    .map(|poly| {
                        poly.iter()
                            .map(|cycle| builder.cut(cycle, area as u32))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let ArcBuilder {
            arcs,
            arc_ends,
            mut arc_areas,
            ..
        } = builder;
        let mut arc_uses = vec![0u32; arcs.len()];
        for r in areas.iter().flatten().flatten().flatten() {
            if let Some(n) = arc_uses.get_mut(r.arc) {
                *n += 1;
            }
        }
        for owners in &mut arc_areas {
            owners.sort_unstable();
            owners.dedup();
        }
        let mut junction_arcs: HashMap<u32, Vec<usize>> = HashMap::new();
        for (arc, ends) in arc_ends.iter().enumerate() {
            if let Some((a, b)) = *ends {
                junction_arcs.entry(a).or_default().push(arc);
                if b != a {
                    junction_arcs.entry(b).or_default().push(arc);
                }
            }
        }
        let mut topology = Topology {
            arcs: arcs
                .into_iter()
                .map(|ids| LineString(ids.iter().map(|&v| coords[v as usize]).collect()))
                .collect(),
            arc_ends,
            arc_areas,
            areas,
            part_areas,
            ring_ccw,
            ring_areas,
            arc_uses,
            junction_arcs,
            vertex_count: coords.len(),
            overlaps: Vec::new(),
            ring_near_other: Vec::new(),
            cover: SourceCover::new(union_of(geometries.iter().flat_map(|g| &g.0))),
        };
        topology.overlaps = topology.find_overlaps(geometries);
        topology.ring_near_other = near_other(geometries, &topology.ring_areas);
        topology
    }

    /// The land the layer covers at full resolution.
    pub(super) fn cover(&self) -> &SourceCover {
        &self.cover
    }

    /// Whether another area's border comes within [`NEAR_DEG`] of ring `ring` of a polygon.
    pub(super) fn ring_near_other(&self, area: usize, part: usize, ring: usize) -> bool {
        self.ring_near_other
            .get(area)
            .and_then(|parts| parts.get(part))
            .and_then(|rings| rings.get(ring))
            .copied()
            .unwrap_or(true)
    }

    /// The pairs of areas that overlap in the source.
    pub(super) fn overlaps(&self) -> &[Overlap] {
        &self.overlaps
    }

    /// Every arc's source coordinates, in canonical direction.
    pub fn arcs(&self) -> &[LineString<f64>] {
        &self.arcs
    }

    /// The areas (input indices, sorted) whose rings use `arc`.
    pub fn arc_areas(&self, arc: usize) -> &[u32] {
        self.arc_areas.get(arc).map_or(&[], Vec::as_slice)
    }

    /// The polygons of area `area` as arcs (empty for an unknown index).
    pub fn area_parts(&self, area: usize) -> &[PolygonArcs] {
        self.areas.get(area).map_or(&[], Vec::as_slice)
    }

    /// The number of areas.
    pub fn area_count(&self) -> usize {
        self.areas.len()
    }

    /// The number of distinct vertices in the layer.
    pub fn vertex_count(&self) -> usize {
        self.vertex_count
    }

    /// The number of junctions (vertices where arcs meet).
    pub fn junction_count(&self) -> usize {
        self.junction_arcs.len()
    }

    pub(super) fn arc_ends(&self, arc: usize) -> Option<(u32, u32)> {
        self.arc_ends.get(arc).copied().flatten()
    }

    pub(super) fn junction_arcs(&self, junction: u32) -> &[usize] {
        self.junction_arcs.get(&junction).map_or(&[], Vec::as_slice)
    }

    pub(super) fn part_area(&self, area: usize, part: usize) -> f64 {
        self.part_areas
            .get(area)
            .and_then(|parts| parts.get(part))
            .copied()
            .unwrap_or(0.0)
    }

    /// The source area (scaled degrees², see `part_areas`) of ring `ring` of a polygon (0 is the exterior).
    pub(super) fn ring_area(&self, area: usize, part: usize, ring: usize) -> f64 {
        self.ring_areas
            .get(area)
            .and_then(|parts| parts.get(part))
            .and_then(|rings| rings.get(ring))
            .copied()
            .unwrap_or(0.0)
    }

    /// How many rings of the layer use `arc`.
    pub(super) fn arc_uses(&self, arc: usize) -> u32 {
        self.arc_uses.get(arc).copied().unwrap_or(0)
    }

    pub(super) fn ring_ccw(&self, area: usize, part: usize) -> &[bool] {
        self.ring_ccw
            .get(area)
            .and_then(|parts| parts.get(part))
            .map_or(&[], Vec::as_slice)
    }
}

/// How far (degrees, about 0.1 mm) a vertex may lie from a segment and count as on it.
const ON_SEGMENT_DEG: f64 = 1e-9;

/// Inserts into every ring segment the layer's vertices that lie on its interior, in order along
/// it: where two borders run along one line but only one has a vertex at some point, both then
/// have it, so the stretch they share becomes one shared arc (and is simplified once) instead of
/// two arcs that simplify apart and open a gap. Coordinates and shapes are unchanged.
fn node_on_segments(coords: &[Coord<f64>], rings: &mut [Vec<Vec<Vec<u32>>>]) {
    use rstar::primitives::GeomWithData;
    use rstar::{RTree, AABB};
    let tree: RTree<GeomWithData<[f64; 2], u32>> = RTree::bulk_load(
        coords
            .iter()
            .enumerate()
            .map(|(i, c)| GeomWithData::new([c.x, c.y], i as u32))
            .collect(),
    );
    let mut on: Vec<(f64, u32)> = Vec::new();
    for cycle in rings.iter_mut().flatten().flatten() {
        let n = cycle.len();
        if n < 2 {
            continue;
        }
        let mut noded = Vec::with_capacity(n);
        for i in 0..n {
            let (v, w) = (cycle[i], cycle[(i + 1) % n]);
            noded.push(v);
            let (a, b) = (coords[v as usize], coords[w as usize]);
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let len2 = dx * dx + dy * dy;
            if len2 == 0.0 {
                continue;
            }
            let envelope = AABB::from_corners(
                [a.x.min(b.x) - ON_SEGMENT_DEG, a.y.min(b.y) - ON_SEGMENT_DEG],
                [a.x.max(b.x) + ON_SEGMENT_DEG, a.y.max(b.y) + ON_SEGMENT_DEG],
            );
            on.clear();
            for point in tree.locate_in_envelope(&envelope) {
                let u = point.data;
                if u == v || u == w {
                    continue;
                }
                let [x, y] = *point.geom();
                let cross = dx * (y - a.y) - dy * (x - a.x);
                let t = (dx * (x - a.x) + dy * (y - a.y)) / len2;
                if cross * cross <= ON_SEGMENT_DEG * ON_SEGMENT_DEG * len2 && t > 0.0 && t < 1.0 {
                    on.push((t, u));
                }
            }
            on.sort_by(|p, q| p.0.total_cmp(&q.0));
            noded.extend(on.iter().map(|&(_, u)| u));
        }
        noded.dedup();
        while noded.len() > 1 && noded.first() == noded.last() {
            noded.pop();
        }
        *cycle = noded;
    }
}

struct ArcBuilder<'a> {
    junction: &'a [bool],
    /// (first vertex, second vertex) of an arc in canonical direction -> arc index.
    by_key: HashMap<(u32, u32), usize>,
    arcs: Vec<Vec<u32>>,
    arc_ends: Vec<Option<(u32, u32)>>,
    arc_areas: Vec<Vec<u32>>,
}

impl ArcBuilder<'_> {
    /// The arcs of one ring (an open cycle of vertex ids), in ring order.
    fn cut(&mut self, cycle: &[u32], area: u32) -> Vec<ArcRef> {
        let n = cycle.len();
        if n == 0 {
            return Vec::new();
        }
        let junction = self.junction;
        let is_junction = |v: u32| junction.get(v as usize).copied().unwrap_or(false);
        let Some(start) = cycle.iter().position(|&v| is_junction(v)) else {
            return vec![self.closed(cycle, area)];
        };
        let mut refs = Vec::new();
        let mut chain = vec![cycle[start]];
        for step in 1..=n {
            let v = cycle[(start + step) % n];
            chain.push(v);
            if is_junction(v) {
                refs.push(self.open(&chain, area));
                chain.clear();
                chain.push(v);
            }
        }
        refs
    }

    /// A junction-to-junction chain (at least two vertices).
    fn open(&mut self, chain: &[u32], area: u32) -> ArcRef {
        let k = chain.len() - 1;
        let forward = (chain[0], chain[1]);
        let backward = (chain[k], chain[k - 1]);
        let reversed = backward < forward;
        let key = if reversed { backward } else { forward };
        let ends = Some((chain[0], chain[k]));
        self.intern(key, reversed, area, || {
            let mut ids = chain.to_vec();
            if reversed {
                ids.reverse();
            }
            let ends = ends.map(|(a, b)| if reversed { (b, a) } else { (a, b) });
            (ids, ends)
        })
    }

    /// A ring without junctions: rotated to start at its smallest vertex id, running towards
    /// the smaller of that vertex's two neighbours.
    fn closed(&mut self, cycle: &[u32], area: u32) -> ArcRef {
        let n = cycle.len();
        let (m, _) = cycle
            .iter()
            .enumerate()
            .min_by_key(|&(_, v)| *v)
            .unwrap_or((0, &0));
        let next = cycle[(m + 1) % n];
        let prev = cycle[(m + n - 1) % n];
        let reversed = prev < next;
        let key = (cycle[m], next.min(prev));
        self.intern(key, reversed, area, || {
            let ids: Vec<u32> = (0..=n)
                .map(|i| {
                    if reversed {
                        cycle[(m + n - i % n) % n]
                    } else {
                        cycle[(m + i) % n]
                    }
                })
                .collect();
            (ids, None)
        })
    }

    fn intern(
        &mut self,
        key: (u32, u32),
        reversed: bool,
        area: u32,
        make: impl FnOnce() -> (Vec<u32>, Option<(u32, u32)>),
    ) -> ArcRef {
        let arc = match self.by_key.get(&key) {
            Some(&arc) => arc,
            None => {
                let (ids, ends) = make();
                let arc = self.arcs.len();
                self.arcs.push(ids);
                self.arc_ends.push(ends);
                self.arc_areas.push(Vec::new());
                self.by_key.insert(key, arc);
                arc
            }
        };
        self.arc_areas[arc].push(area);
        ArcRef { arc, reversed }
    }
}

/// For every ring small enough to be dropped at some band (under the coarsest band's pixel),
/// whether a segment of another area comes within [`NEAR_DEG`] of one of its vertices; larger
/// rings are never dropped and count as `false`.
fn near_other(
    geometries: &[&MultiPolygon<f64>],
    ring_areas: &[Vec<Vec<f64>>],
) -> Vec<Vec<Vec<bool>>> {
    use rstar::primitives::{GeomWithData, Line as RLine};
    use rstar::{RTree, AABB};
    let droppable = super::BANDS[0].min_part_area_deg2();
    let segments: Vec<GeomWithData<RLine<[f64; 2]>, u32>> = geometries
        .iter()
        .enumerate()
        .flat_map(|(area, g)| {
            g.0.iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .flat_map(|r| r.lines())
                .map(move |l| {
                    GeomWithData::new(
                        RLine::new([l.start.x, l.start.y], [l.end.x, l.end.y]),
                        area as u32,
                    )
                })
        })
        .collect();
    let tree = RTree::bulk_load(segments);
    geometries
        .iter()
        .enumerate()
        .map(|(area, g)| {
            g.0.iter()
                .enumerate()
                .map(|(part, p)| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .enumerate()
                        .map(|(r, ring)| {
                            let small = ring_areas
                                .get(area)
                                .and_then(|parts| parts.get(part))
                                .and_then(|rings| rings.get(r))
                                .is_some_and(|&a| a < droppable);
                            small
                                && ring.0.iter().any(|c| {
                                    let envelope = AABB::from_corners(
                                        [c.x - NEAR_DEG, c.y - NEAR_DEG],
                                        [c.x + NEAR_DEG, c.y + NEAR_DEG],
                                    );
                                    tree.locate_in_envelope_intersecting(&envelope).any(|s| {
                                        s.data != area as u32
                                            && rstar::PointDistance::distance_2(
                                                s.geom(),
                                                &[c.x, c.y],
                                            ) <= NEAR_DEG * NEAR_DEG
                                    })
                                })
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}
