//! Reading every table the manifest names: metrics, indicator metadata, groups and matrices.

use super::{
    read_framework_groups, read_indicator_meta, read_matrix, read_metric_rows, read_semantics,
    FrameworkGroup, IndicatorMeta, IndicatorSemantics, LoadError, Manifest, MatrixRow, MatrixSpec,
    MetricRow, MetricsSpec,
};
use crate::model::Geography;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// All tabular inputs, read and parsed but not yet joined.
#[derive(Debug)]
pub struct MetricTables {
    pub tables: Vec<(MetricsSpec, PathBuf, Vec<MetricRow>)>,
    /// Optional tables left out because they were empty or too small.
    pub skipped: Vec<SkippedTable>,
    /// `indicators.csv`, with each row's line.
    pub indicators_path: PathBuf,
    pub indicator_meta: Vec<(u64, Geography, IndicatorMeta)>,
    pub framework_groups: Vec<FrameworkGroup>,
    /// The semantics table, with each row's line.
    pub semantics_path: PathBuf,
    pub semantics: Vec<(u64, IndicatorSemantics)>,
    pub matrices: Vec<(MatrixSpec, PathBuf, Vec<MatrixRow>)>,
}

/// An optional metrics table that was not served, and why.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedTable {
    pub table: String,
    pub file: String,
    pub reason: String,
}

impl MetricTables {
    /// Reads every table; a file over `max_bytes` is refused.
    pub fn read(
        manifest: &Manifest,
        manifest_path: &Path,
        data_dir: &Path,
        max_bytes: u64,
    ) -> Result<MetricTables, LoadError> {
        let mut tables = Vec::new();
        let mut skipped = Vec::new();
        for spec in &manifest.metrics {
            let path = data_dir.join(&spec.file);
            let bytes = std::fs::metadata(&path)
                .map_err(|source| LoadError::Io {
                    path: path.clone(),
                    source,
                })?
                .len();
            // A 0-byte file has no header to check: it is short of rows like a header-only one.
            let rows = if bytes == 0 {
                Vec::new()
            } else {
                read_metric_rows(&path, max_bytes)?
            };
            match too_few_rows(spec, bytes, rows.len()) {
                None => tables.push((spec.clone(), path, rows)),
                Some(reason) if spec.optional => {
                    tracing::warn!(table = %spec.id, file = %path.display(), %reason, "optional metrics table skipped");
                    skipped.push(SkippedTable {
                        table: spec.id.clone(),
                        file: spec.file.display().to_string(),
                        reason,
                    });
                }
                Some(reason) => {
                    return Err(LoadError::Table {
                        path,
                        problem: format!(
                            "{reason} (metrics '{}'; mark it `optional = true` in the manifest if it may be empty)",
                            spec.id
                        ),
                    })
                }
            }
        }
        let matrices = manifest
            .matrices
            .iter()
            .map(|spec| {
                let path = data_dir.join(&spec.file);
                let rows = read_matrix(&path, max_bytes)?;
                Ok((spec.clone(), path, rows))
            })
            .collect::<Result<_, LoadError>>()?;
        let indicators_path = data_dir.join(&manifest.indicators);
        let semantics_path = manifest.semantics_path(manifest_path);
        Ok(MetricTables {
            semantics: read_semantics(&semantics_path)?,
            semantics_path,
            tables,
            skipped,
            indicator_meta: read_indicator_meta(&indicators_path, max_bytes)?,
            indicators_path,
            framework_groups: read_framework_groups(
                &data_dir.join(&manifest.framework_groups),
                max_bytes,
            )?,
            matrices,
        })
    }
}

/// Why a table with `rows` data rows is short of what its manifest entry expects, if it is.
fn too_few_rows(spec: &MetricsSpec, bytes: u64, rows: usize) -> Option<String> {
    let wanted = spec.required_rows();
    if rows >= wanted {
        return None;
    }
    let expected = match spec.min_rows {
        Some(n) => format!("expected at least {n} (min_rows)"),
        None => "expected at least one".to_string(),
    };
    Some(if bytes == 0 {
        format!("empty file (0 bytes): no header and no data rows; {expected}")
    } else if rows == 0 {
        format!("header only: no data rows; {expected}")
    } else {
        format!("only {rows} data rows; {expected}")
    })
}
