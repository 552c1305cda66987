// The offline exam page: download the seat's encrypted package to this device; on the day, the invigilator's
// code opens it (PBKDF2-SHA-256 -> AES-GCM, WebCrypto); the questions are answered with quiz.js's readers; the
// time counts from the unlock with performance.now() and is kept every second, so a reload or a reopened tablet
// carries on ("resume" with the wall-clock gap); the submission (or the time running out) goes to the outbox as
// an upload of kind "seat", which sync.js sends when the network returns; the verdict shows the result link.
(function () {
  "use strict";
  var root = document.getElementById("offline-exam");
  if (!root || !window.lmsChain) return;
  var texts = JSON.parse(document.getElementById("exam-texts").textContent);
  var quiz = window.lmsQuiz || {};
  var seatId = Number(root.getAttribute("data-seat"));
  var lang = root.getAttribute("data-lang");
  var userId = Number(document.body.getAttribute("data-user"));
  var name = "seat:" + seatId;
  var encoder = new TextEncoder();
  var $ = function (id) { return document.getElementById(id); };
  var statusBox = $("exam-status");
  var alertBox = $("exam-alert");
  var codeInput = $("invigilator-code");
  var codeError = $("code-error");
  var recorder = null;
  var timerId = null;
  var finishing = false;

  function store() { return window.lmsOffline || null; }
  function status(text) { statusBox.hidden = !text; statusBox.textContent = text || ""; }
  function alarm(text) { alertBox.hidden = !text; alertBox.textContent = text || ""; }
  function section(which) {
    ["exam-download", "exam-unlock", "exam-questions", "exam-done"].forEach(function (id) { $(id).hidden = id !== which; });
  }
  var arabicIndic = "٠١٢٣٤٥٦٧٨٩";
  function localDigits(text) {
    return texts.arabicDigits ? String(text).replace(/[0-9]/g, function (d) { return arabicIndic[Number(d)]; }) : String(text);
  }

  // The code as typed on a tablet, as the server reads it (lms/offline/codes.py normalize): spaces and dashes
  // dropped, upper case, any Unicode decimal digit as ASCII, O as 0, I and L as 1.
  function normalize(typed) {
    var ascii = typed.replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x660); })
      .replace(/[\u06F0-\u06F9]/g, function (d) { return String(d.charCodeAt(0) - 0x6F0); });
    return ascii.replace(/[\s\-\u2010-\u2015\u2212]/g, "").toUpperCase().replace(/O/g, "0").replace(/[IL]/g, "1");
  }

  function open(pkg, code) {
    var from = window.lmsChain.fromB64url;
    return crypto.subtle.importKey("raw", encoder.encode(code), "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return crypto.subtle.deriveKey({ name: "PBKDF2", hash: pkg.kdf.hash, salt: from(pkg.kdf.salt),
                                       iterations: pkg.kdf.iterations },
                                     base, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    }).then(function (key) {
      return crypto.subtle.decrypt({ name: "AES-GCM", iv: from(pkg.cipher.iv),
                                     additionalData: encoder.encode(pkg.cipher.aad) }, key, from(pkg.ciphertext));
    }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  // -- download ------------------------------------------------------------------------------------------------
  function download() {
    var kept = store();
    if (!kept) { alarm(texts.noStore); return; }
    alarm("");
    status(texts.downloading);
    kept.device.grant(userId).then(function (token) {
      if (!token) throw new Error("grant");
      return fetch(root.getAttribute("data-package-url"), { headers: { "Authorization": "Bearer " + token,
                                                                        "Accept": "application/json" } });
    }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    }).then(function (pkg) {
      pkg.seat = seatId;
      pkg.downloaded_at = new Date().toISOString();
      return kept.put("packages", pkg);
    }).then(function () {
      status(texts.downloaded);
      section("exam-unlock");
    }).catch(function (error) {
      status("");
      alarm(error && error.message === "grant" ? texts.needDevice : texts.downloadFailed);
    });
  }
  $("download-button").addEventListener("click", download);

  // -- unlock --------------------------------------------------------------------------------------------------
  function codeProblem(text) {
    codeError.hidden = !text;
    codeError.textContent = text || "";
    codeInput.setAttribute("aria-invalid", text ? "true" : "false");
    if (text) { alarm(text); codeInput.focus(); }
  }

  $("unlock-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var code = normalize(codeInput.value);
    if (code.length !== 10) { codeProblem(texts.codeLength); return; }
    codeProblem("");
    alarm("");
    status(texts.opening);
    $("unlock-button").disabled = true;
    store().get("packages", seatId).then(function (pkg) {
      return open(pkg, code);
    }).then(function (opened) {
      if (opened.seat !== seatId) throw new Error("seat");
      codeInput.value = "";
      return start(opened, false);
    }).catch(function () {
      // A wrong code changes nothing: the package stays, and the code may be typed again.
      status("");
      codeProblem(texts.wrongCode);
    }).then(function () { $("unlock-button").disabled = false; });
  });

  // -- the exam ------------------------------------------------------------------------------------------------
  function start(opened, resuming) {
    return window.lmsChain.open(name, opened.chain_key, { first: function () { return { k: "unlock", t: 0 }; } })
      .then(function (opening) {
        recorder = opening;
        var record = recorder.record;
        record.opened = opened;
        record.answers = record.answers || {};
        record.limit = record.limit || null;
        return store().get("packages", seatId).then(function (pkg) {
          record.limit = pkg && pkg.time_limit_seconds ? pkg.time_limit_seconds : null;
          return recorder.save();
        }).then(function () {
          if (record.submitted) { done(record.submitted); return; }
          show(opened, record);
          status(resuming || recorder.resumed ? texts.resumed : texts.opened);
        });
      });
  }

  function show(opened, record) {
    var body = $("exam-body");
    body.innerHTML = opened.html[lang] || opened.html.ar || opened.html.en || "";
    Object.keys(record.answers).forEach(function (q) {
      var box = body.querySelector("[data-question='" + q + "'] [data-reader]");
      var write = box && quiz.writers && quiz.writers[box.getAttribute("data-reader")];
      if (write) write(box, record.answers[q]);
    });
    section("exam-questions");
    var first = body.querySelector("input, select, textarea, button");
    if (first) first.focus();
    if (record.limit) tick();
  }

  function answer(target) {
    var fieldset = target.closest("[data-question]");
    var box = fieldset && fieldset.querySelector("[data-reader]");
    var read = box && quiz.readers && quiz.readers[box.getAttribute("data-reader")];
    if (!recorder || !read || finishing) return;
    var q = Number(fieldset.getAttribute("data-question"));
    var value = read(box);
    var record = recorder.record;
    record.seq = (record.seq || 0) + 1;
    record.answers[q] = value;
    recorder.add({ k: "answer", q: q, a: value, s: record.seq });
  }
  var typing = null;
  $("exam-form").addEventListener("change", function (event) { answer(event.target); });
  $("exam-form").addEventListener("input", function (event) {
    if (event.target.type !== "text") return;
    clearTimeout(typing);
    typing = setTimeout(function () { answer(event.target); }, 500);
  });
  $("exam-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (window.confirm(texts.confirmSubmit)) submit();
  });

  function tick() {
    var record = recorder.record;
    var timer = $("exam-timer");
    var left = Math.max(0, Math.round((record.limit * 1000 - recorder.now()) / 1000));
    timer.hidden = false;
    timer.querySelector(".timer-value").textContent =
      localDigits(Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0"));
    var announce = $("exam-timer-announce");
    if (left === 300) announce.textContent = texts.fiveMinutes;
    if (left === 60) announce.textContent = texts.oneMinute;
    timer.classList.toggle("is-urgent", left <= 60);
    if (left === 0) { announce.textContent = texts.timeUp; submit(); return; }
    timerId = setTimeout(tick, 1000);
  }

  function submit() {
    if (finishing || !recorder) return;
    finishing = true;
    clearTimeout(timerId);
    clearTimeout(typing);
    var record = recorder.record;
    var uploadId = window.lmsChain.uuid();
    record.submitted = uploadId;
    recorder.add({ k: "submit" }).then(function () {
      var upload = { upload_id: uploadId, kind: "seat", seat: seatId, events: record.events.slice(),
                     chain: record.chain, submitted: true };
      return store().outbox.add({ id: uploadId, user: userId, url: "/offline/api/uploads", body: upload,
                                  created: new Date().toISOString(), tries: 0, last_error: null });
    }).then(function () {
      done(uploadId);
      if (navigator.onLine !== false && store().sync) store().sync.now();
    }).catch(function () { done(uploadId); });
  }

  function done(uploadId) {
    section("exam-done");
    status("");
    $("exam-done-text").textContent = texts.submittedHere;
    $("exam-done").focus();
    function check() {
      store().get("results", uploadId).then(function (kept) {
        if (!kept) return;
        // sync.js keeps the server's answer: a verdict, or a JSON error (a refusal without a verdict)
        var verdict = kept.verdict && kept.verdict.status ? kept.verdict
          : {status: "refused", message: kept.verdict && kept.verdict.error && kept.verdict.error.message};
        var link = $("exam-result");
        if (verdict.status === "accepted") {
          $("exam-done-text").textContent = texts.accepted;
        } else {
          $("exam-done-text").textContent = texts.refusedUpload + " " + (verdict.message || verdict.reason || "");
        }
        if (verdict.result_url) { link.href = verdict.result_url; link.hidden = false; }
        status($("exam-done-text").textContent);
      }).catch(function () { return null; });
    }
    window.addEventListener("lms-offline-change", check);
    check();
  }

  // -- on load: where this device stands with this seat --------------------------------------------------------
  function begin() {
    var kept = store();
    if (!kept || !window.crypto || !crypto.subtle) { alarm(texts.noStore); return; }
    Promise.all([kept.get("chains", name), kept.get("packages", seatId)]).then(function (got) {
      var record = got[0];
      if (record && record.submitted) { done(record.submitted); return null; }
      if (record && record.opened) return start(record.opened, true);
      if (got[1]) { status(texts.downloaded); section("exam-unlock"); return null; }
      section("exam-download");
      return null;
    }).catch(function () { section("exam-download"); });
  }
  if (store()) begin();
  else document.addEventListener("DOMContentLoaded", begin);
})();
