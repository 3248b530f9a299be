"""Checks every zoom band of every layer, as served, with GEOS (shapely): an engine smartspec
did not write.

Usage: band_check.py [--allow-gap-m2 N] BASE_URL [LAYER ...]

--allow-gap-m2 N reports new gaps of at most N m² each without failing on them (a known defect
being worked on; the default, 0, fails on any).

For every layer and band (the band serving each zoom 0-11; zooms that share a band are fetched
once), against the layer at full resolution:
  * invalid: features whose geometry GEOS calls invalid (with GEOS's reason);
  * overlaps: every pair of areas whose band geometries overlap, by area; a pair must overlap
    within 2% of its full-resolution overlap, and pairs that do not overlap at full resolution
    must not overlap (a pair's overlap under MIN_AREA_M2 counts as none; a full-resolution
    overlap smaller than one cell of the band's coordinate grid may be kept or lost within it);
  * gaps: land that the band leaves enclosed and uncovered (a hole of the band's union) farther
    than the band's tolerance plus rounding from any land full resolution leaves uncovered;
  * hausdorff: per area, the Hausdorff distance between band and full-resolution boundaries,
    within the band's stated tolerance plus its rounding: every point of the band's boundary lies
    that close to the full boundary, and every point of the full boundary to the band's, except
    on parts and holes under one pixel (the band's documented rule lets it drop those).
Distances and areas are measured with longitudes scaled by cos 52.5 deg, as the server states its
tolerance (1 unit = 1 degree of latitude, about 111.2 km).

Layers are checked in parallel, one worker process per core. Prints one JSON line per layer
and zoom, in layer order, then a summary line; exits 1 if any check fails.
"""

import json
import math
import os
import sys
import urllib.request
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import shapely
from shapely.geometry import shape, Polygon, MultiPolygon

COS = math.cos(math.radians(52.5))
M_PER_UNIT = 111_195.0  # metres per degree of latitude (mean Earth radius)
MIN_AREA_M2 = 1.0  # an overlap or gap smaller than this is float noise
OVERLAP_REL = 0.02
ZOOMS = range(0, 12)


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.load(r)


def scaled(geom):
    return shapely.transform(geom, lambda c: c * np.array([COS, 1.0]))


def area_m2(geom):
    return geom.area * M_PER_UNIT**2


def features(base, layer, zoom=None):
    url = f"{base}/collections/{layer}/items?limit=10000&properties=code"
    if zoom is not None:
        url += f"&zoom={zoom}"
    doc = fetch(url)
    out, invalid = {}, []
    for f in doc["features"]:
        g = shape(f["geometry"])
        # Validity as served; measurements on the scaled copy (scaling can move a vertex that
        # lies exactly on a segment off it, so it is not where validity is judged).
        if not shapely.is_valid(g):
            invalid.append({"code": f["id"], "reason": shapely.is_valid_reason(g)})
        out[f["id"]] = scaled(g)
    return out, invalid, doc.get("generalisation", doc.get("zoom"))


def pair_overlaps(geoms):
    """{(code_a, code_b): overlap area m2} for every pair whose interiors overlap."""
    codes = list(geoms)
    arr = [geoms[c] for c in codes]
    tree = shapely.STRtree(arr)
    left, right = tree.query(arr, predicate="intersects")
    out = {}
    for i, j in zip(left, right):
        if i >= j:
            continue
        inter = shapely.intersection(arr[i], arr[j])
        a = area_m2(inter)
        if a >= MIN_AREA_M2:
            out[(codes[i], codes[j])] = a
    return out


def holes(geom):
    polys = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    return [Polygon(r) for p in polys if isinstance(p, Polygon) for r in p.interiors]


def without_small(geom, min_area):
    """The geometry without parts and holes smaller than `min_area` (scaled units^2), keeping the
    largest part: what a band may leave out."""
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    if not polys:
        return geom
    largest = max(polys, key=lambda p: p.area)
    kept = []
    for p in polys:
        if p is not largest and p.area < min_area:
            continue
        rings = [r for r in p.interiors if Polygon(r).area >= min_area]
        kept.append(Polygon(p.exterior, rings))
    return MultiPolygon(kept)


def rings(geom):
    return shapely.get_rings(shapely.get_parts(geom))


def segments(geom):
    """The boundary of geom as two-point line strings."""
    lines = []
    for ring in rings(geom):
        c = shapely.get_coordinates(ring)
        lines.append(np.stack([c[:-1], c[1:]], axis=1))
    if not lines:
        return np.array([])
    return shapely.linestrings(np.concatenate(lines))


def nearest_distances(coords, tree):
    _, dist = tree.query_nearest(shapely.points(coords), return_distance=True, all_matches=False)
    return dist


def farthest(lines, tree, step):
    """The largest distance from any vertex of `lines` (line strings or rings) to the nearest
    geometry in `tree`, exactly, without measuring every vertex: vertices a step apart along each
    line are measured, and a vertex between two measured ones a and b, at most d(a) + its distance
    along the line from a (and likewise from b), is measured only where that bound,
    (d(a) + d(b) + length(a..b)) / 2, exceeds the largest distance already measured."""
    parts = [shapely.get_coordinates(line) for line in lines]
    parts = [c for c in parts if len(c)]
    if not parts:
        return 0.0
    coords = np.concatenate(parts)
    starts = np.cumsum([0] + [len(c) for c in parts[:-1]])
    ends = starts + np.array([len(c) for c in parts]) - 1
    seg = np.hypot(*np.diff(coords, axis=0).T)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    # Arc positions restart at each line's start; a line's ends are always measured.
    ring_of = np.repeat(np.arange(len(parts)), [len(c) for c in parts])
    local = arc - arc[starts][ring_of]
    sample = np.zeros(len(coords), dtype=bool)
    sample[1:] = np.floor(local[1:] / step) != np.floor(local[:-1] / step)
    sample[starts] = True
    sample[ends] = True
    idx = np.flatnonzero(sample)
    d = nearest_distances(coords[idx], tree)
    best = float(d.max())
    a, b = idx[:-1], idx[1:]
    same_line = ring_of[a] == ring_of[b]
    bound = (d[:-1] + d[1:] + (arc[b] - arc[a])) / 2.0
    open_ = np.flatnonzero(same_line & (bound > best) & (b - a > 1))
    if len(open_):
        between = np.concatenate([np.arange(a[k] + 1, b[k]) for k in open_])
        best = max(best, float(nearest_distances(coords[between], tree).max()))
    return best


def check_band(full, full_trees, full_overlaps, full_union, band, invalid, info):
    tol = info["tolerance_deg"]
    decimals = info["decimals"]
    pixel = 2.0 * tol  # the band's pixel: its tolerance is half a pixel
    rounding = math.hypot(0.5 * 10**-decimals * COS, 0.5 * 10**-decimals)
    allowed = tol + rounding + 1e-9
    overlaps = pair_overlaps({c: shapely.make_valid(g) for c, g in band.items()})
    bad_overlaps = []
    # A source overlap smaller than one cell of the band's coordinate grid cannot be drawn at
    # its precision: it may be kept or lost, within that cell.
    cell_m2 = (10**-decimals * M_PER_UNIT) ** 2 * COS
    for pair in set(overlaps) | set(full_overlaps):
        got, want = overlaps.get(pair, 0.0), full_overlaps.get(pair, 0.0)
        slack = OVERLAP_REL * want if want >= cell_m2 else cell_m2
        if want == 0.0 and got > 0.0 or abs(got - want) > slack:
            bad_overlaps.append(
                {"pair": list(pair), "band_m2": round(got, 1), "full_m2": round(want, 1)}
            )
    union = shapely.union_all([shapely.make_valid(g) for g in band.values()])
    gaps = []
    for h in holes(union):
        # Uncovered land the band may show: what full resolution leaves uncovered there (an
        # enclosed hole, or a channel open to the sea), as far as tolerance and rounding move it.
        near = shapely.buffer(shapely.envelope(h), 2 * allowed)
        # (The buffer's polygonal arcs fall short of its radius by up to 2%: 1% more, 32 per
        # quarter circle.)
        known = shapely.buffer(shapely.difference(near, full_union), allowed * 1.01, quad_segs=32)
        # An island in the hole is land, not gap.
        new = shapely.difference(shapely.difference(h, union), known)
        a = area_m2(new)
        if a >= MIN_AREA_M2:
            p = shapely.point_on_surface(new)
            gaps.append({"m2": round(a, 1), "at": [round(p.x / COS, 5), round(p.y, 5)]})
    worst = {"code": None, "units": 0.0}
    too_far = []
    for code, g in band.items():
        # The band's boundary, sampled every half tolerance, against the full boundary; the full
        # boundary's vertices (metres apart), less what the band may drop, against the band's.
        band_boundary = shapely.get_parts(shapely.segmentize(g.boundary, tol / 2.0))
        d = farthest(band_boundary, full_trees[code], tol)
        kept = without_small(full[code], pixel * pixel)
        d = max(d, farthest(rings(kept), shapely.STRtree(segments(g)), tol))
        if d > worst["units"]:
            worst = {"code": code, "units": d}
        if d > allowed:
            too_far.append({"code": code, "m": round(d * M_PER_UNIT, 1)})
    return {
        "features": len(band),
        "invalid": invalid,
        "bad_overlaps": sorted(bad_overlaps, key=lambda o: -abs(o["band_m2"] - o["full_m2"])),
        "worst_overlap_error_m2": max(
            (abs(o["band_m2"] - o["full_m2"]) for o in bad_overlaps), default=0.0
        ),
        "new_gaps": sorted(gaps, key=lambda g: -g["m2"]),
        "hausdorff_worst_m": round(worst["units"] * M_PER_UNIT, 1),
        "hausdorff_worst_code": worst["code"],
        "hausdorff_allowed_m": round(allowed * M_PER_UNIT, 1),
        "too_far": too_far,
    }


def check_layer(base, layer):
    """The output lines of one layer, every zoom, in zoom order."""
    full, full_invalid, _ = features(base, layer)
    assert not full_invalid, f"{layer}: invalid at full resolution: {full_invalid}"
    full_trees = {code: shapely.STRtree(segments(g)) for code, g in full.items()}
    full_overlaps = pair_overlaps(full)
    full_union = shapely.union_all(list(full.values()))
    shapely.prepare(full_union)
    seen, lines = {}, []
    for zoom in ZOOMS:
        # Which band serves this zoom (one feature tells); a band is fetched and checked once.
        doc = fetch(f"{base}/collections/{layer}/items?limit=1&properties=code&zoom={zoom}")
        info = doc.get("generalisation", doc.get("zoom"))["band"]
        key = (info["max_zoom"], info["tolerance_deg"])
        if key not in seen:
            band, invalid, _ = features(base, layer, zoom)
            seen[key] = check_band(full, full_trees, full_overlaps, full_union, band, invalid, info)
        lines.append({"layer": layer, "zoom": zoom, **seen[key]})
    return lines


def main():
    args = sys.argv[1:]
    allow_gap_m2 = 0.0
    if args[:1] == ["--allow-gap-m2"]:
        allow_gap_m2 = float(args[1])
        args = args[2:]
    base = args[0].rstrip("/")
    layers = args[1:] or [c["id"] for c in fetch(f"{base}/collections")["collections"]]
    failed = 0
    total = invalid_total = 0
    # Layers are independent: one worker process per core, results printed in layer order.
    workers = max(1, min(len(layers), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        per_layer = pool.map(check_layer, [base] * len(layers), layers)
        for lines in per_layer:
            for result in lines:
                total += result["features"]
                invalid_total += len(result["invalid"])
                big_gaps = [g for g in result["new_gaps"] if g["m2"] > allow_gap_m2]
                ok = not (result["invalid"] or result["bad_overlaps"] or big_gaps or result["too_far"])
                failed += 0 if ok else 1
                line = {"layer": result["layer"], "zoom": result["zoom"], "ok": ok, **result}
                for k in ("invalid", "bad_overlaps", "new_gaps", "too_far"):
                    line[k] = line[k][:5]
                    line[k + "_count"] = len(result[k])
                print(json.dumps(line), flush=True)
    print(json.dumps({"summary": True, "feature_bands": total, "invalid": invalid_total, "failed_bands": failed}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
