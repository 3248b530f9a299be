//! An R-tree over area envelopes, with exact geometry tests for bbox and point queries; point
//! queries go through an R-tree of the areas' monotone pieces (O(log n) per piece).

use crate::model::Area;
use geo::{BoundingRect, Intersects, MonoPoly, Point, Rect};
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
    pieces: Vec<(usize, MonoPoly<f64>)>,
}

impl PointIndex {
    fn build(areas: &[Area]) -> PointIndex {
        let pieces: Vec<(usize, MonoPoly<f64>)> = areas
            .iter()
            .enumerate()
            .flat_map(|(i, area)| {
                geo::monotone_subdivision(area.geometry.0.iter().cloned())
                    .into_iter()
                    .map(move |piece| (i, piece))
            })
            .collect();
        let entries = pieces
            .iter()
            .enumerate()
            .map(|(k, (_, piece))| {
                let r = piece.bounding_rect();
                Entry::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    k,
                )
            })
            .collect();
        PointIndex {
            tree: RTree::bulk_load(entries),
            pieces,
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
        let index = self.pieces.get_or_init(|| PointIndex::build(areas));
        let mut hits: Vec<usize> = index
            .tree
            .locate_all_at_point(&[point.x(), point.y()])
            .filter_map(|e| index.pieces.get(e.data))
            .filter(|(_, piece)| piece.intersects(&point.0))
            .map(|(i, _)| *i)
            .collect();
        hits.sort_unstable();
        hits.dedup();
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
    fn bbox_over_everything_returns_all_in_order() {
        let areas = fixture();
        let index = SpatialIndex::build(&areas);
        let all = Rect::new(Coord { x: -1.0, y: -1.0 }, Coord { x: 10.0, y: 10.0 });
        assert_eq!(index.intersecting(&areas, all), vec![0, 1, 2, 3]);
    }
}
