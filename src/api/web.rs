//! The map's page (assembled from `web/`: catalogue, stylesheets and modules inlined), its static
//! files (the front end and Leaflet from npm) and its settings document.

use super::error::ApiError;
use super::params::Params;
use super::{base_url, json, typed, AppState, WebSettings};
use crate::ogc::{self, Collections};
use crate::views::indicators::{self, IndicatorList, ListRequest};
use crate::views::map_config::{self, MapConfig};
use crate::views::map_page;
use axum::extract::Path;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use std::time::Duration;

/// The map's own files (`web/*.html|js|css|png|svg`) and Leaflet's `dist` as
/// `/map/vendor/leaflet/`; nothing else of `web/` (no `node_modules`, no `package.json`).
/// `/map` redirects to `/map/`, the page.
pub fn map_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/map",
            get(|| async { axum::response::Redirect::permanent("/map/") }),
        )
        .route("/map/", get(map_page))
        .route("/map/{*file}", get(map_file))
}

/// The largest file `/map/` serves.
const MAX_MAP_FILE_BYTES: u64 = 16 << 20;
/// How long reading one of the map's files may take.
const MAP_FILE_DEADLINE: Duration = Duration::from_secs(5);

/// One of the map's files, read on the blocking pool under a deadline, and only if it is a
/// regular file inside its folder (no FIFO, device or directory; no link out of the folder).
/// Anything else under `/map/` is the JSON 404; a directory is a 404 too, never a redirect.
async fn map_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if file == "index.html" {
        return map_page(State(state), headers).await;
    }
    let missing = || {
        ApiError::not_found(format!(
            "no file at /map/{}; the map is at /map/",
            file.chars().take(300).collect::<String>()
        ))
    };
    if !is_map_file(&file) {
        return Err(missing());
    }
    let Some(content_type) = content_type(&file) else {
        return Err(missing());
    };
    let (root, relative) = match file.strip_prefix("vendor/leaflet/") {
        Some(rest) => (state.web.leaflet_dir.clone(), rest.to_owned()),
        None => (state.web.web_dir.clone(), file.clone()),
    };
    let read = tokio::task::spawn_blocking(move || {
        crate::load::read_regular_under(&root, std::path::Path::new(&relative), MAX_MAP_FILE_BYTES)
    });
    match tokio::time::timeout(MAP_FILE_DEADLINE, read).await {
        Ok(Ok(Ok(bytes))) => Ok(typed(content_type, bytes)),
        Ok(Ok(Err(e))) => {
            tracing::debug!(file = %file, error = %e, "map file not served");
            Err(missing())
        }
        Ok(Err(e)) => Err(ApiError::internal(format!("reading a map file: {e}"))),
        Err(_) => Err(ApiError::unavailable(format!(
            "reading /map/{file} took over {} s",
            MAP_FILE_DEADLINE.as_secs()
        ))),
    }
}

/// The media type of a map file by its extension; `None` for any other kind of file.
fn content_type(file: &str) -> Option<&'static str> {
    let ext = file.rsplit_once('.').map(|(_, ext)| ext)?;
    Some(match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "map" | "json" => "application/json",
        _ => return None,
    })
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
    _params: Params,
) -> Result<Response, ApiError> {
    Ok(json(&map_config::map_config(
        &state.catalog,
        state.web.tile_url.as_deref(),
        state.web.tile_attribution.as_deref(),
    )))
}

/// The documents the map starts from, exactly as `/map-config.json`, `/collections` and
/// `/indicators` serve them; inlined into its page, so its first data requests wait for no
/// catalogue round trip.
#[derive(Serialize)]
pub struct MapStart<'a> {
    pub config: MapConfig<'a>,
    pub collections: Collections<'a>,
    pub indicators: IndicatorList<'a>,
}

/// `/map/`: the map's page as [`map_page::assemble`] makes it from `web/` (catalogue, stylesheets
/// and modules inlined): a representation of the data version and the links' base, made once and
/// compressed once like every other.
pub async fn map_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = base_url(&headers);
    // Serialising the catalogue (about 220 KB) and reading `web/` are work for the blocking pool.
    let page = tokio::task::spawn_blocking(move || {
        let start = MapStart {
            config: map_config::map_config(
                &state.catalog,
                state.web.tile_url.as_deref(),
                state.web.tile_attribution.as_deref(),
            ),
            collections: ogc::collections_json(&state.catalog, &base),
            indicators: indicators::list(&state.catalog, &ListRequest::default())?,
        };
        let read = |name: &str| read_map_file(&state.web, name);
        read("index.html")
            .and_then(|page| map_page::assemble(&page, &start, &read))
            .map_err(|e| ApiError::internal(format!("the map page: {e}")))
    })
    .await
    .map_err(|e| ApiError::internal(format!("assembling the map page: {e}")))??;
    Ok(typed("text/html; charset=utf-8", page.into_bytes()))
}

/// Whether `web/` makes a page: every stylesheet and module it names is there and can be joined.
/// Checked at start-up, so a broken front end is reported before the first visitor meets a 500.
pub fn check_map_page(web: &WebSettings) -> Result<(), map_page::PageError> {
    let read = |name: &str| read_map_file(web, name);
    map_page::assemble(&read("index.html")?, &serde_json::Value::Null, &read).map(drop)
}

/// The text of the map file `name` (as the page names it: `app.js`, `vendor/leaflet/leaflet.css`);
/// only what `/map/` itself serves.
fn read_map_file(web: &WebSettings, name: &str) -> Result<String, map_page::PageError> {
    let error = |message: String| map_page::PageError {
        file: name.to_owned(),
        message,
    };
    if !is_map_file(name) {
        return Err(error("not one of the map's files".into()));
    }
    let (root, relative) = match name.strip_prefix("vendor/leaflet/") {
        Some(rest) => (&web.leaflet_dir, rest),
        None => (&web.web_dir, name),
    };
    let bytes =
        crate::load::read_regular_under(root, std::path::Path::new(relative), MAX_MAP_FILE_BYTES)
            .map_err(|e| error(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| error(format!("not UTF-8: {e}")))
}
