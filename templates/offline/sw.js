// The app's service worker (scope /, but /verify/ which has its own). Static files: from the cache first. Learner
// pages: from the network first, a copy kept for offline reading, in the language the page was read in, in the
// cache of the person signed in ("lms-pages-<user id>"); courses made available offline in caches of their own
// ("lms-course-<user id>-<slug>", filled by course.js). Offline, only the pages of the person signed in on this
// device are served (the last one the server named, or the one who signed in here with their PIN). A new version
// waits while any page of an attempt or an offline exam is open, and takes over only when a page asks for it and
// none is; the old version's caches are removed when the new one activates.
const VERSION = {{ version|tojson }};
const SHELL = "lms-shell-" + VERSION;
const PAGES = "lms-pages-";  // + the person's id
const STATE = "lms-sw-state";
const ASSETS = {{ assets|tojson }};
const SHELL_PAGES = {{ pages|tojson }};
const OFFLINE_PAGE = SHELL_PAGES[0];
const LANGUAGES = {{ languages|tojson }};
const GUARDED = {{ guarded|tojson }}.map((pattern) => new RegExp(pattern));
const NOT_KEPT = {{ not_kept|tojson }}.map((pattern) => new RegExp(pattern));
let language = null;  // the language the learner reads now (the last page's), kept in the STATE cache

// Whose pages are served offline: kept in the STATE cache ("/__lms-sw/person"); none after a sign-out.
async function currentPerson() {
  const kept = await (await caches.open(STATE)).match("/__lms-sw/person");
  return kept ? await kept.text() : null;
}

async function setPerson(user) {
  const state = await caches.open(STATE);
  if (user) await state.put("/__lms-sw/person", new Response(String(user)));
  else await state.delete("/__lms-sw/person");
}

function ownCaches(name, user) {
  return name.startsWith("lms-shell-") ||
    (Boolean(user) && (name === PAGES + user || name.startsWith("lms-course-" + user + "-")));
}

// A page's copy is kept under its address plus the language it is in: "/courses/x?sw-lang=en".
function pageKey(url, lang) {
  const u = new URL(url, self.location);
  u.searchParams.delete("sw-lang");
  u.searchParams.set("sw-lang", lang);
  return u.pathname + u.search;
}

async function currentLanguage() {
  if (language) return language;
  const kept = await (await caches.open(STATE)).match("/__lms-sw/language");
  language = kept ? await kept.text() : LANGUAGES[0];
  return language;
}

async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang) || lang === language) return;
  language = lang;
  await (await caches.open(STATE)).put("/__lms-sw/language", new Response(lang));
}

// The shell's pages are fetched as a visitor: a copy kept for everyone must hold no one's name or data.
async function keepPage(cacheName, url, lang) {
  const response = await fetch(url, {credentials: "omit", cache: "no-store",
                                     headers: {"X-LMS-Language": lang}});
  if (!response.ok || response.redirected) return false;
  await (await caches.open(cacheName)).put(pageKey(url, lang), response);
  return true;
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL);
    await cache.addAll(ASSETS);
    await Promise.allSettled(SHELL_PAGES.flatMap((page) => LANGUAGES.map((lang) => keepPage(SHELL, page, lang))));
    // No skipWaiting: a first installation activates at once anyway; an update waits (see "message").
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("lms-shell-") && name !== SHELL)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

function guardedUrl(address) {
  const path = new URL(address).pathname;
  return GUARDED.some((pattern) => pattern.test(path));
}

// Asks one page whether it must not be replaced now (its <body data-offline-guard>); no answer: not guarded.
function askGuard(client) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(false), 800);
    channel.port1.onmessage = (event) => { clearTimeout(timer); resolve(Boolean(event.data && event.data.guarded)); };
    client.postMessage({type: "lms-sw-guard?"}, [channel.port2]);
  });
}

async function busyClients() {
  const windows = await self.clients.matchAll({type: "window", includeUncontrolled: true});
  const answers = await Promise.all(windows.map((client) => guardedUrl(client.url) ? true : askGuard(client)));
  return answers.filter(Boolean).length;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "lms-sw-language") {
    event.waitUntil(setLanguage(data.lang));
  } else if (data.type === "lms-sw-update") {  // a page asks the waiting version to take over
    event.waitUntil((async () => {
      const busy = await busyClients();
      if (event.source) event.source.postMessage({type: "lms-sw-update", busy});
      if (!busy) await self.skipWaiting();
    })());
  } else if (data.type === "lms-sw-version" && event.source) {
    event.source.postMessage({type: "lms-sw-version", version: VERSION});
  }
});

// A copy from the shell or from `user`'s own caches only: never another person's page.
async function fromCaches(key, user) {
  const names = (await caches.keys()).filter((name) => ownCaches(name, user));
  for (const name of names) {
    const kept = await (await caches.open(name)).match(key, {ignoreVary: true});
    if (kept) return kept;
  }
  return null;
}

async function offlinePage() {
  const lang = await currentLanguage();
  return (await fromCaches(pageKey(OFFLINE_PAGE, lang), null)) ||
    (await fromCaches(pageKey(OFFLINE_PAGE, LANGUAGES[0]), null)) ||
    new Response("Offline", {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
}

async function page(request, url) {
  const kept = !NOT_KEPT.some((pattern) => pattern.test(url.pathname));
  try {
    await finishSignOut();
    const response = await fetch(request);
    const type = response.headers.get("Content-Type") || "";
    if (kept && response.ok && !response.redirected && type.startsWith("text/html")) {
      const text = await response.clone().text();
      const lang = (/<html[^>]*\slang="([a-z]{2})"/.exec(text) || [])[1];
      const user = (/<body[^>]*\sdata-user="(\d+)"/.exec(text) || [])[1] || null;
      if (user) await setPerson(user);  // the server says who is signed in here (sign-outs pass by signOut())
      if (lang && user) {
        await setLanguage(lang);
        const headers = new Headers(response.headers);
        headers.set("X-Kept-At", new Date().toISOString());
        const key = pageKey(url.href, lang);
        const copy = new Response(text, {status: 200, headers});
        const courseCache = await courseCacheHolding(key, user);
        await (await caches.open(courseCache || PAGES + user)).put(key, copy);
      }
    }
    return response;
  } catch (error) {
    const user = await currentPerson();  // none: the shell's public pages only
    if (kept) {
      const lang = await currentLanguage();
      const copy = (await fromCaches(pageKey(url.href, lang), user)) ||
        (await Promise.all(LANGUAGES.map((other) => fromCaches(pageKey(url.href, other), user)))).find(Boolean);
      if (copy) return copy;
    }
    return offlinePage();
  }
}

// A course kept offline keeps its pages fresh in its own cache (so removing the course removes them).
async function courseCacheHolding(key, user) {
  const match = /^\/courses\/([^/?]+)/.exec(key);
  if (!match) return null;
  const name = "lms-course-" + user + "-" + match[1];
  if (!(await caches.has(name))) return null;
  return (await (await caches.open(name)).match(key)) ? name : null;
}

// The language button, pressed without a network: the worker remembers the choice and goes back to the page.
async function language_switch(request) {
  const form = await request.clone().formData().catch(() => null);
  try {
    return await fetch(request);
  } catch (error) {
    if (!form) return offlinePage();
    await setLanguage(form.get("lang"));
    const next = form.get("next") || "/";
    return Response.redirect(next.startsWith("/") && !next.startsWith("//") ? next : "/", 303);
  }
}

// Signing out on a shared tablet: no one's pages are served offline until someone signs in again (online, or here
// with their PIN). The person's own caches are removed unless something of theirs waits to be sent (people.js
// leaves "/__lms-sw/keep/<id>" then): they are theirs again when they are back. Without a network the device
// signs the person out at once (people.js has already locked what it keeps for them) and tells the server when
// the network returns.
async function signOut(request) {
  const user = await currentPerson();
  await setPerson(null);
  if (user && !(await (await caches.open(STATE)).match("/__lms-sw/keep/" + user))) {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => ownCaches(name, user) && !name.startsWith("lms-shell-"))
      .map((name) => caches.delete(name)));
  }
  try {
    const response = await fetch(request);
    await setSignOutPending(false);
    return response;
  } catch (error) {
    await setSignOutPending(true);
    return Response.redirect(OFFLINE_PAGE + "#signed-out", 303);
  }
}

async function setSignOutPending(pending) {
  const state = await caches.open(STATE);
  if (pending) await state.put("/__lms-sw/sign-out", new Response("1"));
  else await state.delete("/__lms-sw/sign-out");
}

// The server is told at the first page asked for with a network: a fresh page gives the form's token, then the
// same sign-out as the button's. A sign-in meanwhile has replaced the session: nothing is left to end.
async function finishSignOut() {
  if (!(await (await caches.open(STATE)).match("/__lms-sw/sign-out"))) return;
  const home = await fetch("/", {credentials: "same-origin", cache: "no-store"});
  const token = (/<meta name="csrf-token" content="([^"]+)"/.exec(await home.text()) || [])[1];
  if (token) {
    const body = new URLSearchParams({csrf_token: token});
    await fetch("/logout", {method: "POST", body, credentials: "same-origin", redirect: "manual"});
  }
  await setSignOutPending(false);
}

async function staticFile(request, url) {
  const exact = await caches.match(request, {ignoreVary: true});
  if (exact) return exact;
  try {
    const response = await fetch(request);
    if (response.ok && url.pathname.startsWith("/static/")) {
      await (await caches.open(SHELL)).put(request, response.clone());
    }
    return response;
  } catch (error) {
    // An older page asks for an older version of a file: the one kept will do.
    const any = await caches.match(request, {ignoreVary: true, ignoreSearch: true});
    return any || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/verify/")) return;
  if (request.method === "POST" && request.mode === "navigate") {
    if (url.pathname === "/language") event.respondWith(language_switch(request));
    else if (url.pathname === "/logout") event.respondWith(signOut(request));
    else if (url.pathname === "/login") event.waitUntil(setSignOutPending(false));
    return;
  }
  if (request.method !== "GET") return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/offline/api/")) return;
  if (url.pathname.startsWith("/static/") || /^\/courses\/[^/]+\/files\//.test(url.pathname)) {
    event.respondWith(staticFile(request, url));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, url));
  }
});
