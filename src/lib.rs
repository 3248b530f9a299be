//! smartspec: boundaries joined with innovation metrics, served as OGC API Features and a map.
//!
//! The pipeline, in data-flow order: `load` reads and validates the manifest, boundary files and
//! metric tables; `index` builds an R-tree per layer; `metrics` joins values to the layer of their
//! vintage; `analysis` ranks and compares; `catalog` holds it all, immutable, behind an `Arc`;
//! `ogc` serialises; `api` is the HTTP edge.

pub mod analysis;
pub mod api;
pub mod artefacts;
pub mod cache;
pub mod catalog;
pub mod config;
pub mod index;
pub mod load;
pub mod metrics;
pub mod model;
pub mod ogc;
pub mod serve;
pub mod topology;
pub mod views;

use api::{AppState, WebSettings};
use catalog::Catalog;
use config::Config;
use std::sync::Arc;

/// Loads the catalog (off the async threads), binds, and serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // Installed before the catalog loads: a SIGHUP during start-up (SIGHUP's default action
    // ends the process) is kept and answered by a reload once the server runs.
    let hangups = hangup_signals()?;
    let (manifest, data_dir) = (config.manifest.clone(), config.data_dir.clone());
    let (cache_dir, rules) = (config.cache_dir.clone(), config.sources);
    let sources = serve::reload::Sources {
        manifest: config.manifest.clone(),
        data_dir: config.data_dir.clone(),
        cache_dir: config.cache_dir.clone(),
        rules,
    };
    // Taken before loading, so a file changed while the catalog loads is seen as a change.
    let watched = config
        .watch
        .map(|every| (every, serve::watch::stamp(&sources)));
    let catalog = tokio::task::spawn_blocking(move || {
        Catalog::load_under(&manifest, &data_dir, cache_dir.as_deref(), rules)
    })
    .await??;
    log_catalog(&catalog);
    if !config.leaflet_dir().join("leaflet.js").is_file() {
        tracing::warn!(
            path = %config.leaflet_dir().display(),
            "Leaflet is not installed, so the map will not draw: run `npm ci --prefix web`"
        );
    }
    let web = WebSettings {
        web_dir: config.web_dir.clone(),
        leaflet_dir: config.leaflet_dir(),
        tile_url: config.tile_url.clone(),
        tile_attribution: config.tile_attribution.clone(),
        trust: api::Trust {
            public_url: config.public_url.clone(),
            allowed_hosts: Some(config.allowed_hosts.clone()),
            trusted_proxies: config.trusted_proxies.clone(),
        },
    };
    if let Err(e) = api::check_map_page(&web) {
        tracing::warn!(error = %e, "the map page cannot be assembled, so /map/ will answer 500");
    }
    let state = serving_state(&config, Arc::new(catalog), web);
    let signal = shutdown_signal()?;
    let status = state.status.clone();
    let shutdown = async move {
        signal.await;
        status.stopping();
    };
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let app = serve::Reloadable::new(api::router(state.clone()), state.catalog.clone());
    if let Some((every, loaded)) = watched {
        tokio::spawn(serve::watch::watch(
            app.clone(),
            state.clone(),
            sources.clone(),
            every,
            loaded,
        ));
    }
    // SIGHUPs since start-up, those during the load included, reload from here on.
    reload_on_sighup(hangups, app.clone(), state, sources);
    tracing::info!(
        addr = %listener.local_addr()?,
        max_connections = config.limits.max_connections,
        header_read_timeout_s = config.limits.header_read_timeout.as_secs(),
        request_timeout_s = config.limits.request_timeout.as_secs(),
        idle_timeout_s = config.limits.idle_timeout.as_secs(),
        "listening; the map is at /map/ (SIGHUP reloads the data, SIGTERM stops)"
    );
    serve::serve(listener, app, config.limits, shutdown).await;
    tracing::info!("stopped");
    Ok(())
}

/// The state the server answers with under `config`: its response cache budget, its computing
/// permits (`--max-computing`) and its request timeout (`--request-timeout`).
pub fn serving_state(config: &Config, catalog: Arc<Catalog>, web: WebSettings) -> AppState {
    let mut state = AppState::new(catalog, web);
    state.cache = Arc::new(cache::ResponseCache::new(config.response_cache_bytes));
    state.computing = Arc::new(tokio::sync::Semaphore::new(config.max_computing));
    state.computing_light = Arc::new(tokio::sync::Semaphore::new(config.max_computing));
    state.request_timeout = config.limits.request_timeout;
    state.batch = config.batch;
    state.metrics = Arc::new(api::metrics::Metrics::new(config.max_computing));
    state
}

fn log_catalog(catalog: &Catalog) {
    for layer in &catalog.layers {
        let e = layer.extent;
        let links: usize = layer.adjacency.iter().map(Vec::len).sum();
        let overlaps = layer
            .adjacency
            .iter()
            .flatten()
            .filter(|n| n.relation == index::adjacency::Relation::Overlaps)
            .count();
        tracing::info!(
            layer = %layer.id(),
            features = layer.areas.len(),
            vertices = layer.vertex_count(),
            bbox = %format!("[{:.4}, {:.4}, {:.4}, {:.4}]", e.min().x, e.min().y, e.max().x, e.max().y),
            neighbour_pairs = links / 2,
            overlapping_pairs = overlaps / 2,
            bands = ?layer.bands.iter().map(|b| b.vertices).collect::<Vec<_>>(),
            derived = %match layer.derived {
                artefacts::Provenance::Computed(t) => format!("computed in {} ms", t.as_millis()),
                artefacts::Provenance::Cached(t) => format!("read from cache in {} ms", t.as_millis()),
            },
            labels_us = layer.label_time.as_micros() as u64,
            load_ms = layer.load_time.as_millis() as u64,
            "layer loaded"


        );
    }
    for table in &catalog.metrics.report.tables {
        for v in &table.vintages {
            tracing::info!(
                table = %table.table,
                code_vintage = %v.code_vintage,
                layer = %v.layer,
                rows = v.totals.rows,
                matched = v.totals.matched_rows,
                unmatched = v.totals.unmatched_rows,
                empty = v.totals.empty_values,
                non_finite = v.totals.non_finite_values,
                duplicates = v.totals.duplicate_rows,
                unmatched_codes = %v.unmatched_codes.keys().cloned().collect::<Vec<_>>().join(","),
                "metrics joined"
            );
        }
    }
    let t = &catalog.metrics.report.totals;
    tracing::info!(
        rows = t.rows,
        matched = t.matched_rows,
        unmatched = t.unmatched_rows,
        empty = t.empty_values,
        non_finite = t.non_finite_values,
        duplicates = t.duplicate_rows,
        indicators = catalog.metrics.indicators.len(),
        without_metadata = catalog.metrics.report.indicators_without_metadata.len(),
        load_ms = catalog.load_time.as_millis() as u64,
        "catalog ready (details at /join-report)"
    );
}

/// The stream of SIGHUPs, from now on (`None` where there are no such signals).
#[cfg(unix)]
fn hangup_signals() -> std::io::Result<Option<tokio::signal::unix::Signal>> {
    use tokio::signal::unix::{signal, SignalKind};
    signal(SignalKind::hangup()).map(Some)
}

#[cfg(not(unix))]
fn hangup_signals() -> std::io::Result<Option<()>> {
    Ok(None)
}

/// Reloads the catalog on every SIGHUP, one reload at a time; a failed reload keeps the old one.
#[cfg(unix)]
fn reload_on_sighup(
    hangups: Option<tokio::signal::unix::Signal>,
    app: serve::Reloadable,
    state: AppState,
    sources: serve::reload::Sources,
) {
    let Some(mut hangups) = hangups else { return };
    tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the data");
            let _ = serve::reload::reload(&app, &state, &sources).await;
        }
    });
}

#[cfg(not(unix))]
fn reload_on_sighup(
    _hangups: Option<()>,
    _app: serve::Reloadable,
    _state: AppState,
    _sources: serve::reload::Sources,
) {
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed when this is called, before the
/// port opens, so a signal that arrives as soon as the server says it is listening is not missed.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}
