// Shows how long the launch session lasts, asking the API with the session header:
// the same way every later page calls Peerlearn without cookies.
(function () {
  "use strict";
  var address = document.querySelector('meta[name="peerlearn-address"]');
  if (address && window.location.pathname + window.location.search !== address.content) {
    // Right after a launch the address is the launch's POST target; a reload must not
    // post the (single-use) launch again.
    window.history.replaceState(null, "", address.content);
  }
  var meta = document.querySelector('meta[name="peerlearn-session"]');
  var status = document.getElementById("session-status");
  if (!meta || !status) { return; }
  fetch("/api/session", { headers: { "X-Peerlearn-Session": meta.content, "Accept": "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (data) {
      var minutes = Math.max(0, Math.round((data.expires_at * 1000 - Date.now()) / 60000));
      status.textContent = "Session active for " + data.name + " (" + data.role + "), about " + minutes + " minutes left.";
      status.dataset.checked = "ok";
    })
    .catch(function () {
      status.textContent = "Your session has ended: reopen the activity from your course.";
      status.dataset.checked = "expired";
    });
})();
