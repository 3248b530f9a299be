//! Landing page, conformance, and collection metadata documents, as typed structs.

use super::crs::Crs;
use super::links::{Link, CSV, FLATGEOBUF, GEOJSON, HTML, JSON};
use crate::catalog::{Catalog, Layer};
use crate::model::Geography;
use crate::topology::FULL_RESOLUTION_ZOOM;
use serde::Serialize;

/// The conformance classes this server implements and tests: Part 1 Core, GeoJSON, HTML and
/// OpenAPI 3.0, Part 2 CRS by reference, Part 3's queryables as query parameters, and Part 7's
/// `zoom-level` (draft 24-020) on items, one item and neighbours.
pub const CONFORMANCE: [&str; 18] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-7/0.0/conf/zoom-level",
    "http://www.opengis.net/spec/ogcapi-features-7/0.0/conf/zoom-level-features",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
];

/// The media type of the OpenAPI document (`/api`).
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";
/// The media type of JSON Schema documents (queryables, schema).
pub const SCHEMA_JSON: &str = "application/schema+json";

const CRS84: &str = super::crs::CRS84_URI;

/// `/`: the OGC API landing page.
#[derive(Debug, Serialize)]
pub struct Landing<'a> {
    pub title: &'static str,
    pub description: &'static str,
    pub links: Vec<Link>,
    pub attribution: Vec<Attribution<'a>>,
}

/// One attribution block of the manifest.
#[derive(Debug, Serialize)]
pub struct Attribution<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub short: &'a str,
}

/// `/conformance`.
#[derive(Debug, Serialize)]
pub struct Conformance {
    #[serde(rename = "conformsTo")]
    pub conforms_to: &'static [&'static str],
}

/// `/collections`.
#[derive(Debug, Serialize)]
pub struct Collections<'a> {
    pub links: Vec<Link>,
    pub collections: Vec<Collection<'a>>,
}

/// `/collections/{id}`: one boundary layer.
#[derive(Debug, Serialize)]
pub struct Collection<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    #[serde(rename = "itemType")]
    pub item_type: &'static str,
    /// Every CRS `crs=` and `bbox-crs=` accept (OGC API Features Part 2).
    pub crs: [&'static str; 2],
    #[serde(rename = "storageCrs")]
    pub storage_crs: &'static str,
    pub extent: Extent,
    pub geography: Geography,
    pub vintage: &'a str,
    #[serde(rename = "numberOfFeatures")]
    pub number_of_features: usize,
    pub generalisation: Generalisations,
    pub attribution: String,
    #[serde(rename = "attributionShort")]
    pub attribution_short: String,
    pub links: Vec<Link>,
}

#[derive(Debug, Serialize)]
pub struct Extent {
    pub spatial: SpatialExtent,
    pub temporal: TemporalExtent,
}

/// When the collection's boundaries were in force, and the years of the indicators joining it:
/// the first interval holds both, then the validity, then the indicator years (OGC API Common).
#[derive(Debug, Serialize)]
pub struct TemporalExtent {
    pub interval: Vec<[Option<String>; 2]>,
    pub trs: &'static str,
    pub description: &'static str,
}

fn temporal_extent(catalog: &Catalog, layer: &Layer) -> TemporalExtent {
    use crate::views::datetime::{validity, Interval};
    let valid = validity(catalog, layer);
    let years: Vec<i32> = catalog
        .metrics
        .indicators
        .values()
        .filter_map(|levels| levels.get(&layer.spec.geography))
        .flat_map(|level| level.series.iter())
        .filter(|(_, s)| s.layer == *layer.id())
        .map(|(y, _)| *y)
        .collect();
    let indicator_years = years
        .iter()
        .min()
        .zip(years.iter().max())
        .map(|(a, b)| Interval::year(*a).union(Interval::year(*b)));
    let parts: Vec<Interval> = valid.into_iter().chain(indicator_years).collect();
    let overall = parts.iter().copied().reduce(Interval::union);
    TemporalExtent {
        interval: overall
            .into_iter()
            .chain(parts)
            .map(Interval::to_extent)
            .collect(),
        trs: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        description: "The first interval holds the rest: when these boundaries were in force (from their vintage until the next one; open if the latest), then the years of the indicators that join them. items?datetime= tests the first without indicator, and chooses the indicator's year with one.",
    }
}

#[derive(Debug, Serialize)]
pub struct SpatialExtent {
    pub bbox: [[f64; 4]; 1],
    pub crs: &'static str,
}

/// The zoom bands a collection serves with `items?zoom=`.
#[derive(Debug, Serialize)]
pub struct Generalisations {
    pub description: &'static str,
    pub bands: Vec<BandInfo>,
    pub full_resolution_from_zoom: u8,
    pub full_resolution_vertices: usize,
}

#[derive(Debug, Serialize)]
pub struct BandInfo {
    pub min_zoom: u8,
    pub max_zoom: u8,
    pub tolerance_deg: f64,
    pub decimals: u8,
    pub vertices: usize,
}

pub fn landing_json<'a>(catalog: &'a Catalog, base: &str) -> Landing<'a> {
    Landing {
        title: "smartspec",
        description: "Smart Specialisation in England: LEP, region, LAD and NUTS boundaries joined with Nesta's research and innovation indicators.",
        links: vec![
            Link::new(format!("{base}/"), "self", JSON, "This document"),
            Link::new(format!("{base}/?f=html"), "alternate", HTML, "This document as HTML"),
            Link::new(format!("{base}/api"), "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            Link::new(format!("{base}/api.html"), "service-doc", HTML, "The API documentation"),
            Link::new(format!("{base}/conformance"), "conformance", JSON, "Conformance classes"),
            Link::new(format!("{base}/collections"), "data", JSON, "Boundary layers"),
            Link::new(format!("{base}/indicators"), "related", JSON, "Innovation indicators"),
            Link::new(
                format!("{base}/join-report"),
                "related",
                JSON,
                "How every metrics row joined its boundary layer",
            ),
            Link::new(format!("{base}/map/"), "alternate", HTML, "The map"),
        ],
        attribution: catalog
            .manifest
            .attribution
            .iter()
            .map(|(id, a)| Attribution {
                id,
                text: &a.text,
                short: &a.short,
            })
            .collect(),
    }
}

pub fn conformance_json() -> Conformance {
    Conformance {
        conforms_to: &CONFORMANCE,
    }
}

pub fn collections_json<'a>(catalog: &'a Catalog, base: &str) -> Collections<'a> {
    Collections {
        links: vec![
            Link::new(format!("{base}/collections"), "self", JSON, "Collections"),
            Link::new(
                format!("{base}/collections?f=html"),
                "alternate",
                HTML,
                "Collections as HTML",
            ),
        ],
        collections: catalog
            .layers
            .iter()
            .map(|l| collection_json(catalog, l, base))
            .collect(),
    }
}

pub fn collection_json<'a>(catalog: &'a Catalog, layer: &'a Layer, base: &str) -> Collection<'a> {
    let id = layer.id().as_str();
    let e = layer.extent;
    let attributions: Vec<_> = catalog.attribution(&layer.spec.attribution).collect();
    Collection {
        id,
        title: &layer.spec.title,
        description: &layer.spec.description,
        item_type: "feature",
        crs: Crs::ALL.map(Crs::uri),
        storage_crs: Crs::Crs84.uri(),
        extent: Extent {
            spatial: SpatialExtent {
                bbox: [[e.min().x, e.min().y, e.max().x, e.max().y]],
                crs: CRS84,
            },
            temporal: temporal_extent(catalog, layer),
        },
        geography: layer.spec.geography,
        vintage: &layer.spec.vintage,
        number_of_features: layer.areas.len(),
        generalisation: Generalisations {
            description: "items?zoom=N serves the band for zoom N: shared borders simplified once per band, so neighbours keep identical borders; full resolution without zoom or from full_resolution_from_zoom",
            bands: layer
                .bands
                .iter()
                .map(|b| BandInfo {
                    min_zoom: b.spec.min_zoom,
                    max_zoom: b.spec.max_zoom,
                    tolerance_deg: crate::views::numbers::round(b.spec.tolerance_deg, 7),
                    decimals: b.spec.decimals,
                    vertices: b.vertices,
                })
                .collect(),
            full_resolution_from_zoom: FULL_RESOLUTION_ZOOM,
            full_resolution_vertices: layer.vertex_count(),
        },
        attribution: attributions
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        attribution_short: attributions
            .iter()
            .map(|a| a.short.as_str())
            .collect::<Vec<_>>()
            .join(". "),
        links: vec![
            Link::new(format!("{base}/collections/{id}"), "self", JSON, &layer.spec.title),
            Link::new(
                format!("{base}/collections/{id}?f=html"),
                "alternate",
                HTML,
                "This collection as HTML",
            ),
            Link::new(
                format!("{base}/collections/{id}/items"),
                "items",
                GEOJSON,
                "Features",
            ),
            Link::new(
                format!("{base}/collections/{id}/queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                "Queryable properties",
            ),
            Link::new(
                format!("{base}/collections/{id}/schema"),
                "describedby",
                SCHEMA_JSON,
                "Feature schema",
            ),
            Link::new(
                format!("{base}/collections/{id}/schema"),
                "http://www.opengis.net/def/rel/ogc/1.0/schema",
                SCHEMA_JSON,
                "Feature schema",
            ),
            Link::new(
                format!("{base}/collections/{id}/items?f=csv"),
                "items",
                CSV,
                "Features as CSV",
            ),
            Link::new(
                format!("{base}/collections/{id}/items?f=fgb"),
                "items",
                FLATGEOBUF,
                "Features as FlatGeobuf",
            ),
            Link::new(
                format!("{base}/collections/{id}/items?f=fgb"),
                "enclosure",
                FLATGEOBUF,
                "The whole layer as a FlatGeobuf file, with its spatial index",
            ),
        ],
    }
}
