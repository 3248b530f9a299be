//! Specialisation routes: location quotients, Krugman and Herfindahl indices from a matrix.

use super::error::ApiError;
use super::params::Params;
use super::{json, AppState};
use crate::views::specialisation::{self as view, MatrixRequest};
use axum::extract::{Path, State};
use axum::response::Response;

/// `/specialisation`: the matrices available.
pub async fn list(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    Ok(json(&view::list(&state.catalog)))
}

/// `/specialisation/{matrix}?measure=&area=`.
pub async fn one(
    State(state): State<AppState>,
    Path(matrix): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let request = MatrixRequest {
        matrix,
        measure: params.get("measure").map(str::to_string),
        area: params.get("area").map(str::to_string),
    };
    Ok(json(&view::matrix(&state.catalog, &request)?))
}
