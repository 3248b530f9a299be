//! Stage 5: OGC API Features documents and feature encodings (GeoJSON, CSV, FlatGeobuf), as
//! bytes; no HTTP here.

mod collections;
pub mod crs;
mod csv;
mod features;
mod fgb;
mod format;
pub mod html;
mod links;
pub mod queryables;
mod table;

pub use self::csv::{multipolygon_wkt, write_csv, WKT_COLUMN};
pub use collections::{
    collection_json, collections_json, conformance_json, landing_json, Collections, CONFORMANCE,
    OPENAPI, SCHEMA_JSON,
};
pub use crs::{Crs, CrsError};
pub use features::{
    feature_collection, feature_properties, single_feature, FeatureOptions, Generalisation,
    MetricJoin, Page,
};
pub use fgb::write_fgb;
pub use format::{Format, F_VALUES};
pub use links::{Link, CSV, FLATGEOBUF, GEOJSON};
pub use table::EncodeError;
