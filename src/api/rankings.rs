//! Ranking and comparison routes: every area of a layer ranked, and chosen areas side by side.

use super::error::{choices, ApiError};
use super::params::Params;
use super::{filtered, json, AppState};
use crate::analysis::compare::compare as compare_areas;
use crate::analysis::ranking::{display_order, rank, RankEntry, Ranking};
use crate::catalog::{Catalog, Layer};
use crate::views::resolve::{resolve, Resolved};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{json, Value};

/// The resolved indicator, its layer and the ranking of that layer's values.
pub(crate) struct Ranked<'a> {
    pub resolved: Resolved<'a>,
    pub layer: &'a Layer,
    pub ranking: Ranking,
}

pub(crate) fn ranked<'a>(
    catalog: &'a Catalog,
    indicator: &str,
    params: &Params,
) -> Result<Ranked<'a>, ApiError> {
    let resolved = resolve(
        catalog,
        indicator,
        params.get("geography"),
        params.get("year"),
    )?;
    let layer = catalog
        .layer(resolved.series.layer.as_str())
        .ok_or_else(|| ApiError::internal(format!("layer {} missing", resolved.series.layer)))?;
    let ranking = rank(&resolved.series.values);
    Ok(Ranked {
        resolved,
        layer,
        ranking,
    })
}

fn entry_json(layer: &Layer, e: &RankEntry, n: usize) -> Value {
    let area = layer.areas.get(e.index);
    json!({
        "code": area.map(|a| a.code.as_str()),
        "name": area.map(|a| a.name.as_str()),
        "value": e.value,
        "rank": e.rank,
        "of": n,
        "percentile": e.percentile,
        "z_score": e.z_score,
        "reason": e.value.is_none().then_some("no value for this area and year"),
    })
}

fn header(r: &Ranked<'_>) -> serde_json::Map<String, Value> {
    let s = &r.ranking.summary;
    let info = &r.resolved.level.info;
    let Value::Object(map) = json!({
        "indicator": r.resolved.id,
        "title": info.title,
        "geography": r.resolved.geography,
        "year": r.resolved.year,
        "layer": r.layer.id(),
        "code_vintage": r.resolved.series.code_vintage,
        "unit": info.unit,
        "unit_symbol": info.unit_symbol,
        "count_areas": r.layer.areas.len(),
        "count_with_data": s.count_with_data,
        "mean": s.mean,
        "median": s.median,
        "std_dev": s.std_dev,
    }) else {
        return serde_json::Map::new();
    };
    map
}

/// `/indicators/{id}/ranking?geography=&year=`: every area, ranked; missing values last.
pub async fn ranking(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["geography", "year"])?;
    let r = ranked(&state.catalog, &id, &params)?;
    let n = r.ranking.summary.count_with_data;
    let areas: Vec<Value> = display_order(&r.ranking)
        .into_iter()
        .filter_map(|pos| r.ranking.entries.get(pos))
        .map(|e| entry_json(r.layer, e, n))
        .collect();
    let mut doc = header(&r);
    doc.insert("areas".into(), Value::Array(areas));
    Ok(json(&doc))
}

/// `/indicators/{id}/compare?geography=&year=&areas=A,B`: chosen areas with their neighbours'
/// mean and a verdict against the median.
pub async fn compare(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["geography", "year", "areas"])?;
    let codes = params
        .list("areas")?
        .ok_or_else(|| ApiError::invalid("areas: required, e.g. areas=E37000015,E37000012"))?;
    let r = ranked(&state.catalog, &id, &params)?;
    let chosen = codes
        .iter()
        .map(|c| {
            r.layer.position(c).ok_or_else(|| {
                ApiError::invalid(format!(
                    "areas: '{c}' is not an area of '{}', the layer of {} {}; its codes: {}",
                    r.layer.id(),
                    r.resolved.id,
                    r.resolved.year,
                    choices(r.layer.areas.iter().map(|a| &a.code))
                ))
            })
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let neighbours: Vec<Vec<usize>> = (0..r.layer.areas.len())
        .map(|i| r.layer.neighbour_indices(i))
        .collect();
    let comparisons = compare_areas(&r.resolved.series.values, &neighbours, &chosen)
        .map_err(ApiError::internal)?;
    let n = r.ranking.summary.count_with_data;
    let areas: Vec<Value> = comparisons
        .areas
        .iter()
        .map(|c| {
            let mut v = r
                .ranking
                .entries
                .get(c.index)
                .map(|e| entry_json(r.layer, e, n))
                .unwrap_or(Value::Null);
            if let Value::Object(map) = &mut v {
                let codes: Vec<&str> = c
                    .neighbours
                    .iter()
                    .filter_map(|&i| r.layer.areas.get(i))
                    .map(|a| a.code.as_str())
                    .collect();
                map.insert("neighbours".into(), json!(codes));
                map.insert("neighbour_mean".into(), json!(c.neighbour_mean));
                map.insert(
                    "neighbour_count_with_data".into(),
                    json!(c.neighbour_count_with_data),
                );
                map.insert("gap_to_neighbours".into(), json!(c.gap_to_neighbours));
                map.insert("verdict".into(), json!(c.verdict));
            }
            v
        })
        .collect();
    let mut doc = header(&r);
    doc.insert("verdict_rule".into(), json!("higher or lower when the value is more than one standard deviation above or below the median; otherwise similar"));
    doc.insert("areas".into(), Value::Array(areas));
    Ok(filtered(json(&doc)))
}
