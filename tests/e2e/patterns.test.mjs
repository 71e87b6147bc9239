// Every pattern of issue 3, end to end against the release build in dist/: opened through its
// link, run for real, and checked for what a learner sees (the bars that make the pattern's point,
// the summary table, the legend, the code panel), then re-run through window.awaitlab.run to hold
// the measured makespan to the virtual clock's prediction. Then the bad inputs, through the
// URL notice, the form and the awaitlab.run rejection.
//
// Exact numbers come from the virtual clock (or fixed durations, min = max) only. Measured runs
// are compared with physics: a timer never fires early, so measured ≥ predicted − 1 ms, and it
// fires within a wide margin (< predicted + 1 s). Where the measured bar counts must equal the
// predicted ones (who fails first, who wins a race, which task times out), the seed is chosen so
// the competing timers are at least 8 ms apart, which timer ordering guarantees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactPath, openApp, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });

const VIEWPORT = { width: 1200, height: 900 };
/** The margin of a measured makespan over its prediction: timers late by a whole second is a bug. */
const LATE_MARGIN_MS = 1000;
/** Bars' x and width are written rounded to 0.01 SVG units, so an edge may be off by 0.01 or two. */
const EDGE = 0.05;

// ---------------------------------------------------------------------------------------------
// Helpers

/** Waits until the status line says the measured run finished. */
async function finished(page) {
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'), null, {
    timeout: 30_000,
  });
}

/** `{ 'work.ok': 3, 'wait.ok': 3, … }`: the bars of a figure ("predicted" or "measured") by phase.close. */
async function barTally(page, figure) {
  return page.$$eval(`figure.${figure} rect.bar`, (rects) => {
    const tally = {};
    for (const r of rects) {
      const [, phase, close] = r.getAttribute('class').split(/\s+/);
      tally[`${phase}.${close}`] = (tally[`${phase}.${close}`] ?? 0) + 1;
    }
    return tally;
  });
}

/**
 * The bars of each lane of a figure, in DOM order (the order their spans began):
 * `[{ task, bars: [{ cls: 'work.fail', x, end }] }]`, x and end in SVG units.
 */
async function lanes(page, figure) {
  return page.$$eval(`figure.${figure} g.lane`, (gs) =>
    gs.map((g) => ({
      task: Number(g.dataset.task),
      marks: g.querySelectorAll('text.mark-fallback').length,
      queued: [...g.querySelectorAll('line.queued')].map((l) => l.querySelector('title').textContent),
      bars: [...g.querySelectorAll('rect.bar')].map((r) => {
        const [, phase, close] = r.getAttribute('class').split(/\s+/);
        const x = Number(r.getAttribute('x'));
        return { cls: `${phase}.${close}`, x, end: x + Number(r.getAttribute('width')) };
      }),
      // The planned rest of work cut short, drawn after its bar.
      unrun: [...g.querySelectorAll('rect.unrun')].map((r) => {
        const x = Number(r.getAttribute('x'));
        return { x, end: x + Number(r.getAttribute('width')), title: r.querySelector('title').textContent };
      }),
    })),
  );
}

/**
 * On both timelines, each of the `count` bars of class `cls` (work cut short) is followed by its
 * planned rest, starting where the bar ends; no other lane has one.
 */
async function assertPlannedRestFollows(page, cls, count) {
  for (const figure of ['predicted', 'measured']) {
    const cut = (await lanes(page, figure)).filter((l) => l.bars.some((b) => b.cls === cls));
    assert.equal(cut.length, count, `${figure}: lanes with ${cls}`);
    for (const lane of await lanes(page, figure)) {
      const bar = lane.bars.find((b) => b.cls === cls);
      if (!bar) {
        assert.deepEqual(lane.unrun, [], `${figure} task ${lane.task}: ran to its end, nothing planned is left`);
        continue;
      }
      assert.equal(lane.unrun.length, 1, `${figure} task ${lane.task}`);
      const [rest] = lane.unrun;
      assert.ok(Math.abs(rest.x - bar.end) < 1.5, `${figure} task ${lane.task}: the rest starts where the bar ends`);
      assert.ok(rest.end > rest.x + 1, `${figure} task ${lane.task}: the rest has a length`);
      assert.match(rest.title, /planned to run until .* of work never ran/);
    }
  }
}

/** The summary table's row `id` as `[predicted, measured]` text. */
async function row(page, id) {
  return page.locator(`tr[data-row="${id}"] td`).allTextContents();
}

/** Every key of the link is shown in its form field with the link's value. */
async function assertFormShows(page, query) {
  for (const [key, value] of new URLSearchParams(query)) {
    assert.equal(await page.inputValue(`#field-${key}`), value, `#field-${key}`);
  }
}

/** The URL query as awaitlab.run params. */
const paramsOf = (query) => Object.fromEntries(new URLSearchParams(query));

/** Runs `params` on the virtual clock, then on the browser clock; returns both Run JSONs. */
async function predictAndMeasure(page, params) {
  return page.evaluate(async (params) => {
    const predicted = await window.awaitlab.run({ ...params, clock: 'virtual' });
    const measured = await window.awaitlab.run({ ...params, clock: 'browser' });
    return { predicted, measured };
  }, params);
}

/** Events of a Run JSON that close a `phase` span with `kind`. */
const closing = (run, phase, kind) => run.events.filter((e) => e.phase === phase && e.kind === kind);

// ---------------------------------------------------------------------------------------------
// The cases: one per pattern (retry three times: alone, and under a limit holding or releasing
// the permit during backoff). `bars` is the exact tally of both timelines; `rows` are summary
// rows whose predicted and measured cells must both read so; `predictedMakespan` is the predicted
// cell of the makespan row; `legend` and `python` are what the legend and the code panel must say;
// `check` and `api` are the pattern's own assertions on the page and on the Run JSONs.

const CASES = [
  {
    name: 'sequential',
    title: 'sequential: 4 × 100 ms one after another take 400 ms, one task at a time',
    query: 'pattern=sequential&tasks=4&min=100&max=100',
    heading: /Sequential/,
    bars: { 'work.ok': 4 },
    rows: { peak: '1', attempts: '4', failures: '0' },
    predictedMakespan: '400 ms',
    legend: ['running'],
    python: /for i in range\(N\):  # one at a time/,
    async check(page) {
      // Each measured bar starts where the one before it ended, or later: never overlapping.
      const bars = (await lanes(page, 'measured')).map((l) => l.bars[0]);
      for (let i = 1; i < bars.length; i++) {
        assert.ok(bars[i].x >= bars[i - 1].end - EDGE, `task ${i} starts before task ${i - 1} ends`);
      }
    },
    api({ measured }) {
      assert.ok(measured.summary.makespan_ms >= 399, `4 × 100 ms one by one: ${measured.summary.makespan_ms}`);
    },
  },
  {
    name: 'gather-collect',
    title: 'gather, errors=collect: every task runs to the end, failures and results side by side',
    query: 'pattern=gather&errors=collect&tasks=8&min=100&max=400&fail=0.3&seed=1',
    heading: /gather/,
    bars: { 'work.ok': 5, 'work.fail': 3 },
    rows: { peak: '8', attempts: '8', failures: '3' },
    predictedMakespan: '394 ms',
    legend: ['running', 'failed'],
    python: /return_exceptions=True/,
    api({ measured }) {
      assert.equal(measured.events.filter((e) => e.kind === 'cancel').length, 0, 'collect cancels nothing');
    },
  },
  {
    name: 'gather-fail-fast',
    title: 'gather, errors=fail_fast: the first error cancels every task still running',
    // Seed 13: tasks finish at 127 and 190 ms, task 0 fails at 214 ms, the next would end at 245 ms.
    query: 'pattern=gather&errors=fail_fast&tasks=8&min=100&max=400&fail=0.3&seed=13',
    heading: /gather/,
    bars: { 'work.ok': 2, 'work.fail': 1, 'work.cancel': 5 },
    rows: { peak: '8', attempts: '8', failures: '1', cancelled: '5' },
    predictedMakespan: '214 ms',
    legend: ['failed', 'cancelled'],
    python: /TaskGroup/,
    async check(page) {
      // The cancelled bars all end where the failed one ends.
      const bars = (await lanes(page, 'measured')).flatMap((l) => l.bars);
      const failEnd = bars.find((b) => b.cls === 'work.fail').end;
      for (const b of bars.filter((b) => b.cls === 'work.cancel')) {
        assert.ok(Math.abs(b.end - failEnd) < 3, `a cancel bar ends at ${b.end}, the failure at ${failEnd}`);
      }
    },
    api({ measured }) {
      const [failure] = closing(measured, 'work', 'fail');
      for (const c of closing(measured, 'work', 'cancel')) {
        assert.ok(c.t >= failure.t && c.t - failure.t < 5, `cancelled at ${c.t}, first error at ${failure.t}`);
      }
    },
  },
  {
    name: 'semaphore',
    title: 'semaphore: 12 × 100 ms under limit=3 take 400 ms, never more than 3 at once',
    query: 'pattern=semaphore&tasks=12&min=100&max=100&limit=3',
    heading: /Semaphore/,
    bars: { 'wait.ok': 12, 'work.ok': 12 },
    rows: { attempts: '12', failures: '0' },
    predictedMakespan: '400 ms',
    predictedPeak: '3',
    maxMeasuredPeak: 3,
    legend: ['running', 'waiting for a semaphore permit'],
    python: /asyncio\.Semaphore\(3\)/,
    async check(page) {
      // The last three tasks wait through three rounds of 100 ms before they get a permit: on the
      // shared time axis their measured wait is at least three predicted work bars long.
      const width = (b) => b.end - b.x;
      const work = (await lanes(page, 'predicted'))[0].bars.find((b) => b.cls === 'work.ok');
      const measured = await lanes(page, 'measured');
      // Their permit comes three rounds after task 0's work began. Counted from there, not from
      // the wait's own start, which comes after the nine tasks before it have started: one CI
      // run measured task 9's wait at 295 ms (a busy machine can start the tasks milliseconds apart).
      const first = measured[0].bars.find((b) => b.cls === 'work.ok');
      for (const lane of measured.slice(9)) {
        const wait = lane.bars.find((b) => b.cls === 'wait.ok');
        // Less 1 ms (100 ms is width(work)): a timer may fire a little early on performance.now()'s clock.
        const waited = wait.end - first.x;
        assert.ok(waited >= 3 * width(work) - width(work) / 100, `lane ${lane.task} got its permit ${waited} after task 0's work began, 100 ms is ${width(work)}`);
      }
      // The replay log names the wait as the legend does.
      await page.focus('section.replay');
      await page.keyboard.press('Home');
      const log = () => page.locator('#replay-log').innerText();
      for (let i = 0; i < 8 && !/started waiting/.test(await log()); i++) await page.keyboard.press('ArrowRight');
      assert.match(await log(), /started waiting for a semaphore permit/);
    },
    api({ measured }) {
      assert.ok(measured.summary.peak_concurrency <= 3, `peak ${measured.summary.peak_concurrency}`);
    },
  },
  {
    name: 'retry',
    title: 'retry: 3 attempts that all fail, 50 ms work and 40 ms delay, take 230 ms and 3 attempts per task',
    query: 'pattern=retry&tasks=3&min=50&max=50&fail=1&retries=3&delay=40&backoff=constant',
    heading: /Retry/,
    bars: { 'work.fail': 9, 'backoff.ok': 6 },
    rows: { attempts: '9', failures: '3' },
    predictedMakespan: '230 ms',
    legend: ['backing off before a retry', 'failed'],
    python: /for attempt in range\(1, 3 \+ 1\)/,
    async check(page) {
      for (const lane of await lanes(page, 'measured')) {
        assert.deepEqual(
          lane.bars.map((b) => b.cls),
          ['work.fail', 'backoff.ok', 'work.fail', 'backoff.ok', 'work.fail'],
          `lane ${lane.task}`,
        );
      }
    },
  },
  {
    name: 'retry-hold',
    title: 'retry under limit=2 with hold=1: the permit is held through the backoff, so 4 tasks take 460 ms',
    query: 'pattern=retry&tasks=4&min=50&max=50&fail=1&retries=3&delay=40&limit=2&hold=1',
    heading: /Retry/,
    // One permit wait per task.
    bars: { 'wait.ok': 4, 'work.fail': 12, 'backoff.ok': 8 },
    rows: { peak: '2', attempts: '12', failures: '4' },
    predictedMakespan: '460 ms',
    maxMeasuredPeak: 2,
    legend: ['waiting for a semaphore permit', 'backing off before a retry', 'failed'],
    python: /the permit is held through every attempt and pause/,
    async check(page) {
      const all = await lanes(page, 'measured');
      assert.deepEqual(
        all[3].bars.map((b) => b.cls),
        ['wait.ok', 'work.fail', 'backoff.ok', 'work.fail', 'backoff.ok', 'work.fail'],
      );
      // Tasks 2 and 3 wait for all of tasks 0 and 1, backoffs included: on the shared time axis
      // task 3's measured wait is at least as long as task 0's predicted run (230 ms).
      const predicted = (await lanes(page, 'predicted'))[0].bars;
      const run0 = predicted.at(-1).end - predicted[0].x;
      const wait = all[3].bars[0];
      // Less 1 ms: the wait began a moment after task 0's first attempt did.
      assert.ok(wait.end - wait.x >= run0 - run0 / 230, `task 3 waited ${wait.end - wait.x}, task 0 runs ${run0}`);
    },
  },
  {
    name: 'retry-release',
    title: 'retry under limit=2 with hold=0: the permit is given back for the backoff, so 4 tasks take 300 ms',
    query: 'pattern=retry&tasks=4&min=50&max=50&fail=1&retries=3&delay=40&limit=2&hold=0',
    heading: /Retry/,
    // A permit wait before every attempt.
    bars: { 'wait.ok': 12, 'work.fail': 12, 'backoff.ok': 8 },
    rows: { peak: '2', attempts: '12', failures: '4' },
    predictedMakespan: '300 ms',
    maxMeasuredPeak: 2,
    legend: ['waiting for a semaphore permit', 'backing off before a retry', 'failed'],
    python: /a permit per attempt, given back for the pause/,
    async check(page) {
      const all = await lanes(page, 'measured');
      assert.deepEqual(
        all[0].bars.map((b) => b.cls),
        ['wait.ok', 'work.fail', 'backoff.ok', 'wait.ok', 'work.fail', 'backoff.ok', 'wait.ok', 'work.fail'],
      );
      // Task 2 runs its first attempt while tasks 0 and 1 back off.
      const backoff0 = all[0].bars[2];
      const work2 = all[2].bars.find((b) => b.cls === 'work.fail');
      assert.ok(work2.x < backoff0.end, `task 2 starts at ${work2.x}, task 0's backoff ends at ${backoff0.end}`);
    },
  },
  {
    name: 'fallback',
    title: 'fallback (safe_process): errors become None, marked on their lanes, and no task fails',
    query: 'pattern=fallback&tasks=8&min=100&max=400&fail=0.3&seed=1',
    heading: /Fallback/,
    bars: { 'work.ok': 5, 'work.fail': 3 },
    rows: { attempts: '8', failures: '0' },
    predictedMakespan: '394 ms',
    legend: ['error replaced by a default (fallback)'],
    python: /async def safe_process\(coro, default=None\)/,
    async check(page) {
      for (const figure of ['predicted', 'measured']) {
        const all = await lanes(page, figure);
        assert.equal(all.reduce((n, l) => n + l.marks, 0), 3, `${figure}: fallback marks`);
        for (const lane of all) {
          const failed = lane.bars.some((b) => b.cls === 'work.fail');
          assert.equal(lane.marks, failed ? 1 : 0, `${figure} lane ${lane.task}: a mark exactly where work failed`);
        }
      }
    },
  },
  {
    name: 'resource',
    title: 'resource (async with): acquire, work, release on every lane, the release also after an error',
    query: 'pattern=resource&tasks=6&min=100&max=100&fail=0.4&seed=2&acquire=50&release=30',
    heading: /async with/,
    bars: { 'acquire.ok': 6, 'work.ok': 3, 'work.fail': 3, 'release.ok': 6 },
    rows: { attempts: '6', failures: '3' },
    predictedMakespan: '180 ms',
    legend: ['acquiring a resource', 'releasing a resource', 'failed'],
    python: /release, also after an error/,
    async check(page) {
      for (const lane of await lanes(page, 'measured')) {
        const [acquire, work, release] = lane.bars;
        assert.equal(acquire.cls, 'acquire.ok', `lane ${lane.task}`);
        assert.match(work.cls, /^work\.(ok|fail)$/, `lane ${lane.task}`);
        assert.equal(release.cls, 'release.ok', `lane ${lane.task}`);
        assert.ok(release.x >= work.end - EDGE, `lane ${lane.task}: release at ${release.x}, work ends at ${work.end}`);
      }
      const failedLanes = (await lanes(page, 'measured')).filter((l) => l.bars.some((b) => b.cls === 'work.fail'));
      assert.equal(failedLanes.length, 3);
    },
  },
  {
    name: 'pipeline',
    title: 'pipeline: every item goes fetch → process → save, two at a time under limit=2',
    query: 'pattern=pipeline&tasks=6&min=100&max=200&seed=1&process=50&save=30&limit=2',
    heading: /fetch → process → save/,
    bars: { 'wait.ok': 6, 'fetch.ok': 6, 'process.ok': 6, 'save.ok': 6 },
    // No `attempts` row: Summary counts `work` spans only, and a pipeline's attempt is its `fetch`.
    rows: { failures: '0' },
    maxMeasuredPeak: 2,
    predictedPeak: '2',
    legend: ['fetch', 'process', 'save'],
    python: /data = await fetch\(i\)/,
    async check(page) {
      for (const lane of await lanes(page, 'measured')) {
        assert.deepEqual(lane.bars.map((b) => b.cls), ['wait.ok', 'fetch.ok', 'process.ok', 'save.ok'], `lane ${lane.task}`);
        for (let i = 2; i < 4; i++) {
          assert.ok(lane.bars[i].x >= lane.bars[i - 1].end - EDGE, `lane ${lane.task}: ${lane.bars[i].cls} at ${lane.bars[i].x}, the stage before ends at ${lane.bars[i - 1].end}`);
        }
      }
    },
  },
  {
    name: 'timeout',
    title: 'timeout (wait_for): tasks still running at 250 ms are cancelled with a timeout',
    // Seed 1: three tasks end by 177 ms, the shortest of the rest would take 299 ms.
    query: 'pattern=timeout&tasks=8&min=100&max=400&seed=1&timeout=250',
    heading: /wait_for/,
    bars: { 'work.ok': 3, 'work.timeout': 5 },
    rows: { attempts: '8', failures: '0', 'timed-out': '5' },
    predictedMakespan: '250 ms',
    legend: ['timed out', 'planned work that never ran'],
    python: /asyncio\.wait_for\(work\(i\), timeout=0\.25\)/,
    check: (page) => assertPlannedRestFollows(page, 'work.timeout', 5),
    api({ measured }) {
      const timeouts = closing(measured, 'work', 'timeout');
      assert.equal(timeouts.length, 5);
      for (const e of timeouts) assert.ok(e.t >= 249, `timed out at ${e.t}, before the 250 ms deadline`);
    },
  },
  {
    name: 'race',
    title: 'race: the first task to finish wins and every task still running is cancelled at that instant',
    // Seed 4: task 4 finishes at 106 ms, the next at 175 ms.
    query: 'pattern=race&tasks=6&min=100&max=400&seed=4',
    heading: /Race/,
    bars: { 'work.ok': 1, 'work.cancel': 5 },
    rows: { attempts: '6', failures: '0', cancelled: '5' },
    predictedMakespan: '106 ms',
    legend: ['cancelled', 'planned work that never ran'],
    python: /return_when=asyncio\.FIRST_COMPLETED/,
    async check(page) {
      const winners = (await lanes(page, 'measured')).filter((l) => l.bars.some((b) => b.cls === 'work.ok'));
      assert.deepEqual(winners.map((l) => l.task), [4]);
      await assertPlannedRestFollows(page, 'work.cancel', 5);
    },
    api({ measured }) {
      assert.deepEqual(measured.events.filter((e) => e.kind === 'done').map((e) => e.task), [4]);
    },
  },
  {
    name: 'as-completed',
    title: 'as_completed: each result is processed as soon as it arrives, one at a time',
    // Seed 4: tasks end at 106, 175, 183, 252, 276 and 351 ms; 30 ms of processing each.
    query: 'pattern=as_completed&tasks=6&min=100&max=400&seed=4&process=30',
    heading: /as_completed/,
    bars: { 'work.ok': 6, 'process.ok': 6 },
    rows: { attempts: '6', failures: '0' },
    predictedMakespan: '381 ms',
    legend: ['running', 'process', 'result waiting for its turn to be processed'],
    python: /asyncio\.as_completed\(tasks\)/,
    async check(page) {
      for (const lane of await lanes(page, 'measured')) {
        const [work, process] = lane.bars;
        assert.equal(work.cls, 'work.ok');
        assert.equal(process.cls, 'process.ok');
        assert.ok(process.x >= work.end - EDGE, `lane ${lane.task}: processed at ${process.x}, completed at ${work.end}`);
      }
      // Predicted: the result of 183 ms waits for the one of 175 ms, the one of 276 ms for 252 ms.
      const waits = (await lanes(page, 'predicted')).map((l) => l.queued);
      assert.deepEqual(waits, [
        ['task 0: result waited 6 ms for its turn to be processed'], [], [],
        ['task 3: result waited 22 ms for its turn to be processed'], [], [],
      ]);
      // Measured: task 3 waited too (22 ms of margin; the 6 ms wait may shrink with late timers).
      assert.equal((await lanes(page, 'measured'))[3].queued.length, 1, 'measured task 3');
    },
    api({ measured }) {
      // One result at a time, in the order the tasks finished.
      const spans = closing(measured, 'process', 'end').map((end) => ({
        end,
        begin: measured.events.find((e) => e.kind === 'begin' && e.phase === 'process' && e.task === end.task),
      }));
      spans.sort((a, b) => a.begin.t - b.begin.t);
      assert.deepEqual(
        spans.map((s) => s.end.task),
        [4, 5, 3, 1, 0, 2],
      );
      for (let i = 1; i < spans.length; i++) assert.ok(spans[i].begin.t >= spans[i - 1].end.t, 'processing overlaps');
    },
  },
];

for (const c of CASES) {
  test(c.title, async () => {
    const page = await openApp(app.browser, app.server.url, c.query);
    try {
      await page.setViewportSize(VIEWPORT);
      const tasks = Number(new URLSearchParams(c.query).get('tasks'));

      // The link's values are in the form, with the pattern's explanation; the prediction is drawn at once.
      await assertFormShows(page, c.query);
      assert.match(await page.locator('section.intro h2').textContent(), c.heading);
      assert.ok((await page.locator('section.intro .explain').textContent()).length > 40);
      assert.equal(await page.locator('figure.predicted').getAttribute('data-lanes'), String(tasks));
      assert.equal(await page.locator('#url-notice').count(), 0);

      await page.click('#run');
      await finished(page);
      assert.match(await page.locator('#status').textContent(), new RegExp(`^Finished: ${tasks} tasks in `));

      for (const figure of ['predicted', 'measured']) {
        const fig = page.locator(`figure.${figure}`);
        assert.equal(await fig.getAttribute('data-lanes'), String(tasks), `${figure} lanes`);
        assert.equal(await fig.getAttribute('data-render'), 'svg', `${figure} render`);
        assert.equal(await fig.locator('g.lane').count(), tasks, `${figure} g.lane`);
        assert.deepEqual(await barTally(page, figure), c.bars, `${figure} bars`);
      }

      for (const [id, text] of Object.entries(c.rows)) {
        assert.deepEqual(await row(page, id), [text, text], `summary row ${id}`);
      }
      const [predictedMakespan, measuredMakespan] = await row(page, 'makespan');
      if (c.predictedMakespan) assert.equal(predictedMakespan, c.predictedMakespan);
      assert.match(measuredMakespan, /^\d+(\.\d)? ms$|^\d+(\.\d+)? s$/);
      const [predictedPeak, measuredPeak] = await row(page, 'peak');
      if (c.predictedPeak) assert.equal(predictedPeak, c.predictedPeak);
      if (c.maxMeasuredPeak) {
        assert.ok(Number(measuredPeak) >= 1 && Number(measuredPeak) <= c.maxMeasuredPeak, `measured peak ${measuredPeak}`);
      }

      // Each entry is one item's label (its text without the aria-hidden mark, as a screen reader
      // reads it), or its first words (`running` of `running (work, …)`).
      const items = await page.$$eval('ul.legend li', (lis) =>
        lis.map((li) => {
          const label = li.cloneNode(true);
          label.querySelectorAll('[aria-hidden="true"]').forEach((mark) => mark.remove());
          return label.textContent.trim();
        }),
      );
      for (const entry of c.legend) {
        assert.ok(items.some((t) => t === entry || t.startsWith(`${entry} `)), `legend lacks "${entry}": ${items.join(' | ')}`);
      }

      await c.check?.(page);

      // The code panel, open beside the timeline, shows this pattern's asyncio code with the link's
      // values, one list item per line; the Rust is a tab.
      const pythonLines = await page.locator('.code-panel ol.language-python > li').allTextContents();
      assert.match(pythonLines.join('\n'), c.python);
      await page.click('#tab-rust');
      assert.ok((await page.locator('.code-panel ol.language-rust').textContent()).length > 100);
      assert.equal(await page.locator('.code-panel ol.language-rust').isVisible(), true);

      assert.equal(await page.locator('.banner-error').count(), 0, 'panic banner');
      await page.screenshot({ path: artifactPath(`pattern-${c.name}.png`), fullPage: true });

      // The same scenario through the JS API: measured against the prediction, with physics bounds.
      const runs = await predictAndMeasure(page, paramsOf(c.query));
      const predicted = runs.predicted.summary.makespan_ms;
      const measured = runs.measured.summary.makespan_ms;
      if (c.predictedMakespan) assert.equal(`${predicted} ms`, c.predictedMakespan);
      assert.equal(runs.measured.clock, 'browser');
      assert.equal(runs.measured.scenario.params.pattern, new URLSearchParams(c.query).get('pattern'));
      assert.ok(measured >= predicted - 1, `measured ${measured} ms, predicted ${predicted} ms: a timer fired early`);
      assert.ok(measured < predicted + LATE_MARGIN_MS, `measured ${measured} ms, predicted ${predicted} ms`);
      assert.equal(runs.measured.summary.attempts, runs.predicted.summary.attempts);
      assert.equal(runs.measured.summary.failures, runs.predicted.summary.failures);
      c.api?.(runs);

      assert.deepEqual(page.awaitlabErrors, []);
    } finally {
      await page.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Bad input (issue 3): each value is named with its key and allowed range in the URL notice (the
// page opens with the default instead), next to its form field (nothing runs), and in the
// awaitlab.run rejection. Nothing panics.

const BAD_INPUTS = [
  {
    key: 'limit',
    link: 'pattern=semaphore&tasks=6&limit=0',
    api: { pattern: 'semaphore', limit: 0 },
    message: /limit must be a whole number from 1 to 100000 for the semaphore pattern \(got "0"\)/,
    fallsBackTo: '3',
    form: { link: 'pattern=semaphore', typed: '0' },
  },
  {
    key: 'retries',
    link: 'pattern=retry&retries=-1',
    api: { pattern: 'retry', retries: -1 },
    message: /retries must be a whole number from 1 to 20 \(got "-1"\)/,
    fallsBackTo: '3',
    form: { link: 'pattern=retry', typed: '-1' },
  },
  {
    key: 'fail',
    link: 'pattern=gather&fail=2',
    api: { pattern: 'gather', fail: 2 },
    message: /fail must be a number from 0 to 1 \(got "2"\)/,
    fallsBackTo: '0',
    form: { link: 'pattern=gather', typed: '2' },
  },
  {
    key: 'timeout',
    link: 'pattern=timeout&timeout=0',
    api: { pattern: 'timeout', timeout: 0 },
    message: /timeout must be a whole number from 1 to 600000 \(got "0"\)/,
    fallsBackTo: '250',
    form: { link: 'pattern=timeout', typed: '0' },
  },
  {
    key: 'delay',
    link: 'pattern=retry&delay=NaN',
    api: { pattern: 'retry', delay: NaN },
    message: /delay must be a whole number from 0 to 600000 \(got "NaN"\)/,
    fallsBackTo: '100',
    form: { link: 'pattern=retry', typed: 'NaN' },
  },
  {
    key: 'pattern',
    link: 'pattern=zigzag&tasks=5',
    api: { pattern: 'zigzag' },
    message:
      /pattern must be one of sequential, gather, semaphore, retry, fallback, resource, pipeline, timeout, race, as_completed, code \(got "zigzag"\)/,
    fallsBackTo: 'gather',
  },
  {
    key: 'backoff',
    link: 'pattern=retry&backoff=linear',
    api: { pattern: 'retry', backoff: 'linear' },
    message: /backoff must be one of constant, exponential \(got "linear"\)/,
    fallsBackTo: 'constant',
  },
];

for (const bad of BAD_INPUTS) {
  test(`bad input ${bad.link}: the notice, the form and awaitlab.run name ${bad.key} and its range`, async () => {
    const page = await openApp(app.browser, app.server.url, bad.link);
    try {
      await page.setViewportSize(VIEWPORT);
      // The link: a notice naming the value, the default in its place, the other values kept.
      const notice = await page.locator('#url-notice').textContent();
      assert.match(notice, bad.message);
      assert.equal((notice.match(/ must be /g) ?? []).length, 1, `only ${bad.key} is named: ${notice}`);
      assert.equal(await page.inputValue(`#field-${bad.key}`), bad.fallsBackTo);
      for (const [key, value] of new URLSearchParams(bad.link)) {
        if (key !== bad.key) assert.equal(await page.inputValue(`#field-${key}`), value, `#field-${key}`);
      }
      // The page still works: the prediction is drawn from the defaults.
      assert.equal(await page.locator('figure.predicted').count(), 1);

      // The JS API rejects with an Error naming the key and its range.
      const rejection = await page.evaluate(async (params) => {
        try {
          await window.awaitlab.run(params);
          return { resolved: true };
        } catch (e) {
          return { isError: e instanceof Error, message: String(e.message) };
        }
      }, bad.api);
      assert.equal(rejection.resolved, undefined, `awaitlab.run(${JSON.stringify(bad.api)}) resolved`);
      assert.ok(rejection.isError);
      assert.match(rejection.message, bad.message);
      assert.equal(await page.locator('.banner-error').count(), 0, 'panic banner');
      await page.screenshot({ path: artifactPath(`pattern-bad-${bad.key}.png`), fullPage: true });

      // The form: the typed value is named next to its field and nothing runs.
      if (bad.form) {
        await page.goto(`${app.server.url}/?${bad.form.link}`);
        await page.waitForFunction(() => typeof window.awaitlab !== 'undefined');
        await page.fill(`#field-${bad.key}`, bad.form.typed);
        await page.locator(`#error-${bad.key}`).waitFor();
        // Run is off while a value is bad, the status line saying why.
        assert.equal(await page.locator('#run').isDisabled(), true);
        assert.match(await page.locator('#status').textContent(), /^Run is off until the form's values are fixed/);
        assert.match(await page.locator(`#error-${bad.key}`).textContent(), bad.message);
        assert.equal(await page.locator(`#field-${bad.key}`).getAttribute('aria-invalid'), 'true');
        assert.equal(await page.locator('figure.measured').count(), 0);
        assert.doesNotMatch(await page.locator('#status').textContent(), /^(Running|Finished)/);
        assert.equal(await page.locator('.banner-error').count(), 0, 'panic banner');
        await page.screenshot({ path: artifactPath(`pattern-bad-${bad.key}-form.png`), fullPage: true });
      }
      assert.deepEqual(page.awaitlabErrors, []);
    } finally {
      await page.close();
    }
  });
}
