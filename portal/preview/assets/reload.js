// Preview only (never in a built site): reload the page when the next build is done.
(function () {
  "use strict";
  var script = document.querySelector("script[data-generation]");
  var generation = script ? script.getAttribute("data-generation") : "";
  function poll() {
    fetch("/__preview/wait?since=" + encodeURIComponent(generation), { cache: "no-store" })
      .then(function (reply) { return reply.json(); })
      .then(function (state) {
        if (state.generation !== generation) {
          window.location.reload();
        } else {
          poll();
        }
      })
      .catch(function () { window.setTimeout(poll, 1000); });  // the preview was stopped: retry
  }
  poll();
})();
