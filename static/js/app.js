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

  // Forms whose refusals (400/403/409) carry the form again with the message: swap them in
  // instead of letting htmx drop the response. The target opts in with data-show-refusals.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-show-refusals") &&
        [400, 403, 409].indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

// Uploads: each dropped or chosen file is sent to the API with a byte progress bar; once
// stored, its processing progress is polled by htmx from the server-rendered partial.
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function uploadOne(form, file) {
    var list = document.getElementById("uploads");
    var item = document.createElement("div");
    item.className = "upload-item card";
    var title = document.createElement("div");
    title.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Uploading " + file.name);
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = "Uploading…";
    item.append(title, bar, note);
    list.prepend(item);

    var data = new FormData();
    data.append("file", file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("data-upload-url"));
    xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 202 && body.id) {
        var url = form.getAttribute("data-progress-url").replace("00000000-0000-0000-0000-000000000000", body.id);
        window.htmx.ajax("GET", url, { target: item, swap: "innerHTML" });
      } else {
        bar.remove();
        note.className = "error";
        note.textContent = body.detail || ("Upload failed (HTTP " + xhr.status + ").");
        if (body.existing_submission) {
          var link = document.createElement("a");
          link.href = "/submissions/" + body.existing_submission + "/";
          link.textContent = " See the earlier upload.";
          note.append(link);
        }
      }
    });
    xhr.addEventListener("error", function () {
      note.className = "error";
      note.textContent = "The connection failed during the upload. Nothing was stored; try again.";
    });
    xhr.send(data);
  }

  function handleFiles(form, files) {
    Array.prototype.forEach.call(files, function (f) { uploadOne(form, f); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("upload-form");
    if (!form) return;
    var input = form.querySelector("input[type=file]");
    input.addEventListener("change", function () { handleFiles(form, input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (e) { e.preventDefault(); form.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      form.addEventListener(type, function (e) { e.preventDefault(); form.classList.remove("over"); });
    });
    form.addEventListener("drop", function (e) { handleFiles(form, e.dataTransfer.files); });
  });
})();
