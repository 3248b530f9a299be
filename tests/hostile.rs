//! Hostile and careless requests across every endpoint: each gets a 4xx with the documented JSON
//! error (`code`, `description`), never a 5xx, never an HTML or empty error; the map serves only
//! its own files; `Host` is checked when the server is told whom it serves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use common::{fixture_catalog, fixture_path, repo, send};
use smartspec::api::endpoints::Kind;
use smartspec::api::{documented_endpoints, router, AppState, Trust, WebSettings};

fn app_with(trust: Trust) -> Router {
    router(AppState::new(
        fixture_catalog(),
        WebSettings {
            web_dir: repo().join("web"),
            leaflet_dir: repo().join("web/node_modules/leaflet/dist"),
            trust,
            ..WebSettings::default()
        },
    ))
}

/// Bad values for a parameter of this kind (none for free text, which accepts anything).
fn bad_values(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Integer { .. } => vec!["abc", "1.5", "-99999999999999999999999", "99999999"],
        Kind::Count { .. } => vec!["abc", "-1"],
        Kind::Number => vec!["abc", "NaN", "1e999"],
        Kind::Boolean => vec!["yes", "1"],
        Kind::Choice(_) => vec!["nope", "%00"],
        Kind::List => vec!["a,,b", ","],
        Kind::Bbox => vec!["1,2,3", "200,0,201,1", "0,60,1,50", "a,b,c,d"],
        Kind::Text => vec![],
    }
}

/// Every malformed request the suite sends, as (method, target).
fn hostile_requests() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in documented_endpoints() {
        let path = fixture_path(e.path);
        out.push(("GET".into(), format!("{path}?zz_unknown=1")));
        if let Some(p) = e.params.first() {
            out.push(("GET".into(), format!("{path}?{0}=a&{0}=b", p.name)));
        }
        for p in e.params {
            for v in bad_values(p.kind) {
                if p.name == "limit" && v == "99999999" {
                    continue; // clamped to the maximum, as OGC API Features allows
                }
                out.push(("GET".into(), format!("{path}?{}={v}", p.name)));
            }
        }
        out.push(("POST".into(), path.clone()));
        out.push(("DELETE".into(), path));
    }
    for target in [
        "/collections/nope",
        "/collections/nope/items",
        "/collections/grid/items/NOPE",
        "/collections/grid/items/NOPE/neighbours",
        "/indicators/nope",
        "/indicators/nope/values",
        "/areas/NOPE/profile",
        "/specialisation/nope",
        "/areas/G11/profile?year=-1",
        "/indicators/alpha/values?year=-1",
        "/collections/grid/items?indicator=alpha",
        "/collections/grid/items?year=2016",
        "/collections/grid/items?indicator=nope&year=2016",
        "/collections/grid/items?properties=nope",
        "/collections/grid/items?crs=EPSG:27700",
        "/collections/grid/items?bbox=1,2,3,4&bbox-crs=nope",
        "/lookup",
        "/lookup?lon=-2",
        "/lookup?lon=500&lat=0",
        "/indicators/alpha/compare?geography=nuts3",
        "/nope",
        "/collections/",
        "/map/package.json",
        "/map/package-lock.json",
        "/map/node_modules/leaflet/package.json",
        "/map/node_modules/playwright-core/package.json",
        "/map///node_modules",
        "/map/../Cargo.toml",
        "/map/%2e%2e/Cargo.toml",
        "/map/.hidden",
        "/map/vendor/leaflet/../../../Cargo.toml",
        "/map/nope.js",
    ] {
        out.push(("GET".into(), target.into()));
    }
    out.push(("GET".into(), format!("/map/{}.js", "a".repeat(300))));
    out.push((
        "GET".into(),
        format!("/collections?f={}", "x".repeat(10_000)),
    ));
    out
}

#[tokio::test]
async fn every_hostile_request_gets_a_4xx_with_the_documented_json_error() {
    let app = app_with(Trust::default());
    let requests = hostile_requests();
    assert!(requests.len() >= 80, "only {} requests", requests.len());
    let mut wrong = Vec::new();
    for (method, target) in &requests {
        let reply = send(&app, method, target, &[]).await;
        let status = reply.status.as_u16();
        let body: Option<serde_json::Value> = serde_json::from_slice(&reply.body).ok();
        let documented = body.as_ref().is_some_and(|b| {
            b["code"].as_str().is_some_and(|c| !c.is_empty())
                && b["description"].as_str().is_some_and(|d| !d.is_empty())
        });
        if !(400..500).contains(&status) || !documented {
            wrong.push(format!(
                "{method} {target}: {status} {}",
                String::from_utf8_lossy(&reply.body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
    }
    eprintln!("{} hostile requests", requests.len());
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[tokio::test]
async fn oversized_targets_and_headers_get_414_and_431_as_json() {
    let app = app_with(Trust::default());
    let long = send(
        &app,
        "GET",
        &format!("/collections?f={}", "x".repeat(10_000)),
        &[],
    )
    .await;
    assert_eq!(long.status, 414);
    assert_eq!(long.json()["code"], "URITooLong");
    let big = "y".repeat(40_000);
    let heavy = send(&app, "GET", "/collections", &[("x-filler", big.as_str())]).await;
    assert_eq!(heavy.status, 431);
    assert_eq!(heavy.json()["code"], "HeadersTooLarge");
}

#[tokio::test]
async fn the_map_is_served_from_its_own_files_and_map_redirects_to_map_slash() {
    let app = app_with(Trust::default());
    let redirect = send(&app, "GET", "/map", &[]).await;
    assert!(redirect.status.is_redirection());
    assert_eq!(redirect.headers["location"], "/map/");
    for ok in [
        "/map/",
        "/map/app.js",
        "/map/style.css",
        "/map/vendor/leaflet/leaflet.js",
    ] {
        assert_eq!(send(&app, "GET", ok, &[]).await.status, 200, "{ok}");
    }
    let method = send(&app, "POST", "/collections", &[]).await;
    assert_eq!(method.status, 405);
    assert!(
        method.headers.contains_key("allow"),
        "405 keeps its Allow header"
    );
}

#[tokio::test]
async fn host_is_checked_and_links_follow_the_public_url() {
    let guarded = app_with(Trust {
        public_url: None,
        allowed_hosts: Some(vec!["maps.example.org".into()]),
        trusted_proxies: vec![],
    });
    let evil = send(&guarded, "GET", "/", &[("host", "evil.example/phish?")]).await;
    assert_eq!(evil.status, 400);
    assert!(evil.json()["description"]
        .as_str()
        .unwrap()
        .contains("--public-url"));
    // send() adds Host: test.local, which is neither loopback nor allowed.
    assert_eq!(send(&guarded, "GET", "/", &[]).await.status, 400);
    for host in [
        "127.0.0.1:8080",
        "localhost",
        "maps.example.org",
        "[::1]:8080",
    ] {
        let ok = send(&guarded, "GET", "/collections", &[("host", host)]).await;
        assert_eq!(ok.status, 200, "{host}");
        assert!(ok.json()["links"][0]["href"]
            .as_str()
            .unwrap()
            .starts_with(&format!("http://{host}/")));
    }
    // X-Forwarded-Proto from a peer that is not a trusted proxy is ignored.
    let spoofed = send(
        &guarded,
        "GET",
        "/collections",
        &[("host", "localhost"), ("x-forwarded-proto", "https")],
    )
    .await;
    assert!(spoofed.json()["links"][0]["href"]
        .as_str()
        .unwrap()
        .starts_with("http://localhost/"));

    let public = app_with(Trust {
        public_url: Some("https://example.org/smartspec".into()),
        allowed_hosts: Some(vec![]),
        trusted_proxies: vec![],
    });
    let landing = send(
        &public,
        "GET",
        "/",
        &[
            ("host", "evil.example"),
            ("x-smartspec-base", "https://evil"),
        ],
    )
    .await;
    assert_eq!(landing.status, 200);
    for link in landing.json()["links"].as_array().unwrap() {
        assert!(
            link["href"]
                .as_str()
                .unwrap()
                .starts_with("https://example.org/smartspec/"),
            "{link}"
        );
    }
}
