//! Label points on the real data: every area of every layer has one, it lies inside its area,
//! `/collections/{id}/labels` serves them as GeoJSON Points with the area's name, size rank and
//! overlapping areas, and the overlaps are the adjacency's; the areas (holes taken away) and
//! the size ranks agree with pyproj and shapely (`tests/clients/label_areas_check.py`).

use crate::common::{app, get, real_catalog};
use geo::{Contains, Distance, Euclidean, Point};
use smartspec::index::adjacency::Relation;
use std::future::IntoFuture;

#[test]
fn every_area_of_every_real_layer_has_a_label_point_inside_it() {
    let catalog = real_catalog();
    let mut total = 0;
    for layer in &catalog.layers {
        assert_eq!(layer.labels.len(), layer.areas.len(), "{}", layer.id());
        for (area, label) in layer.areas.iter().zip(&layer.labels) {
            let p = Point::from(label.point());
            assert!(
                area.geometry.contains(&p),
                "{} {} ({}): label point {:?} is not inside the area",
                layer.id(),
                area.code,
                area.name,
                label.point()
            );
            // Not hugging the border: it is at least as far inside as the part's centre of
            // its bounding box would be, or a good way in (polylabel maximises this distance).
            let part = area
                .geometry
                .0
                .iter()
                .find(|poly| poly.contains(&p))
                .unwrap();
            let to_border = part
                .exterior()
                .lines()
                .chain(part.interiors().iter().flat_map(|r| r.lines()))
                .map(|l| Euclidean.distance(&p, &l))
                .fold(f64::INFINITY, f64::min);
            assert!(
                to_border > 0.0,
                "{} {}: on the border",
                layer.id(),
                area.code
            );
            assert!(label.area_km2 > 0.0);
            total += 1;
        }
        tracing_summary(layer.id().as_str(), layer.label_time);
    }
    assert!(total > 1000, "labels checked on {total} areas");
}

fn tracing_summary(layer: &str, t: std::time::Duration) {
    eprintln!("{layer}: labels in {} µs", t.as_micros());
}

#[tokio::test]
async fn the_labels_endpoint_serves_a_point_per_area_with_name_rank_and_overlaps() {
    let catalog = real_catalog();
    let app = app(catalog.clone());
    let layer = catalog.layer("lep-2017").expect("the 2017 LEP layer");
    let res = get(&app, "/collections/lep-2017/labels").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.content_type(), "application/geo+json");
    assert!(
        res.headers.get("etag").is_some(),
        "served through the cache, with an ETag"
    );
    let doc = res.json();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 38, "38 LEPs in 2017");
    assert_eq!(features.len(), layer.areas.len());
    let mut ranks = Vec::new();
    let mut overlapping = 0;
    for f in features {
        let code = f["properties"]["code"].as_str().unwrap();
        let area = layer.area(code).unwrap();
        assert_eq!(f["id"], code);
        assert_eq!(f["properties"]["name"], area.name.as_str());
        assert_eq!(f["geometry"]["type"], "Point");
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let p = Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(area.geometry.contains(&p), "{code}: served point outside");
        ranks.push(f["properties"]["rank"].as_u64().unwrap());
        let served: Vec<&str> = f["properties"]["overlaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let i = layer.position(code).unwrap();
        let expected: Vec<&str> = layer.adjacency[i]
            .iter()
            .filter(|n| n.relation == Relation::Overlaps)
            .map(|n| layer.areas[n.index].code.as_str())
            .collect();
        assert_eq!(served, expected, "{code}: overlaps");
        if !served.is_empty() {
            overlapping += 1;
        }
    }
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=38).collect::<Vec<u64>>());
    // 28 districts lie in two LEPs in 2017, so some LEPs overlap.
    assert!(overlapping >= 2, "{overlapping} overlapping LEPs");
    let by_rank = |r: u64| {
        features
            .iter()
            .find(|f| f["properties"]["rank"] == r)
            .unwrap()["properties"]["area_km2"]
            .as_f64()
            .unwrap()
    };
    assert!(by_rank(1) >= by_rank(2) && by_rank(2) >= by_rank(38));

    let missing = get(&app, "/collections/nope/labels").await;
    assert_eq!(missing.status, 404);
    let bad = get(&app, "/collections/lep-2017/labels?f=csv").await;
    assert_eq!(bad.status, 400);
}

/// The geodesic areas of three areas with holes, as pyproj computes them from the data files
/// (`Geod(ellps="WGS84").geometry_area_perimeter` per polygon, exterior minus holes; see
/// `tests/clients/label_areas_check.py`). Adding the holes instead gave 1,910.5, 981.8 and
/// 2,206.7 km², and ranked the areas by that.
const PYPROJ_AREAS_KM2: [(&str, &str, f64); 3] = [
    ("nuts2-2010", "UKI2", 1_272.9),
    ("lad-2013", "E07000012", 901.8),
    ("nuts3-2016", "UKF13", 2_054.7),
];

#[tokio::test]
async fn label_areas_take_holes_away_as_pyproj_does() {
    let catalog = real_catalog();
    let app = app(catalog.clone());
    for (layer, code, km2) in PYPROJ_AREAS_KM2 {
        let doc = get(&app, &format!("/collections/{layer}/labels"))
            .await
            .json();
        let features = doc["features"].as_array().unwrap();
        let area = |f: &serde_json::Value| f["properties"]["area_km2"].as_f64().unwrap();
        let f = features
            .iter()
            .find(|f| f["properties"]["code"] == code)
            .unwrap_or_else(|| panic!("{layer}: no label for {code}"));
        assert_eq!(area(f), km2, "{layer} {code}");
        // The rank follows the corrected area: 1 + the number of larger areas.
        let larger = features.iter().filter(|g| area(g) > km2).count() as u64;
        assert_eq!(f["properties"]["rank"], larger + 1, "{layer} {code}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn label_areas_and_ranks_agree_with_pyproj_and_shapely_on_every_layer() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let catalog = real_catalog();
    let layers = catalog.layers.len();
    let router = app(catalog);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).into_future().await;
    });
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(crate::common::repo().join("tests/clients/label_areas_check.py"))
            .arg(&base)
            .arg(crate::common::data_dir())
            .arg(crate::common::repo().join("boundaries/layers.toml"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run python3 ({e})"))
    })
    .await
    .unwrap();
    server.abort();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "label_areas_check.py failed (python3 -m pip install pyproj shapely if they are missing): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports.len(), layers, "one report per layer");
    for r in &reports {
        eprintln!(
            "{}: {} areas, |served - pyproj| <= {} km², |served - LAEA| / LAEA <= {}",
            r["layer"], r["areas"], r["max_abs_diff_geodesic_km2"], r["max_rel_diff_laea"]
        );
    }
    for (layer, code, km2) in PYPROJ_AREAS_KM2 {
        let r = reports.iter().find(|r| r["layer"] == layer).unwrap();
        assert_eq!(r["served"][code].as_f64(), Some(km2), "{layer} {code}");
        let truth = r["pyproj"][code].as_f64().unwrap();
        assert!((truth - km2).abs() < 0.05, "{layer} {code}: pyproj {truth}");
    }
}
