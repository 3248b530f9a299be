// controls.js: the option controls, filled from the catalogue and set from the state; the indicator's notes.
import { h, $ } from './dom.js';
import { GEOGRAPHIES, UK_WIDE, catalog, level, state } from './state.js';

export function fillGeographies() {
  const have = new Set([...catalog.indicators.values()].flatMap((i) => i.levels.map((l) => l.geography)));
  $('#geography').replaceChildren(...Object.entries(GEOGRAPHIES).filter(([g]) => have.has(g))
    .map(([g, label]) => h('option', { value: g }, label)));
  $('#geography').value = state.geo;
}

function fillIndicators() {
  const byGroup = new Map(catalog.groups.map((g) => [g.id, []]));
  for (const ind of catalog.indicators.values()) {
    const lvl = level(ind.id);
    if (!lvl || !lvl.years?.length) continue;
    if (!byGroup.has(lvl.framework_group)) byGroup.set(lvl.framework_group, []);
    byGroup.get(lvl.framework_group).push([ind.id, lvl]);
  }
  const groups = [];
  for (const [gid, items] of byGroup) {
    if (!items.length) continue;
    const g = catalog.groups.find((x) => x.id === gid);
    // Not localeCompare: its first call loads the collator (about 45 ms, before the first map).
    items.sort((a, b) => (a[1].title < b[1].title ? -1 : a[1].title > b[1].title ? 1 : 0));
    groups.push(h('optgroup', { label: g?.label || items[0][1].framework_label || gid },
      items.map(([id, lvl]) => h('option', { value: id }, lvl.title + (lvl.experimental ? ' (experimental)' : '')))));
  }
  $('#indicator').replaceChildren(...groups);
  $('#indicator').value = state.ind;
}

function fillYears() {
  const years = level()?.years || [];
  $('#year').replaceChildren(...[...years].reverse().map((y) => h('option', { value: y }, y)));
  $('#year').value = state.year;
}

export function syncControls() {
  fillIndicators();
  fillYears();
  $('#geography').value = state.geo;
  $('#classification').value = state.cls;
  $('#regions').checked = state.regions;
  $('#mode').value = state.mode;
  $('#classification').disabled = state.mode === 'lisa'; // LISA classes are the server's, not breaks
  $('#england').checked = state.eng;
  $('#england').disabled = !UK_WIDE.has(state.geo);
  $('#england-label').classList.toggle('disabled', !UK_WIDE.has(state.geo));
  const where = !UK_WIDE.has(state.geo) ? 'England' : state.eng ? 'England (UK NUTS areas in England only)' : 'United Kingdom';
  $('#place').textContent = where;
  $('#options-view').textContent = `${GEOGRAPHIES[state.geo]}: ${level()?.title ?? ''}, ${state.year}`;
  document.title = `Smart Specialisation map: ${GEOGRAPHIES[state.geo]}, ${where}`;
  const lvl = level();
  const info = $('#indicator-info');
  info.replaceChildren(
    h('strong', {}, lvl.title), lvl.subtitle ? ` ${lvl.subtitle}` : '',
    lvl.experimental ? h('span', { class: 'badge' }, 'experimental') : '',
    lvl.warning ? h('details', { class: 'warning' }, h('summary', {}, 'Data note'), lvl.warning) : '',
    // The server's caveats: the reviewed one and any duplicate found at load, shown as they are.
    ...(lvl.caveats || []).map((c) => h('span', { class: 'caveat', role: 'note' }, ` Caveat: ${c}.`)),
    lvl.source_name ? h('span', { class: 'muted' }, ' Source: ',
      lvl.source_url ? h('a', { href: lvl.source_url, rel: 'noopener' }, lvl.source_name) : lvl.source_name) : '');
}
