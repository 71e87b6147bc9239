// The virtual gather of 100,000 tasks alone (issue 16), as bench/bench.mjs times it: the first call
// on fresh page loads (each in a new browser context) and warm calls in one page. A quick check
// without the whole bench: `node bench/virtual_gather.mjs [dist dir] [loads] [warm rounds]`.
import { launchBrowser, startStaticServer } from '../tests/e2e/support.mjs';

const [dir = 'dist', loads = '7', rounds = '7'] = process.argv.slice(2);
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)].toFixed(0)} ms (${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)}), n=${s.length}: ${xs.map((x) => x.toFixed(0)).join(' ')}`;
};
const call = (page) =>
  page.evaluate(async () => {
    const t0 = performance.now();
    await window.awaitlab.summary({ pattern: 'gather', tasks: 100000, min: 1, max: 1000, clock: 'virtual' });
    return performance.now() - t0;
  });

const server = await startStaticServer(dir);
const browser = await launchBrowser();
const open = async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url + '/', { waitUntil: 'load' });
  await page.waitForFunction(() => window.awaitlab !== undefined && document.getElementById('run'));
  return { context, page };
};
const first = [];
for (let i = 0; i < Number(loads); i++) {
  const { context, page } = await open();
  first.push(await call(page));
  await context.close();
}
const warm = [];
{
  const { context, page } = await open();
  await call(page);
  for (let i = 0; i < Number(rounds); i++) warm.push(await call(page));
  await context.close();
}
console.log(`${dir}\n  first call: ${stats(first)}\n  warm:       ${stats(warm)}`);
await browser.close();
await server.close();
