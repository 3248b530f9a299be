//! CSV and FlatGeobuf output of items and one item on the real data: format negotiation (`f=`
//! over `Accept`), the files' content read back with the `csv` and `flatgeobuf` crates, paging
//! `Link` headers, and alternate links.

use crate::common::{app, assert_error, get, real_catalog, send, Reply};
use flatgeobuf::geozero::ToGeo;
use flatgeobuf::{ColumnType, FallibleStreamingIterator, FeatureProperties, FgbReader};
use geo::{BoundingRect, CoordsIter, Intersects};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::io::Cursor;

const CSV: &str = "text/csv; charset=utf-8";
/// The media type of CSV in links.
const CSV_LINK: &str = "text/csv";
const FGB: &str = "application/flatgeobuf";
const GEOJSON: &str = "application/geo+json";

/// The header and records of a CSV body.
fn csv_table(reply: &Reply) -> (Vec<String>, Vec<HashMap<String, String>>) {
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.content_type(), CSV);
    let mut reader = csv::Reader::from_reader(reply.body.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len(), "a row with {} fields", r.len());
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The `Link` header as (href, rel, type) triples.
fn link_header(reply: &Reply) -> Vec<(String, String, String)> {
    let value = header(reply, "link");
    value
        .split(", <")
        .map(|part| {
            let part = part.trim_start_matches('<');
            let (href, rest) = part.split_once('>').unwrap();
            let attr = |name: &str| {
                rest.split(';')
                    .filter_map(|a| a.trim().strip_prefix(&format!("{name}=\"")))
                    .map(|v| v.trim_end_matches('"').to_string())
                    .next()
                    .unwrap_or_default()
            };
            (href.to_string(), attr("rel"), attr("type"))
        })
        .collect()
}

fn path_of(href: &str) -> &str {
    href.strip_prefix("http://test.local").unwrap()
}

/// Every coordinate of a GeoJSON geometry, in order.
fn geojson_coords(geometry: &Value) -> Vec<(f64, f64)> {
    fn walk(v: &Value, out: &mut Vec<(f64, f64)>) {
        match v.as_array() {
            Some(a) if a.first().is_some_and(Value::is_number) => {
                out.push((a[0].as_f64().unwrap(), a[1].as_f64().unwrap()))
            }
            Some(a) => a.iter().for_each(|x| walk(x, out)),
            None => {}
        }
    }
    let mut out = Vec::new();
    walk(&geometry["coordinates"], &mut out);
    out
}

/// Every coordinate of a WKT (MULTI)POLYGON, in order.
fn wkt_coords(wkt: &str) -> Vec<(f64, f64)> {
    let body = wkt
        .trim_start_matches("MULTIPOLYGON")
        .trim_start_matches("POLYGON");
    body.split([',', '(', ')'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            let (x, y) = t.split_once(' ').unwrap_or_else(|| panic!("pair '{t}'"));
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn csv_has_a_header_and_one_row_per_feature_of_the_page() {
    let app = app(real_catalog());
    let reply = get(&app, "/collections/lep-2017/items?f=csv").await;
    let (head, rows) = csv_table(&reply);
    let fc = get(&app, "/collections/lep-2017/items").await.json();
    assert_eq!(fc["numberMatched"], 38);
    assert_eq!(rows.len(), 38, "without limit, CSV holds the whole layer");
    assert_eq!(&head[..2], ["code", "name"]);
    let first = fc["features"][0]["properties"].as_object().unwrap();
    let expected: Vec<&str> = std::iter::once("code")
        .chain(std::iter::once("name"))
        .chain(
            first
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "code" && *k != "name"),
        )
        .collect();
    assert_eq!(head, expected, "code, name, then the layer's properties");
    assert_eq!(
        header(&reply, "content-disposition"),
        "attachment; filename=\"lep-2017.csv\""
    );

    // A page: as many rows as the GeoJSON page returns.
    let page = "/collections/lep-2017/items?limit=10&offset=30&properties=name,n_lads_2013";
    let fc = get(&app, page).await.json();
    let (head, rows) = csv_table(&get(&app, &format!("{page}&f=csv")).await);
    assert_eq!(head, ["code", "name", "n_lads_2013"]);
    assert_eq!(rows.len() as u64, fc["numberReturned"].as_u64().unwrap());
    assert_eq!(rows.len(), 8);
    for (row, feature) in rows.iter().zip(fc["features"].as_array().unwrap()) {
        assert_eq!(row["code"], feature["id"].as_str().unwrap());
        assert_eq!(row["name"], feature["properties"]["name"].as_str().unwrap());
        assert_eq!(
            row["n_lads_2013"],
            feature["properties"]["n_lads_2013"].to_string()
        );
    }
}

#[tokio::test]
async fn csv_quotes_a_name_with_a_comma() {
    let app = app(real_catalog());
    let reply = get(&app, "/collections/lep-2017/items?f=csv&properties=name").await;
    let text = String::from_utf8(reply.body.clone()).unwrap();
    let name = "Derby, Derbyshire, Nottingham and Nottinghamshire";
    assert!(
        text.contains(&format!(",\"{name}\"\n")),
        "the name is quoted:\n{text}"
    );
    let (_, rows) = csv_table(&reply);
    assert_eq!(rows.iter().filter(|r| r["name"] == name).count(), 1);
}

#[tokio::test]
async fn csv_value_column_equals_the_geojson_joined_value() {
    let app = app(real_catalog());
    let q = "indicator=total_ukri_funding&year=2018&properties=name";
    let fc = get(&app, &format!("/collections/lep-2017/items?{q}"))
        .await
        .json();
    let (head, rows) =
        csv_table(&get(&app, &format!("/collections/lep-2017/items?{q}&f=csv")).await);
    assert_eq!(head, ["code", "name", "indicator", "year", "value", "unit"]);
    let features = fc["features"].as_array().unwrap();
    assert_eq!(rows.len(), features.len());
    let mut with_value = 0;
    for (row, feature) in rows.iter().zip(features) {
        let p = &feature["properties"];
        assert_eq!(row["code"], feature["id"].as_str().unwrap());
        assert_eq!(row["indicator"], "total_ukri_funding");
        assert_eq!(row["year"], "2018");
        assert_eq!(row["unit"], p["unit"].as_str().unwrap());
        match p["value"].as_f64() {
            Some(v) => {
                with_value += 1;
                assert_eq!(row["value"].parse::<f64>().unwrap(), v, "{}", row["code"]);
                assert_eq!(row["value"], p["value"].to_string(), "same text as GeoJSON");
            }
            None => assert_eq!(row["value"], "", "a missing value is an empty cell"),
        }
    }
    assert!(with_value > 30, "{with_value} values joined");
}

#[tokio::test]
async fn csv_geometry_wkt_holds_every_vertex_of_the_served_geometry() {
    let app = app(real_catalog());
    for zoom in ["", "&zoom=6"] {
        let q = format!("code=E37000015,E37000019&properties=name{zoom}");
        let fc = get(&app, &format!("/collections/lep-2017/items?{q}"))
            .await
            .json();
        let (head, rows) = csv_table(
            &get(
                &app,
                &format!("/collections/lep-2017/items?{q}&f=csv&geometry=wkt"),
            )
            .await,
        );
        assert_eq!(head.last().map(String::as_str), Some("WKT"));
        assert_eq!(rows.len(), 2);
        for (row, feature) in rows.iter().zip(fc["features"].as_array().unwrap()) {
            let wkt = &row["WKT"];
            assert!(wkt.starts_with("MULTIPOLYGON ((("), "{}", &wkt[..40]);
            let expected = geojson_coords(&feature["geometry"]);
            assert!(expected.len() > 20);
            assert_eq!(wkt_coords(wkt), expected, "zoom '{zoom}': same vertices");
        }
    }
    let full = get(
        &app,
        "/collections/lep-2017/items?f=csv&geometry=wkt&code=E37000015",
    )
    .await;
    let z6 = get(
        &app,
        "/collections/lep-2017/items?f=csv&geometry=wkt&code=E37000015&zoom=6",
    )
    .await;
    let count = |r: &Reply| wkt_coords(&csv_table(r).1[0]["WKT"]).len();
    assert!(
        count(&z6) < count(&full),
        "{} < {}",
        count(&z6),
        count(&full)
    );
}

/// The whole layer read back with the `flatgeobuf` crate: features by code, column types.
fn read_fgb(body: &[u8]) -> (Vec<(String, ColumnType)>, u64, u16, i32) {
    let reader = FgbReader::open(Cursor::new(body)).unwrap();
    let h = reader.header();
    let columns = h
        .columns()
        .unwrap()
        .iter()
        .map(|c| (c.name().to_string(), c.type_()))
        .collect();
    let crs = h.crs().map_or(0, |c| c.code());
    (columns, h.features_count(), h.index_node_size(), crs)
}

#[tokio::test]
async fn flatgeobuf_is_the_whole_layer_with_typed_columns_an_index_and_epsg_4326() {
    let app = app(real_catalog());
    let reply = get(&app, "/collections/lep-2017/items?f=fgb").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type(), FGB);
    assert_eq!(
        header(&reply, "content-disposition"),
        "attachment; filename=\"lep-2017.fgb\""
    );
    let (columns, count, node_size, crs) = read_fgb(&reply.body);
    assert_eq!(count, 38);
    assert!(node_size > 0, "packed R-tree present");
    assert_eq!(crs, 4326);
    let types: HashMap<&str, ColumnType> = columns.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    assert_eq!(columns[0].0, "code");
    assert_eq!(columns[1].0, "name");
    assert_eq!(types["name"], ColumnType::String);
    assert_eq!(types["vintage"], ColumnType::Long);
    assert_eq!(types["n_lads_2013"], ColumnType::Long);
    assert_eq!(types["approximate"], ColumnType::Bool);
    assert_eq!(types["note"], ColumnType::String);

    // Every feature, with the same attributes and vertices as the GeoJSON.
    let fc = get(&app, "/collections/lep-2017/items").await.json();
    let by_code: HashMap<&str, &Value> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f))
        .collect();
    let mut iter = FgbReader::open(Cursor::new(reply.body.as_slice()))
        .unwrap()
        .select_all()
        .unwrap();
    let mut seen = BTreeSet::new();
    while let Some(f) = iter.next().unwrap() {
        let code: String = f.property("code").unwrap();
        let g = by_code[code.as_str()];
        let p = &g["properties"];
        assert_eq!(
            f.property::<String>("name").unwrap(),
            p["name"].as_str().unwrap()
        );
        assert_eq!(
            f.property::<i64>("vintage").unwrap(),
            p["vintage"].as_i64().unwrap()
        );
        assert_eq!(
            f.property::<bool>("approximate").unwrap(),
            p["approximate"].as_bool().unwrap()
        );
        let geometry = f.to_geo().unwrap();
        assert_eq!(
            geometry.coords_count(),
            geojson_coords(&g["geometry"]).len(),
            "{code}"
        );
        seen.insert(code);
    }
    assert_eq!(seen.len(), 38);

    // Floats are Double (lep-2021 carries the ONS centroid).
    let (columns, count, _, _) =
        read_fgb(&get(&app, "/collections/lep-2021/items?f=fgb").await.body);
    assert_eq!(count, 38);
    let types: HashMap<&str, ColumnType> = columns.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    assert_eq!(types["lat"], ColumnType::Double);
    assert_eq!(types["bng_e"], ColumnType::Long);
}

#[tokio::test]
async fn flatgeobuf_index_answers_a_bbox_like_the_envelopes() {
    let app = app(real_catalog());
    let body = get(&app, "/collections/lad-2013/items?f=fgb").await.body;
    let (_, count, _, _) = read_fgb(&body);
    assert_eq!(count, 326);
    let (min_x, min_y, max_x, max_y) = (-2.5, 53.3, -2.0, 53.6);
    let mut iter = FgbReader::open(Cursor::new(body.as_slice()))
        .unwrap()
        .select_bbox(min_x, min_y, max_x, max_y)
        .unwrap();
    let mut from_index = BTreeSet::new();
    while let Some(f) = iter.next().unwrap() {
        from_index.insert(f.property::<String>("code").unwrap());
    }
    // What the index must return: the areas whose envelope meets the box.
    let fc = get(&app, "/collections/lad-2013/items?limit=1000")
        .await
        .json();
    let query = geo::Rect::new(
        geo::coord! { x: min_x, y: min_y },
        geo::coord! { x: max_x, y: max_y },
    );
    let expected: BTreeSet<String> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let coords = geojson_coords(&f["geometry"]);
            let line = geo::MultiPoint::from(coords);
            line.bounding_rect().unwrap().intersects(&query)
        })
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert!(expected.contains("E08000003"), "Manchester");
    assert!(expected.len() < 40, "{} areas", expected.len());
    assert_eq!(from_index, expected);
}

#[tokio::test]
async fn flatgeobuf_carries_the_metric_typed_and_the_zoom_band() {
    let app = app(real_catalog());
    let q = "indicator=total_ukri_funding&year=2018&properties=name";
    let fc = get(&app, &format!("/collections/lep-2017/items?{q}"))
        .await
        .json();
    let body = get(&app, &format!("/collections/lep-2017/items?{q}&f=fgb"))
        .await
        .body;
    let (columns, _, _, _) = read_fgb(&body);
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["code", "name", "indicator", "year", "value", "unit"]
    );
    assert_eq!(columns[3].1, ColumnType::Int);
    assert_eq!(columns[4].1, ColumnType::Double);
    let values: HashMap<&str, Option<f64>> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["properties"]["value"].as_f64()))
        .collect();
    let mut iter = FgbReader::open(Cursor::new(body.as_slice()))
        .unwrap()
        .select_all()
        .unwrap();
    let mut n = 0;
    while let Some(f) = iter.next().unwrap() {
        let code: String = f.property("code").unwrap();
        assert_eq!(f.property::<i32>("year").unwrap(), 2018);
        assert_eq!(
            f.property::<f64>("value").ok(),
            values[code.as_str()],
            "{code}"
        );
        n += 1;
    }
    assert_eq!(n, 38);

    let vertices = |body: &[u8]| {
        let mut iter = FgbReader::open(Cursor::new(body))
            .unwrap()
            .select_all()
            .unwrap();
        let mut n = 0;
        while let Some(f) = iter.next().unwrap() {
            n += f.to_geo().unwrap().coords_count();
        }
        n
    };
    let z6 = get(&app, "/collections/lep-2017/items?f=fgb&zoom=6")
        .await
        .body;
    let full = get(&app, "/collections/lep-2017/items?f=fgb").await.body;
    let fc6 = get(&app, "/collections/lep-2017/items?zoom=6").await.json();
    let geojson6: usize = fc6["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| geojson_coords(&f["geometry"]).len())
        .sum();
    assert_eq!(vertices(&z6), geojson6);
    assert!(vertices(&z6) < vertices(&full));
}

#[tokio::test]
async fn f_wins_over_accept_and_accept_chooses_otherwise() {
    let app = app(real_catalog());
    let items = "/collections/lep-2017/items?limit=5";
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 9] = [
        ("", &[], GEOJSON),
        ("", &[("accept", "*/*")], GEOJSON),
        ("", &[("accept", "text/csv")], CSV),
        ("", &[("accept", "application/flatgeobuf")], FGB),
        ("", &[("accept", "application/geo+json")], GEOJSON),
        ("", &[("accept", "image/png")], GEOJSON),
        (
            "",
            &[("accept", "text/csv;q=0.4, application/geo+json")],
            GEOJSON,
        ),
        ("&f=csv", &[("accept", "application/geo+json")], CSV),
        ("&f=json", &[("accept", "application/flatgeobuf")], GEOJSON),
    ];
    // Twice: the second round comes from the response cache, keyed by Accept too.
    for round in 0..2 {
        for (f, headers, expected) in cases {
            let reply = send(&app, "GET", &format!("{items}{f}"), headers).await;
            assert_eq!(reply.status, 200);
            assert_eq!(
                reply.content_type(),
                expected,
                "round {round}: f '{f}', {headers:?}"
            );
            assert!(header(&reply, "vary").contains("Accept"));
        }
    }
    // One item too.
    let one = "/collections/lep-2017/items/E37000015";
    let csv = send(&app, "GET", one, &[("accept", "text/csv")]).await;
    let (_, rows) = csv_table(&csv);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], "Greater Manchester");
    assert_eq!(
        header(&csv, "content-disposition"),
        "attachment; filename=\"lep-2017-E37000015.csv\""
    );
    let fgb = get(&app, &format!("{one}?f=fgb")).await;
    assert_eq!(fgb.content_type(), FGB);
    assert_eq!(read_fgb(&fgb.body).1, 1);
    let json = send(&app, "GET", one, &[("accept", "application/geo+json")]).await;
    assert_eq!(json.content_type(), GEOJSON);
    assert_eq!(json.json()["id"], "E37000015");
}

#[tokio::test]
async fn unknown_formats_and_misplaced_geometry_are_400() {
    let app = app(real_catalog());
    for uri in [
        "/collections/lep-2017/items?f=shp",
        "/collections/lep-2017/items/E37000015?f=xml",
    ] {
        assert_error(
            &app,
            uri,
            400,
            "InvalidParameterValue",
            "f: expected one of json, geojson, csv, fgb, flatgeobuf, html, got",
        )
        .await;
    }
    assert_error(
        &app,
        "/collections/lep-2017/items?f=fgb&geometry=wkt",
        400,
        "InvalidParameterValue",
        "geometry: 'wkt' applies to CSV output (f=csv) only",
    )
    .await;
    assert_error(
        &app,
        "/collections/lep-2017/items?f=csv&geometry=wkb",
        400,
        "InvalidParameterValue",
        "geometry: expected wkt, got 'wkb'",
    )
    .await;
    assert_error(
        &app,
        "/collections/lep-2017/items/E37000015/neighbours?f=csv",
        400,
        "InvalidParameterValue",
        "f: expected json or geojson, got 'csv'",
    )
    .await;
    assert_error(
        &app,
        "/collections/lep-2017/items/E37000015/neighbours?geometry=wkt",
        400,
        "UnknownParameter",
        "unknown parameter 'geometry'",
    )
    .await;
}

#[tokio::test]
async fn csv_pages_carry_link_headers_that_walk_the_layer() {
    let app = app(real_catalog());
    let mut uri = "/collections/lep-2017/items?f=csv&limit=10&properties=name".to_string();
    let mut codes = BTreeSet::new();
    let mut pages = 0;
    loop {
        let reply = get(&app, &uri).await;
        let (_, rows) = csv_table(&reply);
        codes.extend(rows.iter().map(|r| r["code"].clone()));
        pages += 1;
        let links = link_header(&reply);
        let rel = |rel: &str, media: &str| {
            links
                .iter()
                .find(|(_, r, t)| r == rel && t == media)
                .map(|(h, _, _)| h.clone())
        };
        assert_eq!(
            rel("self", CSV_LINK).as_deref().map(path_of),
            Some(uri.as_str()),
            "{links:?}"
        );
        let fgb = rel("alternate", FGB).expect("an FGB alternate");
        assert!(fgb.contains("f=fgb") && fgb.contains("limit=10"), "{fgb}");
        assert!(rel("alternate", GEOJSON).is_some());
        assert!(rel("collection", "application/json").is_some());
        if pages > 1 {
            let prev = rel("prev", CSV_LINK).expect("a prev link after the first page");
            assert!(prev.contains("f=csv"));
        }
        match rel("next", CSV_LINK) {
            Some(next) => {
                assert_eq!(rows.len(), 10);
                uri = path_of(&next).to_string();
            }
            None => break,
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(codes.len(), 38);

    // FlatGeobuf pages the same way when a limit is given.
    let fgb = get(&app, "/collections/lep-2017/items?f=fgb&limit=30").await;
    assert_eq!(read_fgb(&fgb.body).1, 30);
    let next = link_header(&fgb)
        .into_iter()
        .find(|(_, r, _)| r == "next")
        .unwrap();
    assert_eq!(next.2, FGB);
    let rest = get(&app, path_of(&next.0)).await;
    assert_eq!(read_fgb(&rest.body).1, 8);
}

#[tokio::test]
async fn geojson_and_the_collection_link_every_format() {
    let app = app(real_catalog());
    let fc = get(&app, "/collections/lep-2017/items?limit=10&properties=name")
        .await
        .json();
    let links = fc["links"].as_array().unwrap();
    for (media, f) in [(CSV_LINK, "f=csv"), (FGB, "f=fgb")] {
        let href = links
            .iter()
            .find(|l| l["rel"] == "alternate" && l["type"] == media)
            .and_then(|l| l["href"].as_str())
            .unwrap_or_else(|| panic!("no {media} alternate: {links:?}"));
        assert!(href.contains(f) && href.contains("limit=10"), "{href}");
        let reply = get(&app, path_of(href)).await;
        assert!(reply.content_type().starts_with(media), "{href}");
    }
    let item = get(&app, "/collections/lep-2017/items/E37000015")
        .await
        .json();
    let alternates: Vec<&str> = item["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rel"] == "alternate")
        .filter_map(|l| l["type"].as_str())
        .collect();
    assert_eq!(alternates, [CSV_LINK, FGB, "text/html"]);

    let collection = get(&app, "/collections/lep-2017").await.json();
    let links = collection["links"].as_array().unwrap();
    let enclosure = links
        .iter()
        .find(|l| l["rel"] == "enclosure" && l["type"] == FGB)
        .and_then(|l| l["href"].as_str())
        .expect("a whole-layer FlatGeobuf enclosure");
    let download = get(&app, path_of(enclosure)).await;
    assert_eq!(read_fgb(&download.body).1, 38);
    for media in [GEOJSON, CSV_LINK, FGB] {
        assert!(
            links
                .iter()
                .any(|l| l["rel"] == "items" && l["type"] == media),
            "items link for {media}"
        );
    }
    // GeoJSON stays the first items link (clients such as GDAL's OAPIF take the first).
    let first_items = links.iter().find(|l| l["rel"] == "items").unwrap();
    assert_eq!(first_items["type"], GEOJSON);
}

#[tokio::test]
async fn head_of_a_download_announces_its_length() {
    let app = app(real_catalog());
    let uri = "/collections/lep-2017/items?f=fgb";
    let get_reply = get(&app, uri).await;
    let head = send(&app, "HEAD", uri, &[]).await;
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(head.content_type(), FGB);
    assert_eq!(
        header(&head, "content-length"),
        get_reply.body.len().to_string()
    );
}

#[tokio::test]
async fn a_byte_range_of_a_download_is_a_206_slice_of_the_identity_body() {
    let app = app(real_catalog());
    let uri = "/collections/lep-2017/items?f=fgb";
    let full = get(&app, uri).await;
    assert_eq!(header(&full, "accept-ranges"), "bytes");
    let len = full.body.len();
    let etag = header(&full, "etag").to_string();
    let cases: [(&str, usize, usize); 3] = [
        ("bytes=0-16383", 0, 16383),
        ("bytes=100-", 100, len - 1),
        ("bytes=-50", len - 50, len - 1),
    ];
    for (range, first, last) in cases {
        // Even a client accepting gzip gets a slice of the uncompressed file.
        let part = send(
            &app,
            "GET",
            uri,
            &[("range", range), ("accept-encoding", "gzip, br")],
        )
        .await;
        assert_eq!(part.status, 206, "{range}");
        assert_eq!(
            header(&part, "content-range"),
            format!("bytes {first}-{last}/{len}")
        );
        assert_eq!(header(&part, "content-encoding"), "");
        assert_eq!(part.body, full.body[first..=last], "{range}");
        assert_eq!(part.content_type(), FGB);
    }
    let beyond = send(&app, "GET", uri, &[("range", &format!("bytes={len}-"))]).await;
    assert_eq!(beyond.status, 416);
    assert_eq!(header(&beyond, "content-range"), format!("bytes */{len}"));
    // A stale If-Range, or several ranges, get the whole file.
    let stale = send(
        &app,
        "GET",
        uri,
        &[("range", "bytes=0-9"), ("if-range", "\"0000000000000000\"")],
    )
    .await;
    assert_eq!((stale.status.as_u16(), stale.body.len()), (200, len));
    let fresh = send(
        &app,
        "GET",
        uri,
        &[("range", "bytes=0-9"), ("if-range", &etag)],
    )
    .await;
    assert_eq!((fresh.status.as_u16(), fresh.body.len()), (206, 10));
    let multi = send(&app, "GET", uri, &[("range", "bytes=0-9,20-29")]).await;
    assert_eq!((multi.status.as_u16(), multi.body.len()), (200, len));
}

#[tokio::test]
async fn an_empty_result_is_a_valid_file() {
    let app = app(real_catalog());
    let far = "/collections/lep-2017/items?bbox=-180,-90,-170,-80";
    let fgb = get(&app, &format!("{far}&f=fgb")).await;
    assert_eq!(fgb.status, 200);
    assert_eq!(read_fgb(&fgb.body).1, 0);
    let mut iter = FgbReader::open(Cursor::new(fgb.body.as_slice()))
        .unwrap()
        .select_all()
        .unwrap();
    assert!(iter.next().unwrap().is_none());
    let (head, rows) = csv_table(&get(&app, &format!("{far}&f=csv")).await);
    assert_eq!(&head[..2], ["code", "name"]);
    assert!(rows.is_empty());
}

#[tokio::test]
async fn downloads_in_british_national_grid_carry_the_geojson_coordinates_and_say_their_crs() {
    let app = app(real_catalog());
    const BNG: &str = "http://www.opengis.net/def/crs/EPSG/0/27700";
    let one = format!("/collections/lep-2020/items/E37000015?crs={BNG}");
    let geojson = get(&app, &one).await;
    assert_eq!(header(&geojson, "content-crs"), format!("<{BNG}>"));
    let expected = geojson_coords(&geojson.json()["geometry"]);
    assert!(
        expected[0].0 > 300_000.0 && expected[0].1 > 300_000.0,
        "metres: {:?}",
        expected[0]
    );

    let csv = get(&app, &format!("{one}&f=csv&geometry=wkt")).await;
    assert_eq!(header(&csv, "content-crs"), format!("<{BNG}>"));
    let (_, rows) = csv_table(&csv);
    assert_eq!(wkt_coords(&rows[0]["WKT"]), expected);

    let fgb = get(&app, &format!("{one}&f=fgb")).await;
    assert_eq!(header(&fgb, "content-crs"), format!("<{BNG}>"));
    assert_eq!(read_fgb(&fgb.body).3, 27700);
    let mut reader = FgbReader::open(Cursor::new(&fgb.body))
        .unwrap()
        .select_all()
        .unwrap();
    let feature = reader.next().unwrap().unwrap();
    let got: Vec<(f64, f64)> = feature
        .to_geo()
        .unwrap()
        .coords_iter()
        .map(|c| (c.x, c.y))
        .collect();
    assert_eq!(got, expected);
    // Without crs, downloads stay in CRS84 and say so.
    let plain = get(&app, "/collections/lep-2020/items/E37000015?f=fgb").await;
    assert_eq!(read_fgb(&plain.body).3, 4326);
    assert_eq!(
        header(&plain, "content-crs"),
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    );
}
