// The programme editor: add and remove repeatable rows, and keep the preview beside the form
// up to date as the staff member types (the server renders it; nothing is saved).
(function () {
  "use strict";
  var form = document.getElementById("mc-programme-form");
  if (!form) { return; }
  var preview = document.getElementById("mc-preview");
  var timer = null;
  var latest = 0;

  function renumber(list) {
    list.querySelectorAll(":scope > .mc-row > .mc-row-number").forEach(function (span, i) {
      span.textContent = String(i + 1);
    });
  }

  function addRow(rows) {
    var index = Number(rows.dataset.nextIndex || "0");
    rows.dataset.nextIndex = String(index + 1);
    var template = rows.querySelector("template.mc-row-template");
    var html = template.innerHTML.split("__prefix__").join(String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    var list = rows.querySelector(".mc-row-list");
    list.appendChild(row);
    renumber(list);
    var first = row.querySelector("select, input, textarea");
    if (first) { first.focus(); }
  }

  function refreshPreview() {
    if (!preview || !form.dataset.previewUrl) { return; }
    var data = new FormData(form);
    data.delete("badge_image");
    var ticket = ++latest;
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin",
                                    headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && ticket === latest) { preview.innerHTML = html; }
      })
      .catch(function () { /* the preview is a convenience; saving still works */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, 400);
  }

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (target.classList.contains("mc-add-row")) {
      addRow(target.closest(".mc-rows"));
      schedule();
    } else if (target.classList.contains("mc-remove-row")) {
      var row = target.closest(".mc-row");
      var list = row.parentElement;
      row.remove();
      renumber(list);
      schedule();
    }
  });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);

  var summary = document.getElementById("mc-error-summary");
  if (summary) { summary.focus(); }
})();
