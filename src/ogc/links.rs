//! OGC/JSON link objects.

use serde::Serialize;

pub const GEOJSON: &str = "application/geo+json";
pub const JSON: &str = "application/json";
pub const HTML: &str = "text/html";
pub const CSV: &str = "text/csv";
pub const FLATGEOBUF: &str = "application/flatgeobuf";

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Link {
    pub href: String,
    pub rel: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Link {
    pub fn new(href: impl Into<String>, rel: &str, media_type: &str, title: &str) -> Link {
        Link {
            href: href.into(),
            rel: rel.to_string(),
            media_type: (!media_type.is_empty()).then(|| media_type.to_string()),
            title: (!title.is_empty()).then(|| title.to_string()),
        }
    }
}
