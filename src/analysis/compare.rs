//! Comparison of chosen areas with their neighbours and with the distribution over all areas.
//!
//! # Definitions
//!
//! For an area with value `v` (present and finite) and neighbour list `N` (area indices, e.g. from
//! [`crate::index::adjacency`]):
//! * **neighbour_mean** = mean of the present values of the areas in `N` (the area itself and
//!   repeated indices are ignored); `None` when no neighbour has a value.
//! * **neighbour_count_with_data** = how many of those neighbours have a value.
//! * **gap_to_neighbours** = `v − neighbour_mean`.
//! * **verdict** against the median `m` and population standard deviation `sd` of all areas with
//!   a value: `higher` when `v > m + sd`, `lower` when `v < m − sd`, otherwise `similar`
//!   ("within one standard deviation of the median", bounds included). `None` when `v` is missing.

use std::collections::BTreeSet;

use serde::Serialize;

use super::stats::{self, Summary};
use super::AnalysisError;

/// Where a value sits relative to the median of all areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// More than one standard deviation above the median.
    Higher,
    /// Within one standard deviation of the median.
    Similar,
    /// More than one standard deviation below the median.
    Lower,
}

/// One chosen area compared with its neighbours and with all areas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Input position of the area.
    pub index: usize,
    /// Its value (`None` when missing or non-finite).
    pub value: Option<f64>,
    /// Neighbour indices considered (self and duplicates removed), ascending.
    pub neighbours: Vec<usize>,
    /// Mean over neighbours with a value.
    pub neighbour_mean: Option<f64>,
    /// Number of neighbours with a value.
    pub neighbour_count_with_data: usize,
    /// `value − neighbour_mean`.
    pub gap_to_neighbours: Option<f64>,
    /// Against the median ± one standard deviation of all areas.
    pub verdict: Option<Verdict>,
}

/// The comparisons plus the distribution they were judged against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparisons {
    /// Summary of all areas' values (the median and sd used for the verdicts).
    pub summary: Summary,
    /// One entry per chosen area, in the order chosen.
    pub areas: Vec<Comparison>,
}

/// Compare the `chosen` areas (indices into `values`) with their neighbours.
///
/// `neighbours[i]` lists the neighbours of area `i`; it must have one entry per area.
///
/// ```
/// use smartspec::analysis::compare::{compare, Verdict};
/// let values = [Some(10.0), Some(20.0), Some(30.0)];
/// let neighbours = vec![vec![1], vec![0, 2], vec![1]];
/// let c = compare(&values, &neighbours, &[1]).unwrap();
/// assert_eq!(c.areas[0].neighbour_mean, Some(20.0));
/// assert_eq!(c.areas[0].verdict, Some(Verdict::Similar));
/// ```
pub fn compare(
    values: &[Option<f64>],
    neighbours: &[Vec<usize>],
    chosen: &[usize],
) -> Result<Comparisons, AnalysisError> {
    let len = values.len();
    if neighbours.len() != len {
        return Err(AnalysisError::LengthMismatch {
            what: "neighbours",
            expected: len,
            got: neighbours.len(),
        });
    }
    let summary = stats::summary(values);
    let areas = chosen
        .iter()
        .map(|&index| {
            let out_of_range = |what, index| AnalysisError::IndexOutOfRange { what, index, len };
            let list = neighbours
                .get(index)
                .ok_or_else(|| out_of_range("chosen", index))?;
            let mut set = BTreeSet::new();
            for &j in list {
                if j >= len {
                    return Err(out_of_range("neighbours", j));
                }
                if j != index {
                    set.insert(j);
                }
            }
            let value = values.get(index).copied().and_then(stats::usable);
            let with_data: Vec<f64> = set
                .iter()
                .filter_map(|&j| values.get(j).copied().and_then(stats::usable))
                .collect();
            let neighbour_mean = stats::mean_of(&with_data);
            let gap_to_neighbours = value.zip(neighbour_mean).map(|(v, m)| v - m);
            Ok(Comparison {
                index,
                value,
                neighbours: set.into_iter().collect(),
                neighbour_mean,
                neighbour_count_with_data: with_data.len(),
                gap_to_neighbours,
                verdict: value.and_then(|v| verdict(v, &summary)),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Comparisons { summary, areas })
}

/// `higher` / `lower` beyond one standard deviation from the median, else `similar`.
pub fn verdict(value: f64, summary: &Summary) -> Option<Verdict> {
    let (m, sd) = (summary.median?, summary.std_dev?);
    Some(if value > m + sd {
        Verdict::Higher
    } else if value < m - sd {
        Verdict::Lower
    } else {
        Verdict::Similar
    })
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Five areas in a row 0-1-2-4 with 3 hanging off 0; area 3 has no value.
    fn example() -> (Vec<Option<f64>>, Vec<Vec<usize>>) {
        let values = vec![Some(10.0), Some(20.0), Some(30.0), None, Some(40.0)];
        let neighbours = vec![vec![1, 3], vec![0, 2], vec![1, 4], vec![0], vec![2]];
        (values, neighbours)
    }

    #[test]
    fn hand_checked_example() {
        let (values, neighbours) = example();
        let c = compare(&values, &neighbours, &[0, 2, 3, 4]).unwrap();
        // Values 10, 20, 30, 40: median 25, mean 25, sd √((225+25+25+225)/4) = √125 = 11.1803,
        // so `higher` above 36.18 and `lower` below 13.82.
        assert_eq!(c.summary.median, Some(25.0));
        assert!((c.summary.std_dev.unwrap() - 125f64.sqrt()).abs() < 1e-12);

        let a0 = &c.areas[0];
        assert_eq!(a0.neighbours, [1, 3]);
        assert_eq!(a0.neighbour_mean, Some(20.0)); // only area 1 has data
        assert_eq!(a0.neighbour_count_with_data, 1);
        assert_eq!(a0.gap_to_neighbours, Some(-10.0));
        assert_eq!(a0.verdict, Some(Verdict::Lower));

        let a2 = &c.areas[1];
        assert_eq!(a2.neighbour_mean, Some(30.0)); // (20 + 40) / 2
        assert_eq!(a2.gap_to_neighbours, Some(0.0));
        assert_eq!(a2.verdict, Some(Verdict::Similar));

        let a3 = &c.areas[2];
        assert_eq!(a3.value, None);
        assert_eq!(a3.neighbour_mean, Some(10.0));
        assert_eq!((a3.gap_to_neighbours, a3.verdict), (None, None));

        let a4 = &c.areas[3];
        assert_eq!(a4.verdict, Some(Verdict::Higher));
        assert_eq!(a4.gap_to_neighbours, Some(10.0));
    }

    #[test]
    fn no_neighbours_with_data_and_self_loops() {
        let values = [Some(1.0), None, Some(3.0)];
        let neighbours = vec![vec![0, 1, 1], vec![], vec![]];
        let c = compare(&values, &neighbours, &[0, 2]).unwrap();
        assert_eq!(c.areas[0].neighbours, [1]);
        assert_eq!(c.areas[0].neighbour_mean, None);
        assert_eq!(c.areas[0].neighbour_count_with_data, 0);
        assert_eq!(c.areas[0].gap_to_neighbours, None);
        // Median 2, sd 1: 1 and 3 sit exactly on the bounds, which count as similar.
        assert_eq!(c.areas[0].verdict, Some(Verdict::Similar));
        assert_eq!(c.areas[1].verdict, Some(Verdict::Similar));
    }

    #[test]
    fn bad_indices_are_errors() {
        let (values, neighbours) = example();
        assert_eq!(
            compare(&values, &neighbours, &[5]),
            Err(AnalysisError::IndexOutOfRange {
                what: "chosen",
                index: 5,
                len: 5
            })
        );
        let mut bad = neighbours.clone();
        bad[1].push(9);
        assert!(matches!(
            compare(&values, &bad, &[1]),
            Err(AnalysisError::IndexOutOfRange {
                what: "neighbours",
                index: 9,
                ..
            })
        ));
        assert!(matches!(
            compare(&values, &neighbours[..4], &[0]),
            Err(AnalysisError::LengthMismatch {
                expected: 5,
                got: 4,
                ..
            })
        ));
    }

    #[test]
    fn verdict_serialises_lowercase() {
        assert_eq!(serde_json::to_value(Verdict::Higher).unwrap(), "higher");
        assert_eq!(serde_json::to_value(Verdict::Similar).unwrap(), "similar");
        assert_eq!(serde_json::to_value(Verdict::Lower).unwrap(), "lower");
    }
}
