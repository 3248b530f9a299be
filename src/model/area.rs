//! One area of a boundary layer: its code, name, attributes and geometry.

use super::{multipolygon_json, AreaCode};
use geo::{BoundingRect, CoordsIter, MultiPolygon, Rect};
use serde_json::value::RawValue;

/// An area as loaded and validated: geometry in WGS84 lon/lat.
#[derive(Debug, Clone)]
pub struct Area {
    pub code: AreaCode,
    pub name: String,
    /// The source feature's attributes (scalars only), in file order.
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub geometry: MultiPolygon<f64>,
    /// The geometry as GeoJSON, serialised once.
    pub geometry_json: Box<RawValue>,
}

impl Area {
    /// An area with its geometry's GeoJSON; an error if that is not valid JSON (a non-finite
    /// coordinate, which validation rejects first), never a silent `null` geometry.
    pub fn new(
        code: AreaCode,
        name: String,
        properties: serde_json::Map<String, serde_json::Value>,
        geometry: MultiPolygon<f64>,
    ) -> Result<Area, serde_json::Error> {
        let geometry_json = RawValue::from_string(multipolygon_json(&geometry))?;
        Ok(Area {
            code,
            name,
            properties,
            geometry,
            geometry_json,
        })
    }

    /// The geometry's bounding box; `None` only for an empty geometry, which validation rejects.
    pub fn bbox(&self) -> Option<Rect<f64>> {
        self.geometry.bounding_rect()
    }

    pub fn vertex_count(&self) -> usize {
        self.geometry.coords_count()
    }
}
