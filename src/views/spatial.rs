//! Spatial statistics of an indicator-year: each area's spatial lag, gap to its neighbours, local
//! Moran's I and LISA class, and the layer's global Moran's I (see [`crate::analysis::spatial`]).

use super::indicators::series_layer;
use super::numbers::{round_opt, round_statistic};
use super::resolve::resolve;
use super::ViewError;
use crate::analysis::spatial::{self, Global, Lisa, Settings};
use crate::catalog::Catalog;
use crate::index::adjacency::Relation;
use crate::model::{Geography, LayerId};
use serde::Serialize;

/// The weights, as stated in every response.
pub const WEIGHTS: &str = "queen contiguity, row-standardised";
/// The fewest and most permutations a request may ask for.
pub const MIN_PERMUTATIONS: usize = 99;
pub const MAX_PERMUTATIONS: usize = 9999;

/// `/indicators/{id}/spatial`: geography and year as for values; permutations and seed
/// default to [`spatial::DEFAULT_PERMUTATIONS`] and [`spatial::DEFAULT_SEED`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpatialRequest {
    pub indicator: String,
    pub geography: Option<Geography>,
    pub year: Option<i32>,
    pub permutations: Option<usize>,
    pub seed: Option<u64>,
}

/// The spatial statistics of one indicator-year on its layer.
#[derive(Debug, Serialize)]
pub struct SpatialStatistics<'a> {
    pub indicator: &'a str,
    pub title: &'a str,
    pub geography: Geography,
    pub year: i32,
    pub layer: &'a LayerId,
    pub code_vintage: &'a str,
    pub unit: &'a str,
    pub unit_symbol: &'a str,
    pub weights: &'static str,
    /// Areas whose interiors overlap (LEPs sharing a district) are neighbours.
    pub overlaps_count_as_neighbours: bool,
    /// How many neighbour pairs of the layer overlap rather than touch.
    pub overlapping_pairs: usize,
    pub permutations: usize,
    pub seed: u64,
    pub significance: f64,
    pub global: Global,
    /// Codes of the areas with a value and no neighbour with one (no lag, no local I).
    pub islands: Vec<&'a str>,
    /// Every area of the layer, in the layer's order.
    pub areas: Vec<AreaStatistics<'a>>,
}

/// One area's statistics.
#[derive(Debug, Serialize)]
pub struct AreaStatistics<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub value: Option<f64>,
    /// The mean of the values of the neighbours with data.
    pub spatial_lag: Option<f64>,
    /// `value − spatial_lag`, in the indicator's unit.
    pub gap_to_neighbours: Option<f64>,
    /// Neighbours with data.
    pub neighbours: usize,
    pub local_i: Option<f64>,
    pub p_value: Option<f64>,
    pub lisa: Lisa,
}

/// Resolves the indicator-year and computes its spatial statistics over the layer's adjacency.
pub fn spatial_statistics<'a>(
    catalog: &'a Catalog,
    req: &SpatialRequest,
) -> Result<SpatialStatistics<'a>, ViewError> {
    let permutations = req.permutations.unwrap_or(spatial::DEFAULT_PERMUTATIONS);
    if !(MIN_PERMUTATIONS..=MAX_PERMUTATIONS).contains(&permutations) {
        return Err(ViewError::invalid(format!(
            "permutations: expected a whole number from {MIN_PERMUTATIONS} to {MAX_PERMUTATIONS}, got {permutations}"
        )));
    }
    let settings = Settings {
        permutations,
        seed: req.seed.unwrap_or(spatial::DEFAULT_SEED),
        significance: spatial::DEFAULT_SIGNIFICANCE,
    };
    let r = resolve(catalog, &req.indicator, req.geography, req.year)?;
    let layer = series_layer(catalog, &r)?;
    let neighbours: Vec<Vec<usize>> = (0..layer.areas.len())
        .map(|i| layer.neighbour_indices(i))
        .collect();
    let stats =
        spatial::spatial(&r.series.values, &neighbours, settings).map_err(ViewError::internal)?;
    let overlapping_pairs = layer
        .adjacency
        .iter()
        .enumerate()
        .flat_map(|(i, list)| list.iter().map(move |n| (i, n)))
        .filter(|(i, n)| n.index > *i && n.relation == Relation::Overlaps)
        .count();
    // Values to their decimals, lags and gaps (statistics in the same unit) to two more; the
    // Moran statistics and p-values are written in full.
    let decimals = r.level.info.decimals;
    let areas = layer
        .areas
        .iter()
        .zip(stats.areas)
        .map(|(area, s)| AreaStatistics {
            code: area.code.as_str(),
            name: area.name.as_str(),
            value: round_opt(s.value, decimals),
            spatial_lag: round_statistic(s.spatial_lag, decimals),
            gap_to_neighbours: round_statistic(s.gap_to_neighbours, decimals),
            neighbours: s.neighbours,
            local_i: s.local_i,
            p_value: s.p_value,
            lisa: s.lisa,
        })
        .collect();
    let info = &r.level.info;
    Ok(SpatialStatistics {
        indicator: r.id,
        title: &info.title,
        geography: r.geography,
        year: r.year,
        layer: layer.id(),
        code_vintage: &r.series.code_vintage,
        unit: &info.unit,
        unit_symbol: &info.unit_symbol,
        weights: WEIGHTS,
        overlaps_count_as_neighbours: true,
        overlapping_pairs,
        permutations,
        seed: settings.seed,
        significance: settings.significance,
        global: stats.global,
        islands: stats
            .islands
            .iter()
            .filter_map(|&i| layer.areas.get(i))
            .map(|a| a.code.as_str())
            .collect(),
        areas,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::views::fixture_catalog;

    fn request(indicator: &str, year: Option<&str>) -> SpatialRequest {
        SpatialRequest {
            indicator: indicator.into(),
            geography: None,
            year: year.map(|y| y.parse().unwrap()),
            permutations: None,
            seed: None,
        }
    }

    #[test]
    fn a_gradient_on_the_grid_is_positively_autocorrelated_in_layer_order() {
        let catalog = fixture_catalog();
        let s = spatial_statistics(catalog, &request("alpha", None)).unwrap();
        assert_eq!((s.layer.as_str(), s.year), ("grid", 2016));
        assert_eq!((s.permutations, s.seed), (999, 2026));
        assert!(s.global.morans_i.unwrap() > 0.0, "{:?}", s.global);
        assert_eq!(s.global.n, 9);
        let codes: Vec<&str> = s.areas.iter().map(|a| a.code).collect();
        let layer: Vec<&str> = catalog
            .layer("grid")
            .unwrap()
            .areas
            .iter()
            .map(|a| a.code.as_str())
            .collect();
        assert_eq!(codes, layer);
        // G11 (alpha 1) has neighbours G12 (2), G21 (4), G22 (5): lag 11/3, written to alpha's
        // 0 decimals plus two.
        let g11 = s.areas.iter().find(|a| a.code == "G11").unwrap();
        assert_eq!(g11.spatial_lag, Some(3.67));
        assert_eq!(g11.gap_to_neighbours, Some(-2.67));
        assert_eq!(g11.neighbours, 3);
    }

    #[test]
    fn a_missing_value_is_no_data_and_bad_permutations_are_invalid() {
        let catalog = fixture_catalog();
        let s = spatial_statistics(catalog, &request("score", Some("2016"))).unwrap();
        let g22 = s.areas.iter().find(|a| a.code == "G22").unwrap();
        assert_eq!(g22.lisa, Lisa::NoData);
        assert_eq!(s.global.n, 8);
        let g11 = s.areas.iter().find(|a| a.code == "G11").unwrap();
        assert_eq!(g11.neighbours, 2);
        for bad in [0, 98, 10_000] {
            let err = spatial_statistics(
                catalog,
                &SpatialRequest {
                    permutations: Some(bad),
                    ..request("score", None)
                },
            )
            .unwrap_err();
            assert!(
                matches!(&err, ViewError::Invalid(d) if d.starts_with("permutations: expected")),
                "{err:?}"
            );
        }
        let err = spatial_statistics(catalog, &request("score", Some("1999"))).unwrap_err();
        assert!(matches!(err, ViewError::NotFound(_)), "{err:?}");
    }
}
