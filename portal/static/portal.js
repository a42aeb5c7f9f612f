// Small progressive enhancements; every page works without script.
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-fill-target]");
  if (!el) return;
  const target = document.getElementById(el.getAttribute("data-fill-target"));
  if (target) { target.value = el.getAttribute("data-fill-value"); target.dispatchEvent(new Event("change")); event.preventDefault(); }
  // a rule's suggested price is a reduction for that rule's reason (D-2): chosen unless one is already
  const reason = document.getElementById(el.getAttribute("data-fill-reason-target") || "");
  if (reason && !reason.value) { reason.value = el.getAttribute("data-fill-reason"); reason.dispatchEvent(new Event("change")); }
});
// A page reached with #<tab pane> (a change on the claim's partners tab comes back to
// /claims/<no>#partners) opens that tab, not the first one.
(function () {
  if (!location.hash || !window.bootstrap) return;
  const tab = document.querySelector('[data-bs-toggle="tab"][data-bs-target="' + CSS.escape(location.hash) + '"]');
  if (tab) { window.bootstrap.Tab.getOrCreateInstance(tab).show(); }
})();
// A table marked .table-cards shows one card per row on a phone: each cell is labelled with its
// column's header (portal.css); rows added later (the quote editor's new lines) are labelled too.
(function () {
  function label(table) {
    const heads = Array.from(table.querySelectorAll("thead th")).map(function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.from(tr.children).forEach(function (td, i) {
        if (heads[i] && !td.hasAttribute("data-label")) { td.setAttribute("data-label", heads[i]); }
      });
    });
  }
  document.querySelectorAll("table.table-cards").forEach(function (table) {
    label(table);
    table.querySelectorAll("tbody").forEach(function (body) {
      new MutationObserver(function () { label(table); }).observe(body, { childList: true });
    });
  });
})();
// Nothing typed is lost by leaving a long form by mistake (issue 21, item 1): a form of four or
// more fields that was changed and not sent asks before the page is left. A form opts out with
// data-unsaved-warning="off"; a photo sent in place (photos.js) changes nothing here.
(function () {
  const FIELDS = "input:not([type=hidden]):not([type=file]):not([type=submit]):not([type=button]), select, textarea";
  let dirty = null;
  document.querySelectorAll("main form[method=post], main form[method=POST]").forEach(function (form) {
    if (form.getAttribute("data-unsaved-warning") === "off" || form.querySelectorAll(FIELDS).length < 4) return;
    form.setAttribute("data-unsaved-warning", "on");
    const mark = function (event) { if (event.target.closest && event.target.closest(FIELDS)) { dirty = form; } };
    form.addEventListener("input", mark);
    form.addEventListener("change", mark);
    form.addEventListener("submit", function () { if (dirty === form) { dirty = null; } });
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && document.body.contains(dirty)) { event.preventDefault(); event.returnValue = ""; }
  });
})();
// The staff bar keeps one row at any width and in any language (UX review D-11): when its items do
// not fit, the last ones fold into "More" (a group as a header with its items); folded back when
// there is room again, and never on a phone, where the whole menu is collapsed.
(function () {
  const bar = document.querySelector(".portal-navbar > .container-fluid");
  const more = bar && bar.querySelector(".nav-more");
  if (!more) return;
  const list = more.parentElement;
  const menu = more.querySelector(".dropdown-menu");
  const toggler = bar.querySelector(".navbar-toggler");
  const items = Array.from(list.children).filter(function (li) { return li !== more; });
  function entries(li) {
    const group = li.querySelector(":scope > .dropdown-menu");
    if (!group) {
      const link = li.querySelector("a").cloneNode(true);
      link.className = "dropdown-item";
      const item = document.createElement("li");
      item.appendChild(link);
      return [item];
    }
    const head = document.createElement("li");
    head.innerHTML = '<h6 class="dropdown-header"></h6>';
    head.firstChild.textContent = li.querySelector(":scope > a").textContent;
    return [head].concat(Array.from(group.children).map(function (child) { return child.cloneNode(true); }));
  }
  function fold() {
    items.forEach(function (li) { li.hidden = false; });
    menu.replaceChildren();
    more.hidden = true;
    if (toggler && getComputedStyle(toggler).display !== "none") return;   // collapsed: all in the menu
    const overflowing = function () { return bar.scrollWidth > bar.clientWidth + 1; };
    if (!overflowing()) return;
    more.hidden = false;
    const folded = [];
    for (let i = items.length - 1; i > 0 && overflowing(); i--) {
      items[i].hidden = true;
      folded.unshift(items[i]);
    }
    folded.forEach(function (li) { entries(li).forEach(function (e) { menu.appendChild(e); }); });
  }
  let pending = null;
  window.addEventListener("resize", function () { cancelAnimationFrame(pending); pending = requestAnimationFrame(fold); });
  fold();
})();
// A secret shown once (an API key) is copied with its button.
document.addEventListener("click", function (event) {
  const el = event.target.closest("[data-copy-target]");
  const target = el && document.getElementById(el.getAttribute("data-copy-target"));
  if (!target) return;
  target.select();
  const done = function () { el.textContent = el.getAttribute("data-copied") || el.textContent; };
  if (navigator.clipboard) { navigator.clipboard.writeText(target.value).then(done); } else { document.execCommand("copy"); done(); }
});
