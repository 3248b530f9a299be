// choropleth.js: the areas drawn, styled from the values, swapped in place across zoom bands; their marks.
import { api } from './api.js';
import { h, $ } from './dom.js';
import { LISA, NO_DATA, classOf } from './classify.js';
import { formatValue } from './format.js';
import { SERIES } from './chart.js';
import { drawHatching } from './hatching.js';
import { bandFor, labels, map, marks } from './map.js';
import { app, shown, state, view } from './state.js';

const L = window.L;
let neighbourMarks = { codes: [], layers: [] };

/** Geometry of `layerId` for the current zoom, as {fc, band}. */
export const loadGeometry = (layerId) => { const band = bandFor(layerId); return api.geometry(layerId, band).then((fc) => ({ fc, band })); };

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

export function restyle() {
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

/** (Re)draw the neighbour outlines from the areas' current geometry. */
export function drawNeighbourMarks(codes) {
  for (const l of neighbourMarks.layers) marks.removeLayer(l);
  neighbourMarks = { codes, layers: [] };
  for (const code of codes) {
    const lyr = view.features.get(code);
    if (lyr) neighbourMarks.layers.push(L.geoJSON(lyr.feature, { pane: 'marks', interactive: false, style: { color: '#d95f02', weight: 2, dashArray: '4 3', fill: false } }).addTo(marks));
  }
}

/**
 * The layer's drawing: geometry fetched once per (boundary layer, zoom band) and swapped in place
 * when the zoom crosses into another band (restyled from the values, never refetched on zoom). An
 * area's click, Enter or Space calls `chooseArea` and `pointClicked` (the selection's); the names'
 * arrival calls `updateLegend` (it counts the overlaps they list).
 */
export function createChoropleth({ chooseArea, pointClicked, updateLegend }) {
  /** Bumped by every geometry draw or band change, so a band's response that arrives late is dropped. */
  let geomSeq = 0;

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

  return { drawLayer, refineGeometry };
}
