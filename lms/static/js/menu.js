// The header's menu button below 700 px: it shows and hides the main menu. Without this script the button stays
// hidden and the menu is shown in full (app.css keys both on the "js" class set here, before the header is drawn).
// Also: Print buttons, and a line above a table too wide for the screen saying it scrolls sideways.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function setOpen(button, menu, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  // Phones' browsers seldom show their own Print command.
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) window.print();
  });

  function markWideTables() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-scroll-hint]"), function (box) {
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = box.getAttribute("data-scroll-hint");
        box.parentNode.insertBefore(hint, box);
      }
      hint.hidden = box.scrollWidth <= box.clientWidth + 1;
    });
  }
  var resizing = false;
  window.addEventListener("resize", function () {
    if (resizing) return;
    resizing = true;
    requestAnimationFrame(function () { resizing = false; markWideTables(); });
  });

  // A form sent back with errors: the first wrong field takes the focus and the title says so; else a new part.
  function focusWhatChanged() {
    if (document.querySelector("[autofocus]") || window.location.hash) return;
    // A field in error, else a refusal of the whole form (an edit conflict...), said before the page's content.
    var wrong = document.querySelector(".has-error :is(input, select, textarea)") ||
      document.querySelector("main > .flash-error[tabindex]");
    var target = wrong || document.querySelector("[data-focus-on-load]");
    if (wrong) document.title = document.body.getAttribute("data-error-title") + " " + document.title;
    if (target) target.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    markWideTables();
    focusWhatChanged();
    var button = document.querySelector(".menu-button");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) return;
    button.addEventListener("click", function () {
      setOpen(button, menu, button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the menu from the button or from inside it, and the focus goes back to the button.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
      var inside = menu.contains(document.activeElement);
      setOpen(button, menu, false);
      if (inside || document.activeElement === button) button.focus();
    });
  });
})();
