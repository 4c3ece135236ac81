/* Booking pages: small progressive enhancements. Everything works without this file.
 * - shows times in the device's time zone (Intl) straight away, or offers it when the
 *   client chose another; filters the zone picker as they type;
 * - after an HTMX swap, moves focus to the first field in error, else the step heading,
 *   and announces the new step to screen readers;
 * - in the widget, tells the host page (embed.js) its height, its step and a booking;
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

  function zoneUrl(href, zone) {
    var url = new URL(href, window.location.href);
    new URLSearchParams(window.location.search).forEach(function (value, key) {
      if (key !== "tz") url.searchParams.set(key, value);
    });
    url.searchParams.set("tz", zone);
    return url.pathname + url.search;
  }

  function validZone(zone) {
    return !!zone && /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(zone);
  }

  // Times in the device's zone straight away. A page loaded in the business's zone
  // (no ?tz= chosen: <main data-tz-auto>) reloads in the device's, replacing itself in
  // the history; every later step htmx fetches without a ?tz= asks for it too. A zone
  // the client chose (the picker, or "Show times in …'s time zone") always wins.
  function autoZone() {
    var main = document.getElementById("main");
    var zone = deviceZone();
    if (!main || !main.hasAttribute("data-tz-auto") || !validZone(zone) ||
        zone === main.getAttribute("data-tz-current")) return false;
    window.location.replace(zoneUrl(window.location.pathname, zone));
    return true;
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var zone = deviceZone();
    var detail = event.detail;
    var main = document.getElementById("main");
    // A device in the business's zone needs no ?tz=: its times are already shown so.
    if (!validZone(zone) || detail.verb !== "get" || !main ||
        zone === main.getAttribute("data-tz-business")) return;
    var url = new URL(detail.path, window.location.href);
    if (url.searchParams.has("tz") || (detail.formData && detail.formData.has("tz"))) return;
    url.searchParams.set("tz", zone);
    detail.path = url.pathname + url.search + url.hash;
  });

  // A zone the client chose: offer the device's when it differs.
  function offerZone(root) {
    var box = root.querySelector("[data-tz-current]");
    var offer = box && box.querySelector("[data-tz-offer]");
    var zone = deviceZone();
    if (!offer || !validZone(zone) || zone === box.getAttribute("data-tz-current")) return;
    var link = offer.querySelector("[data-tz-link]");
    var href = zoneUrl(link.getAttribute("href"), zone);
    link.setAttribute("href", href);
    link.textContent = "Show times in " + zone;
    offer.querySelector("[data-tz-name]").textContent = zone;
    if (window.htmx) {
      link.setAttribute("hx-get", href);
      window.htmx.process(link);
    }
    offer.hidden = false;
  }

  // The picker's filter box: typing hides the zones that do not match; Enter shows
  // the times in the first match. The plain select works without it.
  function filterZones(root) {
    var find = root.querySelector("[data-tz-find]");
    var select = root.querySelector("#tz-select");
    if (!find || !select) return;
    var input = find.querySelector("input");
    var found = find.querySelector("#tz-found");
    find.hidden = false;
    var fold = function (text) { return text.toLowerCase().replace(/[_\s]+/g, " "); };
    input.addEventListener("input", function () {
      var query = fold(input.value.trim());
      var first = null;
      var count = 0;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = false;
        Array.prototype.forEach.call(group.querySelectorAll("option"), function (option) {
          var match = !query || fold(option.value + " " + option.textContent +
            " " + group.label).indexOf(query) !== -1;
          option.hidden = !match;
          option.disabled = !match;
          if (match) { any = true; count += 1; if (!first) first = option; }
        });
        group.hidden = !any;
      });
      if (query && first) select.value = first.value;
      found.textContent = query ? count + (count === 1 ? " time zone" : " time zones") +
        " found" + (first ? ", first: " + first.textContent : "") : "";
    });
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
  document.addEventListener("DOMContentLoaded", function () {
    if (autoZone()) return;
    offerZone(document.getElementById("step") || document);
    filterZones(document);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var step = document.getElementById("step");
    // Only a new step moves focus: a field checked on blur must leave it alone.
    if (!step || event.target !== step) return;
    offerZone(step);
    filterZones(step);
    focusStep(step);
    window.scrollTo({ top: Math.max(0, step.getBoundingClientRect().top + window.scrollY - 16) });
  });

  // In the widget: tell the host page (embed.js) how tall the content is, which step
  // shows, and when a booking is made (never the client's details). The body's own
  // box, not the document's scrollHeight: that never drops below the frame's current
  // height, so the frame could grow but never shrink back.
  function post(message) {
    if (window.parent === window || !document.body.classList.contains("is-embed")) return;
    window.parent.postMessage(message, "*");
  }
  function reportHeight() {
    var style = window.getComputedStyle(document.body);
    var height = document.body.getBoundingClientRect().height +
      parseFloat(style.marginTop) + parseFloat(style.marginBottom);
    post({ type: "booking-links:resize", height: Math.ceil(height) });
  }
  var shownStep = "";
  function reportStep() {
    var step = document.getElementById("step");
    var name = step && step.getAttribute("data-step");
    if (!name) return;
    if (name !== shownStep) {
      shownStep = name;
      post({ type: "booking-links:event", name: "booking:step", detail: { step: name } });
    }
    if (step.hasAttribute("data-completed") && !step.hasAttribute("data-reported")) {
      step.setAttribute("data-reported", "");
      post({ type: "booking-links:event", name: "booking:completed", detail: {
        reference: step.dataset.reference,
        status: step.dataset.status,
        service: step.dataset.service,
        starts_at: step.dataset.startsAt
      } });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    reportHeight();
    reportStep();
    if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "step") reportStep();
  });
  // Escape in the popup closes it, also while focus is inside this frame.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.defaultPrevented) post({ type: "booking-links:close" });
  });

  document.addEventListener("htmx:beforeRequest", function () { showError(false); });
  document.addEventListener("htmx:responseError", function () { showError(true); });
  document.addEventListener("htmx:sendError", function () { showError(true); });
})();
