// Forms that make something or send mail must not go off by accident.
//
// Enter: in a one-line field a browser submits the form, so Enter after a comment on the
// new-event form convened the startgrupp with half the form empty. In a form marked
// data-no-enter-submit, Enter in a field does nothing; a textarea keeps it for new lines,
// and a focused button still submits.
//
// Second click: a form posted the classic way has its submit buttons disabled until the
// next page, so a second click during a slow save sends nothing. (htmx forms use
// hx-disabled-elt; the server also refuses a second post of the same form,
// events.submissions.)
(function () {
  "use strict";
  var BUTTONS = ["submit", "image", "button", "reset"];

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    var field = event.target;
    if (!(field instanceof HTMLInputElement) || !field.form) return;
    if (!field.form.hasAttribute("data-no-enter-submit")) return;
    if (BUTTONS.indexOf(field.type) !== -1) return;
    event.preventDefault();
  });

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "submit" || element.type === "image";
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // htmx has taken this submit over (and prevented it): hx-disabled-elt handles it.
    if (event.defaultPrevented || form.method !== "post") return;
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    // Not at once: the browser reads the form after this handler, and a disabled button's
    // name and value would not be sent.
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) { button.disabled = true; });
    }, 0);
  });

  // Back to a page the browser kept: its forms can be sent again (the server tells a
  // second post of a form it has already saved).
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      submitButtons(form).forEach(function (button) { button.disabled = false; });
    });
  });
})();
