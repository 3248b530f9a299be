//! OGC API Features routes: landing, conformance, collections, items and single features.

use super::error::{choices, ApiError};
use super::params::{parse_bbox, parse_grid_bbox, parse_limit, parse_offset, parse_zoom, Params};
use super::{base_url, json, typed, AppState, Filtered, DEFAULT_LIMIT, MAX_LIMIT};
use crate::catalog::{Catalog, Layer};
use crate::ogc::{self, Crs, FeatureOptions, Generalisation, Link, MetricJoin, Page};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use geo::Rect;
use std::collections::HashSet;

const GEOJSON: &str = "application/geo+json";
const ITEMS_PARAMS: [&str; 12] = [
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "properties",
    "code",
    "indicator",
    "year",
    "f",
    "v",
    "zoom",
    "crs",
];
/// The header naming the CRS of a response's geometry (OGC API Features Part 2).
const CONTENT_CRS: HeaderName = HeaderName::from_static("content-crs");

/// `/`: the landing page as JSON; a browser asking for HTML is sent to the map.
pub async fn landing(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["f"])?;
    let wants_html = match params.get("f") {
        Some("html") => true,
        Some("json") => false,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "f: expected json or html, got '{other}'"
            )))
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/html")),
    };
    if wants_html {
        return Ok(Redirect::to("/map/").into_response());
    }
    Ok(json(&ogc::landing_json(
        &state.catalog,
        &base_url(&headers),
    )))
}

pub async fn conformance(RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    json_only(q.as_deref())?;
    Ok(json(&ogc::conformance_json()))
}

pub async fn collections(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    json_only(q.as_deref())?;
    Ok(json(&ogc::collections_json(
        &state.catalog,
        &base_url(&headers),
    )))
}

pub async fn collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    json_only(q.as_deref())?;
    let layer = find_layer(&state.catalog, &id)?;
    Ok(json(&ogc::collection_json(
        &state.catalog,
        layer,
        &base_url(&headers),
    )))
}

/// `/collections/{id}/items`: filter (bbox, code), join a metric, page, serialise.
pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let catalog = &state.catalog;
    let layer = find_layer(catalog, &id)?;
    let params = Params::parse(q.as_deref(), &ITEMS_PARAMS)?;
    check_format(&params)?;
    let limit = params
        .get("limit")
        .map(|v| parse_limit(v, MAX_LIMIT))
        .transpose()
        .map_err(ApiError::invalid)?
        .unwrap_or(DEFAULT_LIMIT);
    let offset = params
        .get("offset")
        .map(parse_offset)
        .transpose()
        .map_err(ApiError::invalid)?
        .unwrap_or(0);
    let crs = crs_of(&params, "crs")?;
    let mut matched: Vec<usize> = match bbox_of(&params)? {
        Some(b) => layer.index.intersecting(&layer.areas, b),
        None => (0..layer.areas.len()).collect(),
    };
    if let Some(codes) = params.list("code")? {
        let wanted: HashSet<&str> = codes.iter().map(String::as_str).collect();
        matched.retain(|&i| {
            layer
                .areas
                .get(i)
                .is_some_and(|a| wanted.contains(a.code.as_str()))
        });
    }
    let properties = params.list("properties")?;
    if let Some(props) = &properties {
        check_properties(layer, props)?;
    }
    let metric = metric_join(catalog, layer, &params)?;
    let page_items: Vec<(usize, serde_json::Map<String, serde_json::Value>)> = matched
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&i| (i, serde_json::Map::new()))
        .collect();
    let base = format!("{}/collections/{id}/items", base_url(&headers));
    let mut links = vec![
        Link::new(
            link(&base, &params.with("f", None)),
            "self",
            GEOJSON,
            "This page",
        ),
        Link::new(
            format!("{}/collections/{id}", base_url(&headers)),
            "collection",
            "application/json",
            &layer.spec.title,
        ),
    ];
    if offset.saturating_add(limit) < matched.len() {
        let next = params.with("offset", Some((offset + limit).to_string()));
        links.push(Link::new(link(&base, &next), "next", GEOJSON, "Next page"));
    }
    if offset > 0 {
        let prev = offset.saturating_sub(limit);
        let prev = params.with("offset", (prev > 0).then(|| prev.to_string()));
        links.push(Link::new(
            link(&base, &prev),
            "prev",
            GEOJSON,
            "Previous page",
        ));
    }
    let page = Page {
        number_matched: matched.len(),
        links,
    };
    let options = FeatureOptions {
        properties: properties.as_deref(),
        metric,
        zoom: zoom_of(layer, &params)?,
        crs,
    };
    let mut response = with_crs(
        typed(
            GEOJSON,
            ogc::feature_collection(layer, &page_items, options, &page)?,
        ),
        crs,
    );
    if params.get("bbox").is_some() || params.get("code").is_some() || offset > 0 {
        response.extensions_mut().insert(Filtered);
    }
    Ok(response)
}

/// `/collections/{id}/items/{code}`.
pub async fn item(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let catalog = &state.catalog;
    let OneFeature {
        layer,
        index,
        params,
        properties,
    } = one_feature(catalog, &id, &code, q.as_deref())?;
    let metric = metric_join(catalog, layer, &params)?;
    let base = base_url(&headers);
    let links = vec![
        Link::new(
            format!("{base}/collections/{id}/items/{code}"),
            "self",
            GEOJSON,
            "This feature",
        ),
        Link::new(
            format!("{base}/collections/{id}"),
            "collection",
            "application/json",
            &layer.spec.title,
        ),
    ];
    let crs = crs_of(&params, "crs")?;
    let options = FeatureOptions {
        properties: properties.as_deref(),
        metric,
        zoom: zoom_of(layer, &params)?,
        crs,
    };
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

/// Resolves collection and feature, and checks `properties`, `indicator`, `year` and `f`.
pub(crate) fn one_feature<'a>(
    catalog: &'a Catalog,
    id: &str,
    code: &str,
    query: Option<&str>,
) -> Result<OneFeature<'a>, ApiError> {
    let layer = find_layer(catalog, id)?;
    let params = Params::parse(
        query,
        &["properties", "indicator", "year", "f", "v", "zoom", "crs"],
    )?;
    check_format(&params)?;
    let index = layer.position(code).ok_or_else(|| {
        ApiError::not_found(format!(
            "collection '{id}' has no feature with code '{code}'"
        ))
    })?;
    let properties = params.list("properties")?;
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

/// The geometry for `zoom`, if given: a generalised band, or full resolution.
pub(crate) fn zoom_of<'a>(
    layer: &'a Layer,
    params: &Params,
) -> Result<Option<Generalisation<'a>>, ApiError> {
    params
        .get("zoom")
        .map(|z| parse_zoom(z).map(|z| Generalisation::for_zoom(layer, z)))
        .transpose()
        .map_err(ApiError::invalid)
}

/// The CRS named by parameter `name` (`crs`, `bbox-crs`); CRS84 when absent.
pub(crate) fn crs_of(params: &Params, name: &str) -> Result<Crs, ApiError> {
    params
        .get(name)
        .map_or(Ok(Crs::Crs84), |v| Crs::parse(name, v))
        .map_err(ApiError::from)
}

/// `bbox`, given in `bbox-crs` (CRS84 by default), as a CRS84 box containing it.
fn bbox_of(params: &Params) -> Result<Option<Rect<f64>>, ApiError> {
    let crs = crs_of(params, "bbox-crs")?;
    let Some(value) = params.get("bbox") else {
        return Ok(None);
    };
    let bbox = match crs {
        Crs::Crs84 => parse_bbox(value),
        Crs::Bng => parse_grid_bbox(value),
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

fn link(base: &str, query: &str) -> String {
    if query.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{query}")
    }
}

fn json_only(q: Option<&str>) -> Result<(), ApiError> {
    check_format(&Params::parse(q, &["f"])?)
}

pub(crate) fn check_format(params: &Params) -> Result<(), ApiError> {
    match params.get("f") {
        None | Some("json") | Some("geojson") => Ok(()),
        Some(other) => Err(ApiError::invalid(format!(
            "f: expected json, got '{other}'"
        ))),
    }
}

pub(crate) fn check_properties(layer: &Layer, wanted: &[String]) -> Result<(), ApiError> {
    let known: Vec<&str> = layer
        .areas
        .first()
        .map(|a| a.properties.keys().map(String::as_str).collect())
        .unwrap_or_default();
    match wanted.iter().find(|w| !known.contains(&w.as_str())) {
        None => Ok(()),
        Some(w) => Err(ApiError::invalid(format!(
            "properties: '{w}' is not a property of collection '{}'; properties: {}",
            layer.id(),
            choices(&known)
        ))),
    }
}

/// Resolves `indicator` + `year` to values on this layer, or explains why they do not fit.
pub(crate) fn metric_join<'a>(
    catalog: &'a Catalog,
    layer: &Layer,
    params: &'a Params,
) -> Result<Option<MetricJoin<'a>>, ApiError> {
    let (indicator, year) = match (params.get("indicator"), params.get("year")) {
        (None, None) => return Ok(None),
        (Some(i), Some(y)) => (i, y),
        (Some(_), None) => return Err(ApiError::invalid("year: required with indicator")),
        (None, Some(_)) => return Err(ApiError::invalid("indicator: required with year")),
    };
    let resolved = crate::views::resolve::resolve(
        catalog,
        indicator,
        Some(layer.spec.geography.as_str()),
        Some(year),
    )?;
    if resolved.series.layer != *layer.id() {
        return Err(ApiError::invalid(format!(
            "indicator '{indicator}' for {} joins collection '{}' (code vintage {}), not '{}'",
            resolved.year,
            resolved.series.layer,
            resolved.series.code_vintage,
            layer.id()
        )));
    }
    Ok(Some(MetricJoin {
        indicator: resolved.id,
        year: resolved.year,
        unit: &resolved.level.info.unit,
        values: &resolved.series.values,
    }))
}
