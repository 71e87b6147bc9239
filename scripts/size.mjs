// Page weight of a trunk build: the wasm, JS and CSS that dist/index.html loads, raw, gzip -9 and
// brotli q11 (what a static host or CDN would send). Deterministic for given bytes.
//
//   node scripts/size.mjs [dist] [--max-gzip BYTES]
//
// With --max-gzip it exits 1 when the gzip total passes BYTES (scripts/test.sh's size budget).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Whether `dir/index.html` loads `name` itself (the page), rather than code fetching it later:
 * the CPU worker pool's bundle (`cpu_worker*`) is loaded only when a run asks for workers. */
function loadedByPage(dir, name) {
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  // `./name` quoted or not (a release build's index.html is minified: `href=./style-….css`).
  return html.includes(`./${name}`) || html.includes(`"${name}"`);
}

/** The wasm, .js and .css files of `dir` except the service worker: `files` those the page
 * loads, `lazy` those loaded later (reported apart, as the budget covers the page). */
export function pageWeight(dir = 'dist') {
  const all = readdirSync(dir)
    .filter((f) => /\.(wasm|js|css)$/.test(f) && f !== 'sw.js')
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name));
      return {
        name,
        raw: bytes.length,
        gzip: gzipSync(bytes, { level: 9 }).length,
        brotli: brotliCompressSync(bytes, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
        }).length,
      };
    });
  const files = all.filter((f) => loadedByPage(dir, f.name));
  const lazy = all.filter((f) => !loadedByPage(dir, f.name));
  const total = { name: 'total (the page)', raw: 0, gzip: 0, brotli: 0 };
  for (const f of files) for (const k of ['raw', 'gzip', 'brotli']) total[k] += f[k];
  return { files, lazy, total };
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--max-gzip');
  const max = at >= 0 ? Number(args.splice(at, 2)[1]) : null;
  const dir = args[0] || 'dist';
  const { files, lazy, total } = pageWeight(dir);
  if (!files.some((f) => f.name.endsWith('.wasm'))) {
    console.error(`size: no .wasm in ${dir}/ (run trunk build --release first)`);
    process.exit(1);
  }
  console.log('| file | raw | gzip | brotli |\n|---|---|---|---|');
  for (const f of [...files, total]) console.log(`| ${f.name} | ${kb(f.raw)} | ${kb(f.gzip)} | ${kb(f.brotli)} |`);
  for (const f of lazy) console.log(`| ${f.name} (loaded later, not in the total) | ${kb(f.raw)} | ${kb(f.gzip)} | ${kb(f.brotli)} |`);
  if (max !== null) {
    if (!(max > 0)) {
      console.error('size: --max-gzip needs a number of bytes');
      process.exit(2);
    }
    if (total.gzip > max) {
      console.error(`size: page weight ${total.gzip} B gzip is over the budget of ${max} B`);
      process.exit(1);
    }
    console.log(`size: page weight ${total.gzip} B gzip, within the budget of ${max} B`);
  }
}
