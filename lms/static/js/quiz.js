// Quiz page: saves each answer as it is given, shows whether it is saved, and counts the server's time down.
// The page works without this script: its buttons save and submit through the form.
(function () {
  "use strict";
  // How to read an answer from a question's controls: each type's partial names its reader (data-reader); a type
  // with a script of its own adds its reader to window.lmsQuiz.readers.
  var quiz = window.lmsQuiz = window.lmsQuiz || {};
  var readers = quiz.readers = quiz.readers || {};
  function values(inputs) { return Array.prototype.map.call(inputs, function (input) { return input.value; }); }
  readers.one = function (box) {
    var checked = box.querySelector("input:checked");
    return checked ? checked.value : null;
  };
  readers.many = function (box) { return values(box.querySelectorAll("input:checked")); };
  readers.text = function (box) { return box.querySelector("input").value; };
  readers.pairs = function (box) {
    var pairs = {};
    box.querySelectorAll("select[data-key]").forEach(function (select) {
      if (select.value) pairs[select.getAttribute("data-key")] = select.value;
    });
    return pairs;
  };
  // And how to put an answer back into them (a reload on this device, an offline exam resumed).
  var writers = quiz.writers = quiz.writers || {};
  writers.one = function (box, a) {
    box.querySelectorAll("input").forEach(function (input) { input.checked = input.value === String(a); });
  };
  writers.many = function (box, a) {
    var wanted = (a || []).map(String);
    box.querySelectorAll("input").forEach(function (input) { input.checked = wanted.indexOf(input.value) >= 0; });
  };
  writers.text = function (box, a) { box.querySelector("input").value = a === null || a === undefined ? "" : String(a); };
  writers.pairs = function (box, a) {
    box.querySelectorAll("select[data-key]").forEach(function (select) {
      select.value = (a || {})[select.getAttribute("data-key")] || "";
    });
  };

  var form = document.getElementById("quiz-form");
  if (!form) return;  // the offline exam page loads this script for its readers only
  var texts = JSON.parse(document.getElementById("quiz-texts").textContent);
  var saveState = document.getElementById("save-state");
  var stateText = document.getElementById("save-text");
  var stateHint = saveState.querySelector(".save-hint");
  var politeBox = document.getElementById("save-announce");
  var alertBox = document.getElementById("save-alert");
  var lastSaved = null;  // "10:42" once an answer is saved
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var seqInput = document.getElementById("quiz-seq");
  var pending = {};
  var inFlight = false;
  var debounce = null;
  var retryTimer = null;
  var retryDelay = 2000;
  var leaving = false;
  var networkDown = false;  // the last save failed for the network (no answer from the server at all)

  // The question's answer; undefined when its reader is missing (its script did not load): the form sends it.
  function answerOf(fieldset) {
    var box = fieldset.querySelector("[data-reader]");
    var reader = box && readers[box.getAttribute("data-reader")];
    return reader ? reader(box) : undefined;
  }

  function isEmpty(answer) {
    if (answer === null || answer === "") return true;
    if (Array.isArray(answer)) return answer.length === 0;
    return typeof answer === "object" && Object.keys(answer).length === 0;
  }

  var asciiDigits = /[0-9]/g;
  var arabicIndic = "٠١٢٣٤٥٦٧٨٩";
  function localDigits(text) {
    return texts.arabicDigits ? text.replace(asciiDigits, function (d) { return arabicIndic[Number(d)]; }) : text;
  }

  // A time of day as the server writes it: the governorate's clock, 24-hour, the page's digits.
  var clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23",
                                                  timeZone: texts.timeZone });
  function timeOf(iso) {
    var moment = iso ? new Date(iso) : new Date();
    return localDigits(clock.format(isNaN(moment) ? new Date() : moment));
  }

  // One state at a time, in colour, icon and words: "saved" (green), "saving" (amber: not saved yet), "failed"
  // (red: not saved), "idle" (before any change). Good news is announced politely, failures at once.
  function show(kind, text) {
    var words = text;
    if (kind !== "saved" && kind !== "idle" && lastSaved) words += " " + texts.lastSaved.replace("{time}", lastSaved);
    saveState.setAttribute("data-state", kind);
    stateText.textContent = words;
    stateHint.hidden = true;
    if (kind === "failed") {
      alertBox.textContent = words;
    } else if (kind === "saved") {
      alertBox.textContent = "";
      politeBox.textContent = words;
    }
  }
  function say(text) { show("failed", text); }

  // With the script, answers are saved as they are given: the hint under the state says so.
  if (saveState.getAttribute("data-saved-at")) lastSaved = timeOf(saveState.getAttribute("data-saved-at"));
  stateHint.textContent = texts.asYouGo;

  // Answered means the whole question: a matching question with one item of four matched is "partly answered",
  // as the submit page says.
  function markNavigator(id, answer) {
    var link = document.querySelector("[data-nav='" + id + "']");
    if (!link) return;
    var box = form.querySelector("[data-question='" + id + "']");
    var pairs = box ? box.querySelectorAll("select[data-key]").length : 0;
    var started = !isEmpty(answer);
    var answered = started && (!pairs || Object.keys(answer).length >= pairs);
    link.classList.toggle("is-answered", answered);
    var state = link.querySelector(".nav-state");
    if (state) state.textContent = " " + (answered ? texts.answered : started ? texts.partly : texts.notAnswered);
  }

  function showError(id, message) {
    var fieldset = form.querySelector("[data-question='" + id + "']");
    if (!fieldset) return;
    var error = fieldset.querySelector(".error.live");
    if (!message) { if (error) error.remove(); fieldset.classList.remove("has-error"); return; }
    if (!error) {
      error = document.createElement("p");
      error.className = "error live";
      error.id = "q-" + id + "-live-error";
      fieldset.appendChild(error);
      fieldset.setAttribute("aria-describedby", error.id);
    }
    fieldset.classList.add("has-error");
    error.textContent = message;
  }

  // Each save is numbered, greater than the one before (the server refuses an older save that arrives late).
  // The form's hidden field always holds the next number, so that the form sent after us is newer still.
  function takeSeq() {
    var seq = Number(seqInput.value) || 1;
    seqInput.value = String(seq + 1);
    return seq;
  }

  function raiseSeq(latest) {
    if (Number(seqInput.value) <= latest) seqInput.value = String(latest + 1);
  }

  // Put a batch back in the queue, except the questions answered again since: the newer answer goes instead.
  function requeue(batch, ids) {
    ids.forEach(function (id) { if (!(id in pending)) pending[id] = batch[id]; });
  }

  // Seconds (or an HTTP date) from the Retry-After header, else our own backoff; a little jitter either way,
  // so that pages refused together do not come back together.
  function retryWait(response) {
    var header = response && response.headers.get("Retry-After");
    var wait = null;
    if (header) {
      wait = /^\d+$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - Date.now();
      if (!(wait >= 0)) wait = null;
    }
    if (wait === null) {
      wait = retryDelay;
      retryDelay = Math.min(retryDelay * 2, 30000);
    }
    return Math.min(wait, 120000) + Math.random() * 500;
  }

  function retryLater(batch, response) {
    requeue(batch, Object.keys(batch));
    if (!response && quiz.keptOnDevice && quiz.keptOnDevice()) {
      // quiz-offline.js keeps every answer on this device: not lost, only not sent yet.
      show("saving", texts.onDevice);
      politeBox.textContent = texts.onDevice;
    } else {
      say(response && (response.status === 503 || response.status === 429) ? texts.busy : texts.failed);
    }
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryWait(response));
  }

  function saved(batch, savedAt) {
    retryDelay = 2000;
    Object.keys(batch).forEach(function (id) { showError(id, ""); markNavigator(id, batch[id]); });
    lastSaved = timeOf(savedAt);
    if (Object.keys(pending).length) show("saving", texts.saving);
    else show("saved", texts.saved.replace("{time}", lastSaved));
  }

  function refused(batch, error) {
    var fields = error.fields || {};
    if (error.code === "stale_answers") {
      // Saved from another window with a newer number: that answer stands. The others of the batch are this
      // page's latest and go again, numbered after it.
      raiseSeq(Number(error.latest_seq) || 0);
      Object.keys(fields).forEach(function (id) { showError(id, texts.newer); });
      requeue(batch, Object.keys(batch).filter(function (id) { return !(id in fields); }));
    } else {
      Object.keys(fields).forEach(function (id) { showError(id, fields[id]); });
    }
    say(texts.refused);
  }

  function flush() {
    if (leaving || inFlight || retryTimer || Object.keys(pending).length === 0) return Promise.resolve();
    var batch = pending;
    pending = {};
    inFlight = true;
    show("saving", texts.saving);
    return fetch(form.getAttribute("data-autosave-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ answers: batch, seq: takeSeq() })
    }).then(function (response) {
      inFlight = false;
      networkDown = false;
      if (response.ok) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          saved(batch, body.saved_at);
          return flush();
        });
      }
      if (response.status === 409 || response.status === 422) {
        return response.json().then(function (body) {
          var error = body.error || {};
          if (error.code === "attempt_finished") {
            window.location.assign(form.getAttribute("data-result-url"));
            return;
          }
          refused(batch, error);
          return flush();
        });
      }
      if (response.status >= 500 || response.status === 429) { retryLater(batch, response); return; }
      say(texts.refused);  // 400, 403, 404: sending it again would not help
    }).catch(function () {
      inFlight = false;
      networkDown = true;
      retryLater(batch, null);
    });
  }

  function queue(target, wait) {
    var fieldset = target.closest("[data-question]");
    if (!fieldset) return;
    var answer = answerOf(fieldset);
    if (answer === undefined) return;
    pending[fieldset.getAttribute("data-question")] = answer;
    if (quiz.onAnswer) quiz.onAnswer(Number(fieldset.getAttribute("data-question")), answer);
    if (!retryTimer) show("saving", texts.saving);  // from the first keystroke: this answer is not saved yet
    clearTimeout(debounce);
    debounce = setTimeout(flush, wait);
  }

  // The form sends every answer of the page, numbered after every autosave so far: none may follow it.
  function leave() {
    leaving = true;
    clearTimeout(debounce);
    clearTimeout(retryTimer);
  }

  // For quiz-offline.js: the numbering of saves, the state line, the queue and whether the network is down.
  quiz.takeSeq = takeSeq;
  quiz.raiseSeq = raiseSeq;
  quiz.show = show;
  quiz.texts = texts;
  quiz.networkDown = function () { return networkDown || navigator.onLine === false; };
  quiz.send = function (answers) {
    Object.keys(answers).forEach(function (id) { pending[id] = answers[id]; });
    clearTimeout(debounce);
    debounce = setTimeout(flush, 0);
  };
  quiz.stop = leave;

  form.addEventListener("submit", leave);
  form.addEventListener("change", function (event) { queue(event.target, 0); });
  form.addEventListener("input", function (event) {
    if (event.target.type === "text") queue(event.target, 700);
  });
  window.addEventListener("online", function () {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    flush();
  });

  // An answer given before this script ran (a slow phone, a script late on a poor network) fired no event it could
  // hear: it differs from what the server sent in the page, so it is saved now. After "load", when every
  // question type's own reader is in place.
  function differsFromPage(field) {
    if (field.type === "radio" || field.type === "checkbox") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      var sent = Array.prototype.findIndex.call(field.options, function (option) { return option.defaultSelected; });
      return field.selectedIndex !== Math.max(sent, 0);
    }
    return field.value !== field.defaultValue;
  }
  function saveAnswersGivenEarly() {
    form.querySelectorAll("[data-question]").forEach(function (fieldset) {
      if (Array.prototype.some.call(fieldset.querySelectorAll("input, select, textarea"), differsFromPage)) {
        queue(fieldset, 0);
      }
    });
  }
  if (document.readyState === "complete") saveAnswersGivenEarly();
  else window.addEventListener("load", saveAnswersGivenEarly);

  // The clock: the server said how many seconds were left when it sent the page.
  var timer = document.getElementById("quiz-timer");
  if (!timer) return;
  var value = timer.querySelector(".timer-value");
  var announce = document.getElementById("timer-announce");
  var deadline = Date.now() + Number(timer.getAttribute("data-remaining")) * 1000;
  var finished = false;
  // For quiz-offline.js: at most this many seconds are left (a page served from the service worker's copy says
  // the time that was left when the copy was made).
  quiz.atMostLeft = function (seconds) {
    deadline = Math.min(deadline, Date.now() + Math.max(0, seconds) * 1000);
    tick();
  };

  function format(seconds) {
    return localDigits(Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0"));
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    value.textContent = format(left);
    if (left === 300) announce.textContent = texts.fiveMinutes;
    if (left === 60) announce.textContent = texts.oneMinute;
    if (left <= 60) timer.classList.add("is-urgent");
    if (left === 0 && !finished) {
      finished = true;
      announce.textContent = texts.timeUp;
      if (quiz.submitOffline && quiz.submitOffline("timeout")) return;  // queued on this device
      // Send what is on the page with the form itself: it saves, then submits.
      var go = document.createElement("input");
      go.type = "hidden"; go.name = "go"; go.value = "submit";
      form.appendChild(go);
      leave();  // submit() fires no submit event
      setTimeout(function () { form.submit(); }, 1500);  // "time is up" is read out first (well within the grace)
    }
  }
  tick();
  setInterval(tick, 1000);
})();
