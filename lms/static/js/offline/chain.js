// The events of an attempt (or an offline exam seat) as this device records them, with their HMAC chain: exactly
// lms/quizzes/chain.py's construction, c0 = HMAC(key, "lms-chain-v1"), c_i = HMAC(key, c_{i-1} || UTF-8 text i).
// The record is kept in the "chains" store of window.lmsOffline (store.js) so that a reload or a reopened tablet
// carries on: {key, events, chain, t, wall, ...}. Time t is in ms since the attempt's start (or the unlock),
// measured with performance.now() while the page lives and carried across a reload by the wall clock ("resume").
(function () {
  "use strict";
  var encoder = new TextEncoder();

  function fromB64url(text) {
    var base = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base.length % 4) base += "=";
    var binary = atob(base);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function hmacKey(raw) {
    return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  }
  function sign(key, bytes) {
    return crypto.subtle.sign("HMAC", key, bytes).then(function (mac) { return new Uint8Array(mac); });
  }
  function next(key, link, text) {
    var data = encoder.encode(text);
    var joined = new Uint8Array(link.length + data.length);
    joined.set(link);
    joined.set(data, link.length);
    return sign(key, joined);
  }

  // The chain of texts under a raw key (b64url), as b64url: for checks and tests.
  function chainOf(keyB64, texts) {
    return hmacKey(fromB64url(keyB64)).then(function (key) {
      var step = sign(key, encoder.encode("lms-chain-v1"));
      texts.forEach(function (text) { step = step.then(function (link) { return next(key, link, text); }); });
      return step.then(toB64url);
    });
  }

  function store() { return window.lmsOffline || null; }

  // Opens (or resumes) the record `name` ("attempt:12", "seat:3"). options.first(): the first event when there is
  // no record yet ({k: "start", t: ...} or {k: "unlock", t: 0}); options.floor: a t the page knows has passed (the
  // server's elapsed time), never gone below. Resolves with the recorder: add(event fields), now(), record, save().
  function open(name, keyB64, options) {
    var saved = store() ? store().get("chains", name).catch(function () { return null; }) : Promise.resolve(null);
    return Promise.all([hmacKey(fromB64url(keyB64)), saved]).then(function (got) {
      var key = got[0];
      var record = got[1];
      var base;
      var started = performance.now();
      var queue = Promise.resolve();
      var recorder = { record: null };
      var link;

      recorder.now = function () { return Math.round(base + performance.now() - started); };

      recorder.save = function () {
        record.t = recorder.now();
        record.wall = Date.now();
        var kept = store();
        return kept ? kept.put("chains", record).catch(function () { return null; }) : Promise.resolve();
      };

      // Every event in order, each chained after the one before; the record is saved after each.
      recorder.add = function (fields) {
        queue = queue.then(function () {
          var event = { k: fields.k, t: Math.max(recorder.now(), record.t || 0) };
          Object.keys(fields).forEach(function (name) { if (name !== "k" && name !== "t") event[name] = fields[name]; });
          var text = JSON.stringify(event);
          return next(key, link, text).then(function (mac) {
            link = mac;
            record.events.push(text);
            record.chain = toB64url(mac);
            return recorder.save();
          });
        });
        return queue;
      };

      if (record && record.events && record.chain) {
        var gap = Date.now() - (record.wall || Date.now());
        base = Math.max(record.t + Math.max(0, gap), options.floor || 0);
        link = fromB64url(record.chain);
        recorder.record = record;
        recorder.resumed = true;
        recorder.add({ k: "resume", d: gap });
      } else {
        var first = options.first();
        base = first.t;
        record = { key: name, events: [], chain: "", t: first.t, wall: Date.now() };
        recorder.record = record;
        recorder.resumed = false;
        queue = sign(key, encoder.encode("lms-chain-v1")).then(function (mac) { link = mac; });
        recorder.add(first);
      }
      // Time goes on being kept while the page lives: a closed tablet resumes from about where it stopped.
      setInterval(function () { queue = queue.then(recorder.save); }, 1000);
      recorder.ready = queue;
      recorder.flushed = function () { return queue; };
      return recorder;
    });
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  window.lmsChain = { open: open, chainOf: chainOf, fromB64url: fromB64url, toB64url: toB64url, uuid: uuid };
})();
