//! Ranking and comparison routes: every area of a layer ranked, and chosen areas side by side.

use super::error::ApiError;
use super::params::{geography, year, Params};
use super::{filtered, json, AppState};
use crate::views::rankings::{self, CompareRequest, RankingRequest};
use axum::extract::{Path, State};
use axum::response::Response;

/// `/indicators/{id}/ranking?geography=&year=`: every area, ranked; missing values last.
pub async fn ranking(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let req = RankingRequest {
        indicator: id,
        geography: geography(&params),
        year: year(&params),
    };
    Ok(json(&rankings::ranking(&state.catalog, &req)?))
}

/// `/indicators/{id}/compare?geography=&year=&areas=A,B`: chosen areas with their neighbours'
/// mean and a verdict against the median.
pub async fn compare(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let req = CompareRequest {
        indicator: id,
        geography: geography(&params),
        year: year(&params),
        areas: params.list("areas").unwrap_or_default().to_vec(),
    };
    Ok(filtered(json(&rankings::compare(&state.catalog, &req)?)))
}
