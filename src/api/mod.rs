//! Stage 6, the HTTP edge: routes, parameter checks, errors and middleware; no geometry logic.

mod areas;
mod caching;
pub mod endpoints;
mod error;
mod features;
mod formats;
pub mod health;
mod indicators;
mod lookup;
pub mod openapi;
pub mod params;
mod rankings;
mod spatial;
mod specialisation;
mod web;

pub use caching::{Filtered, IMMUTABLE, REVALIDATE};
pub use error::ApiError;
pub use web::check_map_page;

use crate::cache::ResponseCache;
use crate::catalog::Catalog;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use endpoints::Endpoint;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Default and maximum page sizes for `/collections/{id}/items`.
pub const DEFAULT_LIMIT: usize = endpoints::DEFAULT_LIMIT as usize;
pub const MAX_LIMIT: usize = endpoints::MAX_LIMIT as usize;

/// What handlers share: the catalog, the cache of its representations and the map's settings.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Catalog>,
    pub cache: Arc<ResponseCache>,
    pub web: Arc<WebSettings>,
    /// Load and reload history, shared by every catalog the process serves in turn.
    pub status: Arc<health::ServerStatus>,
    /// Permits for computing a representation on a cache miss: a flood of distinct expensive
    /// requests waits its turn instead of starving cheap ones of the blocking pool.
    pub computing: Arc<tokio::sync::Semaphore>,
}

/// The default number of representations computed at once: twice the CPUs.
pub fn default_computing() -> usize {
    2 * std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
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
            status: Arc::default(),
            computing: Arc::new(tokio::sync::Semaphore::new(default_computing())),
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
    /// Which links the server writes and which `Host` headers it answers.
    pub trust: Trust,
}

/// Where links point and whom to believe about it.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// The base of every link (`https://example.org/smartspec`), whatever the request says.
    pub public_url: Option<String>,
    /// `None`: any `Host` (a library default, for tests); `Some(list)`: loopback hosts and these.
    pub allowed_hosts: Option<Vec<String>>,
    /// Peers whose `X-Forwarded-Proto` is believed; from anyone else it is dropped.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The internal header carrying the configured public base URL to [`base_url`]; a client's own
/// copy is always removed first.
const BASE_HEADER: &str = "x-smartspec-base";

/// Applies [`Trust`]: a `Host` outside the allow-list is a 400, `X-Forwarded-Proto` from an
/// untrusted peer is dropped, and a configured public URL becomes the base of every link.
async fn trust_host(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let trust = &state.web.trust;
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let headers = req.headers_mut();
    headers.remove(BASE_HEADER);
    if !peer.is_some_and(|p| trust.trusted_proxies.contains(&p)) {
        headers.remove("x-forwarded-proto");
    }
    if let Some(public) = &trust.public_url {
        if let Ok(v) = HeaderValue::from_str(public.trim_end_matches('/')) {
            headers.insert(BASE_HEADER, v);
        }
    } else if let Some(allowed) = &trust.allowed_hosts {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !host_allowed(host, allowed) {
            return ApiError::invalid(format!(
                "Host '{}' is not served here; start the server with --public-url or --allowed-host",
                host.chars().take(100).collect::<String>()
            ))
            .into_response();
        }
    }
    next.run(req).await
}

/// The longest request target answered (longer: 414) and the most header bytes (more: 431),
/// both well under what the connection reads (`serve::MAX_HEAD_BYTES`), so these errors are
/// the documented JSON rather than the connection layer's bare status.
pub const MAX_URI_BYTES: usize = 8 << 10;
pub const MAX_HEADER_BYTES: usize = 32 << 10;

async fn request_limits(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let uri = req.uri().to_string().len();
    if uri > MAX_URI_BYTES {
        return ApiError {
            status: axum::http::StatusCode::URI_TOO_LONG,
            code: "URITooLong",
            description: format!(
                "the request target is {uri} bytes; at most {MAX_URI_BYTES} are read"
            ),
        }
        .into_response();
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > MAX_HEADER_BYTES {
        return ApiError {
            status: axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            code: "HeadersTooLarge",
            description: format!(
                "the request headers are {headers} bytes; at most {MAX_HEADER_BYTES} are read"
            ),
        }
        .into_response();
    }
    next.run(req).await
}

/// A loopback host (`localhost`, `127.x.y.z`, `[::1]`, any port) or one of `allowed` (with or
/// without its port).
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = if host.starts_with('[') {
        host.split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h).to_string()
    };
    let loopback = name == "localhost"
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback
        || allowed
            .iter()
            .any(|a| a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(&name))
}

/// Every documented endpoint with its handler. The router is built from this list and so is the
/// OpenAPI document (`/api`), so neither can list a route the other lacks.
pub fn routes() -> Vec<(Endpoint, MethodRouter<AppState>)> {
    use endpoints as e;
    vec![
        (e::LANDING, get(features::landing)),
        (e::API, get(features::api)),
        (e::API_HTML, get(features::api_html)),
        (e::CONFORMANCE, get(features::conformance)),
        (e::COLLECTIONS, get(features::collections)),
        (e::COLLECTION, get(features::collection)),
        (e::QUERYABLES, get(features::queryables)),
        (e::SCHEMA, get(features::schema)),
        (e::LABELS, get(features::labels)),
        (e::ITEMS, get(features::items)),
        (e::ITEM, get(features::item)),
        (e::NEIGHBOURS, get(areas::neighbours)),
        (e::PROFILE, get(areas::profile)),
        (e::PEERS, get(areas::peers)),
        (e::RANKING, get(rankings::ranking)),
        (e::COMPARE, get(rankings::compare)),
        (e::SPATIAL, get(spatial::spatial)),
        (e::SPECIALISATIONS, get(specialisation::list)),
        (e::SPECIALISATION, get(specialisation::one)),
        (e::INDICATORS, get(indicators::list)),
        (e::INDICATOR_ONE, get(indicators::one)),
        (e::VALUES, get(indicators::values)),
        (e::JOIN_REPORT, get(indicators::join_report)),
        (e::LOOKUP, get(lookup::lookup)),
        (e::MAP_CONFIG, get(web::map_config)),
    ]
}

/// Endpoints whose answers are never cached (they change without the data changing).
pub fn uncached_routes() -> Vec<(Endpoint, MethodRouter<AppState>)> {
    vec![(endpoints::HEALTH, get(health::health))]
}

/// The endpoints the router serves, in the order of [`routes`] then [`uncached_routes`].
pub fn documented_endpoints() -> Vec<Endpoint> {
    routes()
        .into_iter()
        .chain(uncached_routes())
        .map(|(endpoint, _)| endpoint)
        .collect()
}

/// Every route, with CORS, tracing, a timeout and panic containment. API responses and the
/// map's static files come from the representation cache (compressed once, ETag/304).
pub fn router(state: AppState) -> Router {
    let cached = axum::middleware::from_fn_with_state(state.clone(), caching::serve_cached);
    let map = web::map_routes(&state).layer(cached.clone());
    routes()
        .into_iter()
        .fold(Router::new(), |router, (endpoint, handler)| {
            router.route(endpoint.path, handler)
        })
        .route_layer(cached)
        .merge(
            uncached_routes()
                .into_iter()
                .fold(Router::new(), |router, (endpoint, handler)| {
                    router.route(endpoint.path, handler)
                }),
        )
        .merge(map)
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            trust_host,
        ))
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
        .layer(axum::middleware::from_fn(request_limits))
        .layer(axum::middleware::from_fn(error::json_errors))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no resource at {}; start at / (landing page), /collections, /indicators or /map/",
        uri.path()
    ))
}

/// The base of absolute links: the configured public URL, else the scheme and host the client
/// used (checked by [`trust_host`]).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    if let Some(base) = headers.get(BASE_HEADER).and_then(|h| h.to_str().ok()) {
        return base.to_string();
    }
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
