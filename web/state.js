// state.js: the page state (mirrored in the URL hash), the catalogue, what is drawn; the URL read and written.
import { METHODS } from './classify.js';
import { $ } from './dom.js';

export const GEOGRAPHIES = { lep: 'LEP', nuts2: 'NUTS 2 (UK)', nuts3: 'NUTS 3 (UK)' };
/** Geographies whose layers cover the whole UK, not just England. */
export const UK_WIDE = new Set(['nuts2', 'nuts3']);
export const MODES = { values: 'Values', lisa: 'Neighbours (LISA)' };
const LAYER_NAMES = { lep: 'LEP', nuts2: 'NUTS 2', nuts3: 'NUTS 3', region: 'Region', lad: 'District' };
export const ENGLAND = [[49.86, -6.42], [55.82, 1.77]];
/** The NUTS layers' extent: the whole United Kingdom, Shetland and Northern Ireland included. */
export const UK = [[49.86, -8.65], [60.85, 1.77]];
const TABS = ['area', 'compare', 'ranking', 'table'];
export const MAX_COMPARE = 5;

/** Everything the page shows follows from this state, which the URL hash mirrors. */
export const state = { geo: 'lep', ind: null, year: null, cls: 'quantile', area: null, cmp: [], regions: false, tab: 'area', eng: false, mode: 'values', z: null, c: null };
/** Exposed for the browser tests and for debugging in the console. */
export const app = (window.smartspec = { state, status: 'loading', layer: null, featureCount: 0, values: null, error: null, renders: 0 });

export const catalog = { config: null, collections: new Map(), indicators: new Map(), groups: [], metricsAttribution: [] };
export const view = {
  units: {}, layerId: null, band: null, geoLayer: null, features: new Map(), names: new Map(), vals: null, stats: null, breaks: [], colours: [],
  /** Codes the values response flags as outliers to check at the source. */
  checkSource: new Set(),
  /** The /spatial response for the Neighbours mode (null: not loaded or not offered), and why not. */
  spatial: null, spatialError: null, lisa: new Map(),
  /** Overlapping pairs of the drawn layer, from its labels ([[a, b], ...], a < b). */
  overlaps: [],
};

export const level = (ind = state.ind, geo = state.geo) => catalog.indicators.get(ind)?.levels.find((l) => l.geography === geo);
export const layerOf = (lvl, year) => lvl?.layers?.[String(year)];

export function layerText(layerId) {
  const c = catalog.collections.get(layerId);
  const kind = LAYER_NAMES[c?.geography] || c?.geography || 'Area';
  return c?.vintage ? `${kind} boundaries: ${c.vintage} version (${layerId})` : `${kind} boundaries: ${layerId}`;
}

/** Make state consistent with the catalogue (after reading the URL or changing a control). */
export function normalise() {
  const geos = [...$('#geography').options].map((o) => o.value);
  if (!geos.includes(state.geo)) state.geo = geos[0];
  if (!level()) {
    const ids = [...catalog.indicators.keys()].filter((id) => level(id));
    // The server's choice (map-config `default_indicator`): one whose totals pass its audit and
    // that carries no caveat.
    const preferred = catalog.config?.default_indicator;
    state.ind = ids.includes(preferred) ? preferred : ids.sort()[0];
  }
  const years = level()?.years || [];
  if (!years.includes(Number(state.year))) state.year = years.at(-1);
  state.year = Number(state.year);
  if (!METHODS[state.cls]) state.cls = 'quantile';
  if (!TABS.includes(state.tab)) state.tab = 'area';
  if (!MODES[state.mode]) state.mode = 'values';
  if (!UK_WIDE.has(state.geo)) state.eng = false;
  state.cmp = [...new Set(state.cmp)].slice(0, MAX_COMPARE);
}

export function readUrl() {
  const p = new URLSearchParams(location.hash.slice(1) || location.search.slice(1));
  if (p.get('geo')) state.geo = p.get('geo');
  if (p.get('ind')) state.ind = p.get('ind');
  if (p.get('year')) state.year = Number(p.get('year'));
  if (p.get('cls')) state.cls = p.get('cls');
  state.area = p.get('area') || null;
  state.cmp = (p.get('cmp') || '').split(',').filter(Boolean);
  state.regions = p.get('regions') === '1';
  if (p.get('tab')) state.tab = p.get('tab');
  state.eng = p.get('eng') === '1';
  state.mode = p.get('mode') || 'values';
  const z = Number(p.get('z')), c = (p.get('c') || '').split(',').map(Number);
  if (p.get('z') && Number.isFinite(z) && c.length === 2 && c.every(Number.isFinite)) { state.z = z; state.c = c; } else { state.z = null; state.c = null; }
}

export function writeUrl() {
  const p = new URLSearchParams({ geo: state.geo, ind: state.ind, year: state.year, cls: state.cls });
  if (state.area) p.set('area', state.area);
  if (state.cmp.length) p.set('cmp', state.cmp.join(','));
  if (state.regions) p.set('regions', '1');
  if (state.tab !== 'area') p.set('tab', state.tab);
  if (state.eng) p.set('eng', '1');
  if (state.mode !== 'values') p.set('mode', state.mode);
  if (state.z != null) { p.set('z', String(state.z)); p.set('c', state.c.map((x) => x.toFixed(4)).join(',')); }
  const hash = `#${p}`.replace(/%2C/g, ',');
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

/** What the map frames when no view is set: the UK for the UK-wide layers, else England. */
export const frame = () => (UK_WIDE.has(state.geo) && !state.eng ? UK : ENGLAND);

/** The values' `within` for the areas shown: the server ranks English areas among themselves. */
export const within = () => (state.eng ? 'england' : null);
/**
 * England only: areas outside England leave the map (and the classes, labels and tables). The
 * server decides which areas are English: those its `within=england` values list.
 */
export const shown = (code) => !state.eng || view.vals?.within !== 'england' || code in view.vals.values;
view.within = within;
view.shown = shown;
