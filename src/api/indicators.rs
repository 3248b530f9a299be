//! Indicator routes: the list with metadata, one indicator, its values for a year, the join report.

use super::error::{choices, ApiError};
use super::params::Params;
use super::{json, AppState};
use crate::catalog::Catalog;
use crate::metrics::IndicatorLevel;
use crate::model::{Geography, IndicatorId};
use crate::views::resolve::{resolve, unknown_indicator};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The distinct `code_vintage`s of a level's series, in year order.
fn vintages(level: &IndicatorLevel) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in level.series.values() {
        if !out.contains(&s.code_vintage.as_str()) {
            out.push(&s.code_vintage);
        }
    }
    out
}

/// `/indicators`: every indicator with its metadata per geography level.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["geography"])?;
    let only = params
        .get("geography")
        .map(|g| {
            Geography::parse(g).ok_or_else(|| {
                ApiError::invalid(format!(
                    "geography: unknown '{g}'; expected one of {}",
                    choices(Geography::ALL)
                ))
            })
        })
        .transpose()?;
    let catalog = &state.catalog;
    let indicators: Vec<Value> = catalog
        .metrics
        .indicators
        .iter()
        .filter(|(_, levels)| only.is_none_or(|g| levels.contains_key(&g)))
        .map(|(id, levels)| indicator_json(catalog, id, levels, only))
        .collect();
    Ok(json(&json!({
        "indicators": indicators,
        "framework_groups": catalog.metrics.framework_groups,
        "attribution": attribution_for_metrics(catalog),
    })))
}

/// `/indicators/{id}`.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let catalog = &state.catalog;
    let (key, levels) = catalog
        .metrics
        .indicators
        .get_key_value(id.as_str())
        .ok_or_else(|| unknown_indicator(catalog, &id))?;
    Ok(json(&indicator_json(catalog, key, levels, None)))
}

fn indicator_json(
    catalog: &Catalog,
    id: &IndicatorId,
    levels: &BTreeMap<Geography, IndicatorLevel>,
    only: Option<Geography>,
) -> Value {
    let levels: Vec<Value> = levels
        .iter()
        .filter(|(g, _)| only.is_none_or(|o| o == **g))
        .map(|(geography, level)| {
            let info = &level.info;
            let label = catalog
                .metrics
                .framework_groups
                .iter()
                .find(|g| g.id == info.framework_group)
                .map(|g| g.label.as_str());
            let layers: Map<String, Value> = level
                .series
                .iter()
                .map(|(year, s)| (year.to_string(), Value::from(s.layer.as_str())))
                .collect();
            json!({
                "geography": geography,
                "title": info.title,
                "subtitle": info.subtitle,
                "description": info.description,
                "unit": info.unit,
                "unit_symbol": info.unit_symbol,
                "format": info.format,
                "framework_group": info.framework_group,
                "framework_label": label,
                "experimental": info.experimental,
                "source_name": info.source_name,
                "source_url": info.source_url,
                "api_doc_url": info.api_doc_url,
                "warning": info.warning,
                "has_metadata": info.has_metadata,
                "years": level.series.keys().collect::<Vec<_>>(),
                "vintages": vintages(level),

                "layers": layers,
            })
        })
        .collect();
    json!({ "id": id, "levels": levels })
}

/// `/indicators/{id}/values?geography=&year=`: every area of the resolved layer, null where missing.
pub async fn values(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["geography", "year", "v"])?;
    let catalog = &state.catalog;
    let r = resolve(catalog, &id, params.get("geography"), params.get("year"))?;
    let layer = catalog
        .layer(r.series.layer.as_str())
        .ok_or_else(|| ApiError::internal(format!("series layer {} missing", r.series.layer)))?;
    let values: Map<String, Value> = layer
        .areas
        .iter()
        .zip(&r.series.values)
        .map(|(a, v)| (a.code.to_string(), v.map_or(Value::Null, Value::from)))
        .collect();
    Ok(json(&json!({
        "indicator": r.id,
        "title": r.level.info.title,
        "geography": r.geography,
        "year": r.year,
        "layer": layer.id(),
        "code_vintage": r.series.code_vintage,
        "unit": r.level.info.unit,
        "unit_symbol": r.level.info.unit_symbol,
        "count_with_data": r.series.values.iter().filter(|v| v.is_some()).count(),
        "count_areas": layer.areas.len(),
        "values": values,
    })))
}

/// `/join-report`: what happened to every metrics row.
pub async fn join_report(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    Ok(json(&state.catalog.metrics.report))
}

fn attribution_for_metrics(catalog: &Catalog) -> Vec<&str> {
    let mut keys: Vec<&String> = catalog
        .manifest
        .metrics
        .iter()
        .flat_map(|m| &m.attribution)
        .collect();
    keys.dedup();
    keys.iter()
        .filter_map(|k| catalog.manifest.attribution.get(*k))
        .map(|a| a.text.as_str())
        .collect()
}
