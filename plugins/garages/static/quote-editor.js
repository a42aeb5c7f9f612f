// Quote editor (定损报价编辑): add and remove lines, fit each row to its kind, show amounts.
// Progressive enhancement: without script the page still offers empty rows and saves.
(function () {
  "use strict";
  var body = document.getElementById("quote-lines-body");
  var template = document.getElementById("quote-line-template");
  var addButton = document.getElementById("add-line");
  var totalCell = document.getElementById("quote-lines-total");
  if (!body || !template || !addButton) { return; }
  var LABOUR = ["repair", "labor", "paint"];
  var locale = document.documentElement.lang || "zh-CN";

  function number(text) {
    var clean = String(text || "").replace(/[,\s¥，]/g, "");
    if (!/^\d+(\.\d+)?$/.test(clean)) { return null; }
    return Number(clean);
  }
  function money(value) {
    return "¥" + value.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function field(row, name) { return row.querySelector(".line-" + name); }

  function fitKind(row) {
    var kind = row.querySelector(".line-kind").value;
    var quality = field(row, "quality");
    row.setAttribute("data-kind", kind);
    // Only a part has a quality (原厂/同质/回用); it also needs a part number.
    quality.disabled = kind !== "part";
    if (quality.disabled) { quality.value = ""; }
    // A part number only on a part or on a repair line (the part it repairs).
    var partNo = field(row, "part_no");
    partNo.required = kind === "part";
    partNo.disabled = kind !== "part" && kind !== "repair";
    if (partNo.disabled) { partNo.value = ""; }
    field(row, "quantity").placeholder = LABOUR.indexOf(kind) >= 0 ? "h" : "1";
  }

  function refresh() {
    var total = 0;
    body.querySelectorAll("tr.quote-line").forEach(function (row) {
      var qty = number(field(row, "quantity").value);
      var price = number(field(row, "unit_price").value);
      var cell = row.querySelector(".line-amount");
      if (qty !== null && price !== null) {
        var amount = Math.round(qty * price * 100) / 100;
        total += amount;
        cell.textContent = money(amount);
      } else {
        cell.textContent = "";
      }
    });
    if (totalCell) { totalCell.textContent = money(Math.round(total * 100) / 100); }
  }

  function enable(row) {
    var remove = row.querySelector(".remove-line");
    if (remove) { remove.hidden = false; }
    fitKind(row);
  }

  function addLine() {
    var index = Number(body.getAttribute("data-next-index") || body.children.length);
    body.setAttribute("data-next-index", String(index + 1));
    var html = template.innerHTML.replace(/__i__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.querySelector("tr");
    body.appendChild(row);
    enable(row);
    row.querySelector(".line-kind").focus();
    return row;
  }

  body.addEventListener("change", function (event) {
    var row = event.target.closest("tr.quote-line");
    if (row && event.target.classList.contains("line-kind")) { fitKind(row); }
    refresh();
  });
  body.addEventListener("input", refresh);
  body.addEventListener("click", function (event) {
    var button = event.target.closest(".remove-line");
    if (!button) { return; }
    button.closest("tr.quote-line").remove();   // a saved line left out is deleted on save
    if (!body.querySelector("tr.quote-line")) { addLine(); }
    refresh();
  });
  addButton.addEventListener("click", addLine);
  addButton.hidden = false;
  body.querySelectorAll("tr.quote-line").forEach(enable);
  refresh();
}());

// A returned quote: "accept the adjustment" puts the assessor's figures into the line (the
// server does the same on saving); unticking gives back what the garage had typed.
(function () {
  "use strict";
  document.querySelectorAll(".answer-accept input[type=checkbox]").forEach(function (box) {
    var row = box.closest("tr.quote-line");
    if (!row) { return; }
    var qty = row.querySelector(".line-quantity");
    var price = row.querySelector(".line-unit_price");
    var typed = null;
    box.addEventListener("change", function () {
      if (box.checked) {
        typed = [qty.value, price.value];
        qty.value = box.getAttribute("data-approved-quantity");
        price.value = box.getAttribute("data-approved-unit-price");
      } else if (typed) {
        qty.value = typed[0];
        price.value = typed[1];
      }
      qty.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
}());
