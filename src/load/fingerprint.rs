//! Content hashes of the inputs: the data version that ETags and derived-artefact caches key on.

use super::{LoadError, Manifest};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3;

/// The xxh3 of one file's bytes; a file over `max_bytes` is refused.
pub fn file_hash(path: &Path, max_bytes: u64) -> Result<u64, LoadError> {
    let bytes = super::read_bounded(path, max_bytes)?;
    Ok(xxhash_rust::xxh3::xxh3_64(&bytes))
}

/// The data version: a hash of the crate version, the manifest text and every file it names,
/// as 16 hex digits. Any change to any input gives a new version. A file over `max_bytes` is
/// refused.
pub fn data_version(
    manifest_path: &Path,
    manifest: &Manifest,
    data_dir: &Path,
    max_bytes: u64,
) -> Result<String, LoadError> {
    let mut hasher = Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(&file_hash(manifest_path, max_bytes)?.to_le_bytes());
    hasher.update(&file_hash(&manifest.semantics_path(manifest_path), max_bytes)?.to_le_bytes());
    for file in manifest.data_files() {
        hasher.update(file.as_os_str().as_encoded_bytes());
        hasher.update(&file_hash(&data_dir.join(file), max_bytes)?.to_le_bytes());
    }
    Ok(format!("{:016x}", hasher.digest()))
}
