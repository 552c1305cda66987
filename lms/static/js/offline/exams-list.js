// The learner's offline exams (GET /offline/api/exams with this device's grant), each with "Download to this
// device" (the encrypted package goes to the "packages" store) and a link to its page.
(function () {
  "use strict";
  var box = document.getElementById("offline-exams");
  if (!box) return;
  var texts = JSON.parse(box.querySelector(".offline-exams-texts").textContent);
  var state = box.querySelector(".offline-exams-state");
  var list = box.querySelector(".offline-exams-list");
  var userId = Number(document.body.getAttribute("data-user"));
  function store() { return window.lmsOffline || null; }
  function localDigits(text) {
    return texts.arabicDigits ? String(text).replace(/[0-9]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩"[Number(d)]; }) : String(text);
  }
  function takeUrl(seat) { return box.getAttribute("data-take-url").replace(/\/0\/take$/, "/" + seat + "/take"); }

  function item(exam, kept) {
    var li = document.createElement("li");
    li.className = "offline-exam";
    var title = document.createElement("a");
    title.href = takeUrl(exam.seat);
    title.textContent = exam.course.title[texts.lang] || exam.course.title.ar || exam.course.slug;
    var facts = document.createElement("p");
    facts.textContent = localDigits(texts.dates.replace("{opens}", exam.opens_on).replace("{closes}", exam.closes_on) +
                                    " · " + texts.questions.replace("{n}", exam.questions));
    li.appendChild(title);
    li.appendChild(facts);
    if (exam.received) {
      var received = document.createElement("p");
      received.textContent = texts.received;
      li.appendChild(received);
    } else if (kept) {
      var on = document.createElement("p");
      on.textContent = texts.downloaded;
      li.appendChild(on);
    } else {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = texts.download;
      button.addEventListener("click", function () {
        button.disabled = true;
        store().device.grant(userId).then(function (token) {
          if (!token) throw new Error("grant");
          return fetch(exam.package_url, { headers: { "Authorization": "Bearer " + token } });
        }).then(function (response) {
          if (!response.ok) throw new Error("status");
          return response.json();
        }).then(function (pkg) {
          pkg.seat = exam.seat;
          pkg.downloaded_at = new Date().toISOString();
          return store().put("packages", pkg);
        }).then(function () {
          button.replaceWith(Object.assign(document.createElement("p"), { textContent: texts.downloaded }));
          state.textContent = texts.downloaded;
        }).catch(function () {
          button.disabled = false;
          state.textContent = texts.downloadFailed;
        });
      });
      li.appendChild(button);
    }
    return li;
  }

  function load() {
    var kept = store();
    if (!kept) { state.textContent = texts.failed; return; }
    Promise.all([kept.device.grant(userId), kept.all("packages")]).then(function (got) {
      if (!got[0]) throw new Error("grant");
      var have = {};
      (got[1] || []).forEach(function (pkg) { have[pkg.seat] = true; });
      return fetch(box.getAttribute("data-exams-url"), { headers: { "Authorization": "Bearer " + got[0] } })
        .then(function (response) {
          if (!response.ok) throw new Error("status");
          return response.json();
        }).then(function (body) {
          list.textContent = "";
          body.exams.forEach(function (exam) { list.appendChild(item(exam, have[exam.seat])); });
          state.textContent = body.exams.length ? "" : texts.none;
        });
    }).catch(function () { state.textContent = texts.failed; });
  }
  if (store()) load();
  else document.addEventListener("DOMContentLoaded", load);
})();
