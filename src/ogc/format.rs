//! The encodings of features (GeoJSON, CSV, FlatGeobuf, an HTML page) and the choice between them: `f=`
//! first, then the `Accept` header, else GeoJSON.

use super::links::{CSV, FLATGEOBUF, GEOJSON, HTML};

/// An encoding of a feature collection or of one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Csv,
    FlatGeobuf,
    /// A readable page (a table of the properties), for a browser.
    Html,
}

/// The `f` values accepted, as listed in errors.
pub const F_VALUES: &str = "json, geojson, csv, fgb, flatgeobuf, html";

impl Format {
    /// Every format, in the order alternates are listed.
    pub const ALL: [Format; 4] = [
        Format::GeoJson,
        Format::Csv,
        Format::FlatGeobuf,
        Format::Html,
    ];

    /// The media type of links to this format.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::GeoJson => GEOJSON,
            Format::Csv => CSV,
            Format::FlatGeobuf => FLATGEOBUF,
            Format::Html => HTML,
        }
    }

    /// The `Content-Type` of a response: the media type, with the charset for CSV.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            other => other.media_type(),
        }
    }

    /// The `f` value that selects this format in a link.
    pub fn f(self) -> &'static str {
        match self {
            Format::GeoJson => "json",
            Format::Csv => "csv",
            Format::FlatGeobuf => "fgb",
            Format::Html => "html",
        }
    }

    /// The file extension of a download.
    pub fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Csv => "csv",
            Format::FlatGeobuf => "fgb",
            Format::Html => "html",
        }
    }

    /// A short human name, for link titles.
    pub fn title(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Csv => "CSV",
            Format::FlatGeobuf => "FlatGeobuf",
            Format::Html => "HTML",
        }
    }

    /// Whether this is a file download (CSV, FlatGeobuf): no links in the body, so paging links
    /// go in a `Link` header, and without `limit` the whole result is returned.
    pub fn is_download(self) -> bool {
        matches!(self, Format::Csv | Format::FlatGeobuf)
    }

    /// Parses an `f` value.
    ///
    /// ```
    /// use smartspec::ogc::Format;
    /// assert_eq!(Format::from_f("fgb"), Ok(Format::FlatGeobuf));
    /// assert!(Format::from_f("xml").unwrap_err().contains("csv"));
    /// ```
    pub fn from_f(value: &str) -> Result<Format, String> {
        match value {
            "json" | "geojson" => Ok(Format::GeoJson),
            "csv" => Ok(Format::Csv),
            "fgb" | "flatgeobuf" => Ok(Format::FlatGeobuf),
            "html" => Ok(Format::Html),
            other => Err(format!("f: expected one of {F_VALUES}, got '{other}'")),
        }
    }

    /// Chooses the format: `f` wins; else the `Accept` media range with the highest quality
    /// that names a format (a named type beats a wildcard of the same quality, then the first
    /// listed); a missing `Accept`, `*/*`, or one naming only unsupported types gives GeoJSON.
    ///
    /// ```
    /// use smartspec::ogc::Format;
    /// assert_eq!(Format::negotiate(Some("csv"), Some("application/geo+json")), Ok(Format::Csv));
    /// assert_eq!(Format::negotiate(None, Some("text/csv")), Ok(Format::Csv));
    /// assert_eq!(Format::negotiate(None, Some("*/*")), Ok(Format::GeoJson));
    /// assert_eq!(Format::negotiate(None, None), Ok(Format::GeoJson));
    /// ```
    pub fn negotiate(f: Option<&str>, accept: Option<&str>) -> Result<Format, String> {
        if let Some(f) = f {
            return Format::from_f(f);
        }
        let Some(accept) = accept else {
            return Ok(Format::GeoJson);
        };
        // (format, quality in thousandths, named rather than wildcard); the first best wins.
        let mut best: Option<(Format, u16, bool)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| {
                    let (name, value) = p.split_once('=')?;
                    (name.trim().eq_ignore_ascii_case("q")).then(|| parse_quality(value.trim()))
                })
                .next()
                .unwrap_or(Some(1000));
            let Some(quality) = quality.filter(|q| *q > 0) else {
                continue;
            };
            let Some((format, named)) = format_of_media_range(&media) else {
                continue;
            };
            let better = best.is_none_or(|(_, q, n)| quality > q || (quality == q && named && !n));
            if better {
                best = Some((format, quality, named));
            }
        }
        Ok(best.map_or(Format::GeoJson, |(format, _, _)| format))
    }
}

/// The format a media range selects, and whether it names a type (not a wildcard).
fn format_of_media_range(media: &str) -> Option<(Format, bool)> {
    match media {
        "application/geo+json" | "application/json" | "application/vnd.geo+json" => {
            Some((Format::GeoJson, true))
        }
        "text/csv" => Some((Format::Csv, true)),
        "application/flatgeobuf" | "application/x-flatgeobuf" => Some((Format::FlatGeobuf, true)),
        "text/html" | "application/xhtml+xml" => Some((Format::Html, true)),
        "*/*" | "application/*" => Some((Format::GeoJson, false)),
        "text/*" => Some((Format::Csv, false)),
        _ => None,
    }
}

/// An RFC 9110 `qvalue` in thousandths; `None` when malformed (the range is then ignored).
fn parse_quality(value: &str) -> Option<u16> {
    let q: f64 = value.parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(header: &str) -> Format {
        Format::negotiate(None, Some(header)).unwrap()
    }

    #[test]
    fn f_wins_over_accept_and_unknown_f_lists_the_choices() {
        assert_eq!(
            Format::negotiate(Some("fgb"), Some("text/csv")),
            Ok(Format::FlatGeobuf)
        );
        assert_eq!(
            Format::negotiate(Some("json"), Some("text/csv")),
            Ok(Format::GeoJson)
        );
        assert_eq!(
            Format::negotiate(Some("shp"), None),
            Err("f: expected one of json, geojson, csv, fgb, flatgeobuf, html, got 'shp'".into())
        );
    }

    #[test]
    fn accept_picks_the_highest_quality_then_the_named_type() {
        assert_eq!(accept("application/flatgeobuf"), Format::FlatGeobuf);
        assert_eq!(
            accept("text/csv;q=0.5, application/geo+json"),
            Format::GeoJson
        );
        assert_eq!(accept("application/geo+json;q=0.5, text/csv"), Format::Csv);
        assert_eq!(accept("*/*, text/csv"), Format::Csv);
        assert_eq!(accept("text/csv; charset=utf-8"), Format::Csv);
        assert_eq!(accept("TEXT/CSV"), Format::Csv);
        assert_eq!(accept("text/csv;q=0, */*"), Format::GeoJson);
        assert_eq!(
            accept("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Format::Html
        );
    }

    #[test]
    fn unsupported_or_malformed_accept_falls_back_to_geojson() {
        assert_eq!(accept("image/png"), Format::GeoJson);
        assert_eq!(accept(""), Format::GeoJson);
        assert_eq!(accept("text/csv;q=abc"), Format::GeoJson);
        assert_eq!(accept(";;,,"), Format::GeoJson);
    }
}
