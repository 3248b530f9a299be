//! Joining metric rows to layers by `code_vintage`; every row is matched or counted.

use super::store::{
    IndicatorInfo, IndicatorJoin, IndicatorLevel, JoinTotals, MetricsStore, RejectedValue, Series,
    TableReport, VintageReport,
};
use crate::load::{
    Cell, FrameworkGroup, IndicatorMeta, IndicatorSemantics, LoadError, MetricRow, MetricsSpec,
    SkippedTable,
};
use crate::model::{Area, Geography, IndicatorId, LayerId};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// How many unmatched codes an error message lists.
const EXAMPLE_CODES: usize = 5;

/// The area codes of every layer, for resolving a row's code to an area index and back.
#[derive(Debug, Default)]
pub struct LayerCodes {
    layers: HashMap<LayerId, HashMap<String, usize>>,
    /// Each layer's codes in area order.
    ordered: HashMap<LayerId, Vec<String>>,
}

impl LayerCodes {
    pub fn new<'a>(layers: impl IntoIterator<Item = (&'a LayerId, &'a [Area])>) -> LayerCodes {
        let ordered: HashMap<LayerId, Vec<String>> = layers
            .into_iter()
            .map(|(id, areas)| {
                let codes = areas.iter().map(|a| a.code.as_str().to_string()).collect();
                (id.clone(), codes)
            })
            .collect();
        LayerCodes {
            layers: ordered
                .iter()
                .map(|(id, codes)| {
                    let index = codes.iter().enumerate().map(|(i, c)| (c.clone(), i));
                    (id.clone(), index.collect())
                })
                .collect(),
            ordered,
        }
    }

    /// A layer's area codes in area order (the order of its series' values); empty for an
    /// unknown layer.
    pub fn codes(&self, layer: &LayerId) -> &[String] {
        self.ordered.get(layer).map_or(&[], Vec::as_slice)
    }

    fn area_count(&self, layer: &LayerId) -> usize {
        self.layers.get(layer).map_or(0, HashMap::len)
    }

    fn index(&self, layer: &LayerId, code: &str) -> Option<usize> {
        self.layers.get(layer)?.get(code).copied()
    }
}

/// One metrics table as read, with the manifest entry that says how it joins.
pub struct JoinInput {
    pub spec: MetricsSpec,
    pub path: PathBuf,
    pub rows: Vec<MetricRow>,
}

/// Everything a join reads besides the layers.
pub struct JoinSources {
    pub tables: Vec<JoinInput>,
    /// `indicators.csv` and its rows with their lines.
    pub indicators_path: PathBuf,
    pub indicator_meta: Vec<(u64, Geography, IndicatorMeta)>,
    pub framework_groups: Vec<FrameworkGroup>,
    /// The semantics table and its rows with their lines.
    pub semantics_path: PathBuf,
    pub semantics: Vec<(u64, IndicatorSemantics)>,
    /// Optional tables not served (listed in the report).
    pub skipped: Vec<SkippedTable>,
    /// The manifest's `min_match`, for tables and vintages that set none.
    pub default_min_match: Option<f64>,
}

/// Joins every table to its layers and builds the store and the join report.
///
/// Errors (naming file and line): a `code_vintage` the manifest does not map, one indicator-year
/// split across two vintages, the same indicator, year and code given two different values, a
/// vintage whose rows match its layer below the manifest's `min_match` (naming the table, the
/// vintage, the layer, the count unmatched and example codes), and an indicator with values but
/// no row in `indicators.csv`.
pub fn join_metrics(sources: JoinSources, layers: &LayerCodes) -> Result<MetricsStore, LoadError> {
    let mut store = MetricsStore {
        framework_groups: sources.framework_groups,
        ..MetricsStore::default()
    };
    store.report.skipped_tables = sources.skipped;
    let mut first_use: BTreeMap<(IndicatorId, Geography), (PathBuf, u64)> = BTreeMap::new();
    for input in &sources.tables {
        for row in &input.rows {
            first_use
                .entry((row.indicator.clone(), input.spec.geography))
                .or_insert_with(|| (input.path.clone(), row.line));
        }
        let table = join_table(input, layers, &mut store)?;
        check_match_rates(input, &table, sources.default_min_match)?;
        add_totals(&mut store.report.totals, &table.totals);
        store.report.tables.push(table);
    }
    check_metadata(
        &sources.indicators_path,
        &sources.indicator_meta,
        &first_use,
    )?;
    check_semantics(
        &sources.indicators_path,
        &sources.indicator_meta,
        &sources.semantics_path,
        &sources.semantics,
    )?;
    attach_metadata(&mut store, sources.indicator_meta, sources.semantics);
    super::quality::check(&mut store);
    super::audit::check(&mut store, layers);
    Ok(store)
}

/// Every indicator used by a table needs a metadata row at the table's geography.
fn check_metadata(
    path: &Path,
    meta: &[(u64, Geography, IndicatorMeta)],
    first_use: &BTreeMap<(IndicatorId, Geography), (PathBuf, u64)>,
) -> Result<(), LoadError> {
    let known: std::collections::HashSet<(&str, Geography)> = meta
        .iter()
        .map(|(_, g, m)| (m.indicator.as_str(), *g))
        .collect();
    for ((indicator, geography), (table, line)) in first_use {
        if !known.contains(&(indicator.as_str(), *geography)) {
            return Err(LoadError::Table {
                path: path.to_path_buf(),
                problem: format!(
                    "no metadata row for indicator '{indicator}' at geo_level '{geography}' (used from {}, line {line}); every indicator served needs a row with its title",
                    table.display()
                ),
            });
        }
    }
    Ok(())
}

/// Every indicator of `indicators.csv` needs a semantics row, and every semantics row an
/// indicator of `indicators.csv`.
fn check_semantics(
    indicators_path: &Path,
    meta: &[(u64, Geography, IndicatorMeta)],
    semantics_path: &Path,
    semantics: &[(u64, IndicatorSemantics)],
) -> Result<(), LoadError> {
    let described: HashSet<&str> = semantics
        .iter()
        .map(|(_, s)| s.indicator.as_str())
        .collect();
    if let Some((line, _, m)) = meta
        .iter()
        .find(|(_, _, m)| !described.contains(m.indicator.as_str()))
    {
        return Err(LoadError::Table {
            path: semantics_path.to_path_buf(),
            problem: format!(
                "no row for indicator '{}' ({}, line {line}): every indicator needs its unit, decimals and polarity reviewed",
                m.indicator,
                indicators_path.display()
            ),
        });
    }
    let known: HashSet<&str> = meta.iter().map(|(_, _, m)| m.indicator.as_str()).collect();
    if let Some((line, s)) = semantics
        .iter()
        .find(|(_, s)| !known.contains(s.indicator.as_str()))
    {
        return Err(LoadError::Csv {
            path: semantics_path.to_path_buf(),
            line: *line,
            problem: format!(
                "unknown indicator '{}': {} has no such indicator",
                s.indicator,
                indicators_path.display()
            ),
        });
    }
    Ok(())
}

/// Share of the rows with a value whose code found an area (1 when no row had a value).
pub fn match_rate(totals: &JoinTotals) -> f64 {
    let matched = totals.matched_rows + totals.duplicate_rows;
    let usable = matched + totals.unmatched_rows;
    if usable == 0 {
        1.0
    } else {
        matched as f64 / usable as f64
    }
}

/// Every vintage must join at least its `min_match` (see [`MetricsSpec::required_match`]).
fn check_match_rates(
    input: &JoinInput,
    table: &TableReport,
    default_min_match: Option<f64>,
) -> Result<(), LoadError> {
    for v in &table.vintages {
        let wanted = input
            .spec
            .required_match(&v.code_vintage, default_min_match);
        let rate = match_rate(&v.totals);
        if rate >= wanted {
            continue;
        }
        let mut codes: Vec<(&String, &usize)> = v.unmatched_codes.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let examples = codes
            .iter()
            .take(EXAMPLE_CODES)
            .map(|(code, n)| format!("{code} ({n} rows)"))
            .collect::<Vec<_>>()
            .join(", ");
        let more = codes.len().saturating_sub(EXAMPLE_CODES);
        let first_line = v.first_unmatched_line.unwrap_or_default();
        return Err(LoadError::Csv {
            path: input.path.clone(),
            line: first_line,
            problem: format!(
                "metrics '{}' code_vintage '{}' joins layer '{}' ({} areas) at {:.1}%, below the {:.1}% the manifest expects (min_match): {} of {} rows with a value have no area in the layer, {} distinct codes: {examples}{}; is the vintage mapped to the right layer?",
                input.spec.id,
                v.code_vintage,
                v.layer,
                v.layer_areas,
                rate * 100.0,
                wanted * 100.0,
                v.totals.unmatched_rows,
                v.totals.matched_rows + v.totals.duplicate_rows + v.totals.unmatched_rows,
                codes.len(),
                if more > 0 { format!(" and {more} more") } else { String::new() },
            ),
        });
    }
    Ok(())
}

fn join_table(
    input: &JoinInput,
    layers: &LayerCodes,
    store: &mut MetricsStore,
) -> Result<TableReport, LoadError> {
    let spec = &input.spec;
    let fail = |line: u64, problem: String| LoadError::Csv {
        path: input.path.to_path_buf(),
        line,
        problem,
    };
    let mut year_vintage: HashMap<(&IndicatorId, i32), (&str, u64)> = HashMap::new();
    let mut first_line: HashMap<(&IndicatorId, i32, usize), u64> = HashMap::new();
    let mut vintages: BTreeMap<&str, VintageReport> = BTreeMap::new();
    let mut per_indicator: BTreeMap<(&str, &IndicatorId), IndicatorJoin> = BTreeMap::new();

    for row in &input.rows {
        let vintage = row.code_vintage.as_str();
        let Some(layer) = spec.layers.get(vintage) else {
            return Err(fail(
                row.line,
                format!(
                    "code_vintage '{vintage}' has no boundary layer in the manifest (metrics '{}' maps: {})",
                    spec.id,
                    spec.layers.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        match year_vintage.get(&(&row.indicator, row.year)) {
            Some((other, other_line)) if *other != vintage => {
                return Err(fail(
                    row.line,
                    format!(
                        "{} {} has code_vintage '{vintage}' here but '{other}' on line {other_line}; one year must join one layer",
                        row.indicator, row.year
                    ),
                ))
            }
            Some(_) => {}
            None => {
                year_vintage.insert((&row.indicator, row.year), (vintage, row.line));
            }
        }
        let report = vintages.entry(vintage).or_insert_with(|| VintageReport {
            code_vintage: vintage.to_string(),
            layer: layer.clone(),
            layer_areas: layers.area_count(layer),
            totals: JoinTotals::default(),
            unmatched_codes: BTreeMap::new(),
            first_unmatched_line: None,
            non_finite: Vec::new(),
            indicators: Vec::new(),
        });
        let ind = per_indicator
            .entry((vintage, &row.indicator))
            .or_insert_with(|| IndicatorJoin {
                indicator: row.indicator.clone(),
                years: Vec::new(),
                matched_rows: 0,
                unmatched_rows: 0,
                areas_without_value: BTreeMap::new(),
            });
        report.totals.rows += 1;
        let value = match &row.value {
            Cell::Number(v) => *v,
            Cell::Empty => {
                report.totals.empty_values += 1;
                continue;
            }
            Cell::NotFinite(text) => {
                report.totals.non_finite_values += 1;
                report.non_finite.push(RejectedValue {
                    line: row.line,
                    indicator: row.indicator.clone(),
                    year: row.year,
                    code: row.code.to_string(),
                    value: text.clone(),
                });
                continue;
            }
        };
        let Some(index) = layers.index(layer, row.code.as_str()) else {
            report.totals.unmatched_rows += 1;
            report.first_unmatched_line.get_or_insert(row.line);
            ind.unmatched_rows += 1;
            *report
                .unmatched_codes
                .entry(row.code.as_str().to_string())
                .or_default() += 1;
            continue;
        };
        let series = store
            .indicators
            .entry(row.indicator.clone())
            .or_default()
            .entry(spec.geography)
            .or_insert_with(|| IndicatorLevel {
                info: IndicatorInfo::default(),
                series: BTreeMap::new(),
            })
            .series
            .entry(row.year)
            .or_insert_with(|| Series {
                layer: layer.clone(),
                code_vintage: vintage.to_string(),
                values: vec![None; layers.area_count(layer)],
                check_source: Vec::new(),
            });
        let Some(slot) = series.values.get_mut(index) else {
            // A series is as long as its layer, so this is a broken invariant, not bad data.
            return Err(fail(
                row.line,
                format!(
                    "internal error: area {index} of layer '{layer}' is outside its series of {} values",
                    series.values.len()
                ),
            ));
        };
        match *slot {
            Some(existing) if existing == value => {
                report.totals.duplicate_rows += 1;
            }
            Some(existing) => {
                let first = match first_line.get(&(&row.indicator, row.year, index)) {
                    Some(line) => format!("line {line}"),
                    None => "an earlier line".to_string(),
                };
                return Err(fail(
                    row.line,
                    format!(
                        "{} {} {}: value {value} conflicts with {existing} on {first}",
                        row.indicator, row.year, row.code
                    ),
                ));
            }
            None => {
                *slot = Some(value);
                first_line.insert((&row.indicator, row.year, index), row.line);
                report.totals.matched_rows += 1;
                ind.matched_rows += 1;
                if !ind.years.contains(&row.year) {
                    ind.years.push(row.year);
                }
            }
        }
    }

    for ((vintage, indicator), mut ind) in per_indicator {
        ind.years.sort_unstable();
        if let Some(level) = store
            .indicators
            .get(indicator)
            .and_then(|l| l.get(&spec.geography))
        {
            for year in &ind.years {
                if let Some(series) = level.series.get(year) {
                    let missing = series.values.iter().filter(|v| v.is_none()).count();
                    ind.areas_without_value.insert(*year, missing);
                }
            }
        }
        if let Some(report) = vintages.get_mut(vintage) {
            report.indicators.push(ind);
        }
    }
    let mut totals = JoinTotals::default();
    for v in vintages.values() {
        add_totals(&mut totals, &v.totals);
    }
    Ok(TableReport {
        table: spec.id.clone(),
        file: spec.file.display().to_string(),
        geography: spec.geography,
        totals,
        vintages: vintages.into_values().collect(),
    })
}

fn add_totals(into: &mut JoinTotals, from: &JoinTotals) {
    into.rows += from.rows;
    into.matched_rows += from.matched_rows;
    into.unmatched_rows += from.unmatched_rows;
    into.empty_values += from.empty_values;
    into.non_finite_values += from.non_finite_values;
    into.duplicate_rows += from.duplicate_rows;
}

fn attach_metadata(
    store: &mut MetricsStore,
    meta: Vec<(u64, Geography, IndicatorMeta)>,
    semantics: Vec<(u64, IndicatorSemantics)>,
) {
    let semantics: HashMap<IndicatorId, IndicatorSemantics> = semantics
        .into_iter()
        .map(|(_, s)| (s.indicator.clone(), s))
        .collect();
    let mut without_values = Vec::new();
    for (_, geography, m) in meta {
        let id = IndicatorId::new(m.indicator.clone());
        match store
            .indicators
            .get_mut(&id)
            .and_then(|levels| levels.get_mut(&geography))
        {
            Some(level) => level.info = info_from(m, semantics.get(&id)),
            None => without_values.push(format!("{id}/{geography}")),
        }
    }
    let mut without_metadata = Vec::new();
    for (id, levels) in store.indicators.iter_mut() {
        for (geography, level) in levels.iter_mut() {
            if !level.info.has_metadata {
                level.info.title = id.to_string();
                without_metadata.push(format!("{id}/{geography}"));
            }
        }
    }
    store.report.indicators_without_metadata = without_metadata;
    store.report.metadata_without_values = without_values;
}

/// The metadata row and the reviewed semantics (checked present by [`check_semantics`]; a
/// missing one leaves the unit and polarity empty rather than guessing).
fn info_from(m: IndicatorMeta, s: Option<&IndicatorSemantics>) -> IndicatorInfo {
    IndicatorInfo {
        title: m.title,
        subtitle: m.subtitle,
        description: m.description,
        unit: s.map(|s| s.unit.clone()).unwrap_or_default(),
        unit_symbol: s.map(|s| s.unit_symbol.clone()).unwrap_or_default(),
        aggregation: s.map(|s| s.aggregation),
        source_unit: m.unit_label,
        decimals: s.map_or(crate::load::MAX_DECIMALS, |s| s.decimals),
        higher_is_better: s.and_then(|s| s.higher_is_better),
        polarity_reason: s.map(|s| s.reason.clone()).unwrap_or_default(),
        caveats: s.and_then(|s| s.caveat.clone()).into_iter().collect(),
        duplicate_of: None,
        format: m.format,
        framework_group: m.framework_group,
        experimental: m.is_experimental.eq_ignore_ascii_case("true"),
        source_name: m.source_name,
        source_url: m.source_url,
        api_doc_url: m.api_doc_url,
        warning: m.warning,
        has_metadata: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AreaCode;
    use geo::{Coord, MultiPolygon, Rect};

    fn areas(codes: &[&str]) -> Vec<Area> {
        codes
            .iter()
            .map(|c| {
                let square = Rect::new(Coord { x: 0.0, y: 0.0 }, Coord { x: 1.0, y: 1.0 });
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

    fn spec() -> MetricsSpec {
        MetricsSpec {
            id: "lep".into(),
            file: "lep.csv".into(),
            geography: Geography::Lep,
            layers: [("-2014", "old"), ("2014", "old"), ("2017", "new")]
                .into_iter()
                .map(|(v, l)| (v.to_string(), LayerId::new(l)))
                .collect(),
            attribution: vec![],
            optional: false,
            min_rows: None,
            min_match: None,
            vintage_min_match: BTreeMap::new(),
            allow_shrink: false,
        }
    }

    fn meta(indicator: &str) -> (u64, Geography, IndicatorMeta) {
        let m = IndicatorMeta {
            indicator: indicator.into(),
            geo_level: "lep".into(),
            title: format!("{indicator} title"),
            subtitle: String::new(),
            description: String::new(),
            unit_label: String::new(),
            unit_string: String::new(),
            data_type: String::new(),
            format: String::new(),
            framework_group: String::new(),
            is_experimental: String::new(),
            source_name: String::new(),
            source_url: String::new(),
            api_doc_url: String::new(),
            warning: String::new(),
        };
        (2, Geography::Lep, m)
    }

    fn row(
        line: u64,
        ind: &str,
        year: i32,
        code: &str,
        vintage: &str,
        value: Option<f64>,
    ) -> MetricRow {
        let value = value.map_or(Cell::Empty, |v| {
            if v.is_finite() {
                Cell::Number(v)
            } else {
                Cell::NotFinite(v.to_string())
            }
        });
        MetricRow {
            line,
            indicator: IndicatorId::new(ind),
            year,
            code: AreaCode::new(code),
            code_vintage: vintage.into(),
            value,
        }
    }

    fn run(rows: Vec<MetricRow>) -> Result<MetricsStore, LoadError> {
        let mut spec = spec();
        spec.min_match = Some(0.0);
        run_with(spec, rows, vec![meta("rd")])
    }

    fn run_with(
        spec: MetricsSpec,
        rows: Vec<MetricRow>,
        indicator_meta: Vec<(u64, Geography, IndicatorMeta)>,
    ) -> Result<MetricsStore, LoadError> {
        let (old, new) = (areas(&["A", "B", "C"]), areas(&["A", "D"]));
        let (old_id, new_id) = (LayerId::new("old"), LayerId::new("new"));
        let codes = LayerCodes::new([(&old_id, old.as_slice()), (&new_id, new.as_slice())]);
        let input = JoinInput {
            spec,
            path: "lep.csv".into(),
            rows,
        };
        let semantics = indicator_meta
            .iter()
            .map(|(line, _, m)| {
                let s = IndicatorSemantics {
                    indicator: IndicatorId::new(m.indicator.clone()),
                    unit: "pounds".into(),
                    unit_symbol: "£".into(),
                    aggregation: crate::load::Aggregation::Sum,
                    decimals: 1,
                    higher_is_better: Some(true),
                    reason: "More is better".into(),
                    caveat: None,
                };
                (*line, s)
            })
            .collect();
        let sources = JoinSources {
            tables: vec![input],
            indicators_path: "indicators.csv".into(),
            indicator_meta,
            framework_groups: vec![],
            semantics_path: "indicator_semantics.csv".into(),
            semantics,
            skipped: vec![],
            default_min_match: None,
        };
        join_metrics(sources, &codes)
    }

    #[test]
    fn each_vintage_joins_its_own_layer_and_nothing_is_dropped_silently() {
        let store = run(vec![
            row(2, "rd", 2012, "A", "-2014", Some(1.0)),
            row(3, "rd", 2015, "B", "2014", Some(2.0)),
            row(4, "rd", 2018, "D", "2017", Some(3.0)),
            row(5, "rd", 2018, "B", "2017", Some(4.0)),
            row(6, "rd", 2018, "A", "2017", None),
            row(7, "rd", 2015, "B", "2014", Some(2.0)),
            row(8, "rd", 2015, "C", "2014", Some(f64::INFINITY)),
        ])
        .unwrap();
        let level = store
            .level(&IndicatorId::new("rd"), Geography::Lep)
            .unwrap();
        assert_eq!(level.series[&2012].layer.as_str(), "old");
        assert_eq!(level.series[&2012].values, vec![Some(1.0), None, None]);
        assert_eq!(level.series[&2018].layer.as_str(), "new");
        assert_eq!(level.series[&2018].values, vec![None, Some(3.0)]);
        let t = &store.report.totals;
        assert_eq!(
            (
                t.rows,
                t.matched_rows,
                t.unmatched_rows,
                t.empty_values,
                t.duplicate_rows
            ),
            (7, 3, 1, 1, 1)
        );
        assert_eq!(t.non_finite_values, 1);
        let v2014 = store.report.tables[0]
            .vintages
            .iter()
            .find(|v| v.code_vintage == "2014")
            .unwrap();
        assert_eq!(
            (v2014.non_finite[0].line, v2014.non_finite[0].code.as_str()),
            (8, "C")
        );
        let v2017 = &store.report.tables[0]
            .vintages
            .iter()
            .find(|v| v.code_vintage == "2017")
            .unwrap();
        assert_eq!(v2017.unmatched_codes.get("B"), Some(&1));
        assert_eq!(v2017.first_unmatched_line, Some(5));
        assert_eq!(v2017.indicators[0].areas_without_value[&2018], 1);
        assert!(store.report.indicators_without_metadata.is_empty());
    }

    #[test]
    fn an_indicator_without_metadata_names_the_file_and_first_line() {
        let err = run(vec![
            row(2, "rd", 2012, "A", "-2014", Some(1.0)),
            row(3, "patents", 2012, "ZZ", "-2014", Some(1.0)),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "indicators.csv: no metadata row for indicator 'patents' at geo_level 'lep' (used from lep.csv, line 3); every indicator served needs a row with its title"
        );
    }

    fn rows_2017(unmatched: usize) -> Vec<MetricRow> {
        let mut rows = vec![];
        for (i, year) in (2000..2020).enumerate() {
            let code = if i < unmatched { "E9" } else { "A" };
            rows.push(row(i as u64 + 2, "rd", year, code, "2017", Some(1.0)));
        }
        rows
    }

    #[test]
    fn a_vintage_below_its_match_rate_names_table_vintage_layer_and_codes() {
        // 20 rows on layer "new": 1 unmatched is 95%, 2 are 90%.
        let mut spec = spec();
        spec.min_match = Some(0.95);
        assert!(run_with(spec.clone(), rows_2017(1), vec![meta("rd")]).is_ok());
        let err = run_with(spec.clone(), rows_2017(2), vec![meta("rd")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("lep.csv, line 2: metrics 'lep' code_vintage '2017' joins layer 'new' (2 areas) at 90.0%, below the 95.0% the manifest expects (min_match): 2 of 20 rows with a value have no area in the layer, 1 distinct codes: E9 (2 rows)"),
            "{err}"
        );
        // A per-vintage rate overrides the table's; the default is that every row joins.
        spec.vintage_min_match.insert("2017".into(), 0.9);
        assert!(run_with(spec, rows_2017(2), vec![meta("rd")]).is_ok());
        let mut strict = self::spec();
        strict.min_match = None;
        let err = run_with(strict, rows_2017(1), vec![meta("rd")]).unwrap_err();
        assert!(err.to_string().contains("below the 100.0%"), "{err}");
    }

    #[test]
    fn an_unmapped_vintage_names_the_line_and_the_known_vintages() {
        let err = run(vec![row(9, "rd", 2021, "A", "2021", Some(1.0))])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("lep.csv, line 9: code_vintage '2021' has no boundary layer"),
            "{err}"
        );
        assert!(err.contains("maps: -2014, 2014, 2017"), "{err}");
    }

    #[test]
    fn conflicting_values_name_both_lines() {
        let err = run(vec![
            row(2, "rd", 2015, "A", "2014", Some(1.0)),
            row(3, "rd", 2015, "A", "2014", Some(2.0)),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 3: rd 2015 A: value 2 conflicts with 1 on line 2"),
            "{err}"
        );
    }

    #[test]
    fn one_year_split_across_vintages_is_an_error() {
        let err = run(vec![
            row(2, "rd", 2015, "A", "2014", Some(1.0)),
            row(3, "rd", 2015, "D", "2017", Some(2.0)),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("line 3: rd 2015 has code_vintage '2017' here but '2014' on line 2"),
            "{err}"
        );
    }
}
