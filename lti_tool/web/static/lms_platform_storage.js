// LTI Platform Storage, platform side, for the demo LMS's course page (the tool frame's
// parent): answers lti.capabilities, lti.put_data and lti.get_data from the tool's origin
// only, keeps values per tool origin in this tab's sessionStorage, and answers the
// sending window with the tool's origin as targetOrigin.
(function () {
  "use strict";
  var script = document.currentScript;
  var toolOrigin = script && script.dataset.toolOrigin;
  if (!toolOrigin) { return; }
  var MAX_KEY = 1024, MAX_VALUE = 4096;
  var memory = {};  // where sessionStorage is not available

  function storeKey(origin, key) { return "lti-storage\n" + origin + "\n" + key; }

  function save(origin, key, value) {
    try { window.sessionStorage.setItem(storeKey(origin, key), value); }
    catch (error) { memory[storeKey(origin, key)] = value; }
  }

  function load(origin, key) {
    try {
      var found = window.sessionStorage.getItem(storeKey(origin, key));
      if (found !== null) { return found; }
    } catch (error) { /* fall through to memory */ }
    return Object.prototype.hasOwnProperty.call(memory, storeKey(origin, key)) ? memory[storeKey(origin, key)] : null;
  }

  function logged(subject, outcome) {
    var log = document.getElementById("lti-storage-log");
    if (!log) { return; }
    var item = document.createElement("li");
    item.textContent = subject + ": " + outcome;
    item.dataset.subject = subject;
    item.dataset.outcome = outcome;
    log.appendChild(item);
  }

  function badKey(key) { return typeof key !== "string" || key.length === 0 || key.length > MAX_KEY; }

  window.addEventListener("message", function (event) {
    if (event.origin !== toolOrigin) { return; }  // only the registered tool may use it
    var message = event.data;
    if (!message || typeof message !== "object" || typeof message.subject !== "string") { return; }
    if (message.subject.slice(-9) === ".response") { return; }
    var reply = { subject: message.subject + ".response", message_id: message.message_id };
    switch (message.subject) {
      case "lti.capabilities":
        reply.supported_messages = [
          { subject: "lti.capabilities" },
          { subject: "lti.put_data" },
          { subject: "lti.get_data" }
        ];
        break;
      case "lti.put_data":
        if (badKey(message.key) || typeof message.value !== "string" || message.value.length > MAX_VALUE) {
          reply.error = { code: "bad_request", message: "key and value must be strings of sensible size" };
        } else {
          save(event.origin, message.key, message.value);
          reply.key = message.key;
          reply.value = message.value;
        }
        break;
      case "lti.get_data":
        var value = badKey(message.key) ? null : load(event.origin, message.key);
        if (value === null) {
          reply.error = { code: "bad_request", message: "no value stored under this key" };
        } else {
          reply.key = message.key;
          reply.value = value;
        }
        break;
      default:
        reply.error = { code: "unsupported_subject", message: "not supported: " + message.subject };
    }
    logged(message.subject, reply.error ? reply.error.code : "ok");
    if (event.source) { event.source.postMessage(reply, toolOrigin); }
  });
})();
