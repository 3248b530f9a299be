//! The reviewed meaning of every indicator (`boundaries/indicator_semantics.csv`): unit, how it
//! aggregates, display precision, which direction is better and why, and any known caveat.

use super::metrics_csv::deserialize_all;
use super::LoadError;
use crate::model::IndicatorId;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The most decimals a value is written with (beyond that, binary noise shows).
pub const MAX_DECIMALS: u8 = 9;

/// How an indicator's value for an area relates to the values of the areas that make it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregation {
    /// A total: the value of an area is the sum of its parts' values (money, counts).
    Sum,
    /// An average over the people or places of the area (a salary, a travel time).
    Mean,
    /// The median over the people or places of the area.
    Median,
    /// Events per head of population (per 1000 residents).
    Rate,
    /// A percentage of a population.
    Share,
    /// A relative index (a location quotient, a complexity score).
    Index,
    /// One quantity divided by another (house prices over salaries).
    Ratio,
}

impl Aggregation {
    /// Every aggregation with its name in the table, in the order the error message lists them.
    pub const ALL: [(&'static str, Aggregation); 7] = [
        ("sum", Aggregation::Sum),
        ("mean", Aggregation::Mean),
        ("median", Aggregation::Median),
        ("rate", Aggregation::Rate),
        ("share", Aggregation::Share),
        ("index", Aggregation::Index),
        ("ratio", Aggregation::Ratio),
    ];

    /// Parses a table cell: one of the names of [`Aggregation::ALL`], exactly.
    pub fn parse(cell: &str) -> Option<Aggregation> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == cell)
            .map(|(_, a)| *a)
    }
}

/// What one indicator's numbers mean, from one reviewed row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorSemantics {
    pub indicator: IndicatorId,
    /// A human unit, e.g. "pounds", "minutes", "percent of the economically active".
    pub unit: String,
    /// A symbol for values, e.g. "£", "%", "min"; empty for plain counts.
    pub unit_symbol: String,
    /// Whether values add up over areas (`Sum`) or are averages, shares, rates or indices.
    pub aggregation: Aggregation,
    /// Decimals that carry meaning: values are written rounded to them.
    pub decimals: u8,
    /// `Some(true)`: a higher value is better; `Some(false)`: lower is better; `None`: neutral.
    pub higher_is_better: Option<bool>,
    /// One line on why that direction (or why neutral).
    pub reason: String,
    /// A known caveat of the source, if any.
    pub caveat: Option<String>,
}

#[derive(Deserialize)]
struct Record {
    indicator: String,
    unit: String,
    #[serde(default)]
    unit_symbol: String,
    aggregation: String,
    decimals: String,
    higher_is_better: String,
    reason: String,
    #[serde(default)]
    caveat: String,
}

const COLUMNS: [&str; 7] = [
    "indicator",
    "unit",
    "aggregation",
    "decimals",
    "higher_is_better",
    "reason",
    "unit_symbol",
];

/// Reads the semantics table: one row per indicator, every cell but `unit_symbol` and `caveat`
/// filled, `aggregation` one of `sum`, `mean`, `median`, `rate`, `share`, `index` or `ratio`,
/// `higher_is_better` one of `true`, `false` or `neutral`, `decimals` 0 to 9.
pub fn read_semantics(path: &Path) -> Result<Vec<(u64, IndicatorSemantics)>, LoadError> {
    let rows = deserialize_all::<Record>(path, &COLUMNS, super::DEFAULT_MAX_FILE_BYTES)?;
    if rows.is_empty() {
        return Err(LoadError::Table {
            path: path.to_path_buf(),
            problem: "header only: expected one row per indicator".into(),
        });
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    rows.into_iter()
        .map(|(line, r)| {
            let fail = |problem: String| LoadError::Csv {
                path: path.to_path_buf(),
                line,
                problem,
            };
            if r.indicator.is_empty() {
                return Err(fail("empty indicator".into()));
            }
            let id = &r.indicator;
            let higher_is_better = match r.higher_is_better.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                "neutral" => None,
                "" => {
                    return Err(fail(format!(
                        "indicator '{id}': missing polarity (higher_is_better must be true, false or neutral)"
                    )))
                }
                other => {
                    return Err(fail(format!(
                        "indicator '{id}': higher_is_better '{other}' must be true, false or neutral"
                    )))
                }
            };
            let aggregation = Aggregation::parse(&r.aggregation).ok_or_else(|| {
                let names: Vec<&str> = Aggregation::ALL.iter().map(|(n, _)| *n).collect();
                let what = if r.aggregation.is_empty() {
                    "missing aggregation".to_string()
                } else {
                    format!("aggregation '{}'", r.aggregation)
                };
                fail(format!(
                    "indicator '{id}': {what} (must be one of {})",
                    names.join(", ")
                ))
            })?;
            let decimals = r
                .decimals
                .parse::<u8>()
                .ok()
                .filter(|d| *d <= MAX_DECIMALS)
                .ok_or_else(|| {
                    fail(format!(
                        "indicator '{id}': decimals '{}' must be a whole number from 0 to {MAX_DECIMALS}",
                        r.decimals
                    ))
                })?;
            if r.unit.is_empty() {
                return Err(fail(format!("indicator '{id}': empty unit")));
            }
            if r.reason.is_empty() {
                return Err(fail(format!(
                    "indicator '{id}': empty reason (say why that direction is better, or why neutral)"
                )));
            }
            if let Some(first) = seen.insert(id.clone(), line) {
                return Err(fail(format!(
                    "indicator '{id}' already has a row on line {first}"
                )));
            }
            Ok((
                line,
                IndicatorSemantics {
                    indicator: IndicatorId::new(r.indicator),
                    unit: r.unit,
                    unit_symbol: r.unit_symbol,
                    aggregation,
                    decimals,
                    higher_is_better,
                    reason: r.reason,
                    caveat: (!r.caveat.is_empty()).then_some(r.caveat),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const HEADER: &str =
        "indicator,unit,unit_symbol,aggregation,decimals,higher_is_better,reason,caveat\n";

    fn read(name: &str, body: &str) -> Result<Vec<(u64, IndicatorSemantics)>, LoadError> {
        let dir = std::env::temp_dir().join(format!("smartspec-semantics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, format!("{HEADER}{body}")).unwrap();
        read_semantics(&path)
    }

    #[test]
    fn reads_polarity_decimals_and_caveats() {
        let rows = read(
            "ok.csv",
            "rd,pounds,£,sum,0,true,More is better,\npm,µg/m³,µg/m³,mean,2,false,Cleaner air,\nmig,per 1000,‰,rate,2,neutral,Either way,\"Caveat, with a comma\"\n",
        )
        .unwrap();
        let by_id = |id: &str| {
            rows.iter()
                .find(|(_, s)| s.indicator.as_str() == id)
                .unwrap()
        };
        assert_eq!(by_id("rd").1.higher_is_better, Some(true));
        assert_eq!(by_id("pm").1.higher_is_better, Some(false));
        assert_eq!(by_id("pm").1.decimals, 2);
        assert_eq!(by_id("mig").1.higher_is_better, None);
        assert_eq!(by_id("rd").1.aggregation, Aggregation::Sum);
        assert_eq!(by_id("pm").1.aggregation, Aggregation::Mean);
        assert_eq!(by_id("mig").1.aggregation, Aggregation::Rate);
        assert_eq!(by_id("mig").0, 4);
        assert_eq!(
            by_id("mig").1.caveat.as_deref(),
            Some("Caveat, with a comma")
        );
        assert_eq!(by_id("rd").1.caveat, None);
    }

    #[test]
    fn refuses_missing_or_unknown_polarity_or_aggregation_bad_decimals_and_repeats() {
        let cases = [
            ("rd,pounds,£,sum,0,,Why,\n", "line 2: indicator 'rd': missing polarity (higher_is_better must be true, false or neutral)"),
            ("rd,pounds,£,sum,0,yes,Why,\n", "line 2: indicator 'rd': higher_is_better 'yes' must be true, false or neutral"),
            ("rd,pounds,£,sum,12,true,Why,\n", "line 2: indicator 'rd': decimals '12' must be a whole number from 0 to 9"),
            ("rd,pounds,£,sum,-1,true,Why,\n", "line 2: indicator 'rd': decimals '-1' must be a whole number from 0 to 9"),
            ("rd,,£,sum,0,true,Why,\n", "line 2: indicator 'rd': empty unit"),
            ("rd,pounds,£,sum,0,true,,\n", "line 2: indicator 'rd': empty reason (say why that direction is better, or why neutral)"),
            ("rd,pounds,£,sum,0,true,Why,\nrd,pounds,£,sum,0,true,Why,\n", "line 3: indicator 'rd' already has a row on line 2"),
            ("rd,pounds,£,,0,true,Why,\n", "line 2: indicator 'rd': missing aggregation (must be one of sum, mean, median, rate, share, index, ratio)"),
            ("rd,pounds,£,total,0,true,Why,\n", "line 2: indicator 'rd': aggregation 'total' (must be one of sum, mean, median, rate, share, index, ratio)"),
            ("rd,pounds,£,Sum,0,true,Why,\n", "line 2: indicator 'rd': aggregation 'Sum' (must be one of sum, mean, median, rate, share, index, ratio)"),
        ];
        for (i, (body, want)) in cases.iter().enumerate() {
            let err = read(&format!("bad{i}.csv"), body).unwrap_err().to_string();
            assert!(err.ends_with(want), "{body:?}: {err}");
        }
        let err = read("empty.csv", "").unwrap_err().to_string();
        assert!(
            err.ends_with("header only: expected one row per indicator"),
            "{err}"
        );
    }
}
