// report.js: the printable area report (report.html?area=CODE&year=YYYY[&geo=lep][&ind=ID]): one
// area and year as evidence a planner can take away: header, profile, trends of its strongest and
// weakest indicators against the median, neighbours and peers, the LISA class of one indicator,
// specialisation, caveats, methods and sources. Every figure is the API's (profile, peers,
// neighbours, spatial, specialisation, values); this page only formats and lays them out.
import { api } from './api.js';
import { h } from './dom.js';
import { LISA } from './classify.js';
import { formatValue, unitText } from './format.js';
import { SERIES, chartKey, lineChart } from './chart.js';

const GEOGRAPHIES = { lep: 'Local Enterprise Partnership (LEP)', nuts2: 'NUTS 2 area', nuts3: 'NUTS 3 area' };
/** How many of the strongest and of the weakest indicators get a trend chart. */
const TRENDS_EACH = 3;
/** How many peers the report lists; the peers request asks for the API's maximum, so neighbours are found among them. */
const PEERS_SHOWN = 5;
const PEERS_ASKED = 50;

const status = (window.smartspecReport = { status: 'loading', error: null });
const root = document.getElementById('report');

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// ---- reading the request ---------------------------------------------------------------------

class ReportError extends Error {}

/** The geography a code belongs to when the URL names none: GSS E37 codes are LEPs, NUTS ids by length. */
function geographyOf(code) {
  if (/^E37\d{6}$/.test(code)) return 'lep';
  if (/^UK[A-N]\d$/.test(code)) return 'nuts2';
  if (/^UK[A-N]\d{2}$/.test(code)) return 'nuts3';
  return null;
}

function readRequest() {
  const p = new URLSearchParams(location.search);
  const area = (p.get('area') || '').trim();
  if (!area) throw new ReportError('No area given: open this page as report.html?area=E37000015&year=2018 (an area code and a year).');
  const geo = p.get('geo') || geographyOf(area);
  if (!geo) throw new ReportError(`Cannot tell the geography of area “${area}”: add geo=lep, geo=nuts2 or geo=nuts3 to the address.`);
  if (!GEOGRAPHIES[geo]) throw new ReportError(`Unknown geography “${geo}”: use lep, nuts2 or nuts3.`);
  const yearText = p.get('year');
  const year = yearText == null ? null : Number(yearText);
  if (yearText != null && !(Number.isInteger(year) && year >= 1900 && year <= 2100)) throw new ReportError(`Year “${yearText}” is not a year: give four digits, e.g. year=2018.`);
  return { area, geo, year, ind: p.get('ind') || null };
}

// ---- building blocks -------------------------------------------------------------------------

const section = (id, title, ...children) => h('section', { id, class: 'block', 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);
const note = (text) => h('p', { class: 'muted' }, text);
const unavailable = (what, err) => note(`${what} not available: ${err.message}`);

/** The indicator's level at `geo` from /indicators, or {} when it has none. */
const levelOf = (catalogue, id, geo) => catalogue.get(id)?.levels.find((l) => l.geography === geo) || {};

function collectionText(collections, id) {
  const c = collections.get(id);
  return c ? `${c.title} (${id})` : id;
}

// ---- sections ---------------------------------------------------------------------------------

function header(req, profile, config, collections, layer, otherLayers) {
  const mapHash = new URLSearchParams({ geo: req.geo, ind: req.ind, year: req.year, area: req.area }).toString();
  return h('header', { class: 'block', id: 'report-header' },
    h('p', { class: 'kicker' }, 'Smart Specialisation evidence: area report'),
    h('h1', { id: 'report-title' }, `${profile.name}, ${req.year}`),
    h('dl', { class: 'meta' },
      h('dt', {}, 'Area'), h('dd', { id: 'report-area' }, `${GEOGRAPHIES[req.geo]}, code ${profile.code}`),
      h('dt', {}, 'Boundaries'), h('dd', { id: 'report-layer' }, collectionText(collections, layer),
        otherLayers.length ? `; some indicators are published on ${otherLayers.map((l) => collectionText(collections, l)).join(' and ')}` : ''),
      h('dt', {}, 'Data version'), h('dd', { id: 'report-data-version' }, config.data_version || 'not given'),
      h('dt', {}, 'From'), h('dd', {}, h('a', { href: `./#${mapHash}` }, 'the Smart Specialisation map'), ` at ${location.host}`)));
}

function profileSection(profile, levels) {
  const rows = new Map((profile.indicators || []).map((r) => [r.indicator, r]));
  const table = (id, caption, ids, neutral) => h('table', { id, class: 'profile' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Indicator'), h('th', { scope: 'col', class: 'num' }, 'Value'),
      h('th', { scope: 'col', class: 'num' }, 'Rank'), neutral ? h('th', { scope: 'col', class: 'num' }, 'Raw percentile')
        : [h('th', { scope: 'col', class: 'num' }, 'Better than'), h('th', { scope: 'col' }, 'Better is')])),
    h('tbody', {}, ids.map((i) => {
      const r = rows.get(i) || { indicator: i };
      const lvl = levels(i);
      const flags = [r.check_source ? '⚠ check source' : '', r.caveats?.length ? 'caveat' : ''].filter(Boolean).join(', ');
      return h('tr', { 'data-indicator': i },
        h('th', { scope: 'row' }, r.title || lvl.title || i, r.year !== profile.year ? h('span', { class: 'muted' }, ` (${r.year})`) : '',
          flags ? h('span', { class: 'flag' }, ` ${flags}`) : ''),
        h('td', { class: 'num', 'data-value': r.value ?? '' }, formatValue(r.value, { unit: r.unit, unit_symbol: r.unit_symbol, decimals: lvl.decimals })),
        h('td', { class: 'num' }, r.rank != null ? `${r.rank} of ${r.of}` : '–'),
        neutral ? h('td', { class: 'num' }, r.percentile == null ? '–' : `${Math.round(r.percentile)} (raw)`)
          : [h('td', { class: 'num', 'data-good-percentile': r.good_percentile ?? '' }, r.good_percentile == null ? '–' : `${Math.round(r.good_percentile)}% of areas`),
            h('td', {}, r.higher_is_better ? 'higher' : 'lower')]);
    })));
  const strengths = profile.strengths || [], weaknesses = profile.weaknesses || [], neutral = profile.neutral || [];
  const middle = (profile.indicators || []).filter((r) => r.standing === 'middle').length;
  return section('profile', 'Profile: strengths and weaknesses',
    note(`${plural(strengths.length, 'strength')}, ${plural(weaknesses.length, 'weakness', 'weaknesses')}, ${middle} in the middle and ${neutral.length} neutral, of ${plural((profile.indicators || []).length, 'indicator')}. Each indicator is read in its good direction; a year in brackets is the latest year with data before ${profile.year}.`),
    strengths.length ? table('profile-strengths', `Strengths (${strengths.length}): top quarter of areas`, strengths, false) : note('No strengths: no indicator in the top quarter.'),
    weaknesses.length ? table('profile-weaknesses', `Weaknesses (${weaknesses.length}): bottom quarter of areas`, weaknesses, false) : note('No weaknesses: no indicator in the bottom quarter.'),
    neutral.length ? table('profile-neutral', `Neutral indicators (${neutral.length}): neither higher nor lower is better`, neutral, true) : '');
}

/** One small multiple: the area's values by year against the median of all areas, as /values gives them. */
async function trendChart(req, profile, id, lvl, standing, letter) {
  const years = lvl.years || [];
  const answers = await Promise.allSettled(years.map((y) => api.values(id, req.geo, y)));
  const ys = years.map((y, i) => [y, answers[i].status === 'fulfilled' ? answers[i].value : null]);
  const series = [
    { label: profile.name, colour: SERIES[0], points: ys.map(([y, r]) => [y, r?.values?.[req.area] ?? null]) },
    { label: 'Median of areas', colour: '#666', dash: '4 3', points: ys.map(([y, r]) => [y, r?.median ?? null]) },
  ];
  const unit = unitText(lvl);
  return h('figure', { class: 'multiple', 'data-indicator': id, 'data-standing': standing },
    h('figcaption', {}, h('strong', {}, `${letter}. ${lvl.title || id}`), h('span', { class: 'muted' }, ` ${standing}${unit ? `; ${unit}` : ''}`)),
    lineChart(series, { width: 240, height: 110, title: `${lvl.title || id}: ${profile.name} and the median of areas by year`, units: lvl }));
}

async function trendsSection(req, profile, levels) {
  const picks = keyIndicators(profile);
  if (!picks.length) return section('trends', 'Trends', note('No strengths or weaknesses to chart.'));
  const charts = await Promise.all(picks.map(([id, standing], i) => trendChart(req, profile, id, levels(id), standing, LETTERS[i])));
  const key = chartKey([{ label: profile.name, colour: SERIES[0] }, { label: 'Median of areas', colour: '#666' }]);
  return section('trends', `Trends: its ${TRENDS_EACH} strongest and ${TRENDS_EACH} weakest indicators against the median`,
    key, h('div', { class: 'multiples' }, charts),
    note('Where boundaries change between versions, an area whose code changes has no value in those years.'));
}

/** Letters naming the charted indicators in the neighbours and peers tables. */
const LETTERS = 'ABCDEFGH';
/** The indicators charted and compared: the strongest and weakest few, in the server's order. */
const keyIndicators = (profile) => [...(profile.strengths || []).slice(0, TRENDS_EACH).map((id) => [id, 'strength']),
  ...(profile.weaknesses || []).slice(0, TRENDS_EACH).map((id) => [id, 'weakness'])];

/**
 * One row per neighbour or peer: on each charted indicator, whether it does better or worse than
 * this area (the peers endpoint's better_on / worse_on), and how many indicators of each.
 */
function pairsTable(id, caption, rows, keys, peers, levels) {
  const compared = new Set((peers.indicators || []).map((i) => i.indicator));
  const cell = (p, ind) => {
    if (!p || !compared.has(ind)) return h('td', { class: 'mark muted' }, 'n/a');
    if (p.better_on?.includes(ind)) return h('td', { class: 'mark better' }, '▲ better');
    if (p.worse_on?.includes(ind)) return h('td', { class: 'mark worse' }, '▼ worse');
    return h('td', { class: 'mark muted' }, 'similar');
  };
  return h('table', { id, class: 'pairs' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Area'),
      keys.map(([ind], i) => h('th', { scope: 'col', class: 'mark' }, h('abbr', { title: levels(ind).title || ind }, LETTERS[i]))),
      h('th', { scope: 'col', class: 'num' }, 'Better on'), h('th', { scope: 'col', class: 'num' }, 'Worse on'))),
    h('tbody', {}, rows.map(({ code, name, detail, peer }) => h('tr', { 'data-code': code },
      h('th', { scope: 'row' }, name, detail ? h('span', { class: 'muted' }, ` ${detail}`) : ''),
      keys.map(([ind]) => cell(peer, ind)),
      peer ? [h('td', { class: 'num better-count' }, String(peer.better_on?.length ?? 0)), h('td', { class: 'num worse-count' }, String(peer.worse_on?.length ?? 0))]
        : h('td', { colspan: 2, class: 'muted' }, `not among the ${PEERS_ASKED} most alike`)))));
}

function neighboursSection(profile, neighbours, peers, levels) {
  const byCode = new Map((peers.peers || []).map((p) => [p.code, p]));
  const keys = keyIndicators(profile);
  const n = peers.indicators?.length || 0;
  const feats = neighbours.features || [];
  const nbRows = feats.map((f) => {
    const p = f.properties, code = f.id ?? p.code;
    return { code, name: p.name || code, detail: p.shared_km != null ? `(${formatValue(p.shared_km, { unit_symbol: 'km', decimals: 0 })} of border)` : p.relation, peer: byCode.get(code) };
  });
  const peerRows = (peers.peers || []).slice(0, PEERS_SHOWN).map((p) => ({ code: p.code, name: p.name || p.code, detail: `(distance ${formatValue(p.distance, { decimals: 2 })})`, peer: p }));
  return section('neighbours-peers', 'Neighbours and peers: where each does better or worse',
    note(`Against ${profile.name}, on ${plural(n, 'indicator')} read in their good direction: better or worse by half a standard deviation or more. Columns ${LETTERS[0]}–${LETTERS[keys.length - 1]} are the charted indicators: ${keys.map(([ind], i) => `${LETTERS[i]} ${levels(ind).title || ind}`).join('; ')}.`),
    feats.length ? pairsTable('report-neighbours', `Neighbours (${feats.length}): areas sharing a border`, nbRows, keys, peers, levels) : note('No neighbouring areas.'),
    peerRows.length ? pairsTable('report-peers', `Peers (${peerRows.length}): the areas most like it`, peerRows, keys, peers, levels) : note('No peers found.'));
}

function lisaSection(req, profile, ind, lvl, spatial, row) {
  const a = (spatial.areas || []).find((x) => x.code === req.area);
  const g = spatial.global || {};
  const cls = a ? LISA[a.lisa]?.label || a.lisa : 'not in this analysis';
  const p = (x) => (x == null ? '–' : x < 0.001 ? '< 0.001' : formatValue(x, { decimals: 3 }));
  return h('div', { id: 'report-lisa', 'data-lisa': a?.lisa || '' },
    h('h3', {}, `Neighbours class (LISA) for ${lvl.title || ind}, ${spatial.year}`),
    h('p', {}, h('strong', { class: 'lisa-class' }, cls),
      a ? `: value ${formatValue(a.value, { ...row, decimals: lvl.decimals })} against a neighbour mean of ${formatValue(a.spatial_lag, { ...row, decimals: lvl.decimals })}` : '',
      a?.p_value != null ? ` (local p = ${p(a.p_value)}, ${plural(a.neighbours, 'neighbour')})` : '', '.'),
    note(`Across all ${g.n ?? ''} areas, global Moran’s I is ${g.morans_i == null ? '–' : formatValue(g.morans_i, { decimals: 3 })} (p = ${p(g.p_value)}): ${
      g.p_value != null && g.p_value < (spatial.significance ?? 0.05) ? 'similar values cluster in space' : 'no significant clustering'}.`));
}

async function specialisationPart(req, profile, collections) {
  const list = await api.specialisationMatrices();
  const matrices = (list.matrices || []).filter((m) => collections.get(m.layer)?.geography === req.geo);
  if (!matrices.length) return h('div', { id: 'report-specialisation' }, h('h3', {}, 'Specialisation (location quotients)'),
    note(`No specialisation matrix covers ${GEOGRAPHIES[req.geo]}s: the API publishes location quotients for ${[...new Set((list.matrices || []).map((m) => collectionText(collections, m.layer)))].join(', ') || 'no layer'} only.`));
  const parts = [];
  for (const m of matrices) {
    for (const measure of m.measures || []) {
      try {
        const res = await api.specialisation(m.id, measure, req.area);
        const a = (res.areas || [])[0];
        if (!a) continue;
        parts.push(h('table', { class: 'lq', 'data-matrix': m.id, 'data-measure': measure },
          h('caption', {}, `${res.title}: ${measure.replace(/_/g, ' ')}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Category'), h('th', { scope: 'col', class: 'num' }, 'Location quotient'), h('th', { scope: 'col', class: 'num' }, 'Share of area'))),
          h('tbody', {}, (res.categories || []).map((c) => h('tr', { class: a.specialised?.includes(c) ? 'specialised' : null },
            h('th', { scope: 'row' }, c.replace(/_/g, ' '), a.specialised?.includes(c) ? h('span', { class: 'flag' }, ' specialised') : ''),
            h('td', { class: 'num' }, formatValue(a.location_quotients?.[c], { decimals: 2 })),
            h('td', { class: 'num' }, formatValue(a.shares?.[c] == null ? null : a.shares[c] * 100, { unit_symbol: '%', decimals: 1 })))))));
      } catch (err) {
        parts.push(unavailable(`${m.title} (${measure})`, err));
      }
    }
  }
  return h('div', { id: 'report-specialisation' }, h('h3', {}, 'Specialisation (location quotients)'),
    parts.length ? parts : note(`${profile.name} is not among the areas of ${matrices.map((m) => m.title).join(', ')}.`),
    parts.length ? note('A location quotient of 1 or more marks a category in which the area is specialised: its share is at least the national share.') : '');
}

function caveatsPart(profile, levels) {
  const listed = new Set([...(profile.strengths || []), ...(profile.weaknesses || []), ...(profile.neutral || [])]);
  const rows = (profile.indicators || []).filter((r) => listed.has(r.indicator));
  const checks = rows.filter((r) => r.check_source);
  const perIndicator = rows.map((r) => [r, [...new Set([...(r.caveats || []), levels(r.indicator).warning].filter(Boolean).map((c) => c.trim().replace(/\.?$/, '.')))]])
    .filter(([, texts]) => texts.length);
  return h('div', { id: 'report-caveats' }, h('h3', {}, 'Caveats and check-source flags'),
    checks.length ? h('ul', { id: 'report-check-source' }, checks.map((r) => h('li', {}, `⚠ Check source: ${r.title}. This value lies beyond the outlier rule; it may be an error in the source data.`)))
      : note('No value in this report is flagged “check source”.'),
    perIndicator.length ? h('ul', { id: 'report-caveat-list' }, perIndicator.map(([r, texts]) => h('li', { 'data-indicator': r.indicator }, h('strong', {}, `${r.title}: `), texts.join(' '))))
      : note('No caveat applies to the indicators listed.'));
}

function methodsSection(profile, peers, spatial, values, indicators, config, collections, layers, levels) {
  const sources = new Map();
  for (const r of profile.indicators || []) {
    const name = levels(r.indicator).source_name || 'source not given';
    sources.set(name, (sources.get(name) || 0) + 1);
  }
  const layerAttribution = layers.flatMap((l) => String(collections.get(l)?.attribution || '').split('\n'));
  const attribution = [...new Set([...[indicators.attribution || []].flat().map((a) => (typeof a === 'string' ? a : a.text)), ...layerAttribution].map((t) => t.trim()).filter(Boolean))];
  return section('methods', 'Methods and sources',
    h('ul', { class: 'methods' },
      h('li', {}, h('strong', {}, 'Strengths and weaknesses: '), `${profile.standing_rule}.`),
      h('li', {}, h('strong', {}, 'Peers and where they do better or worse: '), `${peers.method}.`),
      spatial ? h('li', {}, h('strong', {}, 'Neighbours class (LISA): '), `local Moran’s I with ${spatial.weights} weights, ${spatial.permutations} random permutations, significant at p < ${spatial.significance}; high-high means a high value among high neighbours.`) : '',
      values?.check_source_rule ? h('li', {}, h('strong', {}, 'Check source: '), `a value is flagged when it lies ${values.check_source_rule}.`) : '',
      h('li', {}, h('strong', {}, 'Medians and ranks: '), 'of all areas with a value in the same boundary version and year; rank 1 is the highest value.')),
    h('h3', {}, 'Sources'),
    h('p', { id: 'report-sources' }, [...sources].map(([name, n]) => `${name} (${plural(n, 'indicator')})`).join('; '), '.'),
    h('ul', { class: 'attribution', id: 'report-attribution' }, attribution.map((t) => h('li', {}, t))),
    note(`Figures from the smartspec API, data version ${config.data_version || 'not given'}.`));
}

// ---- the page ---------------------------------------------------------------------------------

async function build() {
  const req = readRequest();
  const [config, cols, inds] = await Promise.all([api.mapConfig(), api.collections(), api.indicators()]);
  const collections = new Map((cols.collections || []).map((c) => [c.id, c]));
  const catalogue = new Map((inds.indicators || []).map((i) => [i.id, i]));
  const levels = (id) => levelOf(catalogue, id, req.geo);
  if (req.ind && !levels(req.ind).title) throw new ReportError(`Indicator “${req.ind}” has no ${req.geo} values: choose another (see /indicators).`);
  const ind = req.ind || (levels(config.default_indicator).title ? config.default_indicator : null);
  if (req.year == null) req.year = Math.max(...(levels(ind).years || [NaN]));
  if (!Number.isFinite(req.year)) throw new ReportError('No year given: add year=YYYY to the address.');
  const profile = await api.profile(req.area, req.geo, req.year);
  req.ind = ind || profile.indicators?.[0]?.indicator;
  const row = (profile.indicators || []).find((r) => r.indicator === req.ind) || {};
  const peers = await api.peers(req.area, req.geo, req.year, [], PEERS_ASKED);
  const layer = peers.layer || row.layer;
  const otherLayers = [...new Set((profile.indicators || []).map((r) => r.layer))].filter((l) => l && l !== layer);
  document.title = `${profile.name}, ${req.year}: area report`;

  const [neighbours, spatial, values] = await Promise.allSettled([
    api.neighbours(layer, req.area, null, null),
    api.spatial(req.ind, req.geo, row.year ?? req.year),
    api.values(req.ind, req.geo, row.year ?? req.year),
  ]);
  const [trends, specialisation] = await Promise.all([
    trendsSection(req, profile, levels),
    specialisationPart(req, profile, collections).catch((err) => unavailable('Specialisation', err)),
  ]);
  root.replaceChildren(
    header(req, profile, config, collections, layer, otherLayers),
    profileSection(profile, levels),
    trends,
    neighbours.status === 'fulfilled' ? neighboursSection(profile, neighbours.value, peers, levels) : section('neighbours-peers', 'Neighbours and peers', unavailable('Neighbours', neighbours.reason)),
    section('place', 'Place and specialisation',
      spatial.status === 'fulfilled' ? lisaSection(req, profile, req.ind, levels(req.ind), spatial.value, row) : unavailable('The neighbours class (LISA)', spatial.reason),
      specialisation, caveatsPart(profile, levels)),
    methodsSection(profile, peers, spatial.value, values.value, inds, config, collections, [layer, ...otherLayers], levels),
  );
}

build().then(() => {
  status.status = 'ready';
}, (err) => {
  status.status = 'error';
  status.error = err.message;
  root.replaceChildren(h('h1', {}, 'Area report'), h('p', { class: 'error', role: 'alert', id: 'report-error' }, err instanceof ReportError ? err.message : `The report could not be made: ${err.message}`));
}).finally(() => {
  root.removeAttribute('aria-busy');
  document.body.dataset.status = status.status;
});
