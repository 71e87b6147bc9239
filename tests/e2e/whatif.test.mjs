// Issue 13, "Ask, then show": a click on a predicted bar opens the what-if menu; "fail" goes into
// the link (what_if) and changes the prediction and a measured run; guess=makespan asks before it
// shows, then sets the guess next to the prediction and the measurement.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { artifactPath, openApp, useAppServer } from './support.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const app = useAppServer({ before, after });

/** Four tasks of exactly 50 ms, gathered: a fast run whose bars are all known. */
const QUERY = 'pattern=gather&tasks=4&min=50&max=50&seed=1&fail=0';

/** What has keyboard focus, described for assertions. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return {
      tag: el?.tagName.toLowerCase(),
      task: el?.getAttribute('data-task'),
      change: el?.getAttribute('data-change'),
      figure: el?.closest('figure')?.className.baseVal ?? el?.closest('figure')?.className,
    };
  });

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

test("a bar the plan does not time (a pipeline's save, a permit wait) says which part the menu changes", async () => {
  // On a save bar, "Twice as slow" doubled the fetch without a word.
  const page = await openApp(app.browser, app.server.url, 'pattern=pipeline&tasks=3&min=50&max=50&seed=1&fail=0');
  try {
    const note = async (selector) => {
      await page.locator(selector).click();
      const menu = page.locator('#bar-menu');
      await menu.waitFor();
      const notes = await menu.locator('.bar-menu-note').allTextContents();
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      return notes;
    };
    assert.deepEqual(await note('figure.timeline.predicted rect.bar.save[data-task="1"]'), ["These change the attempt's fetch, which the plan times: its save has no plan of its own."]);
    assert.deepEqual(await note('figure.timeline.predicted rect.bar.fetch[data-task="1"]'), [], 'the fetch itself needs no note');
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
    // The zoom bar's window ("0 ms – 60 ms") is the prediction's time axis: it would give the answer.
    assert.equal(await page.locator('.zoom').isVisible(), false, 'and the time window it is drawn in');

    // Odd numbers are named as such (they were "Type a number from 0.").
    await page.locator('#guess-input').fill('1e999');
    await page.locator('#guess-input').press('Enter');
    assert.equal(await page.locator('.guess-problem').textContent(), 'Type an ordinary number, such as 400.');
    // Answered from the keyboard (Enter), the result takes the focus the form had: it went to the body.
    await page.locator('#guess-input').fill('80');
    await page.locator('#guess-input').press('Enter');
    const result = page.locator('#guess-result');
    await result.waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'guess-result');
    await page.locator('figure.timeline.predicted').waitFor({ state: 'visible' });
    assert.equal(await page.locator('.zoom').isVisible(), true);
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

test('guess=makespan: a guess belongs to its values; changing one asks again, not comparing the old guess to the new prediction', async () => {
  const page = await openApp(app.browser, app.server.url, `${QUERY}&guess=makespan`);
  try {
    await page.locator('#guess-input').fill('80');
    await page.locator('#guess button[type="submit"]').click();
    await page.locator('#guess-result').waitFor();
    await page.fill('#field-max', '150');
    await page.locator('#guess-input').waitFor();
    assert.equal(await page.locator('#guess-result').count(), 0, 'the guess for max=50 is not shown for max=150');
    assert.equal(await page.locator('#guess-input').inputValue(), '');
    assert.equal(await page.locator('figure.timeline.predicted').isVisible(), false, 'the new prediction waits for a new guess');
    // "Show me" on the empty field asks for a number: the old 80 is not read again.
    await page.locator('#guess button[type="submit"]').click();
    assert.match(await page.locator('.guess-problem').textContent(), /number/);
    await page.locator('#guess-input').fill('120');
    await page.locator('#guess button[type="submit"]').click();
    const rows = await page.locator('#guess-result tr').allTextContents();
    assert.match(rows[0], /Your guess\s*120/);
    assert.match(rows[1], /Predicted.*ms \(you were .* off\)/);
    assert.equal(await page.locator('.guess-problem').count(), 0);
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});

test('guess first, then Run without answering: the page stops asking and shows the answer, saying no guess was made', async () => {
  // The prompt kept asking for a guess beside the measured run it had just shown, the prediction
  // and the figures still hidden.
  for (const [guess, caption, figure] of [['makespan', 'Makespan', /^Measured.*\d ms$/], ['peak', 'Peak concurrency', /^Measured \(browser clock\)\s*4$/]]) {
    const page = await openApp(app.browser, app.server.url, `${QUERY}&guess=${guess}`);
    const [width, height] = guess === 'peak' ? [390, 844] : [1280, 800];
    await page.setViewportSize({ width, height });
    try {
      await page.locator('#guess-input').waitFor();
      await page.locator('#run').click();
      await finished(page);
      assert.equal(await page.locator('#guess-input').count(), 0, `${guess}: no question about a run already shown`);
      const result = page.locator('#guess-result');
      assert.equal(await result.locator('caption').textContent(), caption);
      const rows = await result.locator('tr').allTextContents();
      assert.deepEqual(rows.slice(0, 2), ['Your guessnone: you pressed Run first', `Predicted (virtual clock)${guess === 'peak' ? '4' : '50 ms'}`]);
      assert.match(rows[2], figure);
      for (const shown of ['figure.timeline.predicted', '.summary #figures', '.zoom']) {
        assert.equal(await page.locator(shown).isVisible(), true, `${guess}: ${shown} is shown with the answer`);
      }
      await page.screenshot({ path: artifactPath(`guess-run-first-${guess}-${width}.png`), fullPage: width < 500 });
      // New values are a new question: the run of the old ones has left the screen.
      await page.fill('#field-max', '150');
      await page.locator('#guess-input').waitFor();
      assert.equal(await page.locator('figure.timeline.predicted').isVisible(), false, `${guess}: the new prediction waits for a guess`);
      assert.deepEqual(page.awaitlabErrors, []);
    } finally {
      await page.close();
    }
  }
});

test('keyboard only: Tab to the timeline, ↓ to a lane, → to its bar, Enter, ↓↑ to "fail", Enter; Escape gives focus back', async () => {
  const page = await openApp(app.browser, app.server.url, QUERY);
  try {
    await page.locator(bar('predicted', 2)).waitFor();
    // Tab from the top of the page until the predicted timeline (its first lane) has focus.
    let tabs = 0;
    for (; tabs < 120; tabs++) {
      const f = await focused(page);
      if (f.tag === 'g' && /predicted/.test(f.figure)) break;
      await page.keyboard.press('Tab');
    }
    assert.ok(tabs < 120, 'Tab reaches the predicted timeline');
    assert.equal((await focused(page)).task, '0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal((await focused(page)).task, '2');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await focused(page), { tag: 'rect', task: '2', change: null, figure: 'timeline predicted' });

    // Escape closes the menu and gives focus back to the bar.
    await page.keyboard.press('Enter');
    await page.locator('#bar-menu [role="menu"]').waitFor();
    assert.equal((await focused(page)).change, 'fail', 'the first item has focus');
    await page.keyboard.press('Escape');
    await page.locator('#bar-menu').waitFor({ state: 'detached' });
    assert.equal((await focused(page)).tag, 'rect');

    await page.keyboard.press('Enter');
    await page.locator('#bar-menu').waitFor();
    assert.match(await page.locator('#bar-menu').textContent(), /task 2, attempt 1/);
    await page.keyboard.press('ArrowDown');
    assert.equal((await focused(page)).change, 'x2');
    await page.keyboard.press('ArrowUp');
    assert.equal((await focused(page)).change, 'fail');
    await page.keyboard.press('Enter');

    await page.waitForFunction(() => new URLSearchParams(location.search).get('what_if') === '2.1:fail');
    await page.waitForFunction((sel) => document.querySelector(sel)?.classList.contains('overridden'), bar('predicted', 2));
    assert.match(await page.locator(bar('predicted', 2)).getAttribute('class'), /\bfail\b/);
    assert.match(await page.locator(bar('predicted', 1)).getAttribute('class'), /\bok\b/);
    assert.equal(await page.locator('#bar-menu').count(), 0);
    // The change drew the timeline anew: the focus is on the bar's lane, not lost to the body.
    assert.deepEqual(await focused(page), { tag: 'g', task: '2', change: null, figure: 'timeline predicted' });
    await page.keyboard.press('ArrowDown');
    assert.equal((await focused(page)).task, '3', 'the keys go on from there');
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});

test('axe: the open what-if menu has no serious or critical violation', async () => {
  const page = await openApp(app.browser, app.server.url, QUERY);
  try {
    await page.locator(bar('predicted', 1)).click();
    await page.locator('#bar-menu [role="menu"]').waitFor();
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () =>
      (await window.axe.run(document.querySelector('#bar-menu'))).violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help}`),
    );
    assert.deepEqual(violations, []);
  } finally {
    await page.close();
  }
});

/**
 * Where time `ms` and the middle of lane `lane` are on screen, read from the predicted figure's
 * axis: its first and last tick (x of 0 ms and of the last tick's time) and the tick lines, which
 * span the lanes' area (plus 4 units under it).
 */
async function pointOf(page, ms, lane) {
  return page.evaluate(
    ({ ms, lane }) => {
      const fig = document.querySelector('figure.timeline.predicted');
      const svg = fig.querySelector('svg');
      const ticks = [...svg.querySelectorAll('g.tick')];
      const first = ticks[0].querySelector('line');
      const last = ticks[ticks.length - 1]; // the axis's end, always labelled
      const text = last.querySelector('text').textContent;
      const lastMs = parseFloat(text) * (text.endsWith(' s') ? 1000 : 1);
      const x0 = +first.getAttribute('x1');
      const x1 = +last.querySelector('line').getAttribute('x1');
      const top = +first.getAttribute('y1');
      const laneH = (+first.getAttribute('y2') - 4 - top) / +fig.dataset.lanes;
      const ux = x0 + (ms / lastMs) * (x1 - x0);
      const uy = top + (lane + 0.5) * laneH;
      const box = svg.getBoundingClientRect();
      const scale = box.width / svg.viewBox.baseVal.width;
      return { x: box.left + ux * scale, y: box.top + uy * scale, laneCssPx: laneH * scale };
    },
    { ms, lane },
  );
}

/** Resolves once the page has drawn two more frames (what a click changes is on screen by then). */
const twoFrames = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

test('a canvas run (600 tasks): a click on a bar\'s pixel opens the menu for that task', async () => {
  // 600 tasks of 50 ms, gathered; tasks 0, 300 and 599 made twice as slow. Between 50 and 100 ms
  // their bars are the only ones, so a click there names the task only if x and the lane (a
  // fifth of a pixel high) are both read right.
  const slow = '0.1:x2,300.1:x2,599.1:x2';
  const query = `pattern=gather&tasks=600&min=50&max=50&seed=1&fail=0&what_if=${slow}`;
  const page = await openApp(app.browser, app.server.url, query);
  try {
    await page.waitForSelector('figure.timeline.predicted[data-render="canvas"]');
    for (const task of [0, 300, 599]) {
      const p = await pointOf(page, 75, task);
      // The bar is painted at that pixel (the canvas, not only the hit test, has it there).
      const painted = await page.evaluate(({ x, y }) => {
        const c = document.querySelector('figure.timeline.predicted canvas.bars');
        const box = c.getBoundingClientRect();
        const px = Math.floor(((x - box.left) * c.width) / box.width);
        const py = Math.floor(((y - box.top) * c.height) / box.height);
        return Math.max(...c.getContext('2d').getImageData(px, py - 1, 1, 3).data.filter((_, i) => i % 4 === 3));
      }, p);
      assert.ok(painted > 0, `task ${task}'s bar is painted at 75 ms on its lane`);
      await page.mouse.click(p.x, p.y);
      const menu = page.locator('#bar-menu');
      await menu.waitFor();
      assert.match(await menu.locator('.bar-menu-title').textContent(), new RegExp(`task ${task}, attempt 1$`));
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
    }
    // At 75 ms on lane 150 nothing is drawn, and nothing opens.
    const miss = await pointOf(page, 75, 150);
    await page.mouse.click(miss.x, miss.y);
    await twoFrames(page);
    assert.equal(await page.locator('#bar-menu').count(), 0);

    const p = await pointOf(page, 75, 300);
    await page.mouse.click(p.x, p.y);
    await page.locator('#bar-menu [data-change="fail"]').click();
    // Read raw: URLSearchParams would read the link's "+" as a space.
    await page.waitForFunction(() => location.search.includes('&what_if=0.1:x2,300.1:fail+x2,599.1:x2'));
    // The link the page wrote opens again as it is: its "+" is not read as a space (which refused
    // the whole what_if, "got \"fail x2\"", before the page read its address as links are written).
    await page.reload();
    await page.waitForFunction(() => window.awaitlab !== undefined && document.getElementById('run'));
    assert.equal(await page.locator('#url-notice').count(), 0, (await page.locator('#url-notice').allTextContents()).join('\n'));
    assert.match(await page.evaluate(() => location.search), /&what_if=0\.1:x2,300\.1:fail\+x2,599\.1:x2/);
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});

test('a canvas run from the keyboard: Tab to the plot, Page Down to lane 300, Enter, fail; the measured canvas read the same way', async () => {
  const query = 'pattern=gather&tasks=600&min=50&max=50&seed=1&fail=0&what_if=300.1:x2';
  const page = await openApp(app.browser, app.server.url, query);
  try {
    const plot = 'figure.timeline.predicted[data-render="canvas"] .plot';
    await page.waitForSelector(plot);
    let tabs = 0;
    for (; tabs < 120; tabs++) {
      if (await page.evaluate((sel) => document.activeElement === document.querySelector(sel), plot)) break;
      await page.keyboard.press('Tab');
    }
    assert.ok(tabs < 120, 'Tab reaches the canvas plot');
    const cursor = () => page.locator(`${plot} rect.kbd-cursor`).getAttribute('data-task');
    await page.waitForFunction((sel) => document.querySelector(`${sel} rect.kbd-cursor`), plot);
    assert.equal(await cursor(), '0', 'the cursor starts on the first lane');
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageDown'); // a tenth of 600 lanes each
    await page.waitForFunction((sel) => document.querySelector(`${sel} rect.kbd-cursor`)?.getAttribute('data-task') === '300', plot);
    assert.match(await page.locator('figure.timeline.predicted .lane-detail').textContent(), /^task 300, attempt 1: work/);
    assert.ok(await page.locator(`${plot} rect.kbd-cursor`).isVisible(), 'drawn while the plot has focus');

    await page.keyboard.press('Enter');
    await page.locator('#bar-menu').waitFor();
    assert.match(await page.locator('#bar-menu .bar-menu-title').textContent(), /task 300, attempt 1$/);
    await page.keyboard.press('Escape');
    await page.locator('#bar-menu').waitFor({ state: 'detached' });
    assert.ok(await page.evaluate((sel) => document.activeElement === document.querySelector(sel), plot), 'focus is back');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.locator('#bar-menu').waitFor();
    assert.equal((await focused(page)).change, 'fail');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.search.includes('&what_if=300.1:fail+x2'));

    // The measured canvas is the next Tab stop, read with the same keys (it had none: Tab went
    // from the predicted plot to the replay bar). Enter opens nothing there.
    await page.click('#run');
    await page.locator('#replay-toggle').waitFor({ timeout: 30_000 });
    const measured = 'figure.timeline.measured[data-render="canvas"] .plot';
    await page.focus(plot);
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate((sel) => document.activeElement === document.querySelector(sel), measured), 'Tab reaches the measured plot');
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction((sel) => document.querySelector(`${sel} rect.kbd-cursor`)?.getAttribute('data-task') === '1', measured);
    assert.match(await page.locator('figure.timeline.measured .lane-detail').textContent(), /^task 1, attempt 1: work/);
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#bar-menu').count(), 0);
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});

/** Presses Tab until `done()` holds in the page (at most `most` presses): how many it took. */
async function tabUntil(page, done, most = 200, arg = undefined) {
  for (let n = 1; n <= most; n++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(done, arg)) return n;
  }
  return Infinity;
}

test('a timeline is one Tab stop at any task count; ↓ ↑ and Page Down move between lanes, and Tab comes back to the last one', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=50&min=20&max=40&seed=1&fail=0');
  try {
    await page.locator('#run').click();
    await finished(page);
    await page.locator('#replay-toggle').waitFor();
    for (const figure of ['predicted', 'measured']) {
      assert.equal(await page.locator(`figure.timeline.${figure} g.lane[tabindex="0"]`).count(), 1, `${figure}: one lane in the Tab order`);
    }
    // From Run to Play: the form's last controls, the figures, one stop per timeline, the replay.
    await page.focus('#run');
    const presses = await tabUntil(page, () => document.activeElement?.id === 'replay-toggle');
    assert.ok(presses <= 10, `Tab presses from Run to Play with 50 tasks: ${presses}`);

    // Into the predicted timeline: its first lane; ↓ ↓ and Page Down (a tenth of 50) move on.
    await page.focus('#run');
    await tabUntil(page, () => document.activeElement?.matches('figure.predicted g.lane'));
    assert.equal((await focused(page)).task, '0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('PageDown');
    assert.deepEqual(await focused(page), { tag: 'g', task: '6', change: null, figure: 'timeline predicted' });
    assert.equal(await page.locator('figure.predicted g.lane[tabindex="0"]').getAttribute('data-task'), '6');
    // Tab leaves the timeline (to the measured one), Shift+Tab comes back to the same lane.
    await page.keyboard.press('Tab');
    assert.match((await focused(page)).figure ?? '', /measured/);
    await page.keyboard.press('Shift+Tab');
    assert.deepEqual(await focused(page), { tag: 'g', task: '6', change: null, figure: 'timeline predicted' });
    // The what-if menu still opens from the keyboard there.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.locator('#bar-menu').waitFor();
    assert.match(await page.locator('#bar-menu .bar-menu-title').textContent(), /task 6, attempt 1$/);
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});

test('a compact embed: its fields, the timeline (one stop) and Run within a few Tab presses', async () => {
  const page = await openApp(app.browser, app.server.url, 'embed=1&pattern=gather&tasks=50&controls=tasks');
  try {
    await page.locator('figure.predicted g.lane').first().waitFor();
    const presses = await tabUntil(page, () => document.activeElement?.id === 'run');
    assert.ok(presses <= 6, `Tab presses to Run: ${presses}`);
  } finally {
    await page.close();
  }
});

test('the keyboard passes over a 0 ms permit wait: → lands on the work, whose menu cancels at its middle', async () => {
  // Two permits: tasks 0 and 1 get theirs at once (a 0 ms wait), then work 0–50 ms.
  const page = await openApp(app.browser, app.server.url, 'pattern=semaphore&tasks=4&limit=2&min=50&max=50&seed=1&fail=0');
  try {
    await page.locator('figure.predicted g.lane[data-task="0"] rect.bar.wait').waitFor();
    await tabUntil(page, () => document.activeElement?.matches('figure.predicted g.lane'));
    await page.keyboard.press('ArrowRight');
    const at = () => page.evaluate(() => document.activeElement.getAttribute('class') + ' ' + document.activeElement.getAttribute('data-start') + '–' + document.activeElement.getAttribute('data-end'));
    assert.match(await at(), /^bar work ok pickable 0–50$/);
    await page.keyboard.press('ArrowLeft');
    assert.equal((await focused(page)).tag, 'g', '← from the first stop goes back to the lane');
    await page.keyboard.press('Enter');
    await page.locator('#bar-menu').waitFor();
    assert.match(await page.locator('#bar-menu').textContent(), /Cancel the task here \(at 25 ms/);
    await page.keyboard.press('Escape');
    // A waiting task's lane: → stops at its 50 ms wait, then at its work.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.match(await at(), /^bar wait ok pickable 0–50$/);
    await page.keyboard.press('ArrowRight');
    assert.match(await at(), /^bar work ok pickable 50–100$/);
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});

test('a lane with a 0 ms permit wait reads without it, predicted and measured: its name and the words under the plot', async () => {
  // The first Tab stop, task 0's lane, was named "task 0: wait 0 ms to 0 ms, work 0 ms to 50 ms",
  // and the details under the plot began "wait from 0 ms to 0 ms (0 ms)".
  const page = await openApp(app.browser, app.server.url, 'pattern=semaphore&tasks=4&limit=2&min=50&max=50&seed=1&fail=0');
  const instant = /wait (?:from )?([\d.]+ m?s) to \1/;
  try {
    await page.locator('#run').click();
    await finished(page);
    for (const figure of ['predicted', 'measured']) {
      await tabUntil(page, (f) => document.activeElement?.matches(`figure.${f} g.lane`), 200, figure);
      const name = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
      const words = await page.locator(`figure.${figure} .lane-detail`).textContent();
      // The measured clock reads performance.now(), in steps of 0.1 ms: the two reads around a
      // permit granted at once straddle a step now and then (one full e2e run of many), and that
      // wait really lasted 0.1 ms on the clock (the lane reads it, as it should).
      const step = /^task 0: wait ([\d.]+) ms to ([\d.]+) ms, work/.exec(name);
      if (figure === 'measured' && step) {
        assert.ok(Number(step[2]) - Number(step[1]) <= 0.11, `${figure}: a wait within the clock's step: ${name}`);
      } else {
        assert.match(name, /^task 0: work [\d.]+ ms to [\d.]+ ms$/, `${figure}: ${name}`);
        assert.doesNotMatch(words, instant, `${figure}: ${words}`);
        assert.match(words, /^task 0, attempt 1: work from/, `${figure}: ${words}`);
      }
      // A lane whose permit wait has a length still reads it.
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      assert.match(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), /^task 2: wait [\d.]+ ms to [\d.]+ ms, work/);
    }
    assert.deepEqual(page.awaitlabErrors, []);
  } finally {
    await page.close();
  }
});
