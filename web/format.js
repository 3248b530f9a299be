// format.js: the one number formatter of the map and the report. en-GB digits, the indicator's
// decimals from the semantics table, and its unit where en-GB writes it: a currency first
// (£265,772), a per cent sign attached (4.9%), any other unit after a space (12.30 min).
const CURRENCY = new Set(['£', '€', '$']);
const MINUS = '−';

// The first Intl.NumberFormat loads the locale data (20-50 ms in a browser): made on first use.
const formats = new Map();
function numberFormat(key, options) {
  if (!formats.has(key)) formats.set(key, new Intl.NumberFormat('en-GB', options));
  return formats.get(key);
}

/** The unit an indicator's values are written with: its symbol (£, %, min), else its name. */
export const unitOf = (units) => units?.unit_symbol || units?.unit || '';

/** The unit in words for a caption or legend: its name and its symbol ("pounds, £"), each once. */
export const unitText = (units) => [...new Set([units?.unit, units?.unit_symbol].filter(Boolean))].join(', ');

/** The decimals an indicator's values are written with: its `decimals`, else 2. */
export const decimalsOf = (units) => (Number.isInteger(units?.decimals) ? units.decimals : 2);

/**
 * `v` with the unit and decimals of `units` ({unit, unit_symbol, decimals}, as /indicators and
 * /values give them). `signed`: a + or − sign (a gap, a difference); `compact`: three significant
 * digits with k, M or bn (chart axes only).
 */
export function formatValue(v, units = {}, { signed = false, compact = false } = {}) {
  if (v == null || Number.isNaN(v)) return 'no data';
  const d = decimalsOf(units);
  const digits = compact
    ? numberFormat('compact', { notation: 'compact', maximumSignificantDigits: 3 })
    : numberFormat(d, { minimumFractionDigits: d, maximumFractionDigits: d });
  const n = digits.format(Math.abs(v));
  const zero = !/[1-9]/.test(n);
  const sign = zero ? '' : v < 0 ? MINUS : signed ? '+' : '';
  const symbol = unitOf(units);
  if (CURRENCY.has(symbol)) return `${sign}${symbol}${n}`;
  if (symbol === '%') return `${sign}${n}%`;
  return symbol ? `${sign}${n} ${symbol}` : `${sign}${n}`;
}

/** A plain number with `decimals` decimals (a distance, a statistic): 1,234.5. */
export const formatNumber = (v, decimals = 0) => formatValue(v, { decimals });

/** A percentile in the good direction, as the server gives it, in words: "better than 22% of areas". */
export const betterThan = (p) => (p == null ? '–' : `better than ${Math.round(p)}% of areas`);

/** A raw percentile (no direction): "78th". */
export function ordinalPercentile(p) {
  if (p == null) return '–';
  const n = Math.round(p);
  return `${n}${[11, 12, 13].includes(n % 100) ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th')}`;
}
