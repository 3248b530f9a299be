//! Stage 2c: a layer's derived artefacts (adjacency, zoom bands, label points), computed once and kept on disk,
//! keyed by the layer file's content hash and the source of the code that derives them.

use crate::index::adjacency::{adjacency_of, Neighbour, DEFAULT_TOLERANCE_M};
use crate::model::{multipolygon_json, Area};
use crate::topology::{generalise_layer, label_point, BandSpec, LabelPoint};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use xxhash_rust::xxh3::Xxh3;

/// The code whose output is cached: any edit to it changes every key, so a cache made by other
/// code is never read.
const DERIVING_CODE: [&str; 9] = [
    include_str!("artefacts.rs"),
    include_str!("index/adjacency.rs"),
    include_str!("topology/mod.rs"),
    include_str!("topology/arcs.rs"),
    include_str!("topology/simplify.rs"),
    include_str!("topology/valid.rs"),
    include_str!("topology/label.rs"),
    include_str!("model/geometry_json.rs"),
    env!("CARGO_PKG_VERSION"),
];

/// One zoom band as served: its spec and every area's geometry as GeoJSON text.
#[derive(Debug, Serialize, Deserialize)]
pub struct ServedBand {
    pub spec: BandSpec,
    /// Aligned with the layer's areas.
    pub geometry_json: Vec<Box<RawValue>>,
    pub vertices: usize,
}

/// What a layer derives from its areas.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Derived {
    /// Queen contiguity at full resolution: for each area, its neighbours by index.
    pub adjacency: Vec<Vec<Neighbour>>,
    /// The zoom bands, coarsest first (see `topology::BANDS`).
    pub bands: Vec<ServedBand>,
    /// Each area's label point (see `topology::label_point`), aligned with the areas.
    pub labels: Vec<LabelPoint>,
    /// What computing the label points took (zero when read from the cache).
    #[serde(skip)]
    pub label_time: Duration,
}

/// Where the artefacts came from, and what they cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    Computed(Duration),
    /// Read from the disk cache.
    Cached(Duration),
}

/// The file a cache entry lives in, with everything the key checks.
#[derive(Serialize, Deserialize)]
struct CacheFile {
    key: String,
    codes: Vec<String>,
    derived: Derived,
}

impl Derived {
    /// Computes adjacency and bands for `areas`. A band geometry that is not valid JSON (a
    /// non-finite coordinate) is an error naming the band and the area, never an empty band.
    pub fn compute(areas: &[Area]) -> Result<Derived, String> {
        let geometries: Vec<_> = areas.iter().map(|a| &a.geometry).collect();
        let adjacency = adjacency_of(&geometries, DEFAULT_TOLERANCE_M);
        let bands = generalise_layer(&geometries)
            .into_iter()
            .map(|band| {
                let geometry_json = band
                    .geometries
                    .iter()
                    .zip(areas)
                    .map(|(g, area)| {
                        RawValue::from_string(multipolygon_json(g)).map_err(|e| {
                            format!(
                                "band {:?}: area {}: geometry is not valid JSON: {e}",
                                band.spec, area.code
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if geometry_json.len() != areas.len() {
                    return Err(format!(
                        "band {:?} has {} geometries for {} areas",
                        band.spec,
                        geometry_json.len(),
                        areas.len()
                    ));
                }
                Ok(ServedBand {
                    spec: band.spec,
                    vertices: band
                        .geometries
                        .iter()
                        .map(geo::CoordsIter::coords_count)
                        .sum(),
                    geometry_json,
                })
            })
            .collect::<Result<_, String>>()?;
        let started = Instant::now();
        let labels = areas
            .iter()
            .map(|a| {
                label_point(&a.geometry)
                    .ok_or_else(|| format!("area {}: no label point (empty geometry)", a.code))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Derived {
            adjacency,
            bands,
            labels,
            label_time: started.elapsed(),
        })
    }

    /// The artefacts of the layer `layer_id` read from `source`: from `cache_dir` when an entry
    /// for the same file content and code exists, else computed and stored there. A cache that
    /// cannot be read or written is logged and bypassed, never trusted. `source` is read up to
    /// `max_bytes` (see `load::read_bounded`).
    pub fn load_or_compute(
        layer_id: &str,
        source: &Path,
        areas: &[Area],
        cache_dir: Option<&Path>,
        max_bytes: u64,
    ) -> Result<(Derived, Provenance), String> {
        let started = Instant::now();
        let Some(dir) = cache_dir else {
            return Ok((
                Derived::compute(areas)?,
                Provenance::Computed(started.elapsed()),
            ));
        };
        let key = match cache_key(source, max_bytes) {
            Ok(key) => key,
            Err(e) => {
                tracing::warn!(layer = layer_id, error = %e, "cannot hash the layer file; computing");
                return Ok((
                    Derived::compute(areas)?,
                    Provenance::Computed(started.elapsed()),
                ));
            }
        };
        let path = entry_path(dir, layer_id, &key);
        if let Some(derived) = read_entry(&path, &key, areas) {
            return Ok((derived, Provenance::Cached(started.elapsed())));
        }
        let derived = Derived::compute(areas)?;
        let elapsed = started.elapsed();
        if let Err(e) = write_entry(dir, &path, &key, areas, &derived) {
            tracing::warn!(path = %path.display(), error = %e, "cannot write the artefact cache");
        }
        Ok((derived, Provenance::Computed(elapsed)))
    }

    pub fn band_vertices(&self) -> Vec<usize> {
        self.bands.iter().map(|b| b.vertices).collect()
    }
}

/// The hash of the layer file's bytes and of the deriving code, as 16 hex digits.
fn cache_key(source: &Path, max_bytes: u64) -> Result<String, crate::load::LoadError> {
    let bytes = crate::load::read_bounded(source, max_bytes)?;
    let mut hasher = Xxh3::new();
    hasher.update(&bytes);
    for code in DERIVING_CODE {
        hasher.update(code.as_bytes());
    }
    hasher.update(&DEFAULT_TOLERANCE_M.to_le_bytes());
    Ok(format!("{:016x}", hasher.digest()))
}

/// `<dir>/<layer>-<key>.json`.
pub fn entry_path(dir: &Path, layer_id: &str, key: &str) -> PathBuf {
    dir.join(format!("{layer_id}-{key}.json"))
}

/// The entry at `path` if it exists, parses, carries `key` and lists exactly these areas.
fn read_entry(path: &Path, key: &str, areas: &[Area]) -> Option<Derived> {
    let bytes = std::fs::read(path).ok()?;
    let file: CacheFile = match serde_json::from_slice(&bytes) {
        Ok(file) => file,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "ignoring an unreadable artefact cache entry");
            return None;
        }
    };
    let same_areas = file.codes.len() == areas.len()
        && file
            .codes
            .iter()
            .zip(areas)
            .all(|(c, a)| c == a.code.as_str());
    let complete = file.derived.adjacency.len() == areas.len()
        && file.derived.labels.len() == areas.len()
        && file
            .derived
            .bands
            .iter()
            .all(|b| b.geometry_json.len() == areas.len());
    (file.key == key && same_areas && complete).then_some(file.derived)
}

/// Writes the entry through a temporary file and a rename, so a reader never sees half of it.
fn write_entry(
    dir: &Path,
    path: &Path,
    key: &str,
    areas: &[Area],
    derived: &Derived,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let file = CacheFileRef {
        key,
        codes: areas.iter().map(|a| a.code.as_str()).collect(),
        derived,
    };
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(
        &tmp,
        serde_json::to_vec(&file).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(&tmp, path)?;
    remove_superseded(dir, path, layer_id_of(path));
    Ok(())
}

fn layer_id_of(path: &Path) -> &str {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    name.get(..name.len().saturating_sub(17)).unwrap_or("")
}

/// Removes this layer's entries made from other inputs or code (`<layer>-<16 hex>.json`).
fn remove_superseded(dir: &Path, current: &Path, layer_id: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_entry_of_layer = name
            .strip_prefix(layer_id)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(".json"))
            .is_some_and(|key| key.len() == 16 && key.bytes().all(|b| b.is_ascii_hexdigit()));
        if is_entry_of_layer && path != current {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[derive(Serialize)]
struct CacheFileRef<'a> {
    key: &'a str,
    codes: Vec<&'a str>,
    derived: &'a Derived,
}
