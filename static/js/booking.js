/* Booking pages: small progressive enhancements. Everything works without this file.
 * - offers the device's time zone (Intl) when the page shows another one;
 * - after an HTMX swap, moves focus to the first field in error, else the step heading,
 *   and announces the new step to screen readers;
 * - shows a notice when a request fails instead of failing silently. */
(function () {
  "use strict";

  function deviceZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (e) {
      return "";
    }
  }

  function offerZone(root) {
    var offer = root.querySelector("[data-tz-offer]");
    if (!offer) return;
    var zone = deviceZone();
    var select = root.querySelector("#tz-select");
    var known = select && Array.prototype.some.call(select.options, function (o) {
      return o.value === zone;
    });
    if (!zone || !known || zone === offer.getAttribute("data-tz-current")) return;
    var link = offer.querySelector("[data-tz-link]");
    var url = new URL(link.getAttribute("href"), window.location.href);
    new URLSearchParams(window.location.search).forEach(function (value, key) {
      if (key !== "tz") url.searchParams.set(key, value);
    });
    url.searchParams.set("tz", zone);
    link.setAttribute("href", url.pathname + url.search);
    link.textContent = "Show times in " + zone;
    offer.querySelector("[data-tz-name]").textContent = zone;
    if (window.htmx) {
      link.setAttribute("hx-get", url.pathname + url.search);
      window.htmx.process(link);
    }
    offer.hidden = false;
  }

  function focusStep(root) {
    var target = root.querySelector("[aria-invalid='true']") ||
      root.querySelector("#step-heading");
    if (target) target.focus({ preventScroll: false });
    var heading = root.querySelector("#step-heading");
    var live = document.getElementById("status-live");
    if (heading && live) live.textContent = heading.textContent.trim();
  }

  function showError(show) {
    var box = document.querySelector(".net-error");
    if (box) box.hidden = !show;
  }

  // The first field in error has autofocus (no script needed); here: the zone offer.
  document.addEventListener("DOMContentLoaded", function () { offerZone(document); });

  document.addEventListener("htmx:afterSettle", function (event) {
    var step = document.getElementById("step");
    // Only a new step moves focus: a field checked on blur must leave it alone.
    if (!step || event.target !== step) return;
    offerZone(step);
    focusStep(step);
    window.scrollTo({ top: Math.max(0, step.getBoundingClientRect().top + window.scrollY - 16) });
  });

  // In the widget: tell the host page (embed.js) how tall the content is. The body's
  // own box, not the document's scrollHeight: that never drops below the frame's
  // current height, so the frame could grow but never shrink back.
  function reportHeight() {
    if (window.parent === window || !document.body.classList.contains("is-embed")) return;
    var style = window.getComputedStyle(document.body);
    var height = document.body.getBoundingClientRect().height +
      parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    window.parent.postMessage(
      { type: "booking-links:resize", height: Math.ceil(height) }, "*");
  }
  document.addEventListener("DOMContentLoaded", function () {
    reportHeight();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
  });

  document.addEventListener("htmx:beforeRequest", function () { showError(false); });
  document.addEventListener("htmx:responseError", function () { showError(true); });
  document.addEventListener("htmx:sendError", function () { showError(true); });
})();
