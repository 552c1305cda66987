// A shared tablet (issue 16): each person who uses the field kit on this device chooses a short PIN here, at their
// first online sign-in; what the device keeps for them is then sealed with a key derived from it (store.js) and
// opened only after they enter it, online after their password or offline on /offline/signin with their employee
// number. One person is unlocked at a time. Signing out locks them again, and removes what the device kept for
// them once nothing of theirs waits to be sent (what waits stays, sealed, until they are back).
// The PIN never leaves the device; the server knows nothing of it.
//   meta "person:<user>": {user, employee_number, salt, iterations, check: {iv, data}, failures, locked_until}
(function () {
  "use strict";
  var store = window.lmsOffline;
  if (!store || !store.raw || !window.crypto || !crypto.subtle) return;
  var ITERATIONS = 250000;
  var SEALABLE = ["outbox", "results", "answers", "chains", "packages"];
  var STATE = "lms-sw-state";  // the service worker's (templates/offline/sw.js)
  var encoder = new TextEncoder();

  // Western, Arabic-Indic and Extended Arabic-Indic digits are the same digits.
  function digitsOnly(text) {
    return String(text || "").replace(/[\s\u200e\u200f-]/g, "").replace(/[\u0660-\u0669\u06f0-\u06f9]/g,
      function (d) { return String(d.charCodeAt(0) & 0xf); });
  }
  function normalize(text) {
    var digits = digitsOnly(text);
    return /^[0-9]{4,8}$/.test(digits) ? digits : null;
  }
  function arabicDigits(n) {
    return document.documentElement.lang === "ar" ?
      String(n).replace(/[0-9]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩"[Number(d)]; }) : String(n);
  }

  function derive(pin, salt, iterations) {
    return crypto.subtle.importKey("raw", encoder.encode(pin), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey({name: "PBKDF2", salt: salt, iterations: iterations, hash: "SHA-256"}, base,
                                     {name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"]);
    });
  }
  function checkText(user) { return encoder.encode("lms-pin-ok:" + user); }

  function person(user) { return store.get("meta", "person:" + user); }
  function people() {
    return store.raw.all("meta").then(function (values) {
      return values.filter(function (v) { return v && v.salt && v.check && v.user; });
    });
  }

  function keep(user, key) {
    return store.raw.run("keys", "readwrite", function (s) { return s.put(key, user); })
      .then(function () { store.raw.keysChanged(user); });
  }

  // What was kept for this person before their key was at hand is sealed now.
  function sealAll(user) {
    var jobs = SEALABLE.map(function (name) {
      return store.raw.all(name).then(function (records) {
        return Promise.all(records.filter(function (r) { return String(r.user) === user && !r.sealed; })
          .map(function (r) { return store.put(name, r); }));
      });
    });
    jobs.push(store.raw.get("meta", "grant:" + user).then(function (grant) {
      return grant && !grant.sealed ? store.put("meta", grant, "grant:" + user) : null;
    }));
    return Promise.all(jobs);
  }

  // One person unlocked at a time: the keys of anyone else signed in here before are dropped.
  function dropOthers(user) {
    return store.raw.run("keys", "readonly", function (s) { return s.getAllKeys(); }).then(function (users) {
      return Promise.all(users.filter(function (u) { return String(u) !== user; }).map(function (u) {
        return store.raw.run("keys", "readwrite", function (s) { return s["delete"](u); })
          .then(function () { store.raw.keysChanged(u); });
      }));
    });
  }

  function unlocked(user) {
    return store.raw.run("keys", "readonly", function (s) { return s.get(user); }).then(Boolean);
  }

  function choose(user, pin, employeeNumber) {
    var salt = crypto.getRandomValues(new Uint8Array(16));
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return derive(pin, salt, ITERATIONS).then(function (key) {
      return crypto.subtle.encrypt({name: "AES-GCM", iv: iv}, key, checkText(user)).then(function (data) {
        return store.put("meta", {user: user, employee_number: employeeNumber || null, salt: salt,
                                  iterations: ITERATIONS, check: {iv: iv, data: data}, failures: 0, locked_until: 0},
                         "person:" + user);
      }).then(function () { return keep(user, key); });
    }).then(function () { return sealAll(user); });
  }

  // The PIN tried against the person's record: their key kept, or an Error saying why not. Five tries, then a wait
  // that doubles (up to 15 minutes): a short PIN must not be guessed at the counter.
  function enter(record, pin, texts) {
    var user = String(record.user);
    var now = Date.now();
    var wait = function (seconds, text) {
      return new Error((text || texts.wait).replace("%(num)s", arabicDigits(seconds)));
    };
    if (record.locked_until > now) {  // not tried: the PIN must not be called wrong when it was not checked
      return Promise.reject(wait(Math.ceil((record.locked_until - now) / 1000), texts.locked));
    }
    return derive(pin, record.salt, record.iterations).then(function (key) {
      return crypto.subtle.decrypt({name: "AES-GCM", iv: record.check.iv}, key, record.check.data).then(function () {
        record.failures = 0;
        record.locked_until = 0;
        return store.put("meta", record, "person:" + user).then(function () { return keep(user, key); })
          .then(function () { return sealAll(user); });
      }, function () {
        record.failures = (record.failures || 0) + 1;
        var seconds = record.failures >= 5 ? Math.min(900, 30 * Math.pow(2, record.failures - 5)) : 0;
        record.locked_until = seconds ? Date.now() + seconds * 1000 : 0;
        return store.put("meta", record, "person:" + user).then(function () {
          throw seconds ? wait(seconds) : new Error(texts.wrong);
        });
      });
    });
  }

  // The service worker serves `user`'s own kept pages offline (and no one's with null).
  function servePagesOf(user) {
    if (!window.caches) return Promise.resolve();
    return caches.open(STATE).then(function (state) {
      return user ? state.put("/__lms-sw/person", new Response(String(user))) : state["delete"]("/__lms-sw/person");
    });
  }

  // Signing out: this person is locked again, and what the device kept for them goes once nothing of theirs waits
  // and they keep no course for the road; otherwise it stays (a tablet is made ready for several clerks in the
  // morning), and the service worker keeps their pages for their return ("/__lms-sw/keep/<id>").
  function signOut(user) {
    return store.raw.run("keys", "readwrite", function (s) { return s["delete"](user); }).then(function () {
      store.raw.keysChanged(user);
      return Promise.all([store.raw.all("outbox"), store.raw.all("courses")]);  // as stored: sealed ones stay shut
    }).then(function (found) {
      var mine = function (record) { return String(record.user) === user; };
      var waiting = found[0].some(mine) || found[1].some(mine);
      var marker = window.caches ? caches.open(STATE).then(function (state) {
        return waiting ? state.put("/__lms-sw/keep/" + user, new Response("1"))
          : state["delete"]("/__lms-sw/keep/" + user);
      }) : null;
      if (waiting) return marker;
      var jobs = SEALABLE.concat(["courses"]).map(function (name) {
        return store.raw.all(name).then(function (records) {
          return Promise.all(records.filter(function (r) { return String(r.user) === user; }).map(function (r) {
            var path = store.raw.stores[name].keyPath;
            var key = Array.isArray(path) ? path.map(function (p) { return r[p]; }) : r[path];
            var cache = name === "courses" && window.caches ? caches["delete"]("lms-course-" + user + "-" + r.slug)
              : null;
            return Promise.all([store.del(name, key), cache]);
          }));
        });
      });
      jobs.push(store.del("meta", "grant:" + user), marker);
      return Promise.all(jobs);
    });
  }

  window.lmsPeople = {normalize: normalize, digitsOnly: digitsOnly, people: people, enter: enter,
                      dropOthers: dropOthers, servePagesOf: servePagesOf};

  // -- a signed-in page: the PIN asked for, and signing out ----------------------------------------------------
  var box = document.getElementById("device-pin");
  var user = store.user();
  if (!user) {  // signed out (the sign-in page): whoever signs in next in this tab is asked again
    try {
      Object.keys(sessionStorage).forEach(function (key) {
        if (key.indexOf("lms-pin-later:") === 0) sessionStorage.removeItem(key);
      });
    } catch (error) { /* no session storage */ }
  }
  if (!box || !user) return;
  var texts = JSON.parse(box.getAttribute("data-texts"));
  var chooseForm = document.getElementById("pin-choose");
  var enterForm = document.getElementById("pin-enter");

  var LATER = "lms-pin-later:" + user;  // "Not now" was pressed in this tab since the sign-in
  function putOff(yes) {
    try {
      if (yes === undefined) return sessionStorage.getItem(LATER) === "1";
      if (yes) sessionStorage.setItem(LATER, "1"); else sessionStorage.removeItem(LATER);
    } catch (error) { /* no session storage: asked on each page, as before */ }
    return false;
  }
  function show(form) {
    if (form && putOff()) form = null;
    box.hidden = !form;
    chooseForm.hidden = form !== chooseForm;
    enterForm.hidden = form !== enterForm;
  }
  function fail(form, message) {
    var error = form.querySelector(".field-error");
    error.textContent = message;
    error.hidden = !message;
    var input = form.querySelector("input");
    input.setAttribute("aria-invalid", message ? "true" : "false");
    if (message) input.focus();
  }
  function announce(text) {
    var line = document.getElementById("device-pin-done");
    if (line) line.textContent = text;
  }
  function employeeNumber() {
    return store.get("meta", "grant:" + user).then(function (grant) {
      return grant && grant.user && grant.user.employee_number ? String(grant.user.employee_number) : null;
    }, function () { return null; });
  }

  chooseForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var pin = normalize(chooseForm.elements["pin-new"].value);
    if (!pin) { fail(chooseForm, texts.format); return; }
    if (normalize(chooseForm.elements["pin-again"].value) !== pin) { fail(chooseForm, texts.mismatch); return; }
    fail(chooseForm, "");
    var button = chooseForm.querySelector("button");
    button.disabled = true;
    var done = function () { button.disabled = false; chooseForm.reset(); };
    employeeNumber().then(function (number) { return choose(user, pin, number); })
      .then(function () { done(); show(null); announce(texts.chosen); },
            function () { done(); fail(chooseForm, texts.failed); });
  });

  enterForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var pin = normalize(enterForm.elements.pin.value);
    if (!pin) { fail(enterForm, texts.format); return; }
    var button = enterForm.querySelector("button");
    button.disabled = true;
    fail(enterForm, "");
    var done = function () { button.disabled = false; enterForm.reset(); };  // before the outcome is told
    person(user).then(function (record) { return enter(record, pin, texts); })
      .then(function () { done(); fail(enterForm, ""); show(null); announce(texts.unlocked); },
            function (error) { done(); fail(enterForm, error.message); });
  });

  document.getElementById("pin-later").addEventListener("click", function () {
    putOff(true);
    show(null);
    announce(texts.later);
  });

  Array.prototype.forEach.call(document.querySelectorAll("form.logout"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-cleared")) return;
      event.preventDefault();
      putOff(false);  // the next sign-in asks again
      var go = function () { form.setAttribute("data-cleared", "1"); form.submit(); };
      signOut(user).then(go, go);
    });
  });

  // Asked for when this person uses the field kit here (the device holds a grant for them); not in the middle of
  // an attempt (a guarded page), where it covered a running clock: on the next page.
  var busy = document.body.hasAttribute("data-offline-guard");
  dropOthers(user).then(function () {
    return Promise.all([person(user), unlocked(user), store.raw.get("meta", "grant:" + user)]);
  }).then(function (got) {
    if (got[1] || busy) return;
    if (got[0]) show(enterForm);
    else if (got[2]) show(chooseForm);
  }, function () { /* no IndexedDB: nothing is kept here, nothing to protect */ });
  window.addEventListener(store.CHANGE, function (event) {
    var detail = event.detail || {};
    if (detail.store === "meta" && detail.key === "grant:" + user && box.hidden && !busy) {
      Promise.all([person(user), unlocked(user)]).then(function (got) { if (!got[0] && !got[1]) show(chooseForm); });
    }
  });
})();
