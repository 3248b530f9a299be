//! The label points of a layer as a GeoJSON FeatureCollection of Points: where each area's name
//! goes on a map, how big the area is (to place big areas' names first), and which areas of the
//! layer overlap it (LEPs sharing a district).

use crate::catalog::Layer;
use crate::index::adjacency::Relation;
use serde::Serialize;

/// `/collections/{id}/labels`.
#[derive(Debug, Serialize)]
pub struct Labels<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub collection: &'a str,
    /// How each point was found, for GIS users.
    pub description: &'static str,
    pub features: Vec<LabelFeature<'a>>,
    #[serde(rename = "numberReturned")]
    pub number_returned: usize,
}

#[derive(Debug, Serialize)]
pub struct LabelFeature<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: &'a str,
    pub geometry: PointGeometry,
    pub properties: LabelProperties<'a>,
}

#[derive(Debug, Serialize)]
pub struct PointGeometry {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Longitude, latitude, rounded to 6 decimals (about 0.1 m).
    pub coordinates: [f64; 2],
}

#[derive(Debug, Serialize)]
pub struct LabelProperties<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// The whole area in km² (on a sphere), rounded to 0.1 km².
    pub area_km2: f64,
    /// 1 for the largest area of the layer, then by decreasing area.
    pub rank: usize,
    /// The codes of the layer's areas whose interiors overlap this one (by more than 10 ha).
    pub overlaps: Vec<&'a str>,
}

const DESCRIPTION: &str = "Each area's pole of inaccessibility (the interior point farthest from its boundary) of its largest polygon, computed at load to within 1e-4 degrees.";

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// The labels of `layer`, in the layer's order.
pub fn labels(layer: &Layer) -> Labels<'_> {
    let mut by_size: Vec<usize> = (0..layer.labels.len()).collect();
    by_size.sort_by(|&a, &b| {
        layer.labels[b]
            .area_km2
            .total_cmp(&layer.labels[a].area_km2)
            .then(a.cmp(&b))
    });
    let mut rank = vec![0; by_size.len()];
    for (r, &i) in by_size.iter().enumerate() {
        if let Some(slot) = rank.get_mut(i) {
            *slot = r + 1;
        }
    }
    let features: Vec<LabelFeature> = layer
        .areas
        .iter()
        .zip(&layer.labels)
        .zip(rank)
        .enumerate()
        .map(|(i, ((area, label), rank))| LabelFeature {
            kind: "Feature",
            id: area.code.as_str(),
            geometry: PointGeometry {
                kind: "Point",
                coordinates: [round(label.lon, 6), round(label.lat, 6)],
            },
            properties: LabelProperties {
                code: area.code.as_str(),
                name: &area.name,
                area_km2: round(label.area_km2, 1),
                rank,
                overlaps: layer
                    .adjacency
                    .get(i)
                    .into_iter()
                    .flatten()
                    .filter(|n| n.relation == Relation::Overlaps)
                    .filter_map(|n| layer.areas.get(n.index).map(|a| a.code.as_str()))
                    .collect(),
            },
        })
        .collect();
    Labels {
        kind: "FeatureCollection",
        collection: layer.id().as_str(),
        description: DESCRIPTION,
        number_returned: features.len(),
        features,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn every_area_of_a_layer_has_one_label_ranked_by_size() {
        let catalog = crate::views::fixture_catalog();
        let layer = &catalog.layers[0];
        let doc = labels(layer);
        assert_eq!(doc.features.len(), layer.areas.len());
        let mut ranks: Vec<usize> = doc.features.iter().map(|f| f.properties.rank).collect();
        ranks.sort_unstable();
        assert_eq!(ranks, (1..=layer.areas.len()).collect::<Vec<_>>());
        let first = doc
            .features
            .iter()
            .find(|f| f.properties.rank == 1)
            .unwrap();
        assert!(doc
            .features
            .iter()
            .all(|f| f.properties.area_km2 <= first.properties.area_km2));
    }
}
