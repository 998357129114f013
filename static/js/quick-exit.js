/* Quick exit: the #quick-exit control, or Escape twice within a second, replaces this page
   with a harmless one through location.replace, so Back does not return to the forum.

   For that to hold after she has read several pages, the forum must take only one entry in
   the tab's history: every same-site link and form this script sees is followed with
   location.replace (links) or fetch + location.replace (forms) instead of a new entry. Asked
   with X-Saheli-Navigate, the server answers a form's redirect as 204 with X-Saheli-Location
   (so the next page is fetched once, fragment included); a form whose answer is a page
   (errors, the crisis step) is written into this entry. Without
   JavaScript links and forms work as usual (and /help says what quick exit cannot erase). */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="quick-exit-url"]');
  var target = meta ? meta.getAttribute("content") : "https://www.google.com/search?q=weather";
  function leave(event) {
    if (event) { event.preventDefault(); }
    var badge = document.getElementById("notification-badge");
    if (badge) { badge.remove(); } // its count and "(2)" leave with it
    document.title = "";
    document.body.innerHTML = "";
    window.location.replace(target);
  }
  var button = document.getElementById("quick-exit");
  if (button) { button.addEventListener("click", leave); }
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - last < 1000) { leave(event); } else { last = now; }
  });

  if (!window.URL || !window.fetch || !window.URLSearchParams) { return; }
  var FRAGMENT = "saheli-fragment";
  function remember(hash) {
    try { window.sessionStorage.setItem(FRAGMENT, hash); } catch (e) { /* private mode */ }
  }
  try {
    var kept = window.sessionStorage.getItem(FRAGMENT);
    if (kept) {
      window.sessionStorage.removeItem(FRAGMENT);
      history.replaceState(null, "", window.location.pathname + window.location.search + kept);
      var spot = document.getElementById(kept.slice(1));
      if (spot) { spot.scrollIntoView(); }
    }
  } catch (e) { /* no storage: the page stays at its top */ }
  function local(address) {
    var url = new URL(address, window.location.href);
    return url.origin === window.location.origin ? url : null;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.id === "quick-exit" || link.hasAttribute("download") ||
        (link.target && link.target !== "_self")) { return; }
    var url = local(link.href);
    if (!url) { return; }
    event.preventDefault();
    window.location.replace(url.href);
  });

  function show(answer) {
    return answer.text().then(function (html) {
      document.open();
      document.write(html);
      document.close();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || (form.target && form.target !== "_self")) { return; }
    var url = local(form.getAttribute("action") || window.location.href);
    if (!url) { return; }
    var data = new URLSearchParams(new FormData(form));
    var submitter = event.submitter;
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    event.preventDefault();
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") {
      url.search = data.toString();
      window.location.replace(url.href);
      return;
    }
    if (submitter) { submitter.disabled = true; }
    fetch(url.href, { method: "POST", body: data, credentials: "same-origin",
                      headers: { "X-Saheli-Navigate": "replace" } })
      .then(function (answer) {
        var next = answer.headers.get("X-Saheli-Location");
        if (!next) { return show(answer); }
        var to = new URL(next, window.location.href);
        var here = window.location;
        if (to.hash && to.pathname === here.pathname && to.search === here.search) {
          /* Only the #fragment differs: replace() would just scroll. Load the page itself and
             put the fragment back once it is there (below), so she sees what she just did. */
          remember(to.hash);
          to.hash = "";
        }
        window.location.replace(to.href);
        return null;
      })
      .catch(function () {  /* no answer (offline): the browser's own submit, as without JS */
        HTMLFormElement.prototype.submit.call(form);
      });
  });
})();
