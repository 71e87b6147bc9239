// Issue 13, "Ask, then show": a click on a predicted bar opens the what-if menu; "fail" goes into
// the link (what_if) and changes the prediction and a measured run; guess=makespan asks before it
// shows, then sets the guess next to the prediction and the measurement.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });

/** Four tasks of exactly 50 ms, gathered: a fast run whose bars are all known. */
const QUERY = 'pattern=gather&tasks=4&min=50&max=50&seed=1&fail=0';

const bar = (figure, task) => `figure.timeline.${figure} rect.bar[data-task="${task}"][data-attempt="1"]`;

async function finished(page) {
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'), null, {
    timeout: 30_000,
  });
}

test('a predicted bar opens the what-if menu; fail goes into the link and into both runs', async () => {
  const page = await openApp(app.browser, app.server.url, QUERY);
  try {
    await page.locator(bar('predicted', 2)).click();
    const menu = page.locator('#bar-menu');
    await menu.waitFor();
    assert.match(await menu.textContent(), /task 2, attempt 1/);
    await menu.locator('[data-change="fail"]').click();

    await page.waitForFunction(() => new URLSearchParams(location.search).get('what_if') === '2.1:fail');
    const predicted = page.locator(bar('predicted', 2));
    await page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('overridden'), bar('predicted', 2));
    assert.match(await predicted.getAttribute('class'), /\bfail\b/);
    assert.match(await predicted.locator('title').textContent(), /what if: made to fail/);
    assert.match(await page.locator(bar('predicted', 0)).getAttribute('class'), /\bok\b/);
    assert.equal(await page.locator('#bar-menu').count(), 0, 'the menu closes once a change is chosen');

    await page.locator('#run').click();
    await finished(page);
    assert.match(await page.locator(bar('measured', 2)).getAttribute('class'), /\bfail\b.*\boverridden\b/);
    assert.match(await page.locator(bar('measured', 0)).getAttribute('class'), /\bok\b/);
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});

test('guess=makespan asks first, then shows the guess, the prediction and the measurement', async () => {
  const page = await openApp(app.browser, app.server.url, `${QUERY}&guess=makespan`);
  try {
    await page.locator('#guess-input').waitFor();
    assert.equal(await page.locator('figure.timeline.predicted').isVisible(), false, 'the prediction waits');
    assert.equal(await page.locator('.summary').isVisible(), false, 'so do its figures');

    await page.locator('#guess-input').fill('80');
    await page.locator('#guess button[type="submit"]').click();
    const result = page.locator('#guess-result');
    await result.waitFor();
    await page.locator('figure.timeline.predicted').waitFor({ state: 'visible' });
    const rows = () => result.locator('tr').allTextContents();
    assert.equal((await rows()).length, 3);
    assert.match((await rows())[0], /Your guess\s*80/);
    assert.match((await rows())[1], /Predicted.*50.*off/);
    assert.match((await rows())[2], /press Run/);

    await page.locator('#run').click();
    await finished(page);
    await page.waitForFunction(() => !document.querySelector('#guess-result')?.textContent.includes('press Run'));
    assert.match((await rows())[2], /Measured.*ms \(you were .* off\)/);
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});
