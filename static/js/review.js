// The review page: show refusals (400/403/409 carry the item partial with the message) instead
// of dropping them, and make "reject" ask for a reason before anything is sent.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "review-item" && [400, 403, 409].indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-needs-reason]");
    if (!button) return;
    var select = document.querySelector(button.getAttribute("data-needs-reason"));
    if (select && !select.value) {
      event.preventDefault();
      event.stopImmediatePropagation();
      select.focus();
      select.setAttribute("aria-invalid", "true");
    }
  }, true);
})();
