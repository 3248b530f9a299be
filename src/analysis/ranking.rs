//! Ranking of areas on one indicator: competition rank, mid-rank percentile and z-score.
//!
//! # Definitions
//!
//! Over the `n` areas with a present (finite) value `v`:
//! * **rank** = 1 + the number of areas with a strictly higher value ("competition ranking":
//!   ties share the lowest rank number, so 30, 20, 20, 10 rank 1, 2, 2, 4).
//! * **percentile** = 100 × (L + E/2) / n, where L is the number of areas with a strictly lower
//!   value and E the number with an equal value (the area itself included). This is the
//!   mid-rank percentile: of 10 distinct values the top scores 95 and the bottom 5; a single
//!   area, or a set of all-equal values, scores 50.
//! * **z-score** = (v − mean) / sd with the population standard deviation; `None` when sd = 0.
//!
//! Areas without a value get no rank, percentile or z-score.

use serde::Serialize;

use super::stats::{self, Summary};

/// The ranking of one area (one input position).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RankEntry {
    /// Input position of the area.
    pub index: usize,
    /// The value used (`None` when missing or non-finite).
    pub value: Option<f64>,
    /// 1 = highest; ties share the lowest number.
    pub rank: Option<usize>,
    /// Mid-rank percentile in 0..100 (see module docs).
    pub percentile: Option<f64>,
    /// (value − mean) / population sd; `None` when the sd is 0.
    pub z_score: Option<f64>,
}

/// Ranks of all areas plus the summary they were computed from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// One entry per input position, in input order.
    pub entries: Vec<RankEntry>,
    /// Count, mean, median and population sd of the present values.
    pub summary: Summary,
}

/// Rank, percentile and z-score of every value (see module docs).
///
/// ```
/// use smartspec::analysis::ranking::rank;
/// let r = rank(&[Some(30.0), Some(20.0), None, Some(20.0), Some(10.0)]);
/// let ranks: Vec<_> = r.entries.iter().map(|e| e.rank).collect();
/// assert_eq!(ranks, [Some(1), Some(2), None, Some(2), Some(4)]);
/// ```
pub fn rank(values: &[Option<f64>]) -> Ranking {
    let summary = stats::summary(values);
    let mut sorted = stats::present(values);
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let sd = summary.std_dev.filter(|&sd| sd > 0.0);
    let entries = values
        .iter()
        .enumerate()
        .map(|(index, &v)| {
            let value = stats::usable(v);
            let (rank, percentile, z_score) = match value {
                Some(v) => {
                    let lower = sorted.partition_point(|&x| x < v);
                    let not_higher = sorted.partition_point(|&x| x <= v);
                    let equal = not_higher - lower;
                    let higher = n - not_higher;
                    let pct = 100.0 * (lower as f64 + equal as f64 / 2.0) / n as f64;
                    let z = match (summary.mean, sd) {
                        (Some(m), Some(sd)) => Some((v - m) / sd),
                        _ => None,
                    };
                    (Some(higher + 1), Some(pct), z)
                }
                None => (None, None, None),
            };
            RankEntry {
                index,
                value,
                rank,
                percentile,
                z_score,
            }
        })
        .collect();
    Ranking { entries, summary }
}

/// Display order of the areas: ranked areas by rank (best first), ties in input order, then the
/// areas without a value in input order.
///
/// ```
/// use smartspec::analysis::ranking::{display_order, rank};
/// let r = rank(&[Some(30.0), Some(20.0), None, Some(20.0), Some(10.0)]);
/// assert_eq!(display_order(&r), [0, 1, 3, 4, 2]);
/// ```
pub fn display_order(ranking: &Ranking) -> Vec<usize> {
    let mut order: Vec<&RankEntry> = ranking.entries.iter().collect();
    // `None` sorts after every `Some` with this key; the sort is stable on ties.
    order.sort_by_key(|e| (e.rank.is_none(), e.rank, e.index));
    order.into_iter().map(|e| e.index).collect()
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn competition_ranks_percentiles_and_z() {
        let r = rank(&[Some(30.0), Some(20.0), Some(20.0), Some(10.0)]);
        let ranks: Vec<_> = r.entries.iter().map(|e| e.rank).collect();
        assert_eq!(ranks, [Some(1), Some(2), Some(2), Some(4)]);
        // n = 4. 30: L = 3, E = 1 → 100·3.5/4 = 87.5; 20: L = 1, E = 2 → 50; 10: 100·0.5/4 = 12.5.
        let pct: Vec<_> = r.entries.iter().map(|e| e.percentile).collect();
        assert_eq!(pct, [Some(87.5), Some(50.0), Some(50.0), Some(12.5)]);
        // mean 20, population sd √((100+0+0+100)/4) = √50 = 7.0711; z(30) = 10/7.0711 = 1.41421.
        assert!(close(r.summary.std_dev, 50f64.sqrt()));
        assert!(close(r.entries[0].z_score, std::f64::consts::SQRT_2)); // 10 / √50 = √2
        assert!(close(r.entries[1].z_score, 0.0));
        assert!(close(r.entries[3].z_score, -std::f64::consts::SQRT_2));
        assert_eq!(r.summary.count_with_data, 4);
        assert_eq!(r.summary.median, Some(20.0));
    }

    #[test]
    fn top_of_ten_distinct_scores_95() {
        let v: Vec<_> = (1..=10).map(|i| Some(i as f64)).collect();
        let r = rank(&v);
        assert_eq!(r.entries[9].rank, Some(1));
        assert_eq!(r.entries[9].percentile, Some(95.0));
        assert_eq!(r.entries[0].rank, Some(10));
        assert_eq!(r.entries[0].percentile, Some(5.0));
    }

    #[test]
    fn missing_values_and_single_area() {
        let r = rank(&[None, Some(f64::NAN), Some(4.0)]);
        assert_eq!(r.entries[0].rank, None);
        assert_eq!(
            r.entries[1],
            RankEntry {
                index: 1,
                value: None,
                rank: None,
                percentile: None,
                z_score: None
            }
        );
        // n = 1: rank 1, percentile 50, z undefined (sd = 0).
        assert_eq!(r.entries[2].rank, Some(1));
        assert_eq!(r.entries[2].percentile, Some(50.0));
        assert_eq!(r.entries[2].z_score, None);
        assert_eq!(r.summary.count_with_data, 1);
    }

    #[test]
    fn all_equal_share_rank_one() {
        let r = rank(&[Some(2.0), Some(2.0), Some(2.0)]);
        for e in &r.entries {
            assert_eq!(
                (e.rank, e.percentile, e.z_score),
                (Some(1), Some(50.0), None)
            );
        }
    }

    #[test]
    fn display_order_ranked_then_missing() {
        let r = rank(&[None, Some(1.0), Some(5.0), None, Some(5.0), Some(3.0)]);
        assert_eq!(display_order(&r), [2, 4, 5, 1, 0, 3]);
        assert!(display_order(&rank(&[])).is_empty());
    }

    #[test]
    fn serialises_snake_case() {
        let json = serde_json::to_value(rank(&[Some(1.0)])).unwrap();
        assert_eq!(
            json["entries"][0],
            serde_json::json!({"index": 0, "value": 1.0, "rank": 1, "percentile": 50.0, "z_score": null})
        );
        assert_eq!(json["summary"]["count_with_data"], 1);
    }
}
