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
pub mod metrics;
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
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use endpoints::Endpoint;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{self, CorsLayer};
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
    /// Permits for computing a representation of a heavy endpoint on a cache miss, its
    /// compression included (`--max-computing`): a flood of distinct expensive requests waits
    /// its turn instead of taking every core and the memory its answers need.
    pub computing: Arc<tokio::sync::Semaphore>,
    /// As many permits again for light endpoints (one feature, one document, one point), so
    /// a cheap miss never queues behind expensive ones.
    pub computing_light: Arc<tokio::sync::Semaphore>,
    /// How long a request may take before it is answered 503 (`--request-timeout`).
    pub request_timeout: Duration,
    /// Request, cache and permit counters for `/metrics`, shared by every catalog in turn.
    pub metrics: Arc<metrics::Metrics>,
    /// How much one batch lookup may hold.
    pub batch: BatchLimits,
}

/// The bounds of one batch lookup (`--max-lookup-points`, `--max-lookup-mb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    pub max_points: usize,
    pub max_bytes: u64,
}

/// The default `--max-lookup-points`.
pub const DEFAULT_MAX_LOOKUP_POINTS: u64 = 100_000;
/// The default `--max-lookup-mb`.
pub const DEFAULT_MAX_LOOKUP_MB: u64 = 16;

impl Default for BatchLimits {
    fn default() -> BatchLimits {
        BatchLimits {
            max_points: DEFAULT_MAX_LOOKUP_POINTS as usize,
            max_bytes: DEFAULT_MAX_LOOKUP_MB << 20,
        }
    }
}

/// The default number of representations computed at once: twice the CPUs.
pub fn default_computing() -> usize {
    2 * std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// The default `--request-timeout`.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The default byte budget of the representation cache.
pub const DEFAULT_CACHE_BYTES: u64 = 512 << 20;

impl AppState {
    /// The computing permits a miss of an endpoint of `cost` takes.
    pub fn lane(&self, cost: endpoints::Cost) -> &Arc<tokio::sync::Semaphore> {
        match cost {
            endpoints::Cost::Light => &self.computing_light,
            endpoints::Cost::Heavy => &self.computing,
        }
    }

    /// State over `catalog` with an empty representation cache of the default budget.
    pub fn new(catalog: Arc<Catalog>, web: WebSettings) -> AppState {
        AppState {
            catalog,
            cache: Arc::new(ResponseCache::new(DEFAULT_CACHE_BYTES)),
            web: Arc::new(web),
            status: Arc::default(),
            computing: Arc::new(tokio::sync::Semaphore::new(default_computing())),
            computing_light: Arc::new(tokio::sync::Semaphore::new(default_computing())),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            metrics: Arc::new(metrics::Metrics::new(default_computing())),
            batch: BatchLimits::default(),
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
    let mut hosts = headers.get_all(header::HOST).iter();
    let host_value = hosts.next();
    if hosts.next().is_some() {
        return ApiError::invalid("the request has more than one Host header; send exactly one")
            .into_response();
    }
    let host = match host_value.map(|h| h.to_str().ok().and_then(parse_host)) {
        None => None,
        Some(Some(parsed)) => Some(parsed),
        Some(None) => {
            let shown: String = host_value
                .map(|h| {
                    String::from_utf8_lossy(h.as_bytes())
                        .chars()
                        .take(100)
                        .collect()
                })
                .unwrap_or_default();
            return ApiError::invalid(format!(
                "Host '{shown}' is not a host name or IP address with an optional :port of digits, so it is not served here; start the server with --public-url or --allowed-host to serve another host"
            ))
            .into_response();
        }
    };
    if let Some(public) = &trust.public_url {
        if let Ok(v) = HeaderValue::from_str(public.trim_end_matches('/')) {
            headers.insert(BASE_HEADER, v);
        }
    } else if let Some(allowed) = &trust.allowed_hosts {
        let allowed_here = host.is_some_and(|h| host_allowed(h, allowed));
        if !allowed_here {
            let shown: String = host_value
                .and_then(|h| h.to_str().ok())
                .unwrap_or("")
                .chars()
                .take(100)
                .collect();
            return ApiError::invalid(format!(
                "Host '{shown}' is not served here; start the server with --public-url or --allowed-host"
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

/// A `Host` header split as RFC 9110 §7.2 / RFC 3986 §3.2.2 say: the host (a name, an IPv4
/// address or a bracketed IPv6 address) and an optional port of digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPort<'a> {
    /// The host as sent (IPv6 with its brackets).
    pub name: &'a str,
    pub port: Option<&'a str>,
}

/// Parses a `Host` value; None for anything that is not `host[:digits]` (userinfo, paths,
/// queries, spaces, an empty host, an empty or non-numeric port).
pub fn parse_host(value: &str) -> Option<HostPort<'_>> {
    let (name, rest) = if value.starts_with('[') {
        let end = value.find(']')? + 1;
        let inner = &value[1..end - 1];
        inner.parse::<std::net::Ipv6Addr>().ok()?;
        (&value[..end], &value[end..])
    } else {
        let end = value.find(':').unwrap_or(value.len());
        let name = &value[..end];
        let name_ok = !name.is_empty()
            && name.len() <= 253
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
        if !name_ok {
            return None;
        }
        (name, &value[end..])
    };
    let port = match rest.strip_prefix(':') {
        None if rest.is_empty() => None,
        None => return None,
        Some(port) => {
            if !port.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            port.parse::<u16>().ok()?;
            Some(port)
        }
    };
    Some(HostPort { name, port })
}

/// A loopback host (`localhost`, `127.x.y.z`, `[::1]`, any port) or one of `allowed` (with or
/// without its port).
fn host_allowed(host: HostPort<'_>, allowed: &[String]) -> bool {
    let name = host.name;
    let loopback = name.eq_ignore_ascii_case("localhost")
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    let full = match host.port {
        Some(port) => format!("{name}:{port}"),
        None => name.to_string(),
    };
    loopback
        || allowed
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&full) || a.eq_ignore_ascii_case(name))
}

/// CORS for a public, credential-free API: every answer, errors included, may be read by any
/// origin (`*`). The answer is the same for every origin, so it sends no `Vary` of its own (a
/// shared cache keeps one copy, not one per `Origin`); the one `Vary` is the cache's.
fn cors() -> CorsLayer {
    use axum::http::Method;
    CorsLayer::new()
        .allow_origin(cors::Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers(cors::Any)
        .expose_headers(cors::Any)
        .max_age(Duration::from_secs(86_400))
        .vary(Vec::<header::HeaderName>::new())
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
        (e::LOOKUP_BATCH, post(lookup::batch)),
        (e::MAP_CONFIG, get(web::map_config)),
    ]
}

/// Endpoints whose answers are never cached (they change without the data changing).
pub fn uncached_routes() -> Vec<(Endpoint, MethodRouter<AppState>)> {
    vec![
        (endpoints::HEALTH, get(health::health)),
        (endpoints::READY, get(metrics::ready)),
        (endpoints::METRICS, get(metrics::metrics)),
    ]
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
///
/// The middleware is one stack applied once around the whole router (not per route), with CORS
/// outermost so every answer, the timeout's 503 and the limit errors included, carries it.
pub fn router(state: AppState) -> Router {
    let cached = axum::middleware::from_fn_with_state(state.clone(), caching::serve_cached);
    let map = web::map_routes().layer(cached.clone());
    let inner = routes()
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
                })
                .route_layer(axum::middleware::from_fn(metrics::label_route)),
        )
        .merge(map)
        .fallback(not_found)
        .with_state(state.clone());
    let request_timeout = state.request_timeout;
    let stack = tower::ServiceBuilder::new()
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::observe,
        ))
        .layer(cors())
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(axum::middleware::from_fn(request_limits))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }))
        .layer(TraceLayer::new_for_http())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(state, trust_host))
        .service(inner);
    Router::new().fallback_service(stack)
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn host_is_a_name_or_address_with_an_optional_port_of_digits() {
        let ok = |v: &str, name: &str, port: Option<&str>| {
            assert_eq!(parse_host(v), Some(HostPort { name, port }), "{v}");
        };
        ok("localhost", "localhost", None);
        ok("localhost:3000", "localhost", Some("3000"));
        ok("example.org", "example.org", None);
        ok("127.0.0.1:8080", "127.0.0.1", Some("8080"));
        ok("[::1]:8080", "[::1]", Some("8080"));
        ok("[::1]", "[::1]", None);
        for bad in [
            "",
            ":80",
            "localhost:",
            "localhost:@evil.example",
            "example.org:@evil.example",
            "user@example.org",
            "example.org:80:81",
            "example.org:99999",
            "example.org:8a",
            "evil.example/phish?",
            "a b",
            "[::1",
            "[]",
            "[not-v6]:80",
            "[::1]x",
            "[::1]:",
        ] {
            assert_eq!(parse_host(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_loopback_and_listed_hosts_are_allowed() {
        let allowed = vec!["example.org".to_string(), "maps.example:8443".to_string()];
        let allowed_here = |v: &str| parse_host(v).is_some_and(|h| host_allowed(h, &allowed));
        for yes in [
            "localhost",
            "LOCALHOST:3000",
            "127.0.0.2:1",
            "[::1]:8080",
            "example.org",
            "example.org:8080",
            "maps.example:8443",
        ] {
            assert!(allowed_here(yes), "{yes}");
        }
        for no in ["evil.example", "maps.example:80", "localhost.evil.example"] {
            assert!(!allowed_here(no), "{no}");
        }
    }

    proptest! {
        #[test]
        fn parse_host_never_panics_and_keeps_what_it_parses(value in ".{0,40}") {
            if let Some(h) = parse_host(&value) {
                let back = match h.port {
                    Some(p) => format!("{}:{p}", h.name),
                    None => h.name.to_string(),
                };
                prop_assert_eq!(back, value);
            }
        }
    }
}
