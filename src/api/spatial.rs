//! The spatial statistics route: lag, gap, local and global Moran's I of an indicator-year.

use super::error::ApiError;
use super::params::{geography, year, Params};
use super::{json, AppState};
use crate::views::spatial::{self as view, SpatialRequest};
use axum::extract::{Path, State};
use axum::response::Response;

/// `/indicators/{id}/spatial?geography=&year=&permutations=&seed=`. Computed on a cache miss
/// off the async threads under the computing permits (see `caching::serve_cached`), like every
/// cached route.
pub async fn spatial(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let seed = params
        .whole("seed")
        .map(|n| {
            u64::try_from(n).map_err(|_| {
                ApiError::invalid(format!(
                    "seed: expected a whole number from 0 to {}, got {n}",
                    u64::MAX
                ))
            })
        })
        .transpose()?;
    let req = SpatialRequest {
        indicator: id,
        geography: geography(&params),
        year: year(&params),
        permutations: params.count("permutations"),
        seed,
    };
    Ok(json(&view::spatial_statistics(&state.catalog, &req)?))
}
