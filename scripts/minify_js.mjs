// Trunk's post-build hook (Trunk.toml): minifies the JavaScript of a release build with terser, then
// writes the new Subresource Integrity hash of each minified file into index.html.
//
// Why here: Trunk's own JS minifier cannot parse wasm-bindgen's loader (`export default`: "Failed to
// minify JS"), so it served the loaders as written. The page's and the interpreter's loaders are ES
// modules, imported by their export names: terser keeps those (it mangles local names, never
// properties or exports). The CPU worker's glue, its loader and the service worker are classic
// scripts whose top-level names are globals (`wasm_bindgen`, which the loader calls): minified as
// scripts, their top level is left as it is.
//
// Runs in Trunk's staging directory (TRUNK_STAGING_DIR) before it becomes dist/; does nothing for
// a debug build. Any failure fails the build: a page whose integrity hash is wrong would not load.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { minify } from 'terser';

const dir = process.env.TRUNK_STAGING_DIR;
if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
if (!dir) throw new Error('minify_js.mjs runs as a Trunk hook: TRUNK_STAGING_DIR is not set');

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const htmlPath = path.join(dir, 'index.html');
let html = readFileSync(htmlPath, 'utf8');
for (const name of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
  const file = path.join(dir, name);
  const source = readFileSync(file, 'utf8');
  const module = /\bexport\s*(\{|default\b)/.test(source);
  const { code } = await minify(source, { module, compress: true, mangle: true, format: { comments: false } });
  if (!code) throw new Error(`terser returned nothing for ${name}`);
  writeFileSync(file, code);
  // The tag that names this file (quoted or not: Trunk's HTML minifier drops the quotes) gets the
  // minified file's hash in place of the one Trunk computed for the source.
  const tag = new RegExp(`<link[^>]*href=["']?\\./${escape(name)}["' >][^>]*>`, 'g');
  html = html.replace(tag, (t) => t.replace(/integrity=["']?sha384-[A-Za-z0-9+/=]+["']?/, `integrity=${sri(code)}`));
  console.log(`minify_js: ${name} (${module ? 'module' : 'script'}) ${source.length} → ${code.length} bytes`);
}
writeFileSync(htmlPath, html);
