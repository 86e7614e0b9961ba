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
