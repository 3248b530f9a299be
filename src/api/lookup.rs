//! `/lookup`: every area of each layer that contains a point.

use super::error::{choices, ApiError};
use super::params::Params;
use super::{filtered, json, AppState};
use crate::catalog::Layer;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use geo::Point;
use serde_json::json;

pub async fn lookup(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["lon", "lat", "layers"])?;
    let lon = params
        .number("lon")?
        .ok_or_else(|| ApiError::invalid("lon: required (WGS84 longitude, e.g. lon=-2.24)"))?;
    let lat = params
        .number("lat")?
        .ok_or_else(|| ApiError::invalid("lat: required (WGS84 latitude, e.g. lat=53.48)"))?;
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ApiError::invalid(format!(
            "lon: {lon} is outside -180..180"
        )));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::invalid(format!("lat: {lat} is outside -90..90")));
    }
    let catalog = &state.catalog;
    let layers: Vec<&Layer> = match params.list("layers")? {
        None => catalog.layers.iter().collect(),
        Some(ids) => ids
            .iter()
            .map(|id| {
                catalog.layer(id).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "layers: unknown '{id}'; collections: {}",
                        choices(catalog.layer_ids())
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let point = Point::new(lon, lat);
    let results: Vec<_> = layers
        .iter()
        .map(|layer| {
            let areas: Vec<_> = layer
                .index
                .containing(&layer.areas, point)
                .into_iter()
                .filter_map(|i| layer.areas.get(i))
                .map(|a| json!({"code": a.code, "name": a.name}))
                .collect();
            json!({"layer": layer.id(), "title": layer.spec.title, "geography": layer.spec.geography, "areas": areas})
        })
        .collect();
    Ok(filtered(json(
        &json!({"lon": lon, "lat": lat, "layers": results}),
    )))
}
