//! The `datetime` of items (OGC API Features Part 1): an instant or an interval of days, tested
//! against a boundary vintage's validity (from its year until the next vintage of the same
//! geography) or used to choose a joined indicator's year.

use super::{choices, ViewError};
use crate::catalog::{Catalog, Layer};
use std::fmt;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Day {
    const fn first_of(year: i32) -> Day {
        Day {
            year,
            month: 1,
            day: 1,
        }
    }

    const fn last_of(year: i32) -> Day {
        Day {
            year,
            month: 12,
            day: 31,
        }
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days from `start` to `end`, both included; `None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: Option<Day>,
    pub end: Option<Day>,
}

impl Interval {
    /// One calendar year.
    pub fn year(year: i32) -> Interval {
        Interval {
            start: Some(Day::first_of(year)),
            end: Some(Day::last_of(year)),
        }
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        let starts_before_other_ends = match (self.start, other.end) {
            (Some(s), Some(e)) => s <= e,
            _ => true,
        };
        let ends_after_other_starts = match (self.end, other.start) {
            (Some(e), Some(s)) => e >= s,
            _ => true,
        };
        starts_before_other_ends && ends_after_other_starts
    }

    /// As OGC API extents write it: RFC 3339 instants, `null` for an open end.
    pub fn to_extent(self) -> [Option<String>; 2] {
        [
            self.start.map(|d| format!("{d}T00:00:00Z")),
            self.end.map(|d| format!("{d}T23:59:59Z")),
        ]
    }

    /// The smallest interval holding both.
    pub fn union(self, other: Interval) -> Interval {
        Interval {
            start: self.start.zip(other.start).map(|(a, b)| a.min(b)),
            end: self.end.zip(other.end).map(|(a, b)| a.max(b)),
        }
    }
}

/// Parses `datetime`: an instant (`2018`, `2018-06`, `2018-06-30`, `2018-06-30T12:00:00Z`: the
/// whole year, month or day it names), or `start/end` where either may be `..` or empty (open).
pub fn parse(text: &str) -> Result<Interval, ViewError> {
    let bad = |why: &str| {
        ViewError::invalid(format!(
            "datetime: {why}; expected an RFC 3339 date or date-time (2018, 2018-06-30, \
             2018-06-30T00:00:00Z), an interval start/end, or an open one (../2018, 2016/..), \
             got '{text}'"
        ))
    };
    let text = text.trim();
    let interval = match text.split_once('/') {
        None => {
            let (start, end) = instant(text).ok_or_else(|| bad("not a date"))?;
            Interval {
                start: Some(start),
                end: Some(end),
            }
        }
        Some((a, b)) => {
            let open = |s: &str| s.is_empty() || s == "..";
            if open(a) && open(b) {
                return Err(bad("both ends are open"));
            }
            let start = if open(a) {
                None
            } else {
                Some(instant(a).ok_or_else(|| bad("the start is not a date"))?.0)
            };
            let end = if open(b) {
                None
            } else {
                Some(instant(b).ok_or_else(|| bad("the end is not a date"))?.1)
            };
            Interval { start, end }
        }
    };
    if let (Some(s), Some(e)) = (interval.start, interval.end) {
        if s > e {
            return Err(bad("the start is after the end"));
        }
    }
    Ok(interval)
}

/// The first and last day an instant names.
fn instant(text: &str) -> Option<(Day, Day)> {
    let date = text.split(['T', 't', ' ']).next()?;
    let has_time = date.len() < text.len();
    if has_time && !valid_time(&text[date.len() + 1..]) {
        return None;
    }
    let parts: Vec<&str> = date.split('-').collect();
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let year = number(parts.first()?, 4)?;
    match parts.as_slice() {
        [_] if !has_time => Some((Day::first_of(year), Day::last_of(year))),
        [_, m] if !has_time => {
            let month = u8::try_from(number(m, 2)?)
                .ok()
                .filter(|m| (1..=12).contains(m))?;
            let last = days_in(year, month);
            Some((
                Day {
                    year,
                    month,
                    day: 1,
                },
                Day {
                    year,
                    month,
                    day: last,
                },
            ))
        }
        [_, m, d] => {
            let month = u8::try_from(number(m, 2)?)
                .ok()
                .filter(|m| (1..=12).contains(m))?;
            let day = u8::try_from(number(d, 2)?)
                .ok()
                .filter(|d| (1..=days_in(year, month)).contains(d))?;
            let day = Day { year, month, day };
            Some((day, day))
        }
        _ => None,
    }
}

/// `hh:mm:ss[.fraction](Z|±hh:mm)`, as RFC 3339 writes a time.
fn valid_time(time: &str) -> bool {
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => return false,
    };
    let zone_ok = matches!(zone, "Z" | "z")
        || (zone.len() == 6 && zone.as_bytes()[3] == b':' && zone[1..3].parse::<u8>().is_ok());
    let clock = clock.split('.').next().unwrap_or("");
    let fields: Vec<&str> = clock.split(':').collect();
    zone_ok
        && fields.len() == 3
        && fields
            .iter()
            .zip([23u8, 59, 60])
            .all(|(f, max)| f.len() == 2 && f.parse::<u8>().is_ok_and(|v| v <= max))
}

fn days_in(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// When a layer's boundaries were in force: from 1 January of its vintage until the last day
/// before the next vintage of the same geography; open if it is the latest.
pub fn validity(catalog: &Catalog, layer: &Layer) -> Option<Interval> {
    let year = |l: &Layer| l.spec.vintage.trim().parse::<i32>().ok();
    let from = year(layer)?;
    let next = catalog
        .layers
        .iter()
        .filter(|l| l.spec.geography == layer.spec.geography)
        .filter_map(year)
        .filter(|&y| y > from)
        .min();
    Some(Interval {
        start: Some(Day::first_of(from)),
        end: next.map(|n| Day::last_of(n - 1)),
    })
}

/// The years of `indicator` whose values join `layer`, ascending.
pub fn joined_years(catalog: &Catalog, layer: &Layer, indicator: &str) -> Vec<i32> {
    catalog
        .metrics
        .indicators
        .get(indicator)
        .and_then(|levels| levels.get(&layer.spec.geography))
        .map(|level| {
            level
                .series
                .iter()
                .filter(|(_, s)| s.layer == *layer.id())
                .map(|(y, _)| *y)
                .collect()
        })
        .unwrap_or_default()
}

/// The latest year of `indicator` on `layer` inside `datetime`, or an error listing its years.
pub fn year_within(
    catalog: &Catalog,
    layer: &Layer,
    indicator: &str,
    datetime: &Interval,
) -> Result<i32, ViewError> {
    let years = joined_years(catalog, layer, indicator);
    years
        .iter()
        .rev()
        .copied()
        .find(|&y| Interval::year(y).overlaps(datetime))
        .ok_or_else(|| {
            ViewError::invalid(format!(
                "datetime: no year of '{indicator}' on collection '{}' falls in it; years: {}",
                layer.id(),
                if years.is_empty() {
                    "none".to_string()
                } else {
                    choices(&years)
                }
            ))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn day(year: i32, month: u8, day: u8) -> Option<Day> {
        Some(Day { year, month, day })
    }

    #[test]
    fn instants_name_their_whole_year_month_or_day() {
        assert_eq!(parse("2018").unwrap(), Interval::year(2018));
        assert_eq!(
            parse("2016-02").unwrap(),
            Interval {
                start: day(2016, 2, 1),
                end: day(2016, 2, 29)
            }
        );
        let one = Interval {
            start: day(2018, 6, 30),
            end: day(2018, 6, 30),
        };
        assert_eq!(parse("2018-06-30").unwrap(), one);
        assert_eq!(parse("2018-06-30T12:00:00Z").unwrap(), one);
        assert_eq!(parse("2018-06-30T12:00:00.5+01:00").unwrap(), one);
    }

    #[test]
    fn intervals_may_be_open_at_either_end() {
        assert_eq!(
            parse("../2018").unwrap(),
            Interval {
                start: None,
                end: day(2018, 12, 31)
            }
        );
        assert_eq!(
            parse("2016-01-01T00:00:00Z/").unwrap(),
            Interval {
                start: day(2016, 1, 1),
                end: None
            }
        );
        assert_eq!(
            parse("2015/2017-06").unwrap(),
            Interval {
                start: day(2015, 1, 1),
                end: day(2017, 6, 30)
            }
        );
    }

    #[test]
    fn bad_values_say_what_is_expected() {
        for bad in [
            "",
            "18",
            "2018-13",
            "2018-02-30",
            "2018-06-30T25:00:00Z",
            "2018-06-30T12:00",
            "../..",
            "2019/2018",
            "soon",
            "2018/x",
        ] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("datetime: "), "{bad}: {err}");
            assert!(err.contains("RFC 3339"), "{bad}: {err}");
        }
    }

    #[test]
    fn overlaps_is_inclusive_and_open_ends_reach_forever() {
        let y = |a, b| Interval {
            start: Some(Day::first_of(a)),
            end: Some(Day::last_of(b)),
        };
        assert!(y(2014, 2016).overlaps(&y(2016, 2018)));
        assert!(!y(2014, 2015).overlaps(&y(2016, 2018)));
        assert!(Interval {
            start: None,
            end: None
        }
        .overlaps(&y(1990, 1990)));
    }
}
