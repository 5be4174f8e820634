/* Starts ReDoc from a file (no inline script); its run-time <style> elements carry the response's CSP nonce. */
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  Redoc.init(container.getAttribute("data-schema-url"), { nonce: container.getAttribute("data-style-nonce") }, container);
})();
