// export.js: evidence that leaves the page. A chart becomes a standalone SVG or PNG file titled
// with what it shows (indicator, areas, years, layer, unit, source); the current view becomes an
// <iframe> snippet for another web page.
import { h, s } from './dom.js';

const FILE_WIDTH = 460; // room for the title lines beside a 300-unit chart
const PNG_SCALE = 2;

/** A standalone SVG document of `chart` (an <svg> from chart.js) under `title` and `lines`, with its key. */
export function chartSvg(chart, { title, lines = [], series = [] }) {
  const vb = chart.viewBox.baseVal;
  const head = 16 + lines.length * 11 + 6;
  const keyTop = head + vb.height + 6;
  const height = keyTop + series.length * 12 + 4;
  const out = s('svg', { xmlns: 'http://www.w3.org/2000/svg', width: FILE_WIDTH * PNG_SCALE, height: height * PNG_SCALE,
    viewBox: `0 0 ${FILE_WIDTH} ${height}`, 'font-family': 'DejaVu Sans, Arial, sans-serif', 'font-size': 10 },
  s('title', { text: title }),
  s('rect', { width: FILE_WIDTH, height, fill: '#fff' }),
  s('text', { x: 8, y: 14, 'font-size': 11, 'font-weight': 'bold', fill: '#111', text: title }),
  lines.map((t, i) => s('text', { x: 8, y: 14 + 11 * (i + 1), 'font-size': 8, fill: '#444', text: t })));
  const body = s('g', { transform: `translate(0 ${head})` });
  for (const el of chart.children) if (el.tagName !== 'title') body.append(el.cloneNode(true));
  // The page's stylesheet does not travel with the file: its chart rules, inlined.
  for (const el of body.querySelectorAll('.axis')) el.setAttribute('stroke', '#999');
  for (const el of body.querySelectorAll('text')) el.setAttribute('fill', '#444');
  out.append(body);
  series.forEach((x, i) => out.append(
    s('rect', { x: 8, y: keyTop + i * 12, width: 9, height: 9, fill: x.colour }),
    s('text', { x: 21, y: keyTop + i * 12 + 8, 'font-size': 9, fill: '#222', text: x.label })));
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}`, width: FILE_WIDTH * PNG_SCALE, height: height * PNG_SCALE };
}

/** The SVG document drawn into a PNG of its size. */
export async function pngOf({ text, width, height }) {
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = () => reject(new Error('the chart could not be drawn as a picture')); img.src = url; });
    const canvas = h('canvas', { width, height });
    canvas.getContext('2d').drawImage(img, 0, 0, width, height);
    return await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  } finally { URL.revokeObjectURL(url); }
}

/** Offer `blob` as a download named `name`. */
export function save(blob, name) {
  const a = h('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** "Download chart: SVG · PNG" for `chart`, `meta()` giving its title lines when asked. */
export function chartDownloads(chart, meta, stem) {
  const file = () => chartSvg(chart, meta());
  const button = (label, run) => h('button', { type: 'button', class: 'link', 'data-download': label.toLowerCase(), onclick: run }, label);
  return h('p', { class: 'downloads muted' }, 'Download chart: ',
    button('SVG', () => save(new Blob([file().text], { type: 'image/svg+xml' }), `${stem}.svg`)), ' · ',
    button('PNG', async () => save(await pngOf(file()), `${stem}.png`)));
}

/** An <iframe> of the page at `url` (with its state), for a council's web page. */
export const embedCode = (url, title) =>
  `<iframe src="${url.replace(/"/g, '&quot;')}" title="${title.replace(/"/g, '&quot;')}" width="900" height="640" style="border:0" loading="lazy"></iframe>`;

/**
 * The map as drawn, as one SVG document: the areas (Leaflet's own SVG, with its hatching), the
 * names shown, the title, the legend beside the map and the attribution under it.
 */
export function mapSvg(mapEl, { title, lines = [] }) {
  const mr = mapEl.getBoundingClientRect();
  const W = Math.round(mr.width), H = Math.round(mr.height);
  const LEGEND = 280, head = 20 + lines.length * 13 + 8;
  const legendItems = [...document.querySelectorAll('#legend li')].map((li) => {
    const sw = li.querySelector('.swatch');
    const colour = sw ? getComputedStyle(sw).backgroundColor : '#fff';
    return { colour: sw?.classList.contains('hatch') ? '#bbb' : colour, text: li.textContent.trim() };
  });
  const legendHead = [...document.querySelectorAll('#legend .legend-title, #legend .legend-place, #legend .legend-unit, #legend .legend-polarity')]
    .map((el) => el.textContent.trim()).filter(Boolean).flatMap((t, i) => wrap(t, i === 0 ? 40 : 46));
  const attribution = wrap(mapEl.querySelector('.leaflet-control-attribution')?.textContent.replace(/^Leaflet \| /, 'Leaflet | ') || '', 120);
  for (const item of legendItems) item.lines = wrap(item.text, 40);
  const legendH = 16 * legendHead.length + legendItems.reduce((n, item) => n + 4 + 12 * item.lines.length, 0) + 10;
  const bodyH = Math.max(H, legendH);
  const height = head + bodyH + 8 + attribution.length * 12 + 6;
  const width = W + LEGEND;
  const out = s('svg', { xmlns: 'http://www.w3.org/2000/svg', width: width * PNG_SCALE, height: height * PNG_SCALE, viewBox: `0 0 ${width} ${height}`,
    'font-family': 'DejaVu Sans, Arial, sans-serif', 'font-size': 11 },
  s('title', { text: title }),
  s('rect', { width, height, fill: '#fff' }),
  s('text', { x: 8, y: 16, 'font-size': 14, 'font-weight': 'bold', fill: '#111', text: title }),
  lines.map((t, i) => s('text', { x: 8, y: 16 + 13 * (i + 1), 'font-size': 10, fill: '#444', text: t })));
  const frame = s('svg', { x: 0, y: head, width: W, height: H, viewBox: `0 0 ${W} ${H}` },
    s('rect', { width: W, height: H, fill: getComputedStyle(mapEl).backgroundColor || '#eef2f5' }));
  for (const pane of mapEl.querySelectorAll('.leaflet-overlay-pane svg, .leaflet-regions-pane svg, .leaflet-marks-pane svg')) {
    const r = pane.getBoundingClientRect();
    const copy = pane.cloneNode(true);
    copy.removeAttribute('style'); // Leaflet's CSS transform: the position is given by x and y here
    copy.setAttribute('x', r.left - mr.left);
    copy.setAttribute('y', r.top - mr.top);
    copy.setAttribute('width', r.width);
    copy.setAttribute('height', r.height);
    frame.append(copy);
  }
  for (const el of mapEl.querySelectorAll('.leaflet-labels-pane .area-label:not(.hidden)')) {
    const span = el.firstElementChild;
    const r = span.getBoundingClientRect();
    if (r.right < mr.left || r.left > mr.right || r.bottom < mr.top || r.top > mr.bottom) continue;
    const cs = getComputedStyle(span);
    const size = parseFloat(cs.fontSize);
    const rows = span.innerText.split('\n');
    rows.forEach((t, i) => frame.append(s('text', {
      x: r.left - mr.left + r.width / 2, y: r.top - mr.top + (i + 0.8) * (r.height / rows.length), 'text-anchor': 'middle',
      'font-size': size, 'font-weight': cs.fontWeight, 'font-style': cs.fontStyle, fill: cs.color,
      stroke: '#fff', 'stroke-width': 2.5, 'paint-order': 'stroke', 'stroke-linejoin': 'round', text: t })));
  }
  out.append(frame);
  const lx = W + 12;
  let y = head + 14;
  legendHead.forEach((t, i) => { out.append(s('text', { x: lx, y, 'font-size': i === 0 ? 11 : 10, 'font-weight': i === 0 ? 'bold' : 'normal', fill: '#222', text: t })); y += 16; });
  for (const item of legendItems) {
    out.append(s('rect', { x: lx, y: y - 10, width: 12, height: 12, fill: item.colour, stroke: '#888', 'stroke-width': 0.5 }),
      ...item.lines.map((t, i) => s('text', { x: lx + 18, y: y + 12 * i, 'font-size': 10, fill: '#222', text: t })));
    y += 4 + 12 * item.lines.length;
  }
  attribution.forEach((t, i) => out.append(s('text', { x: 8, y: head + bodyH + 18 + i * 12, 'font-size': 9, fill: '#333', text: t })));
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}`, width: width * PNG_SCALE, height: height * PNG_SCALE };
}

/** `text` broken into lines of at most `n` characters, at spaces. */
function wrap(text, n) {
  const out = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > n) { out.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
