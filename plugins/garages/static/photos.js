// Quote photos (定损照片): in-place upload and the large view.
// Progressive enhancement: without script the upload form posts and the page comes back; with
// it each chosen file is sent on its own (XMLHttpRequest: a progress bar per file, the CSRF token
// in the X-CSRFToken header), and the new photo's card joins the gallery without reloading the
// page, so that nothing typed in the editor's lines is lost.
(function () {
  "use strict";

  function csrfToken(form) {
    var field = form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function progressItem(list, name) {
    var item = document.createElement("li");
    item.className = "d-flex align-items-center gap-2 mb-1 photo-progress-item";
    var label = document.createElement("span");
    label.className = "text-truncate";
    label.style.maxWidth = "14em";
    label.textContent = name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", name);
    var state = document.createElement("span");
    state.className = "photo-progress-state";
    item.appendChild(label);
    item.appendChild(bar);
    item.appendChild(state);
    list.appendChild(item);
    return { item: item, bar: bar, state: state };
  }

  function addCards(gallery, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = gallery.querySelector(".photo-gallery");
    Array.prototype.forEach.call(holder.children, function (card) { row.appendChild(card); });
    var empty = gallery.querySelector(".photo-gallery-empty");
    if (empty) { empty.hidden = true; }
  }

  // the editor's line the photo belongs to shows it too
  function addMini(lineId, html) {
    var body = document.getElementById("quote-lines-body");
    if (!body) { return; }
    var id = body.querySelector('input[name$="-id"][value="' + String(lineId) + '"]');
    var cell = id ? id.closest("tr").querySelector("td.line-photos") : null;
    if (!cell) { return; }
    var holder = document.createElement("span");
    holder.innerHTML = html.trim();
    Array.prototype.forEach.call(holder.children, function (el) { cell.appendChild(el); });
  }

  function send(form, file, gallery, list) {
    return new Promise(function (resolve) {
      var shown = progressItem(list, file.name);
      var data = new FormData();
      data.append("csrf_token", csrfToken(form));
      data.append("file", file, file.name);
      data.append("kind", form.querySelector('[name="kind"]').value);
      data.append("line_id", form.querySelector('[name="line_id"]').value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "fetch");
      xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { shown.bar.value = Math.round(event.loaded * 100 / event.total); }
      });
      xhr.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = {}; }
        if (xhr.status === 201 && answer.photos) {
          shown.bar.value = 100;
          shown.state.className = "photo-progress-state text-success";
          shown.state.textContent = "✓";
          answer.photos.forEach(function (p) {
            addCards(gallery, p.html);
            if (p.line_id) { addMini(p.line_id, p.mini); }
          });
        } else {
          shown.state.className = "photo-progress-state text-danger";
          shown.state.textContent = (answer.errors || [xhr.statusText]).join(" ");
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        shown.state.className = "photo-progress-state text-danger";
        shown.state.textContent = "✗";
        resolve();
      });
      xhr.send(data);
    });
  }

  document.querySelectorAll("form[data-photo-upload]").forEach(function (form) {
    var gallery = document.querySelector("[data-photo-gallery]");
    var list = form.querySelector("[data-photo-progress]");
    if (!gallery || !list || !window.FormData || !window.XMLHttpRequest) { return; }
    var inputs = form.querySelectorAll('input[type="file"]');

    function upload(files) {
      var chain = Promise.resolve();
      Array.prototype.forEach.call(files, function (file) {
        chain = chain.then(function () { return send(form, file, gallery, list); });
      });
      return chain.then(function () { inputs.forEach(function (input) { input.value = ""; }); });
    }

    // the camera sends what it took at once; the picker waits for the Upload button
    var camera = form.querySelector("#photo-camera");
    if (camera) { camera.addEventListener("change", function () { upload(camera.files); }); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var files = [];
      inputs.forEach(function (input) { Array.prototype.push.apply(files, input.files || []); });
      if (files.length) { upload(files); }
    });
  });

  // a delete in the gallery, in place too (the confirmation is portal.js's data-confirm)
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.photo-delete");
    if (!form || event.defaultPrevented) { return; }
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
    xhr.addEventListener("load", function () {
      var card = form.closest(".photo-card");
      if (xhr.status === 200 && card) { card.remove(); }
    });
    xhr.send(new FormData(form));
  });

  // the large view: a thumbnail opens the full image in a dialog (a new tab without script)
  var dialog = null;
  function viewer() {
    if (dialog) { return dialog; }
    dialog = document.createElement("dialog");
    dialog.className = "photo-dialog p-0 border-0 rounded";
    dialog.style.maxWidth = "96vw";
    dialog.style.maxHeight = "96vh";
    var close = document.createElement("form");
    close.method = "dialog";
    close.className = "text-end p-1";
    var button = document.createElement("button");
    button.className = "btn btn-sm btn-light";
    button.type = "submit";
    button.textContent = "×";
    button.setAttribute("aria-label", document.documentElement.lang === "en" ? "Close" : "关闭");
    close.appendChild(button);
    var img = document.createElement("img");
    img.className = "d-block photo-dialog-image";
    img.style.maxWidth = "92vw";
    img.style.maxHeight = "85vh";
    dialog.appendChild(close);
    dialog.appendChild(img);
    dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
    document.body.appendChild(dialog);
    return dialog;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.photo-open");
    if (!link || !link.querySelector("img") || typeof HTMLDialogElement === "undefined") { return; }
    event.preventDefault();
    var view = viewer();
    var img = view.querySelector("img");
    img.src = link.href;
    img.alt = link.querySelector("img").alt;
    view.showModal();
  });
})();
