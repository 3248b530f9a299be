//! Indicator representations: the list with metadata per level, one indicator, its values, the join report.

use super::numbers::{round_opt, round_statistic};
use super::resolve::{resolve, unknown_indicator, Resolved};
use super::ViewError;
use crate::analysis::ranking::rank;
use crate::catalog::{Catalog, Layer};
use crate::load::FrameworkGroup;
use crate::metrics::quality::{check_source, OUTLIER_RULE};
use crate::metrics::{IndicatorLevel, JoinReport};
use crate::model::{Area, Geography, IndicatorId, LayerId};
use serde::ser::{Serialize, Serializer};
use std::collections::BTreeMap;

/// `/indicators`: every indicator, or those with values for one geography.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub geography: Option<Geography>,
}

/// `/indicators/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRequest {
    pub indicator: String,
}

/// `/indicators/{id}/values`: geography optional when the indicator has one level, year optional
/// (the latest with data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuesRequest {
    pub indicator: String,
    pub geography: Option<Geography>,
    pub year: Option<i32>,
    /// Only the areas in England (the map's "England only" on UK-wide layers); all when `None`.
    pub within: Option<Within>,
}

/// A part of the layer a values answer may be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Within {
    /// The areas whose code is English ([`crate::model::AreaCode::in_england`]).
    England,
}

impl Within {
    /// The `within` parameter's values.
    pub const CHOICES: &'static [&'static str] = &["england"];

    /// The `within` parameter's value, or an error naming the choices.
    pub fn parse(s: &str) -> Result<Within, ViewError> {
        match s {
            "england" => Ok(Within::England),
            _ => Err(ViewError::invalid(format!(
                "within: expected one of {}, got '{}'",
                Within::CHOICES.join(", "),
                s.chars().take(100).collect::<String>()
            ))),
        }
    }

    fn holds(self, area: &Area) -> bool {
        match self {
            Within::England => area.code.in_england(),
        }
    }
}

/// The values the outlier rule judged a value among.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Among {
    /// Every area of the layer with a value (flagged once at load).
    Layer,
    /// The areas in England with a value.
    England,
}

/// Every indicator with its metadata, the framework's groups and the metrics' attribution.
#[derive(Debug, serde::Serialize)]
pub struct IndicatorList<'a> {
    pub indicators: Vec<Indicator<'a>>,
    pub framework_groups: &'a [FrameworkGroup],
    pub attribution: Vec<&'a str>,
}

/// One indicator and its metadata per geography level.
#[derive(Debug, serde::Serialize)]
pub struct Indicator<'a> {
    pub id: &'a IndicatorId,
    pub levels: Vec<Level<'a>>,
}

/// What an indicator is at one geography level, and which years it has on which layers.
#[derive(Debug, serde::Serialize)]
pub struct Level<'a> {
    pub geography: Geography,
    pub title: &'a str,
    pub subtitle: &'a str,
    pub description: &'a str,
    pub unit: &'a str,
    pub unit_symbol: &'a str,
    /// `sum` when values add up over areas; else `mean`, `median`, `rate`, `share`, `index` or
    /// `ratio` (the reviewed semantics table).
    pub aggregation: Option<crate::load::Aggregation>,
    /// What the source calls its unit.
    pub source_unit: &'a str,
    /// Decimals values are written with.
    pub decimals: u8,
    /// `true`: higher is better; `false`: lower is better; `null`: neutral.
    pub higher_is_better: Option<bool>,
    /// Why that direction (or why neutral).
    pub polarity_reason: &'a str,
    /// Known caveats; the first is the reviewed one, if any.
    pub caveats: &'a [String],
    /// The indicator this one duplicates at this level, counted once as it.
    pub duplicate_of: Option<&'a IndicatorId>,
    pub format: &'a str,
    pub framework_group: &'a str,
    /// The label of `framework_group`; `null` when the group is not in the framework.
    pub framework_label: Option<&'a str>,
    pub experimental: bool,
    pub source_name: &'a str,
    pub source_url: &'a str,
    pub api_doc_url: &'a str,
    pub warning: &'a str,
    pub has_metadata: bool,
    pub years: Vec<i32>,
    /// The distinct code vintages of the years, in year order.
    pub vintages: Vec<&'a str>,
    /// The boundary layer of each year (the keys serialise as strings).
    pub layers: BTreeMap<i32, &'a LayerId>,
}

/// Every area of the layer of one indicator-year, `null` where it has no value.
#[derive(Debug, serde::Serialize)]
pub struct Values<'a> {
    pub indicator: &'a str,
    pub title: &'a str,
    pub geography: Geography,
    pub year: i32,
    pub layer: &'a LayerId,
    pub code_vintage: &'a str,
    pub unit: &'a str,
    pub unit_symbol: &'a str,
    pub decimals: u8,
    pub higher_is_better: Option<bool>,
    pub caveats: &'a [String],
    /// `england` when only the areas in England are served.
    pub within: Option<Within>,
    pub count_with_data: usize,
    pub count_areas: usize,
    /// The median of the values served (two decimals more than the values).
    pub median: Option<f64>,
    /// Areas whose value the robust outlier rule flags: check the source (never dropped).
    pub check_source: Vec<&'a str>,
    pub check_source_rule: &'static str,
    /// The values the rule was applied among: `layer` (every area of the layer), or `england`
    /// (only the areas served, with `within=england`: an area is judged against its peers).
    pub check_source_among: Among,
    pub values: AreaValues<'a>,
    /// The rank of each area with a value among the areas served: 1 = highest, ties share the
    /// lowest number (as `/ranking`).
    pub ranks: AreaRanks<'a>,
}

/// Area code to value, in the layer's area order; serialises as a JSON object.
#[derive(Debug)]
pub struct AreaValues<'a> {
    served: Vec<(&'a Area, Option<f64>)>,
    decimals: u8,
}

impl AreaValues<'_> {
    /// The value of the area with `code` (`None` when the area is not served or has no value).
    pub fn get(&self, code: &str) -> Option<f64> {
        self.served
            .iter()
            .find(|(a, _)| a.code.as_str() == code)
            .and_then(|(_, v)| round_opt(*v, self.decimals))
    }
}

impl Serialize for AreaValues<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.served
                .iter()
                .map(|(area, value)| (area.code.as_str(), round_opt(*value, self.decimals))),
        )
    }
}

/// Area code to rank, for the areas with a value; serialises as a JSON object.
#[derive(Debug)]
pub struct AreaRanks<'a>(Vec<(&'a str, usize)>);

impl AreaRanks<'_> {
    /// The rank of the area with `code` (`None` when it is not served or has no value).
    pub fn get(&self, code: &str) -> Option<usize> {
        self.0.iter().find(|(c, _)| *c == code).map(|&(_, r)| r)
    }
}

impl Serialize for AreaRanks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

/// The indicators (all, or those with values for `req.geography`, showing only that level).
pub fn list<'a>(catalog: &'a Catalog, req: &ListRequest) -> Result<IndicatorList<'a>, ViewError> {
    let only = req.geography;
    let indicators = catalog
        .metrics
        .indicators
        .iter()
        .filter(|(_, levels)| only.is_none_or(|g| levels.contains_key(&g)))
        .map(|(id, levels)| indicator_of(catalog, id, levels, only))
        .collect();
    Ok(IndicatorList {
        indicators,
        framework_groups: &catalog.metrics.framework_groups,
        attribution: attribution_for_metrics(catalog),
    })
}

/// One indicator with all its levels.
pub fn indicator<'a>(
    catalog: &'a Catalog,
    req: &IndicatorRequest,
) -> Result<Indicator<'a>, ViewError> {
    let (id, levels) = catalog
        .metrics
        .indicators
        .get_key_value(req.indicator.as_str())
        .ok_or_else(|| unknown_indicator(catalog, &req.indicator))?;
    Ok(indicator_of(catalog, id, levels, None))
}

/// The values of one indicator-year on every area of its layer.
pub fn values<'a>(catalog: &'a Catalog, req: &ValuesRequest) -> Result<Values<'a>, ViewError> {
    let r = resolve(catalog, &req.indicator, req.geography, req.year)?;
    let layer = series_layer(catalog, &r)?;
    let decimals = r.level.info.decimals;
    let served: Vec<(&Area, Option<f64>)> = layer
        .areas
        .iter()
        .enumerate()
        .filter(|(_, area)| req.within.is_none_or(|w| w.holds(area)))
        .map(|(i, area)| (area, r.series.values.get(i).copied().flatten()))
        .collect();
    let ranking = rank(&served.iter().map(|&(_, v)| v).collect::<Vec<_>>());
    let ranks = served
        .iter()
        .zip(&ranking.entries)
        .filter_map(|((area, _), e)| e.rank.map(|rank| (area.code.as_str(), rank)))
        .collect();
    Ok(Values {
        indicator: r.id,
        title: &r.level.info.title,
        geography: r.geography,
        year: r.year,
        layer: layer.id(),
        code_vintage: &r.series.code_vintage,
        unit: &r.level.info.unit,
        unit_symbol: &r.level.info.unit_symbol,
        decimals,
        higher_is_better: r.level.info.higher_is_better,
        caveats: &r.level.info.caveats,
        within: req.within,
        count_with_data: ranking.summary.count_with_data,
        count_areas: served.len(),
        median: round_statistic(ranking.summary.median, decimals),
        check_source: match req.within {
            None => r
                .series
                .check_source
                .iter()
                .filter_map(|&i| layer.areas.get(i))
                .map(|a| a.code.as_str())
                .collect(),
            // Judged again among the areas served, as their ranks and median are.
            Some(_) => check_source(&served.iter().map(|&(_, v)| v).collect::<Vec<_>>())
                .into_iter()
                .filter_map(|k| served.get(k))
                .map(|&(a, _)| a.code.as_str())
                .collect(),
        },
        check_source_rule: OUTLIER_RULE,
        check_source_among: match req.within {
            None => Among::Layer,
            Some(Within::England) => Among::England,
        },
        values: AreaValues { served, decimals },
        ranks: AreaRanks(ranks),
    })
}

/// What happened to every metrics row.
pub fn join_report(catalog: &Catalog) -> &JoinReport {
    &catalog.metrics.report
}

/// The layer a resolved series is aligned with.
pub(crate) fn series_layer<'a>(
    catalog: &'a Catalog,
    r: &Resolved<'a>,
) -> Result<&'a Layer, ViewError> {
    catalog.layer(r.series.layer.as_str()).ok_or_else(|| {
        ViewError::internal(format!(
            "layer {} of {} {} missing",
            r.series.layer, r.id, r.year
        ))
    })
}

fn indicator_of<'a>(
    catalog: &'a Catalog,
    id: &'a IndicatorId,
    levels: &'a BTreeMap<Geography, IndicatorLevel>,
    only: Option<Geography>,
) -> Indicator<'a> {
    let levels = levels
        .iter()
        .filter(|(g, _)| only.is_none_or(|o| o == **g))
        .map(|(geography, level)| {
            let info = &level.info;
            Level {
                geography: *geography,
                title: &info.title,
                subtitle: &info.subtitle,
                description: &info.description,
                unit: &info.unit,
                unit_symbol: &info.unit_symbol,
                aggregation: info.aggregation,
                source_unit: &info.source_unit,
                decimals: info.decimals,
                higher_is_better: info.higher_is_better,
                polarity_reason: &info.polarity_reason,
                caveats: &info.caveats,
                duplicate_of: info.duplicate_of.as_ref(),
                format: &info.format,
                framework_group: &info.framework_group,
                framework_label: catalog
                    .metrics
                    .framework_groups
                    .iter()
                    .find(|g| g.id == info.framework_group)
                    .map(|g| g.label.as_str()),
                experimental: info.experimental,
                source_name: &info.source_name,
                source_url: &info.source_url,
                api_doc_url: &info.api_doc_url,
                warning: &info.warning,
                has_metadata: info.has_metadata,
                years: level.series.keys().copied().collect(),
                vintages: vintages(level),
                layers: level
                    .series
                    .iter()
                    .map(|(year, s)| (*year, &s.layer))
                    .collect(),
            }
        })
        .collect();
    Indicator { id, levels }
}

/// The distinct `code_vintage`s of a level's series, in year order.
fn vintages(level: &IndicatorLevel) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in level.series.values() {
        if !out.contains(&s.code_vintage.as_str()) {
            out.push(&s.code_vintage);
        }
    }
    out
}

/// The attribution texts of the metrics tables, in manifest order (repeats next to each other
/// shown once).
fn attribution_for_metrics(catalog: &Catalog) -> Vec<&str> {
    let mut keys: Vec<&String> = catalog
        .manifest
        .metrics
        .iter()
        .flat_map(|m| &m.attribution)
        .collect();
    keys.dedup();
    keys.iter()
        .filter_map(|k| catalog.manifest.attribution.get(*k))
        .map(|a| a.text.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::views::fixture_catalog;

    fn values_request(
        indicator: &str,
        geography: Option<&str>,
        year: Option<&str>,
    ) -> ValuesRequest {
        ValuesRequest {
            indicator: indicator.into(),
            geography: geography.map(|g| Geography::parse(g).unwrap()),
            year: year.map(|y| y.parse().unwrap()),
            within: None,
        }
    }

    #[test]
    fn values_of_a_year_cover_every_area_of_its_layer() {
        let catalog = fixture_catalog();
        let v = values(catalog, &values_request("rd", Some("lep"), Some("2015"))).unwrap();
        assert_eq!(v.layer.as_str(), "squares");
        assert_eq!((v.count_with_data, v.count_areas), (3, 4));
        assert_eq!(v.values.get("A"), Some(10.0));
        assert_eq!(v.values.get("D"), None);
        // Ranks (highest first) and the median of the areas served; none for D, without a value.
        let ranks: Vec<_> = ["A", "B", "C", "D"]
            .iter()
            .map(|c| v.ranks.get(c))
            .collect();
        assert_eq!(ranks, [Some(3), Some(2), Some(1), None]);
        assert_eq!(v.median, Some(20.0));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(
            json["values"],
            serde_json::json!({"A": 10.0, "B": 20.0, "C": 30.0, "D": null})
        );
    }

    #[test]
    fn values_without_a_year_are_the_latest_on_that_vintage_layer() {
        let catalog = fixture_catalog();
        let v = values(catalog, &values_request("rd", None, None)).unwrap();
        assert_eq!(
            (v.year, v.layer.as_str(), v.code_vintage),
            (2018, "squares-2017", "2017")
        );
    }

    #[test]
    fn values_of_an_unknown_year_are_not_found_and_list_the_years() {
        let catalog = fixture_catalog();
        let err = values(catalog, &values_request("rd", Some("lep"), Some("2016"))).unwrap_err();
        assert!(
            matches!(&err, ViewError::NotFound(d) if d.ends_with("years with data: 2012, 2015, 2018")),
            "{err:?}"
        );
    }

    #[test]
    fn list_keeps_only_the_asked_level() {
        let catalog = fixture_catalog();
        let all = list(catalog, &ListRequest::default()).unwrap();
        assert!(all.indicators.iter().any(|i| i.id.as_str() == "rd"));
        let nuts3 = list(
            catalog,
            &ListRequest {
                geography: Some(Geography::Nuts3),
            },
        )
        .unwrap();
        assert!(nuts3.indicators.iter().all(|i| i.id.as_str() != "rd"));
        assert!(nuts3
            .indicators
            .iter()
            .flat_map(|i| &i.levels)
            .all(|l| l.geography == Geography::Nuts3));
    }

    #[test]
    fn one_indicator_lists_years_vintages_and_layers_per_level() {
        let catalog = fixture_catalog();
        let rd = indicator(
            catalog,
            &IndicatorRequest {
                indicator: "rd".into(),
            },
        )
        .unwrap();
        let json = serde_json::to_value(&rd).unwrap();
        let lep = &json["levels"][0];
        assert_eq!(lep["geography"], "lep");
        assert_eq!(lep["years"], serde_json::json!([2012, 2015, 2018]));
        assert_eq!(
            lep["vintages"],
            serde_json::json!(["-2014", "2014", "2017"])
        );
        assert_eq!(
            lep["layers"],
            serde_json::json!({"2012": "squares", "2015": "squares", "2018": "squares-2017"})
        );
        let err = indicator(
            catalog,
            &IndicatorRequest {
                indicator: "nope".into(),
            },
        )
        .unwrap_err();
        assert!(matches!(err, ViewError::NotFound(d) if d.starts_with("no indicator 'nope'")));
    }
}
