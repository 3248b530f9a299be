// downloads.js: what the map's buttons take away: the map as a PNG, its embed code, the areas as CSV.
import { h, $ } from './dom.js';
import { embedCode, mapSvg, pngOf, save } from './export.js';
import { unitOf } from './format.js';
import { layerText, level, shown, state, view } from './state.js';
import { setStatus } from './status.js';

/** The map as drawn, with its names, legend and attribution, as a PNG. */
export async function downloadMap() {
  const lvl = level();
  const file = mapSvg($('#map'), {
    title: `${lvl?.title || state.ind}, ${state.year}`,
    lines: [`${layerText(view.layerId)}. Source: ${lvl?.source_name || 'see the indicator notes'}.`, `smartspec, ${location.href}`],
  });
  try {
    save(await pngOf(file), `map-${state.ind}-${state.geo}-${state.year}.png`);
  } catch (err) {
    setStatus(`The map could not be saved as a picture: ${err.message}`);
  }
}

/** One click: the <iframe> of this view (its URL state) is shown, selected and copied. */
export async function showEmbed() {
  const lvl = level();
  const code = embedCode(location.href, `Smart Specialisation map: ${lvl?.title || state.ind}, ${state.year}`);
  const box = $('#embed-code');
  box.value = code;
  $('#embed-box').hidden = false;
  box.focus();
  box.select();
  try {
    await navigator.clipboard.writeText(code);
    $('#embed-status').textContent = 'Copied to the clipboard.';
  } catch {
    $('#embed-status').textContent = 'Selected: copy it with Ctrl+C.';
  }
}

export function downloadCsv() {
  if (!view.vals) return;
  const q = (x) => (x == null ? '' : /[",\n]/.test(String(x)) ? `"${String(x).replace(/"/g, '""')}"` : String(x));
  const rows = [['code', 'name', 'indicator', 'year', 'value', 'unit', 'rank', 'of', 'layer']];
  for (const code of [...view.features.keys()].filter(shown)) {
    const v = view.vals.values[code];
    rows.push([code, view.names.get(code), state.ind, state.year, v, unitOf(view.units), view.stats.rank[code], view.stats.n, view.layerId]);
  }
  const blob = new Blob([rows.map((r) => r.map(q).join(',')).join('\n') + '\n'], { type: 'text/csv' });
  const a = h('a', { href: URL.createObjectURL(blob), download: `${state.ind}-${state.geo}-${state.year}.csv` });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
}
