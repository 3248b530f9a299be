//! Statistical peers: the areas most similar to a target across several indicators.
//!
//! # Definitions
//!
//! The input is an area × indicator matrix of optional values (`matrix[area][indicator]`).
//! * Each indicator column is **z-standardised** across all areas with a value:
//!   `z = (x − mean) / sd` with the population standard deviation. A column with fewer than two
//!   values, or with sd = 0, carries no information and is never used.
//! * The **distance** between the target `t` and an area `a` is the Euclidean distance
//!   `√Σ (z[t][i] − z[a][i])²` over the usable indicators `i` that **both** have. Its
//!   **contribution** from indicator `i` is `(z[t][i] − z[a][i])²`, so the contributions sum to
//!   the distance squared. Distances over fewer indicators tend to be smaller: compare
//!   `indicators_used` too.
//! * Areas sharing no usable indicator with the target are not peers; nor is the target itself,
//!   nor any area in `exclude`. Peers are ordered by distance, then by index, and the first `k`
//!   are returned.

use serde::Serialize;

use super::stats;
use super::AnalysisError;

/// One peer of the target area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peer {
    /// Input position (row) of the peer.
    pub index: usize,
    /// Euclidean distance in standardised units over the indicators used.
    pub distance: f64,
    /// Number of indicators both areas have (and that vary across areas).
    pub indicators_used: usize,
    /// Per indicator (same order as the matrix columns): the squared z difference, or `None`
    /// when the indicator was not used for this pair.
    pub contributions: Vec<Option<f64>>,
}

/// The `k` nearest peers of area `target` (see module docs).
///
/// ```
/// use smartspec::analysis::peers::peers;
/// let m = vec![vec![Some(1.0)], vec![Some(2.0)], vec![Some(4.0)]];
/// let p = peers(0, &m, 5, &[]).unwrap();
/// assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 2]);
/// ```
pub fn peers(
    target: usize,
    matrix: &[Vec<Option<f64>>],
    k: usize,
    exclude: &[usize],
) -> Result<Vec<Peer>, AnalysisError> {
    let width = super::matrix_width(matrix)?;
    let target_row = matrix.get(target).ok_or(AnalysisError::IndexOutOfRange {
        what: "target",
        index: target,
        len: matrix.len(),
    })?;

    // (mean, sd) of each usable column.
    let scales: Vec<Option<(f64, f64)>> = (0..width)
        .map(|c| {
            let column: Vec<Option<f64>> = matrix
                .iter()
                .map(|row| row.get(c).copied().flatten())
                .collect();
            let s = stats::summary(&column);
            match (s.count_with_data, s.mean, s.std_dev) {
                (n, Some(m), Some(sd)) if n >= 2 && sd > 0.0 => Some((m, sd)),
                _ => None,
            }
        })
        .collect();
    let z = |row: &[Option<f64>], c: usize| -> Option<f64> {
        let (m, sd) = scales.get(c).copied().flatten()?;
        let x = row.get(c).copied().and_then(stats::usable)?;
        Some((x - m) / sd)
    };
    let target_z: Vec<Option<f64>> = (0..width).map(|c| z(target_row, c)).collect();

    let mut out: Vec<Peer> = matrix
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != target && !exclude.contains(index))
        .filter_map(|(index, row)| {
            let contributions: Vec<Option<f64>> = target_z
                .iter()
                .enumerate()
                .map(|(c, tz)| {
                    let (tz, az) = ((*tz)?, z(row, c)?);
                    Some((tz - az) * (tz - az))
                })
                .collect();
            let indicators_used = contributions.iter().flatten().count();
            if indicators_used == 0 {
                return None;
            }
            let distance = contributions.iter().flatten().sum::<f64>().sqrt();
            Some(Peer {
                index,
                distance,
                indicators_used,
                contributions,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.distance
            .total_cmp(&b.distance)
            .then(a.index.cmp(&b.index))
    });
    out.truncate(k);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Columns: 0 = 1, 2, 3, 4, missing (mean 2.5, sd √1.25); 1 = constant 10 (unusable);
    /// 2 = 0, missing, 6, 3, missing (mean 3, sd √6); 3 = a single value (unusable).
    fn matrix() -> Vec<Vec<Option<f64>>> {
        vec![
            vec![Some(1.0), Some(10.0), Some(0.0), Some(5.0)],
            vec![Some(2.0), Some(10.0), None, None],
            vec![Some(3.0), Some(10.0), Some(6.0), None],
            vec![Some(4.0), Some(10.0), Some(3.0), None],
            vec![None, Some(10.0), None, None],
        ]
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn hand_checked_distances() {
        let p = peers(0, &matrix(), 10, &[]).unwrap();
        // Column 0: a difference of Δ raw units is Δ/√1.25 in z, so Δ² / 1.25 squared:
        //   1 → 0.8, 2 → 3.2, 3 → 7.2. Column 2: Δ² / 6: 6 → 6.0, 3 → 1.5.
        // Area 1: col 0 only: d² = 0.8. Area 2: 3.2 + 6.0 = 9.2. Area 3: 7.2 + 1.5 = 8.7.
        // Area 4 shares no usable indicator (column 1 is constant): not a peer.
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 3, 2]);
        assert!(close(p[0].distance, 0.8f64.sqrt()));
        assert!(close(p[1].distance, 8.7f64.sqrt()));
        assert!(close(p[2].distance, 9.2f64.sqrt()));
        assert_eq!(
            p.iter().map(|p| p.indicators_used).collect::<Vec<_>>(),
            [1, 2, 2]
        );
        let c = &p[1].contributions;
        assert!(close(c[0].unwrap(), 7.2) && close(c[2].unwrap(), 1.5));
        assert_eq!((c[1], c[3]), (None, None));
        for peer in &p {
            let sum: f64 = peer.contributions.iter().flatten().sum();
            assert!(close(sum, peer.distance * peer.distance));
        }
    }

    #[test]
    fn k_exclude_and_never_self() {
        let m = matrix();
        let p = peers(0, &m, 2, &[]).unwrap();
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 3]);
        let p = peers(0, &m, 10, &[1, 0, 99]).unwrap();
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [3, 2]);
        assert!(peers(0, &m, 0, &[]).unwrap().is_empty());
        for t in 0..m.len() {
            assert!(peers(t, &m, 10, &[]).unwrap().iter().all(|p| p.index != t));
        }
    }

    #[test]
    fn ties_break_by_index() {
        // Values −2..2 (mean exactly 0): from the target 0 (area 2), areas 1 and 3 are one unit
        // away and areas 0 and 4 two units away, with bit-identical distances.
        let m: Vec<Vec<Option<f64>>> = (-2..=2).map(|v| vec![Some(f64::from(v))]).collect();
        let p = peers(2, &m, 4, &[]).unwrap();
        assert_eq!(p.iter().map(|p| p.index).collect::<Vec<_>>(), [1, 3, 0, 4]);
        assert_eq!(p[0].distance, p[1].distance);
        assert_eq!(p[2].distance, p[3].distance);
    }

    #[test]
    fn target_without_usable_data_has_no_peers() {
        let p = peers(4, &matrix(), 10, &[]).unwrap();
        assert!(p.is_empty());
    }

    #[test]
    fn invalid_input() {
        assert_eq!(
            peers(7, &matrix(), 3, &[]),
            Err(AnalysisError::IndexOutOfRange {
                what: "target",
                index: 7,
                len: 5
            })
        );
        let ragged = vec![vec![Some(1.0), Some(2.0)], vec![Some(1.0)]];
        assert_eq!(
            peers(0, &ragged, 3, &[]),
            Err(AnalysisError::RaggedMatrix {
                row: 1,
                len: 1,
                expected: 2
            })
        );
        // Non-finite values are missing, not errors.
        let m = vec![vec![Some(f64::NAN)], vec![Some(1.0)], vec![Some(2.0)]];
        assert!(peers(0, &m, 3, &[]).unwrap().is_empty());
    }
}
