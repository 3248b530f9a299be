//! British National Grid output (OGC API Features Part 2, CRS by reference): OS control points,
//! GDAL's `ogr2ogr` on the same feature, `bbox-crs`, `Content-Crs`, errors and the collection
//! documents.

use crate::common::{app, assert_error, fixture_catalog, get, real_catalog};
use serde_json::Value;
use smartspec::ogc::crs::{from_bng, to_bng, BNG_URI, CRS84_URI};
use std::collections::BTreeSet;
use std::process::Command;

/// Largest horizontal distance (metres) between our EPSG:27700 output and OSTN15 at the OS
/// test points below. The 7-parameter Helmert is OS's approximate transform (OS quote "a few
/// metres"); the figure measured is 1.74 m (TP09, TP20), so 2.5 m leaves room for nothing else.
const OSTN15_TOLERANCE_M: f64 = 2.5;

/// Largest difference per axis (metres) from GDAL's `ogr2ogr` (PROJ with the same Helmert, no
/// OSTN15 grid): both sides round to the millimetre, so one unit of the last place.
const GDAL_TOLERANCE_M: f64 = 0.001 + 1e-9;

/// Ordnance Survey's OSTN15 test points in England (OSTN15/OSGM15 developer pack,
/// `OSTN15_OSGM15_TestInput_ETRStoOSGB.txt` / `..._TestOutput_ETRStoOSGB.txt`):
/// id, ETRS89 latitude, longitude, OSGB36 easting, northing.
const OS_TEST_POINTS: [(&str, f64, f64, f64, f64); 5] = [
    (
        "TP05",
        50.93127937910,
        -1.45051433700,
        438710.920,
        114792.250,
    ), // Former OSHQ
    (
        "TP09",
        51.48936564950,
        -0.11992557180,
        530624.974,
        178388.464,
    ), // Lambeth
    (
        "TP16",
        53.34480280190,
        -2.64049320810,
        357455.843,
        383290.436,
    ), // Daresbury
    (
        "TP20",
        53.80021519630,
        -1.66379168242,
        422242.186,
        433818.701,
    ), // Pudsey
    (
        "TP25",
        54.97912273660,
        -1.61657685184,
        424639.355,
        565012.703,
    ), // Newcastle
];

#[test]
fn os_ostn15_test_points_are_met_to_the_helmert_accuracy() {
    let mut worst: (f64, &str) = (0.0, "");
    for (id, lat, lon, e, n) in OS_TEST_POINTS {
        // ETRS89 is taken as WGS84/CRS84, as the data's own coordinates are.
        let (got_e, got_n) = to_bng(lon, lat).unwrap();
        let d = (got_e - e).hypot(got_n - n);
        println!(
            "{id}: dE {:+.3} m, dN {:+.3} m, distance {d:.3} m",
            got_e - e,
            got_n - n
        );
        assert!(
            d <= OSTN15_TOLERANCE_M,
            "{id}: ({got_e:.3}, {got_n:.3}) is {d:.3} m from OSTN15 ({e}, {n})"
        );
        if d > worst.0 {
            worst = (d, id);
        }
        // And back: the inverse lands within 2 mm on the ground (PROJ.4's inverse Helmert
        // transposes the rotation, an approximation of about a millimetre).
        let (lon2, lat2) = from_bng(got_e, got_n).unwrap();
        let back =
            ((lon2 - lon) * lat.to_radians().cos() * 111_320.0).hypot((lat2 - lat) * 110_600.0);
        assert!(back < 0.002, "{id}: the inverse is {back:.4} m off");
    }
    println!(
        "largest distance from OSTN15: {:.3} m at {}",
        worst.0, worst.1
    );
    // Measured, not assumed: a Helmert cannot reproduce OSTN15 exactly.
    assert!(worst.0 > 0.1, "a Helmert cannot match OSTN15 exactly");
}

/// Every position of a GeoJSON geometry, in order.
fn positions(geometry: &Value) -> Vec<(f64, f64)> {
    fn walk(v: &Value, out: &mut Vec<(f64, f64)>) {
        match v {
            Value::Array(items) if items.first().is_some_and(Value::is_number) => {
                out.push((items[0].as_f64().unwrap(), items[1].as_f64().unwrap()))
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&geometry["coordinates"], &mut out);
    out
}

fn ogr2ogr(args: &[&str]) {
    let output = Command::new("ogr2ogr")
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run ogr2ogr ({e}); install GDAL: apt-get install gdal-bin")
        });
    assert!(
        output.status.success(),
        "ogr2ogr {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn bng_output_matches_gdal_ogr2ogr_at_every_vertex() {
    let app = app(real_catalog());
    let dir = std::env::temp_dir().join(format!("smartspec-crs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut total = 0;
    let mut worst = 0.0f64;
    // Greater Manchester (ONS polygon) and Cornwall and Isles of Scilly (islands, the far west).
    for (layer, code) in [("lep-2020", "E37000015"), ("lep-2017", "E37000005")] {
        let uri = format!("/collections/{layer}/items/{code}");
        let crs84 = get(&app, &uri).await;
        assert_eq!(crs84.status, 200, "{uri}");
        let input = dir.join(format!("{code}-crs84.geojson"));
        let output = dir.join(format!("{code}-27700.geojson"));
        let _ = std::fs::remove_file(&output);
        let feature = crs84.json();
        let fc = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"code": code}, "geometry": feature["geometry"]}
        ]});
        std::fs::write(&input, serde_json::to_vec(&fc).unwrap()).unwrap();
        ogr2ogr(&[
            "-f",
            "GeoJSON",
            "-s_srs",
            "EPSG:4326",
            "-t_srs",
            "EPSG:27700",
            "-lco",
            "COORDINATE_PRECISION=3",
            output.to_str().unwrap(),
            input.to_str().unwrap(),
        ]);
        let gdal: Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
        let gdal = positions(&gdal["features"][0]["geometry"]);

        let ours = get(&app, &format!("{uri}?crs={BNG_URI}")).await;
        assert_eq!(ours.status, 200);
        let ours = positions(&ours.json()["geometry"]);
        assert_eq!(ours.len(), positions(&feature["geometry"]).len());
        assert_eq!(ours.len(), gdal.len(), "{code}: vertex counts differ");
        for (i, (a, b)) in ours.iter().zip(&gdal).enumerate() {
            let d = (a.0 - b.0).abs().max((a.1 - b.1).abs());
            worst = worst.max(d);
            assert!(
                d <= GDAL_TOLERANCE_M,
                "{code} vertex {i}: ours {a:?}, GDAL {b:?}"
            );
        }
        total += ours.len();
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{total} vertices; largest difference from GDAL {worst:.4} m");
    assert!(total > 1000, "only {total} vertices compared");
}

/// The codes of a FeatureCollection, sorted.
fn codes(fc: &Value) -> BTreeSet<String> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn bbox_crs_27700_finds_the_same_areas_as_the_crs84_box_around_manchester() {
    let app = app(real_catalog());
    let (w, s, e, n) = (-2.4, 53.35, -2.1, 53.55);
    // The grid box is the smallest one containing the CRS84 box (its densified outline).
    let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
    for i in 0..=100 {
        let t = f64::from(i) / 100.0;
        let (lon, lat) = (w + (e - w) * t, s + (n - s) * t);
        for (x, y) in [(lon, s), (lon, n), (w, lat), (e, lat)] {
            let (x, y) = to_bng(x, y).unwrap();
            lo = (lo.0.min(x), lo.1.min(y));
            hi = (hi.0.max(x), hi.1.max(y));
        }
    }
    let grid = format!(
        "{},{},{},{}",
        lo.0.floor(),
        lo.1.floor(),
        hi.0.ceil(),
        hi.1.ceil()
    );
    for layer in ["lep-2020", "lep-2017", "region", "nuts3-2016", "lad-2013"] {
        let base = format!("/collections/{layer}/items?limit=1000");
        let by_crs84 = get(&app, &format!("{base}&bbox={w},{s},{e},{n}")).await;
        let by_grid = get(
            &app,
            &format!("{base}&bbox={grid}&bbox-crs={}", urlencode(BNG_URI)),
        )
        .await;
        assert_eq!(by_grid.status, 200, "{layer}");
        let (a, b) = (codes(&by_crs84.json()), codes(&by_grid.json()));
        assert!(!a.is_empty(), "{layer}");
        assert_eq!(a, b, "{layer}: CRS84 box vs 27700 box {grid}");
        if layer == "lep-2020" {
            assert!(a.contains("E37000015"), "Greater Manchester: {a:?}");
        }
    }
    // A 200 m grid box on Manchester Town Hall (383,800 E, 398,200 N) lies in Manchester only.
    let small = get(
        &app,
        &format!(
            "/collections/lad-2013/items?bbox=383700,398100,383900,398300&bbox-crs={}",
            urlencode(BNG_URI)
        ),
    )
    .await;
    assert_eq!(
        codes(&small.json()),
        BTreeSet::from(["E08000003".to_string()])
    );
}

fn urlencode(s: &str) -> String {
    s.replace(':', "%3A").replace('/', "%2F")
}

/// The geometry of a Feature, or of every feature of a FeatureCollection.
fn geometries(doc: &Value) -> Vec<Value> {
    match doc["features"].as_array() {
        Some(features) => features.iter().map(|f| f["geometry"].clone()).collect(),
        None => vec![doc["geometry"].clone()],
    }
}

fn content_crs(reply: &crate::common::Reply) -> &str {
    reply
        .headers
        .get("content-crs")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn geometry_responses_say_their_crs_and_27700_is_in_metres() {
    let app = app(real_catalog());
    let bng = format!("crs={}", urlencode(BNG_URI));
    for path in [
        "/collections/lep-2020/items?limit=2",
        "/collections/lep-2020/items/E37000015",
        "/collections/lep-2020/items/E37000015/neighbours",
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let crs84 = get(&app, path).await;
        assert_eq!(crs84.status, 200, "{path}");
        assert_eq!(content_crs(&crs84), format!("<{CRS84_URI}>"), "{path}");
        let explicit = get(&app, &format!("{path}{sep}crs={}", urlencode(CRS84_URI))).await;
        assert_eq!(
            geometries(&explicit.json()),
            geometries(&crs84.json()),
            "{path}: crs=CRS84 is the default"
        );
        let grid = get(&app, &format!("{path}{sep}{bng}")).await;
        assert_eq!(grid.status, 200, "{path}");
        assert_eq!(content_crs(&grid), format!("<{BNG_URI}>"), "{path}");
        let doc = grid.json();
        let geometry = if doc["type"] == "Feature" {
            &doc["geometry"]
        } else {
            &doc["features"][0]["geometry"]
        };
        let points = positions(geometry);
        assert!(!points.is_empty());
        for (x, y) in points {
            // Easting, northing inside England, in whole millimetres.
            assert!((80_000.0..700_000.0).contains(&x), "{path}: easting {x}");
            assert!((0.0..700_000.0).contains(&y), "{path}: northing {y}");
            assert_eq!((x * 1000.0).round() / 1000.0, x);
        }
    }
    // Paging links keep the CRS.
    let page = get(&app, &format!("/collections/lep-2020/items?limit=5&{bng}"))
        .await
        .json();
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    assert!(next["href"].as_str().unwrap().contains("crs="), "{next}");
}

#[tokio::test]
async fn zoom_bands_are_reprojected_too() {
    let app = app(real_catalog());
    let uri = "/collections/lad-2013/items?limit=1000&zoom=7";
    let crs84 = get(&app, uri).await.json();
    let grid = get(&app, &format!("{uri}&crs={}", urlencode(BNG_URI))).await;
    assert_eq!(content_crs(&grid), format!("<{BNG_URI}>"));
    let grid = grid.json();
    assert_eq!(grid["generalisation"], crs84["generalisation"]);
    let (a, b) = (
        crs84["features"].as_array().unwrap(),
        grid["features"].as_array().unwrap(),
    );
    assert_eq!(a.len(), 326);
    assert_eq!(a.len(), b.len());
    for (fa, fb) in a.iter().zip(b) {
        let (pa, pb) = (positions(&fa["geometry"]), positions(&fb["geometry"]));
        assert_eq!(
            pa.len(),
            pb.len(),
            "{}: the band's vertices, each moved",
            fa["id"]
        );
        for ((lon, lat), (x, y)) in pa.iter().zip(&pb) {
            let (ex, ey) = to_bng(*lon, *lat).unwrap();
            assert!((ex - x).abs() <= 0.0005 + 1e-9 && (ey - y).abs() <= 0.0005 + 1e-9);
        }
    }
}

#[tokio::test]
async fn an_unsupported_crs_is_a_400_listing_the_supported_ones() {
    let app = app(fixture_catalog());
    let listed = format!("supported: {CRS84_URI}, {BNG_URI}");
    for uri in [
        "/collections/squares/items?crs=EPSG:27700".to_string(),
        "/collections/squares/items?crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4326"
            .to_string(),
        "/collections/squares/items/B?crs=27700".to_string(),
        "/collections/squares/items/B/neighbours?crs=CRS84".to_string(),
        "/collections/squares/items?bbox=0,0,1,1&bbox-crs=EPSG:27700".to_string(),
    ] {
        assert_error(&app, &uri, 400, "InvalidParameterValue", &listed).await;
    }
    assert_error(
        &app,
        "/collections/squares/items?crs=EPSG:27700",
        400,
        "InvalidParameterValue",
        "crs: unsupported CRS 'EPSG:27700'",
    )
    .await;
    // A grid box in the wrong order, with too many numbers, or off the grid, says so.
    let bbox_crs = format!("bbox-crs={}", urlencode(BNG_URI));
    assert_error(
        &app,
        &format!("/collections/squares/items?bbox=400000,410000,380000,390000&{bbox_crs}"),
        400,
        "InvalidParameterValue",
        "min easting 400000 is greater than max easting 380000",
    )
    .await;
    assert_error(
        &app,
        &format!("/collections/squares/items?bbox=53,-2,54,-1,9&{bbox_crs}"),
        400,
        "InvalidParameterValue",
        "bbox: expected 4 numbers, got 5",
    )
    .await;
    assert_error(
        &app,
        &format!("/collections/squares/items?bbox=380000,390000,400000,9990000&{bbox_crs}"),
        400,
        "InvalidParameterValue",
        "outside the British National Grid",
    )
    .await;
}

#[tokio::test]
async fn collections_list_their_crs_and_storage_crs() {
    let app = app(fixture_catalog());
    let all = get(&app, "/collections").await.json();
    let one = get(&app, "/collections/squares").await.json();
    let listed = serde_json::json!([CRS84_URI, BNG_URI]);
    for c in all["collections"].as_array().unwrap().iter().chain([&one]) {
        assert_eq!(c["crs"], listed, "{}", c["id"]);
        assert_eq!(c["storageCrs"], CRS84_URI, "{}", c["id"]);
    }
    let conf = get(&app, "/conformance").await.json();
    assert!(conf["conformsTo"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!(
            "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"
        )));
}
