//! Content hashes of the inputs: the data version that ETags and derived-artefact caches key on.

use super::{LoadError, Manifest};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3;

/// The xxh3 of one file's bytes.
pub fn file_hash(path: &Path) -> Result<u64, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(xxhash_rust::xxh3::xxh3_64(&bytes))
}

/// The data version: a hash of the crate version, the manifest text and every file it names,
/// as 16 hex digits. Any change to any input gives a new version.
pub fn data_version(
    manifest_path: &Path,
    manifest: &Manifest,
    data_dir: &Path,
) -> Result<String, LoadError> {
    let mut hasher = Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(&file_hash(manifest_path)?.to_le_bytes());
    hasher.update(&file_hash(&manifest.semantics_path(manifest_path))?.to_le_bytes());
    for file in manifest.data_files() {
        hasher.update(file.as_os_str().as_encoded_bytes());
        hasher.update(&file_hash(&data_dir.join(file))?.to_le_bytes());
    }
    Ok(format!("{:016x}", hasher.digest()))
}
