//! CQL2 filters on items (OGC API Features Part 3): parsed by the `cql2` crate, typed against
//! the layer's properties and the joined indicator, then evaluated per feature, spatial
//! predicates narrowed through the R-tree first.

use super::ViewError;
use crate::catalog::Layer;
use crate::model::{Area, PropertyType};
use crate::ogc::crs::from_bng;
use crate::ogc::{Crs, MetricJoin};
use cql2::Expr;
use geo::{BoundingRect, Geometry, Intersects, MapCoords, Rect, Relate};
use serde_json::Value;
use std::borrow::Cow;

/// The longest filter accepted, in bytes.
pub const MAX_LENGTH: usize = 4096;
/// The deepest nesting accepted: brackets, `NOT`s and operators inside one another.
pub const MAX_DEPTH: usize = 16;
/// The name of the features' geometry in a filter.
pub const GEOMETRY: &str = "geometry";
/// The names a joined indicator adds: its value on each area, and its year.
pub const VALUE: &str = "value";
pub const YEAR: &str = "year";

/// How a filter is written (`filter-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Text,
    Json,
}

impl Lang {
    pub const NAMES: [&'static str; 2] = ["cql2-text", "cql2-json"];

    pub fn parse(name: &str) -> Option<Lang> {
        match name {
            "cql2-text" => Some(Lang::Text),
            "cql2-json" => Some(Lang::Json),
            _ => None,
        }
    }
}

/// A filter checked against one layer, ready to test its features.
#[derive(Debug, Clone)]
pub struct Filter {
    root: Node,
    /// A CRS84 box every match touches, from a spatial predicate every match must satisfy: the
    /// candidates come from the R-tree through it.
    pub within_box: Option<Rect<f64>>,
}

#[derive(Debug, Clone)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Compare(Comparison, Operand, Operand),
    Like(Operand, Vec<Glob>),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    IsNull(Operand),
    Spatial(Spatial, Box<Geometry<f64>>, Rect<f64>),
    Constant(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Spatial {
    Intersects,
    Disjoint,
    Within,
    Contains,
    Equals,
    Touches,
    Overlaps,
    Crosses,
}

/// One character of a `LIKE` pattern: itself, `_` (any one) or `%` (any run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Glob {
    Char(char),
    One,
    Many,
}

/// A value in a filter: a property of the feature, the joined indicator, or a literal.
#[derive(Debug, Clone)]
enum Operand {
    Property(String),
    Value,
    Year,
    Text(String),
    Number(f64),
    Bool(bool),
    Lower(Box<Operand>),
}

/// The type of an [`Operand`], for checking a filter before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Boolean,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Number => "a number",
            Kind::Boolean => "a boolean",
        }
    }
}

/// A value read from a feature, or a literal.
#[derive(Debug, Clone, PartialEq)]
enum Scalar<'a> {
    Null,
    Text(Cow<'a, str>),
    Number(f64),
    Bool(bool),
}

/// What a filter is checked against: the layer's properties, and the joined indicator if any.
struct Names<'a> {
    layer: &'a Layer,
    joined: bool,
}

impl Filter {
    /// Parses `text` in `lang`, its geometries in `crs`, and checks every name and type against
    /// `layer` (with `value` and `year` when an indicator is `joined`). Errors name the problem:
    /// a syntax error and its column, an unknown property and the queryables, a type mismatch,
    /// an operator or function not supported, or a limit passed.
    pub fn parse(
        layer: &Layer,
        text: &str,
        lang: Lang,
        crs: Crs,
        joined: bool,
    ) -> Result<Filter, ViewError> {
        if text.len() > MAX_LENGTH {
            return Err(invalid(format!(
                "{} bytes; the limit is {MAX_LENGTH}",
                text.len()
            )));
        }
        if let Some(at) = (lang == Lang::Text).then(|| too_deep(text)).flatten() {
            return Err(invalid(format!(
                "nested more than {MAX_DEPTH} deep (at byte {at}); the limit is {MAX_DEPTH}"
            )));
        }
        let expr = match lang {
            Lang::Text => cql2::parse_text(text).map_err(|e| invalid(syntax_error(&e)))?,
            Lang::Json => cql2::parse_json(text).map_err(|e| {
                invalid(format!(
                    "not cql2-json at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ))
            })?,
        };
        let names = Names { layer, joined };
        let root = names.node(&expr, crs, 1)?;
        let within_box = root.within_box();
        Ok(Filter { root, within_box })
    }

    /// `value = x` on the joined indicator: the `value` query parameter.
    pub fn value_equals(x: f64) -> Filter {
        Filter {
            root: Node::Compare(Comparison::Eq, Operand::Value, Operand::Number(x)),
            within_box: None,
        }
    }

    /// Both filters at once.
    pub fn and(self, other: Filter) -> Filter {
        Filter {
            within_box: self.within_box.or(other.within_box),
            root: Node::All(vec![self.root, other.root]),
        }
    }

    /// Whether the area at `index` matches: only a definite true counts, as in SQL (a comparison
    /// with a missing value is unknown, and so is its negation).
    pub fn matches(&self, area: &Area, index: usize, joined: Option<&MetricJoin>) -> bool {
        let feature = Feature {
            area,
            index,
            joined,
        };
        self.root.eval(&feature) == Some(true)
    }
}

fn invalid(detail: String) -> ViewError {
    ViewError::invalid(format!("filter: {detail}"))
}

/// A pest error as "syntax error at line L column C: ...".
fn syntax_error(e: &cql2::Error) -> String {
    match e {
        cql2::Error::Pest(p) => {
            let (line, column) = match p.line_col {
                pest::error::LineColLocation::Pos(at) => at,
                pest::error::LineColLocation::Span(at, _) => at,
            };
            let expected = match &p.variant {
                pest::error::ErrorVariant::ParsingError { positives, .. }
                    if !positives.is_empty() =>
                {
                    let mut names: Vec<String> = positives
                        .iter()
                        .map(|r| token_name(&format!("{r:?}")))
                        .collect();
                    names.sort();
                    names.dedup();
                    format!("expected one of {}", names.join(", "))
                }
                other => other.message().to_string(),
            };
            format!("syntax error at line {line} column {column}: {expected}")
        }
        other => format!("not cql2-text: {other}"),
    }
}

/// A grammar rule of cql2-rs as a reader would name what was expected.
fn token_name(rule: &str) -> String {
    match rule {
        "Identifier" => "a property name",
        "SingleQuotedString" => "a 'string'",
        "DECIMAL" | "Double" | "Integer" | "Number" => "a number",
        "True" | "False" => "TRUE or FALSE",
        "Null" => "NULL",
        "Array" => "a (list)",
        "GEOMETRY" => "a geometry",
        "ExpressionInParentheses" => "(",
        "UnaryNot" => "NOT",
        "Negative" => "-",
        "EOI" => "the end",
        other => return other.to_lowercase(),
    }
    .to_string()
}

/// The byte where brackets or prefix operators nest deeper than [`MAX_DEPTH`], if they do; a
/// cheap scan before the recursive parser sees the text. Quoted strings are skipped.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut prefixes = 0usize;
    let mut minus_run = 0usize;
    let mut quoted = false;
    let bytes = text.as_bytes();
    for (at, &b) in bytes.iter().enumerate() {
        match b {
            b'-' if !quoted => minus_run += 1,
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => minus_run = 0,
        }
        match b {
            b'\'' => quoted = !quoted,
            _ if quoted => {}
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'n' | b'N'
                if text.get(at..at + 4).is_some_and(|w| {
                    w.eq_ignore_ascii_case("not ") || w.eq_ignore_ascii_case("not(")
                }) && (at == 0 || !bytes[at - 1].is_ascii_alphanumeric()) =>
            {
                prefixes += 1
            }
            _ => {}
        }
        if depth > MAX_DEPTH || minus_run > MAX_DEPTH || prefixes > 4 * MAX_DEPTH {
            return Some(at);
        }
    }
    None
}

impl Names<'_> {
    fn node(&self, expr: &Expr, crs: Crs, depth: usize) -> Result<Node, ViewError> {
        if depth > MAX_DEPTH {
            return Err(invalid(format!(
                "nested more than {MAX_DEPTH} deep; the limit is {MAX_DEPTH}"
            )));
        }
        let (op, args) = match expr {
            Expr::Bool(b) => return Ok(Node::Constant(*b)),
            Expr::Operation { op, args } => (op.as_str(), args),
            other => {
                return Err(invalid(format!(
                    "expected a condition, got {}",
                    describe(other)
                )))
            }
        };
        let sub = |e: &Expr| self.node(e, crs, depth + 1);
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(invalid(format!(
                    "{op} takes {n} arguments, got {}",
                    args.len()
                )))
            }
        };
        Ok(match op {
            "and" | "or" => {
                let parts = args.iter().map(|a| sub(a)).collect::<Result<Vec<_>, _>>()?;
                if op == "and" {
                    Node::All(parts)
                } else {
                    Node::Any(parts)
                }
            }
            "not" => {
                arity(1)?;
                Node::Not(Box::new(sub(&args[0])?))
            }
            "=" | "<>" | "<" | "<=" | ">" | ">=" => {
                arity(2)?;
                let comparison = match op {
                    "=" => Comparison::Eq,
                    "<>" => Comparison::Ne,
                    "<" => Comparison::Lt,
                    "<=" => Comparison::Le,
                    ">" => Comparison::Gt,
                    _ => Comparison::Ge,
                };
                let (a, b) = (self.operand(&args[0])?, self.operand(&args[1])?);
                let kind = self.same_kind(op, &[&a, &b])?;
                if kind == Kind::Boolean && !matches!(comparison, Comparison::Eq | Comparison::Ne) {
                    return Err(invalid(format!(
                        "{op} does not order booleans; use = or <>"
                    )));
                }
                Node::Compare(comparison, a, b)
            }
            "like" => {
                arity(2)?;
                let value = self.operand(&args[0])?;
                self.expect_kind("like", &value, Kind::Text)?;
                let pattern = match &*args[1] {
                    Expr::Literal(p) => glob(p),
                    Expr::Operation { op, args } if op == "casei" && args.len() == 1 => {
                        match &*args[0] {
                            Expr::Literal(p) => glob(&p.to_lowercase()),
                            other => {
                                return Err(invalid(format!(
                                    "like: the pattern must be a string, got {}",
                                    describe(other)
                                )))
                            }
                        }
                    }
                    other => {
                        return Err(invalid(format!(
                            "like: the pattern must be a string, got {}",
                            describe(other)
                        )))
                    }
                };
                Node::Like(value, pattern)
            }
            "between" => {
                arity(3)?;
                let [v, lo, hi] = [&args[0], &args[1], &args[2]].map(|a| self.operand(a));
                let (v, lo, hi) = (v?, lo?, hi?);
                self.expect_kind("between", &v, Kind::Number)?;
                self.same_kind("between", &[&v, &lo, &hi])?;
                Node::Between(v, lo, hi)
            }
            "in" => {
                arity(2)?;
                let value = self.operand(&args[0])?;
                let Expr::Array(items) = &*args[1] else {
                    return Err(invalid(format!(
                        "in: expected a list in brackets, got {}",
                        describe(&args[1])
                    )));
                };
                let items = items
                    .iter()
                    .map(|i| self.operand(i))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut all: Vec<&Operand> = vec![&value];
                all.extend(items.iter());
                self.same_kind("in", &all)?;
                Node::In(value, items)
            }
            "isNull" => {
                arity(1)?;
                Node::IsNull(self.operand(&args[0])?)
            }
            "s_intersects" | "s_disjoint" | "s_within" | "s_contains" | "s_equals"
            | "s_touches" | "s_overlaps" | "s_crosses" => {
                arity(2)?;
                self.spatial(op, &args[0], &args[1], crs)?
            }
            other => {
                return Err(invalid(format!(
                    "'{other}' is not supported; supported: and, or, not, =, <>, <, <=, >, >=, \
                     like, between, in, is null, casei, s_intersects, s_disjoint, s_within, \
                     s_contains, s_equals, s_touches, s_overlaps, s_crosses"
                )))
            }
        })
    }

    /// `S_*(geometry, literal)`: the feature's geometry against a literal (either order; a
    /// literal first flips within and contains).
    fn spatial(&self, op: &str, a: &Expr, b: &Expr, crs: Crs) -> Result<Node, ViewError> {
        let is_geometry =
            |e: &Expr| matches!(e, Expr::Property { property } if property == GEOMETRY);
        let (literal, flipped) = match (is_geometry(a), is_geometry(b)) {
            (true, false) => (b, false),
            (false, true) => (a, true),
            _ => {
                return Err(invalid(format!(
                    "{op}: one argument must be the property '{GEOMETRY}' and the other a \
                     geometry or BBOX literal"
                )))
            }
        };
        let mut op = match op {
            "s_intersects" => Spatial::Intersects,
            "s_disjoint" => Spatial::Disjoint,
            "s_within" => Spatial::Within,
            "s_contains" => Spatial::Contains,
            "s_equals" => Spatial::Equals,
            "s_touches" => Spatial::Touches,
            "s_overlaps" => Spatial::Overlaps,
            _ => Spatial::Crosses,
        };
        if flipped {
            op = match op {
                Spatial::Within => Spatial::Contains,
                Spatial::Contains => Spatial::Within,
                same => same,
            };
        }
        let geometry = Geometry::<f64>::try_from(literal.clone())
            .map_err(|e| invalid(format!("{}: not a geometry ({e})", describe(literal))))?;
        if let Some(ring) = thin_ring(&geometry) {
            return Err(invalid(
                format!(
                    "{op:?}: a polygon ring has {ring} positions; it needs at least 3 corners and \
                 closes on the first"
                )
                .to_lowercase(),
            ));
        }
        let geometry = to_crs84(geometry, crs)?;
        let bbox = geometry
            .bounding_rect()
            .ok_or_else(|| invalid("an empty geometry".to_string()))?;
        Ok(Node::Spatial(op, Box::new(geometry), bbox))
    }

    fn operand(&self, expr: &Expr) -> Result<Operand, ViewError> {
        Ok(match expr {
            Expr::Property { property } => self.property(property)?,
            Expr::Literal(s) => Operand::Text(s.clone()),
            Expr::Float(x) => Operand::Number(*x),
            Expr::Bool(b) => Operand::Bool(*b),
            Expr::Operation { op, args } if op == "casei" && args.len() == 1 => {
                let inner = self.operand(&args[0])?;
                self.expect_kind("casei", &inner, Kind::Text)?;
                Operand::Lower(Box::new(inner))
            }
            Expr::Operation { op, .. } => {
                return Err(invalid(format!(
                    "'{op}' is not supported as a value; supported: properties, strings, \
                     numbers, booleans and casei(...)"
                )))
            }
            other => {
                return Err(invalid(format!(
                    "{} is not supported as a value",
                    describe(other)
                )))
            }
        })
    }

    fn property(&self, name: &str) -> Result<Operand, ViewError> {
        if self.joined && name == VALUE {
            return Ok(Operand::Value);
        }
        if self.joined && name == YEAR {
            return Ok(Operand::Year);
        }
        if self.layer.properties.iter().any(|p| p.name == name) {
            return Ok(Operand::Property(name.to_string()));
        }
        let mut known: Vec<&str> = self
            .layer
            .properties
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        known.push(GEOMETRY);
        let joined = if self.joined {
            known.extend([VALUE, YEAR]);
            ""
        } else if name == VALUE || name == YEAR {
            " (value and year name the joined indicator: give indicator and year)"
        } else {
            ""
        };
        Err(invalid(format!(
            "unknown property '{name}'{joined}; queryables: {}",
            known.join(", ")
        )))
    }

    fn kind(&self, operand: &Operand) -> Kind {
        match operand {
            Operand::Property(name) => {
                match self.layer.properties.iter().find(|p| &p.name == name) {
                    Some(p) => match p.kind {
                        PropertyType::String => Kind::Text,
                        PropertyType::Integer | PropertyType::Number => Kind::Number,
                        PropertyType::Boolean => Kind::Boolean,
                    },
                    None => Kind::Text,
                }
            }
            Operand::Value | Operand::Year | Operand::Number(_) => Kind::Number,
            Operand::Text(_) | Operand::Lower(_) => Kind::Text,
            Operand::Bool(_) => Kind::Boolean,
        }
    }

    fn expect_kind(&self, op: &str, operand: &Operand, want: Kind) -> Result<(), ViewError> {
        let got = self.kind(operand);
        if got == want {
            Ok(())
        } else {
            Err(invalid(format!(
                "type mismatch: {op} needs {}, but {} is {}",
                want.name(),
                operand.describe(),
                got.name()
            )))
        }
    }

    /// The one kind all of `operands` share, or a type mismatch naming the first that differs.
    fn same_kind(&self, op: &str, operands: &[&Operand]) -> Result<Kind, ViewError> {
        let first = self.kind(operands[0]);
        for o in &operands[1..] {
            let k = self.kind(o);
            if k != first {
                return Err(invalid(format!(
                    "type mismatch in {op}: {} is {}, {} is {}",
                    operands[0].describe(),
                    first.name(),
                    o.describe(),
                    k.name()
                )));
            }
        }
        Ok(first)
    }
}

impl Operand {
    fn describe(&self) -> String {
        match self {
            Operand::Property(name) => format!("property '{name}'"),
            Operand::Value => format!("'{VALUE}'"),
            Operand::Year => format!("'{YEAR}'"),
            Operand::Text(t) => format!("'{t}'"),
            Operand::Number(x) => x.to_string(),
            Operand::Bool(b) => b.to_string(),
            Operand::Lower(inner) => format!("casei({})", inner.describe()),
        }
    }
}

/// A short account of an expression for an error message.
fn describe(expr: &Expr) -> String {
    match expr {
        Expr::Property { property } => format!("property '{property}'"),
        Expr::Literal(s) => format!("'{s}'"),
        Expr::Float(x) => x.to_string(),
        Expr::Bool(b) => b.to_string(),
        Expr::Null => "null".into(),
        Expr::Array(_) => "a list".into(),
        Expr::Geometry(_) => "a geometry".into(),
        Expr::BBox { .. } => "a BBOX".into(),
        Expr::Date { .. } | Expr::Timestamp { .. } | Expr::Interval { .. } => {
            "a date or time".into()
        }
        Expr::Operation { op, .. } => format!("'{op}'"),
    }
}

/// The position count of a polygon ring too short to enclose anything, if there is one.
fn thin_ring(geometry: &Geometry<f64>) -> Option<usize> {
    let polygons: Vec<&geo::Polygon<f64>> = match geometry {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(m) => m.0.iter().collect(),
        Geometry::GeometryCollection(c) => {
            return c.0.iter().find_map(thin_ring);
        }
        _ => vec![],
    };
    polygons
        .into_iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|ring| ring.0.len())
        .find(|&n| n < 4)
}

/// A geometry given in `crs` in CRS84, vertex by vertex.
fn to_crs84(geometry: Geometry<f64>, crs: Crs) -> Result<Geometry<f64>, ViewError> {
    match crs {
        Crs::Crs84 => Ok(geometry),
        Crs::Bng => geometry
            .try_map_coords(|c| from_bng(c.x, c.y).map(|(x, y)| geo::Coord { x, y }))
            .map_err(|e| ViewError::invalid(format!("filter-crs: {e}"))),
    }
}

/// A `LIKE` pattern: `%` any run, `_` any one character, `\` escapes the next.
fn glob(pattern: &str) -> Vec<Glob> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => Glob::Many,
            '_' => Glob::One,
            '\\' => Glob::Char(chars.next().unwrap_or('\\')),
            c => Glob::Char(c),
        });
    }
    out
}

/// Whether `text` matches `pattern` in full (iterative, with one backtrack point per `%`).
fn like(text: &str, pattern: &[Glob]) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Glob::Many) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Glob::One) => {
                t += 1;
                p += 1;
            }
            Some(Glob::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|g| *g == Glob::Many)
}

/// One feature under test.
struct Feature<'a> {
    area: &'a Area,
    index: usize,
    joined: Option<&'a MetricJoin<'a>>,
}

impl Node {
    /// The box of a spatial predicate every match must satisfy (the filter itself, or one term
    /// of a top-level `and`); disjoint gives none.
    fn within_box(&self) -> Option<Rect<f64>> {
        match self {
            Node::Spatial(op, _, bbox) if *op != Spatial::Disjoint => Some(*bbox),
            Node::All(parts) => parts.iter().find_map(Node::within_box),
            _ => None,
        }
    }

    /// SQL's three-valued logic: `None` is unknown.
    fn eval(&self, f: &Feature) -> Option<bool> {
        match self {
            Node::All(parts) => {
                let mut unknown = false;
                for p in parts {
                    match p.eval(f) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                (!unknown).then_some(true)
            }
            Node::Any(parts) => {
                let mut unknown = false;
                for p in parts {
                    match p.eval(f) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                (!unknown).then_some(false)
            }
            Node::Not(inner) => inner.eval(f).map(|b| !b),
            Node::Compare(op, a, b) => compare(*op, &a.read(f), &b.read(f)),
            Node::Like(value, pattern) => match value.read(f) {
                Scalar::Text(t) => Some(like(&t, pattern)),
                _ => None,
            },
            Node::Between(v, lo, hi) => {
                let v = v.read(f);
                let above = compare(Comparison::Ge, &v, &lo.read(f))?;
                let below = compare(Comparison::Le, &v, &hi.read(f))?;
                Some(above && below)
            }
            Node::In(value, items) => {
                let v = value.read(f);
                if v == Scalar::Null {
                    return None;
                }
                let mut unknown = false;
                for item in items {
                    match compare(Comparison::Eq, &v, &item.read(f)) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                (!unknown).then_some(false)
            }
            Node::IsNull(value) => Some(value.read(f) == Scalar::Null),
            Node::Spatial(op, geometry, bbox) => Some(spatial(*op, f.area, geometry, bbox)),
            Node::Constant(b) => Some(*b),
        }
    }
}

fn spatial(op: Spatial, area: &Area, geometry: &Geometry<f64>, bbox: &Rect<f64>) -> bool {
    let touches_box = area.bbox().is_some_and(|b| b.intersects(bbox));
    match op {
        Spatial::Intersects => touches_box && area.geometry.intersects(geometry),
        Spatial::Disjoint => !touches_box || !area.geometry.intersects(geometry),
        _ if !touches_box => false,
        _ => {
            let m = area.geometry.relate(geometry);
            match op {
                Spatial::Within => m.is_within(),
                Spatial::Contains => m.is_contains(),
                Spatial::Equals => m.is_equal_topo(),
                Spatial::Touches => m.is_touches(),
                Spatial::Overlaps => m.is_overlaps(),
                _ => m.is_crosses(),
            }
        }
    }
}

fn compare(op: Comparison, a: &Scalar, b: &Scalar) -> Option<bool> {
    use std::cmp::Ordering;
    let order: Ordering = match (a, b) {
        (Scalar::Number(x), Scalar::Number(y)) => x.partial_cmp(y)?,
        (Scalar::Text(x), Scalar::Text(y)) => x.cmp(y),
        (Scalar::Bool(x), Scalar::Bool(y)) => x.cmp(y),
        _ => return None,
    };
    Some(match op {
        Comparison::Eq => order.is_eq(),
        Comparison::Ne => order.is_ne(),
        Comparison::Lt => order.is_lt(),
        Comparison::Le => order.is_le(),
        Comparison::Gt => order.is_gt(),
        Comparison::Ge => order.is_ge(),
    })
}

impl Operand {
    fn read<'a>(&'a self, f: &Feature<'a>) -> Scalar<'a> {
        match self {
            Operand::Property(name) => match f.area.properties.get(name) {
                None | Some(Value::Null) => Scalar::Null,
                Some(Value::String(s)) => Scalar::Text(Cow::Borrowed(s)),
                Some(Value::Number(n)) => n.as_f64().map_or(Scalar::Null, Scalar::Number),
                Some(Value::Bool(b)) => Scalar::Bool(*b),
                Some(other) => Scalar::Text(Cow::Owned(other.to_string())),
            },
            Operand::Value => f
                .joined
                .and_then(|j| {
                    let v = j.values.get(f.index).copied().flatten();
                    super::numbers::round_opt(v, j.decimals)
                })
                .map_or(Scalar::Null, Scalar::Number),
            Operand::Year => f
                .joined
                .map_or(Scalar::Null, |j| Scalar::Number(f64::from(j.year))),
            Operand::Text(t) => Scalar::Text(Cow::Borrowed(t)),
            Operand::Number(x) => Scalar::Number(*x),
            Operand::Bool(b) => Scalar::Bool(*b),
            Operand::Lower(inner) => match inner.read(f) {
                Scalar::Text(t) => Scalar::Text(Cow::Owned(t.to_lowercase())),
                other => other,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::views::fixture_catalog;

    fn grid() -> &'static Layer {
        fixture_catalog().layer("grid").expect("the grid layer")
    }

    fn matching(text: &str, lang: Lang) -> Result<Vec<String>, ViewError> {
        let layer = grid();
        let filter = Filter::parse(layer, text, lang, Crs::Crs84, false)?;
        Ok(layer
            .areas
            .iter()
            .enumerate()
            .filter(|(i, a)| filter.matches(a, *i, None))
            .map(|(_, a)| a.code.to_string())
            .collect())
    }

    #[test]
    fn like_matches_runs_single_characters_and_escapes() {
        assert!(like("Black Country", &glob("Black%")));
        assert!(like("Black Country", &glob("%Country")));
        assert!(like("Black Country", &glob("B_ack%y")));
        assert!(!like("Black Country", &glob("black%")));
        assert!(like("50%", &glob("50\\%")));
        assert!(!like("500", &glob("50\\%")));
        assert!(like("", &glob("%")));
        assert!(like("abcabd", &glob("%abd")));
    }

    #[test]
    fn text_and_json_select_the_same_features() {
        let layer = grid();
        let name = layer.areas[0].name.clone();
        let text = matching(&format!("name = '{name}'"), Lang::Text).unwrap();
        let json = matching(
            &format!(r#"{{"op":"=","args":[{{"property":"name"}},"{name}"]}}"#),
            Lang::Json,
        )
        .unwrap();
        assert_eq!(text, [layer.areas[0].code.to_string()]);
        assert_eq!(text, json);
        let none = matching(&format!("NOT (name = '{name}')"), Lang::Text).unwrap();
        assert_eq!(none.len(), layer.areas.len() - 1);
    }

    #[test]
    fn errors_name_the_column_the_property_the_types_and_the_limits() {
        let err = |t: &str| matching(t, Lang::Text).unwrap_err().to_string();
        assert!(
            err("name = ").contains("syntax error at line 1 column 8"),
            "{}",
            err("name = ")
        );
        let unknown = err("nope = 1");
        assert!(unknown.contains("unknown property 'nope'") && unknown.contains("queryables: "));
        assert!(err("value > 1").contains("give indicator and year"));
        assert!(
            err("name > 5").contains("type mismatch"),
            "{}",
            err("name > 5")
        );
        assert!(err("name LIKE 5").contains("the pattern must be a string"));
        assert!(err("upper(name) = 'A'").contains("not supported"));
        let deep = format!("{}name = 'a'{}", "(".repeat(40), ")".repeat(40));
        assert!(err(&deep).contains("the limit is 16"), "{}", err(&deep));
        let nots = format!("{}name = 'a'", "NOT ".repeat(200));
        assert!(err(&nots).contains("the limit is 16"), "{}", err(&nots));
        let long = format!("name = '{}'", "a".repeat(MAX_LENGTH));
        assert!(err(&long).contains("the limit is 4096"));
        let json = matching("{\"op\":", Lang::Json).unwrap_err().to_string();
        assert!(json.contains("line 1 column"), "{json}");
    }
}
