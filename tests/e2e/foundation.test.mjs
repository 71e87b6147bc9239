// The first screen and the public contract, against the release build in dist/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactPath, openApp, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });

/** Waits until the status line says the measured run finished. */
async function finished(page) {
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'), null, {
    timeout: 30_000,
  });
}

test('a gather link opens with its values, runs, and draws 50 measured lanes', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=50&min=200&max=200');
  await page.setViewportSize({ width: 1200, height: 900 });
  assert.equal(await page.inputValue('#field-tasks'), '50');
  assert.equal(await page.inputValue('#field-pattern'), 'gather');
  // The prediction is there before anything runs.
  assert.equal(await page.locator('figure.predicted g.lane').count(), 50);

  await page.click('#run');
  await finished(page);
  assert.equal(await page.locator('figure.measured g.lane').count(), 50);
  assert.equal(await page.locator('figure.measured rect.bar.work.ok').count(), 50);
  const measured = await page.locator('tr[data-row="makespan"] td').nth(1).textContent();
  assert.match(measured, /ms|s/);
  assert.equal(await page.locator('tr[data-row="peak"] td').nth(1).textContent(), '50');
  assert.match(page.url(), /pattern=gather/);
  await page.screenshot({ path: artifactPath('gather-50.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the breakfast example runs sequentially in about 5 s of timers and gathered in about 3 s', async () => {
  const page = await openApp(app.browser, app.server.url);
  await page.click('.examples-menu > summary'); // the examples are one click away
  await page.click('text=Breakfast with gather');
  await finished(page);
  const lanes = await page.locator('figure.measured .lane-label').allTextContents();
  assert.deepEqual(lanes, ['brew coffee', 'fry eggs']);
  const run = await page.evaluate(() => window.awaitlab.run({ pattern: 'sequential', preset: 'breakfast', clock: 'virtual' }));
  assert.equal(run.summary.makespan_ms, 5000);
  await page.screenshot({ path: artifactPath('breakfast-gather.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('awaitlab.run: gather of 50 × 200 ms is well under 1 s, sequential 5 × 100 ms at least 500 ms', async () => {
  const page = await openApp(app.browser, app.server.url);
  const result = await page.evaluate(async () => {
    const t0 = performance.now();
    const gather = await window.awaitlab.run({ pattern: 'gather', tasks: 50, min: 200, max: 200 });
    const gatherWall = performance.now() - t0;
    const t1 = performance.now();
    const sequential = await window.awaitlab.run({ pattern: 'sequential', tasks: 5, min: 100, max: 100 });
    const sequentialWall = performance.now() - t1;
    return { gather, gatherWall, sequential, sequentialWall };
  });
  const { gather, sequential } = result;
  assert.equal(gather.format, 'awaitlab-run');
  assert.equal(gather.version, 1);
  assert.equal(gather.clock, 'browser');
  assert.equal(gather.scenario.params.pattern, 'gather');
  assert.equal(gather.summary.attempts, 50);
  assert.equal(gather.summary.peak_concurrency, 50);
  // Physics, not tuning: 50 × 200 ms concurrently is one timer's worth; one by one would be 10 s.
  assert.ok(gather.summary.makespan_ms >= 199, `gather makespan ${gather.summary.makespan_ms}`);
  assert.ok(result.gatherWall < 1000, `gather took ${result.gatherWall} ms`);
  assert.ok(sequential.summary.makespan_ms >= 499, `sequential makespan ${sequential.summary.makespan_ms}`);
  assert.ok(result.sequentialWall >= 499, `sequential took ${result.sequentialWall} ms`);
  assert.equal(sequential.summary.peak_concurrency, 1);
  for (const e of gather.events) {
    assert.ok(['t', 'task', 'attempt', 'kind', 'phase'].every((k) => k in e), JSON.stringify(e));
  }
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('awaitlab.run with clock "virtual" returns the exact predicted run', async () => {
  const page = await openApp(app.browser, app.server.url);
  const run = await page.evaluate(() =>
    window.awaitlab.run({ pattern: 'gather', tasks: 1000, min: 100, max: 100, clock: 'virtual' }),
  );
  assert.equal(run.clock, 'virtual');
  assert.equal(run.summary.makespan_ms, 100);
  assert.equal(run.summary.peak_concurrency, 1000);
  const again = await page.evaluate(() =>
    window.awaitlab.run({ pattern: 'gather', tasks: 30, min: 10, max: 500, fail: 0.3, seed: 8, clock: 'virtual' }),
  );
  const twice = await page.evaluate(() =>
    window.awaitlab.run({ pattern: 'gather', tasks: 30, min: 10, max: 500, fail: 0.3, seed: 8, clock: 'virtual' }),
  );
  assert.deepEqual(again.events, twice.events);
  await page.close();
});

test('bad params: awaitlab.run rejects naming the key; a bad link loads defaults with a notice', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=abc&max=-3');
  const notice = await page.locator('#url-notice').textContent();
  assert.match(notice, /tasks must be a whole number from 1 to 100000 \(got "abc"\)/);
  assert.match(notice, /max must be/);
  assert.equal(await page.inputValue('#field-tasks'), '10');

  const messages = await page.evaluate(async () => {
    const out = [];
    for (const params of [{ tasks: 0 }, { fail: 2 }, { pattern: 'zigzag' }, { min: 'NaN' }, { tasks: [1] }, 'gather', { bogus: 1 }, { code: 42 }, { extra: undefined }]) {
      try {
        await window.awaitlab.run(params);
        out.push('resolved');
      } catch (e) {
        out.push(String(e.message));
      }
    }
    return out;
  });
  assert.match(messages[0], /tasks must be a whole number from 1 to 100000/);
  assert.match(messages[1], /fail must be a number from 0 to 1/);
  assert.match(messages[2], /pattern must be one of/);
  assert.match(messages[3], /min must be/);
  assert.match(messages[4], /tasks must be a number or a string/);
  assert.match(messages[5], /params must be an object/);
  assert.match(messages[6], /unknown key "bogus"/);
  assert.match(messages[7], /code must be the program's source, a string/);
  assert.match(messages[8], /unknown key "extra"/);

  // The form names the bad field and does not run: Run is off, and the status line (which
  // describes it) says why. Run looked enabled, a click did nothing and the status still said
  // "Press Run…".
  for (const [typed, message] of [['0', /tasks must be a whole number/], ['5.5', /tasks must be a whole number/], ['20000', /tasks must be at most 10000/], ['', /tasks must be a whole number/]]) {
    await page.fill('#field-tasks', typed);
    assert.match(await page.locator('#error-tasks').textContent(), message, `tasks=${typed}`);
    assert.equal(await page.locator('#run').isDisabled(), true, `tasks=${typed}: Run is off`);
    assert.equal(await page.getAttribute('#run', 'aria-describedby'), 'status');
    assert.match(await page.textContent('#status'), /^Run is off until the form's values are fixed: tasks must be/, `tasks=${typed}`);
    assert.match(await page.textContent('#status'), message);
    // Enter in the field submits the form past the button: nothing runs either.
    await page.press('#field-tasks', 'Enter');
    assert.equal(await page.locator('figure.measured').count(), 0);
  }
  await page.screenshot({ path: artifactPath('bad-input.png'), fullPage: true });
  // Fixed, Run is on again and the status says how a run starts.
  await page.fill('#field-tasks', '3');
  assert.equal(await page.locator('#run').isDisabled(), false);
  assert.match(await page.textContent('#status'), /^Press Run/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('running again mid-flight replaces the run: the first promise rejects, the page shows the second', async () => {
  const page = await openApp(app.browser, app.server.url);
  const outcome = await page.evaluate(async () => {
    const first = window.awaitlab.run({ pattern: 'gather', tasks: 4, min: 400, max: 400 }).then(
      () => 'resolved',
      (e) => e.message,
    );
    const second = await window.awaitlab.run({ pattern: 'sequential', tasks: 2, min: 30, max: 30 });
    return { first: await first, tasks: second.summary.tasks };
  });
  assert.match(outcome.first, /cancelled/);
  assert.equal(outcome.tasks, 2);
  await finished(page);
  assert.equal(await page.locator('figure.measured g.lane').count(), 2);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a link to retry with no failures planned runs as it says, and the status says what shows it', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=retry&tasks=6');
  assert.equal(await page.inputValue('#field-fail'), '0');
  assert.equal(
    await page.locator('#status').textContent(),
    'No task fails at failure probability 0, so Retry with backoff has nothing to show: try 0.3.',
  );
  await page.fill('#field-fail', '0.3');
  await page.waitForSelector('figure.predicted rect.bar.backoff');
  assert.match(await page.locator('#status').textContent(), /^Press Run/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('switching to a pattern about errors with no failures planned sets 0.3 and says so; others leave it alone', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=6&fail=0');
  assert.equal(await page.inputValue('#field-fail'), '0');
  await page.selectOption('#field-pattern', 'retry');
  assert.equal(await page.inputValue('#field-fail'), '0.3');
  assert.match(await page.locator('#form-hint').textContent(), /Failure probability set to 0\.3: Retry with backoff only shows/);
  // The prediction follows the form: some attempts fail and are retried.
  await page.waitForSelector('figure.predicted rect.bar.backoff');

  // Back to 0 by hand, then to another pattern: a choice the user made is kept.
  await page.fill('#field-fail', '0');
  assert.equal(await page.locator('#form-hint').textContent(), '');
  await page.selectOption('#field-pattern', 'gather');
  assert.equal(await page.inputValue('#field-fail'), '0');
  assert.equal(await page.locator('#form-hint').textContent(), '');
  // A failure probability already set is never touched.
  await page.fill('#field-fail', '0.1');
  await page.selectOption('#field-pattern', 'fallback');
  assert.equal(await page.inputValue('#field-fail'), '0.1');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();

  // The breakfast has no failure probability: nothing to set, nothing said.
  const breakfast = await openApp(app.browser, app.server.url, 'preset=breakfast&pattern=gather');
  await breakfast.selectOption('#field-pattern', 'retry');
  assert.equal(await breakfast.locator('#field-fail').count(), 0);
  assert.equal(await breakfast.locator('#form-hint').textContent(), '');
  await breakfast.close();
});
