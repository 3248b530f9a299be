//! Turning raw features into validated areas: geometry type, coordinates, codes and names.

use super::{read_features_coded, LoadError, RawFeature};
use crate::model::{Area, AreaCode};
use geo::{Coord, MultiPolygon, Polygon, Rect};
use std::collections::HashSet;
use std::path::Path;

/// Reads a boundary file and validates every feature; the first problem stops the load.
pub fn load_layer_areas(
    path: &Path,
    code_field: &str,
    name_field: &str,
    bounds: Rect<f64>,
) -> Result<Vec<Area>, LoadError> {
    load_layer_areas_with(
        path,
        code_field,
        name_field,
        bounds,
        true,
        super::DEFAULT_MAX_FILE_BYTES,
    )
}

/// As [`load_layer_areas`]; `simple_features: false` skips only the OGC simple-features check
/// (the costly one), for a file whose exact bytes passed it before (see `catalog`); a file over
/// `max_bytes` is refused.
pub fn load_layer_areas_with(
    path: &Path,
    code_field: &str,
    name_field: &str,
    bounds: Rect<f64>,
    simple_features: bool,
    max_bytes: u64,
) -> Result<Vec<Area>, LoadError> {
    let features = read_features_coded(path, code_field, max_bytes)?;
    check_features(
        path,
        features,
        code_field,
        name_field,
        bounds,
        simple_features,
    )
}

/// Validates raw features: polygonal, finite coordinates inside `bounds` (which catches a
/// lon/lat swap), closed rings of at least four points, valid under geo's `Validation` (no
/// self-intersection, holes inside their shell, parts not overlapping), every ring enclosing at
/// least [`MIN_RING_AREA_M2`], and unique non-empty codes and names. The areas come back sorted
/// by code.
pub fn validate_features(
    path: &Path,
    features: Vec<RawFeature>,
    code_field: &str,
    name_field: &str,
    bounds: Rect<f64>,
) -> Result<Vec<Area>, LoadError> {
    check_features(path, features, code_field, name_field, bounds, true)
}

fn check_features(
    path: &Path,
    features: Vec<RawFeature>,
    code_field: &str,
    name_field: &str,
    bounds: Rect<f64>,
    simple_features: bool,
) -> Result<Vec<Area>, LoadError> {
    if features.is_empty() {
        return Err(LoadError::EmptyLayer {
            path: path.to_path_buf(),
        });
    }
    let mut seen = HashSet::new();
    let mut areas = Vec::with_capacity(features.len());
    for (index, feature) in features.into_iter().enumerate() {
        let code_text = feature
            .properties
            .get(code_field)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .unwrap_or("")
            .to_string();
        let fail = |problem: String| LoadError::Feature {
            path: path.to_path_buf(),
            index,
            code: (!code_text.is_empty()).then(|| code_text.clone()),
            problem,
        };
        if code_text.is_empty() {
            return Err(fail(format!(
                "missing or empty code field '{code_field}' (a non-empty string is required)"
            )));
        }
        if !seen.insert(code_text.clone()) {
            return Err(fail(format!("code '{code_text}' appears more than once")));
        }
        let name = match feature.properties.get(name_field).and_then(|v| v.as_str()) {
            Some(name) if !name.trim().is_empty() => name.trim().to_string(),
            _ => return Err(fail(format!("missing or empty name field '{name_field}'"))),
        };
        let geometry = feature
            .geometry
            .map_err(|e| fail(format!("bad geometry: {e}")))?;
        let geometry = polygonal(geometry).map_err(&fail)?;
        check_geometry(&geometry, bounds).map_err(&fail)?;
        if simple_features {
            super::validity::check_multipolygon(&geometry)
                .map_err(|e| fail(format!("invalid geometry (OGC simple features): {e}")))?;
        }
        check_ring_areas(&geometry).map_err(&fail)?;
        let mut properties = feature.properties;
        // Every served feature carries `code` and `name`, whatever the source fields are called.
        properties
            .entry("code")
            .or_insert_with(|| code_text.clone().into());
        properties
            .entry("name")
            .or_insert_with(|| name.clone().into());
        let area = Area::new(AreaCode::new(code_text.clone()), name, properties, geometry)
            .map_err(|e| fail(format!("geometry does not serialise as GeoJSON: {e}")))?;
        areas.push(area);
    }
    // Code order, so that a layer serves the same sequence whatever its file format or order.
    areas.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(areas)
}

fn polygonal(geometry: geo::Geometry<f64>) -> Result<MultiPolygon<f64>, String> {
    match geometry {
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        other => Err(format!(
            "geometry is a {}, but only Polygon and MultiPolygon are served",
            geometry_kind(&other)
        )),
    }
}

fn geometry_kind(geometry: &geo::Geometry<f64>) -> &'static str {
    match geometry {
        geo::Geometry::Point(_) => "Point",
        geo::Geometry::Line(_) => "Line",
        geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::Polygon(_) => "Polygon",
        geo::Geometry::MultiPoint(_) => "MultiPoint",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::GeometryCollection(_) => "GeometryCollection",
        geo::Geometry::Rect(_) => "Rect",
        geo::Geometry::Triangle(_) => "Triangle",
    }
}

fn check_geometry(geometry: &MultiPolygon<f64>, bounds: Rect<f64>) -> Result<(), String> {
    if geometry.0.is_empty() {
        return Err("geometry is empty".into());
    }
    for (part, polygon) in geometry.0.iter().enumerate() {
        check_polygon(polygon, bounds).map_err(|e| format!("polygon {part}: {e}"))?;
    }
    Ok(())
}

fn check_polygon(polygon: &Polygon<f64>, bounds: Rect<f64>) -> Result<(), String> {
    let rings = std::iter::once(("exterior ring".to_string(), polygon.exterior())).chain(
        polygon
            .interiors()
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("hole {i}"), r)),
    );
    for (label, ring) in rings {
        // geo closes rings on construction, so a ring needs 4 positions to enclose anything.
        if ring.0.len() < 4 {
            return Err(format!(
                "{label} has {} positions; a closed ring needs at least 4",
                ring.0.len()
            ));
        }
        for c in &ring.0 {
            check_coord(*c, bounds).map_err(|e| format!("{label}: {e}"))?;
        }
    }
    Ok(())
}

/// Every ring of every part must enclose at least [`MIN_RING_AREA_M2`]. Run after the
/// simple-features check, so that a self-intersecting ring (a bow-tie, whose lobes cancel) is
/// named as such.
fn check_ring_areas(geometry: &MultiPolygon<f64>) -> Result<(), String> {
    for (part, polygon) in geometry.0.iter().enumerate() {
        let rings = std::iter::once(("exterior ring".to_string(), polygon.exterior())).chain(
            polygon
                .interiors()
                .iter()
                .enumerate()
                .map(|(i, r)| (format!("hole {i}"), r)),
        );
        for (label, ring) in rings {
            let area = ring_area_m2(ring);
            if area < MIN_RING_AREA_M2 {
                return Err(format!(
                    "polygon {part}: {label} encloses {area:.3} m², less than the {MIN_RING_AREA_M2} m² a ring needs: its positions are collinear or nearly so (a zero-area part or hole)"
                ));
            }
        }
    }
    Ok(())
}

/// The least area a ring must enclose. The real boundaries are quantised to about 1e-6° (0.1 m)
/// and their smallest ring encloses 8.4 m²; a ring under 1 m² is a line or a point drawn as a
/// polygon, which geo's validity rules let through and its point-in-polygon code cannot take.
pub const MIN_RING_AREA_M2: f64 = 1.0;

/// A ring's planar area in square metres: the shoelace sum taken relative to its first
/// position (so no precision is lost to the size of the coordinates), scaled by the length of a
/// degree at the ring's mean latitude. Close enough to tell a degenerate ring from a real one.
fn ring_area_m2(ring: &geo::LineString<f64>) -> f64 {
    const METRES_PER_DEGREE: f64 = 111_320.0;
    let Some(origin) = ring.0.first() else {
        return 0.0;
    };
    let twice_area: f64 = ring
        .lines()
        .map(|l| {
            let (a, b) = (l.start - *origin, l.end - *origin);
            a.x * b.y - b.x * a.y
        })
        .sum();
    let mean_lat = ring.0.iter().map(|c| c.y).sum::<f64>() / ring.0.len() as f64;
    (twice_area / 2.0).abs() * METRES_PER_DEGREE * METRES_PER_DEGREE * mean_lat.to_radians().cos()
}

fn check_coord(c: Coord<f64>, bounds: Rect<f64>) -> Result<(), String> {
    if !c.x.is_finite() || !c.y.is_finite() {
        return Err(format!("non-finite coordinate ({}, {})", c.x, c.y));
    }
    if !(-180.0..=180.0).contains(&c.x) || !(-90.0..=90.0).contains(&c.y) {
        return Err(format!(
            "coordinate ({}, {}) is not a WGS84 lon/lat position",
            c.x, c.y
        ));
    }
    let (min, max) = (bounds.min(), bounds.max());
    if c.x < min.x || c.x > max.x || c.y < min.y || c.y > max.y {
        let swapped = (min.x..=max.x).contains(&c.y) && (min.y..=max.y).contains(&c.x);
        return Err(format!(
            "coordinate ({}, {}) lies outside the expected bounds [{}, {}, {}, {}]{}",
            c.x,
            c.y,
            min.x,
            min.y,
            max.x,
            max.y,
            if swapped {
                "; longitude and latitude look swapped (GeoJSON order is [lon, lat])"
            } else {
                ""
            }
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn uk() -> Rect<f64> {
        Rect::new(Coord { x: -9.0, y: 49.0 }, Coord { x: 2.5, y: 61.0 })
    }

    fn raw(props: serde_json::Value, geometry: Result<geo::Geometry<f64>, String>) -> RawFeature {
        RawFeature {
            properties: props.as_object().cloned().unwrap_or_default(),
            geometry,
        }
    }

    fn square(x: f64, y: f64) -> geo::Geometry<f64> {
        geo::Geometry::Polygon(
            Rect::new(
                Coord { x, y },
                Coord {
                    x: x + 0.1,
                    y: y + 0.1,
                },
            )
            .to_polygon(),
        )
    }

    fn validate(features: Vec<RawFeature>) -> Result<Vec<Area>, LoadError> {
        validate_features(Path::new("f.geojson"), features, "code", "name", uk())
    }

    #[test]
    fn accepts_polygons_and_makes_them_multipolygons() {
        let areas = validate(vec![raw(
            json!({"code": "A", "name": "Alpha"}),
            Ok(square(-1.0, 52.0)),
        )])
        .unwrap();
        assert_eq!(areas[0].geometry.0.len(), 1);
        assert_eq!(areas[0].code.as_str(), "A");
    }

    #[test]
    fn a_swapped_coordinate_is_named_as_such() {
        let err = validate(vec![raw(
            json!({"code": "A", "name": "Alpha"}),
            Ok(square(52.0, -1.0)),
        )])
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("f.geojson: feature 0 (code A): polygon 0: exterior ring"),
            "{text}"
        );
        assert!(text.contains("look swapped"), "{text}");
    }

    #[test]
    fn a_duplicate_code_names_the_second_feature() {
        let f = || {
            raw(
                json!({"code": "A", "name": "Alpha"}),
                Ok(square(-1.0, 52.0)),
            )
        };
        let err = validate(vec![f(), f()]).unwrap_err();
        assert!(
            err.to_string()
                .contains("feature 1 (code A): code 'A' appears more than once"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_code_or_name_is_an_error() {
        let err =
            validate(vec![raw(json!({"name": "Alpha"}), Ok(square(-1.0, 52.0)))]).unwrap_err();
        assert!(
            err.to_string()
                .contains("feature 0: missing or empty code field 'code'"),
            "{err}"
        );
        let err = validate(vec![raw(json!({"code": "A"}), Ok(square(-1.0, 52.0)))]).unwrap_err();
        assert!(
            err.to_string()
                .contains("missing or empty name field 'name'"),
            "{err}"
        );
    }

    #[test]
    fn a_point_is_rejected_with_its_type() {
        let point = geo::Geometry::Point(geo::Point::new(-1.0, 52.0));
        let err =
            validate(vec![raw(json!({"code": "A", "name": "Alpha"}), Ok(point))]).unwrap_err();
        assert!(err.to_string().contains("geometry is a Point"), "{err}");
    }

    #[test]
    fn non_finite_and_degenerate_rings_are_rejected() {
        let nan = geo::Geometry::Polygon(Polygon::new(
            vec![(-1.0, 52.0), (f64::NAN, 52.0), (-1.0, 53.0), (-1.0, 52.0)].into(),
            vec![],
        ));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(nan))]).unwrap_err();
        assert!(err.to_string().contains("non-finite"), "{err}");
        let line = geo::Geometry::Polygon(Polygon::new(
            vec![(-1.0, 52.0), (-1.0, 53.0)].into(),
            vec![],
        ));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(line))]).unwrap_err();
        assert!(err.to_string().contains("needs at least 4"), "{err}");
    }

    #[test]
    fn a_collinear_part_or_hole_is_rejected_naming_the_part() {
        // One real square and a second part whose three distinct positions lie on one line.
        let line_part = Polygon::new(
            vec![(0.0, 52.0), (0.5, 52.5), (1.0, 53.0), (0.0, 52.0)].into(),
            vec![],
        );
        let parts = geo::Geometry::MultiPolygon(MultiPolygon::new(vec![
            Rect::new(Coord { x: -1.0, y: 52.0 }, Coord { x: -0.5, y: 52.5 }).to_polygon(),
            line_part,
        ]));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(parts))]).unwrap_err();
        assert!(
            err.to_string().starts_with(
                "f.geojson: feature 0 (code A): polygon 1: exterior ring encloses 0.000 m²"
            ),
            "{err}"
        );
        assert!(err.to_string().contains("collinear"), "{err}");
        // A sliver hole 1e-7° wide (0.8 m² over 0.001°) is near-zero too.
        let shell = Rect::new(Coord { x: -1.0, y: 52.0 }, Coord { x: -0.5, y: 52.5 }).to_polygon();
        let sliver = vec![
            (-0.8, 52.2),
            (-0.799, 52.2),
            (-0.799, 52.2000001),
            (-0.8, 52.2000001),
            (-0.8, 52.2),
        ];
        let holed =
            geo::Geometry::Polygon(Polygon::new(shell.exterior().clone(), vec![sliver.into()]));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(holed))]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("f.geojson: feature 0 (code A): polygon 0: hole 0 encloses 0."),
            "{err}"
        );
        // A triangle of 6 m², smaller than the smallest real ring (8.4 m²), is above the floor.
        let small = Polygon::new(
            vec![
                (-1.0, 52.0),
                (-0.99996, 52.0),
                (-1.0, 52.00004),
                (-1.0, 52.0),
            ]
            .into(),
            vec![],
        );
        assert!((5.5..6.5).contains(&ring_area_m2(small.exterior())));
        validate(vec![raw(
            json!({"code": "A", "name": "A"}),
            Ok(geo::Geometry::Polygon(small)),
        )])
        .unwrap();
    }

    #[test]
    fn a_bow_tie_is_rejected_with_geo_s_reason() {
        let bow_tie = geo::Geometry::Polygon(Polygon::new(
            vec![
                (-1.0, 52.0),
                (0.0, 53.0),
                (0.0, 52.0),
                (-1.0, 53.0),
                (-1.0, 52.0),
            ]
            .into(),
            vec![],
        ));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(bow_tie))]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "f.geojson: feature 0 (code A): invalid geometry (OGC simple features): polygon at index 0 is invalid: exterior ring has a self-intersection"
        );
    }

    #[test]
    fn overlapping_parts_and_a_hole_outside_its_shell_are_rejected() {
        let sq = |x: f64, y: f64, d: f64| {
            Rect::new(Coord { x, y }, Coord { x: x + d, y: y + d }).to_polygon()
        };
        let parts = geo::Geometry::MultiPolygon(MultiPolygon::new(vec![
            sq(-1.0, 52.0, 0.5),
            sq(0.5, 52.0, 0.1),
            sq(-0.8, 52.2, 0.5),
        ]));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(parts))]).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("polygons at indices 0 and 2 overlap"),
            "{err}"
        );
        let touching = geo::Geometry::MultiPolygon(MultiPolygon::new(vec![
            sq(-1.0, 52.0, 0.5),
            sq(-0.5, 52.0, 0.5),
        ]));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(touching))]).unwrap_err();
        assert!(err.to_string().ends_with("touch on a line"), "{err}");
        let outside = geo::Geometry::Polygon(Polygon::new(
            sq(-1.0, 52.0, 0.5).exterior().clone(),
            vec![sq(0.0, 52.0, 0.1).exterior().clone()],
        ));
        let err = validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(outside))]).unwrap_err();
        assert!(
            err.to_string()
                .contains("interior ring at index 0 is not contained"),
            "{err}"
        );
        // Apart parts, and parts meeting at a corner only, are valid.
        let corner = geo::Geometry::MultiPolygon(MultiPolygon::new(vec![
            sq(-1.0, 52.0, 0.5),
            sq(-0.5, 52.5, 0.5),
            sq(1.0, 54.0, 0.5),
        ]));
        validate(vec![raw(json!({"code": "A", "name": "A"}), Ok(corner))]).unwrap();
    }

    #[test]
    fn an_empty_layer_is_an_error() {
        assert!(matches!(
            validate(vec![]),
            Err(LoadError::EmptyLayer { .. })
        ));
    }
}
