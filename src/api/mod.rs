//! Stage 6, the HTTP edge: routes, parameter checks, errors and middleware; no geometry logic.

mod areas;
mod caching;
mod error;
mod features;
mod formats;
mod indicators;
mod lookup;
pub mod params;
mod rankings;
mod specialisation;
mod web;

pub use caching::{Filtered, IMMUTABLE, REVALIDATE};
pub use error::ApiError;

use crate::cache::ResponseCache;
use crate::catalog::Catalog;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Default and maximum page sizes for `/collections/{id}/items`.
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 10_000;

/// What handlers share: the catalog, the cache of its representations and the map's settings.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub cache: Arc<ResponseCache>,
    pub web: Arc<WebSettings>,
}

/// The default byte budget of the representation cache.
pub const DEFAULT_CACHE_BYTES: u64 = 512 << 20;

impl AppState {
    /// State over `catalog` with an empty representation cache of the default budget.
    pub fn new(catalog: Arc<Catalog>, web: WebSettings) -> AppState {
        AppState {
            catalog,
            cache: Arc::new(ResponseCache::new(DEFAULT_CACHE_BYTES)),
            web: Arc::new(web),
        }
    }
}

/// The front end's files and basemap settings.
#[derive(Debug, Clone, Default)]
pub struct WebSettings {
    pub web_dir: PathBuf,
    pub leaflet_dir: PathBuf,
    pub tile_url: Option<String>,
    pub tile_attribution: Option<String>,
}

/// Every route, with CORS, tracing, a timeout and panic containment. API responses and the
/// map's static files come from the representation cache (compressed once, ETag/304).
pub fn router(state: AppState) -> Router {
    let cached = axum::middleware::from_fn_with_state(state.clone(), caching::serve_cached);
    let map = web::map_routes(&state.web).layer(cached.clone());
    Router::new()
        .route("/", get(features::landing))
        .route("/conformance", get(features::conformance))
        .route("/collections", get(features::collections))
        .route("/collections/{id}", get(features::collection))
        .route("/collections/{id}/items", get(features::items))
        .route("/collections/{id}/items/{code}", get(features::item))
        .route(
            "/collections/{id}/items/{code}/neighbours",
            get(areas::neighbours),
        )
        .route("/areas/{code}/profile", get(areas::profile))
        .route("/areas/{code}/peers", get(areas::peers))
        .route("/indicators/{id}/ranking", get(rankings::ranking))
        .route("/indicators/{id}/compare", get(rankings::compare))
        .route("/specialisation", get(specialisation::list))
        .route("/specialisation/{matrix}", get(specialisation::one))
        .route("/indicators", get(indicators::list))
        .route("/indicators/{id}", get(indicators::one))
        .route("/indicators/{id}/values", get(indicators::values))
        .route("/join-report", get(indicators::join_report))
        .route("/lookup", get(lookup::lookup))
        .route("/map-config.json", get(web::map_config))
        .route_layer(cached)
        .merge(map)
        .fallback(not_found)
        .with_state(state)
        .layer(CorsLayer::permissive())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no resource at {}; start at / (landing page), /collections, /indicators or /map/",
        uri.path()
    ))
}

/// The scheme and host the client used, for absolute links.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// A body with its media type.
pub(crate) fn typed(media_type: &'static str, body: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(media_type))],
        body,
    )
        .into_response()
}

/// Marks a response as depending on a filter (see [`Filtered`]).
pub(crate) fn filtered(mut response: Response) -> Response {
    response.extensions_mut().insert(Filtered);
    response
}

pub(crate) fn json(value: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => typed("application/json", body),
        Err(e) => ApiError::internal(e).into_response(),
    }
}
