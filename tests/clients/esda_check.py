"""Checks /indicators/{id}/spatial against PySAL esda and a direct computation.

Usage: python3 esda_check.py BASE_URL INDICATOR@GEOGRAPHY@YEAR [...]

For each indicator-year it fetches the server's spatial statistics, the values (from /values) and
the neighbours of every area (from /collections/{layer}/items/{code}/neighbours, an independent
route), builds a libpysal W (row-standardised, islands with empty rows) over the areas with data,
and checks:

* esda.Moran's I and every esda.Moran_Local I_i against the server's to 1e-9;
* esda's quadrant (q) against the server's class wherever the class is a quadrant;
* a direct computation in plain Python floats, with the same SplitMix64 stream and Fisher-Yates
  draws as src/analysis/spatial.rs: every lag, gap, I, p-value and LISA class exactly. In the
  local test a draw counts as `sim >= obs` when z_i * (sum of the drawn values - sum of the
  observed neighbours' values) >= 0 in exact decimal arithmetic (fractions.Fraction of the values
  as written), so sums equal in decimals are ties.

Prints one JSON line per indicator with the figures; exits non-zero on the first disagreement.
"""

import json
import sys
from fractions import Fraction
import urllib.request
import warnings

import esda
import libpysal
import numpy as np

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, m):
        m = max(m, 1)
        threshold = ((1 << 64) - m) % m
        while True:
            r = self.next_u64()
            if r >= threshold:
                return r % m

    def draw(self, pool, k):
        length = len(pool)
        for t in range(min(k, length)):
            j = t + self.below(length - t)
            pool[t], pool[j] = pool[j], pool[t]


def fsum_seq(values):
    """Left-to-right float sum, as Rust's Iterator::sum."""
    acc = -0.0
    for v in values:
        acc += v
    return acc


def p_sim(obs, sims, perms):
    larger = sum(1 for s in sims if s >= obs)
    if perms - larger < larger:
        larger = perms - larger
    return (larger + 1.0) / (perms + 1.0)


def quadrant(z, lag):
    if z > 0 and lag > 0:
        return "high-high"
    if z < 0 and lag < 0:
        return "low-low"
    if z > 0 and lag < 0:
        return "high-low"
    if z < 0 and lag > 0:
        return "low-high"
    return "not-significant"


def direct(x, nbrs, perms, seed, significance):
    """The definitions of the README, computed independently of the server."""
    n = len(x)
    mean = 0.0
    for k, v in enumerate(x):
        mean += (v - mean) / (k + 1.0)
    z = [v - mean for v in x]
    ss = fsum_seq(v * v for v in z)
    s0 = sum(1 for l in nbrs if l)
    rng = SplitMix64(seed)

    def global_i(zz):
        num = fsum_seq(zz[i] * (fsum_seq(zz[j] for j in l) / len(l)) for i, l in enumerate(nbrs) if l)
        return (n / s0) * (num / ss)

    obs = global_i(z)
    shuffled = list(z)
    sims = []
    for _ in range(perms):
        rng.draw(shuffled, n)
        sims.append(global_i(shuffled))
    out = {"morans_i": obs, "p_value": p_sim(obs, sims, perms), "areas": []}
    scale = (n - 1.0) / ss
    # The values as written (the shortest decimal that reads back as the float), exactly.
    written = [Fraction(repr(v)) for v in x]
    for k, l in enumerate(nbrs):
        if not l:
            out["areas"].append({"lisa": "island", "local_i": None, "p_value": None,
                                 "spatial_lag": None, "gap_to_neighbours": None})
            continue
        ki = len(l)
        lag_z = fsum_seq(z[j] for j in l) / ki
        local = scale * z[k] * lag_z
        pool = [j for j in range(n) if j != k]
        observed = sum(written[j] for j in l)
        sign = (z[k] > 0) - (z[k] < 0)
        larger = 0
        for _ in range(perms):
            rng.draw(pool, ki)
            difference = sum(written[j] for j in pool[:ki]) - observed
            if sign * difference >= 0:
                larger += 1
        p = (min(larger, perms - larger) + 1.0) / (perms + 1.0)
        lag = fsum_seq(x[j] for j in l) / ki
        out["areas"].append({
            "local_i": local,
            "p_value": p,
            "lisa": quadrant(z[k], lag_z) if p <= significance else "not-significant",
            "spatial_lag": lag,
            "gap_to_neighbours": x[k] - lag,
        })
    return out


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.load(r)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def check(base, indicator, geography, year):
    s = fetch(f"{base}/indicators/{indicator}/spatial?geography={geography}&year={year}")
    layer = s["layer"]
    served = fetch(f"{base}/indicators/{indicator}/values?geography={geography}&year={year}")
    values = served["values"]
    # Lags and gaps are written to the values' decimals plus two.
    statistic_tolerance = 0.5 * 10 ** -(served["decimals"] + 2) + 1e-12
    codes = [a["code"] for a in s["areas"]]
    if sorted(codes) != sorted(values):
        fail(f"{indicator}: /spatial and /values list different areas")
    for a in s["areas"]:
        if a["value"] != values[a["code"]]:
            fail(f"{indicator} {a['code']}: value {a['value']} but /values says {values[a['code']]}")
    with_data = [c for c in codes if values[c] is not None]
    position = {c: i for i, c in enumerate(with_data)}
    neighbours = {}
    for c in codes:
        fc = fetch(f"{base}/collections/{layer}/items/{c}/neighbours?zoom=0&properties=name")
        neighbours[c] = [f["id"] for f in fc["features"]]
    # Neighbours with data, as positions among the areas with data, ascending.
    nbrs = [sorted(position[j] for j in neighbours[c] if j in position) for c in with_data]
    x = [float(values[c]) for c in with_data]
    by_code = {a["code"]: a for a in s["areas"]}

    # esda, on a libpysal W over the areas with data.
    w = libpysal.weights.W({i: l for i, l in enumerate(nbrs)}, silence_warnings=True)
    w.transform = "r"
    y = np.array(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moran = esda.Moran(y, w, permutations=0)
        local = esda.Moran_Local(y, w, permutations=0)
    diffs = [abs(moran.I - s["global"]["morans_i"])]
    esda_quadrant = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
    for i, c in enumerate(with_data):
        a = by_code[c]
        if not nbrs[i]:
            if a["local_i"] is not None or a["lisa"] != "island":
                fail(f"{indicator} {c}: an island in W, but the server says {a}")
            continue
        diffs.append(abs(local.Is[i] - a["local_i"]))
        if a["lisa"] in esda_quadrant.values() and esda_quadrant[int(local.q[i])] != a["lisa"]:
            fail(f"{indicator} {c}: class {a['lisa']}, esda quadrant {esda_quadrant[int(local.q[i])]}")
        if len(nbrs[i]) != a["neighbours"]:
            fail(f"{indicator} {c}: {a['neighbours']} neighbours with data, /neighbours gives {len(nbrs[i])}")
    if max(diffs) > 1e-9:
        fail(f"{indicator}: esda disagrees by {max(diffs)} (> 1e-9)")
    islands = [c for i, c in enumerate(with_data) if not nbrs[i]]
    if islands != s["islands"]:
        fail(f"{indicator}: islands {s['islands']}, W has {islands}")

    # The direct computation with the same permutations: everything exactly.
    d = direct(x, nbrs, s["permutations"], s["seed"], s["significance"])
    exact = 0
    if d["morans_i"] != s["global"]["morans_i"] or d["p_value"] != s["global"]["p_value"]:
        fail(f"{indicator}: global {s['global']}, direct {d['morans_i']} p {d['p_value']}")
    for c, mine in zip(with_data, d["areas"]):
        a = by_code[c]
        for key in ["local_i", "p_value", "lisa", "spatial_lag", "gap_to_neighbours"]:
            rounded = key in ("spatial_lag", "gap_to_neighbours") and a[key] is not None and mine[key] is not None
            if (abs(a[key] - mine[key]) > statistic_tolerance) if rounded else (a[key] != mine[key]):
                fail(f"{indicator} {c}: {key} is {a[key]}, the direct computation gives {mine[key]}")
            exact += 1
    for c in codes:
        if values[c] is None and by_code[c]["lisa"] != "no-data":
            fail(f"{indicator} {c}: no value but class {by_code[c]['lisa']}")
    classes = {}
    for a in s["areas"]:
        classes[a["lisa"]] = classes.get(a["lisa"], 0) + 1
    print(json.dumps({
        "indicator": indicator, "geography": geography, "year": year, "layer": layer,
        "n": s["global"]["n"], "areas": len(codes), "morans_i": s["global"]["morans_i"],
        "esda_morans_i": float(moran.I), "expected_i": s["global"]["expected_i"],
        "p_value": s["global"]["p_value"], "permutations": s["permutations"], "seed": s["seed"],
        "max_abs_diff_esda": max(diffs), "exact_matches": exact, "classes": classes,
        "islands": s["islands"], "esda_version": esda.__version__,
    }))


def main():
    base = sys.argv[1].rstrip("/")
    for spec in sys.argv[2:]:
        indicator, geography, year = spec.split("@")
        check(base, indicator, geography, year)


if __name__ == "__main__":
    main()
