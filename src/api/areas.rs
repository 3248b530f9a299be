//! Area routes: an area's neighbours, its profile across indicators, and its peers.

use super::endpoints;
use super::error::{choices, ApiError};
use super::features::{
    check_format, crs_of, metric_join, one_feature, with_crs, zoom_of, OneFeature,
};
use super::params::Params;
use super::{base_url, filtered, json, typed, AppState};
use crate::model::{Geography, IndicatorId};
use crate::ogc::{self, FeatureOptions, Link, Page};
use crate::views::areas::{self as view, PeersRequest, ProfileRequest};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};

/// `/collections/{id}/items/{code}/neighbours`: the areas sharing a boundary with this one.
pub async fn neighbours(
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
    } = one_feature(catalog, &endpoints::NEIGHBOURS, &id, &code, q.as_deref())?;
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
    let crs = crs_of(&params, "crs")?;
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
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::PROFILE)?;
    let request = ProfileRequest {
        code,
        geography: geography_param(&params)?,
        year: year_param(&params)?,
    };
    Ok(json(&view::profile(&state.catalog, &request)?))
}

/// `/areas/{code}/peers?geography=&year=&indicators=&k=&exclude_neighbours=&min_shared=`.
pub async fn peers(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::of(q.as_deref(), &endpoints::PEERS)?;
    let geography = geography_param(&params)?;
    let year = year_param(&params)?;
    let k = match params.int("k")? {
        None => PeersRequest::DEFAULT_K,
        Some(k) => usize::try_from(k)
            .ok()
            .filter(|k| (1..=PeersRequest::MAX_K).contains(k))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "k: must be from 1 to {}, got {k}",
                    PeersRequest::MAX_K
                ))
            })?,
    };
    let exclude_neighbours = params.boolean("exclude_neighbours")?;
    let indicators = params
        .list("indicators")?
        .map(|ids| ids.into_iter().map(IndicatorId::new).collect());
    let min_shared = match params.int("min_shared")? {
        None => None,
        Some(m) => Some(usize::try_from(m).ok().filter(|m| *m >= 1).ok_or_else(|| {
            ApiError::invalid(format!("min_shared: must be at least 1, got {m}"))
        })?),
    };
    let request = PeersRequest {
        code,
        geography,
        year,
        indicators,
        k,
        exclude_neighbours,
        min_shared,
    };
    Ok(filtered(json(&view::peers(&state.catalog, &request)?)))
}

/// `geography`, if given: one of the known levels.
fn geography_param(params: &Params) -> Result<Option<Geography>, ApiError> {
    params
        .get("geography")
        .map(|g| {
            Geography::parse(g).ok_or_else(|| {
                ApiError::invalid(format!(
                    "geography: unknown '{g}'; expected one of {}",
                    choices(Geography::ALL)
                ))
            })
        })
        .transpose()
}

/// `year`, if given: a whole year.
fn year_param(params: &Params) -> Result<Option<i32>, ApiError> {
    params
        .get("year")
        .map(|y| {
            y.trim().parse().map_err(|_| {
                ApiError::invalid(format!("year: expected a year such as 2016, got '{y}'"))
            })
        })
        .transpose()
}
