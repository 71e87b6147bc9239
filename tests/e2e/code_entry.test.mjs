// Ways into your own code without a program: "Your own code (Python)" picked in the Pattern menu
// is the code panel's Edit; a link naming pattern=code and no program opens the editor too, without
// a notice claiming defaults; the notice of a link whose values were replaced goes once Edit has
// replaced them; a link's program the parser refuses ran nothing (no failed task, no "still
// show the last program that parsed" when none did).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactPath, openApp, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });

const PRINTING = 'import asyncio\n\n\nasync def main():\n    print("mine")\n\n\nasyncio.run(main())\n';

async function open(query, viewport = { width: 1280, height: 800 }) {
  const page = await openApp(app.browser, app.server.url, query);
  await page.setViewportSize(viewport);
  return page;
}

/** Waits until `#code-problem` matches `re`, and returns its text. */
async function problem(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#code-problem')?.textContent ?? ''), re.source, {
    timeout: 30_000,
  });
  return page.textContent('#code-problem');
}

/** The predicted timeline's lane labels, once there are more than `n`. */
async function lanesPast(page, n) {
  await page.waitForFunction((n) => document.querySelectorAll('figure.predicted text.lane-label').length > n, n, { timeout: 30_000 });
  return page.$$eval('figure.predicted text.lane-label', (ts) => ts.map((t) => t.textContent));
}

test('"Your own code" in the Pattern menu opens the editor on the pattern\'s own program, as Edit does; a kept program comes back', async () => {
  const page = await open('pattern=gather&tasks=3&min=50&max=50');
  await page.selectOption('#field-pattern', 'code');
  await page.waitForSelector('#code-input');
  assert.match(await page.inputValue('#code-input'), /asyncio\.gather/, 'the gather pattern\'s own Python');
  assert.equal(await page.locator('.field-error').count(), 0, 'no "pattern=code needs a program"');
  assert.doesNotMatch(await page.textContent('#status'), /needs a program|Run is off/);
  await problem(page, /parses/);
  assert.equal(await page.locator('#run').isDisabled(), false);
  // The program's own lanes (main() and its three tasks), not the gather prediction kept.
  const lanes = await lanesPast(page, 3);
  assert.ok(lanes.some((l) => l.includes('main(')), JSON.stringify(lanes));
  await page.waitForFunction(() => new URLSearchParams(location.search).get('pattern') === 'code');
  await page.screenshot({ path: artifactPath('code-entry-menu-1280.png') });

  // A program of the reader's, kept beside another pattern, comes back with the menu.
  await page.fill('#code-input', PRINTING);
  await page.waitForFunction(() => /mine/.test(document.querySelector('#code-log')?.textContent ?? ''), null, { timeout: 30_000 });
  await page.selectOption('#field-pattern', 'sequential');
  await page.waitForSelector('#code-edit');
  await page.selectOption('#field-pattern', 'code');
  await page.waitForSelector('#code-input');
  assert.equal(await page.inputValue('#code-input'), PRINTING);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a link naming pattern=code and no program opens the editor on the default pattern\'s program, with no notice', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const page = await open('pattern=code', viewport);
    await page.waitForSelector('#code-input');
    assert.match(await page.inputValue('#code-input'), /asyncio\.gather/);
    assert.equal(await page.inputValue('#field-pattern'), 'code');
    assert.equal(await page.locator('#url-notice').count(), 0, 'no "defaults are shown instead: pattern=code needs a program"');
    await problem(page, /parses/);
    await lanesPast(page, 3);
    // The address bar holds the program the page shows, so a reload or a shared link keeps it.
    await page.waitForFunction(() => new URLSearchParams(location.search).get('code')?.startsWith('!'));
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'BODY', 'a link takes no focus');
    await page.screenshot({ path: artifactPath(`code-entry-link-${viewport.width}.png`) });
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  }
  // A script still needs a program, and says so by its keys.
  const page = await open('');
  const refused = await page.evaluate(() => window.awaitlab.run({ pattern: 'code', clock: 'virtual' }).then(() => '', (e) => e.message));
  assert.match(refused, /pattern=code needs a program: the code key holds its Python source/);
  await page.close();
});

test('a link\'s notice about values it replaced goes once Edit has replaced the page\'s values', async () => {
  const page = await open('pattern=code&code=!!!');
  assert.match(await page.textContent('#url-notice'), /defaults are shown instead: code/);
  await page.click('#code-edit');
  await page.waitForSelector('#code-input');
  assert.equal(await page.locator('#url-notice').count(), 0);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a link\'s program the parser refuses ran nothing: no failed task, and no earlier program is said to be shown', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const page = await open('pattern=code&code=import%20threading', viewport);
    const said = await problem(page, /^Line 1/);
    assert.equal(said, 'Line 1, column 8: `threading` is not available here: awaitlab runs one event loop.');
    assert.equal(await page.locator('#run').isDisabled(), true);
    // The status line says Run is off (it said "Press Run to run these tasks…").
    assert.equal(await page.textContent('#status'), 'Run is off until the code parses: its problem is under the editor.');
    // Output says why; the figures count no failure, and the lane has no ×.
    await page.waitForFunction(() => /threading/.test(document.querySelector('#code-log')?.textContent ?? ''), null, { timeout: 30_000 });
    assert.equal(await page.textContent('[data-figure="failed"] .predicted'), '0/0/0');
    assert.equal(await page.locator('figure.predicted .mark-raised').count(), 0);
    await page.screenshot({ path: artifactPath(`code-entry-refused-${viewport.width}.png`) });
    if (viewport.width === 1280) {
      // Once a program has parsed, a refused text leaves that program's runs on screen, and says so.
      await page.fill('#code-input', PRINTING);
      await page.waitForFunction(() => /mine/.test(document.querySelector('#code-log')?.textContent ?? ''), null, { timeout: 30_000 });
      await page.fill('#code-input', `import threading\n${PRINTING}`);
      assert.match(await problem(page, /^Line 1/), /still show the last program that parsed/);
    }
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  }
});
