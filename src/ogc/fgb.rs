//! Features as FlatGeobuf: MultiPolygons in EPSG:4326, the columns of [`table::columns`] typed
//! (String, Int, Long, Double, Bool), and a packed Hilbert R-tree index, so GDAL and QGIS can
//! read a bbox without the whole file.

use super::crs::Crs;
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
                code: match options.crs {
                    Crs::Crs84 => 4326,
                    Crs::Bng => 27700,
                },
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    use std::io::Cursor;

    #[test]
    fn squares_read_back_with_their_index_columns_and_crs() {
        let layer = crate::views::fixture_catalog().layer("squares").unwrap();
        let body = write_fgb(layer, &[0, 1, 2, 3], &FeatureOptions::default()).unwrap();
        let reader = FgbReader::open(Cursor::new(body.as_slice())).unwrap();
        let header = reader.header();
        assert_eq!(header.features_count(), 4);
        assert!(header.index_node_size() > 0);
        assert_eq!(header.crs().map(|c| c.code()), Some(4326));
        assert_eq!(header.geometry_type(), GeometryType::MultiPolygon);
        let columns: Vec<(String, ColumnType)> = header
            .columns()
            .unwrap()
            .iter()
            .map(|c| (c.name().to_string(), c.type_()))
            .collect();
        assert_eq!(
            columns,
            [
                ("code".to_string(), ColumnType::String),
                ("name".to_string(), ColumnType::String),
                ("kind".to_string(), ColumnType::String),
            ]
        );
        // D's second part (0..1, 52..53) is the only geometry east of 0.2.
        let mut iter = reader.select_bbox(0.2, 52.2, 0.8, 52.8).unwrap();
        let mut found = Vec::new();
        while let Some(feature) = iter.next().unwrap() {
            found.push(feature.property::<String>("code").unwrap());
        }
        assert_eq!(found, ["D"]);
    }
}
