//! Batch point lookup: a CSV or GeoJSON list of points, read as it arrives, and the same list
//! written back in its own format with, per layer, the codes and names of the areas covering
//! each point (input order, every other column or property kept).

mod csv_rows;
mod geojson;

use super::lookup::layers_named;
use super::ViewError;
use crate::catalog::{Catalog, Layer};
use geo::Point;
use std::io::Read;

/// The format of a batch, which is also the format of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A header row, then one point per row (lon/lat, or easting/northing in EPSG:27700).
    Csv,
    /// A FeatureCollection of Point features, or a MultiPoint.
    GeoJson,
}

impl Format {
    /// The media type of the answer.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::GeoJson => "application/geo+json",
        }
    }

    /// The format a body's first bytes suggest: GeoJSON if it opens with `{`, else CSV.
    pub fn sniff(first: &[u8]) -> Format {
        let first = first
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(first)
            .iter()
            .find(|b| !b.is_ascii_whitespace());
        match first {
            Some(b'{') => Format::GeoJson,
            _ => Format::Csv,
        }
    }
}

/// Why a batch is refused; nothing of it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchError {
    /// A malformed body, row or feature, or an unknown layer (400), naming line and column.
    Invalid(String),
    /// More points than `--max-lookup-points` (413).
    TooMany(String),
    /// The body could not be read (the client went away, or the server stopped reading it).
    Read(String),
}

impl From<ViewError> for BatchError {
    fn from(e: ViewError) -> BatchError {
        BatchError::Invalid(e.to_string())
    }
}

/// The column (CSV) or property (GeoJSON) names a lookup in `layers` adds, two per layer.
pub fn added_columns(layers: &[&Layer]) -> Vec<String> {
    layers
        .iter()
        .flat_map(|l| {
            let id = l.id().as_str();
            [format!("{id}_code"), format!("{id}_name")]
        })
        .collect()
}

/// A batch as read: its points in input order, and what is written back around them.
#[derive(Debug)]
pub struct Batch {
    /// Each row's or feature's point; `None` where the input gave none (empty cells, a null
    /// geometry), which is answered with empty columns.
    pub points: Vec<Option<Point<f64>>>,
    rows: Rows,
}

#[derive(Debug)]
enum Rows {
    Csv(csv_rows::Table),
    Features(Vec<geojson::InputFeature>),
    MultiPoint,
}

impl Batch {
    pub fn format(&self) -> Format {
        match self.rows {
            Rows::Csv(_) => Format::Csv,
            _ => Format::GeoJson,
        }
    }
}

/// Reads a batch of at most `max_points` points from `input` as it arrives, stopping at the
/// first fault; `added` are the names the answer adds, which the input may not already use.
pub fn read(
    input: impl Read,
    format: Format,
    added: &[String],
    max_points: usize,
) -> Result<Batch, BatchError> {
    match format {
        Format::Csv => csv_rows::read(input, added, max_points),
        Format::GeoJson => geojson::read(input, added, max_points),
    }
}

/// Looks up every point of `batch` in `layers` and writes the answer.
pub fn answer(catalog: &Catalog, batch: &Batch, layers: &[&Layer]) -> Vec<u8> {
    let mut lookup = Lookup::new(layers);
    match &batch.rows {
        Rows::Csv(table) => csv_rows::write(&mut lookup, batch, table),
        rows => geojson::write(catalog, &mut lookup, batch, rows),
    }
}

/// Resolves `layers=` (every layer when absent) for a batch.
pub fn layers<'a>(
    catalog: &'a Catalog,
    ids: Option<&[String]>,
) -> Result<Vec<&'a Layer>, BatchError> {
    Ok(layers_named(catalog, ids)?)
}

pub(super) fn read_error(e: std::io::Error) -> BatchError {
    BatchError::Read(e.to_string())
}

pub(super) fn too_many(max_points: usize, at: &str) -> BatchError {
    BatchError::TooMany(format!(
        "{at}: more than {max_points} points; a batch holds at most {max_points} (--max-lookup-points): split the list"
    ))
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Part {
    Code,
    Name,
}

/// The layers of a batch and one reusable buffer of hits per layer.
pub(super) struct Lookup<'a> {
    pub(super) layers: Vec<&'a Layer>,
    hits: Vec<Vec<usize>>,
}

impl<'a> Lookup<'a> {
    fn new(layers: &[&'a Layer]) -> Lookup<'a> {
        Lookup {
            layers: layers.to_vec(),
            hits: vec![Vec::new(); layers.len()],
        }
    }

    /// Finds the areas of layer `layer` covering `point` (none for no point).
    pub(super) fn find(&mut self, layer: usize, point: Option<Point<f64>>) {
        let (l, hits) = (self.layers[layer], &mut self.hits[layer]);
        match point {
            Some(p) => l.index.containing_into(&l.areas, p, hits),
            None => hits.clear(),
        }
    }

    /// Whether the last [`find`](Self::find) in layer `layer` found nothing.
    pub(super) fn none(&self, layer: usize) -> bool {
        self.hits[layer].is_empty()
    }

    /// The codes or names of what the last `find` in layer `layer` found, `;`-separated,
    /// appended to `out`.
    pub(super) fn join(&self, layer: usize, part: Part, out: &mut String) {
        let areas = &self.layers[layer].areas;
        for (k, &i) in self.hits[layer].iter().enumerate() {
            if k > 0 {
                out.push(';');
            }
            if let Some(a) = areas.get(i) {
                out.push_str(match part {
                    Part::Code => a.code.as_str(),
                    Part::Name => &a.name,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::views::fixture_catalog;

    fn run(body: &str, format: Format, layers: &[&str]) -> Result<String, BatchError> {
        let catalog = fixture_catalog();
        let ids: Vec<String> = layers.iter().map(|s| s.to_string()).collect();
        let layers = super::layers(catalog, Some(&ids))?;
        let batch = read(body.as_bytes(), format, &added_columns(&layers), 5)?;
        let out = answer(catalog, &batch, &layers);
        Ok(String::from_utf8(out).unwrap())
    }

    fn invalid(body: &str, format: Format) -> String {
        match run(body, format, &["squares"]) {
            Err(BatchError::Invalid(d)) => d,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn csv_rows_come_back_in_order_with_every_column_and_two_per_layer() {
        let body = "id,note,lat,lon\n1,\"in A, west\",52.2,-1.8\n2,border,52.5,-1.0\n3,hole,52.5,-1.5\n4,sea,40,-20\n5,no point,,\n";
        let out = run(body, Format::Csv, &["squares", "squares-2017"]).unwrap();
        assert_eq!(
            out,
            "id,note,lat,lon,squares_code,squares_name,squares-2017_code,squares-2017_name\n\
             1,\"in A, west\",52.2,-1.8,A,Alpha,AC,Alpha-Charlie\n\
             2,border,52.5,-1.0,A;C,Alpha;Charlie,AC,Alpha-Charlie\n\
             3,hole,52.5,-1.5,B,Bravo,AC,Alpha-Charlie\n\
             4,sea,40,-20,,,,\n\
             5,no point,,,,,,\n"
        );
    }

    #[test]
    fn csv_keeps_its_delimiter_and_byte_order_mark_and_reads_british_national_grid() {
        // (-1.8, 52.2) is about (445,970 E, 255,830 N).
        let (e, n) = crate::ogc::crs::to_bng(-1.8, 52.2).unwrap();
        let body = format!("\u{feff}Ref;Easting;Northing\nx;{e:.1};{n:.1}\n");
        let out = run(&body, Format::Csv, &["squares"]).unwrap();
        assert_eq!(
            out,
            format!(
                "\u{feff}Ref;Easting;Northing;squares_code;squares_name\nx;{e:.1};{n:.1};A;Alpha\n"
            )
        );
        let tabs = run("lng\tlatitude\n-1.8\t52.2\n", Format::Csv, &["squares"]).unwrap();
        assert_eq!(
            tabs,
            "lng\tlatitude\tsquares_code\tsquares_name\n-1.8\t52.2\tA\tAlpha\n"
        );
    }

    #[test]
    fn a_bad_csv_row_is_named_by_line_and_column() {
        assert_eq!(
            invalid("id,lon,lat\n1,-1.8,52.2\n2,west,52.2\n", Format::Csv),
            "line 3, column 2 (lon): 'west' is not a number"
        );
        assert_eq!(
            invalid("id,lon,lat\n1,-1.8,95\n", Format::Csv),
            "line 2, column 3 (lat): 95 is outside -90..90"
        );
        assert_eq!(
            invalid("id,lon,lat\n1,-1.8\n", Format::Csv),
            "line 2: 2 fields where the header has 3"
        );
        assert_eq!(
            invalid("id,lon,lat\n1,,52\n", Format::Csv),
            "line 2, column 2 (lon): empty while the other coordinate is given (leave both empty for a row without a point)"
        );
        assert!(invalid("id,x,y\n1,2,3\n", Format::Csv)
            .starts_with("line 1: no coordinate columns in the header (id, x, y)"));
        assert!(invalid("lon,lat,squares_code\n", Format::Csv)
            .starts_with("line 1, column 3: 'squares_code' is a column the lookup adds"));
        assert!(invalid("lon,longitude,lat\n", Format::Csv)
            .contains("columns 1 ('lon'), 2 ('longitude')"));
        assert!(invalid("easting,northing\n800000,1\n", Format::Csv)
            .starts_with("line 2, column 1 (easting): 800000 is outside the grid"));
    }

    #[test]
    fn more_points_than_the_limit_are_refused_at_the_first_one_over() {
        let rows: String = (0..6).map(|i| format!("{i},-1.8,52.2\n")).collect();
        match run(&format!("id,lon,lat\n{rows}"), Format::Csv, &["squares"]) {
            Err(BatchError::TooMany(d)) => {
                assert!(d.starts_with("line 7: more than 5 points"), "{d}")
            }
            other => panic!("{other:?}"),
        }
        let features = [r#"{"type":"Feature","geometry":null,"properties":{}}"#; 6].join(",");
        let body = format!(r#"{{"type":"FeatureCollection","features":[{features}]}}"#);
        match run(&body, Format::GeoJson, &["squares"]) {
            Err(BatchError::TooMany(d)) => {
                assert!(d.starts_with("features[5]: more than 5 points"), "{d}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn geojson_features_keep_id_geometry_and_properties_and_gain_two_per_layer() {
        let body = r#"{"type":"FeatureCollection","name":"sites","features":[
            {"type":"Feature","id":7,"geometry":{"type":"Point","coordinates":[-1.0,52.5]},"properties":{"site":"Border","n":1.50}},
            {"type":"Feature","geometry":null,"properties":null},
            {"type":"Feature","geometry":{"type":"Point","coordinates":[-20,40,12]},"properties":{}}]}"#;
        let out: serde_json::Value =
            serde_json::from_str(&run(body, Format::GeoJson, &["squares"]).unwrap()).unwrap();
        assert_eq!(out["type"], "FeatureCollection");
        assert_eq!(out["layers"], serde_json::json!(["squares"]));
        assert!(out["attribution"]
            .as_str()
            .unwrap()
            .contains("Test squares"));
        let f = out["features"].as_array().unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0]["id"], 7);
        assert_eq!(
            f[0]["geometry"]["coordinates"],
            serde_json::json!([-1.0, 52.5])
        );
        assert_eq!(
            f[0]["properties"],
            serde_json::json!({"site":"Border","n":1.5,"squares_code":"A;C","squares_name":"Alpha;Charlie"})
        );
        assert!(f[1]["geometry"].is_null());
        assert_eq!(
            f[1]["properties"],
            serde_json::json!({"squares_code":null,"squares_name":null})
        );
        assert_eq!(f[2]["properties"]["squares_code"], serde_json::Value::Null);
    }

    #[test]
    fn a_multipoint_comes_back_as_point_features_with_their_index() {
        let body = r#"{"type":"MultiPoint","coordinates":[[-1.5,52.5],[-1.8,52.2]]}"#;
        let out: serde_json::Value =
            serde_json::from_str(&run(body, Format::GeoJson, &["squares"]).unwrap()).unwrap();
        let f = out["features"].as_array().unwrap();
        assert_eq!(
            f[1]["geometry"],
            serde_json::json!({"type":"Point","coordinates":[-1.8,52.2]})
        );
        assert_eq!(
            f[0]["properties"],
            serde_json::json!({"index":0,"squares_code":"B","squares_name":"Bravo"})
        );
    }

    #[test]
    fn a_bad_feature_is_named_by_index_line_and_column() {
        let body = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[-1.8,52.2]},\"properties\":{}},\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[]},\"properties\":{}}\n]}";
        let d = invalid(body, Format::GeoJson);
        assert!(
            d.starts_with("features[1].geometry: a Polygon; each feature of a batch needs a Point"),
            "{d}"
        );
        // serde_json gives the position where it stopped: just past the feature.
        assert!(d.ends_with("at line 4 column 1"), "{d}");
        let d = invalid(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.8,99]}}]}"#,
            Format::GeoJson,
        );
        assert!(
            d.starts_with("features[0].geometry: lat: 99 is outside -90..90"),
            "{d}"
        );
        let d = invalid(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","#,
            Format::GeoJson,
        );
        assert!(d.contains("EOF while parsing"), "{d}");
        let d = invalid(r#"{"type":"Polygon","coordinates":[]}"#, Format::GeoJson);
        assert!(d.starts_with("a batch lookup takes a FeatureCollection of Point features or a MultiPoint, not a Polygon"), "{d}");
        let d = invalid(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"squares_name":1}}]}"#,
            Format::GeoJson,
        );
        assert!(
            d.starts_with("features[0]: the property 'squares_name' is one the lookup adds"),
            "{d}"
        );
        let d = invalid(
            r#"{"type":"MultiPoint","coordinates":[[1]]}"#,
            Format::GeoJson,
        );
        assert!(
            d.starts_with("coordinates[0]: a position is [lon, lat]"),
            "{d}"
        );
    }

    #[test]
    fn the_format_is_sniffed_from_the_first_byte() {
        assert_eq!(Format::sniff(b"\xEF\xBB\xBF  {\"type\""), Format::GeoJson);
        assert_eq!(Format::sniff(b"lon,lat"), Format::Csv);
        assert_eq!(Format::sniff(b""), Format::Csv);
    }
}
