//! One band: simplify every arc once, round, rebuild every polygon, refine arcs until all are valid.

use super::arcs::{ArcRef, Topology};
use super::coverage::{self, BandArc};
use super::overlaps::{excess_overlaps, new_gaps, overlap_area};
use super::valid::{check_polygon, RingCoords, SegSource, Verdict};
use super::{Band, BandSpec, COS_REFERENCE_LATITUDE};
use geo::{BoundingRect, Coord, Intersects, LineString, MultiPolygon, Polygon, Rect, SimplifyIdx};

/// The first refinement levels of an arc piece: the band's tolerance times this factor, at the
/// band's precision (pieces are short by the time they get far down this list). The levels after these keep every vertex with one more decimal each, up to
/// [`SOURCE_DECIMALS`]; the last level is the source coordinates.
const TOLERANCE_FACTORS: [f64; 7] = [1.0, 0.5, 0.25, 0.125, 0.0625, 0.031_25, 0.0];
/// The first level that keeps every vertex with more decimals than the band.
const FIRST_DECIMALS_LEVEL: u8 = TOLERANCE_FACTORS.len() as u8;
/// The precision of the source data (RFC 7946 files at 6 decimals, about 0.1 m).
const SOURCE_DECIMALS: u8 = 6;

/// What generalising a layer into one band did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct BandStats {
    /// Coordinates in the band's geometries (closing coordinates included).
    pub vertices: usize,
    /// Polygons (parts) kept.
    pub parts: usize,
    /// Parts dropped as smaller than a pixel (never an area's last or largest part).
    pub dropped_parts: usize,
    /// Holes dropped as smaller than a pixel and used by no other ring (no area fills them).
    pub dropped_holes: usize,
    /// Polygons found invalid or degenerate at least once, whose arcs were refined.
    pub refined_polygons: usize,
    /// Arcs finer than the band's tolerance in the end, in whole or in part.
    pub refined_arcs: usize,
    /// Of those, arcs with a stretch back at its source coordinates.
    pub source_arcs: usize,
    /// Segments refined because they crossed or touched another arc, folded onto their own
    /// arc, or jumped over another arc's vertex (see [`super::coverage`]), summed over rounds.
    pub crossings_refined: usize,
    /// Times the boundary of a source overlap was refined because the band's overlap was more
    /// than [`OVERLAP_SLACK`] off the source's.
    pub overlaps_refined: usize,
    /// Times the arcs around a gap of the band that the source lacks were refined.
    pub gaps_refined: usize,
}

/// How far (a fraction) a band's overlap of two areas may be from the source's.
pub const OVERLAP_SLACK: f64 = 0.01;

/// Area `area` as rebuilt so far: its kept polygons.
fn band_geometry(
    polygons: &[Kept],
    rebuilt: &[Vec<Vec<Coord<f64>>>],
    area: usize,
) -> MultiPolygon<f64> {
    MultiPolygon(
        polygons
            .iter()
            .zip(rebuilt)
            .filter(|(kept, _)| kept.area == area)
            .filter_map(|(_, rings)| {
                let mut rings = rings.iter().map(|r| LineString(r.clone()));
                let exterior = rings.next()?;
                Some(Polygon::new(exterior, rings.collect()))
            })
            .collect(),
    )
}

/// Puts the users of every changed arc back on the queue (once each).
fn requeue(
    mut changed: Vec<usize>,
    users: &[Vec<usize>],
    queued: &mut [bool],
    queue: &mut Vec<usize>,
    dirty: &mut [bool],
) {
    changed.sort_unstable();
    changed.dedup();
    for arc in changed {
        if let Some(d) = dirty.get_mut(arc) {
            *d = true;
        }
        for &u in users.get(arc).map_or(&[][..], Vec::as_slice) {
            if !queued[u] {
                queued[u] = true;
                queue.push(u);
            }
        }
    }
}

impl Topology {
    /// Generalises the layer into one band; see the module documentation.
    pub fn generalise(&self, spec: &BandSpec) -> Band {
        let arc_count = self.arcs().len();
        let mut state = State {
            topology: self,
            spec: *spec,
            source_level: FIRST_DECIMALS_LEVEL + SOURCE_DECIMALS.saturating_sub(spec.decimals + 1),
            pieces: self
                .arcs()
                .iter()
                .map(|a| vec![(0, 0); usize::from(!a.0.is_empty())])
                .collect(),
            cache: vec![None; arc_count],
            dirty: vec![true; arc_count],
        };

        // The parts kept: a part under a pixel goes when it is not its area's largest and none
        // of its arcs belongs to another area (dropping it leaves no gap in a neighbour).
        // The holes kept of those: a hole under a pixel goes when no other ring uses any of its
        // arcs (no area fills it or borders it), so dropping it makes no overlap and no gap.
        let min_area = spec.min_part_area_deg2();
        let mut polygons: Vec<Kept> = Vec::new();
        let mut dropped_parts = 0;
        let mut dropped_holes = 0;
        for area in 0..self.area_count() {
            let parts = self.area_parts(area);
            let largest = (0..parts.len())
                .max_by(|&a, &b| self.part_area(area, a).total_cmp(&self.part_area(area, b)));
            for (part, rings) in parts.iter().enumerate() {
                let own = rings
                    .iter()
                    .flatten()
                    .all(|r| self.arc_areas(r.arc) == [area as u32])
                    && !self.ring_near_other(area, part, 0);
                if Some(part) != largest && own && self.part_area(area, part) < min_area {
                    dropped_parts += 1;
                    continue;
                }
                let mut kept = Vec::with_capacity(rings.len());
                for (r, refs) in rings.iter().enumerate() {
                    let alone = refs.iter().all(|a| self.arc_uses(a.arc) == 1)
                        && !self.ring_near_other(area, part, r);
                    if r > 0 && alone && self.ring_area(area, part, r) < min_area {
                        dropped_holes += 1;
                    } else {
                        kept.push(r);
                    }
                }
                polygons.push(Kept {
                    area,
                    part,
                    rings: kept,
                });
            }
        }
        let mut users: Vec<Vec<usize>> = vec![Vec::new(); arc_count];
        for (p, kept) in polygons.iter().enumerate() {
            for r in self.kept_rings(kept).flatten() {
                if let Some(u) = users.get_mut(r.arc) {
                    if u.last() != Some(&p) {
                        u.push(p);
                    }
                }
            }
        }

        // How far a simplified segment may stray from its source: the tolerance (longitudes
        // are simplified scaled, see `compute`) plus rounding.
        let reach = 2.0 * spec.tolerance_deg / COS_REFERENCE_LATITUDE
            + 10f64.powi(-i32::from(spec.decimals));
        // Rebuild every kept polygon; an invalid one refines arcs and requeues their users.
        let mut rebuilt: Vec<Vec<Vec<Coord<f64>>>> = vec![Vec::new(); polygons.len()];
        let mut queued = vec![true; polygons.len()];
        let mut flagged = vec![false; polygons.len()];
        let mut queue: Vec<usize> = (0..polygons.len()).rev().collect();
        let active: Vec<usize> = (0..arc_count).filter(|&a| !users[a].is_empty()).collect();
        let mut crossings_refined = 0;
        let mut overlaps_refined = 0;
        let mut gaps_refined = 0;
        loop {
            while let Some(p) = queue.pop() {
                queued[p] = false;
                let kept = &polygons[p];
                let rings: Vec<&[ArcRef]> = self.kept_rings(kept).collect();
                let ccw: Vec<bool> = {
                    let source = self.ring_ccw(kept.area, kept.part);
                    kept.rings
                        .iter()
                        .map(|&r| source.get(r).copied().unwrap_or(r == 0))
                        .collect()
                };
                let coords: Vec<RingCoords> = rings.iter().map(|refs| state.ring(refs)).collect();
                // At the source level the polygon is the source's, less some holes: valid.
                let at_source = rings
                    .iter()
                    .copied()
                    .flatten()
                    .all(|r| state.at_source(r.arc));
                let verdict = if at_source {
                    Verdict::Valid
                } else {
                    check_polygon(&coords, &ccw, reach)
                };
                let (segments, bad_rings) = match verdict {
                    Verdict::Valid => {
                        rebuilt[p] = coords.into_iter().map(|r| r.coords).collect();
                        continue;
                    }
                    Verdict::Refine { segments, rings } => (segments, rings),
                };
                flagged[p] = true;
                let mut whole: Vec<usize> = bad_rings
                    .iter()
                    .filter_map(|&r| rings.get(r))
                    .copied()
                    .flatten()
                    .map(|r| r.arc)
                    .collect();
                let mut stretches: Vec<SegSource> = Vec::new();
                for seg in segments {
                    if seg.lo == seg.hi {
                        whole.push(seg.arc);
                    } else {
                        stretches.push(seg);
                    }
                }
                whole.sort_unstable();
                whole.dedup();
                stretches.sort_unstable_by_key(|s| (s.arc, s.lo, s.hi));
                stretches.dedup();
                let mut changed: Vec<usize> = Vec::new();
                let mut progressed = false;
                for &arc in &whole {
                    progressed |= state.refine_whole(arc, &mut changed);
                }
                for seg in &stretches {
                    progressed |= state.refine_stretch(*seg, &mut changed);
                }
                if !progressed {
                    // Nothing named could get finer: refine every arc of the polygon.
                    for r in rings.iter().copied().flatten() {
                        state.refine_whole(r.arc, &mut changed);
                    }
                }
                requeue(changed, &users, &mut queued, &mut queue, &mut state.dirty);
            }
            // Every polygon is valid on its own; now the coverage across arcs, as served.
            let stretches = state.coverage_conflicts(&active);
            crossings_refined += stretches.len();
            let mut changed: Vec<usize> = Vec::new();
            for seg in &stretches {
                state.refine_stretch(*seg, &mut changed);
            }
            if changed.is_empty() {
                // A clean coverage: each source overlap as large as it is, or its boundary finer.
                for overlap in self.overlaps() {
                    let band = overlap_area(
                        &band_geometry(&polygons, &rebuilt, overlap.a),
                        &band_geometry(&polygons, &rebuilt, overlap.b),
                    );
                    // An overlap under one cell of the band's grid cannot be drawn: left be.
                    let cell = 10f64.powi(-2 * i32::from(spec.decimals)) * COS_REFERENCE_LATITUDE;
                    let off = (band - overlap.area).abs();
                    if overlap.area >= cell && off > OVERLAP_SLACK * overlap.area {
                        overlaps_refined += 1;
                        for &arc in &overlap.arcs {
                            state.refine_whole(arc, &mut changed);
                        }
                    }
                }
            }
            if changed.is_empty() {
                // No overlap that the source lacks, between parts or areas, whatever made it.
                let band: Vec<(usize, Polygon<f64>)> = polygons
                    .iter()
                    .zip(&rebuilt)
                    .filter_map(|(kept, rings)| {
                        let mut rings = rings.iter().map(|r| LineString(r.clone()));
                        let exterior = rings.next()?;
                        Some((kept.area, Polygon::new(exterior, rings.collect())))
                    })
                    .collect();
                let source = |a: usize, b: usize| {
                    self.overlaps()
                        .iter()
                        .find(|o| (o.a, o.b) == (a, b))
                        .map_or(0.0, |o| o.area)
                };
                let mut near: Vec<(Vec<usize>, Rect<f64>)> =
                    excess_overlaps(&band, source, OVERLAP_SLACK)
                        .into_iter()
                        .map(|(p, q, rect)| (vec![p, q], rect))
                        .collect();
                overlaps_refined += near.len();
                if near.is_empty() {
                    // No gap that the source lacks: the arcs around one get finer.
                    let gaps = new_gaps(
                        &band,
                        self.cover(),
                        0.75 * 10f64.powi(-i32::from(spec.decimals)),
                    );
                    gaps_refined += gaps.len();
                    for rect in gaps {
                        let around: Vec<usize> = band
                            .iter()
                            .enumerate()
                            .filter(|(_, (_, p))| {
                                p.bounding_rect().is_some_and(|b| b.intersects(&rect))
                            })
                            .map(|(i, _)| i)
                            .collect();
                        near.push((around, rect));
                    }
                }
                for (around, rect) in near {
                    for r in around
                        .iter()
                        .filter_map(|&i| polygons.get(i))
                        .flat_map(|kept| self.kept_rings(kept))
                        .flatten()
                    {
                        let close = state
                            .arc(r.arc)
                            .line
                            .bounding_rect()
                            .is_some_and(|b| b.intersects(&rect));
                        if close {
                            state.refine_whole(r.arc, &mut changed);
                        }
                    }
                }
            }
            if changed.is_empty() {
                break;
            }
            requeue(changed, &users, &mut queued, &mut queue, &mut state.dirty);
        }

        let mut geometries: Vec<MultiPolygon<f64>> = (0..self.area_count())
            .map(|_| MultiPolygon(Vec::new()))
            .collect();
        let mut vertices = 0;
        for (kept, rings) in polygons.iter().zip(rebuilt) {
            vertices += rings.iter().map(Vec::len).sum::<usize>();
            let mut rings = rings.into_iter().map(LineString);
            let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
            if let Some(g) = geometries.get_mut(kept.area) {
                g.0.push(Polygon::new(exterior, rings.collect()));
            }
        }
        let arcs: Vec<LineString<f64>> =
            (0..arc_count).map(|a| state.arc(a).line.clone()).collect();
        let stats = BandStats {
            vertices,
            parts: polygons.len(),
            dropped_parts,
            dropped_holes,
            refined_polygons: flagged.iter().filter(|&&f| f).count(),
            refined_arcs: state
                .pieces
                .iter()
                .filter(|p| p.iter().any(|&(_, l)| l > 0))
                .count(),
            crossings_refined,
            overlaps_refined,
            gaps_refined,
            source_arcs: state
                .pieces
                .iter()
                .filter(|p| p.iter().any(|&(_, l)| l == state.source_level))
                .count(),
        };
        Band {
            spec: *spec,
            geometries,
            arcs,
            stats,
        }
    }

    /// The rings of a kept polygon, as arcs.
    fn kept_rings<'a>(&'a self, kept: &'a Kept) -> impl Iterator<Item = &'a [ArcRef]> + 'a {
        let rings = self
            .area_parts(kept.area)
            .get(kept.part)
            .map_or(&[][..], |rings| rings.as_slice());
        kept.rings
            .iter()
            .filter_map(move |&r| rings.get(r))
            .map(Vec::as_slice)
    }
}

/// A polygon kept in a band: its area, its part, and the rings it keeps (the exterior first).
struct Kept {
    area: usize,
    part: usize,
    rings: Vec<usize>,
}

/// The band's arcs as refined so far.
struct State<'a> {
    topology: &'a Topology,
    spec: BandSpec,
    /// The level of the source coordinates.
    source_level: u8,
    /// Per arc, its stretches ("pieces") as (first source index, level), sorted; a piece runs
    /// to the next one's first index (or the arc's end). Piece ends are kept like junctions.
    pieces: Vec<Vec<(u32, u8)>>,
    cache: Vec<Option<Simplified>>,
    /// The arcs changed since the last coverage check.
    dirty: Vec<bool>,
}

/// An arc at its current levels: its coordinates, and for each the run of source indices it stands for.
#[derive(Clone)]
struct Simplified {
    line: LineString<f64>,
    runs: Vec<(u32, u32)>,
}

impl State<'_> {
    /// The coverage check over the `active` arcs (those some kept ring uses), at their
    /// current levels: the source stretches to refine.
    fn coverage_conflicts(&mut self, active: &[usize]) -> Vec<SegSource> {
        for &arc in active {
            self.arc(arc);
        }
        let arcs: Vec<BandArc<'_>> = active
            .iter()
            .filter_map(|&arc| {
                let simplified = self.cache.get(arc)?.as_ref()?;
                Some(BandArc {
                    arc,
                    coords: &simplified.line.0,
                    runs: &simplified.runs,
                    ends: self.topology.arc_ends(arc),
                    dirty: self.dirty.get(arc).copied().unwrap_or(true),
                })
            })
            .collect();
        let conflicts = coverage::conflicts(&arcs, self.topology.arcs());
        self.dirty.iter_mut().for_each(|d| *d = false);
        conflicts
    }

    fn at_source(&self, arc: usize) -> bool {
        self.pieces
            .get(arc)
            .is_some_and(|p| p.iter().all(|&(_, l)| l == self.source_level))
    }

    fn arc_len(&self, arc: usize) -> u32 {
        self.topology
            .arcs()
            .get(arc)
            .map_or(0, |a| a.0.len() as u32)
    }

    /// Every piece of `arc` one level finer. Returns whether anything changed.
    fn refine_whole(&mut self, arc: usize, changed: &mut Vec<usize>) -> bool {
        let before = self.end_decimals(arc);
        let Some(pieces) = self.pieces.get_mut(arc) else {
            return false;
        };
        let mut progressed = false;
        for piece in pieces.iter_mut() {
            if piece.1 < self.source_level {
                piece.1 += 1;
                progressed = true;
            }
        }
        if progressed {
            self.changed(arc, before, changed);
        }
        progressed
    }

    /// The stretch `lo..=hi` of an arc one level finer, as a piece of its own (a single source
    /// segment goes straight to more decimals: no tolerance adds a vertex to it).
    fn refine_stretch(&mut self, seg: SegSource, changed: &mut Vec<usize>) -> bool {
        let end = self.arc_len(seg.arc).saturating_sub(1);
        let before = self.end_decimals(seg.arc);
        let source_level = self.source_level;
        let Some(pieces) = self.pieces.get_mut(seg.arc) else {
            return false;
        };
        let (lo, hi) = (seg.lo.min(seg.hi), seg.lo.max(seg.hi).min(end));
        let k = pieces
            .partition_point(|&(start, _)| start <= lo)
            .saturating_sub(1);
        let Some(&(start, level)) = pieces.get(k) else {
            return false;
        };
        let piece_end = pieces.get(k + 1).map_or(end, |&(s, _)| s);
        if hi > piece_end {
            // Across pieces: make each of them finer.
            let mut progressed = false;
            for piece in pieces.iter_mut() {
                let piece_start = piece.0;
                if piece_start < hi && piece.1 < source_level && piece_start >= start {
                    piece.1 += 1;
                    progressed = true;
                }
            }
            if progressed {
                self.changed(seg.arc, before, changed);
            }
            return progressed;
        }
        if level >= source_level {
            return false;
        }
        let finer = if hi - lo == 1 {
            (level + 1).max(FIRST_DECIMALS_LEVEL).min(source_level)
        } else {
            level + 1
        };
        let mut replacement = Vec::with_capacity(3);
        if start < lo {
            replacement.push((start, level));
        }
        replacement.push((lo, finer));
        if hi < piece_end {
            replacement.push((hi, level));
        }
        pieces.splice(k..=k, replacement);
        self.changed(seg.arc, before, changed);
        true
    }

    /// The precision of a level: `None` for the source coordinates.
    fn level_decimals(&self, level: u8) -> Option<u8> {
        if level >= self.source_level {
            None
        } else if level < FIRST_DECIMALS_LEVEL {
            Some(self.spec.decimals)
        } else {
            Some(self.spec.decimals + (level - FIRST_DECIMALS_LEVEL) + 1)
        }
    }

    /// The precision of an arc's first and last pieces.
    fn end_decimals(&self, arc: usize) -> (Option<u8>, Option<u8>) {
        let pieces = self.pieces.get(arc).map_or(&[][..], Vec::as_slice);
        let at = |p: Option<&(u32, u8)>| {
            p.map_or(Some(self.spec.decimals), |&(_, l)| self.level_decimals(l))
        };
        (at(pieces.first()), at(pieces.last()))
    }

    /// A junction's precision: the finest of the arc ends meeting there, so that every arc
    /// carries the same coordinate for it.
    fn junction_decimals(&self, junction: u32) -> Option<u8> {
        let mut decimals = Some(self.spec.decimals);
        for &arc in self.topology.junction_arcs(junction) {
            let Some((a, b)) = self.topology.arc_ends(arc) else {
                continue;
            };
            let (first, last) = self.end_decimals(arc);
            if a == junction {
                decimals = finest(decimals, first);
            }
            if b == junction {
                decimals = finest(decimals, last);
            }
        }
        decimals
    }

    /// Records that `arc` changed: its cache goes, and if the precision of one of its ends
    /// changed, so does every arc meeting at that junction.
    fn changed(&mut self, arc: usize, before: (Option<u8>, Option<u8>), changed: &mut Vec<usize>) {
        changed.push(arc);
        if let Some(slot) = self.cache.get_mut(arc) {
            *slot = None;
        }
        let Some((a, b)) = self.topology.arc_ends(arc) else {
            return;
        };
        let after = self.end_decimals(arc);
        for (junction, moved) in [(a, before.0 != after.0), (b, before.1 != after.1)] {
            if moved {
                for &other in self.topology.junction_arcs(junction) {
                    changed.push(other);
                    if let Some(slot) = self.cache.get_mut(other) {
                        *slot = None;
                    }
                }
            }
        }
    }

    fn arc(&mut self, arc: usize) -> &Simplified {
        if self.cache[arc].is_none() {
            self.cache[arc] = Some(self.compute(arc));
        }
        self.cache[arc].get_or_insert_with(|| Simplified {
            line: LineString(Vec::new()),
            runs: Vec::new(),
        })
    }

    /// The arc at its levels: each piece simplified and rounded; junctions and piece ends at the
    /// finest precision meeting there.
    fn compute(&self, arc: usize) -> Simplified {
        let empty = Simplified {
            line: LineString(Vec::new()),
            runs: Vec::new(),
        };
        let (Some(source), Some(pieces)) = (self.topology.arcs().get(arc), self.pieces.get(arc))
        else {
            return empty;
        };
        let Some(last) = source.0.len().checked_sub(1) else {
            return empty;
        };
        // (source index, decimals) of every kept vertex.
        let mut kept: Vec<(usize, Option<u8>)> = Vec::new();
        for (k, &(start, level)) in pieces.iter().enumerate() {
            let start = start as usize;
            let end = pieces.get(k + 1).map_or(last, |&(s, _)| s as usize);
            let d = self.level_decimals(level);
            let indices: Vec<usize> = match TOLERANCE_FACTORS.get(usize::from(level)) {
                Some(&f) => {
                    simplify_indices(&scaled(&source.0[start..=end]), f * self.spec.tolerance_deg)
                }
                None => (0..=end - start).collect(),
            };
            for i in indices {
                let i = i + start;
                match kept.last_mut() {
                    // A piece end: the finer of the two pieces meeting there.
                    Some(prev) if prev.0 == i => prev.1 = finest(prev.1, d),
                    _ => kept.push((i, d)),
                }
            }
        }
        match self.topology.arc_ends(arc) {
            Some((a, b)) => {
                if let Some(first) = kept.first_mut() {
                    first.1 = self.junction_decimals(a);
                }
                if let Some(end) = kept.last_mut() {
                    end.1 = self.junction_decimals(b);
                }
            }
            None => {
                // A closed arc starts and ends on the same vertex: round both ends alike.
                let both = match (kept.first(), kept.last()) {
                    (Some(f), Some(l)) => finest(f.1, l.1),
                    _ => None,
                };
                if let Some(first) = kept.first_mut() {
                    first.1 = both;
                }
                if let Some(end) = kept.last_mut() {
                    end.1 = both;
                }
            }
        }
        let mut line: Vec<Coord<f64>> = Vec::with_capacity(kept.len());
        let mut runs: Vec<(u32, u32)> = Vec::with_capacity(kept.len());
        for (i, d) in kept {
            let c = round(source.0[i], d);
            if line.last() == Some(&c) {
                if let Some(run) = runs.last_mut() {
                    run.1 = i as u32;
                }
            } else {
                line.push(c);
                runs.push((i as u32, i as u32));
            }
        }
        Simplified {
            line: LineString(line),
            runs,
        }
    }

    /// A ring rebuilt from its arcs at their current levels, with the source of every segment.
    fn ring(&mut self, refs: &[ArcRef]) -> RingCoords {
        let mut coords: Vec<Coord<f64>> = Vec::new();
        let mut sources: Vec<SegSource> = Vec::new();
        for r in refs {
            let simplified = self.arc(r.arc);
            let n = simplified.line.0.len();
            // Canonical position of the ring's last coordinate within this arc, if it is one.
            let mut prev: Option<usize> = None;
            for step in 0..n {
                let pos = if r.reversed { n - 1 - step } else { step };
                let c = simplified.line.0[pos];
                if coords.last() == Some(&c) {
                    prev = Some(pos);
                    continue;
                }
                if !coords.is_empty() {
                    let (lo, hi) = match prev {
                        Some(q) => {
                            let (a, b) = (q.min(pos), q.max(pos));
                            (simplified.runs[a].1, simplified.runs[b].0)
                        }
                        None => (0, 0),
                    };
                    sources.push(SegSource { arc: r.arc, lo, hi });
                }
                coords.push(c);
                prev = Some(pos);
            }
        }
        if let (Some(&first), Some(&last)) = (coords.first(), coords.last()) {
            if first != last {
                coords.push(first);
                sources.push(SegSource {
                    arc: refs.first().map_or(0, |r| r.arc),
                    lo: 0,
                    hi: 0,
                });
            }
        }
        RingCoords { coords, sources }
    }
}

/// `coords` with longitudes times cos 52.5°: a degree of longitude is that much shorter on the
/// map than one of latitude, so a tolerance in degrees of latitude is the same number of pixels
/// across as up.
fn scaled(coords: &[Coord<f64>]) -> LineString<f64> {
    LineString(
        coords
            .iter()
            .map(|c| Coord {
                x: c.x * COS_REFERENCE_LATITUDE,
                y: c.y,
            })
            .collect(),
    )
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

/// The finer of two precisions (`None`, the source, is the finest).
fn finest(a: Option<u8>, b: Option<u8>) -> Option<u8> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    }
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
