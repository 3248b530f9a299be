//! Which features of a layer a request selects (bbox through the R-tree, codes, property
//! filters), the page of them, and the indicator joined to them; the api encodes the answer.

use super::resolve::resolve;
use super::{choices, ViewError};
use crate::catalog::{Catalog, Layer};
use crate::ogc::queryables::Equals;
use crate::ogc::MetricJoin;
use geo::Rect;
use std::collections::HashSet;

/// What an items request selects, typed.
#[derive(Debug, Clone, Default)]
pub struct Selection<'a> {
    /// A CRS84 box the geometry must intersect.
    pub bbox: Option<Rect<f64>>,
    pub codes: Option<&'a [String]>,
    /// Equality filters by property name, as text; typed here by the property's type.
    pub equals: Vec<(&'a str, &'a str)>,
    pub offset: usize,
    pub limit: usize,
}

/// The features a selection matched, and the page of them to serve.
#[derive(Debug, Clone, PartialEq)]
pub struct Selected {
    pub matched: usize,
    /// Indices into the layer's areas, in layer order.
    pub page: Vec<usize>,
    /// Whether anything narrowed the answer (bbox, codes, filters, an offset): such answers may
    /// be asked for once, so they are compressed fast.
    pub narrowed: bool,
}

/// Applies `selection` to `layer`: the bbox through the layer's R-tree, then codes and filters.
pub fn select(layer: &Layer, selection: &Selection) -> Result<Selected, ViewError> {
    let equals = selection
        .equals
        .iter()
        .map(|(name, text)| {
            let property = layer
                .properties
                .iter()
                .find(|p| p.name == *name)
                .ok_or_else(|| ViewError::invalid(format!("{name}: not a queryable property")))?;
            Equals::parse(property, text)
                .map(|e| (*name, e))
                .map_err(ViewError::invalid)
        })
        .collect::<Result<Vec<(&str, Equals)>, ViewError>>()?;
    let mut matched: Vec<usize> = match selection.bbox {
        Some(b) => layer.index.intersecting(&layer.areas, b),
        None => (0..layer.areas.len()).collect(),
    };
    if let Some(codes) = selection.codes {
        let wanted: HashSet<&str> = codes.iter().map(String::as_str).collect();
        matched.retain(|&i| {
            layer
                .areas
                .get(i)
                .is_some_and(|a| wanted.contains(a.code.as_str()))
        });
    }
    if !equals.is_empty() {
        matched.retain(|&i| {
            layer.areas.get(i).is_some_and(|a| {
                equals
                    .iter()
                    .all(|(name, e)| e.matches(a.properties.get(*name)))
            })
        });
    }
    let page = matched
        .iter()
        .skip(selection.offset)
        .take(selection.limit)
        .copied()
        .collect();
    Ok(Selected {
        matched: matched.len(),
        page,
        narrowed: selection.bbox.is_some()
            || selection.codes.is_some()
            || !equals.is_empty()
            || selection.offset > 0,
    })
}

/// Checks that every name in `wanted` is a property of the layer's features.
pub fn check_properties(layer: &Layer, wanted: &[String]) -> Result<(), ViewError> {
    let known: Vec<&str> = layer.properties.iter().map(|p| p.name.as_str()).collect();
    match wanted.iter().find(|w| !known.contains(&w.as_str())) {
        None => Ok(()),
        Some(w) => Err(ViewError::invalid(format!(
            "properties: '{w}' is not a property of collection '{}'; properties: {}",
            layer.id(),
            choices(&known)
        ))),
    }
}

/// Resolves `indicator` + `year` to values on this layer, or explains why they do not fit.
pub fn metric_join<'a>(
    catalog: &'a Catalog,
    layer: &Layer,
    indicator: Option<&str>,
    year: Option<i32>,
) -> Result<Option<MetricJoin<'a>>, ViewError> {
    let (indicator, year) = match (indicator, year) {
        (None, None) => return Ok(None),
        (Some(i), Some(y)) => (i, y),
        (Some(_), None) => return Err(ViewError::invalid("year: required with indicator")),
        (None, Some(_)) => return Err(ViewError::invalid("indicator: required with year")),
    };
    let resolved = resolve(catalog, indicator, Some(layer.spec.geography), Some(year))?;
    if resolved.series.layer != *layer.id() {
        return Err(ViewError::invalid(format!(
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
        decimals: resolved.level.info.decimals,
        values: &resolved.series.values,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::views::fixture_catalog;
    use geo::Coord;

    fn grid() -> &'static Layer {
        fixture_catalog().layer("grid").expect("the grid layer")
    }

    fn codes(layer: &Layer, selected: &Selected) -> Vec<String> {
        selected
            .page
            .iter()
            .map(|&i| layer.areas[i].code.to_string())
            .collect()
    }

    #[test]
    fn a_box_codes_and_paging_narrow_in_layer_order() {
        let layer = grid();
        let all = select(
            layer,
            &Selection {
                limit: usize::MAX,
                ..Selection::default()
            },
        )
        .unwrap();
        assert_eq!(all.matched, layer.areas.len());
        assert!(!all.narrowed);
        let first = layer.areas[0].bbox().expect("a box");
        let boxed = select(
            layer,
            &Selection {
                bbox: Some(Rect::new(
                    first.center(),
                    Coord {
                        x: first.center().x + 1e-9,
                        y: first.center().y + 1e-9,
                    },
                )),
                limit: 10,
                ..Selection::default()
            },
        )
        .unwrap();
        assert_eq!(codes(layer, &boxed), [layer.areas[0].code.to_string()]);
        assert!(boxed.narrowed);
        let wanted: Vec<String> = layer
            .areas
            .iter()
            .rev()
            .take(2)
            .map(|a| a.code.to_string())
            .collect();
        let by_code = select(
            layer,
            &Selection {
                codes: Some(&wanted),
                offset: 1,
                limit: 5,
                ..Selection::default()
            },
        )
        .unwrap();
        assert_eq!(by_code.matched, 2);
        assert_eq!(
            codes(layer, &by_code),
            [wanted[0].clone()],
            "layer order, then the offset"
        );
    }

    #[test]
    fn a_filter_is_typed_by_its_property() {
        let layer = grid();
        let name = layer.areas[0].name.clone();
        let named = select(
            layer,
            &Selection {
                equals: vec![("name", &name)],
                limit: 10,
                ..Selection::default()
            },
        )
        .unwrap();
        assert_eq!(codes(layer, &named), [layer.areas[0].code.to_string()]);
        let err = select(
            layer,
            &Selection {
                equals: vec![("nope", "1")],
                limit: 10,
                ..Selection::default()
            },
        )
        .unwrap_err();
        assert!(matches!(err, ViewError::Invalid(d) if d.starts_with("nope: ")));
    }
}
