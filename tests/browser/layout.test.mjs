// layout.test.mjs: issue 18 §2 on the real page against the real server, with the classic
// scrollbars a desktop user has: the legend never covers land, compare shows cards side by side
// at 1280 and 1400 px, a phone gives the map most of its first screen and brings a chosen area's
// panel into view, and the UK layers open framed on the UK.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, launchBrowser, openMap, screenshot, settle, startServer } from './server.mjs';

let server, browser;

describe('a layout that never hides the map (real server, headless Chromium)', { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [width, height] of [[1400, 900], [1280, 800]]) {
    it(`at ${width}x${height}: the legend covers no area, and compare shows cards side by side`, async () => {
      const { page, errors } = await openMap(browser, server.base, '#geo=lep', { width, height });
      try {
        const vals = await page.evaluate(() => smartspec.values);
        const five = Object.keys(vals.values).slice(0, 5);
        await page.evaluate((h) => { location.hash = h; }, `#geo=lep&ind=${vals.indicator}&year=${vals.year}&tab=compare&cmp=${five.join(',')}`);
        await page.waitForFunction(() => document.querySelectorAll('#compare-cards > li').length === 5);
        await settle(page);
        const m = await page.evaluate(() => {
          const box = (el) => el.getBoundingClientRect();
          const key = box(document.getElementById('key')), map = box(document.getElementById('map'));
          const overlap = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
          const areas = [...document.querySelectorAll('.leaflet-overlay-pane path')].map(box).filter((r) => r.width && overlap(r, map));
          const panel = document.getElementById('panel');
          return {
            areas: areas.length,
            under: areas.filter((r) => overlap(r, key)).length,
            keyOverMap: overlap(key, map),
            scrollbar: panel.offsetWidth - panel.clientWidth - parseFloat(getComputedStyle(panel).borderLeftWidth) - parseFloat(getComputedStyle(panel).borderRightWidth),
            rows: [...document.querySelectorAll('#compare-cards > li')].map((c) => Math.round(box(c).top)),
          };
        });
        assert.ok(m.areas >= 30, `${m.areas} areas drawn in view`);
        assert.equal(m.under, 0, 'no drawn area lies under the legend');
        assert.equal(m.keyOverMap, false, 'the legend sits beside the map');
        assert.ok(m.scrollbar >= 10, `the panel has a classic scrollbar (${m.scrollbar} px): the test sees what a desktop user sees`);
        const firstRow = m.rows.filter((t) => t === m.rows[0]).length;
        assert.ok(firstRow >= 2, `at least two compare cards side by side (rows at ${m.rows})`);
        await screenshot(page, `compare-${width}`);
        assert.deepEqual(errors, []);
      } finally { await page.close(); }
    });
  }

  it('on a phone (390x844): the map takes most of the first screen, and a tap brings the chosen area into view', async () => {
    const { page, errors } = await openMap(browser, server.base, '#geo=lep', { width: 390, height: 844, phone: true });
    try {
      await settle(page);
      const m = await page.evaluate(() => {
        const r = document.getElementById('map').getBoundingClientRect();
        const seen = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)) * Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
        const att = document.querySelector('.leaflet-control-attribution');
        return { share: seen / (innerWidth * innerHeight), optionsOpen: document.getElementById('options').open,
          attHeight: att.getBoundingClientRect().height, attLine: parseFloat(getComputedStyle(att).lineHeight) || 1.4 * parseFloat(getComputedStyle(att).fontSize) };
      });
      assert.ok(m.share >= 0.55, `the map is ${(100 * m.share).toFixed(1)}% of the first screen`);
      assert.equal(m.optionsOpen, false, 'the controls are folded into a bar');
      assert.ok(m.attHeight <= 1.5 * m.attLine, `the attribution is one line (${m.attHeight} px, line ${m.attLine} px)`);
      await screenshot(page, 'phone-390-first');
      // Tap Greater Manchester on the map.
      const pt = await page.evaluate(() => { const p = smartspec.map.latLngToContainerPoint([53.48, -2.24]); const r = document.getElementById('map').getBoundingClientRect(); return { x: p.x + r.left, y: p.y + r.top }; });
      await page.touchscreen.tap(pt.x, pt.y);
      await page.waitForFunction(() => smartspec.state.area && document.getElementById('area-name'));
      await settle(page);
      const shown = await page.evaluate(() => {
        const r = document.getElementById('area-name').getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, h: innerHeight, focused: document.activeElement?.id, name: document.getElementById('area-name').textContent };
      });
      assert.ok(shown.top >= 0 && shown.bottom <= shown.h, `the chosen area's name is on screen (${shown.top}-${shown.bottom} of ${shown.h})`);
      assert.equal(shown.focused, 'area-name', 'focus moves to the chosen area');
      assert.equal(shown.name, 'Greater Manchester');
      await screenshot(page, 'phone-390-chosen');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('the UK layers (NUTS 2, NUTS 3) open framed on the UK: Shetland, Northern Ireland and Cornwall in view', async () => {
    const places = { Shetland: [60.3, -1.25], 'Northern Ireland': [54.6, -7.3], Cornwall: [50.2, -5.3], Kent: [51.2, 1.3] };
    for (const geo of ['nuts2', 'nuts3']) {
      const { page, errors } = await openMap(browser, server.base, `#geo=${geo}`);
      try {
        const inView = await page.evaluate((ps) => Object.fromEntries(Object.entries(ps).map(([k, ll]) => [k, smartspec.map.getBounds().contains(ll)])), places);
        for (const [k, v] of Object.entries(inView)) assert.ok(v, `${geo}: ${k} in the first view`);
        assert.deepEqual(errors, []);
      } finally { await page.close(); }
    }
    assert.ok((await getJson(server.base, '/collections')).collections.some((c) => c.id.startsWith('nuts2')));
  });
});
