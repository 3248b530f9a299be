//! Reading raw features from GeoJSON or FlatGeobuf files; the format follows the file name.

use super::LoadError;
use flatgeobuf::{FallibleStreamingIterator, FgbReader};
use geozero::{ColumnValue, FeatureProperties, PropertyProcessor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::path::Path;

/// A feature as read from a file, before validation.
#[derive(Debug, Clone)]
pub struct RawFeature {
    pub properties: Map<String, Value>,
    /// `Err` holds the reason the geometry could not be decoded.
    pub geometry: Result<geo::Geometry<f64>, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    GeoJson,
    FlatGeobuf,
}

impl SourceFormat {
    /// The format of a file, from its extension.
    pub fn of(path: &Path) -> Option<SourceFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "geojson" | "json" => Some(SourceFormat::GeoJson),
            "fgb" => Some(SourceFormat::FlatGeobuf),
            _ => None,
        }
    }
}

/// Reads every feature of a GeoJSON FeatureCollection or a FlatGeobuf file.
pub fn read_features(path: &Path) -> Result<Vec<RawFeature>, LoadError> {
    read_features_coded(path, "code", super::DEFAULT_MAX_FILE_BYTES)
}

/// As [`read_features`]; a feature that cannot be read is named by its `code_field` if it has
/// one. A file over `max_bytes` is refused (see [`super::read_bounded`]).
pub fn read_features_coded(
    path: &Path,
    code_field: &str,
    max_bytes: u64,
) -> Result<Vec<RawFeature>, LoadError> {
    match SourceFormat::of(path) {
        Some(SourceFormat::GeoJson) => read_geojson(path, code_field, max_bytes),
        // The flatbuffers reader asserts on some damaged files instead of returning an error
        // (found by the property tests): a panic there is a refusal of the file, not a crash.
        Some(SourceFormat::FlatGeobuf) => {
            super::catch_panic(path, || read_flatgeobuf(path, max_bytes)).map_err(|e| match e {
                LoadError::Panicked { path, message } => LoadError::FlatGeobuf {
                    path,
                    message: format!("damaged file: the reader failed ({message})"),
                },
                other => other,
            })
        }
        None => Err(LoadError::Table {
            path: path.to_path_buf(),
            problem: "unknown boundary format: expected a .geojson, .json or .fgb file".into(),
        }),
    }
}

#[derive(Deserialize)]
struct RawCollection<'a> {
    #[serde(rename = "type")]
    kind: String,
    #[serde(borrow)]
    features: Vec<&'a RawValue>,
}

fn read_geojson(
    path: &Path,
    code_field: &str,
    max_bytes: u64,
) -> Result<Vec<RawFeature>, LoadError> {
    let text = super::read_text_bounded(path, max_bytes)?;
    let collection: RawCollection =
        serde_json::from_str(&text).map_err(|e| LoadError::GeoJson {
            path: path.to_path_buf(),
            message: format!("expected a FeatureCollection: {e}"),
        })?;
    if collection.kind != "FeatureCollection" {
        return Err(LoadError::GeoJson {
            path: path.to_path_buf(),
            message: format!("expected type FeatureCollection, found {}", collection.kind),
        });
    }
    collection
        .features
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            let feature: geojson::Feature =
                serde_json::from_str(raw.get()).map_err(|e| LoadError::Feature {
                    path: path.to_path_buf(),
                    index,
                    code: code_of(raw.get(), code_field),
                    problem: format!("not a GeoJSON Feature: {e}"),
                })?;
            let geometry = match feature.geometry {
                None => Err("geometry is null".to_string()),
                Some(g) => check_geojson_geometry(&g.value).and_then(|()| {
                    geo::Geometry::<f64>::try_from(g.value).map_err(|e| e.to_string())
                }),
            };
            Ok(RawFeature {
                properties: feature.properties.unwrap_or_default(),
                geometry,
            })
        })
        .collect()
}

/// The code of a feature that does not parse as a Feature, if its JSON has one.
fn code_of(json: &str, code_field: &str) -> Option<String> {
    let value: Value = serde_json::from_str(json).ok()?;
    let code = value.get("properties")?.get(code_field)?.as_str()?.trim();
    (!code.is_empty()).then(|| code.to_string())
}

/// What geo would hide on conversion: positions of fewer than two numbers (the conversion
/// indexes them) and polygon rings whose last position is not their first (geo closes them
/// silently; RFC 7946 requires closed rings).
fn check_geojson_geometry(value: &geojson::Value) -> Result<(), String> {
    use geojson::Value as V;
    let positions = |ps: &[geojson::Position], what: &str| -> Result<(), String> {
        match ps.iter().position(|p| p.len() < 2) {
            Some(i) => Err(format!(
                "{what}: position {i} has {} numbers; a position needs [lon, lat]",
                ps.get(i).map_or(0, Vec::len)
            )),
            None => Ok(()),
        }
    };
    let polygon = |rings: &[Vec<geojson::Position>], what: &str| -> Result<(), String> {
        for (r, ring) in rings.iter().enumerate() {
            let ring_name = if r == 0 {
                format!("{what}exterior ring")
            } else {
                format!("{what}hole {}", r - 1)
            };
            positions(ring, &ring_name)?;
            if ring.first() != ring.last() {
                return Err(format!(
                    "{ring_name} is not closed: it starts at {:?} and ends at {:?} (a GeoJSON ring must end where it starts)",
                    ring.first().map_or(&[][..], Vec::as_slice),
                    ring.last().map_or(&[][..], Vec::as_slice)
                ));
            }
        }
        Ok(())
    };
    match value {
        V::Point(p) => positions(std::slice::from_ref(p), "point"),
        V::MultiPoint(ps) | V::LineString(ps) => positions(ps, "line"),
        V::MultiLineString(lines) => lines.iter().try_for_each(|l| positions(l, "line")),
        V::Polygon(rings) => polygon(rings, ""),
        V::MultiPolygon(polygons) => polygons
            .iter()
            .enumerate()
            .try_for_each(|(i, rings)| polygon(rings, &format!("polygon {i}: "))),
        V::GeometryCollection(members) => members
            .iter()
            .try_for_each(|g| check_geojson_geometry(&g.value)),
    }
}

fn read_flatgeobuf(path: &Path, max_bytes: u64) -> Result<Vec<RawFeature>, LoadError> {
    let bytes = super::read_bounded(path, max_bytes)?;
    let invalid = |e: flatgeobuf::Error| LoadError::FlatGeobuf {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut reader = std::io::Cursor::new(bytes);
    let mut iter = FgbReader::open(&mut reader)
        .map_err(invalid)?
        .select_all_seq()
        .map_err(invalid)?;
    let mut features = Vec::new();
    while let Some(feature) = iter.next().map_err(invalid)? {
        let mut properties = PropertiesToJson::default();
        feature
            .process_properties(&mut properties)
            .map_err(|e| LoadError::Feature {
                path: path.to_path_buf(),
                index: features.len(),
                code: None,
                problem: format!("unreadable attributes: {e}"),
            })?;
        let geometry = geozero::ToGeo::to_geo(feature).map_err(|e| e.to_string());
        features.push(RawFeature {
            properties: properties.0,
            geometry,
        });
    }
    Ok(features)
}

/// Collects FlatGeobuf columns into a JSON object, keeping their types.
#[derive(Default)]
struct PropertiesToJson(Map<String, Value>);

impl PropertyProcessor for PropertiesToJson {
    fn property(
        &mut self,
        _idx: usize,
        name: &str,
        value: &ColumnValue,
    ) -> geozero::error::Result<bool> {
        let json = match *value {
            ColumnValue::Byte(v) => Value::from(v),
            ColumnValue::UByte(v) => Value::from(v),
            ColumnValue::Bool(v) => Value::from(v),
            ColumnValue::Short(v) => Value::from(v),
            ColumnValue::UShort(v) => Value::from(v),
            ColumnValue::Int(v) => Value::from(v),
            ColumnValue::UInt(v) => Value::from(v),
            ColumnValue::Long(v) => Value::from(v),
            ColumnValue::ULong(v) => Value::from(v),
            ColumnValue::Float(v) => Value::from(f64::from(v)),
            ColumnValue::Double(v) => Value::from(v),
            ColumnValue::String(v) | ColumnValue::DateTime(v) => Value::from(v),
            ColumnValue::Json(v) => serde_json::from_str(v).unwrap_or_else(|_| Value::from(v)),
            ColumnValue::Binary(_) => Value::Null,
        };
        self.0.insert(name.to_string(), json);
        Ok(false)
    }
}
