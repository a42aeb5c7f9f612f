// Price-list upload with a progress bar (XMLHttpRequest upload progress). Without
// script the form posts normally.
(function () {
  const form = document.getElementById("price-upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  form.addEventListener("submit", function (event) {
    const input = form.querySelector("input[type=file]");
    if (!input || !input.files.length) return;
    event.preventDefault();
    const box = document.getElementById(form.getAttribute("data-progress"));
    const bar = box.querySelector(".progress-bar");
    const checking = document.getElementById("upload-checking");
    const button = form.querySelector("button[type=submit]");
    box.classList.remove("d-none");
    button.disabled = true;
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      bar.style.width = pct + "%"; bar.textContent = pct + "%"; box.setAttribute("aria-valuenow", pct);
      if (pct >= 100) checking.classList.remove("d-none");
    });
    xhr.addEventListener("load", function () {
      if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.location.assign(xhr.responseURL);
        return;
      }
      const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      const fresh = doc.getElementById("upload-result");
      const here = document.getElementById("upload-result");
      if (fresh && here) { here.replaceWith(fresh); } else { document.documentElement.innerHTML = doc.documentElement.innerHTML; }
      box.classList.add("d-none"); checking.classList.add("d-none"); button.disabled = false;
      bar.style.width = "0%"; bar.textContent = "0%";
    });
    xhr.addEventListener("error", function () { button.disabled = false; box.classList.add("d-none"); });
    xhr.send(new FormData(form));
  });
})();
