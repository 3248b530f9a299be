//! The optional file watch (`--watch SECS`): polls the size and modification time of the
//! manifest and every file it names, and reloads as SIGHUP does once a change has settled (two
//! polls in a row see the same files), so a file still being written is not read half-way.

use super::reload::{reload, Reloadable, Sources};
use crate::api::AppState;
use crate::load::Manifest;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// What one poll saw: each watched file with its size and modification time (`None` when it
/// cannot be read, so a file that disappears or reappears is a change too).
pub type Stamp = Vec<(PathBuf, Option<(u64, SystemTime)>)>;

/// The files a catalog is built from: the manifest, its semantics table and every data file it
/// names. A manifest that cannot be read is watched alone (its fix is the change to wait for).
pub fn watched_files(sources: &Sources) -> Vec<PathBuf> {
    let mut files = vec![sources.manifest.clone()];
    if let Ok(manifest) = Manifest::read(&sources.manifest) {
        files.push(manifest.semantics_path(&sources.manifest));
        files.extend(manifest.data_files().map(|f| sources.data_dir.join(f)));
    }
    files
}

/// Size and modification time of every watched file.
pub fn stamp(sources: &Sources) -> Stamp {
    watched_files(sources)
        .into_iter()
        .map(|path| {
            let seen = std::fs::metadata(&path)
                .ok()
                .and_then(|m| Some((m.len(), m.modified().ok()?)));
            (path, seen)
        })
        .collect()
}

/// Polls every `every` and reloads after a settled change from `loaded` (the stamp taken before
/// the serving catalog loaded); runs until the process ends.
pub async fn watch(
    app: Reloadable,
    state: AppState,
    sources: Sources,
    every: Duration,
    mut loaded: Stamp,
) {
    let poll = |sources: &Sources| {
        let s = sources.clone();
        async move { tokio::task::spawn_blocking(move || stamp(&s)).await.ok() }
    };
    tracing::info!(
        files = loaded.len(),
        every_s = every.as_secs(),
        "watching the data files"
    );
    loop {
        tokio::time::sleep(every).await;
        let Some(now) = poll(&sources).await else {
            continue;
        };
        if now == loaded {
            continue;
        }
        // Changed: wait until two polls agree before loading.
        let mut last = now;
        loop {
            tokio::time::sleep(every).await;
            match poll(&sources).await {
                Some(next) if next == last => break,
                Some(next) => last = next,
                None => {}
            }
        }
        tracing::info!("data files changed: reloading");
        let _ = reload(&app, &state, &sources).await;
        // A failed reload is not retried until the files change again.
        loaded = last;
    }
}
