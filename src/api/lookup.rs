//! `/lookup`: every area of each layer that contains a point.

use super::endpoints;
use super::error::ApiError;
use super::params::Params;
use super::{filtered, json, AppState};
use crate::views::lookup::{check_point, lookup as look_up, LookupRequest};
use axum::extract::{RawQuery, State};
use axum::response::Response;

/// `/lookup?lon=&lat=&layers=`: the areas containing a WGS84 point, per layer.
pub async fn lookup(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::LOOKUP)?;
    let lon = params
        .number("lon")?
        .ok_or_else(|| ApiError::invalid("lon: required (WGS84 longitude, e.g. lon=-2.24)"))?;
    let lat = params
        .number("lat")?
        .ok_or_else(|| ApiError::invalid("lat: required (WGS84 latitude, e.g. lat=53.48)"))?;
    // The range is checked before `layers` is parsed, so the first error reported stays the same.
    check_point(lon, lat)?;
    let req = LookupRequest {
        lon,
        lat,
        layers: params.list("layers")?,
    };
    Ok(filtered(json(&look_up(&state.catalog, &req)?)))
}
