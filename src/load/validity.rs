//! geo's polygon validity rules (`geo::Validation`), answered with a segment index.
//!
//! geo tests a ring for self-intersection by comparing every segment with every other, and
//! relates every pair of rings and of parts: minutes for the real layers, whose rings have
//! thousands of positions and whose dissolved LEPs carry thousands of holes. This module gives
//! the same answers, with geo's own reasons (`InvalidMultiPolygon`, `InvalidPolygon`), from an
//! R-tree of each polygon's segments: geo's segment predicate is applied only to segments whose
//! envelopes meet, and geo's `relate` only to rings or parts whose boundaries meet. Rings whose
//! boundaries do not meet are either nested or apart, which one point-in-polygon test tells.
//! The property tests check the answers against `geo::Validation` itself.

use geo::algorithm::validation::{
    CoordIndex, GeometryIndex, InvalidMultiPolygon, InvalidPolygon, RingRole,
};
use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::dimensions::Dimensions;
use geo::{
    BoundingRect, Coord, Intersects, Line, LineString, MultiPolygon, Polygon, PreparedGeometry,
    Rect, Relate, RemoveRepeatedPoints,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject};
use std::collections::HashSet;

type Segment = GeomWithData<Rectangle<[f64; 2]>, (usize, usize)>;

/// A polygon's segments, indexed, with what one pass over them finds.
struct IndexedPolygon<'a> {
    polygon: &'a Polygon<f64>,
    /// Each ring's segments (0 = exterior), as the tree's data indexes them.
    lines: Vec<Vec<Line<f64>>>,
    tree: RTree<Segment>,
    /// Rings (0 = exterior) with a self-intersection, by geo's predicate.
    self_intersecting: HashSet<usize>,
    /// Pairs of rings `(r, s)`, `r < s`, with segments that intersect.
    meeting: HashSet<(usize, usize)>,
    bbox: Option<Rect<f64>>,
}

fn rings(polygon: &Polygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    std::iter::once(polygon.exterior()).chain(polygon.interiors())
}

fn envelope(line: &Line<f64>) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([line.start.x, line.start.y], [line.end.x, line.end.y])
}

impl<'a> IndexedPolygon<'a> {
    fn new(polygon: &'a Polygon<f64>) -> IndexedPolygon<'a> {
        let segments: Vec<Segment> = rings(polygon)
            .enumerate()
            .flat_map(|(r, ring)| {
                ring.lines()
                    .enumerate()
                    .map(move |(i, line)| GeomWithData::new(envelope(&line), (r, i)))
            })
            .collect();
        let lines: Vec<Vec<Line<f64>>> = rings(polygon).map(|r| r.lines().collect()).collect();
        let tree = RTree::bulk_load(segments);
        let mut self_intersecting = HashSet::new();
        let mut meeting = HashSet::new();
        for (r, ring_lines) in lines.iter().enumerate() {
            for (i, line) in ring_lines.iter().enumerate() {
                let env = envelope(line).envelope();
                for other in tree.locate_in_envelope_intersecting(&env) {
                    let (s, j) = other.data;
                    let Some(other_line) = lines.get(s).and_then(|l| l.get(j)) else {
                        continue;
                    };
                    if s == r {
                        // geo's predicate (validation::utils::linestring_has_self_intersection).
                        if i != j
                            && line.intersects(other_line)
                            && line.start != other_line.end
                            && line.end != other_line.start
                        {
                            self_intersecting.insert(r);
                        }
                    } else if r < s && line.intersects(other_line) {
                        meeting.insert((r, s));
                    }
                }
            }
        }
        IndexedPolygon {
            polygon,
            lines,
            tree,
            self_intersecting,
            meeting,
            bbox: polygon.bounding_rect(),
        }
    }

    /// Whether any segment of `other` intersects any segment of this polygon.
    fn boundary_meets(&self, other: &Polygon<f64>) -> bool {
        rings(other).flat_map(LineString::lines).any(|line| {
            self.tree
                .locate_in_envelope_intersecting(&envelope(&line).envelope())
                .any(|seg| {
                    let (r, i) = seg.data;
                    self.lines
                        .get(r)
                        .and_then(|l| l.get(i))
                        .is_some_and(|l| l.intersects(&line))
                })
        })
    }

    /// geo's `Validation` for one polygon, in geo's order of checks.
    fn check(&self) -> Result<(), InvalidPolygon> {
        let polygon = self.polygon;
        if geo::HasDimensions::is_empty(polygon) {
            return Ok(());
        }
        for (r, ring) in rings(polygon).enumerate() {
            if ring.0.is_empty() {
                continue;
            }
            let role = role(r);
            if ring.remove_repeated_points().0.len() < 4 {
                return Err(InvalidPolygon::TooFewPointsInRing(role));
            }
            if self.self_intersecting.contains(&r) {
                return Err(InvalidPolygon::SelfIntersection(role));
            }
            if let Some(i) = ring
                .0
                .iter()
                .position(|c| !c.x.is_finite() || !c.y.is_finite())
            {
                return Err(InvalidPolygon::NonFiniteCoord(role, CoordIndex(i)));
            }
        }
        let holes = polygon.interiors();
        if !holes.iter().any(|h| !h.0.is_empty()) {
            return Ok(());
        }
        let exterior = Polygon::new(polygon.exterior().clone(), vec![]);
        let mut prepared_exterior: Option<PreparedGeometry<'_, &Polygon<f64>>> = None;
        let hole_boxes: Vec<Option<Rect<f64>>> =
            holes.iter().map(BoundingRect::bounding_rect).collect();
        for (k, hole) in holes.iter().enumerate() {
            if hole.0.is_empty() {
                continue;
            }
            let role_k = RingRole::Interior(k);
            if self.meeting.contains(&(0, k + 1)) {
                let hole_polygon = Polygon::new(hole.clone(), vec![]);
                let prepared =
                    prepared_exterior.get_or_insert_with(|| PreparedGeometry::from(&exterior));
                let im = prepared.relate(&PreparedGeometry::from(&hole_polygon));
                if !im.is_contains() {
                    return Err(InvalidPolygon::InteriorRingNotContainedInExteriorRing(
                        role_k,
                    ));
                }
                if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
                {
                    return Err(InvalidPolygon::IntersectingRingsOnALine(
                        RingRole::Exterior,
                        role_k,
                    ));
                }
            } else if !first_point_inside(hole, &exterior) {
                // Boundaries apart: the hole is inside the shell or wholly outside it.
                return Err(InvalidPolygon::InteriorRingNotContainedInExteriorRing(
                    role_k,
                ));
            }
            for (m, other) in holes.iter().enumerate().skip(k + 1) {
                if other.0.is_empty() || !boxes_meet(hole_boxes.get(k), hole_boxes.get(m)) {
                    continue;
                }
                let role_m = RingRole::Interior(m);
                let a = Polygon::new(hole.clone(), vec![]);
                let b = Polygon::new(other.clone(), vec![]);
                if self.meeting.contains(&(k + 1, m + 1)) {
                    let im = a.relate(&b);
                    if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                        return Err(InvalidPolygon::IntersectingRingsOnAnArea(role_k, role_m));
                    }
                    if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary)
                        == Dimensions::OneDimensional
                    {
                        return Err(InvalidPolygon::IntersectingRingsOnALine(role_k, role_m));
                    }
                } else if first_point_inside(other, &a) || first_point_inside(hole, &b) {
                    return Err(InvalidPolygon::IntersectingRingsOnAnArea(role_k, role_m));
                }
            }
        }
        Ok(())
    }
}

fn role(ring: usize) -> RingRole {
    match ring {
        0 => RingRole::Exterior,
        n => RingRole::Interior(n - 1),
    }
}

fn boxes_meet(a: Option<&Option<Rect<f64>>>, b: Option<&Option<Rect<f64>>>) -> bool {
    match (a.copied().flatten(), b.copied().flatten()) {
        (Some(a), Some(b)) => a.intersects(&b),
        _ => false,
    }
}

/// Whether the first position of `ring` lies strictly inside `polygon`.
fn first_point_inside(ring: &LineString<f64>, polygon: &Polygon<f64>) -> bool {
    ring.0
        .first()
        .is_some_and(|c: &Coord<f64>| polygon.coordinate_position(c) == CoordPos::Inside)
}

/// geo's `Validation` for a MultiPolygon: the first problem, with geo's reason.
pub fn check_multipolygon(geometry: &MultiPolygon<f64>) -> Result<(), InvalidMultiPolygon> {
    let indexed: Vec<IndexedPolygon<'_>> = geometry.0.iter().map(IndexedPolygon::new).collect();
    // A part touching several others is prepared (its relate graph built) once.
    let prepared: Vec<std::cell::OnceCell<PreparedGeometry<'_, &Polygon<f64>>>> = geometry
        .0
        .iter()
        .map(|_| std::cell::OnceCell::new())
        .collect();
    let relate = |i: usize, j: usize| {
        let (Some(a), Some(b), Some(pa), Some(pb)) = (
            geometry.0.get(i),
            geometry.0.get(j),
            prepared.get(i),
            prepared.get(j),
        ) else {
            return None;
        };
        let pa = pa.get_or_init(|| PreparedGeometry::from(a));
        let pb = pb.get_or_init(|| PreparedGeometry::from(b));
        Some(pa.relate(pb))
    };
    for (i, a) in indexed.iter().enumerate() {
        a.check()
            .map_err(|e| InvalidMultiPolygon::InvalidPolygon(GeometryIndex(i), e))?;
        for (j, b) in indexed.iter().enumerate().skip(i + 1) {
            let (Some(box_a), Some(box_b)) = (a.bbox, b.bbox) else {
                continue;
            };
            if !box_a.intersects(&box_b) {
                continue;
            }
            let overlap = InvalidMultiPolygon::ElementsOverlaps(GeometryIndex(i), GeometryIndex(j));
            if a.boundary_meets(b.polygon) {
                let im = relate(i, j).unwrap_or_else(|| a.polygon.relate(b.polygon));
                if im.get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                    return Err(overlap);
                }
                if im.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional
                {
                    return Err(InvalidMultiPolygon::ElementsTouchOnALine(
                        GeometryIndex(i),
                        GeometryIndex(j),
                    ));
                }
            } else if first_point_inside(b.polygon.exterior(), a.polygon)
                || first_point_inside(a.polygon.exterior(), b.polygon)
                || b.polygon.interiors().iter().any(|hole| {
                    // Part b is not validated yet: a hole of b outside its shell but inside a is an
                    // overlap to geo's relate, which takes the far side of every hole ring for b's
                    // interior. A valid b's hole inside a always means an overlap too.
                    hole.0.first().is_some_and(|c| box_a.intersects(c))
                        && first_point_inside(hole, a.polygon)
                })
            {
                return Err(overlap);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{wkt, Validation};
    use proptest::prelude::*;

    /// A ring on a small integer grid: a rectangle (so parts and holes often touch, nest or
    /// overlap) or any quadrilateral (often a bow-tie).
    fn ring() -> impl Strategy<Value = LineString<f64>> {
        let c = || 0i32..6;
        prop_oneof![
            (c(), c(), 1i32..4, 1i32..4).prop_map(|(x, y, w, h)| {
                let (x, y, w, h) = (f64::from(x), f64::from(y), f64::from(w), f64::from(h));
                LineString::from(vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)])
            }),
            prop::collection::vec((c(), c()), 3..5).prop_map(|ps| {
                let mut ps: Vec<(f64, f64)> = ps
                    .into_iter()
                    .map(|(x, y)| (f64::from(x), f64::from(y)))
                    .collect();
                if let Some(first) = ps.first().copied() {
                    ps.push(first);
                }
                LineString::from(ps)
            }),
        ]
    }

    fn multipolygon() -> impl Strategy<Value = MultiPolygon<f64>> {
        prop::collection::vec((ring(), prop::collection::vec(ring(), 0..3)), 1..4).prop_map(
            |parts| {
                MultiPolygon::new(
                    parts
                        .into_iter()
                        .map(|(exterior, holes)| Polygon::new(exterior, holes))
                        .collect(),
                )
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn gives_geo_s_first_reason(mp in multipolygon()) {
            // geo's own validation can panic (in `relate`) on degenerate shapes such as a shell
            // collapsed to a line; such cases have no reference answer to compare with.
            let reference = std::panic::catch_unwind(|| mp.check_validation());
            prop_assume!(reference.is_ok());
            prop_assert_eq!(check_multipolygon(&mp), reference.unwrap());
        }
    }

    fn same_as_geo(mp: MultiPolygon<f64>) {
        assert_eq!(check_multipolygon(&mp), mp.check_validation(), "{mp:?}");
    }

    #[test]
    fn a_shell_collapsed_to_a_line_is_refused_or_reported_without_a_panic_escaping() {
        // Found by the property test: geo's `relate` panics inside `check_validation` here. The
        // loader runs the check under `catch_panic`, so the data is refused with a message.
        let mp = wkt!(MULTIPOLYGON(((4. 3., 0. 3., 1. 3., 4. 3.), (1. 3., 2. 3., 2. 4., 1. 4., 1. 3.)), ((0. 1., 1. 1., 1. 3., 0. 3., 0. 1.))));
        let path = std::path::Path::new("collapsed.geojson");
        let outcome = crate::load::catch_panic(path, || {
            let _ = check_multipolygon(&mp);
            Ok(())
        });
        if let Err(e) = outcome {
            assert!(
                e.to_string()
                    .starts_with("collapsed.geojson: the loader panicked: "),
                "{e}"
            );
        }
    }

    #[test]
    fn a_later_part_whose_hole_lies_outside_its_shell_but_inside_an_earlier_part_overlaps_it() {
        // Found by the property test: geo relates part 0 with part 1 before it validates part 1,
        // and its relate takes the side of part 1's stray hole that faces away from the hole (inside
        // part 0) for part 1's interior, so the first reason is the overlap, not the stray hole.
        same_as_geo(
            wkt!(MULTIPOLYGON(((5. 0., 2. 2., 4. 5., 5. 0.)), ((1. 3., 2. 3., 2. 4., 1. 4., 1. 3.), (3. 2., 4. 2., 4. 3., 3. 3., 3. 2.)))),
        );
    }

    #[test]
    fn agrees_with_geo_on_hand_made_cases() {
        same_as_geo(wkt!(MULTIPOLYGON(((0. 0., 1. 1., 1. 0., 0. 1., 0. 0.)))));
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (1. 1., 2. 1., 2. 2., 1. 2., 1. 1.)))),
        );
        // A hole outside, a hole touching the shell on a line, holes overlapping, nested holes.
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (5. 5., 6. 5., 6. 6., 5. 6., 5. 5.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (0. 1., 1. 1., 1. 2., 0. 2., 0. 1.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (1. 1., 3. 1., 3. 3., 1. 3., 1. 1.), (2. 2., 3.5 2., 3.5 3.5, 2. 3.5, 2. 2.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (1. 1., 3. 1., 3. 3., 1. 3., 1. 1.), (1.5 1.5, 2. 1.5, 2. 2., 1.5 2., 1.5 1.5)))),
        );
        // Parts: apart, nested, overlapping, touching on a line, touching at a corner, in a hole.
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.)), ((2. 0., 3. 0., 3. 1., 2. 1., 2. 0.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.)), ((1. 1., 2. 1., 2. 2., 1. 2., 1. 1.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 2. 0., 2. 2., 0. 2., 0. 0.)), ((1. 1., 3. 1., 3. 3., 1. 3., 1. 1.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.)), ((1. 0., 2. 0., 2. 1., 1. 1., 1. 0.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 1. 0., 1. 1., 0. 1., 0. 0.)), ((1. 1., 2. 1., 2. 2., 1. 2., 1. 1.)))),
        );
        same_as_geo(
            wkt!(MULTIPOLYGON(((0. 0., 4. 0., 4. 4., 0. 4., 0. 0.), (1. 1., 3. 1., 3. 3., 1. 3., 1. 1.)), ((1.5 1.5, 2. 1.5, 2. 2., 1.5 2., 1.5 1.5)))),
        );
        // Too few points, a spike, repeated points.
        same_as_geo(wkt!(MULTIPOLYGON(((0. 0., 1. 0., 0. 0., 0. 0.)))));
        same_as_geo(wkt!(MULTIPOLYGON(((0. 0., 2. 0., 2. 2., 2. 3., 2. 2., 0. 2., 0. 0.)))));
        same_as_geo(wkt!(MULTIPOLYGON(((0. 0., 2. 0., 2. 0., 2. 2., 0. 2., 0. 0.)))));
    }
}
