// format.test.mjs: the legend's number format (classify.js fmtShort) writes what en-GB Intl writes,
// without loading Intl's locale data on the map's first render.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtShort } from '../../web/classify.js';

const exact = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 10 });
const short = new Intl.NumberFormat('en-GB', { maximumSignificantDigits: 3 });
const intl = (v) => (Math.abs(v) >= 1000 ? exact.format(Math.round(v)) : short.format(v));

test('fmtShort matches Intl en-GB: whole numbers from 1,000 with grouping, else 3 significant digits', () => {
  const values = [0, 1, 12.345, 999.4, 999.5, 1000, 1234567.8, -1234.5, -0.000123456, 0.1 + 0.2,
    1.7000000000000002, 5e-7, -2.2e-7, 123456789012, 0.5, 99.95, -999.99, 2.5e15];
  for (let e = -8; e <= 14; e += 0.37) values.push(10 ** e, -(10 ** e) * 3.3);
  for (const v of values) assert.equal(fmtShort(v), intl(v), `value ${v}`);
  assert.equal(fmtShort(-0), '0');
  assert.equal(fmtShort(null), '–');
});
