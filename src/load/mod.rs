//! Stage 1: reading the manifest, boundary files and metrics tables, validating as it goes.

mod error;
mod features;
mod fingerprint;
mod manifest;
mod metrics_csv;
mod semantics;
mod source;
mod tables;
mod validate;
mod validity;

pub use error::{catch_panic, panic_message, LoadError};
pub use features::{read_features, read_features_coded, RawFeature, SourceFormat};
pub use fingerprint::{data_version, file_hash};
pub use manifest::{
    AttributionSpec, LayerSpec, Manifest, MatrixSpec, MetricsSpec, DEFAULT_MANIFEST,
    DEFAULT_MIN_MATCH,
};
pub use metrics_csv::{
    read_framework_groups, read_indicator_meta, read_matrix, read_metric_rows, Cell,
    FrameworkGroup, IndicatorMeta, MatrixRow, MetricRow, METRIC_COLUMNS,
};
pub use semantics::{read_semantics, Aggregation, IndicatorSemantics, MAX_DECIMALS};
pub use source::{
    open_nonblocking, read_bounded, read_regular_under, read_text_bounded, relative_to,
    SourceRules, DEFAULT_MAX_FILE_BYTES,
};
pub use tables::{MetricTables, SkippedTable};
pub use validate::{load_layer_areas, load_layer_areas_with, validate_features, MIN_RING_AREA_M2};
