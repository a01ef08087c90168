// Forms that do not waste a try. Every form works without this file; with it:
// 1. a submit button is disabled while its request runs (no second tap, no second write),
//    and enabled again when the page comes back (back button) or the request is a download;
// 2. a form with data-toggle-fields shows only the controls of the choice made, e.g.
//    data-toggle-fields='{"target": {"units": ["units"], "branches": ["under"]}}' shows the
//    .field-units block when the radio "target" is "units". The server ignores the others.
(function () {
  "use strict";
  var BUSY = "data-busy";

  function release(button) {
    button.disabled = false;
    button.removeAttribute(BUSY);
    button.removeAttribute("aria-busy");
  }

  function releaseAll() {
    document.querySelectorAll("[" + BUSY + "]").forEach(release);
  }

  // Listened to on the document: the form's own listeners (a confirmation) ran before and
  // may have cancelled the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) { return; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") { return; }
    var buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
    // Disabled after the browser has read the form: a disabled button sends no name/value.
    window.setTimeout(function () {
      buttons.forEach(function (button) {
        if (button.disabled) { return; }
        button.disabled = true;
        button.setAttribute(BUSY, "");
        button.setAttribute("aria-busy", "true");
      });
    }, 0);
    // A download leaves the page in place: give the buttons back after a while.
    window.setTimeout(function () { buttons.forEach(function (b) { if (b.hasAttribute(BUSY)) { release(b); } }); }, 15000);
  });

  // The browser's own checks refused the submit: nothing was sent.
  document.addEventListener("invalid", function (event) {
    var form = event.target.form;
    if (form) { form.querySelectorAll("[" + BUSY + "]").forEach(release); }
  }, true);

  // Back to a page kept in the browser's cache, with its buttons still disabled.
  window.addEventListener("pageshow", releaseAll);

  function setupToggles(form) {
    var spec;
    try { spec = JSON.parse(form.dataset.toggleFields); } catch (e) { return; }
    Object.keys(spec).forEach(function (name) {
      var choices = spec[name];
      var radios = form.querySelectorAll("input[name='" + name + "']");
      var all = {};
      Object.keys(choices).forEach(function (value) {
        choices[value].forEach(function (field) { all[field] = true; });
      });
      function apply() {
        var chosen = form.querySelector("input[name='" + name + "']:checked");
        var shown = chosen ? choices[chosen.value] || [] : [];
        Object.keys(all).forEach(function (field) {
          var block = form.querySelector(".field-" + field);
          if (!block) { return; }
          var on = shown.indexOf(field) !== -1;
          block.hidden = !on;
          block.querySelectorAll("input, select, textarea").forEach(function (control) {
            control.disabled = !on;
            if (control.hasAttribute("data-required-when-shown")) { control.required = on; }
          });
        });
      }
      radios.forEach(function (radio) { radio.addEventListener("change", apply); });
      apply();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-toggle-fields]").forEach(setupToggles);
  });
})();
