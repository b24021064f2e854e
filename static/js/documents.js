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
      var file = input.files[0];
      if (file && file.size > Number(input.dataset.maxBytes)) {
        // Said now, not after an upload of minutes that the server would refuse.
        chosen.textContent = "Filen " + file.name + " är " +
          (file.size / 1048576).toFixed(1).replace(".", ",") + " MB; högst " +
          input.dataset.maxMb + " MB tas emot. Välj en mindre fil.";
        input.value = "";
        return;
      }
      chosen.textContent = file ? "Vald fil: " + file.name : "";
    }

    zone.addEventListener("dragover", function (event) {
      if (carriesFiles(event)) {
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

  function carriesFiles(event) {
    return event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0;
  }

  var zones = document.querySelectorAll("[data-drop-zone]");
  zones.forEach(setUp);
  if (zones.length) {
    // A file dropped just beside the zone would otherwise be opened by the browser in
    // place of this page, and what was typed in the form lost. Only on a page with a
    // zone; the zone's own listeners run first and handle a drop on it.
    document.addEventListener("dragover", function (event) {
      if (carriesFiles(event) && !event.defaultPrevented) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "none";
      }
    });
    document.addEventListener("drop", function (event) {
      if (carriesFiles(event)) {
        event.preventDefault();
      }
    });
  }
})();
