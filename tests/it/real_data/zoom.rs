//! `zoom=` on items and one item: the band it selects, what the response says, and the sizes a
//! map transfers, on the real data.

use crate::common::{app, assert_error, fixture_catalog, get, real_catalog, send};
use serde_json::Value;

fn vertices(fc: &Value) -> usize {
    fn count(v: &Value) -> usize {
        match v {
            Value::Array(items) if items.first().is_some_and(Value::is_number) => 1,
            Value::Array(items) => items.iter().map(count).sum(),
            _ => 0,
        }
    }
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| count(&f["geometry"]["coordinates"]))
        .sum()
}

#[tokio::test]
async fn zoom_selects_a_band_and_says_which() {
    let app = app(real_catalog());
    let full = get(&app, "/collections/lad-2013/items?limit=1000")
        .await
        .json();
    assert!(full.get("generalisation").is_none(), "no zoom, no band");
    let mut last = 0;
    for zoom in [4, 5, 6, 7, 8, 9, 10, 11] {
        let reply = get(
            &app,
            &format!("/collections/lad-2013/items?limit=1000&zoom={zoom}"),
        )
        .await;
        assert_eq!(reply.status, 200);
        let fc = reply.json();
        let g = &fc["generalisation"];
        assert_eq!(g["zoom"], zoom);
        assert_eq!(g["full_resolution"], false);
        assert!(g["band"]["min_zoom"].as_u64().unwrap() <= zoom);
        assert!(g["band"]["max_zoom"].as_u64().unwrap() >= zoom);
        assert!(g["band"]["tolerance_deg"].as_f64().unwrap() > 0.0);
        assert_eq!(fc["numberReturned"], 326);
        let n = vertices(&fc);
        assert!(n < vertices(&full), "z{zoom}: {n} vertices");
        if zoom >= 6 {
            assert!(
                n >= last,
                "finer bands keep more vertices: z{zoom} {n} < {last}"
            );
        }
        last = n;
    }
    let z12 = get(&app, "/collections/lad-2013/items?limit=1000&zoom=12")
        .await
        .json();
    assert_eq!(z12["generalisation"]["full_resolution"], true);
    assert!(z12["generalisation"].get("band").is_none());
    assert_eq!(z12["features"], full["features"]);
}

#[tokio::test]
async fn one_item_and_its_neighbours_take_the_band_too() {
    let app = app(real_catalog());
    let band = get(&app, "/collections/lep-2017/items?zoom=7&limit=100")
        .await
        .json();
    let one = get(&app, "/collections/lep-2017/items/E37000015?zoom=7")
        .await
        .json();
    assert_eq!(one["generalisation"]["band"]["max_zoom"], 7);
    let same = band["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "E37000015")
        .unwrap();
    assert_eq!(one["geometry"], same["geometry"]);
    let nb = get(
        &app,
        "/collections/lep-2017/items/E37000015/neighbours?zoom=7",
    )
    .await
    .json();
    assert_eq!(nb["generalisation"]["zoom"], 7);
}

fn gzip_len(body: &[u8]) -> usize {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(body).unwrap();
    e.finish().unwrap().len()
}

#[tokio::test]
async fn the_maps_layers_fit_their_byte_budgets() {
    let app = app(real_catalog());
    // What the map asks for: codes and names only, gzip on the wire.
    let lep = send(
        &app,
        "GET",
        "/collections/lep-2017/items?limit=10000&properties=code,name&zoom=6",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(lep.headers["content-encoding"], "gzip");
    eprintln!("lep-2017 z6: {} bytes gzipped", lep.body.len());
    assert!(
        lep.body.len() <= 60 * 1024,
        "lep-2017 z6: {} bytes",
        lep.body.len()
    );
    let lad = get(
        &app,
        "/collections/lad-2013/items?limit=1000&properties=code,name&zoom=8",
    )
    .await;
    let lad_gz = gzip_len(&lad.body);
    eprintln!("lad-2013 z8: {lad_gz} bytes gzipped");
    // 200 KB of 1,024 bytes, as tests/topology_real.rs counts it.
    assert!(lad_gz <= 200 * 1024, "lad-2013 z8: {lad_gz} bytes");
}

#[tokio::test]
async fn a_bad_zoom_is_a_400_naming_the_range() {
    let app = app(fixture_catalog());
    for z in ["-1", "23", "6.5", "x", ""] {
        assert_error(
            &app,
            &format!("/collections/squares/items?zoom={z}"),
            400,
            "InvalidParameterValue",
            "zoom: expected a whole number from 0 to 22",
        )
        .await;
    }
}

#[tokio::test]
async fn collections_list_their_bands() {
    let app = app(real_catalog());
    let c = get(&app, "/collections/lad-2013").await.json();
    let bands = c["generalisation"]["bands"].as_array().unwrap();
    assert_eq!(bands.len(), 7);
    assert_eq!(bands[0]["max_zoom"], 5);
    assert_eq!(c["generalisation"]["full_resolution_from_zoom"], 12);
}

/// OGC API Features Part 7 names the parameter `zoom-level`: it selects the same band as `zoom` on
/// items, one item and neighbours; both at once must agree; a bad one is named in the error.
#[tokio::test]
async fn zoom_level_is_part_7s_name_for_zoom() {
    let app = app(real_catalog());
    for path in [
        "/collections/lep-2017/items?limit=100",
        "/collections/lep-2017/items/E37000015?",
        "/collections/lep-2017/items/E37000015/neighbours?",
    ] {
        let sep = if path.ends_with('?') { "" } else { "&" };
        let old = get(&app, &format!("{path}{sep}zoom=7")).await;
        let new = get(&app, &format!("{path}{sep}zoom-level=7")).await;
        assert_eq!(new.status, 200, "{path}");
        let shapes = |j: serde_json::Value| j.get("features").or(j.get("geometry")).cloned();
        assert!(shapes(new.json()).is_some(), "{path}");
        assert_eq!(
            shapes(new.json()),
            shapes(old.json()),
            "{path}: zoom-level=7 is zoom=7"
        );
        let both = get(&app, &format!("{path}{sep}zoom-level=7&zoom=7")).await;
        assert_eq!(both.status, 200, "{path}: both, agreeing");
        let clash = get(&app, &format!("{path}{sep}zoom-level=7&zoom=8")).await;
        assert_eq!(clash.status, 400, "{path}: both, disagreeing");
        let text = String::from_utf8_lossy(&clash.body).to_string();
        assert!(text.contains("zoom-level=7 and zoom=8 disagree"), "{text}");
        let bad = get(&app, &format!("{path}{sep}zoom-level=23")).await;
        assert_eq!(bad.status, 400);
        let text = String::from_utf8_lossy(&bad.body).to_string();
        assert!(
            text.contains("zoom-level: expected a whole number from 0 to 22"),
            "{text}"
        );
    }
}
