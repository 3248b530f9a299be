//! Adjacency and analysis on the real data, checked against references derived independently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, get, real_catalog};
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

/// On the real discipline matrix, every category's activity-weighted mean LQ is 1.
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
                (weighted / weights - 1.0).abs() < 1e-9,
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
