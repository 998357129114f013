/* Quick exit: the #quick-exit control, or Escape twice within a second, replaces this page
   with a harmless one through location.replace, so Back does not return to the forum. */
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
})();
