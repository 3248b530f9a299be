//! The map's static files (the front end and Leaflet from npm) and its settings document.

use super::endpoints;
use super::error::ApiError;
use super::params::Params;
use super::{json, AppState, WebSettings};
use crate::views::map_config;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;

pub fn map_routes(web: &WebSettings) -> Router<AppState> {
    Router::new()
        .nest_service("/map/vendor/leaflet", ServeDir::new(&web.leaflet_dir))
        .nest_service("/map", ServeDir::new(&web.web_dir))
}

/// `/map-config.json`: basemap settings and the attribution the map must show.
pub async fn map_config(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::of(q.as_deref(), &endpoints::MAP_CONFIG)?;
    Ok(json(&map_config::map_config(
        &state.catalog,
        state.web.tile_url.as_deref(),
        state.web.tile_attribution.as_deref(),
    )))
}
