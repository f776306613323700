// LTI Platform Storage, tool side (1EdTech "Client Side postMessages" and "postMessage
// Storage"): keeps the OIDC state and nonce in the platform's window when this frame may
// not keep cookies (data-mode="put", at login), and reads them back (data-mode="get", at
// launch). Messages go to the platform's origin only, never "*", and only answers from
// that origin carrying the message_id we sent are read.
(function () {
  "use strict";
  var root = document.getElementById("platform-storage");
  if (!root) { return; }
  var data = root.dataset;
  var platformOrigin = data.platformOrigin;
  var CAPABILITIES_MS = 1500;  // a platform that does not answer by then does not support it
  var DATA_MS = 3000;
  var sent = 0;
  var prefix = "peerlearn-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);

  function frameNamed(name) {
    if (window.parent === window) { return null; }
    if (!name || name === "_parent") { return window.parent; }
    try { return window.parent.frames[name] || null; } catch (error) { return null; }
  }

  function ask(target, subject, fields, timeoutMs) {
    return new Promise(function (resolve, reject) {
      var messageId = prefix + "-" + (++sent);
      var timer = setTimeout(function () { done(); reject(new Error(subject + ": no answer")); }, timeoutMs);
      function done() { clearTimeout(timer); window.removeEventListener("message", listen); }
      function listen(event) {
        var answer = event.data;
        if (event.origin !== platformOrigin || !answer || typeof answer !== "object") { return; }
        if (answer.message_id !== messageId || answer.subject !== subject + ".response") { return; }
        done();
        if (answer.error) { reject(new Error(subject + ": " + (answer.error.code || "error"))); }
        else { resolve(answer); }
      }
      window.addEventListener("message", listen);
      var message = { subject: subject, message_id: messageId };
      Object.keys(fields).forEach(function (name) { message[name] = fields[name]; });
      try { target.postMessage(message, platformOrigin); } catch (error) { done(); reject(error); }
    });
  }

  // lti.capabilities tells whether put_data and get_data are there, and in which frame.
  function storageFrames() {
    var target = frameNamed(data.target);
    if (!target || !platformOrigin) { return Promise.reject(new Error("no platform frame")); }
    return ask(target, "lti.capabilities", {}, CAPABILITIES_MS).then(function (answer) {
      var frames = {};
      (Array.isArray(answer.supported_messages) ? answer.supported_messages : []).forEach(function (entry) {
        if (entry && (entry.subject === "lti.put_data" || entry.subject === "lti.get_data")) {
          frames[entry.subject] = typeof entry.frame === "string" && entry.frame ? frameNamed(entry.frame) : target;
        }
      });
      if (!frames["lti.put_data"] || !frames["lti.get_data"]) {
        throw new Error("platform storage not supported");
      }
      return frames;
    });
  }

  function put(frames, key, value) {
    return ask(frames["lti.put_data"], "lti.put_data", { key: key, value: value }, DATA_MS);
  }

  function get(frames, key) {
    return ask(frames["lti.get_data"], "lti.get_data", { key: key }, DATA_MS).then(function (answer) {
      if (answer.key !== key || typeof answer.value !== "string") { throw new Error("no value for " + key); }
      return answer.value;
    });
  }

  function goOn() { window.location.replace(data.next); }

  if (data.mode === "put") {
    // Whatever fails, the login goes on: its cookie was set with this page.
    storageFrames()
      .then(function (frames) {
        return put(frames, data.stateKey, data.state).then(function () {
          return put(frames, data.nonceKey, data.nonce);
        });
      })
      .then(function () { root.dataset.stored = "platform"; }, function () { root.dataset.stored = "cookie"; })
      .then(goOn);
  } else if (data.mode === "get") {
    var form = document.getElementById("storage-launch");
    storageFrames()
      .then(function (frames) {
        return get(frames, data.stateKey).then(function (state) {
          return get(frames, data.nonceKey).then(function (nonce) { return [state, nonce]; });
        });
      })
      .then(function (values) {
        form.querySelector("[data-stored='state']").value = values[0];
        form.querySelector("[data-stored='nonce']").value = values[1];
        form.submit();
      })
      .catch(function () {
        document.getElementById("storage-progress").hidden = true;
        document.getElementById("storage-failed").hidden = false;
        root.dataset.failed = "1";
      });
  }
})();
