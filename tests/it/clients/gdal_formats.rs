//! A real client of the file formats: GDAL (`ogrinfo`, Debian gdal-bin) reading the FlatGeobuf
//! and CSV downloads over HTTP with `/vsicurl/` (HEAD, then range requests), against the real
//! server on the real data, over loopback.

use crate::common::{app, ogrinfo, real_catalog};
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};

/// Serves the real catalog on a free port; returns its address and the requests it saw
/// (method, URI, Range header).
async fn serve() -> (String, Arc<Mutex<Vec<String>>>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let requests: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = requests.clone();
    let router = app(real_catalog()).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let range = req
                .headers()
                .get("range")
                .and_then(|r| r.to_str().ok())
                .unwrap_or("")
                .to_string();
            recorder
                .lock()
                .unwrap()
                .push(format!("{} {} {range}", req.method(), req.uri()));
            next.run(req)
        },
    ));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).into_future().await;
    });
    (addr, requests, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_reads_the_flatgeobuf_download_with_typed_fields() {
    let (addr, requests, server) = serve().await;
    let url = format!("/vsicurl/http://{addr}/collections/lep-2017/items?f=fgb");
    let summary = tokio::task::spawn_blocking(move || ogrinfo(&["-ro", "-al", "-so", &url]))
        .await
        .unwrap();
    server.abort();
    let seen = requests.lock().unwrap().join("\n");
    assert!(summary.contains("Feature Count: 38"), "{summary}\n{seen}");
    assert!(summary.contains("Geometry: Multi Polygon"), "{summary}");
    assert!(summary.contains("ID[\"EPSG\",4326]"), "{summary}");
    for field in [
        "code: String",
        "name: String",
        "vintage: Integer64",
        "n_lads_2013: Integer64",
        "approximate: Integer(Boolean)",
    ] {
        assert!(summary.contains(field), "no '{field}' in:\n{summary}");
    }
    assert!(seen.contains("/collections/lep-2017/items?f=fgb"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_reads_a_flatgeobuf_bbox_through_the_spatial_index() {
    let (addr, _requests, server) = serve().await;
    let url = format!("/vsicurl/http://{addr}/collections/lad-2013/items?f=fgb");
    let out = tokio::task::spawn_blocking(move || {
        ogrinfo(&[
            "-ro", "-al", "-geom=NO", "-spat", "-2.5", "53.3", "-2.0", "53.6", &url,
        ])
    })
    .await
    .unwrap();
    server.abort();
    let features = out.matches("OGRFeature(").count();
    assert!(
        (5..40).contains(&features),
        "{features} districts near Manchester:\n{}",
        &out[..out.len().min(3000)]
    );
    assert!(out.contains("code (String) = E08000003"), "Manchester");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_reads_the_csv_download_rows_and_wkt_geometry() {
    let (addr, _requests, server) = serve().await;
    let csv = format!(
        "CSV:/vsicurl/http://{addr}/collections/lep-2017/items?f=csv&indicator=total_ukri_funding&year=2018&properties=name"
    );
    let wkt = format!(
        "CSV:/vsicurl/http://{addr}/collections/lep-2017/items?f=csv&properties=name&geometry=wkt&zoom=6"
    );
    let (rows, geometry) = tokio::task::spawn_blocking(move || {
        let rows = ogrinfo(&["-ro", "-al", "-oo", "AUTODETECT_TYPE=YES", &csv]);
        let geometry = ogrinfo(&["-ro", "-al", "-so", &wkt]);
        (rows, geometry)
    })
    .await
    .unwrap();
    server.abort();
    assert_eq!(
        rows.matches("OGRFeature(").count(),
        38,
        "{}",
        &rows[..rows.len().min(3000)]
    );
    assert!(
        rows.contains("name (String) = Derby, Derbyshire, Nottingham and Nottinghamshire"),
        "the quoted name reads back whole"
    );
    assert!(
        rows.contains("value: Real"),
        "{}",
        &rows[..rows.len().min(3000)]
    );
    assert!(
        rows.contains("year: Integer"),
        "{}",
        &rows[..rows.len().min(3000)]
    );
    assert!(geometry.contains("Feature Count: 38"), "{geometry}");
    assert!(
        geometry.contains("Multi Polygon") || geometry.contains("Unknown (any)"),
        "{geometry}"
    );
    assert!(
        geometry.contains("Extent: (-6."),
        "a geometry was read:\n{geometry}"
    );
}
