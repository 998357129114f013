/* While she writes: the draft of every text box marked data-check is checked (debounced,
   POST /api/v1/moderation/check); when it shows crisis language, the help lines the page
   already holds (hidden, in her language; data-check names their box, else #draft-help)
   are shown before she posts, and the form's crisis_seen field tells the server so. */
(function () {
  "use strict";
  var token = document.querySelector('input[name="csrf_token"]');
  if (!token || !window.fetch) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-check]"), function (box) {
    var help = document.getElementById(box.getAttribute("data-check") || "draft-help");
    var seen = box.form && box.form.querySelector("[data-crisis-seen]");
    var timer, last = "";
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = box.value;
        if (!help || !help.hidden || text === last || text.trim().length < 3) { return; }
        last = text;
        fetch("/api/v1/moderation/check", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": token.value },
          body: JSON.stringify({ text: text })
        }).then(function (r) { return r.ok ? r.json() : null; }).then(function (a) {
          if (a && a.resources && a.resources.length) {
            help.hidden = false;
            help.scrollIntoView({ block: "nearest" });
            if (seen) { seen.value = "yes"; }
          }
        }).catch(function () {});
      }, 600);
    });
  });
})();
