//! Area routes: an area's neighbours, its profile across indicators, and its peers.

use super::error::{choices, ApiError};
use super::features::{find_layer, metric_join, one_feature, zoom_of, OneFeature};
use super::params::Params;
use super::{base_url, filtered, json, typed, AppState};
use crate::analysis::peers::peers as nearest_peers;
use crate::analysis::ranking::rank;
use crate::catalog::{Catalog, Layer};
use crate::metrics::{IndicatorLevel, Series};
use crate::model::{Geography, IndicatorId};
use crate::ogc::{self, FeatureOptions, Link, Page};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

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
    } = one_feature(catalog, &id, &code, q.as_deref())?;
    let metric = metric_join(catalog, layer, &params)?;
    let own = metric.and_then(|m| m.values.get(index).copied().flatten());
    let items: Vec<(usize, Map<String, Value>)> = layer
        .adjacency
        .get(index)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|n| {
            let mut extra = Map::new();
            extra.insert("relation".into(), json!(n.relation));
            extra.insert(
                "shared_km".into(),
                json!((n.shared_km * 1000.0).round() / 1000.0),
            );
            if let Some(m) = metric {
                let theirs = m.values.get(n.index).copied().flatten();
                let difference = match (theirs, own) {
                    (Some(t), Some(o)) => json!(t - o),
                    _ => Value::Null,
                };
                extra.insert("difference".into(), difference);
            }
            (n.index, extra)
        })
        .collect();
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
    let options = FeatureOptions {
        properties: properties.as_deref(),
        metric,
        zoom: zoom_of(layer, &params)?,
    };
    Ok(typed(
        "application/geo+json",
        ogc::feature_collection(layer, &items, options, &page),
    ))
}

/// The geography of `params`, or the only geography with a layer holding `code`.
fn geography_for(catalog: &Catalog, code: &str, params: &Params) -> Result<Geography, ApiError> {
    if let Some(g) = params.get("geography") {
        return Geography::parse(g).ok_or_else(|| {
            ApiError::invalid(format!(
                "geography: unknown '{g}'; expected one of {}",
                choices(Geography::ALL)
            ))
        });
    }
    let mut found: Vec<Geography> = catalog
        .layers
        .iter()
        .filter(|l| l.position(code).is_some())
        .map(|l| l.spec.geography)
        .collect();
    found.dedup();
    match found.as_slice() {
        [] => Err(ApiError::not_found(format!(
            "no layer has an area with code '{code}'"
        ))),
        [only] => Ok(*only),
        many => Err(ApiError::invalid(format!(
            "geography: required, '{code}' exists in {}",
            choices(many)
        ))),
    }
}

fn year_param(params: &Params) -> Result<i32, ApiError> {
    match params.get("year") {
        None => Ok(i32::MAX),
        Some(y) => y.trim().parse().map_err(|_| {
            ApiError::invalid(format!("year: expected a year such as 2016, got '{y}'"))
        }),
    }
}

/// A series located for one area: its year, its layer and the area's position in it.
#[derive(Clone, Copy)]
struct Located<'a> {
    year: i32,
    series: &'a Series,
    layer: &'a Layer,
    position: usize,
}

/// The latest series at or before `year` whose layer has `code`.
fn latest_series<'a>(
    catalog: &'a Catalog,
    level: &'a IndicatorLevel,
    code: &str,
    year: i32,
) -> Option<Located<'a>> {
    level.series.range(..=year).rev().find_map(|(y, series)| {
        let layer = catalog.layer(series.layer.as_str())?;
        let position = layer.position(code)?;
        Some(Located {
            year: *y,
            series,
            layer,
            position,
        })
    })
}

fn area_name(catalog: &Catalog, geography: Geography, code: &str) -> Option<String> {
    catalog
        .layers_of(geography)
        .filter_map(|l| l.area(code))
        .last()
        .map(|a| a.name.clone())
}

/// `/areas/{code}/profile?geography=&year=`: every indicator for the area, strongest first.
pub async fn profile(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["geography", "year"])?;
    let catalog = &state.catalog;
    let geography = geography_for(catalog, &code, &params)?;
    let year = year_param(&params)?;
    let name = area_name(catalog, geography, &code)
        .ok_or_else(|| ApiError::not_found(format!("no {geography} area has code '{code}'")))?;
    let mut rows: Vec<(Option<f64>, Value)> = Vec::new();
    for (id, levels) in &catalog.metrics.indicators {
        let Some(level) = levels.get(&geography) else {
            continue;
        };
        let info = &level.info;
        let row = match latest_series(catalog, level, &code, year) {
            None => (
                None,
                json!({"indicator": id, "title": info.title, "unit": info.unit, "framework_group": info.framework_group,
                       "year": null, "layer": null, "value": null, "rank": null, "of": null, "percentile": null, "z_score": null,
                       "reason": "no values for this area at or before the year"}),
            ),
            Some(Located {
                year: y,
                series,
                layer,
                position,
            }) => {
                let ranking = rank(&series.values);
                let entry = ranking.entries.get(position);
                let value = entry.and_then(|e| e.value);
                let percentile = entry.and_then(|e| e.percentile);
                (
                    percentile,
                    json!({"indicator": id, "title": info.title, "unit": info.unit, "framework_group": info.framework_group,
                           "year": y, "layer": layer.id(), "value": value,
                           "rank": entry.and_then(|e| e.rank), "of": ranking.summary.count_with_data,
                           "percentile": percentile, "z_score": entry.and_then(|e| e.z_score),
                           "median": ranking.summary.median,
                           "reason": value.is_none().then_some("no value for this area in that year")}),
                )
            }
        };
        rows.push(row);
    }
    // Strongest first; areas without a percentile last, in indicator order.
    rows.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    Ok(json(&json!({
        "code": code,
        "name": name,
        "geography": geography,
        "year": (year != i32::MAX).then_some(year),
        "indicators": rows.into_iter().map(|r| r.1).collect::<Vec<_>>(),
    })))
}

/// `/areas/{code}/peers?geography=&year=&indicators=&k=&exclude_neighbours=`.
pub async fn peers(
    State(state): State<AppState>,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(
        q.as_deref(),
        &[
            "geography",
            "year",
            "indicators",
            "k",
            "exclude_neighbours",
            "min_shared",
        ],
    )?;
    let catalog = &state.catalog;
    let geography = geography_for(catalog, &code, &params)?;
    let year = year_param(&params)?;
    let k = match params.int("k")? {
        None => 5,
        Some(k) if (1..=100).contains(&k) => k as usize,
        Some(k) => {
            return Err(ApiError::invalid(format!(
                "k: must be from 1 to 100, got {k}"
            )))
        }
    };
    let exclude_neighbours = match params.get("exclude_neighbours") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "exclude_neighbours: expected true or false, got '{other}'"
            )))
        }
    };
    let wanted: Vec<IndicatorId> = match params.list("indicators")? {
        Some(ids) => ids
            .into_iter()
            .map(|id| {
                let known = catalog.metrics.level(&IndicatorId::new(id.clone()), geography).is_some();
                if known {
                    Ok(IndicatorId::new(id))
                } else {
                    Err(ApiError::invalid(format!("indicators: '{id}' has no {geography} values; see /indicators?geography={geography}")))
                }
            })
            .collect::<Result<_, _>>()?,
        None => catalog
            .metrics
            .indicators
            .iter()
            .filter(|(_, levels)| levels.contains_key(&geography))
            .map(|(id, _)| id.clone())
            .collect(),
    };
    // Resolve each indicator to its latest series at or before the year that holds the area.
    let resolved: Vec<(&IndicatorId, Option<Located>)> = wanted
        .iter()
        .map(|id| {
            let found = catalog
                .metrics
                .level(id, geography)
                .and_then(|level| latest_series(catalog, level, &code, year));
            (id, found)
        })
        .collect();
    // Peers need one set of areas: the boundary version most of the indicators resolve to.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for (_, r) in &resolved {
        if let Some(located) = r {
            let id = located.layer.id().as_str();
            match counts.iter_mut().find(|(l, _)| *l == id) {
                Some(c) => c.1 += 1,
                None => counts.push((id, 1)),
            }
        }
    }
    let Some((layer_id, _)) = counts.iter().max_by_key(|(_, n)| *n).copied() else {
        return Err(ApiError::not_found(format!(
            "'{code}' has no {geography} values at or before the year for these indicators"
        )));
    };
    let layer = find_layer(catalog, layer_id)?;
    let target = layer
        .position(&code)
        .ok_or_else(|| ApiError::internal("target missing from its layer"))?;
    let mut used: Vec<(&IndicatorId, i32, &Series)> = Vec::new();
    let mut skipped: Vec<Value> = Vec::new();
    for (id, r) in &resolved {
        match r {
            Some(l) if l.layer.id() == layer.id() => used.push((id, l.year, l.series)),
            Some(l) => skipped.push(json!({"indicator": id, "reason": format!("its latest values at or before the year ({}) are on '{}', not '{}'", l.year, l.layer.id(), layer.id())})),
            None => skipped.push(json!({"indicator": id, "reason": "no values for this area at or before the year"})),
        }
    }
    let matrix: Vec<Vec<Option<f64>>> = (0..layer.areas.len())
        .map(|i| {
            used.iter()
                .map(|(_, _, s)| s.values.get(i).copied().flatten())
                .collect()
        })
        .collect();
    let exclude = if exclude_neighbours {
        layer.neighbour_indices(target)
    } else {
        Vec::new()
    };
    // A distance over few indicators is not comparable with one over many: by default a peer
    // must share at least half of the indicators the area itself has values for.
    let own_count = matrix
        .get(target)
        .map_or(0, |row| row.iter().flatten().count());
    let min_shared = match params.int("min_shared")? {
        None => own_count.div_ceil(2).max(1),
        Some(m) if m >= 1 => m as usize,
        Some(m) => {
            return Err(ApiError::invalid(format!(
                "min_shared: must be at least 1, got {m}"
            )))
        }
    };
    let mut found =
        nearest_peers(target, &matrix, layer.areas.len(), &exclude).map_err(ApiError::internal)?;
    found.retain(|p| p.indicators_used >= min_shared);
    found.truncate(k);
    let peers: Vec<Value> = found
        .iter()
        .filter_map(|p| {
            let area = layer.areas.get(p.index)?;
            let contributions: Map<String, Value> = used
                .iter()
                .zip(&p.contributions)
                .filter_map(|((id, _, _), c)| Some((id.to_string(), json!((*c)?))))
                .collect();
            Some(json!({"code": area.code, "name": area.name, "distance": p.distance, "indicators_used": p.indicators_used, "contributions": contributions}))
        })
        .collect();
    Ok(filtered(json(&json!({
        "code": code,
        "name": layer.areas.get(target).map(|a| a.name.as_str()),
        "geography": geography,
        "layer": layer.id(),
        "year": (year != i32::MAX).then_some(year),
        "k": k,
        "min_shared": min_shared,

        "exclude_neighbours": exclude_neighbours,
        "method": "indicators z-standardised across the layer's areas; Euclidean distance over the indicators both areas have (at least min_shared of them); contributions are squared z differences and sum to distance squared",

        "indicators": used.iter().map(|(id, y, _)| json!({"indicator": id, "year": y})).collect::<Vec<_>>(),
        "skipped": skipped,
        "peers": peers,
    }))))
}
