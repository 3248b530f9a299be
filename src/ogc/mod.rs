//! Stage 5: OGC API Features documents and GeoJSON, as bytes; no HTTP here.

mod collections;
mod features;
pub mod html;
mod links;
pub mod queryables;

pub use collections::{
    collection_json, collections_json, conformance_json, landing_json, CONFORMANCE, OPENAPI,
    SCHEMA_JSON,
};
pub use features::{
    feature_collection, single_feature, FeatureOptions, Generalisation, MetricJoin, Page,
};
pub use links::Link;
