//! Stage 2b: a layer's shared arcs, coverage-safe simplification of them into zoom bands, and
//! label points (each area's pole of inaccessibility, [`label_point`]).
//!
//! Like TopoJSON and mapshaper: the rings of all areas of a layer are cut into *arcs* (maximal
//! chains of segments owned by the same set of rings, split at junctions, see [`Topology`]); each
//! arc is simplified once per band (Douglas–Peucker, endpoints fixed, the tolerance half a pixel
//! in Web Mercator at 52.5°N) and rounded to the band's
//! precision, and every area is rebuilt from its arcs. Two neighbours therefore carry identical
//! border coordinates at every band: no gaps, no slivers. Parts and holes under a pixel that no
//! other area shares a border with are left out of a band (a hole only when no ring at all fills
//! or borders it), so leaving them out makes no gap and no overlap. A rebuilt polygon that is invalid or
//! degenerate has its arcs refined (half the tolerance, a quarter, none, then the source
//! coordinates) and every polygon sharing those arcs is rebuilt, until all are valid. Then the
//! band is checked as a coverage ([`coverage`]: no arcs crossing or touching off their junctions,
//! no segment jumping another arc's vertex) and against the source ([`overlaps`]: each overlap as
//! large as the source's, none it lacks, no gap it lacks), refining until all of it holds.

mod arcs;
mod coverage;
mod label;
mod overlaps;
mod simplify;
mod valid;

pub use arcs::{ArcRef, PolygonArcs, Topology};
pub use label::{label_point, pole_of_inaccessibility, LabelPoint, LABEL_PRECISION_DEG};
pub use simplify::BandStats;

use geo::{LineString, MultiPolygon};

/// Zooms from this one up are served at full resolution (no band).
pub const FULL_RESOLUTION_ZOOM: u8 = 12;

/// The latitude (degrees) at which a band's pixel is measured: the middle of England.
pub const REFERENCE_LATITUDE_DEG: f64 = 52.5;

/// cos(52.5°), written out because `f64::cos` is not a `const fn`.
const COS_REFERENCE_LATITUDE: f64 = 0.608_761_429_008_720_6;

/// One zoom band: which zooms it serves, its simplification tolerance and coordinate precision.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BandSpec {
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Douglas–Peucker tolerance in degrees of latitude: half a pixel at `max_zoom` at 52.5°N
    /// (longitudes are scaled by cos 52.5° before simplifying, so it is half a pixel across too).
    pub tolerance_deg: f64,
    /// Decimal places kept in the coordinates.
    pub decimals: u8,
}

impl BandSpec {
    /// The band serving `min_zoom..=max_zoom`, measured at `max_zoom`.
    pub const fn new(min_zoom: u8, max_zoom: u8, decimals: u8) -> BandSpec {
        BandSpec {
            min_zoom,
            max_zoom,
            tolerance_deg: 0.5 * pixel_deg(max_zoom),
            decimals,
        }
    }

    /// Parts (polygons of a multipolygon) and holes with an area below this, one pixel, may be
    /// dropped (in square degrees of latitude: longitudes scaled by cos 52.5°, as for the
    /// tolerance): a part when its area keeps another part and no other area shares
    /// its arcs, a hole when no other ring uses its arcs (no area fills or borders it).
    pub const fn min_part_area_deg2(&self) -> f64 {
        let pixel = pixel_deg(self.max_zoom);
        pixel * pixel
    }
}

/// The height of one 256-px Web Mercator tile pixel at `zoom`, in degrees of latitude at 52.5°N.
///
/// ```
/// let z5 = smartspec::topology::pixel_deg(5);
/// assert!((z5 - 360.0 / 8192.0 * 0.6088).abs() < 1e-5);
/// ```
pub const fn pixel_deg(zoom: u8) -> f64 {
    360.0 / (256.0 * (1u64 << zoom) as f64) * COS_REFERENCE_LATITUDE
}

/// The bands: z<=5, 6, 7, 8, 9, 10, 11; full resolution from [`FULL_RESOLUTION_ZOOM`].
pub const BANDS: [BandSpec; 7] = [
    BandSpec::new(0, 5, 3),
    BandSpec::new(6, 6, 3),
    BandSpec::new(7, 7, 4),
    BandSpec::new(8, 8, 4),
    BandSpec::new(9, 9, 4),
    BandSpec::new(10, 10, 5),
    BandSpec::new(11, 11, 5),
];

/// The bands, coarsest first.
pub fn bands() -> &'static [BandSpec] {
    &BANDS
}

/// The index into [`bands`] of the band serving `zoom`; `None` from [`FULL_RESOLUTION_ZOOM`] up.
///
/// ```
/// use smartspec::topology::band_for_zoom;
/// assert_eq!(band_for_zoom(0), Some(0));
/// assert_eq!(band_for_zoom(5), Some(0));
/// assert_eq!(band_for_zoom(6), Some(1));
/// assert_eq!(band_for_zoom(11), Some(6));
/// assert_eq!(band_for_zoom(12), None);
/// ```
pub fn band_for_zoom(zoom: u8) -> Option<usize> {
    BANDS
        .iter()
        .position(|b| b.min_zoom <= zoom && zoom <= b.max_zoom)
}

/// A layer's geometry in one band, aligned with the input order (same length, every area present).
#[derive(Debug, Clone)]
pub struct Band {
    pub spec: BandSpec,
    pub geometries: Vec<MultiPolygon<f64>>,
    /// The band's coordinates of every arc of the layer's [`Topology`] (same order): the
    /// geometries are made of exactly these, so a TopoJSON encoding can reuse them.
    pub arcs: Vec<LineString<f64>>,
    pub stats: BandStats,
}

/// Generalises one layer into every band of [`bands`] (one [`Band`] each, in that order).
///
/// ```
/// use geo::{polygon, MultiPolygon};
/// use smartspec::topology::{generalise_layer, bands};
///
/// let west = MultiPolygon(vec![polygon![(x: 0.0, y: 52.0), (x: 1.0, y: 52.0), (x: 1.0, y: 53.0), (x: 0.0, y: 53.0)]]);
/// let east = MultiPolygon(vec![polygon![(x: 1.0, y: 52.0), (x: 2.0, y: 52.0), (x: 2.0, y: 53.0), (x: 1.0, y: 53.0)]]);
/// let out = generalise_layer(&[&west, &east]);
/// assert_eq!(out.len(), bands().len());
/// assert!(out.iter().all(|band| band.geometries.len() == 2));
/// ```
pub fn generalise_layer(geometries: &[&MultiPolygon<f64>]) -> Vec<Band> {
    let topology = Topology::build(geometries);
    BANDS.iter().map(|spec| topology.generalise(spec)).collect()
}

#[cfg(test)]
mod tests;
