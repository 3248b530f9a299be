//! Everything built once from the data directory: layers, indexes and joined metrics, immutable.

use crate::artefacts::{Derived, Provenance, ServedBand};
use crate::index::adjacency::Neighbour;
use crate::index::SpatialIndex;
use crate::load::{
    self, AttributionSpec, LayerSpec, LoadError, Manifest, MetricTables, SourceRules,
};
use crate::metrics::{join_metrics, JoinInput, JoinSources, LayerCodes, Matrix, MetricsStore};
use crate::model::{Area, AreaCode, Geography, LayerId, Property};
use crate::topology::LabelPoint;
use geo::Rect;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The served data. Shared as `Arc<Catalog>`; a reload builds a whole new one.
#[derive(Debug)]
pub struct Catalog {
    pub manifest: Manifest,
    pub layers: Vec<Layer>,
    layer_positions: HashMap<LayerId, usize>,
    pub metrics: MetricsStore,
    pub matrices: Vec<Matrix>,
    /// A content hash of every input file and the manifest (see `load::data_version`).
    pub data_version: String,
    pub load_time: Duration,
}

/// One boundary layer: its areas, their index and lookups.
#[derive(Debug)]
pub struct Layer {
    pub spec: LayerSpec,
    pub areas: Vec<Area>,
    pub index: SpatialIndex,
    by_code: HashMap<AreaCode, usize>,
    /// Queen contiguity at full resolution: for each area, its neighbours by index.
    pub adjacency: Vec<Vec<Neighbour>>,
    /// The generalised zoom bands, coarsest first; full resolution is `areas`' own geometry.
    pub bands: Vec<ServedBand>,
    /// Whether adjacency and bands were computed or read from the artefact cache, and the cost.
    pub derived: Provenance,
    /// Each area's label point (pole of inaccessibility of its largest polygon), aligned with
    /// `areas` (see `topology::label_point`); derived with the bands, so cached with them.
    pub labels: Vec<LabelPoint>,
    /// Every feature property with its type, in order of first appearance (read once, at load).
    pub properties: Vec<Property>,
    /// What computing `labels` took (zero when read from the artefact cache).
    pub label_time: Duration,

    pub extent: Rect<f64>,
    pub load_time: Duration,
}

impl Layer {
    /// Reads and validates the layer's file (refused over `max_bytes`), indexes it, and
    /// derives (or reads from `cache_dir`) its adjacency and zoom bands.
    pub fn build(
        spec: LayerSpec,
        data_dir: &Path,
        bounds: Rect<f64>,
        cache_dir: Option<&Path>,
        max_bytes: u64,
    ) -> Result<Layer, LoadError> {
        let started = Instant::now();
        let path = data_dir.join(&spec.file);
        // The simple-features check (about 1.4 s over all layers) runs once per exact file: a
        // stamp in the cache folder, named by a hash of the file's bytes and the checking code,
        // says these bytes passed it. Every other check runs at every start.
        let stamp = cache_dir.and_then(|dir| {
            let bytes = load::read_bounded(&path, max_bytes).ok()?;
            let mut hasher = xxhash_rust::xxh3::Xxh3::new();
            hasher.update(&bytes);
            hasher.update(include_str!("load/validity.rs").as_bytes());
            hasher.update(include_str!("load/validate.rs").as_bytes());
            Some(dir.join(format!("valid-{}-{:016x}", spec.id, hasher.digest())))
        });
        let checked_before = stamp.as_ref().is_some_and(|s| s.is_file());
        let areas = load::load_layer_areas_with(
            &path,
            &spec.code_field,
            &spec.name_field,
            bounds,
            !checked_before,
            max_bytes,
        )?;
        if let (Some(stamp), false) = (&stamp, checked_before) {
            if let Err(e) = std::fs::create_dir_all(stamp.parent().unwrap_or(Path::new(".")))
                .and_then(|()| std::fs::write(stamp, b"passed the OGC simple-features check\n"))
            {
                tracing::debug!(error = %e, "cannot write the validity stamp; will check again");
            }
        }
        let (derived, provenance) =
            Derived::load_or_compute(spec.id.as_str(), &path, &areas, cache_dir, max_bytes)
                .map_err(|problem| LoadError::Table {
                    path: path.clone(),
                    problem: format!("deriving the zoom bands of layer '{}': {problem}", spec.id),
                })?;
        let mut layer = Layer::from_areas(spec, areas, derived, provenance).map_err(|problem| {
            LoadError::Table {
                path: path.clone(),
                problem,
            }
        })?;
        layer.load_time = started.elapsed();
        Ok(layer)
    }

    /// Indexes already validated areas (at least one, each with a bounding box) with their
    /// derived artefacts.
    pub fn from_areas(
        spec: LayerSpec,
        areas: Vec<Area>,
        derived: Derived,
        provenance: Provenance,
    ) -> Result<Layer, String> {
        if let Some(area) = areas.iter().find(|a| a.bbox().is_none()) {
            return Err(format!(
                "area {} of layer '{}' has an empty geometry, so no extent",
                area.code, spec.id
            ));
        }
        let extent = areas
            .iter()
            .filter_map(Area::bbox)
            .reduce(|a, b| {
                Rect::new(
                    geo::Coord {
                        x: a.min().x.min(b.min().x),
                        y: a.min().y.min(b.min().y),
                    },
                    geo::Coord {
                        x: a.max().x.max(b.max().x),
                        y: a.max().y.max(b.max().y),
                    },
                )
            })
            .ok_or_else(|| format!("layer '{}' has no areas, so no extent", spec.id))?;
        if derived.labels.len() != areas.len() {
            return Err(format!(
                "layer '{}' has {} label points for {} areas",
                spec.id,
                derived.labels.len(),
                areas.len()
            ));
        }
        let by_code = areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i))
            .collect();
        Ok(Layer {
            index: SpatialIndex::build(&areas),
            properties: crate::model::properties(&areas),
            adjacency: derived.adjacency,
            bands: derived.bands,
            derived: provenance,
            labels: derived.labels,
            label_time: derived.label_time,
            spec,
            areas,
            by_code,
            extent,
            load_time: Duration::ZERO,
        })
    }

    pub fn id(&self) -> &LayerId {
        &self.spec.id
    }

    pub fn position(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    pub fn area(&self, code: &str) -> Option<&Area> {
        self.areas.get(self.position(code)?)
    }

    /// Indices of an area's neighbours (touching or overlapping).
    pub fn neighbour_indices(&self, index: usize) -> Vec<usize> {
        self.adjacency
            .get(index)
            .map(|list| list.iter().map(|n| n.index).collect())
            .unwrap_or_default()
    }

    pub fn vertex_count(&self) -> usize {
        self.areas.iter().map(Area::vertex_count).sum()
    }
}

/// Builds every layer on one worker per core, each taking the next unbuilt layer; the first
/// error (in manifest order) wins. A panic while building a layer becomes an error naming the
/// layer's file and carrying the panic's message.
fn build_layers(
    specs: &[LayerSpec],
    data_dir: &Path,
    bounds: Rect<f64>,
    cache_dir: Option<&Path>,
    max_bytes: u64,
) -> Result<Vec<Layer>, LoadError> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(specs.len().max(1));
    let mut built: Vec<(usize, Result<Layer, LoadError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(spec) = specs.get(i) else { break };
                        let path = data_dir.join(&spec.file);
                        let layer = load::catch_panic(&path, || {
                            Layer::build(spec.clone(), data_dir, bounds, cache_dir, max_bytes)
                        });
                        let failed = layer.is_err();
                        mine.push((i, layer));
                        if failed {
                            break;
                        }
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(mine) => mine,
                // catch_panic catches every panic of a build; this is the rest of the loop.
                Err(payload) => vec![(
                    usize::MAX,
                    Err(LoadError::Panicked {
                        path: data_dir.to_path_buf(),
                        message: load::panic_message(payload.as_ref()),
                    }),
                )],
            })
            .collect()
    });
    built.sort_by_key(|(i, _)| *i);
    if built.len() < specs.len() && built.iter().all(|(_, r)| r.is_ok()) {
        return Err(LoadError::Table {
            path: data_dir.to_path_buf(),
            problem: format!(
                "internal error: {} of {} layers were built, with no error",
                built.len(),
                specs.len()
            ),
        });
    }
    built.into_iter().map(|(_, r)| r).collect()
}

impl Catalog {
    /// Loads everything the manifest names, deriving every layer's artefacts afresh; fails
    /// whole on the first bad file.
    pub fn load(manifest_path: &Path, data_dir: &Path) -> Result<Catalog, LoadError> {
        Catalog::load_with(manifest_path, data_dir, None)
    }

    /// As [`Catalog::load`], reading and writing derived artefacts in `cache_dir` if given.
    pub fn load_with(
        manifest_path: &Path,
        data_dir: &Path,
        cache_dir: Option<&Path>,
    ) -> Result<Catalog, LoadError> {
        Catalog::load_under(manifest_path, data_dir, cache_dir, SourceRules::default())
    }

    /// As [`Catalog::load_with`], under `rules`: every file the manifest names is checked
    /// against them (inside the data directory, a regular file, within the size limit) before
    /// any is read, and no read goes past the size limit.
    pub fn load_under(
        manifest_path: &Path,
        data_dir: &Path,
        cache_dir: Option<&Path>,
        rules: SourceRules,
    ) -> Result<Catalog, LoadError> {
        let started = Instant::now();
        let manifest = Manifest::read(manifest_path)?;
        rules.check(&manifest, manifest_path, data_dir)?;
        let max_bytes = rules.max_file_bytes;
        let data_version = load::data_version(manifest_path, &manifest, data_dir, max_bytes)?;
        let bounds = manifest.bounds_rect();
        let layers = build_layers(&manifest.layers, data_dir, bounds, cache_dir, max_bytes)?;
        let tables = MetricTables::read(&manifest, manifest_path, data_dir, max_bytes)?;
        let codes = LayerCodes::new(layers.iter().map(|l| (l.id(), l.areas.as_slice())));
        let sources = JoinSources {
            tables: tables
                .tables
                .into_iter()
                .map(|(spec, path, rows)| JoinInput { spec, path, rows })
                .collect(),
            indicators_path: tables.indicators_path,
            indicator_meta: tables.indicator_meta,
            framework_groups: tables.framework_groups,
            semantics_path: tables.semantics_path,
            semantics: tables.semantics,
            skipped: tables.skipped,
            default_min_match: manifest.min_match,
        };
        let metrics = join_metrics(sources, &codes)?;
        let layer_positions: HashMap<LayerId, usize> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id().clone(), i))
            .collect();
        let matrices = tables
            .matrices
            .into_iter()
            .map(|(spec, path, rows)| {
                let layer = layer_positions
                    .get(&spec.layer)
                    .and_then(|&i| layers.get(i));
                Matrix::build(spec, &path, rows, |code| {
                    layer.is_some_and(|l| l.position(code).is_some())
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalog {
            manifest,
            layers,
            layer_positions,
            metrics,
            matrices,
            data_version,
            load_time: started.elapsed(),
        })
    }

    pub fn matrix(&self, id: &str) -> Option<&Matrix> {
        self.matrices.iter().find(|m| m.spec.id == id)
    }

    pub fn layer(&self, id: &str) -> Option<&Layer> {
        self.layers.get(*self.layer_positions.get(id)?)
    }

    pub fn layer_ids(&self) -> Vec<&str> {
        self.layers.iter().map(|l| l.id().as_str()).collect()
    }

    /// The layers of one geography level, in manifest order.
    pub fn layers_of(&self, geography: Geography) -> impl Iterator<Item = &Layer> {
        self.layers
            .iter()
            .filter(move |l| l.spec.geography == geography)
    }

    /// The attribution blocks named by `keys`, in order, skipping unknown keys.
    pub fn attribution<'a>(
        &'a self,
        keys: &'a [String],
    ) -> impl Iterator<Item = &'a AttributionSpec> {
        keys.iter().filter_map(|k| self.manifest.attribution.get(k))
    }
}
