//! GeoJSON FeatureCollections and Features with pre-serialised geometry.

use super::links::Link;
use crate::catalog::Layer;
use crate::model::Area;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A metric joined into each feature's properties.
#[derive(Debug, Clone, Copy)]
pub struct MetricJoin<'a> {
    pub indicator: &'a str,
    pub year: i32,
    pub unit: &'a str,
    /// Aligned with the layer's areas.
    pub values: &'a [Option<f64>],
}

/// What goes into each feature's properties.
#[derive(Debug, Clone, Copy, Default)]
pub struct FeatureOptions<'a> {
    /// Only these properties (in this order); `None` keeps all.
    pub properties: Option<&'a [String]>,
    pub metric: Option<MetricJoin<'a>>,
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
    geometry: &'a RawValue,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    links: Vec<Link>,
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
}

/// Serialises the features at `items` (area index plus extra properties) as a FeatureCollection.
pub fn feature_collection(
    layer: &Layer,
    items: &[(usize, Map<String, Value>)],
    options: FeatureOptions<'_>,
    page: &Page,
) -> Vec<u8> {
    let features = items
        .iter()
        .filter_map(|(i, extra)| {
            let area = layer.areas.get(*i)?;
            Some(feature_out(area, *i, extra, options, Vec::new()))
        })
        .collect::<Vec<_>>();
    let doc = CollectionOut {
        kind: "FeatureCollection",
        number_matched: page.number_matched,
        number_returned: features.len(),
        features,
        links: &page.links,
    };
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// Serialises one feature with its links.
pub fn single_feature(
    layer: &Layer,
    index: usize,
    options: FeatureOptions<'_>,
    links: Vec<Link>,
) -> Option<Vec<u8>> {
    let area = layer.areas.get(index)?;
    serde_json::to_vec(&feature_out(area, index, &Map::new(), options, links)).ok()
}

fn feature_out<'a>(
    area: &'a Area,
    index: usize,
    extra: &Map<String, Value>,
    options: FeatureOptions<'_>,
    links: Vec<Link>,
) -> FeatureOut<'a> {
    let mut properties = match options.properties {
        None => area.properties.clone(),
        Some(keep) => keep
            .iter()
            .filter_map(|k| Some((k.clone(), area.properties.get(k)?.clone())))
            .collect(),
    };
    if let Some(metric) = options.metric {
        let value = metric.values.get(index).copied().flatten();
        properties.insert("indicator".into(), metric.indicator.into());
        properties.insert("year".into(), metric.year.into());
        properties.insert("value".into(), value.map_or(Value::Null, Value::from));
        properties.insert("unit".into(), metric.unit.into());
    }
    for (k, v) in extra {
        properties.insert(k.clone(), v.clone());
    }
    FeatureOut {
        kind: "Feature",
        id: area.code.as_str(),
        properties,
        geometry: &area.geometry_json,
        links,
    }
}
