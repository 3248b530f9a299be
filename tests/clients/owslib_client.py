"""OWSLib's OGC API Features client against a running smartspec server.

Usage: python3 owslib_client.py BASE_URL
Prints one JSON object: the collection ids, the codes of lep-2017 items in a bbox around
Manchester, the queryable property names and types of lep-2017, and the names of the
lep-2017 items a CQL2 filter and a sortby select, in the order served.
"""
import json
import sys

from owslib.ogcapi.features import Features

base = sys.argv[1].rstrip("/")
api = Features(base)
collections = api.collections()
items = api.collection_items("lep-2017", bbox=[-2.4, 53.35, -2.1, 53.55], limit=100)
queryables = api.collection_queryables("lep-2017")
filtered = api.collection_items(
    "lep-2017", filter="n_lads_2013 >= 9 AND name NOT LIKE '%Enterprise%'", sortby=("n_lads_2013", "desc"),
    limit=100,
)
print(json.dumps({
    "collections": [c["id"] for c in collections["collections"]],
    "bbox_codes": sorted(f["id"] for f in items["features"]),
    "bbox_matched": items.get("numberMatched"),
    "queryables": {k: v.get("type") for k, v in queryables["properties"].items()},
    "conformance": api.conformance()["conformsTo"],
    "filtered": [[f["id"], f["properties"]["name"], f["properties"]["n_lads_2013"]] for f in filtered["features"]],
    "filtered_matched": filtered.get("numberMatched"),
}))
