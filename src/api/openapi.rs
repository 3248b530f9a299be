//! The OpenAPI 3.0 document generated from the endpoint table, and its HTML rendering.

use super::endpoints::{Endpoint, Kind, Method, Param, CSV as CSV_MEDIA, ERROR_SCHEMA, JSON};
use crate::ogc::html::esc;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The OpenAPI document.
#[derive(Debug, Serialize)]
pub struct Document {
    pub openapi: &'static str,
    pub info: Info,
    pub servers: Vec<Server>,
    pub tags: Vec<Tag>,
    pub paths: BTreeMap<&'static str, PathItem>,
    pub components: Components,
}

#[derive(Debug, Serialize)]
pub struct Info {
    pub title: &'static str,
    pub version: &'static str,
    pub description: &'static str,
    pub license: License,
}

#[derive(Debug, Serialize)]
pub struct License {
    pub name: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Server {
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct Tag {
    pub name: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Serialize, Default)]
pub struct PathItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub get: Option<Operation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post: Option<Operation>,
}

#[derive(Debug, Serialize)]
pub struct Operation {
    #[serde(rename = "operationId")]
    pub operation_id: &'static str,
    pub tags: [&'static str; 1],
    pub summary: &'static str,
    pub description: &'static str,
    pub parameters: Vec<Parameter>,
    #[serde(rename = "requestBody", skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBodyDoc>,
    pub responses: BTreeMap<&'static str, ResponseDoc>,
}

#[derive(Debug, Serialize)]
pub struct RequestBodyDoc {
    pub description: &'static str,
    pub required: bool,
    pub content: BTreeMap<&'static str, BodyMediaDoc>,
}

/// A request body's media type: any document of it (its schema is the format's own).
#[derive(Debug, Serialize)]
pub struct BodyMediaDoc {
    pub schema: ParamSchema,
}

#[derive(Debug, Serialize)]
pub struct Parameter {
    pub name: &'static str,
    #[serde(rename = "in")]
    pub location: &'static str,
    pub required: bool,
    pub description: &'static str,
    pub schema: ParamSchema,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explode: Option<bool>,
}

/// The schema of a parameter value.
#[derive(Debug, Serialize, Default)]
pub struct ParamSchema {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<i64>,
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    pub choices: Option<&'static [&'static str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<ParamSchema>>,
    #[serde(rename = "minItems", skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    #[serde(rename = "maxItems", skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    #[serde(
        rename = "additionalProperties",
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_properties: Option<Box<ParamSchema>>,
}

#[derive(Debug, Serialize)]
pub struct ResponseDoc {
    pub description: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub content: BTreeMap<&'static str, MediaDoc>,
}

#[derive(Debug, Serialize)]
pub struct MediaDoc {
    pub schema: SchemaRef,
}

#[derive(Debug, Serialize)]
pub struct SchemaRef {
    #[serde(rename = "$ref")]
    pub reference: String,
}

#[derive(Debug, Serialize)]
pub struct Components {
    pub schemas: BTreeMap<&'static str, Value>,
}

/// The document for `endpoints`, served from `base`.
pub fn document(endpoints: &[Endpoint], base: &str) -> Document {
    Document {
        openapi: "3.0.3",
        info: Info {
            title: "smartspec",
            version: env!("CARGO_PKG_VERSION"),
            description: "Smart Specialisation in England: LEP, region, district and NUTS boundaries joined with Nesta's research and innovation indicators, served as OGC API Features, with analysis for planners.",
            license: License { name: "MIT (code); the data keeps its own licences, see each collection's attribution" },
        },
        servers: vec![Server { url: base.to_string() }],
        tags: vec![
            Tag { name: "Capabilities", description: "What the server offers (OGC API Features)." },
            Tag { name: "Data", description: "Boundary features (OGC API Features)." },
            Tag { name: "Indicators", description: "Innovation indicators joined to the boundaries of their vintage." },
            Tag { name: "Analysis", description: "Neighbours, rankings, comparisons, peers, specialisation and point lookup." },
            Tag { name: "Map", description: "What the map needs." },
        ],
        paths: endpoints.iter().fold(BTreeMap::new(), |mut paths, e| {
            let item: &mut PathItem = paths.entry(e.path).or_default();
            match e.method {
                Method::Get => item.get = Some(operation(e)),
                Method::Post(_) => item.post = Some(operation(e)),
            }
            paths
        }),
        components: Components { schemas: component_schemas() },
    }
}

fn operation(e: &Endpoint) -> Operation {
    let mut parameters: Vec<Parameter> = e
        .path_params()
        .map(|name| Parameter {
            name,
            location: "path",
            required: true,
            description: path_param_description(name),
            schema: ParamSchema {
                kind: "string",
                ..ParamSchema::default()
            },
            style: None,
            explode: None,
        })
        .collect();
    parameters.extend(e.params.iter().map(query_parameter));
    if e.property_filters {
        parameters.push(Parameter {
            name: "queryables",
            location: "query",
            required: false,
            description: "Equality filters: any property listed by the collection's queryables, as name=value (e.g. name=Cumbria), typed as the queryables say.",
            schema: ParamSchema {
                kind: "object",
                additional_properties: Some(Box::new(ParamSchema { kind: "string", ..ParamSchema::default() })),
                ..ParamSchema::default()
            },
            style: Some("form"),
            explode: Some(true),
        });
    }
    let mut responses = BTreeMap::new();
    responses.insert(
        "200",
        ResponseDoc {
            description: e.answer.description,
            content: e
                .answer
                .media_types
                .iter()
                .map(|m| (*m, media(e.answer.schema)))
                .collect(),
        },
    );
    let request_body = match e.method {
        Method::Get => {
            responses.insert(
                "304",
                ResponseDoc {
                    description: "Not modified: the If-None-Match ETag is current.",
                    content: BTreeMap::new(),
                },
            );
            None
        }
        Method::Post(body) => Some(RequestBodyDoc {
            description: body.description,
            required: true,
            content: body
                .media_types
                .iter()
                .map(|m| {
                    let kind = if *m == CSV_MEDIA { "string" } else { "object" };
                    (
                        *m,
                        BodyMediaDoc {
                            schema: ParamSchema {
                                kind,
                                ..ParamSchema::default()
                            },
                        },
                    )
                })
                .collect(),
        }),
    };
    let error = |description| ResponseDoc {
        description,
        content: [(JSON, media(ERROR_SCHEMA))].into_iter().collect(),
    };
    responses.insert(
        "400",
        error("A parameter is unknown, repeated or has a bad value; the description names it."),
    );
    if e.path_params().next().is_some() {
        responses.insert("404", error("No such collection, feature, area, indicator or matrix; the description lists what exists."));
    }
    if request_body.is_some() {
        responses.insert("413", error("The body holds more points or bytes than the server's limits; the description names the limit."));
        responses.insert(
            "415",
            error("The body's Content-Type is not one the endpoint reads."),
        );
    }
    responses.insert("500", error("A server fault (logged)."));
    Operation {
        operation_id: e.operation_id,
        tags: [e.tag],
        summary: e.summary,
        description: e.description,
        parameters,
        request_body,
        responses,
    }
}

fn media(schema: &str) -> MediaDoc {
    MediaDoc {
        schema: SchemaRef {
            reference: format!("#/components/schemas/{schema}"),
        },
    }
}

fn path_param_description(name: &str) -> &'static str {
    match name {
        "collectionId" => "A collection id (see /collections), e.g. lep-2017.",
        "featureId" => "An area code of the collection, e.g. E37000015.",
        "code" => "An area code, e.g. E37000015.",
        "indicatorId" => "An indicator id (see /indicators).",
        "matrix" => "A matrix id (see /specialisation).",
        _ => "A path segment.",
    }
}

fn query_parameter(p: &Param) -> Parameter {
    let (schema, style, explode) = match p.kind {
        Kind::List => (
            ParamSchema {
                kind: "array",
                items: Some(Box::new(ParamSchema {
                    kind: "string",
                    ..ParamSchema::default()
                })),
                ..ParamSchema::default()
            },
            Some("form"),
            Some(false),
        ),
        Kind::Bbox => (
            ParamSchema {
                kind: "array",
                items: Some(Box::new(ParamSchema {
                    kind: "number",
                    ..ParamSchema::default()
                })),
                min_items: Some(4),
                max_items: Some(6),
                ..ParamSchema::default()
            },
            Some("form"),
            Some(false),
        ),
        other => (scalar_schema(other, p.default), None, None),
    };
    Parameter {
        name: p.name,
        location: "query",
        required: p.required,
        description: p.description,
        schema,
        style,
        explode,
    }
}

fn scalar_schema(kind: Kind, default: Option<i64>) -> ParamSchema {
    let base = ParamSchema {
        default,
        ..ParamSchema::default()
    };
    match kind {
        Kind::Integer { min, max } | Kind::Clamped { min, max } => ParamSchema {
            kind: "integer",
            minimum: Some(min),
            maximum: Some(max),
            ..base
        },
        Kind::Count { min } => ParamSchema {
            kind: "integer",
            minimum: Some(min),
            ..base
        },
        Kind::Number => ParamSchema {
            kind: "number",
            ..base
        },
        Kind::Boolean => ParamSchema {
            kind: "boolean",
            ..base
        },
        Kind::Choice(values) => ParamSchema {
            kind: "string",
            choices: Some(values),
            ..base
        },
        Kind::Crs => ParamSchema {
            kind: "string",
            choices: Some(crate::ogc::Crs::URIS),
            ..base
        },
        Kind::Text | Kind::List | Kind::Bbox => ParamSchema {
            kind: "string",
            ..base
        },
    }
}

/// The response and error shapes the operations refer to.
fn component_schemas() -> BTreeMap<&'static str, Value> {
    let link = json!({
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string"},
            "type": {"type": "string"},
            "title": {"type": "string"}
        }
    });
    let links = json!({"type": "array", "items": {"$ref": "#/components/schemas/Link"}});
    let geometry = json!({
        "type": "object",
        "nullable": true,
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array", "items": {}}
        }
    });
    let feature = json!({
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "geometry": {"$ref": "#/components/schemas/Geometry"},
            "properties": {"type": "object", "nullable": true},
            "links": links
        }
    });
    let collection = json!({
        "type": "object",
        "required": ["id", "links"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "itemType": {"type": "string"},
            "crs": {"type": "array", "items": {"type": "string"}},
            "storageCrs": {"type": "string"},
            "extent": {"type": "object"},
            "links": links
        }
    });
    [
        (ERROR_SCHEMA, json!({
            "type": "object",
            "required": ["code", "description"],
            "properties": {
                "code": {"type": "string", "description": "OGC exception code, e.g. InvalidParameterValue, UnknownParameter, NotFound."},
                "description": {"type": "string", "description": "What was wrong and where (parameter, value, what is accepted)."}
            }
        })),
        ("Link", link),
        ("Geometry", geometry),
        ("Feature", feature),
        ("FeatureCollection", json!({
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
                "links": links,
                "numberMatched": {"type": "integer", "minimum": 0},
                "numberReturned": {"type": "integer", "minimum": 0}
            }
        })),
        ("LabelCollection", json!({
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": {"type": "string", "enum": ["FeatureCollection"]},
                "collection": {"type": "string"},
                "numberReturned": {"type": "integer", "minimum": 0},
                "features": {"type": "array", "items": {
                    "type": "object",
                    "required": ["type", "id", "geometry", "properties"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"type": "string"},
                        "geometry": {
                            "type": "object",
                            "required": ["type", "coordinates"],
                            "properties": {
                                "type": {"type": "string", "enum": ["Point"]},
                                "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
                            }
                        },
                        "properties": {
                            "type": "object",
                            "required": ["code", "name", "area_km2", "rank", "overlaps"],
                            "properties": {
                                "code": {"type": "string"},
                                "name": {"type": "string"},
                                "area_km2": {"type": "number", "description": "The whole area in km², geodesic on the WGS84 ellipsoid, holes taken away."},
                                "rank": {"type": "integer", "minimum": 1, "description": "1 for the largest area of the layer."},
                                "overlaps": {"type": "array", "items": {"type": "string"}, "description": "Codes of the areas of the layer overlapping this one (LEPs sharing a district)."}
                            }
                        }
                    }
                }}
            }
        })),
        ("LandingPage", json!({
            "type": "object",
            "required": ["links"],
            "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": links}
        })),
        ("ConfClasses", json!({
            "type": "object",
            "required": ["conformsTo"],
            "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}}
        })),
        ("Collection", collection),
        ("Collections", json!({
            "type": "object",
            "required": ["links", "collections"],
            "properties": {"links": links, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/Collection"}}}
        })),
        ("JsonSchema", json!({"type": "object", "description": "A JSON Schema document (draft 2019-09)."})),
        ("OpenAPI", json!({"type": "object", "description": "This OpenAPI document."})),
        ("Html", json!({"type": "string"})),
        ("Text", json!({"type": "string"})),
        ("Object", json!({"type": "object", "description": "A JSON object; its members are described with the operation."})),
        ("SpatialStatistics", spatial_statistics()),
    ]
    .into_iter()
    .collect()
}

/// `/indicators/{id}/spatial` (see `views::spatial` and *Spatial statistics* in docs/analysis.md).
fn spatial_statistics() -> Value {
    let number = json!({"type": "number", "nullable": true});
    let area = json!({
        "type": "object",
        "required": ["code", "name", "value", "spatial_lag", "gap_to_neighbours", "neighbours", "local_i", "p_value", "lisa"],
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "value": number,
            "spatial_lag": {"type": "number", "nullable": true, "description": "Mean of the values of the neighbours with data; null for an island or an area without data."},
            "gap_to_neighbours": {"type": "number", "nullable": true, "description": "value − spatial_lag, in the indicator's unit."},
            "neighbours": {"type": "integer", "minimum": 0, "description": "Neighbours with data."},
            "local_i": {"type": "number", "nullable": true, "description": "Local Moran's I: (n − 1)·z_i·Σ_j w_ij z_j / Σ z²."},
            "p_value": {"type": "number", "nullable": true, "description": "Conditional-permutation p-value (folded, esda's p_sim)."},
            "lisa": {"type": "string", "enum": ["high-high", "low-low", "high-low", "low-high", "not-significant", "island", "no-data"]}
        }
    });
    json!({
        "type": "object",
        "required": ["indicator", "title", "geography", "year", "layer", "weights", "overlaps_count_as_neighbours", "permutations", "seed", "significance", "global", "islands", "areas"],
        "properties": {
            "indicator": {"type": "string"},
            "title": {"type": "string"},
            "geography": {"type": "string"},
            "year": {"type": "integer"},
            "layer": {"type": "string"},
            "code_vintage": {"type": "string"},
            "unit": {"type": "string"},
            "unit_symbol": {"type": "string"},
            "weights": {"type": "string", "description": "queen contiguity, row-standardised"},
            "overlaps_count_as_neighbours": {"type": "boolean"},
            "overlapping_pairs": {"type": "integer", "minimum": 0},
            "permutations": {"type": "integer", "minimum": 99, "maximum": 9999},
            "seed": {"type": "integer", "minimum": 0},
            "significance": {"type": "number"},
            "global": {
                "type": "object",
                "required": ["morans_i", "expected_i", "p_value", "n", "note"],
                "properties": {
                    "morans_i": {"type": "number", "nullable": true, "description": "Global Moran's I; null when undefined (see note)."},
                    "expected_i": {"type": "number", "nullable": true, "description": "−1/(n − 1)."},
                    "p_value": {"type": "number", "nullable": true, "description": "Permutation p-value (folded, esda's p_sim)."},
                    "n": {"type": "integer", "minimum": 0, "description": "Areas with data."},
                    "note": {"type": "string", "nullable": true, "description": "Why morans_i is null (a constant field, or no area with a neighbour with data)."}
                }
            },
            "islands": {"type": "array", "items": {"type": "string"}, "description": "Areas with data and no neighbour with data."},
            "areas": {"type": "array", "items": area}
        }
    })
}

/// The document as a readable HTML page that needs nothing from the network.
pub fn html(doc: &Document) -> String {
    let mut out = String::with_capacity(64 << 10);
    out.push_str(concat!(
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>smartspec API</title><style>",
        "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1b1b}",
        "h2{margin-top:2rem;border-bottom:1px solid #ccc}code{background:#f3f3f3;padding:0 .2em}",
        "table{border-collapse:collapse;width:100%;margin:.4rem 0}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;vertical-align:top}",
        "th{background:#f6f6f6}.op{margin:1.2rem 0;padding:.6rem .8rem;border-left:4px solid #2c7fb8;background:#fafcff}",
        ".get{font-weight:bold;color:#2c7fb8}</style></head><body>"
    ));
    out.push_str(&format!(
        "<h1>{} API <small>{}</small></h1><p>{}</p><p>OpenAPI {}: <a href=\"api\">JSON</a> · <a href=\"collections\">collections</a> · <a href=\"map/\">the map</a></p>",
        esc(doc.info.title),
        esc(doc.info.version),
        esc(doc.info.description),
        esc(doc.openapi)
    ));
    for tag in &doc.tags {
        out.push_str(&format!(
            "<h2 id=\"{0}\">{0}</h2><p>{1}</p>",
            esc(tag.name),
            esc(tag.description)
        ));
        let operations = doc.paths.iter().flat_map(|(path, item)| {
            [("GET", &item.get), ("POST", &item.post)]
                .into_iter()
                .filter_map(move |(method, op)| Some((path, method, op.as_ref()?)))
        });
        for (path, method, op) in operations.filter(|(_, _, op)| op.tags[0] == tag.name) {
            out.push_str(&format!(
                "<div class=\"op\" id=\"{}\"><p><span class=\"get\">{method}</span> <code>{}</code> — {}</p><p>{}</p>",
                esc(op.operation_id),
                esc(path),
                esc(op.summary),
                esc(op.description)
            ));
            if let Some(body) = &op.request_body {
                let types: Vec<&str> = body.content.keys().copied().collect();
                out.push_str(&format!(
                    "<p>Body ({}): {}</p>",
                    esc(&types.join(", ")),
                    esc(body.description)
                ));
            }
            if !op.parameters.is_empty() {
                out.push_str("<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr>");
                for p in &op.parameters {
                    out.push_str(&format!(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        esc(p.name),
                        if p.required { " (required)" } else { "" },
                        p.location,
                        esc(&type_text(&p.schema)),
                        esc(p.description)
                    ));
                }
                out.push_str("</table>");
            }
            out.push_str("<table><tr><th>Status</th><th>Media type</th><th>Meaning</th></tr>");
            for (status, r) in &op.responses {
                let types: Vec<&str> = r.content.keys().copied().collect();
                out.push_str(&format!(
                    "<tr><td>{status}</td><td>{}</td><td>{}</td></tr>",
                    esc(&types.join(", ")),
                    esc(r.description)
                ));
            }
            out.push_str("</table></div>");
        }
    }
    out.push_str("</body></html>\n");
    out
}

fn type_text(s: &ParamSchema) -> String {
    let mut t = match (&s.items, s.choices) {
        (Some(items), _) => format!("comma-separated {}s", items.kind),
        (None, Some(values)) => format!("one of {}", values.join(", ")),
        (None, None) => s.kind.to_string(),
    };
    match (s.minimum, s.maximum) {
        (Some(a), Some(b)) => t.push_str(&format!(" {a}–{b}")),
        (Some(a), None) => t.push_str(&format!(" from {a}")),
        _ => {}
    }
    if let Some(d) = s.default {
        t.push_str(&format!(", default {d}"));
    }
    t
}
