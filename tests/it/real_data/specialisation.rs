//! Specialisation on the real GtR discipline matrix: the weighted mean location quotient of every
//! discipline is 1, and the Krugman and Herfindahl indices stay in their ranges.

use crate::common::data_dir;
use smartspec::analysis::specialisation::{specialisation, Specialisation};

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

/// The real GtR discipline matrix (40 NUTS 2 areas × 8 disciplines), one per measure.
fn real_matrices() -> Vec<(String, Vec<Vec<f64>>)> {
    let path = data_dir().join("metrics/specialisation/gtr_disciplines_nuts2.csv");
    let mut reader =
        csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "code",
            "name",
            "code_vintage",
            "category",
            "measure",
            "value"
        ]
    );
    // measure -> code -> category -> value
    let mut cells: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>,
    > = Default::default();
    for record in reader.records() {
        let r = record.unwrap();
        let value: f64 = r[5].parse().unwrap();
        let old = cells
            .entry(r[4].to_string())
            .or_default()
            .entry(r[0].to_string())
            .or_default()
            .insert(r[3].to_string(), value);
        assert!(old.is_none(), "duplicate cell {:?}", r);
    }
    cells
        .into_iter()
        .map(|(measure, by_code)| {
            let rows: Vec<Vec<f64>> = by_code
                .into_values()
                .map(|by_cat| by_cat.into_values().collect())
                .collect();
            (measure, rows)
        })
        .collect()
}

#[test]
fn real_gtr_disciplines_weighted_mean_lq_is_one() {
    let matrices = real_matrices();
    assert_eq!(
        matrices.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
        ["funding_gbp", "projects"]
    );
    for (measure, m) in &matrices {
        assert_eq!(m.len(), 40, "{measure}");
        assert!(m.iter().all(|row| row.len() == 8), "{measure}");
        let s = specialisation(m).unwrap();
        for (c, w) in weighted_mean_lq(&s).into_iter().enumerate() {
            assert!((w - 1.0).abs() < 1e-9, "{measure} category {c}: {w}");
        }
        for a in &s.areas {
            if let Some(k) = a.krugman {
                assert!((0.0..=2.0).contains(&k), "{measure}: K = {k}");
            }
            if let Some(h) = a.herfindahl {
                assert!(
                    (1.0 / 8.0 - 1e-12..=1.0 + 1e-12).contains(&h),
                    "{measure}: H = {h}"
                );
            }
        }
    }
}
