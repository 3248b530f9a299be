//! Areas that overlap in the source (the LEPs before 2020 share districts): each pair's overlap
//! area and the arcs that bound it, so that every band keeps the overlap as large as it is.

use geo::orient::{Direction, Orient};
use geo::{
    unary_union, Area, BooleanOps, BoundingRect, Coord, Intersects, MultiPolygon, Point, Polygon,
    Rect,
};
use rstar::primitives::{GeomWithData, Line as RLine, Rectangle};
use rstar::{PointDistance, RTree};

use super::arcs::Topology;
use super::COS_REFERENCE_LATITUDE;

/// Two areas whose interiors overlap in the source.
#[derive(Debug, Clone)]
pub(super) struct Overlap {
    pub a: usize,
    pub b: usize,
    /// The source overlap's area, in square degrees of latitude (longitudes scaled by cos 52.5°).
    pub area: f64,
    /// The arcs of either area whose bounding box meets one of the overlap's pieces' boxes:
    /// those that bound it, and a few more.
    pub arcs: Vec<usize>,
}

/// An overlap of two sources below this (square degrees of latitude, about 0.5 m²) is float noise.
const NOISE_DEG2: f64 = 4e-11;

/// The area of a geometry in square degrees of latitude.
pub(super) fn scaled_area(geometry: &MultiPolygon<f64>) -> f64 {
    geometry.unsigned_area() * COS_REFERENCE_LATITUDE
}

/// The overlap of two geometries, in square degrees of latitude.
pub(super) fn overlap_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    scaled_area(&a.intersection(b))
}

impl Topology {
    /// The pairs of areas whose source interiors overlap (by more than float noise), with their
    /// overlap and the arcs of either area that come near it.
    pub(super) fn find_overlaps(&self, geometries: &[&MultiPolygon<f64>]) -> Vec<Overlap> {
        let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = geometries
            .iter()
            .enumerate()
            .filter_map(|(i, g)| {
                let r = g.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners(r.min().into(), r.max().into()),
                    i,
                ))
            })
            .collect();
        let tree = RTree::bulk_load(boxes);
        let mut overlaps = Vec::new();
        for (s, t) in tree.intersection_candidates_with_other_tree(&tree) {
            let (a, b) = (s.data, t.data);
            if a >= b {
                continue;
            }
            let (Some(ga), Some(gb)) = (geometries.get(a), geometries.get(b)) else {
                continue;
            };
            let shared = ga.intersection(*gb);
            let area = scaled_area(&shared);
            if area <= NOISE_DEG2 {
                continue;
            }
            let pieces: Vec<Rect<f64>> =
                shared.0.iter().filter_map(|p| p.bounding_rect()).collect();
            let mut arcs: Vec<usize> = self
                .area_parts(a)
                .iter()
                .chain(self.area_parts(b))
                .flatten()
                .flatten()
                .map(|r| r.arc)
                .filter(|&arc| {
                    self.arcs()
                        .get(arc)
                        .and_then(|line| line.bounding_rect())
                        .is_some_and(|r| pieces.iter().any(|p| p.intersects(&r)))
                })
                .collect();
            arcs.sort_unstable();
            arcs.dedup();
            overlaps.push(Overlap { a, b, area, arcs });
        }
        overlaps.sort_unstable_by_key(|o| (o.a, o.b));
        overlaps
    }
}

/// The pairs of a band's polygons (indices into `polygons`, each with its area) that overlap
/// more than the source lets them: parts of one area not at all, two areas by no more than
/// their source overlap (`source(a, b)`, square degrees of latitude) and its slack. Each comes
/// with the bounding box of the overlap, where the arcs to refine are.
pub(super) fn excess_overlaps(
    polygons: &[(usize, Polygon<f64>)],
    source: impl Fn(usize, usize) -> f64,
    slack: f64,
) -> Vec<(usize, usize, Rect<f64>)> {
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = polygons
        .iter()
        .enumerate()
        .filter_map(|(i, (_, p))| {
            let r = p.bounding_rect()?;
            Some(GeomWithData::new(
                Rectangle::from_corners(r.min().into(), r.max().into()),
                i,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    let mut excess = Vec::new();
    for (s, t) in tree.intersection_candidates_with_other_tree(&tree) {
        let (p, q) = (s.data, t.data);
        if p >= q {
            continue;
        }
        let (Some((a, pp)), Some((b, qq))) = (polygons.get(p), polygons.get(q)) else {
            continue;
        };
        let shared = pp.intersection(qq);
        let area = scaled_area(&shared);
        let allowed = if a == b {
            NOISE_DEG2
        } else {
            let src = source((*a).min(*b), (*a).max(*b));
            src + (slack * src).max(NOISE_DEG2)
        };
        if area > allowed {
            if let Some(r) = shared.bounding_rect() {
                excess.push((p, q, r));
            }
        }
    }
    excess
}

/// The union of polygons, each oriented first (exterior counter-clockwise), as the union's fill
/// rule reads the first ring's winding for all.
pub(super) fn union_of<'a>(
    polygons: impl IntoIterator<Item = &'a Polygon<f64>>,
) -> MultiPolygon<f64> {
    let oriented: Vec<Polygon<f64>> = polygons
        .into_iter()
        .map(|p| p.orient(Direction::Default))
        .collect();
    unary_union(&oriented)
}

/// The land a layer's source covers: its union, and the union's boundary in an R-tree.
#[derive(Debug, Clone)]
pub(super) struct SourceCover {
    union: MultiPolygon<f64>,
    boundary: RTree<GeomWithData<RLine<[f64; 2]>, ()>>,
}

impl SourceCover {
    pub(super) fn new(union: MultiPolygon<f64>) -> SourceCover {
        let lines: Vec<GeomWithData<RLine<[f64; 2]>, ()>> = union
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.lines())
            .map(|l| GeomWithData::new(RLine::new([l.start.x, l.start.y], [l.end.x, l.end.y]), ()))
            .collect();
        SourceCover {
            union,
            boundary: RTree::bulk_load(lines),
        }
    }

    /// Whether `c` lies on land the source covers, farther than `reach` (degrees) from its edge.
    fn deep_inside(&self, c: Coord<f64>, reach: f64) -> bool {
        let far = self
            .boundary
            .nearest_neighbor(&[c.x, c.y])
            .is_none_or(|l| l.distance_2(&[c.x, c.y]) > reach * reach);
        far && self.union.intersects(&Point::from(c))
    }
}

/// The bounding boxes of the band's gaps that the source lacks: holes of the band's union with
/// a vertex on covered land farther than `reach` (degrees: the band's rounding) from the source
/// union's edge. A band vertex is a source vertex, rounded, so a hole the source has runs along
/// the union's edge; one with a vertex off it runs along a border the source covers both sides of.
pub(super) fn new_gaps(
    band: &[(usize, Polygon<f64>)],
    cover: &SourceCover,
    reach: f64,
) -> Vec<Rect<f64>> {
    let union = union_of(band.iter().map(|(_, p)| p));
    union
        .0
        .iter()
        .flat_map(|p| p.interiors())
        .filter(|hole| hole.0.iter().any(|&c| cover.deep_inside(c, reach)))
        .filter_map(|hole| hole.bounding_rect())
        .collect()
}
