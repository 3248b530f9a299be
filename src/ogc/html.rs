//! Readable HTML pages of the OGC documents (landing, collections, one collection, items),
//! written from the same typed structs as the JSON, with every link and alternate format.

use super::collections::{Collection, Collections, Conformance, Landing};
use super::links::Link;
use serde_json::{Map, Value};
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = concat!(
    "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:1rem 1.5rem;color:#1b1b1b}",
    "nav{font-size:.9em;margin-bottom:1rem}h1{font-size:1.5rem}code{background:#f3f3f3;padding:0 .2em}",
    "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .45rem;text-align:left;vertical-align:top}",
    "th{background:#f6f6f6}.muted{color:#666}ul.links li{margin:.15rem 0}"
);

/// A whole page: head, a breadcrumb to the landing page and the map, and `body`.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · smartspec</title><style>{STYLE}</style></head><body>\
         <nav><a href=\"/?f=html\">smartspec</a> · <a href=\"/collections?f=html\">Collections</a> · \
         <a href=\"/api.html\">API</a> · <a href=\"/map/\">The map</a></nav>{body}</body></html>\n",
        t = esc(title)
    )
}

/// A list of links with their relation and media type.
pub fn links(list: &[Link]) -> String {
    let mut out = String::from("<ul class=\"links\">");
    for l in list {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a> <span class=\"muted\">({}{})</span></li>",
            esc(&l.href),
            esc(l.title.as_deref().unwrap_or(&l.href)),
            esc(&l.rel),
            l.media_type
                .as_deref()
                .map(|t| format!(", {}", esc(t)))
                .unwrap_or_default()
        );
    }
    out.push_str("</ul>");
    out
}

pub fn landing(doc: &Landing) -> String {
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><p><a href=\"/map/\"><strong>Open the map</strong></a></p><h2>Links</h2>{}<h2>Attribution</h2><ul>",
        esc(doc.title),
        esc(doc.description),
        links(&doc.links)
    );
    for a in &doc.attribution {
        let _ = write!(body, "<li>{}</li>", esc(a.text));
    }
    body.push_str("</ul>");
    page(doc.title, &body)
}

pub fn conformance(doc: &Conformance) -> String {
    let mut body = String::from("<h1>Conformance classes</h1><ul>");
    for c in doc.conforms_to {
        let _ = write!(body, "<li><code>{}</code></li>", esc(c));
    }
    body.push_str("</ul><p><a href=\"/conformance?f=json\">As JSON</a> (application/json)</p>");
    page("Conformance", &body)
}

pub fn collections(doc: &Collections) -> String {
    let mut body = String::from(
        "<h1>Collections</h1><table><tr><th>Collection</th><th>Title</th><th>Features</th><th>Geography</th><th>Vintage</th></tr>",
    );
    for c in &doc.collections {
        let _ = write!(
            body,
            "<tr><td><a href=\"{}\"><code>{}</code></a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&format!("/collections/{}?f=html", c.id)),
            esc(c.id),
            esc(c.title),
            c.number_of_features,
            esc(c.geography.as_str()),
            esc(c.vintage)
        );
    }
    body.push_str("</table><h2>Links</h2>");
    body.push_str(&links(&doc.links));
    page("Collections", &body)
}

pub fn collection(doc: &Collection) -> String {
    let b = doc.extent.spatial.bbox[0];
    let body = format!(
        "<h1>{title}</h1><p>{description}</p><table>\
         <tr><th>Id</th><td><code>{id}</code></td></tr>\
         <tr><th>Features</th><td>{n}</td></tr>\
         <tr><th>Geography, vintage</th><td>{geo}, {vintage}</td></tr>\
         <tr><th>Extent (CRS84)</th><td>{:.4}, {:.4}, {:.4}, {:.4}</td></tr>\
         <tr><th>CRS</th><td>{crs}</td></tr>\
         <tr><th>Attribution</th><td>{attribution}</td></tr></table>\
         <p><a href=\"/collections/{id}/items?f=html\">Browse the features</a></p><h2>Links</h2>{links}",
        b[0],
        b[1],
        b[2],
        b[3],
        title = esc(doc.title),
        description = esc(doc.description),
        id = esc(doc.id),
        n = doc.number_of_features,
        geo = esc(doc.geography.as_str()),
        vintage = esc(doc.vintage),
        crs = doc.crs.iter().map(|c| esc(c)).collect::<Vec<_>>().join("<br>"),
        attribution = esc(&doc.attribution),
        links = links(&doc.links),
    );
    page(doc.title, &body)
}

/// One page of features as a table of their properties, with paging and format links.
pub fn items(
    title: &str,
    number_matched: usize,
    features: &[Map<String, Value>],
    nav: &[Link],
) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for f in features {
        for k in f.keys() {
            if !columns.contains(&k.as_str()) {
                columns.push(k);
            }
        }
    }
    let mut body = format!(
        "<h1>{}</h1><p>{} features match; this page shows {}.</p><table><tr>",
        esc(title),
        number_matched,
        features.len()
    );
    for c in &columns {
        let _ = write!(body, "<th>{}</th>", esc(c));
    }
    body.push_str("</tr>");
    for f in features {
        body.push_str("<tr>");
        for c in &columns {
            let cell = match f.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => esc(s),
                Some(v) => esc(&v.to_string()),
            };
            let _ = write!(body, "<td>{cell}</td>");
        }
        body.push_str("</tr>");
    }
    body.push_str("</table><h2>Links</h2>");
    body.push_str(&links(nav));
    page(title, &body)
}
