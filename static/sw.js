// awaitlab's offline mock API. Registered by the app when source=fetch uses the default url
// template (api/item/{id}); it answers, without any network:
//
//   <app>/api/item/<id>?ms=<delay>&fail=<0|1>
//
// after <delay> ms with a JSON item (200), or a JSON error (500) when fail=1. Anything else under
// <app>/api/ gets a JSON 404. Every other request goes to the network untouched. The delay and the
// failure come from the request, which the app fills from its seeded plan, so a seeded run fails
// the same requests every time. One worker answers any number of requests at once: unlike an
// HTTP/1.1 server it is not behind the browser's 6-connections-per-host limit.

const API = new URL("api/", self.registration.scope).pathname;
const MAX_MS = 600000;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith(API)) return;
  event.respondWith(answer(url, event.request.signal));
});

function json(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (signal) signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

async function answer(url, signal) {
  const rest = url.pathname.slice(API.length);
  const match = /^item\/([^/]+)$/.exec(rest);
  if (!match) return json(404, { error: `no such endpoint: api/${rest}` });
  const id = decodeURIComponent(match[1]);
  const raw = Number(url.searchParams.get("ms") ?? "0");
  const ms = Number.isFinite(raw) ? Math.min(Math.max(raw, 0), MAX_MS) : 0;
  const fail = url.searchParams.get("fail") === "1";
  await sleep(ms, signal);
  if (fail) return json(500, { error: `simulated failure of item ${id} after ${ms} ms`, id, ms });
  return json(200, { id, ms, name: `item ${id}`, served_by: "awaitlab offline mock API" });
}
