// Drag and drop onto the upload form (templates/documents/document_list.html): a file
// dropped on the zone becomes the file input's choice, and the form is sent as it is
// without this script. Nothing is uploaded until the user presses Registrera.
(function () {
  "use strict";

  function setUp(zone) {
    var input = zone.querySelector('input[type="file"]');
    var hint = zone.querySelector("[data-drop-hint]");
    var chosen = zone.querySelector("[data-drop-chosen]");
    if (!input || typeof DataTransfer === "undefined") {
      return;
    }
    hint.hidden = false;

    function show() {
      chosen.textContent = input.files.length ? "Vald fil: " + input.files[0].name : "";
    }

    zone.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        zone.classList.add("drop-active");
      }
    });
    zone.addEventListener("dragleave", function (event) {
      if (!zone.contains(event.relatedTarget)) {
        zone.classList.remove("drop-active");
      }
    });
    zone.addEventListener("drop", function (event) {
      zone.classList.remove("drop-active");
      if (!event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      event.preventDefault();
      if (event.dataTransfer.files.length > 1) {
        chosen.textContent = "Dra en fil i taget: varje fil registreras som en egen handling.";
        return;
      }
      // The input takes the dropped file as if it had been chosen in the file dialog.
      var transfer = new DataTransfer();
      transfer.items.add(event.dataTransfer.files[0]);
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    input.addEventListener("change", show);
  }

  document.querySelectorAll("[data-drop-zone]").forEach(setUp);
})();
