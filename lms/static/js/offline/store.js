// What this device keeps for the field kit (issue 16; docs/contract: the design's "Client" section): one IndexedDB
// database, "lms-offline", and window.lmsOffline to read and write it. Every change raises "lms-offline-change" on
// window, here and (through a BroadcastChannel) in the other pages of the site open on this device.
//   meta     key/value: "device" (this device's id, a UUID made once), "grant:<user id>" ({token, expires_at,
//            user}), "last_sync" (ISO time of the last exchange with the server)
//   outbox   keyPath "id": {id, user, url, body, created, order, tries, last_error} what waits to be sent
//   results  keyPath "id": the server's verdicts on sent items
//   answers  keyPath ["attempt", "q"]; chains keyPath "key"; packages keyPath "seat"; courses ["user", "slug"]
//   keys     key: user id -> that person's AES-GCM key (a non-extractable CryptoKey) while they are signed in here
// A shared tablet: once a person has chosen a PIN on this device (people.js), what the device keeps for them
// (grant token, outbox bodies, answers, chains, exam packages, verdicts) is sealed with a key derived from it; only
// the fields that find and order records stay readable. A sealed record of a person not signed in reads as
// {...its readable fields, locked: true}; the signed-in person's own reads wait until they have entered their PIN.
(function () {
  "use strict";
  if (window.lmsOffline && window.lmsOffline.ready) return;  // loaded twice: keep the first

  var NAME = "lms-offline";
  var VERSION = 2;
  var STORES = {
    meta: {},
    outbox: {keyPath: "id"},
    results: {keyPath: "id"},
    answers: {keyPath: ["attempt", "q"]},
    chains: {keyPath: "key"},
    packages: {keyPath: "seat"},
    courses: {keyPath: ["user", "slug"]},
    keys: {}
  };
  // What stays readable in a sealed record: what finds it, whose it is, and what orders or counts it.
  var CLEAR = {
    outbox: ["id", "user", "url", "created", "order", "tries", "last_error", "kind", "course", "position"],
    results: ["id", "user", "url", "kind", "http_status", "received_at"],
    answers: ["attempt", "q", "user"],
    chains: ["key", "user", "t", "wall"],
    packages: ["seat", "user", "downloaded_at"],
    grant: ["user", "owner", "expires_at"]
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
      var detail = event.data || {};
      if (detail.store === "keys") keysChanged(detail.key, true);  // a PIN entered, or a sign-out, in another page
      window.dispatchEvent(new CustomEvent(CHANGE, {detail: detail}));
    };
  }

  function keyOf(store, value, key) {
    if (key !== undefined) return key;
    var path = STORES[store] && STORES[store].keyPath;
    if (!path) return undefined;
    return Array.isArray(path) ? path.map(function (p) { return value[p]; }) : value[path];
  }

  // -- sealing: AES-GCM with the person's key; the clear fields are the additional data, so they cannot be swapped
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();
  var keyCache = {};
  var unlockWaiters = {};

  function kindOf(store, key) {
    if (CLEAR[store] && store !== "grant") return store;
    return store === "meta" && typeof key === "string" && key.indexOf("grant:") === 0 ? "grant" : null;
  }
  function ownerOf(kind, value, key) {
    if (kind === "grant") return key.slice(6);
    return value && value.user !== undefined && value.user !== null ? String(value.user) : signedInUser();
  }
  function keyOfPerson(user) {
    if (!user) return Promise.resolve(null);
    if (!(user in keyCache)) {
      keyCache[user] = run("keys", "readonly", function (s) { return s.get(user); }).then(function (k) {
        return k || null;
      }, function () { return null; });
    }
    return keyCache[user];
  }
  function clearPart(kind, value, owner) {
    var clear = {user: owner};
    CLEAR[kind].forEach(function (name) { if (value[name] !== undefined && name !== "user") clear[name] = value[name]; });
    if (kind === "grant") clear.owner = owner;
    return clear;
  }
  function aad(clear) {
    var keys = Object.keys(clear).sort();
    return encoder.encode(JSON.stringify(keys.map(function (k) { return [k, clear[k]]; })));
  }

  function seal(store, value, key) {
    var kind = kindOf(store, key);
    if (!kind || value === null || typeof value !== "object") return Promise.resolve(value);
    if (value.locked === true) return Promise.reject(new Error("a locked record cannot be written back"));
    var owner = ownerOf(kind, value, key);
    return keyOfPerson(owner).then(function (cryptoKey) {
      if (!cryptoKey) {  // no PIN entered here yet: kept as it is, with its owner, and sealed when one is (people.js)
        if (kind !== "grant" && owner && value.user === undefined) value.user = owner;
        return value;
      }
      var clear = clearPart(kind, value, owner);
      var secret = {};
      Object.keys(value).forEach(function (name) { if (!(name in clear) || name === "user") secret[name] = value[name]; });
      if (kind !== "grant" && value.user === undefined) delete secret.user;
      var iv = crypto.getRandomValues(new Uint8Array(12));
      return crypto.subtle.encrypt({name: "AES-GCM", iv: iv, additionalData: aad(clear)}, cryptoKey,
                                   encoder.encode(JSON.stringify(secret))).then(function (data) {
        clear.sealed = {iv: iv, data: data};
        return clear;
      });
    });
  }

  function unseal(store, value, key) {
    if (!value || !value.sealed) return Promise.resolve(value);
    var kind = kindOf(store, key);
    var owner = String(value.user);
    var mine = owner === signedInUser();
    var opened = function (cryptoKey) {
      if (!cryptoKey) return null;
      var clear = {};
      Object.keys(value).forEach(function (name) { if (name !== "sealed") clear[name] = value[name]; });
      return crypto.subtle.decrypt({name: "AES-GCM", iv: value.sealed.iv, additionalData: aad(clear)}, cryptoKey,
                                   value.sealed.data).then(function (plain) {
        var secret = JSON.parse(decoder.decode(plain));
        var whole = {};
        Object.keys(clear).forEach(function (name) { if (name !== "owner" || kind !== "grant") whole[name] = clear[name]; });
        Object.keys(secret).forEach(function (name) { whole[name] = secret[name]; });
        if (kind === "grant") { whole.user = secret.user; }
        return whole;
      });
    };
    return keyOfPerson(owner).then(function (cryptoKey) {
      if (cryptoKey) return opened(cryptoKey);
      if (!mine) return lockedView(value);
      // The signed-in person's own record: read once they have entered their PIN on this page (people.js).
      return new Promise(function (resolve) {
        (unlockWaiters[owner] = unlockWaiters[owner] || []).push(resolve);
      }).then(function () { return keyOfPerson(owner); }).then(function (k) {
        return k ? opened(k) : lockedView(value);
      });
    });
  }
  function lockedView(value) {
    var view = {locked: true};
    Object.keys(value).forEach(function (name) { if (name !== "sealed") view[name] = value[name]; });
    return view;
  }

  // people.js: the person's key was put in (or taken out of) "keys"; pages waiting on their records go on.
  // (The other pages of the site open on this device hear of it too.)
  function keysChanged(user, heard) {
    delete keyCache[String(user)];
    var waiting = unlockWaiters[String(user)] || [];
    delete unlockWaiters[String(user)];
    waiting.forEach(function (resolve) { resolve(); });
    if (!heard) changed("keys", String(user), "key");
  }

  function getRaw(store, key) {
    return run(store, "readonly", function (s) { return s.get(key); });
  }
  function get(store, key) {
    return getRaw(store, key).then(function (value) { return unseal(store, value, key); });
  }

  // put(store, value) for the stores with a keyPath; put("meta", value, key) for meta.
  function putRaw(store, value, key) {
    var args = STORES[store] && STORES[store].keyPath ? [value] : [value, key];
    return run(store, "readwrite", function (s) { return s.put.apply(s, args); })
      .then(function (stored) { changed(store, keyOf(store, value, key), "put"); return stored; });
  }
  function put(store, value, key) {
    return seal(store, value, key).then(function (sealed) { return putRaw(store, sealed, key); });
  }

  function del(store, key) {
    return run(store, "readwrite", function (s) { return s["delete"](key); })
      .then(function () { changed(store, key, "del"); });
  }

  function allRaw(store) {
    return run(store, "readonly", function (s) { return s.getAll(); });
  }
  function all(store) {
    return allRaw(store).then(function (values) {
      return Promise.all(values.map(function (value) { return unseal(store, value); }));
    });
  }

  // Words for people, for the field kit's scripts: digits as the page's language writes them, "%(name)s" filled in
  // as the server's catalogue writes it, and sizes in bytes ("1٫5 ميجابايت" on an Arabic page).
  var arabicPage = document.documentElement.lang === "ar";
  function digits(text) {
    return arabicPage ? String(text).replace(/[0-9]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩"[Number(d)]; }) :
      String(text);
  }
  function fill(text, values) {
    return (text || "").replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function size(bytes, units) {
    var i = 0;
    var value = bytes;
    while (value >= 1024 && i < units.length - 1) { value /= 1024; i += 1; }
    var number = i ? value.toFixed(1) : String(Math.round(value));
    return digits(arabicPage ? number.replace(".", "٫") : number) + " " + units[i];
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

  // people.js (the PIN, 12 KB) is loaded only for a person the device keeps something for: most pages of most
  // people never need it.
  var peopleLoaded = false;
  function loadPeople() {
    var src = document.body && document.body.getAttribute("data-offline-people");
    if (peopleLoaded || !src) return;
    peopleLoaded = true;
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  }
  if (signedInUser() && window.indexedDB) {
    Promise.all([getRaw("meta", "grant:" + signedInUser()), getRaw("meta", "person:" + signedInUser())])
      .then(function (found) { if (found[0] || found[1]) loadPeople(); }, function () { /* nothing kept here */ });
    window.addEventListener(CHANGE, function (event) {
      var detail = event.detail || {};
      if (detail.store === "meta" && detail.key === "grant:" + signedInUser()) loadPeople();
    });
  }

  var api = window.lmsOffline = {
    ready: true,
    CHANGE: CHANGE,
    open: open,
    get: get,
    put: put,
    del: del,
    all: all,
    // people.js only: records as stored, the stores' shapes, and the news that a person's key changed.
    raw: {get: getRaw, put: putRaw, all: allRaw, run: run, stores: STORES, keysChanged: keysChanged,
          sealable: function (store, key) { return Boolean(kindOf(store, key)); }},
    uuid: uuid,
    words: {digits: digits, fill: fill, size: size},
    user: signedInUser,
    csrfToken: csrfToken,
    outbox: outbox,
    device: {id: id, grant: grant, forget: forget},
    // sync.js puts the sender here; without it nothing is sent.
    sync: {now: function () { return Promise.resolve({sent: 0, left: null}); }}
  };
  return api;
})();
