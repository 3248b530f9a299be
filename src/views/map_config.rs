//! The map's settings document: data version, the indicator it opens on, basemap tiles and the
//! attribution the map must show.

use crate::catalog::Catalog;
use crate::metrics::{audit, MetricsStore};
use crate::model::IndicatorId;
use serde::Serialize;

/// The indicators the map would rather open on, best first: shares and measures of research
/// capacity that compare areas of any size, read by a newcomer without a caveat.
pub const PREFERRED_DEFAULTS: [&str; 3] = [
    "aps_econ_active_stem_density_data",
    "aps_nvq4_education_data",
    "gbp_research_income",
];

/// What the front end needs before it draws: the data version, the indicator to open on, the
/// basemap and attributions.
#[derive(Debug, Serialize)]
pub struct MapConfig<'a> {
    pub data_version: &'a str,
    /// The indicator the map opens on ([`default_indicator`]); `null` when none qualifies.
    pub default_indicator: Option<&'a IndicatorId>,
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
        default_indicator: default_indicator(&catalog.metrics),
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

/// Whether the map may open on an indicator: it passes the consistency audit and has no caveat
/// at any level.
fn fit_to_open_on(store: &MetricsStore, id: &IndicatorId) -> bool {
    audit::passes(store, id)
        && store
            .indicators
            .get(id)
            .is_some_and(|levels| levels.values().all(|l| l.info.caveats.is_empty()))
}

/// The indicator the map opens on: the first of [`PREFERRED_DEFAULTS`] that is fit to open on
/// (it passes the consistency audit and carries no caveat), else the first such indicator in id
/// order, else none.
pub fn default_indicator(store: &MetricsStore) -> Option<&IndicatorId> {
    let preferred = PREFERRED_DEFAULTS
        .iter()
        .filter_map(|id| store.indicators.get_key_value(*id).map(|(k, _)| k));
    preferred
        .chain(store.indicators.keys())
        .find(|id| fit_to_open_on(store, id))
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
        // None of the fixture's indicators is preferred: the first in id order without a caveat.
        assert_eq!(json["default_indicator"], "alpha");
        assert_eq!(
            json["attribution"],
            serde_json::json!([{"id": "test", "short": "Test squares",
                "text": "Test squares, hand-made for smartspec's tests."}])
        );
    }

    #[test]
    fn the_map_opens_on_the_first_preferred_indicator_fit_to_open_on() {
        use crate::metrics::{IndicatorInfo, IndicatorLevel};
        use crate::model::Geography;
        let mut store = MetricsStore::default();
        for id in ["aaa", PREFERRED_DEFAULTS[0], PREFERRED_DEFAULTS[2]] {
            let level = IndicatorLevel {
                info: IndicatorInfo::default(),
                series: Default::default(),
            };
            let levels = [(Geography::Lep, level)].into_iter().collect();
            store.indicators.insert(IndicatorId::new(id), levels);
        }
        let opens = |s: &MetricsStore| default_indicator(s).map(|id| id.to_string());
        assert_eq!(opens(&store).as_deref(), Some(PREFERRED_DEFAULTS[0]));
        // One that fails the audit is passed over, for the next preferred.
        let failing = &mut store.report.consistency.failing;
        failing.push(IndicatorId::new(PREFERRED_DEFAULTS[0]));
        assert_eq!(opens(&store).as_deref(), Some(PREFERRED_DEFAULTS[2]));
        // So is one with a caveat, for the first fit one in id order.
        let third = store.indicators.get_mut(PREFERRED_DEFAULTS[2]).unwrap();
        let lep = third.get_mut(&Geography::Lep).unwrap();
        lep.info.caveats.push("Totals do not add up".into());
        assert_eq!(opens(&store).as_deref(), Some("aaa"));
        store
            .report
            .consistency
            .failing
            .push(IndicatorId::new("aaa"));
        assert_eq!(opens(&store), None);
    }
}
