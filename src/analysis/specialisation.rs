//! Specialisation of areas across categories: shares, location quotients, Krugman and Herfindahl.
//!
//! # Definitions
//!
//! The input is an area × category matrix `x[a][c] ≥ 0` of activity (e.g. research projects or
//! funding per discipline). With row totals `T_a = Σ_c x[a][c]`, column totals `C_c = Σ_a x[a][c]`
//! and the grand total `G = Σ_a T_a`:
//! * **share** `s[a][c] = x[a][c] / T_a` (`None` when `T_a = 0`);
//!   **national share** `S_c = C_c / G` (`None` when `G = 0`).
//! * **location quotient** `LQ[a][c] = s[a][c] / S_c = (x[a][c] / T_a) / (C_c / G)`; `None` when
//!   `T_a = 0` or `C_c = 0`. An area is **specialised** in `c` when `LQ ≥ 1`. Weighted by `T_a`,
//!   the mean LQ of every category over all areas is exactly 1.
//! * **Krugman specialisation index** `K_a = Σ_c |s[a][c] − S_c|`, from 0 (same mix as the nation)
//!   to 2 (no category in common); `None` when `T_a = 0`.
//! * **Herfindahl concentration** `H_a = Σ_c s[a][c]²`, from `1/(number of categories)` (even
//!   spread) to 1 (a single category); `None` when `T_a = 0`.

use serde::Serialize;

use super::AnalysisError;

/// Specialisation measures of one area (one matrix row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaSpecialisation {
    /// Input position (row) of the area.
    pub index: usize,
    /// Row total `T_a`.
    pub total: f64,
    /// `s[a][c]` per category.
    pub shares: Vec<Option<f64>>,
    /// `LQ[a][c]` per category.
    pub location_quotients: Vec<Option<f64>>,
    /// `LQ[a][c] ≥ 1` per category (`None` where the LQ is undefined).
    pub specialised: Vec<Option<bool>>,
    /// Krugman index `K_a` (0..2).
    pub krugman: Option<f64>,
    /// Herfindahl index `H_a`.
    pub herfindahl: Option<f64>,
}

/// Specialisation of every area plus the national totals they were measured against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Specialisation {
    /// Column totals `C_c`.
    pub category_totals: Vec<f64>,
    /// Grand total `G`.
    pub grand_total: f64,
    /// National shares `S_c`.
    pub national_shares: Vec<Option<f64>>,
    /// One entry per area, in input order.
    pub areas: Vec<AreaSpecialisation>,
}

/// Shares, location quotients, Krugman and Herfindahl indices for an area × category matrix.
///
/// Errors when rows differ in length or a cell is negative or non-finite.
///
/// ```
/// use smartspec::analysis::specialisation::specialisation;
/// let s = specialisation(&[vec![10.0, 20.0], vec![30.0, 40.0]]).unwrap();
/// let lq = s.areas[0].location_quotients[0].unwrap();
/// assert!((lq - 5.0 / 6.0).abs() < 1e-12); // (10/30) / (40/100)
/// ```
pub fn specialisation(matrix: &[Vec<f64>]) -> Result<Specialisation, AnalysisError> {
    let width = super::matrix_width(matrix)?;
    for (row, cells) in matrix.iter().enumerate() {
        for (column, &value) in cells.iter().enumerate() {
            if !value.is_finite() || value < 0.0 {
                return Err(AnalysisError::InvalidValue { row, column, value });
            }
        }
    }
    let category_totals: Vec<f64> = (0..width)
        .map(|c| matrix.iter().filter_map(|row| row.get(c)).sum())
        .collect();
    let grand_total: f64 = category_totals.iter().sum();
    let national_shares: Vec<Option<f64>> = category_totals
        .iter()
        .map(|&t| (grand_total > 0.0).then(|| t / grand_total))
        .collect();

    let areas = matrix
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let total: f64 = row.iter().sum();
            let shares: Vec<Option<f64>> = row
                .iter()
                .map(|&x| (total > 0.0).then(|| x / total))
                .collect();
            let location_quotients: Vec<Option<f64>> = shares
                .iter()
                .zip(&category_totals)
                .zip(&national_shares)
                .map(|((s, &col_total), national)| {
                    let s = (*s)?;
                    let national = (*national)?;
                    (col_total > 0.0).then(|| s / national)
                })
                .collect();
            let specialised = location_quotients
                .iter()
                .map(|lq| lq.map(|lq| lq >= 1.0))
                .collect();
            let krugman = (total > 0.0)
                .then(|| {
                    shares
                        .iter()
                        .zip(&national_shares)
                        .map(|(s, n)| Some((s.unwrap_or(0.0) - (*n)?).abs()))
                        .sum::<Option<f64>>()
                })
                .flatten();
            let herfindahl = (total > 0.0).then(|| shares.iter().flatten().map(|s| s * s).sum());
            AreaSpecialisation {
                index,
                total,
                shares,
                location_quotients,
                specialised,
                krugman,
                herfindahl,
            }
        })
        .collect();

    Ok(Specialisation {
        category_totals,
        grand_total,
        national_shares,
        areas,
    })
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64, eps: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < eps)
    }

    #[test]
    fn golden_two_by_two() {
        // X = [[10, 20], [30, 40]]: T = 30, 70; C = 40, 60; G = 100; S = 0.4, 0.6.
        // Row 0 shares 1/3, 2/3 → LQ (1/3)/0.4 = 0.8333, (2/3)/0.6 = 1.1111.
        // Row 1 shares 3/7, 4/7 → LQ (3/7)/0.4 = 1.0714, (4/7)/0.6 = 0.9524.
        // Krugman row 0: |1/3 − 0.4| + |2/3 − 0.6| = 0.0667 + 0.0667 = 0.1333;
        //         row 1: |3/7 − 0.4| + |4/7 − 0.6| = 0.0286 + 0.0286 = 0.0571.
        // Herfindahl row 0: 1/9 + 4/9 = 5/9 = 0.5556; row 1: 9/49 + 16/49 = 25/49 = 0.5102.
        let s = specialisation(&[vec![10.0, 20.0], vec![30.0, 40.0]]).unwrap();
        assert_eq!(s.category_totals, [40.0, 60.0]);
        assert_eq!(s.grand_total, 100.0);
        let lq: Vec<Vec<f64>> = s
            .areas
            .iter()
            .map(|a| a.location_quotients.iter().map(|l| l.unwrap()).collect())
            .collect();
        let golden = [[0.8333, 1.1111], [1.0714, 0.9524]];
        for (row, gold) in lq.iter().zip(golden) {
            for (x, g) in row.iter().zip(gold) {
                assert!((x - g).abs() < 5e-5, "{x} vs {g}");
            }
        }
        assert!(close(s.areas[0].krugman, 0.1333, 5e-5));
        assert!(close(s.areas[0].krugman, 2.0 / 15.0, 1e-12));
        assert!(close(s.areas[1].krugman, 0.4 / 7.0, 1e-12));
        assert!(close(s.areas[0].herfindahl, 5.0 / 9.0, 1e-12));
        assert!(close(s.areas[1].herfindahl, 25.0 / 49.0, 1e-12));
        assert_eq!(s.areas[0].specialised, [Some(false), Some(true)]);
        assert_eq!(s.areas[1].specialised, [Some(true), Some(false)]);
        assert_eq!(s.areas[1].total, 70.0);
    }

    /// Σ_a T_a·LQ[a][c] / Σ_a T_a for every category.
    fn weighted_mean_lq(s: &Specialisation) -> Vec<f64> {
        (0..s.category_totals.len())
            .map(|c| {
                let (num, den) =
                    s.areas
                        .iter()
                        .fold((0.0, 0.0), |(n, d), a| match a.location_quotients[c] {
                            Some(lq) => (n + a.total * lq, d + a.total),
                            None => (n, d + a.total),
                        });
                num / den
            })
            .collect()
    }

    #[test]
    fn weighted_mean_lq_is_one() {
        let m = vec![
            vec![3.0, 0.0, 17.5, 2.25, 9.0],
            vec![0.5, 12.0, 1.0, 0.0, 4.0],
            vec![0.0, 0.0, 0.0, 0.0, 0.0],
            vec![8.0, 1.0, 6.5, 3.0, 0.125],
            vec![100.0, 0.0, 2.0, 7.0, 1.0],
        ];
        let s = specialisation(&m).unwrap();
        for w in weighted_mean_lq(&s) {
            assert!((w - 1.0).abs() < 1e-12, "{w}");
        }
        // The all-zero row has nothing defined.
        let z = &s.areas[2];
        assert!(z.shares.iter().all(Option::is_none));
        assert!(z.location_quotients.iter().all(Option::is_none));
        assert_eq!((z.krugman, z.herfindahl), (None, None));
        for a in &s.areas {
            if let Some(k) = a.krugman {
                assert!((0.0..=2.0).contains(&k));
            }
        }
    }

    #[test]
    fn zero_column_and_extremes() {
        // Category 1 is empty everywhere: its LQ is undefined; others are fine.
        // Area 0 does only category 0, area 1 only category 2: Herfindahl 1 each;
        // S = (0.5, 0, 0.5), so K = |1 − 0.5| + 0 + |0 − 0.5| = 1 for both.
        let s = specialisation(&[vec![5.0, 0.0, 0.0], vec![0.0, 0.0, 5.0]]).unwrap();
        assert_eq!(s.areas[0].location_quotients, [Some(2.0), None, Some(0.0)]);
        assert_eq!(s.areas[0].herfindahl, Some(1.0));
        assert_eq!(s.areas[0].krugman, Some(1.0));
        assert_eq!(s.national_shares, [Some(0.5), Some(0.0), Some(0.5)]);
        // Nothing at all.
        let s = specialisation(&[vec![0.0, 0.0]]).unwrap();
        assert_eq!(s.national_shares, [None, None]);
        assert_eq!(s.areas[0].krugman, None);
        let s = specialisation(&[]).unwrap();
        assert!(s.areas.is_empty() && s.category_totals.is_empty());
    }

    #[test]
    fn invalid_input() {
        assert_eq!(
            specialisation(&[vec![1.0], vec![1.0, 2.0]]),
            Err(AnalysisError::RaggedMatrix {
                row: 1,
                len: 2,
                expected: 1
            })
        );
        assert!(matches!(
            specialisation(&[vec![1.0, -2.0]]),
            Err(AnalysisError::InvalidValue {
                row: 0,
                column: 1,
                ..
            })
        ));
        assert!(matches!(
            specialisation(&[vec![1.0], vec![f64::NAN]]),
            Err(AnalysisError::InvalidValue {
                row: 1,
                column: 0,
                ..
            })
        ));
    }
}
