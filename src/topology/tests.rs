use super::*;
use geo::{Area, Coord, LineString, Polygon, Validation};
use std::collections::HashSet;

type Key = (u64, u64);

fn key(c: Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    let mut coords: Vec<Coord<f64>> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
    if coords.first() != coords.last() {
        coords.push(coords[0]);
    }
    LineString(coords)
}

fn area(exterior: &[(f64, f64)], holes: &[&[(f64, f64)]]) -> Polygon<f64> {
    Polygon::new(ring(exterior), holes.iter().map(|h| ring(h)).collect())
}

fn vertices(mp: &MultiPolygon<f64>) -> HashSet<Key> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.0.iter().map(|&c| key(c)))
        .collect()
}

fn segments(mp: &MultiPolygon<f64>) -> HashSet<(Key, Key)> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines())
        .map(|l| {
            let (a, b) = (key(l.start), key(l.end));
            (a.min(b), a.max(b))
        })
        .collect()
}

fn round(v: f64, decimals: u8) -> f64 {
    let s = 10f64.powi(i32::from(decimals));
    (v * s).round() / s
}

/// Every band: every polygon valid, every ring closed with at least 4 coordinates, and every
/// area built exactly from the band's arcs.
fn assert_sound(input: &[&MultiPolygon<f64>], out: &[Band]) {
    assert_eq!(out.len(), BANDS.len());
    for band in out {
        assert_eq!(band.geometries.len(), input.len());
        for g in &band.geometries {
            assert!(!g.0.is_empty(), "empty area at {:?}", band.spec);
            assert!(g.is_valid(), "invalid area at {:?}: {g:?}", band.spec);
            for p in &g.0 {
                assert!(p.is_valid(), "invalid polygon at {:?}: {p:?}", band.spec);
                for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                    assert!(r.0.len() >= 4);
                    assert_eq!(r.0.first(), r.0.last());
                }
            }
        }
        let arc_segments: HashSet<(Key, Key)> = band
            .arcs
            .iter()
            .flat_map(|a| a.lines())
            .map(|l| {
                let (a, b) = (key(l.start), key(l.end));
                (a.min(b), a.max(b))
            })
            .collect();
        for g in &band.geometries {
            assert!(segments(g).is_subset(&arc_segments));
        }
    }
}

/// A wiggly line from (x, y0) to (x, y1): `steps` segments, alternating ±amplitude in x.
fn wiggle(x: f64, y0: f64, y1: f64, steps: usize, amplitude: f64) -> Vec<(f64, f64)> {
    (0..=steps)
        .map(|k| {
            let y = y0 + (y1 - y0) * k as f64 / steps as f64;
            let dx = if k == 0 || k == steps {
                0.0
            } else if k % 2 == 0 {
                amplitude
            } else {
                -amplitude
            };
            (round(x + dx, 6), round(y, 6))
        })
        .collect()
}

#[test]
fn bands_follow_the_pixel_rule() {
    assert_eq!(BANDS.len(), 7);
    assert_eq!((BANDS[0].min_zoom, BANDS[0].max_zoom), (0, 5));
    for (i, b) in BANDS.iter().enumerate().skip(1) {
        assert_eq!((b.min_zoom, b.max_zoom), (i as u8 + 5, i as u8 + 5));
    }
    let decimals: Vec<u8> = BANDS.iter().map(|b| b.decimals).collect();
    assert_eq!(decimals, [3, 3, 4, 4, 4, 5, 5]);
    for b in BANDS {
        let z = f64::from(b.max_zoom);
        let expected = 0.5 * 360.0 / (256.0 * 2f64.powf(z)) * 52.5f64.to_radians().cos();
        assert!((b.tolerance_deg - expected).abs() < 1e-15, "{b:?}");
        assert_eq!(band_for_zoom(b.min_zoom), band_for_zoom(b.max_zoom));
    }
    assert_eq!(band_for_zoom(FULL_RESOLUTION_ZOOM), None);
    assert_eq!(band_for_zoom(20), None);
}

#[test]
fn squares_sharing_a_wiggly_edge_keep_identical_borders_at_every_band() {
    let edge = wiggle(1.0, 52.0, 53.0, 40, 0.002);
    let mut west_ring = vec![(0.0, 52.0)];
    west_ring.extend(edge.iter().copied());
    west_ring.push((0.0, 53.0));
    let mut east_ring = vec![(2.0, 52.0), (2.0, 53.0)];
    east_ring.extend(edge.iter().rev().copied());
    let west = MultiPolygon(vec![area(&west_ring, &[])]);
    let east = MultiPolygon(vec![area(&east_ring, &[])]);
    let input = [&west, &east];

    let topology = Topology::build(&input);
    let shared: Vec<usize> = (0..topology.arcs().len())
        .filter(|&a| topology.arc_areas(a) == [0, 1])
        .collect();
    assert_eq!(shared.len(), 1, "one shared arc");
    assert_eq!(topology.arcs()[shared[0]].0.len(), edge.len());

    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        // Everything near x = 1 is the shared border, and both sides carry the same.
        let near = |g: &MultiPolygon<f64>| -> HashSet<(Key, Key)> {
            segments(g)
                .into_iter()
                .filter(|(a, b)| {
                    let xa = f64::from_bits(a.0);
                    let xb = f64::from_bits(b.0);
                    (xa - 1.0).abs() < 0.5 && (xb - 1.0).abs() < 0.5
                })
                .collect()
        };
        let (w, e) = (near(&band.geometries[0]), near(&band.geometries[1]));
        assert!(!w.is_empty());
        assert_eq!(w, e, "{:?}", band.spec);
    }
    // The wiggles (0.002°) go at z<=5 (tolerance 0.013°) and stay at z11 (0.0002°).
    assert_eq!(out[0].arcs[shared[0]].0.len(), 2);
    assert_eq!(out[6].arcs[shared[0]].0.len(), edge.len());
}

#[test]
fn an_enclave_and_the_hole_it_fills_are_one_closed_arc() {
    let hole: Vec<(f64, f64)> = (0..12)
        .map(|k| {
            let t = -(k as f64) * std::f64::consts::TAU / 12.0; // clockwise
            (
                round(0.5 + 0.1 * t.cos(), 6),
                round(52.5 + 0.07 * t.sin(), 6),
            )
        })
        .collect();
    let island: Vec<(f64, f64)> = hole.iter().rev().copied().collect();
    let outer = MultiPolygon(vec![area(
        &[(0.0, 52.0), (1.0, 52.0), (1.0, 53.0), (0.0, 53.0)],
        &[&hole],
    )]);
    let inner = MultiPolygon(vec![area(&island, &[])]);
    let input = [&outer, &inner];

    let topology = Topology::build(&input);
    assert_eq!(topology.arcs().len(), 2);
    assert_eq!(topology.junction_count(), 0);
    let hole_ref = topology.area_parts(0)[0][1][0];
    let island_ref = topology.area_parts(1)[0][0][0];
    assert_eq!(hole_ref.arc, island_ref.arc);
    assert_ne!(hole_ref.reversed, island_ref.reversed);
    assert_eq!(topology.arc_areas(hole_ref.arc), [0, 1]);

    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        let hole = &band.geometries[0].0[0].interiors()[0];
        let island = band.geometries[1].0[0].exterior();
        let mut reversed = island.0.clone();
        reversed.reverse();
        assert_eq!(
            vertices(&MultiPolygon(vec![Polygon::new(hole.clone(), vec![])])),
            vertices(&band.geometries[1])
        );
        assert_eq!(hole.0.len(), island.0.len());
        // The same cycle, run the other way round.
        let start = reversed.iter().position(|c| *c == hole.0[0]).unwrap();
        let n = reversed.len() - 1;
        for (i, c) in hole.0.iter().enumerate() {
            assert_eq!(*c, reversed[(start + i) % n], "{:?}", band.spec);
        }
    }
}

#[test]
fn a_three_way_junction_stays_fixed() {
    let j = (1.234_567, 52.345_678);
    let (x0, x2, y0, y2) = (0.2, 2.2, 51.8, 52.9);
    // Wiggly borders from the junction: south to y0, north to y2, east to x2.
    let south = wiggle(j.0, y0, j.1, 30, 0.003);
    let north = wiggle(j.0, j.1, y2, 30, 0.003);
    let east: Vec<(f64, f64)> = wiggle(j.1, j.0, x2, 30, 0.003)
        .into_iter()
        .map(|(y, x)| (x, y))
        .collect();
    // A: west of the south and north borders.
    let mut a = vec![(x0, y0)];
    a.extend(south.iter().copied());
    a.extend(north.iter().skip(1).copied());
    a.push((x0, y2));
    // B: south-east.
    let mut b = vec![(x2, y0)];
    b.extend(east.iter().rev().copied());
    b.extend(south.iter().rev().skip(1).copied());
    // C: north-east.
    let mut c = vec![(x2, y2)];
    c.extend(north.iter().rev().copied());
    c.extend(east.iter().skip(1).copied());
    let (a, b, c) = (
        MultiPolygon(vec![area(&a, &[])]),
        MultiPolygon(vec![area(&b, &[])]),
        MultiPolygon(vec![area(&c, &[])]),
    );
    for g in [&a, &b, &c] {
        assert!(g.is_valid());
    }
    let input = [&a, &b, &c];
    let topology = Topology::build(&input);
    let shared = (0..topology.arcs().len())
        .filter(|&i| topology.arc_areas(i).len() == 2)
        .count();
    assert_eq!(shared, 3);

    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        let d = band.spec.decimals;
        let fixed = key(Coord {
            x: round(j.0, d),
            y: round(j.1, d),
        });
        for g in &band.geometries {
            assert!(vertices(g).contains(&fixed), "{:?}", band.spec);
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            let common = segments(&band.geometries[p])
                .intersection(&segments(&band.geometries[q]))
                .count();
            assert!(common >= 1, "{p} and {q} share a border at {:?}", band.spec);
        }
    }
}

#[test]
fn a_tiny_island_is_dropped_only_while_another_part_remains() {
    let mainland = area(&[(0.0, 52.0), (1.0, 52.0), (1.0, 53.0), (0.0, 53.0)], &[]);
    let islet = area(
        &[(1.5, 52.5), (1.505, 52.5), (1.505, 52.505), (1.5, 52.505)],
        &[],
    );
    let with_mainland = MultiPolygon(vec![islet.clone(), mainland]);
    let alone = MultiPolygon(vec![area(
        &[(3.5, 52.5), (3.505, 52.5), (3.505, 52.505), (3.5, 52.505)],
        &[],
    )]);
    let input = [&with_mainland, &alone];
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    // A 0.005° square: 2.5e-5 deg², under a pixel² up to z7 (4.5e-5), over it from z8 (1.1e-5).
    for band in &out {
        let under = islet.unsigned_area() < band.spec.min_part_area_deg2();
        let parts = band.geometries[0].0.len();
        assert_eq!(parts, if under { 1 } else { 2 }, "{:?}", band.spec);
        assert_eq!(band.geometries[1].0.len(), 1, "{:?}", band.spec);
        assert!(band.geometries[0].unsigned_area() > 0.9);
    }
    assert_eq!(out[0].stats.dropped_parts, 1);
    assert_eq!(out[6].stats.dropped_parts, 0);
}

#[test]
fn an_area_that_is_one_tiny_polygon_survives_every_band() {
    // 0.0002° across: at 3 decimals every corner rounds to the same point.
    let speck = MultiPolygon(vec![area(
        &[
            (3.00011, 52.00012),
            (3.00031, 52.00012),
            (3.00031, 52.00032),
            (3.00011, 52.00032),
        ],
        &[],
    )]);
    let input = [&speck];
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        assert_eq!(band.geometries[0].0.len(), 1);
        assert!(band.geometries[0].unsigned_area() > 0.0);
    }
    assert_eq!(out[0].stats.refined_polygons, 1);
}

#[test]
fn a_border_owned_by_three_areas_is_one_arc() {
    // Overlapping areas as in the LEP layers: `both` and `only` each contain the district.
    let edge = wiggle(1.0, 52.0, 53.0, 20, 0.002);
    let mut east = vec![(2.0, 52.0), (2.0, 53.0)];
    east.extend(edge.iter().rev().copied());
    let mut d = vec![(0.0, 52.0)];
    d.extend(edge.iter().copied());
    d.push((0.0, 53.0));
    let district = area(&d, &[]);
    let lep_a = MultiPolygon(vec![district.clone()]);
    let lep_b = MultiPolygon(vec![district]);
    let neighbour = MultiPolygon(vec![area(&east, &[])]);
    let input = [&lep_a, &lep_b, &neighbour];
    let topology = Topology::build(&input);
    let triple = (0..topology.arcs().len())
        .filter(|&a| topology.arc_areas(a) == [0, 1, 2])
        .count();
    assert_eq!(triple, 1);
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        let s: Vec<HashSet<(Key, Key)>> = band.geometries.iter().map(segments).collect();
        assert_eq!(s[0], s[1]);
        assert!(s[0].intersection(&s[2]).count() >= 1);
    }
}

#[test]
fn borders_along_one_line_with_interleaved_vertices_share_the_stretch_they_run_together() {
    // As along the Tamar: `west`'s east edge is one long segment; `east` runs along part of it
    // (from y 52.3 to 52.7) with vertices `west` lacks, then leaves it across a river gap.
    let mut w = wiggle(0.0, 53.0, 52.0, 20, 0.002);
    w.extend([(1.0, 52.0), (1.0, 53.0)]);
    let west = MultiPolygon(vec![area(&w, &[])]);
    let mut e = vec![
        (1.2, 51.8),
        (2.0, 51.8),
        (2.0, 53.2),
        (1.2, 53.2),
        (1.0, 52.7),
        (1.0, 52.3),
    ];
    e.dedup();
    let east = MultiPolygon(vec![area(&e, &[])]);
    let input = [&west, &east];
    let topology = Topology::build(&input);
    let shared: Vec<usize> = (0..topology.arcs().len())
        .filter(|&a| topology.arc_areas(a) == [0, 1])
        .collect();
    assert_eq!(shared.len(), 1, "the stretch along x = 1 is one shared arc");
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        let s: Vec<HashSet<(Key, Key)>> = band.geometries.iter().map(segments).collect();
        assert!(
            s[0].intersection(&s[1]).count() >= 1,
            "{:?}: the two areas no longer share their border",
            band.spec
        );
    }
}

#[test]
fn a_tiny_hole_no_area_fills_is_dropped_while_under_a_pixel() {
    // A 0.005° square hole: 2.5e-5 deg², under a pixel² up to z7 (4.5e-5), over it from z8.
    let hole = [(0.5, 52.5), (0.5, 52.505), (0.505, 52.505), (0.505, 52.5)];
    // And a 0.004° triangle hole touching the exterior at its corner (0, 52.5).
    let notch = [(0.0, 52.5), (0.004, 52.502), (0.004, 52.498)];
    let exterior = [
        (0.0, 52.0),
        (1.0, 52.0),
        (1.0, 53.0),
        (0.0, 53.0),
        (0.0, 52.5),
    ];
    let holed = MultiPolygon(vec![area(&exterior, &[&hole, &notch])]);
    let neighbour = MultiPolygon(vec![area(
        &[(1.0, 52.0), (2.0, 52.0), (2.0, 53.0), (1.0, 53.0)],
        &[],
    )]);
    let input = [&holed, &neighbour];
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    let hole_area = ring(&hole)
        .0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum::<f64>()
        .abs()
        / 2.0;
    for band in &out {
        let under = hole_area < band.spec.min_part_area_deg2();
        let holes = band.geometries[0].0[0].interiors().len();
        // The notch (8e-6 deg²) is under a pixel up to z8 and goes with the square hole or before it.
        let notch_under = 8e-6 < band.spec.min_part_area_deg2();
        let expected = usize::from(!under) + usize::from(!notch_under);
        assert_eq!(holes, expected, "{:?}", band.spec);
        assert_eq!(band.stats.dropped_holes, 2 - expected, "{:?}", band.spec);
        assert_eq!(band.geometries[0].0.len(), 1);
    }
    assert_eq!(out[0].stats.dropped_holes, 2);
    assert_eq!(out[6].stats.dropped_holes, 0);
}

#[test]
fn a_tiny_hole_an_enclave_fills_is_kept_at_every_band() {
    let hole = [(0.5, 52.5), (0.5, 52.505), (0.505, 52.505), (0.505, 52.5)];
    let holed = MultiPolygon(vec![area(
        &[(0.0, 52.0), (1.0, 52.0), (1.0, 53.0), (0.0, 53.0)],
        &[&hole],
    )]);
    let enclave = MultiPolygon(vec![area(&hole, &[])]);
    let input = [&holed, &enclave];
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        assert_eq!(band.stats.dropped_holes, 0, "{:?}", band.spec);
        let interiors = band.geometries[0].0[0].interiors();
        assert_eq!(interiors.len(), 1, "{:?}", band.spec);
        // The hole and the enclave are the same ring.
        let hole_segments = segments(&MultiPolygon(vec![Polygon::new(
            interiors[0].clone(),
            vec![],
        )]));
        assert_eq!(
            hole_segments,
            segments(&band.geometries[1]),
            "{:?}",
            band.spec
        );
    }
}

#[test]
fn a_coast_simplified_across_its_bay_does_not_swallow_the_island_in_it() {
    // A shallow bay (1.1 km deep, under the z<=5 tolerance) with an island in it: the coast's
    // chord would run over the island without crossing it, so only the sweep check sees it.
    let mainland = MultiPolygon(vec![area(
        &[
            (0.0, 52.0),
            (1.0, 52.0),
            (1.0, 53.0),
            (0.5, 52.99),
            (0.0, 53.0),
        ],
        &[],
    )]);
    let island = MultiPolygon(vec![area(
        &[(0.49, 52.994), (0.51, 52.994), (0.5, 52.998)],
        &[],
    )]);
    let input = [&mainland, &island];
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        let [land, isle] = &band.geometries[..] else {
            panic!("two areas");
        };
        let overlap = geo::BooleanOps::intersection(land, isle).unsigned_area();
        assert_eq!(
            overlap, 0.0,
            "the coast covers the island at {:?}",
            band.spec
        );
        assert!(isle.unsigned_area() > 0.0);
    }
    // The coarsest band had to keep the bay to keep the island out of the mainland.
    assert!(out[0].stats.crossings_refined > 0, "{:?}", out[0].stats);
}

#[test]
fn overlapping_areas_keep_their_overlap_in_every_band() {
    // West's east edge bulges out by 0.012° (0.007° on the map, under the z<=5 tolerance) every
    // other vertex, all one way, so simplifying it alone would lose about 1.2% of the overlap.
    let edge: Vec<(f64, f64)> = (0..=200)
        .map(|k| {
            let dx = if k % 2 == 1 { 0.012 } else { 0.0 };
            (1.0 + dx, round(52.0 + k as f64 / 200.0, 6))
        })
        .collect();
    let mut west = vec![(0.0, 52.0)];
    west.extend(edge.iter().copied());
    west.push((0.0, 53.0));
    let east = vec![(0.5, 52.0), (2.0, 52.0), (2.0, 53.0), (0.5, 53.0)];
    // West runs to the wiggly edge at x = 1; east runs from x = 0.5 to 2: they overlap between.
    let west = MultiPolygon(vec![area(&west, &[])]);
    let east = MultiPolygon(vec![area(&east, &[])]);
    let source = geo::BooleanOps::intersection(&west, &east).unsigned_area();
    assert!(source > 0.4);
    let input = [&west, &east];
    let out = generalise_layer(&input);
    assert_sound(&input, &out);
    for band in &out {
        let got =
            geo::BooleanOps::intersection(&band.geometries[0], &band.geometries[1]).unsigned_area();
        assert!(
            (got - source).abs() <= simplify::OVERLAP_SLACK * source,
            "overlap {got} against {source} at {:?}",
            band.spec
        );
    }
}
