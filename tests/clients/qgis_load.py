"""Loads collections of a running smartspec server through QGIS's OAPIF provider, headless.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 qgis_load.py BASE_URL [COLLECTION ...]
Prints one JSON object per layer: id, valid, feature count, invalid geometries, field types, CRS.
With no collection ids, loads every collection the server lists. A layer id suffixed with
@27700 is loaded in British National Grid, from the server's FlatGeobuf with crs=EPSG:27700. A
layer id followed by "!" and a CQL2 filter is loaded twice: the server's filter= URL through OGR
(QGIS 3.22's OAPIF provider predates Part 3), and the OAPIF layer with the filter as its subset
string (evaluated by QGIS); its line gives both counts. Exits non-zero if QGIS cannot be started.
"""
import json
import os
import sys
import traceback
import urllib.parse
import urllib.request

from qgis.core import QgsApplication, QgsVectorLayer, QgsFeatureRequest

base = sys.argv[1].rstrip("/")
ids = sys.argv[2:]
if not ids:
    with urllib.request.urlopen(base + "/collections") as r:
        ids = [c["id"] for c in json.load(r)["collections"]]

app = QgsApplication([], False)
app.initQgis()
status = 0
try:
    for spec in ids:
        if "!" in spec:
            layer_id, _, cql = spec.partition("!")
            query = urllib.parse.urlencode({"filter": cql, "limit": "10000"})
            served = QgsVectorLayer(f"{base}/collections/{layer_id}/items?{query}", layer_id, "ogr")
            subset = QgsVectorLayer(f"url='{base}' typename='{layer_id}' restrictToRequestBBOX='0'", layer_id, "OAPIF")
            subset.setSubsetString(cql)
            print(json.dumps({
                "id": spec, "valid": served.isValid() and subset.isValid(),
                "server_filtered": served.featureCount(), "qgis_filtered": subset.featureCount(),
            }), flush=True)
            continue
        layer_id, _, srs = spec.partition("@")
        if srs:
            # QGIS 3.22's OAPIF provider predates OGC API Features Part 2 (it always asks for
            # CRS84), so the grid layer comes as the server's FlatGeobuf download through OGR.
            crs_uri = f"http://www.opengis.net/def/crs/EPSG/0/{srs}"
            uri = f"/vsicurl/{base}/collections/{layer_id}/items?f=fgb&crs={crs_uri}"
            layer = QgsVectorLayer(uri, layer_id, "ogr")
        else:
            uri = f"url='{base}' typename='{layer_id}' pagingEnabled='true' preferCoordinatesForWfsT11='false' restrictToRequestBBOX='0'"
            layer = QgsVectorLayer(uri, layer_id, "OAPIF")
        out = {"id": spec, "valid": layer.isValid()}
        if layer.isValid():
            count = 0
            invalid = 0
            empty = 0
            for f in layer.getFeatures(QgsFeatureRequest()):
                count += 1
                g = f.geometry()
                if g.isNull() or g.isEmpty():
                    empty += 1
                elif not g.isGeosValid():
                    invalid += 1
            out.update(
                features=count,
                featureCount=layer.featureCount(),
                invalid_geometries=invalid,
                empty_geometries=empty,
                crs=layer.crs().authid(),
                extent=[round(v, 3) for v in (layer.extent().xMinimum(), layer.extent().yMinimum(), layer.extent().xMaximum(), layer.extent().yMaximum())],
                fields={fl.name(): fl.typeName() for fl in layer.fields()},
            )
        print(json.dumps(out), flush=True)
        del layer
except Exception:  # noqa: BLE001 - reported, and the exit status says it failed
    traceback.print_exc()
    status = 1
finally:
    # QGIS 3.22's Python teardown can crash after exitQgis(); every result is printed by now, so
    # leave without running it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
