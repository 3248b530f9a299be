// numbers.test.mjs: issue 18 §3 on the real page against the real server: every number the page
// prints for an indicator (table, area panel, legend, ranking, compare cards, profile) is the API's
// value written by the rule (en-GB, the semantics' decimals, £ first, % attached, other units after
// a space), percentiles beside verdicts are the good-direction ones and say so, Neighbours mode
// lists every colour it draws (overlaps included), and the attribution names each source once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, launchBrowser, openMap, renders, settle, startServer, waitForDraw } from './server.mjs';

let server, browser, catalog;

/** The rule, written out independently of web/format.js. */
function rule(v, u, signed = false) {
  if (v == null) return 'no data';
  const d = Number.isInteger(u.decimals) ? u.decimals : 2;
  const n = new Intl.NumberFormat('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d }).format(Math.abs(v));
  const sign = !/[1-9]/.test(n) ? '' : v < 0 ? '\u2212' : signed ? '+' : '';
  const sym = u.unit_symbol || u.unit || '';
  if (['£', '€', '$'].includes(sym)) return `${sign}${sym}${n}`;
  if (sym === '%') return `${sign}${n}%`;
  return sym ? `${sign}${n} ${sym}` : `${sign}${n}`;
}
/** Reads a number back from a rendered text with its unit, and writes it again by the rule. */
function rewritten(text, u) {
  const m = text.match(/^([−+]?)([£€$]?)([\d,]+(?:\.\d+)?)/);
  if (!m) return null;
  const v = Number(m[3].replace(/,/g, '')) * (m[1] === '−' ? -1 : 1);
  return rule(v, u);
}
const lepLevel = (ind) => ind.levels.find((l) => l.geography === 'lep' && l.years?.length);

describe('numbers read right (real server, headless Chromium)', { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    catalog = await getJson(server.base, '/indicators');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('every LEP indicator: table, area panel and legend print the API values by the rule', async () => {
    const inds = catalog.indicators.filter(lepLevel);
    assert.ok(inds.length >= 30, `${inds.length} LEP indicators`);
    const { page, errors } = await openMap(browser, server.base, '#geo=lep&tab=table');
    let checked = 0;
    try {
      for (const ind of inds) {
        const lvl = lepLevel(ind), year = lvl.years[lvl.years.length - 1];
        const vals = await getJson(server.base, `/indicators/${ind.id}/values?geography=lep&year=${year}`);
        const u = { unit: vals.unit, unit_symbol: vals.unit_symbol, decimals: vals.decimals };
        const n = await renders(page);
        await page.evaluate((h) => { location.hash = h; }, `#geo=lep&ind=${ind.id}&year=${year}&tab=table`);
        await waitForDraw(page, n);
        const cells = await page.locator('#area-table tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.code, tr.querySelector('td[data-value]').textContent]));
        assert.equal(cells.length, Object.keys(vals.values).length, `${ind.id}: one row per area`);
        for (const [code, text] of cells) assert.equal(text, rule(vals.values[code], u), `${ind.id} ${year} ${code} in the table`);
        // The legend's class ranges, each end by the rule.
        const ranges = await page.locator('#legend li:not([id]):not([data-lisa])').evaluateAll((lis) => lis.map((li) => li.childNodes[1]?.textContent || ''));
        for (const r of ranges.filter((t) => t.includes(' – '))) {
          for (const end of r.split(' – ')) assert.equal(end, rewritten(end, u), `${ind.id}: legend range "${r}"`);
        }
        // The area panel of the first area with a value: value, median and difference.
        const code = Object.keys(vals.values).find((c) => vals.values[c] != null);
        const m = await renders(page);
        await page.evaluate((h) => { location.hash = h; }, `#geo=lep&ind=${ind.id}&year=${year}&tab=area&area=${code}`);
        await page.waitForFunction((c) => document.querySelector('#area-value') && smartspec.state.area === c, code);
        assert.equal(await page.locator('#area-value').textContent(), rule(vals.values[code], u), `${ind.id} ${code}: panel value`);
        assert.equal(await page.locator('#area-median').textContent(), rule(vals.median, u), `${ind.id}: panel median`);
        assert.equal(await page.locator('#area-diff').textContent(), rule(vals.values[code] - vals.median, u, true), `${ind.id}: difference from median`);
        void m;
        checked++;
      }
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
    assert.equal(checked, inds.length);
  });

  it('ranking, compare cards and profile: units on medians and gaps, good-direction percentiles labelled', async () => {
    // Research income: £, higher is better; a travel time: lower is better.
    const wanted = ['gbp_research_income'];
    const lower = catalog.indicators.find((i) => lepLevel(i)?.higher_is_better === false);
    assert.ok(lower, 'an LEP indicator where lower is better');
    wanted.push(lower.id);
    for (const id of wanted) {
      const ind = catalog.indicators.find((i) => i.id === id);
      const lvl = lepLevel(ind), year = lvl.years[lvl.years.length - 1];
      const rk = await getJson(server.base, `/indicators/${id}/ranking?geography=lep&year=${year}`);
      const u = { unit: rk.unit, unit_symbol: rk.unit_symbol, decimals: rk.decimals };
      const ranked = rk.areas.filter((a) => a.rank != null);
      const [a, b] = [ranked[0].code, ranked[ranked.length - 1].code];
      const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${year}&tab=ranking`);
      try {
        await settle(page);
        const summary = await page.locator('#ranking-summary').textContent();
        assert.ok(summary.includes(`Median ${rule(rk.median, u)}`), `${id}: "${summary}"`);
        assert.ok(summary.includes(`mean ${rule(rk.mean, u)}; standard deviation ${rule(rk.std_dev, u)}`), `${id}: "${summary}"`);
        const bars = await page.locator('.bars li').evaluateAll((lis) => lis.map((li) => [li.querySelector('.bar-label').textContent, li.querySelector('.bar-value').textContent]));
        const byName = new Map(rk.areas.map((x) => [x.name, x]));
        for (const [name, text] of bars) assert.equal(text, rule(byName.get(name)?.value, u), `${id} ${name}: bar value`);
        const n = await renders(page);
        await page.evaluate((h) => { location.hash = h; }, `#geo=lep&ind=${id}&year=${year}&tab=compare&cmp=${a},${b}`);
        await waitForDraw(page, n).catch(() => {});
        await page.waitForFunction(() => [...document.querySelectorAll('#compare-cards .nb, #compare-cards [data-pctl]')].every((d) => d.textContent !== '…'));
        const cmp = await getJson(server.base, `/indicators/${id}/compare?geography=lep&year=${year}&areas=${a},${b}`);
        for (const area of cmp.areas) {
          const card = page.locator(`#compare-cards .card[data-code="${area.code}"]`);
          const nb = await card.locator('.nb').textContent();
          if (area.neighbour_mean != null) assert.equal(nb, `${rule(area.neighbour_mean, u)} (${rule(area.gap_to_neighbours, u, true)})`, `${id} ${area.code}: neighbour mean and gap`);
          const standing = await card.locator('[data-pctl]').textContent();
          assert.equal(standing, `better than ${Math.round(area.good_percentile)}% of areas`, `${id} ${area.code}: the good-direction percentile, in words`);
          const label = await card.locator('dt').nth(2).textContent();
          assert.match(label, /^Standing/);
          const verdict = await card.locator('.verdict-all').textContent();
          // A verdict never contradicts the percentile beside it.
          if (verdict === 'better') assert.ok(area.good_percentile >= 75, `${id} ${area.code}: better at ${area.good_percentile}`);
          if (verdict === 'worse') assert.ok(area.good_percentile <= 25, `${id} ${area.code}: worse at ${area.good_percentile}`);
        }
        assert.deepEqual(errors, []);
      } finally { await page.close(); }
    }
  });

  it('Neighbours mode lists the overlap hatching it draws; the attribution names each source once, in whole sentences', async () => {
    const { page, errors } = await openMap(browser, server.base, '#geo=lep&ind=gbp_research_income&year=2018&mode=lisa&regions=1');
    try {
      await settle(page);
      const hatched = await page.evaluate(() => smartspec.hatchedPairs);
      if (hatched > 0) {
        const row = await page.locator('#legend-overlap').textContent();
        assert.match(row, /^Overlap \(\d+ pairs?\)/);
      }
      const drawn = await page.locator('.leaflet-overlay-pane path.overlap-hatch').count();
      assert.equal(drawn > 0, (await page.locator('#legend-overlap').count()) > 0, 'the legend lists the hatch exactly when it is drawn');
      const text = await page.locator('.leaflet-control-attribution').textContent();
      const parts = text.split(/\s*\|\s*/).slice(1).join(' | ').split(/,\s*/).map((t) => t.trim()).filter(Boolean);
      assert.equal(new Set(parts).size, parts.length, `each source once: ${text}`);
      const crown = (text.match(/Crown copyright/g) || []).length;
      assert.ok(crown <= 1, `"Crown copyright" ${crown} times: ${text}`);
      const footer = await page.locator('#attribution-list li').allTextContents();
      assert.equal(new Set(footer).size, footer.length, 'footer lines once each');
      for (const line of footer) assert.match(line, /[.!?]$/, `a whole sentence: "${line}"`);
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });
});
