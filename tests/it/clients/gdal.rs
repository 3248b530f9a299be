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
