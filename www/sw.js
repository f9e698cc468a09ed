// The service worker: the page without the network. It keeps every file of one build in a cache
// named by that build's version and answers the page's requests from it first. build.sh stamps
// BUILD into dist/sw.js: the version (a hash of dist's files), those files with their SHA-256,
// and the page's Content-Security-Policy (from index.html's <meta>).
//
// One page never mixes two builds. A new build's worker installs beside the running one and waits
// (no skipWaiting) until no page of the old build is open, so a page is answered by one worker and
// one cache from its first request to its last; only then does it take over and delete the old
// cache. A reload is not enough for that (the old page is still open when its successor's request
// is made): the next visit after closing catdog's tabs is. clients.claim() on activate can only
// take pages no worker controls, since every page of the old build has gone: those of the first
// visit, whose files the network served moments before this worker cached the same files.
//
// A worker's policy comes from its script's response headers, not from the page's <meta>: the page
// and worker.js are answered with the page's policy as a header, so the wasm worker runs under it
// from the second visit on (at the first, nothing controls the page yet). This script gets none on
// a static host; it fetches only its own origin's files, those of its list.
const BUILD = null; // stamped by build.sh

const PREFIX = 'catdog-';
const CACHE = PREFIX + BUILD.version;
const scope = new URL(self.registration.scope);

self.addEventListener('install', (event) => {
  // cache: 'reload' skips the HTTP cache; a file whose hash is not this build's fails the fetch,
  // and so the install (a server caught mid-deploy), leaving the running build as it was.
  const requests = BUILD.files.map(({ path, integrity }) => new Request(path, { cache: 'reload', integrity }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(requests)).catch(async (err) => {
    await caches.delete(CACHE);
    throw err;
  }));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== scope.origin) return;
  event.respondWith(answer(event.request, url));
});

/** The cached file, or the network's answer for a file not in the build (none of the page's). */
async function answer(request, url) {
  const key = url.pathname === scope.pathname ? new URL('index.html', scope) : new URL(url.pathname, url);
  const cached = await caches.open(CACHE).then((cache) => cache.match(key));
  if (!cached) return fetch(request);
  if (request.destination !== 'document' && request.destination !== 'worker') return cached;
  const headers = new Headers(cached.headers);
  headers.set('Content-Security-Policy', BUILD.csp);
  return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
}
