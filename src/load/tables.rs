//! Reading every table the manifest names: metrics, indicator metadata, groups and matrices.

use super::{
    read_framework_groups, read_indicator_meta, read_matrix, read_metric_rows, FrameworkGroup,
    IndicatorMeta, LoadError, Manifest, MatrixRow, MatrixSpec, MetricRow, MetricsSpec,
};
use crate::model::Geography;
use std::path::{Path, PathBuf};

/// All tabular inputs, read and parsed but not yet joined.
#[derive(Debug)]
pub struct MetricTables {
    pub tables: Vec<(MetricsSpec, PathBuf, Vec<MetricRow>)>,
    pub indicator_meta: Vec<(Geography, IndicatorMeta)>,
    pub framework_groups: Vec<FrameworkGroup>,
    pub matrices: Vec<(MatrixSpec, PathBuf, Vec<MatrixRow>)>,
}

impl MetricTables {
    pub fn read(manifest: &Manifest, data_dir: &Path) -> Result<MetricTables, LoadError> {
        let tables = manifest
            .metrics
            .iter()
            .map(|spec| {
                let path = data_dir.join(&spec.file);
                let rows = read_metric_rows(&path)?;
                Ok((spec.clone(), path, rows))
            })
            .collect::<Result<_, LoadError>>()?;
        let matrices = manifest
            .matrices
            .iter()
            .map(|spec| {
                let path = data_dir.join(&spec.file);
                let rows = read_matrix(&path)?;
                Ok((spec.clone(), path, rows))
            })
            .collect::<Result<_, LoadError>>()?;
        Ok(MetricTables {
            tables,
            indicator_meta: read_indicator_meta(&data_dir.join(&manifest.indicators))?,
            framework_groups: read_framework_groups(&data_dir.join(&manifest.framework_groups))?,
            matrices,
        })
    }
}
