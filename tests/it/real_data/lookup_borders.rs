//! A point on a border is in every area that has it, on every real layer at full resolution:
//! every vertex two or more areas share and the midpoint of every edge two or more areas share
//! is looked up through the layer's index and compared with the areas whose rings hold it
//! (decided from the rings alone, with exact orientation predicates, not through the index).

use crate::common::{app, get, real_catalog};
use geo::{Coord, GeoNum, Kernel, Orientation, Point, Winding};
use std::collections::{BTreeMap, BTreeSet};

type Key = (u64, u64);

fn key(c: Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

/// One directed edge of a ring of an area, with the side its interior lies on.
struct Edge {
    area: usize,
    from: Coord<f64>,
    to: Coord<f64>,
    interior_on_left: bool,
}

/// The areas whose closure holds `m`, a point on or within rounding of `edges`' common segment:
/// on the segment exactly, every area; off it, those whose interior is on `m`'s side.
fn holding(edges: &[Edge], m: Coord<f64>) -> BTreeSet<usize> {
    edges
        .iter()
        .filter(|e| match <f64 as GeoNum>::Ker::orient2d(e.from, e.to, m) {
            Orientation::Collinear => true,
            Orientation::CounterClockwise => e.interior_on_left,
            Orientation::Clockwise => !e.interior_on_left,
        })
        .map(|e| e.area)
        .collect()
}

#[test]
fn every_shared_vertex_and_shared_edge_midpoint_is_in_every_area_that_has_it() {
    let catalog = real_catalog();
    let (mut vertices, mut midpoints, mut on_segment, mut misses) = (0, 0, 0, Vec::new());
    for layer in &catalog.layers {
        let mut at_vertex: BTreeMap<Key, (Coord<f64>, BTreeSet<usize>)> = BTreeMap::new();
        let mut at_edge: BTreeMap<(Key, Key), Vec<Edge>> = BTreeMap::new();
        for (i, area) in layer.areas.iter().enumerate() {
            for polygon in &area.geometry.0 {
                let rings = std::iter::once((polygon.exterior(), true))
                    .chain(polygon.interiors().iter().map(|r| (r, false)));
                for (ring, exterior) in rings {
                    let interior_on_left = ring.is_ccw() == exterior;
                    for line in ring.lines() {
                        let (a, b) = (line.start, line.end);
                        if a == b {
                            continue;
                        }
                        at_vertex
                            .entry(key(a))
                            .or_insert_with(|| (a, BTreeSet::new()))
                            .1
                            .insert(i);
                        let k = if key(a) < key(b) {
                            (key(a), key(b))
                        } else {
                            (key(b), key(a))
                        };
                        at_edge.entry(k).or_default().push(Edge {
                            area: i,
                            from: a,
                            to: b,
                            interior_on_left,
                        });
                    }
                }
            }
        }
        let mut check = |p: Coord<f64>, expected: BTreeSet<usize>, what: &str| {
            let found: BTreeSet<usize> = layer
                .index
                .containing(&layer.areas, Point::from(p))
                .into_iter()
                .collect();
            let missing: Vec<&str> = expected
                .difference(&found)
                .map(|&i| layer.areas[i].code.as_str())
                .collect();
            if !missing.is_empty() {
                misses.push(format!(
                    "{} {what} ({}, {}): lookup lacks {missing:?}",
                    layer.id(),
                    p.x,
                    p.y
                ));
            }
        };
        for (p, areas) in at_vertex.into_values() {
            if areas.len() >= 2 {
                vertices += 1;
                check(p, areas, "shared vertex");
            }
        }
        for edges in at_edge.values() {
            let areas: BTreeSet<usize> = edges.iter().map(|e| e.area).collect();
            if areas.len() < 2 {
                continue;
            }
            let (a, b) = (edges[0].from, edges[0].to);
            let m = Coord {
                x: (a.x + b.x) / 2.0,
                y: (a.y + b.y) / 2.0,
            };
            // (Off the segment, on the outer side of a coast two overlapping LEPs share, the
            // midpoint may lie in neither.)
            let expected = holding(edges, m);
            midpoints += 1;
            if expected.len() == areas.len() {
                on_segment += 1;
            }
            check(m, expected, "shared-edge midpoint");
        }
    }
    eprintln!(
        "{vertices} shared vertices and {midpoints} shared-edge midpoints ({on_segment} exactly on \
         the edge) over {} layers: {} lookups lack an area",
        catalog.layers.len(),
        misses.len()
    );
    assert!(
        vertices > 100_000 && midpoints > 100_000,
        "{vertices}, {midpoints}"
    );
    assert!(
        misses.is_empty(),
        "{} of {} border points lack an area, e.g.\n{}",
        misses.len(),
        vertices + midpoints,
        misses[..misses.len().min(20)].join("\n")
    );
}

/// The three border points of the report, through `/lookup`.
#[tokio::test]
async fn the_reported_border_points_are_in_both_areas() {
    let app = app(real_catalog());
    for (lon, lat, layer, codes) in [
        (-3.03027, 53.600603, "lad-2013", ["E07000127", "E08000014"]),
        (0.020906, 51.296767, "lep-2017", ["E37000004", "E37000023"]),
        (-2.017302, 52.440954, "lep-2017", ["E37000001", "E37000012"]),
    ] {
        let doc = get(&app, &format!("/lookup?lon={lon}&lat={lat}&layers={layer}"))
            .await
            .json();
        let found: Vec<&str> = doc["layers"][0]["areas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap())
            .collect();
        for code in codes {
            assert!(
                found.contains(&code),
                "{layer} ({lon}, {lat}): {found:?} lacks {code}"
            );
        }
    }
}

/// The grid of cells that answers most lookups agrees with the exact path on every real layer:
/// at 100,000 random points over England and at points a hair (1e-9 degrees) and a few metres
/// from every hundredth vertex, where boundaries are.
#[test]
fn the_grid_answers_as_the_exact_path_on_every_real_layer() {
    let catalog = real_catalog();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut checked = 0;
    for layer in &catalog.layers {
        let mut points: Vec<Point<f64>> = (0..100_000)
            .map(|_| Point::new(-6.5 + 8.5 * next(), 49.8 + 6.2 * next()))
            .collect();
        let vertices = layer
            .areas
            .iter()
            .flat_map(|a| a.geometry.0.iter())
            .flat_map(|p| p.exterior().0.iter())
            .step_by(100);
        for c in vertices {
            for (dx, dy) in [(1e-9, 0.0), (0.0, -1e-9), (4e-5, 3e-5), (-3e-5, -4e-5)] {
                points.push(Point::new(c.x + dx, c.y + dy));
            }
        }
        for p in &points {
            assert_eq!(
                layer.index.containing(&layer.areas, *p),
                layer.index.containing_exactly(&layer.areas, *p),
                "{} at {p:?}",
                layer.id()
            );
        }
        checked += points.len();
    }
    eprintln!("grid and exact path agree at {checked} points");
}

#[test]
#[ignore = "timing: cargo test --release --test it grid_build_timing -- --ignored --nocapture"]
fn grid_build_timing() {
    let catalog = real_catalog();
    for layer in &catalog.layers {
        let t = std::time::Instant::now();
        let _ = layer.index.containing(&layer.areas, Point::new(-1.0, 52.0));
        eprintln!("{}: first lookup {:?}", layer.id(), t.elapsed());
    }
}
