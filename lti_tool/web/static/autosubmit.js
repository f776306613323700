// Submits the first form on the page: how an LMS posts an LTI message to a tool.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
});
