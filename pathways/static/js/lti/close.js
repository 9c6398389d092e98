// LTI Dynamic Registration: tell the LMS the registration is done so it closes this
// window or frame (1EdTech LTI-DR: postMessage {subject: "org.imsglobal.lti.close"}).
(function () {
  "use strict";
  function close() {
    var target = window.opener || window.parent;
    if (target && target !== window) {
      target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-lti-close]");
    if (button) {
      button.addEventListener("click", close);
      if (!button.hasAttribute("data-manual")) {
        close();
      }
    }
  });
})();
