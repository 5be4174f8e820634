/* Tierflow's only script (strict CSP: a file, no inline code). Pages work without it; it moves focus the way
   the GOV.UK error summary does, so a keyboard or screen-reader user lands on what went wrong. */
(function () {
  "use strict";

  var ERROR_PREFIX_ATTR = "data-error-title-prefix";

  function labelFor(control) {
    if (control.id) {
      var label = document.querySelector('label[for="' + control.id + '"]');
      if (label) { return label; }
    }
    var fieldset = control.closest("fieldset");
    return fieldset ? fieldset.querySelector("legend") : null;
  }

  // Focus the field and scroll so its label (or legend) sits at the top: on a phone the control is then in view too.
  function focusControl(id) {
    var control = document.getElementById(id);
    if (!control) { return false; }
    var label = labelFor(control);
    (label || control).scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
    return true;
  }

  function prefixTitle(summary) {
    var prefix = summary.getAttribute(ERROR_PREFIX_ATTR) || document.documentElement.getAttribute(ERROR_PREFIX_ATTR) || "Error:";
    if (document.title.indexOf(prefix) !== 0) { document.title = prefix + " " + document.title; }
  }

  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      prefixTitle(summary);  // the server prefixes it too; this covers a page that has not said so
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (link && focusControl(link.getAttribute("href").slice(1))) { event.preventDefault(); }
      });
      return;
    }
    // A refused decision comes back as a message after the redirect: say it first.
    var refusal = document.querySelector(".messages .error");
    if (refusal) {
      var box = refusal.closest(".messages");
      box.setAttribute("tabindex", "-1");
      box.focus();
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
