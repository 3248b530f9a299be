//! Reading the metrics CSVs: long-format values, indicator metadata, framework groups, matrices.

use super::LoadError;
use crate::model::{AreaCode, Geography, IndicatorId};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// One value of one indicator for one area and year, with its line for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    pub line: u64,
    pub indicator: IndicatorId,
    pub year: i32,
    pub code: AreaCode,
    pub code_vintage: String,
    pub value: Cell,
}

/// A value cell: a number, empty, or a non-finite number such as `inf` (a division by zero
/// upstream). Empty and non-finite cells are counted in the join report, never read as zero.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Number(f64),
    Empty,
    NotFinite(String),
}

#[derive(Deserialize)]
struct MetricRecord {
    indicator: String,
    year: String,
    code: String,
    code_vintage: String,
    value: String,
}

/// Metadata for one indicator at one geography level (`indicators.csv`).
#[derive(Debug, Clone, Deserialize)]
pub struct IndicatorMeta {
    pub indicator: String,
    pub geo_level: String,
    pub title: String,
    #[serde(default)]
    pub subtitle: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub unit_label: String,
    #[serde(default)]
    pub unit_string: String,
    #[serde(default)]
    pub data_type: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub framework_group: String,
    #[serde(default)]
    pub is_experimental: String,
    #[serde(default)]
    pub source_name: String,
    #[serde(default)]
    pub source_url: String,
    #[serde(default)]
    pub api_doc_url: String,
    #[serde(default)]
    pub warning: String,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct FrameworkGroup {
    pub id: String,
    pub label: String,
    pub description: String,
    pub order: i32,
}

/// One cell of an area x category matrix (`metrics/specialisation/*.csv`).
#[derive(Debug, Clone, Deserialize)]
pub struct MatrixRow {
    pub code: String,
    pub name: String,
    pub code_vintage: String,
    pub category: String,
    pub measure: String,
    pub value: f64,
}

/// Line numbers from byte offsets. The csv crate counts lines by `\n` after the record a CRLF
/// ends has been positioned, so in a CRLF file it names the line before; this counts `\n`,
/// `\r\n` and a lone `\r` as one line break each.
struct Lines<'a> {
    bytes: &'a [u8],
    at: usize,
    breaks: u64,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            bytes,
            at: 0,
            breaks: 0,
        }
    }

    /// The 1-based line of the record or error at `byte`.
    fn line_at(&mut self, byte: u64) -> u64 {
        let byte = usize::try_from(byte).map_or(self.bytes.len(), |b| b.min(self.bytes.len()));
        if byte < self.at {
            (self.at, self.breaks) = (0, 0);
        }
        let is_break = |i: usize| match self.bytes.get(i) {
            Some(b'\n') => true,
            Some(b'\r') => self.bytes.get(i + 1) != Some(&b'\n'),
            _ => false,
        };
        self.breaks += (self.at..byte).filter(|&i| is_break(i)).count() as u64;
        self.at = byte;
        // A record positioned on the `\n` of a CRLF starts on the next line.
        let on_crlf = self.bytes.get(byte) == Some(&b'\n')
            && byte > 0
            && self.bytes.get(byte - 1) == Some(&b'\r');
        self.breaks + 1 + u64::from(on_crlf)
    }
}

fn csv_error(path: &Path, e: &csv::Error, lines: &mut Lines<'_>, fallback_line: u64) -> LoadError {
    let line = e
        .position()
        .map_or(fallback_line, |p| lines.line_at(p.byte()));
    let problem = match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(_) => err.to_string(),
            None => err.kind().to_string(),
        },
        _ => e.to_string(),
    };
    LoadError::Csv {
        path: path.to_path_buf(),
        line,
        problem,
    }
}

/// Reads every record as `T`, with its line. The header must name every column in `required`.
/// The file is read whole, up to `max_bytes` (see [`super::source::read_bounded`]).
pub(super) fn deserialize_all<T: serde::de::DeserializeOwned>(
    path: &Path,
    required: &[&str],
    max_bytes: u64,
) -> Result<Vec<(u64, T)>, LoadError> {
    let bytes = super::source::read_bounded(path, max_bytes)?;
    let mut lines = Lines::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, &e, &mut lines, 1))?
        .clone();
    if headers.is_empty() {
        return Err(LoadError::Csv {
            path: path.to_path_buf(),
            line: 1,
            problem: format!("empty file: expected a header with {}", required.join(",")),
        });
    }
    if let Some(missing) = required.iter().find(|c| !headers.iter().any(|h| h == **c)) {
        return Err(LoadError::Csv {
            path: path.to_path_buf(),
            line: 1,
            problem: format!(
                "header lacks column '{missing}' (expected {}; found '{}')",
                required.join(","),
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        });
    }
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
                let row = record
                    .deserialize(Some(&headers))
                    .map_err(|e| csv_error(path, &e, &mut lines, line))?;
                out.push((line, row));
            }
            Err(e) => return Err(csv_error(path, &e, &mut lines, 0)),
        }
    }
    Ok(out)
}

/// The columns of a long-format metrics table.
pub const METRIC_COLUMNS: [&str; 5] = ["indicator", "year", "code", "code_vintage", "value"];

/// Reads a long-format metrics table (`indicator,year,code,code_vintage,value`).
pub fn read_metric_rows(path: &Path, max_bytes: u64) -> Result<Vec<MetricRow>, LoadError> {
    deserialize_all::<MetricRecord>(path, &METRIC_COLUMNS, max_bytes)?
        .into_iter()
        .map(|(line, r)| {
            let fail = |problem: String| LoadError::Csv {
                path: path.to_path_buf(),
                line,
                problem,
            };
            if r.indicator.is_empty() {
                return Err(fail("empty indicator".into()));
            }
            if r.code.is_empty() {
                return Err(fail("empty code".into()));
            }
            let year = r
                .year
                .parse::<i32>()
                .map_err(|_| fail(format!("year '{}' is not a whole number", r.year)))?;
            let value = if r.value.is_empty() {
                Cell::Empty
            } else {
                match r.value.parse::<f64>() {
                    Ok(v) if v.is_finite() => Cell::Number(v),
                    Ok(_) => Cell::NotFinite(r.value),
                    Err(_) => return Err(fail(format!("value '{}' is not a number", r.value))),
                }
            };
            Ok(MetricRow {
                line,
                indicator: IndicatorId::new(r.indicator),
                year,
                code: AreaCode::new(r.code),
                code_vintage: r.code_vintage,
                value,
            })
        })
        .collect()
}

/// Reads `indicators.csv`: every `geo_level` must be a known geography, every title non-empty,
/// and no indicator may have two rows at one level. The file must have at least one row.
pub fn read_indicator_meta(
    path: &Path,
    max_bytes: u64,
) -> Result<Vec<(u64, Geography, IndicatorMeta)>, LoadError> {
    let rows =
        deserialize_all::<IndicatorMeta>(path, &["indicator", "geo_level", "title"], max_bytes)?;
    if rows.is_empty() {
        return Err(LoadError::Table {
            path: path.to_path_buf(),
            problem: "header only: expected one row per indicator and geo_level".into(),
        });
    }
    let mut seen: HashMap<(String, Geography), u64> = HashMap::new();
    rows.into_iter()
        .map(|(line, meta)| {
            let fail = |problem: String| LoadError::Csv {
                path: path.to_path_buf(),
                line,
                problem,
            };
            if meta.indicator.is_empty() {
                return Err(fail("empty indicator".into()));
            }
            let Some(g) = Geography::parse(&meta.geo_level) else {
                return Err(fail(format!(
                    "indicator '{}': unknown geo_level '{}'",
                    meta.indicator, meta.geo_level
                )));
            };
            if meta.title.is_empty() {
                return Err(fail(format!(
                    "indicator '{}' ({}): empty title (every indicator needs a title to be served)",
                    meta.indicator, meta.geo_level
                )));
            }
            if let Some(first) = seen.insert((meta.indicator.clone(), g), line) {
                return Err(fail(format!(
                    "indicator '{}' ({}) already has a row on line {first}",
                    meta.indicator, meta.geo_level
                )));
            }
            Ok((line, g, meta))
        })
        .collect()
}

pub fn read_framework_groups(
    path: &Path,
    max_bytes: u64,
) -> Result<Vec<FrameworkGroup>, LoadError> {
    let groups: Vec<FrameworkGroup> =
        deserialize_all(path, &["id", "label", "description", "order"], max_bytes)?
            .into_iter()
            .map(|(_, g)| g)
            .collect();
    if groups.is_empty() {
        return Err(LoadError::Table {
            path: path.to_path_buf(),
            problem: "header only: expected one row per framework group".into(),
        });
    }
    Ok(groups)
}

/// Reads an area x category matrix; values must be finite and non-negative.
pub fn read_matrix(path: &Path, max_bytes: u64) -> Result<Vec<MatrixRow>, LoadError> {
    deserialize_all::<MatrixRow>(
        path,
        &[
            "code",
            "name",
            "code_vintage",
            "category",
            "measure",
            "value",
        ],
        max_bytes,
    )?
    .into_iter()
    .map(|(line, row)| {
        if row.value.is_finite() && row.value >= 0.0 {
            Ok(row)
        } else {
            Err(LoadError::Csv {
                path: path.to_path_buf(),
                line,
                problem: format!("value {} must be a finite non-negative number", row.value),
            })
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = crate::load::DEFAULT_MAX_FILE_BYTES;
    use std::io::Write;

    fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("smartspec-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        path
    }

    #[test]
    fn reads_rows_and_keeps_empty_values_as_none() {
        let path = temp_csv(
            "ok.csv",
            "indicator,year,code,code_vintage,value\nrd,2016,E1,2014,1.5\nrd,2017,E1,2014,\nrd,2018,E1,2014,inf\n",
        );
        let rows = read_metric_rows(&path, MAX).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].value, Cell::Number(1.5));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].value, Cell::Empty);
        assert_eq!(rows[2].value, Cell::NotFinite("inf".into()));
    }

    #[test]
    fn a_bad_number_names_file_and_line() {
        let path = temp_csv(
            "bad.csv",
            "indicator,year,code,code_vintage,value\nrd,2016,E1,2014,1.5\nrd,2017,E1,2014,abc\n",
        );
        let err = read_metric_rows(&path, MAX).unwrap_err().to_string();
        assert!(
            err.ends_with("bad.csv, line 3: value 'abc' is not a number"),
            "{err}"
        );
        let path = temp_csv(
            "badyear.csv",
            "indicator,year,code,code_vintage,value\nrd,20x6,E1,2014,1.5\n",
        );
        let err = read_metric_rows(&path, MAX).unwrap_err().to_string();
        assert!(
            err.ends_with("badyear.csv, line 2: year '20x6' is not a whole number"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_column_is_an_error_naming_the_line() {
        let path = temp_csv("short.csv", "indicator,year,code,value\nrd,2016,E1,1.5\n");
        let err = read_metric_rows(&path, MAX).unwrap_err().to_string();
        assert!(
            err.contains("short.csv, line 1: header lacks column 'code_vintage'"),
            "{err}"
        );
    }

    #[test]
    fn lines_are_counted_the_same_whatever_the_line_ending() {
        for eol in ["\n", "\r\n", "\r"] {
            let text = format!(
                "indicator,year,code,code_vintage,value{eol}rd,2016,E1,2014,1{eol}\"r,d\",2016,E2,2014,2{eol}rd,2016,E3,2014,x{eol}"
            );
            let path = temp_csv("eol.csv", &text);
            let err = read_metric_rows(&path, MAX).unwrap_err().to_string();
            assert!(
                err.ends_with("eol.csv, line 4: value 'x' is not a number"),
                "{eol:?}: {err}"
            );
            let ok = text.replace(",x", ",3");
            let path = temp_csv("eol_ok.csv", &ok);
            let rows = read_metric_rows(&path, MAX).unwrap();
            assert_eq!(
                rows.iter().map(|r| r.line).collect::<Vec<_>>(),
                vec![2, 3, 4],
                "{eol:?}"
            );
        }
    }

    #[test]
    fn empty_and_header_only_files() {
        let path = temp_csv("empty.csv", "");
        let err = read_metric_rows(&path, MAX).unwrap_err().to_string();
        assert!(err.contains("empty.csv, line 1: empty file"), "{err}");
        let path = temp_csv("header.csv", "indicator,year,code,code_vintage,value\n");
        assert_eq!(read_metric_rows(&path, MAX).unwrap(), vec![]);
    }

    const META_HEADER: &str = "indicator,geo_level,title\n";

    #[test]
    fn indicator_metadata_needs_titles_known_levels_and_one_row_each() {
        let path = temp_csv(
            "meta_ok.csv",
            &format!("{META_HEADER}rd,lep,R&D\nrd,nuts2,R&D\n"),
        );
        assert_eq!(read_indicator_meta(&path, MAX).unwrap().len(), 2);
        let path = temp_csv(
            "meta_title.csv",
            &format!("{META_HEADER}rd,lep,R&D\npat,lep,\n"),
        );
        let err = read_indicator_meta(&path, MAX).unwrap_err().to_string();
        assert!(
            err.ends_with("meta_title.csv, line 3: indicator 'pat' (lep): empty title (every indicator needs a title to be served)"),
            "{err}"
        );
        let path = temp_csv(
            "meta_dup.csv",
            &format!("{META_HEADER}rd,lep,A\nrd,lep,B\n"),
        );
        let err = read_indicator_meta(&path, MAX).unwrap_err().to_string();
        assert!(
            err.ends_with("line 3: indicator 'rd' (lep) already has a row on line 2"),
            "{err}"
        );
        let path = temp_csv("meta_level.csv", &format!("{META_HEADER}rd,county,A\n"));
        let err = read_indicator_meta(&path, MAX).unwrap_err().to_string();
        assert!(
            err.contains("line 2: indicator 'rd': unknown geo_level 'county'"),
            "{err}"
        );
        let path = temp_csv("meta_header.csv", META_HEADER);
        let err = read_indicator_meta(&path, MAX).unwrap_err().to_string();
        assert!(err.contains("meta_header.csv: header only"), "{err}");
    }
}
