// api.js: every request the map makes to the smartspec API, with JSON error handling and caches.
// Geometry is fetched once per (boundary layer, zoom band); values once per (indicator, geography,
// year). Geometry and values URLs carry the server's data version (`v=`, from /map-config.json), so
// the server marks them immutable and the browser keeps them across reloads.

export class ApiError extends Error {
  constructor(status, code, description, url) {
    super(`${description || code || 'Request failed'} (HTTP ${status})`);
    this.status = status;
    this.code = code;
    this.url = url;
  }
}

async function getJson(url) {
  let res;
  try {
    res = await fetch(url, { headers: { accept: 'application/json, application/geo+json' } });
  } catch (e) {
    throw new ApiError(0, 'NetworkError', `Cannot reach the server (${e.message})`, url);
  }
  if (!res.ok) {
    let body = {};
    try { body = await res.json(); } catch { /* not JSON */ }
    throw new ApiError(res.status, body.code, body.description || res.statusText, url);
  }
  return res.json();
}

const cache = new Map();
function cached(key, load) {
  if (!cache.has(key)) {
    const p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key)); // let a failed request be retried
  }
  return cache.get(key);
}

/**
 * The catalogue the server inlined into the page (`/map/`): map-config, collections and indicators
 * as those endpoints serve them. Null where the page has none; the map then fetches them.
 */
const inlined = (() => {
  const text = globalThis.document?.getElementById('smartspec-catalogue')?.textContent.trim();
  try { return text ? JSON.parse(text) : null; } catch { return null; }
})();
const startDoc = (name, url) => (inlined?.[name] ? Promise.resolve(inlined[name]) : getJson(url));

/** The server's content hash of its data (map-config `data_version`); null until the config loaded. */
let dataVersion = null;

// Commas left as they are (properties=code,name), so the URLs read as the API documents them.
const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString().replace(/%2C/g, ',');
const enc = encodeURIComponent;

export const api = {
  mapConfig: () => cached('config', () => startDoc('config', '/map-config.json').then((c) => { dataVersion = c.data_version || null; return c; })),
  collections: () => cached('collections', () => startDoc('collections', '/collections')),
  indicators: () => cached('indicators', () => startDoc('indicators', '/indicators')),
  /**
   * Geometry of a boundary layer generalised for `zoom` (a band's canonical zoom, see bandZoom; null:
   * full resolution): fetched once per (layer, zoom), then served from the cache.
   */
  geometry: (layer, zoom = null) => cached(`geom:${layer}:${zoom}`, () =>
    getJson(`/collections/${enc(layer)}/items?${q({ limit: 10000, properties: 'code,name', zoom, v: dataVersion })}`)),
  /** Values with the server's ranks and median; `within: 'england'` for the English areas alone. */
  values: (id, geography, year, within = null) =>
    cached(`values:${id}:${geography}:${year}:${within}`, () => getJson(`/indicators/${enc(id)}/values?${q({ geography, year, within, v: dataVersion })}`)),
  /** Label points of a boundary layer (pole of inaccessibility, size rank, overlapping areas). */
  labels: (layer) => cached(`labels:${layer}`, () => getJson(`/collections/${enc(layer)}/labels?${q({ v: dataVersion })}`)),
  /** Global and local Moran's I (LISA classes) of an indicator; 404 on a server without it. */
  spatial: (id, geography, year) =>
    cached(`spatial:${id}:${geography}:${year}`, () => getJson(`/indicators/${enc(id)}/spatial?${q({ geography, year })}`)),
  ranking: (id, geography, year) =>
    cached(`ranking:${id}:${geography}:${year}`, () => getJson(`/indicators/${enc(id)}/ranking?${q({ geography, year })}`)),
  compare: (id, geography, year, areas) => getJson(`/indicators/${enc(id)}/compare?${q({ geography, year, areas: areas.join(',') })}`),
  profile: (code, geography, year) =>
    cached(`profile:${code}:${geography}:${year}`, () => getJson(`/areas/${enc(code)}/profile?${q({ geography, year })}`)),
  peers: (code, geography, year, indicators, k = 5) =>
    getJson(`/areas/${enc(code)}/peers?${q({ geography, year, indicators: indicators.join(','), k })}`),
  neighbours: (layer, code, indicator, year) =>
    cached(`nb:${layer}:${code}:${indicator}:${year}`, () =>
      getJson(`/collections/${enc(layer)}/items/${enc(code)}/neighbours?${q({ indicator, year })}`)),
  /** The specialisation matrices (/specialisation) and one area's location quotients in one of them. */
  specialisationMatrices: () => cached('specialisation', () => getJson('/specialisation')),
  specialisation: (matrix, measure, area) => getJson(`/specialisation/${enc(matrix)}?${q({ measure, area })}`),
  lookup: (lon, lat, layers) => getJson(`/lookup?${q({ lon, lat, layers: layers.join(',') })}`),
  /**
   * The zoom to ask `layer`'s geometry for at map zoom `z`: the max_zoom of the band holding
   * floor(z), the coarsest band whose simplification (half a pixel at its max_zoom) stays under one
   * pixel at z (one URL per band, so zooms in the same band share a request),
   * full_resolution_from_zoom from there on, null (full resolution) when the collection lists no
   * bands.
   */
  bandZoom(collection, z) {
    const g = collection?.generalisation;
    if (!g?.bands?.length) return null;
    const zc = Math.max(0, Math.floor(z + 1e-9));
    const full = g.full_resolution_from_zoom ?? Math.max(...g.bands.map((b) => b.max_zoom)) + 1;
    if (zc >= full) return full;
    const band = g.bands.find((b) => b.min_zoom <= zc && zc <= b.max_zoom);
    return band ? band.max_zoom : full;
  },
  // f=json: a download link is fetched with a browser's Accept, which would otherwise get the HTML page.
  itemsUrl: (layer, indicator, year) => `/collections/${enc(layer)}/items?${q({ limit: 10000, indicator, year, f: 'json' })}`,
};
