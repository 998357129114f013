/* The notification badge (issue #16): a count only, never a title, handle or word. Polls the
   unread count cheaply (If-None-Match: an unchanged count answers 304 with no body) while the
   page is visible, and shows it in the tab title as "(2)", unless she hid the forum's name in
   the tab. No Socket.IO client on ordinary pages. */
(function () {
  "use strict";
  var badge = document.getElementById("notification-badge");
  if (!badge || !window.fetch) { return; }
  var span = badge.querySelector(".badge");
  var neutral = badge.getAttribute("data-neutral") === "1";
  var url = badge.getAttribute("data-count-url");
  var bare = document.title.replace(/^\(\d+\) /, "");
  var etag = null;
  function show(n) {
    if (!document.body || !document.body.contains(badge)) { return; } // quick exit: gone
    span.textContent = String(n);
    span.hidden = !n;
    badge.setAttribute("data-count", String(n));
    document.title = (n && !neutral) ? "(" + n + ") " + bare : bare;
  }
  function poll() {
    if (document.hidden) { return; }
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status !== 200) { return null; }
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (data) { if (data) { show(data.unread_count); } })
      .catch(function () { /* offline: keep what is shown */ });
  }
  show(parseInt(badge.getAttribute("data-count"), 10) || 0);
  var every = parseInt(badge.getAttribute("data-poll-ms"), 10) || 30000;
  window.setInterval(poll, every);
  document.addEventListener("visibilitychange", poll);
})();
