//! Criterion benches of the in-process paths on the real data: point lookup, batch lookup,
//! bbox query, zoom band build, and serving a cached body through the router.
//!
//! Run: `cargo bench --bench core` (the data directory is `SMARTSPEC_DATA_DIR`, else
//! `../shared/data`; derived artefacts are cached in `target/test-artefact-cache`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::Request;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use geo::{Coord, Point, Rect};
use http_body_util::BodyExt;
use smartspec::api::{router, AppState, WebSettings};
use smartspec::catalog::Catalog;
use smartspec::topology::generalise_layer;
use smartspec::views::batch;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;

fn catalog() -> Arc<Catalog> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = std::env::var_os("SMARTSPEC_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("../shared/data"));
    let cache = repo.join("target/test-artefact-cache");
    Arc::new(
        Catalog::load_with(&repo.join("boundaries/layers.toml"), &data, Some(&cache))
            .expect("the real data loads"),
    )
}

/// Points on a grid over England's bounding box: some inside areas, some at sea.
fn grid_points(n: usize) -> Vec<Point<f64>> {
    let (w, s, e, north) = (-6.0, 50.0, 1.7, 55.8);
    let side = (n as f64).sqrt().ceil() as usize;
    (0..side * side)
        .map(|i| {
            let (x, y) = ((i % side) as f64 + 0.5, (i / side) as f64 + 0.5);
            Point::new(
                w + (e - w) * x / side as f64,
                s + (north - s) * y / side as f64,
            )
        })
        .take(n)
        .collect()
}

fn benches(c: &mut Criterion) {
    let catalog = catalog();
    let lad = catalog.layer("lad-2013").unwrap();

    let points = grid_points(10_000);
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("point in lad-2013 (10k points over England)", |b| {
        b.iter(|| {
            points
                .iter()
                .map(|p| lad.index.containing(&lad.areas, *p).len())
                .sum::<usize>()
        })
    });
    group.finish();

    // A batch lookup as POST /lookup runs it: parse a 10k-row CSV, find each point's LEP,
    // NUTS 3 area and district, write the CSV answer.
    let csv: String = std::iter::once("id,lon,lat\n".to_string())
        .chain(
            points
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{i},{:.6},{:.6}\n", p.x(), p.y())),
        )
        .collect();
    let planners = ["lep-2017", "nuts3-2016", "lad-2013"];
    let mut group = c.benchmark_group("batch lookup");
    group.throughput(Throughput::Elements(points.len() as u64));
    for ids in [&planners[..], &planners[2..]] {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let layers = batch::layers(&catalog, Some(&ids)).unwrap();
        let added = batch::added_columns(&layers);
        group.bench_function(
            format!(
                "10k CSV points in {} (parse, look up, write)",
                ids.join(", ")
            ),
            |b| {
                b.iter(|| {
                    let parsed =
                        batch::read(csv.as_bytes(), batch::Format::Csv, &added, 100_000).unwrap();
                    batch::answer(&catalog, &parsed, &layers).len()
                })
            },
        );
    }
    group.finish();

    let manchester = Rect::new(Coord { x: -2.4, y: 53.35 }, Coord { x: -2.1, y: 53.55 });
    c.bench_function("bbox Manchester in lad-2013", |b| {
        b.iter(|| lad.index.intersecting(&lad.areas, manchester))
    });

    let lep = catalog.layer("lep-2017").unwrap();
    let geometries: Vec<_> = lep.areas.iter().map(|a| &a.geometry).collect();
    let mut group = c.benchmark_group("bands");
    group.sample_size(10);
    group.bench_function("build every band of lep-2017", |b| {
        b.iter(|| generalise_layer(&geometries))
    });
    group.finish();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let app = router(AppState::new(catalog.clone(), WebSettings::default()));
    let request = || {
        Request::builder()
            .uri("/collections/lad-2013/items?limit=1000&zoom=8")
            .header("host", "bench.local")
            .header("accept-encoding", "gzip")
            .body(Body::empty())
            .unwrap()
    };
    let serve = || async {
        let response = app.clone().oneshot(request()).await.unwrap();
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .len()
    };
    runtime.block_on(serve()); // fills the cache
    c.bench_function("serve cached lad-2013 z8 (gzip) through the router", |b| {
        b.iter(|| runtime.block_on(serve()))
    });
}

criterion_group!(core, benches);
criterion_main!(core);
