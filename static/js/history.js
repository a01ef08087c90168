// A record's history is open on a desktop and closed on a phone, where it would fill the
// page; people open it there with one tap.
(function () {
  var wide = window.matchMedia("(min-width: 768px)").matches;
  document.querySelectorAll("details[data-history]").forEach(function (box) {
    if (wide && !box.dataset.seen) { box.open = true; }
    box.dataset.seen = "1";
  });
})();
