//! The API describes itself: `/api` (OpenAPI 3.0) lists every route and every query parameter
//! the handlers accept, validates as OpenAPI, and is linked from the landing page; queryables and
//! schemas type each property; equality filters and skipGeometry work on items.

use crate::common::{app, assert_error, fixture_catalog, fixture_path, get, real_catalog, send};
use serde_json::Value;
use smartspec::api::documented_endpoints;
use smartspec::api::endpoints::Method;
use std::collections::BTreeSet;
use std::process::Command;

/// The parameter names an UnknownParameter error says the endpoint accepts.
fn accepted(description: &str) -> BTreeSet<String> {
    let list = description
        .split("this endpoint accepts: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no list of accepted parameters in '{description}'"));
    list.split(", ")
        .filter(|s| !s.is_empty() && *s != "(none)")
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn every_route_and_query_parameter_the_server_accepts_is_in_the_document() {
    let app = app(fixture_catalog());
    let doc = get(&app, "/api").await;
    assert_eq!(doc.status, 200);
    assert_eq!(
        doc.content_type(),
        "application/vnd.oai.openapi+json;version=3.0"
    );
    let doc = doc.json();
    let paths = doc["paths"].as_object().unwrap();
    let endpoints = documented_endpoints();
    assert_eq!(
        paths.keys().cloned().collect::<BTreeSet<_>>(),
        endpoints.iter().map(|e| e.path.to_string()).collect(),
        "the document's paths are not the router's"
    );
    for endpoint in &endpoints {
        let path = fixture_path(endpoint.path);
        // The route exists: a request without parameters is not a 404 "no resource" fallback.
        let (method, key) = match endpoint.method {
            Method::Get => ("GET", "get"),
            Method::Post(_) => ("POST", "post"),
        };
        let plain = send(&app, method, &path, &[]).await;
        assert!(
            !(plain.status == 404
                && String::from_utf8_lossy(&plain.body).contains("no resource at")),
            "{path}: the router has no route for the documented {}",
            endpoint.path
        );
        // The handler's own list of parameters, from its error on an unknown one.
        let probe = send(&app, method, &format!("{path}?zz_probe=1"), &[]).await;
        assert_eq!(probe.status, 400, "{path}?zz_probe=1");
        let error = probe.json();
        assert_eq!(error["code"], "UnknownParameter", "{path}: {error}");
        let handler_params = accepted(error["description"].as_str().unwrap());
        let op = &paths[endpoint.path][key];
        let documented: BTreeSet<String> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "query" && p["schema"]["type"] != "object")
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        let filters: BTreeSet<String> = if endpoint.property_filters {
            let q = get(
                &app,
                &fixture_path("/collections/{collectionId}/queryables"),
            )
            .await
            .json();
            q["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        } else {
            BTreeSet::new()
        };
        let expected: BTreeSet<String> = documented.union(&filters).cloned().collect();
        assert_eq!(
            handler_params, expected,
            "{}: the handler accepts {handler_params:?}, the document says {expected:?}",
            endpoint.path
        );
        // Path parameters are documented as such.
        for name in endpoint.path_params() {
            assert!(
                op["parameters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["in"] == "path" && p["name"] == name && p["required"] == true),
                "{}: path parameter {name} undocumented",
                endpoint.path
            );
        }
        for status in ["200", "400", "500"] {
            assert!(
                op["responses"][status].is_object(),
                "{}: no {status} response",
                endpoint.path
            );
        }
    }
}

#[tokio::test]
async fn the_document_is_valid_openapi_3() {
    let app = app(fixture_catalog());
    let body = get(&app, "/api").await.body;
    let file = std::env::temp_dir().join(format!("smartspec-openapi-{}.json", std::process::id()));
    std::fs::write(&file, &body).unwrap();
    let output = Command::new("python3")
        .args([
            "-c",
            "import json,sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')",
        ])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e})"));
    let _ = std::fs::remove_file(&file);
    assert!(
        output.status.success(),
        "openapi-spec-validator rejected /api (pip install openapi-spec-validator if it is missing): {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn the_landing_page_links_the_definition_and_its_page() {
    let app = app(fixture_catalog());
    let landing = get(&app, "/").await.json();
    let link = |rel: &str| {
        landing["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == rel)
            .unwrap_or_else(|| panic!("no {rel} link: {landing}"))
            .clone()
    };
    assert_eq!(link("service-desc")["href"], "http://test.local/api");
    assert_eq!(
        link("service-desc")["type"],
        "application/vnd.oai.openapi+json;version=3.0"
    );
    assert_eq!(link("service-doc")["href"], "http://test.local/api.html");
    assert_eq!(link("service-doc")["type"], "text/html");

    let page = get(&app, "/api.html").await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    let html = String::from_utf8(page.body).unwrap();
    for endpoint in documented_endpoints() {
        assert!(
            html.contains(&format!("<code>{}</code>", endpoint.path)),
            "api.html lacks {}",
            endpoint.path
        );
    }
    assert!(
        !html.contains("src=\"http") && !html.contains("<link"),
        "api.html must load nothing from the network"
    );
}

#[tokio::test]
async fn conformance_claims_what_is_implemented() {
    let app = app(fixture_catalog());
    let c = get(&app, "/conformance").await.json();
    let classes: BTreeSet<&str> = c["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let implemented: BTreeSet<&str> = [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/ogcapi-features-7/0.0/conf/zoom-level",
        "http://www.opengis.net/spec/ogcapi-features-7/0.0/conf/zoom-level-features",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    ]
    .into_iter()
    .collect();
    // Exactly these: each is exercised by a test in this repository (core, geojson, oas30 and
    // queryables here; html in fixtures/html.rs; crs in clients/crs.rs; zoom-level in
    // real_data/zoom.rs; filter and the CQL2 classes in fixtures/filters.rs and, against
    // pygeofilter, in clients/cql2.rs).
    assert_eq!(classes, implemented);
}

#[tokio::test]
async fn queryables_and_schema_type_every_property_of_the_real_layers() {
    let app = app(real_catalog());
    let collection = get(&app, "/collections/lep-2017").await.json();
    let rels: Vec<(&str, &str)> = collection["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["rel"].as_str().unwrap(), l["type"].as_str().unwrap_or("")))
        .collect();
    assert!(rels.contains(&(
        "http://www.opengis.net/def/rel/ogc/1.0/queryables",
        "application/schema+json"
    )));
    assert!(rels.contains(&("describedby", "application/schema+json")));

    let q = get(&app, "/collections/lep-2017/queryables").await;
    assert_eq!(q.content_type(), "application/schema+json");
    let q = q.json();
    assert_eq!(q["type"], "object");
    let props = &q["properties"];
    assert_eq!(props["name"]["type"], "string");
    assert_eq!(props["vintage"]["type"], "integer");
    assert_eq!(props["n_lads_2013"]["type"], "integer");
    assert_eq!(props["approximate"]["type"], "boolean");
    let lep21 = get(&app, "/collections/lep-2021/schema").await.json();
    assert_eq!(lep21["properties"]["lat"]["type"], "number");
    assert_eq!(lep21["properties"]["bng_e"]["type"], "integer");
    assert_eq!(
        lep21["properties"]["geometry"]["x-ogc-role"],
        "primary-geometry"
    );
    assert_eq!(lep21["properties"]["code"]["x-ogc-role"], "id");
    // Every layer has a schema whose property types agree with every feature's values.
    let collections = get(&app, "/collections").await.json();
    for c in collections["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let schema = get(&app, &format!("/collections/{id}/schema")).await.json();
        let fc = get(
            &app,
            &format!("/collections/{id}/items?limit=10000&skipGeometry=true"),
        )
        .await
        .json();
        for f in fc["features"].as_array().unwrap() {
            assert!(f["geometry"].is_null());
            for (name, value) in f["properties"].as_object().unwrap() {
                let ty = &schema["properties"][name]["type"];
                let ok = match value {
                    Value::String(_) => ty == "string",
                    Value::Bool(_) => ty == "boolean",
                    Value::Number(n) if n.is_i64() => ty == "integer" || ty == "number",
                    Value::Number(_) => ty == "number",
                    Value::Null => ty
                        .as_array()
                        .is_some_and(|t| t.contains(&Value::from("null"))),
                    _ => false,
                };
                assert!(ok, "{id}.{name} = {value} but the schema says {ty}");
            }
        }
    }
}

#[tokio::test]
async fn queryable_properties_filter_items_by_typed_equality() {
    let app = app(real_catalog());
    let one = get(
        &app,
        "/collections/lep-2017/items?name=Cumbria&skipGeometry=true",
    )
    .await
    .json();
    assert_eq!(one["numberMatched"], 1);
    assert_eq!(one["features"][0]["properties"]["name"], "Cumbria");
    assert!(one["features"][0]["geometry"].is_null());

    let all = get(
        &app,
        "/collections/lep-2017/items?limit=100&skipGeometry=true",
    )
    .await
    .json();
    let approx = get(
        &app,
        "/collections/lep-2017/items?approximate=true&limit=100",
    )
    .await
    .json();
    let expected = all["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["approximate"] == true)
        .count();
    assert_eq!(approx["numberMatched"], expected);
    let many = get(
        &app,
        "/collections/lep-2017/items?n_lads_2013=3&vintage=2017&limit=100",
    )
    .await
    .json();
    for f in many["features"].as_array().unwrap() {
        assert_eq!(f["properties"]["n_lads_2013"], 3);
    }
    assert!(many["numberMatched"].as_u64().unwrap() >= 1);
    // Filters and paging compose: the next link keeps the filter.
    let paged = get(&app, "/collections/lep-2017/items?vintage=2017&limit=5")
        .await
        .json();
    let next = paged["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    assert!(next["href"].as_str().unwrap().contains("vintage=2017"));

    assert_error(
        &app,
        "/collections/lep-2017/items?vintage=x",
        400,
        "InvalidParameterValue",
        "vintage: expected a whole number, got 'x'",
    )
    .await;
    assert_error(
        &app,
        "/collections/lep-2017/items?approximate=yes",
        400,
        "InvalidParameterValue",
        "approximate: expected true or false",
    )
    .await;
    assert_error(
        &app,
        "/collections/lep-2017/items?colour=red",
        400,
        "UnknownParameter",
        "colour",
    )
    .await;
    assert_error(
        &app,
        "/collections/lep-2017/items?skipGeometry=1",
        400,
        "InvalidParameterValue",
        "skipGeometry: expected true or false",
    )
    .await;
}
