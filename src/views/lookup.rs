//! Point lookup representation: every area of each layer that contains a WGS84 point.

use super::{choices, ViewError};
use crate::catalog::{Catalog, Layer};
use crate::model::{AreaCode, Geography, LayerId};
use geo::Point;
use serde::Serialize;

/// `/lookup`: a WGS84 point and the layers to search (`None`: every layer).
#[derive(Debug, Clone, PartialEq)]
pub struct LookupRequest {
    pub lon: f64,
    pub lat: f64,
    pub layers: Option<Vec<String>>,
}

/// The point and, per layer searched, the areas containing it.
#[derive(Debug, Serialize)]
pub struct Lookup<'a> {
    pub lon: f64,
    pub lat: f64,
    pub layers: Vec<LayerHits<'a>>,
}

/// The areas of one layer that contain the point (on a shared border, both neighbours).
#[derive(Debug, Serialize)]
pub struct LayerHits<'a> {
    pub layer: &'a LayerId,
    pub title: &'a str,
    pub geography: Geography,
    pub areas: Vec<AreaRef<'a>>,
}

/// An area by code and name.
#[derive(Debug, Serialize)]
pub struct AreaRef<'a> {
    pub code: &'a AreaCode,
    pub name: &'a str,
}

/// Checks that `lon` and `lat` are WGS84 degrees in range.
pub fn check_point(lon: f64, lat: f64) -> Result<Point<f64>, ViewError> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ViewError::invalid(format!(
            "lon: {lon} is outside -180..180"
        )));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ViewError::invalid(format!("lat: {lat} is outside -90..90")));
    }
    Ok(Point::new(lon, lat))
}

/// The layers of `layers=`, in the order asked (every layer, in the catalog's order, when
/// absent); an unknown id is invalid, naming the collections.
pub fn layers_named<'a>(
    catalog: &'a Catalog,
    ids: Option<&[String]>,
) -> Result<Vec<&'a Layer>, ViewError> {
    match ids {
        None => Ok(catalog.layers.iter().collect()),
        Some(ids) => ids
            .iter()
            .map(|id| {
                catalog.layer(id).ok_or_else(|| {
                    ViewError::invalid(format!(
                        "layers: unknown '{id}'; collections: {}",
                        choices(catalog.layer_ids())
                    ))
                })
            })
            .collect(),
    }
}

/// The areas containing the point in each requested layer, layers in the order asked (or the
/// catalog's order), areas in layer order.
pub fn lookup<'a>(catalog: &'a Catalog, req: &LookupRequest) -> Result<Lookup<'a>, ViewError> {
    let point = check_point(req.lon, req.lat)?;
    let layers = layers_named(catalog, req.layers.as_deref())?
        .into_iter()
        .map(|layer| LayerHits {
            layer: layer.id(),
            title: &layer.spec.title,
            geography: layer.spec.geography,
            areas: layer
                .index
                .containing(&layer.areas, point)
                .into_iter()
                .filter_map(|i| layer.areas.get(i))
                .map(|a| AreaRef {
                    code: &a.code,
                    name: &a.name,
                })
                .collect(),
        })
        .collect();
    Ok(Lookup {
        lon: req.lon,
        lat: req.lat,
        layers,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::views::fixture_catalog;

    fn codes<'a>(hits: &'a LayerHits<'_>) -> Vec<&'a str> {
        hits.areas.iter().map(|a| a.code.as_str()).collect()
    }

    fn at(lon: f64, lat: f64, layers: &[&str]) -> LookupRequest {
        LookupRequest {
            lon,
            lat,
            layers: Some(layers.iter().map(|l| l.to_string()).collect()),
        }
    }

    #[test]
    fn a_point_on_a_shared_border_is_in_both_areas() {
        let catalog = fixture_catalog();
        // A (-2..-1) and C (-1..0) share the meridian -1 between 52 and 53.
        let doc = lookup(catalog, &at(-1.0, 52.5, &["squares"])).unwrap();
        assert_eq!(doc.layers.len(), 1);
        assert_eq!(codes(&doc.layers[0]), ["A", "C"]);
    }

    #[test]
    fn layers_come_in_the_order_asked_and_the_hole_belongs_to_its_filler() {
        let catalog = fixture_catalog();
        let doc = lookup(catalog, &at(-1.5, 52.5, &["squares-2017", "squares"])).unwrap();
        let layers: Vec<&str> = doc.layers.iter().map(|l| l.layer.as_str()).collect();
        assert_eq!(layers, ["squares-2017", "squares"]);
        assert_eq!(codes(&doc.layers[0]), ["AC"]);
        assert_eq!(codes(&doc.layers[1]), ["B"]);
        let all = lookup(
            catalog,
            &LookupRequest {
                lon: -1.5,
                lat: 52.5,
                layers: None,
            },
        )
        .unwrap();
        assert_eq!(all.layers.len(), catalog.layers.len());
    }

    #[test]
    fn a_point_out_of_range_or_an_unknown_layer_is_invalid() {
        let catalog = fixture_catalog();
        let err = lookup(catalog, &at(-1.5, 95.0, &["squares"])).unwrap_err();
        assert_eq!(err, ViewError::invalid("lat: 95 is outside -90..90"));
        let err = lookup(catalog, &at(181.0, 52.0, &["squares"])).unwrap_err();
        assert_eq!(err, ViewError::invalid("lon: 181 is outside -180..180"));
        let err = lookup(catalog, &at(-1.5, 52.0, &["nope"])).unwrap_err();
        assert!(matches!(err, ViewError::Invalid(d) if d.starts_with("layers: unknown 'nope'")));
    }
}
