//! Stage 1: reading the manifest, boundary files and metrics tables, validating as it goes.

mod error;
mod features;
mod fingerprint;
mod manifest;
mod metrics_csv;
mod tables;
mod validate;

pub use error::LoadError;
pub use features::{read_features, RawFeature, SourceFormat};
pub use fingerprint::{data_version, file_hash};
pub use manifest::{
    AttributionSpec, LayerSpec, Manifest, MatrixSpec, MetricsSpec, DEFAULT_MANIFEST,
};
pub use metrics_csv::{
    read_framework_groups, read_indicator_meta, read_matrix, read_metric_rows, Cell,
    FrameworkGroup, IndicatorMeta, MatrixRow, MetricRow,
};
pub use tables::MetricTables;
pub use validate::{load_layer_areas, validate_features};
