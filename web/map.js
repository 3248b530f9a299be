// map.js: the Leaflet map with its panes, legend, names and marks; its view kept in the URL; the zoom band.
import { api } from './api.js';
import { $ } from './dom.js';
import { createLabels } from './labels.js';
import { createLegend } from './legend.js';
import { ENGLAND, app, catalog, frame, state, writeUrl } from './state.js';

const L = window.L;

export const map = L.map('map', { zoomSnap: 0.25, minZoom: 4, maxZoom: 12, keyboard: true }).fitBounds(ENGLAND);
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
map.createPane('regions').style.zIndex = 450;
map.createPane('marks').style.zIndex = 460;
const labelPane = map.createPane('labels');
labelPane.style.zIndex = 470;
labelPane.style.pointerEvents = 'none';
labelPane.setAttribute('aria-hidden', 'true'); // the areas carry their names as aria-labels
export const legend = createLegend($('#legend'));
export const labels = createLabels(map, { pane: 'labels' });
export const marks = L.layerGroup().addTo(map);
app.map = map;

/** The map was moved: keep its zoom and centre in the state (unless it is where the state says). */
let settingView = false;
export function viewMoved() {
  if (!app.renders || settingView) return; // the first view is the state's, or England
  const z = map.getZoom(), c = map.getCenter();
  if (state.z === z && state.c && Math.abs(state.c[0] - c.lat) < 5e-5 && Math.abs(state.c[1] - c.lng) < 5e-5) return;
  state.z = z;
  state.c = [Number(c.lat.toFixed(4)), Number(c.lng.toFixed(4))];
  writeUrl();
}

/** The map's size changed: keep its centre (to within half a pixel) without calling that a move. */
export function resized() {
  settingView = true;
  try { return map.invalidateSize(); } finally { settingView = false; }
}

/** Show the state's zoom and centre, or the whole layer's extent when the URL named none. */
export function showInitialView() {
  settingView = true;
  try {
    if (state.z != null) map.setView(state.c, state.z, { animate: false });
    else map.fitBounds(frame(), { animate: false });
  } finally { settingView = false; }
}

/** The zoom to request `layerId`'s geometry at for the map's current zoom (see api.bandZoom). */
export const bandFor = (layerId) => api.bandZoom(catalog.collections.get(layerId), map.getZoom());
