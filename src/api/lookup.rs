//! `/lookup`: every area of each layer that contains a point.

use super::error::ApiError;
use super::params::Params;
use super::{filtered, json, AppState};
use crate::views::lookup::{check_point, lookup as look_up, LookupRequest};
use axum::extract::State;
use axum::response::Response;

/// `/lookup?lon=&lat=&layers=`: the areas containing a WGS84 point, per layer.
pub async fn lookup(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    // The parser has checked that both are given and are numbers.
    let (lon, lat) = (
        params.number("lon").unwrap_or(f64::NAN),
        params.number("lat").unwrap_or(f64::NAN),
    );
    check_point(lon, lat)?;
    let req = LookupRequest {
        lon,
        lat,
        layers: params.list("layers").map(<[String]>::to_vec),
    };
    Ok(filtered(json(&look_up(&state.catalog, &req)?)))
}
