//! Domain types shared by every stage: typed ids, geography levels, areas and their property types.

mod area;
mod geometry_json;
mod ids;
mod properties;

pub use area::Area;
pub use geometry_json::multipolygon_json;
pub use ids::{AreaCode, Geography, IndicatorId, LayerId};
pub use properties::{properties, Property, PropertyType};
