//! Specialisation representations: the matrices, and one matrix's quotients and indices by area.

use super::numbers::{round, round_opt};
use super::{choices, ViewError};
use crate::analysis::specialisation::specialisation as specialise;
use crate::catalog::Catalog;
use crate::metrics::MatrixSummary;
use crate::model::{AreaCode, LayerId};
use serde::ser::Serializer;
use serde::Serialize;

/// `/specialisation`: the matrices available.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixList {
    pub matrices: Vec<MatrixSummary>,
}

/// The matrices of the catalog, in manifest order.
pub fn list(catalog: &Catalog) -> MatrixList {
    MatrixList {
        matrices: catalog.matrices.iter().map(|m| m.summary()).collect(),
    }
}

/// `/specialisation/{matrix}`: the matrix, its measure (required; `None` is an error that
/// lists the measures) and optionally one area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRequest {
    pub matrix: String,
    pub measure: Option<String>,
    pub area: Option<String>,
}

/// One measure of a matrix: national totals and shares, and each area's specialisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixReport<'a> {
    pub matrix: &'a str,
    pub title: &'a str,
    pub measure: &'a str,
    pub layer: &'a LayerId,
    pub categories: &'a [String],
    pub category_totals: ByCategory<'a, f64>,
    pub grand_total: f64,
    pub national_shares: ByCategory<'a, Option<f64>>,
    pub definitions: Definitions,
    pub codes_without_boundary: &'a [String],
    pub attribution: Vec<&'a str>,
    pub areas: Vec<MatrixArea<'a>>,
}

/// One area of a matrix: its total, its mix of categories and how far it is from the nation's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixArea<'a> {
    pub code: &'a AreaCode,
    pub name: &'a str,
    pub total: f64,
    pub shares: ByCategory<'a, Option<f64>>,
    pub location_quotients: ByCategory<'a, Option<f64>>,
    /// Categories with a location quotient of at least 1, in category order.
    pub specialised: Vec<&'a str>,
    pub krugman: Option<f64>,
    pub herfindahl: Option<f64>,
}

/// What the measures mean, said in every report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Definitions {
    pub location_quotient: &'static str,
    pub specialised: &'static str,
    pub krugman: &'static str,
    pub herfindahl: &'static str,
}

/// Decimals of shares, location quotients and the Krugman and Herfindahl indices.
const RATIO_DECIMALS: u8 = 4;
/// Decimals of activity totals (counts, or pounds to the penny).
const TOTAL_DECIMALS: u8 = 2;

const DEFINITIONS: Definitions = Definitions {
    location_quotient: "(area's value in the category / area's total) / (national value in the category / national total)",
    specialised: "categories with a location quotient of at least 1",
    krugman: "sum over categories of |area share - national share|, from 0 (same mix as the nation) to 2",
    herfindahl: "sum over categories of the area's share squared, from 1/categories (even) to 1 (one category)",
};

/// Values aligned with the matrix's categories, serialised as a JSON object keyed by category
/// in category order.
#[derive(Debug, Clone, PartialEq)]
pub struct ByCategory<'a, V> {
    pub categories: &'a [String],
    pub values: Vec<V>,
}

impl<V: Serialize> Serialize for ByCategory<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.categories.iter().zip(&self.values))
    }
}

/// One measure of one matrix, for every area or only `req.area`.
pub fn matrix<'a>(
    catalog: &'a Catalog,
    req: &MatrixRequest,
) -> Result<MatrixReport<'a>, ViewError> {
    let id = req.matrix.as_str();
    let matrix = catalog.matrix(id).ok_or_else(|| {
        ViewError::not_found(format!(
            "no matrix '{id}'; matrices: {}",
            choices(catalog.matrices.iter().map(|m| &m.spec.id))
        ))
    })?;
    let measures = || choices(matrix.measures.keys());
    let measure = req
        .measure
        .as_deref()
        .ok_or_else(|| ViewError::invalid(format!("measure: required; one of {}", measures())))?;
    let (measure, table) = matrix.measures.get_key_value(measure).ok_or_else(|| {
        ViewError::invalid(format!(
            "measure: unknown '{measure}'; one of {}",
            measures()
        ))
    })?;
    let only = match req.area.as_deref() {
        None => None,
        Some(code) => Some(
            matrix
                .areas
                .iter()
                .position(|(c, _)| c.as_str() == code)
                .ok_or_else(|| {
                    ViewError::not_found(format!(
                        "matrix '{id}' has no area '{code}'; areas: {}",
                        choices(matrix.areas.iter().map(|a| &a.0))
                    ))
                })?,
        ),
    };
    let result = specialise(table).map_err(ViewError::internal)?;
    let categories = matrix.categories.as_slice();
    // Shares, quotients and indices to four decimals; totals (sums of source values) to two.
    let by_category = |values: &[Option<f64>]| ByCategory {
        categories,
        values: values
            .iter()
            .map(|v| round_opt(*v, RATIO_DECIMALS))
            .collect(),
    };
    let areas = result
        .areas
        .iter()
        .filter(|a| only.is_none_or(|o| o == a.index))
        .filter_map(|a| {
            let (code, name) = matrix.areas.get(a.index)?;
            Some(MatrixArea {
                code,
                name,
                total: round(a.total, TOTAL_DECIMALS),
                shares: by_category(&a.shares),
                location_quotients: by_category(&a.location_quotients),
                specialised: categories
                    .iter()
                    .zip(&a.specialised)
                    .filter(|(_, s)| **s == Some(true))
                    .map(|(c, _)| c.as_str())
                    .collect(),
                krugman: round_opt(a.krugman, RATIO_DECIMALS),
                herfindahl: round_opt(a.herfindahl, RATIO_DECIMALS),
            })
        })
        .collect();
    Ok(MatrixReport {
        matrix: &matrix.spec.id,
        title: &matrix.spec.title,
        measure,
        layer: &matrix.spec.layer,
        categories,
        category_totals: ByCategory {
            categories,
            values: result
                .category_totals
                .iter()
                .map(|t| round(*t, TOTAL_DECIMALS))
                .collect(),
        },
        grand_total: round(result.grand_total, TOTAL_DECIMALS),
        national_shares: by_category(&result.national_shares),
        definitions: DEFINITIONS,
        codes_without_boundary: &matrix.codes_without_boundary,
        attribution: catalog
            .attribution(&matrix.spec.attribution)
            .map(|a| a.text.as_str())
            .collect(),
        areas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::fixture_catalog as fixture;
    use serde_json::Value;

    fn request(matrix: &str, measure: Option<&str>, area: Option<&str>) -> MatrixRequest {
        MatrixRequest {
            matrix: matrix.into(),
            measure: measure.map(str::to_string),
            area: area.map(str::to_string),
        }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-4)
    }

    #[test]
    fn the_list_summarises_every_matrix() {
        let list = list(fixture());
        let ids: Vec<&str> = list.matrices.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["disciplines"]);
        assert_eq!(list.matrices[0].measures, ["funding_gbp", "projects"]);
    }

    #[test]
    fn location_quotients_match_hand_computed_values() {
        // X = [[10, 20], [30, 40]]: national shares 0.4 / 0.6.
        let r = matrix(fixture(), &request("disciplines", Some("projects"), None)).unwrap();
        assert_eq!(
            (r.matrix, r.measure, r.grand_total),
            ("disciplines", "projects", 100.0)
        );
        assert_eq!(r.category_totals.values, [40.0, 60.0]);
        let a = &r.areas[0];
        assert_eq!(a.code.as_str(), "A");
        assert!(close(a.location_quotients.values[0], (10.0 / 30.0) / 0.4));
        assert!(close(a.location_quotients.values[1], (20.0 / 30.0) / 0.6));
        assert!(close(a.krugman, 0.1333));
        assert!(close(a.herfindahl, 1.0 / 9.0 + 4.0 / 9.0));
        assert_eq!(a.specialised, ["science"]);
        let c = &r.areas[1];
        assert!(close(c.location_quotients.values[0], (30.0 / 70.0) / 0.4));
        assert!(close(c.location_quotients.values[1], (40.0 / 70.0) / 0.6));
    }

    #[test]
    fn per_category_values_serialise_as_objects_in_category_order() {
        let r = matrix(fixture(), &request("disciplines", Some("projects"), None)).unwrap();
        let json = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "matrix",
                "title",
                "measure",
                "layer",
                "categories",
                "category_totals",
                "grand_total",
                "national_shares",
                "definitions",
                "codes_without_boundary",
                "attribution",
                "areas"
            ]
        );
        assert_eq!(
            json["national_shares"],
            serde_json::json!({"arts": 0.4, "science": 0.6})
        );
        let lq: Vec<&String> = json["areas"][0]["location_quotients"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(lq, ["arts", "science"]);
        assert_eq!(
            json["attribution"],
            serde_json::json!(["Test squares, hand-made for smartspec's tests."])
        );
        assert!(json["definitions"]["krugman"].is_string());
    }

    #[test]
    fn one_area_can_be_asked_for() {
        let r = matrix(
            fixture(),
            &request("disciplines", Some("funding_gbp"), Some("C")),
        )
        .unwrap();
        assert_eq!(r.areas.len(), 1);
        assert_eq!(r.areas[0].code.as_str(), "C");
        let json = serde_json::to_value(&r.areas[0]).unwrap();
        assert_eq!(json["location_quotients"]["arts"], Value::from(0.0));
    }

    #[test]
    fn errors_list_what_exists() {
        let err = |req: MatrixRequest| matrix(fixture(), &req).unwrap_err();
        assert_eq!(
            err(request("disciplines", None, None)),
            ViewError::invalid("measure: required; one of funding_gbp, projects")
        );
        assert_eq!(
            err(request("disciplines", Some("patents"), None)),
            ViewError::invalid("measure: unknown 'patents'; one of funding_gbp, projects")
        );
        assert_eq!(
            err(request("disciplines", Some("projects"), Some("Z"))),
            ViewError::not_found("matrix 'disciplines' has no area 'Z'; areas: A, C")
        );
        assert_eq!(
            err(request("nope", Some("projects"), None)),
            ViewError::not_found("no matrix 'nope'; matrices: disciplines")
        );
    }
}
