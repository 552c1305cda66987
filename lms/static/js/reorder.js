// Reorderable lists (modules of a course, courses of a learning path): drag and drop with a mouse, a finger or a
// pen, and the "Move up" / "Move down" buttons without reloading the page. Each change posts the whole new order
// in one request; when the server refuses it, the list goes back and a message says so.
// Without this script the buttons are forms that move one step and reload the page.
(function () {
  "use strict";
  var arabic = document.documentElement.lang === "ar";

  function localDigits(text) {
    return arabic ? String(text).replace(/[0-9]/g, function (d) { return "٠١٢٣٤٥٦٧٨٩"[d]; }) : String(text);
  }

  function setUp(list) {
    var url = list.getAttribute("data-reorder-url");
    var status = document.getElementById(list.getAttribute("data-reorder-status"));
    var errorBox = document.getElementById(list.getAttribute("data-reorder-status") + "-error");
    var tokenInput = list.querySelector("input[name=csrf_token]");
    var csrf = tokenInput ? tokenInput.value : "";
    var confirmed = ids();  // the order the server holds
    var queue = Promise.resolve();
    var dragged = null;
    var before = null;

    function items() { return Array.prototype.slice.call(list.querySelectorAll(":scope > .reorder-item")); }
    function ids() { return items().map(function (li) { return Number(li.getAttribute("data-id")); }); }
    function itemById(id) { return list.querySelector(":scope > .reorder-item[data-id='" + id + "']"); }

    function refreshButtons() {
      var all = items();
      all.forEach(function (li, index) {
        li.querySelectorAll("[data-move]").forEach(function (button) {
          var edge = button.getAttribute("data-move") === "up" ? index === 0 : index === all.length - 1;
          if (edge) button.setAttribute("aria-disabled", "true"); else button.removeAttribute("aria-disabled");
        });
      });
    }

    function announce(li) {
      var position = items().indexOf(li) + 1;
      var text = list.getAttribute("data-text-moved")
        .replace("{name}", li.getAttribute("data-name")).replace("{position}", localDigits(position));
      status.textContent = "";
      // A new text node each time, so that the same words said twice are announced twice.
      window.setTimeout(function () { status.textContent = text; }, 50);
    }

    function restore(order) {
      order.forEach(function (id) { var li = itemById(id); if (li) list.appendChild(li); });
      refreshButtons();
    }

    // A form on the same page that numbers the items (the path's position boxes) follows the saved order, so
    // that saving that form later does not put the old order back.
    function syncInputs(order) {
      var prefix = list.getAttribute("data-reorder-inputs");
      if (!prefix) return;
      order.forEach(function (id, index) {
        var input = document.getElementById(prefix + id);
        if (input) input.value = String(index + 1);
      });
    }

    function showError(message) {
      errorBox.textContent = list.getAttribute("data-text-failed") + (message ? " " + message : "");
      errorBox.hidden = false;
    }

    function save(focusAfter) {
      var order = ids();
      errorBox.hidden = true;
      queue = queue.then(function () {
        return fetch(url, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ ids: order })
        }).then(function (response) {
          if (response.ok) { confirmed = order; syncInputs(order); return; }
          return response.json().catch(function () { return {}; }).then(function (data) {
            throw new Error(data && data.error ? data.error.message : "");
          });
        }).catch(function (error) {
          restore(confirmed);
          showError(error && error.message);
          if (focusAfter) focusAfter.focus();
        });
      });
    }

    // The keyboard: the buttons move the item one step, and the focus stays on the button pressed.
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button || !list.contains(button)) return;
      event.preventDefault();
      if (button.getAttribute("aria-disabled") === "true") return;
      var li = button.closest(".reorder-item");
      if (button.getAttribute("data-move") === "up") {
        list.insertBefore(li, li.previousElementSibling);
      } else {
        list.insertBefore(li, li.nextElementSibling ? li.nextElementSibling.nextElementSibling : null);
      }
      refreshButtons();
      button.focus();
      announce(li);
      save(button);
    });

    function placeNear(target, y) {
      if (!target || target === dragged) return;
      var box = target.getBoundingClientRect();
      list.insertBefore(dragged, y < box.top + box.height / 2 ? target : target.nextElementSibling);
    }

    function finishDrag() {
      if (!dragged) return;
      var li = dragged;
      li.classList.remove("is-dragging");
      dragged = null;
      refreshButtons();
      if (ids().join() !== before.join()) {
        announce(li);
        save(null);
      }
    }

    // A mouse: HTML5 drag and drop on the whole item.
    list.addEventListener("dragstart", function (event) {
      var li = event.target.closest && event.target.closest(".reorder-item");
      if (!li || !list.contains(li)) return;
      dragged = li;
      before = ids();
      li.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", li.getAttribute("data-id"));
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      placeNear(event.target.closest(".reorder-item"), event.clientY);
    });
    list.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
    list.addEventListener("dragend", finishDrag);

    // A finger or a pen: pointer events on the handle (touch screens do not fire HTML5 drag events).
    items().forEach(function (li) {
      var handle = document.createElement("span");
      handle.className = "reorder-handle";
      handle.setAttribute("aria-hidden", "true");
      handle.title = list.getAttribute("data-text-handle");
      li.insertBefore(handle, li.firstChild);
      li.draggable = true;
      handle.addEventListener("pointerdown", function (event) {
        if (event.pointerType === "mouse") return;  // the mouse drags the whole item (above)
        event.preventDefault();
        try { handle.setPointerCapture(event.pointerId); } catch (ignored) { /* the pointer is already gone */ }
        dragged = li;
        before = ids();
        li.classList.add("is-dragging");
      });
      handle.addEventListener("pointermove", function (event) {
        if (dragged !== li) return;
        var under = document.elementFromPoint(event.clientX, event.clientY);
        var target = under && under.closest(".reorder-item");
        if (target && list.contains(target)) placeNear(target, event.clientY);
      });
      handle.addEventListener("pointerup", finishDrag);
      handle.addEventListener("pointercancel", finishDrag);
    });
    list.classList.add("is-enhanced");
  }

  document.querySelectorAll("ol[data-reorder-url]").forEach(setUp);
})();
