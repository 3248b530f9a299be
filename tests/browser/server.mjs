// server.mjs: shared set-up for the browser tests: starts the real smartspec binary on a free port,
// launches Debian's Chromium through playwright-core, opens the map and waits until it is drawn.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = path.join(REPO, 'target/screenshots');
const require = createRequire(path.join(REPO, 'web/package.json'));

/** A port that was free a moment ago (listen on 0, read it, close). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Start the server (`bin`, serving the map from `webDir`; by default this checkout's); resolves to
 * {base, stop(), logs()}. Fails with the server's output if it never answers.
 */
export async function startServer({ timeoutMs = 60_000, bin = process.env.SMARTSPEC_BIN || path.join(REPO, 'target/debug/smartspec'), webDir = path.join(REPO, 'web') } = {}) {
  const dataDir = process.env.SMARTSPEC_DATA_DIR || path.join(REPO, '../shared/data');
  if (!fs.existsSync(bin)) throw new Error(`smartspec binary not found at ${bin}: run \`cargo build\` or set SMARTSPEC_BIN`);
  if (!fs.existsSync(dataDir)) throw new Error(`data directory not found at ${dataDir}: set SMARTSPEC_DATA_DIR`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The Rust tests fill the same derived-artefact cache (adjacency, zoom bands), so the server starts
  // fast; without it the server derives them afresh, which only takes longer.
  const cacheDir = process.env.SMARTSPEC_TEST_CACHE_DIR || path.join(REPO, 'target/test-artefact-cache');
  const child = spawn(bin, ['--addr', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web-dir', webDir, '--cache-dir', cacheDir],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'warn' } });
  let output = '';
  const keep = (chunk) => { output = (output + chunk).slice(-20_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => { exited = { code, signal }; resolve(); }));

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`smartspec exited early (${JSON.stringify(exited)}) before answering on ${base}. Output:\n${output}`);
    try {
      const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`smartspec did not answer GET / on ${base} within ${timeoutMs / 1000} s. Output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, stop, logs: () => output };
}

export async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    // Classic scrollbars, as a desktop user has them: Playwright hides them by default, which
    // gives the page 15 px more than a real browser window of the same size.
    ignoreDefaultArgs: ['--hide-scrollbars'],
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** GET JSON from the API (fails the test on a non-2xx answer). */
export async function getJson(base, url) {
  const res = await fetch(base + url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Open the map at `hash` (at 1400x900 unless told; `phone`: a touch screen) and wait for the first drawing. Returns {page, errors, requests}:
 * console errors / page errors, and every request URL, recorded from the start.
 */
export async function openMap(browser, base, hash = '', { width = 1400, height = 900, phone = false } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, ...(phone ? { isMobile: true, hasTouch: true } : {}) });
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()} ${m.location()?.url || ''}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  await page.goto(`${base}/map/${hash}`);
  await waitForDraw(page, 0);
  return { page, errors, requests };
}

/** Resolve once `page` has had no request in flight for `quietMs` (panel fetches, band swaps). */
export async function settle(page, quietMs = 300, timeoutMs = 20_000) {
  let inFlight = 0, last = Date.now();
  const up = () => { inFlight++; last = Date.now(); };
  const down = () => { inFlight = Math.max(0, inFlight - 1); last = Date.now(); };
  page.on('request', up);
  page.on('requestfinished', down);
  page.on('requestfailed', down);
  try {
    const deadline = Date.now() + timeoutMs;
    await new Promise((r) => setTimeout(r, quietMs));
    while (inFlight > 0 || Date.now() - last < quietMs) {
      if (Date.now() > deadline) throw new Error(`requests still in flight after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    page.off('request', up);
    page.off('requestfinished', down);
    page.off('requestfailed', down);
  }
}

/** The data (not code or images) fetched by the page: Resource Timing entries from index `from` on. */
export const dataEntries = (page, from = 0) => page.evaluate((from) => performance.getEntriesByType('resource').slice(from)
  .filter((e) => !/\.(js|css|png|svg)$/.test(new URL(e.name).pathname))
  .map((e) => ({ url: e.name, transferSize: e.transferSize, encodedBodySize: e.encodedBodySize })), from);
export const resourceCount = (page) => page.evaluate(() => performance.getEntriesByType('resource').length);
export const transferred = (entries) => entries.reduce((a, e) => a + e.transferSize, 0);

/** Wait until the map finished drawing more than `after` times (or shows an error, which fails). */
export async function waitForDraw(page, after) {
  await page.waitForFunction((n) => {
    const s = window.smartspec;
    return s && (s.status === 'error' || (s.status === 'ready' && s.renders > n));
  }, after, { timeout: 30_000 });
  const s = await page.evaluate(() => ({ status: smartspec.status, error: smartspec.error }));
  if (s.status === 'error') throw new Error(`the map shows an error: ${s.error}`);
}

export const renders = (page) => page.evaluate(() => window.smartspec.renders);

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/** Parse a number as the page prints it ("1,234.5 unit" -> 1234.5). */
export const shownNumber = (text) => Number(String(text).replace(/,/g, '').match(/-?\d+(\.\d+)?(e-?\d+)?/)?.[0]);
