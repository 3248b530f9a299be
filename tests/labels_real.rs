//! Label points on the real data: every area of every layer has one, it lies inside its area,
//! `/collections/{id}/labels` serves them as GeoJSON Points with the area's name, size rank and
//! overlapping areas, and the overlaps are the adjacency's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{app, get, real_catalog};
use geo::{Contains, Distance, Euclidean, Point};
use smartspec::index::adjacency::Relation;

#[test]
fn every_area_of_every_real_layer_has_a_label_point_inside_it() {
    let catalog = real_catalog();
    let mut total = 0;
    for layer in &catalog.layers {
        assert_eq!(layer.labels.len(), layer.areas.len(), "{}", layer.id());
        for (area, label) in layer.areas.iter().zip(&layer.labels) {
            let p = Point::from(label.point());
            assert!(
                area.geometry.contains(&p),
                "{} {} ({}): label point {:?} is not inside the area",
                layer.id(),
                area.code,
                area.name,
                label.point()
            );
            // Not hugging the border: it is at least as far inside as the part's centre of
            // its bounding box would be, or a good way in (polylabel maximises this distance).
            let part = area
                .geometry
                .0
                .iter()
                .find(|poly| poly.contains(&p))
                .unwrap();
            let to_border = part
                .exterior()
                .lines()
                .chain(part.interiors().iter().flat_map(|r| r.lines()))
                .map(|l| Euclidean.distance(&p, &l))
                .fold(f64::INFINITY, f64::min);
            assert!(
                to_border > 0.0,
                "{} {}: on the border",
                layer.id(),
                area.code
            );
            assert!(label.area_km2 > 0.0);
            total += 1;
        }
        tracing_summary(layer.id().as_str(), layer.label_time);
    }
    assert!(total > 1000, "labels checked on {total} areas");
}

fn tracing_summary(layer: &str, t: std::time::Duration) {
    eprintln!("{layer}: labels in {} µs", t.as_micros());
}

#[tokio::test]
async fn the_labels_endpoint_serves_a_point_per_area_with_name_rank_and_overlaps() {
    let catalog = real_catalog();
    let app = app(catalog.clone());
    let layer = catalog.layer("lep-2017").expect("the 2017 LEP layer");
    let res = get(&app, "/collections/lep-2017/labels").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.content_type(), "application/geo+json");
    assert!(
        res.headers.get("etag").is_some(),
        "served through the cache, with an ETag"
    );
    let doc = res.json();
    let features = doc["features"].as_array().unwrap();
    assert_eq!(features.len(), 38, "38 LEPs in 2017");
    assert_eq!(features.len(), layer.areas.len());
    let mut ranks = Vec::new();
    let mut overlapping = 0;
    for f in features {
        let code = f["properties"]["code"].as_str().unwrap();
        let area = layer.area(code).unwrap();
        assert_eq!(f["id"], code);
        assert_eq!(f["properties"]["name"], area.name.as_str());
        assert_eq!(f["geometry"]["type"], "Point");
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let p = Point::new(c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(area.geometry.contains(&p), "{code}: served point outside");
        ranks.push(f["properties"]["rank"].as_u64().unwrap());
        let served: Vec<&str> = f["properties"]["overlaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let i = layer.position(code).unwrap();
        let expected: Vec<&str> = layer.adjacency[i]
            .iter()
            .filter(|n| n.relation == Relation::Overlaps)
            .map(|n| layer.areas[n.index].code.as_str())
            .collect();
        assert_eq!(served, expected, "{code}: overlaps");
        if !served.is_empty() {
            overlapping += 1;
        }
    }
    ranks.sort_unstable();
    assert_eq!(ranks, (1..=38).collect::<Vec<u64>>());
    // 28 districts lie in two LEPs in 2017, so some LEPs overlap.
    assert!(overlapping >= 2, "{overlapping} overlapping LEPs");
    let by_rank = |r: u64| {
        features
            .iter()
            .find(|f| f["properties"]["rank"] == r)
            .unwrap()["properties"]["area_km2"]
            .as_f64()
            .unwrap()
    };
    assert!(by_rank(1) >= by_rank(2) && by_rank(2) >= by_rank(38));

    let missing = get(&app, "/collections/nope/labels").await;
    assert_eq!(missing.status, 404);
    let bad = get(&app, "/collections/lep-2017/labels?f=csv").await;
    assert_eq!(bad.status, 400);
}
