//! The manifest (`boundaries/layers.toml`): every layer, metrics table and matrix served.

use super::LoadError;
use crate::model::{Geography, LayerId};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Where the manifest lives, relative to the working directory.
pub const DEFAULT_MANIFEST: &str = "boundaries/layers.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// `[min_lon, min_lat, max_lon, max_lat]` that every coordinate must lie in; catches lon/lat swaps.
    pub bounds: [f64; 4],
    /// Indicator metadata (one row per indicator and geography level).
    pub indicators: PathBuf,
    /// Framework group labels.
    pub framework_groups: PathBuf,
    /// The reviewed meaning of every indicator (unit, decimals, polarity, caveat), relative to
    /// the manifest's own directory: it belongs to the project, not to the data.
    pub semantics: PathBuf,
    /// The least share of a metrics vintage's rows (with a value) whose code must find an area
    /// in the vintage's layer, for every table that does not set its own; 1.0 when absent.
    #[serde(default)]
    pub min_match: Option<f64>,
    /// Named attribution blocks that layers and tables refer to.
    pub attribution: BTreeMap<String, AttributionSpec>,
    #[serde(rename = "layer")]
    pub layers: Vec<LayerSpec>,
    #[serde(rename = "metrics", default)]
    pub metrics: Vec<MetricsSpec>,
    #[serde(rename = "matrix", default)]
    pub matrices: Vec<MatrixSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributionSpec {
    /// The full text the licence requires.
    pub text: String,
    /// A short form for a map footer.
    pub short: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    pub id: LayerId,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Relative to the data directory; `.geojson`/`.json` or `.fgb`.
    pub file: PathBuf,
    pub code_field: String,
    pub name_field: String,
    pub geography: Geography,
    pub vintage: String,
    pub attribution: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    pub id: String,
    pub file: PathBuf,
    pub geography: Geography,
    /// `code_vintage` value -> the layer its codes join to.
    pub layers: BTreeMap<String, LayerId>,
    pub attribution: Vec<String>,
    /// An optional table may be empty, header-only or smaller than `min_rows`: it is then
    /// skipped (logged and listed in the join report) instead of failing the load.
    #[serde(default)]
    pub optional: bool,
    /// The least number of data rows the file must have; at least 1 when absent.
    #[serde(default)]
    pub min_rows: Option<usize>,
    /// The least match rate for every vintage of this table (overrides the manifest's).
    #[serde(default)]
    pub min_match: Option<f64>,
    /// Per-vintage match rates, overriding `min_match` for the vintages named.
    #[serde(default)]
    pub vintage_min_match: BTreeMap<String, f64>,
    /// Whether a reload may serve this table with fewer indicators, years or areas than the
    /// catalog it replaces (logged as a warning with the counts); refused when absent.
    #[serde(default)]
    pub allow_shrink: bool,
}

/// The match rate every vintage needs when the manifest says nothing: every row must join.
pub const DEFAULT_MIN_MATCH: f64 = 1.0;

impl MetricsSpec {
    /// The least number of data rows this table needs (never below 1).
    pub fn required_rows(&self) -> usize {
        self.min_rows.unwrap_or(1).max(1)
    }

    /// The least match rate of `vintage`: its own, else the table's, else `manifest_default`,
    /// else [`DEFAULT_MIN_MATCH`].
    pub fn required_match(&self, vintage: &str, manifest_default: Option<f64>) -> f64 {
        self.vintage_min_match
            .get(vintage)
            .copied()
            .or(self.min_match)
            .or(manifest_default)
            .unwrap_or(DEFAULT_MIN_MATCH)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub file: PathBuf,
    pub layer: LayerId,
    pub attribution: Vec<String>,
}

impl Manifest {
    /// Where the semantics table of the manifest at `manifest_path` lives.
    pub fn semantics_path(&self, manifest_path: &Path) -> PathBuf {
        manifest_path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&self.semantics)
    }

    /// Every data file the manifest names (layers, metrics, matrices, indicator metadata and
    /// framework groups), relative to the data directory.
    pub fn data_files(&self) -> impl Iterator<Item = &PathBuf> {
        self.layers
            .iter()
            .map(|l| &l.file)
            .chain(self.metrics.iter().map(|m| &m.file))
            .chain(self.matrices.iter().map(|m| &m.file))
            .chain([&self.indicators, &self.framework_groups])
    }

    /// Every data file the manifest names, with the entry naming it (e.g. "metrics 'lep'").
    pub fn named_files(&self) -> impl Iterator<Item = (String, &PathBuf)> {
        self.layers
            .iter()
            .map(|l| (format!("layer '{}'", l.id), &l.file))
            .chain(
                self.metrics
                    .iter()
                    .map(|m| (format!("metrics '{}'", m.id), &m.file)),
            )
            .chain(
                self.matrices
                    .iter()
                    .map(|m| (format!("matrix '{}'", m.id), &m.file)),
            )
            .chain([
                ("indicators".to_string(), &self.indicators),
                ("framework_groups".to_string(), &self.framework_groups),
            ])
    }

    /// Reads and checks the manifest: unique ids, and every reference resolves.
    pub fn read(path: &Path) -> Result<Manifest, LoadError> {
        // The manifest is a data file like the others: a regular file (not a FIFO that would
        // block the loader), within the default size limit.
        let text = super::read_text_bounded(path, super::DEFAULT_MAX_FILE_BYTES)?;
        Manifest::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Manifest, LoadError> {
        let invalid = |message: String| LoadError::Manifest {
            path: path.to_path_buf(),
            message,
        };
        let manifest: Manifest = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let [min_x, min_y, max_x, max_y] = manifest.bounds;
        if !(min_x < max_x && min_y < max_y) {
            return Err(invalid(format!(
                "bounds {:?} must be [min_lon, min_lat, max_lon, max_lat]",
                manifest.bounds
            )));
        }
        let rate_ok = |rate: f64| (0.0..=1.0).contains(&rate);
        if let Some(rate) = manifest.min_match.filter(|r| !rate_ok(*r)) {
            return Err(invalid(format!(
                "min_match {rate} must be a share between 0 and 1"
            )));
        }
        let mut layer_ids = HashSet::new();
        for layer in &manifest.layers {
            if !layer_ids.insert(layer.id.as_str()) {
                return Err(invalid(format!("layer id '{}' appears twice", layer.id)));
            }
            manifest.check_attribution(
                &layer.attribution,
                &format!("layer '{}'", layer.id),
                path,
            )?;
        }
        let known_layer = |id: &LayerId, whose: &str| {
            if layer_ids.contains(id.as_str()) {
                Ok(())
            } else {
                Err(invalid(format!("{whose} refers to unknown layer '{id}'")))
            }
        };
        let mut table_ids = HashSet::new();
        for table in &manifest.metrics {
            if !table_ids.insert(table.id.as_str()) {
                return Err(invalid(format!("metrics id '{}' appears twice", table.id)));
            }
            manifest.check_attribution(
                &table.attribution,
                &format!("metrics '{}'", table.id),
                path,
            )?;
            if let Some(rate) = table.min_match.filter(|r| !rate_ok(*r)) {
                return Err(invalid(format!(
                    "metrics '{}': min_match {rate} must be a share between 0 and 1",
                    table.id
                )));
            }
            for (vintage, rate) in &table.vintage_min_match {
                if !table.layers.contains_key(vintage) {
                    return Err(invalid(format!(
                        "metrics '{}': vintage_min_match names vintage '{vintage}', which `layers` does not map",
                        table.id
                    )));
                }
                if !rate_ok(*rate) {
                    return Err(invalid(format!(
                        "metrics '{}' vintage '{vintage}': min_match {rate} must be a share between 0 and 1",
                        table.id
                    )));
                }
            }
            if table.min_rows == Some(0) {
                return Err(invalid(format!(
                    "metrics '{}': min_rows must be at least 1 (mark an empty table `optional = true`)",
                    table.id
                )));
            }
            for (vintage, layer) in &table.layers {
                let whose = format!("metrics '{}' vintage '{vintage}'", table.id);
                known_layer(layer, &whose)?;
                let geography = manifest.layer(layer).map(|l| l.geography);
                if geography != Some(table.geography) {
                    return Err(invalid(format!(
                        "{whose}: layer '{layer}' is not of geography '{}'",
                        table.geography
                    )));
                }
            }
        }
        for matrix in &manifest.matrices {
            if !table_ids.insert(matrix.id.as_str()) {
                return Err(invalid(format!("matrix id '{}' appears twice", matrix.id)));
            }
            known_layer(&matrix.layer, &format!("matrix '{}'", matrix.id))?;
            manifest.check_attribution(
                &matrix.attribution,
                &format!("matrix '{}'", matrix.id),
                path,
            )?;
        }
        Ok(manifest)
    }

    pub fn layer(&self, id: &LayerId) -> Option<&LayerSpec> {
        self.layers.iter().find(|l| &l.id == id)
    }

    /// The bounds as a rectangle.
    pub fn bounds_rect(&self) -> geo::Rect<f64> {
        let [min_x, min_y, max_x, max_y] = self.bounds;
        geo::Rect::new(
            geo::Coord { x: min_x, y: min_y },
            geo::Coord { x: max_x, y: max_y },
        )
    }

    fn check_attribution(
        &self,
        keys: &[String],
        whose: &str,
        path: &Path,
    ) -> Result<(), LoadError> {
        match keys.iter().find(|k| !self.attribution.contains_key(*k)) {
            None => Ok(()),
            Some(key) => Err(LoadError::Manifest {
                path: path.to_path_buf(),
                message: format!(
                    "{whose} refers to unknown attribution '{key}' (known: {})",
                    self.attribution
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
bounds = [-9.0, 49.0, 2.5, 61.0]
indicators = "i.csv"
framework_groups = "f.csv"
semantics = "s.csv"
[attribution.a]
text = "Full"
short = "Short"
[[layer]]
id = "sq"
title = "Squares"
file = "squares.geojson"
code_field = "code"
name_field = "name"
geography = "lep"
vintage = "2014"
attribution = ["a"]
[[metrics]]
id = "m"
file = "m.csv"
geography = "lep"
layers = { "2014" = "sq", "-2014" = "sq" }
attribution = ["a"]
"#;

    #[test]
    fn parses_a_minimal_manifest() {
        let m = Manifest::parse(MINIMAL, Path::new("x.toml")).unwrap();
        assert_eq!(m.layers.len(), 1);
        assert_eq!(m.metrics[0].layers["-2014"].as_str(), "sq");
    }

    #[test]
    fn rejects_a_metrics_vintage_pointing_at_an_unknown_layer() {
        let text = MINIMAL.replace(r#""-2014" = "sq""#, r#""-2014" = "nope""#);
        let err = Manifest::parse(&text, Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("unknown layer 'nope'"), "{err}");
    }

    #[test]
    fn rejects_an_unknown_attribution_key_and_lists_known_ones() {
        let text = MINIMAL.replacen(r#"attribution = ["a"]"#, r#"attribution = ["b"]"#, 1);
        let err = Manifest::parse(&text, Path::new("x.toml")).unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown attribution 'b' (known: a)"),
            "{err}"
        );
    }

    #[test]
    fn match_rates_resolve_vintage_then_table_then_manifest() {
        let text = MINIMAL.replace(
            "layers = { \"2014\"",
            "min_match = 0.9\nvintage_min_match = { \"2014\" = 0.5 }\nlayers = { \"2014\"",
        );
        let m = Manifest::parse(&format!("min_match = 0.7\n{text}"), Path::new("x.toml")).unwrap();
        let t = &m.metrics[0];
        assert_eq!(t.required_match("2014", m.min_match), 0.5);
        assert_eq!(t.required_match("-2014", m.min_match), 0.9);
        let plain = Manifest::parse(MINIMAL, Path::new("x.toml")).unwrap();
        assert_eq!(plain.metrics[0].required_match("2014", Some(0.7)), 0.7);
        assert_eq!(plain.metrics[0].required_match("2014", None), 1.0);
        assert_eq!(plain.metrics[0].required_rows(), 1);
    }

    #[test]
    fn rejects_rates_outside_0_1_and_unknown_vintages() {
        let bad = MINIMAL.replace("layers = { \"2014\"", "min_match = 95\nlayers = { \"2014\"");
        let err = Manifest::parse(&bad, Path::new("x.toml")).unwrap_err();
        assert!(
            err.to_string().contains("min_match 95 must be a share"),
            "{err}"
        );
        let bad = MINIMAL.replace(
            "layers = { \"2014\"",
            "vintage_min_match = { \"2099\" = 0.5 }\nlayers = { \"2014\"",
        );
        let err = Manifest::parse(&bad, Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("vintage '2099'"), "{err}");
        let bad = MINIMAL.replace("layers = { \"2014\"", "min_rows = 0\nlayers = { \"2014\"");
        assert!(Manifest::parse(&bad, Path::new("x.toml")).is_err());
    }

    #[test]
    fn rejects_unknown_keys() {
        let text = MINIMAL.replace("vintage = \"2014\"", "vintage = \"2014\"\ncolour = 1");
        assert!(Manifest::parse(&text, Path::new("x.toml")).is_err());
    }
}
