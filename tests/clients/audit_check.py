"""Recomputes the consistency audit of /join-report from the raw files, with no smartspec code.

Usage: python3 audit_check.py DATA_DIR [JOIN_REPORT]

DATA_DIR holds the manifest's data (metrics/*.csv, boundaries/*.geojson); the manifest is read from
boundaries/layers.toml and the aggregation of each indicator from boundaries/indicator_semantics.csv
of this repository. JOIN_REPORT is a URL (http://127.0.0.1:8080/join-report) or a saved file.

For every `sum` indicator and year it sums the raw CSV values over the areas of the boundary layer
the manifest joins them to, and applies the audit's rules (see README, "Totals that add up"):

* NUTS 3 within NUTS 2: over the NUTS 2 areas whose NUTS 3 areas (code + one character, same NUTS
  version) all have a value; exact, within 5%;
* the national total, NUTS 3 against NUTS 2: the UK when every NUTS 2 area has a value, else
  England; NUTS 3 with gaps is a lower bound (fails only above 1.05);
* the LEPs against England's NUTS 2 areas: approximate, from 0.95 to 1.15 (LEPs overlap).

Prints each discrepancy as one JSON line. With JOIN_REPORT, checks that the server reports exactly
these discrepancies with the same sums (to 0.01) and ratio (to 1e-4), and exits non-zero if not.
"""

import csv
import json
import math
import sys
import tomllib
import urllib.request
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ALLOWED = {
    "nuts3_within_nuts2": (0.95, 1.05),
    "national_total": (0.95, 1.05),
    "leps_against_nuts2_england": (0.95, 1.15),
}


def in_england(code):
    if len(code) >= 2 and code[0] == "E" and code[1].isdigit():
        return True
    return code.startswith("UK") and len(code) >= 3 and "C" <= code[2] <= "K"


def load(data):
    manifest = tomllib.loads((REPO / "boundaries/layers.toml").read_text())
    layers = {}
    for layer in manifest["layer"]:
        doc = json.loads((data / layer["file"]).read_text())
        layers[layer["id"]] = [f["properties"][layer["code_field"]] for f in doc["features"]]
    sums = {
        r["indicator"]
        for r in csv.DictReader(open(REPO / "boundaries/indicator_semantics.csv", encoding="utf-8"))
        if r["aggregation"] == "sum"
    }
    # (indicator, geography, year) -> (layer id, code vintage, {code: value})
    series = {}
    for table in manifest["metrics"]:
        geography = table["geography"]
        for r in csv.DictReader(open(data / table["file"], encoding="utf-8")):
            if r["indicator"] not in sums:
                continue
            key = (r["indicator"], geography, int(r["year"]))
            layer = table["layers"][r["code_vintage"]]
            entry = series.setdefault(key, (layer, r["code_vintage"], {}))
            value = r["value"].strip()
            if value and math.isfinite(float(value)) and r["code"] in set(layers[layer]):
                entry[2][r["code"]] = float(value)
    return layers, series


def total(layers, s, keep=lambda c: True):
    layer, _, values = s
    codes = [c for c in layers[layer] if keep(c)]
    return sum(values.get(c, 0.0) for c in codes), all(c in values for c in codes)


def verdict(kind, indicator, year, finer_sum, complete, whole, scope, layers_pair):
    if whole <= 0:
        return None
    ratio = finer_sum / whole
    lo, hi = ALLOWED[kind]
    if ratio <= hi and (not complete or ratio >= lo):
        return None
    return {
        "indicator": indicator, "year": year, "comparison": kind, "scope": scope,
        "finer_layer": layers_pair[0], "coarser_layer": layers_pair[1],
        "finer_sum": round(finer_sum, 2), "coarser_sum": round(whole, 2),
        "ratio": round(ratio, 4), "finer_complete": complete,
    }


def audit(layers, series):
    found = []
    for (indicator, geography, year), n2 in sorted(series.items()):
        if geography != "nuts2":
            continue
        n3 = series.get((indicator, "nuts3", year))
        lep = series.get((indicator, "lep", year))
        if n3 and n3[1] == n2[1]:
            parts = defaultdict(list)
            for c in layers[n3[0]]:
                parts[c[:-1]].append(c)
            p_sum = w_sum = areas = 0
            for c in layers[n2[0]]:
                if c not in n2[2] or not parts.get(c) or any(k not in n3[2] for k in parts[c]):
                    continue
                p_sum += sum(n3[2][k] for k in parts[c])
                w_sum += n2[2][c]
                areas += 1
            if areas:
                found.append(verdict("nuts3_within_nuts2", indicator, year, p_sum, True, w_sum,
                                     f"{areas} NUTS 2 areas", (n3[0], n2[0])))
        if n3:
            uk, uk_complete = total(layers, n2)
            scope, keep = ("UK", lambda c: True) if uk_complete else ("England", in_england)
            whole, whole_complete = total(layers, n2, keep)
            if whole_complete:
                parts_sum, complete = total(layers, n3, keep)
                found.append(verdict("national_total", indicator, year, parts_sum, complete, whole,
                                     scope, (n3[0], n2[0])))
        if lep:
            england, complete = total(layers, n2, in_england)
            if complete:
                leps, leps_complete = total(layers, lep)
                found.append(verdict("leps_against_nuts2_england", indicator, year, leps,
                                     leps_complete, england, "England", (lep[0], n2[0])))
    return [d for d in found if d]


def main():
    data = Path(sys.argv[1])
    layers, series = load(data)
    mine = audit(layers, series)
    for d in mine:
        print(json.dumps(d))
    if len(sys.argv) < 3:
        return
    source = sys.argv[2]
    if source.startswith("http"):
        with urllib.request.urlopen(source) as r:
            report = json.load(r)
    else:
        report = json.loads(Path(source).read_text())
    theirs = {(d["indicator"], d["year"], d["comparison"]): d
              for d in report["consistency"]["discrepancies"]}
    ours = {(d["indicator"], d["year"], d["comparison"]): d for d in mine}
    bad = sorted(set(ours) ^ set(theirs))
    for key in sorted(set(ours) & set(theirs)):
        a, b = ours[key], theirs[key]
        if (abs(a["finer_sum"] - b["finer_sum"]) > 0.011 or abs(a["coarser_sum"] - b["coarser_sum"]) > 0.011
                or abs(a["ratio"] - b["ratio"]) > 1e-4 or a["scope"] != b["scope"]
                or a["finer_complete"] != b["finer_complete"]):
            bad.append(key)
    print(json.dumps({"recomputed": len(ours), "reported": len(theirs), "disagree": [list(k) for k in bad]}))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
