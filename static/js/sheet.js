// Live updates of the bedömningsmall: ask every half second whether the sheet's change
// counter has moved (the server answers 204 while it has not) and put each changed row in
// its place. A row the user is editing is never replaced: they get a notice instead, and
// their save is checked against the version (the server shows both texts on a conflict).
//
// The poll never leaves the page while something typed is unsaved (answers.js): when the
// session has ended it pauses and says so, and a sheet too far behind to update row by row
// is reloaded only once nothing typed would be lost. It asks like htmx does (HX-Request,
// HX-Current-URL), so the server answers an ended session the same way for both.
(function () {
  "use strict";
  var sheet = document.getElementById("sheet");
  if (!sheet) return;
  var url = sheet.dataset.changesUrl;
  var counter = Number(sheet.dataset.counter);
  var showRemoved = sheet.dataset.showRemoved === "1";
  var live = document.getElementById("live-status");
  var answers = window.norsjoAnswers;
  var busy = false;
  var behindShown = false;
  var INTERVAL_MS = 500;

  function place(tr) {
    var old = document.getElementById(tr.id);
    if (old && old.classList.contains("editing")) {
      if (Number(tr.dataset.version) > Number(old.dataset.version)) {
        var notice = old.querySelector(".row-notice");
        if (notice) {
          notice.textContent = "Någon annan har just ändrat den här raden. " +
            "När du sparar får du se båda versionerna och välja.";
        }
      }
      return;
    }
    if (old && old.dataset.version === tr.dataset.version &&
        old.dataset.order === tr.dataset.order && old.className === tr.className) {
      return;
    }
    var hadFocus = old && old.contains(document.activeElement);
    if (old) old.remove();
    if (tr.classList.contains("removed") && !showRemoved) return;
    var body = document.getElementById("tbody-" + tr.dataset.section);
    if (!body) return;
    var next = null;
    for (var i = 0; i < body.children.length; i++) {
      if (body.children[i].dataset.order > tr.dataset.order) { next = body.children[i]; break; }
    }
    body.insertBefore(tr, next);
    if (window.htmx) window.htmx.process(tr);
    tr.classList.add("just-changed");
    setTimeout(function () { tr.classList.remove("just-changed"); }, 2000);
    if (hadFocus) {
      var link = tr.querySelector("a");
      if (link) link.focus();
    }
  }

  function apply(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var rows = template.content.querySelectorAll("tr");
    for (var i = 0; i < rows.length; i++) place(rows[i]);
    if (rows.length && live) {
      live.textContent = rows.length === 1 ? "En rad uppdaterades." : rows.length + " rader uppdaterades.";
    }
  }

  // Too far behind (205): a reload shows the sheet as it is, but not over unsaved text.
  function behind() {
    if (!answers.unsaved()) {
      window.location.reload();
    } else if (!behindShown) {
      behindShown = true;
      answers.show("Mallen har ändrats mycket medan du skrev. Spara det du skriver: " +
        "sedan laddas sidan om och visar alla ändringar.");
    }
  }

  function poll() {
    if (busy || document.hidden || answers.isSignedOut()) return;
    busy = true;
    fetch(url + "?sedan=" + counter, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { "HX-Request": "true", "HX-Current-URL": window.location.href },
    })
      .then(function (response) {
        if (response.headers.get("X-Signed-Out")) {
          answers.signedOut(response.headers.get("HX-Redirect"));
          return null;
        }
        if (response.status === 205) {
          behind();
          return null;
        }
        if (response.status !== 200) return null;
        var next = Number(response.headers.get("X-Sheet-Counter"));
        return response.text().then(function (html) {
          counter = next;
          apply(html);
        });
      })
      .catch(function () { /* offline for a moment: the next poll catches up */ })
      .then(function () { busy = false; });
  }

  setInterval(poll, INTERVAL_MS);
  document.addEventListener("visibilitychange", poll);
  // After one's own save, add or move, show its effect (e.g. a new row) at once.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) setTimeout(poll, 0);
  });
})();
