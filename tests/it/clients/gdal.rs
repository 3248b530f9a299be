//! A real OGC API Features client: GDAL's OAPIF driver (`ogrinfo`, Debian gdal-bin) against the
//! real server on the real data, over loopback.

use crate::common::{app, ogrinfo, real_catalog};
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_lists_every_collection_and_pages_through_lep_2020() {
    let catalog = real_catalog();
    let ids: Vec<String> = catalog.layer_ids().iter().map(|s| s.to_string()).collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("OAPIF:http://{}", listener.local_addr().unwrap());
    let requests: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = requests.clone();
    let router = app(catalog).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            recorder.lock().unwrap().push(req.uri().to_string());
            next.run(req)
        },
    ));
    let server = tokio::spawn(axum::serve(listener, router).into_future());

    let (listing, features, schema) = tokio::task::spawn_blocking(move || {
        let listing = ogrinfo(&["-ro".into(), "-q".into(), url.clone()]);
        let schema = ogrinfo(&["-ro".into(), "-so".into(), url.clone(), "lep-2021".into()]);
        let features = ogrinfo(&[
            "-ro".into(),
            "-oo".into(),
            "PAGE_SIZE=10".into(),
            url,
            "lep-2020".into(),
            "-geom=NO".into(),
        ]);
        (listing, features, schema)
    })
    .await
    .unwrap();
    server.abort();

    // GDAL builds typed fields: whole numbers as Integer, reals as Real, booleans as Boolean.
    for field in [
        "vintage: Integer",
        "bng_e: Integer",
        "lat: Real",
        "name: String",
    ] {
        assert!(schema.contains(field), "GDAL lacks '{field}':\n{schema}");
    }
    for id in &ids {
        assert!(
            listing
                .lines()
                .any(|l| l.split_whitespace().nth(1) == Some(id.as_str())),
            "GDAL did not list collection {id}:\n{listing}"
        );
    }
    let items: Vec<String> = requests
        .lock()
        .unwrap()
        .iter()
        .filter(|u| u.starts_with("/collections/lep-2020/items"))
        .cloned()
        .collect();
    for offset in [10, 20, 30] {
        assert!(
            items
                .iter()
                .any(|u| u.contains("limit=10") && u.contains(&format!("offset={offset}"))),
            "GDAL did not follow the next link to offset {offset}: {items:?}"
        );
    }
    assert_eq!(
        features.matches("OGRFeature(lep-2020)").count(),
        38,
        "GDAL read {} features with PAGE_SIZE=10:\n{}",
        features.matches("OGRFeature(lep-2020)").count(),
        &features[..features.len().min(3000)]
    );
    assert!(
        features.contains("name (String) = Greater Manchester"),
        "{}",
        &features[..features.len().min(3000)]
    );
}

/// GDAL 3.6 and CQL2: its OAPIF driver evaluates `-where` itself (the server's log shows plain
/// pages, no `filter=`), since it looks for the draft `filter-lang=cql-text` in /api; a `filter=`
/// URL read by ogrinfo (GeoJSON driver) and by ogr2ogr gets the server's filtered answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_evaluates_where_itself_and_reads_a_filter_url_from_the_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = requests.clone();
    let router = app(real_catalog()).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            recorder.lock().unwrap().push(req.uri().to_string());
            next.run(req)
        },
    ));
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let out = std::env::temp_dir().join(format!("smartspec-filter-{}.gpkg", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let (where_listing, url_listing, copied) = tokio::task::spawn_blocking({
        let base = base.clone();
        let out = out.clone();
        move || {
            let oapif = format!("OAPIF:{base}/collections/lep-2017");
            let where_listing = ogrinfo(&[
                "-ro",
                "-q",
                "-geom=NO",
                &oapif,
                "-where",
                "name LIKE 'Greater%'",
                "lep-2017",
            ]);
            let filtered = format!(
                "GeoJSON:{base}/collections/lep-2017/items?limit=10000&filter=name%20LIKE%20%27Greater%25%27"
            );
            let url_listing = ogrinfo(&["-ro", "-so", "-al", &filtered]);
            let status = std::process::Command::new("ogr2ogr")
                .args(["-f", "GPKG"])
                .arg(&out)
                .arg(&filtered)
                .status()
                .expect("ogr2ogr (apt-get install gdal-bin)");
            assert!(status.success());
            let copied = ogrinfo(&["-ro".as_ref(), "-so".as_ref(), "-al".as_ref(), out.as_os_str()]);
            (where_listing, url_listing, copied)
        }
    })
    .await
    .unwrap();
    server.abort();
    let _ = std::fs::remove_file(&out);
    let requests = requests.lock().unwrap().clone();
    // -where: the same four LEPs, found by GDAL in pages that carry no filter.
    assert_eq!(
        where_listing.matches("OGRFeature(").count(),
        4,
        "{where_listing}"
    );
    let where_pages: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("/collections/lep-2017/items?limit="))
        .collect();
    assert!(!where_pages.is_empty(), "{requests:?}");
    assert_eq!(
        requests.iter().filter(|r| r.contains("filter=")).count(),
        2,
        "only the two filter= URLs carry a filter: {requests:?}"
    );
    for listing in [&url_listing, &copied] {
        assert!(listing.contains("Feature Count: 4"), "{listing}");
    }
}
