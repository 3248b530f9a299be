//! Which features of a layer a request selects (bbox through the R-tree, codes, property
//! filters, a CQL2 filter), in which order (sortby), the page of them, and the indicator joined
//! to them; the api encodes the answer.

use super::filter::{Filter, VALUE, YEAR};
use super::resolve::resolve;
use super::{choices, ViewError};
use crate::catalog::{Catalog, Layer};
use crate::model::Area;
use crate::ogc::queryables::Equals;
use crate::ogc::MetricJoin;
use geo::{BoundingRect, Intersects, Rect};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashSet;

/// What an items request selects, typed.
#[derive(Debug, Clone, Default)]
pub struct Selection<'a> {
    /// A CRS84 box the geometry must intersect.
    pub bbox: Option<Rect<f64>>,
    pub codes: Option<&'a [String]>,
    /// Equality filters by property name, as text; typed here by the property's type.
    pub equals: Vec<(&'a str, &'a str)>,
    /// A CQL2 filter checked against this layer (see [`Filter::parse`]).
    pub filter: Option<&'a Filter>,
    /// The indicator joined to the features, which `filter` and `sortby` may name as `value`.
    pub metric: Option<MetricJoin<'a>>,
    /// The order of the matches; layer order when empty.
    pub sortby: Vec<SortKey>,
    /// `datetime` falls outside the boundaries' validity (or the joined year): nothing matches.
    pub outside_time: bool,
    pub offset: usize,
    pub limit: usize,
}

/// One key of `sortby`: a property (or the joined `value` or `year`) and its direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortKey {
    pub name: String,
    pub descending: bool,
}

impl SortKey {
    /// Parses `sortby`'s items (`name`, `+name` or `-name`; a `+` that arrived unencoded reads as
    /// a space), each checked against the layer's properties and the joined indicator.
    pub fn parse_all(
        layer: &Layer,
        items: &[String],
        joined: bool,
    ) -> Result<Vec<SortKey>, ViewError> {
        items
            .iter()
            .map(|item| {
                let item = item.trim_end();
                let (name, descending) = match item.strip_prefix('-') {
                    Some(rest) => (rest, true),
                    None => (
                        item.strip_prefix('+')
                            .or_else(|| item.strip_prefix(' '))
                            .unwrap_or(item),
                        false,
                    ),
                };
                let name = name.trim_start();
                let known = layer.properties.iter().any(|p| p.name == name)
                    || (joined && (name == VALUE || name == YEAR));
                if known {
                    Ok(SortKey {
                        name: name.to_string(),
                        descending,
                    })
                } else {
                    let mut names: Vec<&str> =
                        layer.properties.iter().map(|p| p.name.as_str()).collect();
                    if joined {
                        names.extend([VALUE, YEAR]);
                    }
                    let hint = if !joined && name == VALUE {
                        " (value is the joined indicator's: give indicator and year)"
                    } else {
                        ""
                    };
                    Err(ViewError::invalid(format!(
                        "sortby: unknown property '{name}'{hint}; sortable: {}",
                        choices(&names)
                    )))
                }
            })
            .collect()
    }
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
    let within = selection.filter.and_then(|f| f.within_box);
    let mut matched: Vec<usize> = match (selection.bbox, within) {
        (Some(b), within) => {
            let mut hits = layer.index.intersecting(&layer.areas, b);
            if let Some(w) = within {
                hits.retain(|&i| touches_box(layer, i, w));
            }
            hits
        }
        (None, Some(w)) => layer.index.intersecting(&layer.areas, w),
        (None, None) => (0..layer.areas.len()).collect(),
    };
    if selection.outside_time {
        matched.clear();
    }
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
    if let Some(filter) = selection.filter {
        let metric = selection.metric.as_ref();
        matched.retain(|&i| {
            layer
                .areas
                .get(i)
                .is_some_and(|a| filter.matches(a, i, metric))
        });
    }
    if !selection.sortby.is_empty() {
        sort(
            layer,
            &mut matched,
            &selection.sortby,
            selection.metric.as_ref(),
        );
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
            || selection.filter.is_some()
            || selection.outside_time
            || selection.offset > 0,
    })
}

/// Whether the area's bounding box touches `bbox` (an R-tree candidate for it).
fn touches_box(layer: &Layer, i: usize, bbox: Rect<f64>) -> bool {
    layer
        .areas
        .get(i)
        .and_then(|a| a.geometry.bounding_rect())
        .is_some_and(|b| b.intersects(&bbox))
}

/// A sort key's value on one area: a number, a string or a boolean; missing sorts last.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key<'a> {
    Number(f64),
    Text(&'a str),
    Bool(bool),
    Missing,
}

fn key<'a>(area: &'a Area, index: usize, name: &str, metric: Option<&MetricJoin>) -> Key<'a> {
    if let Some(m) = metric {
        if name == VALUE {
            let v = super::numbers::round_opt(m.values.get(index).copied().flatten(), m.decimals);
            return v.map_or(Key::Missing, Key::Number);
        }
        if name == YEAR {
            return Key::Number(f64::from(m.year));
        }
    }
    match area.properties.get(name) {
        Some(Value::Number(n)) => n.as_f64().map_or(Key::Missing, Key::Number),
        Some(Value::String(s)) => Key::Text(s),
        Some(Value::Bool(b)) => Key::Bool(*b),
        _ => Key::Missing,
    }
}

/// Sorts `matched` by `keys` in turn, missing values last in either direction, ties by code.
fn sort(layer: &Layer, matched: &mut [usize], keys: &[SortKey], metric: Option<&MetricJoin>) {
    matched.sort_by(|&a, &b| {
        let (Some(area_a), Some(area_b)) = (layer.areas.get(a), layer.areas.get(b)) else {
            return a.cmp(&b);
        };
        for k in keys {
            let (x, y) = (
                key(area_a, a, &k.name, metric),
                key(area_b, b, &k.name, metric),
            );
            let order = match (&x, &y) {
                (Key::Missing, Key::Missing) => Ordering::Equal,
                (Key::Missing, _) => Ordering::Greater,
                (_, Key::Missing) => Ordering::Less,
                _ => {
                    let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
                    if k.descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        area_a.code.as_str().cmp(area_b.code.as_str())
    });
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
