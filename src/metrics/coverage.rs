//! What the joined metrics cover, per table (each indicator's years and the areas with a value
//! in each), and what a catalog replacing them would lose of it.

use super::MetricsStore;
use crate::model::{Geography, IndicatorId, LayerId};
use std::collections::{BTreeMap, BTreeSet};

/// Indicator -> year -> codes of the areas with a value.
type Cells = BTreeMap<IndicatorId, BTreeMap<i32, BTreeSet<String>>>;

/// Every served metrics table's coverage, by table id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub tables: BTreeMap<String, TableCoverage>,
}

/// One table: its level, its file (as the manifest names it) and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCoverage {
    pub geography: Geography,
    pub file: String,
    pub indicators: Cells,
}

impl Coverage {
    /// The coverage of `store`; `code_of(layer, index)` names the area at `index` of `layer`.
    /// An indicator belongs to the tables whose join report lists it.
    pub fn of<'a>(
        store: &MetricsStore,
        code_of: impl Fn(&LayerId, usize) -> Option<&'a str>,
    ) -> Coverage {
        let mut tables = BTreeMap::new();
        for table in &store.report.tables {
            let mut indicators = Cells::new();
            let ids: BTreeSet<&IndicatorId> = table
                .vintages
                .iter()
                .flat_map(|v| v.indicators.iter().map(|i| &i.indicator))
                .collect();
            for id in ids {
                let Some(level) = store.level(id, table.geography) else {
                    continue;
                };
                let years: BTreeMap<i32, BTreeSet<String>> = level
                    .series
                    .iter()
                    .map(|(year, series)| {
                        let codes = series
                            .values
                            .iter()
                            .enumerate()
                            .filter(|(_, v)| v.is_some())
                            .filter_map(|(i, _)| code_of(&series.layer, i).map(str::to_string))
                            .collect();
                        (*year, codes)
                    })
                    .filter(|(_, codes): &(i32, BTreeSet<String>)| !codes.is_empty())
                    .collect();
                if !years.is_empty() {
                    indicators.insert(id.clone(), years);
                }
            }
            tables.insert(
                table.table.clone(),
                TableCoverage {
                    geography: table.geography,
                    // As the manifest names it; an absolute path (--allow-outside-data-dir) by
                    // its file name only, since summaries are public.
                    file: match std::path::Path::new(&table.file) {
                        p if p.is_absolute() => p
                            .file_name()
                            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                        _ => table.file.clone(),
                    },
                    indicators,
                },
            );
        }
        Coverage { tables }
    }

    /// What `next` lacks of this coverage, per table that loses anything (in table order). A
    /// table `next` does not have at all loses every indicator.
    pub fn lost_in(&self, next: &Coverage) -> Vec<TableLoss> {
        let empty = Cells::new();
        self.tables
            .iter()
            .filter_map(|(id, old)| {
                let new = next
                    .tables
                    .get(id)
                    .filter(|t| t.geography == old.geography)
                    .map_or(&empty, |t| &t.indicators);
                let mut loss = TableLoss {
                    table: id.clone(),
                    geography: old.geography,
                    file: old.file.clone(),
                    indicators: Vec::new(),
                    years: Vec::new(),
                    areas: Vec::new(),
                };
                for (indicator, old_years) in &old.indicators {
                    let Some(new_years) = new.get(indicator) else {
                        let values = old_years.values().map(BTreeSet::len).sum();
                        loss.indicators
                            .push((indicator.clone(), old_years.len(), values));
                        continue;
                    };
                    let mut gone_years = Vec::new();
                    for (year, old_codes) in old_years {
                        match new_years.get(year) {
                            None => gone_years.push(*year),
                            Some(new_codes) => {
                                let gone: Vec<String> =
                                    old_codes.difference(new_codes).cloned().collect();
                                if !gone.is_empty() {
                                    loss.areas.push((indicator.clone(), *year, gone));
                                }
                            }
                        }
                    }
                    if !gone_years.is_empty() {
                        loss.years.push((indicator.clone(), gone_years));
                    }
                }
                (!loss.is_empty()).then_some(loss)
            })
            .collect()
    }
}

/// What one table would lose: whole indicators, years of the indicators kept, and areas of the
/// years kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableLoss {
    pub table: String,
    pub geography: Geography,
    pub file: String,
    /// Indicators gone, each with the years and values it had.
    pub indicators: Vec<(IndicatorId, usize, usize)>,
    /// Years gone of an indicator that stays.
    pub years: Vec<(IndicatorId, Vec<i32>)>,
    /// Areas without a value any more in a year that stays.
    pub areas: Vec<(IndicatorId, i32, Vec<String>)>,
}

/// How many items of a list a summary names before "and N more".
const NAMED: usize = 5;

impl TableLoss {
    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty() && self.years.is_empty() && self.areas.is_empty()
    }

    /// Years lost, over the indicators that stay.
    pub fn years_lost(&self) -> usize {
        self.years.iter().map(|(_, y)| y.len()).sum()
    }

    /// Area-years lost, over the years that stay.
    pub fn area_years_lost(&self) -> usize {
        self.areas.iter().map(|(_, _, a)| a.len()).sum()
    }

    /// One line: the table, the counts, and the first few of each kind lost. It names only
    /// ids, years and area codes the API serves, and the file as the manifest names it.
    pub fn summary(&self) -> String {
        let indicators = named(
            self.indicators
                .iter()
                .map(|(id, years, values)| format!("{id} ({years} years, {values} values)")),
        );
        let years = named(self.years.iter().map(|(id, years)| {
            let list: Vec<String> = years.iter().map(i32::to_string).collect();
            format!("{id} {}", list.join("/"))
        }));
        let areas = named(
            self.areas
                .iter()
                .map(|(id, year, codes)| format!("{id} {year}: {}", named(codes.iter().cloned()))),
        );
        let mut parts = vec![format!(
            "{} indicator{}{}",
            self.indicators.len(),
            plural(self.indicators.len()),
            if indicators.is_empty() {
                String::new()
            } else {
                format!(" ({indicators})")
            }
        )];
        parts.push(format!(
            "{} year{} of indicators kept{}",
            self.years_lost(),
            plural(self.years_lost()),
            if years.is_empty() {
                String::new()
            } else {
                format!(" ({years})")
            }
        ));
        parts.push(format!(
            "{} area-year value{} of years kept{}",
            self.area_years_lost(),
            plural(self.area_years_lost()),
            if areas.is_empty() {
                String::new()
            } else {
                format!(" ({areas})")
            }
        ));
        format!(
            "metrics '{}' ({}) at {} level loses {}",
            self.table,
            self.file,
            self.geography,
            parts.join(", ")
        )
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The first [`NAMED`] items joined with ", ", then "and N more".
fn named(items: impl ExactSizeIterator<Item = String>) -> String {
    let total = items.len();
    let mut text = items.take(NAMED).collect::<Vec<_>>().join(", ");
    if total > NAMED {
        text.push_str(&format!(" and {} more", total - NAMED));
    }
    text
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn coverage(cells: &[(&str, i32, &[&str])]) -> Coverage {
        let mut indicators = Cells::new();
        for (id, year, codes) in cells {
            indicators
                .entry(IndicatorId::new(*id))
                .or_default()
                .insert(*year, codes.iter().map(|c| c.to_string()).collect());
        }
        Coverage {
            tables: BTreeMap::from([(
                "lep".to_string(),
                TableCoverage {
                    geography: Geography::Lep,
                    file: "metrics/lep.csv".into(),
                    indicators,
                },
            )]),
        }
    }

    #[test]
    fn the_same_or_more_loses_nothing() {
        let old = coverage(&[("rd", 2015, &["A", "B"])]);
        assert!(old.lost_in(&old).is_empty());
        let more = coverage(&[("rd", 2015, &["A", "B", "C"]), ("rd", 2016, &["A"])]);
        assert!(old.lost_in(&more).is_empty());
    }

    #[test]
    fn names_lost_indicators_years_and_areas_with_counts() {
        let old = coverage(&[
            ("rd", 2015, &["A", "B", "C"]),
            ("rd", 2016, &["A"]),
            ("travel", 2012, &["A", "B"]),
            ("travel", 2013, &["A"]),
        ]);
        let new = coverage(&[("rd", 2015, &["A"])]);
        let lost = old.lost_in(&new);
        assert_eq!(lost.len(), 1);
        let loss = &lost[0];
        assert_eq!(loss.indicators, vec![(IndicatorId::new("travel"), 2, 3)]);
        assert_eq!(loss.years, vec![(IndicatorId::new("rd"), vec![2016])]);
        assert_eq!(
            loss.areas,
            vec![(IndicatorId::new("rd"), 2015, vec!["B".into(), "C".into()])]
        );
        assert_eq!(
            loss.summary(),
            "metrics 'lep' (metrics/lep.csv) at lep level loses 1 indicator (travel (2 years, 3 values)), 1 year of indicators kept (rd 2016), 2 area-year values of years kept (rd 2015: B, C)"
        );
    }

    #[test]
    fn a_table_gone_or_moved_to_another_level_loses_everything() {
        let old = coverage(&[("rd", 2015, &["A"])]);
        let lost = old.lost_in(&Coverage::default());
        assert_eq!(lost[0].indicators.len(), 1);
        let mut moved = old.clone();
        if let Some(t) = moved.tables.get_mut("lep") {
            t.geography = Geography::Nuts2;
        }
        assert_eq!(old.lost_in(&moved)[0].indicators.len(), 1);
    }
}
