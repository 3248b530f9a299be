//! Batches as CSV: the header finds the coordinates (lon/lat, or easting/northing in
//! EPSG:27700) and the delimiter; rows come back byte for byte with the lookup's columns added.

use super::{read_error, too_many, Batch, BatchError, Lookup, Part, Rows};
use crate::ogc::crs::from_bng;
use crate::views::lookup::check_point;
use crate::views::ViewError;
use geo::Point;
use std::io::{BufRead, BufReader, Read};

/// Accepted header names of each coordinate, compared trimmed and case-insensitively.
const LON: &[&str] = &["lon", "lng", "long", "longitude"];
const LAT: &[&str] = &["lat", "latitude"];
const EASTING: &[&str] = &["easting", "eastings", "oseast1m"];
const NORTHING: &[&str] = &["northing", "northings", "osnrth1m"];

/// Where a CSV's coordinates are: two columns (0-based) and their system.
#[derive(Debug, Clone, Copy)]
struct Coordinates {
    x: usize,
    y: usize,
    bng: bool,
}

pub(super) fn read(
    input: impl Read,
    added: &[String],
    max_points: usize,
) -> Result<Batch, BatchError> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let head = input.fill_buf().map_err(read_error)?;
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let delimiter = sniff_delimiter(head);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(input);
    let header = reader.byte_headers().map_err(csv_error)?.clone();
    if header.is_empty() || header.iter().all(<[u8]>::is_empty) {
        return Err(BatchError::Invalid(
            "line 1: the CSV has no header row; it needs lon and lat (or easting and northing) columns".into(),
        ));
    }
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect();
    if let Some((column, name)) = names
        .iter()
        .enumerate()
        .find(|(_, n)| added.iter().any(|a| a.eq_ignore_ascii_case(n)))
    {
        return Err(BatchError::Invalid(format!(
            "line 1, column {}: '{name}' is a column the lookup adds; rename it or leave that layer out of layers=",
            column + 1
        )));
    }
    let coordinates = coordinate_columns(&names)?;
    let mut records = Vec::new();
    let mut points = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != header.len() {
            return Err(BatchError::Invalid(format!(
                "line {line}: {} fields where the header has {}",
                record.len(),
                header.len()
            )));
        }
        if records.len() == max_points {
            return Err(too_many(max_points, &format!("line {line}")));
        }
        points.push(csv_point(&record, line, coordinates, &names)?);
        records.push(record.clone());
    }
    Ok(Batch {
        points,
        rows: Rows::Csv {
            delimiter,
            bom,
            header,
            records,
        },
    })
}

/// The delimiter of a header line: the most frequent of `,`, `;` and tab outside quotes
/// (a comma when none appears).
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(head);
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [b',', b';', b'\t'];
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

fn coordinate_columns(names: &[String]) -> Result<Coordinates, BatchError> {
    let find = |wanted: &[&str]| -> Result<Option<usize>, BatchError> {
        let found: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| wanted.iter().any(|w| w.eq_ignore_ascii_case(n)))
            .map(|(i, _)| i)
            .collect();
        match found[..] {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            _ => Err(BatchError::Invalid(format!(
                "line 1: columns {} all name the same coordinate; keep one",
                found
                    .iter()
                    .map(|&i| format!("{} ('{}')", i + 1, names[i]))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    };
    match (find(LON)?, find(LAT)?, find(EASTING)?, find(NORTHING)?) {
        (Some(x), Some(y), _, _) => Ok(Coordinates { x, y, bng: false }),
        (_, _, Some(x), Some(y)) => Ok(Coordinates { x, y, bng: true }),
        _ => Err(BatchError::Invalid(format!(
            "line 1: no coordinate columns in the header ({}); name them lon and lat (WGS84; also lng, long, longitude, latitude) or easting and northing (EPSG:27700; also oseast1m, osnrth1m)",
            names.join(", ")
        ))),
    }
}

fn csv_point(
    record: &csv::ByteRecord,
    line: u64,
    at: Coordinates,
    names: &[String],
) -> Result<Option<Point<f64>>, BatchError> {
    let cell = |column: usize| -> Result<Option<f64>, BatchError> {
        let raw = record.get(column).unwrap_or_default();
        let where_ = || format!("line {line}, column {} ({})", column + 1, names[column]);
        let text = std::str::from_utf8(raw)
            .map_err(|_| BatchError::Invalid(format!("{}: not UTF-8 text", where_())))?
            .trim();
        if text.is_empty() {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(BatchError::Invalid(format!(
                "{}: '{text}' is not a number",
                where_()
            ))),
        }
    };
    let (x, y) = match (cell(at.x)?, cell(at.y)?) {
        (None, None) => return Ok(None),
        (Some(x), Some(y)) => (x, y),
        (None, Some(_)) | (Some(_), None) => {
            let empty = if cell(at.x)?.is_none() { at.x } else { at.y };
            return Err(BatchError::Invalid(format!(
                "line {line}, column {} ({}): empty while the other coordinate is given (leave both empty for a row without a point)",
                empty + 1,
                names[empty]
            )));
        }
    };
    let column_of = |message: &str| {
        if message.starts_with("lat") {
            at.y
        } else {
            at.x
        }
    };
    let point = if at.bng {
        bng_point(x, y).map_err(|(column_is_y, reason)| {
            let column = if column_is_y { at.y } else { at.x };
            BatchError::Invalid(format!(
                "line {line}, column {} ({}): {reason}",
                column + 1,
                names[column]
            ))
        })?
    } else {
        check_point(x, y).map_err(|e| {
            let message = e.to_string();
            let column = column_of(&message);
            BatchError::Invalid(format!(
                "line {line}, column {} ({}): {}",
                column + 1,
                names[column],
                message
                    .split_once(": ")
                    .map_or(message.as_str(), |(_, m)| m)
            ))
        })?
    };
    Ok(Some(point))
}

/// British National Grid metres to a WGS84 point; the error says whether the northing (true)
/// or the easting was out of the grid.
fn bng_point(easting: f64, northing: f64) -> Result<Point<f64>, (bool, String)> {
    if !(0.0..=700_000.0).contains(&easting) {
        return Err((false, format!("{easting} is outside the grid's 0..700000")));
    }
    if !(0.0..=1_300_000.0).contains(&northing) {
        return Err((true, format!("{northing} is outside the grid's 0..1300000")));
    }
    let (lon, lat) = from_bng(easting, northing).map_err(|e| (false, e.to_string()))?;
    Ok(Point::new(lon, lat))
}

fn csv_error(e: csv::Error) -> BatchError {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => read_error(e),
        other => BatchError::Invalid(format!("{other:?}")),
    }
}

/// Writes the CSV answer: the input's header, delimiter and byte-order mark, every row as it
/// came, and two columns per layer. Several areas in one cell are separated by `;`.
pub(super) fn write(
    lookup: &mut Lookup<'_>,
    batch: &Batch,
    delimiter: u8,
    bom: bool,
    header: &csv::ByteRecord,
    records: &[csv::ByteRecord],
) -> Result<Vec<u8>, ViewError> {
    let mut out = Vec::with_capacity(records.len() * 96);
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(out);
    // Writing to a Vec cannot fail; the results are for the `Write` trait's sake.
    let header_names = header.iter().enumerate().map(|(i, h)| {
        if i == 0 && bom {
            h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h)
        } else {
            h
        }
    });
    for name in header_names {
        let _ = writer.write_field(name);
    }
    for name in super::added_columns(&lookup.layers) {
        let _ = writer.write_field(name);
    }
    let _ = writer.write_record(None::<&[u8]>);
    let mut cell = String::new();
    for (record, point) in records.iter().zip(&batch.points) {
        for field in record {
            let _ = writer.write_field(field);
        }
        for layer in 0..lookup.layers.len() {
            lookup.find(layer, *point);
            for part in [Part::Code, Part::Name] {
                cell.clear();
                lookup.join(layer, part, &mut cell);
                let _ = writer.write_field(&cell);
            }
        }
        let _ = writer.write_record(None::<&[u8]>);
    }
    writer
        .into_inner()
        .map_err(|e| ViewError::internal(format!("writing the CSV answer: {}", e.error())))
}
