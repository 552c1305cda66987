// Registers the app's service worker (/sw.js) for signed-in pages, tells it the language the page is in, answers
// whether this page must not be replaced by a new version (<body data-offline-guard>), and offers "a new version
// is ready" with a button that reloads when no attempt or offline exam is open in any page.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  var body = document.body;
  var bar = document.getElementById("sw-update");
  var texts = {};
  try { texts = JSON.parse(bar.getAttribute("data-texts")); } catch (e) { /* no texts */ }
  var guarded = function () { return body.hasAttribute("data-offline-guard"); };
  var asked = false;

  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "lms-sw-guard?" && event.ports && event.ports[0]) {
      event.ports[0].postMessage({guarded: guarded()});
    } else if (data.type === "lms-sw-update" && data.busy && bar) {
      bar.querySelector(".sw-update-text").textContent = texts.updateBusy || "";
      bar.querySelector("button").hidden = true;
    }
  });
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    if (asked) window.location.reload();  // only the page whose button was pressed reloads by itself
  });

  function offer(registration) {
    var waiting = registration.waiting;
    if (!waiting || !navigator.serviceWorker.controller || !bar || guarded()) return;
    bar.hidden = false;
    bar.querySelector(".sw-update-text").textContent = texts.updateReady || "";
    var button = bar.querySelector("button");
    button.hidden = false;
    button.onclick = function () {
      asked = true;
      waiting.postMessage({type: "lms-sw-update"});
    };
  }

  function watch(registration) {
    offer(registration);
    registration.addEventListener("updatefound", function () {
      var installing = registration.installing;
      if (!installing) return;
      installing.addEventListener("statechange", function () {
        if (installing.state === "installed") offer(registration);
      });
    });
  }

  window.addEventListener("load", function () {
    var url = body.getAttribute("data-sw") || "/sw.js";
    navigator.serviceWorker.register(url, {scope: "/"}).then(function (registration) {
      watch(registration);
      window.lmsOfflineShell = {registration: registration, offer: function () { offer(registration); }};
    }, function () { /* no worker (private window, old browser): the site works as before */ });
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) {
        registration.active.postMessage({type: "lms-sw-language", lang: document.documentElement.lang});
      }
    });
  });
})();
