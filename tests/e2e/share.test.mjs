// Share, embed, export and import, as a tutorial author uses them: export a run and import it back,
// open the Chrome trace as Trace Event JSON, embed demos in a page from a sub-path and drive one
// through postMessage, and throw hostile files and messages at it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import path from 'node:path';
import { createRequire } from 'node:module';
import { artifactPath, launchBrowser, openApp, REPO_ROOT, startStaticServer, startSubPathServer } from './support.mjs';

const DIST = path.resolve(REPO_ROOT, process.env.AWAITLAB_DIST || 'dist');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The page's header is out of sight in an embed, but its h1 is still there for screen readers. */
async function assertHeaderOnlyForScreenReaders(frame) {
  const box = await frame.locator('header.top').boundingBox();
  assert.ok(box && box.width <= 1 && box.height <= 1, `the header takes ${JSON.stringify(box)}`);
  assert.equal((await frame.locator('h1').textContent()).trim(), 'awaitlab');
}

let server;
let subServer;
let browser;
before(async () => {
  server = await startStaticServer(DIST);
  // The same build served from a sub-path: http://host/awaitlab/.
  subServer = await startSubPathServer('awaitlab', DIST);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await subServer?.close();
});

async function finishedRun(query) {
  const page = await openApp(browser, server.url, query);
  await page.setViewportSize({ width: 1200, height: 1100 });
  await page.click('#run');
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  return page;
}

async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** What the replay shows: its cursor line, the log and the measured bars, at a few instants. */
async function replayPicture(page) {
  const shots = [];
  for (const key of ['Home', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'End']) {
    await page.focus('section.replay');
    await page.keyboard.press(key);
    shots.push({
      cursor: await page.locator('#replay-cursor').textContent(),
      log: await page.locator('#replay-log').textContent(),
      bars: await page.locator('figure.measured rect.bar').evaluateAll((rs) => rs.map((r) => [r.getAttribute('x'), r.getAttribute('width')].join())),
    });
  }
  return shots;
}

test('export the Run JSON, import it back: the same run replays identically', async () => {
  const page = await finishedRun('pattern=retry&tasks=5&fail=0.5&retries=2&seed=4&min=30&max=80');
  const before = await replayPicture(page);
  const json = await download(page, '#export-json');
  assert.match(json.name, /^awaitlab-retry-seed4\.json$/);
  const run = JSON.parse(json.text);
  assert.equal(run.format, 'awaitlab-run');
  const runsBefore = await page.locator('.runs li').count();

  const file = artifactPath('exported-run.json');
  writeFileSync(file, json.text);
  await page.setInputFiles('#import-file', file);
  await page.waitForFunction(() => /^Run #\d+ was imported from exported-run\.json: /.test(document.querySelector('#status')?.textContent ?? ''));
  assert.equal(await page.locator('.runs li').count(), runsBefore + 1);
  const after = await replayPicture(page);
  assert.deepEqual(after, before);
  await page.screenshot({ path: artifactPath('share-export-import.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
});

test('an imported run is shown as what it is: its values in the form, the heading and the link, its figures beside its prediction', async () => {
  const source = await finishedRun('pattern=retry&tasks=6&fail=0.5&retries=3&seed=4&min=30&max=80');
  const json = await download(source, '#export-json');
  const run = JSON.parse(json.text);
  await source.close();
  const file = artifactPath('imported-retry.json');
  writeFileSync(file, json.text);

  // A fresh page on another scenario (the default: gather of 10).
  const page = await openApp(browser, server.url, '');
  await page.setInputFiles('#import-file', file);
  await page.waitForFunction(() => /^Run #1 was imported from imported-retry\.json: /.test(document.querySelector('#status')?.textContent ?? ''));
  const shown = await page.evaluate(() => ({
    pattern: document.querySelector('#field-pattern').value,
    tasks: document.querySelector('#field-tasks').value,
    heading: document.querySelector('section.intro h2').textContent,
    makespan: [...document.querySelectorAll('[data-figure="makespan"] span')].map((s) => s.className),
  }));
  assert.deepEqual([shown.pattern, shown.tasks], ['retry', '6']);
  assert.match(shown.heading, /retr/i);
  assert.deepEqual(shown.makespan, ['predicted', 'measured'], 'its measured figures beside its prediction');
  const measured = await page.locator('[data-figure="makespan"] .measured').textContent();
  const row = await page.locator('.runs li label').first().textContent();
  assert.ok(row.endsWith(` — ${measured}`), `${measured} is the imported run's makespan (${row})`);
  const link = await page.evaluate(() => Object.fromEntries(new URLSearchParams(location.search)));
  for (const key of ['pattern', 'tasks', 'fail', 'retries', 'seed', 'min', 'max']) {
    assert.equal(link[key], String(run.scenario.params[key]), `the address bar's ${key}`);
  }
  await page.screenshot({ path: artifactPath('share-imported-run.png') });

  // awaitlab.load does the same, and says so.
  await page.evaluate((text) => window.awaitlab.load(text), json.text);
  await page.waitForFunction(() => /^Run #2 was loaded from a Run JSON: /.test(document.querySelector('#status')?.textContent ?? ''));
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the Chrome trace is Trace Event JSON with a track per task and a concurrency counter; the SVG stands alone', async () => {
  const page = await finishedRun('pattern=semaphore&tasks=6&limit=2&seed=1&min=30&max=60');
  const trace = await download(page, '#export-trace');
  assert.match(trace.name, /\.trace\.json$/);
  const { traceEvents } = JSON.parse(trace.text);
  assert.ok(Array.isArray(traceEvents));
  const threads = traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid);
  assert.deepEqual(threads, [1, 2, 3, 4, 5, 6]);
  const work = traceEvents.filter((e) => e.ph === 'X' && e.name === 'work');
  assert.equal(work.length, 6);
  assert.ok(work.every((e) => e.pid === 1 && e.dur >= 30_000 && Number.isFinite(e.ts)), 'µs spans');
  const counter = traceEvents.filter((e) => e.ph === 'C' && e.name === 'concurrency');
  assert.equal(Math.max(...counter.map((e) => e.args.in_flight)), 2);

  const svg = await download(page, '#export-svg');
  assert.ok(svg.text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  const svgPage = await browser.newPage();
  await svgPage.setContent(`<img id="i" src="data:image/svg+xml;base64,${Buffer.from(svg.text).toString('base64')}">`);
  const width = await svgPage.locator('#i').evaluate((img) => img.decode().then(() => img.naturalWidth));
  assert.equal(width, 960);
  await svgPage.close();
  assert.deepEqual(page.awaitlabErrors, []);
});

test('a Run JSON dropped on the page is imported; a dropped bad file is refused', async () => {
  const page = await finishedRun('pattern=sequential&tasks=3&seed=6&min=20&max=40');
  const runs = await page.locator('.runs li').count();
  const json = await download(page, '#export-json');
  const drop = (name, text) =>
    page.evaluate(([n, t]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([t], n, { type: 'application/json' }));
      document.querySelector('main').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [name, text]);
  await drop('dropped.json', json.text);
  await page.waitForFunction(() => /was imported from dropped\.json: /.test(document.querySelector('#status')?.textContent ?? ''));
  assert.equal(await page.locator('.runs li').count(), runs + 1);
  await drop('bad.json', '{"format":"awaitlab-run","version":1,"events":[');
  await page.waitForSelector('#import-error');
  assert.match(await page.locator('#import-error').textContent(), /bad\.json could not be imported: not valid JSON/);
  assert.equal(await page.locator('.runs li').count(), runs + 1);
  // Said where a drop leaves the eyes: the status line, on the first screen, no longer claiming
  // the earlier import as the latest thing that happened.
  await page.evaluate(() => window.scrollTo(0, 0));
  const status = page.locator('#status');
  await page.waitForFunction(() => /^bad\.json could not be imported: not valid JSON.*The runs already here are unchanged\.$/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 5_000 }).catch(() => {});
  assert.match(await status.textContent(), /^bad\.json could not be imported: not valid JSON.*The runs already here are unchanged\.$/);
  const box = await status.boundingBox();
  assert.ok(box && box.y + box.height <= page.viewportSize().height, `the status line is on the first screen: ${JSON.stringify(box)}`);
  await page.screenshot({ path: artifactPath('share-drop-error-first-screen.png') });
  await page.locator('section.share').screenshot({ path: artifactPath('share-drop-error.png') });
  assert.deepEqual(page.awaitlabErrors, []);
});

test('an import is said once, by the status line: the share panel adds no message of its own and clears its last error', async () => {
  const page = await finishedRun('pattern=gather&tasks=3&seed=5&min=20&max=40');
  const json = await download(page, '#export-json');
  const bad = artifactPath('said-once-bad.json');
  writeFileSync(bad, '{"format":"awaitlab-run","version":1,"scen');
  await page.setInputFiles('#import-file', bad);
  await page.waitForSelector('#import-error');
  const good = artifactPath('said-once.json');
  writeFileSync(good, json.text);
  await page.setInputFiles('#import-file', good);
  await page.waitForFunction(() => /^Run #\d+ was imported from said-once\.json: /.test(document.querySelector('#status')?.textContent ?? ''));
  assert.equal(await page.locator('section.share p').count(), 0, await page.locator('section.share').textContent());
  const said = await page.evaluate(() => document.body.innerText.match(/imported/gi)?.length ?? 0);
  assert.equal(said, 1, 'the import is said once on the page');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('an invalid import shows a clear error and keeps the runs already there', async () => {
  const page = await finishedRun('pattern=gather&tasks=3&seed=2&min=20&max=40');
  const runs = await page.locator('.runs li').count();
  const cursor = await page.locator('#replay-cursor').textContent();
  const cases = [
    ['truncated.json', '{"format":"awaitlab-run","version":1,"scen', /not valid JSON/],
    ['future.json', '{"format":"awaitlab-run","version":7}', /version 7 is newer/],
    ['script.json', '"<img src=x onerror=window.pwned=1>"', /not a JSON object/],
    ['deep.json', '['.repeat(5000) + ']'.repeat(5000), /not a JSON object/],
  ];
  for (const [name, text, message] of cases) {
    const file = artifactPath(`bad-${name}`);
    writeFileSync(file, text);
    await page.setInputFiles('#import-file', file);
    await page.waitForFunction((n) => document.querySelector('#import-error')?.textContent.includes(n), name);
    assert.match(await page.locator('#import-error').textContent(), message);
    assert.equal(await page.locator('.runs li').count(), runs);
    assert.equal(await page.locator('#replay-cursor').textContent(), cursor);
  }
  await page.screenshot({ path: artifactPath('share-import-error.png'), fullPage: true });
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(page.awaitlabErrors, []);
});

test('Copy link and Embed give a link and an iframe snippet for the current scenario', async () => {
  const page = await openApp(browser, server.url, 'pattern=semaphore&tasks=7&limit=2&seed=9');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
  await page.click('#copy-link');
  const link = await page.locator('#share-link').inputValue();
  // The address bar follows valid edits too (the seed is one of the keys under "More keys").
  await page.click('#more-keys > summary');
  await page.fill('input[type=text][name=seed]', '21');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('seed') === '21');
  assert.match(link, /\?v=1&pattern=semaphore/);
  assert.match(link, /tasks=7/);
  await page.click('#embed-toggle');
  const snippet = await page.locator('#embed-code').inputValue();
  assert.match(snippet, /^<iframe src="[^"]+embed=1" title="awaitlab: [^"]+" loading="lazy" sandbox="allow-scripts allow-same-origin" width="100%"/);
  await page.screenshot({ path: artifactPath('share-embed-snippet.png'), fullPage: true });
  // The link reproduces the scenario.
  const again = await browser.newPage();
  await again.goto(link);
  await again.waitForFunction(() => typeof window.awaitlab !== 'undefined');
  assert.equal(await again.evaluate(() => new URLSearchParams(location.search).get('limit')), '2');
  assert.match(await again.locator('h2').first().textContent(), /semaphore/i);
  await again.close();
  assert.deepEqual(page.awaitlabErrors, []);
});

test("after a script's awaitlab.run, the form, the address bar, Copy link and Embed give the run on screen", async () => {
  // They kept the form's gather ×3 while the page showed the script's semaphore run.
  const page = await openApp(browser, server.url, 'pattern=gather&tasks=3&seed=5');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
  await page.evaluate(() => window.awaitlab.run({ pattern: 'semaphore', tasks: 6, limit: 2, seed: 8, min: 50, max: 150 }));
  await page.waitForSelector('#replay-toggle');
  assert.equal(await page.inputValue('#field-pattern'), 'semaphore');
  assert.equal(await page.inputValue('#field-limit'), '2');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('limit') === '2');
  assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get('pattern')), 'semaphore');
  await page.click('#copy-link');
  const link = await page.locator('#share-link').inputValue();
  assert.match(link, /pattern=semaphore/);
  assert.match(link, /[?&]tasks=6&/);
  assert.match(link, /[?&]seed=8(&|$)/);
  await page.click('#embed-toggle');
  assert.match(await page.locator('#embed-code').inputValue(), /pattern=semaphore/);
  assert.doesNotMatch(await page.textContent('#status'), /other values/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a learner who set 7 tasks, then chose the breakfast, shares a link that opens without an "Ignored" notice', async () => {
  const page = await openApp(browser, server.url, 'pattern=gather&tasks=7&min=50');
  await page.selectOption('#field-preset', 'breakfast');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('preset') === 'breakfast');
  // The address bar keeps the 7 tasks for a reload (the form has them for a switch back).
  assert.equal(await page.evaluate(() => new URLSearchParams(location.search).get('tasks')), '7');
  await page.click('#copy-link');
  const link = await page.locator('#share-link').inputValue();
  assert.match(link, /preset=breakfast/);
  assert.match(link, /tasks=10&/, link);
  assert.doesNotMatch(link, /min=50/, link);
  const again = await openApp(browser, link.split('?')[0], link.split('?')[1]);
  assert.equal(await again.locator('#url-notice').count(), 0, await again.locator('#url-notice').allTextContents().then(String));
  assert.equal(await again.locator('#field-preset').inputValue(), 'breakfast');
  await again.close();
  assert.deepEqual(page.awaitlabErrors, []);
});

test('Copy link of a long program says when the link is longer than common servers take', async () => {
  // 360 lines of random hex: the link is about 10,000 characters (a short program's is not noted).
  const hex = (i) => createHash('sha256').update(String(i)).digest('hex').slice(0, 32);
  const lines = Array.from({ length: 360 }, (_, i) => `    print("${hex(i)}")`).join('\n');
  const program = `import asyncio\n\nasync def main():\n${lines}\n\nasyncio.run(main())\n`;
  const long = `pattern=code&code=!${deflateRawSync(Buffer.from(program)).toString('base64url')}`;
  for (const [query, noted] of [[long, true], ['pattern=semaphore&tasks=5&limit=2', false]]) {
    const page = await openApp(browser, server.url, query);
    await page.click('#copy-link');
    const said = await page.locator('#share-message').textContent();
    const chars = (await page.locator('#share-link').inputValue()).length;
    assert.equal(/characters long: some servers refuse addresses over 8,000/.test(said), noted, `${chars} characters: ${said}`);
    assert.equal(chars > 8000, noted, `${chars} characters`);
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  }
});

test('embed=1 shows the demo only, autoplays, follows theme and hides controls with controls=0', async () => {
  const page = await openApp(browser, server.url, 'pattern=gather&tasks=6&seed=3&min=20&max=60&embed=1&autoplay=1&theme=dark&controls=0&speed=0.25');
  await page.setViewportSize({ width: 800, height: 700 });
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  await assertHeaderOnlyForScreenReaders(page);
  assert.equal(await page.locator('.history').isVisible(), false);
  assert.equal(await page.locator('form.controls').isVisible(), false);
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(18, 21, 26)');
  assert.match(page.url(), /embed=1/, 'the URL keeps the view keys after the run');
  await page.waitForFunction(() => document.querySelector('#replay-speed')?.value === '0.25');
  await page.screenshot({ path: artifactPath('share-embed-dark.png'), fullPage: true });
  // Every impact level: an embed is what a tutorial's readers meet (it had no h1: moderate).
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => `${v.impact} ${v.id}: ${v.nodes.length}`),
  );
  assert.deepEqual(violations, []);
  assert.deepEqual(page.awaitlabErrors, []);
});

test('the tutorial page names its icon, served beside it from a sub-path', async () => {
  // Without a link the browser asked for /favicon.ico, which a static host answers with a 404.
  const page = await browser.newPage();
  await page.goto(`${subServer.url}/awaitlab/tutorial.html`, { waitUntil: 'domcontentloaded' });
  const icon = await page.evaluate(() => document.querySelector('link[rel~="icon"]')?.href);
  assert.equal(icon, `${subServer.url}/awaitlab/favicon.svg`);
  const served = await page.evaluate(async (url) => {
    const r = await fetch(url);
    return { status: r.status, type: r.headers.get('content-type') };
  }, icon);
  assert.deepEqual(served, { status: 200, type: 'image/svg+xml' });
  await page.close();
});

test('the tutorial page from a sub-path: iframes load, size themselves and obey postMessage', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`${subServer.url}/awaitlab/tutorial.html`);
  for (const id of ['demo-sequential', 'demo-gather', 'demo-semaphore', 'demo-retry', 'demo-driven']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    // Sized from its awaitlab:height messages (the page's default is 420px).
    await page.waitForFunction((i) => /^\d+px$/.test(document.getElementById(i).style.height), id, { timeout: 30_000 });
  }
  const gather = page.frameLocator('#demo-gather');
  await gather.locator('#replay-toggle').waitFor({ timeout: 30_000 });
  await assertHeaderOnlyForScreenReaders(gather);

  // Driven: run, then the embed reports finished; seek moves its replay.
  await page.click('#drive-sequential');
  await page.waitForFunction(() => document.getElementById('driver-log').textContent.includes('finished'), null, { timeout: 30_000 });
  const driven = page.frameLocator('#demo-driven');
  await driven.locator('#replay-toggle').waitFor();
  const total = async () => Number((await driven.locator('#replay-cursor').textContent()).match(/of (\d+)/)[1]);
  const cursor = async () => Number((await driven.locator('#replay-cursor').textContent()).match(/event (\d+)/)[1]);
  const all = await total();
  await page.click('#drive-start');
  await page.waitForFunction(() => true);
  await driven.locator('#replay-cursor').filter({ hasText: /^event [01] of/ }).waitFor({ timeout: 5000 });
  await page.click('#drive-middle');
  await driven.locator('#replay-cursor').filter({ hasNotText: /^event [01] of/ }).waitFor({ timeout: 5000 });
  const middle = await cursor();
  assert.ok(middle > 1 && middle < all, `seek to 100 ms: event ${middle} of ${all}`);
  await page.click('#drive-play');
  await driven.locator('#replay-cursor').filter({ hasText: `event ${all} of ${all}` }).waitFor({ timeout: 10_000 });
  // Play then pause at once: the replay stops near the start and stays there.
  await page.click('#drive-start');
  await page.click('#drive-play');
  await page.click('#drive-pause');
  await page.waitForTimeout(400);
  const paused = await cursor();
  await page.waitForTimeout(400);
  assert.equal(await cursor(), paused);
  assert.ok(paused < all, `paused at event ${paused} of ${all}`);
  assert.match(await driven.locator('#replay-toggle').textContent(), /Play/);
  const height = await page.locator('#demo-driven').evaluate((f) => parseInt(f.style.height, 10));
  assert.ok(height > 200, `driven embed sized to ${height}px`);
  await page.locator('#demo-gather').scrollIntoViewIfNeeded();
  await page.screenshot({ path: artifactPath('share-tutorial.png'), fullPage: true });
  assert.deepEqual(errors, []);
});

test('autoplaying embeds wait until they are scrolled to, and measure one at a time', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Only the first pair of demos is on screen.
  await page.setViewportSize({ width: 1100, height: 500 });
  await page.goto(`${server.url}/tutorial.html`);
  // The host page shares the embeds' origin, so it sees their Web Locks: sample them every frame.
  await page.evaluate(() => {
    window.lockSamples = { maxHeld: 0, sawWaiting: false };
    const sample = async () => {
      const { held, pending } = await navigator.locks.query();
      const ours = (l) => l.name === 'awaitlab-live-run';
      window.lockSamples.maxHeld = Math.max(window.lockSamples.maxHeld, held.filter(ours).length);
      window.lockSamples.sawWaiting ||= pending.some(ours);
      requestAnimationFrame(sample);
    };
    sample();
  });
  for (const id of ['demo-sequential', 'demo-gather']) {
    await page.frameLocator(`#${id}`).locator('#replay-toggle').waitFor({ timeout: 30_000 });
  }
  const samples = await page.evaluate(() => window.lockSamples);
  assert.equal(samples.maxHeld, 1, 'never two live runs at once');
  // Whether a wait is *seen* depends on load: the gather demo runs ~160 ms, so when it takes the lock
  // first and the other frame asks only after it is done, nobody waits (seen under load, about 1 run
  // in 4). The rule itself is the line above: never two live runs at once, and both ran.
  if (!samples.sawWaiting) console.log('autoplay: the two demos did not overlap this time (no wait to see)');

  // The semaphore demo has loaded (lazy iframes load well before they are on screen) but not run.
  const semaphore = page.frameLocator('#demo-semaphore');
  await semaphore.locator('#status').waitFor({ timeout: 30_000 });
  assert.match(await semaphore.locator('#status').textContent(), /^Press Run/);
  assert.equal(await semaphore.locator('#replay-toggle').count(), 0);
  await page.locator('#demo-semaphore').scrollIntoViewIfNeeded();
  await semaphore.locator('#replay-toggle').waitFor({ timeout: 30_000 });
  assert.match(await semaphore.locator('#status').textContent(), /^Finished: 8 tasks/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('hostile postMessage payloads get an error event and change nothing', async () => {
  const page = await finishedRun('pattern=gather&tasks=3&seed=2&min=20&max=40');
  const runs = await page.locator('.runs li').count();
  const search = await page.evaluate(() => location.search);
  // Messages posted by the page to itself: event.source is this window, so errors come back here.
  const replies = await page.evaluate(async () => {
    const got = [];
    window.addEventListener('message', (e) => { if (e.data?.type === 'awaitlab:error') got.push(e.data.message); });
    const send = (m) => window.postMessage(m, '*');
    send({ type: 'awaitlab:eval', code: 'window.pwned = 1' });
    send({ type: 'awaitlab:run', params: { tasks: 'NaN' } });
    send({ type: 'awaitlab:run', params: { tasks: 1e308, pattern: '<script>window.pwned=1</script>' } });
    send({ type: 'awaitlab:run', params: [1, 2] });
    send({ type: 'awaitlab:seek', ms: -5 });
    send({ type: 'awaitlab:seek', ms: 'soon' });
    send({ type: 'awaitlab:set', params: { limit: 0 } });
    send({ type: 'awaitlab:load', run: '{"format":"awaitlab-run","version":99}' });
    send({ type: 'awaitlab:load', run: { format: 'awaitlab-run', version: 1, events: 'x'.repeat(10) } });
    let deep = {}; for (let i = 0; i < 500; i++) deep = { a: deep };
    send({ type: 'awaitlab:run', params: deep });
    send({ type: 'awaitlab:run', params: { url: 'x'.repeat(100000) } });
    send({ type: 'not-ours', anything: 1 });
    send('just a string');
    // Commands are answered in order: once this last one's reply is in, every earlier one's is.
    const last = new Promise((resolve) => window.addEventListener('message', (e) => /sentinel/.test(e.data?.message) && resolve()));
    send({ type: 'awaitlab:sentinel' });
    await last;
    return got.filter((m) => !/sentinel/.test(m));
  });
  assert.equal(replies.length, 11, replies.join('\n'));
  assert.match(replies[0], /unknown command/);
  assert.match(replies[1], /tasks/);
  assert.match(replies[4], /seek needs ms/);
  assert.match(replies[7], /version 99/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator('.runs li').count(), runs);
  assert.equal(await page.evaluate(() => location.search), search);

  // The same channel still obeys good commands: load a run, set a field.
  const run = await page.evaluate(() => window.awaitlab.run({ pattern: 'semaphore', tasks: 4, limit: 2, clock: 'virtual' }));
  const finished = await page.evaluate(async (r) => {
    const got = new Promise((resolve) => window.addEventListener('message', (e) => e.data?.type === 'awaitlab:finished' && resolve(e.data)));
    window.postMessage({ type: 'awaitlab:load', run: r }, '*');
    return got;
  }, run);
  assert.equal(finished.summary.peak_concurrency, 2);
  assert.equal(await page.locator('.runs li').count(), runs + 1);
  await page.evaluate(() => window.postMessage({ type: 'awaitlab:set', params: { tasks: 9 } }, '*'));
  await page.waitForFunction(() => new URLSearchParams(location.search).get('tasks') === '9');
  assert.deepEqual(page.awaitlabErrors, []);
});

test('a link reproduces the same seeded virtual run in a fresh page; hostile link values run nothing', async () => {
  const link = 'v=1&pattern=retry&tasks=6&fail=0.4&retries=3&backoff=exponential&delay=20&seed=12&min=20&max=90';
  const picture = async () => {
    const page = await openApp(browser, server.url, link);
    const bars = await page.locator('figure.predicted').first().innerHTML();
    const events = await page.evaluate(async () => {
      const params = Object.fromEntries(new URLSearchParams(location.search));
      return (await window.awaitlab.run({ ...params, clock: 'virtual' })).events;
    });
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
    return { bars, events };
  };
  const a = await picture();
  const b = await picture();
  assert.ok(a.events.length > 12);
  assert.deepEqual(b.events, a.events);
  assert.equal(b.bars, a.bars);

  const hostile = await openApp(browser, server.url,
    'pattern=%3Cscript%3Ewindow.pwned%3D1%3C%2Fscript%3E&tasks=1e400&seed=NaN&theme=%3Cimg%20src%3Dx%20onerror%3Dwindow.pwned%3D2%3E&embed=%22%3E&autoplay=javascript:alert(1)');
  await hostile.waitForSelector('#url-notice');
  assert.match(await hostile.locator('#url-notice').textContent(), /pattern/);
  assert.equal(await hostile.evaluate(() => window.pwned), undefined);
  assert.equal(await hostile.evaluate(() => document.documentElement.className), '');
  assert.deepEqual(hostile.awaitlabErrors, []);
});

test("a Run JSON's own params run again through window.awaitlab (a run without a limit writes limit: null)", async () => {
  const page = await openApp(browser, server.url);
  const again = await page.evaluate(async () => {
    const first = await window.awaitlab.run({ pattern: 'gather', tasks: 3, seed: 5, clock: 'virtual' });
    const second = await window.awaitlab.run(first.scenario.params);
    return { limit: first.scenario.params.limit, same: JSON.stringify(second.events) === JSON.stringify(first.events) };
  });
  assert.deepEqual(again, { limit: null, same: true });
  // undefined is no value either; an unknown key is still named, whatever its value.
  const errors = await page.evaluate(async () => {
    const tasks = (await window.awaitlab.summary({ pattern: 'gather', tasks: 2, limit: undefined, clock: 'virtual' })).tasks;
    const unknown = await window.awaitlab.run({ nope: null, clock: 'virtual' }).then(() => 'ran', (e) => e.message);
    return { tasks, unknown };
  });
  assert.equal(errors.tasks, 2);
  assert.match(errors.unknown, /^awaitlab: unknown key "nope"/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('window.awaitlab, its verbs and its version are read-only: a page script cannot replace them', async () => {
  const page = await openApp(browser, server.url, 'pattern=gather&tasks=2&seed=3');
  const after = await page.evaluate(() => {
    'use strict'; // the assignments below throw, as in a module or a class
    const strict = (f) => { try { f(); return 'assigned'; } catch (e) { return e.constructor.name; } };
    const tries = [
      strict(() => { window.awaitlab.version = 7; }),
      strict(() => { window.awaitlab.run = () => 'hijacked'; }),
      strict(() => { window.awaitlab.seek = () => 'hijacked'; }),
      strict(() => { window.awaitlab = { version: 99 }; }),
    ];
    return { tries, version: window.awaitlab.version, verbs: ['run', 'summary', 'play', 'pause', 'seek', 'load'].map((v) => typeof window.awaitlab[v]) };
  });
  assert.deepEqual(after.tries, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
  assert.equal(after.version, 1);
  assert.deepEqual(after.verbs, Array(6).fill('function'));
  const summary = await page.evaluate(() => window.awaitlab.summary({ pattern: 'gather', tasks: 2, clock: 'virtual' }));
  assert.equal(summary.tasks, 2);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('window.awaitlab has the same verbs: load, seek, play, pause, with the same validation', async () => {
  const page = await openApp(browser, server.url, 'pattern=gather&tasks=4&seed=8');
  const refused = await page.evaluate(() => {
    const errors = [];
    for (const f of [() => window.awaitlab.play(), () => window.awaitlab.seek(-1), () => window.awaitlab.load('{"format":"awaitlab-run","version":42}')]) {
      try { f(); errors.push('accepted'); } catch (e) { errors.push(e.message); }
    }
    return errors;
  });
  assert.match(refused[0], /nothing to replay yet/);
  assert.match(refused[1], /seek needs a number/);
  // A virtual-clock run is a script's to keep: the page is as it was, and the refusal says how to replay it.
  const afterVirtual = await page.evaluate(async () => {
    await window.awaitlab.run({ pattern: 'gather', tasks: 3, clock: 'virtual' });
    try { window.awaitlab.seek(10); return 'accepted'; } catch (e) { return e.message; }
  });
  assert.match(afterVirtual, /only returns its prediction: `awaitlab.load` it to replay it/);
  assert.match(refused[2], /version 42 is newer/);
  await page.evaluate(async () => {
    const run = await window.awaitlab.run({ pattern: 'sequential', tasks: 3, min: 400, max: 400, clock: 'virtual' });
    window.awaitlab.load(run);
  });
  await page.waitForSelector('#replay-toggle');
  assert.equal(await page.locator('.runs li').count(), 1);
  await page.evaluate(() => window.awaitlab.seek(75));
  await page.locator('#replay-scrub').evaluate((e) => e.value).then((v) => assert.equal(Number(v), 75));
  await page.evaluate(() => { window.awaitlab.seek(0); window.awaitlab.play(); });
  await page.locator('#replay-toggle').filter({ hasText: 'Pause' }).waitFor();
  await page.evaluate(() => window.awaitlab.pause());
  await page.locator('#replay-toggle').filter({ hasText: 'Play' }).waitFor();
  assert.deepEqual(page.awaitlabErrors, []);
});

test('a script drives the replay of the run it awaited at once: seek, pause and play right after `await awaitlab.run`', async () => {
  // The promise resolves in the microtask that ended the run; the page draws it in the next frame.
  const page = await openApp(browser, server.url, 'pattern=gather&tasks=3&seed=8');
  const outcome = await page.evaluate(async () => {
    const run = await window.awaitlab.run({ pattern: 'gather', tasks: 3, min: 60, max: 60 });
    try {
      window.awaitlab.seek(30);
      window.awaitlab.pause();
      return { events: run.events.length, seek: 'accepted' };
    } catch (e) {
      return { events: run.events.length, seek: e.message };
    }
  });
  assert.equal(outcome.seek, 'accepted');
  assert.ok(outcome.events > 0);
  await page.locator('#replay-toggle').filter({ hasText: 'Play' }).waitFor();
  assert.equal(Number(await page.locator('#replay-scrub').evaluate((e) => e.value)), 30);
  assert.equal(await page.locator('.runs li').count(), 1);
  // And play, right after a second run.
  await page.evaluate(async () => {
    await window.awaitlab.summary({ pattern: 'gather', tasks: 3, min: 60, max: 60 });
    window.awaitlab.seek(0);
    window.awaitlab.play();
  });
  await page.locator('#replay-toggle').filter({ hasText: 'Pause' }).waitFor();
  assert.equal(await page.locator('.runs li').count(), 2);
  // A run loaded right after one ended is numbered after it (the tour's script read "Run #1 was
  // loaded from a Run JSON" while its own run, started first, became #2).
  await page.evaluate(async () => {
    const run = await window.awaitlab.run({ pattern: 'gather', tasks: 3, min: 60, max: 60 });
    window.awaitlab.load(run);
  });
  await page.locator('#status', { hasText: 'Run #4 was loaded from a Run JSON' }).waitFor();
  assert.equal(await page.locator('.runs li').count(), 4);
  assert.deepEqual(page.awaitlabErrors, []);
  // A run over before a calm frame showed it started (0 ms tasks), on a page with nothing to
  // replay before it, is replayed all the same.
  const fresh = await openApp(browser, server.url, 'pattern=gather&tasks=3&seed=8');
  const quick = await fresh.evaluate(async () => {
    await window.awaitlab.run({ pattern: 'gather', tasks: 3, min: 0, max: 0 });
    try {
      window.awaitlab.seek(0);
      return 'accepted';
    } catch (e) {
      return e.message;
    }
  });
  assert.equal(quick, 'accepted');
  await fresh.locator('.runs li').first().waitFor();
  assert.deepEqual(fresh.awaitlabErrors, []);
});

test('the tutorial page on a phone (390 px): no sideways scroll, the side-by-side demos stacked, and axe finds nothing', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${subServer.url}/awaitlab/tutorial.html`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide} px wide`);
  for (const id of ['demo-sequential', 'demo-gather']) {
    const box = await page.locator(`#${id}`).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `#${id}: ${JSON.stringify(box)}`);
  }
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  // The host page only: each embed is its own document, checked by the lab's tests.
  const violations = await page.evaluate(async () =>
    (await window.axe.run({ exclude: [['iframe']] }, { resultTypes: ['violations'] })).violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.length}`),
  );
  assert.deepEqual(violations, []);
  await page.screenshot({ path: artifactPath('share-tutorial-390.png') });
  await page.close();
});
