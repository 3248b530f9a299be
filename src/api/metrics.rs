//! What a load balancer and Prometheus ask: `/ready`, and `/metrics` in the Prometheus text
//! format (requests by route and status with latency histograms, the response cache, computing
//! permits and the requests waiting for them, reloads).

use super::endpoints::{self, Cost};
use super::error::ApiError;
use super::params::Params;
use super::{json, typed, AppState};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Instant;

/// The route label of a response, set by the layer that knows which route answered; a response
/// without one (a 404, a refused `Host`, a timeout) is counted under [`OTHER_ROUTE`].
#[derive(Debug, Clone, Copy)]
pub struct Route(pub &'static str);

/// The label of the map's files.
pub const MAP_ROUTE: &str = "/map/{*file}";
/// The label of responses no route answered.
pub const OTHER_ROUTE: &str = "other";

/// The statuses counted one by one; any other is counted under its class (`2xx` … `5xx`).
const STATUSES: [u16; 16] = [
    200, 206, 301, 302, 304, 400, 404, 405, 406, 413, 414, 416, 431, 500, 502, 503,
];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
/// Upper bounds of the latency histogram's buckets, in seconds (`+Inf` follows).
const BUCKETS: [f64; 14] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0, 30.0,
];

/// Counters of one route.
struct RouteStats {
    label: &'static str,
    statuses: [AtomicU64; STATUSES.len() + CLASSES.len()],
    /// Per bucket (not cumulative), the last for `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    micros: AtomicU64,
}

impl RouteStats {
    fn new(label: &'static str) -> RouteStats {
        RouteStats {
            label,
            statuses: std::array::from_fn(|_| AtomicU64::new(0)),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            micros: AtomicU64::new(0),
        }
    }

    fn record(&self, status: StatusCode, seconds: f64) {
        let code = status.as_u16();
        let slot = STATUSES.iter().position(|&s| s == code).unwrap_or_else(|| {
            STATUSES.len() + usize::from(code / 100).clamp(1, CLASSES.len()) - 1
        });
        self.statuses[slot].fetch_add(1, Relaxed);
        let bucket = BUCKETS
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Relaxed);
        self.micros.fetch_add((seconds * 1e6) as u64, Relaxed);
    }
}

/// The process's counters, shared by every catalog it serves in turn.
pub struct Metrics {
    /// One per endpoint of [`endpoints::ALL`], then the map's files, then everything else.
    routes: Vec<RouteStats>,
    /// Requests waiting for a computing permit, per lane (heavy, light).
    waiting: [AtomicU64; 2],
    /// Permits per lane (`--max-computing`).
    permits: usize,
}

impl Metrics {
    pub fn new(permits: usize) -> Metrics {
        // One per path: a path's methods (GET and POST /lookup) share their counters.
        let mut labels: Vec<&'static str> = Vec::new();
        for e in endpoints::ALL {
            if !labels.contains(&e.path) {
                labels.push(e.path);
            }
        }
        Metrics {
            routes: labels
                .into_iter()
                .chain([MAP_ROUTE, OTHER_ROUTE])
                .map(RouteStats::new)
                .collect(),
            waiting: [AtomicU64::new(0), AtomicU64::new(0)],
            permits,
        }
    }

    fn route(&self, label: &str) -> &RouteStats {
        let last = self.routes.len() - 1;
        let found = self.routes.iter().position(|r| r.label == label);
        &self.routes[found.unwrap_or(last)]
    }

    /// Counts a request waiting for a permit of `cost`'s lane until the guard is dropped.
    pub fn waiting(&self, cost: Cost) -> Waiting<'_> {
        let counter = &self.waiting[lane_index(cost)];
        counter.fetch_add(1, Relaxed);
        Waiting(counter)
    }
}

fn lane_index(cost: Cost) -> usize {
    match cost {
        Cost::Heavy => 0,
        Cost::Light => 1,
    }
}

/// A request counted as waiting for a computing permit; dropping it (permit granted, or the
/// client gone) stops counting it.
pub struct Waiting<'a>(&'a AtomicU64);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

/// The outermost layer: times every request to its response head and counts it by the route
/// that answered and the status.
pub async fn observe(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let response = next.run(req).await;
    let label = response
        .extensions()
        .get::<Route>()
        .map_or(OTHER_ROUTE, |r| r.0);
    metrics
        .route(label)
        .record(response.status(), started.elapsed().as_secs_f64());
    response
}

/// Labels the response of a route that the cache layer does not see.
pub async fn label_route(req: Request, next: Next) -> Response {
    let label = super::params::endpoint_of(req.extensions()).map(|e| e.path);
    let mut response = next.run(req).await;
    if let Some(label) = label {
        response.extensions_mut().insert(Route(label));
    }
    response
}

/// `/ready`: 200 while serving, 503 once shutting down.
pub async fn ready(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    if state.status.is_stopping() {
        return Err(ApiError::unavailable(
            "shutting down: finishing the requests in flight; send new ones elsewhere",
        ));
    }
    let mut response = json(&serde_json::json!({
        "ready": true,
        "data_version": state.catalog.data_version,
    }));
    no_store(&mut response);
    Ok(response)
}

/// `/metrics`.
pub async fn metrics(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let mut response = typed(endpoints::PROMETHEUS, render(&state).into_bytes());
    no_store(&mut response);
    Ok(response)
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// The exposition text.
fn render(state: &AppState) -> String {
    let m = &state.metrics;
    let mut out = String::with_capacity(16 << 10);
    requests(&mut out, m);
    let cache = &state.cache;
    let (entries, bytes) = cache.usage();
    let counters = cache.counters();
    let gauges: [(&str, &str, &str, u64); 8] = [
        (
            "smartspec_cache_entries",
            "gauge",
            "Representations in the response cache.",
            entries as u64,
        ),
        (
            "smartspec_cache_bytes",
            "gauge",
            "Bytes the response cache holds, as it counts them.",
            bytes,
        ),
        (
            "smartspec_cache_hits_total",
            "counter",
            "Lookups that found a representation.",
            counters.hits,
        ),
        (
            "smartspec_cache_misses_total",
            "counter",
            "Lookups that had to compute one.",
            counters.misses,
        ),
        (
            "smartspec_cache_refused_total",
            "counter",
            "Answers not kept because they were asked for once.",
            counters.refused,
        ),
        (
            "smartspec_cache_evictions_total",
            "counter",
            "Representations evicted to stay within the budget.",
            counters.stored.saturating_sub(entries as u64),
        ),
        (
            "smartspec_reloads_total",
            "counter",
            "Catalogs loaded after the first (SIGHUP, --watch).",
            state.status.reloads(),
        ),
        (
            "smartspec_failed_reloads_total",
            "counter",
            "Reloads that failed; the old catalog was kept.",
            state.status.failed_reloads(),
        ),
    ];
    for (name, kind, help, value) in gauges {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
        );
    }
    let lanes = [("heavy", Cost::Heavy), ("light", Cost::Light)];
    let _ = writeln!(out, "# HELP smartspec_computing_permits Computing permits per lane (--max-computing).\n# TYPE smartspec_computing_permits gauge");
    for (name, _) in lanes {
        let _ = writeln!(
            out,
            "smartspec_computing_permits{{lane=\"{name}\"}} {}",
            m.permits
        );
    }
    let _ = writeln!(out, "# HELP smartspec_computing_in_use Computing permits held now.\n# TYPE smartspec_computing_in_use gauge");
    for (name, cost) in lanes {
        let in_use = m
            .permits
            .saturating_sub(state.lane(cost).available_permits());
        let _ = writeln!(
            out,
            "smartspec_computing_in_use{{lane=\"{name}\"}} {in_use}"
        );
    }
    let _ = writeln!(out, "# HELP smartspec_computing_waiting Requests waiting for a computing permit.\n# TYPE smartspec_computing_waiting gauge");
    for (name, cost) in lanes {
        let waiting = m.waiting[lane_index(cost)].load(Relaxed);
        let _ = writeln!(
            out,
            "smartspec_computing_waiting{{lane=\"{name}\"}} {waiting}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP smartspec_info The data version served.\n# TYPE smartspec_info gauge\nsmartspec_info{{data_version=\"{}\"}} 1",
        state.catalog.data_version
    );
    out
}

fn requests(out: &mut String, m: &Metrics) {
    let _ = writeln!(out, "# HELP smartspec_requests_total Requests answered, by route and status.\n# TYPE smartspec_requests_total counter");
    for r in &m.routes {
        for (i, count) in r.statuses.iter().enumerate() {
            let count = count.load(Relaxed);
            if count == 0 {
                continue;
            }
            let status = STATUSES
                .get(i)
                .map_or_else(|| CLASSES[i - STATUSES.len()].to_string(), u16::to_string);
            let _ = writeln!(
                out,
                "smartspec_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
                r.label
            );
        }
    }
    let _ = writeln!(out, "# HELP smartspec_request_duration_seconds Time to the response head, by route.\n# TYPE smartspec_request_duration_seconds histogram");
    for r in &m.routes {
        let counts: Vec<u64> = r.buckets.iter().map(|b| b.load(Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            continue;
        }
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&counts) {
            cumulative += count;
            let _ = writeln!(
                out,
                "smartspec_request_duration_seconds_bucket{{route=\"{}\",le=\"{bound}\"}} {cumulative}",
                r.label
            );
        }
        let label = r.label;
        let sum = r.micros.load(Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "smartspec_request_duration_seconds_bucket{{route=\"{label}\",le=\"+Inf\"}} {total}\nsmartspec_request_duration_seconds_sum{{route=\"{label}\"}} {sum}\nsmartspec_request_duration_seconds_count{{route=\"{label}\"}} {total}"
        );
    }
}
