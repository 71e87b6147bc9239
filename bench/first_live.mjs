// The page's FIRST live run of bench.mjs section 2 alone (issue 16): `summary({pattern: 'gather',
// tasks: 1000, min: 100, max: 100})` on fresh page loads (a new browser context each), one or more
// builds alternating: `LOADS=15 node bench/first_live.mjs dist /tmp/other-dist`. Per build: the time
// beyond 100 ms of the first and second live calls, when the first 100 ms setTimeout was called
// (after the call began) and the span from the first to the last one (the start of the 1,000
// tasks), and how many timers the run armed. WARM=1 first makes bench.mjs's virtual calls.
import { startStaticServer, launchBrowser } from '../tests/e2e/support.mjs';
const dirs = process.argv.slice(2);
const LOADS = Number(process.env.LOADS || 7);
const WARM = process.env.WARM === '1'; // virtual warm-up as bench.mjs does before section 2
const servers = await Promise.all(dirs.map((d) => startStaticServer(d)));
const browser = await launchBrowser();
const res = dirs.map(() => ({ first: [], second: [], start: [], timers: [] }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
for (let i = 0; i < LOADS; i++) {
  const order = i % 2 === 0 ? dirs.map((_, k) => k) : dirs.map((_, k) => dirs.length - 1 - k);
  for (const k of order) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.addInitScript(() => {
      const orig = window.setTimeout;
      window.__timers = [];
      window.setTimeout = function (f, ms, ...rest) {
        if (ms >= 80 && ms <= 101) window.__timers.push(performance.now());
        return orig.call(window, f, ms, ...rest);
      };
    });
    await page.goto(servers[k].url + '/', { waitUntil: 'load' });
    await page.waitForFunction(() => window.awaitlab !== undefined && document.getElementById('run'));
    await page.waitForTimeout(300);
    if (WARM) {
      for (let j = 0; j < 6; j++)
        await page.evaluate(() => window.awaitlab.summary({ pattern: 'gather', tasks: 100000, min: 1, max: 1000, clock: 'virtual' }));
    }
    const r = await page.evaluate(async () => {
      const one = async () => {
        window.__timers.length = 0;
        const t0 = performance.now();
        await window.awaitlab.summary({ pattern: 'gather', tasks: 1000, min: 100, max: 100 });
        const t = performance.now() - t0 - 100;
        const ts = window.__timers.filter((x) => x - t0 < 60);
        return { t, start: ts.length ? ts[ts.length - 1] - ts[0] : NaN, lead: ts.length ? ts[0] - t0 : NaN, timers: ts.length };
      };
      const a = await one();
      const b = await one();
      return { a, b };
    });
    res[k].first.push(r.a.t);
    res[k].second.push(r.b.t);
    res[k].start.push(r.a.start); (res[k].lead ??= []).push(r.a.lead);
    res[k].timers.push(r.a.timers);
    await context.close();
  }
}
for (const [k, d] of dirs.entries()) {
  const r = res[k];
  console.log(`${d}: first beyond 100 ${fmt(r.first)} | arming span ${fmt(r.start)} | first arm after ${fmt(r.lead)} | timers ${r.timers.join(',')} | second ${fmt(r.second)}`);
  console.log(`   first: ${r.first.map((x) => x.toFixed(1)).join(' ')}`);
}
await browser.close();
await Promise.all(servers.map((s) => s.close()));
