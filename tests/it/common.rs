//! Shared test plumbing: catalogs from the fixtures or the real data, and a request helper.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use smartspec::api::{router, AppState, WebSettings};
use smartspec::catalog::Catalog;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

/// The real data directory, from the server's own setting: `SMARTSPEC_DATA_DIR`, else the
/// server's default (`config::DEFAULT_DATA_DIR`, relative to the checkout).
pub fn data_dir() -> PathBuf {
    let dir = std::env::var_os("SMARTSPEC_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(smartspec::config::DEFAULT_DATA_DIR));
    assert!(
        dir.join("boundaries").is_dir(),
        "real-data tests need the data directory at {} (set SMARTSPEC_DATA_DIR)",
        dir.display()
    );
    dir
}

pub fn fixture_catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let fixtures = fixtures();
            Arc::new(
                Catalog::load(&fixtures.join("layers.toml"), &fixtures)
                    .expect("fixture catalog loads"),
            )
        })
        .clone()
}

pub fn real_catalog() -> Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG
        .get_or_init(|| {
            let manifest = repo().join("boundaries/layers.toml");
            // Derived artefacts are shared by the test binaries through a cache keyed by the
            // data and the deriving code (tests/topology_real.rs derives them afresh).
            let cache = repo().join("target/test-artefact-cache");
            Arc::new(
                Catalog::load_with(&manifest, &data_dir(), Some(&cache))
                    .expect("real catalog loads"),
            )
        })
        .clone()
}

pub fn app(catalog: Arc<Catalog>) -> Router {
    router(AppState::new(
        catalog,
        WebSettings {
            web_dir: repo().join("web"),
            leaflet_dir: repo().join("web/node_modules/leaflet/dist"),
            tile_url: None,
            tile_attribution: None,
            ..WebSettings::default()
        },
    ))
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    send(app, "GET", uri, &[]).await
}

/// Sends a request with a method and headers (plus `Host: test.local` unless a Host is given)
/// and collects the reply.
pub async fn send(app: &Router, method: &str, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        request = request.header("host", "test.local");
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::empty()).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// Sends a request with a body (and `Host: test.local`) and collects the reply.
pub async fn send_body(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Reply {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "test.local");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

/// The `properties` of every feature of a FeatureCollection, in order.
pub fn properties(fc: &serde_json::Value) -> Vec<&serde_json::Value> {
    fc["features"]
        .as_array()
        .expect("a FeatureCollection")
        .iter()
        .map(|f| &f["properties"])
        .collect()
}

/// Asserts a 4xx JSON error with this code whose description contains `needle`.
pub async fn assert_error(app: &Router, uri: &str, status: u16, code: &str, needle: &str) {
    let reply = get(app, uri).await;
    assert_eq!(
        reply.status.as_u16(),
        status,
        "{uri}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    assert_eq!(body["code"], code, "{uri}: {body}");
    let description = body["description"].as_str().unwrap_or("");
    assert!(
        description.contains(needle),
        "{uri}: '{description}' lacks '{needle}'"
    );
}

/// Copies the folder `from` with everything under it to `to`.
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// A request path for an endpoint's template, with ids that exist in the fixture catalog.
pub fn fixture_path(template: &str) -> String {
    template
        .replace("{collectionId}", "grid")
        .replace("{featureId}", "G11")
        .replace("{code}", "G11")
        .replace("{indicatorId}", "alpha")
        .replace("{matrix}", "disciplines")
}

/// Runs GDAL's `ogrinfo` (Debian gdal-bin) and returns its output; fails with the install
/// command when it is missing and with its stderr when it fails.
pub fn ogrinfo<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(args: &[S]) -> String {
    let output = std::process::Command::new("ogrinfo")
        .args(args)
        .env("GDAL_HTTP_TIMEOUT", "60")
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run ogrinfo ({e}); install GDAL: apt-get install gdal-bin")
        });
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "ogrinfo {args:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The feature ids of a FeatureCollection, in order.
pub fn codes(fc: &serde_json::Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// The href of a document's link with this rel.
pub fn link<'a>(doc: &'a serde_json::Value, rel: &str) -> Option<&'a str> {
    doc["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

/// `s` percent-encoded for a query string.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
