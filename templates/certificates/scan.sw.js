// The offline verifier's service worker (scope /verify/). Network first, the cache when there is no network; every
// answer it gives carries X-Fetched-At, the time it was fetched from the server, so the page can say how old its
// keys and status list are. Only the verifier's own addresses are handled: the register's pages are not kept.
const CACHE = "lms-verifier-v1";
const PAGE = {{ url_for("certificates.scan")|tojson }};
const DATA = [{{ url_for("certificates.scan_manifest")|tojson }}, "/verify/keys.json", "/verify/status/1"];
const ASSETS = {{ assets|tojson }};
const KEPT = new Set([PAGE, ...DATA, ...ASSETS]);

async function fetchAndKeep(address) {
  const url = new URL(address, self.location);
  const key = url.pathname + url.search;
  const response = await fetch(key, {cache: "no-store", credentials: "same-origin"});
  if (!response.ok) return response;
  const headers = new Headers(response.headers);
  headers.set("X-Fetched-At", new Date().toISOString());
  const stamped = new Response(await response.blob(), {status: response.status, headers});
  const cache = await caches.open(CACHE);
  await cache.put(key, stamped.clone());
  return stamped;
}

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.allSettled([PAGE, ...DATA, ...ASSETS].map(fetchAndKeep))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!KEPT.has(url.pathname + url.search) && !KEPT.has(url.pathname)) return;
  event.respondWith(fetchAndKeep(event.request.url).catch(async () => {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(url.pathname + url.search, {ignoreVary: true})
      || await cache.match(url.pathname, {ignoreVary: true, ignoreSearch: true});
    return kept || Response.error();
  }));
});
