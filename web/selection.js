// selection.js: the chosen and compared areas (the panel's actions), the panel, clicks, lookup and search.
import { api } from './api.js';
import { $ } from './dom.js';
import { createPanel } from './panel.js';
import { drawNeighbourMarks, restyle } from './choropleth.js';
import { map, marks } from './map.js';
import { MAX_COMPARE, catalog, layerText, level, state, view, writeUrl } from './state.js';
import { setStatus } from './status.js';

const L = window.L;

/** The selection's actions and the panel they update; `render` draws the page afresh (another indicator). */
export function createSelection({ render }) {
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

  const panel = createPanel({ state, view, catalog, actions, level, layerText });

  return { panel, chooseArea, pointClicked, search };
}
