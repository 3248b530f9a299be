//! Ranking and comparison routes: every area of a layer ranked, and chosen areas side by side.

use super::endpoints;
use super::error::ApiError;
use super::params::Params;
use super::{filtered, json, AppState};
use crate::views::rankings::{self, CompareRequest, RankingRequest};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

/// `/indicators/{id}/ranking?geography=&year=`: every area, ranked; missing values last.
pub async fn ranking(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::RANKING)?;
    let req = RankingRequest {
        indicator: id,
        geography: params.get("geography").map(str::to_owned),
        year: params.get("year").map(str::to_owned),
    };
    Ok(json(&rankings::ranking(&state.catalog, &req)?))
}

/// `/indicators/{id}/compare?geography=&year=&areas=A,B`: chosen areas with their neighbours'
/// mean and a verdict against the median.
pub async fn compare(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::COMPARE)?;
    let areas = params
        .list("areas")?
        .ok_or_else(|| ApiError::invalid("areas: required, e.g. areas=E37000015,E37000012"))?;
    let req = CompareRequest {
        indicator: id,
        geography: params.get("geography").map(str::to_owned),
        year: params.get("year").map(str::to_owned),
        areas,
    };
    Ok(filtered(json(&rankings::compare(&state.catalog, &req)?)))
}
