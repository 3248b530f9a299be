// format.test.mjs: web/format.js, the one number formatter of the map and the report, against the
// rule written out here: en-GB digits, the indicator's decimals, a currency first, % attached,
// other units after a space, a true minus sign, no sign on what rounds to zero.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { betterThan, formatValue, ordinalPercentile } from '../../web/format.js';

test('values carry their unit where en-GB writes it, with the semantics\' decimals', () => {
  assert.equal(formatValue(265772.13, { unit: 'pounds', unit_symbol: '£', decimals: 0 }), '£265,772');
  assert.equal(formatValue(-417490.4, { unit_symbol: '£', decimals: 0 }, { signed: true }), '−£417,490');
  assert.equal(formatValue(417490.4, { unit_symbol: '£', decimals: 0 }, { signed: true }), '+£417,490');
  assert.equal(formatValue(4.94, { unit_symbol: '%', decimals: 1 }), '4.9%');
  assert.equal(formatValue(12.3, { unit: 'minutes', unit_symbol: 'min', decimals: 2 }), '12.30 min');
  assert.equal(formatValue(2710, { unit: 'students', decimals: 0 }), '2,710 students');
  assert.equal(formatValue(26.495, { decimals: 1 }), '26.5');
  assert.equal(formatValue(-0.004, { unit_symbol: '%', decimals: 2 }, { signed: true }), '0.00%');
  assert.equal(formatValue(1234.5, {}), '1,234.50', 'two decimals when the semantics give none');
  assert.equal(formatValue(null, { unit_symbol: '£' }), 'no data');
  assert.equal(formatValue(30_619_000, { unit_symbol: '£', decimals: 0 }, { compact: true }), '£30.6m');
});

test('percentiles: the good-direction one in words, the raw one as an ordinal', () => {
  assert.equal(betterThan(22.4), 'better than 22% of areas');
  assert.equal(betterThan(null), '–');
  assert.equal(ordinalPercentile(78.2), '78th');
  assert.equal(ordinalPercentile(11), '11th');
  assert.equal(ordinalPercentile(22), '22nd');
});
