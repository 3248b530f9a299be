//! Representations computed once and compressed once: ETag and 304, HEAD, Vary, Cache-Control,
//! and ETags that change with the data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{fixture_catalog, fixtures, repo, send, Reply};
use smartspec::api::{router, AppState, WebSettings, IMMUTABLE, REVALIDATE};
use smartspec::catalog::Catalog;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

fn state(catalog: Arc<Catalog>) -> AppState {
    AppState::new(
        catalog,
        WebSettings {
            web_dir: repo().join("web"),
            leaflet_dir: repo().join("web/node_modules/leaflet/dist"),
            ..Default::default()
        },
    )
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(body, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

const LAYER: &str = "/collections/squares/items";

#[tokio::test]
async fn each_coding_is_the_same_representation_with_its_own_strong_etag() {
    let app = router(state(fixture_catalog()));
    let plain = send(&app, "GET", LAYER, &[]).await;
    let gzip = send(&app, "GET", LAYER, &[("accept-encoding", "gzip")]).await;
    let br = send(
        &app,
        "GET",
        LAYER,
        &[("accept-encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(plain.status, 200);
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    assert_eq!(header(&br, "content-encoding"), "br");
    assert_eq!(gunzip(&gzip.body), plain.body);
    assert_eq!(unbrotli(&br.body), plain.body);
    for reply in [&plain, &gzip, &br] {
        let etag = header(reply, "etag");
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong ETag: {etag}"
        );
        assert_eq!(header(reply, "vary"), "Accept, Accept-Encoding");
        assert_eq!(header(reply, "content-type"), "application/geo+json");
        assert_eq!(
            header(reply, "content-length"),
            reply.body.len().to_string()
        );
    }
    let tags = [
        header(&plain, "etag"),
        header(&gzip, "etag"),
        header(&br, "etag"),
    ];
    assert!(
        tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
        "{tags:?}"
    );
}

#[tokio::test]
async fn if_none_match_answers_304_without_a_body() {
    let app = router(state(fixture_catalog()));
    let first = send(&app, "GET", LAYER, &[("accept-encoding", "gzip")]).await;
    let etag = header(&first, "etag").to_string();
    let again = send(
        &app,
        "GET",
        LAYER,
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(header(&again, "etag"), etag);
    assert_eq!(header(&again, "cache-control"), REVALIDATE);
    // The gzip tag does not validate the identity representation.
    let identity = send(&app, "GET", LAYER, &[("if-none-match", &etag)]).await;
    assert_eq!(identity.status, 200);
    assert_eq!(identity.body, gunzip(&first.body));
    let weak = format!("W/{etag}");
    let weak = send(
        &app,
        "GET",
        LAYER,
        &[("accept-encoding", "gzip"), ("if-none-match", &weak)],
    )
    .await;
    assert_eq!(weak.status, 304, "If-None-Match uses the weak comparison");
}

#[tokio::test]
async fn head_sends_the_headers_of_get_and_no_body() {
    let app = router(state(fixture_catalog()));
    for uri in [LAYER, "/collections", "/indicators/rd/values?year=2015"] {
        let get = send(&app, "GET", uri, &[("accept-encoding", "br")]).await;
        let head = send(&app, "HEAD", uri, &[("accept-encoding", "br")]).await;
        assert_eq!(head.status, 200, "{uri}");
        assert!(head.body.is_empty(), "{uri}");
        for name in ["etag", "content-length", "content-type", "content-encoding"] {
            assert_eq!(header(&head, name), header(&get, name), "{uri}: {name}");
        }
    }
}

#[tokio::test]
async fn a_representation_is_computed_once() {
    let app_state = state(fixture_catalog());
    let app = router(app_state.clone());
    let uri = "/collections/squares/items?limit=2";
    for _ in 0..3 {
        for coding in ["gzip", "br", "identity"] {
            assert_eq!(
                send(&app, "GET", uri, &[("accept-encoding", coding)])
                    .await
                    .status,
                200
            );
        }
    }
    assert_eq!(
        app_state.cache.usage().0,
        1,
        "one entry for one request key"
    );
    // Errors are answered, not stored.
    assert_eq!(
        send(&app, "GET", "/collections/nope", &[]).await.status,
        404
    );
    assert_eq!(app_state.cache.usage().0, 1);
}

#[tokio::test]
async fn urls_that_name_the_data_version_are_immutable() {
    let catalog = fixture_catalog();
    let version = catalog.data_version.clone();
    let app = router(state(catalog));
    let pinned = send(&app, "GET", &format!("{LAYER}?v={version}"), &[]).await;
    assert_eq!(pinned.status, 200);
    assert_eq!(header(&pinned, "cache-control"), IMMUTABLE);
    let stale = send(&app, "GET", &format!("{LAYER}?v=0000000000000000"), &[]).await;
    assert_eq!(stale.status, 200);
    assert_eq!(header(&stale, "cache-control"), REVALIDATE);
    let plain = send(&app, "GET", "/collections", &[]).await;
    assert_eq!(header(&plain, "cache-control"), REVALIDATE);
}

#[tokio::test]
async fn errors_carry_no_etag_and_are_not_cached() {
    let app = router(state(fixture_catalog()));
    let reply = send(&app, "GET", "/collections/squares/items?limit=0", &[]).await;
    assert_eq!(reply.status, 400);
    assert_eq!(header(&reply, "etag"), "");
}

/// Copies the fixture data set into a temp folder so a test can change one file.
fn copy_fixtures(to: &Path) {
    for entry in walk(&fixtures()) {
        let rel = entry.strip_prefix(fixtures()).unwrap();
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&entry, dest).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_changed_value_gives_a_new_data_version_and_new_etags() {
    let dir = std::env::temp_dir().join(format!("smartspec-etag-{}", std::process::id()));
    copy_fixtures(&dir);
    let manifest = dir.join("layers.toml");
    let load = || Arc::new(Catalog::load(&manifest, &dir).unwrap());
    let uri = "/indicators/rd/values?year=2015";
    let before = load();
    let reply_before = send(&router(state(before.clone())), "GET", uri, &[]).await;
    // The same inputs give the same version and the same ETag.
    let same = load();
    assert_eq!(same.data_version, before.data_version);
    let reply_same = send(&router(state(same)), "GET", uri, &[]).await;
    assert_eq!(header(&reply_same, "etag"), header(&reply_before, "etag"));

    let csv = dir.join("metrics/squares.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace("rd,2015,A,2014,10", "rd,2015,A,2014,11")).unwrap();
    let after = load();
    assert_ne!(after.data_version, before.data_version);
    let reply_after = send(&router(state(after.clone())), "GET", uri, &[]).await;
    assert_ne!(header(&reply_after, "etag"), header(&reply_before, "etag"));
    assert_eq!(reply_after.json()["values"]["A"], 11.0);
    // The map's page inlines the catalogue, so it changes with the data too.
    let page_before = send(&router(state(before.clone())), "GET", "/map/", &[]).await;
    let page_after = send(&router(state(after.clone())), "GET", "/map/", &[]).await;
    assert_ne!(header(&page_after, "etag"), header(&page_before, "etag"));
    let page = String::from_utf8(page_after.body.clone()).unwrap();
    assert!(page.contains(&format!("\"data_version\":\"{}\"", after.data_version)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn the_maps_files_are_compressed_once_and_revalidated_too() {
    let app = router(state(fixture_catalog()));
    let js = send(&app, "GET", "/map/app.js", &[("accept-encoding", "gzip")]).await;
    assert_eq!(js.status, 200);
    assert_eq!(header(&js, "content-encoding"), "gzip");
    assert!(header(&js, "content-type").contains("javascript"));
    let on_disk = std::fs::read(repo().join("web/app.js")).unwrap();
    assert_eq!(gunzip(&js.body), on_disk);
    let etag = header(&js, "etag").to_string();
    let again = send(
        &app,
        "GET",
        "/map/app.js",
        &[("accept-encoding", "gzip"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
}

#[tokio::test]
async fn the_maps_page_inlines_its_stylesheets_and_joins_its_modules_into_one_script() {
    let app = router(state(fixture_catalog()));
    let page = send(&app, "GET", "/map/", &[]).await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8(page.body).unwrap();
    // Nothing left for the browser to fetch before the map runs but Leaflet's script.
    assert!(
        !html.contains("<link rel=\"stylesheet\""),
        "stylesheets inlined"
    );
    assert!(
        !html.contains("<script type=\"module\" src="),
        "modules inlined"
    );
    let style = std::fs::read_to_string(repo().join("web/style.css")).unwrap();
    assert!(html.contains(&format!("<style>/* style.css */\n{style}</style>")));
    assert!(
        html.contains("url(vendor/leaflet/images/layers.png)"),
        "Leaflet's images rebased onto its directory"
    );
    assert!(html.contains("<script src=\"vendor/leaflet/leaflet.js\"></script>"));
    // Every module of web/ that app.js reaches is in the one inline module, each once, app last.
    let (_, module) = html.split_once("<script type=\"module\">").unwrap();
    let (module, _) = module.split_once("</script>").unwrap();
    for file in [
        "api", "dom", "classify", "labels", "legend", "panel", "chart",
    ] {
        let scope = format!("const module_{file} = (() => {{ // {file}.js");
        assert_eq!(module.matches(&scope).count(), 1, "{file}.js joined once");
        assert!(
            module.find(&scope) < module.find("// app.js"),
            "{file}.js before app.js"
        );
    }
    assert!(!module.contains("\nimport ") && !module.contains("\nexport "));
}

#[test]
fn a_front_end_that_cannot_be_joined_is_reported_naming_file_and_line() {
    let web = std::env::temp_dir().join(format!("smartspec-web-{}", std::process::id()));
    std::fs::create_dir_all(&web).unwrap();
    let index = std::fs::read_to_string(repo().join("web/index.html")).unwrap();
    std::fs::write(web.join("index.html"), index).unwrap();
    std::fs::write(web.join("style.css"), "body { margin: 0 }").unwrap();
    std::fs::write(web.join("app.js"), "const a = 1;\nexport default a;\n").unwrap();
    let settings = WebSettings {
        web_dir: web.clone(),
        leaflet_dir: repo().join("web/node_modules/leaflet/dist"),
        ..Default::default()
    };
    let err = smartspec::api::check_map_page(&settings).unwrap_err();
    assert_eq!(err.file, "app.js");
    assert!(
        err.message.starts_with("line 2: expected `export const"),
        "{err}"
    );
    std::fs::write(web.join("app.js"), "export const a = 1;\n").unwrap();
    smartspec::api::check_map_page(&settings).unwrap();
    std::fs::remove_dir_all(&web).unwrap();
}

#[tokio::test]
async fn the_maps_page_carries_the_catalogue_and_is_revalidated_with_its_etag() {
    let catalog = fixture_catalog();
    let app = router(state(catalog.clone()));
    let page = send(&app, "GET", "/map/", &[("accept-encoding", "br")]).await;
    assert_eq!(page.status, 200);
    assert_eq!(header(&page, "content-encoding"), "br");
    assert_eq!(header(&page, "cache-control"), REVALIDATE);
    let html = String::from_utf8(unbrotli(&page.body)).unwrap();
    let open = r#"<script type="application/json" id="smartspec-catalogue">"#;
    let json = html
        .split_once(open)
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .unwrap();
    let inlined: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        inlined["config"]["data_version"],
        catalog.data_version.as_str()
    );
    let indicators = send(&app, "GET", "/indicators", &[]).await.json();
    assert_eq!(inlined["indicators"], indicators);
    let collections = send(&app, "GET", "/collections", &[("host", "localhost")])
        .await
        .json();
    let page_here = send(&app, "GET", "/map/index.html", &[("host", "localhost")]).await;
    let here = String::from_utf8(page_here.body).unwrap();
    assert!(here.contains(
        &serde_json::to_string(&collections)
            .unwrap()
            .replace('<', "\\u003c")
    ));
    let etag = header(&page, "etag").to_string();
    let again = send(
        &app,
        "GET",
        "/map/",
        &[("accept-encoding", "br"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
}
