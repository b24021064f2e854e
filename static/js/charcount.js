// How much of a field's limit is used, shown while typing near it: a field marked
// data-max-chars. The server refuses a longer text with the same count, keeping it in the
// field; a `maxlength` would instead have the browser cut a longer paste without a word.
// data-count="utf16" counts as Excel's cell limit does (an emoji is two), otherwise as the
// database counts characters. Delegated from the document, so forms swapped in by htmx
// count too.
(function () {
  "use strict";
  var NEAR = 0.8;

  function swedish(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  }

  function length(field) {
    var text = field.value;
    return field.dataset.count === "utf16" ? text.length : Array.from(text).length;
  }

  function show(field) {
    var max = Number(field.dataset.maxChars);
    var n = length(field);
    var id = field.id + "_count";
    var out = document.getElementById(id);
    if (n < max * NEAR) {
      if (out) out.textContent = "";
      return;
    }
    if (!out) {
      out = document.createElement("p");
      out.id = id;
      out.className = "help char-count";
      out.setAttribute("aria-live", "polite");
      field.insertAdjacentElement("afterend", out);
    }
    out.textContent =
      n > max
        ? "Texten är " + swedish(n) + " tecken, högst " + swedish(max) + " får plats: korta den med " + swedish(n - max) + "."
        : swedish(n) + " av högst " + swedish(max) + " tecken.";
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.dataset && field.dataset.maxChars) show(field);
  });
})();
