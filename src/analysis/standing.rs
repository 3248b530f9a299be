//! Where a value stands for a planner, given which direction is better.
//!
//! # Definitions
//!
//! `higher_is_better` is `Some(true)`, `Some(false)` or `None` (neutral). `percentile` is the
//! mid-rank percentile of [`super::ranking`] (0..100, higher value, higher percentile).
//! * **good percentile** = `percentile` when higher is better, `100 − percentile` when lower is
//!   better (mid-rank percentiles are symmetric, so this is the percentile of the negated
//!   values), none for a neutral indicator.
//! * **standing**: a *strength* at a good percentile of [`STRONG`] or more (the top quarter of
//!   areas in the good direction), a *weakness* at [`WEAK`] or less, otherwise *middle*;
//!   *neutral* for a neutral indicator.
//! * **verdict against all areas**: `better` / `worse` for a strength / weakness, else
//!   `similar`; a neutral indicator says `higher` / `lower` (top / bottom quarter) or `similar`.
//! * **verdict against neighbours**: the gap to the neighbours' mean against half the
//!   interquartile range of all areas: `similar` within it, else `better` / `worse` by the
//!   gap's sign in the good direction (`higher` / `lower` for a neutral indicator).

use serde::Serialize;

/// The good percentile at or above which a value is a strength.
pub const STRONG: f64 = 75.0;
/// The good percentile at or below which a value is a weakness.
pub const WEAK: f64 = 25.0;
/// The share of the interquartile range a gap to neighbours must pass to count.
pub const NEIGHBOUR_GAP_IQR: f64 = 0.5;

/// The rule for a verdict against all areas, in words.
pub const ALL_AREAS_RULE: &str = "better or worse when the area is in the top or bottom quarter of all areas with a value, in the good direction (percentile of at least 75 or at most 25); otherwise similar. Neutral indicators say higher or lower.";
/// The rule for a verdict against neighbours, in words.
pub const NEIGHBOURS_RULE: &str = "better or worse when the gap to the neighbours' mean is more than half the interquartile range of all areas, in the good direction; otherwise similar. Neutral indicators say higher or lower.";

/// A verdict, in the good direction where the indicator has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Better,
    Worse,
    Similar,
    /// Higher, for a neutral indicator.
    Higher,
    /// Lower, for a neutral indicator.
    Lower,
}

/// A profile row's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    Strength,
    Middle,
    Weakness,
    /// Neither direction is better.
    Neutral,
}

/// The percentile in the good direction; `None` for a neutral indicator.
pub fn good_percentile(percentile: f64, higher_is_better: Option<bool>) -> Option<f64> {
    higher_is_better.map(|higher| {
        if higher {
            percentile
        } else {
            100.0 - percentile
        }
    })
}

/// Strength, middle, weakness, or neutral.
pub fn standing(percentile: f64, higher_is_better: Option<bool>) -> Standing {
    match good_percentile(percentile, higher_is_better) {
        None => Standing::Neutral,
        Some(p) if p >= STRONG => Standing::Strength,
        Some(p) if p <= WEAK => Standing::Weakness,
        Some(_) => Standing::Middle,
    }
}

/// `up`: the value is above (`true`) or below the comparison, in raw terms.
fn directed(up: bool, higher_is_better: Option<bool>) -> Verdict {
    match higher_is_better {
        None if up => Verdict::Higher,
        None => Verdict::Lower,
        Some(h) if h == up => Verdict::Better,
        Some(_) => Verdict::Worse,
    }
}

/// Against all areas, by percentile (see the module docs).
pub fn against_all_areas(percentile: f64, higher_is_better: Option<bool>) -> Verdict {
    if percentile >= STRONG {
        directed(true, higher_is_better)
    } else if percentile <= WEAK {
        directed(false, higher_is_better)
    } else {
        Verdict::Similar
    }
}

/// Against the neighbours' mean, with `iqr` the interquartile range of all areas.
pub fn against_neighbours(gap: f64, iqr: f64, higher_is_better: Option<bool>) -> Verdict {
    if gap.abs() <= NEIGHBOUR_GAP_IQR * iqr {
        Verdict::Similar
    } else {
        directed(gap > 0.0, higher_is_better)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_is_better_turns_a_low_percentile_into_a_strength() {
        // A short travel time: percentile 10 of the raw values.
        assert_eq!(good_percentile(10.0, Some(false)), Some(90.0));
        assert_eq!(standing(10.0, Some(false)), Standing::Strength);
        assert_eq!(standing(10.0, Some(true)), Standing::Weakness);
        assert_eq!(standing(10.0, None), Standing::Neutral);
        assert_eq!(standing(50.0, Some(true)), Standing::Middle);
        assert_eq!(standing(75.0, Some(true)), Standing::Strength);
        assert_eq!(standing(25.0, Some(true)), Standing::Weakness);
    }

    #[test]
    fn verdicts_follow_the_good_direction() {
        assert_eq!(against_all_areas(90.0, Some(true)), Verdict::Better);
        assert_eq!(against_all_areas(90.0, Some(false)), Verdict::Worse);
        assert_eq!(against_all_areas(90.0, None), Verdict::Higher);
        assert_eq!(against_all_areas(10.0, Some(false)), Verdict::Better);
        assert_eq!(against_all_areas(50.0, Some(true)), Verdict::Similar);
        assert_eq!(against_neighbours(-3.0, 4.0, Some(false)), Verdict::Better);
        assert_eq!(against_neighbours(-3.0, 4.0, Some(true)), Verdict::Worse);
        assert_eq!(against_neighbours(2.0, 4.0, Some(true)), Verdict::Similar);
        assert_eq!(against_neighbours(3.0, 4.0, None), Verdict::Higher);
        assert_eq!(against_neighbours(0.0, 0.0, Some(true)), Verdict::Similar);
    }
}
