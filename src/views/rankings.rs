//! Ranking representations: an indicator-year's areas ranked, and chosen areas beside their neighbours.

use super::indicators::series_layer;
use super::numbers::{round_opt, round_statistic, PERCENTILE_DECIMALS, SCORE_DECIMALS};
use super::resolve::{resolve, Resolved};
use super::{choices, ViewError};
use crate::analysis::compare::compare as compare_areas;
use crate::analysis::ranking::{display_order, rank, RankEntry, Ranking as Ranks};
use crate::analysis::standing::{good_percentile, Verdict, ALL_AREAS_RULE, NEIGHBOURS_RULE};
use crate::catalog::{Catalog, Layer};
use crate::model::{Geography, LayerId};
use serde::Serialize;

/// `/indicators/{id}/ranking`: geography and year as for values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingRequest {
    pub indicator: String,
    pub geography: Option<Geography>,
    pub year: Option<i32>,
}

/// `/indicators/{id}/compare`: the ranking's key plus the chosen area codes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareRequest {
    pub indicator: String,
    pub geography: Option<Geography>,
    pub year: Option<i32>,
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
    pub decimals: u8,
    /// `true`: higher is better; `false`: lower is better; `null`: neutral.
    pub higher_is_better: Option<bool>,
    pub count_areas: usize,
    pub count_with_data: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub std_dev: Option<f64>,
}

/// Every area, ranked highest value first (see `good_percentile` for the good direction); areas
/// without a value last.
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
    /// The percentile in the good direction (`100 − percentile` when lower is better);
    /// `null` for a neutral indicator.
    pub good_percentile: Option<f64>,
    pub z_score: Option<f64>,
    /// The value is beyond the robust outlier rule: check the source.
    pub check_source: bool,
    /// Why the area has no rank; `null` when it has one.
    pub reason: Option<&'static str>,
}

/// The chosen areas with their neighbours and two verdicts: against all areas, and against
/// the neighbours.
#[derive(Debug, Serialize)]
pub struct Comparison<'a> {
    #[serde(flatten)]
    pub header: Header<'a>,
    /// The interquartile range of all areas' values (the neighbour verdicts' yardstick).
    pub iqr: Option<f64>,
    pub verdict_rules: VerdictRules,
    pub areas: Vec<ComparedArea<'a>>,
}

/// What each verdict compares with and how.
#[derive(Debug, Serialize)]
pub struct VerdictRules {
    pub all_areas: &'static str,
    pub neighbours: &'static str,
}

/// One chosen area: its ranking entry and how it stands against all areas and its neighbours.
#[derive(Debug, Serialize)]
pub struct ComparedArea<'a> {
    #[serde(flatten)]
    pub entry: Entry<'a>,
    pub neighbours: Vec<NamedValue<'a>>,
    pub neighbour_mean: Option<f64>,
    pub neighbour_count_with_data: usize,
    pub gap_to_neighbours: Option<f64>,
    pub verdicts: Verdicts,
}

/// The two verdicts of one area, each named by what it compares with.
#[derive(Debug, Serialize)]
pub struct Verdicts {
    /// Against every area of the layer with a value (England, or the UK for NUTS layers).
    pub all_areas: Option<Verdict>,
    /// Against the mean of the area's neighbours with a value.
    pub neighbours: Option<Verdict>,
}

/// A neighbouring area, with its name and value.
#[derive(Debug, Serialize)]
pub struct NamedValue<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub value: Option<f64>,
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
        geography: Option<Geography>,
        year: Option<i32>,
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
            decimals: info.decimals,
            higher_is_better: info.higher_is_better,
            count_areas: self.layer.areas.len(),
            count_with_data: s.count_with_data,
            mean: self.statistic(s.mean),
            median: self.statistic(s.median),
            std_dev: self.statistic(s.std_dev),
        }
    }

    /// A value in the indicator's unit, rounded to its decimals.
    fn round(&self, v: Option<f64>) -> Option<f64> {
        round_opt(v, self.resolved.level.info.decimals)
    }

    /// A statistic in the indicator's unit (mean, gap), rounded to two more decimals.
    fn statistic(&self, v: Option<f64>) -> Option<f64> {
        round_statistic(v, self.resolved.level.info.decimals)
    }

    fn entry(&self, e: &RankEntry) -> Entry<'a> {
        let area = self.layer.areas.get(e.index);
        Entry {
            code: area.map(|a| a.code.as_str()),
            name: area.map(|a| a.name.as_str()),
            value: self.round(e.value),
            rank: e.rank,
            of: self.ranks.summary.count_with_data,
            percentile: round_opt(e.percentile, PERCENTILE_DECIMALS),
            good_percentile: round_opt(
                e.percentile
                    .and_then(|p| good_percentile(p, self.resolved.level.info.higher_is_better)),
                PERCENTILE_DECIMALS,
            ),
            z_score: round_opt(e.z_score, SCORE_DECIMALS),
            check_source: self.resolved.series.check_source.contains(&e.index),
            reason: e
                .value
                .is_none()
                .then_some("no value for this area and year"),
        }
    }
}

/// Every area of the indicator-year's layer, ranked (see [`crate::analysis::ranking`]).
pub fn ranking<'a>(catalog: &'a Catalog, req: &RankingRequest) -> Result<Ranking<'a>, ViewError> {
    let r = Ranked::new(catalog, &req.indicator, req.geography, req.year)?;
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
    let r = Ranked::new(catalog, &req.indicator, req.geography, req.year)?;
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
    // Each area once, in the order first given: a repeated code adds nothing.
    let mut seen = std::collections::HashSet::new();
    let chosen: Vec<usize> = chosen.into_iter().filter(|i| seen.insert(*i)).collect();
    let neighbours: Vec<Vec<usize>> = (0..r.layer.areas.len())
        .map(|i| r.layer.neighbour_indices(i))
        .collect();
    let values = &r.resolved.series.values;
    let comparisons = compare_areas(
        values,
        &neighbours,
        &chosen,
        r.resolved.level.info.higher_is_better,
    )
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
                    .filter_map(|&i| Some((r.layer.areas.get(i)?, values.get(i).copied()?)))
                    .map(|(a, v)| NamedValue {
                        code: a.code.as_str(),
                        name: a.name.as_str(),
                        value: r.round(v),
                    })
                    .collect(),
                neighbour_mean: r.statistic(c.neighbour_mean),
                neighbour_count_with_data: c.neighbour_count_with_data,
                gap_to_neighbours: r.statistic(c.gap_to_neighbours),
                verdicts: Verdicts {
                    all_areas: c.verdict_all_areas,
                    neighbours: c.verdict_neighbours,
                },
            })
        })
        .collect::<Result<_, ViewError>>()?;
    Ok(Comparison {
        header: r.header(),
        iqr: r.statistic(comparisons.iqr),
        verdict_rules: VerdictRules {
            all_areas: ALL_AREAS_RULE,
            neighbours: NEIGHBOURS_RULE,
        },
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
            geography: Some(Geography::Nuts3),
            year: Some(2016),
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
                year: Some(2016),
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
        assert_eq!(c.verdict_rules.all_areas, ALL_AREAS_RULE);
        let g22 = &c.areas[0];
        assert_eq!(g22.entry.code, Some("G22"));
        assert_eq!(g22.neighbours.len(), 8);
        assert_eq!(g22.neighbour_count_with_data, 8);
        assert_eq!(g22.verdicts.all_areas, None);
        let g11 = &c.areas[1];
        let codes: Vec<&str> = g11.neighbours.iter().map(|n| n.code).collect();
        assert_eq!(codes, ["G12", "G21", "G22"]);
        assert_eq!(g11.neighbours[0].name, "Grid 1,2");
        assert_eq!(g11.neighbour_mean, Some(2.0));
        assert_eq!(g11.gap_to_neighbours, Some(3.0));
        // score: higher is better; G11 is the top value and 3 above its neighbours' mean.
        assert_eq!(g11.verdicts.all_areas, Some(Verdict::Better));
        assert_eq!(g11.verdicts.neighbours, Some(Verdict::Better));
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
