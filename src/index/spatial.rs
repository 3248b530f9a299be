//! An R-tree over area envelopes, with exact geometry tests for bbox and point queries; point
//! queries read a grid of cells first and otherwise go through an R-tree of the areas' monotone
//! pieces (O(log n) per piece), and never panic: a part the monotone subdivision cannot take is
//! tested whole, ring by ring.

use super::grid::CellGrid;
use crate::model::Area;
use geo::{
    BoundingRect, Coord, GeoNum, Intersects, Kernel, LineString, MonoPoly, Orientation, Point,
    Polygon, Rect,
};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use std::sync::OnceLock;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// Answers "which areas intersect this box / cover this point" with indices into the layer.
#[derive(Debug)]
pub struct SpatialIndex {
    tree: RTree<Entry>,
    /// Every area cut into monotone polygons, indexed by their envelopes: built on the first
    /// point query, since only lookups need it.
    pieces: OnceLock<PointIndex>,
}

#[derive(Debug)]
struct PointIndex {
    tree: RTree<Entry>,
    /// (area index, piece), addressed by the tree's data.
    pieces: Vec<(usize, Piece)>,
    /// The answers of the cells no boundary touches, found through the tree once.
    grid: CellGrid,
}

/// What a point query tests: a monotone piece of a polygon, or a whole polygon that geo's
/// monotone subdivision cannot take (a zero-area or self-touching ring, repeated points: its
/// sweep assumes simple rings and panics or misbuilds on others).
#[derive(Debug)]
enum Piece {
    Monotone(MonoPoly<f64>),
    Whole(Polygon<f64>),
}

impl Piece {
    fn bounding_rect(&self) -> Option<Rect<f64>> {
        match self {
            Piece::Monotone(m) => Some(m.bounding_rect()),
            Piece::Whole(p) => p.bounding_rect(),
        }
    }

    /// Does the piece cover `p` (interior or boundary)? Exact (robust orientation predicates).
    fn covers(&self, p: Coord<f64>) -> bool {
        match self {
            Piece::Monotone(m) => {
                chain_side(&m.top().0, p).is_some_and(|s| s != Side::Above)
                    && chain_side(&m.bot().0, p).is_some_and(|s| s != Side::Below)
            }
            Piece::Whole(polygon) => polygon.intersects(&p),
        }
    }
}

/// Where a point lies against an x-monotone chain, on the vertical line through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Below,
    On,
    Above,
}

/// The side of `chain` (strictly increasing in (x, y) order) that `p` lies on, on the vertical
/// through `p`; `None` when the chain does not reach `p.x`. Where the chain has vertices at
/// `p.x` it is the vertical run between the lowest and the highest of them (geo's own query
/// takes only the segment ending at the lowest, so a point on a vertical edge in the middle of
/// a chain came out as outside: a border point in only one of its two areas).
fn chain_side(chain: &[Coord<f64>], p: Coord<f64>) -> Option<Side> {
    let first = chain.partition_point(|c| c.x < p.x);
    let past = chain.partition_point(|c| c.x <= p.x);
    if first < past {
        let (low, high) = (chain.get(first)?.y, chain.get(past - 1)?.y);
        return Some(if p.y < low {
            Side::Below
        } else if p.y > high {
            Side::Above
        } else {
            Side::On
        });
    }
    let (a, b) = (chain.get(first.checked_sub(1)?)?, chain.get(first)?);
    Some(match <f64 as GeoNum>::Ker::orient2d(*a, *b, p) {
        Orientation::CounterClockwise => Side::Above,
        Orientation::Clockwise => Side::Below,
        Orientation::Collinear => Side::On,
    })
}

/// The pieces of one polygon: its monotone subdivision when geo can make one that holds the
/// chains' invariants, else the polygon whole. A panic inside geo's sweep is caught here (the
/// build is `panic = "unwind"`), so no geometry can make a lookup fail.
fn pieces_of(polygon: &Polygon<f64>) -> Vec<Piece> {
    let whole = || vec![Piece::Whole(polygon.clone())];
    if std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .any(degenerate)
    {
        return whole();
    }
    match std::panic::catch_unwind(|| geo::monotone_subdivision([polygon.clone()])) {
        Ok(pieces) if pieces.iter().all(well_formed) => {
            pieces.into_iter().map(Piece::Monotone).collect()
        }
        _ => whole(),
    }
}

/// A ring geo's sweep is not made for: fewer than three distinct points, a point repeated
/// next to itself, or every point on one line (zero area).
fn degenerate(ring: &LineString<f64>) -> bool {
    let coords = &ring.0;
    if coords.windows(2).any(|w| w.first() == w.last()) {
        return true;
    }
    let Some(&a) = coords.first() else {
        return true;
    };
    let Some(&b) = coords.iter().find(|&&c| c != a) else {
        return true;
    };
    coords
        .iter()
        .all(|&c| <f64 as GeoNum>::Ker::orient2d(a, b, c) == Orientation::Collinear)
}

/// Do both chains run from the same first to the same last point, strictly increasing in
/// (x, y) order, as [`chain_side`] assumes?
fn well_formed(piece: &MonoPoly<f64>) -> bool {
    let increasing = |chain: &[Coord<f64>]| {
        chain.len() >= 2
            && chain
                .windows(2)
                .all(|w| matches!(w, [a, b] if (a.x, a.y) < (b.x, b.y)))
    };
    let (top, bot) = (&piece.top().0, &piece.bot().0);
    increasing(top) && increasing(bot) && top.first() == bot.first() && top.last() == bot.last()
}

impl PointIndex {
    fn build(areas: &[Area]) -> PointIndex {
        let pieces: Vec<(usize, Piece)> = areas
            .iter()
            .enumerate()
            .flat_map(|(i, area)| {
                area.geometry
                    .0
                    .iter()
                    .flat_map(pieces_of)
                    .map(move |piece| (i, piece))
            })
            .collect();
        let entries = pieces
            .iter()
            .enumerate()
            .filter_map(|(k, (_, piece))| {
                let r = piece.bounding_rect()?;
                Some(Entry::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    k,
                ))
            })
            .collect();
        let mut index = PointIndex {
            tree: RTree::bulk_load(entries),
            pieces,
            grid: CellGrid::default(),
        };
        index.grid = CellGrid::build(areas, |p, hits| index.exact(p, hits));
        index
    }

    /// The areas covering `point` through the tree of pieces, into `hits` (cleared first).
    fn exact(&self, point: Point<f64>, hits: &mut Vec<usize>) {
        hits.clear();
        hits.extend(
            self.tree
                .locate_all_at_point(&[point.x(), point.y()])
                .filter_map(|e| self.pieces.get(e.data))
                .filter(|(_, piece)| piece.covers(point.0))
                .map(|(i, _)| *i),
        );
        if hits.len() > 1 {
            hits.sort_unstable();
            hits.dedup();
        }
    }
}

impl SpatialIndex {
    /// Bulk-loads the envelopes of `areas`.
    pub fn build(areas: &[Area]) -> SpatialIndex {
        let entries = areas
            .iter()
            .enumerate()
            .filter_map(|(i, area)| {
                let r = area.bbox()?;
                Some(Entry::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        SpatialIndex {
            tree: RTree::bulk_load(entries),
            pieces: OnceLock::new(),
        }
    }

    /// Indices (ascending) of the areas whose geometry intersects `bbox`, edges included.
    pub fn intersecting(&self, areas: &[Area], bbox: Rect<f64>) -> Vec<usize> {
        let envelope =
            AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|e| e.data)
            .filter(|&i| areas.get(i).is_some_and(|a| a.geometry.intersects(&bbox)))
            .collect();
        hits.sort_unstable();
        hits
    }

    /// Indices (ascending) of the areas covering `point` (interior or boundary, so a point on a
    /// shared border lies in both neighbours); holes and every part count. `areas` must be the
    /// slice the index was built from.
    pub fn containing(&self, areas: &[Area], point: Point<f64>) -> Vec<usize> {
        let mut hits = Vec::new();
        self.containing_into(areas, point, &mut hits);
        hits
    }

    /// [`containing`](Self::containing) into `hits` (cleared first), so a batch of points
    /// reuses one buffer.
    pub fn containing_into(&self, areas: &[Area], point: Point<f64>, hits: &mut Vec<usize>) {
        let index = self.pieces.get_or_init(|| PointIndex::build(areas));
        match index.grid.covering(point) {
            Some(members) => {
                hits.clear();
                hits.extend(members.iter().map(|&i| i as usize));
            }
            None => index.exact(point, hits),
        }
    }

    /// The areas covering `point` by the exact path alone, without the grid (to check it).
    pub fn containing_exactly(&self, areas: &[Area], point: Point<f64>) -> Vec<usize> {
        let mut hits = Vec::new();
        self.pieces
            .get_or_init(|| PointIndex::build(areas))
            .exact(point, &mut hits);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AreaCode;
    use geo::{polygon, Coord, MultiPolygon};

    fn area(code: &str, geometry: MultiPolygon<f64>) -> Area {
        Area::new(
            AreaCode::new(code),
            code.to_string(),
            Default::default(),
            geometry,
        )
        .unwrap()
    }

    /// A: a square with a hole; B: fills the hole; C: two parts far apart; D: an L whose
    /// envelope covers the point (2.5, 2.5) but whose geometry does not.
    fn fixture() -> Vec<Area> {
        let a = polygon![
            exterior: [(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)],
            interiors: [[(x: 0.4, y: 0.4), (x: 0.6, y: 0.4), (x: 0.6, y: 0.6), (x: 0.4, y: 0.6)]],
        ];
        let b = polygon![(x: 0.4, y: 0.4), (x: 0.6, y: 0.4), (x: 0.6, y: 0.6), (x: 0.4, y: 0.6)];
        let c1 = polygon![(x: 5.0, y: 0.0), (x: 6.0, y: 0.0), (x: 6.0, y: 1.0), (x: 5.0, y: 1.0)];
        let c2 = polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0), (x: 5.0, y: 6.0)];
        let d = polygon![(x: 2.0, y: 2.0), (x: 3.0, y: 2.0), (x: 3.0, y: 2.2), (x: 2.2, y: 2.2), (x: 2.2, y: 3.0), (x: 2.0, y: 3.0)];
        vec![
            area("A", MultiPolygon::new(vec![a])),
            area("B", MultiPolygon::new(vec![b])),
            area("C", MultiPolygon::new(vec![c1, c2])),
            area("D", MultiPolygon::new(vec![d])),
        ]
    }

    /// The grid answers as the exact path does: at random points, at points a hair from every
    /// vertex, and on the grid lines through them.
    #[test]
    fn the_grid_answers_as_the_exact_path() {
        let areas = fixture();
        let index = SpatialIndex::build(&areas);
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut points: Vec<Point<f64>> = (0..200_000)
            .map(|_| Point::new(-0.5 + 7.0 * next(), -0.5 + 7.0 * next()))
            .collect();
        for c in areas
            .iter()
            .flat_map(|a| a.geometry.0.iter())
            .flat_map(|p| {
                p.exterior()
                    .0
                    .iter()
                    .chain(p.interiors().iter().flat_map(|r| r.0.iter()))
            })
        {
            for (dx, dy) in [(0.0, 0.0), (1e-12, 0.0), (-1e-12, 1e-12), (0.003, -0.004)] {
                points.push(Point::new(c.x + dx, c.y + dy));
                points.push(Point::new(c.x + dx, 3.0));
                points.push(Point::new(3.0, c.y + dy));
            }
        }
        let mut via_grid = 0;
        for p in points {
            let fast = index.containing(&areas, p);
            assert_eq!(fast, index.containing_exactly(&areas, p), "at {p:?}");
            via_grid += usize::from(index.pieces.get().unwrap().grid.covering(p).is_some());
        }
        // About (6/7)² of the random points fall on the grid (0..6 each way); nearly all of
        // those are in cells no boundary touches.
        assert!(
            via_grid > 140_000,
            "only {via_grid} points answered by the grid"
        );
    }

    #[test]
    fn point_in_a_hole_belongs_to_the_filling_area_only() {
        let areas = fixture();
        let index = SpatialIndex::build(&areas);
        assert_eq!(index.containing(&areas, Point::new(0.5, 0.5)), vec![1]);
        assert_eq!(index.containing(&areas, Point::new(0.2, 0.2)), vec![0]);
    }

    #[test]
    fn lookup_on_a_shared_border_returns_both_areas() {
        // Regression: `contains` answered no area for a point on a border; covers answers both.
        let areas = fixture();
        let index = SpatialIndex::build(&areas);
        assert_eq!(index.containing(&areas, Point::new(0.4, 0.5)), vec![0, 1]);
        assert_eq!(index.containing(&areas, Point::new(0.5, 0.6)), vec![0, 1]);
        assert_eq!(index.containing(&areas, Point::new(1.0, 0.5)), vec![0]);
        assert_eq!(
            index.containing(&areas, Point::new(1.0001, 0.5)),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn every_part_of_a_multipolygon_counts() {
        let areas = fixture();
        let index = SpatialIndex::build(&areas);
        assert_eq!(index.containing(&areas, Point::new(5.5, 5.5)), vec![2]);
        assert_eq!(index.containing(&areas, Point::new(5.5, 0.5)), vec![2]);
        assert!(index.containing(&areas, Point::new(5.5, 3.0)).is_empty());
    }

    #[test]
    fn envelope_hits_are_refined_by_the_true_geometry() {
        let areas = fixture();
        let index = SpatialIndex::build(&areas);
        assert!(index.containing(&areas, Point::new(2.6, 2.6)).is_empty());
        let inner_corner = Rect::new(Coord { x: 2.5, y: 2.5 }, Coord { x: 2.9, y: 2.9 });
        assert!(index.intersecting(&areas, inner_corner).is_empty());
        let arm = Rect::new(Coord { x: 2.5, y: 2.1 }, Coord { x: 2.9, y: 2.9 });
        assert_eq!(index.intersecting(&areas, arm), vec![3]);
    }

    #[test]
    fn a_point_on_a_vertical_edge_inside_a_chain_is_in_both_areas() {
        // Regression: geo's monotone query took only the segment ending at the lowest vertex
        // at a point's x, so the vertical step (1, 1)-(1, 2) of S's upper chain answered
        // "outside" for S: (-3.03027, 53.600603) on lad-2013 lacked E07000127.
        let s = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let t = polygon![(x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 0.0, y: 2.0)];
        let areas = vec![
            area("S", MultiPolygon::new(vec![s])),
            area("T", MultiPolygon::new(vec![t])),
        ];
        let index = SpatialIndex::build(&areas);
        for (x, y) in [(1.0, 1.5), (1.0, 2.0), (1.0, 1.0), (0.5, 1.0)] {
            assert_eq!(
                index.containing(&areas, Point::new(x, y)),
                vec![0, 1],
                "({x}, {y})"
            );
        }
        assert_eq!(index.containing(&areas, Point::new(1.5, 2.0)), vec![0]);
        assert_eq!(index.containing(&areas, Point::new(0.5, 1.5)), vec![1]);
        assert!(index.containing(&areas, Point::new(1.5, 2.0001)).is_empty());
    }

    #[test]
    fn degenerate_parts_never_make_a_lookup_panic() {
        // A real square with, as further parts, a zero-area ring (collinear points), a ring of
        // one repeated point, a ring with repeated points and a bow tie; and an area that is
        // only a collinear ring. Every lookup answers, and the square still answers exactly.
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)];
        let collinear =
            polygon![(x: 5.0, y: 0.0), (x: 6.0, y: 1.0), (x: 7.0, y: 2.0), (x: 5.0, y: 0.0)];
        let point = polygon![(x: 8.0, y: 8.0), (x: 8.0, y: 8.0), (x: 8.0, y: 8.0)];
        let repeated = polygon![(x: 5.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 5.0), (x: 6.0, y: 6.0), (x: 5.0, y: 5.0)];
        let bow_tie =
            polygon![(x: 0.0, y: 5.0), (x: 2.0, y: 7.0), (x: 2.0, y: 5.0), (x: 0.0, y: 7.0)];
        let line_only =
            polygon![(x: -3.0, y: 0.0), (x: -2.0, y: 0.0), (x: -1.0, y: 0.0), (x: -3.0, y: 0.0)];
        let areas = vec![
            area(
                "Q",
                MultiPolygon::new(vec![square, collinear, point, repeated, bow_tie]),
            ),
            area("L", MultiPolygon::new(vec![line_only])),
        ];
        let index = SpatialIndex::build(&areas);
        let mut answered = 0;
        for i in -40..=100 {
            for j in -10..=100 {
                let (x, y) = (f64::from(i) / 10.0, f64::from(j) / 10.0);
                let hits = index.containing(&areas, Point::new(x, y));
                let in_square = (0.0..=4.0).contains(&x) && (0.0..=4.0).contains(&y);
                assert!(hits.contains(&0) || !in_square, "({x}, {y}): {hits:?}");
                answered += 1;
            }
        }
        assert_eq!(answered, 141 * 111);
        assert_eq!(index.containing(&areas, Point::new(2.0, 2.0)), vec![0]);
        assert!(index.containing(&areas, Point::new(-0.5, 2.0)).is_empty());
        // On the zero-area parts' lines: boundary, so covered.
        assert_eq!(index.containing(&areas, Point::new(6.0, 1.0)), vec![0]);
        assert_eq!(index.containing(&areas, Point::new(-2.0, 0.0)), vec![1]);
        assert!(index.containing(&areas, Point::new(-2.0, 0.5)).is_empty());
        // The part with a repeated point is still a triangle.
        assert_eq!(index.containing(&areas, Point::new(5.9, 5.5)), vec![0]);
        assert!(index.containing(&areas, Point::new(5.1, 5.5)).is_empty());
    }

    #[test]
    fn bbox_over_everything_returns_all_in_order() {
        let areas = fixture();
        let index = SpatialIndex::build(&areas);
        let all = Rect::new(Coord { x: -1.0, y: -1.0 }, Coord { x: 10.0, y: 10.0 });
        assert_eq!(index.intersecting(&areas, all), vec![0, 1, 2, 3]);
    }
}
