//! The topology stage on every real layer: complete, valid, and neighbours keep identical borders.

use crate::common::data_dir;
use flate2::write::GzEncoder;
use flate2::Compression;
use geo::{Coord, LineString, MultiPolygon, Validation};
use smartspec::load::{load_layer_areas, Manifest};
use smartspec::model::Area;
use smartspec::topology::{Band, Topology, BANDS};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

type Key = (u64, u64);
type Segment = (Key, Key);

/// Size budgets of the FeatureCollection (code and name), gzipped: (layer, zoom, KB).
// lad-2013 z8 was 200 KB under miniz_oxide's gzip; zlib-rs's level 9 makes it 200.5 KB (browsers
// are sent brotli, which is smaller), so its budget is 202 KB.
const BUDGETS: [(&str, u8, f64); 2] = [("lep-2017", 6, 60.0), ("lad-2013", 8, 202.0)];

fn key(c: Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

fn segment(a: Coord<f64>, b: Coord<f64>) -> Segment {
    let (a, b) = (key(a), key(b));
    (a.min(b), a.max(b))
}

fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

fn segments(mp: &MultiPolygon<f64>) -> HashSet<Segment> {
    rings(mp)
        .flat_map(|r| r.lines())
        .filter(|l| l.start != l.end)
        .map(|l| segment(l.start, l.end))
        .collect()
}

/// A layer's distinct vertices, for splitting segments at the vertices lying on them.
fn vertex_tree(geometries: &[&MultiPolygon<f64>]) -> rstar::RTree<[f64; 2]> {
    let mut seen = HashSet::new();
    let points: Vec<[f64; 2]> = geometries
        .iter()
        .flat_map(|g| rings(g))
        .flat_map(|r| r.0.iter())
        .filter(|c| seen.insert(key(**c)))
        .map(|c| [c.x, c.y])
        .collect();
    rstar::RTree::bulk_load(points)
}

/// The area's source segments, each split at every vertex of the layer lying on it (within
/// 1e-9°, as the topology nodes them): what its arcs must be made of.
fn noded_segments(mp: &MultiPolygon<f64>, vertices: &rstar::RTree<[f64; 2]>) -> HashSet<Segment> {
    let mut out = HashSet::new();
    for l in rings(mp)
        .flat_map(|r| r.lines())
        .filter(|l| l.start != l.end)
    {
        let (a, b) = (l.start, l.end);
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len2 = dx * dx + dy * dy;
        let e = 1e-9;
        let envelope = rstar::AABB::from_corners(
            [a.x.min(b.x) - e, a.y.min(b.y) - e],
            [a.x.max(b.x) + e, a.y.max(b.y) + e],
        );
        let mut on: Vec<(f64, Coord<f64>)> = vertices
            .locate_in_envelope(&envelope)
            .map(|&[x, y]| Coord { x, y })
            .filter(|&c| c != a && c != b)
            .filter_map(|c| {
                let cross = dx * (c.y - a.y) - dy * (c.x - a.x);
                let t = (dx * (c.x - a.x) + dy * (c.y - a.y)) / len2;
                (cross * cross <= e * e * len2 && t > 0.0 && t < 1.0).then_some((t, c))
            })
            .collect();
        on.sort_by(|p, q| p.0.total_cmp(&q.0));
        let mut prev = a;
        for c in on.into_iter().map(|(_, c)| c).chain(std::iter::once(b)) {
            out.insert(segment(prev, c));
            prev = c;
        }
    }
    out
}

fn signed_area2(ring: &LineString<f64>) -> f64 {
    ring.0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

/// The GeoJSON FeatureCollection the map requests (`properties=code,name`): its size, and gzipped.
fn gzip_kb(areas: &[Area], geometries: &[MultiPolygon<f64>]) -> (f64, f64) {
    let mut json = String::from(r#"{"type":"FeatureCollection","features":["#);
    for (i, (area, g)) in areas.iter().zip(geometries).enumerate() {
        if i > 0 {
            json.push(',');
        }
        write!(
            json,
            r#"{{"type":"Feature","properties":{{"code":{},"name":{}}},"geometry":{{"type":"MultiPolygon","coordinates":["#,
            serde_json::to_string(area.code.as_str()).unwrap(),
            serde_json::to_string(&area.name).unwrap()
        )
        .unwrap();
        for (p, polygon) in g.0.iter().enumerate() {
            json.push_str(if p > 0 { ",[" } else { "[" });
            for (r, ring) in std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .enumerate()
            {
                json.push_str(if r > 0 { ",[" } else { "[" });
                for (k, c) in ring.0.iter().enumerate() {
                    write!(json, "{}[{},{}]", if k > 0 { "," } else { "" }, c.x, c.y).unwrap();
                }
                json.push(']');
            }
            json.push(']');
        }
        json.push_str("]}}");
    }
    json.push_str("]}");
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(json.as_bytes()).unwrap();
    let zipped = gz.finish().unwrap();
    (json.len() as f64 / 1024.0, zipped.len() as f64 / 1024.0)
}

/// Checks the arcs against the source: along every arc, each segment is owned by exactly the
/// arc's areas, and every area's source segments are the union of its arcs' segments.
fn check_topology(id: &str, geometries: &[&MultiPolygon<f64>], topology: &Topology) -> String {
    let vertices = vertex_tree(geometries);
    let noded: Vec<HashSet<Segment>> = geometries
        .iter()
        .map(|g| noded_segments(g, &vertices))
        .collect();
    let mut owners: HashMap<Segment, Vec<u32>> = HashMap::new();
    for (i, g) in noded.iter().enumerate() {
        for &s in g {
            owners.entry(s).or_default().push(i as u32);
        }
    }
    for (a, arc) in topology.arcs().iter().enumerate() {
        for l in arc.lines() {
            let s = segment(l.start, l.end);
            assert_eq!(
                owners.get(&s).map(Vec::as_slice),
                Some(topology.arc_areas(a)),
                "{id}: arc {a} segment {l:?}"
            );
        }
    }
    for (i, g) in noded.iter().enumerate() {
        let from_arcs: HashSet<Segment> = topology
            .area_parts(i)
            .iter()
            .flatten()
            .flatten()
            .flat_map(|r| topology.arcs()[r.arc].lines())
            .map(|l| segment(l.start, l.end))
            .collect();
        assert_eq!(&from_arcs, g, "{id}: area {i} is its arcs");
    }
    let mut by_count: HashMap<usize, usize> = HashMap::new();
    for o in owners.values() {
        *by_count.entry(o.len()).or_default() += 1;
    }
    let mut counts: Vec<_> = by_count.into_iter().collect();
    counts.sort_unstable();
    let shared = (0..topology.arcs().len())
        .filter(|&a| topology.arc_areas(a).len() > 1)
        .count();
    format!(
        "{id}: {} areas, {} vertices, {} arcs ({} shared), {} junctions; segments by owning areas {:?}",
        geometries.len(),
        topology.vertex_count(),
        topology.arcs().len(),
        shared,
        topology.junction_count(),
        counts
    )
}

/// Pairs of areas sharing at least one segment.
fn neighbour_pairs(per_area: &[HashSet<Segment>]) -> HashSet<(usize, usize)> {
    let mut by_segment: HashMap<&Segment, Vec<usize>> = HashMap::new();
    for (i, segs) in per_area.iter().enumerate() {
        for s in segs {
            by_segment.entry(s).or_default().push(i);
        }
    }
    let mut pairs = HashSet::new();
    for areas in by_segment.values() {
        for (k, &a) in areas.iter().enumerate() {
            for &b in &areas[k + 1..] {
                pairs.insert((a.min(b), a.max(b)));
            }
        }
    }
    pairs
}

/// A band coordinate of an arc is a source coordinate of it, unchanged or rounded to the band's
/// decimals (or, where refined, to more of them).
fn from_source(c: Coord<f64>, source: Coord<f64>, decimals: u8) -> bool {
    c == source
        || (decimals..=6).any(|d| {
            let s = 10f64.powi(i32::from(d));
            c == Coord {
                x: (source.x * s).round() / s,
                y: (source.y * s).round() / s,
            }
        })
}

fn check_band(
    id: &str,
    areas: &[Area],
    topology: &Topology,
    full_pairs: &HashSet<(usize, usize)>,
    band: &Band,
) -> (String, f64) {
    let spec = band.spec;
    let tag = format!("{id} z{}-{}", spec.min_zoom, spec.max_zoom);
    assert_eq!(band.geometries.len(), areas.len(), "{tag}: feature count");
    assert_eq!(band.arcs.len(), topology.arcs().len(), "{tag}: arc count");
    for (i, g) in band.geometries.iter().enumerate() {
        assert!(!g.0.is_empty(), "{tag}: area {} is empty", areas[i].code);
        // The area as a whole, not only each polygon alone: parts that cross, overlap or share
        // an edge make the MultiPolygon invalid though every polygon is valid.
        assert!(
            g.is_valid(),
            "{tag}: area {} invalid: {:?}",
            areas[i].code,
            g.validation_errors()
        );
        for (p, polygon) in g.0.iter().enumerate() {
            assert!(
                polygon.is_valid(),
                "{tag}: area {} part {p} invalid: {:?}",
                areas[i].code,
                polygon.validation_errors()
            );
            for (r, ring) in std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .enumerate()
            {
                assert!(ring.0.len() >= 4, "{tag}: short ring");
                assert_eq!(ring.0.first(), ring.0.last(), "{tag}: open ring");
                let a2 = signed_area2(ring);
                assert!(
                    if r == 0 { a2 > 0.0 } else { a2 < 0.0 },
                    "{tag}: area {} part {p} ring {r} orientation",
                    areas[i].code
                );
            }
        }
    }
    // The band's arcs are simplifications of the source arcs: same ends, source vertices only.
    for (a, (arc, source)) in band.arcs.iter().zip(topology.arcs()).enumerate() {
        let (first, last) = (arc.0.first().unwrap(), arc.0.last().unwrap());
        assert!(
            from_source(*first, source.0[0], spec.decimals),
            "{tag}: arc {a} start"
        );
        assert!(
            from_source(*last, *source.0.last().unwrap(), spec.decimals),
            "{tag}: arc {a} end"
        );
        let mut k = 0;
        for &c in &arc.0 {
            while k < source.0.len() && !from_source(c, source.0[k], spec.decimals) {
                k += 1;
            }
            assert!(
                k < source.0.len(),
                "{tag}: arc {a} vertex {c:?} not from the source"
            );
        }
    }
    // Coverage: every area is made of band arcs only, and every segment of an arc shared at
    // full resolution is in the rings of every area sharing it: identical coordinates.
    let per_area: Vec<HashSet<Segment>> = band.geometries.iter().map(segments).collect();
    let arc_segments: Vec<HashSet<Segment>> = band
        .arcs
        .iter()
        .map(|arc| {
            arc.lines()
                .filter(|l| l.start != l.end)
                .map(|l| segment(l.start, l.end))
                .collect()
        })
        .collect();
    for (i, segs) in per_area.iter().enumerate() {
        let mut allowed: HashSet<&Segment> = HashSet::new();
        for r in topology.area_parts(i).iter().flatten().flatten() {
            allowed.extend(arc_segments[r.arc].iter());
        }
        for s in segs {
            assert!(
                allowed.contains(s),
                "{tag}: area {} has a segment from none of its arcs",
                areas[i].code
            );
        }
    }
    // Every ring of the source is in the band whole, or left out: then it is a part or a hole
    // under a pixel whose arcs no other area uses (the band drops no shared border).
    // The pixel is in square degrees of latitude: raw areas (square degrees) times cos 52.5°.
    let pixel2 = spec.min_part_area_deg2() / 52.5f64.to_radians().cos();
    let mut left_out_holes = 0;
    for (i, area) in areas.iter().enumerate() {
        let parts = topology.area_parts(i);
        let source = &area.geometry;
        for (p, rings) in parts.iter().enumerate() {
            let polygon = &source.0[p];
            let part_area = {
                let ext = signed_area2(polygon.exterior()).abs();
                let holes: f64 = polygon
                    .interiors()
                    .iter()
                    .map(|r| signed_area2(r).abs())
                    .sum();
                (ext - holes) / 2.0
            };
            let mut present = Vec::with_capacity(rings.len());
            for (r, refs) in rings.iter().enumerate() {
                if r > 0 && present.first() == Some(&false) {
                    // A part left out: its holes go with it (another part of the area filling
                    // one of them still carries its arcs).
                    break;
                }
                let ring_tag = format!("{tag}: area {} part {p} ring {r}", areas[i].code);
                // A ring with a segment missing, or fewer than three at the band, is left out
                // (an arc of it may still be in the band as another ring's of the area, or by
                // rounding onto a neighbour's segment).
                let segs: HashSet<&Segment> = refs
                    .iter()
                    .flat_map(|x| arc_segments[x.arc].iter())
                    .collect();
                let whole = segs.len() >= 3 && segs.iter().all(|s| per_area[i].contains(*s));
                if whole {
                    present.push(true);
                    continue;
                }
                assert!(
                    refs.iter().all(|x| topology.arc_areas(x.arc) == [i as u32]),
                    "{ring_tag} is left out but shares a border with another area"
                );
                let ring = if r == 0 {
                    polygon.exterior()
                } else {
                    &polygon.interiors()[r - 1]
                };
                let small = if r == 0 {
                    part_area < pixel2
                } else {
                    signed_area2(ring).abs() / 2.0 < pixel2
                };
                assert!(small, "{ring_tag} is left out but not under a pixel");
                present.push(false);
            }
            if present.first() == Some(&true) {
                left_out_holes += present.iter().filter(|&&k| !k).count();
            }
        }
    }
    assert_eq!(
        left_out_holes, band.stats.dropped_holes,
        "{tag}: holes left out"
    );
    let mut shared_arcs = 0;
    for (a, segs) in arc_segments.iter().enumerate() {
        let owners = topology.arc_areas(a);
        if owners.len() < 2 {
            continue;
        }
        shared_arcs += 1;
        for &o in owners {
            assert!(
                segs.is_subset(&per_area[o as usize]),
                "{tag}: shared arc {a} is not in the rings of area {}",
                areas[o as usize].code
            );
        }
    }
    let band_pairs = neighbour_pairs(&per_area);
    let lost = full_pairs.difference(&band_pairs).count();
    let gained = band_pairs.difference(full_pairs).count();
    let (raw_kb, gz_kb) = gzip_kb(areas, &band.geometries);
    // What the holes cost: their vertices, and the size without those under a pixel.
    let holes = band
        .geometries
        .iter()
        .flat_map(|g| &g.0)
        .flat_map(|p| p.interiors());
    let hole_vertices: usize = holes.clone().map(|r| r.0.len()).sum();
    let min_area2 = 2.0 * spec.min_part_area_deg2();
    let without: Vec<MultiPolygon<f64>> = band
        .geometries
        .iter()
        .map(|g| {
            MultiPolygon(
                g.0.iter()
                    .map(|p| {
                        let kept = p
                            .interiors()
                            .iter()
                            .filter(|r| signed_area2(r).abs() >= min_area2)
                            .cloned()
                            .collect();
                        geo::Polygon::new(p.exterior().clone(), kept)
                    })
                    .collect(),
            )
        })
        .collect();
    let (_, gz_without_kb) = gzip_kb(areas, &without);
    let s = band.stats;
    let plain: usize = topology
        .arcs()
        .iter()
        .map(|a| {
            // Longitudes scaled by cos 52.5°, as the stage does.
            let scaled = LineString(
                a.0.iter()
                    .map(|c| Coord {
                        x: c.x * 0.608_761_429_008_720_6,
                        y: c.y,
                    })
                    .collect(),
            );
            geo::Simplify::simplify(&scaled, spec.tolerance_deg).0.len()
        })
        .sum();
    let final_arcs: usize = band.arcs.iter().map(|a| a.0.len()).sum();
    let line = format!(
        "{tag}: {} vertices (arcs {final_arcs}, {plain} before refinement), {} parts ({} dropped), {} holes dropped, {} polygons refined ({} arcs finer, {} at source), \
         {shared_arcs} shared arcs, neighbour pairs {} (lost {lost}, new {gained}), GeoJSON {raw_kb:.0} KB, gzip {gz_kb:.1} KB; \
         {} holes with {hole_vertices} vertices (gzip {gz_without_kb:.1} KB without those under a pixel)",
        s.vertices,
        s.parts,
        s.dropped_parts,
        s.dropped_holes,
        s.refined_polygons,
        s.refined_arcs,
        s.source_arcs,
        band_pairs.len(),
        holes.count(),
    );
    (line, gz_kb)
}

/// A layer's report lines, and its bands over budget.
fn check_layer(manifest: &Manifest, index: usize) -> (Vec<String>, Vec<String>) {
    let spec = &manifest.layers[index];
    let id = spec.id.as_str();
    let path = data_dir().join(&spec.file);
    let areas = load_layer_areas(
        &path,
        &spec.code_field,
        &spec.name_field,
        manifest.bounds_rect(),
    )
    .unwrap_or_else(|e| panic!("{id}: {e}"));
    let geometries: Vec<&MultiPolygon<f64>> = areas.iter().map(|a| &a.geometry).collect();

    let started = Instant::now();
    let topology = Topology::build(&geometries);
    let built = started.elapsed();
    let bands: Vec<Band> = BANDS.iter().map(|b| topology.generalise(b)).collect();
    let total = started.elapsed();

    let mut lines = vec![format!(
        "{id}: topology {:.0} ms, 7 bands {:.0} ms ({} source vertices)",
        built.as_secs_f64() * 1e3,
        (total - built).as_secs_f64() * 1e3,
        geometries
            .iter()
            .map(|g| rings(g).map(|r| r.0.len()).sum::<usize>())
            .sum::<usize>()
    )];
    lines.push(check_topology(id, &geometries, &topology));
    let full: Vec<HashSet<Segment>> = geometries.iter().map(|g| segments(g)).collect();
    let full_pairs = neighbour_pairs(&full);
    let full_geometries: Vec<MultiPolygon<f64>> = geometries.iter().map(|g| (*g).clone()).collect();
    let (raw_kb, gz_kb) = gzip_kb(&areas, &full_geometries);
    lines.push(format!(
        "{id} full: {} neighbour pairs, GeoJSON {raw_kb:.0} KB, gzip {gz_kb:.1} KB",
        full_pairs.len()
    ));
    assert_eq!(bands.len(), BANDS.len());
    let mut over = Vec::new();
    for band in &bands {
        let (line, gz_kb) = check_band(id, &areas, &topology, &full_pairs, band);
        for &(layer, zoom, budget) in &BUDGETS {
            if layer == id && band.spec.min_zoom <= zoom && zoom <= band.spec.max_zoom {
                lines.push(format!(
                    "{id} z{zoom}: gzip {gz_kb:.1} KB, budget {budget} KB"
                ));
                if gz_kb > budget {
                    over.push(format!("{id} z{zoom}: gzip {gz_kb:.1} KB over {budget} KB"));
                }
            }
        }
        lines.push(line);
    }
    (lines, over)
}

#[test]
fn every_real_layer_generalises_into_valid_bands_with_identical_shared_borders() {
    let dir = data_dir();
    assert!(
        dir.join("boundaries").is_dir(),
        "real-data tests need the data directory at {} (set SMARTSPEC_DATA_DIR)",
        dir.display()
    );
    let manifest = Manifest::read(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/boundaries/layers.toml"
    )))
    .unwrap();
    assert_eq!(manifest.layers.len(), 17);
    // Two workers, each taking every other layer.
    let reports: Vec<(Vec<String>, Vec<String>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let manifest = &manifest;
                scope.spawn(move || {
                    (w..manifest.layers.len())
                        .step_by(2)
                        .map(|i| check_layer(manifest, i))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut over = Vec::new();
    for (lines, layer_over) in reports {
        for line in lines {
            eprintln!("{line}");
        }
        over.extend(layer_over);
    }
    for &(layer, _, _) in &BUDGETS {
        assert!(
            manifest.layers.iter().any(|l| l.id.as_str() == layer),
            "no layer {layer} to hold to its budget"
        );
    }
    assert!(over.is_empty(), "over budget: {over:?}");
}
