//! The data-fault corpus: broken copies of the real data, each refused at load with a message
//! naming the file and the feature or line.
//!
//! Every case copies a trimmed corpus (the English regions, the 2020 and 2021 LEP layers, the
//! 2020 rows of `lep.csv`, `indicators.csv`, `framework_groups.csv`, the repository's
//! indicator semantics and a manifest over them)
//! from the real data into a temporary directory, breaks one thing, and loads it. The unbroken
//! corpus must load, so each refusal is caused by its one fault.

use crate::common::{data_dir, repo};
use serde_json::{json, Value};
use smartspec::catalog::Catalog;
use smartspec::load::SourceRules;
use std::path::PathBuf;
use std::sync::OnceLock;

const MANIFEST: &str = r#"bounds = [-9.0, 49.0, 2.5, 61.0]
indicators = "metrics/indicators.csv"
framework_groups = "metrics/framework_groups.csv"
semantics = "indicator_semantics.csv"

[attribution.ons_ogl]
short = "ONS"
text = "Source: Office for National Statistics licensed under the Open Government Licence v3.0."

[[layer]]
id = "region"
title = "English regions"
file = "boundaries/regions.geojson"
code_field = "code"
name_field = "name"
geography = "region"
vintage = "2013"
attribution = ["ons_ogl"]

[[layer]]
id = "lep-2020"
title = "LEPs 2020"
file = "boundaries/leps_2020.geojson"
code_field = "code"
name_field = "name"
geography = "lep"
vintage = "2020"
attribution = ["ons_ogl"]

[[layer]]
id = "lep-2021"
title = "LEPs 2021"
file = "boundaries/leps_2021_ons.geojson"
code_field = "code"
name_field = "name"
geography = "lep"
vintage = "2021"
attribution = ["ons_ogl"]

[[metrics]]
id = "lep"
file = "metrics/lep.csv"
geography = "lep"
min_rows = 1900
layers = { "2020" = "lep-2020" }
attribution = ["ons_ogl"]
"#;

static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// A writable copy of the trimmed corpus.
struct Corpus {
    dir: PathBuf,
}

impl Drop for Corpus {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Corpus {
    fn new() -> Corpus {
        let n = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("smartspec-faults-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("boundaries")).unwrap();
        std::fs::create_dir_all(dir.join("metrics")).unwrap();
        let real = data_dir();
        for file in [
            "boundaries/regions.geojson",
            "boundaries/leps_2020.geojson",
            "boundaries/leps_2021_ons.geojson",
            "metrics/indicators.csv",
            "metrics/framework_groups.csv",
        ] {
            std::fs::copy(real.join(file), dir.join(file)).unwrap();
        }
        // The rows of the 2020 vintage only, so that one small layer serves the whole table.
        let lep = std::fs::read_to_string(real.join("metrics/lep.csv")).unwrap();
        let mut lines = lep.lines();
        let mut trimmed = format!("{}\n", lines.next().unwrap());
        for line in lines.filter(|l| l.split(',').nth(3) == Some("2020")) {
            trimmed.push_str(line);
            trimmed.push('\n');
        }
        std::fs::write(dir.join("metrics/lep.csv"), trimmed).unwrap();
        std::fs::write(dir.join("layers.toml"), MANIFEST).unwrap();
        std::fs::copy(
            repo().join("boundaries/indicator_semantics.csv"),
            dir.join("indicator_semantics.csv"),
        )
        .unwrap();
        Corpus { dir }
    }

    fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).unwrap()
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.path(file), text).unwrap();
    }

    /// Replaces the first occurrence of `from`, which must be there.
    fn replace(&self, file: &str, from: &str, to: &str) {
        let text = self.read(file);
        assert!(text.contains(from), "{file} lacks {from:?}");
        self.write(file, &text.replacen(from, to, 1));
    }

    fn lines(&self, file: &str) -> Vec<String> {
        self.read(file).lines().map(str::to_string).collect()
    }

    fn write_lines(&self, file: &str, lines: &[String]) {
        self.write(file, &(lines.join("\n") + "\n"));
    }

    fn geojson(&self, file: &str) -> Value {
        serde_json::from_str(&self.read(file)).unwrap()
    }

    fn write_geojson(&self, file: &str, fc: &Value) {
        self.write(file, &fc.to_string());
    }

    fn load(&self) -> Result<Catalog, smartspec::load::LoadError> {
        self.load_under(SourceRules::default())
    }

    fn load_under(&self, rules: SourceRules) -> Result<Catalog, smartspec::load::LoadError> {
        // Shared with the other real-data tests: keyed by file content, so unbroken layers
        // read their derived artefacts instead of computing them again.
        let cache = repo().join("target/test-artefact-cache");
        Catalog::load_under(&self.path("layers.toml"), &self.dir, Some(&cache), rules)
    }

    /// Loads, expecting a refusal; returns the message with the temporary directory cut off.
    fn refusal(&self) -> String {
        warm();
        let err = match self.load() {
            Ok(_) => panic!("the broken corpus in {} loaded", self.dir.display()),
            Err(e) => e.to_string(),
        };
        let prefix = format!("{}/", self.dir.display());
        err.replace(&prefix, "")
    }
}

/// Loads the unbroken corpus once: it must load, and its layers' artefacts are then cached.
fn warm() {
    static WARM: OnceLock<()> = OnceLock::new();
    WARM.get_or_init(|| {
        let corpus = Corpus::new();
        let catalog = corpus.load().expect("the unbroken corpus loads");
        let t = &catalog.metrics.report.totals;
        assert_eq!(t.unmatched_rows, 0);
        assert!(t.rows >= 1900, "{t:?}");
    });
}

fn assert_has(err: &str, needles: &[&str]) {
    for needle in needles {
        assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    }
}

/// The line (1-based, header = 1) of the first data row satisfying `pred`, and the row.
fn find_row(lines: &[String], pred: impl Fn(&[&str]) -> bool) -> (usize, String) {
    lines
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, l)| pred(&l.split(',').collect::<Vec<_>>()))
        .map(|(i, l)| (i + 1, l.clone()))
        .expect("a matching row")
}

// ---- metrics table ----

#[test]
fn unbroken_corpus_loads() {
    warm();
}

#[test]
fn metrics_table_of_zero_bytes() {
    let c = Corpus::new();
    c.write("metrics/lep.csv", "");
    let err = c.refusal();
    assert_has(
        &err,
        &[
            "metrics/lep.csv: empty file (0 bytes)",
            "expected at least 1900 (min_rows)",
            "metrics 'lep'",
        ],
    );
}

#[test]
fn metrics_table_header_only() {
    let c = Corpus::new();
    c.write(
        "metrics/lep.csv",
        "indicator,year,code,code_vintage,value\n",
    );
    let err = c.refusal();
    assert_has(
        &err,
        &["metrics/lep.csv: header only: no data rows; expected at least 1900 (min_rows)"],
    );
}

#[test]
fn metrics_table_cut_to_ten_rows() {
    let c = Corpus::new();
    let lines = c.lines("metrics/lep.csv");
    c.write_lines("metrics/lep.csv", &lines[..11]);
    let err = c.refusal();
    assert_has(
        &err,
        &["metrics/lep.csv: only 10 data rows; expected at least 1900 (min_rows)"],
    );
}

#[test]
fn an_empty_optional_table_is_skipped_and_reported() {
    let c = Corpus::new();
    c.write(
        "metrics/lep.csv",
        "indicator,year,code,code_vintage,value\n",
    );
    c.replace(
        "layers.toml",
        "min_rows = 1900",
        "min_rows = 1900\noptional = true",
    );
    warm();
    let catalog = c.load().unwrap();
    let skipped = &catalog.metrics.report.skipped_tables;
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].table, "lep");
    assert!(skipped[0].reason.starts_with("header only"), "{skipped:?}");
    assert!(catalog.metrics.indicators.is_empty());
}

#[test]
fn metrics_value_not_a_number() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/lep.csv");
    let (line, row) = find_row(&lines, |f| f.len() == 5 && !f[4].is_empty());
    let mut fields: Vec<&str> = row.split(',').collect();
    fields[4] = "twelve";
    lines[line - 1] = fields.join(",");
    c.write_lines("metrics/lep.csv", &lines);
    let err = c.refusal();
    assert!(
        err.ends_with(&format!(
            "metrics/lep.csv, line {line}: value 'twelve' is not a number"
        )),
        "{err}"
    );
}

#[test]
fn metrics_year_not_a_whole_number() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/lep.csv");
    let (line, row) = find_row(&lines, |_| true);
    let mut fields: Vec<&str> = row.split(',').collect();
    fields[1] = "2019.5";
    lines[line - 1] = fields.join(",");
    c.write_lines("metrics/lep.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "metrics/lep.csv, line {line}: year '2019.5' is not a whole number"
        )],
    );
}

#[test]
fn metrics_header_without_code_vintage() {
    let c = Corpus::new();
    c.replace(
        "metrics/lep.csv",
        "code,code_vintage,value",
        "code,vintage,value",
    );
    let err = c.refusal();
    assert_has(
        &err,
        &["metrics/lep.csv, line 1: header lacks column 'code_vintage'"],
    );
}

#[test]
fn metrics_row_with_an_extra_field() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/lep.csv");
    lines[4] = format!("{},extra", lines[4]);
    c.write_lines("metrics/lep.csv", &lines);
    let err = c.refusal();
    assert_has(&err, &["metrics/lep.csv, line 5:", "6 fields"]);
}

#[test]
fn metrics_row_with_an_empty_indicator() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/lep.csv");
    let row = lines[6].clone();
    lines[6] = row
        .split_once(',')
        .map(|(_, rest)| format!(",{rest}"))
        .unwrap();
    c.write_lines("metrics/lep.csv", &lines);
    let err = c.refusal();
    assert_has(&err, &["metrics/lep.csv, line 7: empty indicator"]);
}

#[test]
fn metrics_vintage_the_manifest_does_not_map() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/lep.csv");
    lines[2] = lines[2].replace(",2020,", ",2021,");
    c.write_lines("metrics/lep.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &["metrics/lep.csv, line 3: code_vintage '2021' has no boundary layer in the manifest (metrics 'lep' maps: 2020)"],
    );
}

#[test]
fn metrics_vintage_mapped_to_the_wrong_layer() {
    let c = Corpus::new();
    c.replace(
        "layers.toml",
        r#"layers = { "2020" = "lep-2020" }"#,
        r#"layers = { "2020" = "lep-2021" }"#,
    );
    let err = c.refusal();
    // The 2020 codes of four LEPs changed in the May 2021 ONS boundaries.
    assert_has(
        &err,
        &[
            "metrics/lep.csv, line ",
            "metrics 'lep' code_vintage '2020' joins layer 'lep-2021' (38 areas) at 89.5%, below the 100.0% the manifest expects (min_match): 204 of 1938 rows with a value have no area in the layer",
            "E37000047",
            "is the vintage mapped to the right layer?",
        ],
    );
}

#[test]
fn metrics_codes_without_a_boundary() {
    let c = Corpus::new();
    let text = c.read("metrics/lep.csv");
    let (line, row) = find_row(&c.lines("metrics/lep.csv"), |f| f[2] == "E37000047");
    let _ = row;
    c.write(
        "metrics/lep.csv",
        &text.replace(",E37000047,", ",E37999999,"),
    );
    let err = c.refusal();
    assert_has(
        &err,
        &[
            &format!("metrics/lep.csv, line {line}: metrics 'lep' code_vintage '2020' joins layer 'lep-2020'"),
            "1 distinct codes: E37999999 (",
        ],
    );
}

#[test]
fn metrics_conflicting_values_for_one_area_and_year() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/lep.csv");
    let (line, row) = find_row(&lines, |f| f[4].parse::<f64>().is_ok());
    let mut fields: Vec<String> = row.split(',').map(str::to_string).collect();
    let value: f64 = fields[4].parse().unwrap();
    fields[4] = format!("{}", value + 1.0);
    lines.push(fields.join(","));
    let conflict_line = lines.len();
    c.write_lines("metrics/lep.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[
            &format!(
                "metrics/lep.csv, line {conflict_line}: {} {} {}: value",
                fields[0], fields[1], fields[2]
            ),
            &format!("on line {line}"),
        ],
    );
}

#[test]
fn metrics_file_missing() {
    let c = Corpus::new();
    std::fs::remove_file(c.path("metrics/lep.csv")).unwrap();
    let err = c.refusal();
    assert_has(&err, &["metrics/lep.csv: cannot read"]);
}

// ---- indicator metadata ----

#[test]
fn an_indicator_without_a_semantics_row() {
    let c = Corpus::new();
    let lines = c.lines("indicator_semantics.csv");
    let kept: Vec<String> = lines
        .iter()
        .filter(|l| !l.starts_with("travel_time_to_work,"))
        .cloned()
        .collect();
    assert_eq!(kept.len(), lines.len() - 1);
    c.write_lines("indicator_semantics.csv", &kept);
    let err = c.refusal();
    assert_has(
        &err,
        &[
            "indicator_semantics.csv: no row for indicator 'travel_time_to_work' (",
            "metrics/indicators.csv, line ",
            "every indicator needs its unit, decimals and polarity reviewed",
        ],
    );
}

#[test]
fn a_semantics_row_for_an_unknown_indicator() {
    let c = Corpus::new();
    let mut lines = c.lines("indicator_semantics.csv");
    lines.push("travel_time_to_moon,minutes,min,mean,2,false,Shorter is better,".into());
    let line = lines.len();
    c.write_lines("indicator_semantics.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[
            &format!(
                "indicator_semantics.csv, line {line}: unknown indicator 'travel_time_to_moon': "
            ),
            "metrics/indicators.csv has no such indicator",
        ],
    );
}

#[test]
fn a_semantics_row_with_an_unknown_aggregation() {
    let c = Corpus::new();
    let mut lines = c.lines("indicator_semantics.csv");
    let (at, row) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.starts_with("total_ukri_funding,"))
        .map(|(i, l)| (i, l.replacen(",sum,", ",total,", 1)))
        .unwrap();
    lines[at] = row;
    c.write_lines("indicator_semantics.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "indicator_semantics.csv, line {}: indicator 'total_ukri_funding': aggregation 'total' (must be one of sum, mean, median, rate, share, index, ratio)",
            at + 1
        )],
    );
}

#[test]
fn a_semantics_row_without_polarity() {
    let c = Corpus::new();
    let lines = c.lines("indicator_semantics.csv");
    let (i, row) = find_row(&lines, |r| r[0] == "air_pollution_mean_pm10");
    c.replace(
        "indicator_semantics.csv",
        &row,
        &row.replacen(",false,", ",,", 1),
    );
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!("indicator_semantics.csv, line {i}: indicator 'air_pollution_mean_pm10': missing polarity (higher_is_better must be true, false or neutral)")],
    );
}

#[test]
fn indicators_csv_of_zero_bytes() {
    let c = Corpus::new();
    c.write("metrics/indicators.csv", "");
    let err = c.refusal();
    assert_has(&err, &["metrics/indicators.csv, line 1: empty file"]);
}

#[test]
fn indicators_csv_header_only() {
    let c = Corpus::new();
    let header = c.lines("metrics/indicators.csv").remove(0);
    c.write("metrics/indicators.csv", &format!("{header}\n"));
    let err = c.refusal();
    assert_has(&err, &["metrics/indicators.csv: header only"]);
}

#[test]
fn indicator_without_a_metadata_row() {
    let c = Corpus::new();
    let data = c.lines("metrics/lep.csv");
    let indicator = data[1].split(',').next().unwrap().to_string();
    let prefix = format!("{indicator},lep,");
    let lines: Vec<String> = c
        .lines("metrics/indicators.csv")
        .into_iter()
        .filter(|l| !l.starts_with(&prefix))
        .collect();
    c.write_lines("metrics/indicators.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "metrics/indicators.csv: no metadata row for indicator '{indicator}' at geo_level 'lep' (used from metrics/lep.csv, line 2)"
        )],
    );
}

#[test]
fn indicator_with_an_empty_title() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/indicators.csv");
    let (line, row) = find_row(&lines, |f| f[1] == "lep");
    let indicator = row.split(',').next().unwrap().to_string();
    // The title is the third column: blank it, keeping every other field as written.
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row.as_bytes());
    let mut record: Vec<String> = csv
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    record[2] = String::new();
    let mut out = csv::Writer::from_writer(vec![]);
    out.write_record(&record).unwrap();
    lines[line - 1] = String::from_utf8(out.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string();
    c.write_lines("metrics/indicators.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "metrics/indicators.csv, line {line}: indicator '{indicator}' (lep): empty title"
        )],
    );
}

#[test]
fn indicator_with_an_unknown_geo_level() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/indicators.csv");
    let (line, row) = find_row(&lines, |f| f[1] == "nuts3");
    lines[line - 1] = row.replacen(",nuts3,", ",county,", 1);
    c.write_lines("metrics/indicators.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[
            &format!("metrics/indicators.csv, line {line}: indicator '"),
            "unknown geo_level 'county'",
        ],
    );
}

#[test]
fn indicator_with_two_metadata_rows() {
    let c = Corpus::new();
    let mut lines = c.lines("metrics/indicators.csv");
    let (line, row) = find_row(&lines, |f| f[1] == "lep");
    lines.push(row);
    let second = lines.len();
    c.write_lines("metrics/indicators.csv", &lines);
    let err = c.refusal();
    assert_has(
        &err,
        &[
            &format!("metrics/indicators.csv, line {second}: indicator '"),
            &format!("already has a row on line {line}"),
        ],
    );
}

#[test]
fn framework_groups_header_only() {
    let c = Corpus::new();
    c.write(
        "metrics/framework_groups.csv",
        "id,label,description,order\n",
    );
    let err = c.refusal();
    assert_has(&err, &["metrics/framework_groups.csv: header only"]);
}

// ---- boundaries (the nine English regions) ----

const REGIONS: &str = "boundaries/regions.geojson";

/// Sets feature `index`'s geometry and returns its code.
fn set_geometry(c: &Corpus, index: usize, geometry: Value) -> String {
    let mut fc = c.geojson(REGIONS);
    fc["features"][index]["geometry"] = geometry;
    let code = fc["features"][index]["properties"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    c.write_geojson(REGIONS, &fc);
    code
}

#[test]
fn region_with_a_bow_tie_polygon() {
    let c = Corpus::new();
    let code = set_geometry(
        &c,
        3,
        json!({"type": "Polygon", "coordinates": [[[-1.0, 52.0], [0.0, 53.0], [0.0, 52.0], [-1.0, 53.0], [-1.0, 52.0]]]}),
    );
    let err = c.refusal();
    assert_eq!(
        err,
        format!("{REGIONS}: feature 3 (code {code}): invalid geometry (OGC simple features): polygon at index 0 is invalid: exterior ring has a self-intersection")
    );
}

#[test]
fn region_with_two_positions_swapped_in_its_real_ring() {
    use geo::Validation;
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    // E12000005 is one polygon of about 5,300 positions. Swap the first pair of neighbouring
    // positions (from the middle on) whose swap makes the ring cross itself, as a hand edit might.
    let ring: Vec<(f64, f64)> = fc["features"][4]["geometry"]["coordinates"][0][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    let at = (ring.len() / 2..ring.len() - 2)
        .find(|&i| {
            let mut swapped = ring.clone();
            swapped.swap(i, i + 1);
            !geo::Polygon::new(swapped.into(), vec![]).is_valid()
        })
        .unwrap();
    fc["features"][4]["geometry"]["coordinates"][0][0]
        .as_array_mut()
        .unwrap()
        .swap(at, at + 1);
    let code = fc["features"][4]["properties"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    assert_eq!(
        err,
        format!("{REGIONS}: feature 4 (code {code}): invalid geometry (OGC simple features): polygon at index 0 is invalid: exterior ring has a self-intersection")
    );
}

#[test]
fn region_with_an_unclosed_ring() {
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    let ring = fc["features"][2]["geometry"]["coordinates"][1][0]
        .as_array_mut()
        .unwrap();
    ring.pop();
    let code = fc["features"][2]["properties"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "{REGIONS}: feature 2 (code {code}): bad geometry: polygon 1: exterior ring is not closed"
        )],
    );
}

#[test]
fn region_with_a_hole_outside_its_shell() {
    let c = Corpus::new();
    let code = set_geometry(
        &c,
        4,
        json!({"type": "Polygon", "coordinates": [
            [[-1.0, 52.0], [0.0, 52.0], [0.0, 53.0], [-1.0, 53.0], [-1.0, 52.0]],
            [[1.0, 52.0], [1.1, 52.0], [1.1, 52.1], [1.0, 52.1], [1.0, 52.0]]
        ]}),
    );
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!("{REGIONS}: feature 4 (code {code}): invalid geometry (OGC simple features): polygon at index 0 is invalid: interior ring at index 0 is not contained within the polygon's exterior")],
    );
}

#[test]
fn region_with_overlapping_parts() {
    let c = Corpus::new();
    let code = set_geometry(
        &c,
        1,
        json!({"type": "MultiPolygon", "coordinates": [
            [[[-1.0, 52.0], [0.0, 52.0], [0.0, 53.0], [-1.0, 53.0], [-1.0, 52.0]]],
            [[[-0.5, 52.5], [0.5, 52.5], [0.5, 53.5], [-0.5, 53.5], [-0.5, 52.5]]]
        ]}),
    );
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!("{REGIONS}: feature 1 (code {code}): invalid geometry (OGC simple features): polygons at indices 0 and 1 overlap")],
    );
}

#[test]
fn region_with_a_collinear_part_added_to_its_real_parts() {
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    let feature = &mut fc["features"][5];
    assert_eq!(feature["geometry"]["type"], "MultiPolygon");
    let parts = feature["geometry"]["coordinates"].as_array_mut().unwrap();
    let part = parts.len();
    // Three distinct positions on one line, off the coast: a ring that encloses nothing.
    parts.push(json!([[
        [1.8, 52.0],
        [1.9, 52.1],
        [2.0, 52.2],
        [1.8, 52.0]
    ]]));
    let code = feature["properties"]["code"].as_str().unwrap().to_string();
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    assert_has(
        &err,
        &[
            &format!("{REGIONS}: feature 5 (code {code}): polygon {part}: exterior ring encloses 0.000 m²"),
            "collinear",
        ],
    );
}

#[test]
fn region_with_null_geometry() {
    let c = Corpus::new();
    let code = set_geometry(&c, 0, Value::Null);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "{REGIONS}: feature 0 (code {code}): bad geometry: geometry is null"
        )],
    );
}

#[test]
fn region_with_a_point_geometry() {
    let c = Corpus::new();
    let code = set_geometry(&c, 6, json!({"type": "Point", "coordinates": [-1.0, 52.0]}));
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!("{REGIONS}: feature 6 (code {code}): geometry is a Point, but only Polygon and MultiPolygon are served")],
    );
}

#[test]
fn region_with_a_position_of_one_number() {
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    fc["features"][7]["geometry"]["coordinates"][0][0][1] = json!([-1.0]);
    let code = fc["features"][7]["properties"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!("{REGIONS}: feature 7 (code {code}): not a GeoJSON Feature: A position must contain two or more elements, but got `1`")],
    );
}

#[test]
fn region_with_lon_and_lat_swapped() {
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    for part in fc["features"][8]["geometry"]["coordinates"]
        .as_array_mut()
        .unwrap()
    {
        for ring in part.as_array_mut().unwrap() {
            for pos in ring.as_array_mut().unwrap() {
                pos.as_array_mut().unwrap().swap(0, 1);
            }
        }
    }
    let code = fc["features"][8]["properties"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    assert_has(
        &err,
        &[
            &format!("{REGIONS}: feature 8 (code {code}): polygon 0: exterior ring: coordinate"),
            "longitude and latitude look swapped",
        ],
    );
}

#[test]
fn region_code_appearing_twice() {
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    let first = fc["features"][0]["properties"]["code"].clone();
    fc["features"][4]["properties"]["code"] = first.clone();
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    let code = first.as_str().unwrap();
    assert_has(
        &err,
        &[&format!(
            "{REGIONS}: feature 4 (code {code}): code '{code}' appears more than once"
        )],
    );
}

#[test]
fn region_without_a_code() {
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    fc["features"][2]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("code");
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "{REGIONS}: feature 2: missing or empty code field 'code'"
        )],
    );
}

#[test]
fn region_without_a_name() {
    let c = Corpus::new();
    let mut fc = c.geojson(REGIONS);
    fc["features"][3]["properties"]["name"] = json!("  ");
    let code = fc["features"][3]["properties"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    c.write_geojson(REGIONS, &fc);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "{REGIONS}: feature 3 (code {code}): missing or empty name field 'name'"
        )],
    );
}

#[test]
fn regions_file_truncated() {
    let c = Corpus::new();
    let text = c.read(REGIONS);
    c.write(REGIONS, &text[..text.len() / 3]);
    let err = c.refusal();
    assert_has(
        &err,
        &[&format!(
            "{REGIONS}: not valid GeoJSON: expected a FeatureCollection"
        )],
    );
}

#[test]
fn regions_file_with_no_features() {
    let c = Corpus::new();
    c.write(REGIONS, r#"{"type": "FeatureCollection", "features": []}"#);
    let err = c.refusal();
    assert_eq!(err, format!("{REGIONS}: no features"));
}

#[test]
fn regions_file_missing() {
    let c = Corpus::new();
    std::fs::remove_file(c.path(REGIONS)).unwrap();
    let err = c.refusal();
    assert_has(&err, &[&format!("{REGIONS}: cannot read")]);
}

// ---- manifest ----

#[test]
fn manifest_with_an_unknown_key() {
    let c = Corpus::new();
    c.replace(
        "layers.toml",
        "min_rows = 1900",
        "min_rows = 1900\nminimum_rows = 5",
    );
    let err = c.refusal();
    assert_has(
        &err,
        &[
            "layers.toml: invalid manifest:",
            "unknown field `minimum_rows`",
        ],
    );
}

#[test]
fn manifest_with_a_match_rate_given_as_a_percentage() {
    let c = Corpus::new();
    c.replace(
        "layers.toml",
        "min_rows = 1900",
        "min_rows = 1900\nmin_match = 95",
    );
    let err = c.refusal();
    assert_has(
        &err,
        &["layers.toml: invalid manifest: metrics 'lep': min_match 95 must be a share between 0 and 1"],
    );
}

#[test]
fn manifest_mapping_a_vintage_to_a_layer_of_another_geography() {
    let c = Corpus::new();
    c.replace(
        "layers.toml",
        r#"layers = { "2020" = "lep-2020" }"#,
        r#"layers = { "2020" = "region" }"#,
    );
    let err = c.refusal();
    assert_has(
        &err,
        &["layers.toml: invalid manifest: metrics 'lep' vintage '2020': layer 'region' is not of geography 'lep'"],
    );
}

// ---- where data files may be, and what they may be ----

/// Points metrics 'lep' at `file` in the corpus manifest.
fn point_lep_at(c: &Corpus, file: &str) {
    c.replace(
        "layers.toml",
        r#"file = "metrics/lep.csv""#,
        &format!("file = {file:?}"),
    );
}

#[test]
fn a_manifest_path_leading_out_of_the_data_folder_is_refused_unless_allowed() {
    let c = Corpus::new();
    // A real table beside the data folder, so that only where it is can be the fault.
    let outside = c.dir.with_extension("outside.csv");
    std::fs::copy(c.path("metrics/lep.csv"), &outside).unwrap();
    let name = outside.file_name().unwrap().to_str().unwrap().to_string();
    point_lep_at(&c, &format!("../{name}"));
    let err = c.refusal();
    assert_eq!(
        err,
        format!("layers.toml: invalid manifest: metrics 'lep': file '../{name}' leads out of the data directory through '..' (start the server with --allow-outside-data-dir to permit it)")
    );
    // --allow-outside-data-dir: the same manifest loads, and serves the table.
    let rules = SourceRules {
        allow_outside_data_dir: true,
        ..SourceRules::default()
    };
    let catalog = c.load_under(rules).unwrap();
    assert!(catalog.metrics.report.totals.rows >= 1900);
    let _ = std::fs::remove_file(&outside);
}

#[test]
fn an_absolute_manifest_path_is_refused() {
    let c = Corpus::new();
    point_lep_at(&c, "/etc/passwd");
    let err = c.refusal();
    assert_eq!(
        err,
        "layers.toml: invalid manifest: metrics 'lep': file '/etc/passwd' is an absolute path; paths are relative to the data directory (start the server with --allow-outside-data-dir to permit it)"
    );
}

#[cfg(unix)]
#[test]
fn a_data_file_linked_to_dev_zero_is_refused_without_being_read() {
    let c = Corpus::new();
    std::fs::remove_file(c.path("metrics/lep.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", c.path("metrics/lep.csv")).unwrap();
    let err = c.refusal();
    assert_eq!(
        err,
        "layers.toml: invalid manifest: metrics 'lep': file 'metrics/lep.csv' leads out of the data directory through a symbolic link (start the server with --allow-outside-data-dir to permit it)"
    );
    // Allowed outside, it is still no regular file: refused from its metadata, not read.
    let rules = SourceRules {
        allow_outside_data_dir: true,
        ..SourceRules::default()
    };
    let err = c.load_under(rules).unwrap_err().to_string();
    assert_eq!(
        err.replace(&format!("{}/", c.dir.display()), ""),
        "metrics/lep.csv: not a regular file but a character device; data files must be regular files"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_data_folder_is_refused_without_being_opened() {
    let c = Corpus::new();
    std::fs::remove_file(c.path("metrics/lep.csv")).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(c.path("metrics/lep.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    // Opening a FIFO with no writer would block the loader for ever.
    let err = c.refusal();
    assert_eq!(
        err,
        "metrics/lep.csv: not a regular file but a FIFO; data files must be regular files"
    );
}

#[test]
fn a_data_file_over_the_size_limit_is_refused() {
    let c = Corpus::new();
    // Repeat one row (exact repeats are counted as duplicates, not refused) until the table is
    // the largest file, then set the limit between it and the rest.
    let mut lines = c.lines("metrics/lep.csv");
    let row = lines[1].clone();
    let largest_other = std::fs::metadata(c.path(REGIONS)).unwrap().len();
    while lines.iter().map(|l| l.len() as u64 + 1).sum::<u64>() <= largest_other + 1000 {
        lines.extend(std::iter::repeat_n(row.clone(), 1000));
    }
    c.write_lines("metrics/lep.csv", &lines);
    let size = std::fs::metadata(c.path("metrics/lep.csv")).unwrap().len();
    let rules = |max_file_bytes| SourceRules {
        max_file_bytes,
        ..SourceRules::default()
    };
    let err = c.load_under(rules(size - 1)).unwrap_err().to_string();
    assert_eq!(
        err.replace(&format!("{}/", c.dir.display()), ""),
        format!(
            "metrics/lep.csv: {size} bytes, over the limit of {} bytes a data file may have (--max-file-mb)",
            size - 1
        )
    );
    c.load_under(rules(size)).unwrap();
}
