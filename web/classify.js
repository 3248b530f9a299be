// classify.js: class breaks (quantile, equal interval, Jenks), the colour palettes (values and
// LISA classes), number formatting and skewness. Ranks, medians and percentiles are the server's
// (/values, /ranking), never recomputed here.

/** ColorBrewer YlGnBu, 6 classes: sequential and colour-blind safe. */
export const PALETTE = ['#ffffcc', '#c7e9b4', '#7fcdbb', '#41b6c4', '#2c7fb8', '#253494'];
export const NO_DATA = '#d9d9d9';
export const METHODS = { quantile: 'Quantile', equal: 'Equal interval', jenks: 'Natural breaks (Jenks)' };

/** Breaks [min, b1, ..., max] for sorted numbers, at most k classes. */
export function breaks(sorted, method, k = PALETTE.length) {
  const n = sorted.length;
  if (n === 0) return [];
  const min = sorted[0], max = sorted[n - 1];
  if (min === max) return [min, max];
  k = Math.min(k, new Set(sorted).size);
  let b;
  if (method === 'equal') {
    b = Array.from({ length: k + 1 }, (_, i) => min + ((max - min) * i) / k);
  } else if (method === 'jenks') {
    b = jenks(sorted, k);
  } else {
    b = Array.from({ length: k + 1 }, (_, i) => (i === 0 ? min : i === k ? max : sorted[Math.ceil((i * n) / k) - 1]));
  }
  return b.filter((x, i) => i === 0 || x > b[i - 1]); // drop empty classes from ties
}

/** Fisher–Jenks optimal breaks by dynamic programming (n is at most a few hundred here). */
function jenks(data, k) {
  const n = data.length;
  const lower = Array.from({ length: n + 1 }, () => new Array(k + 1).fill(0));
  const cost = Array.from({ length: n + 1 }, () => new Array(k + 1).fill(Infinity));
  for (let j = 1; j <= k; j++) { lower[1][j] = 1; cost[1][j] = 0; }
  for (let l = 2; l <= n; l++) {
    let s1 = 0, s2 = 0, w = 0, v = 0;
    for (let m = 1; m <= l; m++) {
      const i = l - m + 1, val = data[i - 1];
      s2 += val * val; s1 += val; w += 1;
      v = s2 - (s1 * s1) / w;
      if (i > 1) {
        for (let j = 2; j <= k; j++) {
          if (cost[l][j] >= v + cost[i - 1][j - 1]) { lower[l][j] = i; cost[l][j] = v + cost[i - 1][j - 1]; }
        }
      }
    }
    lower[l][1] = 1; cost[l][1] = v;
  }
  const out = new Array(k + 1);
  out[k] = data[n - 1]; out[0] = data[0];
  for (let j = k, l = n; j >= 2; j--) { out[j - 1] = data[lower[l][j] - 2]; l = lower[l][j] - 1; }
  return out;
}

/** Class index of v for breaks b (null when v is null). */
export function classOf(v, b) {
  if (v == null || b.length === 0) return null;
  for (let i = 1; i < b.length - 1; i++) if (v <= b[i]) return i - 1; // classes are (b[i], b[i+1]]
  return Math.max(0, b.length - 2);
}

/** Colours for breaks b: spread across the palette when there are fewer classes than colours. */
export function colours(b) {
  const k = Math.max(1, b.length - 1);
  if (k === 1) return [PALETTE[PALETTE.length - 1]];
  return Array.from({ length: k }, (_, i) => PALETTE[Math.round((i * (PALETTE.length - 1)) / (k - 1))]);
}

/**
 * The statistics of a /values answer as the page uses them: the server's count, ranks (1 =
 * highest) and median, the areas in rank order, and the values sorted for the class breaks.
 */
export function served(vals) {
  const rank = vals.ranks || {};
  const order = Object.keys(rank).sort((a, b) => rank[a] - rank[b]);
  const sorted = Object.values(vals.values).filter((v) => v != null).sort((a, b) => a - b);
  return { n: vals.count_with_data, rank, median: vals.median ?? null, order, sorted };
}

/** Sample skewness (Fisher–Pearson, g1) of numbers; null for fewer than 3 or no spread. */
export function skewness(xs) {
  const n = xs.length;
  if (n < 3) return null;
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  let m2 = 0, m3 = 0;
  for (const x of xs) { const d = x - mean; m2 += d * d; m3 += d * d * d; }
  m2 /= n; m3 /= n;
  return m2 > 0 ? m3 / m2 ** 1.5 : null;
}

/** LISA classes of the Neighbours mode: ColorBrewer RdBu ends (colour-blind safe) and greys. */
export const LISA = {
  'high-high': { label: 'High, with high neighbours', colour: '#b2182b' },
  'high-low': { label: 'High among low neighbours', colour: '#ef8a62' },
  'low-high': { label: 'Low among high neighbours', colour: '#67a9cf' },
  'low-low': { label: 'Low, with low neighbours', colour: '#2166ac' },
  'not-significant': { label: 'Not significant', colour: '#f7f7f7' },
  island: { label: 'No neighbours (island)', colour: '#ffffff' },
  'no-data': { label: 'No data', colour: NO_DATA },
};
