//! Area x category matrices (e.g. research projects by discipline) joined to their layer.

use crate::load::{LoadError, MatrixRow, MatrixSpec};
use crate::model::{AreaCode, LayerId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// One matrix: for each measure, a dense area x category table of non-negative values.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub spec: MatrixSpec,
    /// Rows, in code order, with the name the table gives.
    pub areas: Vec<(AreaCode, String)>,
    pub categories: Vec<String>,
    /// measure -> rows aligned with `areas`, columns with `categories`.
    pub measures: BTreeMap<String, Vec<Vec<f64>>>,
    /// Area codes of the matrix that the layer does not have (reported, still analysed).
    pub codes_without_boundary: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixSummary {
    pub id: String,
    pub title: String,
    pub layer: LayerId,
    pub areas: usize,
    pub categories: Vec<String>,
    pub measures: Vec<String>,
    pub codes_without_boundary: Vec<String>,
}

impl Matrix {
    /// Builds the dense matrix; every area must have every category for every measure, once.
    pub fn build(
        spec: MatrixSpec,
        path: &Path,
        rows: Vec<MatrixRow>,
        layer_has: impl Fn(&str) -> bool,
    ) -> Result<Matrix, LoadError> {
        let fail = |problem: String| LoadError::Table {
            path: path.to_path_buf(),
            problem,
        };
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut categories = BTreeSet::new();
        let mut measures = BTreeSet::new();
        for row in &rows {
            names
                .entry(row.code.clone())
                .or_insert_with(|| row.name.clone());
            categories.insert(row.category.clone());
            measures.insert(row.measure.clone());
        }
        if rows.is_empty() {
            return Err(fail("no rows".into()));
        }
        let area_pos: HashMap<&str, usize> = names
            .keys()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let cat_pos: HashMap<&str, usize> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i))
            .collect();
        let mut cells: BTreeMap<String, Vec<Vec<Option<f64>>>> = measures
            .iter()
            .map(|m| (m.clone(), vec![vec![None; categories.len()]; names.len()]))
            .collect();
        for row in &rows {
            let (Some(&a), Some(&c)) = (
                area_pos.get(row.code.as_str()),
                cat_pos.get(row.category.as_str()),
            ) else {
                continue;
            };
            let Some(cell) = cells
                .get_mut(&row.measure)
                .and_then(|t| t.get_mut(a))
                .and_then(|r| r.get_mut(c))
            else {
                continue;
            };
            if cell.is_some() {
                return Err(fail(format!(
                    "{} {} {} appears more than once",
                    row.code, row.category, row.measure
                )));
            }
            *cell = Some(row.value);
        }
        let mut dense = BTreeMap::new();
        for (measure, table) in cells {
            let mut rows_out = Vec::with_capacity(table.len());
            for (code, row) in names.keys().zip(table) {
                let mut out = Vec::with_capacity(row.len());
                for (category, cell) in categories.iter().zip(row) {
                    out.push(cell.ok_or_else(|| fail(format!("no {measure} value for {code} {category}; every area needs every category")))?);
                }
                rows_out.push(out);
            }
            dense.insert(measure, rows_out);
        }
        let codes_without_boundary = names.keys().filter(|c| !layer_has(c)).cloned().collect();
        Ok(Matrix {
            spec,
            areas: names
                .into_iter()
                .map(|(c, n)| (AreaCode::new(c), n))
                .collect(),
            categories: categories.into_iter().collect(),
            measures: dense,
            codes_without_boundary,
        })
    }

    pub fn summary(&self) -> MatrixSummary {
        MatrixSummary {
            id: self.spec.id.clone(),
            title: self.spec.title.clone(),
            layer: self.spec.layer.clone(),
            areas: self.areas.len(),
            categories: self.categories.clone(),
            measures: self.measures.keys().cloned().collect(),
            codes_without_boundary: self.codes_without_boundary.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> MatrixSpec {
        MatrixSpec {
            id: "m".into(),
            title: "M".into(),
            description: String::new(),
            file: "m.csv".into(),
            layer: LayerId::new("l"),
            attribution: vec![],
        }
    }

    fn row(code: &str, category: &str, measure: &str, value: f64) -> MatrixRow {
        MatrixRow {
            code: code.into(),
            name: format!("{code} name"),
            code_vintage: "2016".into(),
            category: category.into(),
            measure: measure.into(),
            value,
        }
    }

    #[test]
    fn builds_dense_tables_in_code_and_category_order() {
        let rows = vec![
            row("B", "y", "n", 4.0),
            row("A", "x", "n", 1.0),
            row("A", "y", "n", 2.0),
            row("B", "x", "n", 3.0),
        ];
        let m = Matrix::build(spec(), Path::new("m.csv"), rows, |c| c == "A").unwrap();
        assert_eq!(m.categories, vec!["x", "y"]);
        assert_eq!(m.measures["n"], vec![vec![1.0, 2.0], vec![3.0, 4.0]]);
        assert_eq!(m.codes_without_boundary, vec!["B"]);
    }

    #[test]
    fn a_missing_cell_is_an_error_not_a_zero() {
        let rows = vec![
            row("A", "x", "n", 1.0),
            row("A", "y", "n", 2.0),
            row("B", "x", "n", 3.0),
        ];
        let err = Matrix::build(spec(), Path::new("m.csv"), rows, |_| true).unwrap_err();
        assert!(
            err.to_string().contains("m.csv: no n value for B y"),
            "{err}"
        );
    }

    #[test]
    fn a_repeated_cell_is_an_error() {
        let rows = vec![row("A", "x", "n", 1.0), row("A", "x", "n", 1.0)];
        let err = Matrix::build(spec(), Path::new("m.csv"), rows, |_| true).unwrap_err();
        assert!(
            err.to_string().contains("A x n appears more than once"),
            "{err}"
        );
    }
}
