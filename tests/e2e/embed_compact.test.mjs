// Compact embeds (issue 13): embed=1 opens on the timeline with one bar of controls (Run,
// play/pause, the scrubber) and fits a tutorial column; controls= names the fields an author wants;
// code=1 and predicted=1 bring back the code panel and the predicted-only timeline; bad view values
// get a console warning, never an error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { artifactPath, assertLegible, laneLabels, launchBrowser, openApp, REPO_ROOT, startStaticServer } from './support.mjs';

const DIST = path.resolve(REPO_ROOT, process.env.AWAITLAB_DIST || 'dist');
const SEMAPHORE = 'embed=1&pattern=semaphore&tasks=8&limit=3';

let server;
let browser;
before(async () => {
  server = await startStaticServer(DIST);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The embed page's own height (not the viewport's), as a host page would size its iframe. */
const docHeight = (page) => page.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));

/** A page that keeps its console warnings and errors from the very first script. */
async function open(query) {
  const page = await browser.newPage();
  const log = { warnings: [], errors: [] };
  page.on('console', (m) => {
    // Our warnings; the browser has its own (preload integrity…).
    if (m.type() === 'warning' && m.text().startsWith('awaitlab')) log.warnings.push(m.text());
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(e.message));
  await page.setViewportSize({ width: 700, height: 900 });
  await page.goto(`${server.url}/?${query}`);
  await page.waitForFunction(() => typeof window.awaitlab !== 'undefined', null, { timeout: 30_000 });
  return { page, log };
}

test('the 8-task semaphore embed fits 460 px at 700 px wide: the prediction before Run, the measured run after', async () => {
  const { page, log } = await open(SEMAPHORE);
  await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
  assert.ok(await page.locator('html.embed.compact').count(), 'compact by default');
  assert.equal(await page.locator('form.controls').count(), 0, 'no form without controls=');
  assert.equal(await page.locator('.code-panel').isVisible(), false);
  assert.equal(await page.locator('figure.measured').count(), 0);
  const before = await docHeight(page);
  assert.ok(before <= 460, `before Run: ${before}px`);
  await page.screenshot({ path: artifactPath('embed-compact-before.png'), fullPage: true });

  await page.click('#run');
  await page.locator('#replay-toggle').waitFor({ timeout: 30_000 });
  // One bar: Run, play/pause and the scrubber side by side.
  const tops = await page.evaluate(() =>
    ['#run', '#replay-toggle', '#replay-scrub'].map((s) => Math.round(document.querySelector(s).getBoundingClientRect().top / 10)),
  );
  assert.ok(Math.max(...tops) - Math.min(...tops) <= 1, `one row: ${tops}`);
  assert.equal(await page.locator('#replay-back').isVisible(), false);
  assert.equal(await page.locator('#replay-log').isVisible(), false);
  await page.locator('figure.measured').waitFor();
  assert.equal(await page.locator('figure.predicted').count(), 0, 'the prediction is outlined in the measured run');
  assert.ok((await page.locator('figure.measured rect.ghost').count()) >= 8, 'prediction outlines');
  const afterRun = await docHeight(page);
  assert.ok(afterRun <= 460, `after Run: ${afterRun}px`);
  console.log(`# compact semaphore embed at 700px wide: ${before}px before Run, ${afterRun}px after`);
  await page.screenshot({ path: artifactPath('embed-compact-after.png'), fullPage: true });
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.warnings, []);
  await page.close();
});

test('a narrow embed (320 and 360 px) keeps "Play ▶" on one line and its bar within the iframe', async () => {
  for (const width of [320, 360]) {
    const { page, log } = await open(SEMAPHORE);
    await page.setViewportSize({ width, height: 600 });
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#replay-toggle')?.textContent === 'Play ▶', null, { timeout: 30_000 });
    const m = await page.evaluate(() => {
      const play = document.querySelector('#replay-toggle');
      const cs = getComputedStyle(play);
      const px = (p) => parseFloat(cs[p]);
      const box = (s) => document.querySelector(s);
      return {
        // The label's own height: the button's less its padding and border.
        label: play.getBoundingClientRect().height - px('paddingTop') - px('paddingBottom') - px('borderTopWidth') - px('borderBottomWidth'),
        lineHeight: px('lineHeight'),
        overflow: ['.embed-bar', '.replay-controls'].map((s) => [s, box(s).scrollWidth, box(s).clientWidth]),
        page: [document.documentElement.scrollWidth, window.innerWidth],
        rights: ['#run', '#replay-toggle', '#replay-scrub', '#replay-time', '#replay-cursor'].map((s) => [s, box(s).getBoundingClientRect().right]),
      };
    });
    // Before the fix: a 47 px button holding "Play" over "▶", and a bar 542 px wide in a 320 px page.
    assert.ok(m.label < 1.5 * m.lineHeight, `${width} px: the Play label is ${m.label.toFixed(1)} px tall, line-height ${m.lineHeight} px`);
    for (const [s, scroll, client] of m.overflow) assert.ok(scroll <= client, `${width} px: ${s} is ${scroll} px wide inside ${client} px`);
    assert.ok(m.page[0] <= m.page[1], `${width} px: the page scrolls sideways (${m.page[0]} px)`);
    for (const [s, right] of m.rights) assert.ok(right <= width, `${width} px: ${s} ends at ${right.toFixed(1)} px`);
    await page.screenshot({ path: artifactPath(`embed-compact-${width}.png`), fullPage: true });
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.warnings, []);
    await page.close();
  }
});

test('controls=limit,tasks shows those fields only; code=1 and predicted=1 bring back the code and both timelines', async () => {
  const { page, log } = await open(`${SEMAPHORE}&controls=limit,tasks&code=1&predicted=1`);
  await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
  const fields = await page.locator('form.controls .field').evaluateAll((fs) => fs.map((f) => f.getAttribute('key') ?? f.querySelector('input').name));
  assert.deepEqual(fields, ['limit', 'tasks']);
  assert.ok(await page.locator('#slider-limit').isVisible());
  assert.equal(await page.locator('#more-keys').count(), 0);
  assert.ok(await page.locator('.code-panel').isVisible(), 'code=1');
  // The slider re-predicts: one permit, eight tasks one after another.
  await page.locator('#field-limit').fill('1');
  await page.locator('figure.predicted .strip-label', { hasText: 'peak 1' }).waitFor({ timeout: 5000 });
  await page.click('#run');
  await page.locator('#replay-toggle').waitFor({ timeout: 30_000 });
  await page.locator('figure.measured').waitFor();
  assert.equal(await page.locator('figure.predicted').count(), 1, 'predicted=1 keeps the predicted-only timeline');
  assert.match(page.url(), /controls=limit%2Ctasks|controls=limit,tasks/, 'the URL keeps controls= after an edit');
  await page.screenshot({ path: artifactPath('embed-compact-fields.png'), fullPage: true });
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.warnings, []);
  await page.close();
});

test('code=1 beside a code scenario\'s program, in either order and spelling: the author\'s program, no notice, no warning', async () => {
  const program = 'import asyncio\n\nasync def main():\n    await asyncio.sleep(0.05)\n    print("hello from the author")\n\nasyncio.run(main())\n';
  const packed = `!${deflateRawSync(Buffer.from(program)).toString('base64url')}`;
  for (const code of [encodeURIComponent(program), packed]) {
    for (const query of [`embed=1&code=1&pattern=code&code=${code}`, `embed=1&pattern=code&code=${code}&code=1`]) {
      const { page, log } = await open(query);
      await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('#url-notice').count(), 0, query);
      assert.deepEqual(log.warnings, [], query);
      assert.deepEqual(log.errors, [], query);
      // After a run the page rewrites its link from its scenario: the author's program, and the flag.
      await page.click('#run');
      await page.locator('#replay-toggle').waitFor({ timeout: 30_000 });
      const codes = await page.evaluate(() => new URLSearchParams(location.search).getAll('code'));
      assert.deepEqual(codes.filter((c) => c === '1'), ['1'], query);
      const kept = codes.find((c) => c !== '1');
      const source = kept.startsWith('!') ? inflateRawSync(Buffer.from(kept.slice(1), 'base64url')).toString() : kept;
      assert.equal(source, program, query);
      await page.close();
    }
  }
});

test('bad view values are warned about on the console and left at their defaults; controls=1 keeps the whole form', async () => {
  const { page, log } = await open(`${SEMAPHORE}&controls=limit,nope,embed&code=maybe&predicted=2&speed=99&theme=purple&autoplay=maybe&guess=lol`);
  await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('form.controls .field').count(), 1);
  assert.equal(await page.locator('.code-panel').isVisible(), false);
  const warned = log.warnings.join('\n');
  for (const part of ['"nope" is not a scenario key', '"embed" is not a scenario key', 'code=maybe is not 1 or 0', 'predicted=2 is not 1 or 0',
    'speed=99 is outside 0.1–10; replays at 10×', 'theme=purple is not light, dark or auto', 'autoplay=maybe is not 1 or 0', 'guess=lol is not makespan or peak']) {
    assert.ok(warned.includes(part), `warning for ${part} in:\n${warned}`);
  }
  assert.deepEqual(log.errors, []);
  await page.close();

  const full = await openApp(browser, server.url, `${SEMAPHORE}&controls=1`);
  await full.locator('#more-keys').waitFor({ timeout: 30_000 });
  assert.equal(await full.locator('html.compact').count(), 0);
  assert.ok(await full.locator('#run').isVisible());
  assert.deepEqual(full.awaitlabErrors, []);
  await full.close();
});

test('a narrow embed (460 px, as two side by side on the tutorial page) labels each lane at 11 px or more', async () => {
  const { page, log } = await open('embed=1&pattern=gather&tasks=8&min=40&max=160&seed=7&controls=0');
  await page.setViewportSize({ width: 460, height: 600 });
  await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
  // Drawn again at the new width (the plot's size is observed).
  await page.waitForFunction(() => {
    const svg = document.querySelector('figure.predicted svg');
    return Math.abs(svg.getBoundingClientRect().width - svg.viewBox.baseVal.width) < 1;
  });
  const labels = await laneLabels(page, 'predicted');
  assert.equal(labels.length, 8);
  assertLegible(labels, 'predicted at 460 px');
  const ticks = await page.evaluate(() =>
    [...document.querySelectorAll('figure.predicted g.tick text')].map((t) => t.getBoundingClientRect()),
  );
  for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i].left > ticks[i - 1].right, 'axis labels do not overlap');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('axis= puts embeds side by side on one scale: sequential and gather of the same tasks share their time axis', async () => {
  const ticks = async (pattern) => {
    const { page, log } = await open(`embed=1&pattern=${pattern}&tasks=8&min=40&max=160&seed=7&controls=0&axis=1000`);
    await page.setViewportSize({ width: 460, height: 600 });
    await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
    const labels = await page.evaluate(() => [...document.querySelectorAll('figure.predicted g.tick text')].map((t) => t.textContent));
    const end = await page.evaluate(() => Math.max(...[...document.querySelectorAll('figure.predicted rect.bar')].map((r) => r.x.baseVal.value + r.width.baseVal.value)));
    assert.deepEqual(log.errors, []);
    await page.close();
    return { labels, end };
  };
  const sequential = await ticks('sequential');
  const gather = await ticks('gather');
  assert.deepEqual(gather.labels, sequential.labels, 'one axis for both');
  assert.ok(gather.end < sequential.end / 2, `gather's bars end at ${gather.end} px, sequential's at ${sequential.end} px`);
});

test('a compact embed keeps its legend: a tutorial reader has no other key to the colours', async () => {
  const { page, log } = await open('embed=1&pattern=semaphore&tasks=8&limit=3');
  await page.setViewportSize({ width: 700, height: 460 });
  await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
  const legend = page.locator('ul.legend');
  assert.ok(await legend.isVisible(), 'the legend is shown');
  assert.match(await legend.textContent(), /running.*waiting for a semaphore permit/s);
  const bottom = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(bottom <= 460, `the embed is ${bottom} px tall with its legend`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the Embed snippet\'s height fits its compact embed at 700 px wide: nothing cut, at most 40 px empty (62 for a program), before Run and after', async () => {
  const printer = 'import asyncio\n\n\nasync def fetch_url(n):\n    await asyncio.sleep(0.05 * n)\n    print(f"got {n}")\n    return n\n\n\nasync def main():\n    results = await asyncio.gather(fetch_url(1), fetch_url(2), fetch_url(3))\n    print("all", results)\n\n\nasyncio.run(main())\n';
  const cruncher = printer.replace('    return n\n', '    return sum(i * i for i in range(30_000 * n))\n');
  const cases = [
    ['the default', ''],
    ['one task', 'tasks=1&min=50&max=50'],
    ['14 lanes of retries, a legend of two rows', 'pattern=retry&fail=0.5&tasks=14&limit=2&min=20&max=60'],
    ['a program with printed output', `pattern=code&code=!${deflateRawSync(Buffer.from(printer)).toString('base64url')}`],
    // Its measured run draws the busy strip, which its prediction cannot know of.
    ['a program whose code holds the loop', `pattern=code&code=!${deflateRawSync(Buffer.from(cruncher)).toString('base64url')}`],
  ];
  for (const [what, query] of cases) {
    const lab = await openApp(browser, server.url, query);
    // A code scenario's lanes are its program's: the snippet is written from its prediction.
    await lab.locator('figure.predicted').waitFor({ timeout: 30_000 });
    if (query.startsWith('pattern=code')) await lab.waitForFunction(() => document.querySelector('#code-log li'), null, { timeout: 30_000 });
    await lab.click('#embed-toggle');
    const snippet = await lab.locator('#embed-code').inputValue();
    const src = snippet.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
    const height = Number(snippet.match(/ height="(\d+)"/)[1]);
    assert.deepEqual(lab.awaitlabErrors, [], what);
    await lab.close();

    const page = await browser.newPage();
    await page.setViewportSize({ width: 700, height });
    await page.goto(src);
    await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
    if (query.startsWith('pattern=code')) await page.waitForFunction(() => document.querySelector('#code-log li'), null, { timeout: 30_000 });
    const before = await docHeight(page);
    await page.click('#run');
    await page.locator('#replay-toggle').waitFor({ timeout: 30_000 });
    await page.locator('figure.measured').waitFor();
    const afterRun = await docHeight(page);
    const needs = Math.max(before, afterRun);
    console.log(`# ${what}: the snippet says ${height} px; the embed takes ${before} px before Run, ${afterRun} px after`);
    assert.ok(height >= needs, `${what}: height="${height}" cuts the embed, which takes ${needs} px`);
    // A program's snippet keeps 22 px for the busy strip, drawn or not: a busy machine can make
    // any program's code hold the loop the 2 ms that draws it.
    const roomy = query.startsWith('pattern=code') ? 62 : 40;
    assert.ok(height - needs <= roomy, `${what}: height="${height}" leaves ${height - needs} px empty under ${needs} px`);
    await page.close();
  }
});

test('every Tab stop of a compact embed is on screen, where its focus ring shows', async () => {
  const { page, log } = await open('embed=1&pattern=semaphore&tasks=8&limit=3');
  await page.locator('figure.predicted').waitFor({ timeout: 30_000 });
  const stops = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('Tab');
    stops.push(
      await page.evaluate(() => {
        const el = document.activeElement;
        const r = el.getBoundingClientRect();
        const hidden = el.closest('.intro') !== null || r.width < 4 || r.height < 4;
        return { what: `${el.tagName.toLowerCase()}#${el.id}.${el.className?.baseVal ?? el.className}`, hidden };
      }),
    );
  }
  assert.deepEqual(stops.filter((s) => s.hidden), [], JSON.stringify(stops));
  // The lesson's title is still there for a screen reader.
  assert.match(await page.locator('.intro h2').textContent(), /Semaphore/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("a compact embed's bars open no what-if menu (it has none to show): no bar takes focus from its lane, a click opens nothing", async () => {
  const { page, log } = await open(SEMAPHORE);
  const firstBar = 'figure.timeline.predicted rect.bar[data-task="0"][data-attempt="1"]';
  await page.locator(firstBar).first().waitFor({ timeout: 30_000 });
  await page.locator('figure.timeline.predicted g.lane[data-task="0"]').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  const active = await page.evaluate(() => {
    const el = document.activeElement;
    return `${el.tagName.toLowerCase()}.${el.className?.baseVal ?? el.className}`;
  });
  assert.equal(active, 'g.lane', 'focus stays on the lane, whose label says what it holds');
  await page.locator(firstBar).last().click();
  assert.equal(await page.locator('#bar-menu').count(), 0, 'no menu, hidden or not');
  assert.equal(new URL(page.url()).searchParams.get('what_if'), null);
  assert.deepEqual(log.errors, []);
  await page.close();
});
