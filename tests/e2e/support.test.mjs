// Smoke test of the e2e plumbing itself (static server, Debian Chromium via playwright-core,
// openApp), against a tiny page in a temp dir: it does not need the app to be built.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { artifactPath, launchBrowser, openApp, startStaticServer } from './support.mjs';

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>smoke</title><link rel="stylesheet" href="style.css"></head>
<body>
  <button id="go" type="button">Go</button>
  <p id="out">waiting</p>
  <script type="module" src="app.js"></script>
</body>
</html>
`;

const APP_JS = `
const out = document.getElementById('out');
document.getElementById('go').addEventListener('click', () => {
  out.textContent = 'clicked ' + new URLSearchParams(location.search).get('n');
});
window.awaitlab = { path: location.pathname, query: location.search };
`;

function rawStatus(port, rawPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: rawPath, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
      .on('error', reject);
  });
}

describe('e2e support', () => {
  let tmp;
  let dir;
  let server;
  let browser;

  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'awaitlab-smoke-'));
    // The served root is tmp/site; tmp/secret.txt lies outside it and must stay unreachable.
    await writeFile(path.join(tmp, 'secret.txt'), 'secret');
    dir = path.join(tmp, 'site');
    await mkdir(dir);
    await writeFile(path.join(dir, 'index.html'), INDEX_HTML);
    await writeFile(path.join(dir, 'app.js'), APP_JS);
    await writeFile(path.join(dir, 'style.css'), 'body { font: 16px sans-serif; }\n#out { color: #063; }\n');
    await writeFile(path.join(dir, 'mod.wasm'), Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'data.json'), '{"ok":true}');
    server = await startStaticServer(dir);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('static server: MIME types, index fallback, 404, no escape from the root', async () => {
    const get = (p) => fetch(server.url + p);
    const type = async (p) => (await get(p)).headers.get('content-type');

    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await type('/mod.wasm'), 'application/wasm');
    assert.match(await type('/app.js'), /^text\/javascript/);
    assert.match(await type('/style.css'), /^text\/css/);
    assert.equal(await type('/sub/data.json'), 'application/json');

    for (const p of ['/', '/some/client/route', '/?x=1']) {
      const res = await get(p);
      assert.equal(res.status, 200, p);
      assert.match(res.headers.get('content-type'), /^text\/html/, p);
      assert.match(await res.text(), /<button id="go"/, p);
    }
    assert.equal((await get('/missing.png')).status, 404);
    assert.equal((await get('/favicon.ico')).status, 204);
    // fetch() would normalise dot segments itself: send the raw paths with http.get.
    for (const raw of ['/../secret.txt', '/..%2fsecret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt']) {
      assert.equal(await rawStatus(server.port, raw), 404, raw);
    }
  });

  test('Chromium: openApp waits for window.awaitlab, click changes the DOM', async () => {
    const page = await openApp(browser, server.url, 'n=7');
    try {
      assert.deepEqual(await page.evaluate(() => window.awaitlab), { path: '/', query: '?n=7' });
      assert.equal(await page.textContent('#out'), 'waiting');

      await page.click('#go');
      await page.waitForFunction(() => document.getElementById('out').textContent.startsWith('clicked'));
      assert.equal(await page.textContent('#out'), 'clicked 7');

      await page.screenshot({ path: artifactPath('support-smoke.png') });
      assert.deepEqual(page.awaitlabErrors, []);
    } finally {
      await page.close();
    }
  });

  test('openApp collects page errors and fails clearly when window.awaitlab never appears', async () => {
    // A page that throws before defining window.awaitlab, as the index of a second server.
    const brokenDir = await mkdtemp(path.join(os.tmpdir(), 'awaitlab-smoke-broken-'));
    await writeFile(path.join(brokenDir, 'index.html'), '<script>throw new Error("boom")</script>');
    const broken = await startStaticServer(brokenDir);
    try {
      await assert.rejects(openApp(browser, broken.url, '', { timeout: 1_000, screenshotOnFailure: false }), (err) => {
        assert.match(err.message, /window\.awaitlab was not defined/);
        assert.match(err.message, /boom/);
        return true;
      });
    } finally {
      await broken.close();
      await rm(brokenDir, { recursive: true, force: true });
    }
  });
});
