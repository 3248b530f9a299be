//! A collection's properties and their types, as JSON Schema: queryables (OGC API Features
//! Part 3) and the feature schema (Part 5), plus the typed equality filter they allow on items.

use crate::catalog::Layer;
pub use crate::model::{Property, PropertyType};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// An equality filter on one property, its value parsed as the property's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Equals {
    Text(String),
    Integer(i64),
    Number(f64),
    Boolean(bool),
}

impl Equals {
    /// Parses `text` as a value of `property`; the error names the property and the type.
    pub fn parse(property: &Property, text: &str) -> Result<Equals, String> {
        let bad = |what: &str| format!("{}: expected {what}, got '{text}'", property.name);
        match property.kind {
            PropertyType::String => Ok(Equals::Text(text.to_string())),
            PropertyType::Integer => text
                .trim()
                .parse()
                .map(Equals::Integer)
                .map_err(|_| bad("a whole number")),
            PropertyType::Number => match text.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Equals::Number(v)),
                _ => Err(bad("a number")),
            },
            PropertyType::Boolean => match text.trim() {
                "true" => Ok(Equals::Boolean(true)),
                "false" => Ok(Equals::Boolean(false)),
                _ => Err(bad("true or false")),
            },
        }
    }

    /// Whether a feature's property value equals this filter's value.
    pub fn matches(&self, value: Option<&Value>) -> bool {
        match (self, value) {
            (Equals::Text(t), Some(Value::String(s))) => s == t,
            (Equals::Text(t), Some(Value::Number(n))) => t.trim().parse::<f64>().ok() == n.as_f64(),
            (Equals::Text(t), Some(Value::Bool(b))) => t.trim().parse::<bool>().ok() == Some(*b),
            (Equals::Integer(i), Some(Value::Number(n))) => n.as_i64() == Some(*i),
            (Equals::Number(x), Some(Value::Number(n))) => n.as_f64() == Some(*x),
            (Equals::Boolean(b), Some(Value::Bool(v))) => b == v,
            _ => false,
        }
    }
}

/// A JSON Schema document describing a collection's features or queryables.
#[derive(Debug, Serialize)]
pub struct SchemaDocument {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    #[serde(rename = "$id")]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub description: String,
    pub properties: BTreeMap<String, PropertySchema>,
    #[serde(rename = "additionalProperties")]
    pub additional_properties: bool,
}

/// One property of a [`SchemaDocument`].
#[derive(Debug, Serialize)]
pub struct PropertySchema {
    pub title: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<TypeList>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<&'static str>,
    #[serde(rename = "x-ogc-role", skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'static str>,
}

/// A type, or a type and null.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum TypeList {
    One(PropertyType),
    OrNull([&'static str; 2]),
}

impl TypeList {
    fn of(p: &Property) -> TypeList {
        if !p.nullable {
            return TypeList::One(p.kind);
        }
        let name = match p.kind {
            PropertyType::String => "string",
            PropertyType::Integer => "integer",
            PropertyType::Number => "number",
            PropertyType::Boolean => "boolean",
        };
        TypeList::OrNull([name, "null"])
    }
}

const DRAFT: &str = "https://json-schema.org/draft/2019-09/schema";

/// The properties usable as equality filters on items: every property except those whose names
/// are parameters of items already (`reserved`), `code` included (the `code` parameter).
pub fn queryable_properties(layer: &Layer, reserved: &[&str]) -> Vec<Property> {
    layer
        .properties
        .iter()
        .filter(|p| is_queryable(p, reserved))
        .cloned()
        .collect()
}

/// The names of [`queryable_properties`].
pub fn filter_names<'a>(layer: &'a Layer, reserved: &[&str]) -> Vec<&'a str> {
    layer
        .properties
        .iter()
        .filter(|p| is_queryable(p, reserved))
        .map(|p| p.name.as_str())
        .collect()
}

fn is_queryable(p: &Property, reserved: &[&str]) -> bool {
    p.name == "code" || !reserved.contains(&p.name.as_str())
}

/// `/collections/{id}/queryables`.
pub fn queryables(layer: &Layer, reserved: &[&str], base: &str) -> SchemaDocument {
    SchemaDocument {
        schema: DRAFT,
        id: format!("{base}/collections/{}/queryables", layer.id()),
        kind: "object",
        title: layer.spec.title.clone(),
        description: "Properties usable in a CQL2 filter on items (e.g. ?filter=name LIKE 'Greater%'), and, but for geometry, value and year, as equality filters (e.g. ?name=Cumbria).".into(),
        properties: queryable_properties(layer, reserved)
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    PropertySchema {
                        title: p.name.clone(),
                        kind: Some(TypeList::of(p)),
                        format: None,
                        role: (p.name == "code").then_some("id"),
                        description: None,
                    },
                )
            })
            .chain(filter_only())
            .collect(),
        additional_properties: false,
    }
}

/// The queryables only a CQL2 `filter` can name: the geometry, and the joined indicator's value
/// and year.
fn filter_only() -> [(String, PropertySchema); 3] {
    use crate::views::filter::{GEOMETRY, VALUE, YEAR};
    [
        (
            GEOMETRY.into(),
            PropertySchema {
                title: GEOMETRY.into(),
                kind: None,
                format: Some("geometry-multipolygon"),
                role: Some("primary-geometry"),
                description: Some("The area's outline, for the S_* predicates of a filter."),
            },
        ),
        (
            VALUE.into(),
            PropertySchema {
                title: VALUE.into(),
                kind: Some(TypeList::OrNull(["number", "null"])),
                format: None,
                role: None,
                description: Some(
                    "The joined indicator's value, as served: in a filter or sortby with indicator and year.",
                ),
            },
        ),
        (
            YEAR.into(),
            PropertySchema {
                title: YEAR.into(),
                kind: Some(TypeList::One(PropertyType::Integer)),
                format: None,
                role: None,
                description: Some("The joined indicator's year: in a filter with indicator and year."),
            },
        ),
    ]
}

/// `/collections/{id}/schema`: every property with its type, and the geometry.
pub fn schema(layer: &Layer, base: &str) -> SchemaDocument {
    let mut properties: BTreeMap<String, PropertySchema> = layer
        .properties
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                PropertySchema {
                    title: p.name.clone(),
                    kind: Some(TypeList::of(p)),
                    format: None,
                    role: (p.name == "code").then_some("id"),
                    description: None,
                },
            )
        })
        .collect();
    properties.insert(
        "geometry".into(),
        PropertySchema {
            title: "geometry".into(),
            kind: None,
            format: Some("geometry-multipolygon"),
            role: Some("primary-geometry"),
            description: None,
        },
    );
    SchemaDocument {
        schema: DRAFT,
        id: format!("{base}/collections/{}/schema", layer.id()),
        kind: "object",
        title: layer.spec.title.clone(),
        description: format!(
            "The features of {}: their properties and types, and a (multi)polygon geometry.",
            layer.spec.title
        ),
        properties,
        additional_properties: false,
    }
}
