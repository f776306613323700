// Ends LTI Dynamic Registration (spec 3.7): tells the LMS that opened this page, in a
// window or an iframe, to close it. Waits for "Done" when there is something to read.
(function () {
  "use strict";
  function close() {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("registration");
    var button = document.getElementById("close-registration");
    if (button) { button.addEventListener("click", close); }
    if (section && section.dataset.autoClose === "true") { close(); }
  });
})();
