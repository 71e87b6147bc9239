// The bench's "10,000-task run, Run -> first frame" alone, on fresh page loads, for any dist
// directory: `node bench/first_frame.mjs [dist dir] [loads] [edit|bench]`.
// - edit: one earlier live run (1,000 tasks of 100 ms) first, as a learner would have;
// - bench: what bench/bench.mjs runs before it (100,000-task predictions, live gathers of 1,000
//   and 10,000).
// Then the form is edited to 10,000 tasks of 100 ms and Run clicked; printed per load: the time
// until the live run's own figure is on screen, the animation frames meanwhile (ms after the
// click) and the long tasks around it.
import { launchBrowser, openApp, startStaticServer } from '../tests/e2e/support.mjs';

const [dir = 'dist', loads = '8', mode = 'edit'] = process.argv.slice(2);
const server = await startStaticServer(dir);
const browser = await launchBrowser();
const before = {
  edit: () => window.awaitlab.summary({ pattern: 'gather', tasks: 1000, min: 100, max: 100 }),
  bench: async () => {
    for (let k = 0; k < 8; k++) await window.awaitlab.summary({ pattern: 'gather', tasks: 100000, min: 1, max: 1000, clock: 'virtual' });
    for (let k = 0; k < 15; k++) await window.awaitlab.summary({ pattern: 'gather', tasks: 1000, min: 100, max: 100 });
    for (let k = 0; k < 5; k++) await window.awaitlab.summary({ pattern: 'gather', tasks: 10000, min: 100, max: 100 });
  },
}[mode];
const times = [];
for (let i = 0; i < Number(loads); i++) {
  const page = await openApp(browser, server.url, '');
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.longTasks.push([e.startTime, e.duration]))).observe({
      entryTypes: ['longtask'],
    });
  });
  await page.evaluate(before);
  await page.fill('#field-tasks', '10000');
  await page.fill('#field-min', '100');
  await page.fill('#field-max', '100');
  await page.selectOption('#field-pattern', 'gather');
  const r = await page.evaluate(async () => {
    const t0 = performance.now();
    const frames = [];
    document.querySelector('#run').click();
    await new Promise((resolve) => {
      const check = (t) => {
        frames.push(Math.round(t - t0));
        const live = [...document.querySelectorAll('figure.measured')].some((f) => f.textContent.includes('Measured (browser clock)'));
        requestAnimationFrame(live ? () => resolve() : check);
      };
      requestAnimationFrame(check);
    });
    const ms = performance.now() - t0;
    const long = window.longTasks.filter(([s]) => s > t0 - 500).map(([s, d]) => `${Math.round(s - t0)}+${Math.round(d)}`);
    return { ms, frames: frames.join(','), long: long.join(' ') };
  });
  times.push(r.ms);
  console.log(`${r.ms.toFixed(0)} ms  frames ${r.frames}  long tasks ${r.long || '-'}`);
  await page.context().close();
}
times.sort((a, b) => a - b);
console.log(`${dir}: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms (${times[0].toFixed(0)}–${times[times.length - 1].toFixed(0)}), n=${times.length}`);
await browser.close();
await server.close();
