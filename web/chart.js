// chart.js: small inline SVG charts with no library: trend lines across years and ranking bars.
import { s, h } from './dom.js';
import { formatValue, unitOf } from './format.js';
import { SHORT_NAMES } from './shortnames.js';

export const SERIES = ['#253494', '#d95f02', '#1b9e77', '#7570b3', '#e7298a'];

/**
 * Line chart of series [{label, colour, dash?, points: [[year, value|null]...]}].
 * Gaps (null) break the line. Returns an <svg> with a <title> for screen readers.
 */
export function lineChart(series, { width = 300, height = 140, title = 'Trend', units = {} } = {}) {
  // Axis labels carry a short unit symbol (£, %, min, µg/m³); a long unit name is in the caption.
  const symbol = units.unit_symbol && units.unit_symbol.length <= 5 ? units.unit_symbol : '';
  const axis = { decimals: units.decimals, unit_symbol: symbol };
  const pts = series.flatMap((x) => x.points.filter(([, v]) => v != null));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title }, s('title', { text: title }));
  if (pts.length === 0) return h('p', { class: 'muted' }, 'No values to chart.');
  const years = pts.map(([y]) => y), vals = pts.map(([, v]) => v);
  let [x0, x1] = [Math.min(...years), Math.max(...years)];
  let [y0, y1] = [Math.min(...vals), Math.max(...vals)];
  if (x0 === x1) { x0 -= 1; x1 += 1; }
  if (y0 === y1) { y0 -= Math.abs(y0) * 0.1 || 1; y1 += Math.abs(y1) * 0.1 || 1; }
  const top = formatValue(y1, axis, { compact: true }), bottom = formatValue(y0, axis, { compact: true });
  // Room on the left for the longer axis label (about 0.6 em a character at the chart's 10 px).
  const m = { l: Math.max(44, 8 + 6 * Math.max(top.length, bottom.length)), r: 8, t: 8, b: 20 };
  const X = (x) => m.l + ((x - x0) / (x1 - x0)) * (width - m.l - m.r);
  const Y = (y) => height - m.b - ((y - y0) / (y1 - y0)) * (height - m.t - m.b);
  svg.append(
    s('line', { x1: m.l, x2: width - m.r, y1: height - m.b, y2: height - m.b, class: 'axis' }),
    s('line', { x1: m.l, x2: m.l, y1: m.t, y2: height - m.b, class: 'axis' }),
    s('text', { x: m.l - 4, y: Y(y1) + 4, 'text-anchor': 'end', text: top }),
    s('text', { x: m.l - 4, y: Y(y0), 'text-anchor': 'end', text: bottom }),
    s('text', { x: X(x0), y: height - 4, 'text-anchor': 'start', text: String(x0) }),
    s('text', { x: X(x1), y: height - 4, 'text-anchor': 'end', text: String(x1) }),
  );
  series.forEach((ser, i) => {
    let d = '', pen = false;
    for (const [x, v] of ser.points) {
      if (v == null) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${X(x).toFixed(1)} ${Y(v).toFixed(1)}`;
      pen = true;
    }
    svg.append(s('path', { d, fill: 'none', stroke: ser.colour, 'stroke-width': 2, 'stroke-dasharray': ser.dash }));
    for (const [x, v] of ser.points) {
      if (v != null) svg.append(s('circle', { cx: X(x), cy: Y(v), r: 2.5, fill: ser.colour, 'data-series': i }, s('title', { text: `${ser.label} ${x}: ${formatValue(v, units)}` })));
    }
  });
  return svg;
}

/** Legend chips for a line chart. */
export const chartKey = (series) =>
  h('ul', { class: 'key' }, series.map((x) => h('li', {}, h('span', { class: 'chip', style: `background:${x.colour}` }), x.label)));

/** Horizontal bars, sorted as given, rows [{code, name, value}], with the median marked. */
export function barChart(rows, { median, selected = [], onSelect, units = {} }) {
  const vals = rows.map((r) => r.value).filter((v) => v != null);
  const lo = Math.min(0, ...vals), hi = Math.max(0, ...vals) || 1;
  const pct = (v) => ((v - lo) / (hi - lo)) * 100;
  const unit = unitOf(units);
  const list = h('ol', { class: 'bars', 'aria-label': `Ranking${unit ? ` (${unit})` : ''}` });
  for (const r of rows) {
    const sel = selected.includes(r.code);
    const left = r.value == null ? 0 : Math.min(pct(0), pct(r.value));
    const width = r.value == null ? 0 : Math.abs(pct(r.value) - pct(0));
    list.append(h('li', { class: sel ? 'sel' : null },
      h('button', { type: 'button', class: 'bar-label', onclick: () => onSelect(r.code), title: `Select ${r.name}` }, r.name),
      h('span', { class: 'bar-track' },
        h('span', { class: 'bar', style: `left:${left}%;width:${width}%` }),
        median != null ? h('span', { class: 'median', style: `left:${pct(median)}%`, title: `Median ${formatValue(median, units)}` }) : null),
      h('span', { class: 'bar-value' }, formatValue(r.value, units))));
  }
  return list;
}

/**
 * The ranking as an SVG bar chart (for a file: the page shows `barChart`): one bar per area with
 * a value, sorted as given, its value written beside it, the median marked.
 */
export function barChartSvg(rows, { median, units = {}, title = 'Ranking', width = 440 } = {}) {
  const shown = rows.filter((r) => r.value != null);
  const rowH = 12, m = { l: 150, r: 90, t: 6, b: 14 };
  const height = m.t + shown.length * rowH + m.b;
  const vals = shown.map((r) => r.value);
  const lo = Math.min(0, ...vals), hi = Math.max(0, ...vals) || 1;
  const X = (v) => m.l + ((v - lo) / (hi - lo)) * (width - m.l - m.r);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': title }, s('title', { text: title }));
  shown.forEach((r, i) => {
    const y = m.t + i * rowH;
    svg.append(
      s('text', { x: m.l - 4, y: y + 9, 'text-anchor': 'end', 'font-size': 8, text: r.name.length > 30 ? SHORT_NAMES[r.name] || `${r.name.slice(0, 29)}…` : r.name }),
      s('rect', { x: Math.min(X(0), X(r.value)), y: y + 2, width: Math.max(0.5, Math.abs(X(r.value) - X(0))), height: rowH - 4, fill: '#41b6c4' }),
      s('text', { x: width - m.r + 4, y: y + 9, 'font-size': 8, text: formatValue(r.value, units) }));
  });
  if (median != null) {
    svg.append(s('line', { x1: X(median), x2: X(median), y1: m.t, y2: height - m.b, stroke: '#222', 'stroke-width': 1, 'stroke-dasharray': '3 2' }),
      s('text', { x: X(median), y: height - 3, 'text-anchor': 'middle', 'font-size': 8, text: `median ${formatValue(median, units)}` }));
  }
  return svg;
}
