// first_view.mjs: time to first choropleth and page weight on loopback, in headless Chromium.
// Run: cargo build --release && SMARTSPEC_BIN=target/release/smartspec node benches/first_view.mjs
// Each run opens the map in a fresh browser context (empty cache) and reports the time from
// navigation start until the map has drawn its first choropleth, and the bytes transferred.
import { startServer, launchBrowser } from '../tests/browser/server.mjs';

const RUNS = Number(process.env.RUNS || 7);
const server = await startServer();
const browser = await launchBrowser();
const results = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.base}/map/`);
    await page.waitForFunction(() => window.smartspec && window.smartspec.status === 'ready' && window.smartspec.renders > 0, null, { timeout: 60_000 });
    const m = await page.evaluate(() => {
      const drawn = performance.now();
      const entries = performance.getEntriesByType('resource');
      const nav = performance.getEntriesByType('navigation')[0];
      const sum = (f) => entries.filter(f).reduce((a, e) => a + e.transferSize, 0);
      const raw = (f) => entries.filter(f).reduce((a, e) => a + e.decodedBodySize, 0);
      const isCode = (e) => /\.(js|css)(\?|$)/.test(e.name);
      const isData = (e) => !isCode(e) && !/\.(png|svg)(\?|$)/.test(e.name);
      return {
        first_choropleth_ms: Math.round(drawn),
        html_bytes: nav.transferSize,
        code_transfer_bytes: sum(isCode),
        code_raw_bytes: raw(isCode),
        data_transfer_bytes: sum(isData),
        data_raw_bytes: raw(isData),
        requests: entries.length + 1,
      };
    });
    results.push(m);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const median = (k) => results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
console.log(JSON.stringify({ runs: RUNS, median_first_choropleth_ms: median('first_choropleth_ms'), all_ms: results.map((r) => r.first_choropleth_ms), weight: results[results.length - 1] }, null, 1));
