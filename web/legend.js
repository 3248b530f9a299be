// legend.js: the map legend, beside the map (never over it): title, place, unit, class ranges with which end
// is better, "no data" swatch, a skew warning for equal intervals, the overlap hatching, the
// "check source" flags, the LISA classes with the global Moran's I, and which boundary layer
// version is drawn.
import { h } from './dom.js';
import { LISA, NO_DATA } from './classify.js';
import { formatValue, unitText } from './format.js';


/** The polarity line: which end of the ramp is better. */
function polarity(better, reason) {
  const text = better === true ? 'Higher is better: the darkest class is the best.'
    : better === false ? 'Lower is better: the lightest class is the best.'
      : 'Neither end is better: higher is not in itself better or worse.';
  return h('div', { class: 'legend-polarity', id: 'legend-polarity', 'data-better': String(better ?? 'neutral'), title: reason || null }, text);
}

/** The legend in `box` (an element beside the map): folded on a phone, open elsewhere. */
/** The legend row of the overlap hatching, drawn in both modes. */
const overlapRow = (n) => h('li', { id: 'legend-overlap' }, h('span', { class: 'swatch hatch' }),
  `Overlap (${n} pair${n > 1 ? 's' : ''}): districts in two LEPs, counted in both`);

export function createLegend(box) {
  const control = {};
  // Folded on a phone, where it would push the panel down; then as the reader leaves it.
  let open = !window.matchMedia('(max-width: 500px)').matches;
  /** The legend's parts under a summary line (its title), which folds them away. */
  const fold = (title, ...parts) => {
    const d = h('details', { class: 'legend-fold', open }, h('summary', {}, title), ...parts);
    d.addEventListener('toggle', () => { open = d.open; });
    return d;
  };

  /**
   * Redraw for {title, units, year, breaks, colours, method, layerText, counts, noData, place,
   * better, polarityReason, skew, checkSource, overlaps, geography, mode, spatial, spatialError,
   * lisaCounts}.
   */
  control.update = (o) => {
    const title = h('strong', { class: 'legend-title' }, `${o.title} (${o.year})`);
    const head = [h('div', { class: 'legend-place', id: 'legend-place' }, `${o.geography}: ${o.place}`)];
    const tail = [h('div', { class: 'legend-layer', id: 'layer-version' }, o.layerText)];
    if (o.mode === 'lisa') {
      if (!o.spatial) {
        box.replaceChildren(fold(title, ...head, h('p', { class: 'legend-note', id: 'lisa-unavailable', role: 'status' },
          'Neighbours mode needs the server’s spatial analysis (/indicators/{id}/spatial)',
          o.spatialError?.status === 404 ? ', which this server does not offer yet.' : `: ${o.spatialError?.message || 'not available'}.`,
          ' The map keeps its last colours.'), ...tail));
        return;
      }
      const g = o.spatial.global || {};
      const rows = Object.entries(LISA).map(([k, c]) => h('li', { 'data-lisa': k }, h('span', { class: 'swatch', style: `background:${c.colour}` }), c.label,
        h('span', { class: 'count' }, ` (${o.lisaCounts[k] || 0})`)));
      if (o.overlaps) rows.push(overlapRow(o.overlaps));
      box.replaceChildren(fold(title, ...head,
        h('div', { class: 'legend-unit' }, 'Local Moran’s I: each area against the mean of its neighbours'),
        h('ul', {}, rows),
        h('div', { class: 'legend-moran', id: 'legend-moran' },
          `Global Moran’s I ${g.morans_i == null ? '–' : g.morans_i.toFixed(3)}`,
          g.expected_i != null ? ` (expected ${g.expected_i.toFixed(3)})` : '',
          `, p = ${g.p_value == null ? '–' : g.p_value < 0.001 ? '< 0.001' : g.p_value.toFixed(3)}`,
          o.spatial.permutations ? ` (${o.spatial.permutations} permutations)` : '',
          o.spatial.significance ? `; significant at p < ${o.spatial.significance}` : '', '.',
          g.note ? ` ${g.note}` : ''),
        ...tail));
      return;
    }
    const rows = o.colours.map((c, i) =>
      h('li', {}, h('span', { class: 'swatch', style: `background:${c}` }),
        `${formatValue(o.breaks[i], o.units)} – ${formatValue(o.breaks[i + 1], o.units)}`, h('span', { class: 'count' }, ` (${o.counts[i]})`),
        o.better === true && i === o.colours.length - 1 ? h('span', { class: 'best' }, ' best') : '',
        o.better === false && i === 0 && o.colours.length > 1 ? h('span', { class: 'best' }, ' best') : ''));
    rows.push(h('li', {}, h('span', { class: 'swatch nodata', style: `background:${NO_DATA}` }), 'No data',
      h('span', { class: 'count' }, ` (${o.noData})`)));
    if (o.overlaps) rows.push(overlapRow(o.overlaps));
    if (o.checkSource) {
      rows.push(h('li', { id: 'legend-check-source' }, h('span', { class: 'swatch check' }),
        `Check source (${o.checkSource}): beyond the outlier rule`));
    }
    box.replaceChildren(fold(title, ...head,
      h('div', { class: 'legend-unit' }, unitText(o.units) ? `Unit: ${unitText(o.units)}` : 'No unit given'),
      polarity(o.better, o.polarityReason),
      h('ul', {}, rows),
      h('div', { class: 'legend-meta' }, `${o.method} classes`),
      o.skew ? h('div', { class: 'legend-warning', id: 'skew-warning', role: 'note' },
        `⚠ These values are skewed (skewness ${o.skew.skew.toFixed(1)}): equal intervals put most areas in one class. `,
        h('button', { type: 'button', class: 'link', onclick: o.skew.useQuantiles }, 'Use quantiles')) : '',
      ...tail,
    ));
  };
  return control;
}
