// first_view.mjs: time to first choropleth and page weight on loopback, in headless Chromium.
// Run: cargo build --release && SMARTSPEC_BIN=target/release/smartspec node benches/first_view.mjs
// Each run opens the map in a fresh browser context (empty cache) and reports the time from
// navigation start until the map has drawn its first choropleth (the page's performance mark
// `smartspec:first-choropleth`; also as the harness observed it) and the bytes transferred; then it
// changes the year and the indicator (same boundary layer) and reports the bytes each transferred.
// Targets: first view <= 150 KB of data, first choropleth < 500 ms, a year or indicator change <= 5 KB.
// Side by side: BEFORE_BIN=<another build's binary> BEFORE_WEB=<that checkout's web/> also starts
// that build and alternates the loads between the two (first choropleth only), so both see the same
// machine; it prints both medians and quartiles.
import { startServer, launchBrowser, getJson } from '../tests/browser/server.mjs';

const RUNS = Number(process.env.RUNS || 7);
const server = await startServer();
const browser = await launchBrowser();
const results = [];

if (process.env.BEFORE_BIN) {
  const before = await startServer({ bin: process.env.BEFORE_BIN, webDir: process.env.BEFORE_WEB });
  const times = { before: [], now: [] };
  try {
    for (let i = 0; i < 2 * RUNS; i++) {
      const [name, base] = i % 2 ? ['now', server.base] : ['before', before.base];
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${base}/map/`);
      await page.waitForFunction(() => window.smartspec && window.smartspec.status === 'ready' && window.smartspec.renders > 0, null, { timeout: 60_000 });
      times[name].push(await page.evaluate(() => Math.round(performance.getEntriesByName('smartspec:first-choropleth')[0]?.startTime ?? NaN)));
      await context.close();
    }
  } finally {
    await browser.close();
    await server.stop();
    await before.stop();
  }
  const q = (a, f) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) * f)];
  const summary = (a) => ({ median_ms: q(a, 0.5), quartiles_ms: [q(a, 0.25), q(a, 0.75)], all_ms: a });
  console.log(JSON.stringify({ runs: RUNS, before: summary(times.before), now: summary(times.now) }, null, 1));
  process.exit(0);
}

const isCode = (url) => /\.(js|css)$/.test(new URL(url).pathname);
const isData = (url) => !isCode(url) && !/\.(png|svg)$/.test(new URL(url).pathname);
const resources = (page) => page.evaluate(() => performance.getEntriesByType('resource')
  .map((e) => ({ name: e.name, transferSize: e.transferSize, decodedBodySize: e.decodedBodySize })));
const drawn = (page, n) => page.waitForFunction((n) => window.smartspec && window.smartspec.status === 'ready' && window.smartspec.renders > n, n, { timeout: 60_000 });

/** Change a control and return the bytes of data the page fetched for it. */
async function change(page, select, value) {
  const from = (await resources(page)).length;
  const n = await page.evaluate(() => window.smartspec.renders);
  await page.selectOption(select, value);
  await drawn(page, n);
  const since = (await resources(page)).slice(from).filter((e) => isData(e.name));
  return { bytes: since.reduce((a, e) => a + e.transferSize, 0), requests: since.map((e) => new URL(e.name).pathname) };
}

try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.base}/map/`);
    await drawn(page, 0);
    // The page marks the moment its first choropleth is in the DOM (styled, laid out); the harness
    // sees it a little later (it polls), which is reported too.
    const [first_choropleth_ms, observed_ms] = await page.evaluate(() => [
      Math.round(performance.getEntriesByName('smartspec:first-choropleth')[0]?.startTime ?? NaN), Math.round(performance.now())]);
    const entries = await resources(page);
    const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0].transferSize);
    const sum = (f) => entries.filter((e) => f(e.name)).reduce((a, e) => a + e.transferSize, 0);
    const raw = (f) => entries.filter((e) => f(e.name)).reduce((a, e) => a + e.decodedBodySize, 0);
    const m = {
      first_choropleth_ms,
      observed_ms,
      html_bytes: nav,
      code_transfer_bytes: sum(isCode),
      code_raw_bytes: raw(isCode),
      data_transfer_bytes: sum(isData),
      data_raw_bytes: raw(isData),
      requests: entries.length + 1,
      geometry: entries.filter((e) => /\/items\?/.test(e.name)).map((e) => `${new URL(e.name).pathname}?zoom=${new URL(e.name).searchParams.get('zoom')}: ${e.transferSize}`),
    };

    // A year change and an indicator change that keep the boundary layer: values only.
    const { ind, geo, year } = await page.evaluate(() => ({ ind: smartspec.state.ind, geo: smartspec.state.geo, year: smartspec.state.year }));
    const catalog = await getJson(server.base, '/indicators');
    const lvl = catalog.indicators.find((x) => x.id === ind).levels.find((l) => l.geography === geo);
    const otherYear = [...lvl.years].reverse().find((y) => y !== year && lvl.layers[y] === lvl.layers[year]);
    if (otherYear != null) {
      const r = await change(page, '#year', String(otherYear));
      m.year_change_bytes = r.bytes;
      m.year_change_requests = r.requests;
      const other = catalog.indicators.find((x) => x.id !== ind && x.levels.some((l) => l.geography === geo && l.years.includes(otherYear) && l.layers[otherYear] === lvl.layers[otherYear]));
      if (other) {
        const r2 = await change(page, '#indicator', other.id);
        m.indicator_change_bytes = r2.bytes;
        m.indicator_change_requests = r2.requests;
      }
    }
    results.push(m);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
const median = (k) => results.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
console.log(JSON.stringify({
  runs: RUNS,
  median_first_choropleth_ms: median('first_choropleth_ms'),
  all_ms: results.map((r) => r.first_choropleth_ms),
  median_observed_ms: median('observed_ms'),
  all_observed_ms: results.map((r) => r.observed_ms),
  median_data_transfer_bytes: median('data_transfer_bytes'),
  median_year_change_bytes: median('year_change_bytes'),
  median_indicator_change_bytes: median('indicator_change_bytes'),
  weight: results[results.length - 1],
}, null, 1));
