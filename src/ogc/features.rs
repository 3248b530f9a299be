//! GeoJSON FeatureCollections and Features with pre-serialised geometry.

use super::crs::{reproject_geometry, Crs, CrsError};
use super::links::Link;
use crate::artefacts::ServedBand;
use crate::catalog::Layer;
use crate::model::Area;
use crate::topology::FULL_RESOLUTION_ZOOM;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A metric joined into each feature's properties.
#[derive(Debug, Clone, Copy)]
pub struct MetricJoin<'a> {
    pub indicator: &'a str,
    pub year: i32,
    pub unit: &'a str,
    /// Decimals the values are written with.
    pub decimals: u8,
    /// Aligned with the layer's areas.
    pub values: &'a [Option<f64>],
}

/// What goes into each feature's properties, and which geometry.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureOptions<'a> {
    /// Only these properties (in this order); `None` keeps all.
    pub properties: Option<&'a [String]>,
    pub metric: Option<MetricJoin<'a>>,
    /// The zoom asked for; it selects the geometry (see [`Generalisation::for_zoom`]).
    pub zoom: Option<Generalisation<'a>>,
    /// Features without geometry (`"geometry": null`), for tables.
    pub skip_geometry: bool,
    /// The CRS of the geometry written; anything but CRS84 is reprojected per feature.
    pub crs: Crs,
}

/// The geometry served for a `zoom`: a generalised band, or full resolution from
/// [`FULL_RESOLUTION_ZOOM`]. Said in the response, so a client knows what it drew.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Generalisation<'a> {
    pub zoom: u8,
    #[serde(skip)]
    band: Option<&'a ServedBand>,
    /// `None` (full resolution) or the band's zooms, tolerance and precision.
    #[serde(rename = "band", skip_serializing_if = "Option::is_none")]
    spec: Option<BandSummary>,
    pub full_resolution: bool,
}

#[derive(Debug, Clone, Copy, Serialize)]
struct BandSummary {
    min_zoom: u8,
    max_zoom: u8,
    tolerance_deg: f64,
    /// The tolerance in metres on the ground at 52.5°N (latitude degrees).
    tolerance_m: f64,
    decimals: u8,
}

impl<'a> Generalisation<'a> {
    /// The band of `layer` serving `zoom`; full resolution from [`FULL_RESOLUTION_ZOOM`].
    pub fn for_zoom(layer: &'a Layer, zoom: u8) -> Generalisation<'a> {
        let band = crate::topology::band_for_zoom(zoom).and_then(|i| layer.bands.get(i));
        Generalisation {
            zoom,
            band,
            spec: band.map(|b| BandSummary {
                min_zoom: b.spec.min_zoom,
                max_zoom: b.spec.max_zoom,
                tolerance_deg: crate::views::numbers::round(b.spec.tolerance_deg, 7),
                tolerance_m: (b.spec.tolerance_deg * 111_320.0).round(),
                decimals: b.spec.decimals,
            }),
            full_resolution: band.is_none() || zoom >= FULL_RESOLUTION_ZOOM,
        }
    }

    /// The generalised GeoJSON geometry of the area at `index`; `None` at full resolution.
    pub fn band_geometry_json(&self, index: usize) -> Option<&'a RawValue> {
        self.band
            .and_then(|b| b.geometry_json.get(index))
            .map(|g| &**g)
    }

    fn geometry(&self, area: &'a Area, index: usize) -> &'a RawValue {
        self.band
            .and_then(|b| b.geometry_json.get(index))
            .map_or(&*area.geometry_json, |g| &**g)
    }
}

/// Paging facts for a FeatureCollection.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub number_matched: usize,
    pub links: Vec<Link>,
}

#[derive(Serialize)]
struct FeatureOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    properties: Map<String, Value>,
    /// `None` serialises as null (skipGeometry).
    geometry: Option<Cow<'a, RawValue>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generalisation: Option<Generalisation<'a>>,
}

#[derive(Serialize)]
struct CollectionOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "numberMatched")]
    number_matched: usize,
    #[serde(rename = "numberReturned")]
    number_returned: usize,
    features: Vec<FeatureOut<'a>>,
    links: &'a [Link],
    #[serde(skip_serializing_if = "Option::is_none")]
    generalisation: Option<Generalisation<'a>>,
}

/// Serialises the features at `items` (area index plus extra properties) as a FeatureCollection.
/// Fails only if a geometry cannot be reprojected into `options.crs`.
pub fn feature_collection<'a>(
    layer: &'a Layer,
    items: &[(usize, Map<String, Value>)],
    options: FeatureOptions<'a>,
    page: &'a Page,
) -> Result<Vec<u8>, CrsError> {
    let mut features = Vec::with_capacity(items.len());
    for (i, extra) in items {
        let Some(area) = layer.areas.get(*i) else {
            continue;
        };
        let mut feature = feature_out(area, *i, extra, options, Vec::new())?;
        feature.generalisation = None;
        features.push(feature);
    }
    let doc = CollectionOut {
        kind: "FeatureCollection",
        number_matched: page.number_matched,
        number_returned: features.len(),
        features,
        links: &page.links,
        generalisation: options.zoom,
    };
    Ok(serde_json::to_vec(&doc).unwrap_or_default())
}

/// Serialises one feature with its links; `None` if `index` is not a feature of the layer.
pub fn single_feature<'a>(
    layer: &'a Layer,
    index: usize,
    options: FeatureOptions<'a>,
    links: Vec<Link>,
) -> Result<Option<Vec<u8>>, CrsError> {
    let Some(area) = layer.areas.get(index) else {
        return Ok(None);
    };
    let feature = feature_out(area, index, &Map::new(), options, links)?;
    Ok(serde_json::to_vec(&feature).ok())
}

/// The properties of the area at `index` as a feature carries them: those `options.properties`
/// keeps (all by default), then the joined metric's `indicator`, `year`, `value` and `unit`.
pub fn feature_properties(
    area: &Area,
    index: usize,
    options: &FeatureOptions<'_>,
) -> Map<String, Value> {
    let mut properties = match options.properties {
        None => area.properties.clone(),
        Some(keep) => keep
            .iter()
            .filter_map(|k| Some((k.clone(), area.properties.get(k)?.clone())))
            .collect(),
    };
    if let Some(metric) = options.metric {
        let value = crate::views::numbers::round_opt(
            metric.values.get(index).copied().flatten(),
            metric.decimals,
        );
        properties.insert("indicator".into(), metric.indicator.into());
        properties.insert("year".into(), metric.year.into());
        properties.insert("value".into(), value.map_or(Value::Null, Value::from));
        properties.insert("unit".into(), metric.unit.into());
    }
    properties
}

fn feature_out<'a>(
    area: &'a Area,
    index: usize,
    extra: &Map<String, Value>,
    options: FeatureOptions<'a>,
    links: Vec<Link>,
) -> Result<FeatureOut<'a>, CrsError> {
    let mut properties = feature_properties(area, index, &options);
    for (k, v) in extra {
        properties.insert(k.clone(), v.clone());
    }
    let geometry = if options.skip_geometry {
        None
    } else {
        let stored = options
            .zoom
            .map_or(&*area.geometry_json, |z| z.geometry(area, index));
        Some(match options.crs {
            Crs::Crs84 => Cow::Borrowed(stored),
            crs => Cow::Owned(reproject_geometry(stored, crs)?),
        })
    };
    Ok(FeatureOut {
        kind: "Feature",
        id: area.code.as_str(),
        properties,
        geometry,
        links,
        generalisation: options.zoom,
    })
}
