//! Features as FlatGeobuf: MultiPolygons in EPSG:4326, the columns of [`table::columns`] typed
//! (String, Int, Long, Double, Bool), and a packed Hilbert R-tree index, so GDAL and QGIS can
//! read a bbox without the whole file.

use super::features::FeatureOptions;
use super::table::{self, Cell, ColumnKind, EncodeError};
use crate::catalog::Layer;
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};

/// Writes the areas at `items` (indices into the layer) as a FlatGeobuf file with its spatial
/// index, named after the layer; the geometry is the zoom band's if `options.zoom` names one.
pub fn write_fgb<'a>(
    layer: &'a Layer,
    items: &[usize],
    options: &FeatureOptions<'a>,
) -> Result<Vec<u8>, EncodeError> {
    let fail = |e: &dyn std::fmt::Display| EncodeError::FlatGeobuf(e.to_string());
    let columns = table::columns(layer, options);
    let mut fgb = FgbWriter::create_with_options(
        layer.id().as_str(),
        GeometryType::MultiPolygon,
        FgbWriterOptions {
            write_index: true,
            detect_type: false,
            promote_to_multi: true,
            crs: FgbCrs {
                org: Some("EPSG"),
                code: 4326,
                ..Default::default()
            },
            title: Some(layer.spec.title.as_str()),
            description: Some(layer.spec.description.as_str()),
            ..Default::default()
        },
    )
    .map_err(|e| fail(&e))?;
    for column in &columns {
        let kind = match column.kind {
            ColumnKind::String => ColumnType::String,
            ColumnKind::Int => ColumnType::Int,
            ColumnKind::Long => ColumnType::Long,
            ColumnKind::Double => ColumnType::Double,
            ColumnKind::Bool => ColumnType::Bool,
        };
        fgb.add_column(&column.name, kind, |_, c| c.nullable = true);
    }
    for &index in items {
        let geometry =
            geo::Geometry::MultiPolygon(table::geometry(layer, index, options)?.into_owned());
        let mut failed: Option<String> = None;
        fgb.add_feature_geom(geometry, |feature| {
            for (i, column) in columns.iter().enumerate() {
                let cell = table::cell(layer, index, column, options);
                let value = match &cell {
                    Cell::Null => continue,
                    Cell::Str(s) => ColumnValue::String(s.as_ref()),
                    Cell::Int(v) => ColumnValue::Int(*v),
                    Cell::Long(v) => ColumnValue::Long(*v),
                    Cell::Double(v) => ColumnValue::Double(*v),
                    Cell::Bool(v) => ColumnValue::Bool(*v),
                };
                if let Err(e) = feature.property(i, &column.name, &value) {
                    failed.get_or_insert(e.to_string());
                }
            }
        })
        .map_err(|e| fail(&e))?;
        if let Some(e) = failed {
            return Err(fail(&e));
        }
    }
    let mut out = Vec::new();
    fgb.write(&mut out).map_err(|e| fail(&e))?;
    Ok(out)
}
