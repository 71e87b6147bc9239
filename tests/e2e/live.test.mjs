// A live run is drawn while it runs: the page keeps its frames away from the run's due timers by
// what it has learned frames cost, and one slow frame must not teach it that every frame is slow.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, useAppServer } from './support.mjs';

const ctx = useAppServer({ before, after });

test('after one slow live frame, the next run is still drawn while it runs', async () => {
  const page = await openApp(ctx.browser, ctx.server.url, '');
  // A first run of one 200 ms task, whose last live frame takes 250 ms, as a frame can on a busy
  // machine (code not yet optimised, the timeline's first layout, a collection of garbage).
  await page.evaluate(async () => {
    const t0 = performance.now();
    const slow = new MutationObserver(() => {
      if (performance.now() - t0 < 120 || !document.querySelector('figure.measured')) return;
      slow.disconnect();
      const t = performance.now();
      while (performance.now() - t < 250);
    });
    slow.observe(document.body, { childList: true, subtree: true, attributes: true, characterData: true });
    await window.awaitlab.summary({ pattern: 'gather', tasks: 1, min: 200, max: 200 });
    slow.disconnect();
  });
  await page.waitForSelector('figure.measured');
  // Then ten tasks of 300 ms: their live figure is on the page before the run is over.
  const drawnLive = await page.evaluate(async () => {
    let seen = false;
    const live = () =>
      document.querySelector('figure.measured[data-lanes="10"] figcaption')?.textContent === 'Measured (browser clock)';
    const watch = new MutationObserver(() => {
      seen ||= live();
    });
    watch.observe(document.body, { childList: true, subtree: true, characterData: true });
    await window.awaitlab.summary({ pattern: 'gather', tasks: 10, min: 300, max: 300 });
    watch.disconnect();
    return seen;
  });
  assert.ok(drawnLive, 'the 300 ms run was not drawn until it was over');
  assert.deepEqual(page.awaitlabErrors, []);
});
