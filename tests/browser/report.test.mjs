// report.test.mjs: issue 18 §4's area report on the real page against the real server: for three
// areas of different sizes it loads with no error, its header names the area, layer, vintage and
// data version, it prints on A4 in at most 3 pages with no chart or table row cut across a page,
// and axe-core finds no serious or critical violation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { REPO, SCREENSHOTS, getJson, launchBrowser, startServer } from './server.mjs';

const require = createRequire(path.join(REPO, 'web/package.json'));
const AXE = require.resolve('axe-core/axe.min.js');
let server, browser;

/** Pages of a PDF: its page objects (/Type /Page, not /Pages). */
const pdfPages = (pdf) => (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-z])/g) || []).length;

// A big city LEP, a rural LEP and a NUTS 3 area.
const AREAS = [
  { area: 'E37000023', geo: 'lep', name: 'London' },
  { area: 'E37000007', geo: 'lep', name: 'Cumbria' },
  { area: 'UKC11', geo: 'nuts3', name: 'Hartlepool and Stockton-on-Tees' },
];

describe('the area report (real server, headless Chromium)', { timeout: 300_000 }, () => {
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const a of AREAS) {
    it(`${a.name} (${a.geo}): header, at most 3 A4 pages, nothing cut across a page, axe clean`, async () => {
      const health = await getJson(server.base, '/health');
      const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      try {
        await page.goto(`${server.base}/map/report.html?area=${a.area}&geo=${a.geo}&year=2018`);
        await page.waitForFunction(() => window.smartspecReport?.status !== 'loading', null, { timeout: 60_000 });
        assert.equal(await page.evaluate(() => window.smartspecReport.status), 'ready', await page.evaluate(() => window.smartspecReport.error));
        const header = await page.locator('#report-header').innerText();
        assert.ok(header.includes(a.name), `header names ${a.name}: ${header}`);
        assert.ok(header.includes(health.data_version), `header gives the data version ${health.data_version}: ${header}`);
        assert.match(header, /version|vintage/i, 'header names the boundary version');
        // Print: every chart, table row and block that must stay whole is kept whole.
        await page.emulateMedia({ media: 'print' });
        const cut = await page.evaluate(() => [...document.querySelectorAll('figure, tr, svg')]
          .filter((el) => !['avoid', 'avoid-page'].includes(getComputedStyle(el.closest('figure, tr') || el).breakInside))
          .map((el) => el.tagName));
        assert.deepEqual(cut, [], 'charts and table rows are never cut across a page');
        const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
        const pages = pdfPages(pdf);
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        fs.writeFileSync(path.join(SCREENSHOTS, `report-${a.area}.pdf`), pdf);
        console.log(`# report ${a.area} (${a.name}): ${pages} A4 page(s), ${pdf.length} bytes`);
        assert.ok(pages >= 1 && pages <= 3, `${a.name}: ${pages} pages`);
        await page.emulateMedia({ media: 'screen' });
        await page.addScriptTag({ path: AXE });
        const res = await page.evaluate(() => window.axe.run(document));
        const bad = res.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => `${v.id}: ${v.nodes.length}`);
        assert.deepEqual(bad, [], 'axe: the report');
        assert.deepEqual(errors, []);
      } finally { await page.close(); }
    });
  }
});
