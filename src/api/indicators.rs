//! Indicator routes: the list with metadata, one indicator, its values for a year, the join report.

use super::error::ApiError;
use super::params::{geography, year, Params};
use super::{json, AppState};
use crate::views::indicators::{self, IndicatorRequest, ListRequest, ValuesRequest, Within};
use axum::extract::{Path, State};
use axum::response::Response;

/// `/indicators?geography=`: every indicator with its metadata per geography level.
pub async fn list(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let req = ListRequest {
        geography: geography(&params),
    };
    Ok(json(&indicators::list(&state.catalog, &req)?))
}

/// `/indicators/{id}`.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _params: Params,
) -> Result<Response, ApiError> {
    let req = IndicatorRequest { indicator: id };
    Ok(json(&indicators::indicator(&state.catalog, &req)?))
}

/// `/indicators/{id}/values?geography=&year=&within=`: every area of the resolved layer (or of
/// its part in England), null where missing, with ranks and the median (`v` is a cache-busting
/// token, accepted and ignored).
pub async fn values(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let req = ValuesRequest {
        indicator: id,
        geography: geography(&params),
        year: year(&params),
        within: params.get("within").map(Within::parse).transpose()?,
    };
    Ok(json(&indicators::values(&state.catalog, &req)?))
}

/// `/join-report`: what happened to every metrics row.
pub async fn join_report(
    State(state): State<AppState>,
    _params: Params,
) -> Result<Response, ApiError> {
    Ok(json(indicators::join_report(&state.catalog)))
}
