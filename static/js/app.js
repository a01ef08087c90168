// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // Forms that ask for a confirmation before a one-click action.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  // Pages that follow a background job reload themselves until it ends.
  var poll = document.querySelector("[data-poll-url]");
  if (poll) {
    var timer = window.setInterval(function () {
      fetch(poll.dataset.pollUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var bar = document.querySelector("[data-progress]");
          if (bar && data.progress !== undefined) {
            bar.style.width = data.progress + "%";
            bar.setAttribute("aria-valuenow", data.progress);
            bar.textContent = data.progress + "%";
          }
          if (data.done) { window.clearInterval(timer); window.location.reload(); }
        });
    }, 1500);
  }
});
