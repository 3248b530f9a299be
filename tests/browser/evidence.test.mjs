// evidence.test.mjs: issue 18 §4 on the real page against the real server: trend charts download
// as titled SVG and PNG files, the area panel links to the printable area report, and one click
// gives an <iframe> of the current view that opens on the same state.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SCREENSHOTS, getJson, launchBrowser, openMap, settle, startServer, waitForDraw } from './server.mjs';

let server, browser;

/** Width and height of a PNG, from its IHDR chunk; null if `buf` is not a PNG. */
function pngSize(buf) {
  if (buf.length < 24 || buf.toString('latin1', 1, 4) !== 'PNG' || buf.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  const body = fs.readFileSync(await dl.path());
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fs.writeFileSync(path.join(SCREENSHOTS, dl.suggestedFilename()), body); // kept to look at
  return { name: dl.suggestedFilename(), body };
}

describe('evidence a planner can take away (real server, headless Chromium)', { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the area and compare trends download as titled SVG and PNG files of plausible size', async () => {
    const ind = 'gbp_research_income', code = 'E37000015', year = 2018;
    const title = (await getJson(server.base, '/indicators')).indicators.find((i) => i.id === ind).levels.find((l) => l.geography === 'lep').title;
    const { page, errors } = await openMap(browser, server.base, `#geo=lep&ind=${ind}&year=${year}&area=${code}`);
    try {
      await page.locator('#view-area [data-download="svg"]').waitFor();
      const svg = await download(page, '#view-area [data-download="svg"]');
      assert.match(svg.name, /\.svg$/);
      const text = svg.body.toString('utf8');
      assert.match(text, /^<\?xml[^>]*>\s*<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(text.includes(`${title} for Greater Manchester by year`), 'titled with the indicator and the area');
      assert.match(text, /LEP boundaries/, 'names the layer');
      assert.match(text, /Unit: [^<]*£/, 'names the unit');
      assert.match(text, /Source: /, 'names the source');
      assert.ok((text.match(/<path /g) || []).length >= 2, 'the area and the median drawn');
      assert.ok(svg.body.length > 2_000 && svg.body.length < 200_000, `${svg.body.length} bytes`);
      const png = await download(page, '#view-area [data-download="png"]');
      assert.match(png.name, /\.png$/);
      const size = pngSize(png.body);
      assert.ok(size, 'a PNG file');
      assert.equal(size.width, 920);
      assert.ok(size.height > 200 && size.height < 1000, `${size.height} px high`);
      assert.ok(png.body.length > 5_000, `${png.body.length} bytes`);

      const n = await page.evaluate(() => smartspec.renders);
      await page.evaluate((h) => { location.hash = h; }, `#geo=lep&ind=${ind}&year=${year}&tab=compare&cmp=${code},E37000023`);
      await waitForDraw(page, n).catch(() => {});
      await page.locator('#view-compare [data-download="svg"]').waitFor();
      const cmp = await download(page, '#view-compare [data-download="svg"]');
      const ct = cmp.body.toString('utf8');
      assert.ok(ct.includes('Greater Manchester') && ct.includes('London'), 'the compared areas in the key');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('the ranking downloads as an SVG bar chart of every area with a value, and as a PNG', async () => {
    const rk = await getJson(server.base, '/indicators/gbp_research_income/ranking?geography=lep&year=2018');
    const { page, errors } = await openMap(browser, server.base, '#geo=lep&ind=gbp_research_income&year=2018&tab=ranking');
    try {
      await settle(page);
      const svg = await download(page, '#ranking-downloads [data-download="svg"]');
      const text = svg.body.toString('utf8');
      assert.equal((text.match(/<rect [^>]*fill="#41b6c4"/g) || []).length, rk.count_with_data, 'one bar per area with a value');
      assert.ok(text.includes('London') && text.includes('£2,030,129,000'), 'names and values written by the rule');
      assert.match(text, /median £/);
      const png = await download(page, '#ranking-downloads [data-download="png"]');
      assert.ok(pngSize(png.body)?.width === 920, 'a PNG of the file width');
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('the map view downloads as a PNG with its names, legend and attribution', async () => {
    const { page, errors } = await openMap(browser, server.base, '#geo=lep&ind=gbp_research_income&year=2018&regions=1');
    try {
      await settle(page);
      const want = await page.evaluate(() => { const r = document.getElementById('map').getBoundingClientRect(); return { w: Math.round(r.width) }; });
      const png = await download(page, '#download-map');
      assert.match(png.name, /^map-gbp_research_income-lep-2018\.png$/);
      const size = pngSize(png.body);
      assert.ok(size, 'a PNG file');
      assert.equal(size.width, 2 * (want.w + 280), 'the map and the legend beside it, at twice the screen size');
      assert.ok(size.height > 1000, `${size.height} px high`);
      assert.ok(png.body.length > 100_000, `${png.body.length} bytes: areas drawn, not a blank picture`);
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('the area panel links to the area report, which opens on that area and year', async () => {
    const { page, errors } = await openMap(browser, server.base, '#geo=lep&ind=gbp_research_income&year=2018&area=E37000015');
    try {
      const href = await page.locator('#area-report').getAttribute('href');
      await page.locator('#area-report').click();
      await page.waitForFunction(() => window.smartspecReport && window.smartspecReport.status !== 'loading', null, { timeout: 60_000 });
      assert.equal(await page.evaluate(() => window.smartspecReport.status), 'ready', href);
      assert.ok((await page.locator('#report-header').innerText()).includes('Greater Manchester'));
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });

  it('one click gives an <iframe> of the current view that opens on the same state', async () => {
    const hash = '#geo=lep&ind=gbp_research_income&year=2018&area=E37000015&tab=ranking';
    const { page, errors } = await openMap(browser, server.base, hash);
    try {
      await page.locator('#embed').click();
      await page.waitForFunction(() => document.getElementById('embed-status').textContent);
      const code = await page.locator('#embed-code').inputValue();
      const m = code.match(/^<iframe src="([^"]+)" title="([^"]+)"[^>]*><\/iframe>$/);
      assert.ok(m, code);
      assert.equal(m[1].replace(/&amp;/g, '&'), page.url());
      const state = await page.evaluate(() => JSON.stringify(smartspec.state));
      // The snippet on another page: the iframe opens on the same view.
      const host = await browser.newPage();
      try {
        await host.setContent(`<!doctype html><title>council page</title>${code}`);
        const frame = host.frames().find((f) => f !== host.mainFrame());
        await frame.waitForFunction(() => window.smartspec?.status === 'ready', null, { timeout: 30_000 });
        const inner = JSON.parse(await frame.evaluate(() => JSON.stringify(smartspec.state)));
        const outer = JSON.parse(state);
        for (const k of ['geo', 'ind', 'year', 'area', 'tab']) assert.deepEqual(inner[k], outer[k], k);
      } finally { await host.close(); }
      assert.deepEqual(errors, []);
    } finally { await page.close(); }
  });
});
