//! The HTTP side of the representation cache: request keys, ETag and 304, `Cache-Control`,
//! `Vary`, and running a handler off the async threads on a miss.

use super::endpoints::{self, Cost};
use super::params::{endpoint_of, parse_request, Params};
use super::{base_url, AppState};
use crate::cache::{negotiate, Effort, Encoded, Encoding, Lookup, Representation};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::OwnedSemaphorePermit;

/// `Cache-Control` of a representation whose URL names the data version it was made from.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: fresh for a minute, then revalidated with the ETag; a
/// shared cache may answer a stale copy for another minute while it revalidates.
pub const REVALIDATE: &str = "public, max-age=60, stale-while-revalidate=60";
/// The request headers a cached representation may depend on.
const VARY: &str = "Accept, Accept-Encoding";

/// A response extension a handler sets on representations that depend on a filter (bbox,
/// codes, an offset, a point): they are compressed fast, since they may be asked for once.
#[derive(Debug, Clone, Copy)]
pub struct Filtered;

/// Serves GET and HEAD from the cache; on a miss runs the handler on the blocking pool, stores
/// a 200 as a representation, and answers it like a hit. Other statuses pass through uncached.
///
/// The query is parsed here, once, against the route's endpoint; a bad one is answered at once.
/// The parsed form keys the cache (so reordered parameters share an entry) and is handed to the
/// handler in the request's extensions.
pub async fn serve_cached(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let endpoint = endpoint_of(req.extensions());
    let route = endpoint.map_or(super::metrics::MAP_ROUTE, |e| e.path);
    let mut response = if req.method() != Method::GET && req.method() != Method::HEAD {
        next.run(req).await
    } else {
        serve_get(state, endpoint, req, next).await
    };
    response
        .extensions_mut()
        .insert(super::metrics::Route(route));
    response
}

async fn serve_get(
    state: AppState,
    endpoint: Option<&'static endpoints::Endpoint>,
    mut req: Request,
    next: Next,
) -> Response {
    let cost = endpoint.map_or(Cost::Light, |e| e.cost);
    let params = match parse_request(&state, req.extensions(), req.uri()) {
        None => None,
        Some(Ok(params)) => Some(params),
        Some(Err(e)) => return e.into_response(),
    };
    let query = params.as_ref().map_or_else(
        || req.uri().query().unwrap_or("").to_string(),
        Params::query,
    );
    let odd = params
        .as_ref()
        .is_some_and(|p| is_odd(p, endpoint, &state.catalog.data_version));
    if let Some(params) = params {
        req.extensions_mut().insert(params);
    }
    let headers = req.headers();
    let version = &state.catalog.data_version;
    let key = cache_key(version, headers, req.uri().path(), &query);
    let wanted = negotiate(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let if_none_match = headers.get(header::IF_NONE_MATCH).cloned();
    let range = headers.get(header::RANGE).cloned();
    let if_range = headers.get(header::IF_RANGE).cloned();
    let cache_control = if names_version(req.uri().query(), version) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    // A computing permit (`--max-computing`, in the lane of the endpoint's cost) covers the
    // handler and the first compression of each coding. It lives inside the blocking jobs, so
    // a client that hangs up frees its place in the queue at once, and work already running
    // keeps its permit until it ends.
    let lane = state.lane(cost);
    let mut held = None;
    let rep = match state.cache.lookup(&key).await {
        Lookup::Hit(rep) => rep,
        Lookup::Miss(slot) => {
            let waiting = state.metrics.waiting(cost);
            let acquired = lane.clone().acquire_owned().await;
            drop(waiting);
            let Ok(permit) = acquired else {
                return super::ApiError::internal("the computing semaphore closed").into_response();
            };
            let (response, permit) = run_off_runtime(req, next, permit).await;
            if response.status() != StatusCode::OK {
                return response;
            }
            held = permit;
            // One-off answers are compressed fast and kept only when asked for again.
            let one_off = odd || response.extensions().get::<Filtered>().is_some();
            let effort = if one_off { Effort::Fast } else { Effort::Best };
            let (parts, body) = response.into_parts();
            let body = match axum::body::to_bytes(body, usize::MAX).await {
                Ok(body) => body,
                Err(e) => return super::ApiError::internal(e).into_response(),
            };
            let mut kept = parts.headers;
            kept.remove(header::CONTENT_LENGTH);
            let rep = Arc::new(Representation::new(kept, body, effort));
            if state.cache.admits(&key, !one_off) {
                slot.store(Arc::clone(&rep));
            } else {
                slot.pass();
            }
            rep
        }
    };
    // A byte range is served from the uncompressed body (GDAL's /vsicurl/ reads FlatGeobuf
    // headers and index that way).
    let wanted = if range.is_some() {
        Encoding::Identity
    } else {
        wanted
    };
    let encoded = rep.encoded(wanted, lane, held).await;
    let range = range.filter(|_| {
        if_range.as_ref().is_none_or(|tag| tag == encoded.etag) && if_none_match.is_none()
    });
    respond(
        &rep,
        encoded,
        if_none_match.as_ref(),
        cache_control,
        range.as_ref(),
    )
}

/// Parses a `Range` header for a body of `len` bytes: `None` if it is not one `bytes=` range
/// (serve the whole body), `Some(None)` if unsatisfiable, else the inclusive first and last byte.
fn byte_range(header: &str, len: u64) -> Option<Option<(u64, u64)>> {
    let spec = header.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let suffix: u64 = last.parse().ok()?;
        if suffix == 0 || len == 0 {
            return Some(None);
        }
        return Some(Some((len.saturating_sub(suffix), len - 1)));
    }
    let first: u64 = first.parse().ok()?;
    let last: u64 = if last.is_empty() {
        u64::MAX
    } else {
        last.parse().ok()?
    };
    if last < first {
        return None;
    }
    if first >= len {
        return Some(None);
    }
    Some(Some((first, last.min(len - 1))))
}

/// Runs the rest of the stack (the handler) on the blocking pool under `permit`: a miss may
/// serialise a whole layer, which must not hold up an async worker. The permit comes back with
/// the response (for its compression); if the client has gone, it is dropped when the job ends.
async fn run_off_runtime(
    req: Request,
    next: Next,
    permit: OwnedSemaphorePermit,
) -> (Response, Option<OwnedSemaphorePermit>) {
    let runtime = tokio::runtime::Handle::current();
    let job = move || (runtime.block_on(next.run(req)), permit);
    match tokio::task::spawn_blocking(job).await {
        Ok((response, permit)) => (response, Some(permit)),
        Err(e) => (
            super::ApiError::internal(format!("request handler failed: {e}")).into_response(),
            None,
        ),
    }
}

/// What a representation depends on: the data version, the scheme and host its links use, the
/// `Accept` header (format negotiation), the path and the query in canonical form.
fn cache_key(version: &str, headers: &HeaderMap, path: &str, query: &str) -> String {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    format!("{version}\n{}\n{accept}\n{path}?{query}", base_url(headers))
}

/// Whether a request's answer is likely asked for once, though no filter marks it: it names
/// another data version than the current one, or a page of items of another size than the
/// default or the largest (the sizes the map and GIS clients use).
fn is_odd(params: &Params, endpoint: Option<&endpoints::Endpoint>, version: &str) -> bool {
    let stale = params.get("v").is_some_and(|v| v != version);
    let odd_limit = endpoint.is_some_and(|e| e.path == endpoints::ITEMS.path)
        && params
            .int("limit")
            .is_some_and(|n| n != endpoints::DEFAULT_LIMIT && n != endpoints::MAX_LIMIT);
    stale || odd_limit
}

/// Whether the query names the current data version (`v=<version>`).
fn names_version(query: Option<&str>, version: &str) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.strip_prefix("v=").is_some_and(|v| v == version))
    })
}

/// A 200 with the coded body, or a 304 when the client already holds this ETag.
fn respond(
    rep: &Representation,
    encoded: Encoded,
    if_none_match: Option<&HeaderValue>,
    cache_control: &'static str,
    range: Option<&HeaderValue>,
) -> Response {
    let not_modified = if_none_match.is_some_and(|inm| etag_matches(inm, &encoded.etag));
    let len = encoded.body.len() as u64;
    let range = range
        .and_then(|r| r.to_str().ok())
        .and_then(|r| byte_range(r, len));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else if let Some(None) = range {
        let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
        if let Ok(value) = HeaderValue::from_str(&format!("bytes */{len}")) {
            response.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        response
    } else if let Some(Some((first, last))) = range {
        // byte_range keeps both ends inside the body.
        let slice = encoded
            .body
            .slice(usize::try_from(first).unwrap_or(0)..usize::try_from(last + 1).unwrap_or(0));
        let mut response = Response::new(Body::from(slice.clone()));
        *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        let headers = response.headers_mut();
        for (name, value) in &rep.headers {
            headers.insert(name.clone(), value.clone());
        }
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(slice.len()));
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}")) {
            headers.insert(header::CONTENT_RANGE, value);
        }
        response
    } else {
        let mut response = Response::new(Body::from(encoded.body.clone()));
        let headers = response.headers_mut();
        for (name, value) in &rep.headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(token) = encoded.encoding.token() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(token));
        }
        headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(encoded.body.len()),
        );
        response
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, encoded.etag);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(header::VARY, HeaderValue::from_static(VARY));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    response
}

/// `If-None-Match` by weak comparison (RFC 9110 13.1.2): `*`, or any listed tag whose opaque
/// part equals ours.
fn etag_matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let (Ok(list), Ok(ours)) = (if_none_match.to_str(), etag.to_str()) else {
        return false;
    };
    list.split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let ours = HeaderValue::from_static("\"abc-gzip\"");
        let m = |s: &'static str| etag_matches(&HeaderValue::from_static(s), &ours);
        assert!(m("\"abc-gzip\""));
        assert!(m("W/\"abc-gzip\""));
        assert!(m("\"x\", \"abc-gzip\""));
        assert!(m("*"));
        assert!(!m("\"abc\""));
        assert!(!m("\"abc-br\""));
    }

    #[test]
    fn byte_ranges_parse_like_rfc_9110() {
        assert_eq!(byte_range("bytes=0-99", 1000), Some(Some((0, 99))));
        assert_eq!(byte_range("bytes=900-", 1000), Some(Some((900, 999))));
        assert_eq!(byte_range("bytes=900-5000", 1000), Some(Some((900, 999))));
        assert_eq!(byte_range("bytes=-100", 1000), Some(Some((900, 999))));
        assert_eq!(byte_range("bytes=-5000", 1000), Some(Some((0, 999))));
        assert_eq!(byte_range("bytes=1000-", 1000), Some(None));
        assert_eq!(byte_range("bytes=0-1,5-6", 1000), None);
        assert_eq!(byte_range("items=0-1", 1000), None);
        assert_eq!(byte_range("bytes=5-1", 1000), None);
        assert_eq!(byte_range("bytes=x-1", 1000), None);
    }

    #[test]
    fn only_the_current_version_is_immutable() {
        assert!(names_version(Some("limit=5&v=00ff"), "00ff"));
        assert!(!names_version(Some("v=00fe"), "00ff"));
        assert!(!names_version(Some("xv=00ff"), "00ff"));
        assert!(!names_version(None, "00ff"));
    }
}
