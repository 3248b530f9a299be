//! Landing page, conformance, and collection metadata documents.

use super::links::{Link, GEOJSON, HTML, JSON};
use crate::catalog::{Catalog, Layer};
use serde_json::{json, Value};

/// The conformance classes this server honours (Part 1 Core and GeoJSON).
pub const CONFORMANCE: [&str; 2] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
];

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

pub fn landing_json(catalog: &Catalog, base: &str) -> Value {
    json!({
        "title": "smartspec",
        "description": "Smart Specialisation in England: LEP, region, LAD and NUTS boundaries joined with Nesta's research and innovation indicators.",
        "links": [
            Link::new(format!("{base}/"), "self", JSON, "This document"),
            Link::new(format!("{base}/conformance"), "conformance", JSON, "Conformance classes"),
            Link::new(format!("{base}/collections"), "data", JSON, "Boundary layers"),
            Link::new(format!("{base}/indicators"), "related", JSON, "Innovation indicators"),
            Link::new(format!("{base}/join-report"), "related", JSON, "How every metrics row joined its boundary layer"),
            Link::new(format!("{base}/map/"), "alternate", HTML, "The map"),
        ],
        "attribution": catalog.manifest.attribution.iter().map(|(k, a)| json!({"id": k, "text": a.text, "short": a.short})).collect::<Vec<_>>(),
    })
}

pub fn conformance_json() -> Value {
    json!({ "conformsTo": CONFORMANCE })
}

pub fn collections_json(catalog: &Catalog, base: &str) -> Value {
    json!({
        "links": [
            Link::new(format!("{base}/collections"), "self", JSON, "Collections"),
        ],
        "collections": catalog.layers.iter().map(|l| collection_json(catalog, l, base)).collect::<Vec<_>>(),
    })
}

pub fn collection_json(catalog: &Catalog, layer: &Layer, base: &str) -> Value {
    let id = layer.id();
    let e = layer.extent;
    let attribution: Vec<&str> = catalog
        .attribution(&layer.spec.attribution)
        .map(|a| a.text.as_str())
        .collect();
    json!({
        "id": id,
        "title": layer.spec.title,
        "description": layer.spec.description,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {
            "spatial": { "bbox": [[e.min().x, e.min().y, e.max().x, e.max().y]], "crs": CRS84 }
        },
        "geography": layer.spec.geography,
        "vintage": layer.spec.vintage,
        "numberOfFeatures": layer.areas.len(),
        "generalisation": {
            "description": "items?zoom=N serves the band for zoom N: shared borders simplified once per band, so neighbours keep identical borders; full resolution without zoom or from full_resolution_from_zoom",
            "bands": layer.bands.iter().map(|b| json!({
                "min_zoom": b.spec.min_zoom,
                "max_zoom": b.spec.max_zoom,
                "tolerance_deg": b.spec.tolerance_deg,
                "decimals": b.spec.decimals,
                "vertices": b.vertices,
            })).collect::<Vec<_>>(),
            "full_resolution_from_zoom": crate::topology::FULL_RESOLUTION_ZOOM,
            "full_resolution_vertices": layer.vertex_count(),
        },
        "attribution": attribution.join("\n"),
        "attributionShort": catalog.attribution(&layer.spec.attribution).map(|a| a.short.as_str()).collect::<Vec<_>>().join(". "),
        "links": [
            Link::new(format!("{base}/collections/{id}"), "self", JSON, &layer.spec.title),
            Link::new(format!("{base}/collections/{id}/items"), "items", GEOJSON, "Features"),
        ],
    })
}
