//! Domain types shared by every stage: typed ids, geography levels and areas.

mod area;
mod geometry_json;
mod ids;

pub use area::Area;
pub use geometry_json::multipolygon_json;
pub use ids::{AreaCode, Geography, IndicatorId, LayerId};
