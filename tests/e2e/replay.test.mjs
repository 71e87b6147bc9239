// Replay and compare, as a learner uses them: step, scrub, play, keyboard, and runs on one axis.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactPath, openApp, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });

const cursor = async (page) => Number((await page.locator('#replay-cursor').textContent()).match(/event (\d+) of/)[1]);
const playheadX = (page) => page.locator('figure.measured line.playhead').getAttribute('x1').then(Number);
const currentLog = (page) => page.locator('#replay-log li.current').textContent();

async function finishedRun(query) {
  const page = await openApp(app.browser, app.server.url, query);
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.click('#run');
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  return page;
}

test('stepping moves the playhead and the log together, and back returns to the same event', async () => {
  const page = await finishedRun('pattern=sequential&tasks=3&min=60&max=60');
  const total = Number((await page.locator('#replay-cursor').textContent()).match(/of (\d+)/)[1]);
  assert.equal(await cursor(page), total, 'a finished run shows all its events');

  await page.focus('section.replay');
  await page.keyboard.press('Home');
  // At 0 ms the first event shows only if the clock had not ticked when it was recorded.
  const atStart = await cursor(page);
  assert.ok(atStart <= 1, `cursor ${atStart} at 0 ms`);
  if (atStart === 0) {
    assert.equal(await page.locator('figure.measured rect.bar').count(), 0);
    await page.click('#replay-forward');
  }
  assert.equal(await cursor(page), 1);
  assert.match(await currentLog(page), /task 0 started its work/);

  await page.click('#replay-forward');
  await page.click('#replay-forward');
  const at = { cursor: await cursor(page), x: await playheadX(page), log: await currentLog(page) };
  assert.equal(at.cursor, 3);
  assert.match(at.log, /task 0 returned its result|task 0 finished its work/);

  await page.click('#replay-forward');
  assert.ok((await playheadX(page)) >= at.x);
  await page.click('#replay-back');
  assert.deepEqual({ cursor: await cursor(page), x: await playheadX(page), log: await currentLog(page) }, at);

  await page.focus('section.replay');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await cursor(page), at.cursor, 'the arrow keys step like the buttons');

  // Bars shown follow the cursor: at event 3, only task 0's bar exists.
  assert.equal(await page.locator('figure.measured rect.bar').count(), 1);
  await page.keyboard.press('End');
  assert.equal(await cursor(page), total);
  assert.equal(await page.locator('figure.measured rect.bar').count(), 3);
  await page.screenshot({ path: artifactPath('replay-steps.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('play runs the replay to the end at the chosen speed; the scrubber seeks', async () => {
  const page = await finishedRun('pattern=gather&tasks=6&min=100&max=300&seed=4');
  // Sample the event counter every frame while the replay plays at 1× (the run lasts ~300 ms).
  await page.selectOption('#replay-speed', '1');
  const seen = await page.evaluate(async () => {
    const read = () => Number(document.querySelector('#replay-cursor').textContent.match(/event (\d+) of/)[1]);
    document.querySelector('#replay-toggle').click(); // from the end: restarts at 0 and plays
    const values = [];
    await new Promise((resolve) => {
      const tick = () => {
        values.push(read());
        if (document.querySelector('#replay-toggle').textContent.startsWith('Play')) resolve();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    return values;
  });
  const total = Number((await page.locator('#replay-cursor').textContent()).match(/of (\d+)/)[1]);
  assert.equal(seen.at(-1), total, 'playing stops at the last event');
  assert.ok(new Set(seen).size >= 3, `the cursor moved through the run: ${seen}`);
  assert.deepEqual([...seen].sort((a, b) => a - b), seen, 'and never backwards');

  // Halfway through: every task has begun (they all start at once) and not all have ended.
  const end = Number(await page.locator('#replay-scrub').getAttribute('max'));
  await page.locator('#replay-scrub').fill(String(end / 2));
  const halfway = await cursor(page);
  assert.ok(halfway >= 6 && halfway < total, `halfway cursor ${halfway} of ${total}`);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('compare draws sequential, gather and semaphore(3) on one time axis with their makespans', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=8&min=100&max=100');
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.click('#compare-patterns');
  await page.waitForSelector('#compare');
  const rows = await page.locator('#compare tbody tr').allTextContents();
  assert.equal(rows.length, 3);
  assert.match(rows[0], /sequential.*800 ms/);
  assert.match(rows[1], /gather.*100 ms/);
  assert.match(rows[2], /semaphore\(3\).*300 ms/);
  // One axis: every compared timeline ends its axis at the same tick.
  const lastTicks = await page.$$eval('#compare figure.timeline', (figs) =>
    figs.map((f) => [...f.querySelectorAll('.tick text')].pop().textContent),
  );
  assert.deepEqual(lastTicks, ['800 ms', '800 ms', '800 ms']);
  // Untick one run: two remain.
  await page.locator('.runs li', { hasText: 'gather' }).locator('input.compare-pick').uncheck();
  assert.equal(await page.locator('#compare tbody tr').count(), 2);
  await page.locator('#compare').screenshot({ path: artifactPath('compare.png') });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('retry under a limit compares holding and releasing the permit during backoff on one axis', async () => {
  // Not offered where it means nothing: a gather has no permit to hold.
  const gather = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=4');
  assert.equal(await gather.locator('#compare-hold').count(), 0);
  await gather.close();

  const page = await openApp(app.browser, app.server.url, 'pattern=retry&tasks=4&min=50&max=50&fail=1&retries=3&delay=40&limit=2&hold=1');
  await page.setViewportSize({ width: 1200, height: 1000 });
  await page.click('#compare-hold');
  await page.waitForSelector('#compare');
  const rows = await page.locator('#compare tbody tr').allTextContents();
  assert.equal(rows.length, 2);
  // The same makespans as the per-pattern cases: 460 ms holding, 300 ms releasing.
  assert.match(rows[0], /retry\(limit 2, holding the permit in backoff\).*460 ms/);
  assert.match(rows[1], /retry\(limit 2, releasing the permit in backoff\).*300 ms/);
  const lastTicks = await page.$$eval('#compare figure.timeline', (figs) =>
    figs.map((f) => [...f.querySelectorAll('.tick text')].pop().textContent),
  );
  assert.equal(new Set(lastTicks).size, 1, `one axis: ${lastTicks}`);
  await page.locator('#compare').screenshot({ path: artifactPath('compare-hold.png') });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('gather compares plain gather (cancels nothing) with a TaskGroup (cancels the rest) and says when plain gather raised', async () => {
  const q = 'pattern=gather&tasks=8&min=100&max=400&fail=0.3&seed=13';
  const plain = await openApp(app.browser, app.server.url, `${q}&errors=raise`);
  // What the caller saw: the error at 214 ms, and every other task still running after it.
  assert.match(await plain.locator('#gather-raised').textContent(), /raised task 0's error at 214 ms.*cancelled nothing/);
  await plain.setViewportSize({ width: 1200, height: 1000 });
  await plain.click('#compare-errors');
  await plain.waitForSelector('#compare');
  const rows = await plain.locator('#compare tbody tr').allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /plain: the rest keep running/);
  assert.match(rows[1], /TaskGroup: the rest cancelled/);
  const outcomes = await plain.locator('#compare td[data-col="outcomes"]').allTextContents();
  // Failed · cancelled · timed out: plain gather cancels none, the TaskGroup cancels five.
  assert.deepEqual(outcomes, ['1 · 0 · 0', '1 · 5 · 0']);
  assert.equal(await plain.locator('#compare figure.timeline').nth(0).locator('rect.bar.work.cancel').count(), 0);
  assert.equal(await plain.locator('#compare figure.timeline').nth(1).locator('rect.bar.work.cancel').count(), 5);
  await plain.locator('#compare').screenshot({ path: artifactPath('compare-errors.png') });
  assert.deepEqual(plain.awaitlabErrors, []);
  await plain.close();
  // Not offered for other patterns; no note for the other error modes.
  const group = await openApp(app.browser, app.server.url, `${q}&errors=fail_fast`);
  assert.equal(await group.locator('#gather-raised').count(), 0);
  await group.close();
  const sem = await openApp(app.browser, app.server.url, 'pattern=semaphore&tasks=4');
  assert.equal(await sem.locator('#compare-errors').count(), 0);
  await sem.close();
});

test('the measured lanes carry the prediction, the permit limit, a zoomable axis and readable lane details', async () => {
  const page = await finishedRun('pattern=semaphore&tasks=6&min=100&max=100&limit=2');
  // Predicted spans are outlined on the measured lanes.
  assert.equal(await page.locator('figure.measured rect.ghost').count(), 12, 'a wait and a work span per task');
  assert.equal(await page.locator('figure.measured .strip-limit-label').textContent(), 'limit 2');

  await page.hover('figure.measured g.lane[data-task="4"] rect.bar.work');
  const detail = await page.locator('figure.measured .lane-detail').textContent();
  assert.match(detail, /task 4, attempt 1: wait from .* task 4, attempt 1: work from .*predicted to end at 300 ms/);

  const ms = (text) => Number(text.replace(' ms', ''));
  const lastTick = async () => ms((await page.locator('figure.measured .tick text').allTextContents()).pop());
  const windowMs = async () => (await page.locator('#zoom-window').textContent()).split(' – ').map(ms);
  const full = await lastTick();
  assert.ok(full >= 300, `the axis covers the run: ${full}`);
  await page.click('#zoom-in');
  assert.deepEqual(await windowMs(), [full / 4, (3 * full) / 4]);
  assert.ok((await lastTick()) <= (3 * full) / 4);
  await page.click('#pan-right');
  const [from, to] = await windowMs();
  // The window is shown rounded to 0.1 ms.
  assert.ok(Math.abs(from - (full / 4 + full / 6)) <= 0.05 && Math.abs(to - ((3 * full) / 4 + full / 6)) <= 0.05, `${from}–${to}`);
  await page.click('#zoom-reset');
  assert.equal(await lastTick(), full);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('zoom: Earlier is off at the run\'s start and Later at its end, where they would not move the window, whose label ends on the axis\'s end', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=4&min=50&max=150&seed=1');
  const off = async () => ({
    earlier: await page.locator('#pan-left').isDisabled(),
    later: await page.locator('#pan-right').isDisabled(),
    out: await page.locator('#zoom-out').isDisabled(),
  });
  const label = () => page.locator('#zoom-window').textContent();
  const end = (await page.locator('figure.predicted .tick text').allTextContents()).pop();
  assert.deepEqual(await off(), { earlier: true, later: true, out: true }, 'the whole run');
  await page.click('#zoom-in');
  await page.click('#zoom-in');
  assert.deepEqual(await off(), { earlier: false, later: false, out: false });
  // Thirds of a 40 ms window: 73.3 ms, 86.7 ms… until the window stops at the axis's end.
  for (let i = 0; i < 10 && !(await off()).later; i++) await page.click('#pan-right');
  assert.deepEqual(await off(), { earlier: false, later: true, out: false });
  assert.ok((await label()).endsWith(`– ${end}`), `${await label()} ends at ${end}`);
  for (let i = 0; i < 20 && !(await off()).earlier; i++) await page.click('#pan-left');
  assert.deepEqual(await off(), { earlier: true, later: false, out: false });
  assert.match(await label(), /^0 ms – /);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the gap note names the 4 ms clamp when a chain of 1 ms sleeps runs for real', async () => {
  const page = await finishedRun('pattern=sequential&tasks=20&min=1&max=1');
  const gap = await page.locator('.gap').textContent();
  // Chromium clamps timers nested more than five deep to 4 ms: most of the 20 sleeps are hit.
  const clamped = Number(gap.match(/(\d+) sleeps planned under 4 ms took at least 4 ms/)?.[1] ?? 0);
  assert.ok(clamped >= 10, gap);
  assert.match(gap, /longer than predicted/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

/**
 * Where the current log entry's number is drawn and what of it can be seen. The number is the
 * entry's list marker, which has no box of its own: its width is measured from its text in its
 * font, and it sits before the entry (outside) or at the start of its first line (inside). What can
 * be seen is the part inside every ancestor that clips its overflow.
 */
const currentLogNumber = (page) =>
  page.evaluate(() => {
    const li = document.querySelector('#replay-log li.current');
    const ol = li.parentElement;
    const number = ol.start + [...ol.children].indexOf(li);
    const cs = getComputedStyle(li);
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const width = ctx.measureText(`${number}. `).width;
    const box = li.getBoundingClientRect();
    const top = box.top + parseFloat(cs.paddingTop);
    const inside = cs.listStylePosition === 'inside';
    const marker = {
      left: inside ? box.left + parseFloat(cs.paddingLeft) : box.left - width,
      right: inside ? box.left + parseFloat(cs.paddingLeft) + width : box.left,
      top,
      bottom: top + parseFloat(cs.lineHeight),
    };
    const seen = { left: -Infinity, right: Infinity, top: -Infinity, bottom: Infinity };
    for (let el = ol; el && el !== document.documentElement; el = el.parentElement) {
      const s = getComputedStyle(el);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const r = el.getBoundingClientRect();
      seen.left = Math.max(seen.left, r.left);
      seen.right = Math.min(seen.right, r.right);
      seen.top = Math.max(seen.top, r.top);
      seen.bottom = Math.min(seen.bottom, r.bottom);
    }
    return { number, marker, seen, entry: { top: box.top, bottom: box.bottom } };
  });

test('the replay log shows a 2,000-task run’s 4-digit event numbers whole, at 1280 px and at 390 px', async () => {
  const page = await openApp(app.browser, app.server.url, 'pattern=gather&tasks=2000');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.click('#run');
  await page.waitForSelector('#replay-toggle', { timeout: 60_000 });
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width, height });
    await page.locator('section.replay').scrollIntoViewIfNeeded();
    const { number, marker, seen, entry } = await currentLogNumber(page);
    assert.ok(number >= 1000, `a 4-digit number: ${number}`);
    // Before the fix: "6000." began 3.9 px left of the log's clipped edge, and at 390 px the
    // sentence took two lines of which only the second, without its number, showed.
    const at = (r) => `${r.left.toFixed(1)}–${r.right.toFixed(1)} × ${r.top.toFixed(1)}–${r.bottom.toFixed(1)}`;
    assert.ok(marker.left >= seen.left - 0.5 && marker.right <= seen.right + 0.5, `${width} px: "${number}." at ${at(marker)}, seen ${at(seen)}`);
    assert.ok(marker.top >= seen.top - 0.5 && marker.bottom <= seen.bottom + 0.5, `${width} px: "${number}." at ${at(marker)}, seen ${at(seen)}`);
    assert.ok(entry.top >= seen.top - 0.5 && entry.bottom <= seen.bottom + 0.5, `${width} px: the whole sentence shows`);
    await page.locator('section.replay').screenshot({ path: artifactPath(`replay-log-2000-${width}.png`) });
  }
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the scrubber reads as a time and an event, and a lane is named by its spans', async () => {
  const page = await finishedRun('pattern=semaphore&tasks=4&limit=2&min=50&max=50&fail=0&seed=1&what_if=3.1:fail');
  const scrub = page.locator('#replay-scrub');
  await page.focus('section.replay');
  for (const key of ['Home', 'ArrowRight', 'ArrowRight', 'End']) {
    await page.keyboard.press(key);
    const [time] = (await page.locator('#replay-time').textContent()).split(' / ');
    const cursor = await page.locator('#replay-cursor').textContent();
    assert.equal(await scrub.getAttribute('aria-valuetext'), `${time}, ${cursor}`);
  }
  assert.match(await scrub.getAttribute('aria-valuetext'), /^[\d.]+ m?s, event (\d+) of \1$/);
  // The prediction is exact: a lane's name says its spans, and how one ended when it failed.
  const name = (task) => page.locator(`figure.predicted g.lane[data-task="${task}"]`).getAttribute('aria-label');
  assert.equal(await name(2), 'task 2: wait 0 ms to 50 ms, work 50 ms to 100 ms');
  assert.match(await name(3), /^task 3: wait 0 ms to 50 ms, work 50 ms to 100 ms fail/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a lane readout shows whole under the plot, for the pointer and for ↑/↓, at 1280 and 390 px; with a mouse neither its plot nor the next one moves', async () => {
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    const page = await openApp(app.browser, app.server.url, 'pattern=retry&fail=0.3');
    await page.setViewportSize({ width, height });
    await page.click('#run');
    await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
    const fig = 'figure.measured';
    const plotTop = () => page.locator(`${fig} .plot`).evaluate((p) => p.getBoundingClientRect().top + scrollY);
    const top = await plotTop();
    const readout = () =>
      page.locator(`${fig} .lane-detail`).evaluate((p) => {
        const box = p.getBoundingClientRect();
        return { text: p.textContent, clipped: p.scrollHeight > p.clientHeight + 1 || p.scrollWidth > p.clientWidth + 1, left: box.left, right: box.right };
      });
    const whole = (r, how) => {
      assert.match(r.text, /^task 2, attempt 1: work from .* · task 2, attempt 1: backoff from .* · task 2, attempt 2: work from /, `${width} ${how}`);
      assert.ok(r.text.length > 300, `${width} ${how}: a long readout (${r.text.length} characters)`);
      assert.ok(!r.clipped && r.left >= 0 && r.right <= width, `${width} ${how}: the whole readout shows: ${JSON.stringify(r)}`);
    };
    await page.hover(`${fig} g.lane[data-task="2"] rect.bar.work`);
    whole(await readout(), 'pointer');
    assert.equal(await plotTop(), top, `${width}: the readout does not move the plot under the pointer`);
    await page.screenshot({ path: artifactPath(`replay-lane-readout-${width}.png`) });

    await page.mouse.move(1, 1);
    await page.focus(`${fig} g.lane[data-task="0"]`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    whole(await readout(), 'keyboard');
    const ring = await page.locator(`${fig} g.lane[data-task="2"]`).evaluate((g) => getComputedStyle(g).outlineStyle);
    assert.equal(ring, 'solid', `${width}: a lane focused from the keyboard has a ring`);

    // With a mouse (1280 px) the predicted timeline's readout floats over the measured one: it
    // moved it 17 px down a line. On a phone, where a tap leaves it there, it goes in the flow,
    // clear of the measured timeline's heading.
    await page.mouse.move(1, 1);
    await page.locator('figure.predicted').scrollIntoViewIfNeeded();
    await page.hover('figure.predicted g.lane[data-task="2"] rect.bar.work');
    assert.match(await page.locator('figure.predicted .lane-detail').textContent(), /^task 2, attempt 1: work/);
    if (width > 520) {
      assert.equal(await plotTop(), top, `${width}: the predicted readout does not move the measured plot`);
    } else {
      const [detail, heading] = await Promise.all(
        ['figure.predicted .lane-detail', 'figure.measured figcaption'].map((s) => page.locator(s).evaluate((e) => e.getBoundingClientRect().toJSON())),
      );
      assert.ok(detail.bottom <= heading.top, `${width}: the readout (bottom ${detail.bottom}) clear of the measured heading (top ${heading.top})`);
    }
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  }
});
