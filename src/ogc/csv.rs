//! Features as CSV (RFC 4180, UTF-8, quoted by the `csv` crate): a header row, one row per
//! feature, the columns of [`table::columns`], and optionally the geometry as WKT.

use super::features::FeatureOptions;
use super::table::{self, Cell, EncodeError};
use crate::catalog::Layer;
use geo::{LineString, MultiPolygon};
use std::fmt::Write as _;

/// The name of the geometry column (`geometry=wkt`); GDAL's CSV driver reads it as geometry.
pub const WKT_COLUMN: &str = "WKT";

/// Writes the areas at `items` (indices into the layer) as CSV; `wkt` adds a last column with
/// the geometry (of the zoom band in `options.zoom`, if any) as WKT.
pub fn write_csv<'a>(
    layer: &'a Layer,
    items: &[usize],
    options: &FeatureOptions<'a>,
    wkt: bool,
) -> Result<Vec<u8>, EncodeError> {
    let columns = table::columns(layer, options);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    if wkt {
        header.push(WKT_COLUMN);
    }
    writer.write_record(&header)?;
    let mut record: Vec<String> = Vec::with_capacity(header.len());
    for &index in items {
        record.clear();
        for column in &columns {
            record.push(cell_text(table::cell(layer, index, column, options)));
        }
        if wkt {
            let geometry = table::geometry(layer, index, options)?;
            record.push(multipolygon_wkt(&geometry));
        }
        writer.write_record(&record)?;
    }
    writer
        .into_inner()
        .map_err(|e| EncodeError::Csv(e.into_error().into()))
}

/// A cell as CSV text: empty for null; numbers as in the GeoJSON (shortest round-trip form).
fn cell_text(cell: Cell<'_>) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Str(s) => s.into_owned(),
        Cell::Int(v) => v.to_string(),
        Cell::Long(v) => v.to_string(),
        Cell::Double(v) => serde_json::Value::from(v).to_string(),
        Cell::Bool(v) => v.to_string(),
    }
}

/// A multipolygon as WKT, coordinates in their shortest round-trip form.
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// let square = polygon![(x: 0.0, y: 0.0), (x: 1.5, y: 0.0), (x: 1.5, y: 1.0)];
/// assert_eq!(
///     smartspec::ogc::multipolygon_wkt(&MultiPolygon(vec![square])),
///     "MULTIPOLYGON (((0 0, 1.5 0, 1.5 1, 0 0)))"
/// );
/// ```
pub fn multipolygon_wkt(geometry: &MultiPolygon<f64>) -> String {
    if geometry.0.is_empty() {
        return "MULTIPOLYGON EMPTY".into();
    }
    let mut out = String::from("MULTIPOLYGON (");
    for (p, polygon) in geometry.0.iter().enumerate() {
        if p > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for (r, ring) in std::iter::once(polygon.exterior())
            .chain(polygon.interiors())
            .enumerate()
        {
            if r > 0 {
                out.push_str(", ");
            }
            ring_wkt(&mut out, ring);
        }
        out.push(')');
    }
    out.push(')');
    out
}

fn ring_wkt(out: &mut String, ring: &LineString<f64>) {
    out.push('(');
    for (i, c) in ring.0.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "{} {}", c.x, c.y);
    }
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ogc::MetricJoin;

    fn squares() -> &'static Layer {
        crate::views::fixture_catalog()
            .layer("squares")
            .expect("the fixture layer")
    }

    #[test]
    fn a_row_per_feature_with_the_metric_and_wkt_of_each_ring() {
        let layer = squares();
        let values = [Some(10.0), None, Some(2.5), None];
        let options = FeatureOptions {
            metric: Some(MetricJoin {
                indicator: "rd",
                year: 2015,
                unit: "Pounds",
                decimals: 1,
                values: &values,
            }),
            ..Default::default()
        };
        let body = write_csv(layer, &[0, 1, 3], &options, true).expect("CSV");
        let text = String::from_utf8(body).expect("UTF-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "code,name,kind,indicator,year,value,unit,WKT");
        assert_eq!(
            lines[1],
            "A,Alpha,square,rd,2015,10.0,Pounds,\"MULTIPOLYGON (((-2 52, -1 52, -1 53, -2 53, -2 52), (-1.6 52.4, -1.6 52.6, -1.4 52.6, -1.4 52.4, -1.6 52.4)))\""
        );
        assert!(
            lines[2].starts_with("B,Bravo,square,rd,2015,,Pounds,"),
            "{}",
            lines[2]
        );
        let d = lines[3];
        assert!(d.contains("MULTIPOLYGON ((("), "{d}");
        assert_eq!(d.matches(")), ((").count(), 1, "D has two parts: {d}");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn chosen_properties_come_after_code_and_name_once() {
        let keep = vec!["kind".to_string(), "code".to_string()];
        let options = FeatureOptions {
            properties: Some(&keep),
            ..Default::default()
        };
        let body = write_csv(squares(), &[2], &options, false).expect("CSV");
        assert_eq!(
            String::from_utf8(body).expect("UTF-8"),
            "code,name,kind\nC,Charlie,square\n"
        );
    }
}
