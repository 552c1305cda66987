// Courses for the road. On a course page (#offline-course): "Make available offline" keeps the course's pages in
// both languages, the files its modules show and the learner's progress in a cache of its own
// ("lms-course-<user id>-<slug>", served by the service worker to that person only) and records {user, slug, bytes,
// cached_at} in the "courses" store; "Remove from this
// device" frees it. On a module page: "Mark as done" without a network goes to the outbox (POST
// /offline/api/progress) and the page shows the module done, "waiting to be sent".
(function () {
  "use strict";
  var store = window.lmsOffline;
  if (!store) return;
  var texts = {};
  try { texts = JSON.parse(document.getElementById("course-offline-texts").textContent); } catch (e) { return; }
  var PROGRESS_URL = "/offline/api/progress";

  var fill = store.words.fill;
  function size(bytes) { return store.words.size(bytes, texts.units); }
  function keyed(url, lang) { return url + (url.indexOf("?") < 0 ? "?" : "&") + "sw-lang=" + lang; }
  function cacheName(slug) { return "lms-course-" + store.user() + "-" + slug; }

  // -- the course page ---------------------------------------------------------------------------------------
  var box = document.getElementById("offline-course");
  if (box && "caches" in window) {
    var slug = box.getAttribute("data-slug");
    var user = store.user();
    var state = box.querySelector(".offline-state");
    var makeButton = box.querySelector(".offline-make");
    var removeButton = box.querySelector(".offline-remove");
    var bar = box.querySelector("progress");
    box.hidden = false;

    var show = function () {
      return store.get("courses", [user, slug]).then(function (record) {
        return record ? caches.has(cacheName(slug)).then(function (has) {
          if (has) return record;
          return store.del("courses", [user, slug]).then(function () { return null; });  // its cache was cleared
        }) : null;
      }).then(function (record) {
        makeButton.hidden = Boolean(record);
        removeButton.hidden = !record;
        state.textContent = record ? fill(texts.available, {size: size(record.bytes)}) : texts.notAvailable;
      });
    };

    var keep = function () {
      if (!navigator.onLine) { state.textContent = texts.needNetwork; return; }
      makeButton.disabled = true;
      state.textContent = texts.working;
      var token;
      store.device.grant(user).then(function (t) {
        token = t;
        if (!token) throw new Error(texts.needNetwork);
        return fetch(box.getAttribute("data-manifest"), {credentials: "omit",
                                                          headers: {"Authorization": "Bearer " + token}});
      }).then(function (response) {
        if (!response.ok) throw new Error(texts.failed);
        return response.json();
      }).then(function (manifest) {
        var jobs = [];
        manifest.pages.forEach(function (url) {
          manifest.languages.forEach(function (lang) { jobs.push({url: url, lang: lang}); });
        });
        manifest.files.forEach(function (url) { jobs.push({url: url}); });
        var resume = manifest.modules.filter(function (m) { return m.position === manifest.resume_position; })[0];
        if (resume) jobs.push({url: resume.url, lang: document.documentElement.lang, again: true});
        var first = jobs.shift();  // the course page last: it shows the progress as it is after the rest
        jobs.push(first);
        bar.hidden = false;
        bar.max = jobs.length;
        bar.value = 0;
        return caches.open(cacheName(slug)).then(function (cache) {
          var bytes = 0;
          var one = function (i) {
            if (i >= jobs.length) return Promise.resolve(bytes);
            var job = jobs[i];
            var headers = job.lang ? {"X-LMS-Language": job.lang} : {};
            return fetch(job.url, {credentials: "same-origin", cache: "no-store", headers: headers})
              .then(function (response) {
                if (!response.ok || response.redirected) throw new Error(texts.failed);
                return response.blob().then(function (blob) {
                  if (!job.again) bytes += blob.size;
                  var headers = new Headers(response.headers);
                  headers.set("X-Kept-At", new Date().toISOString());
                  return cache.put(job.lang ? keyed(job.url, job.lang) : job.url,
                                   new Response(blob, {status: 200, headers: headers}));
                });
              }).then(function () { bar.value = i + 1; return one(i + 1); });
          };
          return one(0);
        }).then(function (bytes) {
          return store.put("courses", {slug: slug, user: user, bytes: bytes, cached_at: new Date().toISOString(),
                                       title: manifest.course.title, modules: manifest.modules,
                                       done: manifest.progress.done});
        });
      }).then(function () {
        bar.hidden = true;
        makeButton.disabled = false;
        return show();
      }).catch(function (error) {
        bar.hidden = true;
        makeButton.disabled = false;
        caches["delete"](cacheName(slug));
        state.textContent = error && error.message ? error.message : texts.failed;
      });
    };

    makeButton.addEventListener("click", keep);
    removeButton.addEventListener("click", function () {
      caches["delete"](cacheName(slug)).then(function () { return store.del("courses", [user, slug]); })
        .then(show).then(function () { makeButton.focus(); });
    });
    show();
    pendingMarks(slug);
  }

  // -- marks that wait to be sent, on the course and module pages --------------------------------------------
  function pendingFor(slug) {
    return store.outbox.list(store.user()).then(function (items) {
      return items.filter(function (item) { return item.kind === "progress" && item.course === slug; })
        .map(function (item) { return item.position; });
    });
  }

  // The course's bar counts the modules done on this device too, as their badges say ("waiting to be sent").
  function countPending(positions) {
    var holder = document.querySelector("[data-progress-steps]");
    var extra = positions.filter(function (position) {
      var link = document.querySelector(".module-list a[href$='/modules/" + position + "']");
      return link && !link.parentNode.classList.contains("is-done");
    }).length;
    if (!holder || !extra) return;
    var steps = Number(holder.getAttribute("data-progress-steps"));
    var done = Math.min(steps, Number(holder.getAttribute("data-progress-done")) + extra);
    var percent = Math.round(100 * done / steps);
    var text = store.words.digits(percent) + (document.documentElement.lang === "ar" ? "٪" : "%");
    var track = holder.querySelector(".progress-track");
    track.setAttribute("aria-valuenow", percent);
    track.setAttribute("aria-valuetext", text);
    holder.querySelector(".progress-fill").style.inlineSize = percent + "%";
    holder.querySelector(".progress-value").textContent = text;
  }

  function pendingMarks(slug) {
    pendingFor(slug).then(function (positions) {
      countPending(positions);
      positions.forEach(function (position) {
        var link = document.querySelector(".module-list a[href$='/modules/" + position + "']");
        if (link && !link.parentNode.querySelector(".pending-badge")) {
          var badge = document.createElement("span");
          badge.className = "pending-badge";
          badge.textContent = texts.doneWaiting;
          link.parentNode.appendChild(document.createTextNode(" "));
          link.parentNode.appendChild(badge);
        }
      });
    });
  }

  var form = document.querySelector("form[data-module]");
  if (form) {
    var moduleId = Number(form.getAttribute("data-module"));
    var position = Number(form.getAttribute("data-position"));
    var courseSlug = form.getAttribute("data-course");
    var showDone = function () {
      var note = document.createElement("p");
      note.className = "badge done";
      note.setAttribute("role", "status");
      note.textContent = "✓ " + texts.doneWaiting;
      form.parentNode.replaceChild(note, form);
    };
    pendingFor(courseSlug).then(function (positions) { if (positions.indexOf(position) >= 0) showDone(); });
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) return;  // with a network the form goes to the server as always
      event.preventDefault();
      var id = store.uuid();
      store.outbox.add({id: id, user: store.user(), url: PROGRESS_URL, kind: "progress", course: courseSlug,
                        position: position, body: {items: [{id: id, module: moduleId}]}})
        .then(showDone, function () { form.submit(); });
    });
  }
})();
