//! The consistency audit run once at load: the totals of every `sum` indicator compared across
//! levels, and totals that look like another indicator's money. Values are never changed; what
//! does not add up is reported and becomes a caveat of the indicator.

use super::join::LayerCodes;
use super::{IndicatorLevel, MetricsStore, Series};
use crate::load::Aggregation;
use crate::model::{AreaCode, Geography, IndicatorId, LayerId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How far the parts' sum may stray from the whole when the areas nest exactly (published
/// rounding and survey estimates made separately per level stay well inside it).
pub const NESTED_TOLERANCE: f64 = 0.05;
/// How far the LEPs' sum may fall short of England's NUTS 2 total (the LEPs cover England).
pub const LEP_SHORTFALL: f64 = 0.05;
/// How far the LEPs' sum may exceed England's NUTS 2 total: LEPs that share districts count
/// those districts twice.
pub const LEP_OVERLAP_ALLOWANCE: f64 = 0.15;
/// A non-money total whose yearly sums are at least this many times the largest money total of
/// the same source, at the same level, in every year, looks like money.
pub const SWAP_FACTOR: f64 = 10.0;
/// The fewest shared years a look-swapped pair needs.
pub const SWAP_MIN_YEARS: usize = 3;

/// One way of comparing totals across levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Each NUTS 2 area against the sum of its NUTS 3 areas (the NUTS 3 codes that extend its
    /// code by one character), same NUTS version, over the NUTS 2 areas whose NUTS 3 areas all
    /// have a value.
    Nuts3WithinNuts2,
    /// The national total implied by NUTS 3 against the one implied by NUTS 2: the UK when every
    /// NUTS 2 area has a value, else England when every English one has.
    NationalTotal,
    /// The sum over every LEP against the sum over England's NUTS 2 areas: both cover England.
    LepsAgainstNuts2England,
}

impl Comparison {
    const ALL: [Comparison; 3] = [
        Comparison::Nuts3WithinNuts2,
        Comparison::NationalTotal,
        Comparison::LepsAgainstNuts2England,
    ];

    /// Exact comparisons are of areas that nest or of one territory; approximate ones allow for
    /// overlapping areas.
    pub fn exact(self) -> bool {
        !matches!(self, Comparison::LepsAgainstNuts2England)
    }

    /// The ratio (finer sum / coarser sum) that still agrees.
    pub fn allowed(self) -> [f64; 2] {
        match self {
            Comparison::Nuts3WithinNuts2 | Comparison::NationalTotal => {
                [1.0 - NESTED_TOLERANCE, 1.0 + NESTED_TOLERANCE]
            }
            Comparison::LepsAgainstNuts2England => {
                [1.0 - LEP_SHORTFALL, 1.0 + LEP_OVERLAP_ALLOWANCE]
            }
        }
    }

    fn levels(self) -> (Geography, Geography) {
        match self {
            Comparison::Nuts3WithinNuts2 | Comparison::NationalTotal => {
                (Geography::Nuts3, Geography::Nuts2)
            }
            Comparison::LepsAgainstNuts2England => (Geography::Lep, Geography::Nuts2),
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Comparison::Nuts3WithinNuts2 => "exact: each NUTS 2 area against the sum of its NUTS 3 areas (same NUTS version), over the NUTS 2 areas whose NUTS 3 areas all have a value; the ratio of the sums over those areas must lie within 5% of 1",
            Comparison::NationalTotal => "exact: the national total implied by NUTS 3 against that implied by NUTS 2 (the UK when every NUTS 2 area has a value, else England); when some NUTS 3 areas lack a value their sum is a lower bound and only a sum already beyond the range fails",
            Comparison::LepsAgainstNuts2England => "approximate: the sum over every LEP against the sum over England's NUTS 2 areas; LEPs that share districts count them twice, so the LEPs may exceed England by up to 15% and fall short by 5%; when some LEPs lack a value their sum is a lower bound",
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            Comparison::Nuts3WithinNuts2 => "the NUTS 3 areas sum to",
            Comparison::NationalTotal => "the national total over NUTS 3 is",
            Comparison::LepsAgainstNuts2England => "the LEPs sum to",
        }
    }

    fn of_what(self) -> &'static str {
        match self {
            Comparison::Nuts3WithinNuts2 => "their NUTS 2 areas' values",
            Comparison::NationalTotal => "the one over NUTS 2",
            Comparison::LepsAgainstNuts2England => "England's NUTS 2 total",
        }
    }
}

/// The audit's findings, as `/join-report` serves them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Consistency {
    /// Each comparison: its rule and how many indicator-years it judged.
    pub comparisons: Vec<ComparisonSummary>,
    /// The rule for a pair that looks swapped, in words.
    pub swap_rule: String,
    /// Every indicator-year whose totals do not agree, with the figures.
    pub discrepancies: Vec<Discrepancy>,
    /// Non-money totals whose sums look like another indicator's money.
    pub swapped: Vec<SwappedPair>,
    /// Indicators with a discrepancy or in a look-swapped pair; each carries a caveat.
    pub failing: Vec<IndicatorId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComparisonSummary {
    pub comparison: Comparison,
    pub exact: bool,
    pub finer: Geography,
    pub coarser: Geography,
    /// The lowest and highest ratio (finer / coarser) that agrees.
    pub allowed: [f64; 2],
    pub rule: &'static str,
    /// Indicator-years judged, and how many of them agree.
    pub judged: usize,
    pub agreed: usize,
    /// Indicator-years with both levels but not judged (areas without values, different NUTS
    /// versions, or a zero total).
    pub not_judged: usize,
}

/// One indicator-year whose totals at two levels disagree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discrepancy {
    pub indicator: IndicatorId,
    pub year: i32,
    pub comparison: Comparison,
    pub exact: bool,
    pub finer: Geography,
    pub finer_layer: LayerId,
    pub coarser: Geography,
    pub coarser_layer: LayerId,
    /// `UK` or `England` for a national total; for NUTS 3 within NUTS 2, how many NUTS 2 areas.
    pub scope: String,
    pub finer_sum: f64,
    pub coarser_sum: f64,
    /// `finer_sum / coarser_sum`.
    pub ratio: f64,
    pub allowed: [f64; 2],
    /// False when some finer areas lack a value: `finer_sum` is then a lower bound.
    pub finer_complete: bool,
    /// For NUTS 3 within NUTS 2: the NUTS 2 area furthest from its parts.
    pub worst_area: Option<AreaTotals>,
}

/// One area against the sum of its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaTotals {
    pub code: String,
    pub parts_sum: f64,
    pub value: f64,
    pub ratio: f64,
}

/// A non-money total that sums like another indicator's money.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwappedPair {
    pub geography: Geography,
    /// The total that is not money (e.g. a count of projects), and its unit.
    pub total: IndicatorId,
    pub total_unit: String,
    /// The largest money total of the same source.
    pub money: IndicatorId,
    pub money_unit: String,
    pub source: String,
    pub years: Vec<i32>,
    /// The lowest and highest yearly sum over every area, of each.
    pub total_sums: [f64; 2],
    pub money_sums: [f64; 2],
    /// The lowest and highest yearly `total_sum / money_sum`.
    pub factor: [f64; 2],
}

/// Sums of one series over some of its areas.
struct Sum {
    sum: f64,
    /// Every area counted has a value.
    complete: bool,
}

fn values_of(series: &Series, keep: impl Fn(&str) -> bool, codes: &[String]) -> Sum {
    let mut sum = Sum {
        sum: 0.0,
        complete: true,
    };
    for (i, code) in codes.iter().enumerate() {
        if !keep(code) {
            continue;
        }
        match series.values.get(i).copied().flatten() {
            Some(v) => sum.sum += v,
            None => sum.complete = false,
        }
    }
    sum
}

fn in_england(code: &str) -> bool {
    AreaCode::new(code).in_england()
}

/// What one comparison of one indicator-year found.
enum Verdict {
    NotJudged,
    Agrees,
    Disagrees(Discrepancy),
}

/// The parts' sum against the whole's: agrees within `allowed`; a lower bound (incomplete
/// parts) only disagrees when already above the range.
#[allow(clippy::too_many_arguments)]
fn judge(
    comparison: Comparison,
    id: &IndicatorId,
    year: i32,
    (finer, coarser): (&Series, &Series),
    scope: String,
    parts: Sum,
    whole: f64,
    worst_area: Option<AreaTotals>,
) -> Verdict {
    if whole <= 0.0 || !whole.is_finite() || !parts.sum.is_finite() {
        return Verdict::NotJudged;
    }
    let ratio = parts.sum / whole;
    let allowed = comparison.allowed();
    let agrees = ratio <= allowed[1] && (!parts.complete || ratio >= allowed[0]);
    if agrees {
        return Verdict::Agrees;
    }
    let (finer_level, coarser_level) = comparison.levels();
    Verdict::Disagrees(Discrepancy {
        indicator: id.clone(),
        year,
        comparison,
        exact: comparison.exact(),
        finer: finer_level,
        finer_layer: finer.layer.clone(),
        coarser: coarser_level,
        coarser_layer: coarser.layer.clone(),
        scope,
        finer_sum: round(parts.sum, 2),
        coarser_sum: round(whole, 2),
        ratio: round(ratio, 4),
        allowed,
        finer_complete: parts.complete,
        worst_area,
    })
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// NUTS 2 areas against their NUTS 3 areas, over the NUTS 2 areas whose parts all have values.
fn nuts3_within_nuts2(
    id: &IndicatorId,
    year: i32,
    nuts3: &Series,
    nuts2: &Series,
    codes: &LayerCodes,
) -> Verdict {
    if nuts3.code_vintage != nuts2.code_vintage {
        return Verdict::NotJudged;
    }
    let mut parts_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (j, code) in codes.codes(&nuts3.layer).iter().enumerate() {
        let parent = code
            .char_indices()
            .last()
            .and_then(|(cut, _)| code.get(..cut));
        if let Some(parent) = parent {
            parts_of.entry(parent).or_default().push(j);
        }
    }
    let (mut parts_sum, mut whole_sum, mut areas) = (0.0, 0.0, 0usize);
    let mut worst: Option<AreaTotals> = None;
    for (i, code) in codes.codes(&nuts2.layer).iter().enumerate() {
        let (Some(value), Some(parts)) = (
            nuts2.values.get(i).copied().flatten(),
            parts_of.get(code.as_str()),
        ) else {
            continue;
        };
        let part_values: Option<Vec<f64>> = parts
            .iter()
            .map(|j| nuts3.values.get(*j).copied().flatten())
            .collect();
        let Some(part_values) = part_values else {
            continue;
        };
        let sum: f64 = part_values.iter().sum();
        parts_sum += sum;
        whole_sum += value;
        areas += 1;
        if value > 0.0 && sum > 0.0 {
            let ratio = sum / value;
            let further = worst
                .as_ref()
                .is_none_or(|w| ratio.ln().abs() > w.ratio.ln().abs());
            if further {
                worst = Some(AreaTotals {
                    code: code.clone(),
                    parts_sum: round(sum, 2),
                    value: round(value, 2),
                    ratio,
                });
            }
        }
    }
    if areas == 0 {
        return Verdict::NotJudged;
    }
    let worst = worst.map(|w| AreaTotals {
        ratio: round(w.ratio, 4),
        ..w
    });
    let parts = Sum {
        sum: parts_sum,
        complete: true,
    };
    let scope = format!("{areas} NUTS 2 areas");
    let series = (nuts3, nuts2);
    judge(
        Comparison::Nuts3WithinNuts2,
        id,
        year,
        series,
        scope,
        parts,
        whole_sum,
        worst,
    )
}

/// The national total implied by NUTS 3 against NUTS 2's: the UK if NUTS 2 is complete there,
/// else England.
fn national_total(
    id: &IndicatorId,
    year: i32,
    nuts3: &Series,
    nuts2: &Series,
    codes: &LayerCodes,
) -> Verdict {
    let (codes3, codes2) = (codes.codes(&nuts3.layer), codes.codes(&nuts2.layer));
    let uk = values_of(nuts2, |_| true, codes2);
    let (scope, whole, parts) = if uk.complete {
        ("UK", uk, values_of(nuts3, |_| true, codes3))
    } else {
        let england = values_of(nuts2, in_england, codes2);
        if !england.complete {
            return Verdict::NotJudged;
        }
        ("England", england, values_of(nuts3, in_england, codes3))
    };
    let series = (nuts3, nuts2);
    let scope = scope.to_string();
    judge(
        Comparison::NationalTotal,
        id,
        year,
        series,
        scope,
        parts,
        whole.sum,
        None,
    )
}

/// Every LEP against England's NUTS 2 areas.
fn leps_against_england(
    id: &IndicatorId,
    year: i32,
    lep: &Series,
    nuts2: &Series,
    codes: &LayerCodes,
) -> Verdict {
    let england = values_of(nuts2, in_england, codes.codes(&nuts2.layer));
    if !england.complete {
        return Verdict::NotJudged;
    }
    let leps = values_of(lep, |_| true, codes.codes(&lep.layer));
    let scope = "England".to_string();
    judge(
        Comparison::LepsAgainstNuts2England,
        id,
        year,
        (lep, nuts2),
        scope,
        leps,
        england.sum,
        None,
    )
}

fn is_sum(level: &IndicatorLevel) -> bool {
    level.info.aggregation == Some(Aggregation::Sum)
}

fn is_money(level: &IndicatorLevel) -> bool {
    matches!(level.info.unit_symbol.as_str(), "£" | "€")
}

/// Each year's sum over every area with a value.
fn yearly_sums(level: &IndicatorLevel) -> BTreeMap<i32, f64> {
    level
        .series
        .iter()
        .map(|(year, s)| (*year, s.values.iter().flatten().sum()))
        .collect()
}

fn span(xs: impl Iterator<Item = f64>) -> [f64; 2] {
    xs.fold([f64::INFINITY, f64::NEG_INFINITY], |[lo, hi], x| {
        [lo.min(x), hi.max(x)]
    })
}

/// Non-money `sum` indicators whose yearly sums are at least [`SWAP_FACTOR`] times the largest
/// money total of the same source and level, in each of at least [`SWAP_MIN_YEARS`] shared years.
pub fn find_swapped(store: &MetricsStore) -> Vec<SwappedPair> {
    let mut found = Vec::new();
    let mut by_level: BTreeMap<Geography, Vec<(&IndicatorId, &IndicatorLevel)>> = BTreeMap::new();
    for (id, levels) in &store.indicators {
        for (geography, level) in levels {
            if is_sum(level) && !level.info.source_name.is_empty() {
                by_level.entry(*geography).or_default().push((id, level));
            }
        }
    }
    for (geography, indicators) in by_level {
        for (total, level) in indicators.iter().filter(|(_, l)| !is_money(l)) {
            let money: Vec<_> = indicators
                .iter()
                .filter(|(_, m)| is_money(m) && m.info.source_name == level.info.source_name)
                .map(|(id, m)| (*id, m, yearly_sums(m)))
                .collect();
            let sums = yearly_sums(level);
            let mut rows = Vec::new();
            for (year, sum) in &sums {
                let largest = money
                    .iter()
                    .filter_map(|(id, m, s)| Some((*id, *m, *s.get(year)?)))
                    .max_by(|a, b| a.2.total_cmp(&b.2));
                if let Some(largest) = largest {
                    rows.push((*year, *sum, largest));
                }
            }
            let swapped = rows.len() >= SWAP_MIN_YEARS
                && rows
                    .iter()
                    .all(|(_, sum, (_, _, m))| *m > 0.0 && *sum >= SWAP_FACTOR * m);
            let Some((_, _, (money_id, money_level, _))) = rows.first() else {
                continue;
            };
            if !swapped {
                continue;
            }
            found.push(SwappedPair {
                geography,
                total: (*total).clone(),
                total_unit: level.info.unit.clone(),
                money: (*money_id).clone(),
                money_unit: money_level.info.unit.clone(),
                source: level.info.source_name.clone(),
                years: rows.iter().map(|r| r.0).collect(),
                total_sums: span(rows.iter().map(|r| round(r.1, 2))),
                money_sums: span(rows.iter().map(|r| round(r.2 .2, 2))),
                factor: span(rows.iter().map(|r| round(r.1 / r.2 .2, 2))),
            });
        }
    }
    found
}

/// Compares the totals of every `sum` indicator across levels, year by year.
pub fn find_discrepancies(store: &MetricsStore, codes: &LayerCodes) -> Findings {
    let mut summaries: BTreeMap<Comparison, ComparisonSummary> = Comparison::ALL
        .iter()
        .map(|c| {
            let (finer, coarser) = c.levels();
            let summary = ComparisonSummary {
                comparison: *c,
                exact: c.exact(),
                finer,
                coarser,
                allowed: c.allowed(),
                rule: c.rule(),
                judged: 0,
                agreed: 0,
                not_judged: 0,
            };
            (*c, summary)
        })
        .collect();
    let mut found = Vec::new();
    let mut judged = BTreeMap::new();
    for (id, levels) in &store.indicators {
        let Some(nuts2) = levels.get(&Geography::Nuts2).filter(|l| is_sum(l)) else {
            continue;
        };
        for (year, coarser) in &nuts2.series {
            let finer_of = |g: Geography| levels.get(&g)?.series.get(year);
            let mut verdicts = Vec::new();
            if let Some(nuts3) = finer_of(Geography::Nuts3) {
                verdicts.push((
                    Comparison::Nuts3WithinNuts2,
                    nuts3_within_nuts2(id, *year, nuts3, coarser, codes),
                ));
                verdicts.push((
                    Comparison::NationalTotal,
                    national_total(id, *year, nuts3, coarser, codes),
                ));
            }
            if let Some(lep) = finer_of(Geography::Lep) {
                verdicts.push((
                    Comparison::LepsAgainstNuts2England,
                    leps_against_england(id, *year, lep, coarser, codes),
                ));
            }
            for (comparison, verdict) in verdicts {
                let Some(summary) = summaries.get_mut(&comparison) else {
                    continue;
                };
                if matches!(verdict, Verdict::NotJudged) {
                    summary.not_judged += 1;
                    continue;
                }
                summary.judged += 1;
                *judged.entry((id.clone(), comparison)).or_insert(0) += 1;
                match verdict {
                    Verdict::Disagrees(d) => found.push(d),
                    _ => summary.agreed += 1,
                }
            }
        }
    }
    Findings {
        summaries: summaries.into_values().collect(),
        discrepancies: found,
        judged,
    }
}

/// What [`find_discrepancies`] found.
pub struct Findings {
    pub summaries: Vec<ComparisonSummary>,
    pub discrepancies: Vec<Discrepancy>,
    /// Indicator-years judged, per indicator and comparison.
    pub judged: BTreeMap<(IndicatorId, Comparison), usize>,
}

/// `£17.1 million`: an amount in words, with the unit's symbol where it is money.
fn amount(x: f64, symbol: &str) -> String {
    let symbol = if matches!(symbol, "£" | "€") {
        symbol
    } else {
        ""
    };
    let (scaled, word) = match x.abs() {
        a if a >= 1e9 => (x / 1e9, " billion"),
        a if a >= 1e6 => (x / 1e6, " million"),
        _ => (x, ""),
    };
    let decimals = if word.is_empty() { 0 } else { 1 };
    format!("{symbol}{scaled:.decimals$}{word}")
}

fn range(lo: f64, hi: f64, fmt: impl Fn(f64) -> String) -> String {
    if fmt(lo) == fmt(hi) {
        fmt(lo)
    } else {
        format!("{}–{}", fmt(lo), fmt(hi))
    }
}

/// One caveat per failing comparison of an indicator, with the range of ratios and the years.
fn discrepancy_caveats(
    found: &[&Discrepancy],
    judged: &BTreeMap<(IndicatorId, Comparison), usize>,
) -> Vec<String> {
    let mut by_comparison: BTreeMap<Comparison, Vec<&Discrepancy>> = BTreeMap::new();
    for d in found {
        by_comparison.entry(d.comparison).or_default().push(d);
    }
    by_comparison
        .into_iter()
        .map(|(comparison, ds)| {
            let [lo, hi] = span(ds.iter().map(|d| d.ratio));
            let [first, last] = span(ds.iter().map(|d| f64::from(d.year)));
            let (kind, why) = if comparison.exact() {
                ("an exact comparison", "where a total must agree")
            } else {
                (
                    "an approximate comparison",
                    "more than overlapping areas explain",
                )
            };
            format!(
                "Totals do not add up ({kind}): {} {}× {} in {} of {} years judged ({}), {why} (figures in /join-report)",
                comparison.phrase(),
                range(lo, hi, |r| format!("{r:.2}")),
                comparison.of_what(),
                ds.len(),
                ds.first()
                    .and_then(|d| judged.get(&(d.indicator.clone(), comparison)))
                    .copied()
                    .unwrap_or(ds.len()),
                range(first, last, |y| format!("{y:.0}")),
            )
        })
        .collect()
}

/// Runs the audit, records it in the report and gives every failing indicator its caveats (on
/// every level). No value is changed.
pub fn check(store: &mut MetricsStore, codes: &LayerCodes) {
    let Findings {
        summaries: comparisons,
        discrepancies,
        judged,
    } = find_discrepancies(store, codes);
    let swapped = find_swapped(store);
    let mut caveats: BTreeMap<IndicatorId, Vec<String>> = BTreeMap::new();
    let failing: BTreeSet<IndicatorId> = discrepancies
        .iter()
        .map(|d| &d.indicator)
        .chain(swapped.iter().flat_map(|p| [&p.total, &p.money]))
        .cloned()
        .collect();
    for id in &failing {
        let mine: Vec<&Discrepancy> = discrepancies
            .iter()
            .filter(|d| &d.indicator == id)
            .collect();
        let list = caveats.entry(id.clone()).or_default();
        list.extend(discrepancy_caveats(&mine, &judged));
    }
    for p in &swapped {
        let symbol = |id: &IndicatorId| {
            store
                .level(id, p.geography)
                .map(|l| l.info.unit_symbol.clone())
                .unwrap_or_default()
        };
        let (ts, ms) = (symbol(&p.total), symbol(&p.money));
        let years = range(
            f64::from(p.years.first().copied().unwrap_or_default()),
            f64::from(p.years.last().copied().unwrap_or_default()),
            |y| format!("{y:.0}"),
        );
        let total_sums = range(p.total_sums[0], p.total_sums[1], |x| amount(x, &ts));
        let money_sums = range(p.money_sums[0], p.money_sums[1], |x| amount(x, &ms));
        let factor = range(p.factor[0], p.factor[1], |x| format!("{x:.0}"));
        caveats.entry(p.total.clone()).or_default().push(format!(
            "Looks swapped with {}: its {} sums ({}, in {}) are {}× the {} of {}, the largest money total of the same source, every year {}",
            p.money, p.geography, total_sums, p.total_unit, factor, money_sums, p.money, years
        ));
        caveats.entry(p.money.clone()).or_default().push(format!(
            "Looks swapped with {}: that indicator's {} sums ({}, given in {}) are {}× this one's ({}) every year {}, as if it held this source's money",
            p.total, p.geography, total_sums, p.total_unit, factor, money_sums, years
        ));
    }
    for (id, list) in caveats {
        if let Some(levels) = store.indicators.get_mut(&id) {
            for level in levels.values_mut() {
                level.info.caveats.extend(list.iter().cloned());
            }
        }
    }
    store.report.consistency = Consistency {
        comparisons,
        swap_rule: format!(
            "a sum indicator whose unit is not money, with yearly sums (over every area of a level) at least {SWAP_FACTOR}× those of the largest money sum indicator of the same source at that level, in each of at least {SWAP_MIN_YEARS} shared years"
        ),
        discrepancies,
        swapped,
        failing: failing.into_iter().collect(),
    };
}

/// Whether the audit found an indicator's totals consistent (it is not among the failing).
pub fn passes(store: &MetricsStore, id: &IndicatorId) -> bool {
    !store.report.consistency.failing.contains(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::metrics::IndicatorInfo;
    use crate::model::Area;
    use geo::{Coord, MultiPolygon, Rect};

    const NUTS2: [&str; 3] = ["UKC1", "UKC2", "UKM1"];
    const NUTS3: [&str; 4] = ["UKC11", "UKC12", "UKC21", "UKM11"];
    const LEPS: [&str; 2] = ["E37000001", "E37000002"];

    fn areas(codes: &[&str]) -> Vec<Area> {
        let square = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 });
        codes
            .iter()
            .map(|c| {
                let geometry = MultiPolygon::new(vec![square.to_polygon()]);
                Area::new(
                    AreaCode::new(*c),
                    c.to_string(),
                    Default::default(),
                    geometry,
                )
                .unwrap()
            })
            .collect()
    }

    fn codes() -> LayerCodes {
        let (n2, n3, lep) = (areas(&NUTS2), areas(&NUTS3), areas(&LEPS));
        let ids = [LayerId::new("n2"), LayerId::new("n3"), LayerId::new("lep")];
        LayerCodes::new([
            (&ids[0], n2.as_slice()),
            (&ids[1], n3.as_slice()),
            (&ids[2], lep.as_slice()),
        ])
    }

    fn some(xs: &[f64]) -> Vec<Option<f64>> {
        xs.iter().map(|x| Some(*x)).collect()
    }

    /// A `sum` indicator level of `source` in `symbol`, one series per (year, layer, values).
    fn level(
        symbol: &str,
        source: &str,
        series: &[(i32, &str, Vec<Option<f64>>)],
    ) -> IndicatorLevel {
        IndicatorLevel {
            info: IndicatorInfo {
                aggregation: Some(Aggregation::Sum),
                unit: if symbol.is_empty() {
                    "projects"
                } else {
                    "pounds"
                }
                .into(),
                unit_symbol: symbol.into(),
                source_name: source.into(),
                caveats: vec!["Reviewed caveat".into()],
                ..IndicatorInfo::default()
            },
            series: series
                .iter()
                .map(|(year, layer, values)| {
                    let s = Series {
                        layer: LayerId::new(*layer),
                        code_vintage: "2016".into(),
                        values: values.clone(),
                        check_source: Vec::new(),
                    };
                    (*year, s)
                })
                .collect(),
        }
    }

    fn store(indicators: Vec<(&str, Vec<(Geography, IndicatorLevel)>)>) -> MetricsStore {
        MetricsStore {
            indicators: indicators
                .into_iter()
                .map(|(id, levels)| (IndicatorId::new(id), levels.into_iter().collect()))
                .collect(),
            ..MetricsStore::default()
        }
    }

    /// Totals that agree: NUTS 3 sums exactly to NUTS 2, the LEPs exceed England by 6.7%.
    fn agreeing() -> (&'static str, Vec<(Geography, IndicatorLevel)>) {
        let (src, gbp) = ("Source S", "£");
        (
            "good",
            vec![
                (
                    Geography::Nuts2,
                    level(gbp, src, &[(2015, "n2", some(&[100.0, 50.0, 10.0]))]),
                ),
                (
                    Geography::Nuts3,
                    level(gbp, src, &[(2015, "n3", some(&[60.0, 40.0, 50.0, 10.0]))]),
                ),
                (
                    Geography::Lep,
                    level(gbp, src, &[(2015, "lep", some(&[90.0, 70.0]))]),
                ),
            ],
        )
    }

    /// Totals that do not: UKC1's parts sum to 4× it, UKC21 has no value, LEPs are 1.33×.
    fn disagreeing() -> (&'static str, Vec<(Geography, IndicatorLevel)>) {
        let (src, gbp) = ("Source T", "£");
        let nuts3 = vec![Some(300.0), Some(100.0), None, Some(10.0)];
        (
            "bad",
            vec![
                (
                    Geography::Nuts2,
                    level(gbp, src, &[(2015, "n2", some(&[100.0, 50.0, 10.0]))]),
                ),
                (Geography::Nuts3, level(gbp, src, &[(2015, "n3", nuts3)])),
                (
                    Geography::Lep,
                    level(gbp, src, &[(2015, "lep", some(&[100.0, 100.0]))]),
                ),
            ],
        )
    }

    #[test]
    fn totals_that_agree_pass_every_comparison_and_keep_their_caveats() {
        let mut s = store(vec![agreeing()]);
        check(&mut s, &codes());
        let c = &s.report.consistency;
        assert!(c.discrepancies.is_empty(), "{:?}", c.discrepancies);
        assert!(c.failing.is_empty());
        assert!(passes(&s, &IndicatorId::new("good")));
        for summary in &c.comparisons {
            assert_eq!((summary.judged, summary.agreed), (1, 1), "{summary:?}");
        }
        let level = s.level(&IndicatorId::new("good"), Geography::Lep).unwrap();
        assert_eq!(level.info.caveats, ["Reviewed caveat"]);
    }

    #[test]
    fn totals_that_disagree_are_reported_with_their_figures_and_values_stay() {
        let mut s = store(vec![disagreeing()]);
        check(&mut s, &codes());
        let c = &s.report.consistency;
        let by = |k: Comparison| c.discrepancies.iter().find(|d| d.comparison == k).unwrap();

        // Within: UKC1 (parts 300 + 100) and UKM1 (10) are complete; UKC2 lacks UKC21.
        let within = by(Comparison::Nuts3WithinNuts2);
        assert_eq!((within.finer_sum, within.coarser_sum), (410.0, 110.0));
        assert_eq!(within.ratio, 3.7273);
        assert_eq!(within.scope, "2 NUTS 2 areas");
        assert!(within.exact && within.finer_complete);
        let worst = within.worst_area.as_ref().unwrap();
        assert_eq!(
            (
                worst.code.as_str(),
                worst.parts_sum,
                worst.value,
                worst.ratio
            ),
            ("UKC1", 400.0, 100.0, 4.0)
        );

        // National: the UK's NUTS 3 sum is a lower bound (410), already 2.56× NUTS 2's 160.
        let national = by(Comparison::NationalTotal);
        assert_eq!(
            (
                national.scope.as_str(),
                national.finer_sum,
                national.coarser_sum
            ),
            ("UK", 410.0, 160.0)
        );
        assert_eq!(national.ratio, 2.5625);
        assert!(!national.finer_complete);

        // LEPs: 200 against England's 150 (UKM1 is Scotland): approximate, beyond 15%.
        let leps = by(Comparison::LepsAgainstNuts2England);
        assert_eq!(
            (leps.finer_sum, leps.coarser_sum, leps.ratio),
            (200.0, 150.0, 1.3333)
        );
        assert!(!leps.exact);
        assert_eq!(leps.allowed, [0.95, 1.15]);
        assert_eq!(
            (leps.finer, leps.coarser, leps.year),
            (Geography::Lep, Geography::Nuts2, 2015)
        );

        assert_eq!(c.failing, [IndicatorId::new("bad")]);
        assert!(!passes(&s, &IndicatorId::new("bad")));
        // Every level carries the caveats, after the reviewed one; no value changed.
        for g in [Geography::Nuts2, Geography::Nuts3, Geography::Lep] {
            let level = s.level(&IndicatorId::new("bad"), g).unwrap();
            assert_eq!(level.info.caveats.len(), 4, "{:?}", level.info.caveats);
            assert_eq!(level.info.caveats[0], "Reviewed caveat");
        }
        let caveats = &s
            .level(&IndicatorId::new("bad"), Geography::Lep)
            .unwrap()
            .info
            .caveats;
        assert_eq!(
            caveats[1],
            "Totals do not add up (an exact comparison): the NUTS 3 areas sum to 3.73× their NUTS 2 areas' values in 1 of 1 years judged (2015), where a total must agree (figures in /join-report)"
        );
        assert_eq!(
            caveats[3],
            "Totals do not add up (an approximate comparison): the LEPs sum to 1.33× England's NUTS 2 total in 1 of 1 years judged (2015), more than overlapping areas explain (figures in /join-report)"
        );
        let nuts3 = s.level(&IndicatorId::new("bad"), Geography::Nuts3).unwrap();
        assert_eq!(
            nuts3.series[&2015].values,
            vec![Some(300.0), Some(100.0), None, Some(10.0)]
        );
    }

    #[test]
    fn a_short_exact_total_fails_but_a_short_lower_bound_does_not() {
        let gbp = "£";
        // Complete NUTS 3 at half of NUTS 2: fails both exact comparisons.
        let half = level(gbp, "S", &[(2015, "n3", some(&[30.0, 20.0, 25.0, 5.0]))]);
        let n2 = level(gbp, "S", &[(2015, "n2", some(&[100.0, 50.0, 10.0]))]);
        let mut s = store(vec![(
            "half",
            vec![(Geography::Nuts2, n2.clone()), (Geography::Nuts3, half)],
        )]);
        check(&mut s, &codes());
        let ratios: Vec<f64> = s
            .report
            .consistency
            .discrepancies
            .iter()
            .map(|d| d.ratio)
            .collect();
        assert_eq!(ratios, [0.5, 0.5]);
        // The same with two NUTS 3 areas missing: nothing nests completely but UKM1, which agrees,
        // and the UK's NUTS 3 sum (40) is only a lower bound: no discrepancy.
        let partial = level(
            gbp,
            "S",
            &[(2015, "n3", vec![Some(30.0), None, None, Some(10.0)])],
        );
        let mut s = store(vec![(
            "partial",
            vec![(Geography::Nuts2, n2), (Geography::Nuts3, partial)],
        )]);
        check(&mut s, &codes());
        assert!(s.report.consistency.discrepancies.is_empty());
        let judged: Vec<(usize, usize)> = s
            .report
            .consistency
            .comparisons
            .iter()
            .map(|c| (c.judged, c.agreed))
            .collect();
        assert_eq!(judged, [(1, 1), (1, 1), (0, 0)]);
    }

    #[test]
    fn different_nuts_versions_or_non_sum_indicators_are_not_judged() {
        let mut levels: BTreeMap<Geography, IndicatorLevel> = agreeing().1.into_iter().collect();
        let mut n2 = levels.remove(&Geography::Nuts2).unwrap();
        let mut n3 = levels.remove(&Geography::Nuts3).unwrap();
        n3.series.get_mut(&2015).unwrap().code_vintage = "2013".into();
        // Doubled NUTS 3 values in another NUTS version: not nested, so not judged there.
        for v in n3
            .series
            .get_mut(&2015)
            .unwrap()
            .values
            .iter_mut()
            .flatten()
        {
            *v *= 2.0;
        }
        let mut s = store(vec![(
            "v",
            vec![
                (Geography::Nuts2, n2.clone()),
                (Geography::Nuts3, n3.clone()),
            ],
        )]);
        check(&mut s, &codes());
        let c = &s.report.consistency;
        assert_eq!(c.comparisons[0].not_judged, 1);
        assert_eq!(
            c.discrepancies.len(),
            1,
            "the national total still compares"
        );
        assert_eq!(c.discrepancies[0].comparison, Comparison::NationalTotal);
        // A mean is never summed.
        n2.info.aggregation = Some(Aggregation::Mean);
        let mut s = store(vec![(
            "m",
            vec![(Geography::Nuts2, n2), (Geography::Nuts3, n3)],
        )]);
        check(&mut s, &codes());
        assert!(s
            .report
            .consistency
            .comparisons
            .iter()
            .all(|c| c.judged + c.not_judged == 0));
    }

    #[test]
    fn a_count_that_sums_like_its_sources_money_is_flagged_swapped() {
        let years = |v: f64, layer: &str, n: usize| -> Vec<(i32, String, Vec<Option<f64>>)> {
            (0..n)
                .map(|i| (2014 + i as i32, layer.to_string(), some(&[v, v, v])))
                .collect()
        };
        let mk = |symbol: &str, source: &str, rows: Vec<(i32, String, Vec<Option<f64>>)>| {
            let rows: Vec<(i32, &str, Vec<Option<f64>>)> = rows
                .iter()
                .map(|(y, l, v)| (*y, l.as_str(), v.clone()))
                .collect();
            level(symbol, source, &rows)
        };
        let mut s = store(vec![
            // Money of source T: 3 × 50 = 150 a year; another, smaller: 3 × 5.
            (
                "funding",
                vec![(Geography::Nuts2, mk("£", "T", years(50.0, "n2", 3)))],
            ),
            (
                "small_funding",
                vec![(Geography::Nuts2, mk("£", "T", years(5.0, "n2", 3)))],
            ),
            // A count of T summing to 3,000 a year (20× the largest money): swapped.
            (
                "projects",
                vec![(Geography::Nuts2, mk("", "T", years(1000.0, "n2", 3)))],
            ),
            // A count of T at 9× the money: not.
            (
                "visits",
                vec![(Geography::Nuts2, mk("", "T", years(450.0, "n2", 3)))],
            ),
            // A count 20× the money of another source: not.
            (
                "people",
                vec![(Geography::Nuts2, mk("", "U", years(1000.0, "n2", 3)))],
            ),
            // Only two shared years: not.
            (
                "brief",
                vec![(Geography::Nuts2, mk("", "T", years(1000.0, "n2", 2)))],
            ),
        ]);
        check(&mut s, &codes());
        let c = &s.report.consistency;
        assert_eq!(c.swapped.len(), 1, "{:?}", c.swapped);
        let p = &c.swapped[0];
        assert_eq!(
            (p.total.as_str(), p.money.as_str(), p.source.as_str()),
            ("projects", "funding", "T")
        );
        assert_eq!(
            (p.years.clone(), p.total_sums, p.money_sums, p.factor),
            (
                vec![2014, 2015, 2016],
                [3000.0, 3000.0],
                [150.0, 150.0],
                [20.0, 20.0]
            )
        );
        assert_eq!(
            c.failing,
            [IndicatorId::new("funding"), IndicatorId::new("projects")]
        );
        let caveat = |id: &str| {
            s.level(&IndicatorId::new(id), Geography::Nuts2)
                .unwrap()
                .info
                .caveats
                .clone()
        };
        assert_eq!(
            caveat("projects")[1],
            "Looks swapped with funding: its nuts2 sums (3000, in projects) are 20× the £150 of funding, the largest money total of the same source, every year 2014–2016"
        );
        assert!(
            caveat("funding")[1].starts_with("Looks swapped with projects: "),
            "{:?}",
            caveat("funding")
        );
        assert_eq!(caveat("visits").len(), 1);
    }
}
