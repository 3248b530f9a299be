// classify.js: class breaks (quantile, equal interval, Jenks), the colour palette, number
// formatting and the local statistics (rank, percentile, median) computed from a values map.

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

// The first Intl.NumberFormat loads the locale data (20-50 ms in a browser), so it is made on first
// use, and the legend's short numbers, drawn with the first choropleth, do without it.
let exact = null;
let short = null; // 3 significant digits, for the rare value written in exponent form
/** The value exactly as the API gave it (grouped digits only). */
export const fmt = (v) => (v == null ? 'no data' : (exact ??= new Intl.NumberFormat('en-GB', { maximumFractionDigits: 10 })).format(v));
/** Digits grouped in threes with commas, as en-GB writes them: 1234567 -> "1,234,567". */
const grouped = (s) => s.replace(/^(-?\d+)/, (int) => int.replace(/\B(?=(\d{3})+$)/g, ','));
/** A rounded value for legends and axes: whole numbers from 1,000, else 3 significant digits. */
export function fmtShort(v) {
  if (v == null) return '–';
  const s = String(Math.abs(v) >= 1000 ? Math.round(v) : Number(v.toPrecision(3)));
  if (s.includes('e')) return (short ??= new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 3 })).format(v);
  return grouped(s === '-0' ? '0' : s);
}
export const withUnit = (v, unit) => (v == null ? 'no data' : !unit ? fmt(v) : unit === '%' ? `${fmt(v)}%` : `${fmt(v)} ${unit}`);

/** Rank (1 = highest), percentile and summary statistics from a {code: value|null} map. */
export function stats(values) {
  const have = Object.entries(values).filter(([, v]) => v != null).sort((a, b) => b[1] - a[1]);
  const n = have.length;
  const rank = {};
  have.forEach(([code, v], i) => {
    rank[code] = i > 0 && v === have[i - 1][1] ? rank[have[i - 1][0]] : i + 1; // ties share a rank
  });
  const sorted = have.map(([, v]) => v).reverse();
  const median = n === 0 ? null : n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // Mid-rank percentile, as the server's /ranking computes it: 100 * (n - rank + 0.5) / n.
  const percentile = (code) => (rank[code] == null ? null : (100 * (n - rank[code] + 0.5)) / n);
  return { n, rank, sorted, median, percentile, order: have.map(([c]) => c) };
}
