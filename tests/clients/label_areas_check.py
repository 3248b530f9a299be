"""Checks the area_km2 and size rank of /collections/{layer}/labels against pyproj and shapely.

Usage: python3 label_areas_check.py BASE_URL DATA_DIR MANIFEST

For every layer of the manifest it reads the layer's GeoJSON file itself (not the server's copy)
and computes each area's size twice, independently of the server:

* geodesic, on the WGS84 ellipsoid: pyproj's Geod.geometry_area_perimeter (GeographicLib in C)
  per polygon, exterior minus holes;
* planar, on an equal-area projection: shapely's area after pyproj projects to ETRS89-LAEA
  (EPSG:3035), which keeps areas on the ellipsoid (only the edges' path differs).

It fetches the served labels and checks each area_km2 (written to 0.1 km²) against the geodesic
figure to within the rounding, the projected figure to within 0.05%, and the size rank against
the order of the geodesic areas. Prints one JSON line per layer; exits non-zero on the first
disagreement.
"""

import json
import sys
import tomllib
import urllib.request
from pathlib import Path

from pyproj import Geod, Transformer
from shapely.geometry import shape
from shapely.ops import transform

GEOD = Geod(ellps="WGS84")
LAEA = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.load(r)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def sizes(geometry):
    multi = shape(geometry)
    parts = list(multi.geoms) if hasattr(multi, "geoms") else [multi]
    geodesic = sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in parts) / 1e6
    projected = transform(LAEA.transform, multi).area / 1e6
    return geodesic, projected


def main():
    base, data_dir, manifest = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    with open(manifest, "rb") as f:
        layers = tomllib.load(f)["layer"]
    for layer in layers:
        with open(data_dir / layer["file"], encoding="utf-8") as f:
            features = json.load(f)["features"]
        truth = {}
        for feature in features:
            code = feature["properties"][layer.get("code_field", "code")]
            truth[code] = sizes(feature["geometry"])
        served = fetch(f"{base}/collections/{layer['id']}/labels")["features"]
        if len(served) != len(truth):
            fail(f"{layer['id']}: {len(served)} labels for {len(truth)} areas")
        worst_geodesic, worst_projected = 0.0, 0.0
        for f in served:
            p = f["properties"]
            geodesic, projected = truth[p["code"]]
            diff = abs(p["area_km2"] - geodesic)
            if diff > 0.05 + 1e-6 * geodesic:
                fail(f"{layer['id']} {p['code']}: area_km2 {p['area_km2']}, pyproj geodesic {geodesic:.4f}")
            rel = abs(p["area_km2"] - projected) / projected
            if rel > 5e-4 and abs(p["area_km2"] - projected) > 0.05:
                fail(f"{layer['id']} {p['code']}: area_km2 {p['area_km2']}, LAEA {projected:.4f}")
            worst_geodesic = max(worst_geodesic, diff)
            worst_projected = max(worst_projected, rel)
        # Rank 1 = largest; the served ranks follow the true areas' order (areas within the
        # 0.1 km² rounding of each other may come either way).
        by_rank = sorted(served, key=lambda f: f["properties"]["rank"])
        for a, b in zip(by_rank, by_rank[1:]):
            ta, tb = truth[a["properties"]["code"]][0], truth[b["properties"]["code"]][0]
            if ta < tb - 1e-6 * tb:
                fail(f"{layer['id']}: rank {a['properties']['rank']} {a['properties']['code']} ({ta:.3f} km²) is smaller than the next, {b['properties']['code']} ({tb:.3f} km²)")
        print(json.dumps({
            "layer": layer["id"],
            "areas": len(served),
            "max_abs_diff_geodesic_km2": round(worst_geodesic, 6),
            "max_rel_diff_laea": round(worst_projected, 8),
            "served": {f["properties"]["code"]: f["properties"]["area_km2"] for f in served},
            "pyproj": {code: round(t[0], 4) for code, t in truth.items()},
        }))


if __name__ == "__main__":
    main()
