//! Stage 5: OGC API Features documents and GeoJSON, as bytes; no HTTP here.

mod collections;
pub mod crs;
mod features;
mod links;

pub use collections::{
    collection_json, collections_json, conformance_json, landing_json, CONFORMANCE,
};
pub use crs::{Crs, CrsError};
pub use features::{
    feature_collection, single_feature, FeatureOptions, Generalisation, MetricJoin, Page,
};
pub use links::Link;
