// The admin's background tasks (retraining, a large import, calibration). The work runs in the background
// worker, not in the request:
// - on a task's form, the button is disabled once sent, so a double click queues nothing twice;
// - on its status page, the status is fetched again every few seconds while the task waits or runs, and only
//   the status region (role=status) and the links below it are replaced: the region announces what changed, and
//   focus stays where it is. The page reloaded itself, which put focus back to the top every two seconds and made
//   a screen reader start over (an accessibility review). Without JavaScript, its "Refresh" link reloads it.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("retrain-form");
  if (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    });
  }

  function replace(current, fresh) {
    if (current && fresh && current.innerHTML !== fresh.innerHTML) {
      current.innerHTML = fresh.innerHTML;
    }
  }

  function poll() {
    var status = document.getElementById("retrain-status");
    if (!status || !status.dataset.reloadSeconds) {
      return;
    }
    var seconds = parseInt(status.dataset.reloadSeconds, 10) || 2;
    window.setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("retrain-status");
          if (!fresh) {
            window.location.reload(); // another page (a login after the session ended): show it
            return;
          }
          replace(status, fresh);
          replace(document.getElementById("retrain-links"), page.getElementById("retrain-links"));
          status.dataset.status = fresh.dataset.status || "";
          if (fresh.dataset.reloadSeconds) {
            status.dataset.reloadSeconds = fresh.dataset.reloadSeconds;
          } else {
            delete status.dataset.reloadSeconds; // finished
          }
          poll();
        })
        .catch(function () {
          poll(); // the server did not answer this time: ask again
        });
    }, seconds * 1000);
  }
  poll();
});
