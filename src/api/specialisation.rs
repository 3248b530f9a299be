//! Specialisation routes: location quotients, Krugman and Herfindahl indices from a matrix.

use super::error::{choices, ApiError};
use super::params::Params;
use super::{json, AppState};
use crate::analysis::specialisation::specialisation as specialise;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{json, Map, Value};

/// `/specialisation`: the matrices available.
pub async fn list(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[])?;
    let matrices: Vec<_> = state.catalog.matrices.iter().map(|m| m.summary()).collect();
    Ok(json(&json!({ "matrices": matrices })))
}

/// `/specialisation/{matrix}?measure=&area=`.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["measure", "area"])?;
    let catalog = &state.catalog;
    let matrix = catalog.matrix(&id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no matrix '{id}'; matrices: {}",
            choices(catalog.matrices.iter().map(|m| &m.spec.id))
        ))
    })?;
    let measures = || choices(matrix.measures.keys());
    let measure = params
        .get("measure")
        .ok_or_else(|| ApiError::invalid(format!("measure: required; one of {}", measures())))?;
    let table = matrix.measures.get(measure).ok_or_else(|| {
        ApiError::invalid(format!(
            "measure: unknown '{measure}'; one of {}",
            measures()
        ))
    })?;
    let only = match params.get("area") {
        None => None,
        Some(code) => Some(
            matrix
                .areas
                .iter()
                .position(|(c, _)| c.as_str() == code)
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "matrix '{id}' has no area '{code}'; areas: {}",
                        choices(matrix.areas.iter().map(|a| &a.0))
                    ))
                })?,
        ),
    };
    let result = specialise(table).map_err(ApiError::internal)?;
    let by_category = |values: &[Option<f64>]| -> Map<String, Value> {
        matrix
            .categories
            .iter()
            .zip(values)
            .map(|(c, v)| (c.clone(), json!(v)))
            .collect()
    };
    let areas: Vec<Value> = result
        .areas
        .iter()
        .filter(|a| only.is_none_or(|o| o == a.index))
        .filter_map(|a| {
            let (code, name) = matrix.areas.get(a.index)?;
            let specialised: Vec<&String> = matrix
                .categories
                .iter()
                .zip(&a.specialised)
                .filter(|(_, s)| **s == Some(true))
                .map(|(c, _)| c)
                .collect();
            Some(json!({
                "code": code, "name": name, "total": a.total,
                "shares": by_category(&a.shares),
                "location_quotients": by_category(&a.location_quotients),
                "specialised": specialised,
                "krugman": a.krugman,
                "herfindahl": a.herfindahl,
            }))
        })
        .collect();
    let totals: Map<String, Value> = matrix
        .categories
        .iter()
        .zip(&result.category_totals)
        .map(|(c, v)| (c.clone(), json!(v)))
        .collect();
    Ok(json(&json!({
        "matrix": id,
        "title": matrix.spec.title,
        "measure": measure,
        "layer": matrix.spec.layer,
        "categories": matrix.categories,
        "category_totals": totals,
        "grand_total": result.grand_total,
        "national_shares": by_category(&result.national_shares),
        "definitions": {
            "location_quotient": "(area's value in the category / area's total) / (national value in the category / national total)",
            "specialised": "categories with a location quotient of at least 1",
            "krugman": "sum over categories of |area share - national share|, from 0 (same mix as the nation) to 2",
            "herfindahl": "sum over categories of the area's share squared, from 1/categories (even) to 1 (one category)"
        },
        "codes_without_boundary": matrix.codes_without_boundary,
        "attribution": catalog.attribution(&matrix.spec.attribution).map(|a| a.text.as_str()).collect::<Vec<_>>(),
        "areas": areas,
    })))
}
