//! The map's settings document: data version, basemap tiles and the attribution the map must show.

use crate::catalog::Catalog;
use serde::Serialize;

/// What the front end needs before it draws: the data version, the basemap and attributions.
#[derive(Debug, Serialize)]
pub struct MapConfig<'a> {
    pub data_version: &'a str,
    /// The basemap's tile URL template; `null` for no basemap.
    pub tile_url: Option<&'a str>,
    pub tile_attribution: Option<&'a str>,
    pub attribution: Vec<Attribution<'a>>,
}

/// One named attribution block of the manifest.
#[derive(Debug, Serialize)]
pub struct Attribution<'a> {
    pub id: &'a str,
    pub short: &'a str,
    pub text: &'a str,
}

/// The map's settings from the catalog and the server's basemap settings.
pub fn map_config<'a>(
    catalog: &'a Catalog,
    tile_url: Option<&'a str>,
    tile_attribution: Option<&'a str>,
) -> MapConfig<'a> {
    MapConfig {
        data_version: &catalog.data_version,
        tile_url,
        tile_attribution,
        attribution: catalog
            .manifest
            .attribution
            .iter()
            .map(|(id, a)| Attribution {
                id,
                short: &a.short,
                text: &a.text,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn map_config_carries_the_basemap_and_every_attribution() {
        let catalog = crate::views::fixture_catalog();
        let config = map_config(catalog, Some("https://tiles/{z}/{x}/{y}.png"), None);
        let json = serde_json::to_value(&config).unwrap();
        assert_eq!(json["data_version"], catalog.data_version.as_str());
        assert_eq!(json["tile_url"], "https://tiles/{z}/{x}/{y}.png");
        assert_eq!(json["tile_attribution"], serde_json::Value::Null);
        assert_eq!(
            json["attribution"],
            serde_json::json!([{"id": "test", "short": "Test squares",
                "text": "Test squares, hand-made for smartspec's tests."}])
        );
    }
}
