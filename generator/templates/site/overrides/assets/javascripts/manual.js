/* The manual's own script on top of Material's: a form page prints on one sheet.
   Before printing, the form is laid out at the width of the printed sheet (data-print-width, mm) and,
   when it would run over the sheet's height (data-print-height, mm), scaled down to fit it. */
(function () {
  var MM = 96 / 25.4;
  function form() { return document.querySelector(".form-sheet[data-print-width] .mform"); }
  function fit() {
    var f = form();
    if (!f) return;
    var sheet = f.closest(".form-sheet");
    var width = +sheet.dataset.printWidth * MM, height = +sheet.dataset.printHeight * MM;
    f.style.zoom = "";
    f.style.width = width + "px";
    f.style.maxWidth = "none";
    var needed = f.getBoundingClientRect().height;
    f.style.width = "";
    f.style.maxWidth = "";
    if (needed > height) f.style.zoom = String(Math.floor(height / needed * 97) / 100);
  }
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", function () { var f = form(); if (f) f.style.zoom = ""; });
})();

/* On a phone, a table wider than the page becomes a stack of cards, each cell named by its column (as the
   sign-off and revision tables are built): no column is cut or scrolled out of sight, whatever the manual's
   tables hold.  Forms keep their own grid. */
(function () {
  var narrow = window.matchMedia("(max-width: 44.9375em)");
  var boxes = [];
  document.querySelectorAll("article table").forEach(function (table) {
    if (table.closest(".stack-table, .form-fragment, .mform, .diagram")) return;
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (cell, i) {
        if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[i] || "");
      });
    });
    var inner = table.closest(".md-typeset__scrollwrap") || table;
    var box = document.createElement("div");
    box.className = "stack-auto";
    inner.parentNode.insertBefore(box, inner);
    box.appendChild(inner);
    boxes.push([box, table]);
  });
  function layout() {
    boxes.forEach(function (pair) {
      pair[0].classList.remove("stack-table");
      if (narrow.matches && pair[1].getBoundingClientRect().width > pair[0].clientWidth + 1) {
        pair[0].classList.add("stack-table");
      }
    });
  }
  layout();
  // Material wraps the tables and the web fonts arrive after this script: measure again once they are in.
  window.addEventListener("load", layout);
  if (document.fonts) document.fonts.ready.then(layout);
  setTimeout(layout, 0);
  narrow.addEventListener("change", layout);
  window.addEventListener("resize", layout);
})();
