// Service worker: caching only. The app shell is precached under a cache named by the build's
// version; old caches are deleted on activate. /api/ is never touched: data lives in IndexedDB.
/* global self, caches */
const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const CACHE = `ducha-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    // "no-cache": revalidated (a 304 when the page has just loaded it), never downloaded twice
    .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "no-cache" }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ducha-shell-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (req.mode === "navigate") {
    // the shell answers every navigation, from the cache first: the app opens with no network
    event.respondWith(caches.match("/index.html", { cacheName: CACHE }).then((hit) => hit || fetch(req)));
    return;
  }
  event.respondWith(caches.match(req, { cacheName: CACHE, ignoreSearch: true }).then((hit) => hit || fetch(req)));
});
