// Small behaviours that the CSP forbids inline: confirmations, removing builder rows,
// switching the schema editor, and keyboard shortcuts declared with data-key.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var confirmEl = event.target.closest("[data-confirm]");
    if (confirmEl && !window.confirm(confirmEl.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var removeEl = event.target.closest("[data-remove]");
    if (removeEl) {
      var target = document.querySelector(removeEl.getAttribute("data-remove"));
      if (target) target.remove();
    }
  }, true);

  function syncSchemaMode() {
    var checked = document.querySelector("input[name=schema_mode]:checked");
    var mode = checked ? checked.value : "builder";
    document.querySelectorAll("[data-mode]").forEach(function (el) {
      el.hidden = el.getAttribute("data-mode") !== mode;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "schema_mode") syncSchemaMode();
  });

  // The "add field" button asks for the next free row index each time.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "fb-rows") {
      var add = document.getElementById("fb-add");
      var rows = document.querySelectorAll("#fb-rows .fb-row");
      var next = 0;
      rows.forEach(function (r) { next = Math.max(next, parseInt(r.id.replace("fb-row-", ""), 10) + 1); });
      if (add) add.setAttribute("hx-vals", JSON.stringify({ index: String(next) }));
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    var el = document.querySelector('[data-key="' + event.key + '"]');
    if (el) {
      event.preventDefault();
      el.click();
    }
  });

  document.addEventListener("DOMContentLoaded", syncSchemaMode);
})();
