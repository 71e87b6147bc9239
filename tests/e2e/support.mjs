// Helpers for awaitlab's end-to-end tests (node --test tests/e2e/).
//
// Uses playwright-core only, driving Debian's Chromium (/usr/bin/chromium or $CHROME_BIN):
// no browser is ever downloaded. Typical use:
//
//   import { after, before, test } from 'node:test';
//   import assert from 'node:assert/strict';
//   import { startStaticServer, launchBrowser, openApp, artifactPath } from './support.mjs';
//
//   let server, browser;
//   before(async () => { server = await startStaticServer(); browser = await launchBrowser(); });
//   after(async () => { await browser?.close(); await server?.close(); });
//
//   test('loads', async () => {
//     const page = await openApp(browser, server.url, 'pattern=join');
//     await page.screenshot({ path: artifactPath('loads.png') });
//     assert.deepEqual(page.awaitlabErrors, []);
//   });

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Directory for screenshots and other test output (git-ignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'tests', 'e2e', 'artifacts');

/**
 * Chromium flags: those of webdriver.json (shared with wasm-bindgen-test), minus --headless=...
 * which playwright sets itself through `headless: true`.
 */
export const CHROMIUM_ARGS = JSON.parse(readFileSync(path.join(REPO_ROOT, 'webdriver.json'), 'utf8'))[
  'goog:chromeOptions'
].args.filter((arg) => !arg.startsWith('--headless'));

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

async function isFile(p) {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Serve `dir` (relative paths are taken from the repository root; default: the trunk build in
 * dist/) over plain HTTP on 127.0.0.1 with a random free port. `/`, directories and unknown paths
 * without an extension get the root index.html (like an SPA host); a missing /favicon.ico gets an
 * empty 204 (so Chromium's own request logs no error); other unknown paths get 404.
 *
 * @returns {Promise<{ url: string, port: number, root: string, close: () => Promise<void> }>}
 *   `url` has no trailing slash, e.g. http://127.0.0.1:40123
 */
export async function startStaticServer(dir = 'dist') {
  const root = path.resolve(REPO_ROOT, dir);
  const indexHtml = path.join(root, 'index.html');
  if (!(await isFile(indexHtml))) {
    throw new Error(`startStaticServer: ${indexHtml} not found (run \`trunk build --release\` first?)`);
  }

  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      let pathname;
      try {
        pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
      } catch {
        res.writeHead(400).end('bad request');
        return;
      }
      const target = path.resolve(root, '.' + path.posix.normalize('/' + pathname));
      if (target !== root && !target.startsWith(root + path.sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }

      let file = null;
      if (await isFile(target)) {
        file = target;
      } else if (await isFile(path.join(target, 'index.html'))) {
        file = path.join(target, 'index.html');
      } else if (path.extname(pathname) === '') {
        file = indexHtml; // SPA fallback
      }
      if (file === null && pathname === '/favicon.ico') {
        // Chromium asks for it on its own; answer without a 404 (which would log a console error).
        res.writeHead(204).end();
        return;
      }
      if (file === null) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: ${pathname}`);
        return;
      }

      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(String(err));
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();

  let closed = null;
  const close = () => {
    closed ??= new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections(); // the browser's keep-alive sockets would hold close() open
    });
    return closed;
  };

  return { url: `http://127.0.0.1:${port}`, port, root, close };
}

/**
 * Serves the app's build from a sub-path, as a static host under its own site would:
 * `${url}/${sub}/` is the build (a symlink to `dist`), `${url}/` a page that is not the app.
 * The temporary directory goes when the server closes.
 */
export async function startSubPathServer(sub, dist = process.env.AWAITLAB_DIST || 'dist') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'awaitlab-subpath-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>not the app</title>');
  symlinkSync(path.resolve(REPO_ROOT, dist), path.join(dir, sub));
  const server = await startStaticServer(dir);
  const close = async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { ...server, close };
}

/** Launch Debian's headless Chromium through playwright-core (never a downloaded browser). */
/**
 * Waits until `condition()` (checked in Node, e.g. a test server's counters) holds, polling every
 * 20 ms, and fails naming `what` after `timeout` ms: a wait for a state, not a sleep.
 */
export async function until(condition, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function launchBrowser(options = {}) {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
    ...options,
  });
}

/**
 * Path of `tests/e2e/artifacts/<name>`, creating the folder (and any subfolder in `name`).
 */
export function artifactPath(name) {
  const p = path.join(ARTIFACTS_DIR, name);
  mkdirSync(path.dirname(p), { recursive: true });
  return p;
}

/**
 * Open the app at `${baseUrl}/?${query}` in a new page and wait until `window.awaitlab` is
 * defined. Console errors and uncaught page errors are collected, from before the navigation on,
 * into `page.awaitlabErrors` (an array of strings); assert it is empty at the end of a test.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {string} baseUrl e.g. server.url
 * @param {string | URLSearchParams | Record<string, string>} [query] e.g. 'pattern=join&seed=1'
 * @param {{ timeout?: number, screenshotOnFailure?: boolean }} [options] how long to wait for
 *   window.awaitlab (default 30 s); on a time-out a screenshot goes to tests/e2e/artifacts/
 *   unless screenshotOnFailure is false, and the page is closed.
 */
export async function openApp(browser, baseUrl, query = '', { timeout = 30_000, screenshotOnFailure = true } = {}) {
  const page = await browser.newPage();
  const errors = [];
  page.awaitlabErrors = errors;
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url;
    errors.push(`console.error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));

  const q = (typeof query === 'string' ? query : new URLSearchParams(query).toString()).replace(/^\?/, '');
  const url = `${baseUrl.replace(/\/+$/, '')}/${q ? `?${q}` : ''}`;
  await page.goto(url, { waitUntil: 'load' });
  try {
    await page.waitForFunction(() => typeof window.awaitlab !== 'undefined', null, { timeout });
  } catch (err) {
    let shot = '';
    if (screenshotOnFailure) {
      const file = artifactPath(`openApp-failure-${Date.now()}.png`);
      shot = await page.screenshot({ path: file }).then(
        () => `\nscreenshot: ${file}`,
        () => '', // best effort
      );
    }
    await page.close().catch(() => {});
    const detail = errors.length ? `\npage errors so far:\n  ${errors.join('\n  ')}` : '';
    throw new Error(`openApp: window.awaitlab was not defined within ${timeout} ms at ${url}${detail}${shot}`, {
      cause: err,
    });
  }
  return page;
}

/**
 * Registers `before`/`after` hooks that serve `dir` (default: $AWAITLAB_DIST, else dist/, as the
 * other test files read it) and launch Chromium once for the calling test file, and returns an
 * object whose `server` and `browser` are set once the hooks have run.
 *
 * @param {{ before: Function, after: Function }} hooks node:test's `before` and `after`
 */
export function useAppServer({ before, after }, dir = process.env.AWAITLAB_DIST || 'dist') {
  const ctx = { server: undefined, browser: undefined };
  before(async () => {
    ctx.server = await startStaticServer(dir);
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

// Lane labels (issue 13: they stay legible in narrow embeds and many-lane timelines).

/**
 * The lane labels of `figure` as drawn: their text, their font size on screen (the SVG's own size
 * times its scale) and their top edge.
 */
export const laneLabels = (page, figure) =>
  page.evaluate((figure) => {
    const svg = document.querySelector(`figure.${figure} svg`);
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return [...svg.querySelectorAll('text.lane-label')].map((t) => ({
      text: t.textContent,
      px: parseFloat(getComputedStyle(t).fontSize) * scale,
      top: t.getBoundingClientRect().top,
    }));
  }, figure);

/** Every label at least 11 px, and each at least 11 px below the one above. */
export function assertLegible(labels, what) {
  // 0.05 px for the plot's width, measured in whole pixels (a 743.8 px plot draws 11 px lanes 10.996 px apart).
  for (const l of labels) assert.ok(l.px >= 10.95, `${what}: "${l.text}" is drawn at ${l.px.toFixed(1)} px`);
  for (let i = 1; i < labels.length; i++) {
    const gap = labels[i].top - labels[i - 1].top;
    assert.ok(gap >= 10.95, `${what}: "${labels[i].text}" is ${gap.toFixed(1)} px below "${labels[i - 1].text}"`);
  }
}
