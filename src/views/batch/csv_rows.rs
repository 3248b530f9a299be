//! Batches as CSV: the header finds the coordinates (lon/lat, or easting/northing in
//! EPSG:27700) and the delimiter; rows come back byte for byte with the lookup's columns added.

use super::{read_error, too_many, Batch, BatchError, Lookup, Part, Rows};
use crate::ogc::crs::from_bng;
use crate::views::lookup::check_point;
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

/// A CSV batch as read: every byte of the input, where each line (header first) starts, and
/// its delimiter; rows are written back from these bytes, so they come back as they were sent.
#[derive(Debug)]
pub(super) struct Table {
    delimiter: u8,
    input: Vec<u8>,
    /// The byte offset of each record, the header's (0) first.
    starts: Vec<usize>,
}

pub(super) fn read(
    input: impl Read,
    added: &[String],
    max_points: usize,
) -> Result<Batch, BatchError> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let head = input.fill_buf().map_err(read_error)?;
    let delimiter = sniff_delimiter(head);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(Recorded {
            inner: input,
            seen: Vec::new(),
        });
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
    let mut starts = vec![0];
    let mut points = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let (line, byte) = record
            .position()
            .map_or((0, 0), |p| (p.line(), p.byte() as usize));
        if record.len() != header.len() {
            return Err(BatchError::Invalid(format!(
                "line {line}: {} fields where the header has {}",
                record.len(),
                header.len()
            )));
        }
        if points.len() == max_points {
            return Err(too_many(max_points, &format!("line {line}")));
        }
        points.push(csv_point(&record, line, coordinates, &names)?);
        starts.push(byte);
    }
    Ok(Batch {
        points,
        rows: Rows::Csv(Table {
            delimiter,
            input: reader.into_inner().seen,
            starts,
        }),
    })
}

/// A reader that keeps a copy of every byte read through it.
struct Recorded<R> {
    inner: R,
    seen: Vec<u8>,
}

impl<R: Read> Read for Recorded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.extend_from_slice(&buf[..n]);
        Ok(n)
    }
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

/// Writes the CSV answer: every line as it came (the header with its byte-order mark, each
/// row's bytes, quoting and line ending), then two fields per layer. Several areas in one
/// field are separated by `;`.
pub(super) fn write(lookup: &mut Lookup<'_>, batch: &Batch, table: &Table) -> Vec<u8> {
    let Table {
        delimiter,
        input,
        starts,
    } = table;
    let ends = starts.iter().skip(1).copied().chain([input.len()]);
    let lines: Vec<&[u8]> = starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| input.get(start..end).unwrap_or_default())
        .collect();
    let crlf = lines.first().is_some_and(|l| l.ends_with(b"\r\n"));
    let ending: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = Vec::with_capacity(input.len() + batch.points.len() * 24 * lookup.layers.len());
    let mut cell = String::new();
    for (i, line) in lines.iter().enumerate() {
        let end = line
            .iter()
            .rposition(|&b| b != b'\n' && b != b'\r')
            .map_or(0, |p| p + 1);
        out.extend_from_slice(&line[..end]);
        if i == 0 {
            for name in super::added_columns(&lookup.layers) {
                out.push(*delimiter);
                push_field(&mut out, &name, *delimiter);
            }
        } else {
            let point = batch.points.get(i - 1).copied().flatten();
            for layer in 0..lookup.layers.len() {
                lookup.find(layer, point);
                for part in [Part::Code, Part::Name] {
                    cell.clear();
                    lookup.join(layer, part, &mut cell);
                    out.push(*delimiter);
                    push_field(&mut out, &cell, *delimiter);
                }
            }
        }
        out.extend_from_slice(ending);
    }
    out
}

/// Appends `field`, quoted (RFC 4180) if it holds the delimiter, a quote or a line break.
fn push_field(out: &mut Vec<u8>, field: &str, delimiter: u8) {
    let bytes = field.as_bytes();
    if !bytes
        .iter()
        .any(|&b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
    {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for &b in bytes {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}
