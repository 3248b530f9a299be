//! The map's static files (the front end and Leaflet from npm) and its settings document.

use super::endpoints;
use super::error::ApiError;
use super::params::Params;
use super::{json, AppState, WebSettings};
use crate::views::map_config;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;

/// The map's own files (`web/*.html|js|css|png`) and Leaflet's `dist` as `/map/vendor/leaflet/`;
/// nothing else of `web/` (no `node_modules`, no `package.json`). `/map` redirects to `/map/`.
pub fn map_routes(web: &WebSettings) -> Router<AppState> {
    Router::new()
        .nest_service("/map/vendor/leaflet", ServeDir::new(&web.leaflet_dir))
        .nest_service("/map", ServeDir::new(&web.web_dir))
        .layer(axum::middleware::from_fn(only_map_files))
}

/// Lets through only the map's files; everything else under `/map` is the JSON 404.
async fn only_map_files(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    if path == "/map" {
        return axum::response::Redirect::permanent("/map/").into_response();
    }
    let Some(rest) = path.strip_prefix("/map/") else {
        return next.run(req).await;
    };
    if is_map_file(rest) {
        next.run(req).await
    } else {
        ApiError::not_found(format!(
            "no file at {}; the map is at /map/",
            path.chars().take(300).collect::<String>()
        ))
        .into_response()
    }
}

/// `rest` (the path after `/map/`) names one of the map's files or a file of Leaflet's `dist`.
fn is_map_file(rest: &str) -> bool {
    let segments: Vec<&str> = rest.split('/').collect();
    let clean = segments
        .iter()
        .all(|s| s.len() <= 255 && !s.starts_with('.') && !s.contains('\\') && !s.contains('%'));
    if !clean {
        return false;
    }
    match segments.as_slice() {
        [""] => true,
        [file] => {
            let served = [".html", ".js", ".css", ".png", ".svg"];
            served.iter().any(|ext| file.ends_with(ext)) && !file.starts_with("package")
        }
        ["vendor", "leaflet", tail @ ..] => !tail.is_empty() && tail.iter().all(|s| !s.is_empty()),
        _ => false,
    }
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
