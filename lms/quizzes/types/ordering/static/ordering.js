// Ordering questions: the page's autosave reads the learner's order, and buttons move an item up or down (the
// position selects keep working: choosing one moves the item there). Without this script the selects alone
// answer the question, through the form.
(function () {
  "use strict";
  var quiz = window.lmsQuiz = window.lmsQuiz || {};
  var readers = quiz.readers = quiz.readers || {};

  function selectsOf(box) { return Array.prototype.slice.call(box.querySelectorAll("select[data-key]")); }

  // Every item with its own position: the item ids in that order. None chosen: no answer. Anything else is sent
  // as it stands, for the server to refuse with its message.
  readers.ordering = function (box) {
    var selects = selectsOf(box);
    var chosen = {};
    var positions = [];
    selects.forEach(function (select) {
      chosen[select.getAttribute("data-key")] = select.value;
      if (select.value) positions.push(Number(select.value));
    });
    if (positions.length === 0) return null;
    var sorted = positions.slice().sort(function (a, b) { return a - b; });
    var complete = positions.length === selects.length &&
      sorted.every(function (position, index) { return position === index + 1; });
    if (!complete) return chosen;
    return selects.sort(function (a, b) { return Number(a.value) - Number(b.value); })
      .map(function (select) { return select.getAttribute("data-key"); });
  };

  // And back (a reload on this device, an offline exam resumed): the items in the order kept, or the positions
  // chosen so far.
  var writers = quiz.writers = quiz.writers || {};
  writers.ordering = function (box, a) {
    var list = box.querySelector(".order-list");
    var selects = selectsOf(box);
    var byKey = function (key) {
      return selects.filter(function (select) { return select.getAttribute("data-key") === String(key); })[0];
    };
    if (Array.isArray(a)) {
      a.forEach(function (key) { var select = byKey(key); if (select) list.appendChild(select.closest(".order-item")); });
      selectsOf(box).forEach(function (select, index) { select.value = a.length ? String(index + 1) : ""; });
    } else {
      selects.forEach(function (select) { select.value = (a && a[select.getAttribute("data-key")]) || ""; });
    }
  };

  function enhance(box) {
    var list = box.querySelector(".order-list");
    var announce = box.querySelector("[data-announce]");

    function items() { return Array.prototype.slice.call(list.children); }

    // The positions follow the items' places on the page.
    function renumber() {
      items().forEach(function (item, index) { item.querySelector("select").value = String(index + 1); });
    }

    function moveTo(item, index) {
      var all = items();
      all.splice(all.indexOf(item), 1);
      all.splice(Math.max(0, Math.min(index, all.length)), 0, item);
      all.forEach(function (each) { list.appendChild(each); });
      renumber();
      var select = item.querySelector("select");
      var last = select.options[select.options.length - 1];
      announce.textContent = announce.getAttribute("data-announce")
        .replace("{item}", item.querySelector(".order-text").textContent.trim())
        .replace("{position}", select.options[select.selectedIndex].text)
        .replace("{total}", last.text);
      // Tell the page's autosave (it listens on the form) that the answer changed.
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    box.querySelectorAll("[data-move]").forEach(function (button) { button.hidden = false; });
    box.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) return;
      var item = button.closest(".order-item");
      var index = items().indexOf(item) + (button.getAttribute("data-move") === "up" ? -1 : 1);
      if (index < 0 || index >= items().length) return;
      moveTo(item, index);
      button.focus();  // moving the item took the focus away: keyboard users press on
    });
    box.addEventListener("change", function (event) {
      var select = event.target;
      if (!event.isTrusted || select.tagName !== "SELECT") return;  // ours, from moveTo
      var item = select.closest(".order-item");
      if (!select.value) {  // an item keeps its place once the list is ordered
        if (selectsOf(box).some(function (other) { return other.value; })) renumber();
        return;
      }
      moveTo(item, Number(select.value) - 1);
      select.focus();
      event.stopPropagation();  // moveTo told the autosave already
    });
  }

  document.querySelectorAll("[data-reader=ordering]").forEach(enhance);
})();
