// wayfinding.test.mjs: issue 10 part 3 and issue 18 on the real page against the real server:
// area names near the server's label points (placed by collision, short forms, region names),
// the URL round-trip of every state (zoom and centre too), the server's percentiles, quantiles by
// default and the skew warning, NUTS views titled UK with an England-only toggle, overlap
// hatching, polarity and "check source" in the legend, the Neighbours (LISA) mode, layout at
// 1280 px and 390 px, and axe-core at zero serious or critical violations.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { SHORT_NAMES } from '../../web/shortnames.js';
import { REPO, getJson, launchBrowser, openMap, renders, screenshot, settle, startServer, waitForDraw } from './server.mjs';

const require = createRequire(path.join(REPO, 'web/package.json'));
const AXE = require.resolve('axe-core/axe.min.js');

let server, browser, catalog;
/** Every axe run's counts, printed at the end: runs, rules passed, violations by impact. */
const axeTotals = { runs: 0, passes: 0 };

const ordinal = (n) => `${n}${[11, 12, 13].includes(n % 100) ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] || 'th')}`;
const visibleLabels = (page) => page.locator('.leaflet-labels-pane .area-label:not(.hidden)').evaluateAll((els) =>
  els.map((el) => { const r = el.firstElementChild.getBoundingClientRect(); return { code: el.dataset.code, text: el.textContent, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom }; }));

/**
 * The names drawn, checked against the labels API (`api`): each is its area's name or the
 * reviewed short form (on one line or two), at least 10 px high, inside the map, near its point
 * (within twice its height), clear of the map's controls, and no two collide.
 */
async function checkLabels(page, api) {
  const byCode = new Map(api.features.map((f) => [f.properties.code, f]));
  const shown = await page.evaluate(() => {
    const m = smartspec.map, mr = m.getContainer().getBoundingClientRect();
    const controls = [...m.getContainer().querySelectorAll('.leaflet-control')].map((c) => c.getBoundingClientRect()).filter((r) => r.width);
    return [...document.querySelectorAll('.leaflet-labels-pane .area-label:not(.hidden)')].map((el) => {
      const r = el.firstElementChild.getBoundingClientRect();
      return { code: el.dataset.code, name: el.dataset.name, text: el.textContent, font: parseFloat(getComputedStyle(el.firstElementChild).fontSize),
        x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, map: [mr.left, mr.top, mr.right, mr.bottom],
        control: controls.some((c) => r.left < c.right && c.left < r.right && r.top < c.bottom && c.top < r.bottom) };
    });
  });
  for (const l of shown) {
    const f = byCode.get(l.code);
    assert.ok(f, `${l.code} is an area of the labels API`);
    assert.equal(l.name, f.properties.name);
    assert.ok([f.properties.name, SHORT_NAMES[f.properties.name]].includes(l.text.replace('\n', ' ')), `${l.code}: drawn as "${l.text}"`);
    assert.ok(l.font >= 10, `${l.code}: ${l.font} px`);
    assert.ok(l.x0 >= l.map[0] && l.y0 >= l.map[1] && l.x1 <= l.map[2] && l.y1 <= l.map[3], `${l.code} inside the map`);
    assert.ok(!l.control, `${l.code} is clear of the map's controls`);
    const [lon, lat] = f.geometry.coordinates;
    const p = await page.evaluate(([la, lo]) => { const q = smartspec.map.latLngToContainerPoint([la, lo]); const r = document.getElementById('map').getBoundingClientRect(); return { x: q.x + r.left, y: q.y + r.top }; }, [lat, lon]);
    const dx = Math.max(l.x0 - p.x, 0, p.x - l.x1), dy = Math.max(l.y0 - p.y, 0, p.y - l.y1);
    assert.ok(Math.hypot(dx, dy) <= 2 * (l.y1 - l.y0), `${l.code} name near its point (${Math.hypot(dx, dy).toFixed(1)} px away)`);
  }
  for (let i = 0; i < shown.length; i++) {
    for (let j = i + 1; j < shown.length; j++) {
      const a = shown[i], b = shown[j];
      assert.ok(!(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1), `names ${a.code} and ${b.code} collide`);
    }
  }
  return shown;
}

/** Fisher–Pearson skewness, computed here independently of the page. */
function skew(xs) {
  const n = xs.length, m = xs.reduce((a, x) => a + x, 0) / n;
  const m2 = xs.reduce((a, x) => a + (x - m) ** 2, 0) / n, m3 = xs.reduce((a, x) => a + (x - m) ** 3, 0) / n;
  return m3 / m2 ** 1.5;
}
const valuesOf = (res) => Object.values(res.values).filter((v) => v != null);
function latest(ind, geo) {
  const lvl = ind.levels.find((l) => l.geography === geo);
  return lvl && lvl.years.length ? { id: ind.id, lvl, year: Math.max(...lvl.years) } : null;
}

/** axe-core on the page as it is: the serious and critical violations. */
async function axe(page) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document));
  axeTotals.runs++;
  axeTotals.passes += res.passes?.length || 0;
  for (const v of res.violations) axeTotals[v.impact] = (axeTotals[v.impact] || 0) + 1;
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
}

describe('finding your way on the map (real server, headless Chromium)', { timeout: 600_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    catalog = await getJson(server.base, '/indicators');
  });
  after(async () => {
    console.log(`axe-core totals: ${JSON.stringify(axeTotals)}`);
    await browser?.close();
    await server?.stop();
  });

  it('names at least 34 of 38 LEPs in the first view, none colliding, each near its point, short forms drawn and full names on hover and focus', async (t) => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find((v) => v && v.lvl.layers[v.year] === 'lep-2017');
    const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${x.id}&year=${x.year}`);
    try {
      await page.waitForFunction(() => smartspec.labelsLayer === 'lep-2017');
      const api = await getJson(server.base, '/collections/lep-2017/labels');
      const shown = await checkLabels(page, api);
      t.diagnostic(`lep-2017 first view at 1400x900: ${shown.length} of ${api.features.length} LEP names drawn`);
      assert.ok(shown.length >= 34, `at least 34 of 38 LEP names in the first view (${shown.length}): missing ${api.features.map((f) => f.properties.name).filter((n) => !shown.some((l) => l.name === n)).join('; ')}`);
      assert.ok(shown.some((l) => l.text !== l.name), 'some long names are drawn in their short form');
      await screenshot(page, 'labels-first-view');
      // Every area's full name on keyboard focus, and on hover at its label point.
      const nameOf = new Map(api.features.map((f) => [f.properties.code, f.properties.name]));
      const tipNamed = (n) => page.waitForFunction((nm) => [...document.querySelectorAll('.leaflet-tooltip')].some((el) => el.innerText.split('\n')[0] === nm), n);
      await page.locator('.leaflet-overlay-pane path[data-code]').first().focus();
      const focused = new Set();
      for (let i = 0; i < api.features.length; i++) {
        const code = await page.evaluate(() => document.activeElement.dataset.code);
        focused.add(code);
        await tipNamed(nameOf.get(code));
        await page.keyboard.press('Tab');
      }
      assert.equal(focused.size, api.features.length, 'Tab reaches every area, each showing its name');
      await page.locator('#search').focus();
      for (const f of api.features) {
        const [lon, lat] = f.geometry.coordinates;
        const p = await page.evaluate(([la, lo]) => { const q = smartspec.map.latLngToContainerPoint([la, lo]); const r = document.getElementById('map').getBoundingClientRect(); return { x: q.x + r.left, y: q.y + r.top }; }, [lat, lon]);
        await page.mouse.move(p.x, p.y);
        const under = await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.closest('path[data-code]')?.dataset.code, p);
        if (!under) continue; // under the legend or a control
        const name = api.features.find((g) => g.properties.code === under).properties.name;
        await tipNamed(name);
      }
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('NUTS 3, England only: half the areas named at zoom 7, more on zooming in, until every area is named', async (t) => {
    const x = catalog.indicators.map((i) => latest(i, 'nuts3')).find(Boolean);
    const layer = x.lvl.layers[x.year];
    const api = await getJson(server.base, `/collections/${layer}/labels`);
    const { page, errors } = await openMap(browser, server.base, `#geo=nuts3&ind=${x.id}&year=${x.year}&eng=1&z=7&c=52.8,-1.5`);
    try {
      await page.waitForFunction((l) => smartspec.labelsLayer === l, layer);
      let last = 0;
      for (const z of [7, 8, 9, 10]) {
        await page.evaluate((zz) => smartspec.map.setView([52.8, -1.5], zz, { animate: false }), z);
        await settle(page);
        const shown = await checkLabels(page, api);
        // The English areas drawn whose label point lies in the view, 80 px in from its edges.
        const inView = await page.evaluate((pts) => {
          const m = smartspec.map, size = m.getSize();
          const drawn = new Set([...document.querySelectorAll('.leaflet-overlay-pane path[data-code]')].map((p) => p.dataset.code));
          return pts.filter(([code, lo, la]) => {
            const q = m.latLngToContainerPoint([la, lo]);
            return drawn.has(code) && q.x > 80 && q.y > 80 && q.x < size.x - 80 && q.y < size.y - 80;
          }).map(([code]) => code);
        }, api.features.map((f) => [f.properties.code, ...f.geometry.coordinates]));
        const named = inView.filter((c) => shown.some((l) => l.code === c)).length;
        const share = named / inView.length;
        t.diagnostic(`${layer}, England only, zoom ${z}: ${named} of ${inView.length} areas in view named`);
        if (z === 7) assert.ok(share >= 0.5, `at least half named at zoom 7 (${named} of ${inView.length})`);
        assert.ok(share >= last, `zoom ${z} names a larger share (${share.toFixed(2)} vs ${last.toFixed(2)})`);
        last = share;
        if (z === 7) await screenshot(page, 'labels-nuts3-z7');
      }
      assert.equal(last, 1, 'at zoom 10 every area in view is named');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('region outlines bring region names, drawn in a style apart from area names', async () => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
    const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${x.id}&year=${x.year}&regions=1`);
    try {
      await page.waitForFunction(() => document.querySelectorAll('.region-label').length > 0);
      await settle(page);
      const regions = await getJson(server.base, '/collections/region/labels');
      const names = await page.locator('.region-label:not(.hidden)').evaluateAll((els) => els.map((e) => e.dataset.name));
      assert.ok(names.length >= 5, `region names drawn (${names.join('; ')})`);
      for (const n of names) assert.ok(regions.features.some((f) => f.properties.name === n), n);
      const look = (sel) => page.locator(sel).first().evaluate((el) => { const c = getComputedStyle(el.firstElementChild); return [c.fontStyle, c.textTransform, c.fontSize, c.color].join(' '); });
      assert.notEqual(await look('.region-label:not(.hidden)'), await look('.area-label:not(.region-label):not(.hidden)'), 'region names look different');
      await checkLabels(page, { features: [...(await getJson(server.base, `/collections/${await page.evaluate(() => smartspec.layer)}/labels`)).features, ...regions.features] });
      await page.uncheck('#regions');
      await page.waitForFunction(() => document.querySelectorAll('.region-label').length === 0);
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('every state round-trips through the URL, zoom and centre included', async () => {
    const found = catalog.indicators.map((i) => latest(i, 'nuts2')).find((x) => x && x.lvl.years.length >= 2);
    const { id, lvl } = found;
    const year = [...lvl.years].sort((a, b) => a - b).at(-2);
    const res = await getJson(server.base, `/indicators/${id}/values?geography=nuts2&year=${year}`);
    const eng = Object.keys(res.values).filter((c) => /^UK[C-K]/.test(c) && res.values[c] != null);
    const { page } = await openMap(browser, server.base);
    try {
      // Change every part of the state through the page itself.
      let r = await renders(page);
      await page.selectOption('#geography', 'nuts2'); await waitForDraw(page, r); r = await renders(page);
      await page.selectOption('#indicator', id); await waitForDraw(page, r); r = await renders(page);
      await page.selectOption('#year', String(year)); await waitForDraw(page, r); r = await renders(page);
      await page.selectOption('#classification', 'jenks'); await waitForDraw(page, r); r = await renders(page);
      await page.check('#england'); await waitForDraw(page, r);
      await page.check('#regions');
      await page.evaluate(() => { smartspec.map.setView([52.4567, -1.2345], 7.25, { animate: false }); });
      await page.locator(`.leaflet-overlay-pane path[data-code="${eng[0]}"]`).evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
      await page.click('#tab-compare');
      for (const c of eng.slice(1, 3)) await page.locator(`.leaflet-overlay-pane path[data-code="${c}"]`).evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
      await settle(page);
      const state = await page.evaluate(() => JSON.parse(JSON.stringify(smartspec.state)));
      const url = page.url();
      assert.equal(state.geo, 'nuts2'); assert.equal(state.ind, id); assert.equal(state.year, year);
      assert.equal(state.cls, 'jenks'); assert.equal(state.eng, true); assert.equal(state.regions, true);
      assert.equal(state.tab, 'compare'); assert.equal(state.area, eng[0]); assert.deepEqual(state.cmp, eng.slice(1, 3));
      assert.equal(state.z, 7.25);
      assert.deepEqual(state.c, [52.4567, -1.2345], 'a layout change (the panel filling) is not a move: the centre set stays');
      for (const key of ['geo', 'ind', 'year', 'cls', 'eng', 'regions', 'tab', 'area', 'cmp', 'z', 'c']) assert.match(url, new RegExp(`[#&]${key}=`), `the URL keeps ${key}`);

      const again = await openMap(browser, server.base, new URL(url).hash);
      try {
        await settle(again.page);
        assert.deepEqual(await again.page.evaluate(() => JSON.parse(JSON.stringify(smartspec.state))), state, 'the same state');
        const view = await again.page.evaluate(() => {
          const m = smartspec.map, a = m.latLngToContainerPoint(m.getCenter()), b = m.latLngToContainerPoint([52.4567, -1.2345]);
          return { z: m.getZoom(), px: a.distanceTo(b) };
        });
        assert.equal(view.z, 7.25);
        assert.ok(view.px <= 1, `the map is centred on the URL's centre to within a pixel (${view.px.toFixed(2)} px)`);
        assert.equal(again.page.url(), url, 'the reopened page writes the same URL');
        assert.equal(await again.page.locator('#england').isChecked(), true);
        assert.equal(await again.page.locator('#classification').inputValue(), 'jenks');
        assert.equal(await again.page.locator('#compare-cards > li').count(), 2);
      } finally { await again.page.close(); }
    } finally { await page.close(); }
  });

  it('shows the server\'s percentiles, also for tied values', async () => {
    // An LEP indicator where ties make the client's old formula and the server's disagree.
    let chosen = null;
    for (const ind of catalog.indicators) {
      const x = latest(ind, 'lep');
      if (!x) continue;
      const rk = await getJson(server.base, `/indicators/${x.id}/ranking?geography=lep&year=${x.year}`);
      const ranked = rk.areas.filter((a) => a.rank != null);
      const n = ranked.length;
      const differs = ranked.filter((a) => Math.round((100 * (n - a.rank + 0.5)) / n) !== Math.round(a.percentile));
      if (differs.length) { chosen = { ...x, rk, differs }; break; }
    }
    assert.ok(chosen, 'an LEP indicator with ties where the two percentile formulas round differently');
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${chosen.id}&year=${chosen.year}&tab=table`);
    try {
      await page.waitForFunction(() => [...document.querySelectorAll('#area-table [data-pctl]')].every((td) => td.textContent !== '…'));
      const cells = await page.locator('#area-table td[data-pctl]').evaluateAll((tds) => tds.map((td) => [td.dataset.pctl, td.textContent]));
      const byCode = new Map(chosen.rk.areas.map((a) => [a.code, a]));
      // In the good direction where the indicator has one ("Better than": 78%), else raw (78th).
      const directed = typeof chosen.rk.higher_is_better === 'boolean';
      const header = await page.locator('#area-table thead abbr').innerText();
      assert.equal(header, directed ? 'Better than' : 'Pctl (raw)');
      const cellText = (a) => (directed ? (a?.good_percentile == null ? '–' : `${Math.round(a.good_percentile)}%`) : a?.percentile == null ? '–' : ordinal(Math.round(a.percentile)));
      for (const [code, text] of cells) assert.equal(text, cellText(byCode.get(code)), `${code}: the server's percentile`);
      const tied = chosen.differs[0].code;
      await page.locator(`#area-table tr[data-code="${tied}"] button`).click();
      await page.waitForFunction(() => document.querySelector('#area-percentile')?.textContent !== '…');
      const t = byCode.get(tied);
      assert.equal(await page.locator('#area-percentile').innerText(), directed ? `better than ${Math.round(t.good_percentile)}% of areas` : ordinal(Math.round(t.percentile)));
    } finally { await page.close(); }
  });

  it('classes are quantiles by default, and a skewed indicator warns under equal intervals', async () => {
    const skews = [];
    for (const ind of catalog.indicators) {
      const x = latest(ind, 'lep');
      if (!x) continue;
      const vs = valuesOf(await getJson(server.base, `/indicators/${x.id}/values?geography=lep&year=${x.year}`));
      if (vs.length >= 3) skews.push({ ...x, g: skew(vs) });
      if (skews.some((s) => Math.abs(s.g) > 1) && skews.some((s) => Math.abs(s.g) < 0.5)) break;
    }
    const skewed = skews.find((s) => Math.abs(s.g) > 1), even = skews.find((s) => Math.abs(s.g) < 0.5);
    assert.ok(skewed, 'a skewed LEP indicator');
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${skewed.id}&year=${skewed.year}`);
    try {
      assert.equal(await page.locator('#classification').inputValue(), 'quantile');
      assert.match(await page.locator('#legend').innerText(), /Quantile classes/);
      assert.equal(await page.locator('#skew-warning').count(), 0, 'no warning for quantiles');
      let r = await renders(page);
      await page.selectOption('#classification', 'equal');
      await waitForDraw(page, r);
      assert.match(await page.locator('#skew-warning').innerText(), new RegExp(`skewness ${skewed.g.toFixed(1)}`));
      await screenshot(page, 'skew-warning');
      r = await renders(page);
      await page.locator('#skew-warning button').click();
      await waitForDraw(page, r);
      assert.equal(await page.locator('#classification').inputValue(), 'quantile');
      assert.equal(await page.locator('#skew-warning').count(), 0);
      if (even) {
        r = await renders(page);
        await page.evaluate((h) => { location.hash = h; }, `geo=lep&ind=${even.id}&year=${even.year}&cls=equal`);
        await waitForDraw(page, r);
        assert.equal(await page.locator('#skew-warning').count(), 0, `no warning for ${even.id} (skewness ${even.g.toFixed(2)})`);
      }
    } finally { await page.close(); }
  });

  it('NUTS views are titled UK, and "England only" hides the areas outside England', async () => {
    const x = catalog.indicators.map((i) => latest(i, 'nuts3')).find(Boolean);
    const { page } = await openMap(browser, server.base, `#geo=nuts3&ind=${x.id}&year=${x.year}`);
    try {
      const layer = x.lvl.layers[x.year];
      const fc = await getJson(server.base, `/collections/${layer}/items?limit=10000&properties=code`);
      const codes = fc.features.map((f) => f.id ?? f.properties.code);
      const england = codes.filter((c) => /^UK[C-K]/.test(c));
      assert.ok(england.length > 0 && england.length < codes.length, 'the NUTS 3 layer covers more than England');
      assert.equal(await page.locator('#place').innerText(), 'United Kingdom');
      assert.match(await page.locator('#geography option:checked').innerText(), /NUTS 3 \(UK\)/);
      assert.match(await page.locator('#legend-place').innerText(), /United Kingdom/);
      assert.equal(await page.locator('.leaflet-overlay-pane path[data-code]').count(), codes.length);
      const r = await renders(page);
      await page.check('#england');
      await waitForDraw(page, r);
      const drawn = await page.locator('.leaflet-overlay-pane path[data-code]').evaluateAll((ps) => ps.map((p) => p.dataset.code));
      assert.deepEqual(drawn.sort(), [...england].sort(), 'exactly the English areas are drawn');
      assert.match(page.url(), /eng=1/);
      assert.match(await page.locator('#place').innerText(), /^England/);
      await page.click('#tab-table');
      assert.equal(await page.locator('#area-table tbody tr').count(), england.length, 'the table lists the English areas');
      // Ranks among the English areas alone, as the server serves them (within=england).
      const api = await getJson(server.base, `/indicators/${x.id}/values?geography=nuts3&year=${x.year}&within=england`);
      const shownRanks = await page.locator('#area-table tbody tr').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.dataset.code, r.children[2].textContent])));
      for (const code of england) assert.equal(shownRanks[code], String(api.ranks[code] ?? '–'), `rank of ${code} among English areas`);
      assert.ok(Math.max(...Object.values(api.ranks)) <= england.length, 'ranked among the English areas only');
      await screenshot(page, 'nuts3-england-only');
      // LEPs are all in England: the toggle does not apply.
      const lep = catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
      const r2 = await renders(page);
      await page.evaluate((h) => { location.hash = h; }, `geo=lep&ind=${lep.id}&year=${lep.year}`);
      await waitForDraw(page, r2);
      assert.equal(await page.locator('#england').isDisabled(), true);
      assert.equal(await page.locator('#place').innerText(), 'England');
    } finally { await page.close(); }
  });

  it('overlapping LEP areas are hatched exactly where two overlap, and the legend explains it', async () => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find((v) => v && v.lvl.layers[v.year] === 'lep-2017')
      ?? catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
    const layer = x.lvl.layers[x.year];
    const api = await getJson(server.base, `/collections/${layer}/labels`);
    const pairs = new Set(api.features.flatMap((f) => f.properties.overlaps.filter((o) => f.properties.code < o).map((o) => `${f.properties.code},${o}`)));
    assert.ok(pairs.size > 0, `${layer} has overlapping LEPs`);
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${x.id}&year=${x.year}`);
    try {
      await page.waitForFunction((l) => smartspec.labelsLayer === l, layer);
      const hatched = await page.locator('path.overlap-hatch').evaluateAll((ps) => ps.map((p) => [p.dataset.pair, p.getAttribute('clip-path'), p.getAttribute('fill')]));
      assert.deepEqual(new Set(hatched.map(([p]) => p)), pairs, 'one hatched path per overlapping pair');
      for (const [pair, clip, fill] of hatched) {
        const [, b] = pair.split(',');
        assert.equal(fill, 'url(#hatch)');
        const target = await page.evaluate((id) => document.querySelector(`${id} use`)?.getAttribute('href'), clip.slice(4, -1));
        assert.equal(target, `#area-${b}`, `${pair} is clipped by the other area's path`);
        assert.equal(await page.locator(`path#area-${b}[data-code="${b}"]`).count(), 1);
      }
      assert.match(await page.locator('#legend-overlap').innerText(), new RegExp(`Overlap \\(${pairs.size} pairs?\\)`));
      await screenshot(page, 'lep-overlaps');
    } finally { await page.close(); }
  });

  it('the legend says which end is better and the map flags the values to check at the source', async () => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
    const real = await getJson(server.base, `/indicators/${x.id}/values?geography=lep&year=${x.year}`);
    const flagged = Object.keys(real.values).filter((c) => real.values[c] != null).slice(0, 2);
    const said = (b) => (b === true ? /Higher is better/ : b === false ? /Lower is better/ : /Neither end is better/);
    // Absent from /values: the page falls back to the catalogue's level (absent there too: neutral).
    for (const [better, text] of [[true, said(true)], [false, said(false)], [null, said(null)], [undefined, said(x.lvl.higher_is_better)]]) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      try {
        // The values as the server will serve them (fields of the metadata branch), whatever this server has.
        await page.route(/\/indicators\/[^/]+\/values\?/, async (route) => {
          const res = await route.fetch();
          const body = await res.json();
          const patched = { ...body, check_source: flagged };
          if (better === undefined) delete patched.higher_is_better; else patched.higher_is_better = better;
          await route.fulfill({ response: res, json: patched });
        });
        await page.goto(`${server.base}/map/#geo=lep&ind=${x.id}&year=${x.year}`);
        await waitForDraw(page, 0);
        assert.match(await page.locator('#legend-polarity').innerText(), text, `higher_is_better ${better}`);
        const marked = await page.locator('.leaflet-overlay-pane path[data-check-source]').evaluateAll((ps) => ps.map((p) => p.dataset.code));
        assert.deepEqual(marked.sort(), [...flagged].sort(), 'the flagged areas are marked on the map');
        assert.match(await page.locator('#legend-check-source').innerText(), /Check source \(2\)/);
        if (better === true) {
          await page.locator(`.leaflet-overlay-pane path[data-code="${flagged[0]}"]`).evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
          await page.locator('#area-check-source').waitFor();
          await screenshot(page, 'polarity-check-source');
        }
      } finally { await page.close(); }
    }
    // Unpatched, the map flags what the server flags (nothing when it sends no check_source).
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${x.id}&year=${x.year}`);
    try {
      const marked = await page.locator('.leaflet-overlay-pane path[data-check-source]').evaluateAll((ps) => ps.map((p) => p.dataset.code));
      assert.deepEqual(marked.sort(), [...(real.check_source || [])].sort());
    } finally { await page.close(); }
  });

  it('shows the server\'s caveats, such as a duplicate found at load, under the indicator', async () => {
    // Every LEP indicator the server gives caveats for, the duplicate pair included when present.
    const withCaveats = catalog.indicators
      .map((i) => latest(i, 'lep'))
      .filter((x) => x && (x.lvl.caveats || []).length);
    assert.ok(withCaveats.length > 0, 'the server gives at least one LEP indicator a caveat');
    for (const x of withCaveats.slice(0, 3)) {
      const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${x.id}&year=${x.year}`);
      try {
        const shown = await page.locator('#indicator-info .caveat').allInnerTexts();
        assert.deepEqual(shown.map((t) => t.trim()), x.lvl.caveats.map((c) => `Caveat: ${c}.`), x.id);
        assert.deepEqual(errors, []);
      } finally { await page.close(); }
    }
  });

  it('Neighbours mode colours areas by the LISA classes the contract describes, with the global I and p in the legend', async () => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
    const values = await getJson(server.base, `/indicators/${x.id}/values?geography=lep&year=${x.year}`);
    const classes = ['high-high', 'low-low', 'high-low', 'low-high', 'not-significant'];
    const codes = Object.keys(values.values);
    const fake = {
      indicator: x.id, geography: 'lep', year: x.year, layer: values.layer, permutations: 999, seed: 1, significance: 0.05, overlaps_count_as_neighbours: true,
      global: { morans_i: 0.4321, expected_i: -0.027, p_value: 0.002, n: codes.length }, islands: [],
      areas: codes.map((c, i) => ({ code: c, name: c, value: values.values[c], spatial_lag: 1, gap_to_neighbours: i - 3.5, neighbours: 3, local_i: 0.1, p_value: 0.01,
        lisa: values.values[c] == null ? 'no-data' : classes[i % classes.length] })),
    };
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await page.route(/\/indicators\/[^/]+\/spatial\?/, (route) => route.fulfill({ json: fake }));
      await page.goto(`${server.base}/map/#geo=lep&ind=${x.id}&year=${x.year}&mode=lisa`);
      await waitForDraw(page, 0);
      const drawn = await page.locator('.leaflet-overlay-pane path[data-lisa]').evaluateAll((ps) => ps.map((p) => [p.dataset.code, p.dataset.lisa, p.getAttribute('fill')]));
      assert.equal(drawn.length, codes.length);
      for (const [code, lisa] of drawn) assert.equal(lisa, fake.areas.find((a) => a.code === code).lisa);
      assert.equal(new Set(drawn.filter(([, l]) => l === 'high-high').map(([, , f]) => f)).size, 1, 'one colour per class');
      assert.notEqual(drawn.find(([, l]) => l === 'high-high')[2], drawn.find(([, l]) => l === 'low-low')[2]);
      const legend = await page.locator('#legend-moran').innerText();
      assert.match(legend, /Moran’s I 0\.432/);
      assert.match(legend, /p = 0\.002/);
      const code = codes[5];
      await page.locator(`.leaflet-overlay-pane path[data-code="${code}"]`).evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })));
      await page.waitForFunction(() => document.querySelector('#area-gap')?.dataset.gap != null);
      assert.equal(Number(await page.locator('#area-gap').getAttribute('data-gap')), 1.5);
      assert.match(await page.locator('#area-lisa').innerText(), /./);
      await screenshot(page, 'neighbours-mode-contract');
      assert.deepEqual(await axe(page), [], 'axe: Neighbours mode');
    } finally { await page.close(); }
  });

  it('Neighbours mode on this server: real LISA classes, or a clear message when the server lacks /spatial', async (t) => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
    const res = await fetch(`${server.base}/indicators/${x.id}/spatial?geography=lep&year=${x.year}`);
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${x.id}&year=${x.year}&mode=lisa`);
    try {
      if (res.status === 404) {
        assert.match(await page.locator('#lisa-unavailable').innerText(), /does not offer/);
        t.skip('the server has no /indicators/{id}/spatial yet (branch spatial not merged): only the message is tested here; the contract test above covers the colours');
        return;
      }
      assert.equal(res.status, 200);
      const sp = await res.json();
      const drawn = await page.locator('.leaflet-overlay-pane path[data-lisa]').evaluateAll((ps) => ps.map((p) => [p.dataset.code, p.dataset.lisa]));
      const byCode = new Map(sp.areas.map((a) => [a.code, a.lisa]));
      assert.ok(drawn.length > 0);
      for (const [code, lisa] of drawn) assert.equal(lisa, byCode.get(code) ?? 'no-data', code);
      assert.match(await page.locator('#legend-moran').innerText(), new RegExp(`Moran’s I ${sp.global.morans_i.toFixed(3)}`));
      await screenshot(page, 'neighbours-mode');
    } finally { await page.close(); }
  });

  it('the area panel lists the server\'s strengths and weaknesses, and compare cards its two verdicts', async () => {
    // Greater Manchester, 2018, on travel time to work (lower is better): the server's profile
    // lists, and its verdicts against all areas and against the neighbours, shown as they are.
    const code = 'E37000015', geo = 'lep', year = 2018, ind = 'travel_time_to_work';
    const prof = await getJson(server.base, `/areas/${code}/profile?geography=${geo}&year=${year}`);
    const { page, errors } = await openMap(browser, server.base, `#geo=${geo}&ind=${ind}&year=${year}&area=${code}`);
    try {
      await page.locator('#profile-strengths, #profile-weaknesses').first().waitFor();
      const ids = (sel) => page.locator(`${sel} li`).evaluateAll((lis) => lis.map((li) => li.dataset.indicator));
      assert.deepEqual(await ids('#profile-strengths'), prof.strengths.slice(0, 5));
      assert.deepEqual(await ids('#profile-weaknesses'), prof.weaknesses.slice(0, 5));
      assert.deepEqual(await ids('#profile-neutral'), prof.neutral);
      const weakest = await page.locator('#profile-weaknesses li').first().innerText();
      const row = prof.indicators.find((r) => r.indicator === prof.weaknesses[0]);
      assert.ok(weakest.includes(`better than ${Math.round(row.good_percentile)}% of areas`), weakest);
      // Peers say where each does better or worse, as the server's better_on / worse_on.
      await page.locator('#peers-list li').first().waitFor();
      // The peers request the page made (its indicators are the page's choice), asked again.
      const asked = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\/areas\/[^/]+\/peers\?/.test(n)).at(-1));
      assert.ok(asked, 'the page asked for peers');
      const u = new URL(asked);
      const peers = await getJson(server.base, `${u.pathname}${u.search}`);
      const titleOf = (id) => catalog.indicators.find((i) => i.id === id).levels.find((l) => l.geography === geo).title;
      for (const p of peers.peers) {
        const li = page.locator(`#peers-list li[data-code="${p.code}"]`);
        const text = await li.innerText();
        for (const id of p.better_on) assert.ok(text.includes(titleOf(id)) && /Does better on/.test(text), `${p.code} better on ${id}: ${text}`);
        for (const id of p.worse_on) assert.ok(text.includes(titleOf(id)) && /Does worse on/.test(text), `${p.code} worse on ${id}: ${text}`);
        if (!p.better_on.length) assert.doesNotMatch(text, /Does better on/);
        if (!p.worse_on.length) assert.doesNotMatch(text, /Does worse on/);
      }
      assert.ok(peers.peers.some((p) => p.better_on.length + p.worse_on.length > 0), 'some peer differs notably somewhere');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }

    const two = [code, 'E37000003'];
    const cmp = await getJson(server.base, `/indicators/${ind}/compare?geography=${geo}&year=${year}&areas=${two.join(',')}`);
    const { page: cp, errors: cerr } = await openMap(browser, server.base, `#geo=${geo}&ind=${ind}&year=${year}&tab=compare&cmp=${two.join(',')}`);
    try {
      await cp.waitForFunction(() => [...document.querySelectorAll('#compare-cards .verdict')].every((d) => d.textContent !== '…'));
      for (const a of cmp.areas) {
        const card = cp.locator(`#compare-cards > li[data-code="${a.code}"]`);
        assert.equal(await card.locator('.verdict-all').innerText(), a.verdicts.all_areas);
        assert.equal(await card.locator('.verdict-neighbours').innerText(), a.verdicts.neighbours);
      }
      assert.deepEqual(cerr, []);
    } finally { await cp.close(); }
  });

  it('compare fits 1280 px without sideways scrolling, and the panel works at 390 px', async () => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
    const vals = await getJson(server.base, `/indicators/${x.id}/values?geography=lep&year=${x.year}`);
    const five = Object.keys(vals.values).slice(0, 5);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${server.base}/map/#geo=lep&ind=${x.id}&year=${x.year}&tab=compare&cmp=${five.join(',')}`);
      await waitForDraw(page, 0);
      await settle(page);
      assert.equal(await page.locator('#compare-cards > li').count(), 5);
      const over = await page.evaluate(() => {
        const out = [];
        for (const el of [document.documentElement, document.getElementById('panel'), ...document.querySelectorAll('#view-compare *')]) {
          if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') out.push(`${el.tagName}#${el.id}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
        }
        const panel = document.getElementById('panel').getBoundingClientRect();
        for (const el of document.querySelectorAll('#view-compare *')) {
          const r = el.getBoundingClientRect();
          if (r.width && r.right > panel.right + 1) out.push(`${el.tagName}.${el.className} sticks out (${r.right} > ${panel.right})`);
        }
        return out;
      });
      assert.deepEqual(over, [], 'nothing scrolls sideways at 1280 px');
      await screenshot(page, 'compare-1280');
    } finally { await page.close(); }

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${server.base}/map/#geo=lep&ind=${x.id}&year=${x.year}`);
      await waitForDraw(phone, 0);
      await settle(phone);
      const width = await phone.evaluate(() => ({ doc: document.documentElement.scrollWidth, body: document.body.scrollWidth }));
      assert.ok(width.doc <= 390 && width.body <= 390, `no sideways scrolling at 390 px (${JSON.stringify(width)})`);
      for (const id of ['#geography', '#indicator', '#year', '#classification', '#search', '#tab-area', '#tab-table']) {
        const b = await phone.locator(id).boundingBox();
        assert.ok(b && b.x >= 0 && b.x + b.width <= 391, `${id} within the screen (${JSON.stringify(b)})`);
      }
      await phone.locator('#tab-table').tap();
      const row = phone.locator('#area-table tbody tr').first();
      const code = await row.getAttribute('data-code');
      await row.locator('button').tap();
      await phone.waitForFunction((c) => smartspec.state.area === c, code);
      await phone.locator('#area-name').waitFor();
      assert.ok(await phone.locator('#area-name').isVisible());
      await phone.locator('#area-name').scrollIntoViewIfNeeded();
      assert.ok((await phone.evaluate(() => document.documentElement.scrollWidth)) <= 390);
      await phone.screenshot({ path: path.join(REPO, 'target/screenshots/phone-390-area.png'), fullPage: true });
      await phone.evaluate(() => window.scrollTo(0, 0));
      await screenshot(phone, 'phone-390');
      assert.deepEqual(await axe(phone), [], 'axe at 390 px');
    } finally { await phone.close(); }
  });

  it('axe-core finds no serious or critical violations in any view; the desktop screenshot is kept', async () => {
    const x = catalog.indicators.map((i) => latest(i, 'lep')).find((v) => v && v.lvl.layers[v.year] === 'lep-2017') ?? catalog.indicators.map((i) => latest(i, 'lep')).find(Boolean);
    const vals = await getJson(server.base, `/indicators/${x.id}/values?geography=lep&year=${x.year}`);
    const codes = Object.keys(vals.values).filter((c) => vals.values[c] != null);
    const area = codes.includes('E37000015') ? 'E37000015' : codes[0];
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${x.id}&year=${x.year}&area=${area}`);
    try {
      const found = {};
      await settle(page);
      found.area = await axe(page);
      fs.mkdirSync(path.join(REPO, 'target/screenshots'), { recursive: true });
      await page.screenshot({ path: path.join(REPO, 'target/screenshots/desktop-1400.png') });
      for (const tab of ['compare', 'ranking', 'table']) {
        await page.click(`#tab-${tab}`);
        await settle(page);
        found[tab] = await axe(page);
      }
      await page.click('#classification');
      let r = await renders(page);
      await page.selectOption('#classification', 'equal');
      await waitForDraw(page, r);
      found.equal = await axe(page);
      r = await renders(page);
      await page.selectOption('#geography', 'nuts3');
      await waitForDraw(page, r);
      await settle(page);
      found.nuts3 = await axe(page);
      for (const [view, violations] of Object.entries(found)) assert.deepEqual(violations, [], `axe: ${view}`);
      console.log(`axe-core: 0 serious or critical violations in ${Object.keys(found).join(', ')}`);
    } finally { await page.close(); }
  });
});
