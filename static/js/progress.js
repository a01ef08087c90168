// Pages of background jobs and the forms that start them: the bar starts where the job
// is, a counter of seconds shows the page is alive between two reports of progress, and a
// form that starts a job cannot be sent twice by a second tap.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-progress]").forEach(function (bar) {
    var holder = bar.closest("[aria-valuenow]");
    var value = holder ? parseInt(holder.getAttribute("aria-valuenow"), 10) || 0 : 0;
    bar.style.width = Math.max(value, 3) + "%";
  });
  var elapsed = document.querySelector("[data-elapsed]");
  if (elapsed) {
    var started = Date.now();
    var tick = function () {
      var seconds = Math.round((Date.now() - started) / 1000);
      elapsed.textContent = elapsed.dataset.elapsedText.replace("{s}", seconds);
    };
    tick();
    window.setInterval(tick, 1000);
  }
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-busy", "true");
        if (form.dataset.once) { button.textContent = form.dataset.once; }
      });
    });
  });
});
