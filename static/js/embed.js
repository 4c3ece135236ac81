/* Booking Links widget; options and events: docs/USER_GUIDE.md. Frames grow and shrink
 * with their step; booking:step, booking:completed, booking:resize fire on the host. */
(function (w, d) {
  "use strict";
  var base = new URL(d.currentScript.src).origin, key = "bookingLinks " + base;

  function frame(src, host) {
    var f = d.createElement("iframe");
    f.src = src;
    f.title = host.dataset.title || "Book online";
    f.loading = "lazy";
    f.style.cssText = "display:block;width:100%;height:480px;border:0";
    f._host = host;
    return f;
  }

  function mount(el) {
    if (el.hasAttribute("data-booking-ready")) return;
    el.setAttribute("data-booking-ready", "");
    var a = el.dataset, src = base + "/embed/" + encodeURIComponent(a.bookingLink) + "/";
    if (/^\d+$/.test(a.service)) src += "service/" + a.service + "/";
    if (a.timezone) src += "?tz=" + encodeURIComponent(a.timezone);
    function place(node) {
      if (el.tagName === "SCRIPT") el.parentNode.insertBefore(node, el.nextSibling);
      else el.appendChild(node);
    }
    if (a.mode !== "popup") return place(frame(src, el));
    var open = d.createElement("button"), close = d.createElement("button"), f;
    var dialog = d.createElement("dialog");
    open.type = close.type = "button";
    open.className = "booking-links-button";
    open.textContent = a.label || "Book now";
    close.textContent = "Close";
    close.style.cssText = "display:block;margin:8px 8px 0 auto";
    dialog.setAttribute("aria-label", open.textContent);
    dialog.style.cssText = "width:44rem;max-width:calc(100% - 2rem);padding:0;border:0";
    dialog.appendChild(close);
    close.onclick = function () { dialog.close(); };
    dialog.onclose = function () { open.focus(); };
    open.onclick = function () {
      if (!f) dialog.appendChild(f = frame(src, el));
      dialog.showModal();
    };
    place(open);
    d.body.appendChild(dialog);
  }

  // Only messages from the booking origin, and from a frame on this page.
  if (!w[key]) {
    w[key] = 1;
    w.addEventListener("message", function (e) {
      var m = e.data || {}, all = d.getElementsByTagName("iframe"), f, i;
      for (i = 0; i < all.length; i++) if (all[i].contentWindow === e.source) f = all[i];
      if (e.origin !== base || !f) return;
      var name = m.name, detail = m.detail, dialog = f.closest("dialog");
      if (m.type === "booking-links:resize") {
        detail = { height: Math.max(100, Math.min(Math.ceil(m.height) || 0, 20000)) };
        f.style.height = detail.height + "px";
        f.style.minHeight = "0";
        name = "booking:resize";
      } else if (m.type === "booking-links:close") {
        return dialog && dialog.open && dialog.close();
      } else if (!/^booking:(step|completed)$/.test(name)) {
        return;
      }
      var host = f._host && f._host.isConnected ? f._host : f;
      host.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
    });
  }
  [].forEach.call(d.querySelectorAll("[data-booking-link]"), mount);
})(window, document);
