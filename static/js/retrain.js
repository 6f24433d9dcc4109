// The admin's background tasks (retraining, a large import, calibration). The work runs in the background
// worker, not in the request:
// - on a task's form, the button is disabled once sent, so a double click queues nothing twice;
// - on its status page, the page is fetched again every few seconds while the task waits or runs, and its status,
//   links, heading and title are replaced in place, so focus stays where it is (the page reloaded itself, which put
//   focus back to the top every two seconds and made a screen reader start over; an accessibility review). Only a
//   change of the task's state is announced (#retrain-announce, role=status): its counters ("Rows done: 40 of 600")
//   change on every round and would be read out every two seconds. A 4xx (the task gone, the session ended) shows
//   that page. Without JavaScript, the page's "Refresh" link reloads it.
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

  function announce(page, fresh) {
    var region = document.getElementById("retrain-announce");
    if (!region) {
      return;
    }
    var heading = page.querySelector("#content h1");
    var first = Array.prototype.find.call(fresh.querySelectorAll("p, li"), function (element) {
      return element.textContent.trim() !== "";
    });
    region.textContent = [heading, first]
      .filter(Boolean)
      .map(function (element) {
        return element.textContent.trim();
      })
      .join(". ");
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
          if (response.status >= 400 && response.status < 500) {
            window.location.reload(); // the task gone or the session ended: that page, and no more asking
            return null;
          }
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          if (html === null) {
            return;
          }
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("retrain-status");
          if (!fresh) {
            window.location.reload(); // another page (a login after the session ended): show it
            return;
          }
          var changed = status.dataset.status !== fresh.dataset.status;
          replace(status, fresh);
          replace(document.getElementById("retrain-links"), page.getElementById("retrain-links"));
          replace(document.querySelector("#content h1"), page.querySelector("#content h1"));
          replace(document.querySelector(".breadcrumbs"), page.querySelector(".breadcrumbs"));
          document.title = page.title;
          if (changed) {
            announce(page, fresh);
          }
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
