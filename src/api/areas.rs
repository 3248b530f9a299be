//! Area routes: an area's neighbours, its profile across indicators, and its peers.

use super::error::ApiError;
use super::features::{check_format, metric_join, one_feature, with_crs, zoom_of, OneFeature};
use super::params::{geography, year, Params};
use super::{base_url, filtered, json, typed, AppState};
use crate::model::IndicatorId;
use crate::ogc::{self, FeatureOptions, Link, Page};
use crate::views::areas::{self as view, PeersRequest, ProfileRequest};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};

/// `/collections/{id}/items/{code}/neighbours`: the areas sharing a boundary with this one.
pub async fn neighbours(
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
    check_format(&params)?;
    let metric = metric_join(catalog, layer, &params)?;
    let items = view::neighbours(layer, index, metric.map(|m| (m.values, m.decimals)))
        .iter()
        .map(|n| Ok((n.index, n.properties.to_map()?)))
        .collect::<Result<Vec<(usize, Map<String, Value>)>, ApiError>>()?;
    let base = base_url(&headers);
    let page = Page {
        number_matched: items.len(),
        links: vec![
            Link::new(
                format!("{base}/collections/{id}/items/{code}/neighbours"),
                "self",
                "application/geo+json",
                "Neighbours",
            ),
            Link::new(
                format!("{base}/collections/{id}/items/{code}"),
                "about",
                "application/geo+json",
                "The area itself",
            ),
        ],
    };
    let crs = params.crs("crs");
    let options = FeatureOptions {
        properties: properties.as_deref(),
        metric,
        zoom: zoom_of(layer, &params)?,
        skip_geometry: false,
        crs,
    };
    Ok(with_crs(
        typed(
            "application/geo+json",
            ogc::feature_collection(layer, &items, options, &page)?,
        ),
        crs,
    ))
}

/// `/areas/{code}/profile?geography=&year=`: every indicator for the area, strongest first.
pub async fn profile(
    State(state): State<AppState>,
    Path(code): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let request = ProfileRequest {
        code,
        geography: geography(&params),
        year: year(&params),
    };
    Ok(json(&view::profile(&state.catalog, &request)?))
}

/// `/areas/{code}/peers?geography=&year=&indicators=&k=&exclude_neighbours=&min_shared=`.
pub async fn peers(
    State(state): State<AppState>,
    Path(code): Path<String>,
    params: Params,
) -> Result<Response, ApiError> {
    let request = PeersRequest {
        code,
        geography: geography(&params),
        year: year(&params),
        indicators: params
            .list("indicators")
            .map(|ids| ids.iter().map(IndicatorId::new).collect()),
        k: params.count("k").unwrap_or(PeersRequest::DEFAULT_K),
        exclude_neighbours: params.flag("exclude_neighbours"),
        min_shared: params.count("min_shared"),
    };
    Ok(filtered(json(&view::peers(&state.catalog, &request)?)))
}
