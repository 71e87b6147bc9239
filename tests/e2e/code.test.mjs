// Your own code (issue 15): the code panel's Edit makes the pattern's Python the scenario; the
// editor's program is predicted as it is typed and runs with Ctrl+Enter, its lanes named from the
// code; a link (or an embed) with `code` reproduces the same prediction; a syntax error, a 100 KB
// paste and an endless loop each get a message and the page keeps working; window.awaitlab.run
// takes plain code; axe finds no serious or critical violation on the editor.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { artifactPath, openApp, startSubPathServer, useAppServer } from './support.mjs';

const app = useAppServer({ before, after });
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const FETCHES = `import asyncio


async def fetch_url(n):
    await asyncio.sleep(0.05 * n)
    print(f"got {n}")
    return n


async def main():
    results = await asyncio.gather(fetch_url(1), fetch_url(2), fetch_url(3))
    print("all", results)


asyncio.run(main())
`;

/** A link's `code` value, as any raw-DEFLATE writer makes it (here Node's zlib, not awaitlab's). */
function codeLink(source) {
  return `pattern=code&code=!${deflateRawSync(Buffer.from(source)).toString('base64url')}`;
}

async function open(query = '', viewport = { width: 1280, height: 800 }) {
  const page = await openApp(app.browser, app.server.url, query);
  await page.setViewportSize(viewport);
  return page;
}

/** Types `source` into the editor (one input event, as a paste) and waits for its verdict. */
async function typeCode(page, source) {
  await page.fill('#code-input', source);
  await page.waitForFunction((text) => document.querySelector('#code-input')?.value === text, source);
}

/** The predicted timeline's lane labels, once they include `needle`. */
async function lanesWith(page, needle, figure = 'figure.predicted') {
  await page.waitForFunction(
    ([fig, n]) => [...document.querySelectorAll(`${fig} text.lane-label`)].some((t) => t.textContent.includes(n)),
    [figure, needle],
    { timeout: 15_000 },
  );
  return page.$$eval(`${figure} text.lane-label`, (ts) => ts.map((t) => t.textContent));
}

/** Holds back the interpreter module's script until the returned function is called. */
async function holdInterpreter(page) {
  let release;
  const held = new Promise((resolve) => {
    release = resolve;
  });
  await page.route(/\/py_runner\.js$/, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

/** Pastes `text` over the editor's whole text (one `insertText`, as a paste). */
async function paste(page, text) {
  await page.evaluate((t) => {
    const area = document.querySelector('#code-input');
    area.focus();
    area.select();
    document.execCommand('insertText', false, t);
  }, text);
}

/** The program a link's `code` value (`!` and base64url raw DEFLATE) holds, inflated by Node's zlib. */
function programOf(value) {
  return inflateRawSync(Buffer.from(value.slice(1), 'base64url')).toString();
}

/** The URL's `code` value once the scenario holds a program. */
async function codeInUrl(page) {
  await page.waitForFunction(() => new URLSearchParams(location.search).get('code')?.startsWith('!'));
  return page.evaluate(() => location.search);
}

test('Edit puts the focus in the editor (it was left on the page\'s body); a code link does not take it', async () => {
  const page = await open('pattern=gather&tasks=3&min=50&max=50');
  await page.focus('#code-edit');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#code-input');
  await page.waitForFunction(() => document.activeElement?.id === 'code-input', null, { timeout: 5_000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName), 'code-input');
  // Typing goes straight into the editor.
  await page.keyboard.type('#');
  assert.match(await page.inputValue('#code-input'), /^#/);
  await page.goto(`${app.server.url}/?${codeLink(FETCHES)}`);
  await page.waitForSelector('#code-input');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('Edit turns the Python into the scenario; typing re-predicts; Ctrl+Enter runs; lanes are named from the code', async () => {
  const page = await open('pattern=gather&tasks=3&min=50&max=50');
  await page.click('#code-edit');
  await page.waitForSelector('#code-input');
  assert.match(await page.inputValue('#code-input'), /asyncio\.gather/, 'the pattern\'s own Python is the starting point');
  await codeInUrl(page);

  await typeCode(page, FETCHES);
  const lanes = await lanesWith(page, 'fetch_url(');
  assert.ok(lanes.filter((l) => l.includes('fetch_url(')).length === 3, JSON.stringify(lanes));
  assert.match(await page.textContent('#code-problem'), /parses/);
  await page.waitForFunction(() => document.querySelector('#code-log')?.textContent.includes('got 3'));

  await page.focus('#code-input');
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('figure.measured', { timeout: 30_000 });
  await lanesWith(page, 'fetch_url(', 'figure.measured');
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  // Stepping the replay marks the code line of the current event.
  const marked = '.editor-colours [aria-current="step"]';
  await page.click('#replay-back');
  for (let i = 0; i < 12 && !(await page.$(marked)); i++) await page.click('#replay-forward');
  assert.ok(await page.$(marked), 'a replay step marks its line in the editor');
  await page.screenshot({ path: artifactPath('code-1280.png') });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

/** The page's requests so far whose URL names the interpreter module (py_runner.js, py_runner_bg.wasm). */
function interpreterRequests(page) {
  return page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('py_runner')),
  );
}

test('the interpreter is a module of its own: a page without code never fetches it; Edit loads it', async () => {
  const page = await open('pattern=gather&tasks=3&min=50&max=50');
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  // The page is up and has predicted and measured a pattern run: nothing of the interpreter came.
  await page.waitForSelector('figure.predicted text.lane-label');
  await page.click('#run');
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  assert.deepEqual(await interpreterRequests(page), [], 'the default page does not load the interpreter');
  assert.deepEqual(requests.filter((u) => u.includes('py_runner')), []);

  await page.click('#code-edit');
  await page.waitForSelector('#code-input');
  // The program's own lanes (not the one lane saying the interpreter is loading).
  await page.waitForFunction(() => document.querySelectorAll('figure.predicted text.lane-label').length > 1, null, {
    timeout: 30_000,
  });
  const loaded = await interpreterRequests(page);
  assert.ok(loaded.some((n) => /\/py_runner\.js$/.test(n)), JSON.stringify(loaded));
  assert.ok(loaded.some((n) => /\/py_runner_bg\.wasm$/.test(n)), JSON.stringify(loaded));
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('the interpreter module loads from a sub-path (relative URLs) and measures a run', async () => {
  const sub = await startSubPathServer('sub');
  try {
    const page = await openApp(app.browser, `${sub.url}/sub`, codeLink(FETCHES));
    await lanesWith(page, 'fetch_url(');
    const run = await page.evaluate((code) => window.awaitlab.run({ code }), FETCHES);
    assert.equal(run.clock, 'browser');
    assert.equal(run.labels.filter((l) => l.includes('fetch_url(')).length, 3, JSON.stringify(run.labels));
    const loaded = await interpreterRequests(page);
    assert.ok(loaded.length > 0 && loaded.every((n) => n.startsWith(`${sub.url}/sub/`)), JSON.stringify(loaded));
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  } finally {
    await sub.close();
  }
});

test('a measured code run draws as it runs: the module sends its events while the program sleeps', async () => {
  const slow = FETCHES.replace('0.05 * n', '3 * n');
  const page = await open(codeLink(slow));
  await lanesWith(page, 'fetch_url(');
  await page.click('#run');
  // The lanes appear on the measured timeline while the run is still going (its last task sleeps 9 s).
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('figure.measured text.lane-label')].filter((t) => t.textContent.includes('fetch_url(')).length === 3,
    null,
    { timeout: 8_000 },
  );
  assert.equal(await page.$('#replay-toggle'), null, 'the run has not finished yet');
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('an interpreter that cannot load is said in the prediction and fails a run with the reason, never a hang', async () => {
  const page = await open('pattern=gather&tasks=2');
  await page.evaluate(() => {
    window.awaitlabPyRunnerUrl = './no-such-module.js';
  });
  await page.click('#code-edit');
  await page.waitForSelector('#code-input');
  // The prediction's output says so (the import fails at once here; a hang would end at the timeout).
  await page.waitForFunction(() => /Python interpreter could not be loaded/.test(document.querySelector('#code-log')?.textContent ?? ''));
  // The editor's syntax check (the module's parser) says so too, and keeps the text as typed.
  await page.waitForFunction(() => /could not be loaded.*not checked/.test(document.querySelector('#code-problem').textContent));
  assert.equal(await page.getAttribute('#code-input', 'aria-invalid'), 'false');
  await typeCode(page, FETCHES);
  assert.equal(await page.inputValue('#code-input'), FETCHES, 'the text is never lost');
  // A measured run fails with the reason instead of waiting.
  const refused = await page.evaluate((code) => window.awaitlab.run({ code }).then(() => '', (e) => e.message), FETCHES);
  assert.match(refused, /Python interpreter could not be loaded/);
  assert.equal(await page.inputValue('#code-input'), FETCHES);
  await page.close();
});

test('the syntax check is the interpreter module\'s parser: "checking…" while it loads, then line:column and the marked line', async () => {
  const page = await open('pattern=gather&tasks=2');
  // Hold the module's script until the editor has been seen waiting for it.
  const release = await holdInterpreter(page);
  await page.click('#code-edit');
  await page.waitForSelector('#code-input');
  // The compressor is in the module too: meanwhile the link stores the program uncompressed (the
  // same raw DEFLATE format, any inflater reads it) ...
  const program = await page.inputValue('#code-input');
  await codeInUrl(page);
  const stored = await page.evaluate(() => new URLSearchParams(location.search).get('code'));
  assert.equal(programOf(stored), program);
  assert.ok(stored.length > Buffer.byteLength(program), `${stored.length} characters for ${Buffer.byteLength(program)} bytes`);
  const bad = 'import asyncio\n\nasync def main(:\n    pass\n';
  await typeCode(page, bad);
  await page.waitForFunction(() => /Checking the code/.test(document.querySelector('#code-problem').textContent));
  assert.equal(await page.getAttribute('#code-problem', 'aria-busy'), 'true');
  assert.equal(await page.getAttribute('#code-input', 'aria-invalid'), 'false', 'not refused before the parser has said so');
  assert.equal(await page.locator('.editor-colours .ln.error').count(), 0);
  assert.equal(await page.inputValue('#code-input'), bad, 'the text stays as typed while the parser loads');
  await page.screenshot({ path: artifactPath('code-checking.png') });
  release();
  // The parser's verdict, from the module: the same line:column and marked line as before it moved.
  await page.waitForFunction(() => /Line 3, column \d+/.test(document.querySelector('#code-problem').textContent), null, {
    timeout: 30_000,
  });
  assert.equal(await page.getAttribute('#code-problem', 'aria-busy'), 'false');
  assert.equal(await page.getAttribute('#code-input', 'aria-invalid'), 'true');
  assert.equal(await page.locator('.editor-colours .ln.error').getAttribute('data-line'), '3');
  assert.ok((await interpreterRequests(page)).some((n) => /\/py_runner_bg\.wasm$/.test(n)), 'the verdict came from the module');
  // ... and once the module has loaded the address bar is written again, compressed.
  await page.waitForFunction((n) => new URLSearchParams(location.search).get('code').length < n, stored.length);
  const compressed = await page.evaluate(() => new URLSearchParams(location.search).get('code'));
  assert.equal(programOf(compressed), program);
  assert.ok(compressed.length < Buffer.byteLength(program), `${compressed.length} characters for ${Buffer.byteLength(program)} bytes`);
  // Once loaded, each keystroke's verdict comes with its render.
  await typeCode(page, FETCHES);
  await page.waitForFunction(() => /parses/.test(document.querySelector('#code-problem').textContent));
  await lanesWith(page, 'fetch_url(');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('Tab and Shift-Tab indent and outdent the selected lines, and undo takes an indent back', async () => {
  const page = await open(`pattern=code&code=${encodeURIComponent('a = 1\nb = 2\n')}`);
  await page.waitForSelector('#code-input');
  await page.focus('#code-input');
  await page.evaluate(() => document.querySelector('#code-input').setSelectionRange(0, 9));
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#code-input'), '    a = 1\n    b = 2\n');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.inputValue('#code-input'), 'a = 1\nb = 2\n');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Control+z');
  assert.equal(await page.inputValue('#code-input'), 'a = 1\nb = 2\n', 'the browser\'s undo took the indent back');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('Escape, then Tab or Shift+Tab, leaves the editor either way, its text untouched', async () => {
  // Shift+Tab stayed: the Shift key's own keydown came between Escape and Tab, and forgot it.
  const page = await open(`pattern=code&code=${encodeURIComponent('a = 1\n')}`);
  await page.waitForSelector('#code-input');
  for (const key of ['Tab', 'Shift+Tab']) {
    await page.focus('#code-input');
    await page.keyboard.press('Escape');
    await page.keyboard.press(key);
    assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'code-input', `Escape, ${key}`);
    assert.equal(await page.inputValue('#code-input'), 'a = 1\n', `Escape, ${key}`);
  }
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a link with code reproduces the same prediction in a fresh page and in an embed', async () => {
  const first = await open('pattern=gather&tasks=2');
  await first.click('#code-edit');
  await typeCode(first, FETCHES);
  const lanes = await lanesWith(first, 'fetch_url(');
  const query = (await codeInUrl(first)).slice(1);
  const makespan = await first.textContent('#figures, .figures, .summary').catch(() => '');
  await first.close();

  const fresh = await open(query);
  assert.deepEqual(await lanesWith(fresh, 'fetch_url('), lanes);
  assert.equal(await fresh.inputValue('#code-input'), FETCHES, 'the link carries the program exactly');
  if (makespan) assert.equal(await fresh.textContent('#figures, .figures, .summary'), makespan);
  await fresh.close();

  const embed = await open(`${query}&embed=1`, { width: 700, height: 500 });
  assert.deepEqual(await lanesWith(embed, 'fetch_url('), lanes);
  assert.deepEqual(embed.awaitlabErrors, []);
  await embed.close();
});

test('a syntax error shows line:column under the editor and marks the line; the page keeps working', async () => {
  const page = await open(codeLink(FETCHES));
  await lanesWith(page, 'fetch_url(');
  await typeCode(page, 'import asyncio\n\nasync def main(:\n    pass\n');
  await page.waitForFunction(() => /Line 3, column \d+/.test(document.querySelector('#code-problem').textContent));
  assert.equal(await page.getAttribute('#code-input', 'aria-invalid'), 'true');
  assert.equal(await page.locator('.editor-colours .ln.error').getAttribute('data-line'), '3');
  // The last valid program's prediction stays; fixing the code predicts again.
  await typeCode(page, FETCHES.replace('fetch_url(3)', 'fetch_url(4)'));
  await page.waitForFunction(() => /parses/.test(document.querySelector('#code-problem').textContent));
  await lanesWith(page, 'fetch_url(4)');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

/** A program whose one task is `name()`, printing `word`. */
function printing(name, word) {
  return `import asyncio\n\n\nasync def ${name}():\n    print("${word}")\n\n\nasync def main():\n    await asyncio.create_task(${name}())\n\n\nasyncio.run(main())\n`;
}

test('Run runs the program on screen: disabled while it has an error, never the last valid one', async () => {
  const page = await open(codeLink(printing('good', 'GOOD')));
  await lanesWith(page, 'good(');
  const noRun = async (why) => {
    // Both ways past the disabled button: a forced click, and the form's submission (Enter in a field).
    await page.click('#run', { force: true });
    await page.evaluate(() => document.querySelector('form.controls').requestSubmit());
    // A run starts in the click's task: none has (and the run below must be the page's first).
    assert.equal(await page.$('figure.measured'), null, `${why}: nothing ran`);
  };
  const disabledBy = async (message) => {
    await page.waitForFunction((m) => new RegExp(m).test(document.querySelector('#code-problem').textContent), message.source);
    await page.waitForFunction(() => document.querySelector('#run').disabled);
    assert.equal(await page.getAttribute('#run', 'aria-describedby'), 'code-problem', 'the error describes the disabled Run');
  };
  // Broken: the editor says so, and Run (which ran the last valid program, printing GOOD) is disabled.
  await typeCode(page, printing('good', 'GOOD').replace('print("GOOD")', 'print("BAD"'));
  await disabledBy(/Line 5, column 10: '\(' is never closed/);
  await noRun('a syntax error');
  // Refused by the subset: the same.
  await typeCode(page, `import threading\n${printing('good', 'GOOD')}`);
  await disabledBy(/Line 1, column \d+: .*threading/);
  await noRun('a refused import');
  // Fixed, and Run pressed at once (before the 300 ms after which the program reaches the
  // scenario): it runs the text on screen, not the last program that reached the scenario.
  await typeCode(page, printing('fresh', 'NEW'));
  await page.click('#run');
  assert.equal(await page.getAttribute('#run', 'aria-describedby'), null);
  const lanes = await lanesWith(page, 'fresh(', 'figure.measured');
  assert.ok(!lanes.some((l) => l.includes('good(')), JSON.stringify(lanes));
  // The page's first run: neither refused attempt above started one.
  assert.match(await page.locator('figure.measured').textContent(), /Run #1:/);
  assert.equal(programOf(new URLSearchParams(await page.evaluate(() => location.search)).get('code')), printing('fresh', 'NEW'));
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a program decides its own tasks: a code link with tasks=20000&clock=virtual is not predicted-only, and Ctrl+Enter runs it', async () => {
  // Before, the link's unused `tasks` turned Run off ("the browser clock measures at most 10000
  // tasks, not 20000") for a program of two tasks, and its form has no tasks field to change.
  const page = await open(`${codeLink(printing('good', 'GOOD'))}&tasks=20000&clock=virtual`);
  await lanesWith(page, 'good(');
  await page.waitForFunction(() => /parses/.test(document.querySelector('#code-problem').textContent));
  assert.doesNotMatch(await page.textContent('#status'), /predicted only/);
  assert.ok(!(await page.locator('#run').isDisabled()));
  await page.focus('#code-input');
  await page.keyboard.press('Control+Enter');
  await lanesWith(page, 'good(', 'figure.measured');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

/**
 * Where the editor's code sits: is its first column clear of the line numbers, and does the
 * textarea (where the caret is) lie on the coloured copy without scrolling inside itself?
 */
function editorLayout(page) {
  return page.evaluate(() => {
    const [box, gutter, colours, area] = ['.editor-box', '.gutter', '.editor-colours', '#code-input'].map((s) => document.querySelector(s));
    const c = colours.getBoundingClientRect();
    const a = area.getBoundingClientRect();
    return {
      boxScroll: [box.scrollLeft, box.scrollTop],
      firstColumn: c.left + parseFloat(getComputedStyle(colours).paddingLeft),
      gutterRight: gutter.getBoundingClientRect().right,
      areaScroll: [area.scrollLeft, area.scrollTop],
      areaOffset: [a.left - c.left, a.top - c.top],
      areaOverflow: [area.scrollWidth - area.clientWidth, area.scrollHeight - area.clientHeight],
    };
  });
}

async function assertCaretColumnShown(page, what) {
  const l = await editorLayout(page);
  assert.ok(l.firstColumn >= l.gutterRight, `${what}: column 0 is under the line numbers: ${JSON.stringify(l)}`);
  assert.deepEqual(l.areaScroll, [0, 0], `${what}: the textarea scrolled inside itself: ${JSON.stringify(l)}`);
  assert.deepEqual(l.areaOffset, [0, 0], `${what}: the textarea is off the colours: ${JSON.stringify(l)}`);
  assert.ok(l.areaOverflow.every((o) => o <= 0), `${what}: the text overflows the textarea: ${JSON.stringify(l)}`);
}

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`${viewport.width} px: the editor never scrolls code under its line numbers; its caret stays on the colours`, async () => {
    const page = await open('pattern=gather&tasks=3', viewport);
    await page.click('#code-edit');
    await page.waitForFunction(() => /parses/.test(document.querySelector('#code-problem')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    // The reported steps: click in the editor (which brings the textarea into view), go to the end, type.
    await page.click('#code-input');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('print("hi")');
    await assertCaretColumnShown(page, 'typed on the last line');
    // A line longer than the box scrolls it to the caret; Enter brings column 0 back in view.
    await page.keyboard.type(`x = "${'a'.repeat(120)}"`);
    assert.ok((await editorLayout(page)).boxScroll[0] > 0, 'the long line scrolled the box to its caret');
    await page.keyboard.press('Enter');
    await assertCaretColumnShown(page, 'Enter after a long line');
    await page.keyboard.type('y = 1');
    await page.keyboard.press('Home');
    await assertCaretColumnShown(page, 'Home');
    await page.screenshot({ path: artifactPath(`code-editor-scroll-${viewport.width}.png`) });
    // A program taller than the box: the box scrolls, the textarea stays as tall as its text.
    await paste(page, Array.from({ length: 80 }, (_, i) => `x${i} = ${i}`).join('\n'));
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('z = 2');
    await assertCaretColumnShown(page, 'Enter at the end of a long program');
    assert.ok((await editorLayout(page)).boxScroll[1] > 0, 'the box scrolled down to the caret');
    await page.screenshot({ path: artifactPath(`code-editor-tall-${viewport.width}.png`) });
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  });
}

test('a 100 KB paste gets a clear message and the page keeps working', async () => {
  const page = await open(codeLink(FETCHES));
  await lanesWith(page, 'fetch_url(');
  const query = await codeInUrl(page);
  await paste(page, 'x = 1  # a long program\n'.repeat(Math.ceil(100_000 / 24)));
  await page.waitForFunction(() => /bytes long/.test(document.querySelector('#code-problem').textContent));
  const message = await page.textContent('#code-problem');
  assert.match(message, /\d+ bytes long; awaitlab runs programs of up to 65536 bytes/, message);
  // The link and the prediction keep the last program that fitted.
  assert.equal(await page.evaluate(() => location.search), query);
  assert.ok((await lanesWith(page, 'fetch_url(')).length > 0);
  await typeCode(page, FETCHES);
  await page.waitForFunction(() => /parses/.test(document.querySelector('#code-problem').textContent));
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('an endless loop stops with a message naming its line, and the page keeps working', async () => {
  const endless = 'import asyncio\n\n\nasync def main():\n    n = 0\n    while True:\n        n += 1\n\n\nasyncio.run(main())\n';
  const page = await open(codeLink(FETCHES));
  await lanesWith(page, 'fetch_url(');
  await typeCode(page, endless);
  await page.waitForFunction(() => /line [67]\b/i.test(document.querySelector('#code-log')?.textContent ?? ''), null, {
    timeout: 15_000,
  });
  await typeCode(page, FETCHES);
  // The loop's prediction ran to its step budget: if that took long, the next one waits for Predict.
  await Promise.race([lanesWith(page, 'fetch_url('), page.waitForSelector('#code-predict', { timeout: 15_000 })]);
  if (await page.$('#code-predict')) await page.click('#code-predict');
  await lanesWith(page, 'fetch_url(');
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('lists that hold themselves print [...] and compare to a RecursionError, in the page\'s wasm as natively', async () => {
  // Printing such a list froze the page's thread; with the reader's __eq__ or __repr__ inside,
  // comparing or printing it overflowed the stack. The nesting limits must fit the page's stack.
  // (x's repr shows 51 lists, then ..., where CPython raises RecursionError: README, Your own code.)
  const selfHolding = `import asyncio


class Job:
    def __eq__(self, other):
        return True

    def __repr__(self):
        return 'Job'


async def main():
    a, b = [Job()], [Job()]
    a.append(a)
    b.append(b)
    try:
        print(a == b)
    except RecursionError:
        print('a == b: RecursionError')
    twice = []
    twice += [twice, twice]
    print(a, twice)
    x, y = [], []
    for i in range(100000):
        x, y = [Job(), x], [Job(), y]
    print(len(repr(x)))
    try:
        print(x == y)
    except RecursionError:
        print('x == y: RecursionError')


asyncio.run(main())
`;
  const page = await open(codeLink(selfHolding));
  const printed = ['a == b: RecursionError', '[Job, [...]] [[...], [...]]', '360', 'x == y: RecursionError'];
  await page.waitForFunction((last) => (document.querySelector('#code-log')?.textContent ?? '').includes(last), printed[3], { timeout: 30_000 });
  const log = await page.$$eval('#code-log li code', (codes) => codes.map((c) => c.textContent));
  assert.deepEqual(log, printed);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('window.awaitlab.run takes plain code: the Run JSON carries it, lanes are named from it', async () => {
  const page = await open();
  const run = await page.evaluate((code) => window.awaitlab.run({ code, clock: 'virtual' }), FETCHES);
  assert.equal(run.scenario.params.pattern, 'code');
  assert.equal(run.scenario.params.code, FETCHES);
  assert.equal(run.labels.filter((l) => l.includes('fetch_url(')).length, 3, JSON.stringify(run.labels));
  const refused = await page.evaluate(() => window.awaitlab.run({ code: 'def f(:\n', clock: 'virtual' }).then(() => '', (e) => e.message));
  assert.match(refused, /code: line 1, column \d+/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('time.sleep really blocks the page\'s event loop in a measured run: its spans last as long, one after the other, a timer fires late, the busy strip shows them', async () => {
  const blocks = `import asyncio, time


async def job():
    time.sleep(0.3)


async def ticker():
    await asyncio.sleep(0.1)
    print("tick")


async def main():
    await asyncio.gather(ticker(), job(), job())


asyncio.run(main())
`;
  const page = await open(codeLink(blocks));
  await lanesWith(page, 'job()');
  await page.waitForSelector('figure.predicted svg.busy-strip');
  const run = await page.evaluate((code) => window.awaitlab.run({ code }), blocks);
  assert.equal(run.clock, 'browser');
  const begins = new Map();
  const slept = [];
  let tick;
  for (const e of run.events) {
    const key = `${e.task}/${e.attempt}/${e.phase}`;
    if (e.kind === 'begin') begins.set(key, e.t);
    else if (begins.has(key)) {
      const span = { task: e.task, t0: begins.get(key), t1: e.t, detail: e.detail };
      if ((e.detail || '').startsWith('time.sleep(')) slept.push(span);
      else if (e.detail === 'sleep(0.1)') tick = span;
    }
  }
  assert.equal(slept.length, 2, JSON.stringify(run.events));
  for (const s of slept) assert.ok(s.t1 - s.t0 >= 299, JSON.stringify(slept));
  assert.ok(slept[1].t0 >= slept[0].t1 - 1, `one after the other: ${JSON.stringify(slept)}`);
  // Due at 100 ms, the ticker's timer fires only once the loop is free again.
  assert.ok(tick && tick.t1 >= slept[1].t1 - 1, JSON.stringify(tick));
  await page.click('#run');
  await page.waitForSelector('figure.measured svg.busy-strip', { timeout: 30_000 });
  const busy = Number(await page.getAttribute('figure.measured svg.busy-strip', 'data-busy-ms'));
  assert.ok(busy >= 598, `busy ${busy} ms`);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('Python code that computes without awaiting holds the event loop in a measured run: its stretches are work spans on the jobs\' lanes, one after the other, a timer fires late, the busy strip and note show them', async () => {
  // About 120 ms of computation a job here (a loaded 2-core machine); at least 20 ms on a machine several times faster.
  const crunch = `import asyncio


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


async def job(name):
    print(name, crunch(400_000))


async def ticker():
    await asyncio.sleep(0.1)
    print("tick")


async def main():
    await asyncio.gather(ticker(), job("a"), job("b"))


asyncio.run(main())
`;
  const page = await open(codeLink(crunch));
  await lanesWith(page, 'job(');
  // The prediction counts code between awaits as instant: no strip.
  assert.equal(await page.$('figure.predicted svg.busy-strip'), null);
  const run = await page.evaluate((code) => window.awaitlab.run({ code }), crunch);
  assert.equal(run.clock, 'browser');
  const begins = new Map();
  const held = [];
  let tick;
  for (const e of run.events) {
    const key = `${e.task}/${e.attempt}/${e.phase}`;
    if (e.kind === 'begin') begins.set(key, e);
    else if (begins.has(key)) {
      const b = begins.get(key);
      const span = { task: e.task, t0: b.t, t1: e.t, detail: e.detail, line: b.line, phase: e.phase };
      if (/^ran \d+ ms without awaiting$/.test(e.detail || '')) held.push(span);
      else if (e.detail === 'sleep(0.1)') tick = span;
    }
  }
  // Lanes: main() 0, ticker() 1, job('a') 2, job('b') 3; a job computes and prints in one stretch, at its own line 12.
  assert.deepEqual(held.map((s) => [s.task, s.phase, s.line]), [[2, 'work', 12], [3, 'work', 12]], JSON.stringify(held));
  for (const s of held) {
    assert.ok(s.t1 - s.t0 >= 20, `a stretch of at least 20 ms: ${JSON.stringify(s)}`);
    // The detail says how long, to the millisecond.
    assert.ok(Math.abs(Number(s.detail.split(' ')[1]) - (s.t1 - s.t0)) <= 1, JSON.stringify(s));
  }
  assert.ok(held[1].t0 >= held[0].t1, `one after the other: ${JSON.stringify(held)}`);
  // Both jobs were ready in the iteration the ticker armed its timer: due at 100 ms, it fires only after both.
  const end = Math.max(...held.map((s) => s.t1));
  if (end > 100) assert.ok(tick && tick.t1 >= end, `${JSON.stringify(tick)} after ${end}`);
  await page.click('#run');
  await page.waitForSelector('figure.measured svg.busy-strip', { timeout: 30_000 });
  const busy = Number(await page.getAttribute('figure.measured svg.busy-strip', 'data-busy-ms'));
  assert.ok(busy >= 40 && busy < 5_000, `busy ${busy} ms`);
  const note = await page.textContent('.cpu-note');
  assert.match(note, /^Python code held the event loop \d+ ms without awaiting \(longest: job\('[ab]'\), line 12, \d+ ms\)/, note);
  assert.match(note, /Await asyncio\.sleep\(0\) between chunks of the work/, note);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('postMessage run takes plain code; code using aiohttp needs the link\'s fetch=1', async () => {
  const page = await open('pattern=gather&tasks=2&embed=1');
  // A page that is not framed is its own parent: its own messages command it, replies come back.
  const post = (message) =>
    page.evaluate(
      (m) =>
        new Promise((resolve) => {
          addEventListener('message', function reply(e) {
            if (!['awaitlab:finished', 'awaitlab:error'].includes(e.data?.type)) return;
            removeEventListener('message', reply);
            resolve(e.data);
          });
          postMessage(m, '*');
        }),
      message,
    );
  // A syntax error is refused before anything runs, by the interpreter module's parser (loaded for it).
  const syntax = await post({ type: 'awaitlab:run', params: { code: 'def f(:\n', clock: 'virtual' } });
  assert.equal(syntax.type, 'awaitlab:error', JSON.stringify(syntax));
  assert.match(syntax.message, /code: line 1, column \d+/);
  const finished = await post({ type: 'awaitlab:run', params: { code: FETCHES, clock: 'virtual' } });
  assert.equal(finished.type, 'awaitlab:finished', JSON.stringify(finished));
  assert.equal(finished.summary.tasks, 4, 'main() and three fetch_url lanes');
  // The embed replays the run it was sent, its lanes named from the code.
  await lanesWith(page, 'fetch_url(', 'figure.timeline');
  const http = 'import aiohttp\nimport asyncio\n\nasync def main():\n    async with aiohttp.ClientSession() as s:\n        await s.get("api/item/1")\n\nasyncio.run(main())\n';
  const refused = await post({ type: 'awaitlab:run', params: { code: http } });
  assert.equal(refused.type, 'awaitlab:error');
  assert.match(refused.message, /aiohttp.*fetch=1/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('postMessage commands are carried out in the order sent, also while a program waits for the parser to load', async () => {
  const page = await open('pattern=gather&tasks=2&embed=1');
  const release = await holdInterpreter(page);
  // Two bad commands: the first waits for the parser (its program has a syntax error), the
  // second is refused by the page itself (a bad task count). Their errors must come back in order.
  await page.evaluate(() => {
    window.__errors = [];
    addEventListener('message', (e) => {
      if (e.data?.type === 'awaitlab:error') window.__errors.push(e.data.message);
    });
    postMessage({ type: 'awaitlab:set', params: { pattern: 'code', code: 'def f(:\n' } }, '*');
    postMessage({ type: 'awaitlab:set', params: { tasks: 'many' } }, '*');
  });
  release();
  await page.waitForFunction(() => window.__errors.length === 2, null, { timeout: 30_000 });
  const errors = await page.evaluate(() => window.__errors);
  assert.match(errors[0], /code: line 1, column \d+/);
  assert.match(errors[1], /tasks/, 'the second command waited behind the first');
  // Once nothing waits, a command is carried out at once again (the queue is not left blocked).
  await page.evaluate(() => postMessage({ type: 'awaitlab:set', params: { seed: 'x' } }, '*'));
  await page.waitForFunction(() => window.__errors.length === 3);
  assert.match(await page.evaluate(() => window.__errors[2]), /seed/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('axe: no serious or critical violation on the editor', async () => {
  const page = await open(codeLink(FETCHES));
  await page.waitForSelector('#code-input');
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document)).violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`),
  );
  assert.deepEqual(violations, []);
  await page.setViewportSize({ width: 390, height: 844 });
  const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: innerWidth }));
  assert.ok(widths.doc <= widths.view, JSON.stringify(widths));
  await page.screenshot({ path: artifactPath('code-390.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a bar of a code run opens no what-if menu: its plan is the code, and the link gains no what_if', async () => {
  const page = await open(codeLink(FETCHES));
  await lanesWith(page, 'fetch_url(');
  await page.locator('figure.timeline.predicted rect.bar[data-task="1"]').first().click();
  // Two animation frames: Yew has rendered whatever the click changed.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await page.locator('#bar-menu').count(), 0);
  assert.equal(new URL(page.url()).searchParams.get('what_if'), null);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a code run\'s waits are named for any primitive, not a semaphore\'s permit: legend and replay log', async () => {
  const waits = `import asyncio


async def setter(ev):
    await asyncio.sleep(0.1)
    ev.set()


async def main():
    ev = asyncio.Event()
    t = asyncio.create_task(setter(ev))
    await ev.wait()
    await t


asyncio.run(main())
`;
  const page = await open(codeLink(waits));
  await lanesWith(page, 'setter(');
  const legend = await page.locator('ul.legend').innerText();
  assert.match(legend, /waiting for a lock, a permit, an event or a queue/);
  assert.doesNotMatch(legend, /semaphore permit/);
  // The measured run's replay log names main()'s wait the same way.
  await page.click('#run');
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  await page.focus('section.replay');
  await page.keyboard.press('Home');
  const log = () => page.locator('#replay-log').innerText();
  for (let i = 0; i < 8 && !/started waiting/.test(await log()); i++) await page.keyboard.press('ArrowRight');
  assert.match(await log(), /main\(\) started waiting for a lock, a permit, an event or a queue/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('390 px: the output log reads in columns, "line N" on its entry\'s row, never wrapped', async () => {
  // Labels like fetch_url(…, 1) and times of 4 and 5 characters: "line N" used to wrap under the
  // time on some rows and not others.
  const source = `import asyncio


async def fetch_url(session, n):
    await asyncio.sleep(0.09 + 0.04 * n)
    if n == 3:
        await asyncio.sleep(1)
        print(f"item {n}: a much longer line of output, which has to wrap on a phone")
    else:
        print(f"item {n}: item {n}")
    return n


async def main():
    items = await asyncio.gather(*(fetch_url(None, n) for n in range(4)))
    print(f"fetched {len(items)} items")


asyncio.run(main())
`;
  const page = await open(codeLink(source), { width: 390, height: 844 });
  await page.waitForFunction(() => document.querySelectorAll('#code-log li').length === 5, null, { timeout: 30_000 });
  const rows = await page.$$eval('#code-log li', (lis) =>
    lis.map((li) => {
      const box = (s) => {
        const r = li.querySelector(s).getBoundingClientRect();
        return { top: r.top, left: r.left, right: r.right, height: r.height };
      };
      return { text: li.textContent, time: box('time'), code: box('code'), at: box('.log-at'), line: parseFloat(getComputedStyle(li.querySelector('.log-at')).lineHeight) };
    }),
  );
  const same = (values) => Math.max(...values) - Math.min(...values) < 1;
  assert.ok(same(rows.map((r) => r.time.right)), `the times end in one column: ${JSON.stringify(rows)}`);
  assert.ok(same(rows.map((r) => r.code.left)), `the printed text starts in one column: ${JSON.stringify(rows)}`);
  assert.ok(same(rows.map((r) => r.at.right)), `"line N" ends in one column: ${JSON.stringify(rows)}`);
  for (const r of rows) {
    assert.ok(r.at.height < 1.5 * r.line, `"line N" on one line: ${JSON.stringify(r)}`);
    assert.ok(Math.abs(r.at.top - r.time.top) < 4, `"line N" on its time's row: ${JSON.stringify(r)}`);
  }
  assert.ok(rows.some((r) => r.code.height > 1.5 * r.line), 'the long line wraps inside its column');
  await page.screenshot({ path: artifactPath('code-log-390.png'), fullPage: true });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('390 px: Output\'s text has the box\'s width, so a traceback reads (beside the labels it had some 14 characters)', async () => {
  const page = await open(codeLink(RAISES), { width: 390, height: 844 });
  await page.waitForFunction(() => /Traceback/.test(document.querySelector('#code-log')?.textContent ?? ''), null, { timeout: 30_000 });
  const { inner, codes } = await page.$eval('#code-log ol', (ol) => {
    const pad = parseFloat(getComputedStyle(ol).paddingLeft) + parseFloat(getComputedStyle(ol).paddingRight);
    return { inner: ol.clientWidth - pad, codes: [...ol.querySelectorAll('li code')].map((c) => c.getBoundingClientRect().width) };
  });
  for (const w of codes) assert.ok(w >= inner - 1, `a line of text ${w} px wide in a box of ${inner} px`);
  await page.locator('#code-log').screenshot({ path: artifactPath('code-log-traceback-390.png') });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('async with on the reader\'s class: acquire and release show around the sleeps nested in them, and the strip\'s peak is the summary\'s', async () => {
  const source = `import asyncio


class Res:
    async def __aenter__(self):
        await asyncio.sleep(0.01)

    async def __aexit__(self, *a):
        await asyncio.sleep(0.01)


async def worker():
    async with Res():
        await asyncio.sleep(0.1)


async def main():
    await asyncio.gather(worker(), worker())


asyncio.run(main())
`;
  const page = await open(codeLink(source));
  await lanesWith(page, 'worker()');
  // What is drawn an eighth of the way down each acquire and release bar, at its middle.
  const seen = await page.$$eval('figure.predicted rect.bar.acquire, figure.predicted rect.bar.release', (rs) =>
    rs.map((r) => {
      const b = r.getBoundingClientRect();
      const top = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 8);
      return `${r.getAttribute('class')} → ${top?.getAttribute('class')}`;
    }),
  );
  assert.equal(seen.length, 4, JSON.stringify(seen));
  for (const s of seen) assert.match(s, /^bar (acquire|release) .*→ bar \1 /, s);
  assert.match(await page.locator('figure.predicted .strip-label').textContent(), /peak 2$/);
  assert.equal(await page.$eval('.summary', (s) => s.textContent.match(/peak\s*(\d+)/i)?.[1]), '2');
  await page.locator('figure.predicted').screenshot({ path: artifactPath('code-async-with.png') });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('a program that waits for what never happens stops, predicted and measured, saying it is a deadlock', async () => {
  const stuck = `import asyncio


async def waiter(e):
    await e.wait()


async def main():
    e = asyncio.Event()
    print("waiting")
    await asyncio.create_task(waiter(e))


asyncio.run(main())
`;
  const page = await open(codeLink(stuck));
  await lanesWith(page, 'waiter(');
  const log = () => page.locator('.code-log').innerText();
  // The prediction (it ended at 0 ms, nothing failed, before).
  assert.match(await log(), /awaitlab stopped the program: a deadlock: no task can go on and no timer is due/);
  // The measured run (it said "Running… 0 of 2 tasks finished" for ever, before).
  await page.click('#run');
  await page.waitForSelector('#replay-toggle', { timeout: 30_000 });
  assert.match(await page.locator('figure.measured').textContent(), /Run #1/);
  assert.match(await log(), /a deadlock/);
  assert.match(await page.locator('#status').textContent(), /^Finished/);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

/** The producer/consumer of many tutorials: two consumers whose calls differ in their first argument only. */
const PRODUCER_CONSUMER = `import asyncio


async def producer(queue, n):
    for i in range(n):
        await asyncio.sleep(0.05)
        await queue.put(i)
    await queue.put(None)


async def consumer(name, queue):
    while True:
        item = await queue.get()
        if item is None:
            await queue.put(None)
            break
        await asyncio.sleep(0.2)
        print(f"{name} consumed {item}")


async def main():
    queue = asyncio.Queue(maxsize=3)
    consumers = [asyncio.create_task(consumer(f"c{i}", queue)) for i in range(2)]
    await producer(queue, 4)
    await asyncio.gather(*consumers)


asyncio.run(main())
`;

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`${viewport.width} px: consumer('c0', queue) and consumer('c1', queue) get lane labels that differ and fit the gutter`, async () => {
    const page = await open('pattern=gather&tasks=3&min=50&max=50', viewport);
    await page.click('#code-edit');
    await page.waitForSelector('#code-input');
    await typeCode(page, PRODUCER_CONSUMER);
    await page.waitForFunction(() => document.querySelectorAll('figure.predicted text.lane-label').length === 3, null, { timeout: 15_000 });
    const lanes = await page.$$eval('figure.predicted g.lane', (gs) =>
      gs.map((g) => {
        const text = g.querySelector('text.lane-label');
        return { text: text.textContent, left: text.getBBox().x, name: g.getAttribute('aria-label') };
      }),
    );
    assert.equal(new Set(lanes.map((l) => l.text)).size, 3, JSON.stringify(lanes));
    assert.ok(lanes[1].text.includes("'c0'") && lanes[2].text.includes("'c1'"), JSON.stringify(lanes));
    for (const l of lanes) assert.ok(l.left >= 0, `"${l.text}" starts ${l.left} px left of the gutter`);
    // The whole label is the lane's name (and its title).
    assert.match(lanes[1].name, /^consumer\('c0', queue\)/);
    // The output log's task column reads the same labels (a phone's gutter may shorten them more).
    await page.waitForFunction(() => /c1 consumed/.test(document.querySelector('#code-log')?.textContent ?? ''));
    const tasks = await page.$$eval('#code-log .log-task', (ts) => [...new Set(ts.map((t) => t.textContent))]);
    assert.ok(tasks.length >= 2 && tasks.every((t) => lanes.some((l) => l.text === t || l.name.startsWith(`${t}:`))), JSON.stringify(tasks));
    await page.screenshot({ path: artifactPath(`code-lane-labels-${viewport.width}.png`) });
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  });
}

test('after a slow prediction, typing waits for Predict instead of freezing the page at every pause', async () => {
  // Three tasks of a million loop turns each: a prediction of about a second in the page.
  const spin = (word) =>
    `import asyncio\n\n\nasync def spin(n):\n    x = 0\n    for i in range(1000000):\n        x += 1\n        if i % 100000 == 0:\n            await asyncio.sleep(0)\n    print("${word}", n)\n\n\nasync def main():\n    await asyncio.gather(*(spin(i) for i in range(3)))\n\n\nasyncio.run(main())\n`;
  const page = await open(codeLink(spin('spun')));
  const log = () => page.textContent('#code-log');
  await page.waitForFunction(() => document.querySelector('#code-log')?.textContent.includes('spun 2'), null, { timeout: 30_000 });
  await typeCode(page, spin('turned'));
  // Before: each pause in typing predicted the program again, freezing the page for that long.
  await page.waitForSelector('#code-predict', { timeout: 15_000 });
  assert.match(await page.textContent('#code-problem'), /Predicting the last program took [\d.]+ (ms|s), so the prediction waits for you/);
  assert.ok((await log()).includes('spun 2') && !(await log()).includes('turned'), 'the edit is not predicted yet');
  await page.click('#code-predict');
  await page.waitForFunction(() => document.querySelector('#code-log')?.textContent.includes('turned 2'), null, { timeout: 30_000 });
  assert.equal(await page.$('#code-predict'), null);
  // A quick program after a slow one waits once; from then on it follows the typing again.
  await typeCode(page, FETCHES);
  await page.click('#code-predict', { timeout: 15_000 });
  await lanesWith(page, 'fetch_url(');
  await typeCode(page, FETCHES.replace('got {n}', 'fetched {n}'));
  await page.waitForFunction(() => document.querySelector('#code-log')?.textContent.includes('fetched 3'), null, { timeout: 15_000 });
  assert.equal(await page.$('#code-predict'), null);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

/** Tasks named as many programs name them: longer than the 13 characters a 96 px gutter holds. */
const PROFILES = `import asyncio


async def fetch_user_profile(i):
    await asyncio.sleep(0.05 * (i + 1))
    return i


async def main():
    tasks = [asyncio.create_task(fetch_user_profile(i), name=f"fetch_user_profile-{i}") for i in range(4)]
    await asyncio.gather(*tasks)


asyncio.run(main())
`;

/** `figure`'s lanes: the label drawn, where it starts, its title and the lane's name; and its ticks' x. */
const drawnLanes = (page, figure) =>
  page.$eval(`figure.${figure}`, (fig) => ({
    lanes: [...fig.querySelectorAll('g.lane')].map((g) => {
      const text = g.querySelector('text.lane-label');
      return { text: text.textContent, left: text.getBBox().x, title: text.parentElement.querySelector(':scope > title')?.textContent ?? null, name: g.getAttribute('aria-label') };
    }),
    ticks: [...fig.querySelectorAll('.tick line')].map((l) => l.getAttribute('x1')),
  }));

for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`${viewport.width} px: lanes named fetch_user_profile-3 fit a gutter widened for them (cut at ~10 characters in a fixed 96 px), on the measured run's time axis`, async () => {
    const page = await open(codeLink(PROFILES), viewport);
    await lanesWith(page, 'fetch_');
    await page.click('#run');
    await lanesWith(page, 'fetch_', 'figure.measured');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent.startsWith('Finished'), null, { timeout: 30_000 });
    const [predicted, measured] = [await drawnLanes(page, 'predicted'), await drawnLanes(page, 'measured')];
    const names = ['main()', ...[0, 1, 2, 3].map((i) => `fetch_user_profile-${i}`)];
    for (const fig of [predicted, measured]) {
      // Every label starts inside the plot, and each lane's name is its task's whole name.
      for (const l of fig.lanes) assert.ok(l.left >= 0, `"${l.text}" starts ${l.left} px left of the plot`);
      assert.deepEqual(fig.lanes.map((l) => l.name.split(':')[0]), names);
      if (viewport.width === 1280) {
        assert.deepEqual(fig.lanes.map((l) => l.text), names, 'whole at 1280 px');
      } else {
        // A phone's gutter has a cap: past it a label is shortened, told apart, and whole in its title.
        assert.equal(new Set(fig.lanes.map((l) => l.text)).size, names.length, JSON.stringify(fig.lanes));
        for (const l of fig.lanes.slice(1)) assert.ok(l.text.length >= 15 && l.title === l.name.split(':')[0], JSON.stringify(l));
      }
    }
    // One time axis: the measured run's ticks where the prediction's are.
    assert.deepEqual(measured.ticks, predicted.ticks);
    await page.screenshot({ path: artifactPath(`code-long-lane-names-${viewport.width}.png`) });
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
    // A pattern's lanes (task 0 … task 9) keep the 96 px gutter: its axis starts at x = 96.
    const pattern = await open('pattern=gather', viewport);
    await pattern.waitForSelector('figure.predicted .tick line', { state: 'attached' });
    assert.equal((await drawnLanes(pattern, 'predicted')).ticks[0], '96.00');
    await pattern.close();
  });
}

test('a code run with long lane names compared with a pattern run: one time axis, both gutters 96 px', async () => {
  const page = await open(codeLink(PROFILES));
  await lanesWith(page, 'fetch_');
  await page.click('#run');
  await page.waitForFunction(() => document.querySelectorAll('.runs li').length === 1, null, { timeout: 30_000 });
  await page.selectOption('#field-pattern', 'gather');
  await page.click('#run');
  await page.waitForFunction(() => document.querySelectorAll('.runs li').length === 2, null, { timeout: 30_000 });
  for (const pick of await page.locator('input.compare-pick').all()) await pick.check();
  await page.waitForFunction(() => document.querySelectorAll('#compare figure.timeline').length === 2);
  const compared = await page.$$eval('#compare figure.timeline', (figs) =>
    figs.map((f) => ({ axis: f.querySelector('.tick line').getAttribute('x1'), labels: [...f.querySelectorAll('text.lane-label')].map((t) => t.getBBox().x) })),
  );
  assert.deepEqual(compared.map((c) => c.axis), ['96.00', '96.00'], JSON.stringify(compared));
  for (const c of compared) assert.ok(c.labels.every((x) => x >= 0), JSON.stringify(c));
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

const RAISES = `import asyncio


async def ok(n):
    await asyncio.sleep(n)


async def bad():
    await asyncio.sleep(0.05)
    raise ValueError("boom")


async def main():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(bad())
        tg.create_task(ok(1))


asyncio.run(main())
`;

test('a task that raised is drawn failed on its lane: its last bar in the failure colour, main()\'s group as a × of its own', async () => {
  // Both lanes looked like success: bad()'s sleep bar plain ("done (sleep(0.05))"), main()'s
  // lane "nothing yet"; only Output said which task raised.
  const page = await open(codeLink(RAISES));
  await lanesWith(page, 'bad()');
  const bar = await page.$eval('figure.predicted rect.bar.fail', (r) => r.querySelector('title').textContent);
  assert.match(bar, /^bad\(\).*ValueError: boom/, bar);
  const raised = await page.$$eval('figure.predicted path.mark-raised', (ps) => ps.map((p) => p.textContent));
  assert.equal(raised.length, 1, JSON.stringify(raised));
  assert.match(raised[0], /^main\(\): failed at 50 ms: ExceptionGroup/, raised[0]);
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});

test('Output has room for a traceback: up to 40% of the screen, then it scrolls, on a phone and at 1280×800', async () => {
  const lines = 'import asyncio\n\n\nasync def main():\n    for i in range(30):\n        print("line", i)\n\n\nasyncio.run(main())\n';
  for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
    const page = await open(codeLink(lines), viewport);
    await page.waitForFunction(() => document.querySelectorAll('.code-log li').length === 30, null, { timeout: 15_000 });
    const { h, scrolls } = await page.$eval('.code-log ol', (ol) => ({ h: ol.getBoundingClientRect().height, scrolls: ol.scrollHeight > ol.clientHeight }));
    // 40vh: 337.6 px at 844, 320 px at 800 (the desktop's box was 7.5em, about 90 px: 5 lines).
    const most = viewport.height * 0.4 + 0.5;
    assert.ok(h > most - 40 && h <= most, `${viewport.width} px: Output ${h} px tall`);
    assert.ok(scrolls, `${viewport.width} px: 30 lines scroll inside Output`);
    assert.deepEqual(page.awaitlabErrors, []);
    await page.close();
  }
});

// A TaskGroup whose task raises writes 7 lines; the last, `caught ExceptionGroup(...)`, was only
// seen by scrolling inside a 5-line box (89 of 145 px shown, the box ending at 543 px of 800).
const TASKGROUP_RAISES = `import asyncio

async def ok(i):
    try:
        await asyncio.sleep(0.1 * i)
        print("ok", i)
        return i
    except asyncio.CancelledError:
        print("cancelled", i)
        raise

async def bad():
    await asyncio.sleep(0.15)
    raise ValueError("boom")

async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            for i in range(1, 4):
                tg.create_task(ok(i))
            tg.create_task(bad())
    except ExceptionGroup as eg:
        print("caught", repr(eg), eg.exceptions)

asyncio.run(main())
`;

test('at 1280×800 Output shows all 7 lines of a TaskGroup that raises, its last on the first screen, the code beside the timeline', async () => {
  const page = await open(codeLink(TASKGROUP_RAISES));
  await page.waitForFunction(() => /caught ExceptionGroup/.test(document.querySelector('#code-log')?.textContent ?? ''), null, { timeout: 30_000 });
  const out = await page.$eval('.code-log ol', (ol) => ({
    shown: ol.clientHeight, holds: ol.scrollHeight, bottom: ol.getBoundingClientRect().bottom,
    last: ol.lastElementChild.textContent, lastBottom: ol.lastElementChild.getBoundingClientRect().bottom,
  }));
  assert.match(out.last, /caught ExceptionGroup/);
  assert.ok(out.holds <= out.shown + 1, `Output shows ${out.shown} of its ${out.holds} px`);
  assert.ok(out.lastBottom <= out.bottom + 1 && out.bottom <= 800, `the last line ends at ${out.lastBottom}, the box at ${out.bottom}`);
  // The one-screen lab: the timeline and the code side by side.
  const timeline = await page.locator('figure.predicted').boundingBox();
  const code = await page.locator('.code-panel').boundingBox();
  assert.ok(code.x >= timeline.x + timeline.width && code.y < timeline.y + timeline.height, `code ${JSON.stringify(code)} beside timeline ${JSON.stringify(timeline)}`);
  await page.screenshot({ path: artifactPath('code-output-taskgroup-1280.png') });
  assert.deepEqual(page.awaitlabErrors, []);
  await page.close();
});
