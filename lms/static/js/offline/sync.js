// Sends what waits in this device's outbox (lms/static/js/offline/store.js) in the order it was added, each item
// with its person's grant: on load, when the network returns, and every 30 s. A verdict (200) or a refusal (4xx
// but 401, 408, 429) removes the item and keeps the answer in "results"; no network, 5xx or 429 keep it for later
// (with a growing pause). The status line (#sync-status) says what waits and when the last sync was.
(function () {
  "use strict";
  var store = window.lmsOffline;
  if (!store) return;
  var line = document.getElementById("sync-status");
  var texts = {};
  try { texts = JSON.parse(line.getAttribute("data-texts")); } catch (e) { /* no line, no texts */ }
  var PERIOD = 30000;
  var pauseUntil = 0;
  var failures = 0;
  var running = null;

  var digits = store.words.digits;
  var fill = store.words.fill;
  function clock(iso) {
    var when = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var text = pad(when.getHours()) + ":" + pad(when.getMinutes());
    if (new Date().toDateString() !== when.toDateString()) {
      text = when.getDate() + "/" + (when.getMonth() + 1) + " " + text;
    }
    return digits(text);
  }

  function sendOne(item) {
    return store.device.grant(item.user).then(function (token) {
      if (!token) return {keep: true, error: "no grant"};
      var post = function (bearer) {
        return fetch(item.url, {
          method: "POST", credentials: "omit",
          headers: {"Content-Type": "application/json", "Accept": "application/json",
                    "Authorization": "Bearer " + bearer},
          body: JSON.stringify(item.body)
        });
      };
      return post(token).then(function (response) {
        if (response.status !== 401 || item.user !== store.user()) return response;
        return store.device.grant(item.user, {renew: true}).then(function (fresh) {
          return fresh && fresh !== token ? post(fresh) : response;
        });
      }).then(function (response) {
        var s = response.status;
        if (s === 401 || s === 408 || s === 429 || s >= 500) return {keep: true, error: "HTTP " + s, pause: s !== 401};
        return response.json().catch(function () { return null; }).then(function (answer) {
          return {keep: false, status: s, answer: answer};
        });
      }, function (error) { return {keep: true, error: String(error && error.message || error), pause: true}; });
    });
  }

  function run() {
    if (!navigator.onLine || Date.now() < pauseUntil) return Promise.resolve({sent: 0});
    return store.outbox.list().then(function (items) {
      var sent = 0;
      var skipped = {};  // a person with no grant now: their items wait, the others' go on in order
      function next(i) {
        if (i >= items.length) return Promise.resolve();
        var item = items[i];
        // Someone else's, sealed with their PIN: it waits until they are back on this device.
        if (item.locked) skipped[item.user] = true;
        if (skipped[item.user]) return next(i + 1);
        return sendOne(item).then(function (outcome) {
          if (outcome.keep) {
            item.tries = (item.tries || 0) + 1;
            item.last_error = outcome.error;
            return store.put("outbox", item).then(function () {
              if (outcome.pause) {
                failures += 1;
                pauseUntil = Date.now() + Math.min(300000, 5000 * Math.pow(2, failures - 1));
                return null;  // stop here: what follows waits behind it
              }
              skipped[item.user] = true;
              return next(i + 1);
            });
          }
          failures = 0;
          sent += 1;
          var now = new Date().toISOString();
          return store.put("results", {id: item.id, user: item.user, url: item.url, kind: item.kind || null,
                                       http_status: outcome.status, verdict: outcome.answer, received_at: now})
            .then(function () { return store.del("outbox", item.id); })
            .then(function () { return store.put("meta", now, "last_sync"); })
            .then(function () { return next(i + 1); });
        });
      }
      return next(0).then(function () { return {sent: sent}; });
    });
  }

  // One sender at a time on this device (several pages may be open).
  function now() {
    if (running) return running;
    var work = navigator.locks ? navigator.locks.request("lms-offline-sync", run) : run();
    running = Promise.resolve(work).then(function (result) { running = null; return result; },
                                         function (error) { running = null; throw error; });
    return running;
  }
  store.sync.now = function () { pauseUntil = 0; return now(); };

  // Tells the server this device is alive (its last sync for HR), when nothing waits.
  function hello() {
    var user = store.user();
    if (!user || !navigator.onLine) return Promise.resolve();
    return store.get("meta", "grant:" + user).then(function (grant) {
      if (!grant || !grant.token) return null;
      return fetch(document.body.getAttribute("data-offline-grant") || "/offline/api/grant",
                   {credentials: "omit", headers: {"Authorization": "Bearer " + grant.token}})
        .then(function (response) {
          if (response.ok) return store.put("meta", new Date().toISOString(), "last_sync");
          return null;
        }, function () { return null; });
    });
  }

  function show() {
    if (!line) return;
    Promise.all([store.outbox.count(), store.get("meta", "last_sync")]).then(function (values) {
      var waiting = values[0];
      var last = values[1];
      var parts = [];
      if (!navigator.onLine) parts.push(texts.offline);
      if (waiting) parts.push(fill(texts.waiting, {num: digits(waiting)}));
      if (last) parts.push(fill(texts.lastSync, {time: clock(last)}));
      var text = parts.join(" · ");
      if (line.textContent !== text) line.textContent = text;
      line.hidden = !text;
    }, function () { /* no IndexedDB: nothing to say */ });
  }

  window.addEventListener(store.CHANGE, show);
  window.addEventListener("online", function () { pauseUntil = 0; show(); now().then(hello); });
  window.addEventListener("offline", show);
  setInterval(function () { now(); }, PERIOD);
  show();
  now().then(function (result) { return result && result.sent ? null : hello(); });
})();
