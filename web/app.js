// app.js: the map page's start-up: the parts made and tied, controls and map events wired, first render.
import { api } from './api.js';
import { h, $ } from './dom.js';
import { METHODS } from './classify.js';
import { createChoropleth } from './choropleth.js';
import { fillGeographies } from './controls.js';
import { downloadCsv, downloadMap, showEmbed } from './downloads.js';
import { map, resized, showInitialView, viewMoved } from './map.js';
import { refineRegions, toggleRegions } from './regions.js';
import { createRender } from './render.js';
import { createSelection } from './selection.js';
import { MODES, catalog, readUrl, state } from './state.js';
import { busy, showError } from './status.js';

const L = window.L;

// The parts call each other in a circle (a click on an area changes the selection, which restyles
// the areas; the legend follows the areas' names; the panel changes the indicator, which renders),
// and the server joins modules only without import cycles: so the circle is tied here. Each hook
// calls a function made on the lines below it, which exists before any event or request can call it.
const { drawLayer, refineGeometry } = createChoropleth({
  chooseArea: (code) => chooseArea(code),
  pointClicked: (latlng, code) => pointClicked(latlng, code),
  updateLegend: () => updateLegend(),
});
const { panel, chooseArea, pointClicked, search } = createSelection({ render: () => render() });
const { render, updateLegend } = createRender({ drawLayer, refineGeometry, panel });

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
