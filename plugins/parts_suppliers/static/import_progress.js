// A background price-list import: ask for its progress every two seconds; reload the page
// once it has ended (done or refused), so the result is shown by the server's template.
(function () {
  const box = document.getElementById("import-progress");
  if (!box || !window.fetch) return;
  const running = ["queued", "parsing", "writing"];
  if (running.indexOf(box.getAttribute("data-status")) < 0) return;
  const rows = document.getElementById("import-rows");
  function poll() {
    fetch(box.getAttribute("data-poll"), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 5000); return; }
        rows.textContent = job.rows_read;
        if (running.indexOf(job.status) < 0) { window.location.reload(); return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
