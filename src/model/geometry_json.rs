//! GeoJSON text for an area's geometry, written once at load and reused by every response.

use geo::{LineString, MultiPolygon};
use std::fmt::Write;

/// Writes a MultiPolygon as compact GeoJSON, `[lon, lat]` order, shortest round-trip numbers.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// let mp = MultiPolygon::new(vec![polygon![(x: 0.5, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 2.0)]]);
/// assert_eq!(
///     smartspec::model::multipolygon_json(&mp),
///     r#"{"type":"MultiPolygon","coordinates":[[[[0.5,1],[1,1],[1,2],[0.5,1]]]]}"#
/// );
/// ```
pub fn multipolygon_json(geometry: &MultiPolygon<f64>) -> String {
    let mut out = String::with_capacity(64 + 24 * geo::CoordsIter::coords_count(geometry));
    out.push_str(r#"{"type":"MultiPolygon","coordinates":["#);
    for (p, polygon) in geometry.0.iter().enumerate() {
        if p > 0 {
            out.push(',');
        }
        out.push('[');
        write_ring(&mut out, polygon.exterior());
        for ring in polygon.interiors() {
            out.push(',');
            write_ring(&mut out, ring);
        }
        out.push(']');
    }
    out.push_str("]}");
    out
}

fn write_ring(out: &mut String, ring: &LineString<f64>) {
    out.push('[');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "[{},{}]", c.x, c.y);
    }
    out.push(']');
}
