// source=fetch end to end: real requests to the project's own HTTP/1.1 delay server and to the
// offline mock API (static/sw.js), every fault a failed attempt with its reason, the browser's
// hidden 6-connections-per-host limit measured and named, the pipeline's save written to OPFS.
//
// Runs against the release build in dist/ (AWAITLAB_DIST overrides it, e.g. an absolute path).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactPath, launchBrowser, openApp, startStaticServer, until } from './support.mjs';
import { startDelayServer } from './delay_server.mjs';

let server;
let delay;
let browser;
before(async () => {
  server = await startStaticServer(process.env.AWAITLAB_DIST || 'dist');
  delay = await startDelayServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await delay?.close();
});

/** What Chromium itself logs for a failed request: expected in the fault tests, nothing else is. */
const REQUEST_NOISE = /Failed to load resource|blocked by CORS policy|net::ERR_/;
function unexpectedErrors(page) {
  return page.awaitlabErrors.filter((e) => !REQUEST_NOISE.test(e));
}

/** Runs `params` through window.awaitlab.run (the page's current run) and returns the Run JSON. */
function run(page, params) {
  return page.evaluate((p) => window.awaitlab.run(p), params);
}

/** The closing event of each work span, by task. */
function closes(runJson, phase = 'work') {
  return runJson.events.filter((e) => e.phase === phase && e.kind !== 'begin');
}

const GATHER_24 = { pattern: 'gather', tasks: 24, min: 200, max: 200, seed: 1 };

test('24 × 200 ms to an HTTP/1.1 server take at least 4 rounds: the page names the hidden limit', async () => {
  const url = `${delay.url}/delay?id={id}`;
  const query = new URLSearchParams({ ...GATHER_24, source: 'fetch', url });
  const page = await openApp(browser, server.url, query.toString());
  await page.setViewportSize({ width: 1200, height: 1500 });
  assert.equal(await page.inputValue('#field-source'), 'fetch');
  assert.equal(await page.inputValue('#field-url'), url);
  delay.reset();
  const result = await run(page, { ...GATHER_24, source: 'fetch', url });
  const makespan = result.summary.makespan_ms;
  console.log(`# HTTP/1.1 delay server: 24 × 200 ms gathered in ${makespan.toFixed(1)} ms`);
  assert.ok(makespan >= 780, `4 rounds of 6 connections take >= ~800 ms, got ${makespan}`);
  assert.equal(delay.stats.requests, 24);
  assert.equal(delay.stats.maxActive, 6, 'the server never saw more than 6 requests at once');
  assert.equal(result.summary.failures, 0);
  for (const e of closes(result)) assert.match(e.detail, /^HTTP 200, \d+ bytes$/);
  assert.equal(result.summary.peak_concurrency, 24, 'all 24 were in flight as far as the code knows');
  await page.waitForSelector('#hidden-limit');
  assert.match(await page.textContent('#hidden-limit'), /Chromium allows 6 connections per host over HTTP\/1\.1: a hidden semaphore/);
  await page.screenshot({ path: artifactPath('fetch-http1-limit.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the offline mock API (a service worker) answers 24 × 200 ms at once: no hidden limit', async () => {
  const page = await openApp(browser, server.url, new URLSearchParams({ ...GATHER_24, source: 'fetch' }).toString());
  await page.setViewportSize({ width: 1200, height: 1500 });
  assert.equal(await page.inputValue('#field-url'), 'api/item/{id}');
  const result = await run(page, { ...GATHER_24, source: 'fetch' });
  const makespan = result.summary.makespan_ms;
  console.log(`# offline mock API (service worker): 24 × 200 ms gathered in ${makespan.toFixed(1)} ms`);
  assert.ok(makespan >= 195 && makespan < 560, `well under 3 rounds, got ${makespan}`);
  assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the worker controls the page');
  assert.equal(result.summary.failures, 0);
  for (const e of closes(result)) assert.match(e.detail, /^HTTP 200, \d+ bytes$/);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'));
  assert.equal(await page.locator('#hidden-limit').count(), 0);
  await page.screenshot({ path: artifactPath('fetch-mock-api.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('seeded fetch runs fail the same requests every time, as predicted', async () => {
  const page = await openApp(browser, server.url);
  const params = { pattern: 'gather', tasks: 20, min: 20, max: 60, fail: 0.3, seed: 7, source: 'fetch' };
  const failedTasks = (r) => r.events.filter((e) => e.kind === 'failed').map((e) => e.task);
  const first = await run(page, params);
  const second = await run(page, params);
  const predicted = await run(page, { ...params, clock: 'virtual' });
  assert.ok(failedTasks(first).length > 0, 'seed 7 with fail=0.3 fails some requests');
  assert.deepEqual([...failedTasks(first)].sort(), [...failedTasks(second)].sort());
  assert.deepEqual([...failedTasks(first)].sort(), [...failedTasks(predicted)].sort());
  for (const e of closes(first).filter((e) => e.kind === 'fail')) {
    assert.match(e.detail, /^HTTP 500 Internal Server Error, \d+ bytes: simulated failure of item \d+/);
  }
  assert.deepEqual(unexpectedErrors(page), []);
  await page.close();
});

test('every fault becomes a failed attempt with its reason; the run completes and nothing panics', async () => {
  const gone = await startDelayServer();
  const closedPort = gone.url;
  await gone.close();
  const page = await openApp(browser, server.url);
  const base = { pattern: 'gather', tasks: 3, min: 50, max: 50, source: 'fetch' };
  const cases = [
    ['network error', `${closedPort}/delay?id={id}`, /^network error or CORS refusal: Failed to fetch/],
    ['HTTP 404', `${delay.url}/status/404?id={id}`, /^HTTP 404 Not Found, \d+ bytes: status 404 as asked$/],
    ['HTTP 500', `${delay.url}/status/500?id={id}`, /^HTTP 500 Internal Server Error, \d+ bytes: status 500 as asked$/],
    ['malformed JSON', `${delay.url}/bad-json?id={id}`, /^malformed JSON \(HTTP 200, 26 bytes\): /],
    ['CORS refusal', `${delay.url}/no-cors?id={id}`, /^network error or CORS refusal: Failed to fetch/],
  ];
  for (const [name, url, reason] of cases) {
    const result = await run(page, { ...base, url });
    assert.equal(result.summary.failures, 3, `${name}: every task failed`);
    assert.equal(result.summary.failed_attempts, 3, name);
    for (const e of closes(result)) {
      assert.equal(e.kind, 'fail', name);
      assert.match(e.detail, reason, name);
    }
    for (const e of result.events.filter((e) => e.kind === 'failed')) assert.match(e.detail, reason, name);
  }
  // The CORS refusal really was one: the server answered, the browser withheld the answer.
  assert.ok(delay.stats.paths.some((p) => p.startsWith('/no-cors?id=0&ms=50&fail=0')));

  // Timeout: the deadline drops the attempt, its AbortController aborts the request (the server
  // sees the connection go), and the lane closes with `timeout`.
  delay.reset();
  const timed = await run(page, { ...base, pattern: 'timeout', timeout: 100, min: 400, max: 400, url: `${delay.url}/delay?id={id}` });
  assert.equal(timed.summary.failures, 3);
  for (const e of closes(timed)) {
    assert.equal(e.kind, 'timeout');
    assert.equal(e.detail, 'timed out after 100 ms');
  }
  assert.ok(timed.summary.makespan_ms < 300, `the run does not wait for the aborted requests: ${timed.summary.makespan_ms}`);
  // The server hears the aborts after the run's promise: wait for them, then check none is left.
  await until(() => delay.stats.aborted >= 3, 'the 3 timed-out requests aborted');
  assert.equal(delay.stats.aborted, 3, 'each timed-out request was aborted, not left running');

  // A re-run cancels the run in progress: its requests are aborted too, and its lanes say cancel.
  delay.reset();
  await page.evaluate((url) => {
    const first = window.awaitlab.run({ pattern: 'gather', tasks: 4, min: 2000, max: 2000, source: 'fetch', url });
    window.firstRun = first.then(() => 'finished', (e) => String(e));
  }, `${delay.url}/delay?id={id}`);
  // Its 4 requests are in flight at the server: then another run cancels it.
  await until(() => delay.stats.active === 4, 'the first run\'s 4 requests in flight');
  const cancelled = await page.evaluate(() => Promise.all([window.firstRun, window.awaitlab.run({ tasks: 1, min: 1, max: 1 })]));
  assert.match(cancelled[0], /cancelled/);
  await until(() => delay.stats.aborted >= 4, 'the cancelled run\'s requests aborted');
  assert.equal(delay.stats.aborted, 4, 'the cancelled run aborted its 4 requests');

  assert.equal(await page.locator('#panic-banner').count(), 0);
  assert.deepEqual(unexpectedErrors(page), []);
  await page.close();
});

test('the pipeline fetches, processes and saves each item for real to the Origin Private File System', async () => {
  const page = await openApp(browser, server.url, 'pattern=pipeline&tasks=5&min=60&max=120&source=fetch');
  await page.setViewportSize({ width: 1200, height: 1400 });
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'), null, { timeout: 30_000 });
  const result = await run(page, { pattern: 'pipeline', tasks: 5, min: 60, max: 120, source: 'fetch' });
  const saves = closes(result, 'save');
  assert.equal(saves.length, 5);
  for (const e of saves) {
    assert.equal(e.kind, 'end');
    assert.match(e.detail, new RegExp(`^wrote \\d+ bytes to OPFS awaitlab/item-${e.task}\\.json$`));
  }
  for (const e of closes(result, 'fetch')) assert.match(e.detail, /^HTTP 200, \d+ bytes$/);
  const saved = await page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('awaitlab');
    const file = await (await dir.getFileHandle('item-3.json')).getFile();
    return JSON.parse(await file.text());
  });
  assert.equal(saved.id, '3');
  assert.equal(saved.served_by, 'awaitlab offline mock API');
  await page.waitForSelector('figure.measured');
  await page.screenshot({ path: artifactPath('fetch-pipeline-opfs.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('bad url templates are named and no request is sent', async () => {
  delay.reset();
  const page = await openApp(browser, server.url);
  const rejected = (params) => run(page, params).then(() => 'resolved', (e) => String(e.message ?? e));
  assert.match(await rejected({ source: 'fetch', url: 'ftp://example.com/{id}' }), /url must use http or https, not ftp:/);
  assert.match(await rejected({ source: 'fetch', url: 'http://exa mple.com/{id}' }), /url is not a valid URL template/);
  assert.match(await rejected({ source: 'fetch', tasks: 3, url: `${delay.url}/delay` }), /url must contain \{id\} when there is more than one task/);
  assert.equal(delay.stats.requests, 0);
  // In the form (the work's source is under "More keys"): the message sits next to the field and
  // Run is off, the status line saying why.
  await page.click('#more-keys > summary');
  await page.selectOption('#field-source', 'fetch');
  await page.fill('#field-url', 'ftp://example.com/{id}');
  assert.match(await page.textContent('#error-url'), /url must use http or https/);
  assert.equal(await page.locator('#run').isDisabled(), true);
  assert.match(await page.textContent('#status'), /^Run is off until the form's values are fixed: url must use http or https/);
  await page.press('#field-url', 'Enter');
  assert.equal(delay.stats.requests, 0);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('when the browser offers no service worker, the run fails with a plain message suggesting source=sleep', async () => {
  const context = await browser.newContext();
  // What an insecure (plain http, not localhost) page sees: no navigator.serviceWorker at all.
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/?pattern=gather&tasks=4&source=fetch`);
  await page.waitForFunction(() => typeof window.awaitlab !== 'undefined');
  const message = await run(page, { tasks: 4, source: 'fetch' }).then(() => 'resolved', (e) => String(e.message ?? e));
  assert.match(message, /offline mock API could not start: .*no service worker.*source=sleep/);
  await page.click('#run');
  await page.waitForFunction(() => /could not start/.test(document.querySelector('#status')?.textContent ?? ''));
  assert.match(await page.textContent('#status'), /Use source=sleep/);
  assert.equal(await page.locator('#panic-banner').count(), 0);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: artifactPath('fetch-no-worker.png') });
  await context.close();
});
