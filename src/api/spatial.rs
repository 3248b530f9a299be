//! The spatial statistics route: lag, gap, local and global Moran's I of an indicator-year.

use super::endpoints;
use super::error::ApiError;
use super::params::Params;
use super::{json, AppState};
use crate::views::spatial::{self as view, SpatialRequest};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

/// `/indicators/{id}/spatial?geography=&year=&permutations=&seed=`. Computed on a cache miss
/// off the async threads under the computing permits (see `caching::serve_cached`), like every
/// cached route.
pub async fn spatial(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::SPATIAL)?;
    let permutations = params
        .get("permutations")
        .map(|v| {
            v.trim().parse::<usize>().map_err(|_| {
                ApiError::invalid(format!(
                    "permutations: expected a whole number from {} to {}, got '{v}'",
                    view::MIN_PERMUTATIONS,
                    view::MAX_PERMUTATIONS
                ))
            })
        })
        .transpose()?;
    let seed = params
        .get("seed")
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| {
                ApiError::invalid(format!(
                    "seed: expected a whole number from 0 to 18446744073709551615, got '{v}'"
                ))
            })
        })
        .transpose()?;
    let req = SpatialRequest {
        indicator: id,
        geography: params.get("geography").map(str::to_owned),
        year: params.get("year").map(str::to_owned),
        permutations,
        seed,
    };
    Ok(json(&view::spatial_statistics(&state.catalog, &req)?))
}
