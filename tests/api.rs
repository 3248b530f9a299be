//! The HTTP API over the hand-made squares fixture, through the real router.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, assert_error, fixture_catalog, get, properties};
use serde_json::{json, Value};

fn codes(fc: &Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a str> {
    doc["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
}

#[tokio::test]
async fn landing_links_to_conformance_and_data() {
    let app = app(fixture_catalog());
    let reply = get(&app, "/").await;
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    assert_eq!(
        link(&doc, "conformance"),
        Some("http://test.local/conformance")
    );
    assert_eq!(link(&doc, "data"), Some("http://test.local/collections"));
    assert!(doc["attribution"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Test squares"));
    let conf = get(&app, "/conformance").await.json();
    let classes = conf["conformsTo"].as_array().unwrap();
    assert!(classes.contains(&json!(
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
    )));
    assert!(classes.contains(&json!(
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
    )));
}

#[tokio::test]
async fn collections_describe_extent_and_attribution() {
    let app = app(fixture_catalog());
    let doc = get(&app, "/collections").await.json();
    let ids: Vec<&str> = doc["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["squares", "squares-2017", "grid", "overlap"]);
    let sq = get(&app, "/collections/squares").await.json();
    assert_eq!(
        sq["extent"]["spatial"]["bbox"],
        json!([[-2.0, 52.0, 1.0, 54.0]])
    );
    assert_eq!(
        sq["attribution"],
        "Test squares, hand-made for smartspec's tests."
    );
    assert_eq!(
        link(&sq, "items"),
        Some("http://test.local/collections/squares/items")
    );
}

#[tokio::test]
async fn items_are_geojson_with_counts() {
    let app = app(fixture_catalog());
    let reply = get(&app, "/collections/squares/items").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type(), "application/geo+json");
    let fc = reply.json();
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(
        (fc["numberMatched"].as_u64(), fc["numberReturned"].as_u64()),
        (Some(4), Some(4))
    );
    assert_eq!(codes(&fc), vec!["A", "B", "C", "D"]);
    let a = &fc["features"][0];
    assert_eq!(
        a["properties"],
        json!({"code": "A", "name": "Alpha", "kind": "square"})
    );
    assert_eq!(a["geometry"]["type"], "MultiPolygon");
    assert_eq!(
        a["geometry"]["coordinates"][0].as_array().unwrap().len(),
        2,
        "exterior and hole"
    );
    assert_eq!(
        fc["features"][3]["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "two parts"
    );
}

#[tokio::test]
async fn paging_links_keep_every_other_parameter() {
    let app = app(fixture_catalog());
    let first = get(&app, "/collections/squares/items?properties=name&limit=3")
        .await
        .json();
    assert_eq!(codes(&first), vec!["A", "B", "C"]);
    assert_eq!(first["numberMatched"], 4);
    let next = link(&first, "next").unwrap();
    assert_eq!(
        next,
        "http://test.local/collections/squares/items?properties=name&limit=3&offset=3"
    );
    assert!(link(&first, "prev").is_none());
    let second = get(&app, next.trim_start_matches("http://test.local"))
        .await
        .json();
    assert_eq!(codes(&second), vec!["D"]);
    assert_eq!(
        second["features"][0]["properties"],
        json!({"name": "Delta"})
    );
    assert!(link(&second, "next").is_none());
    assert_eq!(
        link(&second, "prev"),
        Some("http://test.local/collections/squares/items?properties=name&limit=3")
    );
    let beyond = get(&app, "/collections/squares/items?offset=10")
        .await
        .json();
    assert_eq!(
        (
            beyond["numberMatched"].as_u64(),
            beyond["numberReturned"].as_u64()
        ),
        (Some(4), Some(0))
    );
}

#[tokio::test]
async fn limit_above_the_maximum_clamps() {
    let app = app(fixture_catalog());
    let fc = get(&app, "/collections/squares/items?limit=99999999")
        .await
        .json();
    assert_eq!(fc["numberReturned"], 4);
}

#[tokio::test]
async fn bbox_uses_true_geometry_not_envelopes() {
    let app = app(fixture_catalog());
    // Inside A's hole: only B (A's envelope covers it, A's geometry does not).
    let fc = get(
        &app,
        "/collections/squares/items?bbox=-1.55,52.45,-1.45,52.55",
    )
    .await
    .json();
    assert_eq!(codes(&fc), vec!["B"]);
    // Between D's two parts, inside D's envelope: nothing but C's and A's... the box sits in C only.
    let fc = get(&app, "/collections/squares/items?bbox=-0.5,53.2,-0.4,53.3")
        .await
        .json();
    assert_eq!(
        codes(&fc),
        Vec::<String>::new(),
        "D's envelope covers this box, its parts do not"
    );
    let fc = get(&app, "/collections/squares/items?bbox=0.5,52.5,0.6,52.6")
        .await
        .json();
    assert_eq!(codes(&fc), vec!["D"]);
}

#[tokio::test]
async fn code_filter_and_single_feature() {
    let app = app(fixture_catalog());
    let fc = get(&app, "/collections/squares/items?code=C,A")
        .await
        .json();
    assert_eq!(codes(&fc), vec!["A", "C"]);
    let reply = get(&app, "/collections/squares/items/B").await;
    assert_eq!(reply.content_type(), "application/geo+json");
    let f = reply.json();
    assert_eq!(
        (f["type"].as_str(), f["id"].as_str()),
        (Some("Feature"), Some("B"))
    );
    assert_eq!(
        link(&f, "collection"),
        Some("http://test.local/collections/squares")
    );
}

#[tokio::test]
async fn an_indicator_joins_into_properties_on_its_own_layer_only() {
    let app = app(fixture_catalog());
    let fc = get(
        &app,
        "/collections/squares/items?indicator=rd&year=2015&properties=code",
    )
    .await
    .json();
    let props = properties(&fc);
    assert_eq!(
        props[0],
        &json!({"code": "A", "indicator": "rd", "year": 2015, "value": 10.0, "unit": "pounds"})
    );
    assert_eq!(props[3]["value"], Value::Null, "D has no 2015 value");
    assert_error(
        &app,
        "/collections/squares/items?indicator=rd&year=2018",
        400,
        "InvalidParameterValue",
        "joins collection 'squares-2017'",
    )
    .await;
    assert_error(
        &app,
        "/collections/squares/items?indicator=rd",
        400,
        "InvalidParameterValue",
        "year: required with indicator",
    )
    .await;
}

#[tokio::test]
async fn bad_requests_say_exactly_what_is_wrong() {
    let app = app(fixture_catalog());
    let items = "/collections/squares/items";
    assert_error(
        &app,
        &format!("{items}?colour=red"),
        400,
        "UnknownParameter",
        "unknown parameter 'colour'",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?bbox=1,2,3"),
        400,
        "InvalidParameterValue",
        "bbox: expected 4 numbers, got 3",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?bbox=a,b,c,d"),
        400,
        "InvalidParameterValue",
        "bbox: expected a number, got 'a'",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?limit=-5"),
        400,
        "InvalidParameterValue",
        "limit: must be at least 1",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?limit=ten"),
        400,
        "InvalidParameterValue",
        "limit: expected a whole number",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?offset=-1"),
        400,
        "InvalidParameterValue",
        "offset: must be 0 or more",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?properties=colour"),
        400,
        "InvalidParameterValue",
        "'colour' is not a property",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?limit=1&limit=2"),
        400,
        "InvalidParameterValue",
        "given more than once",
    )
    .await;
    assert_error(
        &app,
        &format!("{items}?bbox-crs=EPSG:27700&bbox=0,0,1,1"),
        400,
        "InvalidParameterValue",
        "bbox-crs",
    )
    .await;
    assert_error(
        &app,
        "/collections/nope/items",
        404,
        "NotFound",
        "collections: squares, squares-2017",
    )
    .await;
    assert_error(
        &app,
        "/collections/squares/items/ZZ",
        404,
        "NotFound",
        "no feature with code 'ZZ'",
    )
    .await;
    assert_error(
        &app,
        "/no/such/path",
        404,
        "NotFound",
        "no resource at /no/such/path",
    )
    .await;
}

#[tokio::test]
async fn lookup_returns_every_containing_area_per_layer() {
    let app = app(fixture_catalog());
    let doc = get(&app, "/lookup?lon=-1.5&lat=52.5").await.json();
    let layers = doc["layers"].as_array().unwrap();
    assert_eq!(layers[0]["layer"], "squares");
    assert_eq!(
        layers[0]["areas"],
        json!([{"code": "B", "name": "Bravo"}]),
        "the hole belongs to B"
    );
    assert_eq!(
        layers[1]["areas"],
        json!([{"code": "AC", "name": "Alpha-Charlie"}])
    );
    let sea = get(&app, "/lookup?lon=-5&lat=50&layers=squares")
        .await
        .json();
    assert_eq!(sea["layers"][0]["areas"], json!([]));
    assert_error(
        &app,
        "/lookup?lon=-1.5",
        400,
        "InvalidParameterValue",
        "lat: required",
    )
    .await;
    assert_error(
        &app,
        "/lookup?lon=-1.5&lat=95",
        400,
        "InvalidParameterValue",
        "lat: 95 is outside",
    )
    .await;
    assert_error(
        &app,
        "/lookup?lon=-1.5&lat=52&layers=nope",
        400,
        "InvalidParameterValue",
        "layers: unknown 'nope'",
    )
    .await;
}

#[tokio::test]
async fn values_resolve_the_layer_from_the_vintage_of_the_year() {
    let app = app(fixture_catalog());
    let v = get(&app, "/indicators/rd/values?geography=lep&year=2012")
        .await
        .json();
    assert_eq!(v["layer"], "squares");
    assert_eq!(
        v["values"],
        json!({"A": 1.5, "B": 2.5, "C": null, "D": null})
    );
    let v = get(&app, "/indicators/rd/values?geography=lep&year=2018")
        .await
        .json();
    assert_eq!(v["layer"], "squares-2017");
    assert_eq!(v["values"], json!({"AC": 40.0, "E": null}));
    assert_eq!(v["unit"], "pounds");
    let latest = get(&app, "/indicators/rd/values?geography=lep")
        .await
        .json();
    assert_eq!(latest["year"], 2018);
    assert_error(
        &app,
        "/indicators/rd/values?geography=lep&year=2016",
        404,
        "NotFound",
        "years with data: 2012, 2015, 2018",
    )
    .await;
    assert_error(
        &app,
        "/indicators/rd/values?geography=county&year=2015",
        400,
        "InvalidParameterValue",
        "expected one of lep",
    )
    .await;
    assert_error(
        &app,
        "/indicators/nope/values?geography=lep&year=2015",
        404,
        "NotFound",
        "no indicator 'nope'; indicators: alpha, beta, patents, rd, score",
    )
    .await;
}

#[tokio::test]
async fn indicators_list_metadata_years_and_layers() {
    let app = app(fixture_catalog());
    let doc = get(&app, "/indicators").await.json();
    let rd = doc["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "rd")
        .unwrap();
    let lep = &rd["levels"][0];
    assert_eq!(lep["title"], "R&D spending");
    assert_eq!(lep["unit_symbol"], "£");
    assert_eq!(lep["framework_label"], "Private R&D");
    assert_eq!(lep["years"], json!([2012, 2015, 2018]));
    assert_eq!(lep["vintages"], json!(["-2014", "2014", "2017"]));

    assert_eq!(
        lep["layers"],
        json!({"2012": "squares", "2015": "squares", "2018": "squares-2017"})
    );
    let patents = doc["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "patents")
        .unwrap();
    assert_eq!(patents["levels"][0]["has_metadata"], true);
    assert_eq!(patents["levels"][0]["title"], "Patent applications");
}

#[tokio::test]
async fn the_join_report_accounts_for_every_row() {
    let app = app(fixture_catalog());
    let r = get(&app, "/join-report").await.json();
    assert_eq!(r["tables"][0]["table"], "squares");
    assert_eq!(
        r["tables"][0]["totals"],
        json!({"rows": 10, "matched_rows": 7, "unmatched_rows": 1, "empty_values": 1, "non_finite_values": 1, "duplicate_rows": 0})
    );
    assert_eq!(r["totals"]["rows"], 10 + 27);
    assert_eq!(r["totals"]["matched_rows"], 7 + 27);

    let v2014 = r["tables"][0]["vintages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code_vintage"] == "2014")
        .unwrap();
    assert_eq!(v2014["unmatched_codes"], json!({"ZZ": 1}));
    assert_eq!(v2014["non_finite"][0]["line"], 11);
    assert_eq!(v2014["first_unmatched_line"], 7);
    // An indicator without metadata fails the load (tests/data_faults.rs), so none is listed.
    assert_eq!(r["indicators_without_metadata"], json!([]));
    assert_eq!(r["skipped_tables"], json!([]));
}
