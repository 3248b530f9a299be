// labels.js: area names on the map at each area's label point (the server's pole of
// inaccessibility, /collections/{id}/labels). After every zoom or pan a name is shown only when
// it fits inside its area's box on screen and does not collide with a name already placed;
// bigger areas are placed first. No basemap needed: the names are the map's own.
const L = window.L;

const PAD = 2; // px kept clear around each name

/**
 * createLabels(map, {pane}) -> {set(fc, boundsOf, shown), clear(), place()}.
 * `boundsOf(code)` gives the area's current L.LatLngBounds; `shown(code)` says whether the area is
 * drawn (England-only hides some).
 */
export function createLabels(map, { pane = 'labels' } = {}) {
  const group = L.layerGroup().addTo(map);
  let items = []; // {code, name, rank, latlng, marker, w, h}
  let boundsOf = () => null;
  let shown = () => true;

  function clear() {
    group.clearLayers();
    items = [];
  }

  function set(fc, bounds, isShown) {
    clear();
    boundsOf = bounds;
    shown = isShown;
    items = (fc.features || []).map((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      const el = document.createElement('span');
      el.textContent = p.name;
      const marker = L.marker([lat, lon], {
        pane, interactive: false, keyboard: false,
        icon: L.divIcon({ className: 'area-label', html: el, iconSize: null, iconAnchor: [0, 0] }),
      });
      return { code: p.code, name: p.name, rank: p.rank ?? 0, latlng: L.latLng(lat, lon), marker, w: 0, h: 0 };
    }).sort((a, b) => a.rank - b.rank);
    for (const it of items) {
      it.marker.addTo(group);
      it.marker.getElement().dataset.code = it.code;
    }
    // Measured after all are in the DOM: one layout, not one per label.
    for (const it of items) {
      const el = it.marker.getElement();
      const box = el.firstElementChild.getBoundingClientRect();
      it.w = Math.ceil(box.width);
      it.h = Math.ceil(box.height);
    }
    place();
  }

  /** Show the names that fit, largest areas first, none overlapping another. */
  function place() {
    const placed = [];
    const size = map.getSize();
    for (const it of items) {
      const el = it.marker.getElement();
      if (!el) continue;
      let ok = shown(it.code);
      const b = ok && boundsOf(it.code);
      const p = map.latLngToContainerPoint(it.latlng);
      const box = { x0: p.x - it.w / 2 - PAD, y0: p.y - it.h / 2 - PAD, x1: p.x + it.w / 2 + PAD, y1: p.y + it.h / 2 + PAD };
      if (ok && b) {
        const nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
        ok = it.w <= (se.x - nw.x) * 0.9 && it.h <= (se.y - nw.y) * 0.9; // fits its area at this zoom
      }
      ok = ok && box.x1 > 0 && box.y1 > 0 && box.x0 < size.x && box.y0 < size.y
        && !placed.some((q) => box.x0 < q.x1 && q.x0 < box.x1 && box.y0 < q.y1 && q.y0 < box.y1);
      if (ok) placed.push(box);
      el.classList.toggle('hidden', !ok);
    }
    return placed.length;
  }

  map.on('zoomend moveend resize', place);
  return { set, clear, place, items: () => items };
}
