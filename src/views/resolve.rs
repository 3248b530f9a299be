//! Resolving an indicator request: the indicator, its geography level, a year, and the series
//! on the boundary layer of that year's code vintage.

use super::{choices, ViewError};
use crate::catalog::Catalog;
use crate::metrics::{IndicatorLevel, Series};
use crate::model::Geography;

/// An indicator resolved to one geography, one year and the series on that year's layer.
pub struct Resolved<'a> {
    pub id: &'a str,
    pub geography: Geography,
    pub level: &'a IndicatorLevel,
    pub year: i32,
    pub series: &'a Series,
}

/// Resolves indicator, geography (optional when the indicator has one level) and year
/// (optional: the latest year with data), with errors that list what exists.
pub fn resolve<'a>(
    catalog: &'a Catalog,
    indicator: &str,
    geography: Option<Geography>,
    year: Option<i32>,
) -> Result<Resolved<'a>, ViewError> {
    let (id, levels) = catalog
        .metrics
        .indicators
        .get_key_value(indicator)
        .ok_or_else(|| unknown_indicator(catalog, indicator))?;
    let geography = match geography {
        Some(g) => g,
        None => match levels.keys().collect::<Vec<_>>().as_slice() {
            [only] => **only,
            many => {
                return Err(ViewError::invalid(format!(
                    "geography: required for '{indicator}', which has values for {}",
                    choices(many)
                )))
            }
        },
    };
    let level = levels.get(&geography).ok_or_else(|| {
        ViewError::not_found(format!(
            "indicator '{indicator}' has no values for geography '{geography}'; it has {}",
            choices(levels.keys())
        ))
    })?;
    let years = || choices(level.series.keys());
    let year = match year {
        Some(y) => y,
        None => *level.series.keys().next_back().ok_or_else(|| {
            ViewError::not_found(format!("indicator '{indicator}' has no values"))
        })?,
    };
    let series = level.series.get(&year).ok_or_else(|| {
        ViewError::not_found(format!(
            "indicator '{indicator}' has no {geography} values for {year}; years with data: {}",
            years()
        ))
    })?;
    Ok(Resolved {
        id: id.as_str(),
        geography,
        level,
        year,
        series,
    })
}

pub fn unknown_indicator(catalog: &Catalog, id: &str) -> ViewError {
    ViewError::not_found(format!(
        "no indicator '{id}'; indicators: {} (details at /indicators)",
        choices(catalog.metrics.indicators.keys())
    ))
}
