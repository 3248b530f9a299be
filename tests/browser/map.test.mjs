// map.test.mjs: drives the real map page in headless Chromium against the real server: first view
// (geometry of the zoom's band, bytes transferred), one polygon per area, values shown match the
// API, geometry fetched once per (layer, zoom band) and swapped in place on zoom, values only on a
// year or indicator change, the browser cache on reload, URL state, compare, table, lookup and
// keyboard use of the tabs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  dataEntries, getJson, launchBrowser, openMap, renders, resourceCount, screenshot, settle, shownNumber, startServer, transferred, waitForDraw,
} from './server.mjs';

const GEOMETRY = /\/collections\/[^/?]+\/items(\?|$)/;
const VALUES = /\/indicators\/[^/]+\/values\?/;
const FIRST_VIEW_BUDGET = 150_000; // bytes transferred for the data of the first view
const CHANGE_BUDGET = 5_000; // bytes transferred for a year or indicator change

let server, browser, catalog, dataVersion;

/** The zoom= a client should ask `layer` for at map zoom z: the max_zoom of the band holding floor(z). */
async function bandZoom(layer, z) {
  const { generalisation: g } = await getJson(server.base, `/collections/${layer}`);
  const zc = Math.floor(z + 1e-9);
  if (zc >= g.full_resolution_from_zoom) return g.full_resolution_from_zoom;
  return g.bands.find((b) => b.min_zoom <= zc && zc <= b.max_zoom).max_zoom;
}
const param = (url, name) => new URL(url).searchParams.get(name);
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;

/** An indicator at `geo` whose latest two years join to the same layer, for the year-change test. */
function pick(geo, wantSameLayerYears = false) {
  for (const ind of catalog.indicators) {
    const lvl = ind.levels.find((l) => l.geography === geo);
    if (!lvl || lvl.years.length < 2) continue;
    const ys = [...lvl.years].sort((a, b) => a - b);
    const [y1, y2] = ys.slice(-2);
    if (!wantSameLayerYears || lvl.layers[y1] === lvl.layers[y2]) return { id: ind.id, lvl, years: ys, y1, y2 };
  }
  throw new Error(`no ${geo} indicator with two years${wantSameLayerYears ? ' on the same layer' : ''} in /indicators`);
}

const numberMatched = async (layer) => {
  const fc = await getJson(server.base, `/collections/${layer}/items?limit=10000`);
  return { n: fc.numberMatched ?? fc.features.length, fc };
};
const paths = (page) => page.locator('.leaflet-overlay-pane path[data-code]').count();

describe('map page (real server, headless Chromium)', { timeout: 420_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    catalog = await getJson(server.base, '/indicators');
    dataVersion = (await getJson(server.base, '/map-config.json')).data_version;
    assert.match(dataVersion, /^[0-9a-f]{16}$/, 'map-config names the data version');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads with no console errors, draws a legend and shows attribution', async () => {
    const { page, errors } = await openMap(browser, server.base);
    try {
      await page.locator('#legend li').first().waitFor();
      assert.match(await page.locator('#legend').innerText(), /No data/);
      assert.match(await page.locator('#layer-version').innerText(), /boundaries: .+ version|boundaries: /);
      const footer = await page.locator('#attribution-list').textContent();
      assert.match(footer, /Nesta/, 'footer names the Nesta indicators');
      const control = await page.locator('.leaflet-control-attribution').innerText();
      assert.ok(control.includes('Nesta') || control.includes('©'), `attribution control: ${control}`);
      assert.ok((await paths(page)) > 0, 'some polygons are drawn');
      await screenshot(page, 'first-view');
      assert.deepEqual(errors, [], 'no console errors, page errors or failed requests');
    } finally { await page.close(); }
  });

  it('an LEP indicator draws one polygon per area of its layer, with a legend naming the layer', async () => {
    const { id, lvl, y2 } = pick('lep');
    const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      const layer = lvl.layers[y2];
      const { n } = await numberMatched(layer);
      assert.equal(await page.evaluate(() => smartspec.layer), layer);
      assert.equal(await paths(page), n, `one SVG path per feature of ${layer}`);
      assert.equal(await page.evaluate(() => smartspec.featureCount), n);
      assert.equal(await page.locator('#indicator').inputValue(), id);
      const col = (await getJson(server.base, '/collections')).collections.find((c) => c.id === layer);
      assert.match(await page.locator('#layer-version').innerText(), new RegExp(`LEP boundaries: ${col.vintage} version`));
      const swatches = await page.locator('#legend li').count();
      assert.ok(swatches >= 3, `legend has classes and a no-data swatch (${swatches})`);
      const footer = await page.locator('#attribution-list').textContent();
      for (const line of String(col.attribution || '').split('\n').filter((l) => l.trim())) {
        assert.ok(footer.includes(line.trim()), `footer shows the layer's attribution: ${line}`);
      }
      await screenshot(page, 'lep-choropleth');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('hovering an area shows the value and rank the API returns', async () => {
    const { id, lvl, y2 } = pick('lep');
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      const api = await getJson(server.base, `/indicators/${id}/values?geography=lep&year=${y2}`);
      const { fc } = await numberMatched(lvl.layers[y2]);
      const byName = new Map(fc.features.map((f) => [f.properties.name, f.id ?? f.properties.code]));
      const code = Object.keys(api.values).find((c) => api.values[c] != null && c === 'E37000015') // Greater Manchester
        ?? Object.keys(api.values).find((c) => api.values[c] != null);
      await page.locator(`.leaflet-overlay-pane path[data-code="${code}"]`).hover();
      const tip = page.locator('.leaflet-tooltip');
      await tip.waitFor();
      const [name, valueLine, rankLine] = (await tip.innerText()).split('\n');
      const shownCode = byName.get(name);
      assert.ok(shownCode, `tooltip names a feature of the layer: ${name}`);
      const v = api.values[shownCode];
      if (v == null) assert.match(valueLine, /no data/);
      else {
        assert.equal(shownNumber(valueLine), v, `tooltip value for ${name}`);
        // The API's rank, and counting by hand agrees (ties share the higher place).
        const rank = 1 + Object.values(api.values).filter((x) => x != null && x > v).length;
        const n = Object.values(api.values).filter((x) => x != null).length;
        assert.equal(api.ranks[shownCode], rank);
        assert.equal(api.count_with_data, n);
        assert.equal(rankLine, `Rank ${api.ranks[shownCode]} of ${api.count_with_data}`);
      }
      await screenshot(page, 'hover-tooltip');
    } finally { await page.close(); }
  });

  it('clicking an area shows exactly the API value in the side panel', async () => {
    const { id, lvl, y2 } = pick('lep');
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      const api = await getJson(server.base, `/indicators/${id}/values?geography=lep&year=${y2}`);
      const code = Object.keys(api.values).find((c) => api.values[c] != null);
      await page.locator(`.leaflet-overlay-pane path[data-code="${code}"]`).click();
      await page.waitForFunction(() => window.smartspec.state.area);
      const chosen = await page.evaluate(() => smartspec.state.area);
      await page.locator('#area-value').waitFor();
      const { fc } = await numberMatched(lvl.layers[y2]);
      const feature = fc.features.find((f) => (f.id ?? f.properties.code) === chosen);
      assert.ok(feature, `selected code ${chosen} is a feature of the layer`);
      assert.equal(await page.locator('#area-name').innerText(), feature.properties.name);
      const shown = await page.locator('#area-value').innerText();
      if (api.values[chosen] == null) assert.match(shown, /no data/);
      else assert.equal(shownNumber(shown), api.values[chosen]);
      assert.match(page.url(), new RegExp(`area=${chosen}`), 'the selection is in the URL');
      await screenshot(page, 'area-panel');
    } finally { await page.close(); }
  });

  it('the first view asks for its zoom band and the data version, within the transfer budget', async (t) => {
    const { page, errors, requests } = await openMap(browser, server.base);
    try {
      await settle(page);
      const layer = await page.evaluate(() => smartspec.layer);
      const z = await page.evaluate(() => smartspec.map.getZoom());
      const geometry = requests.filter((u) => GEOMETRY.test(u));
      assert.equal(geometry.length, 1, `one geometry request on first view: ${geometry}`);
      assert.equal(param(geometry[0], 'zoom'), String(await bandZoom(layer, z)), `the band of zoom ${z}: ${geometry[0]}`);
      assert.equal(param(geometry[0], 'v'), dataVersion, 'geometry URL carries the data version');
      assert.equal(param(geometry[0], 'properties'), 'code,name');
      const values = requests.filter((u) => VALUES.test(u));
      assert.ok(values.length >= 1 && values.every((u) => param(u, 'v') === dataVersion), `values URLs carry the data version: ${values}`);
      // The catalogue comes inlined in the page, equal to what its endpoints serve: no round trip.
      const startDocs = requests.filter((u) => /\/(map-config\.json|collections|indicators)(\?|$)/.test(u));
      assert.deepEqual(startDocs, [], 'the page fetches no catalogue document');
      const inlined = await page.evaluate(() => JSON.parse(document.getElementById('smartspec-catalogue').textContent));
      assert.deepEqual(inlined.config, await getJson(server.base, '/map-config.json'));
      assert.deepEqual(inlined.indicators, catalog);
      assert.deepEqual(inlined.collections, await getJson(server.base, '/collections'));
      // Stylesheets and the map's modules come inlined in the page too: the only code fetched is Leaflet's.
      const code = requests.filter((u) => /\.(js|css)$/.test(new URL(u).pathname));
      assert.deepEqual(code.map((u) => new URL(u).pathname), ['/map/vendor/leaflet/leaflet.js'], 'no module or stylesheet requests');
      const entries = await dataEntries(page);
      const total = transferred(entries);
      t.diagnostic(`first view (${layer}, zoom ${z}, band zoom=${param(geometry[0], 'zoom')}): ${total} bytes of data transferred in ${entries.length} requests`);
      for (const e of entries) t.diagnostic(`  ${e.transferSize} ${e.url.replace(server.base, '')}`);
      assert.ok(total <= FIRST_VIEW_BUDGET, `first view transfers ${kb(total)} of data, budget ${kb(FIRST_VIEW_BUDGET)}`);
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('zooming across a band boundary fetches that band once, no values, and swaps the geometry in place', async () => {
    const { id, lvl, y2 } = pick('lep');
    const api = await getJson(server.base, `/indicators/${id}/values?geography=lep&year=${y2}`);
    const area = Object.keys(api.values).find((c) => api.values[c] != null);
    const { page, errors, requests } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}&area=${area}`);
    try {
      const layer = lvl.layers[y2];
      const { n } = await numberMatched(layer);
      await settle(page); // the panel's requests for the selected area
      const snapshot = () => page.evaluate(() => Object.fromEntries([...document.querySelectorAll('.leaflet-overlay-pane path[data-code]')]
        .map((el) => [el.dataset.code, { fill: el.getAttribute('fill'), stroke: el.getAttribute('stroke'), d: el.getAttribute('d'), same: el.__seen === true }])));
      await page.evaluate(() => document.querySelectorAll('.leaflet-overlay-pane path[data-code]').forEach((el) => { el.__seen = true; }));
      const before = await snapshot();
      const z0 = await page.evaluate(() => smartspec.map.getZoom());
      const band0 = await page.evaluate(() => smartspec.geometryZoom);
      assert.equal(band0, await bandZoom(layer, z0));
      const band1 = await bandZoom(layer, z0 + 1);
      assert.notEqual(band1, band0, `zoom ${z0} + 1 crosses into another band`);

      const from = requests.length;
      await page.click('.leaflet-control-zoom-in');
      await page.waitForFunction((b) => smartspec.geometryZoom === b, band1);
      await settle(page);
      const since = requests.slice(from);
      const geometry = since.filter((u) => GEOMETRY.test(u));
      assert.equal(geometry.length, 1, `exactly one geometry request on zoom: ${geometry}`);
      assert.equal(param(geometry[0], 'zoom'), String(band1));
      assert.equal(param(geometry[0], 'v'), dataVersion);
      assert.ok(geometry[0].includes(`/collections/${layer}/items`));
      assert.deepEqual(since.filter((u) => VALUES.test(u)), [], 'no values request on zoom');

      const after = await snapshot();
      assert.equal(Object.keys(after).length, n, 'still one path per area');
      assert.equal(await page.evaluate(() => smartspec.featureCount), n);
      for (const [code, b] of Object.entries(before)) {
        const a = after[code];
        assert.ok(a?.same, `${code}: the same SVG path, its geometry swapped in place`);
        assert.equal(a.fill, b.fill, `${code} keeps its class colour`);
        assert.equal(a.stroke, b.stroke, `${code} keeps its outline`);
      }
      assert.equal(after[area].stroke, '#000', 'the selected area stays outlined');
      assert.ok(Object.keys(before).some((c) => before[c].d !== after[c].d), 'the drawn geometry changed');

      // Another zoom inside the same band shares that band's request.
      const z1 = await page.evaluate(() => smartspec.map.getZoom());
      const z2 = [0.25, 0.5, 0.75].map((d) => z1 + d).find((z) => Math.floor(z + 1e-9) === Math.floor(z1 + 1e-9));
      if (z2 != null) {
        const from2 = requests.length;
        await page.evaluate((z) => smartspec.map.setZoom(z, { animate: false }), z2);
        await settle(page);
        assert.deepEqual(requests.slice(from2).filter((u) => GEOMETRY.test(u) || VALUES.test(u)), [], 'same band: no request');
      }
      // Back out to the first band: served from the page's cache, no request.
      const from3 = requests.length;
      await page.evaluate((z) => smartspec.map.setZoom(z, { animate: false }), z0);
      await page.waitForFunction((b) => smartspec.geometryZoom === b, band0);
      await settle(page);
      assert.deepEqual(requests.slice(from3).filter((u) => GEOMETRY.test(u) || VALUES.test(u)), [], 'a band seen before: no request');
      assert.equal(await paths(page), n);
      await screenshot(page, 'zoomed-band');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('a later zoom wins over a slower answer for an earlier band', async () => {
    const { id, lvl, y2 } = pick('lep');
    const layer = lvl.layers[y2];
    const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      const z0 = await page.evaluate(() => smartspec.map.getZoom());
      const slow = await bandZoom(layer, z0 + 1);
      const fast = await bandZoom(layer, z0 + 2);
      assert.notEqual(slow, fast);
      // Hold the answer for the first band until the second band is drawn, then let it arrive.
      let release;
      const held = new Promise((r) => { release = r; });
      await page.route((u) => GEOMETRY.test(u.href) && u.searchParams.get('zoom') === String(slow),
        async (route) => { await held; await route.continue(); });
      const slowDone = page.waitForEvent('requestfinished', (r) => GEOMETRY.test(r.url()) && param(r.url(), 'zoom') === String(slow));
      await page.evaluate((z) => smartspec.map.setZoom(z, { animate: false }), z0 + 1);
      await page.evaluate((z) => smartspec.map.setZoom(z, { animate: false }), z0 + 2);
      await page.waitForFunction((b) => smartspec.geometryZoom === b, fast);
      release();
      await slowDone;
      await settle(page);
      assert.equal(await page.evaluate(() => smartspec.geometryZoom), fast, 'the late answer for the earlier band is ignored');
      assert.equal(await page.evaluate(() => smartspec.swaps), 1, 'one swap');
      assert.equal(await paths(page), (await numberMatched(layer)).n);
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('changing the year or the indicator on the same layer fetches values only, within the budget', async (t) => {
    const { id, lvl, y1, y2 } = pick('lep', true);
    const { page, requests } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      assert.equal(requests.filter((u) => GEOMETRY.test(u)).length, 1, 'one geometry request on first view');
      await settle(page);
      const change = async (what, act) => {
        const before = requests.length, from = await resourceCount(page), r = await renders(page);
        await act();
        await waitForDraw(page, r);
        await settle(page);
        const since = requests.slice(before);
        assert.deepEqual(since.filter((u) => GEOMETRY.test(u)), [], `${what}: no geometry request when the layer stays the same`);
        const entries = await dataEntries(page, from);
        const total = transferred(entries);
        t.diagnostic(`${what}: ${total} bytes transferred (${entries.map((e) => e.url.replace(server.base, '')).join(', ')})`);
        assert.ok(entries.length >= 1 && entries.every((e) => VALUES.test(e.url)), `${what}: values only: ${since}`);
        assert.ok(total <= CHANGE_BUDGET, `${what} transfers ${kb(total)}, budget ${kb(CHANGE_BUDGET)}`);
        return since;
      };
      const since = await change('year change', () => page.selectOption('#year', String(y1)));
      assert.ok(since.some((u) => VALUES.test(u) && u.includes(`year=${y1}`) && param(u, 'v') === dataVersion), `a values request for ${y1}: ${since}`);
      assert.equal(await page.evaluate(() => smartspec.layer), lvl.layers[y1]);

      // Another indicator on the same layer in the same year: values only.
      const other = catalog.indicators.find((i) => i.id !== id
        && i.levels.some((l) => l.geography === 'lep' && l.years.includes(y1) && l.layers[y1] === lvl.layers[y1]));
      assert.ok(other, `another LEP indicator for ${y1} on ${lvl.layers[y1]}`);
      await change('indicator change', () => page.selectOption('#indicator', other.id));
      assert.equal(await page.evaluate(() => smartspec.state.ind), other.id);
      assert.equal(await page.evaluate(() => smartspec.layer), lvl.layers[y1]);
    } finally { await page.close(); }
  });

  it('reloading the page takes geometry and values from the browser cache', async (t) => {
    const { page, errors } = await openMap(browser, server.base);
    try {
      await settle(page);
      const statuses = [];
      page.on('response', (r) => { if (GEOMETRY.test(r.url()) || VALUES.test(r.url())) statuses.push([r.url(), r.status()]); });
      await page.reload();
      await waitForDraw(page, 0);
      await settle(page);
      const entries = (await dataEntries(page)).filter((e) => GEOMETRY.test(e.url) || VALUES.test(e.url));
      const geometry = entries.filter((e) => GEOMETRY.test(e.url));
      assert.ok(geometry.length >= 1, 'the reloaded page draws geometry');
      for (const e of entries) {
        t.diagnostic(`after reload: ${e.transferSize} bytes transferred for ${e.url.replace(server.base, '')} (${e.encodedBodySize} byte body)`);
        const status = statuses.find(([u]) => u === e.url)?.[1];
        // transferSize 0: from the browser cache; below the body size: a 304 without a body.
        assert.ok(e.transferSize === 0 || status === 304 || e.transferSize < e.encodedBodySize,
          `no full body after reload for ${e.url} (transferSize ${e.transferSize}, body ${e.encodedBodySize}, status ${status})`);
      }
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('switching to a year on another boundary version fetches that layer once, and going back fetches none', async () => {
    let found;
    for (const ind of catalog.indicators) {
      const lvl = ind.levels.find((l) => l.geography === 'lep');
      if (!lvl) continue;
      const ys = [...lvl.years].sort((a, b) => a - b);
      const a = ys.at(-1), b = ys.find((y) => lvl.layers[y] !== lvl.layers[a]);
      if (b) { found = { id: ind.id, lvl, a, b }; break; }
    }
    assert.ok(found, 'an LEP indicator whose years span two boundary versions');
    const { id, lvl, a, b } = found;
    const { page, requests } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${a}`);
    try {
      const count = () => requests.filter((u) => GEOMETRY.test(u)).length;
      assert.equal(count(), 1);
      let r = await renders(page);
      await page.selectOption('#year', String(b));
      await waitForDraw(page, r);
      assert.equal(count(), 2, 'the other boundary version is fetched');
      assert.equal(await page.evaluate(() => smartspec.layer), lvl.layers[b]);
      assert.equal(await paths(page), (await numberMatched(lvl.layers[b])).n);
      r = await renders(page);
      await page.selectOption('#year', String(a));
      await waitForDraw(page, r);
      assert.equal(count(), 2, 'going back uses the cached geometry');
      assert.equal(await paths(page), (await numberMatched(lvl.layers[a])).n);
    } finally { await page.close(); }
  });

  it('NUTS 3 draws its own layer', async () => {
    const { id, lvl, y2 } = pick('nuts3');
    const { page } = await openMap(browser, server.base, `#geo=nuts3&ind=${id}&year=${y2}`);
    try {
      assert.equal(await page.locator('#geography').inputValue(), 'nuts3');
      assert.equal(await paths(page), (await numberMatched(lvl.layers[y2])).n);
      assert.match(await page.locator('#layer-version').innerText(), /NUTS 3 boundaries/);
      await screenshot(page, 'nuts3');
    } finally { await page.close(); }
  });

  it('a URL with state restores geography, indicator, year, classes, selection and the compare view', async () => {
    const { id, lvl, y1 } = pick('nuts2');
    const api = await getJson(server.base, `/indicators/${id}/values?geography=nuts2&year=${y1}`);
    const codes = Object.keys(api.values).filter((c) => api.values[c] != null).slice(0, 2);
    const hash = `#geo=nuts2&ind=${id}&year=${y1}&cls=jenks&area=${codes[0]}&cmp=${codes.join(',')}&tab=compare`;
    const { page } = await openMap(browser, server.base, hash);
    try {
      assert.equal(await page.locator('#geography').inputValue(), 'nuts2');
      assert.equal(await page.locator('#indicator').inputValue(), id);
      assert.equal(await page.locator('#year').inputValue(), String(y1));
      assert.equal(await page.locator('#classification').inputValue(), 'jenks');
      assert.match(await page.locator('#legend').innerText(), /Natural breaks/);
      assert.equal(await page.evaluate(() => smartspec.layer), lvl.layers[y1]);
      assert.deepEqual(await page.evaluate(() => smartspec.state.cmp), codes);
      assert.equal(await page.locator('#tab-compare').getAttribute('aria-selected'), 'true');
      const rows = page.locator('#compare-cards > li');
      assert.equal(await rows.count(), 2, 'compare shows the two chosen areas');
      for (let i = 0; i < 2; i++) {
        assert.equal(await rows.nth(i).getAttribute('data-code'), codes[i]);
        assert.equal(shownNumber(await rows.nth(i).locator('[data-value]').first().getAttribute('data-value')), api.values[codes[i]]);
      }
      await screenshot(page, 'compare');
    } finally { await page.close(); }
  });

  it('the table view lists every area of the layer with the API values', async () => {
    const { id, lvl, y2 } = pick('lep');
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}&tab=table`);
    try {
      const api = await getJson(server.base, `/indicators/${id}/values?geography=lep&year=${y2}`);
      const { n } = await numberMatched(lvl.layers[y2]);
      const rows = await page.locator('#area-table tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [tr.dataset.code, tr.querySelector('td.num').dataset.value]));
      assert.equal(rows.length, n, 'one row per area');
      for (const [code, v] of rows) {
        assert.equal(v === '' ? null : Number(v), api.values[code], `table value of ${code}`);
      }
      assert.equal(await page.locator('#area-table caption').count(), 1);
      await screenshot(page, 'table');
    } finally { await page.close(); }
  });

  it('typing lon,lat looks the point up and selects the area there', async () => {
    const { id, lvl, y2 } = pick('lep');
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      const expected = await getJson(server.base, `/lookup?lon=-2.24&lat=53.48&layers=${lvl.layers[y2]}`);
      const areas = expected.layers[0].areas;
      assert.ok(areas.length >= 1, 'the API finds an area at the Manchester point');
      await page.fill('#search', '-2.24,53.48');
      await page.press('#search', 'Enter');
      await page.waitForFunction((c) => window.smartspec.state.area === c, areas[0].code);
      const box = page.locator('#lookup');
      await box.getByText(areas[0].name).first().waitFor();
      assert.equal(await page.locator('#area-name').innerText(), areas[0].name);
    } finally { await page.close(); }
  });

  it('tabs work from the keyboard', async () => {
    const { page } = await openMap(browser, server.base);
    try {
      await page.focus('#tab-area');
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.locator('#tab-compare').getAttribute('aria-selected'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-compare');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.locator('#tab-table').getAttribute('aria-selected'), 'true');
      assert.ok(await page.locator('#view-table table').isVisible());
      // Areas on the map are focusable; Enter selects one.
      const code = await page.locator('.leaflet-overlay-pane path[data-code]').first().getAttribute('data-code');
      await page.focus(`.leaflet-overlay-pane path[data-code="${code}"]`);
      await page.keyboard.press('Enter');
      await page.waitForFunction((c) => window.smartspec.state.area === c, code);
      assert.equal(await page.locator('#view-table tr.sel').getAttribute('data-code'), code, 'the table marks the chosen area');
    } finally { await page.close(); }
  });

  it('region outlines toggle on as an overlay of every region, and the CSV download lists every area', async () => {
    const { id, lvl, y2 } = pick('lep');
    const { page, errors, requests } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      await page.check('#regions');
      const regions = (await numberMatched('region')).n;
      await page.waitForFunction((n) => document.querySelectorAll('.leaflet-regions-pane path').length === n, regions);
      assert.match(page.url(), /regions=1/);
      const outline = requests.filter((u) => u.includes('/collections/region/items'));
      const z = await page.evaluate(() => smartspec.map.getZoom());
      assert.deepEqual(outline.map((u) => [param(u, 'zoom'), param(u, 'v')]), [[String(await bandZoom('region', z)), dataVersion]],
        'region outlines are fetched once, for the zoom band');
      await screenshot(page, 'regions-overlay');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      const text = await (await download.createReadStream()).toArray().then((b) => Buffer.concat(b).toString('utf8'));
      const lines = text.trim().split('\n');
      assert.equal(lines[0], 'code,name,indicator,year,value,unit,rank,of,layer');
      assert.equal(lines.length - 1, (await numberMatched(lvl.layers[y2])).n);
      const href = await page.locator('#download-geojson').getAttribute('href');
      assert.match(href, /[?&]f=json(&|$)/, 'a browser following the link gets GeoJSON, not the HTML page');
      const fc = await getJson(server.base, href);
      assert.equal(fc.type, 'FeatureCollection');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('a failing request shows a visible error with a retry, not a blank map', async () => {
    const { id, y1, y2 } = pick('lep', true);
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}`);
    try {
      await page.route(/\/indicators\/[^/]+\/values\?/, (route) =>
        route.fulfill({ status: 500, contentType: 'application/json', body: '{"code":"InternalError","description":"test failure"}' }));
      await page.selectOption('#year', String(y1));
      const box = page.locator('#error');
      await box.waitFor();
      assert.match(await box.innerText(), /test failure/);
      assert.equal(await page.evaluate(() => smartspec.status), 'error');
      await page.unroute(/\/indicators\/[^/]+\/values\?/);
      const r = await renders(page);
      await box.getByRole('button', { name: 'Retry' }).click();
      await waitForDraw(page, r);
      assert.ok(await box.isHidden());
    } finally { await page.close(); }
  });

  it('the area view charts the trend across years and shows neighbours, peers and profile (or says they are unavailable)', async () => {
    const { id, lvl, y2 } = pick('lep');
    const api = await getJson(server.base, `/indicators/${id}/values?geography=lep&year=${y2}`);
    const code = Object.keys(api.values).find((c) => api.values[c] != null);
    const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}&area=${code}`);
    try {
      // Trend: one point per year in which this area has a value.
      const perYear = await Promise.all(lvl.years.map((y) => getJson(server.base, `/indicators/${id}/values?geography=lep&year=${y}`)));
      const expected = perYear.filter((r) => r.values[code] != null).length;
      await page.locator('#view-area svg.chart').waitFor();
      assert.equal(await page.locator('#view-area svg.chart circle[data-series="0"]').count(), expected, 'trend points');

      const layer = lvl.layers[y2];
      const probes = {
        neighbours: `/collections/${layer}/items/${code}/neighbours?indicator=${id}&year=${y2}`,
        peers: `/areas/${code}/peers?geography=lep&year=${y2}&indicators=${id}&k=5`,
        profile: `/areas/${code}/profile?geography=lep&year=${y2}`,
      };
      for (const [section, url] of Object.entries(probes)) {
        const el = page.locator(`#${section}`);
        await page.waitForFunction((s) => !document.getElementById(s)?.textContent.includes('Loading'), section);
        const res = await fetch(server.base + url);
        const text = await el.innerText();
        if (res.status === 404 || res.status === 405) {
          assert.match(text, /not available/, `${section}: the page says the endpoint is unavailable`);
        } else {
          assert.equal(res.status, 200, `${section}: ${url}`);
          const body = await res.json();
          const names = section === 'neighbours' ? body.features.map((f) => f.properties.name)
            : section === 'peers' ? body.peers.map((p) => p.name) : body.indicators.map((i) => i.title);
          assert.ok(names.length === 0 || names.some((n) => n && text.includes(n)), `${section} lists what the API returned: ${text}`);
        }
      }
      const offered = await Promise.all(Object.values(probes).map((u) => fetch(server.base + u).then((r) => r.ok)));
      if (offered.every(Boolean)) assert.deepEqual(errors, [], 'no console errors once the server offers every endpoint');
      await screenshot(page, 'area-details');
    } finally { await page.close(); }
  });

  it('in the compare tab, searching by name adds areas to the comparison', async () => {
    const { id, lvl, y2 } = pick('lep');
    const { fc } = await numberMatched(lvl.layers[y2]);
    const names = fc.features.slice(0, 2).map((f) => f.properties.name);
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}&tab=compare`);
    try {
      for (const name of names) {
        await page.fill('#search', name);
        await page.press('#search', 'Enter');
      }
      const rows = page.locator('#compare-cards > li .card-title');
      await page.waitForFunction(() => document.querySelectorAll('#compare-cards > li').length === 2);
      assert.deepEqual(await rows.allInnerTexts().then((t) => t.map((x) => x.trim())), names);
      await page.locator('#compare-cards > li').first().getByRole('button', { name: /Remove/ }).click();
      await page.waitForFunction(() => document.querySelectorAll('#compare-cards > li').length === 1);
      assert.equal((await page.evaluate(() => smartspec.state.cmp)).length, 1);
    } finally { await page.close(); }
  });

  it('the ranking view shows every area as a sorted bar with the median marked', async () => {
    const { id, lvl, y2 } = pick('lep');
    const api = await getJson(server.base, `/indicators/${id}/values?geography=lep&year=${y2}`);
    const { fc, n } = await numberMatched(lvl.layers[y2]);
    const name = new Map(fc.features.map((f) => [f.id ?? f.properties.code, f.properties.name]));
    const { page } = await openMap(browser, server.base, `#geo=lep&ind=${id}&year=${y2}&tab=ranking`);
    try {
      const bars = page.locator('#view-ranking .bars li');
      await bars.first().waitFor();
      assert.equal(await bars.count(), n, 'one bar per area');
      const labels = await page.locator('#view-ranking .bar-label').allInnerTexts();
      const sorted = Object.entries(api.values).filter(([, v]) => v != null).sort((a, b) => b[1] - a[1]);
      const namesWith = (v) => sorted.filter(([, x]) => x === v).map(([c]) => name.get(c));
      assert.ok(namesWith(sorted[0][1]).includes(labels[0]), `highest value first: ${labels[0]}`);
      assert.ok(namesWith(sorted.at(-1)[1]).includes(labels[sorted.length - 1]), 'lowest value last among areas with data');
      assert.ok(await page.locator('#view-ranking .median').count() > 0, 'median marked');
      await screenshot(page, 'ranking');
    } finally { await page.close(); }
  });
});
