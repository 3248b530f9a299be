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
