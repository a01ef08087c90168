// A unit list shown as a tree that can be searched. Each select[data-unit-picker] (its
// value is the search box's label) gets:
// 1. a search box: typing keeps the units whose name or code holds every word typed, each
//    under the units above it, so the user sees where it sits; with one unit found, a
//    one-choice list picks it;
// 2. a tree of the units (role="tree"), indented by their level (the options' data-level,
//    data-parent, written by core/widgets.py); a unit's own units open and close with the
//    arrow before it, or the Right and Left keys; the first two levels start open (and the
//    way down to a chosen unit). Up/Down move, Home/End jump, Enter or Space chooses (or,
//    in a list of several, ticks and unticks);
// 3. the names chosen, under the tree.
// The select stays in the form (hidden from sight and from screen readers) and holds the
// value; it follows the tree and the tree follows it. Without this file the plain select
// works as it is.
(function () {
  "use strict";
  var made = 0;

  function setup(select) {
    made += 1;
    var base = select.id || "unit-picker-" + made;
    var multiple = select.multiple;
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;

    // 1. The units and their tree, read from the options.
    var nodes = [];
    var byValue = {};
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.value === "") { return; }
      var node = {
        option: option,
        value: option.value,
        name: option.text.replace(/^[\s\u3000]+/, ""),
        parentValue: option.getAttribute("data-parent") || "",
        parent: null,
        children: [],
        open: false,
        searchOpen: false,
        row: null
      };
      nodes.push(node);
      byValue[node.value] = node;
    });
    nodes.forEach(function (node) {
      var parent = byValue[node.parentValue];
      if (parent && parent !== node) { node.parent = parent; parent.children.push(node); }
    });
    var ordered = [];
    (function walk(list, depth) {
      list.forEach(function (node) {
        node.depth = depth;
        ordered.push(node);
        walk(node.children, depth + 1);
      });
    })(nodes.filter(function (n) { return !n.parent; }), 0);

    // 2. The page around the select.
    var box = document.createElement("input");
    box.type = "search";
    box.id = base + "-search";
    box.className = "form-control form-control-sm mb-1 unit-picker-search";
    box.placeholder = select.dataset.unitPicker;
    box.setAttribute("aria-label", select.dataset.unitPicker);
    box.setAttribute("aria-controls", base + "-tree");
    box.autocomplete = "off";

    var tree = document.createElement("div");
    tree.id = base + "-tree";
    tree.className = "unit-picker-tree";
    tree.setAttribute("role", "tree");
    if (multiple) { tree.setAttribute("aria-multiselectable", "true"); }
    if (label) {
      if (!label.id) { label.id = base + "-label"; }
      tree.setAttribute("aria-labelledby", label.id);
      label.removeAttribute("for");  // the label names the tree now
      label.addEventListener("click", function () { focusRow(current()); });
    } else {
      tree.setAttribute("aria-label", select.dataset.unitPicker);
    }
    var describedBy = select.getAttribute("aria-describedby");
    if (describedBy) { tree.setAttribute("aria-describedby", describedBy); }

    var chosen = document.createElement("div");
    chosen.className = "form-text unit-picker-chosen";
    chosen.id = base + "-chosen";
    var error = document.createElement("div");
    error.className = "invalid-feedback unit-picker-error";
    error.setAttribute("role", "alert");
    var count = document.createElement("div");
    count.className = "visually-hidden";
    count.setAttribute("aria-live", "polite");
    count.id = base + "-count";

    ordered.forEach(function (node) {
      var row = document.createElement("div");
      row.id = base + "-unit-" + node.value;
      row.className = "unit-picker-item";
      row.setAttribute("role", "treeitem");
      row.setAttribute("aria-level", String(node.depth + 1));
      row.tabIndex = -1;
      row.style.setProperty("--level", String(node.depth));
      var toggle = document.createElement("span");
      toggle.className = "unit-picker-toggle";
      toggle.setAttribute("aria-hidden", "true");
      var mark = document.createElement("span");
      mark.className = "unit-picker-mark";
      mark.setAttribute("aria-hidden", "true");
      var name = document.createElement("span");
      name.className = "unit-picker-name";
      name.textContent = node.name;
      row.appendChild(toggle);
      row.appendChild(mark);
      row.appendChild(name);
      node.row = row;
      node.toggle = toggle;
      node.mark = mark;
      row.unitNode = node;
      tree.appendChild(row);
    });
    // Siblings' set size and position, for screen readers.
    [nodes.filter(function (n) { return !n.parent; })].concat(nodes.map(function (n) { return n.children; }))
      .forEach(function (siblings) {
        siblings.forEach(function (node, i) {
          node.row.setAttribute("aria-setsize", String(siblings.length));
          node.row.setAttribute("aria-posinset", String(i + 1));
        });
      });

    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(tree, select);
    select.parentNode.insertBefore(chosen, select.nextSibling);
    select.parentNode.insertBefore(error, chosen.nextSibling);
    select.parentNode.insertBefore(count, error.nextSibling);
    select.classList.add("visually-hidden");
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;

    // 3. What is shown.
    var words = [];
    var kept = null;  // while searching: the units found and the units above them
    var focused = null;

    function isOpen(node) { return kept ? node.searchOpen : node.open; }
    function shownChildren(node) {
      return node.children.filter(function (c) { return !kept || kept[c.value]; });
    }
    function isShown(node) {
      if (kept && !kept[node.value]) { return false; }
      for (var p = node.parent; p; p = p.parent) { if (!isOpen(p)) { return false; } }
      return true;
    }
    function visibleRows() { return ordered.filter(isShown); }

    function draw() {
      ordered.forEach(function (node) {
        var shown = isShown(node);
        node.row.hidden = !shown;
        var hasChildren = shownChildren(node).length > 0;
        if (hasChildren) {
          node.row.setAttribute("aria-expanded", isOpen(node) ? "true" : "false");
          node.toggle.textContent = isOpen(node) ? "▾" : "▸";
        } else {
          node.row.removeAttribute("aria-expanded");
          node.toggle.textContent = "";
        }
        var selected = node.option.selected;
        node.row.setAttribute("aria-selected", selected ? "true" : "false");
        node.mark.textContent = multiple ? (selected ? "☑" : "☐") : (selected ? "✓" : "");
        node.row.classList.toggle("unit-picker-found", !!kept && matches(node));
      });
      var names = nodes.filter(function (n) { return n.option.selected; })
        .map(function (n) { return n.name; });
      var prefix = select.dataset.unitPickerChosen || "";
      chosen.textContent = names.length ? prefix + names.join("、") : "";
      var row = current();
      ordered.forEach(function (node) { node.row.tabIndex = node === row ? 0 : -1; });
    }

    // The row that takes the Tab key: the one last focused, else the first chosen, else
    // the first shown.
    function current() {
      if (focused && isShown(focused)) { return focused; }
      var rows = visibleRows();
      var first = rows.filter(function (n) { return n.option.selected; })[0];
      return first || rows[0] || null;
    }
    function focusRow(node) {
      if (!node) { return; }
      focused = node;
      ordered.forEach(function (n) { n.row.tabIndex = n === node ? 0 : -1; });
      node.row.focus();
    }

    function matches(node) {
      var text = node.name.toLowerCase();
      return words.length > 0 && words.every(function (w) { return text.indexOf(w) !== -1; });
    }

    function choose(node) {
      if (multiple) {
        node.option.selected = !node.option.selected;
      } else if (!node.option.selected) {
        node.option.selected = true;
      } else {
        return;
      }
      error.textContent = "";
      draw();
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function setOpen(node, open) {
      if (kept) { node.searchOpen = open; } else { node.open = open; }
      draw();
    }

    function search() {
      words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      if (!words.length) {
        kept = null;
        count.textContent = "";
        draw();
        return;
      }
      kept = {};
      var found = nodes.filter(matches);
      nodes.forEach(function (node) { node.searchOpen = false; });
      found.forEach(function (node) {
        kept[node.value] = true;
        for (var p = node.parent; p; p = p.parent) { kept[p.value] = true; p.searchOpen = true; }
      });
      count.textContent = String(found.length);
      draw();
      if (!multiple && found.length === 1 && !found[0].option.selected) { choose(found[0]); }
    }

    // Start: the first two levels open, and the way down to each chosen unit.
    nodes.forEach(function (node) { node.open = node.depth === 0; });
    nodes.forEach(function (node) {
      if (!node.option.selected) { return; }
      for (var p = node.parent; p; p = p.parent) { p.open = true; }
    });
    draw();

    box.addEventListener("input", search);
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // Enter in the search box must not send the form
        event.preventDefault();
        focusRow(current());
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        var found = visibleRows().filter(matches)[0];
        focusRow(found || current());
      }
    });

    tree.addEventListener("click", function (event) {
      var row = event.target.closest(".unit-picker-item");
      if (!row) { return; }
      var node = row.unitNode;
      if (event.target.closest(".unit-picker-toggle")) {
        if (shownChildren(node).length) { setOpen(node, !isOpen(node)); }
        focusRow(node);
        return;
      }
      focusRow(node);
      choose(node);
    });
    tree.addEventListener("focusin", function (event) {
      var row = event.target.closest(".unit-picker-item");
      if (row) { focused = row.unitNode; }
    });
    tree.addEventListener("keydown", function (event) {
      var row = event.target.closest(".unit-picker-item");
      if (!row) { return; }
      var node = row.unitNode;
      var rows = visibleRows();
      var at = rows.indexOf(node);
      var handled = true;
      switch (event.key) {
        case "ArrowDown": focusRow(rows[at + 1] || node); break;
        case "ArrowUp": focusRow(rows[at - 1] || node); break;
        case "Home": focusRow(rows[0]); break;
        case "End": focusRow(rows[rows.length - 1]); break;
        case "ArrowRight":
          if (shownChildren(node).length && !isOpen(node)) { setOpen(node, true); } else if (isOpen(node)) { focusRow(shownChildren(node)[0]); }
          break;
        case "ArrowLeft":
          if (shownChildren(node).length && isOpen(node)) { setOpen(node, false); } else if (node.parent) { focusRow(node.parent); }
          break;
        case "Enter":
        case " ":
          choose(node);
          break;
        default:
          handled = false;
      }
      if (handled) { event.preventDefault(); }
    });

    // The select changed by another hand (a script, a test): the tree follows.
    select.addEventListener("change", function () {
      nodes.forEach(function (node) {
        if (!node.option.selected) { return; }
        for (var p = node.parent; p; p = p.parent) { p.open = true; }
      });
      draw();
    });
    // The browser refuses an empty required list: say so at the tree, not at the hidden
    // select.
    select.addEventListener("invalid", function (event) {
      event.preventDefault();
      error.textContent = select.validationMessage;
      focusRow(current());
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-unit-picker]").forEach(setup);
  });
})();
