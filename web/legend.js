// legend.js: the map legend (a Leaflet control): title, unit, class ranges, "no data" swatch and
// which boundary layer version is drawn.
import { h } from './dom.js';
import { NO_DATA, fmtShort } from './classify.js';

const L = window.L;

export function createLegend(map) {
  const control = L.control({ position: 'topright' });
  let box;
  control.onAdd = () => {
    box = h('div', { class: 'legend leaflet-control', id: 'legend', role: 'region', 'aria-label': 'Legend' });
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  control.addTo(map);

  /** Redraw for {title, unit, year, breaks, colours, method, layerText, counts, noData}. */
  control.update = ({ title, unit, year, breaks, colours, method, layerText, counts, noData }) => {
    const rows = colours.map((c, i) =>
      h('li', {}, h('span', { class: 'swatch', style: `background:${c}` }),
        `${fmtShort(breaks[i])} – ${fmtShort(breaks[i + 1])}`, h('span', { class: 'count' }, ` (${counts[i]})`)));
    rows.push(h('li', {}, h('span', { class: 'swatch nodata', style: `background:${NO_DATA}` }), 'No data',
      h('span', { class: 'count' }, ` (${noData})`)));
    box.replaceChildren(
      h('strong', { class: 'legend-title' }, `${title} (${year})`),
      h('div', { class: 'legend-unit' }, unit ? `Unit: ${unit}` : 'No unit given'),
      h('ul', {}, rows),
      h('div', { class: 'legend-meta' }, `${method} classes`),
      h('div', { class: 'legend-layer', id: 'layer-version' }, layerText),
    );
  };
  return control;
}
