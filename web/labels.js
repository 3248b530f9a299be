// labels.js: names drawn on the map, at each area's label point (the server's pole of
// inaccessibility, /collections/{id}/labels), and the region names when region outlines are on.
// After every zoom or pan the names are placed again, as cartographers place them: a name may run
// over neighbouring areas, but never over another name or a map control. Each name tries its
// point, then positions around it, on one line or two; region names go first, then areas, the
// largest first. Long names use their reviewed short form (shortnames.js). No basemap or font
// download: the names are the map's own, in the page's system font.
import { shortName } from './shortnames.js';

const L = window.L;

const PAD = 1.5; // px kept clear around each name
/** An area is named once its box on screen is at least this many px across. */
const MIN_AREA_PX = 10;

/** `text` on two lines, broken at the space nearest its middle (null when it has no space). */
function twoLines(text) {
  let best = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ' ' && (best < 0 || Math.abs(i - text.length / 2) < Math.abs(best - text.length / 2))) best = i;
  }
  return best < 0 ? null : `${text.slice(0, best)}\n${text.slice(best + 1)}`;
}

/** Offsets (in units of the name's width and height) tried around the point, nearest first. */
const OFFSETS = [[0, 0], [0, -0.75], [0, 0.75], [0.5, 0], [-0.5, 0], [0.35, -0.6], [-0.35, -0.6], [0.35, 0.6], [-0.35, 0.6],
  [0, -1.3], [0, 1.3], [0.6, -1], [-0.6, -1], [0.6, 1], [-0.6, 1]];
/** The first offsets, tried by every name before any name tries the rest. */
const NEAR = 3;

/**
 * createLabels(map, {pane}) -> {set(fc, boundsOf, shown), setRegions(fc|null), clear(), place(), items()}.
 * `boundsOf(code)` gives the area's current L.LatLngBounds; `shown(code)` says whether the area is
 * drawn (England only hides some).
 */
export function createLabels(map, { pane = 'labels' } = {}) {
  const group = L.layerGroup().addTo(map);
  let items = []; // {code, name, text, rank, latlng, marker, span, variants: [{text, w, h}], region}
  let regions = [];
  let boundsOf = () => null;
  let shown = () => true;

  /** Markers for the label points of `fc`, measured once on one line and on two. */
  function build(fc, className) {
    const built = (fc.features || []).map((f) => {
      const [lon, lat] = f.geometry.coordinates;
      const p = f.properties;
      const span = document.createElement('span');
      const marker = L.marker([lat, lon], {
        pane, interactive: false, keyboard: false,
        icon: L.divIcon({ className, html: span, iconSize: null, iconAnchor: [0, 0] }),
      });
      const text = shortName(p.name);
      return { code: p.code, name: p.name, text, rank: p.rank ?? 0, latlng: L.latLng(lat, lon), marker, span, variants: [text, twoLines(text)].filter(Boolean) };
    }).sort((a, b) => a.rank - b.rank);
    for (const it of built) {
      it.marker.addTo(group);
      const el = it.marker.getElement();
      el.dataset.code = it.code;
      el.dataset.name = it.name;
    }
    // Measured after all are in the DOM: one layout per variant, not one per name.
    for (const v of [0, 1]) {
      const some = built.filter((it) => it.variants[v] != null);
      for (const it of some) it.span.textContent = it.variants[v];
      for (const it of some) {
        const box = it.span.getBoundingClientRect();
        it.variants[v] = { text: it.variants[v], w: Math.ceil(box.width), h: Math.ceil(box.height) };
      }
    }
    for (const it of built) it.shownText = null;
    return built;
  }

  function clear() {
    for (const it of items) group.removeLayer(it.marker);
    items = [];
  }

  function set(fc, bounds, isShown) {
    clear();
    boundsOf = bounds;
    shown = isShown;
    items = build(fc, 'area-label');
    place();
  }

  /** Region names (the region layer's label points), or none (null). */
  function setRegions(fc) {
    for (const it of regions) group.removeLayer(it.marker);
    regions = fc ? build(fc, 'area-label region-label') : [];
    place();
  }

  /** The boxes of the map's controls (zoom, attribution), in container pixels: names keep off them. */
  function controlBoxes() {
    const origin = map.getContainer().getBoundingClientRect();
    return [...map.getContainer().querySelectorAll('.leaflet-control')].map((el) => el.getBoundingClientRect())
      .filter((r) => r.width && r.height)
      .map((r) => ({ x0: r.left - origin.left, y0: r.top - origin.top, x1: r.right - origin.left, y1: r.bottom - origin.top }));
  }

  /**
   * Place every name that finds a free position; returns how many are shown. Two passes: first
   * each name at or next to its point (regions, then areas largest first), then the names left
   * out try the positions farther round, so a small area's name is not crowded out by a big one.
   */
  function place() {
    const size = map.getSize();
    const placed = controlBoxes();
    const free = (b) => b.x0 >= 0 && b.y0 >= 0 && b.x1 <= size.x && b.y1 <= size.y
      && !placed.some((q) => b.x0 < q.x1 && q.x0 < b.x1 && b.y0 < q.y1 && q.y0 < b.y1);
    const all = [...regions.map((it) => ({ it, named: true })), ...items.map((it) => ({ it, named: named(it) }))];
    const spots = new Map();
    for (const [offsets, order] of [[OFFSETS.slice(0, NEAR), all], [OFFSETS, [...all].reverse()]]) {
      for (const { it, named: ok } of order) {
        if (!ok || spots.has(it)) continue;
        const p = map.latLngToContainerPoint(it.latlng);
        search: for (const [fx, fy] of offsets) {
          for (const v of it.variants) {
            const cx = p.x + fx * v.w, cy = p.y + fy * v.h;
            const box = { x0: cx - v.w / 2 - PAD, y0: cy - v.h / 2 - PAD, x1: cx + v.w / 2 + PAD, y1: cy + v.h / 2 + PAD };
            if (free(box)) { spots.set(it, { v, dx: fx * v.w, dy: fy * v.h }); placed.push(box); break search; }
          }
        }
      }
    }
    for (const { it } of all) {
      const el = it.marker.getElement();
      const spot = spots.get(it);
      if (!el) continue;
      el.classList.toggle('hidden', !spot);
      if (!spot) continue;
      if (it.shownText !== spot.v.text) { it.span.textContent = spot.v.text; it.shownText = spot.v.text; }
      it.span.style.transform = `translate(${spot.dx - spot.v.w / 2}px, ${spot.dy - spot.v.h / 2}px)`;
    }
    return spots.size;
  }

  /** Whether an area gets a name at this zoom: drawn, and at least MIN_AREA_PX across on screen. */
  function named(it) {
    const b = shown(it.code) ? boundsOf(it.code) : null;
    if (!b) return false;
    const nw = map.latLngToContainerPoint(b.getNorthWest()), se = map.latLngToContainerPoint(b.getSouthEast());
    return Math.max(se.x - nw.x, se.y - nw.y) >= MIN_AREA_PX;
  }

  map.on('zoomend moveend resize', place);
  return { set, setRegions, clear, place, items: () => items };
}
