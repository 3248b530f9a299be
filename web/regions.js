// regions.js: the region outlines overlay, loaded on demand and following the zoom band.
import { api } from './api.js';
import { $ } from './dom.js';
import { updateAttribution } from './attribution.js';
import { bandFor, labels, map } from './map.js';
import { app, state, view, writeUrl } from './state.js';
import { busy, showError } from './status.js';

const L = window.L;

let regionLayer = null, regionBand = null, regionSeq = 0;

/** Draw region outlines from `fc` (zoom band `band`), replacing the previous ones once drawn. */
function showRegions(fc, band) {
  const old = regionLayer;
  if (band !== regionBand || !old) {
    regionLayer = L.geoJSON(fc, { pane: 'regions', interactive: false, style: { color: '#000', weight: 1.5, opacity: 0.8, fill: false, dashArray: '5 4' } });
    regionBand = app.regionZoom = band;
  }
  regionLayer.addTo(map);
  if (old && old !== regionLayer) old.remove();
}

export async function toggleRegions() {
  state.regions = $('#regions').checked;
  writeUrl();
  const seq = ++regionSeq;
  if (!state.regions) { regionLayer?.remove(); labels.setRegions(null); updateAttribution(view.layerId); return; }
  try {
    busy('Loading region outlines…');
    const band = bandFor('region');
    const [fc, names] = await Promise.all([api.geometry('region', band), api.labels('region')]);
    if (!state.regions || seq !== regionSeq) return;
    showRegions(fc, band);
    labels.setRegions(names);
    updateAttribution(view.layerId);
    busy(null);
  } catch (err) {
    showError(err, toggleRegions);
  }
}

/** After a zoom, the region outlines follow the band too (quietly: the old ones stay on failure). */
export async function refineRegions() {
  if (!state.regions || !regionLayer) return;
  const seq = ++regionSeq;
  const band = bandFor('region');
  if (band === regionBand) return;
  try {
    const fc = await api.geometry('region', band);
    if (seq === regionSeq && state.regions) showRegions(fc, band);
  } catch (err) {
    console.warn('smartspec: keeping the current region outlines:', err);
  }
}
