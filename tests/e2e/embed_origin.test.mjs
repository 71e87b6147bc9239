// Who may command an embed. A host page on one origin (localhost) frames the app (127.0.0.1) and,
// beside it, a sibling frame of the host's origin that reaches the embed through parent.frames, as
// an ad frame could. The sibling posts every command and nothing happens; the real parent still
// drives the embed and still gets its events. An origin the link allows (origin=) may drive it,
// and a run with source=fetch by message needs the link's fetch=1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { artifactPath, launchBrowser, openApp, REPO_ROOT, startStaticServer } from './support.mjs';
import { startDelayServer } from './delay_server.mjs';

const DIST = path.resolve(REPO_ROOT, process.env.AWAITLAB_DIST || 'dist');

/**
 * Serves the host and sibling pages (`pages`: path -> HTML) on 127.0.0.1; the tests reach it as
 * http://localhost:port, another origin than the app's. A real server, not a Playwright route:
 * Chromium's local network access checks block a loopback frame in a page without an address.
 */
async function startHostServer(pages) {
  const host = http.createServer((req, res) => {
    const html = pages.get(new URL(req.url, 'http://localhost').pathname);
    // Chromium asks for /favicon.ico on its own: no 404 for it (that logs a console error).
    if (html === undefined) return res.writeHead(req.url === '/favicon.ico' ? 204 : 404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${host.address().port}`,
    close: () => new Promise((resolve) => { host.close(resolve); host.closeAllConnections(); }),
  };
}

let server;
let hostServer;
const pages = new Map();
let delay;
let browser;
let app; // http://127.0.0.1:port: the embed's origin
let other; // http://localhost:port: the host's and the sibling's origin
let recordedRun; // a valid Run JSON object, for load
before(async () => {
  server = await startStaticServer(DIST);
  hostServer = await startHostServer(pages);
  delay = await startDelayServer();
  browser = await launchBrowser();
  app = server.url;
  other = hostServer.url;
  const page = await openApp(browser, app);
  recordedRun = await page.evaluate(() => window.awaitlab.run({ pattern: 'semaphore', tasks: 4, limit: 2, clock: 'virtual' }));
  await page.close();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await hostServer?.close();
  await delay?.close();
});

/** The host page: frames `embedSrc` and a sibling; records what the embed sends it in `events`. */
const hostHtml = (embedSrc, siblingSrc) => `<!doctype html><meta charset="utf-8"><title>host</title>
<iframe id="embed" src="${embedSrc.replaceAll('&', '&amp;')}" width="900" height="700"
  sandbox="allow-scripts allow-same-origin"></iframe>
<iframe id="sibling" src="${siblingSrc}" width="300" height="60"></iframe>
<script>
  window.events = [];
  const embed = document.getElementById('embed');
  const origin = new URL(embed.src).origin;
  let greeted = false;
  const hello = () => embed.contentWindow.postMessage({ type: 'awaitlab:hello' }, origin);
  embed.addEventListener('load', hello);
  addEventListener('message', (e) => {
    if (e.source !== embed.contentWindow || e.origin !== origin) return;
    window.events.push(e.data);
    if (e.data?.type === 'awaitlab:ready' && !greeted) { greeted = true; hello(); }
  });
  window.send = (m) => embed.contentWindow.postMessage(m, origin);
</script>`;

/** The sibling: posts to the embed (the host's first frame) and records what comes back. */
const SIBLING_HTML = `<!doctype html><meta charset="utf-8"><title>sibling</title><script>
  window.got = [];
  const embed = () => parent.frames[0];
  addEventListener('message', (e) => { if (e.source === embed()) window.got.push(e.data); });
  window.post = (messages) => { for (const m of messages) embed().postMessage(m, '*'); };
</script>`;

/**
 * Opens the host page on `other` with an embed of `query` (on the app's origin) and waits until
 * the host is the embed's peer (it said hello and got a height).
 */
async function openHost(query) {
  const page = await browser.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && page.errors.push(m.text()));
  pages.set('/sibling.html', SIBLING_HTML);
  pages.set('/host.html', hostHtml(`${app}/?${query}`, `${other}/sibling.html`));
  await page.goto(`${other}/host.html`);
  await waitEvent(page, 0, (e) => e.type === 'awaitlab:height');
  const embed = await (await page.$('#embed')).contentFrame();
  const sibling = await (await page.$('#sibling')).contentFrame();
  await sibling.waitForFunction(() => typeof window.post === 'function');
  return { page, embed, sibling };
}

/** The first event the host got from index `since` on that `match`es (waits up to 30 s). */
async function waitEvent(page, since, match, timeout = 30_000) {
  const handle = await page.waitForFunction(
    ([from, source]) => window.events.slice(from).find(new Function('e', `return (${source})(e)`)),
    [since, match.toString()],
    { timeout },
  );
  return handle.jsonValue();
}

const eventCount = (page) => page.evaluate(() => window.events.length);

/** Counts, inside the embed, awaitlab messages that did not come from its parent (after the app's own listener has seen them). */
async function countForeignMessages(embed) {
  await embed.evaluate(() => {
    window.foreign = 0;
    addEventListener('message', (e) => {
      if (e.source !== parent && String(e.data?.type).startsWith('awaitlab:')) window.foreign += 1;
    });
  });
}

/** What the embed shows: its URL, its runs, its replay cursor. */
const embedState = (embed) =>
  embed.evaluate(() => ({
    search: location.search,
    runs: document.querySelectorAll('.runs li').length,
    cursor: document.querySelector('#replay-cursor')?.textContent,
  }));

test('a sibling frame of another origin cannot command an embed; its parent still drives it and gets its events', async () => {
  delay.reset();
  const { page, embed, sibling } = await openHost('pattern=gather&tasks=3&seed=2&min=20&max=40&embed=1');
  // The parent runs a prediction; the replay plays to its end.
  let mark = await eventCount(page);
  await page.evaluate(() => window.send({ type: 'awaitlab:run', params: { pattern: 'gather', tasks: 3, seed: 2, min: 20, max: 40, clock: 'virtual' } }));
  const first = await waitEvent(page, mark, (e) => e.type === 'awaitlab:finished');
  await embed.waitForFunction(() => /^event (\d+) of \1$/.test(document.querySelector('#replay-cursor')?.textContent ?? ''));
  const before = await embedState(embed);

  await countForeignMessages(embed);
  const attack = [
    { type: 'awaitlab:hello' },
    { type: 'awaitlab:set', params: { tasks: 9 } },
    { type: 'awaitlab:seek', ms: 0 },
    { type: 'awaitlab:play' },
    { type: 'awaitlab:pause' },
    { type: 'awaitlab:run', params: { pattern: 'sequential', tasks: 7, clock: 'virtual' } },
    { type: 'awaitlab:run', params: { pattern: 'gather', tasks: 2, source: 'fetch', url: `${delay.url}/delay?id={id}` } },
    { type: 'awaitlab:load', run: recordedRun },
    { type: 'awaitlab:eval', code: '1' },
  ];
  await sibling.evaluate((messages) => window.post(messages), attack);
  // Each message has reached the embed's app listener (registered before this counter's).
  await embed.waitForFunction((n) => window.foreign === n, attack.length, { timeout: 10_000 });
  assert.deepEqual(await embedState(embed), before, 'no set, seek, play, run or load took effect');

  // The parent is still the peer: a run that joins the embed's history from inside (its own
  // script) is reported to it, and so is a change of the embed's height.
  mark = await eventCount(page);
  await embed.evaluate((run) => window.awaitlab.load(run), recordedRun);
  const second = await waitEvent(page, mark, (e) => e.type === 'awaitlab:finished');
  assert.equal(second.run, first.run + 1, 'no run was added in between');
  // The reader's Run button works in the snippet's sandbox (no allow-forms), reported to the parent.
  mark = await eventCount(page);
  await embed.click('#run');
  assert.equal((await waitEvent(page, mark, (e) => e.type === 'awaitlab:finished')).run, first.run + 2);
  mark = await eventCount(page);
  await page.evaluate(() => { document.getElementById('embed').width = '420'; });
  await waitEvent(page, mark, (e) => e.type === 'awaitlab:height');

  // And it still drives the embed: run, then seek.
  mark = await eventCount(page);
  await page.evaluate(() => window.send({ type: 'awaitlab:run', params: { pattern: 'sequential', tasks: 5, min: 10, max: 20, clock: 'virtual' } }));
  const third = await waitEvent(page, mark, (e) => e.type === 'awaitlab:finished');
  assert.equal(third.run, first.run + 3);
  assert.equal(third.summary.tasks, 5);
  assert.match(await embed.evaluate(() => location.search), /pattern=sequential/);
  await page.evaluate(() => window.send({ type: 'awaitlab:seek', ms: 0 }));
  await embed.waitForFunction(() => /^event [01] of/.test(document.querySelector('#replay-cursor')?.textContent ?? ''));

  assert.deepEqual(await sibling.evaluate(() => window.got), [], 'the sibling got no reply: no ready, no error, no events');
  assert.equal(delay.stats.requests, 0, 'the sibling made the embed request nothing');
  await page.screenshot({ path: artifactPath('embed-origin-parent.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an origin the link allows (origin=) can drive the embed', async () => {
  const { page, embed, sibling } = await openHost(`pattern=gather&tasks=3&seed=2&embed=1&origin=${encodeURIComponent(other)}`);
  await sibling.evaluate(() => window.post([{ type: 'awaitlab:hello' }]));
  await sibling.waitForFunction(() => window.got.some((e) => e.type === 'awaitlab:ready'));
  await sibling.evaluate((run) => window.post([{ type: 'awaitlab:load', run }]), recordedRun);
  const finished = await sibling.waitForFunction(() => window.got.find((e) => e.type === 'awaitlab:finished')).then((h) => h.jsonValue());
  assert.equal(finished.summary.peak_concurrency, 2);
  await sibling.evaluate(() => window.post([{ type: 'awaitlab:run', params: { pattern: 'sequential', tasks: 4, clock: 'virtual' } }]));
  await embed.waitForFunction(() => new URLSearchParams(location.search).get('tasks') === '4');
  // The allowed origin stays in the embed's URL after it rewrote its scenario.
  assert.equal(new URLSearchParams(await embed.evaluate(() => location.search)).get('origin'), other);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a run with source=fetch by message needs the embed link to allow fetch', async () => {
  const params = { pattern: 'gather', tasks: 3, min: 20, max: 40, source: 'fetch', url: `${delay.url}/delay?id={id}` };
  delay.reset();
  const closed = await openHost('pattern=gather&tasks=3&seed=2&embed=1');
  const before = await embedState(closed.embed);
  let mark = await eventCount(closed.page);
  await closed.page.evaluate((p) => window.send({ type: 'awaitlab:run', params: p }), params);
  const refused = await waitEvent(closed.page, mark, (e) => e.type === 'awaitlab:error' || e.type === 'awaitlab:finished');
  assert.equal(refused.type, 'awaitlab:error');
  assert.equal(refused.command, 'run');
  assert.match(refused.message, /fetch=1/);
  // A set cannot prepare it either.
  mark = await eventCount(closed.page);
  await closed.page.evaluate((p) => window.send({ type: 'awaitlab:set', params: { source: p.source, url: p.url } }), params);
  assert.match((await waitEvent(closed.page, mark, (e) => e.type === 'awaitlab:error')).message, /fetch=1/);
  assert.deepEqual(await embedState(closed.embed), before);
  assert.equal(delay.stats.requests, 0);
  assert.deepEqual(closed.page.errors, []);
  await closed.page.close();

  // The same run in an embed whose link says fetch=1.
  const open = await openHost('pattern=gather&tasks=3&seed=2&embed=1&fetch=1');
  mark = await eventCount(open.page);
  await open.page.evaluate((p) => window.send({ type: 'awaitlab:run', params: p }), params);
  const finished = await waitEvent(open.page, mark, (e) => e.type === 'awaitlab:finished' || e.type === 'awaitlab:error');
  assert.equal(finished.type, 'awaitlab:finished', JSON.stringify(finished));
  assert.equal(finished.summary.failures, 0);
  assert.equal(delay.stats.requests, 3);
  assert.deepEqual(open.page.errors, []);
  await open.page.close();
});

test('a posted run or set is refused as awaitlab.run refuses it: NaN, Infinity and a Map are named, not run as the defaults', async () => {
  // As JSON text NaN and Infinity were null (the key's default) and a Map {}: tasks: NaN ran 10
  // tasks, fail: Infinity a retry with nothing failing, and a set of them changed nothing, unanswered.
  const { page, embed } = await openHost('pattern=gather&tasks=4&seed=2&fail=0.5&embed=1');
  const before = await embedState(embed);
  const cases = [
    ['run', { tasks: NaN, clock: 'virtual' }, /^tasks must be a whole number from 1 to 100000 \(got "NaN"\)/],
    ['run', { pattern: 'retry', fail: Infinity, clock: 'virtual' }, /^fail must be a number from 0 to 1 \(got "Infinity"\)/],
    ['run', { tasks: -Infinity }, /^tasks must be a whole number/],
    ['run', 'map', /^params must be an object like .*, not a Map$/],
    ['run', { tasks: new Array(100_000).fill(1) }, /^tasks must be a number or a string$/],
    ['set', { tasks: NaN, fail: Infinity }, /tasks must be a whole number.*; fail must be a number from 0 to 1/],
  ];
  for (const [command, params, message] of cases) {
    const mark = await eventCount(page);
    await page.evaluate(([type, p]) => window.send({ type, params: p === 'map' ? new Map([['tasks', 3]]) : p }), [`awaitlab:${command}`, params]);
    const reply = await waitEvent(page, mark, (e) => ['awaitlab:error', 'awaitlab:finished'].includes(e.type));
    assert.equal(reply.type, 'awaitlab:error', `${command} ${JSON.stringify(params)}: ${JSON.stringify(reply)}`);
    assert.equal(reply.command, command);
    assert.match(reply.message, message);
  }
  // The same values through window.awaitlab get the same words.
  const api = await embed.evaluate(() => window.awaitlab.summary({ tasks: NaN }).catch((e) => e.message));
  assert.match(api, /tasks must be a whole number from 1 to 100000 \(got "NaN"\)/);
  assert.deepEqual(await embedState(embed), before);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a host that answers every ready with a hello (the README snippet until 2026-12) does not loop with the embed', async () => {
  // That snippet, as hosts copied it: each `ready` gets a hello back.
  pages.set(
    '/eager.html',
    `<!doctype html><meta charset="utf-8"><title>eager host</title>
<iframe id="embed" src="${app}/?v=1&amp;pattern=semaphore&amp;tasks=8&amp;limit=3&amp;embed=1" width="700" height="460"></iframe>
<script>
  window.events = [];
  const frame = document.getElementById('embed');
  const origin = new URL(frame.src).origin;
  const hello = () => frame.contentWindow.postMessage({ type: 'awaitlab:hello' }, origin);
  frame.addEventListener('load', hello);
  addEventListener('message', (e) => {
    if (e.source !== frame.contentWindow || e.origin !== origin) return;
    window.events.push(e.data);
    if (e.data?.type === 'awaitlab:ready') hello();
    if (e.data?.type === 'awaitlab:height') frame.style.height = e.data.height + 'px';
  });
  window.send = (m) => frame.contentWindow.postMessage(m, origin);
</script>`,
  );
  const page = await browser.newPage();
  await page.goto(`${other}/eager.html`);
  await waitEvent(page, 0, (e) => e.type === 'awaitlab:height');
  // Two commands the embed refuses, one after the other: in a loop, every round trip between
  // their answers brings one more `ready`.
  const answered = async (n) => {
    await page.evaluate(() => window.send({ type: 'awaitlab:seek', ms: -1 }));
    const handle = await page.waitForFunction(
      (count) => {
        const at = window.events.flatMap((e, i) => (e.type === 'awaitlab:error' ? [i] : []));
        return at.length >= count && at[count - 1] + 1;
      },
      n,
      { timeout: 10_000 },
    );
    return handle.jsonValue();
  };
  const first = await answered(1);
  const second = await answered(2);
  const events = await page.evaluate(() => window.events.map((e) => e.type));
  assert.deepEqual(events.slice(first, second - 1).filter((t) => t === 'awaitlab:ready'), [], 'ready after ready: a loop');
  assert.ok(events.filter((t) => t === 'awaitlab:ready').length <= 2, `${events.length} events: ${events.slice(0, 12)}`);
  assert.ok(events.includes('awaitlab:height'), 'the host still gets the height');
  await page.close();
});

test('a run that a newer one cancels is answered too: an error with cancelled: true, so a host waiting for a reply never hangs', async () => {
  const { page, embed } = await openHost('pattern=gather&tasks=3&seed=2&embed=1');
  const mark = await eventCount(page);
  const slow = { pattern: 'gather', tasks: 3, min: 3000, max: 3000 };
  await page.evaluate((p) => window.send({ type: 'awaitlab:run', params: p }), slow);
  await embed.waitForFunction(() => /^Running…/.test(document.querySelector('#status')?.textContent ?? ''));
  await page.evaluate(() => window.send({ type: 'awaitlab:run', params: { pattern: 'sequential', tasks: 2, min: 20, max: 40 } }));
  const replies = async () => (await page.evaluate((from) => window.events.slice(from), mark)).filter((e) => ['awaitlab:error', 'awaitlab:finished'].includes(e.type));
  await waitEvent(page, mark, (e) => e.type === 'awaitlab:finished');
  const [cancelled, finished, ...rest] = await replies();
  assert.deepEqual(
    { type: cancelled?.type, command: cancelled?.command, cancelled: cancelled?.cancelled },
    { type: 'awaitlab:error', command: 'run', cancelled: true },
    JSON.stringify(cancelled),
  );
  assert.match(cancelled.message, /the run was cancelled before it finished: another run started/);
  assert.equal(finished.type, 'awaitlab:finished');
  assert.equal(finished.summary.tasks, 2, 'the newer run, whole');
  assert.deepEqual(rest, []);

  // Cancelled from inside the embed (its own Run button would do the same): answered as well.
  const again = await eventCount(page);
  await page.evaluate((p) => window.send({ type: 'awaitlab:run', params: p }), slow);
  await embed.waitForFunction(() => /^Running…/.test(document.querySelector('#status')?.textContent ?? ''));
  await embed.evaluate(() => window.awaitlab.run({ pattern: 'gather', tasks: 1, min: 10, max: 10 }));
  const answer = await waitEvent(page, again, (e) => e.type === 'awaitlab:error');
  assert.equal(answer.cancelled, true);
  assert.deepEqual(page.errors, []);
  await page.close();
});
