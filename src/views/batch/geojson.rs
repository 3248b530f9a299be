//! Batches as GeoJSON: a FeatureCollection of Point features or a MultiPoint, read as it
//! streams (serde seeds that count and check each feature), written back feature by feature.

use super::{added_columns, Batch, BatchError, Lookup, Part, Rows};
use crate::catalog::Catalog;
use crate::views::lookup::check_point;
use geo::Point;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::cell::Cell;
use std::fmt;
use std::io::{BufReader, Read, Write};

/// One input feature: what is written back, and its point.
#[derive(Debug)]
pub(super) struct InputFeature {
    id: Option<Box<RawValue>>,
    geometry: Option<Box<RawValue>>,
    properties: serde_json::Map<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct RawFeature {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    id: Option<Box<RawValue>>,
    #[serde(default)]
    geometry: Option<Box<RawValue>>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawGeometry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    coordinates: Option<Vec<f64>>,
}

/// What the top-level visitor shares with its seeds.
struct Reading<'a> {
    added: &'a [String],
    max_points: usize,
    too_many: Cell<bool>,
}

pub(super) fn read(
    input: impl Read,
    added: &[String],
    max_points: usize,
) -> Result<Batch, BatchError> {
    let reading = Reading {
        added,
        max_points,
        too_many: Cell::new(false),
    };
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, input));
    let parsed = TopLevel(&reading)
        .deserialize(&mut de)
        .and_then(|batch| de.end().map(|()| batch));
    parsed.map_err(|e| {
        if e.is_io() {
            BatchError::Read(e.to_string())
        } else if reading.too_many.get() {
            BatchError::TooMany(e.to_string())
        } else {
            BatchError::Invalid(e.to_string())
        }
    })
}

struct TopLevel<'a>(&'a Reading<'a>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = Batch;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Batch, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Batch;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON FeatureCollection of Point features, or a MultiPoint")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Batch, A::Error> {
        let mut kind: Option<String> = None;
        let mut features = None;
        let mut coordinates = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "type" => kind = Some(map.next_value()?),
                "features" => features = Some(map.next_value_seed(Features(self.0))?),
                "coordinates" => coordinates = Some(map.next_value_seed(Positions(self.0))?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (kind.as_deref(), features, coordinates) {
            (Some("FeatureCollection"), Some((points, features)), _) => Ok(Batch {
                points,
                rows: Rows::Features(features),
            }),
            (Some("MultiPoint"), _, Some(points)) => Ok(Batch {
                points,
                rows: Rows::MultiPoint,
            }),
            (Some("FeatureCollection"), None, _) => {
                Err(de::Error::custom("a FeatureCollection without \"features\""))
            }
            (Some("MultiPoint"), _, None) => {
                Err(de::Error::custom("a MultiPoint without \"coordinates\""))
            }
            (Some(other), _, _) => Err(de::Error::custom(format!(
                "a batch lookup takes a FeatureCollection of Point features or a MultiPoint, not a {other}"
            ))),
            (None, _, _) => Err(de::Error::custom("no \"type\" member: a batch lookup takes a FeatureCollection of Point features or a MultiPoint")),
        }
    }
}

struct Features<'a>(&'a Reading<'a>);

impl<'de> DeserializeSeed<'de> for Features<'_> {
    type Value = (Vec<Option<Point<f64>>>, Vec<InputFeature>);
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Features<'_> {
    type Value = (Vec<Option<Point<f64>>>, Vec<InputFeature>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Point features")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let (mut points, mut features) = (Vec::new(), Vec::new());
        while let Some(raw) = seq.next_element::<RawFeature>()? {
            let i = features.len();
            if i == self.0.max_points {
                self.0.too_many.set(true);
                return Err(de::Error::custom(format!(
                    "features[{i}]: more than {0} points; a batch holds at most {0} (--max-lookup-points): split the list",
                    self.0.max_points
                )));
            }
            if raw.kind != "Feature" {
                return Err(de::Error::custom(format!(
                    "features[{i}]: a \"{}\" where a Feature belongs",
                    raw.kind
                )));
            }
            let properties = raw.properties.unwrap_or_default();
            if let Some(key) = properties
                .keys()
                .find(|k| self.0.added.iter().any(|a| a == *k))
            {
                return Err(de::Error::custom(format!(
                    "features[{i}]: the property '{key}' is one the lookup adds; rename it or leave that layer out of layers="
                )));
            }
            let point = match &raw.geometry {
                None => None,
                Some(g) => Some(
                    geometry_point(g)
                        .map_err(|m| de::Error::custom(format!("features[{i}].geometry: {m}")))?,
                ),
            };
            points.push(point);
            features.push(InputFeature {
                id: raw.id,
                geometry: raw.geometry,
                properties,
            });
        }
        Ok((points, features))
    }
}

/// The WGS84 point of a feature's geometry, which must be a Point.
fn geometry_point(raw: &RawValue) -> Result<Point<f64>, String> {
    let g: RawGeometry = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    if g.kind != "Point" {
        return Err(format!(
            "a {}; each feature of a batch needs a Point (a MultiPoint body takes many)",
            g.kind
        ));
    }
    position(g.coordinates.as_deref().unwrap_or_default())
}

fn position(coordinates: &[f64]) -> Result<Point<f64>, String> {
    match coordinates {
        [lon, lat] | [lon, lat, _] => check_point(*lon, *lat).map_err(|e| e.to_string()),
        _ => Err(format!(
            "a position is [lon, lat] or [lon, lat, height], not {} numbers",
            coordinates.len()
        )),
    }
}

struct Positions<'a>(&'a Reading<'a>);

impl<'de> DeserializeSeed<'de> for Positions<'_> {
    type Value = Vec<Option<Point<f64>>>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Positions<'_> {
    type Value = Vec<Option<Point<f64>>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of [lon, lat] positions")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut points = Vec::new();
        while let Some(p) = seq.next_element::<Vec<f64>>()? {
            let i = points.len();
            if i == self.0.max_points {
                self.0.too_many.set(true);
                return Err(de::Error::custom(format!(
                    "coordinates[{i}]: more than {0} points; a batch holds at most {0} (--max-lookup-points): split the list",
                    self.0.max_points
                )));
            }
            let point =
                position(&p).map_err(|m| de::Error::custom(format!("coordinates[{i}]: {m}")))?;
            points.push(Some(point));
        }
        Ok(points)
    }
}

/// Writes the GeoJSON answer: a FeatureCollection with one feature per input point, in order,
/// each with its id, geometry and properties as given and two properties per layer (a string,
/// several areas separated by `;`, or null where no area covers the point). A MultiPoint's
/// points become Point features with their `index`.
pub(super) fn write(
    catalog: &Catalog,
    lookup: &mut Lookup<'_>,
    batch: &Batch,
    rows: &Rows,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(batch.points.len() * 160);
    let ids: Vec<&str> = lookup.layers.iter().map(|l| l.id().as_str()).collect();
    let keys = added_columns(&lookup.layers);
    let mut attribution: Vec<&str> = Vec::new();
    for layer in &lookup.layers {
        for a in catalog.attribution(&layer.spec.attribution) {
            if !attribution.contains(&a.text.as_str()) {
                attribution.push(&a.text);
            }
        }
    }
    // Writing to a Vec cannot fail; the results are for the `Write` trait's sake.
    let _ = write!(
        out,
        r#"{{"type":"FeatureCollection","layers":{},"attribution":{},"numberReturned":{},"features":["#,
        json(&ids),
        json(&attribution.join("\n")),
        batch.points.len()
    );
    let mut cell = String::new();
    for (i, point) in batch.points.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(br#"{"type":"Feature","#);
        let mut properties = match rows {
            Rows::Features(features) => {
                let f = &features[i];
                if let Some(id) = &f.id {
                    let _ = write!(out, r#""id":{},"#, id.get());
                }
                let geometry = f.geometry.as_deref().map_or("null", RawValue::get);
                let _ = write!(out, r#""geometry":{geometry},"properties":"#);
                json(&f.properties)
            }
            _ => {
                let p = point.unwrap_or_else(|| Point::new(f64::NAN, f64::NAN));
                let _ = write!(
                    out,
                    r#""geometry":{{"type":"Point","coordinates":[{},{}]}},"properties":"#,
                    json(&p.x()),
                    json(&p.y())
                );
                format!(r#"{{"index":{i}}}"#)
            }
        };
        properties.pop(); // the closing brace
        out.extend_from_slice(properties.as_bytes());
        let mut first = properties.len() == 1;
        for layer in 0..lookup.layers.len() {
            lookup.find(layer, *point);
            for (part, key) in [Part::Code, Part::Name].into_iter().zip(&keys[layer * 2..]) {
                if !first {
                    out.push(b',');
                }
                first = false;
                let _ = write!(out, "{}:", json(key));
                if lookup.none(layer) {
                    out.extend_from_slice(b"null");
                } else {
                    cell.clear();
                    lookup.join(layer, part, &mut cell);
                    let _ = write!(out, "{}", json(&cell));
                }
            }
        }
        out.extend_from_slice(b"}}");
    }
    out.extend_from_slice(b"]}");
    out
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}
