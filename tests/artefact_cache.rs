//! The on-disk cache of derived artefacts (adjacency, zoom bands): read when the inputs and the
//! code are unchanged, never served stale when an input changes, never trusted when damaged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{copy_dir, fixtures};
use smartspec::artefacts::Provenance;
use smartspec::catalog::Catalog;
use std::path::PathBuf;

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("smartspec-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&fixtures(), &dir.join("data"));
        Scratch(dir)
    }
    fn data(&self) -> PathBuf {
        self.0.join("data")
    }
    fn cache(&self) -> PathBuf {
        self.0.join("cache")
    }
    fn load(&self) -> Catalog {
        Catalog::load_with(
            &self.data().join("layers.toml"),
            &self.data(),
            Some(&self.cache()),
        )
        .unwrap()
    }
    fn entries(&self, layer: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.cache())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with(&format!("{layer}-")) && n.len() == layer.len() + 22)
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn provenance(catalog: &Catalog, layer: &str) -> Provenance {
    catalog.layer(layer).unwrap().derived
}

fn band_json(catalog: &Catalog, layer: &str, code: &str) -> String {
    let l = catalog.layer(layer).unwrap();
    let i = l.position(code).unwrap();
    l.bands.last().unwrap().geometry_json[i].get().to_string()
}

#[test]
fn unchanged_inputs_are_read_back_identically() {
    let s = Scratch::new("artefacts-same");
    let first = s.load();
    assert!(matches!(
        provenance(&first, "squares"),
        Provenance::Computed(_)
    ));
    assert_eq!(s.entries("squares").len(), 1);
    let second = s.load();
    assert!(matches!(
        provenance(&second, "squares"),
        Provenance::Cached(_)
    ));
    for (a, b) in first.layers.iter().zip(&second.layers) {
        assert_eq!(a.adjacency, b.adjacency, "{}", a.id());
        assert_eq!(a.bands.len(), b.bands.len());
        for (x, y) in a.bands.iter().zip(&b.bands) {
            assert_eq!(x.spec, y.spec);
            let xs: Vec<&str> = x.geometry_json.iter().map(|g| g.get()).collect();
            let ys: Vec<&str> = y.geometry_json.iter().map(|g| g.get()).collect();
            assert_eq!(xs, ys);
        }
    }
}

#[test]
fn a_changed_layer_file_is_never_served_from_a_stale_entry() {
    let s = Scratch::new("artefacts-stale");
    let before = s.load();
    let old_entry = s.entries("squares");
    // Move C's north-east corner (0, 53) to (0.5, 53.25).
    let file = s.data().join("boundaries/squares.geojson");
    let text = std::fs::read_to_string(&file).unwrap();
    let compact: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut doc = compact.clone();
    let mut moved = 0;
    for f in doc["features"].as_array_mut().unwrap() {
        if f["properties"]["code"] != "C" {
            continue;
        }
        for polygon in f["geometry"]["coordinates"].as_array_mut().unwrap() {
            for ring in polygon.as_array_mut().unwrap() {
                for c in ring.as_array_mut().unwrap() {
                    if c[0] == 0.0 && c[1] == 53.0 {
                        *c = serde_json::json!([0.5, 53.25]);
                        moved += 1;
                    }
                }
            }
        }
    }
    assert_eq!(moved, 1);
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();

    let after = s.load();
    assert!(
        matches!(provenance(&after, "squares"), Provenance::Computed(_)),
        "a changed file is derived afresh"
    );
    assert!(band_json(&after, "squares", "C").contains("[0.5,53.25]"));
    assert!(!band_json(&before, "squares", "C").contains("[0.5,53.25]"));
    // The other layer's file did not change: its entry is still good.
    assert!(matches!(
        provenance(&after, "squares-2017"),
        Provenance::Cached(_)
    ));
    // The superseded entry is gone, the new one is there.
    let new_entry = s.entries("squares");
    assert_eq!(new_entry.len(), 1);
    assert_ne!(new_entry, old_entry);
}

#[test]
fn a_damaged_entry_is_recomputed_not_trusted() {
    let s = Scratch::new("artefacts-damaged");
    let good = s.load();
    let entry = s.cache().join(&s.entries("squares")[0]);
    let text = std::fs::read_to_string(&entry).unwrap();
    // Truncated, then well-formed but for other areas.
    std::fs::write(&entry, &text[..text.len() / 2]).unwrap();
    let again = s.load();
    assert!(matches!(
        provenance(&again, "squares"),
        Provenance::Computed(_)
    ));
    assert_eq!(
        again.layer("squares").unwrap().adjacency,
        good.layer("squares").unwrap().adjacency
    );
    let text = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(&entry, text.replace("\"A\"", "\"Z\"")).unwrap();
    let third = s.load();
    assert!(matches!(
        provenance(&third, "squares"),
        Provenance::Computed(_)
    ));
}

#[test]
fn without_a_cache_folder_nothing_is_written() {
    let s = Scratch::new("artefacts-none");
    let catalog = Catalog::load(&s.data().join("layers.toml"), &s.data()).unwrap();
    assert!(matches!(
        provenance(&catalog, "squares"),
        Provenance::Computed(_)
    ));
    assert!(!s.cache().exists());
}

#[test]
fn a_file_changed_after_it_passed_the_simple_features_check_is_checked_again() {
    let dir = std::env::temp_dir().join(format!("smartspec-stamp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (data, cache) = (dir.join("data"), dir.join("cache"));
    copy_dir(&fixtures(), &data);
    let manifest = data.join("layers.toml");
    Catalog::load_with(&manifest, &data, Some(&cache)).unwrap();
    let stamps = std::fs::read_dir(&cache)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("valid-grid-")
        })
        .count();
    assert_eq!(
        stamps, 1,
        "the check leaves a stamp for the exact bytes of grid.geojson"
    );
    // A bow-tie: G11's ring visits its corners out of order.
    let path = data.join("boundaries/grid.geojson");
    let mut fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ring = &mut fc["features"][0]["geometry"]["coordinates"][0];
    ring.as_array_mut().unwrap().swap(2, 3);
    std::fs::write(&path, serde_json::to_string(&fc).unwrap()).unwrap();
    let err = match Catalog::load_with(&manifest, &data, Some(&cache)) {
        Ok(_) => panic!("the bow-tie is served: the stamp of the old bytes was trusted"),
        Err(e) => e.to_string(),
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.contains("grid.geojson") && err.contains("G11"), "{err}");
}
