// Live progress on a batch's job page: poll the job's JSON every 1.5 s and update the bar and
// the counts. Without JavaScript the page shows the counts as they were when it loaded (and a
// Refresh link). When the job finishes the page reloads once, for the failed rows and links.
(function () {
  "use strict";
  var INTERVAL_MS = 1500;
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-batch-progress]");
    if (!box || box.getAttribute("data-finished") === "1" || !window.fetch) return;
    var url = box.getAttribute("data-progress-url");
    var bar = box.querySelector("[role=progressbar]");
    var refresh = box.querySelector("[data-refresh-link]");
    if (refresh) refresh.hidden = true;

    function set(name, value) {
      var node = box.querySelector('[data-field="' + name + '"]');
      if (node) node.textContent = value;
    }

    function show(progress) {
      bar.setAttribute("aria-valuenow", progress.percent);
      box.querySelector('[data-field="bar"]').style.width = progress.percent + "%";
      set("percent", progress.percent);
      set("state_label", progress.state_label);
      set("issued", progress.counts.issued);
      set("skipped", progress.counts.skipped);
      set("failed", progress.counts.failed);
      set("waiting", progress.counts.waiting);
      set("rate_text", progress.rate_text);
      set("eta_text", progress.eta_text);
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (progress) {
          show(progress);
          if (progress.finished) {
            box.setAttribute("data-finished", "1");
            // Let the bar be seen at its end before the page brings in the results.
            window.setTimeout(function () { window.location.reload(); }, INTERVAL_MS);
          } else {
            window.setTimeout(poll, INTERVAL_MS);
          }
        })
        .catch(function () {
          // A hiccup (network, a restart): try again a little later; the page still works.
          window.setTimeout(poll, INTERVAL_MS * 4);
        });
    }
    window.setTimeout(poll, INTERVAL_MS);
  });
})();
