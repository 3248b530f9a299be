//! The map's page (with the catalogue it starts from inlined), its static files (the front end
//! and Leaflet from npm) and its settings document.

use super::endpoints;
use super::error::ApiError;
use super::params::Params;
use super::{base_url, json, typed, AppState};
use crate::ogc::{self, Collections};
use crate::views::indicators::{self, IndicatorList, ListRequest};
use crate::views::map_config::{self, MapConfig};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::Serialize;
use tower_http::services::ServeDir;

/// The map's own files (`web/*.html|js|css|png`) and Leaflet's `dist` as `/map/vendor/leaflet/`;
/// nothing else of `web/` (no `node_modules`, no `package.json`). `/map` redirects to `/map/`.
pub fn map_routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .nest_service("/map/vendor/leaflet", ServeDir::new(&state.web.leaflet_dir))
        .nest_service("/map", ServeDir::new(&state.web.web_dir))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            only_map_files,
        ))
}

/// Answers the page itself ([`map_page`]) and lets through only the map's files; everything
/// else under `/map` is the JSON 404.
async fn only_map_files(
    State(state): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    if path == "/map" {
        return axum::response::Redirect::permanent("/map/").into_response();
    }
    let reads = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    if reads && (path == "/map/" || path == "/map/index.html") {
        let headers = req.headers().clone();
        return map_page(State(state), headers).await.into_response();
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

/// The documents the map starts from, exactly as `/map-config.json`, `/collections` and
/// `/indicators` serve them; inlined into its page, so its first data requests wait for no
/// catalogue round trip.
#[derive(Serialize)]
pub struct MapStart<'a> {
    pub config: MapConfig<'a>,
    pub collections: Collections<'a>,
    pub indicators: IndicatorList<'a>,
}

/// The element of `web/index.html` that receives the catalogue.
const CATALOGUE_TAG: &str = r#"<script type="application/json" id="smartspec-catalogue"></script>"#;

/// `page` (the text of `web/index.html`) with `start` as the JSON content of its catalogue tag.
/// Every `<` is written `\u003c`, so no string in the data can end the script element.
pub fn inline_catalogue(page: &str, start: &MapStart) -> Result<String, String> {
    let at = page
        .find(CATALOGUE_TAG)
        .ok_or_else(|| format!("the map page has no catalogue element ({CATALOGUE_TAG})"))?;
    let data = serde_json::to_string(start)
        .map_err(|e| format!("the map's catalogue: {e}"))?
        .replace('<', "\\u003c");
    let open = CATALOGUE_TAG.len() - "</script>".len();
    let mut out = String::with_capacity(page.len() + data.len());
    out.push_str(&page[..at + open]);
    out.push_str(&data);
    out.push_str(&page[at + open..]);
    Ok(out)
}

/// `/map/`: the map's page with the catalogue inlined (a representation of the data version and
/// the links' base, made once and compressed once like every other).
pub async fn map_page(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let path = state.web.web_dir.join("index.html");
    let page = tokio::fs::read_to_string(&path)
        .await
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
    let start = MapStart {
        config: map_config::map_config(
            &state.catalog,
            state.web.tile_url.as_deref(),
            state.web.tile_attribution.as_deref(),
        ),
        collections: ogc::collections_json(&state.catalog, &base_url(&headers)),
        indicators: indicators::list(&state.catalog, &ListRequest::default())?,
    };
    let page = inline_catalogue(&page, &start)
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
    Ok(typed("text/html; charset=utf-8", page.into_bytes()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn start() -> MapStart<'static> {
        let catalog = crate::views::fixture_catalog();
        MapStart {
            config: map_config::map_config(catalog, None, None),
            collections: ogc::collections_json(catalog, "http://localhost"),
            indicators: indicators::list(catalog, &ListRequest::default()).unwrap(),
        }
    }

    #[test]
    fn the_catalogue_goes_into_its_element_and_parses_back() {
        let page = format!("<head>{CATALOGUE_TAG}</head>");
        let out = inline_catalogue(&page, &start()).unwrap();
        let json = out
            .strip_prefix(r#"<head><script type="application/json" id="smartspec-catalogue">"#)
            .and_then(|rest| rest.strip_suffix("</script></head>"))
            .unwrap();
        assert!(!json.contains('<'), "no '<' inside the script element");
        let back: serde_json::Value = serde_json::from_str(json).unwrap();
        let expected = serde_json::to_value(start()).unwrap();
        assert_eq!(back, expected);
        assert!(back["indicators"]["indicators"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
        assert!(back["collections"]["collections"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
    }

    #[test]
    fn a_page_without_the_element_is_an_error_naming_it() {
        let err = inline_catalogue("<head></head>", &start()).unwrap_err();
        assert!(err.contains("smartspec-catalogue"), "{err}");
    }
}
