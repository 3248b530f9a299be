//! Loading: GeoJSON and FlatGeobuf twins agree, and a bad file stops the load with a clear error.

use crate::common::{copy_dir, data_dir, fixtures, repo};
use smartspec::catalog::Catalog;
use smartspec::load::{load_layer_areas, Manifest};
use smartspec::model::Area;
use std::path::Path;

fn uk() -> geo::Rect<f64> {
    Manifest::read(&repo().join("boundaries/layers.toml"))
        .unwrap()
        .bounds_rect()
}

fn summary(areas: &[Area]) -> Vec<(String, String, usize, serde_json::Value)> {
    areas
        .iter()
        .map(|a| {
            let mut props = a.properties.clone();
            // FlatGeobuf stores booleans as Bool columns; GeoJSON has the same values.
            props.sort_keys();
            (
                a.code.to_string(),
                a.name.clone(),
                a.vertex_count(),
                serde_json::Value::Object(props),
            )
        })
        .collect()
}

fn assert_twins(geojson: &Path, fgb: &Path) {
    let a = load_layer_areas(geojson, "code", "name", uk()).unwrap();
    let b = load_layer_areas(fgb, "code", "name", uk()).unwrap();
    assert_eq!(a.len(), b.len(), "{}", geojson.display());
    for (x, y) in summary(&a).into_iter().zip(summary(&b)) {
        assert_eq!(x, y, "{} vs {}", geojson.display(), fgb.display());
    }
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            x.geometry,
            y.geometry,
            "{}: geometry of {}",
            fgb.display(),
            x.code
        );
    }
}

#[test]
fn fixture_geojson_and_flatgeobuf_load_to_the_same_areas() {
    let dir = fixtures().join("boundaries");
    assert_twins(&dir.join("squares.geojson"), &dir.join("squares.fgb"));
}

#[test]
fn real_geojson_and_flatgeobuf_twins_load_to_the_same_areas() {
    let dir = data_dir().join("boundaries");
    for name in [
        "leps_2014",
        "leps_2017",
        "leps_2020",
        "regions",
        "lads",
        "nuts2_2016",
        "nuts3_2013",
    ] {
        assert_twins(
            &dir.join(format!("{name}.geojson")),
            &dir.join(format!("{name}.fgb")),
        );
    }
}

/// Copies the fixture data into a temporary directory, applies `edit`, and loads it.
fn load_edited(name: &str, edit: impl FnOnce(&Path)) -> String {
    let dir = std::env::temp_dir().join(format!("smartspec-load-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&fixtures(), &dir);
    edit(&dir);
    let err =
        Catalog::load(&dir.join("layers.toml"), &dir).expect_err("the edited data must not load");
    let _ = std::fs::remove_dir_all(&dir);
    err.to_string()
}

fn rewrite(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_feature_without_a_code_names_file_and_feature() {
    let err = load_edited("nocode", |d| {
        rewrite(
            &d.join("boundaries/squares.geojson"),
            "\"code\": \"B\"",
            "\"kode\": \"B\"",
        )
    });
    assert!(
        err.contains("squares.geojson: feature 1: missing or empty code field 'code'"),
        "{err}"
    );
}

#[test]
fn swapped_coordinates_are_caught() {
    let err = load_edited("swap", |d| {
        let path = d.join("boundaries/squares_2017.geojson");
        let text = std::fs::read_to_string(&path).unwrap();
        let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut fc = fc;
        for ring in fc["features"][1]["geometry"]["coordinates"]
            .as_array_mut()
            .unwrap()
        {
            for pos in ring.as_array_mut().unwrap() {
                let p = pos.as_array_mut().unwrap();
                p.swap(0, 1);
            }
        }
        std::fs::write(&path, fc.to_string()).unwrap();
    });
    assert!(err.contains("squares_2017.geojson: feature 1 (code E): polygon 0: exterior ring: coordinate (53, -1)"), "{err}");
    assert!(err.contains("look swapped"), "{err}");
}

#[test]
fn a_truncated_file_is_not_half_loaded() {
    let err = load_edited("truncated", |d| {
        let path = d.join("boundaries/squares.geojson");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    });
    assert!(err.contains("squares.geojson: not valid GeoJSON"), "{err}");
}

#[test]
fn a_bad_metric_value_names_file_and_line() {
    let err = load_edited("badvalue", |d| {
        rewrite(
            &d.join("metrics/squares.csv"),
            "rd,2015,C,2014,30",
            "rd,2015,C,2014,thirty",
        )
    });
    assert!(
        err.ends_with("metrics/squares.csv, line 6: value 'thirty' is not a number"),
        "{err}"
    );
}

#[test]
fn a_point_geometry_is_rejected() {
    let err = load_edited("point", |d| {
        rewrite(
            &d.join("boundaries/squares_2017.geojson"),
            "\"type\": \"Polygon\"",
            "\"type\": \"Point\", \"was\": \"Polygon\"",
        )
    });
    assert!(err.contains("squares_2017.geojson: feature 0"), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let err = load_edited("missing", |d| {
        std::fs::remove_file(d.join("boundaries/squares.fgb"))
            .and_then(|_| std::fs::remove_file(d.join("boundaries/squares.geojson")))
            .unwrap()
    });
    assert!(err.contains("squares.geojson: cannot read"), "{err}");
}
