// Ways into your own code without a program that ran: a link's program the parser refuses ran
// nothing (no failed task, no "still show the last program that parsed" when none did).

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

test('a link\'s program the parser refuses ran nothing: no failed task, and no earlier program is said to be shown', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    const page = await open('pattern=code&code=import%20threading', viewport);
    const said = await problem(page, /^Line 1/);
    assert.equal(said, 'Line 1, column 8: `threading` is not available here: awaitlab runs one event loop.');
    assert.equal(await page.locator('#run').isDisabled(), true);
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
