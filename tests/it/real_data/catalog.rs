//! Facts about the real data in ../shared/data, checked through the real router.

use crate::common::{app, data_dir, get, real_catalog};
use serde_json::Value;
use std::collections::HashMap;

#[test]
fn every_layer_has_its_published_feature_count() {
    let catalog = real_catalog();
    let expected = [
        ("lep-2014", 39),
        ("lep-2017", 38),
        ("lep-2020", 38),
        ("lep-2020-lad", 38),
        ("lep-2021", 38),
        ("region", 9),
        ("lad-2013", 326),
        ("nuts2-2006", 37),
        ("nuts2-2010", 37),
        ("nuts2-2013", 40),
        ("nuts2-2016", 41),
        ("nuts2-2010-ew", 32),
        ("nuts3-2006", 133),
        ("nuts3-2010", 139),
        ("nuts3-2013", 173),
        ("nuts3-2016", 179),
        ("nuts3-2010-ew", 111),
    ];
    assert_eq!(catalog.layers.len(), expected.len());
    for (id, count) in expected {
        assert_eq!(
            catalog.layer(id).map(|l| l.areas.len()),
            Some(count),
            "{id}"
        );
    }
}

async fn lookup(app: &axum::Router, lon: f64, lat: f64) -> HashMap<String, Vec<String>> {
    let doc = get(app, &format!("/lookup?lon={lon}&lat={lat}"))
        .await
        .json();
    doc["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let names = l["areas"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_string())
                .collect();
            (l["layer"].as_str().unwrap().to_string(), names)
        })
        .collect()
}

#[tokio::test]
async fn well_known_places_fall_in_the_right_lep_and_region() {
    let app = app(real_catalog());
    let places = [
        // (lon, lat, LEP in every vintage, region)
        (-2.2426, 53.4808, "Greater Manchester", "North West"), // Manchester Piccadilly
        (
            -1.8904,
            52.4862,
            "Greater Birmingham and Solihull",
            "West Midlands",
        ),
        (-0.1276, 51.5072, "London", "London"), // Trafalgar Square
        (
            0.1218,
            52.2053,
            "Greater Cambridge and Greater Peterborough",
            "East of England",
        ),
        (-1.6178, 54.9783, "North East", "North East"), // Newcastle
        (-2.5879, 51.4545, "West of England", "South West"), // Bristol
    ];
    for (lon, lat, lep, region) in places {
        let found = lookup(&app, lon, lat).await;
        for layer in ["lep-2014", "lep-2017", "lep-2020"] {
            assert_eq!(
                found[layer],
                vec![lep.to_string()],
                "{layer} at {lon},{lat}"
            );
        }
        assert_eq!(
            found["region"],
            vec![region.to_string()],
            "region at {lon},{lat}"
        );
    }
}

#[tokio::test]
async fn a_point_at_sea_is_in_no_area() {
    let app = app(real_catalog());
    let found = lookup(&app, -3.5, 50.0).await; // the English Channel off Devon
    assert!(found.values().all(Vec::is_empty), "{found:?}");
}

#[tokio::test]
async fn a_district_shared_by_two_leps_returns_both() {
    let app = app(real_catalog());
    let found = lookup(&app, -1.8262, 52.6816).await; // Lichfield
    assert_eq!(found["lad-2013"], vec!["Lichfield"]);
    for layer in ["lep-2014", "lep-2017"] {
        assert_eq!(
            found[layer],
            vec![
                "Greater Birmingham and Solihull",
                "Stoke-on-Trent and Staffordshire"
            ],
            "{layer}"
        );
    }
}

/// Every LEP-2017 row of lep.csv, read independently with the csv crate, equals the API's value
/// to the indicator's decimals: the source's own text when it has no more decimals than that
/// (binary noise such as 544.0889999999999 is written 544.089).
#[tokio::test]
async fn every_lep_2017_value_is_served_exactly() {
    let app = app(real_catalog());
    let mut reader = csv::Reader::from_path(data_dir().join("metrics/lep.csv")).unwrap();
    let mut expected: HashMap<(String, String), Vec<(String, f64)>> = HashMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        if &r[3] == "2017" {
            let value: f64 = r[4].parse().unwrap();
            expected
                .entry((r[0].to_string(), r[1].to_string()))
                .or_default()
                .push((r[2].to_string(), value));
        }
    }
    assert!(
        expected.len() > 50,
        "only {} indicator-years",
        expected.len()
    );
    let mut checked = 0;
    for ((indicator, year), rows) in &expected {
        let doc = get(
            &app,
            &format!("/indicators/{indicator}/values?geography=lep&year={year}"),
        )
        .await
        .json();
        assert_eq!(doc["layer"], "lep-2017", "{indicator} {year}");
        assert_eq!(doc["values"].as_object().unwrap().len(), 38);
        let decimals = doc["decimals"].as_i64().unwrap() as i32;
        for (code, value) in rows {
            let served = doc["values"][code].as_f64().unwrap();
            let scale = 10f64.powi(decimals);
            assert_eq!(
                served,
                (value * scale).round() / scale,
                "{indicator} {year} {code}: {value} to {decimals} decimals"
            );
            assert!(
                (served - value).abs() <= 0.5 / scale,
                "{indicator} {year} {code}: {served} is more than half a unit of the last decimal from {value}"
            );
            checked += 1;
        }
        let with_data = doc["values"]
            .as_object()
            .unwrap()
            .values()
            .filter(|v| !v.is_null())
            .count();
        assert_eq!(
            with_data,
            rows.len(),
            "{indicator} {year}: nulls are exactly the missing rows"
        );
    }
    assert_eq!(
        checked, 2381,
        "the data README counts 2,381 rows of vintage 2017"
    );
}

#[tokio::test]
async fn the_join_report_matches_the_data_readme() {
    let app = app(real_catalog());
    let report = get(&app, "/join-report").await.json();
    let lep = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "lep")
        .unwrap();
    assert_eq!(lep["totals"]["rows"], 8246);
    assert_eq!(
        lep["totals"]["matched_rows"], 8246,
        "all LEP vintages join 100%"
    );
    let vintage = |table: &str, v: &str| -> Value {
        let t = report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == table)
            .unwrap();
        t["vintages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code_vintage"] == v)
            .unwrap()
            .clone()
    };
    assert_eq!(vintage("lep", "-2014")["layer"], "lep-2014");
    assert_eq!(vintage("lep", "-2014")["totals"]["rows"], 1115);
    // Extra-Regio and the two NUTS-2013 Scottish codes are reported, not dropped silently.
    let n2 = vintage("nuts2", "2016");
    assert_eq!(
        n2["unmatched_codes"]["UKM2"].as_u64().unwrap()
            + n2["unmatched_codes"]["UKM3"].as_u64().unwrap(),
        46
    );
    assert_eq!(n2["unmatched_codes"]["UKZZ"], 12);
    // The one `inf` in nuts3.csv is listed with its line.
    let n3 = vintage("nuts3", "2016");
    assert_eq!(n3["non_finite"][0]["line"], 25246);
    assert_eq!(n3["non_finite"][0]["code"], "UKE12");
    let totals = &report["totals"];
    assert_eq!(totals["rows"], 8246 + 16025 + 35274);
    let sum = [
        "matched_rows",
        "unmatched_rows",
        "empty_values",
        "non_finite_values",
        "duplicate_rows",
    ]
    .iter()
    .map(|k| totals[k].as_u64().unwrap())
    .sum::<u64>();
    assert_eq!(
        totals["rows"].as_u64(),
        Some(sum),
        "every row is accounted for"
    );
}

#[tokio::test]
async fn lep_2020_pages_through_all_38_features() {
    let app = app(real_catalog());
    let mut uri = "/collections/lep-2020/items?limit=10".to_string();
    let mut seen = Vec::new();
    loop {
        let page = get(&app, &uri).await.json();
        assert_eq!(page["numberMatched"], 38);
        seen.extend(
            page["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_string()),
        );
        match page["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
        {
            Some(next) => {
                uri = next["href"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("http://test.local")
                    .to_string()
            }
            None => break,
        }
    }
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (38, 38));
}
