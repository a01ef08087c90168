// The review screen: a photo of the evidence opens full size over the page, so the
// reviewer never leaves it; the queue ticks all its rows at once. Without this script the
// photo opens in a new tab and each box is ticked by hand.
document.addEventListener("DOMContentLoaded", function () {
  var viewer = document.getElementById("photo-viewer");
  if (viewer && typeof viewer.showModal === "function") {
    var img = viewer.querySelector("img");
    document.querySelectorAll("[data-full-image]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var thumb = link.querySelector("img");
        img.src = link.dataset.fullImage;
        img.alt = thumb ? thumb.alt : "";
        viewer.showModal();
      });
    });
    viewer.addEventListener("click", function (event) {
      if (event.target === viewer) { viewer.close(); }
    });
  }
  var all = document.getElementById("select-all");
  if (all) {
    var boxes = document.querySelectorAll("input[name=selected]");
    var count = document.querySelector("[data-selected-count]");
    var button = document.querySelector("[data-accept-selected]");
    var refresh = function () {
      var n = document.querySelectorAll("input[name=selected]:checked").length;
      if (count) { count.textContent = n; }
      if (button) { button.disabled = n === 0; }
      all.checked = n > 0 && n === boxes.length;
    };
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
    boxes.forEach(function (box) { box.addEventListener("change", refresh); });
    refresh();
  }
});
