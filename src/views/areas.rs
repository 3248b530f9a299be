//! Area representations: an area's profile, its peers, and what its neighbours' features gain.

use super::numbers::{round, round_opt, round_statistic, PERCENTILE_DECIMALS, SCORE_DECIMALS};
use super::{choices, ViewError};
use crate::analysis::peers::peers as nearest_peers;
use crate::analysis::ranking::rank;
use crate::analysis::standing::{good_percentile, standing, Standing};
use crate::catalog::{Catalog, Layer};
use crate::index::adjacency::Relation;
use crate::metrics::{IndicatorLevel, Series};
use crate::model::{AreaCode, Geography, IndicatorId, LayerId};
use serde::ser::Serializer;
use serde::Serialize;
use serde_json::{Map, Value};

/// One neighbour of an area: its position in the layer and the properties it gains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    pub index: usize,
    pub properties: NeighbourProperties,
}

/// What a neighbour's feature gains beyond its own properties (and the joined metric).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NeighbourProperties {
    pub relation: Relation,
    /// Length of the common boundary in km, to the metre.
    pub shared_km: f64,
    /// The neighbour's value minus the area's; `null` without an indicator or without both values.
    pub difference: Option<f64>,
}

impl NeighbourProperties {
    /// The properties as a JSON object, to merge into a feature's properties.
    pub fn to_map(&self) -> Result<Map<String, Value>, ViewError> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(other) => Err(ViewError::internal(format!(
                "neighbour properties serialised to {other}, not an object"
            ))),
            Err(e) => Err(ViewError::internal(e)),
        }
    }
}

/// The neighbours of the area at `index` in `layer`, with differences when `values` (aligned
/// with the layer's areas, and the decimals they are written with) are given.
pub fn neighbours(
    layer: &Layer,
    index: usize,
    values: Option<(&[Option<f64>], u8)>,
) -> Vec<Neighbour> {
    let decimals = values.map_or(0, |(_, d)| d);
    let values = values.map(|(v, _)| v);
    let value_at = |i: usize| values.and_then(|v| v.get(i).copied().flatten());
    let own = value_at(index);
    layer
        .adjacency
        .get(index)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|n| Neighbour {
            index: n.index,
            properties: NeighbourProperties {
                relation: n.relation,
                shared_km: (n.shared_km * 1000.0).round() / 1000.0,
                difference: match (value_at(n.index), own) {
                    (Some(theirs), Some(own)) => Some(round(theirs - own, decimals)),
                    _ => None,
                },
            },
        })
        .collect()
}

/// `/areas/{code}/profile`: the area, a geography (needed only when the code exists in more
/// than one) and a year (the latest values at or before it; `None`: the latest there are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRequest {
    pub code: String,
    pub geography: Option<Geography>,
    pub year: Option<i32>,
}

/// How a profile row's standing is decided.
pub const STANDING_RULE: &str = "a strength at a percentile of at least 75 in the good direction (the top quarter of areas with a value; for an indicator where lower is better, the lowest quarter of values), a weakness at 25 or less, otherwise middle; neutral indicators, where neither direction is better, are listed apart; of two indicators with equal values everywhere, only the first counts";

/// Every indicator for one area: strengths first (best first), then the middle, weaknesses,
/// neutral indicators, duplicates, and indicators without a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile<'a> {
    pub code: String,
    pub name: &'a str,
    pub geography: Geography,
    /// The year asked for, if any.
    pub year: Option<i32>,
    pub standing_rule: &'static str,
    /// Indicators in the top quarter in the good direction, best first.
    pub strengths: Vec<&'a IndicatorId>,
    /// Indicators in the bottom quarter in the good direction, worst first.
    pub weaknesses: Vec<&'a IndicatorId>,
    /// Indicators where neither direction is better.
    pub neutral: Vec<&'a IndicatorId>,
    pub indicators: Vec<ProfileRow<'a>>,
}

/// One indicator of a profile; every field is present, `null` when the area has no value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileRow<'a> {
    pub indicator: &'a IndicatorId,
    pub title: &'a str,
    pub unit: &'a str,
    pub unit_symbol: &'a str,
    pub higher_is_better: Option<bool>,
    pub framework_group: &'a str,
    /// The year the values are from (the latest at or before the year asked for).
    pub year: Option<i32>,
    pub layer: Option<&'a LayerId>,
    pub value: Option<f64>,
    pub rank: Option<usize>,
    /// How many areas have a value that year.
    pub of: Option<usize>,
    pub percentile: Option<f64>,
    /// The percentile in the good direction; `null` for a neutral indicator.
    pub good_percentile: Option<f64>,
    /// Strength, middle, weakness or neutral (see `standing_rule`); `null` without a value or
    /// for a duplicate.
    pub standing: Option<Standing>,
    pub z_score: Option<f64>,
    pub median: Option<f64>,
    /// The value is beyond the robust outlier rule: check the source.
    pub check_source: bool,
    /// This indicator equals another over every shared area-year: counted once, as that one.
    pub duplicate_of: Option<&'a IndicatorId>,
    pub caveats: &'a [String],
    /// Why `value` is `null`.
    pub reason: Option<&'static str>,
}

impl ProfileRow<'_> {
    /// Sort key: strengths to weaknesses by good percentile, then neutral, duplicates, no value.
    fn order(&self) -> (u8, f64) {
        let good = self.good_percentile.unwrap_or(0.0);
        match (self.standing, self.duplicate_of) {
            (_, Some(_)) => (2, -self.percentile.unwrap_or(0.0)),
            (Some(Standing::Neutral), _) => (1, -self.percentile.unwrap_or(0.0)),
            (Some(_), _) => (0, -good),
            (None, _) => (3, 0.0),
        }
    }
}

/// The profile of `req.code`: every indicator of its geography, strongest percentile first,
/// indicators without a value last.
pub fn profile<'a>(catalog: &'a Catalog, req: &ProfileRequest) -> Result<Profile<'a>, ViewError> {
    let code = req.code.as_str();
    let geography = geography_for(catalog, code, req.geography)?;
    let year = req.year.unwrap_or(i32::MAX);
    let name = catalog
        .layers_of(geography)
        .filter_map(|l| l.area(code))
        .last()
        .map(|a| a.name.as_str())
        .ok_or_else(|| ViewError::not_found(format!("no {geography} area has code '{code}'")))?;
    check_year(catalog, geography, req.year)?;
    let mut rows: Vec<ProfileRow> = catalog
        .metrics
        .indicators
        .iter()
        .filter_map(|(id, levels)| {
            let level = levels.get(&geography)?;
            Some(profile_row(catalog, id, level, code, year))
        })
        .collect();
    // Best first; ties and rows without a value in indicator order (the sort is stable).
    rows.sort_by(|a, b| {
        let (ka, kb) = (a.order(), b.order());
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    let with = |wanted: Standing| -> Vec<&'a IndicatorId> {
        rows.iter()
            .filter(|r| r.standing == Some(wanted) && r.duplicate_of.is_none())
            .map(|r| r.indicator)
            .collect()
    };
    let (strengths, mut weaknesses, neutral) = (
        with(Standing::Strength),
        with(Standing::Weakness),
        with(Standing::Neutral),
    );
    weaknesses.reverse();
    Ok(Profile {
        code: req.code.clone(),
        name,
        geography,
        year: req.year,
        standing_rule: STANDING_RULE,
        strengths,
        weaknesses,
        neutral,
        indicators: rows,
    })
}

fn profile_row<'a>(
    catalog: &'a Catalog,
    id: &'a IndicatorId,
    level: &'a IndicatorLevel,
    code: &str,
    year: i32,
) -> ProfileRow<'a> {
    let info = &level.info;
    let mut row = ProfileRow {
        indicator: id,
        title: &info.title,
        unit: &info.unit,
        unit_symbol: &info.unit_symbol,
        higher_is_better: info.higher_is_better,
        framework_group: &info.framework_group,
        year: None,
        layer: None,
        value: None,
        rank: None,
        of: None,
        percentile: None,
        good_percentile: None,
        standing: None,
        z_score: None,
        median: None,
        check_source: false,
        duplicate_of: info.duplicate_of.as_ref(),
        caveats: &info.caveats,
        reason: Some("no values for this area at or before the year"),
    };
    if let Some(located) = latest_series(catalog, level, code, year) {
        let ranking = rank(&located.series.values);
        let entry = ranking.entries.get(located.position);
        let value = entry.and_then(|e| e.value);
        row.year = Some(located.year);
        row.layer = Some(located.layer.id());
        let decimals = info.decimals;
        let percentile = entry.and_then(|e| e.percentile);
        row.value = round_opt(value, decimals);
        row.rank = entry.and_then(|e| e.rank);
        row.of = Some(ranking.summary.count_with_data);
        row.percentile = round_opt(percentile, PERCENTILE_DECIMALS);
        row.good_percentile = round_opt(
            percentile.and_then(|p| good_percentile(p, info.higher_is_better)),
            PERCENTILE_DECIMALS,
        );
        row.standing = percentile
            .filter(|_| info.duplicate_of.is_none())
            .map(|p| standing(p, info.higher_is_better));
        row.z_score = round_opt(entry.and_then(|e| e.z_score), SCORE_DECIMALS);
        row.median = round_statistic(ranking.summary.median, decimals);
        row.check_source = located.series.check_source.contains(&located.position);
        row.reason = value
            .is_none()
            .then_some("no value for this area in that year");
    }
    row
}

/// `/areas/{code}/peers`: the area, geography and year as for a profile, the indicators to
/// compare on (`None`: all of the geography), how many peers, whether to leave out the area's
/// neighbours, and how many indicators a peer must share (`None`: half the area's own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeersRequest {
    pub code: String,
    pub geography: Option<Geography>,
    pub year: Option<i32>,
    pub indicators: Option<Vec<IndicatorId>>,
    pub k: usize,
    pub exclude_neighbours: bool,
    pub min_shared: Option<usize>,
}

impl PeersRequest {
    /// Peers returned when `k` is not given.
    pub const DEFAULT_K: usize = 5;
    /// The most peers one request may ask for.
    pub const MAX_K: usize = 50;
}

const PEERS_METHOD: &str = "indicators z-standardised across the layer's areas; Euclidean distance over the indicators both areas have (at least min_shared of them); contributions are squared z differences and sum to distance squared; an indicator equal to another everywhere is counted once; better_on and worse_on list the indicators where the peer differs by half a standard deviation or more in the good direction";

/// A contribution (squared z difference) of at least this is a difference of half a standard
/// deviation: enough to name in `better_on` / `worse_on`.
const NOTABLE_CONTRIBUTION: f64 = 0.25;

/// The areas most like one area over a set of indicators, with how each was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peers<'a> {
    pub code: String,
    pub name: Option<&'a str>,
    pub geography: Geography,
    /// The boundary version compared on: the one most of the indicators resolve to.
    pub layer: &'a LayerId,
    /// The year asked for, if any.
    pub year: Option<i32>,
    pub k: usize,
    pub min_shared: usize,
    pub exclude_neighbours: bool,
    pub method: &'static str,
    pub indicators: Vec<UsedIndicator<'a>>,
    pub skipped: Vec<SkippedIndicator<'a>>,
    pub peers: Vec<PeerRow<'a>>,
}

/// An indicator compared on, and the year its values are from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsedIndicator<'a> {
    pub indicator: &'a IndicatorId,
    pub year: i32,
}

/// An indicator left out of the comparison, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedIndicator<'a> {
    pub indicator: &'a IndicatorId,
    pub reason: String,
}

/// One peer: its distance and each indicator's share of it (squared z differences).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerRow<'a> {
    pub code: &'a AreaCode,
    pub name: &'a str,
    pub distance: f64,
    pub indicators_used: usize,
    pub contributions: Contributions<'a>,
    /// Indicators where the peer does better than the area by half a standard deviation or
    /// more, in the good direction (neutral indicators are in neither list).
    pub better_on: Vec<&'a IndicatorId>,
    /// Indicators where the peer does worse by half a standard deviation or more.
    pub worse_on: Vec<&'a IndicatorId>,
}

/// Indicator id to contribution, serialised as a JSON object in indicator order; indicators
/// that one of the two areas lacks are not keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Contributions<'a>(pub Vec<(&'a IndicatorId, f64)>);

impl Serialize for Contributions<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

/// A year outside every series of `geography` is unknown: a 404, as `/values` answers.
fn check_year(catalog: &Catalog, geography: Geography, year: Option<i32>) -> Result<(), ViewError> {
    let Some(asked) = year else { return Ok(()) };
    let (first, last) = catalog
        .metrics
        .indicators
        .values()
        .filter_map(|levels| levels.get(&geography))
        .flat_map(|level| level.series.keys().copied())
        .fold((i32::MAX, i32::MIN), |(a, b), y| (a.min(y), b.max(y)));
    if asked < first || asked > last {
        return Err(ViewError::not_found(format!(
            "no {geography} indicator has values for {asked}; years run from {first} to {last}"
        )));
    }
    Ok(())
}

/// The `req.k` areas nearest to `req.code` in z-standardised indicator space.
pub fn peers<'a>(catalog: &'a Catalog, req: &PeersRequest) -> Result<Peers<'a>, ViewError> {
    let code = req.code.as_str();
    let geography = geography_for(catalog, code, req.geography)?;
    check_year(catalog, geography, req.year)?;
    let year = req.year.unwrap_or(i32::MAX);
    let wanted: Vec<&'a IndicatorId> = match &req.indicators {
        Some(ids) => ids
            .iter()
            .map(|id| {
                catalog
                    .metrics
                    .indicators
                    .get_key_value(id)
                    .filter(|(_, levels)| levels.contains_key(&geography))
                    .map(|(id, _)| id)
                    .ok_or_else(|| {
                        ViewError::invalid(format!(
                            "indicators: '{id}' has no {geography} values; see /indicators?geography={geography}"
                        ))
                    })
            })
            .collect::<Result<_, _>>()?,
        None => catalog
            .metrics
            .indicators
            .iter()
            .filter(|(_, levels)| levels.contains_key(&geography))
            .map(|(id, _)| id)
            .collect(),
    };
    // A duplicate (equal to another indicator everywhere) is counted once, as the other.
    let mut skipped: Vec<SkippedIndicator<'a>> = Vec::new();
    let wanted: Vec<&'a IndicatorId> = wanted
        .into_iter()
        .filter(|id| {
            let twin = catalog
                .metrics
                .level(id, geography)
                .and_then(|l| l.info.duplicate_of.as_ref());
            if let Some(twin) = twin {
                skipped.push(SkippedIndicator {
                    indicator: id,
                    reason: format!(
                        "equal to {twin} wherever both have values: counted once, as {twin}"
                    ),
                });
            }
            twin.is_none()
        })
        .collect();
    // Each indicator's latest series at or before the year that holds the area.
    let resolved: Vec<(&'a IndicatorId, Option<Located<'a>>)> = wanted
        .into_iter()
        .map(|id| {
            let found = catalog
                .metrics
                .level(id, geography)
                .and_then(|level| latest_series(catalog, level, code, year));
            (id, found)
        })
        .collect();
    // Peers need one set of areas: the boundary version most of the indicators resolve to
    // (on a tie, the last of those first met).
    let mut counts: Vec<(&'a Layer, usize, usize)> = Vec::new();
    for located in resolved.iter().filter_map(|(_, r)| r.as_ref()) {
        match counts
            .iter_mut()
            .find(|(l, _, _)| l.id() == located.layer.id())
        {
            Some(c) => c.2 += 1,
            None => counts.push((located.layer, located.position, 1)),
        }
    }
    let Some((layer, target, _)) = counts.iter().max_by_key(|(_, _, n)| *n).copied() else {
        return Err(ViewError::not_found(format!(
            "'{code}' has no {geography} values at or before the year for these indicators"
        )));
    };
    let mut used: Vec<(&'a IndicatorId, i32, &'a Series)> = Vec::new();
    for (id, r) in &resolved {
        match r {
            Some(l) if l.layer.id() == layer.id() => used.push((id, l.year, l.series)),
            Some(l) => skipped.push(SkippedIndicator {
                indicator: id,
                reason: format!(
                    "its latest values at or before the year ({}) are on '{}', not '{}'",
                    l.year,
                    l.layer.id(),
                    layer.id()
                ),
            }),
            None => skipped.push(SkippedIndicator {
                indicator: id,
                reason: "no values for this area at or before the year".into(),
            }),
        }
    }
    let matrix: Vec<Vec<Option<f64>>> = (0..layer.areas.len())
        .map(|i| {
            used.iter()
                .map(|(_, _, s)| s.values.get(i).copied().flatten())
                .collect()
        })
        .collect();
    let exclude = if req.exclude_neighbours {
        layer.neighbour_indices(target)
    } else {
        Vec::new()
    };
    // A distance over few indicators is not comparable with one over many: by default a peer
    // must share at least half of the indicators the area itself has values for.
    let own_count = matrix
        .get(target)
        .map_or(0, |row| row.iter().flatten().count());
    let min_shared = req
        .min_shared
        .unwrap_or_else(|| own_count.div_ceil(2).max(1));
    let mut found =
        nearest_peers(target, &matrix, layer.areas.len(), &exclude).map_err(ViewError::internal)?;
    found.retain(|p| p.indicators_used >= min_shared);
    found.truncate(req.k);
    let peers = found
        .iter()
        .filter_map(|p| {
            let area = layer.areas.get(p.index)?;
            let contributions: Vec<(&'a IndicatorId, f64)> = used
                .iter()
                .zip(&p.contributions)
                .filter_map(|((id, _, _), c)| Some((*id, (*c)?)))
                .collect();
            let (mut better_on, mut worse_on) = (Vec::new(), Vec::new());
            for (k, ((id, _, series), c)) in used.iter().zip(&p.contributions).enumerate() {
                let (Some(c), Some(own), Some(theirs)) = (
                    *c,
                    matrix.get(target).and_then(|r| r.get(k)).copied().flatten(),
                    series.values.get(p.index).copied().flatten(),
                ) else {
                    continue;
                };
                let higher = catalog
                    .metrics
                    .level(id, geography)
                    .and_then(|l| l.info.higher_is_better);
                if c < NOTABLE_CONTRIBUTION || theirs == own {
                    continue;
                }
                match higher {
                    Some(h) if h == (theirs > own) => better_on.push(*id),
                    Some(_) => worse_on.push(*id),
                    None => {}
                }
            }
            Some(PeerRow {
                code: &area.code,
                name: &area.name,
                distance: round(p.distance, SCORE_DECIMALS),
                indicators_used: p.indicators_used,
                contributions: Contributions(
                    contributions
                        .into_iter()
                        .map(|(id, c)| (id, round(c, SCORE_DECIMALS)))
                        .collect(),
                ),
                better_on,
                worse_on,
            })
        })
        .collect();
    Ok(Peers {
        code: req.code.clone(),
        name: layer.areas.get(target).map(|a| a.name.as_str()),
        geography,
        layer: layer.id(),
        year: req.year,
        k: req.k,
        min_shared,
        exclude_neighbours: req.exclude_neighbours,
        method: PEERS_METHOD,
        indicators: used
            .iter()
            .map(|(id, year, _)| UsedIndicator {
                indicator: id,
                year: *year,
            })
            .collect(),
        skipped,
        peers,
    })
}

/// The geography asked for, or the only geography with a layer holding `code`.
fn geography_for(
    catalog: &Catalog,
    code: &str,
    geography: Option<Geography>,
) -> Result<Geography, ViewError> {
    if let Some(g) = geography {
        return Ok(g);
    }
    let mut found: Vec<Geography> = catalog
        .layers
        .iter()
        .filter(|l| l.position(code).is_some())
        .map(|l| l.spec.geography)
        .collect();
    found.dedup();
    match found.as_slice() {
        [] => Err(ViewError::not_found(format!(
            "no layer has an area with code '{code}'"
        ))),
        [only] => Ok(*only),
        many => Err(ViewError::invalid(format!(
            "geography: required, '{code}' exists in {}",
            choices(many)
        ))),
    }
}

/// A series located for one area: its year, its layer and the area's position in it.
#[derive(Clone, Copy)]
struct Located<'a> {
    year: i32,
    series: &'a Series,
    layer: &'a Layer,
    position: usize,
}

/// The latest series at or before `year` whose layer has `code`.
fn latest_series<'a>(
    catalog: &'a Catalog,
    level: &'a IndicatorLevel,
    code: &str,
    year: i32,
) -> Option<Located<'a>> {
    level.series.range(..=year).rev().find_map(|(y, series)| {
        let layer = catalog.layer(series.layer.as_str())?;
        let position = layer.position(code)?;
        Some(Located {
            year: *y,
            series,
            layer,
            position,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::fixture_catalog as fixture;

    fn profile_of(code: &str, geography: Option<Geography>, year: Option<i32>) -> Profile<'static> {
        let req = ProfileRequest {
            code: code.into(),
            geography,
            year,
        };
        profile(fixture(), &req).expect("a profile")
    }

    fn peers_request(code: &str) -> PeersRequest {
        PeersRequest {
            code: code.into(),
            geography: Some(Geography::Nuts3),
            year: Some(2016),
            indicators: Some(vec![IndicatorId::new("alpha"), IndicatorId::new("beta")]),
            k: 3,
            exclude_neighbours: false,
            min_shared: None,
        }
    }

    fn peer_codes(p: &Peers) -> Vec<String> {
        p.peers.iter().map(|p| p.code.to_string()).collect()
    }

    #[test]
    fn profile_rows_keep_every_field_when_an_area_has_no_data() {
        // G11 has no alpha values at or before 2015: the row is all nulls, but every key is there.
        let p = profile_of("G11", Some(Geography::Nuts3), Some(2015));
        let alpha = p
            .indicators
            .iter()
            .find(|r| r.indicator.as_str() == "alpha")
            .expect("an alpha row");
        let json = serde_json::to_value(alpha).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "indicator",
                "title",
                "unit",
                "unit_symbol",
                "higher_is_better",
                "framework_group",
                "year",
                "layer",
                "value",
                "rank",
                "of",
                "percentile",
                "good_percentile",
                "standing",
                "z_score",
                "median",
                "check_source",
                "duplicate_of",
                "caveats",
                "reason"
            ]
        );
        assert_eq!(json["median"], Value::Null);
        assert_eq!(
            json["reason"],
            "no values for this area at or before the year"
        );
        // A row with data has the same keys.
        let score = p
            .indicators
            .iter()
            .find(|r| r.indicator.as_str() == "score")
            .expect("a score row");
        let with_data = serde_json::to_value(score).unwrap();
        let data_keys: Vec<&str> = with_data
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(data_keys, keys);
        assert_eq!(with_data["reason"], Value::Null);
    }

    #[test]
    fn profile_takes_the_latest_year_at_or_before_and_puts_the_strongest_first() {
        let p = profile_of("G11", None, Some(2015));
        assert_eq!(
            (p.name, p.geography, p.year),
            ("Grid 1,1", Geography::Nuts3, Some(2015))
        );
        let score = p
            .indicators
            .iter()
            .find(|r| r.indicator.as_str() == "score")
            .expect("a score row");
        assert_eq!(
            (score.year, score.value, score.of, score.median),
            (Some(2014), Some(1.0), Some(1), Some(1.0))
        );
        let latest = profile_of("G11", Some(Geography::Nuts3), None);
        assert_eq!(latest.year, None);
        // G11 has the lowest alpha (lower is better: a strength at 100 − 5.6 = 94.4), the top
        // score (higher is better: 93.8) and the highest beta (neutral: listed apart).
        type Row<'r> = (&'r str, Option<f64>, Option<f64>, Option<Standing>);
        let order: Vec<Row> = latest
            .indicators
            .iter()
            .map(|r| {
                (
                    r.indicator.as_str(),
                    r.percentile,
                    r.good_percentile,
                    r.standing,
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("alpha", Some(5.6), Some(94.4), Some(Standing::Strength)),
                ("score", Some(93.8), Some(93.8), Some(Standing::Strength)),
                ("beta", Some(94.4), None, Some(Standing::Neutral)),
            ]
        );
        let ids = |v: &[&IndicatorId]| v.iter().map(|i| i.to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&latest.strengths), ["alpha", "score"]);
        assert!(latest.weaknesses.is_empty());
        assert_eq!(ids(&latest.neutral), ["beta"]);
        // G33, at the other corner, has alpha 9: a weakness where lower is better.
        let g33 = profile_of("G33", Some(Geography::Nuts3), None);
        assert_eq!(ids(&g33.weaknesses), ["alpha"]);
        let score = latest
            .indicators
            .iter()
            .find(|r| r.indicator.as_str() == "score")
            .expect("a score row");
        assert_eq!(
            (score.year, score.rank, score.of),
            (Some(2016), Some(1), Some(8))
        );
    }

    #[test]
    fn profile_errors_name_the_code() {
        let req = |code: &str, geography| ProfileRequest {
            code: code.into(),
            geography,
            year: None,
        };
        assert_eq!(
            profile(fixture(), &req("ZZ", None)).unwrap_err(),
            ViewError::not_found("no layer has an area with code 'ZZ'")
        );
        assert_eq!(
            profile(fixture(), &req("G11", Some(Geography::Lep))).unwrap_err(),
            ViewError::not_found("no lep area has code 'G11'")
        );
    }

    #[test]
    fn peers_are_nearest_in_z_space_and_contributions_sum_to_distance_squared() {
        let p = peers(fixture(), &peers_request("G11")).unwrap();
        assert_eq!(peer_codes(&p), ["G12", "G13", "G21"]);
        assert_eq!((p.layer.as_str(), p.k, p.min_shared), ("grid", 3, 1));
        assert!(p.skipped.is_empty());
        let first = &p.peers[0];
        let step = 1.0 / (60.0f64 / 9.0).sqrt();
        // Distances and contributions are written to 3 decimals.
        assert!((first.distance - (2.0 * step * step).sqrt()).abs() <= 5e-4);
        let sum: f64 = first.contributions.0.iter().map(|(_, c)| c).sum();
        assert!((sum - first.distance.powi(2)).abs() < 5e-3);
        let json = serde_json::to_value(first).unwrap();
        let keys: Vec<&String> = json["contributions"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["alpha", "beta"], "an object in indicator order");

        let far = PeersRequest {
            k: 2,
            exclude_neighbours: true,
            ..peers_request("G11")
        };
        let far = peers(fixture(), &far).unwrap();
        assert_eq!(
            peer_codes(&far),
            ["G13", "G23"],
            "G12, G21 and G22 are neighbours"
        );
    }

    #[test]
    fn peers_errors_say_what_does_not_fit() {
        let unknown = PeersRequest {
            indicators: Some(vec![IndicatorId::new("nope")]),
            ..peers_request("G11")
        };
        assert_eq!(
            peers(fixture(), &unknown).unwrap_err(),
            ViewError::invalid(
                "indicators: 'nope' has no nuts3 values; see /indicators?geography=nuts3"
            )
        );
        let too_early = PeersRequest {
            code: "A".into(),
            geography: None,
            year: Some(2010),
            indicators: None,
            ..peers_request("A")
        };
        assert_eq!(
            peers(fixture(), &too_early).unwrap_err(),
            ViewError::not_found(
                "no lep indicator has values for 2010; years run from 2012 to 2018"
            )
        );
    }

    #[test]
    fn neighbours_carry_relation_length_and_difference() {
        let catalog = fixture();
        let grid = catalog.layer("grid").expect("the grid layer");
        let g11 = grid.position("G11").expect("G11");
        let score =
            crate::views::resolve::resolve(catalog, "score", Some(Geography::Nuts3), Some(2016))
                .expect("score 2016");
        let with = neighbours(grid, g11, Some((&score.series.values, 0)));
        let codes: Vec<&str> = with
            .iter()
            .filter_map(|n| grid.areas.get(n.index).map(|a| a.code.as_str()))
            .collect();
        assert_eq!(codes, ["G12", "G21", "G22"]);
        let differences: Vec<Option<f64>> = with.iter().map(|n| n.properties.difference).collect();
        assert_eq!(
            differences,
            [Some(-2.0), Some(-4.0), None],
            "G22 has no score"
        );
        assert!(with
            .iter()
            .all(|n| n.properties.relation == Relation::Touches));

        // Without an indicator the difference is null, and still a key.
        let without = neighbours(grid, g11, None);
        let map = without[0].properties.to_map().unwrap();
        let keys: Vec<&String> = map.keys().collect();
        assert_eq!(keys, ["relation", "shared_km", "difference"]);
        assert_eq!(map["difference"], Value::Null);
        assert_eq!(map["relation"], "touches");
        let km = map["shared_km"].as_f64().unwrap();
        assert_eq!(km, (km * 1000.0).round() / 1000.0, "rounded to the metre");
    }
}
