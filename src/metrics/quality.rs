//! Data-quality checks run once at load: values beyond a robust outlier rule ("check source")
//! and indicators that duplicate another. Nothing is dropped or changed; both are reported.

use super::{IndicatorLevel, MetricsStore};
use crate::model::{Geography, IndicatorId};
use serde::Serialize;
use std::collections::BTreeMap;

/// Robust standard deviations from the median beyond which a value is flagged.
pub const OUTLIER_LIMIT: f64 = 5.0;
/// The factor that makes the median absolute deviation estimate a normal standard deviation.
const MAD_TO_SD: f64 = 1.4826;
/// The fewest values the rule judges (fewer: nothing is flagged).
const MIN_VALUES: usize = 5;
/// The fewest area-years two indicators must share to be called duplicates.
pub const MIN_SHARED: usize = 10;

/// The rule in words, for responses and the docs.
pub const OUTLIER_RULE: &str = "more than 5 robust standard deviations (1.4826 × MAD) from the median of the indicator-year, in log space when no value is negative (zeros are never flagged and do not count), otherwise on the raw values; at least 5 values and a non-zero MAD";

/// Positions of the values beyond the rule ([`OUTLIER_RULE`]), ascending.
pub fn check_source(values: &[Option<f64>]) -> Vec<usize> {
    let Some(judged) = judged_points(values) else {
        return Vec::new();
    };
    judged
        .points
        .into_iter()
        .filter(|(_, x)| (x - judged.centre).abs() > OUTLIER_LIMIT * judged.sd)
        .map(|(i, _)| i)
        .collect()
}

/// How many of `values` the rule judges: those of [`check_source`]'s comparison (zeros are not
/// judged in log space), and none when there are too few or their MAD is zero.
pub fn judged(values: &[Option<f64>]) -> usize {
    judged_points(values).map_or(0, |j| j.points.len())
}

/// The values the rule compares (position, value or log), their median and robust SD.
struct Judged {
    points: Vec<(usize, f64)>,
    centre: f64,
    sd: f64,
}

fn judged_points(values: &[Option<f64>]) -> Option<Judged> {
    let present: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|x| x.is_finite()).map(|x| (i, x)))
        .collect();
    let logs = present.iter().all(|(_, v)| *v >= 0.0);
    let points: Vec<(usize, f64)> = if logs {
        present
            .into_iter()
            .filter(|(_, v)| *v > 0.0)
            .map(|(i, v)| (i, v.ln()))
            .collect()
    } else {
        present
    };
    if points.len() < MIN_VALUES {
        return None;
    }
    let centre = median(points.iter().map(|(_, x)| *x).collect());
    let mad = median(points.iter().map(|(_, x)| (x - centre).abs()).collect());
    let sd = MAD_TO_SD * mad;
    (sd > 0.0).then_some(Judged { points, centre, sd })
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => xs[n / 2],
        _ => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// One indicator equal to another over every area-year both have at one level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Duplicate {
    pub geography: Geography,
    /// The indicator counted once, as `duplicate_of`.
    pub indicator: IndicatorId,
    pub duplicate_of: IndicatorId,
    /// Area-years both have a value for (all equal).
    pub shared_values: usize,
}

/// How many values of one indicator at one level the outlier rule flags.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flagged {
    pub indicator: IndicatorId,
    pub geography: Geography,
    pub values: usize,
    pub flagged: usize,
}

/// Area-years (year, position) with a value, for one indicator level.
fn value_map(level: &IndicatorLevel) -> BTreeMap<(i32, &str, usize), f64> {
    level
        .series
        .iter()
        .flat_map(|(year, s)| {
            s.values
                .iter()
                .enumerate()
                .filter_map(move |(i, v)| v.map(|v| ((*year, s.layer.as_str(), i), v)))
        })
        .collect()
}

/// Every pair of indicators at one level whose values are equal over at least [`MIN_SHARED`]
/// shared area-years and differ in none; the later id (in id order) is the duplicate.
pub fn find_duplicates(store: &MetricsStore) -> Vec<Duplicate> {
    let mut by_geography: BTreeMap<Geography, Vec<(&IndicatorId, BTreeMap<_, f64>)>> =
        BTreeMap::new();
    for (id, levels) in &store.indicators {
        for (geography, level) in levels {
            by_geography
                .entry(*geography)
                .or_default()
                .push((id, value_map(level)));
        }
    }
    let mut found = Vec::new();
    for (geography, indicators) in by_geography {
        for (later, (id, values)) in indicators.iter().enumerate() {
            if found
                .iter()
                .any(|d: &Duplicate| d.geography == geography && &d.indicator == *id)
            {
                continue;
            }
            for (other, other_values) in indicators.iter().take(later) {
                let mut shared = 0;
                let all_equal = values.iter().all(|(key, v)| match other_values.get(key) {
                    Some(w) => {
                        shared += 1;
                        v == w
                    }
                    None => true,
                });
                if all_equal && shared >= MIN_SHARED {
                    found.push(Duplicate {
                        geography,
                        indicator: (*id).clone(),
                        duplicate_of: (*other).clone(),
                        shared_values: shared,
                    });
                    break;
                }
            }
        }
    }
    found
}

/// Flags every series, records the duplicates in the report and marks each duplicate's
/// metadata (`duplicate_of` and a caveat naming the other and the count).
pub fn check(store: &mut MetricsStore) {
    let mut flagged = Vec::new();
    for (id, levels) in store.indicators.iter_mut() {
        for (geography, level) in levels.iter_mut() {
            let (mut values, mut count) = (0, 0);
            for series in level.series.values_mut() {
                series.check_source = check_source(&series.values);
                values += series.values.iter().flatten().count();
                count += series.check_source.len();
            }
            if count > 0 {
                flagged.push(Flagged {
                    indicator: id.clone(),
                    geography: *geography,
                    values,
                    flagged: count,
                });
            }
        }
    }
    let duplicates = find_duplicates(store);
    for d in &duplicates {
        let caveat = |other: &IndicatorId| {
            format!(
                "Equal to {other} in all {} {} area-years both have: one of the two is probably a copy upstream; profiles and peers count the pair once (as {})",
                d.shared_values, d.geography, d.duplicate_of
            )
        };
        if let Some(level) = store
            .indicators
            .get_mut(&d.indicator)
            .and_then(|l| l.get_mut(&d.geography))
        {
            level.info.duplicate_of = Some(d.duplicate_of.clone());
            level.info.caveats.push(caveat(&d.duplicate_of));
        }
        if let Some(level) = store
            .indicators
            .get_mut(&d.duplicate_of)
            .and_then(|l| l.get_mut(&d.geography))
        {
            level.info.caveats.push(caveat(&d.indicator));
        }
    }
    store.report.check_source = flagged;
    store.report.duplicate_indicators = duplicates;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn some(xs: &[f64]) -> Vec<Option<f64>> {
        xs.iter().map(|x| Some(*x)).collect()
    }

    #[test]
    fn flags_a_value_far_out_in_log_space_and_never_a_zero() {
        // Funding in the millions and one £5,000: flagged. The zero is not judged.
        let mut v = some(&[2.0e6, 3.0e6, 2.5e6, 4.0e6, 1.5e6, 3.5e6, 5000.0, 0.0]);
        assert_eq!(check_source(&v), vec![6]);
        v.push(None);
        assert_eq!(check_source(&v), vec![6]);
    }

    #[test]
    fn a_spread_but_plausible_series_is_not_flagged() {
        let v = some(&[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]);
        assert_eq!(check_source(&v), Vec::<usize>::new());
    }

    #[test]
    fn negative_values_are_judged_on_the_raw_scale() {
        let v = some(&[-1.0, 0.5, 0.2, -0.3, 0.1, 0.0, 0.4, 40.0]);
        assert_eq!(check_source(&v), vec![7]);
    }

    #[test]
    fn too_few_values_or_no_spread_flags_nothing() {
        assert!(check_source(&some(&[1.0, 1e9, 1.0, 1.0])).is_empty());
        assert!(check_source(&some(&[3.0, 3.0, 3.0, 3.0, 3.0, 900.0])).is_empty());
        assert!(check_source(&[]).is_empty());
    }

    #[test]
    fn judged_counts_what_the_rule_compares() {
        // The zero and the missing value are not judged; the 7 others are, flagged or not.
        let v = some(&[2.0e6, 3.0e6, 2.5e6, 4.0e6, 1.5e6, 3.5e6, 5000.0, 0.0]);
        assert_eq!(judged(&v), 7);
        let mut with_missing = v.clone();
        with_missing.push(None);
        assert_eq!(judged(&with_missing), 7);
        // On the raw scale (a negative value) the zero counts.
        assert_eq!(
            judged(&some(&[-1.0, 0.5, 0.2, -0.3, 0.1, 0.0, 0.4, 40.0])),
            8
        );
        // Too few, or no spread: nothing is judged.
        assert_eq!(judged(&some(&[1.0, 1e9, 1.0, 1.0])), 0);
        assert_eq!(judged(&some(&[3.0, 3.0, 3.0, 3.0, 3.0, 900.0])), 0);
    }
}
