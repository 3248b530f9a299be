//! The catalog swapped whole: SIGHUP builds a new one off the serving path, and only a catalog
//! that loaded and validated replaces the old; requests in flight finish on the one they began on.

use crate::api::{self, AppState};
use crate::catalog::Catalog;
use crate::load::panic_message;
use arc_swap::ArcSwap;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;

/// The router now serving; swapped atomically when a new catalog is ready.
#[derive(Clone)]
pub struct Reloadable {
    router: Arc<ArcSwap<Router>>,
    /// Held for a whole reload, so a SIGHUP and a file watch never load at the same time.
    reloading: Arc<tokio::sync::Mutex<()>>,
}

impl Reloadable {
    pub fn new(router: Router) -> Reloadable {
        Reloadable {
            router: Arc::new(ArcSwap::from_pointee(router)),
            reloading: Arc::default(),
        }
    }

    /// The router for a request that arrives now.
    pub fn current(&self) -> Router {
        Router::clone(&self.router.load())
    }

    fn replace(&self, router: Router) {
        self.router.store(Arc::new(router));
    }
}

/// What a reload reads.
#[derive(Debug, Clone)]
pub struct Sources {
    pub manifest: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: Option<PathBuf>,
}

/// Loads a new catalog from `sources` and, if it loads, serves it with `state`'s cache, map
/// settings and status; otherwise logs why and keeps serving the old one. Either way the
/// outcome is recorded in the status `/health` reports.
pub async fn reload(
    target: &Reloadable,
    state: &AppState,
    sources: &Sources,
) -> Result<(), String> {
    let _one_at_a_time = target.reloading.lock().await;
    let started = std::time::Instant::now();
    let s = sources.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        Catalog::load_with(&s.manifest, &s.data_dir, s.cache_dir.as_deref())
    })
    .await;
    let catalog = match loaded {
        Ok(Ok(catalog)) => catalog,
        Ok(Err(e)) => return Err(failed(state, e.to_string())),
        Err(join) => {
            let why = match join.try_into_panic() {
                Ok(panic) => panic_message(panic.as_ref()),
                Err(e) => e.to_string(),
            };
            return Err(failed(state, format!("the loader panicked: {why}")));
        }
    };
    let version = catalog.data_version.clone();
    let next = AppState {
        catalog: Arc::new(catalog),
        ..state.clone()
    };
    target.replace(api::router(next));
    state.status.loaded(&version);
    tracing::info!(
        data_version = %version,
        load_ms = started.elapsed().as_millis() as u64,
        "reloaded: new requests use the new catalog"
    );
    Ok(())
}

fn failed(state: &AppState, error: String) -> String {
    tracing::error!(%error, "reload failed: still serving the catalog loaded before");
    state.status.reload_failed(&error);
    error
}
