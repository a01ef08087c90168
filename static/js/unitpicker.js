// A unit list that can be searched: a search box above each select[data-unit-picker]
// (its value is the box's label) keeps only the units whose name or code holds what is
// typed; with one unit left, a one-choice list picks it. Without this file the plain
// select works as it is.
(function () {
  "use strict";
  function setup(select) {
    var options = Array.prototype.slice.call(select.options);
    var box = document.createElement("input");
    box.type = "search";
    box.id = (select.id || "unit-picker") + "-search";
    box.className = "form-control form-control-sm mb-1 unit-picker-search";
    box.placeholder = select.dataset.unitPicker;
    box.setAttribute("aria-label", select.dataset.unitPicker);
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    var count = document.createElement("div");
    count.className = "visually-hidden";
    count.setAttribute("aria-live", "polite");
    count.id = box.id + "-count";
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(count, select.nextSibling);

    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var kept = [];
      // Chosen units stay in the list (a removed option would not be sent).
      options.forEach(function (option) {
        var text = (option.text + " " + option.value).toLowerCase();
        var match = option.value === "" || option.selected ||
          words.every(function (w) { return text.indexOf(w) !== -1; });
        if (match) { kept.push(option); }
      });
      while (select.firstChild) { select.removeChild(select.firstChild); }
      kept.forEach(function (option) { select.appendChild(option); });
      var units = kept.filter(function (o) { return o.value !== ""; });
      count.textContent = String(units.length);
      if (!select.multiple && words.length && units.length === 1 && !units[0].selected) {
        units[0].selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    // Enter in the search box must not send the form.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); select.focus(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-unit-picker]").forEach(setup);
  });
})();
