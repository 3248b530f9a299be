//! Adjacency and analysis on the real data, checked against references derived independently.

use crate::common::{app, get, real_catalog};
use smartspec::index::adjacency::Relation;
use std::collections::BTreeSet;

#[test]
fn adjacency_is_symmetric_and_irreflexive_on_every_real_layer() {
    let catalog = real_catalog();
    for layer in &catalog.layers {
        let mut pairs = 0;
        for (i, list) in layer.adjacency.iter().enumerate() {
            for n in list {
                assert_ne!(n.index, i, "{}", layer.id());
                let back = layer.adjacency[n.index].iter().find(|m| m.index == i);
                assert_eq!(
                    back.map(|b| (b.relation, b.shared_km)),
                    Some((n.relation, n.shared_km)),
                    "{}",
                    layer.id()
                );
                pairs += 1;
            }
        }
        assert!(pairs > 0, "{} has no neighbours at all", layer.id());
    }
}

/// GDAL (GEOS), run once while writing this test in ../shared/data/boundaries:
/// `ogrinfo -q -dialect SQLite -sql "SELECT b.code FROM leps_2020 a, leps_2020 b WHERE
///  a.code='E37000015' AND a.code<>b.code AND ST_Intersects(a.geometry,b.geometry)" leps_2020.geojson`
/// gives E37000003, E37000019, E37000022, E37000045, E37000050, each with ST_Touches = 1.
#[tokio::test]
async fn greater_manchester_borders_the_leps_gdal_finds() {
    let app = app(real_catalog());
    let fc = get(&app, "/collections/lep-2020/items/E37000015/neighbours")
        .await
        .json();
    let got: Vec<(&str, &str)> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap(),
                f["properties"]["relation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("E37000003", "touches"),
            ("E37000019", "touches"),
            ("E37000022", "touches"),
            ("E37000045", "touches"),
            ("E37000050", "touches")
        ]
    );
}

/// Every overlap in lep-2014 and lep-2017 is a pair the data lists in `overlaps_with` (LEPs
/// sharing a district), and every listed pair is an overlap.
#[test]
fn lep_overlaps_are_exactly_the_shared_districts() {
    let catalog = real_catalog();
    for id in ["lep-2014", "lep-2017", "lep-2020"] {
        let layer = catalog.layer(id).unwrap();
        let mut declared = BTreeSet::new();
        for a in &layer.areas {
            let listed = a.properties["overlaps_with"].as_str().unwrap_or("");
            for b in listed
                .split([',', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                declared.insert((
                    a.code.as_str().min(b).to_string(),
                    a.code.as_str().max(b).to_string(),
                ));
            }
        }
        let mut found = BTreeSet::new();
        for (i, list) in layer.adjacency.iter().enumerate() {
            for n in list.iter().filter(|n| n.relation == Relation::Overlaps) {
                let (a, b) = (
                    layer.areas[i].code.as_str(),
                    layer.areas[n.index].code.as_str(),
                );
                found.insert((a.min(b).to_string(), a.max(b).to_string()));
            }
        }
        assert!(!declared.is_empty(), "{id}");
        assert_eq!(found, declared, "{id}");
    }
}

/// On the real discipline matrix, every category's activity-weighted mean LQ is 1 (to within
/// the rounding of the quotients, written to four decimals: at most 5e-5).
#[tokio::test]
async fn weighted_mean_location_quotient_is_one_for_every_category() {
    let app = app(real_catalog());
    for measure in ["projects", "funding_gbp"] {
        let s = get(
            &app,
            &format!("/specialisation/gtr-disciplines?measure={measure}"),
        )
        .await
        .json();
        let areas = s["areas"].as_array().unwrap();
        assert_eq!(areas.len(), 40);
        for category in s["categories"].as_array().unwrap() {
            let c = category.as_str().unwrap();
            let (mut weighted, mut weights) = (0.0, 0.0);
            for a in areas {
                let total = a["total"].as_f64().unwrap();
                if let Some(lq) = a["location_quotients"][c].as_f64() {
                    weighted += lq * total;
                    weights += total;
                }
            }
            assert!(
                (weighted / weights - 1.0).abs() <= 5e-5,
                "{measure} {c}: {}",
                weighted / weights
            );
        }
        assert_eq!(
            s["codes_without_boundary"],
            serde_json::json!([]),
            "every matrix area is a nuts2-2016 area"
        );
    }
}

#[tokio::test]
async fn every_analysis_endpoint_answers_on_every_lep_and_nuts_vintage() {
    let app = app(real_catalog());
    for (geography, year, code) in [
        ("lep", 2012, "E37000015"),
        ("lep", 2016, "E37000015"),
        ("lep", 2018, "E37000015"),
        ("lep", 2019, "E37000015"),
        ("nuts2", 2016, "UKD3"),
        ("nuts3", 2016, "UKD33"),
    ] {
        let profile = get(
            &app,
            &format!("/areas/{code}/profile?geography={geography}&year={year}"),
        )
        .await;
        assert_eq!(
            profile.status,
            200,
            "{}",
            String::from_utf8_lossy(&profile.body)
        );
        let p = profile.json();
        assert!(
            p["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["rank"].is_u64()),
            "{geography} {year}"
        );
        let peers = get(
            &app,
            &format!("/areas/{code}/peers?geography={geography}&year={year}&k=3"),
        )
        .await;
        assert_eq!(
            peers.status,
            200,
            "{}",
            String::from_utf8_lossy(&peers.body)
        );
        assert_eq!(
            peers.json()["peers"].as_array().unwrap().len(),
            3,
            "{geography} {year}"
        );
    }
}

/// Greater Manchester, 2018, read with the reviewed polarity: its short trip to the road network
/// and its low PM10 (where lower is better) are strengths, not weaknesses as a raw-value ranking
/// made them; its long commute (lower is better) is a weakness; the neutral university estate is
/// listed apart; travel_time_to_rail, equal to travel_time_to_airport in every LEP area-year, is
/// counted once.
#[tokio::test]
async fn greater_manchester_2018_strengths_and_weaknesses_follow_the_good_direction() {
    let app = app(real_catalog());
    let p = get(&app, "/areas/E37000015/profile?geography=lep&year=2018")
        .await
        .json();
    let ids = |key: &str| -> Vec<String> {
        p[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (strengths, weaknesses, neutral) = (ids("strengths"), ids("weaknesses"), ids("neutral"));
    for id in ["travel_time_to_road_junctions", "air_pollution_mean_pm10"] {
        assert!(strengths.contains(&id.to_string()), "{id} in {strengths:?}");
    }
    assert_eq!(weaknesses, ["travel_time_to_work", "total_ukri_funding"]);
    assert_eq!(
        neutral,
        ["area_university_site", "total_university_buildings"]
    );
    let row = |id: &str| {
        p["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["indicator"] == id)
            .unwrap()
            .clone()
    };
    let junctions = row("travel_time_to_road_junctions");
    assert_eq!(
        (
            junctions["percentile"].as_f64(),
            junctions["good_percentile"].as_f64()
        ),
        (Some(3.8), Some(96.2))
    );
    let rail = row("travel_time_to_rail");
    assert_eq!(rail["duplicate_of"], "travel_time_to_airport");
    assert_eq!(rail["standing"], serde_json::Value::Null);
    assert!(!strengths.contains(&"travel_time_to_rail".to_string()));
    // Peers count the pair once too.
    let peers = get(&app, "/areas/E37000015/peers?geography=lep&year=2018")
        .await
        .json();
    let skipped: Vec<&str> = peers["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["indicator"].as_str().unwrap())
        .collect();
    assert!(skipped.contains(&"travel_time_to_rail"), "{skipped:?}");
}

/// The join report finds the one duplicate pair, and the robust outlier rule flags the
/// implausible UKRI total of £5,000 (Cumbria, 2016) without changing it.
#[tokio::test]
async fn duplicates_and_implausible_values_are_reported_never_changed() {
    let app = app(real_catalog());
    let report = get(&app, "/join-report").await.json();
    assert_eq!(
        report["duplicate_indicators"],
        serde_json::json!([{"geography": "lep", "indicator": "travel_time_to_rail",
            "duplicate_of": "travel_time_to_airport", "shared_values": 78}])
    );
    let values = get(
        &app,
        "/indicators/total_ukri_funding/values?geography=lep&year=2016",
    )
    .await
    .json();
    assert_eq!(values["check_source"], serde_json::json!(["E37000007"]));
    assert_eq!(values["values"]["E37000007"], 5000.0);
    assert_eq!(
        (&values["unit"], &values["unit_symbol"]),
        (&"pounds".into(), &"£".into())
    );
    let indicators = get(&app, "/indicators?geography=lep").await.json();
    let airport = indicators["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "travel_time_to_airport")
        .unwrap();
    let level = &airport["levels"][0];
    assert_eq!(level["higher_is_better"], false);
    assert!(level["caveats"][0]
        .as_str()
        .unwrap()
        .starts_with("Equal to travel_time_to_rail in all 78 lep area-years"));
}

/// Differences and values are written to the indicator's decimals: Greater Manchester's 2019
/// STEM density is 5.8 and Cheshire and Warrington's 7.5, so the difference is 1.7, not the
/// 1.7000000000000002 that subtraction in binary gives.
#[tokio::test]
async fn a_neighbour_difference_is_written_to_the_indicators_decimals() {
    let app = app(real_catalog());
    let reply = get(
        &app,
        "/collections/lep-2020/items/E37000015/neighbours?indicator=aps_econ_active_stem_density_data&year=2019&properties=name",
    )
    .await;
    let text = String::from_utf8(reply.body.clone()).unwrap();
    assert!(!text.contains("1.7000000000000002"), "{text}");
    let fc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cheshire = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "E37000003")
        .unwrap();
    assert_eq!(cheshire["properties"]["difference"], 1.7);
    assert_eq!(cheshire["properties"]["value"], 7.5);
}

/// The map takes ranks and medians from the values it is served, for the whole UK layer or for
/// its English areas alone: the same ranks as `/ranking`, and for `within=england` the English
/// areas only, ranked among themselves (checked here by counting from the values).
#[tokio::test]
async fn values_carry_the_ranks_of_ranking_and_within_england_ranks_english_areas_alone() {
    let app = app(real_catalog());
    let query = "geography=nuts3&year=2016";
    let all = get(
        &app,
        &format!("/indicators/air_pollution_mean_pm10/values?{query}"),
    )
    .await
    .json();
    let ranking = get(
        &app,
        &format!("/indicators/air_pollution_mean_pm10/ranking?{query}"),
    )
    .await
    .json();
    for area in ranking["areas"].as_array().unwrap() {
        let code = area["code"].as_str().unwrap();
        assert_eq!(all["ranks"][code], area["rank"], "{code}");
    }
    assert_eq!(all["median"], ranking["median"]);
    let england = get(
        &app,
        &format!("/indicators/air_pollution_mean_pm10/values?{query}&within=england"),
    )
    .await;
    assert_eq!(
        england.status,
        200,
        "{}",
        String::from_utf8_lossy(&england.body)
    );
    let england = england.json();
    assert_eq!(england["within"], "england");
    let values = england["values"].as_object().unwrap();
    let all_values = all["values"].as_object().unwrap();
    let english = |c: &str| c.starts_with("UK") && ('C'..='K').contains(&c.chars().nth(2).unwrap());
    assert!(
        values.keys().all(|c| english(c)),
        "only English NUTS 3 areas"
    );
    assert_eq!(
        values.len(),
        all_values.keys().filter(|c| english(c)).count()
    );
    assert!(
        values.len() < all_values.len(),
        "the UK layer has areas outside England"
    );
    assert_eq!(england["count_areas"], values.len());
    let present: Vec<f64> = values.values().filter_map(|v| v.as_f64()).collect();
    assert_eq!(england["count_with_data"], present.len());
    for (code, v) in values {
        match v.as_f64() {
            Some(v) => {
                let higher = present.iter().filter(|&&x| x > v).count();
                assert_eq!(england["ranks"][code], higher + 1, "{code}");
            }
            None => assert!(england["ranks"].get(code).is_none(), "{code} has no value"),
        }
    }
    let mut sorted = present.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    assert!((england["median"].as_f64().unwrap() - median).abs() < 1e-6);
    assert_ne!(england["median"], all["median"]);
}
