//! Indicator routes: the list with metadata, one indicator, its values for a year, the join report.

use super::endpoints;
use super::error::ApiError;
use super::params::Params;
use super::{json, AppState};
use crate::views::indicators::{self, IndicatorRequest, ListRequest, ValuesRequest, Within};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

/// `/indicators?geography=`: every indicator with its metadata per geography level.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::INDICATORS)?;
    let req = ListRequest {
        geography: params.get("geography").map(str::to_owned),
    };
    Ok(json(&indicators::list(&state.catalog, &req)?))
}

/// `/indicators/{id}`.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::of(q.as_deref(), &endpoints::INDICATOR_ONE)?;
    let req = IndicatorRequest { indicator: id };
    Ok(json(&indicators::indicator(&state.catalog, &req)?))
}

/// `/indicators/{id}/values?geography=&year=&within=`: every area of the resolved layer (or of
/// its part in England), null where missing, with ranks and the median (`v` is a cache-busting
/// token, accepted and ignored).
pub async fn values(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::VALUES)?;
    let req = ValuesRequest {
        indicator: id,
        geography: params.get("geography").map(str::to_owned),
        year: params.get("year").map(str::to_owned),
        within: params.get("within").map(Within::parse).transpose()?,
    };
    Ok(json(&indicators::values(&state.catalog, &req)?))
}

/// `/join-report`: what happened to every metrics row.
pub async fn join_report(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::of(q.as_deref(), &endpoints::JOIN_REPORT)?;
    Ok(json(indicators::join_report(&state.catalog)))
}
