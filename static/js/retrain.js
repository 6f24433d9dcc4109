// The admin's retraining. The training runs in the background worker, not in the request:
// - on the form, the button is disabled once sent, so a double click queues nothing twice;
// - on the status page, the page reloads itself every few seconds while the training waits or
//   runs (without JavaScript, its "Refresh" link does the same).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("retrain-form");
  if (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  }
  var status = document.getElementById("retrain-status");
  if (status && status.dataset.reloadSeconds) {
    var seconds = parseInt(status.dataset.reloadSeconds, 10) || 2;
    window.setTimeout(function () {
      window.location.reload();
    }, seconds * 1000);
  }
});
