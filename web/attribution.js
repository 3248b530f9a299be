// attribution.js: attribution for what is on screen: short in Leaflet's control, in full in the footer.
import { h, $ } from './dom.js';
import { map } from './map.js';
import { catalog, state } from './state.js';

let attributions = [];

/**
 * Attribution for what is on screen. Short forms go into Leaflet's control, full texts into the
 * footer. Sources: each drawn collection's `attributionShort`/`attribution`, the indicators'
 * `attribution` (/indicators), and /map-config.json entries ({id?, layer?, short?, text}); an entry
 * with a `layer` applies only when that layer (or geography) is drawn, one without applies always.
 */
/**
 * Each source once: texts trimmed, without their final full stop, and a text dropped when another
 * one says it and more ("… database right" beside "… database right 2021").
 */
function onceEach(texts) {
  const all = [...new Set(texts.map((t) => String(t).trim().replace(/\.$/, '')).filter(Boolean))];
  return all.filter((t) => !all.some((o) => o !== t && o.startsWith(t)));
}

export function updateAttribution(layerId) {
  const shown = [layerId, state.regions ? 'region' : null].filter(Boolean);
  const config = catalog.config?.attribution || [];
  const shortOf = (text) => config.find((a) => a.text === text)?.short || text;
  const short = [], full = [];
  for (const id of shown) {
    const c = catalog.collections.get(id);
    if (c?.attribution) full.push(...String(c.attribution).split('\n'));
    if (c?.attributionShort || c?.attribution) short.push(c.attributionShort || c.attribution);
  }
  for (const text of catalog.metricsAttribution) { short.push(shortOf(text)); full.push(text); }
  for (const a of config) {
    const applies = !a.layer || shown.some((id) => id === a.layer || id.startsWith(`${a.layer}-`) || catalog.collections.get(id)?.geography === a.layer);
    if (a.id && !a.layer) continue; // a catalogue of named blocks: used above through the collections
    if (applies) { short.push(a.short || a.text); full.push(a.text); }
  }
  if (catalog.config?.tile_url && catalog.config.tile_attribution) { short.push(catalog.config.tile_attribution); full.push(catalog.config.tile_attribution); }
  for (const t of attributions) map.attributionControl.removeAttribution(t);
  const sentences = onceEach(short.flatMap((t) => String(t || '').split(/(?<=\.)\s+/)));
  attributions = sentences.map((t) => h('span', {}, t).innerHTML); // escaped; Leaflet adds commas
  for (const t of attributions) map.attributionControl.addAttribution(t);
  const lines = onceEach(full).map((t) => (/[.!?]$/.test(t) ? t : `${t}.`));
  $('#attribution-list').replaceChildren(...lines.map((t) => h('li', {}, t)));
}
