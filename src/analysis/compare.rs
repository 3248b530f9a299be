//! Comparison of chosen areas with their neighbours and with all areas, in the good direction.
//!
//! # Definitions
//!
//! For an area with value `v` (present and finite) and neighbour list `N` (area indices, e.g. from
//! [`crate::index::adjacency`]):
//! * **neighbour_mean** = mean of the present values of the areas in `N` (the area itself and
//!   repeated indices are ignored); `None` when no neighbour has a value.
//! * **neighbour_count_with_data** = how many of those neighbours have a value.
//! * **gap_to_neighbours** = `v − neighbour_mean`.
//! * **verdict_all_areas** and **verdict_neighbours**: see [`super::standing`] (by percentile
//!   among all areas; by the gap against half the interquartile range). `None` when `v` (or,
//!   for neighbours, the neighbour mean) is missing.

use std::collections::BTreeSet;

use serde::Serialize;

use super::ranking::rank;
use super::standing::{against_all_areas, against_neighbours, Verdict};
use super::stats::{self, Summary};
use super::AnalysisError;

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
    /// Against all areas, by percentile.
    pub verdict_all_areas: Option<Verdict>,
    /// Against the neighbours' mean.
    pub verdict_neighbours: Option<Verdict>,
}

/// The comparisons plus the distribution they were judged against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparisons {
    /// Summary of all areas' values.
    pub summary: Summary,
    /// The interquartile range of all areas' values (the neighbour verdicts' yardstick).
    pub iqr: Option<f64>,
    /// One entry per chosen area, in the order chosen.
    pub areas: Vec<Comparison>,
}

/// Compare the `chosen` areas (indices into `values`) with their neighbours and all areas.
///
/// `neighbours[i]` lists the neighbours of area `i`; it must have one entry per area.
/// `higher_is_better`: `Some(true)`, `Some(false)`, or `None` for a neutral indicator.
///
/// ```
/// use smartspec::analysis::compare::compare;
/// use smartspec::analysis::standing::Verdict;
/// let values = [Some(10.0), Some(20.0), Some(30.0), Some(40.0)];
/// let neighbours = vec![vec![1], vec![0, 2], vec![1, 3], vec![2]];
/// let c = compare(&values, &neighbours, &[0], Some(false)).unwrap();
/// assert_eq!(c.areas[0].neighbour_mean, Some(20.0));
/// // The lowest value, where lower is better: better than all areas and than its neighbour.
/// assert_eq!(c.areas[0].verdict_all_areas, Some(Verdict::Better));
/// assert_eq!(c.areas[0].verdict_neighbours, Some(Verdict::Better));
/// ```
pub fn compare(
    values: &[Option<f64>],
    neighbours: &[Vec<usize>],
    chosen: &[usize],
    higher_is_better: Option<bool>,
) -> Result<Comparisons, AnalysisError> {
    let len = values.len();
    if neighbours.len() != len {
        return Err(AnalysisError::LengthMismatch {
            what: "neighbours",
            expected: len,
            got: neighbours.len(),
        });
    }
    let ranking = rank(values);
    let iqr = stats::iqr(values);
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
            let percentile = ranking.entries.get(index).and_then(|e| e.percentile);
            Ok(Comparison {
                index,
                value,
                neighbours: set.into_iter().collect(),
                neighbour_mean,
                neighbour_count_with_data: with_data.len(),
                gap_to_neighbours,
                verdict_all_areas: percentile.map(|p| against_all_areas(p, higher_is_better)),
                verdict_neighbours: gap_to_neighbours
                    .zip(iqr)
                    .map(|(gap, iqr)| against_neighbours(gap, iqr, higher_is_better)),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Comparisons {
        summary: ranking.summary,
        iqr,
        areas,
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
        let c = compare(&values, &neighbours, &[0, 2, 3, 4], Some(true)).unwrap();
        // Values 10, 20, 30, 40: quartiles 17.5 and 32.5, IQR 15, so a neighbour gap counts
        // beyond 7.5. Percentiles 12.5, 37.5, 62.5, 87.5.
        assert_eq!(c.iqr, Some(15.0));
        assert_eq!(c.summary.median, Some(25.0));

        let a0 = &c.areas[0];
        assert_eq!(a0.neighbours, [1, 3]);
        assert_eq!(a0.neighbour_mean, Some(20.0)); // only area 1 has data
        assert_eq!(a0.neighbour_count_with_data, 1);
        assert_eq!(a0.gap_to_neighbours, Some(-10.0));
        assert_eq!(a0.verdict_all_areas, Some(Verdict::Worse));
        assert_eq!(a0.verdict_neighbours, Some(Verdict::Worse));

        let a2 = &c.areas[1];
        assert_eq!(a2.neighbour_mean, Some(30.0)); // (20 + 40) / 2
        assert_eq!(a2.gap_to_neighbours, Some(0.0));
        assert_eq!(a2.verdict_all_areas, Some(Verdict::Similar));
        assert_eq!(a2.verdict_neighbours, Some(Verdict::Similar));

        let a3 = &c.areas[2];
        assert_eq!(a3.value, None);
        assert_eq!(a3.neighbour_mean, Some(10.0));
        assert_eq!(
            (
                a3.gap_to_neighbours,
                a3.verdict_all_areas,
                a3.verdict_neighbours
            ),
            (None, None, None)
        );

        let a4 = &c.areas[3];
        assert_eq!(a4.verdict_all_areas, Some(Verdict::Better));
        assert_eq!(a4.gap_to_neighbours, Some(10.0));
        assert_eq!(a4.verdict_neighbours, Some(Verdict::Better));
    }

    #[test]
    fn lower_is_better_and_neutral_turn_the_verdicts() {
        let (values, neighbours) = example();
        let low = compare(&values, &neighbours, &[0, 4], Some(false)).unwrap();
        assert_eq!(low.areas[0].verdict_all_areas, Some(Verdict::Better));
        assert_eq!(low.areas[0].verdict_neighbours, Some(Verdict::Better));
        assert_eq!(low.areas[1].verdict_all_areas, Some(Verdict::Worse));
        let neutral = compare(&values, &neighbours, &[0, 4], None).unwrap();
        assert_eq!(neutral.areas[0].verdict_all_areas, Some(Verdict::Lower));
        assert_eq!(neutral.areas[1].verdict_neighbours, Some(Verdict::Higher));
    }

    #[test]
    fn no_neighbours_with_data_and_self_loops() {
        let values = [Some(1.0), None, Some(3.0)];
        let neighbours = vec![vec![0, 1, 1], vec![], vec![]];
        let c = compare(&values, &neighbours, &[0, 2], Some(true)).unwrap();
        assert_eq!(c.areas[0].neighbours, [1]);
        assert_eq!(c.areas[0].neighbour_mean, None);
        assert_eq!(c.areas[0].neighbour_count_with_data, 0);
        assert_eq!(c.areas[0].gap_to_neighbours, None);
        assert_eq!(c.areas[0].verdict_neighbours, None);
        // Two values: percentiles 25 and 75, the bounds, which count.
        assert_eq!(c.areas[0].verdict_all_areas, Some(Verdict::Worse));
        assert_eq!(c.areas[1].verdict_all_areas, Some(Verdict::Better));
    }

    #[test]
    fn bad_indices_are_errors() {
        let (values, neighbours) = example();
        assert_eq!(
            compare(&values, &neighbours, &[5], Some(true)),
            Err(AnalysisError::IndexOutOfRange {
                what: "chosen",
                index: 5,
                len: 5
            })
        );
        let mut bad = neighbours.clone();
        bad[1].push(9);
        assert!(matches!(
            compare(&values, &bad, &[1], Some(true)),
            Err(AnalysisError::IndexOutOfRange {
                what: "neighbours",
                index: 9,
                ..
            })
        ));
        assert!(matches!(
            compare(&values, &neighbours[..4], &[0], Some(true)),
            Err(AnalysisError::LengthMismatch {
                expected: 5,
                got: 4,
                ..
            })
        ));
    }

    #[test]
    fn verdict_serialises_lowercase() {
        assert_eq!(serde_json::to_value(Verdict::Better).unwrap(), "better");
        assert_eq!(serde_json::to_value(Verdict::Similar).unwrap(), "similar");
        assert_eq!(serde_json::to_value(Verdict::Lower).unwrap(), "lower");
    }
}
