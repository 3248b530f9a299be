//! HTML pages of the OGC documents: chosen by `f=html` or a browser's Accept, linking the JSON,
//! the collections, the features and the map; JSON documents link their HTML alternates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, assert_error, fixture_catalog, get, send};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[tokio::test]
async fn f_html_and_a_browsers_accept_give_pages_that_link_json_and_the_map() {
    let app = app(fixture_catalog());
    for path in ["/", "/conformance", "/collections", "/collections/squares"] {
        let by_f = get(&app, &format!("{path}?f=html")).await;
        assert_eq!(by_f.status, 200, "{path}");
        assert_eq!(by_f.content_type(), "text/html; charset=utf-8", "{path}");
        let by_accept = send(&app, "GET", path, &[("accept", BROWSER)]).await;
        assert_eq!(
            by_accept.content_type(),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(by_accept.body, by_f.body, "{path}");
        assert!(by_f.headers["vary"].to_str().unwrap().contains("Accept"));
        let page = String::from_utf8(by_f.body).unwrap();
        assert!(
            page.contains("href=\"/map/\""),
            "{path} does not link the map"
        );
        assert!(
            page.contains("application/json"),
            "{path} does not link its JSON"
        );
        // f wins over Accept; JSON clients and no Accept get JSON.
        let json = send(
            &app,
            "GET",
            &format!("{path}?f=json"),
            &[("accept", BROWSER)],
        )
        .await;
        assert!(
            json.content_type().starts_with("application/json"),
            "{path}"
        );
        let plain = get(&app, path).await;
        assert!(
            plain.content_type().starts_with("application/json"),
            "{path}"
        );
        let any = send(&app, "GET", path, &[("accept", "*/*")]).await;
        assert!(any.content_type().starts_with("application/json"), "{path}");
        if path == "/conformance" {
            continue; // conformance has no links member
        }
        // The JSON names its HTML alternate.
        let doc = plain.json();
        let alternate = doc["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "alternate" && l["type"] == "text/html")
            .unwrap_or_else(|| panic!("{path}: no HTML alternate: {doc}"));
        assert!(alternate["href"].as_str().unwrap().ends_with("f=html"));
    }
    let collection =
        String::from_utf8(get(&app, "/collections/squares?f=html").await.body).unwrap();
    assert!(collection.contains("<code>squares</code>"));
    assert!(collection.contains("/collections/squares/items"));
    let list = String::from_utf8(get(&app, "/collections?f=html").await.body).unwrap();
    assert!(list.contains("/collections/squares-2017?f=html"));
    assert_error(
        &app,
        "/collections?f=xml",
        400,
        "InvalidParameterValue",
        "f: expected json or html, got 'xml'",
    )
    .await;
}

#[tokio::test]
async fn items_and_one_item_as_html_tables_with_paging_and_format_links() {
    let app = app(fixture_catalog());
    let page = get(&app, "/collections/grid/items?f=html&limit=4").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.content_type(), "text/html; charset=utf-8");
    let html = String::from_utf8(page.body).unwrap();
    assert_eq!(
        html.matches("<tr>").count(),
        1 + 4,
        "a header row and 4 features"
    );
    assert!(
        html.contains("rel=\"next\"") || html.contains("(next"),
        "no next link: {html}"
    );
    assert!(
        html.contains("offset=4"),
        "the next page keeps going: {html}"
    );
    for media in ["application/geo+json", "text/csv", "application/flatgeobuf"] {
        assert!(html.contains(media), "no {media} alternate");
    }
    let browser = send(
        &app,
        "GET",
        "/collections/grid/items?limit=4",
        &[("accept", BROWSER)],
    )
    .await;
    assert_eq!(browser.content_type(), "text/html; charset=utf-8");
    // GeoJSON pages list the HTML page among their alternates.
    let fc = get(&app, "/collections/grid/items?limit=4").await.json();
    assert!(fc["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "alternate" && l["type"] == "text/html"));
    let one = get(&app, "/collections/grid/items/G11?f=html").await;
    assert_eq!(one.status, 200);
    let one = String::from_utf8(one.body).unwrap();
    assert!(one.contains("G11"));
    assert_eq!(one.matches("<tr>").count(), 2);
}
