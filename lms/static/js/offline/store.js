// What this device keeps for the field kit (issue 16; docs/contract: the design's "Client" section): one IndexedDB
// database, "lms-offline", and window.lmsOffline to read and write it. Every change raises "lms-offline-change" on
// window, here and (through a BroadcastChannel) in the other pages of the site open on this device.
//   meta     key/value: "device" (this device's id, a UUID made once), "grant:<user id>" ({token, expires_at,
//            user}), "last_sync" (ISO time of the last exchange with the server)
//   outbox   keyPath "id": {id, user, url, body, created, order, tries, last_error} what waits to be sent
//   results  keyPath "id": the server's verdicts on sent items
//   answers  keyPath ["attempt", "q"]; chains keyPath "key"; packages keyPath "seat"; courses keyPath "slug"
(function () {
  "use strict";
  if (window.lmsOffline && window.lmsOffline.ready) return;  // loaded twice: keep the first

  var NAME = "lms-offline";
  var VERSION = 1;
  var STORES = {
    meta: {},
    outbox: {keyPath: "id"},
    results: {keyPath: "id"},
    answers: {keyPath: ["attempt", "q"]},
    chains: {keyPath: "key"},
    packages: {keyPath: "seat"},
    courses: {keyPath: "slug"}
  };
  var CHANGE = "lms-offline-change";
  var channel = "BroadcastChannel" in window ? new BroadcastChannel(NAME) : null;
  var opening = null;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function open() {
    if (opening) return opening;
    opening = new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("IndexedDB is not available")); return; }
      var req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = function () {
        var db = req.result;
        Object.keys(STORES).forEach(function (name) {
          if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, STORES[name]);
        });
      };
      req.onsuccess = function () {
        var db = req.result;
        db.onversionchange = function () { db.close(); opening = null; };  // a newer page upgrades: let it
        resolve(db);
      };
      req.onerror = function () { opening = null; reject(req.error); };
      req.onblocked = function () { opening = null; reject(new Error("lms-offline is open in an older page")); };
    });
    return opening;
  }

  // One request in its own transaction; resolves when the transaction is committed (writes) or read.
  function run(store, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result;
        request(work(tx.objectStore(store))).then(function (value) { result = value; }, reject);
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error || new Error("aborted")); };
      });
    });
  }

  function changed(store, key, op) {
    var detail = {store: store, key: key, op: op};
    window.dispatchEvent(new CustomEvent(CHANGE, {detail: detail}));
    if (channel) { try { channel.postMessage(detail); } catch (e) { /* a key that cannot be cloned */ } }
  }
  if (channel) {
    channel.onmessage = function (event) {
      window.dispatchEvent(new CustomEvent(CHANGE, {detail: event.data}));
    };
  }

  function keyOf(store, value, key) {
    if (key !== undefined) return key;
    var path = STORES[store] && STORES[store].keyPath;
    if (!path) return undefined;
    return Array.isArray(path) ? path.map(function (p) { return value[p]; }) : value[path];
  }

  function get(store, key) {
    return run(store, "readonly", function (s) { return s.get(key); });
  }

  // put(store, value) for the stores with a keyPath; put("meta", value, key) for meta.
  function put(store, value, key) {
    var args = STORES[store] && STORES[store].keyPath ? [value] : [value, key];
    return run(store, "readwrite", function (s) { return s.put.apply(s, args); })
      .then(function (stored) { changed(store, keyOf(store, value, key), "put"); return stored; });
  }

  function del(store, key) {
    return run(store, "readwrite", function (s) { return s["delete"](key); })
      .then(function () { changed(store, key, "del"); });
  }

  function all(store) {
    return run(store, "readonly", function (s) { return s.getAll(); });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" +
      hex.slice(20);
  }

  // -- the outbox: sent in the order items were added (created, then order), by sync.js ---------------------------
  var lastOrder = 0;
  var outbox = {
    add: function (item) {
      if (!item || !item.url || item.user === undefined || item.user === null) {
        return Promise.reject(new Error("an outbox item needs a url and a user"));
      }
      var now = Date.now();
      lastOrder = Math.max(lastOrder + 1, now * 1000);
      var stored = {
        id: item.id || uuid(), user: String(item.user), url: item.url, body: item.body === undefined ? {} : item.body,
        created: item.created || new Date(now).toISOString(), order: item.order || lastOrder,
        tries: item.tries || 0, last_error: item.last_error || null
      };
      Object.keys(item).forEach(function (name) { if (!(name in stored)) stored[name] = item[name]; });
      return put("outbox", stored).then(function () { return stored; });
    },
    count: function (user) {
      if (user === undefined) return run("outbox", "readonly", function (s) { return s.count(); });
      return outbox.list(user).then(function (items) { return items.length; });
    },
    list: function (user) {
      return all("outbox").then(function (items) {
        if (user !== undefined) items = items.filter(function (i) { return i.user === String(user); });
        return items.sort(function (a, b) {
          return a.created < b.created ? -1 : a.created > b.created ? 1 : (a.order || 0) - (b.order || 0);
        });
      });
    }
  };

  // -- this device and its grants ------------------------------------------------------------------------------
  var deviceId = null;
  function id() {
    if (deviceId) return deviceId;
    deviceId = get("meta", "device").then(function (known) {
      if (known) return known;
      var made = uuid();
      return put("meta", made, "device").then(function () { return made; });
    });
    deviceId.catch(function () { deviceId = null; });
    return deviceId;
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta) return meta.getAttribute("content");
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function signedInUser() {
    var user = document.body && document.body.getAttribute("data-user");
    return user ? String(user) : null;
  }

  function live(grant) {
    return grant && grant.token && (!grant.expires_at || Date.parse(grant.expires_at) > Date.now());
  }

  var registering = {};
  // The grant token of `userId` on this device. Registers it (POST /offline/devices, the signed-in session) when
  // there is none, or it expired, or options.renew; only the signed-in person of this page can be registered.
  // Resolves to null when there is no grant and none can be had now (offline, signed out, another person).
  function grant(userId, options) {
    var user = String(userId === undefined || userId === null ? signedInUser() : userId);
    var renew = options && options.renew;
    return get("meta", "grant:" + user).then(function (known) {
      if (live(known) && !renew) return known.token;
      if (user !== signedInUser() || !navigator.onLine) return live(known) ? known.token : null;
      if (registering[user]) return registering[user];
      var url = (document.body && document.body.getAttribute("data-offline-devices")) || "/offline/devices";
      registering[user] = id().then(function (device) {
        return fetch(url, {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken()},
          body: JSON.stringify({client_id: device})
        });
      }).then(function (response) {
        if (response.status !== 201) return live(known) ? known.token : null;
        return response.json().then(function (answer) {
          var kept = {token: answer.token, expires_at: answer.expires_at, user: answer.user};
          return put("meta", kept, "grant:" + user).then(function () { return answer.token; });
        });
      }, function () { return live(known) ? known.token : null; });
      registering[user].then(clear, clear);
      function clear() { delete registering[user]; }
      return registering[user];
    });
  }

  function forget(userId) {
    return del("meta", "grant:" + String(userId));
  }

  var api = window.lmsOffline = {
    ready: true,
    CHANGE: CHANGE,
    open: open,
    get: get,
    put: put,
    del: del,
    all: all,
    uuid: uuid,
    user: signedInUser,
    csrfToken: csrfToken,
    outbox: outbox,
    device: {id: id, grant: grant, forget: forget},
    // sync.js puts the sender here; without it nothing is sent.
    sync: {now: function () { return Promise.resolve({sent: 0, left: null}); }}
  };
  return api;
})();
