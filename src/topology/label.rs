//! Label points: where an area's name goes on the map. The pole of inaccessibility of the area's
//! largest polygon (Mapbox's polylabel: the interior point farthest from every ring), found by
//! subdividing grid cells in a priority queue until no cell can beat the best by more than the
//! precision. Longitudes are scaled by the cosine of the polygon's middle latitude first, so the
//! distances are (locally) isotropic and a label sits in the visual middle of a shape at 52°N.
//! The area that ranks labels is geodesic, on the WGS84 ellipsoid.

use geo::{BoundingRect, Coord, GeodesicArea, MultiPolygon, Polygon};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Where to put an area's label, and how big the area is (to prefer big areas' labels).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabelPoint {
    /// Longitude, latitude (CRS84).
    pub lon: f64,
    pub lat: f64,
    /// The whole area (every part, holes excluded), in square kilometres on the WGS84
    /// ellipsoid ([`geodesic_area_km2`]).
    pub area_km2: f64,
}

/// The precision of the search, in degrees of latitude (about 11 m), or a thousandth of the
/// polygon's size when that is smaller.
pub const LABEL_PRECISION_DEG: f64 = 1e-4;

/// The most cells examined for one polygon: a bound on the time a pathological ring can take.
const MAX_CELLS: usize = 200_000;

/// The label point of `area`: the pole of inaccessibility of its largest polygon (by area);
/// `None` for an empty geometry.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use smartspec::topology::label_point;
///
/// // An L shape: the label goes into the thick corner, not the centroid's notch.
/// let l = polygon![(x: 0.0, y: 52.0), (x: 1.0, y: 52.0), (x: 1.0, y: 52.2), (x: 0.2, y: 52.2),
///                  (x: 0.2, y: 53.0), (x: 0.0, y: 53.0)];
/// let label = label_point(&MultiPolygon(vec![l])).unwrap();
/// assert!(label.lon < 0.25 || label.lat < 52.25);
/// assert!(label.area_km2 > 1000.0);
/// ```
pub fn label_point(area: &MultiPolygon<f64>) -> Option<LabelPoint> {
    let largest = area.0.iter().max_by(|a, b| {
        scaled_area(a)
            .partial_cmp(&scaled_area(b))
            .unwrap_or(Ordering::Equal)
    })?;
    let point = pole_of_inaccessibility(largest, LABEL_PRECISION_DEG)?;
    Some(LabelPoint {
        lon: point.x,
        lat: point.y,
        area_km2: geodesic_area_km2(area),
    })
}

/// The geodesic area of `area` on the WGS84 ellipsoid (Karney 2013, geo's [`GeodesicArea`]), in
/// km²: each polygon's exterior minus its holes, summed over the polygons. The sign is dropped
/// per polygon, so the answer does not depend on the rings' winding.
fn geodesic_area_km2(area: &MultiPolygon<f64>) -> f64 {
    area.0
        .iter()
        .map(|polygon| polygon.geodesic_area_signed().abs())
        .sum::<f64>()
        / 1e6
}

/// The interior point of `polygon` farthest from its rings, to within `precision` degrees
/// (of latitude; longitudes are scaled by the cosine of the middle latitude); `None` for a
/// polygon without extent.
pub fn pole_of_inaccessibility(polygon: &Polygon<f64>, precision: f64) -> Option<Coord<f64>> {
    let rect = polygon.bounding_rect()?;
    let k = ((rect.min().y + rect.max().y) / 2.0)
        .to_radians()
        .cos()
        .max(1e-6);
    let rings: Vec<Vec<Coord<f64>>> = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .map(|ring| {
            ring.coords()
                .map(|c| Coord { x: c.x * k, y: c.y })
                .collect()
        })
        .collect();
    let (min, max) = (
        Coord {
            x: rect.min().x * k,
            y: rect.min().y,
        },
        Coord {
            x: rect.max().x * k,
            y: rect.max().y,
        },
    );
    let (width, height) = (max.x - min.x, max.y - min.y);
    let size = width.min(height);
    let unscale = |c: Coord<f64>| Coord { x: c.x / k, y: c.y };
    if size.is_nan() || size <= 0.0 {
        return polygon.exterior().0.first().copied();
    }
    let precision = precision.min(width.max(height) * 1e-3);
    let cell = |x: f64, y: f64, h: f64| Cell::new(Coord { x, y }, h, &rings);

    let mut queue = BinaryHeap::new();
    let h = size / 2.0;
    let mut x = min.x;
    while x < max.x {
        let mut y = min.y;
        while y < max.y {
            queue.push(cell(x + h, y + h, h));
            y += size;
        }
        x += size;
    }
    // Start from the middle of the box (an inside one beats it at once if it is outside).
    let mut best = cell(min.x + width / 2.0, min.y + height / 2.0, 0.0);
    let mut examined = queue.len();
    while let Some(c) = queue.pop() {
        if c.distance > best.distance {
            best = c;
        }
        if c.max - best.distance <= precision || examined >= MAX_CELLS {
            continue;
        }
        let h = c.half / 2.0;
        for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
            queue.push(cell(c.centre.x + dx, c.centre.y + dy, h));
        }
        examined += 4;
    }
    if best.distance <= 0.0 {
        // No cell centre fell inside (a sliver narrower than the grid): any vertex is better
        // than a point outside.
        return polygon.exterior().0.first().copied();
    }
    Some(unscale(best.centre))
}

/// The (scaled) planar area of a polygon, to pick the largest part.
fn scaled_area(p: &Polygon<f64>) -> f64 {
    let k = p
        .bounding_rect()
        .map_or(1.0, |r| ((r.min().y + r.max().y) / 2.0).to_radians().cos());
    geo::Area::unsigned_area(p) * k
}

/// A square cell: its centre, half its side, the signed distance from the centre to the rings
/// (positive inside) and the most any point of the cell can have.
#[derive(Clone, Copy)]
struct Cell {
    centre: Coord<f64>,
    half: f64,
    distance: f64,
    max: f64,
}

impl LabelPoint {
    pub fn point(&self) -> Coord<f64> {
        Coord {
            x: self.lon,
            y: self.lat,
        }
    }
}

impl Cell {
    fn new(centre: Coord<f64>, half: f64, rings: &[Vec<Coord<f64>>]) -> Cell {
        let distance = signed_distance(centre, rings);
        Cell {
            centre,
            half,
            distance,
            max: distance + half * std::f64::consts::SQRT_2,
        }
    }
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.max == other.max
    }
}
impl Eq for Cell {}
impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        self.max.total_cmp(&other.max)
    }
}

/// Distance from `p` to the nearest ring segment, positive inside the polygon (even-odd rule
/// over every ring), negative outside.
fn signed_distance(p: Coord<f64>, rings: &[Vec<Coord<f64>>]) -> f64 {
    let mut inside = false;
    let mut min_sq = f64::INFINITY;
    for ring in rings {
        for pair in ring.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
                inside = !inside;
            }
            min_sq = min_sq.min(segment_distance_sq(p, a, b));
        }
    }
    let d = min_sq.sqrt();
    if inside {
        d
    } else {
        -d
    }
}

fn segment_distance_sq(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (mut x, mut y) = (a.x, a.y);
    let (dx, dy) = (b.x - x, b.y - y);
    if dx != 0.0 || dy != 0.0 {
        let t = ((p.x - x) * dx + (p.y - y) * dy) / (dx * dx + dy * dy);
        if t > 1.0 {
            (x, y) = (b.x, b.y);
        } else if t > 0.0 {
            x += dx * t;
            y += dy * t;
        }
    }
    (p.x - x).powi(2) + (p.y - y).powi(2)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use geo::{polygon, Contains, LineString, Point};

    #[test]
    fn a_square_is_labelled_at_its_centre() {
        let sq = polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)];
        let c = pole_of_inaccessibility(&sq, 1e-6).unwrap();
        assert!(
            (c.x - 1.0).abs() < 1e-3 && (c.y - 1.0).abs() < 1e-3,
            "{c:?}"
        );
    }

    #[test]
    fn a_ring_with_a_hole_is_labelled_in_the_ring_not_the_hole() {
        let ring = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 8.0, y: 2.0), (x: 8.0, y: 8.0), (x: 2.0, y: 8.0)]],
        );
        let c = pole_of_inaccessibility(&ring, 1e-4).unwrap();
        assert!(
            ring.contains(&Point::from(c)),
            "{c:?} lies in the hole or outside"
        );
    }

    #[test]
    fn the_area_takes_holes_away_and_adds_parts() {
        // Regression: the area was ChamberlainDuquette's over the whole MultiPolygon, which
        // added the hole (UKI2 Outer London: 1,910.5 km² for 1,272.9). A 1° square at the
        // equator is 12,308.8 km² on WGS84 (pyproj: Geod(ellps="WGS84").polygon_area_perimeter
        // gives 12308778361 m²); its hole, the half-degree square in the
        // middle, 3,077.2 km² (3077164137 m²), is taken away whatever the rings' winding.
        let square = |x0: f64, y0: f64, side: f64| {
            LineString::from(vec![
                (x0, y0),
                (x0 + side, y0),
                (x0 + side, y0 + side),
                (x0, y0 + side),
                (x0, y0),
            ])
        };
        let outer = square(0.0, 0.0, 1.0);
        let hole = square(0.25, 0.25, 0.5);
        let mut hole_cw = hole.clone();
        hole_cw.0.reverse();
        let with_hole = MultiPolygon(vec![Polygon::new(outer.clone(), vec![hole_cw])]);
        assert!((geodesic_area_km2(&with_hole) - (12_308.778 - 3_077.164)).abs() < 0.01);
        let mut outer_cw = outer.clone();
        outer_cw.0.reverse();
        let wound_the_other_way = MultiPolygon(vec![Polygon::new(outer_cw, vec![hole.clone()])]);
        assert!((geodesic_area_km2(&wound_the_other_way) - 9_231.614).abs() < 0.01);
        let two_parts = MultiPolygon(vec![
            Polygon::new(outer, vec![]),
            Polygon::new(hole, vec![]),
        ]);
        assert!((geodesic_area_km2(&two_parts) - (12_308.778 + 3_077.164)).abs() < 0.01);
        let label = label_point(&with_hole).unwrap();
        assert_eq!(label.area_km2, geodesic_area_km2(&with_hole));
    }

    #[test]
    fn the_largest_part_of_a_multipolygon_carries_the_label() {
        let small =
            polygon![(x: 0.0, y: 50.0), (x: 0.1, y: 50.0), (x: 0.1, y: 50.1), (x: 0.0, y: 50.1)];
        let big =
            polygon![(x: 1.0, y: 50.0), (x: 2.0, y: 50.0), (x: 2.0, y: 51.0), (x: 1.0, y: 51.0)];
        let label = label_point(&MultiPolygon(vec![small, big.clone()])).unwrap();
        assert!(big.contains(&Point::from(label.point())));
    }
}
