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
});
// A page reached with #<tab pane> (a change on the claim's partners tab comes back to
// /claims/<no>#partners) opens that tab, not the first one.
(function () {
  if (!location.hash || !window.bootstrap) return;
  const tab = document.querySelector('[data-bs-toggle="tab"][data-bs-target="' + CSS.escape(location.hash) + '"]');
  if (tab) { window.bootstrap.Tab.getOrCreateInstance(tab).show(); }
})();
