//! OGC API Features routes: landing, conformance, collections, items and single features.

use super::endpoints;
use super::error::{choices, ApiError};
use super::formats::{self, Paging};
use super::openapi;
use super::params::{crs84_box, grid_box, Params};
use super::{base_url, filtered, json, typed, AppState};
use crate::catalog::{Catalog, Layer};
use crate::ogc::{self, Crs, FeatureOptions, Format, Generalisation, Link, MetricJoin, Page};
use crate::views::datetime;
use crate::views::features::{self, Selection, SortKey};
use crate::views::filter::{Filter, Lang};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use geo::Rect;

const GEOJSON: &str = "application/geo+json";
/// The header naming the CRS of a response's geometry (OGC API Features Part 2).
const CONTENT_CRS: HeaderName = HeaderName::from_static("content-crs");

/// `/`: the landing page, as JSON or as a page.
pub async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let doc = ogc::landing_json(&state.catalog, &base_url(&headers));
    Ok(match document_format(&params, &headers)? {
        Doc::Json => json(&doc),
        Doc::Html => html(ogc::html::landing(&doc)),
    })
}

pub async fn conformance(headers: HeaderMap, params: Params) -> Result<Response, ApiError> {
    let doc = ogc::conformance_json();
    Ok(match document_format(&params, &headers)? {
        Doc::Json => json(&doc),
        Doc::Html => html(ogc::html::conformance(&doc)),
    })
}

pub async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let doc = ogc::collections_json(&state.catalog, &base_url(&headers));
    Ok(match document_format(&params, &headers)? {
        Doc::Json => json(&doc),
        Doc::Html => html(ogc::html::collections(&doc)),
    })
}

pub async fn collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let layer = find_layer(&state.catalog, &id)?;
    let doc = ogc::collection_json(&state.catalog, layer, &base_url(&headers));
    Ok(match document_format(&params, &headers)? {
        Doc::Json => json(&doc),
        Doc::Html => html(ogc::html::collection(&doc)),
    })
}

/// The two formats of the OGC documents.
enum Doc {
    Json,
    Html,
}

/// `f=json|html`, else HTML when `Accept` names text/html before any JSON type (a browser).
fn document_format(params: &Params, headers: &HeaderMap) -> Result<Doc, ApiError> {
    match params.get("f") {
        Some("json") => Ok(Doc::Json),
        Some("html") => Ok(Doc::Html),
        Some(other) => Err(ApiError::invalid(format!(
            "f: expected json or html, got '{other}'"
        ))),
        None => {
            let accept = headers
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .unwrap_or("");
            let html_at = accept.find("text/html");
            let json_at = accept.find("json");
            Ok(match (html_at, json_at) {
                (Some(h), Some(j)) if h < j => Doc::Html,
                (Some(_), None) => Doc::Html,
                _ => Doc::Json,
            })
        }
    }
}

fn html(page: String) -> Response {
    typed("text/html; charset=utf-8", page.into_bytes())
}

/// `/api`: the OpenAPI document, generated from the route table.
pub async fn api(headers: HeaderMap, params: Params) -> Result<Response, ApiError> {
    check_format(&params)?;
    let doc = openapi::document(&super::documented_endpoints(), &base_url(&headers));
    serde_json::to_vec(&doc)
        .map(|body| typed(ogc::OPENAPI, body))
        .map_err(ApiError::internal)
}

/// `/api.html`: the OpenAPI document as a page.
pub async fn api_html(headers: HeaderMap, _params: Params) -> Result<Response, ApiError> {
    let doc = openapi::document(&super::documented_endpoints(), &base_url(&headers));
    Ok(typed(
        "text/html; charset=utf-8",
        openapi::html(&doc).into_bytes(),
    ))
}

/// `/collections/{id}/queryables`: the properties usable as equality filters on items.
pub async fn queryables(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    check_format(&params)?;
    let layer = find_layer(&state.catalog, &id)?;
    let doc =
        ogc::queryables::queryables(layer, &endpoints::ITEMS.param_names(), &base_url(&headers));
    schema_json(&doc)
}

/// `/collections/{id}/schema`: every feature property with its type.
pub async fn schema(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    check_format(&params)?;
    let layer = find_layer(&state.catalog, &id)?;
    schema_json(&ogc::queryables::schema(layer, &base_url(&headers)))
}

fn schema_json(doc: &ogc::queryables::SchemaDocument) -> Result<Response, ApiError> {
    serde_json::to_vec(doc)
        .map(|body| typed(ogc::SCHEMA_JSON, body))
        .map_err(ApiError::internal)
}

/// `/collections/{id}/labels`: each area's label point (computed at load), as GeoJSON Points.
pub async fn labels(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    check_format(&params)?;
    let layer = find_layer(&state.catalog, &id)?;
    serde_json::to_vec(&crate::views::labels::labels(layer))
        .map(|body| typed(GEOJSON, body))
        .map_err(ApiError::internal)
}

/// `/collections/{id}/items`: filter (bbox, code), join a metric, page, serialise.
pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let catalog = &state.catalog;
    let layer = find_layer(catalog, &id)?;
    let format = formats::negotiate(&params, &headers)?;
    let wkt = formats::wkt_geometry(&params, format)?;
    let properties = params.list("properties");
    if let Some(props) = properties {
        check_properties(layer, props)?;
    }
    let datetime = params.get("datetime").map(datetime::parse).transpose()?;
    let year = match (
        super::params::year(&params),
        params.get("indicator"),
        &datetime,
    ) {
        (None, Some(indicator), Some(dt)) => {
            Some(datetime::year_within(catalog, layer, indicator, dt)?)
        }
        (year, _, _) => year,
    };
    let metric = features::metric_join(catalog, layer, params.get("indicator"), year)?;
    let outside_time = match (&datetime, &metric) {
        (None, _) => false,
        (Some(dt), Some(m)) => !datetime::Interval::year(m.year).overlaps(dt),
        (Some(dt), None) => datetime::validity(catalog, layer).is_some_and(|v| !v.overlaps(dt)),
    };
    let filter = filter_of(layer, &params, metric.is_some())?;
    let selection = Selection {
        bbox: bbox_of(&params)?,
        codes: params.list("code"),
        equals: params.others(&endpoints::ITEMS).collect(),
        filter: filter.as_ref(),
        metric,
        sortby: match params.list("sortby") {
            Some(items) => SortKey::parse_all(layer, items, metric.is_some())?,
            None => Vec::new(),
        },
        outside_time,
        offset: params.count("offset").unwrap_or(0),
        limit: params
            .count("limit")
            .unwrap_or(formats::default_limit(format)),
    };
    let selected = features::select(layer, &selection)?;
    let (offset, limit) = (selection.offset, selection.limit);
    let skip_geometry = params.flag("skipGeometry");
    let crs = params.crs("crs");
    let page_items: Vec<(usize, serde_json::Map<String, serde_json::Value>)> = selected
        .page
        .iter()
        .map(|&i| (i, serde_json::Map::new()))
        .collect();
    let base = format!("{}/collections/{id}/items", base_url(&headers));
    let collection = Link::new(
        format!("{}/collections/{id}", base_url(&headers)),
        "collection",
        "application/json",
        &layer.spec.title,
    );
    let paging = Paging {
        offset,
        limit,
        matched: selected.matched,
    };
    let links = formats::page_links(&base, collection, &params, format, &paging);
    let page = Page {
        number_matched: selected.matched,
        links,
    };
    let options = FeatureOptions {
        properties,
        metric,
        zoom: zoom_of(layer, &params)?,
        skip_geometry,
        crs,
    };
    let response = encode_page(format, layer, &page_items, options, &page, wkt, &id)?;
    Ok(if selected.narrowed {
        filtered(response)
    } else {
        response
    })
}

/// A page of features in `format`: GeoJSON, an HTML table, or a CSV/FlatGeobuf download, each
/// saying its CRS in `Content-Crs`.
fn encode_page(
    format: Format,
    layer: &Layer,
    page_items: &[(usize, serde_json::Map<String, serde_json::Value>)],
    options: FeatureOptions<'_>,
    page: &Page,
    wkt: bool,
    stem: &str,
) -> Result<Response, ApiError> {
    let crs = options.crs;
    Ok(match format {
        Format::GeoJson => with_crs(
            typed(
                GEOJSON,
                ogc::feature_collection(layer, page_items, options, page)?,
            ),
            crs,
        ),
        Format::Html => html(ogc::html::items(
            &layer.spec.title,
            page.number_matched,
            &page_items
                .iter()
                .filter_map(|(i, _)| {
                    let area = layer.areas.get(*i)?;
                    Some(ogc::feature_properties(area, *i, &options))
                })
                .collect::<Vec<_>>(),
            &page.links,
        )),
        Format::Csv | Format::FlatGeobuf => {
            let indices: Vec<usize> = page_items.iter().map(|(i, _)| *i).collect();
            with_crs(
                formats::download(format, layer, &indices, &options, wkt, stem, &page.links)?,
                crs,
            )
        }
    })
}

/// `/collections/{id}/items/{code}`.
pub async fn item(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let catalog = &state.catalog;
    let OneFeature {
        layer,
        index,
        params,
        properties,
    } = one_feature(catalog, params, &id, &code)?;
    let format = formats::negotiate(&params, &headers)?;
    let wkt = formats::wkt_geometry(&params, format)?;
    let metric = metric_join(catalog, layer, &params)?;
    let base = base_url(&headers);
    let collection = Link::new(
        format!("{base}/collections/{id}"),
        "collection",
        "application/json",
        &layer.spec.title,
    );
    let links = formats::feature_links(
        &format!("{base}/collections/{id}/items/{code}"),
        collection,
        &params,
        format,
    );
    let crs = params.crs("crs");
    let options = FeatureOptions {
        properties: properties.as_deref(),
        metric,
        zoom: zoom_of(layer, &params)?,
        skip_geometry: false,
        crs,
    };
    if format == Format::Html {
        let area = layer
            .areas
            .get(index)
            .ok_or_else(|| ApiError::internal("feature index out of range"))?;
        let properties = ogc::feature_properties(area, index, &options);
        return Ok(html(ogc::html::items(&area.name, 1, &[properties], &links)));
    }
    if format.is_download() {
        let stem = format!("{id}-{code}");
        let download = formats::download(format, layer, &[index], &options, wkt, &stem, &links)?;
        return Ok(with_crs(download, crs));
    }
    ogc::single_feature(layer, index, options, links)?
        .map(|body| with_crs(typed(GEOJSON, body), crs))
        .ok_or_else(|| ApiError::internal("feature index out of range"))
}

/// A request about one feature: its layer, its position, and the checked parameters.
pub(crate) struct OneFeature<'a> {
    pub layer: &'a Layer,
    pub index: usize,
    pub params: Params,
    pub properties: Option<Vec<String>>,
}

/// Resolves collection and feature, and checks `properties`, `indicator` and `year`; the caller
/// checks `f` and `geometry` (see [`check_format`] and [`formats::negotiate`]).
pub(crate) fn one_feature<'a>(
    catalog: &'a Catalog,
    params: Params,
    id: &str,
    code: &str,
) -> Result<OneFeature<'a>, ApiError> {
    let layer = find_layer(catalog, id)?;
    let index = layer.position(code).ok_or_else(|| {
        ApiError::not_found(format!(
            "collection '{id}' has no feature with code '{code}'"
        ))
    })?;
    let properties = params.list("properties").map(<[String]>::to_vec);
    if let Some(props) = &properties {
        check_properties(layer, props)?;
    }
    Ok(OneFeature {
        layer,
        index,
        params,
        properties,
    })
}

/// The geometry for `zoom-level` (OGC API Features Part 7) or its older name `zoom`, if given: a
/// generalised band, or full resolution. Both at once must agree.
pub(crate) fn zoom_of<'a>(
    layer: &'a Layer,
    params: &Params,
) -> Result<Option<Generalisation<'a>>, ApiError> {
    let as_zoom = |name| params.int(name).and_then(|z| u8::try_from(z).ok());
    let zoom = match (as_zoom("zoom-level"), as_zoom("zoom")) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::invalid(format!(
                "zoom-level={a} and zoom={b} disagree: give one (zoom is zoom-level's older name)"
            )))
        }
        (a, b) => a.or(b),
    };
    Ok(zoom.map(|z| Generalisation::for_zoom(layer, z)))
}

/// `filter` in `filter-lang` (cql2-text by default), its geometries in `filter-crs`, and the
/// `value` query parameter.
fn filter_of(layer: &Layer, params: &Params, joined: bool) -> Result<Option<Filter>, ApiError> {
    let value = match params.number("value") {
        Some(_) if !joined => {
            return Err(ApiError::invalid(
                "value: filters on the joined indicator's value; give indicator and year",
            ))
        }
        v => v.map(Filter::value_equals),
    };
    let text = text_filter(layer, params, joined)?;
    Ok(match (text, value) {
        (Some(t), Some(v)) => Some(t.and(v)),
        (t, v) => t.or(v),
    })
}

fn text_filter(layer: &Layer, params: &Params, joined: bool) -> Result<Option<Filter>, ApiError> {
    let Some(text) = params.get("filter") else {
        if params.has("filter-lang") || params.has("filter-crs") {
            return Err(ApiError::invalid(
                "filter-lang and filter-crs need a filter",
            ));
        }
        return Ok(None);
    };
    let lang = params
        .get("filter-lang")
        .and_then(Lang::parse)
        .unwrap_or(Lang::Text);
    Ok(Some(Filter::parse(
        layer,
        text,
        lang,
        params.crs("filter-crs"),
        joined,
    )?))
}

/// `bbox`, given in `bbox-crs` (CRS84 by default), as a CRS84 box containing it.
fn bbox_of(params: &Params) -> Result<Option<Rect<f64>>, ApiError> {
    let crs = params.crs("bbox-crs");
    let Some(corners) = params.corners("bbox") else {
        return Ok(None);
    };
    let bbox = match crs {
        Crs::Crs84 => crs84_box(corners),
        Crs::Bng => grid_box(corners),
    }
    .map_err(ApiError::invalid)?;
    ogc::crs::bbox_to_crs84(bbox, crs)
        .map(Some)
        .map_err(|e| ApiError::invalid(format!("bbox: {e}")))
}

/// Sets `Content-Crs` to the CRS of the response's geometry.
pub(crate) fn with_crs(mut response: Response, crs: Crs) -> Response {
    if let Ok(value) = HeaderValue::from_str(&crs.content_crs()) {
        response.headers_mut().insert(CONTENT_CRS, value);
    }
    response
}

pub(crate) fn find_layer<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Layer, ApiError> {
    catalog.layer(id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no collection '{id}'; collections: {}",
            choices(catalog.layer_ids())
        ))
    })
}

/// Checks `f` where JSON is the only format.
pub(crate) fn check_format(params: &Params) -> Result<(), ApiError> {
    match params.get("f") {
        None | Some("json") | Some("geojson") => Ok(()),
        Some(other) => Err(ApiError::invalid(format!(
            "f: expected json, got '{other}'"
        ))),
    }
}

pub(crate) fn check_properties(layer: &Layer, wanted: &[String]) -> Result<(), ApiError> {
    Ok(features::check_properties(layer, wanted)?)
}

/// Resolves `indicator` + `year` to values on this layer, or explains why they do not fit.
pub(crate) fn metric_join<'a>(
    catalog: &'a Catalog,
    layer: &Layer,
    params: &Params,
) -> Result<Option<MetricJoin<'a>>, ApiError> {
    let year = super::params::year(params);
    Ok(features::metric_join(
        catalog,
        layer,
        params.get("indicator"),
        year,
    )?)
}
