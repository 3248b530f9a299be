//! The query string of a request, parsed once against its endpoint's row in the table into typed
//! values: unknown or repeated parameters are errors, and so is every value outside its type or
//! range. The parsed form is canonical (sorted by name, values re-written), so it keys the cache.

use super::endpoints::{self, Endpoint, Kind, Param};
use super::error::{choices, ApiError};
use super::AppState;
use crate::model::Geography;
use crate::ogc::Crs;
use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{Extensions, Uri};
use geo::{Coord, Rect};
use std::collections::BTreeMap;

/// One parameter's value, typed by its [`Kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    /// Any whole number in its kind's range (a seed needs all of `u64`).
    Int(i128),
    Number(f64),
    Bool(bool),
    Choice(&'static str),
    Crs(Crs),
    List(Vec<String>),
    /// `minx,miny,maxx,maxy` (heights dropped), in the CRS `bbox-crs` names.
    Bbox([f64; 4]),
}

impl Value {
    /// The value written back as a query value, one way for each value.
    fn canonical(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Int(i) => i.to_string(),
            Value::Number(x) => x.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Choice(c) => (*c).to_string(),
            Value::Crs(crs) => crs.uri().to_string(),
            Value::List(items) => items.join(","),
            Value::Bbox(corners) => corners.map(|c| c.to_string()).join(","),
        }
    }

    /// Parses `text` as a value of `param`; the error names the parameter and what was wrong.
    fn parse(param: &Param, text: &str) -> Result<Value, String> {
        let name = param.name;
        let whole = |text: &str| text.trim().parse::<i128>().ok();
        match param.kind {
            Kind::Text => Ok(Value::Text(text.to_string())),
            Kind::Integer { min, max } => whole(text)
                .filter(|n| (i128::from(min)..=i128::from(max)).contains(n))
                .map(Value::Int)
                .ok_or_else(|| {
                    format!("{name}: expected a whole number from {min} to {max}, got '{text}'")
                }),
            Kind::Clamped { min, max } => match whole(text) {
                None => Err(format!(
                    "{name}: expected a whole number from {min} to {max}, got '{text}'"
                )),
                Some(n) if n < i128::from(min) => {
                    Err(format!("{name}: must be at least {min}, got {n}"))
                }
                Some(n) => Ok(Value::Int(n.min(i128::from(max)))),
            },
            Kind::Count { min } => match whole(text) {
                None => Err(format!(
                    "{name}: expected a whole number from {min}, got '{text}'"
                )),
                Some(n) if n < i128::from(min) && min == 0 => {
                    Err(format!("{name}: must be 0 or more, got {n}"))
                }
                Some(n) if n < i128::from(min) => {
                    Err(format!("{name}: must be at least {min}, got {n}"))
                }
                Some(n) => Ok(Value::Int(n)),
            },
            Kind::Number => parse_number(name, text).map(Value::Number),
            Kind::Boolean => match text {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                other => Err(format!("{name}: expected true or false, got '{other}'")),
            },
            Kind::Choice(options) => options
                .iter()
                .find(|o| **o == text)
                .map(|o| Value::Choice(o))
                .ok_or_else(|| format!("{name}: expected {}, got '{text}'", one_of(options))),
            Kind::Crs => Crs::parse(name, text)
                .map(Value::Crs)
                .map_err(|e| e.to_string()),
            Kind::List => parse_list(name, text).map(Value::List),
            Kind::Bbox => bbox_numbers(text).map(|(a, b, c, d)| Value::Bbox([a, b, c, d])),
        }
    }
}

/// `a`, `a or b`, `one of a, b, c`.
fn one_of(options: &[&str]) -> String {
    match options {
        [only] => (*only).to_string(),
        [a, b] => format!("{a} or {b}"),
        many => format!("one of {}", many.join(", ")),
    }
}

/// Which names besides an endpoint's own parameters a query may use (property filters).
#[derive(Debug, Clone, Copy)]
pub enum Extra<'a> {
    Names(&'a [&'a str]),
    /// Any name (the collection is unknown; the handler answers 404).
    Any,
}

/// The parsed query string of one request: typed values by name, in canonical (name) order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// Parses `raw` against `endpoint`'s parameters (and `extra` names, kept as text): unknown
    /// or repeated names, bad values and missing required parameters are 400s.
    pub fn parse(
        raw: Option<&str>,
        endpoint: &Endpoint,
        extra: Extra<'_>,
    ) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::invalid(format!("malformed query string: {e}")))?;
        let mut values = BTreeMap::new();
        for (name, text) in pairs {
            let value = match endpoint.params.iter().find(|p| p.name == name) {
                Some(param) => Value::parse(param, &text).map_err(ApiError::invalid)?,
                None => match extra {
                    Extra::Names(names) if !names.contains(&name.as_str()) => {
                        let mut known = endpoint.param_names();
                        let more: Vec<&str> = names
                            .iter()
                            .copied()
                            .filter(|n| !known.contains(n))
                            .collect();
                        known.extend(more);
                        return Err(ApiError::unknown_parameter(format!(
                            "unknown parameter '{name}'; this endpoint accepts: {}",
                            choices(&known)
                        )));
                    }
                    _ => Value::Text(text),
                },
            };
            if values.contains_key(&name) {
                return Err(ApiError::invalid(format!(
                    "parameter '{name}' is given more than once"
                )));
            }
            values.insert(name, value);
        }
        if let Some(missing) = endpoint
            .params
            .iter()
            .find(|p| p.required && !values.contains_key(p.name))
        {
            return Err(ApiError::invalid(format!(
                "{}: required ({})",
                missing.name,
                missing.description.trim_end_matches('.')
            )));
        }
        Ok(Params { values })
    }

    /// Parses `raw` against the parameters `endpoint` documents, no others.
    pub fn of(raw: Option<&str>, endpoint: &Endpoint) -> Result<Params, ApiError> {
        Params::parse(raw, endpoint, Extra::Names(&[]))
    }

    /// Whether `name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// A text or choice parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.values.get(name)? {
            Value::Text(t) => Some(t),
            Value::Choice(c) => Some(c),
            _ => None,
        }
    }

    /// A CRS parameter, CRS84 when absent.
    pub fn crs(&self, name: &str) -> Crs {
        match self.values.get(name) {
            Some(Value::Crs(crs)) => *crs,
            _ => Crs::Crs84,
        }
    }

    /// A whole-number parameter (saturated to `i64`).
    pub fn int(&self, name: &str) -> Option<i64> {
        self.whole(name)
            .map(|n| i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX }))
    }

    /// A whole-number parameter at full width.
    pub fn whole(&self, name: &str) -> Option<i128> {
        match self.values.get(name)? {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A whole-number parameter, or the default the table states for it.
    pub fn int_or(&self, param: &Param) -> Option<i64> {
        self.int(param.name).or(param.default)
    }

    /// A count (a whole number from 0) as a `usize`.
    pub fn count(&self, name: &str) -> Option<usize> {
        self.whole(name)
            .map(|i| usize::try_from(i).unwrap_or(if i < 0 { 0 } else { usize::MAX }))
    }

    pub fn number(&self, name: &str) -> Option<f64> {
        match self.values.get(name)? {
            Value::Number(x) => Some(*x),
            _ => None,
        }
    }

    /// A boolean parameter, absent meaning false.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(Value::Bool(true)))
    }

    pub fn list(&self, name: &str) -> Option<&[String]> {
        match self.values.get(name)? {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The four corners of a `bbox`, in the CRS `bbox-crs` names.
    pub fn corners(&self, name: &str) -> Option<[f64; 4]> {
        match self.values.get(name)? {
            Value::Bbox(corners) => Some(*corners),
            _ => None,
        }
    }

    /// The values of names outside `endpoint`'s parameters: the property filters, as text.
    pub fn others<'a>(
        &'a self,
        endpoint: &'a Endpoint,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.values
            .iter()
            .filter(|(n, _)| !endpoint.params.iter().any(|p| p.name == n.as_str()))
            .filter_map(|(n, v)| match v {
                Value::Text(t) => Some((n.as_str(), t.as_str())),
                _ => None,
            })
    }

    /// A copy with `name` set to `value` (or removed when `None`).
    pub fn set(&self, name: &str, value: Option<Value>) -> Params {
        let mut values = self.values.clone();
        match value {
            Some(value) => values.insert(name.to_string(), value),
            None => values.remove(name),
        };
        Params { values }
    }

    /// The query string in canonical form: URL-encoded, parameters by name, values re-written
    /// (`limit=010` is `limit=10`). Equal requests give equal strings.
    pub fn query(&self) -> String {
        let pairs: Vec<(&str, String)> = self
            .values
            .iter()
            .map(|(n, v)| (n.as_str(), v.canonical()))
            .collect();
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// The `geography` parameter as a level (the parser has checked that it names one).
pub fn geography(params: &Params) -> Option<Geography> {
    params.get("geography").and_then(Geography::parse)
}

/// The `year` parameter (the parser has checked its range).
pub fn year(params: &Params) -> Option<i32> {
    params.int("year").and_then(|y| i32::try_from(y).ok())
}

/// Parses the query of a request to a route of the endpoint table (found by its matched path),
/// with the collection's queryable properties as extra names where the endpoint takes them.
/// `None` for routes outside the table (the map's static files).
pub fn parse_request(
    state: &AppState,
    extensions: &Extensions,
    uri: &Uri,
) -> Option<Result<Params, ApiError>> {
    let template = extensions.get::<MatchedPath>()?.as_str();
    let endpoint = endpoint_of(extensions)?;
    if !endpoint.property_filters {
        return Some(Params::of(uri.query(), endpoint));
    }
    let layer =
        path_param(template, uri.path(), "collectionId").and_then(|id| state.catalog.layer(id));
    Some(match layer {
        Some(layer) => {
            let names: Vec<&str> =
                crate::ogc::queryables::filter_names(layer, &endpoint.param_names());
            Params::parse(uri.query(), endpoint, Extra::Names(&names))
        }
        None => Params::parse(uri.query(), endpoint, Extra::Any),
    })
}

/// The endpoint of the table the router matched, if any.
pub fn endpoint_of(extensions: &Extensions) -> Option<&'static Endpoint> {
    let template = extensions.get::<MatchedPath>()?.as_str();
    endpoints::ALL
        .iter()
        .find(|e| e.path == template && e.method == endpoints::Method::Get)
}

/// The segment of `path` at `{name}` in `template`.
fn path_param<'a>(template: &str, path: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("{{{name}}}");
    template
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| *t == wanted)
        .map(|(_, segment)| segment)
}

/// A handler's parameters: parsed by the cache layer before the handler ran (and handed over in
/// the request's extensions), or parsed here for routes the cache does not serve.
impl FromRequestParts<AppState> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(params) = parts.extensions.remove::<Params>() {
            return Ok(params);
        }
        parse_request(state, &parts.extensions, &parts.uri).unwrap_or_else(|| {
            Err(ApiError::internal(format!(
                "route {} is not in the endpoint table",
                parts.uri.path()
            )))
        })
    }
}

/// A comma-separated list of non-empty items.
pub fn parse_list(name: &str, value: &str) -> Result<Vec<String>, String> {
    let items: Vec<String> = value.split(',').map(|s| s.trim().to_string()).collect();
    if items.iter().any(String::is_empty) {
        return Err(format!(
            "{name}: expected a comma-separated list without empty items, got '{value}'"
        ));
    }
    Ok(items)
}

fn parse_number(name: &str, value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{name}: expected a number, got '{value}'")),
    }
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

/// Checks a `bbox` in CRS84, `[minLon, minLat, maxLon, maxLat]`, and makes it a box.
///
/// ```
/// use smartspec::api::params::crs84_box;
/// let r = crs84_box([-2.5, 53.3, -2.0, 53.6]).unwrap();
/// assert_eq!((r.min().x, r.max().y), (-2.5, 53.6));
/// assert!(crs84_box([-2.5, 53.6, -2.0, 53.3]).unwrap_err().starts_with("bbox: min latitude"));
/// ```
pub fn crs84_box([min_x, min_y, max_x, max_y]: [f64; 4]) -> Result<Rect<f64>, String> {
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

/// Checks a `bbox` in EPSG:27700, `[minEasting, minNorthing, maxEasting, maxNorthing]` in
/// metres, and makes it a box.
///
/// ```
/// use smartspec::api::params::grid_box;
/// let r = grid_box([380000.0, 390000.0, 400000.0, 410000.0]).unwrap();
/// assert_eq!((r.min().x, r.max().y), (380000.0, 410000.0));
/// assert!(grid_box([400000.0, 410000.0, 380000.0, 390000.0]).is_err());
/// ```
pub fn grid_box([min_x, min_y, max_x, max_y]: [f64; 4]) -> Result<Rect<f64>, String> {
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

    const PAGE: Endpoint = Endpoint {
        method: endpoints::Method::Get,
        params: &[
            Param {
                name: "limit",
                kind: Kind::Clamped { min: 1, max: 100 },
                required: false,
                description: "",
                default: Some(10),
            },
            Param {
                name: "offset",
                kind: Kind::Count { min: 0 },
                required: false,
                description: "",
                default: None,
            },
            Param {
                name: "bbox",
                kind: Kind::Bbox,
                required: false,
                description: "",
                default: None,
            },
            Param {
                name: "f",
                kind: Kind::Choice(&["json", "csv", "fgb"]),
                required: false,
                description: "",
                default: None,
            },
        ],
        ..endpoints::HEALTH
    };

    fn page(q: &str) -> Result<Params, String> {
        Params::of(Some(q), &PAGE).map_err(|e| e.description)
    }

    #[test]
    fn unknown_and_repeated_parameters_are_rejected() {
        let err = Params::of(Some("limit=1&colour=red"), &PAGE).unwrap_err();
        assert_eq!(err.code, "UnknownParameter");
        assert_eq!(
            err.description,
            "unknown parameter 'colour'; this endpoint accepts: limit, offset, bbox, f"
        );
        assert_eq!(
            page("limit=1&limit=2").unwrap_err(),
            "parameter 'limit' is given more than once"
        );
        let extra = Params::parse(Some("name=Cumbria"), &PAGE, Extra::Names(&["name"])).unwrap();
        assert_eq!(
            extra.others(&PAGE).collect::<Vec<_>>(),
            [("name", "Cumbria")]
        );
    }

    #[test]
    fn the_canonical_form_ignores_order_and_spelling() {
        let a = page("f=csv&limit=010&offset=0&bbox=1,2.50,3,4").unwrap();
        let b = page("bbox=1.0,2.5,3,4&offset=0&limit=10&f=csv").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.query(), "bbox=1%2C2.5%2C3%2C4&f=csv&limit=10&offset=0");
        assert_eq!(
            a.set("offset", Some(Value::Int(20))).set("f", None).query(),
            "bbox=1%2C2.5%2C3%2C4&limit=10&offset=20"
        );
    }

    #[test]
    fn values_are_typed_once() {
        let p = page("limit=500&offset=7&bbox=1,2,0,3,4,0&f=fgb").unwrap();
        assert_eq!(p.int("limit"), Some(100), "clamped to the maximum");
        assert_eq!(p.count("offset"), Some(7));
        assert_eq!(
            p.corners("bbox"),
            Some([1.0, 2.0, 3.0, 4.0]),
            "heights dropped"
        );
        assert_eq!(p.get("f"), Some("fgb"));
        assert_eq!(page("").unwrap().int_or(&PAGE.params[0]), Some(10));
        assert_eq!(
            page("limit=0").unwrap_err(),
            "limit: must be at least 1, got 0"
        );
        assert_eq!(
            page("offset=-3").unwrap_err(),
            "offset: must be 0 or more, got -3"
        );
        assert_eq!(
            page("f=xml").unwrap_err(),
            "f: expected one of json, csv, fgb, got 'xml'"
        );
        assert_eq!(
            page("bbox=a,2,3,4").unwrap_err(),
            "bbox: expected a number, got 'a'"
        );
        assert_eq!(
            page("bbox=1,2,3").unwrap_err(),
            "bbox: expected 4 numbers, got 3"
        );
    }

    #[test]
    fn an_unknown_level_is_refused_with_the_levels() {
        let err = Params::of(Some("geography=county"), &endpoints::INDICATORS).unwrap_err();
        assert_eq!(
            err.description,
            "geography: expected one of lep, region, lad, nuts2, nuts3, got 'county'"
        );
    }

    /// Every parameter of every endpoint in the table: the parser accepts exactly what the
    /// table's kind and range say, and each refusal names the parameter.
    #[test]
    fn the_parser_enforces_the_table() {
        let mut checked = 0;
        for endpoint in endpoints::ALL {
            let required: String = endpoint
                .params
                .iter()
                .filter(|p| p.required)
                .map(|p| format!("&{}={}", p.name, sample(p)))
                .collect();
            let ask = |name: &str, value: &str| {
                let others = required
                    .split('&')
                    .filter(|pair| !pair.is_empty() && !pair.starts_with(&format!("{name}=")))
                    .collect::<Vec<_>>()
                    .join("&");
                let query = format!("{others}&{name}={}", urlencode(value));
                Params::of(Some(&query), endpoint).map_err(|e| e.description)
            };
            for param in endpoint.params {
                let name = param.name;
                let good: Vec<String> = match param.kind {
                    Kind::Integer { min, max } | Kind::Clamped { min, max } => {
                        vec![min.to_string(), max.to_string()]
                    }
                    Kind::Count { min } => vec![min.to_string(), "1000000".into()],
                    Kind::Choice(options) => options.iter().map(|o| o.to_string()).collect(),
                    Kind::Crs => Crs::ALL.map(|c| c.uri().to_string()).to_vec(),
                    Kind::Boolean => vec!["true".into(), "false".into()],
                    _ => vec![sample(param)],
                };
                for value in &good {
                    assert!(ask(name, value).is_ok(), "{} {name}={value}", endpoint.path);
                }
                let bad: Vec<String> = match param.kind {
                    Kind::Integer { min, max } => {
                        vec![(min - 1).to_string(), (max + 1).to_string(), "1.5".into()]
                    }
                    Kind::Clamped { min, .. } | Kind::Count { min } => {
                        vec![(min - 1).to_string(), "x".into()]
                    }
                    Kind::Choice(_) => vec!["no-such-choice".into()],
                    Kind::Crs => vec!["EPSG:27700".into(), "EPSG:4326".into()],
                    Kind::Boolean => vec!["yes".into()],
                    Kind::Number => vec!["north".into(), "inf".into()],
                    Kind::List => vec!["a,,b".into()],
                    Kind::Bbox => vec!["1,2,3".into()],
                    Kind::Text => vec![],
                };
                for value in &bad {
                    let err =
                        ask(name, value).expect_err(&format!("{} {name}={value}", endpoint.path));
                    assert!(err.starts_with(&format!("{name}: ")), "{err}");
                }
                if let Kind::Clamped { max, .. } = param.kind {
                    let p = ask(name, &(max + 1).to_string()).unwrap();
                    assert_eq!(p.int(name), Some(max));
                }
                if param.required {
                    let without = required
                        .split('&')
                        .filter(|pair| !pair.is_empty() && !pair.starts_with(&format!("{name}=")))
                        .collect::<Vec<_>>()
                        .join("&");
                    let err = Params::of(Some(&without), endpoint).unwrap_err();
                    assert!(err.description.starts_with(&format!("{name}: required")));
                }
                checked += 1;
            }
        }
        assert!(checked >= 68, "{checked} parameters checked");
    }

    fn sample(param: &Param) -> String {
        match param.kind {
            Kind::Text => "x".into(),
            Kind::Integer { min, .. } | Kind::Clamped { min, .. } | Kind::Count { min } => {
                min.to_string()
            }
            Kind::Number => "1.5".into(),
            Kind::Boolean => "true".into(),
            Kind::Choice(options) => options.first().map_or("", |o| o).to_string(),
            Kind::Crs => Crs::Crs84.uri().to_string(),
            Kind::List => "a,b".into(),
            Kind::Bbox => "-2.5,53.3,-2.0,53.6".into(),
        }
    }

    fn urlencode(value: &str) -> String {
        serde_urlencoded::to_string([("", value)]).unwrap_or_default()[1..].to_string()
    }

    #[test]
    fn bbox_errors_say_what_is_wrong() {
        assert!(crs84_box([0.0, 60.0, 1.0, 50.0])
            .unwrap_err()
            .contains("min latitude 60 is greater"));
        assert!(crs84_box([53.0, -2.0, 54.0, -1.0]).is_ok());
        assert!(crs84_box([-2.0, 153.0, -1.0, 154.0])
            .unwrap_err()
            .contains("outside -90..90"));
        assert_eq!(
            page("bbox=").unwrap_err(),
            "bbox: expected a number, got ''"
        );
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".*") {
            let _ = Params::of(Some(&s), &PAGE);
            for param in PAGE.params {
                let _ = Value::parse(param, &s);
            }
        }

        #[test]
        fn bbox_round_trips(a in -180.0f64..180.0, b in -90.0f64..90.0, w in 0.0f64..10.0, h in 0.0f64..10.0) {
            let (c, d) = ((a + w).min(180.0), (b + h).min(90.0));
            let p = page(&format!("bbox={a},{b},{c},{d}")).unwrap();
            let r = crs84_box(p.corners("bbox").unwrap()).unwrap();
            prop_assert_eq!((r.min().x, r.min().y, r.max().x, r.max().y), (a, b, c, d));
            prop_assert_eq!(page(&p.query()).unwrap(), p);
        }

        #[test]
        fn limit_round_trips(n in 1i64..100_000) {
            prop_assert_eq!(page(&format!("limit={n}")).unwrap().int("limit"), Some(n.min(100)));
        }
    }
}
