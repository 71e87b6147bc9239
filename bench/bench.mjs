// awaitlab's benchmarks: the release build in headless Chromium, figures printed as a table with
// each figure's median and spread (min–max) over rounds, and appended to bench/results.tsv with the
// date and commit. Run through scripts/bench.sh (which builds dist/ first). Ratios compare against
// plain JS in the same page and the same run, alternating order so neither side always goes first.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { pageWeight } from '../scripts/size.mjs';
import { REPO_ROOT, launchBrowser, openApp, startStaticServer } from '../tests/e2e/support.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS || 5);
// Fresh page loads (each in a new browser context: empty cache, nothing compiled).
const LOADS = Number(process.env.BENCH_LOADS || 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });
const spread = (s, digits = 1, unit = ' ms') =>
  `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;

const server = await startStaticServer();
const browser = await launchBrowser();
const rows = [];
// For bench/results.tsv: one line per figure, [name, unit, stats].
const figures = [];
const record = (name, unit, s) => figures.push([name, unit, s]);

const weight = pageWeight(path.join(REPO_ROOT, 'dist')).total;
record('page weight gzip', 'B', stats([weight.gzip]));
record('page weight brotli', 'B', stats([weight.brotli]));
rows.push({
  benchmark: 'page weight (wasm + JS + CSS)',
  figure: `${(weight.gzip / 1000).toFixed(1)} KB gzip`,
  note: `${(weight.brotli / 1000).toFixed(1)} KB brotli, ${(weight.raw / 1000).toFixed(1)} KB raw`,
});

const virtualGather = async (page) =>
  page.evaluate(async () => {
    const t0 = performance.now();
    await window.awaitlab.summary({ pattern: 'gather', tasks: 100000, min: 1, max: 1000, clock: 'virtual' });
    return performance.now() - t0;
  });

// 0. Fresh loads: first contentful paint, the app's first render (its Run button in the DOM), and
//    the first virtual call made as soon as the app is there.
{
  const fcp = [];
  const ready = [];
  const first = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      const seen = () => {
        if (window.__appReady === undefined && document.getElementById('run')) window.__appReady = performance.now();
      };
      new MutationObserver(seen).observe(document, { childList: true, subtree: true });
    });
    await page.goto(server.url + '/', { waitUntil: 'load' });
    await page.waitForFunction(() => window.__appReady !== undefined && window.awaitlab !== undefined);
    // The paint entry arrives a frame after the paint: wait for it before the virtual call,
    // which would otherwise hold the main thread (and the paint) for its whole run.
    const t = await page.evaluate(
      () =>
        new Promise((resolve) =>
          new PerformanceObserver((list, observer) => {
            const entry = list.getEntriesByName('first-contentful-paint')[0];
            if (!entry) return;
            observer.disconnect();
            resolve({ fcp: entry.startTime, ready: window.__appReady });
          }).observe({ type: 'paint', buffered: true }),
        ),
    );
    first.push(await virtualGather(page));
    fcp.push(t.fcp);
    ready.push(t.ready);
    await context.close();
  }
  const f = stats(fcp);
  const r = stats(ready);
  const v = stats(first);
  record('first contentful paint', 'ms', f);
  record('app first render', 'ms', r);
  record('virtual gather 100k, first call after load', 'ms', v);
  rows.push({ benchmark: 'first contentful paint, fresh context', figure: spread(f), note: `${LOADS} loads; median (min–max)` });
  rows.push({ benchmark: 'app rendered (Run button in the DOM), fresh context', figure: spread(r), note: `${LOADS} loads` });
  rows.push({ benchmark: 'virtual gather, 100,000 tasks, first call after load', figure: spread(v), note: `${LOADS} fresh loads, called as soon as the app is there` });
}

const page = await openApp(browser, server.url);

// 1. Virtual clock: 100,000 tasks, timed inside the page (summary only, no JSON of the events).
//    One call to warm up, then ROUNDS timed calls.
{
  await virtualGather(page);
  const times = [];
  for (let i = 0; i < ROUNDS; i++) times.push(await virtualGather(page));
  const s = stats(times);
  record('virtual gather 100k, warm', 'ms', s);
  rows.push({ benchmark: 'virtual gather, 100,000 tasks, warm', figure: spread(s), note: `${ROUNDS} calls after one untimed call` });
}

// 2. Instrumented gather of N × 100 ms sleeps vs Promise.all of setTimeouts: the time beyond 100 ms.
for (const n of [1000, 10000]) {
  const ours = [];
  const js = [];
  const ratios = [];
  for (let i = 0; i < ROUNDS; i++) {
    const pair = await page.evaluate(
      async ({ n, jsFirst }) => {
        const baseline = async () => {
          const t0 = performance.now();
          await Promise.all(Array.from({ length: n }, () => new Promise((r) => setTimeout(r, 100))));
          return performance.now() - t0 - 100;
        };
        const awaitlab = async () => {
          const t0 = performance.now();
          await window.awaitlab.summary({ pattern: 'gather', tasks: n, min: 100, max: 100 });
          return performance.now() - t0 - 100;
        };
        if (jsFirst) {
          const b = await baseline();
          return { b, a: await awaitlab() };
        }
        const a = await awaitlab();
        return { a, b: await baseline() };
      },
      { n, jsFirst: i % 2 === 0 },
    );
    ours.push(pair.a);
    js.push(pair.b);
    ratios.push(pair.a / Math.max(pair.b, 0.1));
  }
  const a = stats(ours);
  const b = stats(js);
  const r = stats(ratios);
  const ratio = a.median / Math.max(b.median, 0.1);
  record(`gather ${n} x 100 ms, beyond 100 ms`, 'ms', a);
  record(`gather ${n} x 100 ms, JS Promise.all, beyond 100 ms`, 'ms', b);
  record(`gather ${n} x 100 ms, ratio of medians`, 'x', stats([ratio]));
  record(`gather ${n} x 100 ms, ratio per round`, 'x', r);
  rows.push({
    benchmark: `gather ${n.toLocaleString('en')} × 100 ms, time beyond 100 ms`,
    figure: `${spread(a)} vs JS ${spread(b)}`,
    // The first round is the page's first live run: its code has not been optimised yet.
    note: `ratio of medians ${ratio.toFixed(2)}×; per round ${spread(r, 2, '×')}; the first round is the page's first live run; the live UI draws frames away from due timers`,
  });
}

// 3. A 10,000-task run drawn: first frame of its live timeline after Run, then replay smoothness.
{
  await page.fill('#field-tasks', '10000');
  await page.fill('#field-min', '100');
  await page.fill('#field-max', '100');
  await page.selectOption('#field-pattern', 'gather');
  const firstFrame = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('#run').click();
    await new Promise((resolve) => {
      const check = () =>
        // The live run's own figure ("Measured (browser clock)"), not the replayed one of an
        // earlier round ("Run #1: measured …"), which an older page kept on screen past the edits.
        [...document.querySelectorAll('figure.measured')].some((f) => f.textContent.includes('Measured (browser clock)'))
          ? requestAnimationFrame(() => resolve())
          : requestAnimationFrame(check);
      requestAnimationFrame(check);
    });
    return performance.now() - t0;
  });
  await page.waitForSelector('#replay-toggle', { timeout: 60_000 });
  const replayFirst = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('.replay-pick').click();
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    return performance.now() - t0;
  });
  record('10k run, Run -> first frame', 'ms', stats([firstFrame]));
  record('10k run, Replay -> first frame', 'ms', stats([replayFirst]));
  rows.push({ benchmark: '10,000-task run, Run → first frame of its timeline', figure: `${firstFrame.toFixed(1)} ms`, note: 'live timeline on canvas; one run' });
  rows.push({ benchmark: '10,000-task run, Replay → first frame', figure: `${replayFirst.toFixed(1)} ms`, note: 'two frames after the click' });

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const script = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ScriptDuration').value * 1000;
  await page.selectOption('#replay-speed', '0.1');
  const before = await script();
  const frames = await page.evaluate(async () => {
    document.querySelector('#replay-toggle').click();
    const intervals = [];
    let last = performance.now();
    await new Promise((resolve) => {
      const tick = (t) => {
        intervals.push(t - last);
        last = t;
        if (document.querySelector('#replay-toggle').textContent.startsWith('Play')) resolve();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    return intervals.slice(1);
  });
  const scriptMs = (await script()) - before;
  const total = frames.reduce((a, b) => a + b, 0);
  const fps = (frames.length * 1000) / total;
  record('10k replay at 0.1x, fps', 'fps', stats([fps]));
  record('10k replay at 0.1x, script per frame', 'ms', stats([scriptMs / frames.length]));
  record('10k replay at 0.1x, frame interval', 'ms', stats(frames));
  rows.push({
    benchmark: '10,000-task replay at 0.1×',
    figure: `${fps.toFixed(1)} fps, ${(scriptMs / frames.length).toFixed(2)} ms script/frame`,
    note: `${frames.length} frames, interval ${spread(stats(frames))}`,
  });
}

console.log(`\nawaitlab benchmarks (release build, headless Chromium; median (min–max) of ${ROUNDS} rounds, ${LOADS} fresh loads)\n`);
console.log('| benchmark | figure | note |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.benchmark} | ${r.figure} | ${r.note} |`);
if (page.awaitlabErrors.length) console.log('\npage errors:', page.awaitlabErrors);
await browser.close();
await server.close();

// bench/results.tsv: one dated line per figure, with the commit measured (+dirty when the tree had
// uncommitted changes), so runs can be compared over time.
const git = (...args) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
let commit = 'unknown';
try {
  commit = git('rev-parse', '--short=10', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : '');
} catch {
  // not a git checkout: keep 'unknown'
}
const file = path.join(REPO_ROOT, 'bench', 'results.tsv');
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const header = existsSync(file) ? '' : 'date\tcommit\tfigure\tunit\tmedian\tmin\tmax\tn\n';
const digits = (x) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
appendFileSync(
  file,
  header +
    figures
      .map(([name, unit, s]) => [date, commit, name, unit, digits(s.median), digits(s.min), digits(s.max), s.n].join('\t'))
      .join('\n') +
    '\n',
);
console.log(`\nappended ${figures.length} lines to bench/results.tsv (${commit})`);
