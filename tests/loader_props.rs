//! Property tests for the CSV, GeoJSON and FlatGeobuf loaders: whatever the bytes, they load or
//! give an error naming the file; they never panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use serde_json::{json, Value};
use smartspec::load::{
    read_features, read_framework_groups, read_indicator_meta, read_metric_rows, validate_features,
    DEFAULT_MAX_FILE_BYTES,
};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

static N: AtomicUsize = AtomicUsize::new(0);

/// A fresh file with these bytes (the file name ends `name`).
fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smartspec-props-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}-{name}", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn uk() -> geo::Rect<f64> {
    geo::Rect::new(
        geo::Coord { x: -9.0, y: 49.0 },
        geo::Coord { x: 2.5, y: 61.0 },
    )
}

/// Errors name the file they are about.
fn names_file<T>(result: Result<T, smartspec::load::LoadError>, path: &std::path::Path) {
    if let Err(e) = result {
        let text = e.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
    }
}

/// CSV-ish text: the metrics header, then lines of fields drawn from troublesome pieces.
fn csv_text() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        Just(String::new()),
        Just("2016".to_string()),
        Just("E37000001".to_string()),
        Just("1.5".to_string()),
        Just("inf".to_string()),
        Just("NaN".to_string()),
        Just("\"".to_string()),
        Just("\"a,b\"".to_string()),
        "[ -~]{0,8}",
        "\\PC{0,4}",
    ];
    let line = prop::collection::vec(field, 0..7).prop_map(|f| f.join(","));
    (
        prop::bool::ANY,
        prop::collection::vec(line, 0..8),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    )
        .prop_map(|(header, lines, eol)| {
            let mut text = if header {
                format!("indicator,year,code,code_vintage,value{eol}")
            } else {
                String::new()
            };
            text.push_str(&lines.join(eol));
            text
        })
}

/// A position: usually two numbers, sometimes fewer, more, or not numbers at all.
fn position() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => (-10.0f64..3.0, 48.0f64..62.0).prop_map(|(x, y)| json!([x, y])),
        1 => prop::collection::vec(-200.0f64..200.0, 0..4).prop_map(|v| json!(v)),
        1 => Just(json!(["a", null])),
    ]
}

fn ring() -> impl Strategy<Value = Value> {
    (prop::collection::vec(position(), 0..7), prop::bool::ANY).prop_map(|(mut ps, close)| {
        if close {
            if let Some(first) = ps.first().cloned() {
                ps.push(first);
            }
        }
        Value::Array(ps)
    })
}

fn geometry() -> impl Strategy<Value = Value> {
    let rings = || prop::collection::vec(ring(), 0..3);
    prop_oneof![
        rings().prop_map(|r| json!({"type": "Polygon", "coordinates": r})),
        prop::collection::vec(rings(), 0..3)
            .prop_map(|p| json!({"type": "MultiPolygon", "coordinates": p})),
        position().prop_map(|p| json!({"type": "Point", "coordinates": p})),
        prop::collection::vec(position(), 0..4)
            .prop_map(|l| json!({"type": "LineString", "coordinates": l})),
        Just(Value::Null),
        Just(json!({"type": "Polygon"})),
        Just(
            json!({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1.0]}]})
        ),
    ]
}

fn feature() -> impl Strategy<Value = Value> {
    (geometry(), prop::option::of("[A-C]{1,2}"), prop::bool::ANY).prop_map(
        |(geometry, code, named)| {
            let mut props = serde_json::Map::new();
            if let Some(code) = code {
                props.insert("code".into(), json!(code));
            }
            if named {
                props.insert("name".into(), json!("Somewhere"));
            }
            json!({"type": "Feature", "properties": props, "geometry": geometry})
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn csv_readers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let path = temp("any.csv", &bytes);
        names_file(read_metric_rows(&path, DEFAULT_MAX_FILE_BYTES), &path);
        names_file(read_indicator_meta(&path, DEFAULT_MAX_FILE_BYTES), &path);
        names_file(read_framework_groups(&path, DEFAULT_MAX_FILE_BYTES), &path);
    }

    #[test]
    fn metric_rows_load_or_fail_with_file_and_line(text in csv_text()) {
        let path = temp("metrics.csv", text.as_bytes());
        match read_metric_rows(&path, DEFAULT_MAX_FILE_BYTES) {
            Ok(rows) => {
                for row in rows {
                    prop_assert!(row.line >= 2);
                    prop_assert!(!row.indicator.as_str().is_empty());
                }
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.contains(&path.display().to_string()), "{}", text);
            }
        }
    }

    #[test]
    fn geojson_reader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let path = temp("any.geojson", &bytes);
        names_file(read_features(&path), &path);
    }

    #[test]
    fn geojson_features_load_or_fail_naming_the_feature(features in prop::collection::vec(feature(), 0..5)) {
        let text = json!({"type": "FeatureCollection", "features": features}).to_string();
        let path = temp("fc.geojson", text.as_bytes());
        let result = read_features(&path)
            .and_then(|raw| validate_features(&path, raw, "code", "name", uk()));
        match result {
            Ok(areas) => {
                prop_assert_eq!(areas.len(), features.len());
                for area in &areas {
                    prop_assert!(geo::Validation::is_valid(&area.geometry));
                }
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.contains(&path.display().to_string()), "{}", text);
                if !features.is_empty() {
                    prop_assert!(text.contains(": feature ") || text.contains("not valid GeoJSON"), "{}", text);
                }
            }
        }
    }

    #[test]
    fn flatgeobuf_reader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let path = temp("any.fgb", &bytes);
        names_file(read_features(&path), &path);
    }

    /// A real FlatGeobuf (the fixture squares) with bytes overwritten, cut short or spliced:
    /// it loads (and then validates or is refused naming a feature) or is refused naming the file.
    #[test]
    fn a_damaged_flatgeobuf_loads_or_fails_naming_the_file(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = squares_fgb().to_vec();
        for (at, byte) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let path = temp("damaged.fgb", &bytes);
        let result = read_features(&path)
            .and_then(|raw| validate_features(&path, raw, "code", "name", uk()));
        match result {
            Ok(areas) => {
                for area in &areas {
                    prop_assert!(geo::Validation::is_valid(&area.geometry));
                }
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(text.contains(&path.display().to_string()), "{}", text);
            }
        }
    }
}

/// The fixture FlatGeobuf, read once.
fn squares_fgb() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/boundaries/squares.fgb"
        ))
        .unwrap()
    })
}
