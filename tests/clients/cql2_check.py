"""Checks the server's CQL2 filters against pygeofilter, an independent parser and evaluator.

Usage: python3 cql2_check.py BASE_URL CORPUS

For each "## layer [indicator year]" section of CORPUS it fetches the layer's features at full
resolution (with the indicator joined, if named) once. For each cql2-text line it

* parses the text with pygeofilter and evaluates it with pygeofilter's native evaluator over
  those features (properties as served, geometry as shapely shapes), CASEI as str.lower;
* writes pygeofilter's parse as cql2-json (the translation below follows the CQL2 JSON schema;
  pygeofilter's own cql2_json encoder drops NOT from NOT LIKE, NOT IN and NOT BETWEEN);
* asks the server's items for the codes matching the text, and again for the JSON;

and compares the three sets of codes. Prints one JSON line with the counts and every
disagreement; exits non-zero if there is any.
"""

import json
import sys
import urllib.parse
import urllib.request

import shapely.geometry
from pygeofilter import ast, values
from pygeofilter.backends.native.evaluate import NativeEvaluator
from pygeofilter.parsers.cql2_text import parse


def get(url):
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.load(r)


def to_json(node):
    """pygeofilter's AST as cql2-json."""
    if isinstance(node, ast.Attribute):
        return {"property": node.name}
    if isinstance(node, (str, int, float, bool)) or node is None:
        return node
    if isinstance(node, values.Geometry):
        return node.geometry
    if isinstance(node, ast.Not):
        return {"op": "not", "args": [to_json(node.sub_node)]}
    if isinstance(node, ast.And):
        return {"op": "and", "args": [to_json(node.lhs), to_json(node.rhs)]}
    if isinstance(node, ast.Or):
        return {"op": "or", "args": [to_json(node.lhs), to_json(node.rhs)]}
    negate = lambda e, no: {"op": "not", "args": [e]} if no else e  # noqa: E731
    if isinstance(node, ast.Comparison):
        op = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}[node.op.value]
        return {"op": op, "args": [to_json(node.lhs), to_json(node.rhs)]}
    if isinstance(node, ast.Like):
        assert not node.nocase
        return negate({"op": "like", "args": [to_json(node.lhs), to_json(node.pattern)]}, node.not_)
    if isinstance(node, ast.Between):
        args = [to_json(node.lhs), to_json(node.low), to_json(node.high)]
        return negate({"op": "between", "args": args}, node.not_)
    if isinstance(node, ast.In):
        args = [to_json(node.lhs), [to_json(s) for s in node.sub_nodes]]
        return negate({"op": "in", "args": args}, node.not_)
    if isinstance(node, ast.IsNull):
        return negate({"op": "isNull", "args": [to_json(node.lhs)]}, node.not_)
    if isinstance(node, ast.Function):
        if node.name == "lower":
            return {"op": "casei", "args": [to_json(a) for a in node.arguments]}
        if node.name == "bbox":
            return {"bbox": [to_json(a) for a in node.arguments]}
        raise ValueError(f"no cql2-json for function {node.name}")
    if isinstance(node, ast.SpatialComparisonPredicate):
        op = "s_" + node.op.value.lower()
        return {"op": op, "args": [to_json(node.lhs), to_json(node.rhs)]}
    raise ValueError(f"no cql2-json for {node!r}")


def evaluator():
    """pygeofilter's native evaluator; its cql2-text parser reads CASEI as the function lower and
    BBOX(...) as the function bbox."""
    functions = {"lower": str.lower, "bbox": lambda *box: shapely.geometry.box(*box)}
    return NativeEvaluator(function_map=functions, use_getattr=False)


def independent(expr, features):
    test = evaluator().evaluate(parse(expr))
    matched = set()
    for code, item in features:
        try:
            if test(item):
                matched.add(code)
        except TypeError:
            pass  # a comparison with None: unknown, not matched
    return matched


def served(base, layer, extra, filt, lang):
    query = dict(extra, filter=filt, limit="10000", properties="code", skipGeometry="true")
    query["filter-lang"] = lang
    url = f"{base}/collections/{layer}/items?{urllib.parse.urlencode(query)}"
    doc = get(url)
    assert doc["numberMatched"] == len(doc["features"]), url
    return {f["properties"]["code"] for f in doc["features"]}


def sections(path):
    current = None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("## "):
            current = line[3:].split()
            yield current, []
        elif line and not line.startswith("#"):
            yield current, line


def main():
    base, corpus = sys.argv[1], sys.argv[2]
    cases, text_ok, json_ok, nonempty, partial = 0, 0, 0, 0, 0
    disagreements = []
    features, extra, layer = [], {}, None
    for header, line in sections(corpus):
        if line == []:
            layer = header[0]
            extra = {"indicator": header[1], "year": header[2]} if len(header) == 3 else {}
            query = dict(extra, limit="10000")
            doc = get(f"{base}/collections/{layer}/items?{urllib.parse.urlencode(query)}")
            features = []
            for f in doc["features"]:
                item = dict(f["properties"])
                item["geometry"] = shapely.geometry.shape(f["geometry"])
                features.append((f["properties"]["code"], item))
            continue
        cases += 1
        try:
            want = independent(line, features)
            as_json = json.dumps(to_json(parse(line)))
            got_text = served(base, layer, extra, line, "cql2-text")
            got_json = served(base, layer, extra, as_json, "cql2-json")
        except Exception as e:  # a case either side cannot run is a disagreement, not a crash
            detail = e.read().decode() if hasattr(e, "read") else ""
            disagreements.append({"layer": layer, "filter": line, "error": f"{e!r} {detail}"})
            continue
        nonempty += bool(want)
        partial += 0 < len(want) < len(features)
        text_ok += got_text == want
        json_ok += got_json == want
        if got_text != want or got_json != want:
            disagreements.append(
                {
                    "layer": layer,
                    "filter": line,
                    "json": as_json,
                    "pygeofilter": sorted(want),
                    "text_extra": sorted(got_text - want),
                    "text_missing": sorted(want - got_text),
                    "json_extra": sorted(got_json - want),
                    "json_missing": sorted(want - got_json),
                }
            )
    print(
        json.dumps(
            {
                "cases": cases,
                "text_agree": text_ok,
                "json_agree": json_ok,
                "nonempty": nonempty,
                "partial": partial,
                "disagreements": disagreements,
            }
        )
    )
    sys.exit(1 if disagreements else 0)


if __name__ == "__main__":
    main()
