// Keeps a job page's progress bar up to date: asks progress.json once a second until the job ends.
// Without JavaScript the page offers a Refresh link instead.
(function () {
  "use strict";

  var TAG_CLASSES = {
    queued: "govuk-tag--grey",
    running: "govuk-tag--blue",
    succeeded: "govuk-tag--green",
    failed: "govuk-tag--red",
    cancelled: "govuk-tag--yellow",
    stalled: "govuk-tag--orange"
  };
  var INTERVAL_MS = 1000;

  var root = document.getElementById("job-progress");
  if (!root || root.getAttribute("data-is-finished") === "true" || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-progress-url");
  var bar = document.getElementById("job-progress-bar");
  var text = document.getElementById("job-progress-text");
  var message = document.getElementById("job-message");
  var status = document.getElementById("job-status");
  var refresh = document.getElementById("job-refresh");

  function show(progress) {
    bar.max = progress.bar_max;
    if (progress.bar_value === null) {
      bar.removeAttribute("value");
    } else {
      bar.value = progress.bar_value;
    }
    bar.textContent = progress.text;
    if (text.textContent !== progress.text) {
      text.textContent = progress.text;
    }
    message.textContent = progress.message;
    status.textContent = progress.status_label;
    status.className = "govuk-tag " + (TAG_CLASSES[progress.status] || "");
  }

  function stopWithRefreshHint(reason) {
    if (refresh) {
      refresh.textContent = reason + " ";
      var link = document.createElement("a");
      link.className = "govuk-link";
      link.href = window.location.href;
      link.textContent = "Refresh the page";
      refresh.appendChild(link);
    }
  }

  function poll() {
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, redirect: "error" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (progress.is_finished) {
          // The finished page shows the result (or the error): load it.
          window.location.reload();
        } else {
          window.setTimeout(poll, INTERVAL_MS);
        }
      })
      .catch(function () {
        stopWithRefreshHint("The progress bar has stopped updating.");
      });
  }

  if (refresh) {
    refresh.textContent = "This page updates by itself every second.";
  }
  window.setTimeout(poll, INTERVAL_MS);
})();
