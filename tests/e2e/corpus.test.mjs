// The article's programs (tests/py_corpus) in the page (issue 15): each is predicted by the page
// (`awaitlab.run({code, clock: 'virtual'})`) with the makespan, tasks and spans CPython 3.12 gives
// on a virtual clock (scripts/py_reference.py, run here); and measured on the browser's clock,
// where timers never fire early, so each measured makespan is at least the prediction and within a
// wide margin of it (the run really waited on the page's event loop, requests going to the
// offline mock API).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, openApp, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });
const CORPUS = path.join(REPO_ROOT, 'tests', 'py_corpus');
const PROGRAMS = readdirSync(CORPUS).filter((f) => f.endsWith('.py')).sort();

/** CPython 3.12, found as tests/common/python.rs finds it. */
function python() {
  if (process.env.AWAITLAB_PYTHON) return process.env.AWAITLAB_PYTHON;
  try {
    execFileSync('python3.12', ['--version'], { stdio: 'ignore' });
    return 'python3.12';
  } catch {
    const root = process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv');
    const dir = path.join(root, 'versions');
    const found = existsSync(dir) ? readdirSync(dir).filter((v) => v.startsWith('3.12.')) : [];
    found.sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
    return found.length ? path.join(dir, found.at(-1), 'bin', 'python3') : 'python3';
  }
}

/** CPython's reference runs of every corpus program, by file name. */
function references() {
  const out = execFileSync(python(), ['scripts/py_reference.py', ...PROGRAMS.map((p) => `tests/py_corpus/${p}`)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const runs = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(runs.every((r) => r.python.startsWith('3.12') || Number(r.python.split('.')[1]) > 12), 'CPython 3.12 or later');
  return Object.fromEntries(runs.map((r) => [path.basename(r.program), r]));
}

/** A run's spans per task (in task order, tasks without any left out), as [start, end] pairs of its
 * sleeps and requests, sorted. */
function spansByTask(run) {
  const open = new Map();
  const byTask = new Map();
  for (const e of run.events) {
    if (!['work', 'fetch'].includes(e.phase)) continue;
    const key = `${e.task}/${e.attempt}/${e.phase}`;
    if (e.kind === 'begin') open.set(key, e.t);
    else if (open.has(key)) {
      const list = byTask.get(e.task) ?? [];
      list.push([open.get(key), e.t]);
      byTask.set(e.task, list);
      open.delete(key);
    }
  }
  return [...byTask.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, l]) => l.sort((a, b) => a[0] - b[0] || a[1] - b[1]));
}

/** The reference's sleep and request spans per task (without sleep(0), which is no span here). */
function referenceSpans(ref) {
  return ref.tasks
    .map((t) => t.spans.filter(([s, e, kind]) => ['sleep', 'request'].includes(kind) && e > s).map(([s, e]) => [s, e]))
    .filter((l) => l.length)
    .map((l) => l.sort((a, b) => a[0] - b[0] || a[1] - b[1]));
}

test('every corpus program is predicted in the page as CPython runs it', async () => {
  const refs = references();
  const page = await openApp(app.browser, app.server.url, '');
  for (const name of PROGRAMS) {
    const code = readFileSync(path.join(CORPUS, name), 'utf8');
    const run = await page.evaluate((c) => window.awaitlab.run({ code: c, clock: 'virtual' }), code);
    const ref = refs[name];
    assert.equal(run.summary.makespan_ms, ref.makespan_ms, `${name}: makespan`);
    assert.equal(run.labels.length, ref.tasks.length, `${name}: tasks`);
    assert.deepEqual(spansByTask(run), referenceSpans(ref), `${name}: sleeps and requests per task`);
  }
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the breakfast takes 3 s with gather and 5 s without, measured on the page\'s clock', async () => {
  const page = await openApp(app.browser, app.server.url, '');
  for (const [name, planned] of [['breakfast_gather.py', 3000], ['breakfast_sequential.py', 5000]]) {
    const code = readFileSync(path.join(CORPUS, name), 'utf8');
    const run = await page.evaluate((c) => window.awaitlab.run({ code: c }), code);
    assert.equal(run.clock, 'browser');
    // Timers never fire early; a loaded 2-core machine may fire them late, not seconds late.
    assert.ok(run.summary.makespan_ms >= planned && run.summary.makespan_ms < planned + 1000, `${name}: ${run.summary.makespan_ms} ms`);
  }
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the crawler\'s 100 requests reach the offline mock API for real and take at least their planned time', async () => {
  const page = await openApp(app.browser, app.server.url, '');
  const code = readFileSync(path.join(CORPUS, 'crawler.py'), 'utf8');
  const predicted = await page.evaluate((c) => window.awaitlab.run({ code: c, clock: 'virtual' }), code);
  const measured = await page.evaluate((c) => window.awaitlab.run({ code: c }), code);
  const requests = (run) => run.events.filter((e) => e.phase === 'fetch' && e.kind !== 'begin');
  assert.equal(requests(measured).length, 100);
  assert.ok(requests(measured).every((e) => e.kind === 'end' && e.detail.startsWith('200')), 'every request answered 200');
  assert.ok(measured.summary.makespan_ms >= predicted.summary.makespan_ms, `${measured.summary.makespan_ms} vs ${predicted.summary.makespan_ms}`);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});
