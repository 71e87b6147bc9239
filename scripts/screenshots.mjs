#!/usr/bin/env node
// Regenerates the README's screenshots (docs/*.png) from a release build.
//
//   source scripts/env.sh && trunk build --release && node scripts/screenshots.mjs [DIST] [NAME...]
//
// DIST is the build to serve (default dist/, relative to the repository root); NAMEs, if given,
// retake only those images (e.g. `lab-race-1280 tutorial`). Each image is a fixed state: a seeded
// scenario, a measured run that has finished, the replay put on a given event with the replay keys
// (End, then ←: an event number, unlike a time, does not move when the machine is busy); never a
// sleep. Measured runs differ a little from one take to the next; the event shown does not. Not a
// test: nothing is asserted beyond what a screenshot needs, but a page that logs an error stops
// the script. It prints each image's status and gap to the prediction: look at the images.
//
// Uses tests/e2e/support.mjs: the same static server, Chromium and openApp as the e2e tests.

import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { launchBrowser, openApp, REPO_ROOT, startStaticServer } from '../tests/e2e/support.mjs';

const args = process.argv.slice(2);
const isDir = (p) => statSync(path.resolve(REPO_ROOT, p), { throwIfNoEntry: false })?.isDirectory() ?? false;
const DIST = args[0] && isDir(args[0]) ? args.shift() : 'dist';
const ONLY = new Set(args);
const DOCS = path.join(REPO_ROOT, 'docs');

const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };

// The program of docs/code-*.png: a crawl of the offline mock API, three requests at a time.
const CRAWL = `import asyncio
import aiohttp

sem = asyncio.Semaphore(3)


async def fetch_url(session, n):
    async with sem:
        async with session.get(f"api/item/{n}?ms={80 + 40 * (n % 3)}") as resp:
            resp.raise_for_status()
            item = await resp.json()
            print(f"item {n}: {item['name']}")
            return item


async def main():
    async with aiohttp.ClientSession() as session:
        items = await asyncio.gather(*(fetch_url(session, n) for n in range(6)))
    print(f"fetched {len(items)} items")


asyncio.run(main())
`;
const codeQuery = (source) => `pattern=code&code=!${deflateRawSync(Buffer.from(source)).toString('base64url')}`;

/** Waits until the page has drawn what it will draw: fonts, timelines at their width, two frames. */
async function settle(page) {
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.waitForFunction(() =>
    [...document.querySelectorAll('figure.timeline svg')].every((svg) => {
      const vb = svg.viewBox?.baseVal;
      return !vb || vb.width === 0 || Math.abs(svg.getBoundingClientRect().width - vb.width) < 1;
    }),
  );
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** The lab at `query`, in a viewport of `viewport`, its prediction drawn. */
async function lab(browser, server, query, viewport) {
  const page = await openApp(browser, server.url, query);
  await page.setViewportSize(viewport);
  await page.waitForSelector('figure.predicted', { timeout: 30_000 });
  await page.waitForFunction(() => /\d/.test(document.querySelector('[data-figure="makespan"] .predicted')?.textContent ?? ''));
  await settle(page);
  return page;
}

/** Presses Run and waits for the measured run to finish (its replay bar, paused at the end). */
async function run(page) {
  await page.click('#run');
  await page.waitForSelector('#replay-toggle', { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'), null, { timeout: 60_000 });
  await page.waitForFunction(() => {
    const m = document.querySelector('#replay-cursor')?.textContent.match(/event (\d+) of (\d+)/);
    return m && m[1] === m[2];
  });
}

const cursor = (page) =>
  page.evaluate(() => document.querySelector('#replay-cursor').textContent.match(/event (\d+) of (\d+)/).slice(1).map(Number));

/** Steps the replay back from the end to event `n` (keys on the replay bar, as a reader would). */
async function stepTo(page, n) {
  const [, total] = await cursor(page);
  if (n > total) throw new Error(`the run has ${total} events, not ${n}`);
  await page.focus('section.replay');
  await page.keyboard.press('End');
  await page.waitForFunction((t) => document.querySelector('#replay-cursor').textContent === `event ${t} of ${t}`, total);
  for (let i = total; i > n; i--) await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((s) => document.querySelector('#replay-cursor').textContent === s, `event ${n} of ${total}`);
}

/** No focus ring, no hover, top of the page; then the picture. */
async function shoot(page, name, { fullPage = false } = {}) {
  await page.evaluate(() => {
    document.activeElement?.blur?.();
    window.scrollTo(0, 0);
  });
  await page.mouse.move(0, 0);
  await settle(page);
  if (page.awaitlabErrors?.length) throw new Error(`${name}: the page logged errors:\n  ${page.awaitlabErrors.join('\n  ')}`);
  const file = path.join(DOCS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  // The status line and the gap to the prediction: a busy machine makes a measured run late, so
  // look at the image, and retake it (by name) if a stall hides the lesson.
  const status = await page.evaluate(() =>
    [document.querySelector('#status'), document.querySelector('details.gap summary')].map((e) => e?.textContent ?? '').join(' ').trim(),
  );
  const at = await page.evaluate(() => document.querySelector('#replay-cursor')?.textContent ?? '');
  console.log(`${path.relative(REPO_ROOT, file)}  ${status}${at ? `  (${at})` : ''}`);
}

// name → how to take it. 1280×800: after Run, the replay on a given event, the first screen only.
// 390×844: before Run (the prediction), the first screen only.
const LABS = [
  // [name, query, event shown after Run at 1280 (null: the end)]
  ['lab-default', 'pattern=gather&tasks=10&seed=1', 16], // task 1 returned its result
  ['lab-semaphore', 'pattern=semaphore&tasks=12&limit=3&seed=1', 30], // mid-run: 3 working, the rest queued
  ['lab-race', 'pattern=race&tasks=10&seed=1', 22], // the winner is in, the losers being cancelled
  ['lab-2000-tasks', 'pattern=gather&tasks=2000&seed=1', null],
];

const SHOTS = {};
for (const [name, query, event] of LABS) {
  SHOTS[`${name}-1280`] = async (ctx) => {
    const page = await lab(ctx.browser, ctx.server, query, WIDE);
    await run(page);
    if (event !== null) await stepTo(page, event);
    await shoot(page, `${name}-1280`);
    await page.close();
  };
  SHOTS[`${name}-390`] = async (ctx) => {
    const page = await lab(ctx.browser, ctx.server, query, NARROW);
    await shoot(page, `${name}-390`);
    await page.close();
  };
}
// Retry: 10 tasks, 40 % of attempts failing at 1280 (the replay on a retried attempt starting);
// 6 tasks at 50 % with a 60 ms delay at 390, where six lanes of retries fit the first screen.
SHOTS['lab-retry-1280'] = async (ctx) => {
  const page = await lab(ctx.browser, ctx.server, 'pattern=retry&tasks=10&fail=0.4&retries=3&delay=100&seed=1', WIDE);
  await run(page);
  await stepTo(page, 42);
  await shoot(page, 'lab-retry-1280');
  await page.close();
};
SHOTS['lab-retry-390'] = async (ctx) => {
  const page = await lab(ctx.browser, ctx.server, 'pattern=retry&tasks=6&fail=0.5&retries=3&delay=60&seed=1', NARROW);
  await shoot(page, 'lab-retry-390');
  await page.close();
};
// Your own code: the crawl, run, replayed to its 23rd event (fetch_url(session, 4) starts its request
// when fetch_url(session, 1) gives back its permit): line 9, the request's, is marked in the editor.
for (const [name, viewport, fullPage] of [
  ['code-1280', WIDE, false],
  ['code-390', NARROW, true],
]) {
  SHOTS[name] = async (ctx) => {
    const page = await lab(ctx.browser, ctx.server, codeQuery(CRAWL), viewport);
    await page.waitForSelector('#code-input');
    await page.waitForFunction(() => /parses/.test(document.querySelector('#code-problem')?.textContent ?? ''), null, { timeout: 30_000 });
    await run(page);
    await stepTo(page, 23);
    await shoot(page, name, { fullPage });
    await page.close();
  };
}
// The compact semaphore embed at 700 px, after Run, in a 460 px frame (the tutorial's iframe height).
SHOTS['embed-semaphore-700'] = async (ctx) => {
  const page = await openApp(ctx.browser, ctx.server.url, 'embed=1&pattern=semaphore&tasks=8&limit=3');
  await page.setViewportSize({ width: 700, height: 460 });
  await page.waitForSelector('figure.predicted', { timeout: 30_000 });
  await settle(page);
  await run(page);
  await shoot(page, 'embed-semaphore-700');
  await page.close();
};
// The sample tutorial page at 1100×900: its first three autoplaying embeds have run.
SHOTS.tutorial = async (ctx) => {
  const page = await ctx.browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${ctx.server.url}/tutorial.html`);
  for (const id of ['demo-sequential', 'demo-gather', 'demo-semaphore']) {
    const frame = page.frameLocator(`#${id}`);
    await frame.locator('#replay-toggle').waitFor({ timeout: 60_000 });
    await frame.locator('#status', { hasText: /^Finished/ }).waitFor({ timeout: 60_000 });
    // Sized from its awaitlab:height messages.
    await page.waitForFunction((i) => /^\d+px$/.test(document.getElementById(i).style.height), id, { timeout: 30_000 });
  }
  for (const f of page.frames()) if (f !== page.mainFrame()) await settle(f);
  page.awaitlabErrors = errors;
  await shoot(page, 'tutorial');
  await page.close();
};

const names = ONLY.size ? [...ONLY] : Object.keys(SHOTS);
for (const n of names) if (!SHOTS[n]) throw new Error(`no screenshot named ${n}; known: ${Object.keys(SHOTS).join(', ')}`);

mkdirSync(DOCS, { recursive: true });
const server = await startStaticServer(DIST);
const browser = await launchBrowser();
try {
  // One at a time: measured runs share the machine with nothing else of ours.
  for (const n of names) await SHOTS[n]({ browser, server });
} finally {
  await browser.close();
  await server.close();
}
