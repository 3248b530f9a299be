//! Output CRSs (OGC API Features Part 2): CRS84 and British National Grid, and reprojection.
//!
//! Storage is CRS84 (WGS84 longitude, latitude). EPSG:27700 is OSGB36 / British National Grid:
//! Transverse Mercator on the Airy 1830 ellipsoid, reached from WGS84 by the 7-parameter Helmert
//! transform OS publishes (the one PROJ and GDAL use without the OSTN15 grid), computed by the
//! pure-Rust `proj4rs`. Eastings and northings are rounded to the millimetre.

use geo::{Coord, Rect};
use proj4rs::proj::Proj;
use serde_json::value::RawValue;
use serde_json::Value;
use std::sync::LazyLock;

/// The URI of OGC CRS84 (WGS84 longitude, latitude), the storage and default CRS.
pub const CRS84_URI: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// The URI of EPSG:27700, OSGB36 / British National Grid (easting, northing in metres).
pub const BNG_URI: &str = "http://www.opengis.net/def/crs/EPSG/0/27700";

/// EPSG:27700 as a PROJ string: OSGB36 Transverse Mercator with OS's WGS84 Helmert parameters.
const BNG_PROJ: &str = "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 \
    +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs";
const WGS84_PROJ: &str = "+proj=longlat +datum=WGS84 +no_defs";

/// Easting and northing decimals in 27700 output: millimetres.
pub const BNG_DECIMALS: i32 = 3;

/// Points per edge when a 27700 box is turned into a CRS84 box.
const DENSIFY: usize = 64;
/// Added to every side of a transformed box (degrees, about 1 m): a safety margin for the
/// curvature of the edges between the densified points, which is far smaller.
const BOX_MARGIN_DEG: f64 = 1e-5;

/// A coordinate reference system this server can answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    /// WGS84 longitude, latitude (degrees): the storage CRS and the default.
    #[default]
    Crs84,
    /// OSGB36 / British National Grid: easting, northing (metres).
    Bng,
}

/// A CRS value that is not supported, or coordinates that cannot be transformed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CrsError {
    #[error("{param}: unsupported CRS '{value}'; supported: {}", Crs::supported())]
    Unsupported { param: String, value: String },
    #[error("cannot transform ({x}, {y}) from {from} to {to}: {reason}")]
    Transform {
        x: f64,
        y: f64,
        from: &'static str,
        to: &'static str,
        reason: String,
    },
    #[error("geometry is not GeoJSON: {0}")]
    Geometry(String),
}

impl Crs {
    /// Every supported CRS, the storage CRS first.
    pub const ALL: [Crs; 2] = [Crs::Crs84, Crs::Bng];
    /// The URIs of [`Crs::ALL`], in its order.
    pub const URIS: &'static [&'static str] = &[CRS84_URI, BNG_URI];

    /// The OGC URI naming this CRS.
    pub fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => CRS84_URI,
            Crs::Bng => BNG_URI,
        }
    }

    /// The value of a `Content-Crs` header: the URI in angle brackets.
    ///
    /// ```
    /// use smartspec::ogc::Crs;
    /// assert_eq!(Crs::Bng.content_crs(), "<http://www.opengis.net/def/crs/EPSG/0/27700>");
    /// ```
    pub fn content_crs(self) -> String {
        format!("<{}>", self.uri())
    }

    /// Parses the value of the parameter `param` (`crs`, `bbox-crs`): exactly one of the URIs.
    ///
    /// ```
    /// use smartspec::ogc::Crs;
    /// assert_eq!(Crs::parse("crs", "http://www.opengis.net/def/crs/EPSG/0/27700"), Ok(Crs::Bng));
    /// let err = Crs::parse("crs", "EPSG:4326").unwrap_err().to_string();
    /// assert!(err.starts_with("crs: unsupported CRS 'EPSG:4326'; supported: http://"));
    /// ```
    pub fn parse(param: &str, value: &str) -> Result<Crs, CrsError> {
        Crs::ALL
            .into_iter()
            .find(|c| c.uri() == value)
            .ok_or_else(|| CrsError::Unsupported {
                param: param.to_string(),
                value: value.to_string(),
            })
    }

    /// The supported URIs, comma-separated.
    pub fn supported() -> String {
        Crs::ALL.map(Crs::uri).join(", ")
    }
}

struct Projections {
    wgs84: Proj,
    bng: Proj,
}

static PROJECTIONS: LazyLock<Result<Projections, String>> = LazyLock::new(|| {
    Ok(Projections {
        wgs84: Proj::from_proj_string(WGS84_PROJ).map_err(|e| format!("WGS84: {e}"))?,
        bng: Proj::from_proj_string(BNG_PROJ).map_err(|e| format!("EPSG:27700: {e}"))?,
    })
});

fn projections() -> Result<&'static Projections, CrsError> {
    PROJECTIONS.as_ref().map_err(|reason| CrsError::Transform {
        x: f64::NAN,
        y: f64::NAN,
        from: CRS84_URI,
        to: BNG_URI,
        reason: reason.clone(),
    })
}

fn round_mm(v: f64) -> f64 {
    let scale = 10f64.powi(BNG_DECIMALS);
    (v * scale).round() / scale
}

/// CRS84 longitude, latitude (degrees) to British National Grid easting, northing (metres),
/// unrounded.
///
/// ```
/// // Lambeth, OS test point TP09 (OSTN15: 530624.974, 178388.464); the Helmert is within metres.
/// let (e, n) = smartspec::ogc::crs::to_bng(-0.11992557180, 51.48936564950).unwrap();
/// assert!((e - 530624.974).abs() < 5.0 && (n - 178388.464).abs() < 5.0);
/// ```
pub fn to_bng(lon: f64, lat: f64) -> Result<(f64, f64), CrsError> {
    let p = projections()?;
    let fail = |reason: String| CrsError::Transform {
        x: lon,
        y: lat,
        from: CRS84_URI,
        to: BNG_URI,
        reason,
    };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(fail("outside -180..180, -90..90".into()));
    }
    let mut point = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(&p.wgs84, &p.bng, &mut point).map_err(|e| fail(e.to_string()))?;
    match (point.0.is_finite(), point.1.is_finite()) {
        (true, true) => Ok((point.0, point.1)),
        _ => Err(fail("no finite result".into())),
    }
}

/// British National Grid easting, northing (metres) to CRS84 longitude, latitude (degrees).
pub fn from_bng(easting: f64, northing: f64) -> Result<(f64, f64), CrsError> {
    let p = projections()?;
    let fail = |reason: String| CrsError::Transform {
        x: easting,
        y: northing,
        from: BNG_URI,
        to: CRS84_URI,
        reason,
    };
    let mut point = (easting, northing, 0.0);
    proj4rs::transform::transform(&p.bng, &p.wgs84, &mut point).map_err(|e| fail(e.to_string()))?;
    let (lon, lat) = (point.0.to_degrees(), point.1.to_degrees());
    if lon.is_finite() && lat.is_finite() {
        Ok((lon, lat))
    } else {
        Err(fail("no finite result".into()))
    }
}

/// A box given in `crs` as a CRS84 box that contains all of it.
///
/// A 27700 box (minE,minN,maxE,maxN) is not a rectangle in CRS84: its edges are densified
/// ([`DENSIFY`] points each), transformed, and the envelope of the result widened by about a
/// metre, so no feature that intersects the 27700 box is missed by a CRS84 query.
pub fn bbox_to_crs84(bbox: Rect<f64>, crs: Crs) -> Result<Rect<f64>, CrsError> {
    if crs == Crs::Crs84 {
        return Ok(bbox);
    }
    let (min, max) = (bbox.min(), bbox.max());
    let mut lo = Coord {
        x: f64::INFINITY,
        y: f64::INFINITY,
    };
    let mut hi = Coord {
        x: f64::NEG_INFINITY,
        y: f64::NEG_INFINITY,
    };
    for i in 0..=DENSIFY {
        let t = i as f64 / DENSIFY as f64;
        let x = min.x + (max.x - min.x) * t;
        let y = min.y + (max.y - min.y) * t;
        for (e, n) in [(x, min.y), (x, max.y), (min.x, y), (max.x, y)] {
            let (lon, lat) = from_bng(e, n)?;
            lo = Coord {
                x: lo.x.min(lon),
                y: lo.y.min(lat),
            };
            hi = Coord {
                x: hi.x.max(lon),
                y: hi.y.max(lat),
            };
        }
    }
    Ok(Rect::new(
        Coord {
            x: (lo.x - BOX_MARGIN_DEG).max(-180.0),
            y: (lo.y - BOX_MARGIN_DEG).max(-90.0),
        },
        Coord {
            x: (hi.x + BOX_MARGIN_DEG).min(180.0),
            y: (hi.y + BOX_MARGIN_DEG).min(90.0),
        },
    ))
}

/// A CRS84 GeoJSON geometry (pre-serialised) in `crs`: parsed, every position transformed
/// (27700: rounded to the millimetre), and serialised again. Any geometry type; a `bbox`
/// member is recomputed from the transformed positions.
///
/// ```
/// use serde_json::value::RawValue;
/// use smartspec::ogc::{crs::reproject_geometry, Crs};
/// let g = RawValue::from_string(r#"{"type":"Point","coordinates":[-2,49]}"#.into()).unwrap();
/// let out = reproject_geometry(&g, Crs::Bng).unwrap();
/// let v: serde_json::Value = serde_json::from_str(out.get()).unwrap();
/// let c = v["coordinates"].as_array().unwrap();
/// // The true origin of the grid, moved by the WGS84 to OSGB36 datum shift (tens of metres).
/// assert!((c[0].as_f64().unwrap() - 400_000.0).abs() < 200.0);
/// assert!((c[1].as_f64().unwrap() + 100_000.0).abs() < 200.0);
/// ```
pub fn reproject_geometry(geometry: &RawValue, crs: Crs) -> Result<Box<RawValue>, CrsError> {
    if crs == Crs::Crs84 {
        return Ok(geometry.to_owned());
    }
    let mut value: Value =
        serde_json::from_str(geometry.get()).map_err(|e| CrsError::Geometry(e.to_string()))?;
    let mut envelope = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    transform_value(&mut value, &mut envelope)?;
    if let Some(bbox) = value.get_mut("bbox") {
        *bbox = Value::from(envelope.to_vec());
    }
    let text = serde_json::to_string(&value).map_err(|e| CrsError::Geometry(e.to_string()))?;
    RawValue::from_string(text).map_err(|e| CrsError::Geometry(e.to_string()))
}

/// Transforms every position under `coordinates` (and `geometries` of a collection).
fn transform_value(geometry: &mut Value, envelope: &mut [f64; 4]) -> Result<(), CrsError> {
    if let Some(Value::Array(members)) = geometry.get_mut("geometries") {
        for member in members {
            transform_value(member, envelope)?;
        }
    }
    match geometry.get_mut("coordinates") {
        Some(coordinates) => transform_positions(coordinates, envelope),
        None => Ok(()),
    }
}

fn transform_positions(value: &mut Value, envelope: &mut [f64; 4]) -> Result<(), CrsError> {
    let Value::Array(items) = value else {
        return Err(CrsError::Geometry("coordinates must be arrays".into()));
    };
    if items.first().is_some_and(Value::is_number) {
        let (Some(lon), Some(lat)) = (
            items.first().and_then(Value::as_f64),
            items.get(1).and_then(Value::as_f64),
        ) else {
            return Err(CrsError::Geometry(
                "a position needs two numbers".to_string(),
            ));
        };
        let (e, n) = to_bng(lon, lat)?;
        let (e, n) = (round_mm(e), round_mm(n));
        *envelope = [
            envelope[0].min(e),
            envelope[1].min(n),
            envelope[2].max(e),
            envelope[3].max(n),
        ];
        if let Some(x) = items.get_mut(0) {
            *x = Value::from(e);
        }
        if let Some(y) = items.get_mut(1) {
            *y = Value::from(n);
        }
        return Ok(());
    }
    for item in items {
        transform_positions(item, envelope)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parse_accepts_exactly_the_uris_and_lists_them_on_error() {
        assert_eq!(Crs::parse("crs", CRS84_URI), Ok(Crs::Crs84));
        assert_eq!(Crs::parse("bbox-crs", BNG_URI), Ok(Crs::Bng));
        let err = Crs::parse("bbox-crs", "EPSG:27700")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!("bbox-crs: unsupported CRS 'EPSG:27700'; supported: {CRS84_URI}, {BNG_URI}")
        );
        assert!(Crs::parse("crs", &format!("{BNG_URI} ")).is_err());
    }

    #[test]
    fn round_trip_is_within_a_millimetre() {
        for (lon, lat) in [
            (-2.244, 53.479),
            (1.716, 52.658),
            (-5.7, 50.06),
            (-2.0, 55.8),
        ] {
            let (e, n) = to_bng(lon, lat).unwrap();
            let (lon2, lat2) = from_bng(e, n).unwrap();
            let (e2, n2) = to_bng(lon2, lat2).unwrap();
            assert!(
                (e - e2).abs() < 1e-3 && (n - n2).abs() < 1e-3,
                "{lon},{lat}"
            );
        }
    }

    #[test]
    fn a_bng_box_becomes_a_crs84_box_containing_its_whole_outline() {
        let bng = Rect::new(
            Coord {
                x: 370_000.0,
                y: 380_000.0,
            },
            Coord {
                x: 400_000.0,
                y: 410_000.0,
            },
        );
        let out = bbox_to_crs84(bng, Crs::Bng).unwrap();
        // Every point of the outline, sampled 16 times finer than the densification, is inside;
        // and the box is no more than the margin (plus a hair) wider than the outline.
        let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for i in 0..=1024 {
            let t = f64::from(i) / 1024.0;
            let (x, y) = (370_000.0 + 30_000.0 * t, 380_000.0 + 30_000.0 * t);
            for (e, n) in [
                (x, 380_000.0),
                (x, 410_000.0),
                (370_000.0, y),
                (400_000.0, y),
            ] {
                let (lon, lat) = from_bng(e, n).unwrap();
                assert!(out.min().x < lon && lon < out.max().x, "{e},{n}");
                assert!(out.min().y < lat && lat < out.max().y, "{e},{n}");
                lo = (lo.0.min(lon), lo.1.min(lat));
                hi = (hi.0.max(lon), hi.1.max(lat));
            }
        }
        for slack in [
            lo.0 - out.min().x,
            lo.1 - out.min().y,
            out.max().x - hi.0,
            out.max().y - hi.1,
        ] {
            assert!(slack > 0.0 && slack < BOX_MARGIN_DEG * 1.01, "{slack}");
        }
    }

    #[test]
    fn reprojection_keeps_structure_and_recomputes_bbox() {
        let g = RawValue::from_string(
            r#"{"type":"MultiPolygon","bbox":[-3,53,-2,54],"coordinates":[[[[-3,53],[-2,53],[-2,54],[-3,53]]]]}"#.into(),
        )
        .unwrap();
        let out: Value =
            serde_json::from_str(reproject_geometry(&g, Crs::Bng).unwrap().get()).unwrap();
        let ring = &out["coordinates"][0][0];
        assert_eq!(ring.as_array().unwrap().len(), 4);
        assert_eq!(ring[0], ring[3]);
        let e0 = ring[0][0].as_f64().unwrap();
        assert_eq!(e0, (e0 * 1000.0).round() / 1000.0, "millimetres");
        assert_eq!(out["bbox"][0], ring[0][0]);
        assert_eq!(out["bbox"][3], ring[2][1]);
        let same = reproject_geometry(&g, Crs::Crs84).unwrap();
        assert_eq!(same.get(), g.get());
    }
}
