//! `/health`: the data version being served, when it loaded, and how the last reload went.

use super::error::ApiError;
use super::params::Params;
use super::{json, AppState};
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use std::sync::Mutex;
use std::time::SystemTime;

/// What the process knows about its catalogs; shared by every catalog it serves in turn.
#[derive(Debug)]
pub struct ServerStatus {
    started: SystemTime,
    /// Set once shutdown begins: `/ready` answers 503 from then on.
    stopping: std::sync::atomic::AtomicBool,
    inner: Mutex<StatusInner>,
}

#[derive(Debug, Clone, Default)]
struct StatusInner {
    loaded_at: Option<SystemTime>,
    reloads: u64,
    failed_reloads: u64,
    last_error: Option<(SystemTime, String)>,
}

impl Default for ServerStatus {
    fn default() -> ServerStatus {
        let now = SystemTime::now();
        ServerStatus {
            started: now,
            stopping: std::sync::atomic::AtomicBool::new(false),
            inner: Mutex::new(StatusInner {
                loaded_at: Some(now),
                ..StatusInner::default()
            }),
        }
    }
}

impl ServerStatus {
    /// A new catalog (of `version`) is being served.
    pub fn loaded(&self, _version: &str) {
        if let Ok(mut s) = self.inner.lock() {
            s.loaded_at = Some(SystemTime::now());
            s.reloads += 1;
        }
    }

    /// A reload failed; the old catalog is still served.
    pub fn reload_failed(&self, error: &str) {
        if let Ok(mut s) = self.inner.lock() {
            s.failed_reloads += 1;
            s.last_error = Some((SystemTime::now(), error.to_string()));
        }
    }

    /// Shutdown has begun.
    pub fn stopping(&self) {
        self.stopping
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Catalogs loaded after the first.
    pub fn reloads(&self) -> u64 {
        self.snapshot().reloads
    }

    pub fn failed_reloads(&self) -> u64 {
        self.snapshot().failed_reloads
    }

    fn snapshot(&self) -> StatusInner {
        self.inner.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

#[derive(Debug, Serialize)]
struct Health<'a> {
    status: &'static str,
    data_version: &'a str,
    started_at: String,
    loaded_at: Option<String>,
    reloads: u64,
    failed_reloads: u64,
    last_reload_error: Option<ReloadError>,
}

#[derive(Debug, Serialize)]
struct ReloadError {
    at: String,
    error: String,
}

/// `/health`.
pub async fn health(State(state): State<AppState>, _params: Params) -> Result<Response, ApiError> {
    let s = state.status.snapshot();
    let mut response = json(&Health {
        status: "ok",
        data_version: &state.catalog.data_version,
        started_at: httpdate::fmt_http_date(state.status.started),
        loaded_at: s.loaded_at.map(httpdate::fmt_http_date),
        reloads: s.reloads,
        failed_reloads: s.failed_reloads,
        last_reload_error: s.last_error.map(|(at, error)| ReloadError {
            at: httpdate::fmt_http_date(at),
            error,
        }),
    });
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
