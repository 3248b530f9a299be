//! One band: simplify every arc once, round, rebuild every polygon, refine arcs until all are valid.

use super::arcs::{ArcRef, Topology};
use super::valid::{check_polygon, RingCoords, Verdict};
use super::{Band, BandSpec};
use geo::{Coord, LineString, MultiPolygon, Polygon, SimplifyIdx};
use std::collections::HashSet;

/// The refinement levels of an arc: its tolerance is the band's times this factor, at the band's
/// precision; the level after the last is the source coordinates.
const TOLERANCE_FACTORS: [f64; 4] = [1.0, 0.5, 0.25, 0.0];
const SOURCE_LEVEL: u8 = TOLERANCE_FACTORS.len() as u8;

/// What generalising a layer into one band did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BandStats {
    /// Coordinates in the band's geometries (closing coordinates included).
    pub vertices: usize,
    /// Polygons (parts) kept.
    pub parts: usize,
    /// Parts dropped as smaller than a pixel (never an area's last or largest part).
    pub dropped_parts: usize,
    /// Polygons found invalid or degenerate at least once, whose arcs were refined.
    pub refined_polygons: usize,
    /// Arcs finer than the band's tolerance in the end.
    pub refined_arcs: usize,
    /// Of those, arcs back at their source coordinates.
    pub source_arcs: usize,
}

impl Topology {
    /// Generalises the layer into one band; see the module documentation.
    pub fn generalise(&self, spec: &BandSpec) -> Band {
        let arc_count = self.arcs().len();
        let mut state = State {
            topology: self,
            spec: *spec,
            level: vec![0; arc_count],
            exact: HashSet::new(),
            cache: vec![None; arc_count],
        };

        // The parts kept: a part under a pixel goes when it is not its area's largest and none
        // of its arcs belongs to another area (dropping it leaves no gap in a neighbour).
        let min_area = spec.min_part_area_deg2();
        let mut polygons: Vec<(usize, usize)> = Vec::new();
        let mut dropped_parts = 0;
        for area in 0..self.area_count() {
            let parts = self.area_parts(area);
            let largest = (0..parts.len())
                .max_by(|&a, &b| self.part_area(area, a).total_cmp(&self.part_area(area, b)));
            for (part, rings) in parts.iter().enumerate() {
                let own = rings
                    .iter()
                    .flatten()
                    .all(|r| self.arc_areas(r.arc) == [area as u32]);
                if Some(part) != largest && own && self.part_area(area, part) < min_area {
                    dropped_parts += 1;
                } else {
                    polygons.push((area, part));
                }
            }
        }
        let mut users: Vec<Vec<usize>> = vec![Vec::new(); arc_count];
        for (p, &(area, part)) in polygons.iter().enumerate() {
            for r in self.rings_of(area, part).iter().flatten() {
                if let Some(u) = users.get_mut(r.arc) {
                    if u.last() != Some(&p) {
                        u.push(p);
                    }
                }
            }
        }

        // Rebuild every kept polygon; an invalid one refines arcs and requeues their users.
        let mut rebuilt: Vec<Vec<Vec<Coord<f64>>>> = vec![Vec::new(); polygons.len()];
        let mut queued = vec![true; polygons.len()];
        let mut flagged = vec![false; polygons.len()];
        let mut queue: Vec<usize> = (0..polygons.len()).rev().collect();
        while let Some(p) = queue.pop() {
            queued[p] = false;
            let (area, part) = polygons[p];
            let rings = self.rings_of(area, part);
            let coords: Vec<RingCoords> = rings.iter().map(|refs| state.ring(refs)).collect();
            let at_source = rings
                .iter()
                .flatten()
                .all(|r| state.level[r.arc] == SOURCE_LEVEL);
            // At the source level the polygon is the source's, which is valid.
            let verdict = if at_source {
                Verdict::Valid
            } else {
                check_polygon(&coords, self.ring_ccw(area, part))
            };
            match verdict {
                Verdict::Valid => {
                    rebuilt[p] = coords.into_iter().map(|r| r.coords).collect();
                }
                Verdict::Refine(arcs) => {
                    flagged[p] = true;
                    let mut arcs: Vec<usize> = arcs
                        .into_iter()
                        .filter(|&a| state.level[a] < SOURCE_LEVEL)
                        .collect();
                    if arcs.is_empty() {
                        arcs = rings
                            .iter()
                            .flatten()
                            .map(|r| r.arc)
                            .filter(|&a| state.level[a] < SOURCE_LEVEL)
                            .collect();
                    }
                    arcs.sort_unstable();
                    arcs.dedup();
                    for arc in arcs {
                        for changed in state.refine(arc) {
                            for &u in &users[changed] {
                                if !queued[u] {
                                    queued[u] = true;
                                    queue.push(u);
                                }
                            }
                        }
                    }
                }
            }
        }

        let mut geometries: Vec<MultiPolygon<f64>> = (0..self.area_count())
            .map(|_| MultiPolygon(Vec::new()))
            .collect();
        let mut vertices = 0;
        for (&(area, _), rings) in polygons.iter().zip(rebuilt) {
            vertices += rings.iter().map(Vec::len).sum::<usize>();
            let mut rings = rings.into_iter().map(LineString);
            let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
            if let Some(g) = geometries.get_mut(area) {
                g.0.push(Polygon::new(exterior, rings.collect()));
            }
        }
        let arcs: Vec<LineString<f64>> = (0..arc_count).map(|a| state.arc(a).clone()).collect();
        let stats = BandStats {
            vertices,
            parts: polygons.len(),
            dropped_parts,
            refined_polygons: flagged.iter().filter(|&&f| f).count(),
            refined_arcs: state.level.iter().filter(|&&l| l > 0).count(),
            source_arcs: state.level.iter().filter(|&&l| l == SOURCE_LEVEL).count(),
        };
        Band {
            spec: *spec,
            geometries,
            arcs,
            stats,
        }
    }

    fn rings_of(&self, area: usize, part: usize) -> &[Vec<ArcRef>] {
        self.area_parts(area)
            .get(part)
            .map_or(&[], |rings| rings.as_slice())
    }
}

/// The band's arcs as refined so far.
struct State<'a> {
    topology: &'a Topology,
    spec: BandSpec,
    level: Vec<u8>,
    /// Junctions kept at source coordinates, because an arc meeting there is at source level.
    exact: HashSet<u32>,
    cache: Vec<Option<LineString<f64>>>,
}

impl State<'_> {
    /// One level finer for `arc`; returns every arc whose coordinates changed.
    fn refine(&mut self, arc: usize) -> Vec<usize> {
        let mut changed = vec![arc];
        let Some(level) = self.level.get_mut(arc) else {
            return Vec::new();
        };
        *level += 1;
        let at_source = *level == SOURCE_LEVEL;
        if at_source {
            if let Some((a, b)) = self.topology.arc_ends(arc) {
                for junction in [a, b] {
                    if self.exact.insert(junction) {
                        changed.extend_from_slice(self.topology.junction_arcs(junction));
                    }
                }
            }
        }
        for &c in &changed {
            if let Some(slot) = self.cache.get_mut(c) {
                *slot = None;
            }
        }
        changed.sort_unstable();
        changed.dedup();
        changed
    }

    fn arc(&mut self, arc: usize) -> &LineString<f64> {
        if self.cache[arc].is_none() {
            self.cache[arc] = Some(self.compute(arc));
        }
        self.cache[arc].get_or_insert_with(|| LineString(Vec::new()))
    }

    /// The arc at its level: simplified, rounded, junctions at the finest precision meeting there.
    fn compute(&self, arc: usize) -> LineString<f64> {
        let Some(source) = self.topology.arcs().get(arc) else {
            return LineString(Vec::new());
        };
        let level = self.level[arc];
        let interior = match TOLERANCE_FACTORS.get(level as usize) {
            Some(&f) => Some((f * self.spec.tolerance_deg, self.spec.decimals)),
            None => None,
        };
        let kept: Vec<usize> = match interior {
            Some((tolerance, _)) => simplify_indices(source, tolerance),
            None => (0..source.0.len()).collect(),
        };
        let interior_decimals = interior.map(|(_, d)| d);
        let (first_decimals, last_decimals) = match self.topology.arc_ends(arc) {
            Some((a, b)) => (self.junction_decimals(a), self.junction_decimals(b)),
            None => (interior_decimals, interior_decimals),
        };
        let last = source.0.len().saturating_sub(1);
        let mut out: Vec<Coord<f64>> = Vec::with_capacity(kept.len());
        for i in kept {
            let decimals = if i == 0 {
                first_decimals
            } else if i == last {
                last_decimals
            } else {
                interior_decimals
            };
            let c = round(source.0[i], decimals);
            if out.last() != Some(&c) {
                out.push(c);
            }
        }
        LineString(out)
    }

    fn junction_decimals(&self, junction: u32) -> Option<u8> {
        if self.exact.contains(&junction) {
            None
        } else {
            Some(self.spec.decimals)
        }
    }

    /// A ring rebuilt from its arcs at their current levels, with the arc of every segment.
    fn ring(&mut self, refs: &[ArcRef]) -> RingCoords {
        let mut coords: Vec<Coord<f64>> = Vec::new();
        let mut seg_arcs: Vec<usize> = Vec::new();
        for r in refs {
            let line = self.arc(r.arc);
            let mut push = |c: Coord<f64>| {
                if coords.last() != Some(&c) {
                    if !coords.is_empty() {
                        seg_arcs.push(r.arc);
                    }
                    coords.push(c);
                }
            };
            if r.reversed {
                line.0.iter().rev().for_each(|&c| push(c));
            } else {
                line.0.iter().for_each(|&c| push(c));
            }
        }
        if let (Some(&first), Some(&last)) = (coords.first(), coords.last()) {
            if first != last {
                coords.push(first);
                seg_arcs.push(refs.first().map_or(0, |r| r.arc));
            }
        }
        RingCoords { coords, seg_arcs }
    }
}

/// Douglas–Peucker indices of `line` (endpoints kept). A closed line is split at the vertex
/// farthest from its start first, so that it keeps at least a triangle.
fn simplify_indices(line: &LineString<f64>, tolerance: f64) -> Vec<usize> {
    let points = &line.0;
    let n = points.len();
    if tolerance <= 0.0 || n < 3 {
        return (0..n).collect();
    }
    if n >= 4 && points.first() == points.last() {
        let start = points[0];
        let far = (1..n - 1)
            .max_by(|&a, &b| dist2(points[a], start).total_cmp(&dist2(points[b], start)))
            .unwrap_or(1);
        let mut head = LineString(points[..=far].to_vec()).simplify_idx(tolerance);
        let tail = LineString(points[far..].to_vec()).simplify_idx(tolerance);
        head.extend(tail.into_iter().skip(1).map(|i| i + far));
        return head;
    }
    line.simplify_idx(tolerance)
}

fn dist2(a: Coord<f64>, b: Coord<f64>) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// Rounds both coordinates to `decimals` places (`None`: unchanged). Deterministic, so a shared
/// coordinate rounds the same everywhere.
fn round(c: Coord<f64>, decimals: Option<u8>) -> Coord<f64> {
    match decimals {
        None => c,
        Some(d) => {
            let scale = 10f64.powi(i32::from(d));
            Coord {
                x: (c.x * scale).round() / scale,
                y: (c.y * scale).round() / scale,
            }
        }
    }
}
