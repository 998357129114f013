/* A Support tap on a thread page without reloading it: the same form, sent with fetch and
   answered in JSON ({reaction_counts}); the count in the button is updated in place. Without
   JavaScript (or if the request fails) the form posts and the page reloads as before. */
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-support]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      var count = form.querySelector("[data-count]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)),
        headers: { "Accept": "application/json" }
      }).then(function (answer) {
        if (answer.ok) { return answer.json(); }
        return answer.json().catch(function () { return {}; }).then(function (problem) {
          throw new Error(problem.error || form.getAttribute("data-failed") || "");
        });
      }).then(function (done) {
        if (count) { count.textContent = done.reaction_counts.support; }
        button.setAttribute("aria-pressed", "true");
        var status = form.querySelector("[role=status]");
        if (status) { status.textContent = ""; }
      }).catch(function (problem) {
        var status = form.querySelector("[role=status]");
        if (status) { status.textContent = problem.message || form.getAttribute("data-failed"); }
      }).then(function () { button.disabled = false; });
    });
  });
})();
