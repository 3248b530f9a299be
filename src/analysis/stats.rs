//! Summary statistics over optional values: count, mean, median and population standard deviation.
//!
//! Only *present* values count: `None`, NaN and ±∞ are ignored everywhere.

use serde::Serialize;

/// Summary of the present values of one indicator across areas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Number of present (finite) values.
    pub count_with_data: usize,
    /// Arithmetic mean; `None` when there is no value.
    pub mean: Option<f64>,
    /// Median: the middle value, or the mean of the two middle values for an even count;
    /// `None` when there is no value.
    pub median: Option<f64>,
    /// Population standard deviation √(Σ(x − mean)² / n) (divisor n, not n − 1); `0.0` for a
    /// single value, `None` when there is no value.
    pub std_dev: Option<f64>,
}

/// `Some(v)` when `v` is present and finite, else `None`.
pub fn usable(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// The present (finite) values, in input order.
pub fn present(values: &[Option<f64>]) -> Vec<f64> {
    values.iter().filter_map(|&v| usable(v)).collect()
}

/// Mean of the present values.
///
/// ```
/// use smartspec::analysis::stats::mean;
/// assert_eq!(mean(&[Some(1.0), None, Some(3.0), Some(f64::NAN)]), Some(2.0));
/// ```
pub fn mean(values: &[Option<f64>]) -> Option<f64> {
    mean_of(&present(values))
}

/// Median of the present values.
pub fn median(values: &[Option<f64>]) -> Option<f64> {
    median_of(&mut present(values))
}

/// Population standard deviation of the present values.
pub fn std_dev(values: &[Option<f64>]) -> Option<f64> {
    std_dev_of(&present(values))
}

/// The interquartile range of the present values: the third quartile minus the first, each
/// by linear interpolation between order statistics (R's type 7); `None` without values.
///
/// ```
/// use smartspec::analysis::stats::iqr;
/// assert_eq!(iqr(&[Some(10.0), Some(20.0), Some(30.0), Some(40.0)]), Some(15.0));
/// ```
pub fn iqr(values: &[Option<f64>]) -> Option<f64> {
    let mut xs = present(values);
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        let h = (xs.len() - 1) as f64 * q;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        let (a, b) = (xs.get(lo).copied()?, xs.get(hi).copied()?);
        Some(a + (h - lo as f64) * (b - a))
    };
    Some(quantile(0.75)? - quantile(0.25)?)
}

/// Count, mean, median and population standard deviation of the present values.
pub fn summary(values: &[Option<f64>]) -> Summary {
    let mut xs = present(values);
    Summary {
        count_with_data: xs.len(),
        mean: mean_of(&xs),
        std_dev: std_dev_of(&xs),
        median: median_of(&mut xs),
    }
}

/// Mean of finite values, by running update (no overflow of an intermediate sum).
pub(crate) fn mean_of(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut m = 0.0;
    for (k, x) in xs.iter().enumerate() {
        m += (x - m) / (k as f64 + 1.0);
    }
    Some(m)
}

/// Median of finite values (sorts `xs`).
pub(crate) fn median_of(xs: &mut [f64]) -> Option<f64> {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let hi = xs.get(n / 2).copied()?;
    if n % 2 == 1 {
        Some(hi)
    } else {
        let lo = xs.get(n / 2 - 1).copied()?;
        Some(lo / 2.0 + hi / 2.0)
    }
}

/// Population standard deviation of finite values (two passes).
pub(crate) fn std_dev_of(xs: &[f64]) -> Option<f64> {
    let m = mean_of(xs)?;
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    Some((ss / xs.len() as f64).sqrt())
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn textbook_example_with_missing_values() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32,
        // 32/8 = 4, so the population sd is 2; median (4 + 5)/2 = 4.5.
        let v = [
            Some(2.0),
            None,
            Some(4.0),
            Some(4.0),
            Some(f64::NAN),
            Some(4.0),
            Some(5.0),
            Some(5.0),
            Some(f64::INFINITY),
            Some(7.0),
            Some(9.0),
        ];
        let s = summary(&v);
        assert_eq!(s.count_with_data, 8);
        assert!(close(s.mean, 5.0));
        assert!(close(s.median, 4.5));
        assert!(close(s.std_dev, 2.0));
        assert_eq!(mean(&v), s.mean);
        assert_eq!(median(&v), s.median);
        assert_eq!(std_dev(&v), s.std_dev);
    }

    #[test]
    fn odd_count_median_and_single_value() {
        assert!(close(median(&[Some(3.0), Some(1.0), Some(2.0)]), 2.0));
        let s = summary(&[None, Some(7.0)]);
        assert_eq!(s.count_with_data, 1);
        assert!(close(s.mean, 7.0) && close(s.median, 7.0) && close(s.std_dev, 0.0));
    }

    #[test]
    fn empty_and_all_missing() {
        for v in [vec![], vec![None, Some(f64::NAN)]] {
            let s = summary(&v);
            assert_eq!(s.count_with_data, 0);
            assert_eq!((s.mean, s.median, s.std_dev), (None, None, None));
        }
    }

    #[test]
    fn huge_values_do_not_overflow_the_mean() {
        assert!(close(
            mean(&[Some(f64::MAX), Some(f64::MAX)]).map(|m| m / f64::MAX),
            1.0
        ));
        assert!(close(
            median(&[Some(f64::MAX), Some(f64::MAX)]).map(|m| m / f64::MAX),
            1.0
        ));
    }

    #[test]
    fn summary_serialises_snake_case() {
        let json = serde_json::to_value(summary(&[Some(1.0), None])).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"count_with_data": 1, "mean": 1.0, "median": 1.0, "std_dev": 0.0})
        );
    }
}
