// hatching.js: the hatch drawn where two areas of the layer overlap (LEPs sharing a district).
import { map } from './map.js';
import { app, shown, view } from './state.js';

const L = window.L;
let hatchLayer = null;

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The <defs> of the map's SVG renderer, with the hatch pattern. */
function svgDefs(svg) {
  let defs = svg.querySelector('defs#smartspec-defs');
  if (!defs) {
    defs = document.createElementNS(SVG_NS, 'defs');
    defs.id = 'smartspec-defs';
    defs.innerHTML = '<pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">'
      + '<line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="1.6" stroke-opacity="0.6"/></pattern>';
    svg.prepend(defs);
  }
  return defs;
}

/**
 * Hatch where two areas of the layer overlap (LEPs sharing a district). The server lists the
 * overlapping pairs (labels' `overlaps`); the browser only draws: area a's outline filled with
 * the hatch, clipped by area b's live SVG path (a <use> of it), so no geometry is computed here.
 */
export function drawHatching() {
  hatchLayer?.remove();
  hatchLayer = null;
  document.querySelectorAll('clipPath[id^="clip-ov-"]').forEach((c) => c.remove());
  const pairs = view.overlaps.filter(([a, b]) => shown(a) && shown(b) && view.features.has(a) && view.features.has(b));
  app.hatchedPairs = 0;
  if (!pairs.length) return; // in both modes: the legend lists the hatch in each
  const anyPath = view.features.get(pairs[0][0]).getElement();
  if (!anyPath) return;
  const defs = svgDefs(anyPath.ownerSVGElement);
  hatchLayer = L.layerGroup().addTo(map);
  for (const [a, b] of pairs) {
    const target = view.features.get(b).getElement();
    target.id = `area-${b}`;
    const clip = document.createElementNS(SVG_NS, 'clipPath');
    clip.id = `clip-ov-${a}-${b}`;
    const use = document.createElementNS(SVG_NS, 'use');
    use.setAttribute('href', `#area-${b}`);
    clip.append(use);
    defs.append(clip);
    const lyr = L.geoJSON(view.features.get(a).feature, { interactive: false, style: { stroke: false, fill: true, fillColor: 'url(#hatch)', fillOpacity: 1 } }).addTo(hatchLayer);
    lyr.eachLayer((l) => { const el = l.getElement(); el.setAttribute('clip-path', `url(#${clip.id})`); el.classList.add('overlap-hatch'); el.dataset.pair = `${a},${b}`; });
    app.hatchedPairs++;
  }
}
