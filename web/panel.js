// panel.js: the side panel's four views (area details, compare as cards, ranking, table) and the
// point-lookup box. It reads the page state and calls back into selection.js through `actions`.
// Percentiles are the server's (/ranking), as it computes them (ties share the mid-rank): in the
// good direction ("better than 78% of areas") where the indicator has one, else labelled raw.
// Every number is written by format.js with the indicator's unit and decimals.
import { api } from './api.js';
import { h } from './dom.js';
import { LISA } from './classify.js';
import { SERIES, barChart, barChartSvg, chartKey, lineChart } from './chart.js';
import { betterThan, formatNumber, formatValue, ordinalPercentile, unitOf, unitText } from './format.js';
import { chartDownloads } from './export.js';
const MAX_COMPARE = 5; // as in state.js
const failed = (what, err) => h('p', { class: 'muted' }, `${what} not available: ${
  /no resource at/.test(err.message) ? 'this server does not offer it yet.' : err.message}`);

export function createPanel({ state, view, catalog, actions, level, layerText }) {
  const $ = (sel) => document.querySelector(sel);
  const tabs = [...document.querySelectorAll('#tabs [role=tab]')];
  const lookupBox = h('div', { id: 'lookup', class: 'lookup', 'aria-live': 'polite', hidden: true });
  let tableSort = { key: 'rank', dir: 1 };

  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => actions.showTab(tab.dataset.tab));
    tab.addEventListener('keydown', (e) => {
      const d = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (!d) return;
      e.preventDefault();
      const next = tabs[(i + d + tabs.length) % tabs.length];
      next.focus();
      actions.showTab(next.dataset.tab);
    });
  });

  const unit = () => unitOf(view.units);
  /** A value, gap or statistic of the current indicator, in its unit and decimals. */
  const fv = (v) => formatValue(v, view.units);
  const signed = (d) => (d == null ? '–' : formatValue(d, view.units, { signed: true }));
  /** Whether the indicator has a good direction: its percentiles are then read in it. */
  const directed = () => typeof (view.vals?.higher_is_better ?? level().higher_is_better) === 'boolean';
  const pctlLabel = (short) => (directed() ? (short ? 'Better than' : 'Standing') : short ? 'Pctl (raw)' : 'Percentile (raw)');
  /** The server's ranking of the current view: {code: entry}; resolves to an empty map on failure. */
  const serverRanks = () => {
    const at = `${state.ind}|${state.geo}|${state.year}`;
    return api.ranking(state.ind, state.geo, state.year).then(
      (r) => ({ at, byCode: new Map((r.areas || []).filter((a) => a.code).map((a) => [a.code, a])) }),
      () => ({ at, byCode: new Map() }));
  };
  const current = (at) => at === `${state.ind}|${state.geo}|${state.year}`;
  /**
   * Fill every `[data-pctl]` element under `el` with the server's percentile of its area: the
   * good-direction one in words (a table cell: "78%" under "Better than"), or the raw one.
   */
  function fillPercentiles(el) {
    serverRanks().then(({ at, byCode }) => {
      if (!current(at)) return;
      const good = directed();
      for (const cell of el.querySelectorAll('[data-pctl]')) {
        const a = byCode.get(cell.dataset.pctl);
        const p = good ? a?.good_percentile : a?.percentile;
        const inTable = cell.tagName === 'TD';
        cell.textContent = p == null ? '–' : !good ? ordinalPercentile(p) : inTable ? `${Math.round(p)}%` : betterThan(p);
        cell.dataset.percentile = p ?? '';
        cell.dataset.direction = good ? 'good' : 'raw';
      }
    });
  }
  const pctlNote = () => (state.eng ? ' (among all UK areas)' : '');
  /** A chart file's title lines: the years, the layer, the unit, the source. */
  const chartMeta = (title, series, years = '') => ({
    title,
    lines: [
      `${years}${layerText(view.layerId)}.`,
      `Unit: ${unitText(view.units) || 'none given'}. Source: ${level().source_name || 'see the indicator notes'}.`,
      `smartspec, ${location.origin}; indicators: Nesta, Research and innovation in the UK regions.`,
    ],
    series,
  });
  /**
   * A trend chart with its key, the vintage note and its SVG / PNG downloads, titled with the
   * indicator, the areas, the years, the layer, the unit and the source.
   */
  const trendBlock = (series, ys, title, stem) => {
    const chart = lineChart(series, { title, units: view.units });
    const years = ys.filter(([, r]) => r).map(([y]) => y);
    const meta = () => chartMeta(title, series, years.length ? `${years[0]}–${years[years.length - 1]}. ` : '');
    return [chart, chartKey(series), vintageNote(ys) || '', chart instanceof SVGElement ? chartDownloads(chart, meta, stem) : ''];
  };
  const ctxLine = () => h('p', { class: 'muted' }, `${level().title}, ${state.year}. ${layerText(view.layerId)}.`);

  /** Values of the current indicator for every year with data, [[year, response|null]]. */
  async function allYears() {
    const years = level().years || [];
    const res = await Promise.allSettled(years.map((y) => api.values(state.ind, state.geo, y, view.within())));
    return years.map((y, i) => [y, res[i].status === 'fulfilled' ? res[i].value : null]);
  }
  const medianSeries = (ys) => ({ label: 'Median of areas', colour: '#777', dash: '4 3', points: ys.map(([y, r]) => [y, r?.median ?? null]) });
  function vintageNote(ys) {
    const spans = [];
    for (const [y, r] of ys) {
      const layer = r?.layer;
      if (!layer) continue;
      if (spans.at(-1)?.layer === layer) spans.at(-1).to = y; else spans.push({ layer, from: y, to: y });
    }
    if (spans.length < 2) return null;
    return h('p', { class: 'muted' }, 'Boundary version changes: ',
      spans.map((sp) => `${sp.layer} (${sp.from}${sp.to !== sp.from ? `–${sp.to}` : ''})`).join(', '), '. Codes that change between versions break the line.');
  }

  // ---- area -----------------------------------------------------------------------------------
  function areaView(el) {
    const code = state.area;
    el.replaceChildren(lookupBox);
    if (!code) {
      actions.markNeighbours([]);
      el.append(h('p', {}, 'Click an area on the map, search for it by name, or pick it in the table to see its value, rank, trend, neighbours and profile.'));
      return;
    }
    if (!view.features.has(code)) {
      el.append(h('p', {}, `Area ${code} is not part of ${layerText(view.layerId)}. Choose another area.`));
      return;
    }
    const v = view.vals.values[code];
    const st = view.stats;
    const diff = v != null && st.median != null ? v - st.median : null;
    const inCmp = state.cmp.includes(code);
    el.append(
      h('h2', { id: 'area-name' }, view.names.get(code)),
      h('p', { class: 'muted' }, `${code}. ${level().title}, ${state.year}. ${layerText(view.layerId)}.`),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Value'), h('dd', { id: 'area-value', 'data-value': v ?? '' }, fv(v)),
        h('dt', {}, 'Rank'), h('dd', { id: 'area-rank' }, st.rank[code] ? `${st.rank[code]} of ${st.n} (1 = highest)` : 'not ranked'),
        h('dt', {}, `${pctlLabel()}${pctlNote()}`), h('dd', { id: 'area-percentile', 'data-pctl': code }, '…'),
        h('dt', {}, 'Gap to neighbours'), h('dd', { id: 'area-gap' }, '…'),
        h('dt', {}, `Median of ${st.n} areas`), h('dd', { id: 'area-median' }, fv(st.median)),
        h('dt', {}, 'Difference from median'), h('dd', { id: 'area-diff' }, signed(diff))),
      h('p', { class: 'buttons' },
        h('button', { type: 'button', disabled: inCmp || state.cmp.length >= MAX_COMPARE, onclick: () => actions.addCompare(code) },
          inCmp ? 'In comparison' : 'Add to compare'),
        h('button', { type: 'button', onclick: () => actions.zoomTo(code) }, 'Zoom to area'),
        h('button', { type: 'button', onclick: () => actions.select(null) }, 'Clear selection')),
      h('p', {}, h('a', { id: 'area-report', href: `report.html?${new URLSearchParams({ area: code, geo: state.geo, year: state.year, ind: state.ind })}` },
        `Area report for ${view.names.get(code)}, ${state.year}`), ' (printable, A4)'),
    );
    if (view.checkSource.has(code)) el.append(h('p', { class: 'note', id: 'area-check-source' }, '⚠ Check source: this value lies beyond the outlier rule; it may be an error in the source data.',
      view.vals.check_source_rule ? ` Rule: ${view.vals.check_source_rule.replace(/\.?$/, '.')}` : ''));
    fillPercentiles(el);
    const gap = el.querySelector('#area-gap');
    const at = `${state.ind}|${state.geo}|${state.year}`;
    const showGap = (a, how) => {
      if (!current(at) || state.area !== code) return;
      if (!a || a.gap_to_neighbours == null) { gap.textContent = a ? 'no neighbours with data' : 'not available'; return; }
      gap.textContent = `${signed(a.gap_to_neighbours)} (this area minus the mean of its neighbours${how})`;
      gap.dataset.gap = a.gap_to_neighbours;
    };
    const lisaOf = (a) => (a?.lisa ? h('dd', {}, LISA[a.lisa]?.label || a.lisa) : null);
    if (state.mode === 'lisa' && view.spatial) { // the Neighbours mode has it already
      const a = (view.spatial.areas || []).find((x) => x.code === code);
      showGap(a, '');
      const dd = lisaOf(a);
      if (dd) gap.after(h('dt', {}, 'Neighbours class (LISA)'), Object.assign(dd, { id: 'area-lisa' }));
    } else {
      api.compare(state.ind, state.geo, state.year, [code]).then(
        (res) => showGap((res.areas || []).find((x) => x.code === code), ''), () => showGap(null));
    }
    const trend = h('section', { class: 'sub', 'aria-busy': 'true' }, h('h3', {}, 'Trend'), h('p', { class: 'muted' }, 'Loading years…'));
    const nbs = h('section', { class: 'sub', id: 'neighbours' }, h('h3', {}, 'Neighbours'), h('p', { class: 'muted' }, 'Loading…'));
    const peers = h('section', { class: 'sub', id: 'peers' }, h('h3', {}, 'Similar areas'), h('p', { class: 'muted' }, 'Loading…'));
    const prof = h('section', { class: 'sub', id: 'profile' }, h('h3', {}, 'Profile: strongest and weakest'), h('p', { class: 'muted' }, 'Loading…'));
    el.append(trend, nbs, peers, prof);

    allYears().then((ys) => {
      const series = [{ label: view.names.get(code), colour: SERIES[0], points: ys.map(([y, r]) => [y, r?.values?.[code] ?? null]) }, medianSeries(ys)];
      trend.replaceChildren(h('h3', {}, 'Trend'), ...trendBlock(series, ys, `${level().title} for ${view.names.get(code)} by year`, `trend-${state.ind}-${code}`));
      trend.removeAttribute('aria-busy');
    });

    actions.markNeighbours([]);
    api.neighbours(view.layerId, code, state.ind, state.year).then((fc) => {
      if (state.area !== code) return;
      const feats = fc.features || [];
      actions.markNeighbours(feats.map((f) => f.id ?? f.properties.code));
      nbs.replaceChildren(h('h3', {}, `Neighbours (${feats.length}, outlined on the map)`),
        feats.length ? h('ul', { class: 'plain' }, feats.map((f) => {
          const p = f.properties, c = f.id ?? p.code;
          return h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => actions.select(c) }, p.name || c),
            `: ${fv(p.value ?? view.vals.values[c])}`, p.difference != null ? ` (${signed(p.difference)} vs this area)` : '',
            h('span', { class: 'muted' }, ` ${p.relation || ''}${p.shared_km != null ? `, ${formatValue(p.shared_km, { unit_symbol: 'km', decimals: 1 })} shared` : ''}`));
        })) : h('p', {}, 'No neighbouring areas.'));
    }, (err) => nbs.replaceChildren(h('h3', {}, 'Neighbours'), failed('Neighbours', err)));

    const lvl = level();
    const groupInds = [...catalog.indicators.keys()].filter((id) => {
      const l = level(id);
      return l && l.framework_group === lvl.framework_group && l.years.includes(state.year);
    });
    const inds = [state.ind, ...groupInds.filter((id) => id !== state.ind)].slice(0, 6);
    api.peers(code, state.geo, state.year, inds, 5).then((res) => {
      peers.replaceChildren(h('h3', {}, 'Similar areas'),
        h('p', { class: 'muted' }, `Nearest on ${inds.length} ${lvl.framework_label} indicator${inds.length > 1 ? 's' : ''} (${inds.map((i) => level(i).title).join('; ')}).`),
        h('ol', { id: 'peers-list' }, (res.peers || []).map((p) => {
          // The server's reading in the good direction: where the peer does better or worse.
          const named = (ids) => ids.map((i) => level(i)?.title || i).join('; ');
          return h('li', { 'data-code': p.code },
            h('button', { type: 'button', class: 'link', onclick: () => actions.select(p.code) }, p.name || p.code),
            h('span', { class: 'muted' }, ` distance ${formatNumber(p.distance, 2)}`),
            p.better_on?.length ? h('span', { class: 'peer-better' }, `. Does better on: ${named(p.better_on)}`) : '',
            p.worse_on?.length ? h('span', { class: 'peer-worse' }, `. Does worse on: ${named(p.worse_on)}`) : '');
        })));
    }, (err) => peers.replaceChildren(h('h3', {}, 'Similar areas'), failed('Similar areas', err)));

    // The server reads each indicator in its good direction (strengths, weaknesses, neutral apart,
    // duplicates once); the page lists its lists as they come.
    api.profile(code, state.geo, state.year).then((res) => {
      const rows = new Map((res.indicators || []).map((r) => [r.indicator, r]));
      const item = (id) => {
        const r = rows.get(id);
        return h('li', { 'data-indicator': id }, h('button', { type: 'button', class: 'link', onclick: () => actions.setIndicator(id, r.year) }, r.title || id),
          `: ${formatValue(r.value, r)} (${r.year}), rank ${r.rank} of ${r.of}`,
          r.good_percentile != null ? `, ${betterThan(r.good_percentile)} (${r.higher_is_better ? 'higher' : 'lower'} is better)` : '');
      };
      const list = (id, ids, none) => (ids.length ? h('ul', { class: 'plain', id }, ids.map(item)) : h('p', { class: 'muted', id }, none));
      const strengths = res.strengths || [], weaknesses = res.weaknesses || [], neutral = res.neutral || [];
      prof.replaceChildren(h('h3', {}, 'Profile: strengths and weaknesses'),
        h('p', { class: 'muted' }, `Top or bottom quarter of all areas in each indicator's good direction; ${neutral.length} neutral indicator${neutral.length === 1 ? '' : 's'} listed apart.`),
        h('h4', {}, `Strengths (${strengths.length})`), list('profile-strengths', strengths.slice(0, 5), 'None in the top quarter.'),
        h('h4', {}, `Weaknesses (${weaknesses.length})`), list('profile-weaknesses', weaknesses.slice(0, 5), 'None in the bottom quarter.'),
        neutral.length ? h('h4', {}, 'Neutral (neither direction is better)') : '', neutral.length ? list('profile-neutral', neutral, '') : '');
    }, (err) => prof.replaceChildren(h('h3', {}, 'Profile'), failed('Profile', err)));
  }

  // ---- compare --------------------------------------------------------------------------------
  /** One card per compared area (not a wide table), so five areas fit the panel at any width. */
  function compareView(el) {
    const codes = state.cmp.filter((c) => view.features.has(c));
    const missing = state.cmp.filter((c) => !view.features.has(c));
    el.replaceChildren(h('h2', {}, 'Compare areas'), ctxLine(),
      h('p', {}, 'While this tab is open, click areas on the map or search by name to add them (up to 5).'),
      missing.length ? h('p', { class: 'muted' }, `Not in this layer: ${missing.join(', ')}.`) : '');
    if (!codes.length) return;
    const st = view.stats;
    const cards = h('ol', { id: 'compare-cards', class: 'cards', 'aria-label': `${level().title}, ${state.year}${unit() ? ` (${unit()})` : ''}` });
    codes.forEach((c, i) => {
      const v = view.vals.values[c];
      cards.append(h('li', { class: 'card', 'data-code': c },
        h('h3', { class: 'card-title' }, h('span', { class: 'chip', style: `background:${SERIES[i]}` }), view.names.get(c)),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Value'), h('dd', { class: 'num', 'data-value': v ?? '' }, fv(v)),
          h('dt', {}, 'Rank'), h('dd', {}, st.rank[c] ? `${st.rank[c]} of ${st.n}` : '–'),
          h('dt', {}, `${pctlLabel()}${pctlNote()}`), h('dd', { 'data-pctl': c }, '…'),
          h('dt', {}, 'vs median'), h('dd', {}, signed(v != null ? v - st.median : null)),
          h('dt', {}, 'Neighbour mean (gap)'), h('dd', { class: 'nb' }, '…'),
          h('dt', {}, 'Against all areas'), h('dd', { class: 'verdict verdict-all' }, '…'),
          h('dt', {}, 'Against its neighbours'), h('dd', { class: 'verdict verdict-neighbours' }, '…')),
        h('button', { type: 'button', 'aria-label': `Remove ${view.names.get(c)}`, onclick: () => actions.removeCompare(c) }, 'Remove')));
    });
    const trend = h('div', { class: 'sub' }, h('p', { class: 'muted' }, 'Loading trends…'));
    el.append(cards, trend);
    fillPercentiles(cards);
    api.compare(state.ind, state.geo, state.year, codes).then((res) => {
      const byCode = new Map((res.areas || []).map((a) => [a.code, a]));
      for (const card of cards.children) {
        const a = byCode.get(card.dataset.code) || {};
        card.querySelector('.nb').textContent = a.neighbour_mean == null ? '–' : `${fv(a.neighbour_mean)} (${signed(a.gap_to_neighbours)})`;
        card.querySelector('.verdict-all').textContent = a.verdicts?.all_areas ?? '–';
        card.querySelector('.verdict-neighbours').textContent = a.verdicts?.neighbours ?? '–';
      }
    }, () => {
      for (const dd of cards.querySelectorAll('.nb, .verdict')) dd.textContent = 'not available';
    });
    allYears().then((ys) => {
      const series = [...codes.map((c, i) => ({ label: view.names.get(c), colour: SERIES[i], points: ys.map(([y, r]) => [y, r?.values?.[c] ?? null]) })), medianSeries(ys)];
      trend.replaceChildren(h('h3', {}, 'Trend'), ...trendBlock(series, ys, `${level().title} by year for the compared areas`, `trend-${state.ind}-compare`));
    });
  }

  // ---- ranking --------------------------------------------------------------------------------
  function rankingView(el) {
    const st = view.stats;
    const local = {
      count_with_data: st.n, median: st.median,
      areas: [...st.order.map((c) => ({ code: c, name: view.names.get(c), value: view.vals.values[c] })),
        ...[...view.features.keys()].filter((c) => view.shown(c) && view.vals.values[c] == null).map((c) => ({ code: c, name: view.names.get(c), value: null }))],
    };
    const summary = h('p', { id: 'ranking-summary' });
    const draw = (r) => {
      summary.replaceChildren(`${r.count_with_data} areas with data. Median ${fv(r.median)}`,
        r.mean != null ? `; mean ${fv(r.mean)}; standard deviation ${fv(r.std_dev)}` : '', '.');
      const bars = barChart(r.areas.map((a) => ({ ...a, name: a.name || view.names.get(a.code) || a.code })),
        { median: r.median, units: view.units, selected: [state.area, ...state.cmp], onSelect: (c) => actions.select(c, { tab: 'area' }) });
      el.querySelector('.bars')?.replaceWith(bars) ?? el.append(bars);
      const rows = r.areas.map((a) => ({ ...a, name: a.name || view.names.get(a.code) || a.code }));
      const title = `${level().title}, ${state.year}: ranking of ${r.count_with_data} areas`;
      const file = barChartSvg(rows, { median: r.median, units: view.units, title });
      const downloads = chartDownloads(file, () => chartMeta(title, []), `ranking-${state.ind}-${state.geo}-${state.year}`);
      downloads.id = 'ranking-downloads';
      el.querySelector('#ranking-downloads')?.replaceWith(downloads) ?? summary.after(downloads);
    };
    el.replaceChildren(h('h2', {}, 'Ranking'), ctxLine(), summary, h('p', { class: 'muted' }, 'Highest first; the dark line marks the median. Choose a name to see the area.'));
    draw(local);
    const at = `${state.ind}|${state.geo}|${state.year}`;
    api.ranking(state.ind, state.geo, state.year).then((r) => {
      if (at === `${state.ind}|${state.geo}|${state.year}` && state.tab === 'ranking' && r.areas && !state.eng) draw(r);
    }, () => { /* the local ranking stays */ });
  }

  // ---- table ----------------------------------------------------------------------------------
  function tableView(el) {
    const st = view.stats;
    const rows = [...view.features.keys()].filter((c) => view.shown(c)).map((c) => ({ code: c, name: view.names.get(c), value: view.vals.values[c], rank: st.rank[c] ?? null }));
    const { key, dir } = tableSort;
    rows.sort((a, b) => {
      const x = a[key], y = b[key];
      if (x == null && y == null) return a.name.localeCompare(b.name);
      if (x == null) return 1;
      if (y == null) return -1;
      return (typeof x === 'string' ? x.localeCompare(y) : x - y) * dir;
    });
    const cols = [['name', 'Area'], ['value', 'Value'], ['rank', 'Rank']];
    const th = ([k, label]) => h('th', { scope: 'col', 'aria-sort': k === key ? (dir > 0 ? 'ascending' : 'descending') : null },
      h('button', { type: 'button', class: 'sort', onclick: () => { tableSort = { key: k, dir: k === key ? -dir : 1 }; update(); } }, label, k === key ? (dir > 0 ? ' ▲' : ' ▼') : ''));
    el.replaceChildren(h('h2', {}, 'Table'), ctxLine(),
      h('div', { class: 'scroll' }, h('table', { id: 'area-table' },
        h('caption', {}, `${level().title}, ${state.year}${unit() ? ` (${unit()})` : ''}: ${rows.length} areas, ${st.n} with data`),
        h('thead', {}, h('tr', {}, cols.map(th), h('th', { scope: 'col' }, h('abbr', { title: `${directed() ? 'Better than this share of areas, in the good direction' : 'Percentile, raw (no better end)'}${pctlNote()}` }, pctlLabel(true))), th(['code', 'Code']))),
        h('tbody', {}, rows.map((r) => h('tr', { 'data-code': r.code, class: r.code === state.area ? 'sel' : null },
          h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => actions.select(r.code, { tab: 'area' }) }, r.name)),
          h('td', { class: 'num', 'data-value': r.value ?? '' }, fv(r.value)),
          h('td', { class: 'num' }, r.rank ?? '–'),
          h('td', { class: 'num', 'data-pctl': r.code }, '…'),
          h('td', { class: 'code' }, r.code)))))));
    fillPercentiles(el);
  }

  const views = { area: areaView, compare: compareView, ranking: rankingView, table: tableView };

  function update() {
    if (!view.vals) return;
    for (const tab of tabs) {
      const on = tab.dataset.tab === state.tab;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      $(`#view-${tab.dataset.tab}`).hidden = !on;
    }
    if (state.tab !== 'area') actions.markNeighbours([]);
    views[state.tab]($(`#view-${state.tab}`));
  }

  /** Show a /lookup result (or {loading} / {error}) in the area view. */
  function lookup(res) {
    lookupBox.hidden = false;
    const where = `${Number(res.lon).toFixed(4)}, ${Number(res.lat).toFixed(4)}`;
    if (res.loading) { lookupBox.replaceChildren(h('p', { class: 'muted' }, `Looking up ${where}…`)); return; }
    if (res.error) { lookupBox.replaceChildren(h('p', {}, `Lookup at ${where} failed: ${res.error}`)); return; }
    const here = res.layers?.find((l) => l.layer === view.layerId);
    lookupBox.replaceChildren(
      h('p', {}, h('strong', {}, `At ${where}`), h('button', { type: 'button', class: 'close', 'aria-label': 'Close lookup', onclick: () => { lookupBox.hidden = true; } }, '×')),
      h('ul', { class: 'plain' }, (res.layers || []).map((l) => h('li', {}, `${l.title || l.layer}: `,
        l.areas.length ? l.areas.map((a, i) => [i ? ' and ' : '', l.layer === view.layerId
          ? h('button', { type: 'button', class: 'link', onclick: () => actions.select(a.code) }, a.name)
          : a.name]) : 'none'))),
      here?.areas.length > 1 ? h('p', { class: 'note' }, `This point lies in ${here.areas.length} overlapping areas: a district can belong to two LEPs.`) : '');
  }

  return { update, lookup };
}
