//! The map's static files (the front end and Leaflet from npm) and its settings document.

use super::error::ApiError;
use super::params::Params;
use super::{json, AppState, WebSettings};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::Router;
use serde_json::json;
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
    Params::parse(q.as_deref(), &[])?;
    let attribution: Vec<_> = state
        .catalog
        .manifest
        .attribution
        .iter()
        .map(|(id, a)| json!({"id": id, "short": a.short, "text": a.text}))
        .collect();
    Ok(json(&json!({
        "data_version": state.catalog.data_version,
        "tile_url": state.web.tile_url,
        "tile_attribution": state.web.tile_attribution,
        "attribution": attribution,
    })))
}
