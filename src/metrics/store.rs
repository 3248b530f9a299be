//! The joined metrics: per indicator and geography, one series per year on one layer.

use crate::load::FrameworkGroup;
use crate::model::{Geography, IndicatorId, LayerId};
use serde::Serialize;
use std::collections::BTreeMap;

/// Every indicator, joined; built once, read-only.
#[derive(Debug, Default)]
pub struct MetricsStore {
    pub indicators: BTreeMap<IndicatorId, BTreeMap<Geography, IndicatorLevel>>,
    pub framework_groups: Vec<FrameworkGroup>,
    pub report: JoinReport,
}

/// One indicator at one geography level: its metadata and a series per year.
#[derive(Debug, Clone)]
pub struct IndicatorLevel {
    pub info: IndicatorInfo,
    pub series: BTreeMap<i32, Series>,
}

/// What `indicators.csv` says of an indicator at one level.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndicatorInfo {
    pub title: String,
    pub subtitle: String,
    pub description: String,
    /// A human unit from the reviewed semantics table, e.g. "pounds", "minutes".
    pub unit: String,
    /// A symbol for values, e.g. "£", "%", "min"; empty for plain counts.
    pub unit_symbol: String,
    /// Whether values add up over areas (`sum`) or are averages, shares, rates or indices, from
    /// the reviewed semantics table; `None` only without a semantics row.
    pub aggregation: Option<crate::load::Aggregation>,
    /// What the source calls its unit (`unit_label` in `indicators.csv`).
    pub source_unit: String,
    /// Decimals that carry meaning: every value and same-unit statistic is written rounded to them.
    pub decimals: u8,
    /// `Some(true)`: higher is better; `Some(false)`: lower is better; `None`: neutral.
    pub higher_is_better: Option<bool>,
    /// Why that direction (or why neutral).
    pub polarity_reason: String,
    /// Known caveats: the reviewed one, a duplicate found at load, and totals that do not add up
    /// across levels ([`super::audit`]).
    pub caveats: Vec<String>,
    /// Another indicator this one equals over every shared area-year at this level; such a pair
    /// is counted once (as the other) in profiles and peers.
    pub duplicate_of: Option<IndicatorId>,
    /// A d3-style number format hint, e.g. ".2f".
    pub format: String,
    pub framework_group: String,
    pub experimental: bool,
    pub source_name: String,
    pub source_url: String,
    pub api_doc_url: String,
    pub warning: String,
    /// False when the indicator has values but no row in `indicators.csv`.
    pub has_metadata: bool,
}

/// One year of one indicator: values aligned with the areas of `layer` (index for index).
#[derive(Debug, Clone)]
pub struct Series {
    pub layer: LayerId,
    pub code_vintage: String,
    pub values: Vec<Option<f64>>,
    /// Positions of values beyond the robust outlier rule ([`super::quality::check_source`]):
    /// flagged "check source", never dropped or changed.
    pub check_source: Vec<usize>,
}

impl MetricsStore {
    pub fn level(&self, indicator: &IndicatorId, geography: Geography) -> Option<&IndicatorLevel> {
        self.indicators.get(indicator)?.get(&geography)
    }
}

/// What happened to every metrics row: where it joined, or why it did not.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JoinReport {
    pub totals: JoinTotals,
    pub tables: Vec<TableReport>,
    /// Indicators with values but no metadata row. Always empty since such an indicator fails
    /// the load; kept so that report readers see the field.
    pub indicators_without_metadata: Vec<String>,
    /// Optional metrics tables (`optional = true`) left out because they were empty or small.
    pub skipped_tables: Vec<crate::load::SkippedTable>,
    /// Metadata rows (`indicator/geography`) with no values in any table.
    pub metadata_without_values: Vec<String>,
    /// Indicators equal to another over every area-year both have, at one level.
    pub duplicate_indicators: Vec<super::quality::Duplicate>,
    /// How many values the outlier rule flags "check source", per indicator and level.
    pub check_source: Vec<super::quality::Flagged>,
    /// Totals of `sum` indicators compared across levels, and the ones that do not add up.
    pub consistency: super::audit::Consistency,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct JoinTotals {
    pub rows: usize,
    pub matched_rows: usize,
    /// Rows whose code has no area in the layer of their vintage.
    pub unmatched_rows: usize,
    /// Rows with an empty value cell.
    pub empty_values: usize,
    /// Rows whose value is not finite (e.g. `inf`); served as missing.
    pub non_finite_values: usize,
    /// Rows repeating another row exactly (same indicator, year, code and value).
    pub duplicate_rows: usize,
}

/// A row whose value could not be used, with where it is.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedValue {
    pub line: u64,
    pub indicator: IndicatorId,
    pub year: i32,
    pub code: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReport {
    pub table: String,
    pub file: String,
    pub geography: Geography,
    pub totals: JoinTotals,
    pub vintages: Vec<VintageReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VintageReport {
    pub code_vintage: String,
    pub layer: LayerId,
    pub layer_areas: usize,
    pub totals: JoinTotals,
    /// Codes without a boundary in the layer, with their row counts.
    pub unmatched_codes: BTreeMap<String, usize>,
    /// The line of the first unmatched row, if any.
    pub first_unmatched_line: Option<u64>,
    /// Rows with a non-finite value, listed one by one.
    pub non_finite: Vec<RejectedValue>,
    pub indicators: Vec<IndicatorJoin>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorJoin {
    pub indicator: IndicatorId,
    pub years: Vec<i32>,
    pub matched_rows: usize,
    pub unmatched_rows: usize,
    /// For each year, how many areas of the layer have no value.
    pub areas_without_value: BTreeMap<i32, usize>,
}
