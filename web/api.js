// api.js: every request the map makes to the smartspec API, with JSON error handling and caches.
// Geometry is fetched once per boundary layer; values once per (indicator, geography, year).

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

const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v != null && v !== '')).toString();
const enc = encodeURIComponent;

export const api = {
  mapConfig: () => cached('config', () => getJson('/map-config.json')),
  collections: () => cached('collections', () => getJson('/collections')),
  indicators: () => cached('indicators', () => getJson('/indicators')),
  /** Full geometry of a boundary layer: fetched once, then served from the cache. */
  geometry: (layer) => cached(`geom:${layer}`, () => getJson(`/collections/${enc(layer)}/items?limit=10000&properties=code,name`)),
  values: (id, geography, year) =>
    cached(`values:${id}:${geography}:${year}`, () => getJson(`/indicators/${enc(id)}/values?${q({ geography, year })}`)),
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
  lookup: (lon, lat, layers) => getJson(`/lookup?${q({ lon, lat, layers: layers.join(',') })}`),
  itemsUrl: (layer, indicator, year) => `/collections/${enc(layer)}/items?${q({ limit: 10000, indicator, year })}`,
};
