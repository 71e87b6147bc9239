// A small HTTP/1.1 server of the project's own, for source=fetch tests: on 127.0.0.1, a free port.
//
//   GET /delay?ms=200[&fail=1]   after ms: 200 {"ms":200,...}, or 500 {"error":...} when fail=1
//   GET /status/<code>?ms=..     after ms: that status with a JSON error body
//   GET /bad-json?ms=..          after ms: 200, content-type application/json, a body that is not JSON
//   GET /no-cors?ms=..           after ms: 200 JSON *without* Access-Control-Allow-Origin (a CORS refusal)
//
// Every answer but /no-cors carries `Access-Control-Allow-Origin: *`. `stats` counts requests,
// the most being served at once (`maxActive`), and requests the client gave up on before the
// answer (`aborted`: the browser's AbortController closes the connection).
//
// Standalone: `node tests/e2e/delay_server.mjs [port]` prints its URL and serves until killed.

import http from 'node:http';
import { fileURLToPath } from 'node:url';

const MAX_MS = 600_000;

/** @returns {Promise<{url: string, port: number, stats: object, reset: () => void, close: () => Promise<void>}>} */
export async function startDelayServer(port = 0) {
  const stats = { requests: 0, active: 0, maxActive: 0, aborted: 0, paths: [] };
  const reset = () => Object.assign(stats, { requests: 0, active: 0, maxActive: 0, aborted: 0, paths: [] });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    stats.requests += 1;
    stats.paths.push(url.pathname + url.search);
    const raw = Number(url.searchParams.get('ms') ?? '0');
    const ms = Number.isFinite(raw) ? Math.min(Math.max(raw, 0), MAX_MS) : 0;
    const cors = url.pathname !== '/no-cors';
    const send = (status, body, type = 'application/json') => {
      const headers = { 'Content-Type': type, 'Cache-Control': 'no-store' };
      if (cors) headers['Access-Control-Allow-Origin'] = '*';
      res.writeHead(status, headers).end(body);
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET' }).end();
      return;
    }
    stats.active += 1;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        stats.active -= 1;
      }
    };
    const timer = setTimeout(() => {
      finish();
      const status = /^\/status\/(\d{3})$/.exec(url.pathname);
      if (url.pathname === '/delay' || url.pathname === '/no-cors') {
        if (url.searchParams.get('fail') === '1') send(500, JSON.stringify({ error: `simulated failure after ${ms} ms` }));
        else send(200, JSON.stringify({ ms, id: url.searchParams.get('id') }));
      } else if (status) {
        send(Number(status[1]), JSON.stringify({ error: `status ${status[1]} as asked` }));
      } else if (url.pathname === '/bad-json') {
        send(200, '{"id": 1, "name": "cut off');
      } else {
        send(404, JSON.stringify({ error: `no such path: ${url.pathname}` }));
      }
    }, ms);
    // The client went away before the answer: an aborted fetch closes its connection.
    res.on('close', () => {
      if (!done) {
        clearTimeout(timer);
        finish();
        stats.aborted += 1;
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = server.address().port;
  let closed = null;
  const close = () => {
    closed ??= new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  return { url: `http://127.0.0.1:${actual}`, port: actual, stats, reset, close };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = await startDelayServer(Number(process.argv[2] ?? 0));
  console.log(`delay server on ${s.url} (try ${s.url}/delay?ms=200)`);
}
