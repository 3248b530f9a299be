//! Query-string parsing: unknown or repeated parameters are errors, and so is every bad value.

use super::endpoints::Endpoint;
use super::error::{choices, ApiError};
use geo::{Coord, Rect};

/// The parsed query string of one request, checked against the parameters an endpoint accepts.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses `raw` and rejects names outside `allowed` and names given twice.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::invalid(format!("malformed query string: {e}")))?;
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::unknown_parameter(format!(
                    "unknown parameter '{name}'; this endpoint accepts: {}",
                    choices(allowed)
                )));
            }
            if pairs.iter().skip(i + 1).any(|(n, _)| n == name) {
                return Err(ApiError::invalid(format!(
                    "parameter '{name}' is given more than once"
                )));
            }
        }
        Ok(Params { pairs })
    }

    /// Parses `raw` against the parameters `endpoint` documents.
    pub fn of(raw: Option<&str>, endpoint: &Endpoint) -> Result<Params, ApiError> {
        Params::parse(raw, &endpoint.param_names())
    }

    /// Parses `raw` against the parameters `endpoint` documents plus `extra` (property filters).
    pub fn of_with(
        raw: Option<&str>,
        endpoint: &Endpoint,
        extra: &[&str],
    ) -> Result<Params, ApiError> {
        let mut names = endpoint.param_names();
        names.extend(
            extra
                .iter()
                .filter(|n| !names.contains(n))
                .collect::<Vec<_>>(),
        );
        Params::parse(raw, &names)
    }

    /// The parameters not among `endpoint`'s own: the property filters.
    pub fn others<'a>(
        &'a self,
        endpoint: &'a Endpoint,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.pairs
            .iter()
            .filter(|(n, _)| !endpoint.params.iter().any(|p| p.name == n))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The parameter, or a 400 saying it is required.
    pub fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::invalid(format!("parameter '{name}' is required")))
    }

    /// The query string with `name` set to `value` (or removed when `None`), others kept in order.
    pub fn with(&self, name: &str, value: Option<String>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::with_capacity(self.pairs.len() + 1);
        let mut replaced = false;
        for (n, v) in &self.pairs {
            if n == name {
                replaced = true;
                if let Some(value) = &value {
                    pairs.push((n, value.clone()));
                }
            } else {
                pairs.push((n, v.clone()));
            }
        }
        if let (false, Some(value)) = (replaced, value) {
            pairs.push((name, value));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// A copy with `name` set to `value` (or removed when `None`), others kept in order.
    pub fn set(&self, name: &str, value: Option<String>) -> Params {
        let mut pairs = Vec::with_capacity(self.pairs.len() + 1);
        let mut value = value;
        for (n, v) in &self.pairs {
            if n == name {
                if let Some(value) = value.take() {
                    pairs.push((n.clone(), value));
                }
            } else {
                pairs.push((n.clone(), v.clone()));
            }
        }
        if let Some(value) = value {
            pairs.push((name.to_string(), value));
        }
        Params { pairs }
    }

    /// The query string, URL-encoded, parameters in order.
    pub fn query(&self) -> String {
        serde_urlencoded::to_string(&self.pairs).unwrap_or_default()
    }

    pub fn list(&self, name: &str) -> Result<Option<Vec<String>>, ApiError> {
        self.get(name).map(|v| parse_list(name, v)).transpose()
    }

    pub fn int(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid(format!("{name}: expected a whole number, got '{v}'"))
                })
            })
            .transpose()
    }

    /// A boolean parameter: `true` or `false`, absent meaning false.
    pub fn boolean(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ApiError::invalid(format!(
                "{name}: expected true or false, got '{other}'"
            ))),
        }
    }

    pub fn number(&self, name: &str) -> Result<Option<f64>, ApiError> {
        self.get(name)
            .map(|v| parse_number(name, v).map_err(ApiError::invalid))
            .transpose()
    }
}

/// A comma-separated list of non-empty items.
pub fn parse_list(name: &str, value: &str) -> Result<Vec<String>, ApiError> {
    let items: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(ApiError::invalid(format!(
            "{name}: expected a comma-separated list without empty items, got '{value}'"
        )));
    }
    Ok(items)
}

fn parse_number(name: &str, value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{name}: expected a number, got '{value}'")),
    }
}

/// The highest `zoom` accepted (Web Mercator zoom levels of common tile servers).
pub const MAX_ZOOM: u8 = 22;

/// Parses `zoom-level` (or `zoom`, named by `name` in the error): a whole number from 0 to [`MAX_ZOOM`].
///
/// ```
/// use smartspec::api::params::parse_zoom;
/// assert_eq!(parse_zoom("zoom-level", "8"), Ok(8));
/// assert!(parse_zoom("zoom-level", "23").unwrap_err().starts_with("zoom-level: "));
/// assert!(parse_zoom("zoom", "6.5").is_err());
/// ```
pub fn parse_zoom(name: &str, value: &str) -> Result<u8, String> {
    match value.trim().parse::<u8>() {
        Ok(z) if z <= MAX_ZOOM => Ok(z),
        _ => Err(format!(
            "{name}: expected a whole number from 0 to {MAX_ZOOM}, got '{value}'"
        )),
    }
}

/// Parses an OGC `limit`: a whole number from 1; values above `max` are clamped to `max`.
///
/// ```
/// use smartspec::api::params::parse_limit;
/// assert_eq!(parse_limit("25", 10_000), Ok(25));
/// assert_eq!(parse_limit("999999", 10_000), Ok(10_000));
/// assert!(parse_limit("-1", 10_000).is_err());
/// ```
pub fn parse_limit(value: &str, max: usize) -> Result<usize, String> {
    let n: i128 = value
        .trim()
        .parse()
        .map_err(|_| format!("limit: expected a whole number from 1 to {max}, got '{value}'"))?;
    if n < 1 {
        return Err(format!("limit: must be at least 1, got {n}"));
    }
    Ok(usize::try_from(n).map_or(max, |n| n.min(max)))
}

/// Parses an `offset`: a whole number from 0.
pub fn parse_offset(value: &str) -> Result<usize, String> {
    let n: i128 = value
        .trim()
        .parse()
        .map_err(|_| format!("offset: expected a whole number from 0, got '{value}'"))?;
    if n < 0 {
        return Err(format!("offset: must be 0 or more, got {n}"));
    }
    Ok(usize::try_from(n).unwrap_or(usize::MAX))
}

/// The corners of a `bbox`: 4 numbers, or 6 with heights (which are dropped).
fn bbox_numbers(value: &str) -> Result<(f64, f64, f64, f64), String> {
    let numbers = value
        .split(',')
        .map(|p| parse_number("bbox", p))
        .collect::<Result<Vec<f64>, String>>()?;
    match numbers.as_slice() {
        [a, b, c, d] => Ok((*a, *b, *c, *d)),
        [a, b, _, d, e, _] => Ok((*a, *b, *d, *e)),
        other => Err(format!("bbox: expected 4 numbers, got {}", other.len())),
    }
}

/// Parses an OGC `bbox` in CRS84: `minLon,minLat,maxLon,maxLat` (or 6 numbers with heights).
///
/// ```
/// use smartspec::api::params::parse_bbox;
/// let r = parse_bbox("-2.5,53.3,-2.0,53.6").unwrap();
/// assert_eq!((r.min().x, r.max().y), (-2.5, 53.6));
/// assert_eq!(parse_bbox("1,2,3").unwrap_err(), "bbox: expected 4 numbers, got 3");
/// ```
pub fn parse_bbox(value: &str) -> Result<Rect<f64>, String> {
    let (min_x, min_y, max_x, max_y) = bbox_numbers(value)?;
    for (label, lon) in [("min longitude", min_x), ("max longitude", max_x)] {
        if !(-180.0..=180.0).contains(&lon) {
            return Err(format!("bbox: {label} {lon} is outside -180..180"));
        }
    }
    for (label, lat) in [("min latitude", min_y), ("max latitude", max_y)] {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(format!("bbox: {label} {lat} is outside -90..90 (is the order minLon,minLat,maxLon,maxLat?)"));
        }
    }
    if min_y > max_y {
        return Err(format!(
            "bbox: min latitude {min_y} is greater than max latitude {max_y}"
        ));
    }
    if min_x > max_x {
        return Err(format!(
            "bbox: min longitude {min_x} is greater than max longitude {max_x} (boxes across the antimeridian are not supported)"
        ));
    }
    Ok(Rect::new(
        Coord { x: min_x, y: min_y },
        Coord { x: max_x, y: max_y },
    ))
}

/// The British National Grid's area with a generous margin (metres): a `bbox` in EPSG:27700
/// outside it is a 400, not a box somewhere else on Earth.
const GRID_EASTING: std::ops::RangeInclusive<f64> = -200_000.0..=900_000.0;
const GRID_NORTHING: std::ops::RangeInclusive<f64> = -200_000.0..=1_400_000.0;

/// Parses a `bbox` in EPSG:27700: `minEasting,minNorthing,maxEasting,maxNorthing` in metres
/// (or 6 numbers with heights).
///
/// ```
/// use smartspec::api::params::parse_grid_bbox;
/// let r = parse_grid_bbox("380000,390000,400000,410000").unwrap();
/// assert_eq!((r.min().x, r.max().y), (380000.0, 410000.0));
/// assert!(parse_grid_bbox("400000,410000,380000,390000").is_err());
/// ```
pub fn parse_grid_bbox(value: &str) -> Result<Rect<f64>, String> {
    let (min_x, min_y, max_x, max_y) = bbox_numbers(value)?;
    for (label, v, range) in [
        ("min easting", min_x, &GRID_EASTING),
        ("max easting", max_x, &GRID_EASTING),
        ("min northing", min_y, &GRID_NORTHING),
        ("max northing", max_y, &GRID_NORTHING),
    ] {
        if !range.contains(&v) {
            return Err(format!(
                "bbox: {label} {v} is outside the British National Grid ({}..{} m; is the order minE,minN,maxE,maxN?)",
                range.start(),
                range.end()
            ));
        }
    }
    if min_x > max_x {
        return Err(format!(
            "bbox: min easting {min_x} is greater than max easting {max_x}"
        ));
    }
    if min_y > max_y {
        return Err(format!(
            "bbox: min northing {min_y} is greater than max northing {max_y}"
        ));
    }
    Ok(Rect::new(
        Coord { x: min_x, y: min_y },
        Coord { x: max_x, y: max_y },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn unknown_and_repeated_parameters_are_rejected() {
        let err = Params::parse(Some("limit=1&colour=red"), &["limit", "offset"]).unwrap_err();
        assert_eq!(err.code, "UnknownParameter");
        assert_eq!(
            err.description,
            "unknown parameter 'colour'; this endpoint accepts: limit, offset"
        );
        let err = Params::parse(Some("limit=1&limit=2"), &["limit"]).unwrap_err();
        assert_eq!(err.description, "parameter 'limit' is given more than once");
    }

    #[test]
    fn with_keeps_other_parameters_in_order() {
        let p = Params::parse(
            Some("bbox=1,2,3,4&limit=10&offset=0"),
            &["bbox", "limit", "offset"],
        )
        .unwrap();
        assert_eq!(
            p.with("offset", Some("10".into())),
            "bbox=1%2C2%2C3%2C4&limit=10&offset=10"
        );
        assert_eq!(p.with("offset", None), "bbox=1%2C2%2C3%2C4&limit=10");
    }

    #[test]
    fn set_replaces_in_place_or_appends() {
        let p = Params::parse(Some("f=csv&limit=10"), &["f", "limit", "offset"]).unwrap();
        assert_eq!(p.set("f", Some("fgb".into())).query(), "f=fgb&limit=10");
        assert_eq!(
            p.set("offset", Some("5".into())).query(),
            "f=csv&limit=10&offset=5"
        );
        assert_eq!(p.set("f", None).set("limit", None).query(), "");
        assert_eq!(
            p.set("f", Some("json".into())).query(),
            p.with("f", Some("json".into()))
        );
    }

    #[test]
    fn bbox_errors_say_what_is_wrong() {
        assert_eq!(
            parse_bbox("a,2,3,4").unwrap_err(),
            "bbox: expected a number, got 'a'"
        );
        assert!(parse_bbox("0,60,1,50")
            .unwrap_err()
            .contains("min latitude 60 is greater"));
        assert!(parse_bbox("53,-2,54,-1").is_ok());
        assert!(parse_bbox("-2,153,-1,154")
            .unwrap_err()
            .contains("outside -90..90"));
        assert_eq!(
            parse_bbox("").unwrap_err(),
            "bbox: expected a number, got ''"
        );
    }

    #[test]
    fn limit_clamps_and_rejects() {
        assert_eq!(
            parse_limit("0", 100),
            Err("limit: must be at least 1, got 0".into())
        );
        assert_eq!(parse_limit("100000000000000000000000", 100), Ok(100));
        assert!(parse_limit("1.5", 100).is_err());
        assert_eq!(
            parse_offset("-3"),
            Err("offset: must be 0 or more, got -3".into())
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".*") {
            let _ = parse_bbox(&s);
            let _ = parse_grid_bbox(&s);
            let _ = parse_limit(&s, 100);
            let _ = parse_offset(&s);
            let _ = Params::parse(Some(&s), &["a", "b"]);
        }

        #[test]
        fn bbox_round_trips(a in -180.0f64..180.0, b in -90.0f64..90.0, w in 0.0f64..10.0, h in 0.0f64..10.0) {
            let (c, d) = ((a + w).min(180.0), (b + h).min(90.0));
            let r = parse_bbox(&format!("{a},{b},{c},{d}")).unwrap();
            prop_assert_eq!((r.min().x, r.min().y, r.max().x, r.max().y), (a, b, c, d));
        }

        #[test]
        fn limit_round_trips(n in 1usize..100_000) {
            prop_assert_eq!(parse_limit(&n.to_string(), 10_000), Ok(n.min(10_000)));
        }
    }
}
