// Bad parameter values get a clear message in every channel, never a silent reinterpretation:
// a link keeps running on the default and its notice names the value it did not use; the JS API
// and postMessage refuse it by name (README, "Public contract").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });

const NO_SEMAPHORE = /limit must be a whole number from 1 to 100000 for the semaphore pattern \(got "none"\); none, no semaphore, is only for retry, resource and pipeline/;

test('a semaphore link with limit=none still opens and runs on 3 permits, and its notice names the value', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=semaphore&tasks=6&min=20&max=40&limit=none');
  const notice = await page.locator('#url-notice').textContent();
  assert.match(notice, /defaults are shown instead/);
  assert.match(notice, NO_SEMAPHORE);
  assert.equal(await page.inputValue('#field-limit'), '3', 'the field shows the limit that runs');
  assert.equal(await page.locator('#run').isDisabled(), false, 'an old link never breaks: it runs');
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'), null, { timeout: 30_000 });
  assert.equal(await page.locator('tr[data-row="peak"] td').nth(1).textContent(), '3');
  // Retry may run without a semaphore: its none is a value, not a mistake.
  const retry = await openApp(app.browser, app.server.url, 'pattern=retry&tasks=3&limit=none');
  assert.equal(await retry.locator('#url-notice').count(), 0);
  assert.deepEqual(page.awaitlabErrors, []);
  await retry.close();
  await page.close();
});

test('awaitlab.run refuses a boolean for a number, a view key that is no switch, and none for the semaphore; null keeps the default, spaces are read past', async () => {
  const page = await openApp(app.browser, app.server.url);
  const outcomes = await page.evaluate(async () => {
    const out = [];
    for (const params of [
      { tasks: true, clock: 'virtual' },
      { pattern: 'gather', min: false, clock: 'virtual' },
      { pattern: 'semaphore', limit: 'none', clock: 'virtual' },
      { pattern: 'semaphore', limit: null, clock: 'virtual' },
      { pattern: 'retry', limit: 2, hold: false, clock: 'virtual' },
      { pattern: 'retry', limit: 'none', clock: 'virtual' },
      { tasks: ' 3', clock: 'virtual' },
      { theme: true, clock: 'virtual' },
      { embed: true, clock: 'virtual' },
    ]) {
      try {
        const run = await window.awaitlab.run(params);
        out.push({ tasks: run.summary.tasks, limit: run.scenario.params.limit, hold: run.scenario.params.hold });
      } catch (e) {
        out.push(String(e.message));
      }
    }
    return out;
  });
  assert.equal(outcomes[0], 'awaitlab: tasks must be a number or a string, not the boolean true');
  assert.equal(outcomes[1], 'awaitlab: min must be a number or a string, not the boolean false');
  assert.match(outcomes[2], NO_SEMAPHORE);
  assert.deepEqual(outcomes[3], { tasks: 10, limit: 3, hold: true }, 'null is no value: the default');
  assert.deepEqual(outcomes[4], { tasks: 10, limit: 2, hold: false }, 'an on/off key takes a boolean');
  assert.deepEqual(outcomes[5], { tasks: 10, limit: null, hold: true });
  assert.deepEqual(outcomes[6], { tasks: 3, limit: null, hold: true }, 'as tasks=%203 in a link');
  assert.equal(outcomes[7], 'awaitlab: theme must be a number or a string, not the boolean true');
  assert.deepEqual(outcomes[8], { tasks: 10, limit: null, hold: true }, 'embed is on/off, as embed=true in a link');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('postMessage refuses the same values by name; a set of the semaphore on a form without a limit fills in 3', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=retry&tasks=4&min=20&max=40&limit=none');
  await page.evaluate(() => {
    window.__replies = [];
    addEventListener('message', (e) => {
      if (['awaitlab:error', 'awaitlab:finished'].includes(e.data?.type)) window.__replies.push(e.data);
    });
  });
  // A page that is not framed is its own parent: its own messages command it.
  const post = async (message) => {
    const before = await page.evaluate(() => window.__replies.length);
    await page.evaluate((m) => postMessage(m, '*'), message);
    await page.waitForFunction((n) => window.__replies.length > n, before, { timeout: 30_000 });
    return page.evaluate(() => window.__replies.at(-1));
  };
  const boolean = await post({ type: 'awaitlab:run', params: { tasks: true, clock: 'virtual' } });
  assert.deepEqual([boolean.type, boolean.message], ['awaitlab:error', 'tasks must be a number or a string, not the boolean true']);
  const none = await post({ type: 'awaitlab:run', params: { pattern: 'semaphore', limit: 'none', clock: 'virtual' } });
  assert.equal(none.type, 'awaitlab:error');
  assert.match(none.message, NO_SEMAPHORE);
  const refusedSet = await post({ type: 'awaitlab:set', params: { pattern: 'semaphore', limit: 'none' } });
  assert.match(refusedSet.message, NO_SEMAPHORE);
  assert.equal(await page.inputValue('#field-pattern'), 'retry', 'a refused set changes nothing');

  // The form's none was retry's; switched to the semaphore it shows the limit that runs.
  await page.evaluate(() => postMessage({ type: 'awaitlab:set', params: { pattern: 'semaphore' } }, '*'));
  await page.waitForFunction(() => document.querySelector('#field-pattern')?.value === 'semaphore');
  assert.equal(await page.inputValue('#field-limit'), '3');
  assert.equal(await page.locator('.field-error').count(), 0);
  assert.match(page.url(), /pattern=semaphore&.*limit=3/);
  // So does the form's own pattern menu.
  await page.selectOption('#field-pattern', 'retry');
  await page.fill('#field-limit', 'none');
  await page.selectOption('#field-pattern', 'semaphore');
  assert.equal(await page.inputValue('#field-limit'), '3');
  assert.equal(await page.locator('#run').isDisabled(), false);
  // Emptied on the semaphore, the field is named and Run is off.
  await page.fill('#field-limit', '');
  assert.match(await page.locator('#error-limit').textContent(), /for the semaphore pattern \(got ""\)/);
  assert.equal(await page.locator('#run').isDisabled(), true);
  // So is a typed null, as any junk is (it ran 3 without a word).
  await page.fill('#field-limit', 'null');
  assert.match(await page.locator('#error-limit').textContent(), /for the semaphore pattern \(got "null"\)/);
  assert.equal(await page.locator('#run').isDisabled(), true);
  assert.equal(await page.evaluate(() => window.__replies.filter((r) => r.type === 'awaitlab:error').length), 3);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('arrowing through the Pattern select keeps the focus on it, though each pattern has its own fields (it fell to the page\'s body)', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=sequential');
  await page.waitForSelector('figure.predicted');
  await page.focus('#field-pattern');
  const seen = [];
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('ArrowDown');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const [value, focused, fields] = await page.evaluate(() => [
      document.querySelector('#field-pattern').value,
      document.activeElement?.id || document.activeElement?.tagName,
      document.querySelectorAll('form.controls .field').length,
    ]);
    seen.push(`${value} (${fields} fields)`);
    assert.equal(focused, 'field-pattern', `after ${seen.join(' → ')}`);
  }
  assert.ok(new Set(seen.map((s) => s.replace(/^\S+ /, ''))).size > 1, `the field set changed on the way: ${seen.join(' → ')}`);
  // The preset changes the fields too (the breakfast has no task count).
  await page.focus('#field-preset');
  await page.keyboard.press('ArrowDown');
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-preset');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a bad link\'s notice goes once the reader edits the form (it stayed beside the fixed value until Run)', async () => {
  const page = await openApp(app.browser, app.server.url, 'tasks=-5');
  assert.match(await page.locator('#url-notice').textContent(), /tasks must be a whole number from 1 to 100000 \(got "-5"\)/);
  await page.fill('#field-tasks', '5');
  await page.waitForSelector('#url-notice', { state: 'detached', timeout: 5_000 });
  assert.equal(await page.locator('figure.predicted g.lane').count(), 5);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a link whose bad value is replaced has the address bar rewritten to what the page shows, and keeps its notice', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=1e9&min=20&max=40&embed=0&utm_source=x');
  assert.match(await page.locator('#url-notice').textContent(), /tasks must be a whole number from 1 to 100000 \(got "1e9"\)/);
  assert.equal(await page.inputValue('#field-tasks'), '10');
  await page.waitForFunction(() => !location.search.includes('1e9'), null, { timeout: 5_000 }).catch(() => {});
  const search = await page.evaluate(() => location.search);
  assert.doesNotMatch(search, /1e9/, 'the address bar says what the page shows');
  assert.match(search, /[?&]tasks=10(&|$)/);
  assert.match(search, /&min=20&max=40/, 'the good values stay');
  assert.match(search, /&embed=0/, 'the view keys stay');
  assert.equal(await page.locator('#url-notice').count(), 1, 'the notice stays');
  // A link whose only fault is a key awaitlab does not know opens as it is.
  const unknown = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=3&bogus=1');
  assert.match(await unknown.evaluate(() => location.search), /bogus=1/);
  assert.deepEqual(page.awaitlabErrors, []);
  await unknown.close();
  await page.close();
});

test('a breakfast link names the tasks it does not run; a program beside another pattern is named in a link and left out of a script\'s run', async () => {
  const page = await openApp(app.browser, app.server.url, 'preset=breakfast&tasks=7');
  assert.equal(await page.locator('#url-notice').count(), 1, 'a notice');
  assert.equal(await page.locator('#url-notice').textContent(), "Ignored tasks=7: preset=breakfast runs the article's own two tasks.");
  await page.locator('figure.predicted[data-lanes="2"]').waitFor({ timeout: 30_000 });
  const gather = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=3&code=print(1)');
  assert.equal(await gather.locator('#url-notice').textContent(), 'Ignored code: a program runs only with pattern=code.');
  const run = await gather.evaluate(() => window.awaitlab.run({ pattern: 'gather', tasks: 3, code: 'print(1)\n', clock: 'virtual' }));
  assert.equal(run.scenario.params.pattern, 'gather');
  assert.equal('code' in run.scenario.params, false, 'the run holds no program it never ran');
  assert.equal(run.summary.tasks, 3);
  assert.deepEqual(page.awaitlabErrors, []);
  assert.deepEqual(gather.awaitlabErrors, []);
  await gather.close();
  await page.close();
});
