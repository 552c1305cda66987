// Signing in on a shared tablet without a network (/offline/signin): the employee number finds the person who chose
// a PIN here (people.js), the PIN opens what the device keeps for them, and the service worker then serves their
// own kept pages. The browser's session with the server, whoever's it was, is ended at the first page asked for
// with a network, where the person signs in with their password as always.
(function () {
  "use strict";
  var form = document.getElementById("offline-signin");
  if (!form) return;
  var texts = JSON.parse(form.getAttribute("data-texts"));
  var people = window.lmsPeople;
  var error = document.getElementById("offline-signin-error");
  var button = form.querySelector("button");

  function fail(message) {
    error.textContent = message;
    error.hidden = !message;
    if (message) form.elements.employee.focus();
  }
  if (!people || !window.caches) { fail(texts.unavailable); button.disabled = true; return; }
  var same = function (a, b) { return people.digitsOnly(a).toLowerCase() === people.digitsOnly(b).toLowerCase(); };

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var number = form.elements.employee.value;
    var pin = people.normalize(form.elements.pin.value);
    if (!people.digitsOnly(number) || !pin) { fail(texts.format); return; }
    fail("");
    button.disabled = true;
    people.people().then(function (records) {
      var record = records.filter(function (r) { return r.employee_number && same(r.employee_number, number); })[0];
      if (!record) throw new Error(texts.unknown);
      var user = String(record.user);
      return people.enter(record, pin, texts).then(function () { return people.dropOthers(user); })
        .then(function () { return people.servePagesOf(user); })
        .then(function () {
          return caches.open("lms-sw-state").then(function (state) {
            return state.put("/__lms-sw/sign-out", new Response("1"));
          });
        });
    }).then(function () {
      window.location.assign("/");
    }, function (problem) {
      button.disabled = false;
      form.elements.pin.value = "";
      fail(problem.message || texts.wrong);
    });
  });
})();
