/* Booking Links dashboard: small progressive enhancements (everything works without). */
(function () {
  "use strict";

  function announce(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.textContent = text;
    box.replaceChildren(alert);
  }

  // Copy buttons: <button data-copy="#input-id" hidden>. Without JS the text stays
  // selectable; with JS the button appears and copies, saying so for screen readers.
  function setupCopy(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.querySelector(button.dataset.copy);
        var status = document.querySelector(button.dataset.copyStatus || "#copy-status");
        var text = source.value !== undefined ? source.value : source.textContent;
        function done(ok) {
          if (status) status.textContent = ok ? "Copied to the clipboard." : "Press Ctrl+C (⌘C) to copy.";
          // A copied booking link ticks "Get started" off (hx-trigger="copied").
          if (ok) button.dispatchEvent(new CustomEvent("copied"));
          var label = button.dataset.label || button.textContent;
          button.dataset.label = label;
          button.textContent = ok ? "Copied!" : "Select and copy";
          setTimeout(function () { button.textContent = label; }, 2000);
        }
        function fallback() {
          if (source.select) { source.focus(); source.select(); }
          var ok = false;
          try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
          done(ok);
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  // "Select all" checkbox of the requests table.
  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) return;
    document.querySelectorAll('input[name="ids"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // Sign-up: preselect the browser's time zone if we know it.
  function guessTimezone(root) {
    root.querySelectorAll("select[data-guess-timezone]").forEach(function (select) {
      try {
        var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (zone && select.querySelector('option[value="' + zone + '"]') && !select.dataset.touched) {
          select.value = zone;
        }
      } catch (e) { /* keep the default */ }
    });
  }

  // The dialog: HTMX loads a form into #dialog-body, then we open it.
  var dialog = function () { return document.getElementById("dialog"); };
  document.addEventListener("htmx:afterSwap", function (event) {
    var d = dialog();
    if (d && event.detail.target && event.detail.target.id === "dialog-body") {
      if (!d.open) d.showModal();
      var field = d.querySelector("textarea, input:not([type=hidden])");
      if (field) field.focus();
    }
  });
  document.addEventListener("dashboard:close-dialog", function () {
    var d = dialog();
    if (d && d.open) d.close();
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]")) {
      var d = dialog();
      if (d) d.close();
    }
  });

  // A form that replaced its own card (data-refocus="#card summary") hands the focus
  // to the new card, so keyboard users keep their place.
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var selector = source && source.dataset && source.dataset.refocus;
    var target = selector && document.querySelector(selector);
    if (target) target.focus();
  });

  // HTMX does not swap error answers; say something instead of nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    announce(status === 403 ? "You do not have permission to do that." :
      status === 404 ? "That item no longer exists. Reload the page." :
      "Something went wrong (" + status + "). Please reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("We could not reach the server. Check your connection and try again.");
  });

  // Close open header menus when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });

  // After HTMX swaps a region in place (the weeks of the "move a booking" page),
  // focus its heading so keyboard and screen-reader users land on the new content.
  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.target;
    if (!region || !region.querySelector) return;
    var heading = region.matches("[data-swap-focus]") ? region :
      region.querySelector("[data-swap-focus]");
    if (heading) heading.focus();
  });

  function setup(root) {
    setupCopy(root);
    guessTimezone(root);
  }
  document.addEventListener("DOMContentLoaded", function () { setup(document); });
  document.addEventListener("htmx:load", function (event) { setup(event.detail.elt); });
})();

