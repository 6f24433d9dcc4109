// Progress for the admin's "retrain model" form: the training runs inside the POST request
// (a few seconds), so show that it is running and for how long. Without JavaScript the
// browser's own loading indicator does this job.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("retrain-form");
  var progress = document.getElementById("retrain-progress");
  var elapsed = document.getElementById("retrain-elapsed");
  if (!form || !progress) {
    return;
  }
  form.addEventListener("submit", function () {
    var expected = parseInt(form.dataset.expectedSeconds || "10", 10);
    var started = Date.now();
    progress.hidden = false;
    form.querySelectorAll("input[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
    window.setInterval(function () {
      var seconds = Math.round((Date.now() - started) / 1000);
      elapsed.textContent = seconds + " s / ~" + expected + " s";
    }, 1000);
  });
});
