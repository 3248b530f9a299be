//! Output formats at the HTTP edge: which format a request gets (`f=`, then `Accept`), the
//! paging and alternate links of each format, and CSV/FlatGeobuf responses with their `Link`
//! and `Content-Disposition` headers.

use super::error::ApiError;
use super::params::{Params, Value};
use super::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::catalog::Layer;
use crate::ogc::{self, FeatureOptions, Format, Link};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// The format of a features response: `f` wins, else `Accept`, else GeoJSON (also when
/// `Accept` names only unsupported types). An unknown `f` is a 400 listing the accepted values.
pub(crate) fn negotiate(params: &Params, headers: &HeaderMap) -> Result<Format, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok());
    Format::negotiate(params.get("f"), accept).map_err(ApiError::invalid)
}

/// Whether `geometry=wkt` asks for a WKT column; it applies to CSV only.
pub(crate) fn wkt_geometry(params: &Params, format: Format) -> Result<bool, ApiError> {
    match (params.get("geometry"), format) {
        (None, _) => Ok(false),
        (Some("wkt"), Format::Csv) => Ok(true),
        (Some("wkt"), other) => Err(ApiError::invalid(format!(
            "geometry: 'wkt' applies to CSV output (f=csv) only, not to {}",
            other.title()
        ))),
        (Some(other), _) => Err(ApiError::invalid(format!(
            "geometry: expected wkt, got '{other}'"
        ))),
    }
}

/// The page size without `limit`: a page of GeoJSON, the whole result (up to the maximum)
/// for the file formats, which are downloads that GIS clients do not page through.
pub(crate) fn default_limit(format: Format) -> usize {
    if format.is_download() {
        MAX_LIMIT
    } else {
        DEFAULT_LIMIT
    }
}

/// Where a page of items sits in the matched features.
pub(crate) struct Paging {
    pub offset: usize,
    pub limit: usize,
    pub matched: usize,
}

/// The links of a page of items in `format`: `self`, `collection`, `next`/`prev` (keeping every
/// other parameter) and an `alternate` per other format for the same page. GeoJSON links keep
/// their query as asked (`self` without `f`); the links of the file formats name their `f`, so
/// they hold whatever `Accept` a client sends.
pub(crate) fn page_links(
    base: &str,
    collection: Link,
    params: &Params,
    format: Format,
    page: &Paging,
) -> Vec<Link> {
    let Paging {
        offset,
        limit,
        matched,
    } = *page;
    let this = match format {
        Format::GeoJson => params.clone(),
        other => for_format(params, other),
    };
    let self_query = match format {
        Format::GeoJson => params.set("f", None),
        _ => this.clone(),
    };
    let media = format.media_type();
    let mut links = vec![
        Link::new(href(base, &self_query), "self", media, "This page"),
        collection,
    ];
    if offset.saturating_add(limit) < matched {
        let next = this.set("offset", Some(Value::Int((offset + limit) as i128)));
        links.push(Link::new(href(base, &next), "next", media, "Next page"));
    }
    if offset > 0 {
        let prev = offset.saturating_sub(limit);
        let prev = this.set("offset", (prev > 0).then_some(Value::Int(prev as i128)));
        links.push(Link::new(href(base, &prev), "prev", media, "Previous page"));
    }
    for other in Format::ALL.into_iter().filter(|f| *f != format) {
        let mut query = for_format(params, other);
        // The formats page differently without `limit`: name this page's size.
        if !params.has("limit")
            && other.is_download() != format.is_download()
            && (offset > 0 || limit < matched || default_limit(other) < matched)
        {
            query = query.set("limit", Some(Value::Int(limit as i128)));
        }
        links.push(Link::new(
            href(base, &query),
            "alternate",
            other.media_type(),
            &format!("This page as {}", other.title()),
        ));
    }
    links
}

/// The links of one feature in `format`: `self`, `collection` and an `alternate` per other
/// format.
pub(crate) fn feature_links(
    base: &str,
    collection: Link,
    params: &Params,
    format: Format,
) -> Vec<Link> {
    let self_query = match format {
        Format::GeoJson => params.set("f", None),
        other => for_format(params, other),
    };
    let mut links = vec![
        Link::new(
            href(base, &self_query),
            "self",
            format.media_type(),
            "This feature",
        ),
        collection,
    ];
    for other in Format::ALL.into_iter().filter(|f| *f != format) {
        links.push(Link::new(
            href(base, &for_format(params, other)),
            "alternate",
            other.media_type(),
            &format!("This feature as {}", other.title()),
        ));
    }
    links
}

/// The query with `f` naming `format`; `geometry` (CSV only) is dropped for the others.
fn for_format(params: &Params, format: Format) -> Params {
    let query = params.set("f", Some(Value::Choice(format.f())));
    if format == Format::Csv {
        query
    } else {
        query.set("geometry", None)
    }
}

fn href(base: &str, query: &Params) -> String {
    let query = query.query();
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{query}")
    }
}

/// A CSV or FlatGeobuf response of the areas at `items`: the file, its media type, a
/// `Content-Disposition` naming `<stem>.<ext>`, and the links as an RFC 8288 `Link` header.
pub(crate) fn download<'a>(
    format: Format,
    layer: &'a Layer,
    items: &[usize],
    options: &FeatureOptions<'a>,
    wkt: bool,
    stem: &str,
    links: &[Link],
) -> Result<Response, ApiError> {
    let body = match format {
        Format::Csv => ogc::write_csv(layer, items, options, wkt),
        Format::FlatGeobuf => ogc::write_fgb(layer, items, options),
        Format::GeoJson | Format::Html => {
            return Err(ApiError::internal("only CSV and FlatGeobuf are downloads"))
        }
    }
    .map_err(ApiError::internal)?;
    let disposition = format!("attachment; filename=\"{stem}.{}\"", format.extension());
    let mut response = (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        )],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&link_header(links)) {
        headers.insert(header::LINK, value);
    }
    Ok(response)
}

/// Links as an RFC 8288 `Link` header value: `<href>; rel="next"; type="text/csv", …`.
pub(crate) fn link_header(links: &[Link]) -> String {
    links
        .iter()
        .map(|l| {
            let mut value = format!("<{}>; rel=\"{}\"", l.href, l.rel);
            if let Some(media) = &l.media_type {
                value.push_str(&format!("; type=\"{media}\""));
            }
            if let Some(title) = &l.title {
                value.push_str(&format!("; title=\"{}\"", title.replace('"', "'")));
            }
            value
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params::of(Some(q), &crate::api::endpoints::ITEMS).unwrap()
    }

    fn collection() -> Link {
        Link::new(
            "http://h/collections/x",
            "collection",
            "application/json",
            "X",
        )
    }

    fn find<'a>(links: &'a [Link], rel: &str, media: &str) -> Option<&'a str> {
        links
            .iter()
            .find(|l| l.rel == rel && l.media_type.as_deref() == Some(media))
            .map(|l| l.href.as_str())
    }

    #[test]
    fn csv_pages_name_their_format_and_geojson_alternate_names_the_page_size() {
        let base = "http://h/collections/x/items";
        let links = page_links(
            base,
            collection(),
            &params("f=csv&limit=10&offset=10&geometry=wkt"),
            Format::Csv,
            &Paging {
                offset: 10,
                limit: 10,
                matched: 38,
            },
        );
        let csv = ogc::CSV;
        assert_eq!(
            find(&links, "next", csv),
            Some("http://h/collections/x/items?f=csv&geometry=wkt&limit=10&offset=20")
        );
        assert_eq!(
            find(&links, "prev", csv),
            Some("http://h/collections/x/items?f=csv&geometry=wkt&limit=10")
        );
        assert_eq!(
            find(&links, "alternate", ogc::FLATGEOBUF),
            Some("http://h/collections/x/items?f=fgb&limit=10&offset=10")
        );
        assert_eq!(
            find(&links, "alternate", ogc::GEOJSON),
            Some("http://h/collections/x/items?f=json&limit=10&offset=10")
        );
        let header = link_header(&links);
        assert!(header.contains(
            "<http://h/collections/x/items?f=csv&geometry=wkt&limit=10&offset=20>; rel=\"next\"; type=\"text/csv\""
        ), "{header}");
    }

    #[test]
    fn a_whole_layer_download_has_no_next_and_its_geojson_alternate_asks_for_all() {
        let links = page_links(
            "b",
            collection(),
            &params("f=fgb"),
            Format::FlatGeobuf,
            &Paging {
                offset: 0,
                limit: MAX_LIMIT,
                matched: 326,
            },
        );
        assert!(!links.iter().any(|l| l.rel == "next" || l.rel == "prev"));
        assert_eq!(
            find(&links, "alternate", ogc::GEOJSON),
            Some("b?f=json&limit=10000")
        );
        assert_eq!(find(&links, "alternate", ogc::CSV), Some("b?f=csv"));
    }

    #[test]
    fn geometry_is_for_csv_only() {
        assert_eq!(wkt_geometry(&params("geometry=wkt"), Format::Csv), Ok(true));
        assert!(wkt_geometry(&params("geometry=wkt"), Format::FlatGeobuf)
            .unwrap_err()
            .description
            .contains("CSV output (f=csv) only"));
        assert_eq!(
            Params::of(Some("geometry=wkb"), &crate::api::endpoints::ITEMS)
                .unwrap_err()
                .description,
            "geometry: expected wkt, got 'wkb'"
        );
    }
}
