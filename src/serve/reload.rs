//! The catalog swapped whole: SIGHUP builds a new one off the serving path, and only a catalog
//! that loaded, validated and keeps every indicator, year and area of the one serving (unless
//! the manifest allows a table to shrink) replaces the old; requests in flight finish on the one
//! they began on.

use crate::api::{self, AppState};
use crate::catalog::Catalog;
use crate::load::{panic_message, LoadError, Manifest, SourceRules};
use crate::metrics::{Coverage, TableLoss};
use arc_swap::ArcSwap;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;

/// The router now serving and the catalog behind it; swapped atomically when a new catalog is
/// ready.
#[derive(Clone)]
pub struct Reloadable {
    router: Arc<ArcSwap<Router>>,
    serving: Arc<ArcSwap<Catalog>>,
    /// Held for a whole reload, so a SIGHUP and a file watch never load at the same time.
    reloading: Arc<tokio::sync::Mutex<()>>,
}

impl Reloadable {
    /// Serves `router`, which answers from `catalog`.
    pub fn new(router: Router, catalog: Arc<Catalog>) -> Reloadable {
        Reloadable {
            router: Arc::new(ArcSwap::from_pointee(router)),
            serving: Arc::new(ArcSwap::new(catalog)),
            reloading: Arc::default(),
        }
    }

    /// The router for a request that arrives now.
    pub fn current(&self) -> Router {
        Router::clone(&self.router.load())
    }

    /// The catalog being served.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.serving.load_full()
    }

    fn replace(&self, router: Router, catalog: Arc<Catalog>) {
        self.router.store(Arc::new(router));
        self.serving.store(catalog);
    }
}

/// What a reload reads, and under which rules.
#[derive(Debug, Clone)]
pub struct Sources {
    pub manifest: PathBuf,
    pub data_dir: PathBuf,
    pub cache_dir: Option<PathBuf>,
    pub rules: SourceRules,
}

impl Sources {
    /// The folders public messages give paths relative to: the data directory and the
    /// manifest's folder, as given and with links resolved.
    fn roots(&self) -> Vec<PathBuf> {
        let manifest_dir = self
            .manifest
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        let mut roots = Vec::new();
        for dir in [&self.data_dir, &manifest_dir] {
            if let Ok(real) = dir.canonicalize() {
                roots.push(real);
            }
            roots.push(dir.clone());
        }
        roots
    }
}

/// Loads a new catalog from `sources` and, if it loads and loses nothing the serving catalog
/// has (see [`shrinkage`]), serves it with `state`'s cache, map settings and status; otherwise
/// logs why and keeps serving the old one. Either way the outcome is recorded in the status
/// `/health` reports, which carries no file content and no absolute path (the log has the full
/// error).
pub async fn reload(
    target: &Reloadable,
    state: &AppState,
    sources: &Sources,
) -> Result<(), String> {
    let _one_at_a_time = target.reloading.lock().await;
    let started = std::time::Instant::now();
    let s = sources.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        Catalog::load_under(&s.manifest, &s.data_dir, s.cache_dir.as_deref(), s.rules)
    })
    .await;
    let serving = target.catalog();
    let catalog = match loaded {
        Ok(Ok(catalog)) => catalog,
        Ok(Err(e)) => return Err(load_failed(state, sources, &serving, &e)),
        Err(join) => {
            let why = match join.try_into_panic() {
                Ok(panic) => panic_message(panic.as_ref()),
                Err(e) => e.to_string(),
            };
            tracing::error!(error = %why, "reload failed: the loader panicked; still serving the catalog loaded before");
            return Err(failed(
                state,
                "the loader panicked (details in the server log)",
            ));
        }
    };
    let (refused, allowed) = shrinkage(&serving, &catalog);
    for loss in &allowed {
        tracing::warn!(
            table = %loss.table,
            indicators_lost = loss.indicators.len(),
            years_lost = loss.years_lost(),
            area_years_lost = loss.area_years_lost(),
            "reload shrinks a metrics table the manifest allows to shrink (allow_shrink, or the table left the manifest): {}",
            loss.summary()
        );
    }
    if !refused.is_empty() {
        for loss in &refused {
            tracing::error!(
                table = %loss.table,
                indicators_lost = loss.indicators.len(),
                years_lost = loss.years_lost(),
                area_years_lost = loss.area_years_lost(),
                "reload refused: still serving the catalog loaded before: {}",
                loss.summary()
            );
        }
        let why = refused
            .iter()
            .map(TableLoss::summary)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(failed(
            state,
            &format!(
                "reload refused, the data served before stays: {why} (set allow_shrink = true on the [[metrics]] entry to accept)"
            ),
        ));
    }
    let version = catalog.data_version.clone();
    let catalog = Arc::new(catalog);
    let next = AppState {
        catalog: catalog.clone(),
        ..state.clone()
    };
    target.replace(api::router(next), catalog);
    state.status.loaded(&version);
    tracing::info!(
        data_version = %version,
        load_ms = started.elapsed().as_millis() as u64,
        "reloaded: new requests use the new catalog"
    );
    Ok(())
}

/// What `next` would lose of `serving`'s metrics, per table: refused, and allowed (the table's
/// new manifest entry says `allow_shrink = true`, or the new manifest has no such table).
pub fn shrinkage(serving: &Catalog, next: &Catalog) -> (Vec<TableLoss>, Vec<TableLoss>) {
    let coverage = |c: &Catalog| {
        Coverage::of(&c.metrics, |layer, i| {
            c.layer(layer.as_str())
                .and_then(|l| l.areas.get(i))
                .map(|a| a.code.as_str())
        })
    };
    coverage(serving)
        .lost_in(&coverage(next))
        .into_iter()
        .partition(|loss| {
            next.manifest
                .metrics
                .iter()
                .find(|m| m.id == loss.table)
                .is_some_and(|m| !m.allow_shrink)
        })
}

/// Logs a load error in full and records its public form.
fn load_failed(state: &AppState, sources: &Sources, serving: &Catalog, e: &LoadError) -> String {
    tracing::error!(error = %e, "reload failed: still serving the catalog loaded before");
    // Quoted ids that the manifests define may be shown; anything else quoted may be content.
    let mut names = ids(&serving.manifest);
    if let Ok(next) = Manifest::read(&sources.manifest) {
        names.extend(ids(&next));
    }
    failed(state, &e.public(&sources.roots(), &names))
}

fn ids(manifest: &Manifest) -> Vec<String> {
    manifest
        .layers
        .iter()
        .map(|l| l.id.as_str().to_string())
        .chain(manifest.metrics.iter().map(|m| m.id.clone()))
        .chain(manifest.matrices.iter().map(|m| m.id.clone()))
        .collect()
}

fn failed(state: &AppState, public: &str) -> String {
    state.status.reload_failed(public);
    public.to_string()
}
