// app.js: the map page's state and wiring: controls, URL state (including zoom and centre), the
// choropleth layer (geometry fetched once per (boundary layer, zoom band) and swapped in place when
// the zoom crosses into another band; restyled from /indicators/{id}/values, never refetched on
// zoom), area names, overlap hatching, the Neighbours (LISA) mode, attribution, status.
import { api } from './api.js';
import { h } from './dom.js';
import { LISA, METHODS, NO_DATA, breaks, classOf, colours, served, skewness } from './classify.js';
import { formatValue } from './format.js';
import { createPanel } from './panel.js';
import { SERIES } from './chart.js';
import { $ } from './dom.js';
import { GEOGRAPHIES, MAX_COMPARE, MODES, UK_WIDE, app, catalog, frame, layerOf, layerText, level, normalise, readUrl, shown, state, view, within, writeUrl } from './state.js';
import { busy, setStatus, showError } from './status.js';
import { bandFor, labels, legend, map, marks, resized, showInitialView, viewMoved } from './map.js';
import { fillGeographies, syncControls } from './controls.js';
import { updateAttribution } from './attribution.js';
import { drawHatching } from './hatching.js';
import { refineRegions, toggleRegions } from './regions.js';
import { downloadCsv, downloadMap, showEmbed } from './downloads.js';

const L = window.L;
/** |skewness| above this: equal intervals put most areas in one class, so the legend warns. */
const SKEW_LIMIT = 1;

let renderSeq = 0;
/** Bumped by every geometry draw or band change, so a band's response that arrives late is dropped. */
let geomSeq = 0;
/** The map's size when the first view was fitted to England (false before). */
let fitted = false;
/** The extent the map last framed (UK or ENGLAND) while no view of the user's was set. */
let framed = null;

let neighbourMarks = { codes: [], layers: [] };

// ---- drawing --------------------------------------------------------------------------------

/** Geometry of `layerId` for the current zoom, as {fc, band}. */
const loadGeometry = (layerId) => { const band = bandFor(layerId); return api.geometry(layerId, band).then((fc) => ({ fc, band })); };

/** The fill of an area: its class colour, or its LISA class colour in the Neighbours mode. */
function fillOf(code) {
  if (state.mode === 'lisa' && view.spatial) return (LISA[view.lisa.get(code)] || LISA['no-data']).colour;
  const k = classOf(view.vals?.values?.[code], view.breaks);
  return k == null ? NO_DATA : view.colours[k];
}

function style(feature) {
  const code = feature.id ?? feature.properties.code;
  const sel = code === state.area, cmp = state.cmp.indexOf(code);
  const check = view.checkSource.has(code) && state.mode === 'values';
  return {
    fillColor: fillOf(code), fillOpacity: 0.78,
    color: sel ? '#000' : cmp >= 0 ? SERIES[cmp] : check ? '#7b3294' : '#555',
    weight: sel || cmp >= 0 ? 3 : check ? 2.5 : 0.6, opacity: 1, dashArray: check && !sel && cmp < 0 ? '4 3' : null,
  };
}

function tooltip(code) {
  const v = view.vals?.values?.[code];
  const r = view.stats?.rank[code];
  const lisa = state.mode === 'lisa' && view.spatial ? LISA[view.lisa.get(code)] : null;
  return h('div', { class: 'tip' }, h('strong', {}, view.names.get(code) || code), h('br'),
    formatValue(v, view.units), h('br'),
    r ? `Rank ${r} of ${view.stats.n}` : 'Not ranked (no data)',
    lisa ? [h('br'), `Neighbours: ${lisa.label}`] : '',
    view.checkSource.has(code) ? [h('br'), '⚠ Check source: an outlier'] : '');
}

function drawLayer(layerId, fc, band) {
  geomSeq++;
  view.geoLayer?.remove();
  view.features.clear();
  view.names.clear();
  view.layerId = layerId;
  view.band = app.geometryZoom = band;
  view.geoLayer = L.geoJSON(fc, {
    style,
    // The server's band is already simplified for this zoom, with shared borders kept shared;
    // Leaflet's own per-polygon simplification would cost time and open hairline gaps.
    smoothFactor: 0,
    onEachFeature: (f, lyr) => {
      const code = f.id ?? f.properties.code;
      view.features.set(code, lyr);
      view.names.set(code, f.properties.name ?? code);
      lyr.on('add', () => {
        const el = lyr.getElement();
        if (!el) return;
        el.setAttribute('data-code', code); // for tests and debugging
        el.setAttribute('tabindex', '0'); // keyboard: Tab to an area, Enter to select it
        el.setAttribute('role', 'button');
        el.setAttribute('aria-label', f.properties.name ?? code);
        el.addEventListener('keydown', (e) => {
          if (e.key !== 'Enter' && e.key !== ' ') return;
          e.preventDefault();
          chooseArea(code);
        });
        el.addEventListener('focus', () => lyr.openTooltip(lyr.getBounds().getCenter()));
        el.addEventListener('blur', () => lyr.closeTooltip());
      });
      lyr.bindTooltip(() => tooltip(code), { sticky: true, direction: 'top', className: 'area-tip' });
      lyr.on('click', (e) => { L.DomEvent.stopPropagation(e); pointClicked(e.latlng, code); });
      lyr.on('mouseover', () => lyr.setStyle({ weight: Math.max(2, style(f).weight) }));
      lyr.on('mouseout', () => lyr.setStyle(style(f)));
    },
  }).addTo(map);
  $('#area-names').replaceChildren(...[...view.names.values()].sort().map((n) => h('option', { value: n })));
  view.overlaps = [];
  labels.clear();
  loadLabels(layerId);
}

/** Names at the server's label points, and the overlapping pairs (for the hatching). */
async function loadLabels(layerId) {
  try {
    const fc = await api.labels(layerId);
    if (layerId !== view.layerId) return;
    view.overlaps = fc.features.flatMap((f) => (f.properties.overlaps || []).filter((o) => f.properties.code < o).map((o) => [f.properties.code, o]));
    labels.set(fc, (code) => view.features.get(code)?.getBounds(), shown);
    app.labelsLayer = layerId;
    if (view.vals) { restyle(); updateLegend(); }
  } catch (err) {
    console.warn('smartspec: no area names:', err); // the map works without them
  }
}

/**
 * Put the geometry of another zoom band (`fc`, same layer) under the drawn areas: each area's
 * polygon gets the new rings in place, so its SVG path, style, selection, hover, focus and open
 * tooltip stay as they are. Falls back to redrawing if the areas differ.
 */
function swapGeometry(fc, band) {
  const byCode = new Map(fc.features.map((f) => [f.id ?? f.properties.code, f]));
  const inPlace = byCode.size === view.features.size && [...view.features].every(([code, lyr]) =>
    lyr instanceof L.Polygon && /^(Multi)?Polygon$/.test(byCode.get(code)?.geometry?.type));
  if (!inPlace) {
    drawLayer(view.layerId, fc, band);
    restyle();
  } else {
    for (const [code, lyr] of view.features) {
      const { geometry } = byCode.get(code);
      lyr.feature = byCode.get(code);
      lyr.setLatLngs(L.GeoJSON.coordsToLatLngs(geometry.coordinates, geometry.type === 'Polygon' ? 1 : 2));
    }
    view.band = app.geometryZoom = band;
  }
  drawNeighbourMarks(neighbourMarks.codes);
  drawHatching();
  labels.place();
  app.featureCount = view.features.size;
  app.swaps = (app.swaps || 0) + 1;
}

/** After a zoom: if the map's zoom now falls in another band, fetch it and swap it in (latest zoom wins). */
async function refineGeometry() {
  const seq = ++geomSeq;
  const layerId = view.layerId;
  if (!layerId) return;
  const band = bandFor(layerId);
  if (band === view.band) return;
  try {
    const fc = await api.geometry(layerId, band);
    if (seq !== geomSeq || layerId !== view.layerId) return; // a later zoom or another layer won
    swapGeometry(fc, band);
  } catch (err) {
    console.warn('smartspec: keeping the current geometry:', err); // the next zoom tries again
  }
}

function restyle() {
  if (!view.geoLayer) return;
  for (const [code, lyr] of view.features) {
    const on = view.geoLayer.hasLayer(lyr);
    if (shown(code) && !on) view.geoLayer.addLayer(lyr);
    else if (!shown(code) && on) view.geoLayer.removeLayer(lyr);
  }
  view.geoLayer?.setStyle(style);
  for (const [code, lyr] of view.features) {
    const el = lyr.getElement?.();
    if (!el) continue;
    el.toggleAttribute('data-check-source', view.checkSource.has(code));
    if (state.mode === 'lisa' && view.spatial) el.setAttribute('data-lisa', view.lisa.get(code) || 'no-data');
    else el.removeAttribute('data-lisa');
  }
  drawHatching();
  for (const code of [...state.cmp, state.area]) view.features.get(code)?.bringToFront();
  labels.place();
}

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

// ---- selection, compare, lookup -------------------------------------------------------------

const actions = {
  select(code, { tab } = {}) {
    state.area = code;
    if (tab) state.tab = tab;
    writeUrl();
    restyle();
    panel.update();
  },
  addCompare(code) {
    if (!state.cmp.includes(code)) state.cmp = [...state.cmp, code].slice(-MAX_COMPARE);
    writeUrl();
    restyle();
    panel.update();
  },
  removeCompare(code) {
    state.cmp = state.cmp.filter((c) => c !== code);
    writeUrl();
    restyle();
    panel.update();
  },
  zoomTo(code) {
    const lyr = view.features.get(code);
    if (lyr) map.fitBounds(lyr.getBounds(), { maxZoom: 9, padding: [20, 20] });
  },
  setIndicator(id, year) {
    state.ind = id;
    state.year = year;
    render();
  },
  showTab(tab) {
    state.tab = tab;
    writeUrl();
    panel.update();
  },
  /** Outline neighbours (codes) with a dashed line; [] clears. */
  markNeighbours(codes) {
    marks.clearLayers();
    drawNeighbourMarks(codes);
  },
};

/** (Re)draw the neighbour outlines from the areas' current geometry. */
function drawNeighbourMarks(codes) {
  for (const l of neighbourMarks.layers) marks.removeLayer(l);
  neighbourMarks = { codes, layers: [] };
  for (const code of codes) {
    const lyr = view.features.get(code);
    if (lyr) neighbourMarks.layers.push(L.geoJSON(lyr.feature, { pane: 'marks', interactive: false, style: { color: '#d95f02', weight: 2, dashArray: '4 3', fill: false } }).addTo(marks));
  }
}

/** A click (or Enter) on an area: add it to the comparison in the compare tab, else select it. */
function chooseArea(code) {
  if (state.tab === 'compare') actions.addCompare(code);
  else actions.select(code);
  revealPanel();
}

/**
 * On a phone the panel sits under the map (style.css, max-width 500px): a choice on the map
 * scrolls the panel's heading into view and moves focus to it, so what was chosen is seen.
 */
function revealPanel() {
  if (!window.matchMedia('(max-width: 500px)').matches) return;
  const panelEl = document.getElementById('panel');
  const heading = panelEl.querySelector('[role=tabpanel]:not([hidden]) h2');
  panelEl.scrollIntoView({ block: 'start' });
  if (heading) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
}

function pointClicked(latlng, code) {
  if (code) chooseArea(code);
  lookup(latlng.lng, latlng.lat, !code);
}

async function lookup(lon, lat, selectFirst) {
  panel.lookup({ lon, lat, loading: true });
  try {
    const res = await api.lookup(lon, lat, [view.layerId, 'region'].filter(Boolean));
    panel.lookup(res);
    const hit = res.layers?.find((l) => l.layer === view.layerId)?.areas?.[0];
    if (selectFirst && hit) { actions.select(hit.code); revealPanel(); }
  } catch (err) {
    panel.lookup({ lon, lat, error: err.message });
  }
}

function search(text) {
  const t = text.trim();
  if (!t) return;
  const m = t.match(/^(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)$/);
  if (m) {
    const [lon, lat] = [Number(m[1]), Number(m[2])];
    L.circleMarker([lat, lon], { pane: 'marks', radius: 6, color: '#000', fillColor: '#fff', fillOpacity: 1 }).addTo(marks);
    map.panTo([lat, lon]);
    lookup(lon, lat, true);
    return;
  }
  const lower = t.toLowerCase();
  const entries = [...view.names];
  const hit = entries.find(([c, n]) => n.toLowerCase() === lower || c.toLowerCase() === lower)
    || entries.find(([, n]) => n.toLowerCase().startsWith(lower)) || entries.find(([, n]) => n.toLowerCase().includes(lower));
  if (!hit) { setStatus(`No area named “${t}” in ${layerText(view.layerId)}.`); return; }
  if (state.tab === 'compare') actions.addCompare(hit[0]);
  else actions.select(hit[0], { tab: 'area' });
  actions.zoomTo(hit[0]);
  $('#search').value = '';
}

// ---- panel context and boot -----------------------------------------------------------------

const panel = createPanel({ state, view, catalog, actions, level, layerText });

function wire() {
  // The controls fold into a bar on a phone, and stay open elsewhere.
  $('#options').open = !window.matchMedia('(max-width: 500px)').matches;
  $('#classification').replaceChildren(...Object.entries(METHODS).map(([k, v]) => h('option', { value: k }, v)));
  $('#geography').addEventListener('change', (e) => { state.geo = e.target.value; render(); });
  $('#indicator').addEventListener('change', (e) => { state.ind = e.target.value; render(); });
  $('#year').addEventListener('change', (e) => { state.year = Number(e.target.value); render(); });
  $('#classification').addEventListener('change', (e) => { state.cls = e.target.value; render(); });
  $('#regions').addEventListener('change', toggleRegions);
  $('#mode').replaceChildren(...Object.entries(MODES).map(([k, v]) => h('option', { value: k }, v)));
  $('#mode').addEventListener('change', (e) => { state.mode = e.target.value; render(); });
  $('#england').addEventListener('change', (e) => { state.eng = e.target.checked; render(); });
  $('#search').addEventListener('change', (e) => search(e.target.value));
  $('#search').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); search(e.target.value); } });
  $('#download-csv').addEventListener('click', downloadCsv);
  $('#embed').addEventListener('click', showEmbed);
  $('#download-map').addEventListener('click', downloadMap);
  $('#embed-close').addEventListener('click', () => { $('#embed-box').hidden = true; $('#embed').focus(); });
  map.on('click', (e) => pointClicked(e.latlng, null));
  map.on('zoomend', () => { refineGeometry(); refineRegions(); });
  map.on('moveend', viewMoved);
  // A layout change keeps the centre to within half a pixel: not a move of the user's, so the URL keeps its view.
  new ResizeObserver(resized).observe($('#map'));
  window.addEventListener('hashchange', () => {
    const before = JSON.stringify(state);
    readUrl();
    if (JSON.stringify(state) !== before) {
      if (state.regions !== $('#regions').checked) { $('#regions').checked = state.regions; toggleRegions(); }
      if (state.z != null) showInitialView();
      render();
    }
  });
}

async function boot() {
  busy('Loading catalogue…');
  try {
    const [config, cols, inds] = await Promise.all([api.mapConfig(), api.collections(), api.indicators()]);
    catalog.config = config;
    for (const c of cols.collections || []) catalog.collections.set(c.id, c);
    for (const i of inds.indicators || []) catalog.indicators.set(i.id, i);
    catalog.metricsAttribution = [inds.attribution || []].flat().map((a) => (typeof a === 'string' ? a : a.text)).filter(Boolean);
    catalog.groups = [...(inds.framework_groups || [])].sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    if (config.tile_url) L.tileLayer(config.tile_url, { attribution: '' }).addTo(map);
  } catch (err) {
    showError(err, boot);
    return;
  }
  readUrl();
  fillGeographies();
  if (state.regions) { $('#regions').checked = true; toggleRegions(); }
  await render();
}

wire();
boot();
