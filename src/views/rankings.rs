//! Ranking representations: an indicator-year's areas ranked, and chosen areas beside their neighbours.

use super::indicators::series_layer;
use super::resolve::{resolve, Resolved};
use super::{choices, ViewError};
use crate::analysis::compare::{compare as compare_areas, Verdict};
use crate::analysis::ranking::{display_order, rank, RankEntry, Ranking as Ranks};
use crate::catalog::{Catalog, Layer};
use crate::model::{Geography, LayerId};
use serde::Serialize;

/// How `verdict` is decided, stated in every comparison.
pub const VERDICT_RULE: &str = "higher or lower when the value is more than one standard deviation above or below the median; otherwise similar";

/// `/indicators/{id}/ranking`: geography and year as for values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingRequest {
    pub indicator: String,
    pub geography: Option<String>,
    pub year: Option<String>,
}

/// `/indicators/{id}/compare`: the ranking's key plus the chosen area codes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRequest {
    pub indicator: String,
    pub geography: Option<String>,
    pub year: Option<String>,
    pub areas: Vec<String>,
}

/// The indicator-year, its layer and the distribution of its values.
#[derive(Debug, Serialize)]
pub struct Header<'a> {
    pub indicator: &'a str,
    pub title: &'a str,
    pub geography: Geography,
    pub year: i32,
    pub layer: &'a LayerId,
    pub code_vintage: &'a str,
    pub unit: &'a str,
    pub unit_symbol: &'a str,
    pub count_areas: usize,
    pub count_with_data: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub std_dev: Option<f64>,
}

/// Every area, ranked best first; areas without a value last.
#[derive(Debug, Serialize)]
pub struct Ranking<'a> {
    #[serde(flatten)]
    pub header: Header<'a>,
    pub areas: Vec<Entry<'a>>,
}

/// One area's place in the ranking.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    pub code: Option<&'a str>,
    pub name: Option<&'a str>,
    pub value: Option<f64>,
    pub rank: Option<usize>,
    /// The number of areas ranked (those with a value).
    pub of: usize,
    pub percentile: Option<f64>,
    pub z_score: Option<f64>,
    /// Why the area has no rank; `null` when it has one.
    pub reason: Option<&'static str>,
}

/// The chosen areas with their neighbours' mean and a verdict against the median.
#[derive(Debug, Serialize)]
pub struct Comparison<'a> {
    #[serde(flatten)]
    pub header: Header<'a>,
    pub verdict_rule: &'static str,
    pub areas: Vec<ComparedArea<'a>>,
}

/// One chosen area: its ranking entry and how it stands against its neighbours.
#[derive(Debug, Serialize)]
pub struct ComparedArea<'a> {
    #[serde(flatten)]
    pub entry: Entry<'a>,
    pub neighbours: Vec<&'a str>,
    pub neighbour_mean: Option<f64>,
    pub neighbour_count_with_data: usize,
    pub gap_to_neighbours: Option<f64>,
    pub verdict: Option<Verdict>,
}

/// The resolved indicator, its layer and the ranking of that layer's values.
struct Ranked<'a> {
    resolved: Resolved<'a>,
    layer: &'a Layer,
    ranks: Ranks,
}

impl<'a> Ranked<'a> {
    fn new(
        catalog: &'a Catalog,
        indicator: &str,
        geography: Option<&str>,
        year: Option<&str>,
    ) -> Result<Ranked<'a>, ViewError> {
        let resolved = resolve(catalog, indicator, geography, year)?;
        let layer = series_layer(catalog, &resolved)?;
        let ranks = rank(&resolved.series.values);
        Ok(Ranked {
            resolved,
            layer,
            ranks,
        })
    }

    fn header(&self) -> Header<'a> {
        let s = &self.ranks.summary;
        let info = &self.resolved.level.info;
        Header {
            indicator: self.resolved.id,
            title: &info.title,
            geography: self.resolved.geography,
            year: self.resolved.year,
            layer: self.layer.id(),
            code_vintage: &self.resolved.series.code_vintage,
            unit: &info.unit,
            unit_symbol: &info.unit_symbol,
            count_areas: self.layer.areas.len(),
            count_with_data: s.count_with_data,
            mean: s.mean,
            median: s.median,
            std_dev: s.std_dev,
        }
    }

    fn entry(&self, e: &RankEntry) -> Entry<'a> {
        let area = self.layer.areas.get(e.index);
        Entry {
            code: area.map(|a| a.code.as_str()),
            name: area.map(|a| a.name.as_str()),
            value: e.value,
            rank: e.rank,
            of: self.ranks.summary.count_with_data,
            percentile: e.percentile,
            z_score: e.z_score,
            reason: e
                .value
                .is_none()
                .then_some("no value for this area and year"),
        }
    }
}

/// Every area of the indicator-year's layer, ranked (see [`crate::analysis::ranking`]).
pub fn ranking<'a>(catalog: &'a Catalog, req: &RankingRequest) -> Result<Ranking<'a>, ViewError> {
    let r = Ranked::new(
        catalog,
        &req.indicator,
        req.geography.as_deref(),
        req.year.as_deref(),
    )?;
    let areas = display_order(&r.ranks)
        .into_iter()
        .filter_map(|pos| r.ranks.entries.get(pos))
        .map(|e| r.entry(e))
        .collect();
    Ok(Ranking {
        header: r.header(),
        areas,
    })
}

/// The chosen areas compared with their neighbours (see [`crate::analysis::compare`]).
pub fn compare<'a>(
    catalog: &'a Catalog,
    req: &CompareRequest,
) -> Result<Comparison<'a>, ViewError> {
    let r = Ranked::new(
        catalog,
        &req.indicator,
        req.geography.as_deref(),
        req.year.as_deref(),
    )?;
    let chosen = req
        .areas
        .iter()
        .map(|c| {
            r.layer.position(c).ok_or_else(|| {
                ViewError::invalid(format!(
                    "areas: '{c}' is not an area of '{}', the layer of {} {}; its codes: {}",
                    r.layer.id(),
                    r.resolved.id,
                    r.resolved.year,
                    choices(r.layer.areas.iter().map(|a| &a.code))
                ))
            })
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let neighbours: Vec<Vec<usize>> = (0..r.layer.areas.len())
        .map(|i| r.layer.neighbour_indices(i))
        .collect();
    let comparisons = compare_areas(&r.resolved.series.values, &neighbours, &chosen)
        .map_err(ViewError::internal)?;
    let areas = comparisons
        .areas
        .into_iter()
        .map(|c| {
            let entry = r.ranks.entries.get(c.index).ok_or_else(|| {
                ViewError::internal(format!("no ranking entry for area index {}", c.index))
            })?;
            Ok(ComparedArea {
                entry: r.entry(entry),
                neighbours: c
                    .neighbours
                    .iter()
                    .filter_map(|&i| r.layer.areas.get(i))
                    .map(|a| a.code.as_str())
                    .collect(),
                neighbour_mean: c.neighbour_mean,
                neighbour_count_with_data: c.neighbour_count_with_data,
                gap_to_neighbours: c.gap_to_neighbours,
                verdict: c.verdict,
            })
        })
        .collect::<Result<_, ViewError>>()?;
    Ok(Comparison {
        header: r.header(),
        verdict_rule: VERDICT_RULE,
        areas,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::views::fixture_catalog;

    fn score(areas: &[&str]) -> CompareRequest {
        CompareRequest {
            indicator: "score".into(),
            geography: Some("nuts3".into()),
            year: Some("2016".into()),
            areas: areas.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn ranking_is_best_first_ties_share_a_rank_and_missing_comes_last() {
        let catalog = fixture_catalog();
        let r = ranking(
            catalog,
            &RankingRequest {
                indicator: "score".into(),
                geography: None,
                year: Some("2016".into()),
            },
        )
        .unwrap();
        let order: Vec<(&str, Option<usize>)> =
            r.areas.iter().map(|e| (e.code.unwrap(), e.rank)).collect();
        assert_eq!(
            order,
            [
                ("G11", Some(1)),
                ("G31", Some(2)),
                ("G12", Some(3)),
                ("G13", Some(3)),
                ("G33", Some(3)),
                ("G23", Some(6)),
                ("G21", Some(7)),
                ("G32", Some(8)),
                ("G22", None),
            ]
        );
        assert!(r.areas.iter().all(|e| e.of == 8));
        let last = r.areas.last().unwrap();
        assert_eq!(last.reason, Some("no value for this area and year"));
        assert_eq!((r.header.count_areas, r.header.count_with_data), (9, 8));
        assert_eq!(r.header.median, Some(3.0));
    }

    #[test]
    fn every_entry_has_every_key_with_null_for_missing() {
        let catalog = fixture_catalog();
        let r = ranking(
            catalog,
            &RankingRequest {
                indicator: "score".into(),
                geography: None,
                year: None,
            },
        )
        .unwrap();
        let json = serde_json::to_value(&r).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        let areas = json["areas"].as_array().unwrap();
        assert_eq!(keys(&areas[0]), keys(&areas[8]));
        assert_eq!(areas[8]["rank"], serde_json::Value::Null);
        assert_eq!(areas[0]["reason"], serde_json::Value::Null);
    }

    #[test]
    fn compare_keeps_the_chosen_order_with_neighbours_and_verdicts() {
        let catalog = fixture_catalog();
        let c = compare(catalog, &score(&["G22", "G11"])).unwrap();
        assert_eq!(c.verdict_rule, VERDICT_RULE);
        let g22 = &c.areas[0];
        assert_eq!(g22.entry.code, Some("G22"));
        assert_eq!(g22.neighbours.len(), 8);
        assert_eq!(g22.neighbour_count_with_data, 8);
        assert_eq!(g22.verdict, None);
        let g11 = &c.areas[1];
        assert_eq!(g11.neighbours, ["G12", "G21", "G22"]);
        assert_eq!(g11.neighbour_mean, Some(2.0));
        assert_eq!(g11.gap_to_neighbours, Some(3.0));
    }

    #[test]
    fn compare_rejects_an_area_of_another_layer() {
        let catalog = fixture_catalog();
        let err = compare(catalog, &score(&["G11", "XX"])).unwrap_err();
        assert!(
            matches!(&err, ViewError::Invalid(d) if d.starts_with("areas: 'XX' is not an area of 'grid'")),
            "{err:?}"
        );
    }
}
