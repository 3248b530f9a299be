//! The HTTP side of the representation cache: request keys, ETag and 304, `Cache-Control`,
//! `Vary`, and running a handler off the async threads on a miss.

use super::{base_url, AppState};
use crate::cache::{negotiate, Effort, Encoded, Lookup, Representation};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// `Cache-Control` of a representation whose URL names the data version it was made from.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: fresh for a minute, then revalidated with the ETag.
pub const REVALIDATE: &str = "public, max-age=60, must-revalidate";
/// The request headers a cached representation may depend on.
const VARY: &str = "Accept, Accept-Encoding";

/// A response extension a handler sets on representations that depend on a filter (bbox,
/// codes, an offset, a point): they are compressed fast, since they may be asked for once.
#[derive(Debug, Clone, Copy)]
pub struct Filtered;

/// Serves GET and HEAD from the cache; on a miss runs the handler on the blocking pool, stores
/// a 200 as a representation, and answers it like a hit. Other statuses pass through uncached.
pub async fn serve_cached(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let headers = req.headers();
    let version = &state.catalog.data_version;
    let key = cache_key(version, headers, req.uri());
    let wanted = negotiate(
        headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    let if_none_match = headers.get(header::IF_NONE_MATCH).cloned();
    let cache_control = if names_version(req.uri().query(), version) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let rep = match state.cache.lookup(&key).await {
        Lookup::Hit(rep) => rep,
        Lookup::Miss(slot) => {
            let response = run_off_runtime(req, next).await;
            if response.status() != StatusCode::OK {
                return response;
            }
            let effort = match response.extensions().get::<Filtered>() {
                Some(Filtered) => Effort::Fast,
                None => Effort::Best,
            };
            let (parts, body) = response.into_parts();
            let body = match axum::body::to_bytes(body, usize::MAX).await {
                Ok(body) => body,
                Err(e) => return super::ApiError::internal(e).into_response(),
            };
            let mut kept = parts.headers;
            kept.remove(header::CONTENT_LENGTH);
            let rep = Arc::new(Representation::new(kept, body, effort));
            slot.store(Arc::clone(&rep));
            rep
        }
    };
    let encoded = rep.encoded(wanted).await;
    respond(&rep, encoded, if_none_match.as_ref(), cache_control)
}

/// Runs the rest of the stack (the handler) on the blocking pool: a miss may serialise a whole
/// layer, which must not hold up an async worker.
async fn run_off_runtime(req: Request, next: Next) -> Response {
    let runtime = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || runtime.block_on(next.run(req))).await {
        Ok(response) => response,
        Err(e) => super::ApiError::internal(format!("request handler failed: {e}")).into_response(),
    }
}

/// What a representation depends on: the data version, the scheme and host its links use, the
/// `Accept` header (format negotiation) and the path and query.
fn cache_key(version: &str, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    format!("{version}\n{}\n{accept}\n{target}", base_url(headers))
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
) -> Response {
    let not_modified = if_none_match.is_some_and(|inm| etag_matches(inm, &encoded.etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
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
    fn only_the_current_version_is_immutable() {
        assert!(names_version(Some("limit=5&v=00ff"), "00ff"));
        assert!(!names_version(Some("v=00fe"), "00ff"));
        assert!(!names_version(Some("xv=00ff"), "00ff"));
        assert!(!names_version(None, "00ff"));
    }
}
