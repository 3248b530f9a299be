//! The properties of a layer's features and the type of each, read once when the layer loads.

use super::Area;
use serde::Serialize;
use serde_json::Value;

/// The type of a feature property, read from every feature of the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PropertyType {
    String,
    Integer,
    Number,
    Boolean,
}

/// One property of a layer's features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub kind: PropertyType,
    /// Some feature lacks it or has null.
    pub nullable: bool,
}

/// Every property of `areas`, in the order of first appearance, typed by the widest
/// type its values need (integer, then number, then string; boolean only if all are booleans).
pub fn properties(areas: &[Area]) -> Vec<Property> {
    let mut names: Vec<&String> = Vec::new();
    for area in areas {
        for name in area.properties.keys() {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
        .into_iter()
        .map(|name| {
            let values = areas.iter().map(|a| a.properties.get(name));
            let nullable = values.clone().any(|v| v.is_none_or(Value::is_null));
            let kind = values
                .filter_map(|v| v.and_then(value_type))
                .reduce(|a, b| match (a, b) {
                    (a, b) if a == b => a,
                    (PropertyType::Integer, PropertyType::Number)
                    | (PropertyType::Number, PropertyType::Integer) => PropertyType::Number,
                    _ => PropertyType::String,
                })
                .unwrap_or(PropertyType::String);
            Property {
                name: name.clone(),
                kind,
                nullable,
            }
        })
        .collect()
}

fn value_type(value: &Value) -> Option<PropertyType> {
    match value {
        Value::Null => None,
        Value::Bool(_) => Some(PropertyType::Boolean),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(PropertyType::Integer),
        Value::Number(_) => Some(PropertyType::Number),
        Value::String(_) | Value::Array(_) | Value::Object(_) => Some(PropertyType::String),
    }
}
