// render.js: one render of the state: values, geometry and neighbours fetched, then classes and legend.
import { api } from './api.js';
import { $ } from './dom.js';
import { METHODS, breaks, classOf, colours, served, skewness } from './classify.js';
import { updateAttribution } from './attribution.js';
import { loadGeometry, restyle } from './choropleth.js';
import { syncControls } from './controls.js';
import { legend, map, resized, showInitialView } from './map.js';
import { GEOGRAPHIES, UK_WIDE, app, frame, layerOf, layerText, level, normalise, shown, state, view, within, writeUrl } from './state.js';
import { busy, setStatus, showError } from './status.js';

/** |skewness| above this: equal intervals put most areas in one class, so the legend warns. */
const SKEW_LIMIT = 1;
let renderSeq = 0;
/** The map's size when the first view was fitted to England (false before). */
let fitted = false;
/** The extent the map last framed (UK or ENGLAND) while no view of the user's was set. */
let framed = null;

/**
 * `render` and the legend it updates: it draws through the choropleth's `drawLayer` and
 * `refineGeometry`, and `panel` follows each render.
 */
export function createRender({ drawLayer, refineGeometry, panel }) {
  async function render() {
    const seq = ++renderSeq;
    normalise();
    const lvl = level();
    const wanted = layerOf(lvl, state.year);
    const needGeom = wanted !== view.layerId;
    if (!fitted) { resized(); showInitialView(); fitted = map.getSize(); framed = frame(); } // the zoom picks the band
    else if (state.z == null && frame() !== framed) { showInitialView(); framed = frame(); } // UK or England, as the layer covers
    // Ask for the data first, then update the controls while it travels.
    const loading = Promise.all([api.values(state.ind, state.geo, state.year, within()), needGeom && wanted ? loadGeometry(wanted) : null,
      state.mode === 'lisa' ? api.spatial(state.ind, state.geo, state.year).catch((err) => ({ error: err })) : null]);
    syncControls();
    writeUrl();
    busy(needGeom ? `Loading ${GEOGRAPHIES[state.geo]} boundaries and ${lvl.title} ${state.year}…` : `Loading ${lvl.title} ${state.year}…`);
    app.status = 'loading';
    try {
      const [vals, geom, spatial] = await loading;
      const layerId = vals.layer || wanted;
      const g = layerId === view.layerId ? null : layerId === wanted && geom ? geom : await loadGeometry(layerId);
      if (seq !== renderSeq) return; // a newer render started meanwhile
      if (g) drawLayer(layerId, g.fc, g.band);
      view.vals = vals;
      // What every number of this view is written with (format.js): the unit and the semantics' decimals.
      view.units = { unit: vals.unit ?? lvl.unit, unit_symbol: vals.unit_symbol ?? lvl.unit_symbol, decimals: vals.decimals ?? lvl.decimals };
      view.stats = served(vals); // the server's ranks and median, of the areas shown
      view.breaks = breaks(view.stats.sorted, state.cls);
      view.colours = colours(view.breaks);
      view.checkSource = new Set(Array.isArray(vals.check_source) ? vals.check_source : []);
      view.spatial = spatial && !spatial.error ? spatial : null;
      view.spatialError = spatial?.error || null;
      view.lisa = new Map((view.spatial?.areas || []).map((a) => [a.code, a.lisa]));
      restyle();
      updateLegend();
      $('#download-geojson').href = api.itemsUrl(layerId, state.ind, state.year);
      $('#download-geojson').setAttribute('download', `${state.ind}-${state.geo}-${state.year}.geojson`);
      updateAttribution(layerId);
      Object.assign(app, { layer: layerId, featureCount: view.features.size, values: vals, error: null, status: 'ready' });
      app.renders++;
      $('#error').hidden = true;
      setStatus(`${lvl.title}, ${state.year}: ${view.stats.n} of ${vals.count_areas} areas have data. ${layerText(layerId)}.`);
      busy(null);
      if (app.renders === 1 && !resized().getSize().equals(fitted)) showInitialView(); // the layout moved
      if (app.renders === 1) performance.mark('smartspec:first-choropleth');
      panel.update();
      refineGeometry(); // the zoom may have moved to another band while this layer loaded
    } catch (err) {
      if (seq === renderSeq) showError(err, render);
    }
  }

  /** The legend for the current state (values or LISA classes, polarity, skew, overlaps, flags). */
  function updateLegend() {
    const lvl = level(), vals = view.vals;
    const counts = view.colours.map(() => 0);
    for (const v of Object.values(vals.values)) { const k = classOf(v, view.breaks); if (k != null) counts[k]++; }
    const better = vals.higher_is_better !== undefined ? vals.higher_is_better : lvl.higher_is_better;
    const skew = skewness(view.stats.sorted);
    const lisaCounts = {};
    for (const [code, k] of view.lisa) if (shown(code)) lisaCounts[k] = (lisaCounts[k] || 0) + 1;
    legend.update({
      title: lvl.title, year: state.year, breaks: view.breaks, colours: view.colours, units: view.units,
      method: METHODS[state.cls], layerText: layerText(view.layerId), counts, noData: vals.count_areas - view.stats.n,
      place: UK_WIDE.has(state.geo) ? (state.eng ? 'England only' : 'United Kingdom') : 'England',
      better, polarityReason: lvl.polarity_reason,
      skew: state.cls === 'equal' && skew != null && Math.abs(skew) > SKEW_LIMIT ? { skew, useQuantiles: () => { state.cls = 'quantile'; render(); } } : null,
      checkSource: state.mode === 'values' ? [...view.checkSource].filter(shown).length : 0,
      overlaps: view.overlaps.filter(([a, b]) => shown(a) && shown(b)).length,
      geography: GEOGRAPHIES[state.geo],
      mode: state.mode,
      spatial: view.spatial, spatialError: view.spatialError, lisaCounts,
    });
    app.skewness = skew;
  }

  return { render, updateLegend };
}
