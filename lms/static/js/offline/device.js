// "This device" (/offline/device): the courses kept here with their sizes, storage used and free, what waits to be
// sent and the last sync, read from the device itself (store.js, Cache Storage, navigator.storage).
(function () {
  "use strict";
  var store = window.lmsOffline;
  var root = document.getElementById("device-page");
  if (!store || !root) return;
  var texts = JSON.parse(document.getElementById("device-texts").textContent);
  var arabic = document.documentElement.lang === "ar";
  var list = document.getElementById("device-courses");
  var none = document.getElementById("device-no-courses");
  var announce = document.getElementById("device-announce");

  var digits = store.words.digits;
  var fill = store.words.fill;
  function size(bytes) { return store.words.size(bytes, texts.units); }
  function when(iso) {
    var date = new Date(iso);
    var format = new Intl.DateTimeFormat(arabic ? "ar-EG-u-nu-arab" : "en-GB",
                                         {day: "numeric", month: "long", hour: "2-digit", minute: "2-digit",
                                          hourCycle: "h23"});
    return format.format(date);
  }
  function set(id, text) { document.getElementById(id).textContent = text; }
  function cacheOf(record) { return "lms-course-" + record.user + "-" + record.slug; }

  function courses() {
    return store.all("courses").then(function (records) {
      return Promise.all(records.map(function (record) {
        return caches.has(cacheOf(record)).then(function (has) {
          if (has) return record;
          return store.del("courses", [record.user, record.slug]).then(function () { return null; });
        });
      }));
    }).then(function (records) {
      var user = store.user();  // a shared tablet: each person sees their own courses only
      return records.filter(function (record) { return record && String(record.user) === String(user); });
    });
  }

  function draw() {
    courses().then(function (records) {
      list.textContent = "";
      none.hidden = records.length > 0;
      records.forEach(function (record) {
        var title = record.title ? (record.title[document.documentElement.lang] || record.title.ar) : record.slug;
        var item = document.createElement("li");
        var text = document.createElement("span");
        var link = document.createElement("a");
        link.href = "/courses/" + encodeURIComponent(record.slug);
        link.textContent = title;
        text.appendChild(link);
        var sep = texts.sep || " · ";  // not a middle dot in Arabic: beside digits it reads as a zero
        text.appendChild(document.createTextNode(sep + size(record.bytes) + sep +
                                                 fill(texts.keptAt, {date: when(record.cached_at)})));
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button";
        button.textContent = texts.remove;
        button.setAttribute("aria-label", texts.remove + ": " + title);
        button.addEventListener("click", function () {
          caches["delete"](cacheOf(record)).then(function () { return store.del("courses", [record.user, record.slug]); })
            .then(function () {
              announce.textContent = fill(texts.removed, {course: "\u2068" + title + "\u2069"});
              document.getElementById("device-sync").focus();
            });
        });
        item.appendChild(text);
        item.appendChild(button);
        list.appendChild(item);
      });
    });
    // Nothing is a word: a lone Arabic-Indic zero reads as a dot.
    store.outbox.count().then(function (n) { set("device-outbox", n ? digits(n) : texts.nothing); });
    store.get("meta", "last_sync").then(function (last) { set("device-last-sync", last ? when(last) : texts.never); });
    if (navigator.storage && navigator.storage.estimate) {
      navigator.storage.estimate().then(function (estimate) {
        set("device-used", size(estimate.usage || 0));
        set("device-free", estimate.quota ? size(Math.max(0, estimate.quota - (estimate.usage || 0))) : "—");
      });
    }
  }

  document.getElementById("device-sync").addEventListener("click", function () { store.sync.now().then(draw); });
  window.addEventListener(store.CHANGE, draw);
  draw();
})();
