// An attempt page that keeps working without the network. From the page's load it records the attempt's events
// ("start", "resume" on a reload, "answer" for each answer given) and their chain (chain.js); every answer is kept
// on this device ("answers" store); a reload served from the service worker's cache puts them back; a submission
// made offline (or the timer reaching 0 offline) goes to the outbox as an upload of kind "attempt", which sync.js
// sends when the network returns; the server's verdict (the "results" store) shows the result link.
// Online, the page behaves as without this script: quiz.js saves and submits through the server.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  var quiz = window.lmsQuiz;
  if (!form || !quiz || !window.lmsChain || !window.crypto || !crypto.subtle) return;
  var attemptId = Number(form.getAttribute("data-attempt"));
  var userId = Number(form.getAttribute("data-user"));
  var name = "attempt:" + attemptId;
  var texts = quiz.texts;
  var recorder = null;
  var early = [];  // answers given before the record was open
  var pageSeq = Number(document.getElementById("quiz-seq").value) || 1;

  function store() { return window.lmsOffline || null; }
  // The question types' scripts (their writers) come after this one: answers are put back once they have run.
  var parsed = new Promise(function (resolve) {
    if (document.readyState === "complete") resolve();
    else { document.addEventListener("DOMContentLoaded", resolve); window.addEventListener("load", resolve); }
  });

  function remember(q, a) {
    if (!recorder) { early.push([q, a]); return; }
    var s = quiz.takeSeq();
    recorder.record.seq = Math.max(recorder.record.seq || 0, s);
    recorder.add({ k: "answer", q: q, a: a, s: s });
    var kept = store();
    if (kept) noteWrite(kept.put("answers", { attempt: attemptId, q: q, a: a, s: s }));
  }
  quiz.onAnswer = remember;
  // Whether the last answer is really kept here: a device without IndexedDB, or whose storage is full, keeps
  // nothing, and the page must then say "not saved yet" (quiz.js asks when a save fails to reach the server).
  var writes = 0;
  var deviceWorks = false;
  function noteWrite(promise) {
    var n = ++writes;
    promise.then(function () { if (n === writes) deviceWorks = true; },
                 function () { if (n === writes) deviceWorks = false; });
  }
  if (store()) noteWrite(store().open());
  quiz.keptOnDevice = function () { return Boolean(recorder && store() && deviceWorks); };

  var writers = quiz.writers;

  function restore(rows) {
    var newer = {};
    rows.forEach(function (row) {
      if (row.attempt !== attemptId || row.s < pageSeq) return;  // the server had it when it made this page
      var fieldset = form.querySelector("[data-question='" + row.q + "']");
      var box = fieldset && fieldset.querySelector("[data-reader]");
      var write = box && writers[box.getAttribute("data-reader")];
      if (!write) return;
      write(box, row.a);
      var link = document.querySelector("[data-nav='" + row.q + "']");
      if (link) link.classList.add("is-answered");
      newer[row.q] = row.a;
    });
    return newer;
  }

  // The page's state once submitted here: the form gives way to words, then to the verdict.
  var panel = null;
  function showPanel(text, resultUrl, alert) {
    if (!panel) {
      panel = document.createElement("section");
      panel.className = "offline-submitted flash";
      panel.id = "offline-state";
      panel.setAttribute("role", alert ? "alert" : "status");
      panel.setAttribute("aria-live", alert ? "assertive" : "polite");
      panel.setAttribute("tabindex", "-1");
      form.parentNode.insertBefore(panel, form);
    }
    panel.textContent = "";
    var words = document.createElement("p");
    words.textContent = text;
    panel.appendChild(words);
    if (resultUrl) {
      var link = document.createElement("a");
      link.className = "button primary";
      link.href = resultUrl;
      link.textContent = texts.seeResult;
      panel.appendChild(link);
    }
  }

  function showVerdict(verdict) {
    // The server has the attempt now: what the page said about keeping it here no longer holds.
    var saveState = document.getElementById("save-state");
    if (saveState) saveState.style.display = "none";  // its class sets a display: `hidden` would not hide it
    if (verdict.status === "accepted") showPanel(texts.accepted, verdict.result_url, false);
    else showPanel(texts.refusedUpload + " " + (verdict.message || verdict.reason || ""), verdict.result_url, true);
  }

  function watchVerdict(uploadId) {
    function check() {
      var kept = store();
      if (!kept) return;
      // sync.js keeps the server's answer: a verdict, or a JSON error (a refusal without a verdict)
      kept.get("results", uploadId).then(function (record) {
        if (!record) return;
        showVerdict(record.verdict && record.verdict.status ? record.verdict
          : {status: "refused", message: record.verdict && record.verdict.error && record.verdict.error.message});
      })
        .catch(function () { return null; });
    }
    window.addEventListener("lms-offline-change", check);
    check();
  }

  function lockPage(uploadId) {
    quiz.stop();
    form.hidden = true;
    // Submitted: the clock no longer counts for this attempt (the server judges the time from its events).
    document.querySelectorAll(".navigator, .quiz-bar, #quiz-timer").forEach(function (el) { el.hidden = true; });
    showPanel(texts.submittedHere, null, false);
    panel.focus();
    watchVerdict(uploadId);
  }

  // Offline: the submission goes to the outbox, once (a client-made id; the server judges each id once).
  function submitHere() {
    if (!recorder || !store()) return false;
    if (recorder.record.submitted) { lockPage(recorder.record.submitted); return true; }
    var uploadId = window.lmsChain.uuid();
    recorder.record.submitted = uploadId;
    lockPage(uploadId);
    recorder.add({ k: "submit" }).then(function () {
      var body = { upload_id: uploadId, kind: "attempt", attempt: attemptId, events: recorder.record.events.slice(),
                   chain: recorder.record.chain, submitted: true };
      return store().outbox.add({ id: uploadId, user: userId, url: "/offline/api/uploads", body: body,
                                  created: new Date().toISOString(), tries: 0, last_error: null });
    }).then(function () {
      if (store().sync && navigator.onLine !== false) store().sync.now();
    }).catch(function () { return null; });
    return true;
  }

  quiz.submitOffline = function () { return quiz.networkDown() ? submitHere() : false; };

  // The form's buttons while the network is down: "Finish" asks here and submits here; the others keep the
  // answers here (they already are) and open the other question's page if the device has it.
  window.addEventListener("submit", function (event) {
    if (event.target !== form || !quiz.networkDown() || !recorder || !store()) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var go = event.submitter ? event.submitter.value : "";
    if (go === "finish") {
      if (window.confirm(texts.confirmSubmit)) submitHere();
    } else if (/^\d+$/.test(go) && Number(go) !== Number(form.querySelector("input[name=page]").value)) {
      window.location.assign(window.location.pathname + "?page=" + go);
    } else {
      quiz.show("saving", texts.onDevice);
    }
  }, true);

  function begin() {
    var floor = Number(form.getAttribute("data-elapsed-ms")) || 0;
    window.lmsChain.open(name, form.getAttribute("data-chain-key"), {
      floor: floor, first: function () { return { k: "start", t: floor }; }
    }).then(function (opened) {
      recorder = opened;
      // Offline, this page is the worker's copy, made when the page was last loaded: the time left counts from the
      // attempt's elapsed time on this device (the server's, floor, when the copy was made, plus what passed since).
      var timer = document.getElementById("quiz-timer");
      if (timer && quiz.atMostLeft && navigator.onLine === false) {
        quiz.atMostLeft((Number(timer.getAttribute("data-remaining")) * 1000 + floor - recorder.now()) / 1000);
      }
      if (recorder.record.seq) quiz.raiseSeq(recorder.record.seq);
      if (recorder.record.submitted) { lockPage(recorder.record.submitted); return; }
      early.splice(0).forEach(function (pair) { remember(pair[0], pair[1]); });
      var kept = store();
      if (!kept) return;
      // The grant that will send this attempt if the network goes: had now, while the page is online.
      if (navigator.onLine !== false && kept.device) kept.device.grant(userId).catch(function () { return null; });
      Promise.all([kept.all("answers"), parsed]).then(function (got) {
        var newer = restore(got[0] || []);
        if (Object.keys(newer).length && !quiz.networkDown()) quiz.send(newer);
        else if (Object.keys(newer).length) quiz.show("saving", texts.onDevice);
      }).catch(function () { return null; });
    }).catch(function () { return null; });
  }

  if (store()) begin();
  else document.addEventListener("DOMContentLoaded", begin);
})();
