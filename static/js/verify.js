// Progressive enhancement for /verify/: drag and drop onto the file field and show the chosen
// file's name. Without JavaScript the plain file input works the same.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a POST the page reloads: take keyboard and screen-reader users to the outcome.
    var outcome = document.getElementById("result-heading") || document.getElementById("form-errors");
    if (outcome) {
      outcome.setAttribute("tabindex", "-1");
      outcome.focus();
    }
    var zone = document.querySelector("[data-drop-zone]");
    if (!zone) return;
    var input = zone.querySelector("input[type=file]");
    var label = zone.querySelector("[data-file-name]");
    var hint = zone.querySelector(".drop-hint");
    if (!input || !("DataTransfer" in window)) return;
    zone.classList.add("is-enhanced");
    if (hint) hint.hidden = false;
    function show() {
      label.textContent = input.files.length ? input.files[0].name : "";
    }
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragover");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("is-dragover");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
  });
})();
