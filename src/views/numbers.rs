//! Numbers as responses write them: rounded to the decimals that carry meaning, so JSON says
//! `1.7`, not `1.7000000000000002`. Values keep every decimal their source has (the
//! semantics table's `decimals`); derived shares and scores get fixed precisions.

/// Decimals of percentiles (0..100).
pub const PERCENTILE_DECIMALS: u8 = 1;
/// Decimals of z-scores and other unitless scores.
pub const SCORE_DECIMALS: u8 = 3;

/// Extra decimals for statistics derived from values (means, medians, gaps): a mean of whole
/// counts keeps two decimals.
pub const STATISTIC_EXTRA_DECIMALS: u8 = 2;

/// A statistic in the unit of values with `decimals`, rounded to `decimals` + 2.
pub fn round_statistic(v: Option<f64>, decimals: u8) -> Option<f64> {
    round_opt(v, decimals.saturating_add(STATISTIC_EXTRA_DECIMALS))
}

/// `v` rounded half away from zero to `decimals`; `-0` becomes `0`. Magnitudes too large for
/// the rounding to change anything are returned as they are.
pub fn round(v: f64, decimals: u8) -> f64 {
    let scale = 10f64.powi(i32::from(decimals));
    let scaled = v * scale;
    if !scaled.is_finite() || scaled.abs() >= 1e15 {
        return v;
    }
    let r = scaled.round() / scale;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// [`round`] through an `Option`.
pub fn round_opt(v: Option<f64>, decimals: u8) -> Option<f64> {
    v.map(|v| round(v, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_the_shortest_decimal_text() {
        assert_eq!(
            serde_json::to_string(&round(1.7000000000000002, 2)).unwrap(),
            "1.7"
        );
        assert_eq!(serde_json::to_string(&round(0.1 + 0.2, 3)).unwrap(), "0.3");
        assert_eq!(round(2.345, 0), 2.0);
        assert_eq!(round(-2.5, 0), -3.0);
        assert_eq!(round(-0.0001, 2).to_bits(), 0f64.to_bits());
        assert_eq!(round(966968.41, 2), 966968.41);
        assert_eq!(round(3.0e11, 9), 3.0e11);
        assert_eq!(round_opt(None, 2), None);
    }
}
