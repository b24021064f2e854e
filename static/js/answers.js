// What the page does with an htmx answer that is not a plain swap. htmx swaps no 4xx or
// 5xx answer and shows nothing, so an action refused for any reason was lost silently;
// and it follows HX-Redirect at once, whatever the user has typed on the page.
//
// - The session has ended (norsjo.middleware.signed_out_response: 204 with HX-Redirect to
//   the login page and X-Signed-Out). A click on a page where nothing is typed goes to the
//   login page, which leads back here. A background poll (hx-trigger "every …", and
//   sheet.js) or a page with unsaved input stays as it is: a notice offers the login in a
//   new tab, and the polls pause until a request of the user's succeeds again.
// - A stale token (norsjo.csrf: 403 with X-CSRFToken): the fresh token goes into every
//   form and into htmx's headers, and the server's text asks to press again. The form was
//   not swapped, so it keeps what was typed.
// - Any other refusal, or no answer at all: a notice that nothing was saved.
//
// sheet.js uses window.norsjoAnswers for its own poll.
(function () {
  "use strict";
  var signedOut = false;
  var notice = null;
  var NOT_FILLED_IN = ["hidden", "submit", "button", "reset", "image"];

  function isPoll(elt) {
    var trigger = (elt && elt.getAttribute && elt.getAttribute("hx-trigger")) || "";
    return /(^|,)\s*every\s/.test(trigger);
  }

  function changed(field) {
    if (field.disabled || NOT_FILLED_IN.indexOf(field.type) !== -1) return false;
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field instanceof HTMLSelectElement) {
      return Array.prototype.some.call(field.options, function (option, index) {
        // A single select without a selected="" shows its first option.
        var chosen = option.defaultSelected ||
          (!field.multiple && index === 0 && !field.querySelector("option[selected]"));
        return option.selected !== chosen;
      });
    }
    return field.value !== field.defaultValue;
  }

  // Whether anything on the page differs from what the server last sent.
  function unsaved() {
    var fields = document.querySelectorAll("input, textarea, select");
    return Array.prototype.some.call(fields, changed);
  }

  function hide() {
    if (notice) notice.remove();
    notice = null;
  }

  // A notice at the foot of the window, seen wherever the page is scrolled, and read out
  // (an alert added to the page). `parts`: strings and {href, text} links to open in a new
  // tab, so that following one loses nothing here.
  function show(parts) {
    hide();
    notice = document.createElement("div");
    notice.className = "page-notice";
    notice.setAttribute("role", "alert");
    var text = document.createElement("p");
    parts.forEach(function (part) {
      if (typeof part === "string") {
        text.append(part);
        return;
      }
      var link = document.createElement("a");
      link.href = part.href;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = part.text;
      text.append(link);
    });
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link-button";
    close.textContent = "Stäng";
    close.addEventListener("click", hide);
    notice.append(text, close);
    document.body.append(notice);
  }

  function toSignedOut(loginUrl) {
    signedOut = true;
    show([
      "Du är utloggad. Det du har skrivit finns kvar på den här sidan: ",
      { href: loginUrl, text: "logga in i en ny flik" },
      ", kom sedan tillbaka hit och spara.",
    ]);
  }

  function renewToken(token) {
    document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) {
      input.value = token;
    });
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
  }

  function refused(status) {
    if (status === 403) return "Du får inte göra det här, så inget sparades.";
    if (status === 404) {
      return "Det du ändrade finns inte längre, eller så har du inte längre tillgång " +
        "till ärendet. Inget sparades.";
    }
    return "Något gick fel hos servern, så inget sparades. Det du skrev finns kvar: " +
      "försök igen om en stund.";
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (signedOut && isPoll(event.detail.elt)) event.preventDefault();
  });

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr.getResponseHeader("X-Signed-Out")) return;
    if (isPoll(event.detail.elt) || unsaved()) {
      event.preventDefault();
      toSignedOut(xhr.getResponseHeader("HX-Redirect"));
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (isPoll(event.detail.elt)) return;
    var token = xhr.getResponseHeader("X-CSRFToken");
    if (token) {
      renewToken(token);
      show([xhr.responseText]);
    } else {
      show([refused(xhr.status)]);
    }
  });

  document.addEventListener("htmx:sendError", function (event) {
    // A poll that misses once catches up at the next.
    if (isPoll(event.detail.elt)) return;
    show(["Servern gick inte att nå, så inget sparades. Det du skrev finns kvar: " +
      "försök igen om en stund."]);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!event.detail.successful || isPoll(event.detail.elt)) return;
    signedOut = false;
    hide();
  });

  window.norsjoAnswers = {
    unsaved: unsaved,
    signedOut: toSignedOut,
    isSignedOut: function () { return signedOut; },
    show: function (text) { show([text]); },
  };
})();
