/* Booking Links widget helper for the business's own site (optional).
 * Add after the iframe snippet:  <script src="https://<booking host>/static/js/embed.js" defer></script>
 * It grows each booking iframe to fit its content, so the page scrolls, not the frame. */
(function () {
  "use strict";
  var origin = new URL(document.currentScript.src).origin;
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.type !== "booking-links:resize") return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        var height = Math.max(320, Math.min(Number(event.data.height) || 0, 20000));
        frames[i].style.height = height + "px";
      }
    }
  });
})();
