// What the page shows of its runs as a learner and a script use it: a measured run is only ever
// set beside the prediction of its own values, every finished run is kept, and a link of any size
// is predicted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactPath, openApp, useAppServer } from './support.mjs';

const ctx = useAppServer({ before, after });

/** The compact figures as text: `{ makespan: { predicted, measured }, peak: … }`. */
const figures = (page) =>
  page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('#figures [data-figure]')].map((f) => [
        f.dataset.figure,
        { predicted: f.querySelector('.predicted')?.textContent, measured: f.querySelector('.measured')?.textContent },
      ]),
    ),
  );

const finished = (page) => page.waitForSelector('#replay-toggle', { timeout: 30_000 });

const statusMatches = (page, pattern) =>
  page.waitForFunction((p) => new RegExp(p).test(document.querySelector('#status')?.textContent ?? ''), pattern.source, {
    timeout: 10_000,
  });

test('an embed: after a run, a new limit takes the run off the timeline instead of pairing it with the new prediction', async () => {
  const page = await openApp(ctx.browser, ctx.server.url, 'embed=1&pattern=semaphore&tasks=8&limit=3&min=50&max=100&controls=limit,tasks');
  await page.setViewportSize({ width: 700, height: 600 });
  await page.click('#run');
  await finished(page);
  assert.deepEqual((await figures(page)).peak, { predicted: '3', measured: '3' });

  await page.fill('#field-limit', '1');
  await page.press('#field-limit', 'Tab');
  await statusMatches(page, /^These values have not run yet: press Run to measure them \(run #1 stays/);
  assert.deepEqual((await figures(page)).peak, { predicted: '1', measured: undefined }, 'no measured figure beside limit 1');
  assert.equal(await page.locator('figure.measured').count(), 0, 'the limit-3 run is not drawn under limit 1');
  assert.equal(await page.locator('figure.predicted').count(), 1, 'the limit-1 prediction is');
  await page.screenshot({ path: artifactPath('runs-embed-values-changed.png') });

  // Run measures the new values: the run and its figures are limit 1's.
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('[data-figure="peak"] .measured')?.textContent === '1', null, { timeout: 30_000 });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the lab: a postMessage set after a run leaves the run in the history, and replaying it brings back its own prediction', async () => {
  const page = await openApp(ctx.browser, ctx.server.url, 'pattern=semaphore&limit=2&tasks=4&min=50&max=80');
  await page.click('#run');
  await finished(page);
  await page.evaluate(() => window.postMessage({ type: 'awaitlab:set', params: { tasks: 8, limit: 8 } }, '*'));
  await statusMatches(page, /run #1 stays under Runs this session/);
  assert.deepEqual((await figures(page)).peak, { predicted: '8', measured: undefined });
  assert.equal(await page.locator('figure.measured').count(), 0);
  assert.equal(await page.locator('.runs li').count(), 1, 'run #1 is kept');

  await page.click('.runs li .replay-pick');
  await finished(page);
  await statusMatches(page, /^Run #1 is replayed beside the prediction of its own values; Run measures the form's\.$/);
  const peak = (await figures(page)).peak;
  assert.deepEqual(peak, { predicted: '2', measured: '2' }, 'run #1 beside the prediction of its own values');
  const outlines = await page.locator('figure.measured rect.ghost').count();
  assert.equal(outlines, await page.locator('figure.predicted rect.bar').count(), "its lanes outline its own prediction's bars");
  assert.equal(await page.locator('figure.measured .lane-label, figure.measured text').filter({ hasText: /^task 7$/ }).count(), 0, 'no lane of the 8-task values');
  const limits = await page.locator('figure svg text').evaluateAll((ts) => ts.map((t) => t.textContent).filter((t) => t.startsWith('limit')));
  assert.deepEqual([...new Set(limits)], ['limit 2'], "the strips draw run #1's own limit, not the form's");
  await page.screenshot({ path: artifactPath('runs-lab-replay-own-prediction.png') });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test("a script's runs back to back: every one that finished is in the history, each promise with its own run", async () => {
  const page = await openApp(ctx.browser, ctx.server.url, 'pattern=gather&tasks=5&min=30&max=60');
  const patterns = ['gather', 'sequential', 'semaphore', 'race'];
  const made = await page.evaluate(async (patterns) => {
    const made = [];
    for (let i = 0; i < 10; i++) {
      const params = { pattern: patterns[i % 4], tasks: 3 + (i % 5), min: 30, max: 60 };
      const run = await window.awaitlab.run(params);
      made.push([run.scenario.params.pattern, run.summary.tasks, run.summary.makespan_ms]);
    }
    return made;
  }, patterns);
  made.forEach(([pattern, tasks], i) => assert.deepEqual([pattern, tasks], [patterns[i % 4], 3 + (i % 5)], `run ${i + 1}'s own`));
  await page.waitForFunction(() => document.querySelectorAll('.runs li').length === 10, null, { timeout: 10_000 });
  // The history lists the newest first: "#10 gather · 7 tasks · measured — 61.2 ms".
  const rows = await page.locator('.runs li label').allTextContents();
  const expected = made.map(([pattern, tasks], i) => `#${i + 1} ${pattern}${pattern === 'semaphore' ? '(3)' : ''} · ${tasks} tasks · measured`).reverse();
  assert.deepEqual(rows.map((r) => r.split(' — ')[0].trim()), expected);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a link of any size is predicted once the page shows; one over the browser clock\'s cap opens on the default, as its notice says', async () => {
  for (const [query, makespan] of [['tasks=10000', /s$/], ['tasks=100000&clock=virtual', /s$/]]) {
    const page = await openApp(ctx.browser, ctx.server.url, query);
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-figure="makespan"] .predicted')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    assert.match(await page.locator('[data-figure="makespan"] .predicted').textContent(), makespan, query);
    assert.equal(await page.locator('figure.predicted').count(), 1, `${query}: its timeline is drawn`);
    if (query.startsWith('tasks=100000')) await page.screenshot({ path: artifactPath('runs-100000-tasks-predicted.png') });
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  }
  const page = await openApp(ctx.browser, ctx.server.url, 'tasks=10001');
  assert.match(await page.locator('#url-notice').textContent(), /their defaults are shown instead: tasks must be at most 10000 on the browser clock \(got 10001\)/);
  assert.equal(await page.locator('#field-tasks').inputValue(), '10', 'the default, as the notice says');
  await page.close();
});

test("a clock=virtual link past the browser clock's cap says it is predicted only, and Run is off for that reason", async () => {
  const page = await openApp(ctx.browser, ctx.server.url, 'pattern=gather&tasks=100000&clock=virtual&min=10&max=20');
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-figure="makespan"] .predicted')?.textContent ?? ''), null, {
    timeout: 30_000,
  });
  assert.equal(
    await page.locator('#status').textContent(),
    'These values are predicted only: the browser clock measures at most 10000 tasks, not 100000.',
  );
  assert.ok(await page.locator('#run').isDisabled(), 'Run does not offer what the status says it cannot do');
  assert.equal(await page.locator('#run').getAttribute('aria-describedby'), 'status', 'the status says why');
  // Nor does the form's submission (Enter in a field, or a script's requestSubmit) run past the
  // disabled button: it ran 100,000 tasks on the browser clock.
  await page.evaluate(() => document.querySelector('form.controls').requestSubmit());
  await page.click('#run', { force: true });
  await page.waitForTimeout(500);
  assert.equal(await page.locator('figure.measured').count(), 0, 'nothing ran');
  assert.equal(await page.locator('#status').textContent(), 'These values are predicted only: the browser clock measures at most 10000 tasks, not 100000.');
  // Within the cap, Run measures again.
  await page.fill('#field-tasks', '20');
  await statusMatches(page, /^Press Run/);
  assert.ok(await page.locator('#run').isEnabled());
  await page.click('#run');
  await finished(page);
  assert.match(await page.locator('#status').textContent(), /^Finished: 20 tasks/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a clock=virtual link of requests that could pass the browser clock\'s 1,000,000 events is predicted only, and Run is off', async () => {
  // 9,000 tasks of up to 20 attempts under a limit: its plan fits, but if every request failed in
  // the browser the run would record more than a run may.
  const page = await openApp(ctx.browser, ctx.server.url, 'pattern=retry&source=fetch&clock=virtual&tasks=9000&retries=20&limit=100&min=1&max=2');
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-figure="makespan"] .predicted')?.textContent ?? ''), null, {
    timeout: 30_000,
  });
  assert.equal(await page.locator('#url-notice').count(), 0, 'the link opens as it is');
  assert.match(await page.locator('#status').textContent(), /^These values are predicted only: .*more than 1000000 events if every request failed/);
  assert.ok(await page.locator('#run').isDisabled(), 'Run does not offer what the status says it cannot do');
  assert.equal(await page.locator('#run').getAttribute('aria-describedby'), 'status');
  await page.evaluate(() => document.querySelector('form.controls').requestSubmit());
  await page.waitForTimeout(500);
  assert.equal(await page.locator('figure.measured').count(), 0, 'nothing ran');
  // Fewer retries fit the browser clock's budget: Run measures again.
  await page.fill('#field-retries', '16');
  await statusMatches(page, /^Press Run/);
  assert.ok(await page.locator('#run').isEnabled());
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});
