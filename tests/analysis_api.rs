//! Neighbours, rankings, comparisons, profiles, peers and specialisation over hand-made fixtures
//! with hand-checked answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, assert_error, fixture_catalog, get, properties};
use serde_json::{json, Value};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-4
}

fn neighbour_codes(fc: &Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn grid_neighbours_follow_queen_contiguity() {
    let app = app(fixture_catalog());
    let centre = get(&app, "/collections/grid/items/G22/neighbours").await;
    assert_eq!(centre.content_type(), "application/geo+json");
    let centre = centre.json();
    assert_eq!(
        neighbour_codes(&centre),
        ["G11", "G12", "G13", "G21", "G23", "G31", "G32", "G33"]
    );
    let corner = get(&app, "/collections/grid/items/G11/neighbours")
        .await
        .json();
    assert_eq!(neighbour_codes(&corner), ["G12", "G21", "G22"]);
    let edge = get(&app, "/collections/grid/items/G12/neighbours")
        .await
        .json();
    assert_eq!(neighbour_codes(&edge), ["G11", "G13", "G21", "G22", "G23"]);
    for f in corner["features"].as_array().unwrap() {
        assert_eq!(f["properties"]["relation"], "touches");
        let km = f["properties"]["shared_km"].as_f64().unwrap();
        // G12 shares a north-south edge (0.1 degree of latitude, 11.1 km), G21 an east-west edge
        // (0.1 degree of longitude at 52.2N, 6.8 km), G22 only a corner.
        let expected = match f["id"].as_str().unwrap() {
            "G12" => 11.0..11.2,
            "G21" => 6.7..6.9,
            _ => 0.0..1e-9,
        };
        assert!(expected.contains(&km), "{}: {km}", f["id"]);
    }
}

#[tokio::test]
async fn overlapping_areas_are_marked_and_the_relation_is_symmetric() {
    let app = app(fixture_catalog());
    let p = get(&app, "/collections/overlap/items/P/neighbours")
        .await
        .json();
    assert_eq!(neighbour_codes(&p), ["Q"]);
    assert_eq!(p["features"][0]["properties"]["relation"], "overlaps");
    let q = get(&app, "/collections/overlap/items/Q/neighbours")
        .await
        .json();
    let rel: Vec<(String, String)> = q["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["properties"]["relation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rel,
        [
            ("P".to_string(), "overlaps".to_string()),
            ("R".to_string(), "touches".to_string())
        ]
    );
    let catalog = fixture_catalog();
    for layer in &catalog.layers {
        for (i, list) in layer.adjacency.iter().enumerate() {
            for n in list {
                assert_ne!(
                    n.index,
                    i,
                    "{}: an area is never its own neighbour",
                    layer.id()
                );
                let back = layer.adjacency[n.index]
                    .iter()
                    .find(|m| m.index == i)
                    .expect("symmetric");
                assert_eq!((back.relation, back.shared_km), (n.relation, n.shared_km));
            }
        }
    }
}

#[tokio::test]
async fn neighbours_carry_values_and_differences() {
    let app = app(fixture_catalog());
    let fc = get(
        &app,
        "/collections/grid/items/G11/neighbours?indicator=score&year=2016&properties=name",
    )
    .await
    .json();
    let props = properties(&fc);
    assert_eq!(
        (props[0]["value"].as_f64(), props[0]["difference"].as_f64()),
        (Some(3.0), Some(-2.0))
    );
    assert_eq!(
        (props[1]["value"].as_f64(), props[1]["difference"].as_f64()),
        (Some(1.0), Some(-4.0))
    );
    assert_eq!(
        (&props[2]["value"], &props[2]["difference"]),
        (&Value::Null, &Value::Null),
        "G22 has no value"
    );
    assert_error(
        &app,
        "/collections/grid/items/G99/neighbours",
        404,
        "NotFound",
        "no feature with code 'G99'",
    )
    .await;
}

#[tokio::test]
async fn ranking_shares_the_lowest_rank_on_ties_and_lists_missing_last() {
    let app = app(fixture_catalog());
    let r = get(&app, "/indicators/score/ranking?geography=nuts3&year=2016")
        .await
        .json();
    let rows: Vec<(String, Value)> = r["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["code"].as_str().unwrap().to_string(), a["rank"].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("G11".to_string(), json!(1)),
            ("G31".to_string(), json!(2)),
            ("G12".to_string(), json!(3)),
            ("G13".to_string(), json!(3)),
            ("G33".to_string(), json!(3)),
            ("G23".to_string(), json!(6)),
            ("G21".to_string(), json!(7)),
            ("G32".to_string(), json!(8)),
            ("G22".to_string(), Value::Null),
        ]
    );
    assert_eq!(r["count_with_data"], 8);
    // Statistics are written to the values' decimals (0 for score) plus two: 2.625 is 2.63.
    assert_eq!(r["mean"], 2.63);
    assert_eq!(r["median"], 3.0);
    // Population standard deviation of 5,4,3,3,3,2,1,0 about 2.625.
    let sd = ((5.0f64 - 2.625).powi(2)
        + (4.0f64 - 2.625).powi(2)
        + 3.0 * (3.0f64 - 2.625).powi(2)
        + (2.0f64 - 2.625).powi(2)
        + (1.0f64 - 2.625).powi(2)
        + (0.0f64 - 2.625).powi(2))
        / 8.0;
    assert!((r["std_dev"].as_f64().unwrap() - sd.sqrt()).abs() <= 0.005);
    let top = &r["areas"][0];
    // z-scores are written to three decimals, percentiles to one.
    assert!((top["z_score"].as_f64().unwrap() - (5.0 - 2.625) / sd.sqrt()).abs() <= 5e-4);
    assert!(
        (top["percentile"].as_f64().unwrap() - 100.0 * 7.5 / 8.0).abs() <= 0.05,
        "{top}"
    );
    assert_eq!(r["areas"][8]["value"], Value::Null);
    assert_eq!(r["areas"][8]["reason"], "no value for this area and year");
}

#[tokio::test]
async fn compare_gives_neighbour_means_gaps_and_verdicts() {
    let app = app(fixture_catalog());
    let c = get(
        &app,
        "/indicators/score/compare?geography=nuts3&year=2016&areas=G11,G22,G32",
    )
    .await
    .json();
    let g11 = &c["areas"][0];
    assert_eq!(
        g11["neighbours"],
        json!([
            {"code": "G12", "name": "Grid 1,2", "value": 3.0},
            {"code": "G21", "name": "Grid 2,1", "value": 1.0},
            {"code": "G22", "name": "Grid 2,2", "value": null}
        ])
    );
    assert_eq!(
        (
            g11["neighbour_mean"].as_f64(),
            g11["neighbour_count_with_data"].as_u64()
        ),
        (Some(2.0), Some(2))
    );
    assert_eq!(g11["gap_to_neighbours"], 3.0);
    // score: higher is better. Values 0,1,2,3,3,3,4,5: G11 is the top (percentile 93.8) and
    // 3 above its neighbours, beyond half the IQR (3.25 − 1.75 = 1.5): better on both counts.
    assert_eq!(c["iqr"], 1.5);
    assert_eq!(
        g11["verdicts"],
        json!({"all_areas": "better", "neighbours": "better"})
    );
    assert!(c["verdict_rules"]["all_areas"]
        .as_str()
        .unwrap()
        .contains("top or bottom quarter"));
    let g22 = &c["areas"][1];
    assert_eq!(
        (&g22["value"], &g22["verdicts"]),
        (
            &Value::Null,
            &json!({"all_areas": null, "neighbours": null})
        )
    );
    assert_eq!(
        g22["neighbour_mean"], 2.63,
        "all eight neighbours have data: 21 / 8 to two decimals"
    );
    // G32 is the lowest (0) and 2.5 below its neighbours' mean of (1 + 2 + 4 + 3) / 4.
    assert_eq!(c["areas"][2]["gap_to_neighbours"], -2.5);
    assert_eq!(
        c["areas"][2]["verdicts"],
        json!({"all_areas": "worse", "neighbours": "worse"})
    );
    assert_error(
        &app,
        "/indicators/score/compare?geography=nuts3&year=2016&areas=G11,XX",
        400,
        "InvalidParameterValue",
        "'XX' is not an area of 'grid'",
    )
    .await;
    assert_error(
        &app,
        "/indicators/score/compare?geography=nuts3&year=2016",
        400,
        "InvalidParameterValue",
        "areas: required",
    )
    .await;
}

#[tokio::test]
async fn profile_uses_the_latest_year_at_or_before_the_one_asked() {
    let app = app(fixture_catalog());
    let p = get(&app, "/areas/G11/profile?geography=nuts3&year=2016")
        .await
        .json();
    assert_eq!(p["name"], "Grid 1,1");
    let score = p["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == "score")
        .unwrap();
    assert_eq!(
        (
            score["year"].as_i64(),
            score["rank"].as_u64(),
            score["of"].as_u64()
        ),
        (Some(2016), Some(1), Some(8))
    );
    let earlier = get(&app, "/areas/G11/profile?geography=nuts3&year=2015")
        .await
        .json();
    let score = earlier["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == "score")
        .unwrap();
    assert_eq!(
        (
            score["year"].as_i64(),
            score["value"].as_f64(),
            score["of"].as_u64()
        ),
        (Some(2014), Some(1.0), Some(1))
    );
    let alpha = earlier["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["indicator"] == "alpha")
        .unwrap();
    assert_eq!(alpha["value"], Value::Null);
    assert_eq!(
        alpha["reason"],
        "no values for this area at or before the year"
    );
    // Strengths first by percentile in the good direction, neutral apart, no value last.
    let rows: Vec<(&str, Value, Value)> = p["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["indicator"].as_str().unwrap(),
                i["good_percentile"].clone(),
                i["standing"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            // alpha: lower is better and G11 has the lowest: 100 − 5.6.
            ("alpha", json!(94.4), json!("strength")),
            ("score", json!(93.8), json!("strength")),
            ("beta", Value::Null, json!("neutral")),
        ]
    );
    assert_error(
        &app,
        "/areas/G11/profile?geography=county",
        400,
        "InvalidParameterValue",
        "geography: unknown 'county'",
    )
    .await;
}

#[tokio::test]
async fn peers_are_nearest_in_z_space_and_explain_themselves() {
    let app = app(fixture_catalog());
    let p = get(
        &app,
        "/areas/G11/peers?geography=nuts3&year=2016&indicators=alpha,beta&k=3",
    )
    .await
    .json();
    let codes: Vec<&str> = p["peers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["G12", "G13", "G21"]);
    let first = &p["peers"][0];
    // alpha and beta each step by one unit; z divides by the population sd of 1..9, sqrt(60/9).
    let step = 1.0 / (60.0f64 / 9.0).sqrt();
    // Distances and contributions are written to three decimals.
    assert!((first["distance"].as_f64().unwrap() - (2.0 * step * step).sqrt()).abs() <= 5e-4);
    let sum: f64 = first["contributions"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!(
        (sum - first["distance"].as_f64().unwrap().powi(2)).abs() < 5e-3,
        "contributions sum to distance squared"
    );
    let far = get(&app, "/areas/G11/peers?geography=nuts3&year=2016&indicators=alpha,beta&k=2&exclude_neighbours=true").await.json();
    let codes: Vec<&str> = far["peers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["G13", "G23"], "G12, G21 and G22 are neighbours");
    assert_error(
        &app,
        "/areas/G11/peers?geography=nuts3&k=0",
        400,
        "InvalidParameterValue",
        "k: must be from 1 to 100",
    )
    .await;
    assert_error(
        &app,
        "/areas/G11/peers?geography=nuts3&indicators=nope",
        400,
        "InvalidParameterValue",
        "indicators: 'nope'",
    )
    .await;
}

#[tokio::test]
async fn specialisation_matches_hand_computed_golden_values() {
    let app = app(fixture_catalog());
    let s = get(&app, "/specialisation/disciplines?measure=projects")
        .await
        .json();
    assert_eq!(s["categories"], json!(["arts", "science"]));
    let a = &s["areas"][0];
    assert_eq!(a["code"], "A");
    // X = [[10, 20], [30, 40]]: national shares 0.4 / 0.6.
    assert!(close(
        a["location_quotients"]["arts"].as_f64().unwrap(),
        (10.0 / 30.0) / 0.4
    )); // 0.8333
    assert!(close(
        a["location_quotients"]["science"].as_f64().unwrap(),
        (20.0 / 30.0) / 0.6
    )); // 1.1111
    assert!(close(
        s["areas"][1]["location_quotients"]["arts"]
            .as_f64()
            .unwrap(),
        (30.0 / 70.0) / 0.4
    )); // 1.0714
    assert!(close(
        s["areas"][1]["location_quotients"]["science"]
            .as_f64()
            .unwrap(),
        (40.0 / 70.0) / 0.6
    )); // 0.9524
    assert!(close(a["krugman"].as_f64().unwrap(), 0.1333));
    assert!(close(
        a["herfindahl"].as_f64().unwrap(),
        1.0 / 9.0 + 4.0 / 9.0
    ));
    assert_eq!(a["specialised"], json!(["science"]));
    let one = get(
        &app,
        "/specialisation/disciplines?measure=funding_gbp&area=C",
    )
    .await
    .json();
    assert_eq!(one["areas"].as_array().unwrap().len(), 1);
    assert_eq!(one["areas"][0]["location_quotients"]["arts"], 0.0);
    assert_error(
        &app,
        "/specialisation/disciplines?measure=patents",
        400,
        "InvalidParameterValue",
        "one of funding_gbp, projects",
    )
    .await;
    assert_error(
        &app,
        "/specialisation/disciplines?measure=projects&area=Z",
        404,
        "NotFound",
        "no area 'Z'",
    )
    .await;
    assert_error(
        &app,
        "/specialisation/nope?measure=projects",
        404,
        "NotFound",
        "matrices: disciplines",
    )
    .await;
}

#[tokio::test]
async fn spatial_statistics_of_a_gradient_are_positive_deterministic_and_in_layer_order() {
    let app = app(fixture_catalog());
    let reply = get(&app, "/indicators/alpha/spatial").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type(), "application/json");
    let s = reply.json();
    assert_eq!(s["indicator"], "alpha");
    assert_eq!(
        (s["geography"].as_str(), s["year"].as_i64()),
        (Some("nuts3"), Some(2016))
    );
    assert_eq!(s["layer"], "grid");
    assert_eq!(s["weights"], "queen contiguity, row-standardised");
    assert_eq!(s["overlaps_count_as_neighbours"], true);
    assert_eq!(
        (s["permutations"].as_u64(), s["seed"].as_u64()),
        (Some(999), Some(2026))
    );
    assert_eq!(s["significance"], 0.05);
    assert_eq!(s["islands"], json!([]));
    // alpha runs 1..9 row by row: strongly positive, the smallest p-value possible.
    let global = &s["global"];
    assert!(global["morans_i"].as_f64().unwrap() > 0.0, "{global}");
    assert_eq!(global["expected_i"].as_f64(), Some(-1.0 / 8.0));
    assert_eq!(global["n"], 9);
    assert!(global["p_value"].as_f64().unwrap() <= 0.01, "{global}");
    assert_eq!(global["note"], Value::Null);
    let areas = s["areas"].as_array().unwrap();
    let codes: Vec<&str> = areas.iter().map(|a| a["code"].as_str().unwrap()).collect();
    let items = get(&app, "/collections/grid/items").await.json();
    let layer: Vec<&str> = items["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(codes, layer);
    // G22 (5) is the mean of its eight neighbours: lag 5, gap 0, local I 0.
    let g22 = areas.iter().find(|a| a["code"] == "G22").unwrap();
    assert_eq!(g22["spatial_lag"], 5.0);
    assert_eq!(g22["gap_to_neighbours"], 0.0);
    assert_eq!(g22["neighbours"], 8);
    assert_eq!(g22["local_i"].as_f64(), Some(0.0));
    assert_eq!(g22["lisa"], "not-significant");
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert!(areas.iter().all(|a| keys(a) == keys(&areas[0])));
    // The same seed gives the same bytes; another seed, other p-values.
    let again = get(&app, "/indicators/alpha/spatial?seed=2026&permutations=999").await;
    assert_eq!(again.json(), s);
    let p = |v: &Value| -> Vec<Value> {
        v["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["p_value"].clone())
            .collect()
    };
    let other = get(&app, "/indicators/alpha/spatial?seed=7&permutations=99")
        .await
        .json();
    assert_eq!(other["permutations"], 99);
    assert_eq!(other["global"]["morans_i"], global["morans_i"]);
    assert_ne!(p(&other), p(&s));
}

#[tokio::test]
async fn spatial_statistics_leave_out_missing_values_and_check_their_parameters() {
    let app = app(fixture_catalog());
    let s = get(&app, "/indicators/score/spatial?geography=nuts3&year=2016")
        .await
        .json();
    let g22 = s["areas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "G22")
        .unwrap();
    assert_eq!(g22["lisa"], "no-data");
    assert_eq!(g22["value"], Value::Null);
    assert_eq!(s["global"]["n"], 8);
    assert_error(
        &app,
        "/indicators/score/spatial?year=1999",
        404,
        "NotFound",
        "years with data",
    )
    .await;
    assert_error(
        &app,
        "/indicators/nope/spatial",
        404,
        "NotFound",
        "no indicator 'nope'",
    )
    .await;
    for bad in ["permutations=98", "permutations=10000", "permutations=many"] {
        assert_error(
            &app,
            &format!("/indicators/score/spatial?{bad}"),
            400,
            "InvalidParameterValue",
            "permutations: expected a whole number from 99 to 9999",
        )
        .await;
    }
    assert_error(
        &app,
        "/indicators/score/spatial?seed=-1",
        400,
        "InvalidParameterValue",
        "seed: expected a whole number",
    )
    .await;
    assert_error(
        &app,
        "/indicators/score/spatial?seeds=1",
        400,
        "UnknownParameter",
        "permutations, seed",
    )
    .await;
}
