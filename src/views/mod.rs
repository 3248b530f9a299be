//! Stage 5a: typed representations (`Serialize` structs) computed from the catalog and the
//! analysis for typed requests: the one place each response's shape is defined. No HTTP here.

pub mod areas;
pub mod batch;
pub mod datetime;
mod error;
pub mod features;
pub mod filter;
pub mod indicators;
pub mod labels;
pub mod lookup;
pub mod map_config;
pub mod map_page;
pub mod numbers;
pub mod rankings;
pub mod resolve;
pub mod spatial;
pub mod specialisation;

pub use error::{choices, ViewError};

/// The hand-made fixture catalog (`tests/fixtures`), loaded once for the views' unit tests.
#[cfg(test)]
#[allow(clippy::expect_used)]
pub(crate) fn fixture_catalog() -> &'static crate::catalog::Catalog {
    static CATALOG: std::sync::OnceLock<crate::catalog::Catalog> = std::sync::OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"));
        crate::catalog::Catalog::load(&dir.join("layers.toml"), dir).expect("fixture catalog loads")
    })
}
