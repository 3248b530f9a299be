//! Features as a table, shared by the CSV and FlatGeobuf writers: typed columns (`code`, `name`,
//! the chosen properties, the joined metric), cell values and the geometry of the zoom band.

use super::crs::Crs;
use super::features::FeatureOptions;
use crate::catalog::Layer;
use geo::{Coord, MapCoords, MultiPolygon};
use serde_json::Value;
use std::borrow::Cow;

/// Why a table could not be encoded (a server fault: the data were validated at load).
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing FlatGeobuf: {0}")]
    FlatGeobuf(String),
    #[error("generalised geometry of feature {index} of layer {layer}: {message}")]
    Geometry {
        layer: String,
        index: usize,
        message: String,
    },
}

/// The type of a column, inferred over every area of the layer (so every page of a layer has
/// the same schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    String,
    /// 32-bit integer (the metric's year).
    Int,
    /// 64-bit integer.
    Long,
    Double,
    Bool,
}

/// Where a column's values come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Code,
    Name,
    Property,
    Indicator,
    Year,
    Value,
    Unit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    source: Source,
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Str(Cow<'a, str>),
    Int(i32),
    Long(i64),
    Double(f64),
    Bool(bool),
}

/// The columns: `code`, `name`, then the properties (those of `options.properties` in that
/// order, else every property of the layer in file order, without `code` and `name`), then
/// `indicator`, `year`, `value`, `unit` when a metric is joined (as in GeoJSON).
pub fn columns(layer: &Layer, options: &FeatureOptions<'_>) -> Vec<Column> {
    let mut out = vec![
        Column {
            name: "code".into(),
            kind: ColumnKind::String,
            source: Source::Code,
        },
        Column {
            name: "name".into(),
            kind: ColumnKind::String,
            source: Source::Name,
        },
    ];
    let names: Vec<String> = match options.properties {
        Some(keep) => keep.to_vec(),
        None => {
            let mut names: Vec<String> = Vec::new();
            for area in &layer.areas {
                for key in area.properties.keys() {
                    if !names.contains(key) {
                        names.push(key.clone());
                    }
                }
            }
            names
        }
    };
    for name in names {
        if name == "code" || name == "name" || out.iter().any(|c| c.name == name) {
            continue;
        }
        let kind = property_kind(layer, &name);
        out.push(Column {
            name,
            kind,
            source: Source::Property,
        });
    }
    if options.metric.is_some() {
        for (name, kind, source) in [
            ("indicator", ColumnKind::String, Source::Indicator),
            ("year", ColumnKind::Int, Source::Year),
            ("value", ColumnKind::Double, Source::Value),
            ("unit", ColumnKind::String, Source::Unit),
        ] {
            out.retain(|c| c.name != name);
            out.push(Column {
                name: name.into(),
                kind,
                source,
            });
        }
    }
    out
}

/// The narrowest type holding every value of property `name` across the layer: Bool, Long,
/// Double, else String (also for a property that is always null or mixes kinds).
fn property_kind(layer: &Layer, name: &str) -> ColumnKind {
    let (mut bools, mut longs, mut doubles, mut strings) = (0, 0, 0, 0);
    for value in layer.areas.iter().filter_map(|a| a.properties.get(name)) {
        match value {
            Value::Null => {}
            Value::Bool(_) => bools += 1,
            Value::Number(n) if n.is_i64() => longs += 1,
            Value::Number(_) => doubles += 1,
            _ => strings += 1,
        }
    }
    match (bools, longs, doubles, strings) {
        (b, 0, 0, 0) if b > 0 => ColumnKind::Bool,
        (0, l, 0, 0) if l > 0 => ColumnKind::Long,
        (0, _, d, 0) if d > 0 => ColumnKind::Double,
        _ => ColumnKind::String,
    }
}

/// The value of `column` for the area at `index`.
pub fn cell<'a>(
    layer: &'a Layer,
    index: usize,
    column: &Column,
    options: &FeatureOptions<'a>,
) -> Cell<'a> {
    let Some(area) = layer.areas.get(index) else {
        return Cell::Null;
    };
    match column.source {
        Source::Code => Cell::Str(Cow::Borrowed(area.code.as_str())),
        Source::Name => Cell::Str(Cow::Borrowed(&area.name)),
        Source::Property => match area.properties.get(&column.name) {
            None | Some(Value::Null) => Cell::Null,
            Some(value) => typed_cell(value, column.kind),
        },
        Source::Indicator => options
            .metric
            .map_or(Cell::Null, |m| Cell::Str(Cow::Borrowed(m.indicator))),
        Source::Year => options.metric.map_or(Cell::Null, |m| Cell::Int(m.year)),
        Source::Value => options
            .metric
            .and_then(|m| m.values.get(index).copied().flatten())
            .map_or(Cell::Null, Cell::Double),
        Source::Unit => options
            .metric
            .map_or(Cell::Null, |m| Cell::Str(Cow::Borrowed(m.unit))),
    }
}

fn typed_cell(value: &Value, kind: ColumnKind) -> Cell<'_> {
    let cell = match kind {
        ColumnKind::Bool => value.as_bool().map(Cell::Bool),
        ColumnKind::Long => value.as_i64().map(Cell::Long),
        ColumnKind::Int => value
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .map(Cell::Int),
        ColumnKind::Double => value.as_f64().map(Cell::Double),
        ColumnKind::String => Some(match value {
            Value::String(s) => Cell::Str(Cow::Borrowed(s)),
            other => Cell::Str(Cow::Owned(other.to_string())),
        }),
    };
    cell.unwrap_or(Cell::Null)
}

/// The geometry served for the area at `index`: the zoom band's if `options.zoom` names one,
/// else full resolution, in `options.crs` (British National Grid rounded to the millimetre).
pub fn geometry<'a>(
    layer: &'a Layer,
    index: usize,
    options: &FeatureOptions<'a>,
) -> Result<Cow<'a, MultiPolygon<f64>>, EncodeError> {
    let stored = stored_geometry(layer, index, options)?;
    match options.crs {
        Crs::Crs84 => Ok(stored),
        Crs::Bng => stored
            .try_map_coords(|c| {
                crate::ogc::crs::to_bng(c.x, c.y).map(|(x, y)| Coord {
                    x: (x * 1000.0).round() / 1000.0,
                    y: (y * 1000.0).round() / 1000.0,
                })
            })
            .map(Cow::Owned)
            .map_err(|e| EncodeError::Geometry {
                layer: layer.id().to_string(),
                index,
                message: e.to_string(),
            }),
    }
}

fn stored_geometry<'a>(
    layer: &'a Layer,
    index: usize,
    options: &FeatureOptions<'a>,
) -> Result<Cow<'a, MultiPolygon<f64>>, EncodeError> {
    let fail = |message: String| EncodeError::Geometry {
        layer: layer.id().to_string(),
        index,
        message,
    };
    let area = layer
        .areas
        .get(index)
        .ok_or_else(|| fail("no such feature".into()))?;
    let Some(json) = options.zoom.and_then(|z| z.band_geometry_json(index)) else {
        return Ok(Cow::Borrowed(&area.geometry));
    };
    let parsed: geojson::Geometry =
        serde_json::from_str(json.get()).map_err(|e| fail(e.to_string()))?;
    match geo::Geometry::<f64>::try_from(parsed.value).map_err(|e| fail(e.to_string()))? {
        geo::Geometry::MultiPolygon(mp) => Ok(Cow::Owned(mp)),
        geo::Geometry::Polygon(p) => Ok(Cow::Owned(MultiPolygon(vec![p]))),
        _ => Err(fail("not a (multi)polygon".into())),
    }
}
