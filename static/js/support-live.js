/* Private support without reloading (issue #16). On the rooms page, over Socket.IO
   (namespace /rooms, the session cookie signs it in): a member whose request waits
   (#support-wait) is shown the way to her private room the moment a counsellor takes it
   (`support_accepted`); counsellors (#support-queue) see new requests arrive, and taken or
   cancelled ones leave (`support_request`). Text is set as text, never as HTML. */
(function () {
  "use strict";
  var wait = document.getElementById("support-wait");
  var queue = document.getElementById("support-queue");
  if ((!wait && !queue) || typeof io !== "function") { return; }
  var socket = io("/rooms");
  if (wait) {
    var mine = (wait.getAttribute("data-requests") || "").split(" ");
    socket.on("support_accepted", function (data) {
      if (!data || !data.request || !data.room || mine.indexOf(String(data.request.id)) < 0) {
        return;
      }
      wait.textContent = "";
      var said = document.createElement("p");
      said.textContent = wait.getAttribute("data-t-ready");
      var link = document.createElement("a");
      link.id = "support-room-link";
      link.href = "/rooms/" + encodeURIComponent(data.room.slug);
      link.textContent = wait.getAttribute("data-t-join");
      wait.appendChild(said);
      wait.appendChild(link);
      link.focus();
    });
  }
  if (queue) {
    var list = queue.querySelector("ul");
    var token = document.querySelector('input[name="csrf_token"]');
    socket.on("support_request", function (data) {
      var r = data && data.request;
      if (!r || !list) { return; }
      var known = list.querySelector('li[data-request="' + Number(r.id) + '"]');
      if (r.status !== "waiting") { if (known) { known.remove(); } return; }
      if (known) { return; }
      var empty = list.querySelector("li.empty");
      if (empty) { empty.remove(); }
      var item = document.createElement("li");
      item.setAttribute("data-request", String(Number(r.id)));
      var said = document.createElement("p");
      said.textContent = queue.getAttribute("data-t-new") +
        (r.member ? " " + r.member.handle : "") + (r.topic ? ": " + r.topic : "");
      item.appendChild(said);
      if (!r.offered && token) {
        var form = document.createElement("form");
        form.method = "post";
        form.action = queue.getAttribute("data-accept-base") + "/" + Number(r.id) + "/accept";
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "csrf_token";
        hidden.value = token.value;
        var button = document.createElement("button");
        button.type = "submit";
        button.className = "small";
        button.textContent = queue.getAttribute("data-t-accept");
        form.appendChild(hidden);
        form.appendChild(button);
        item.appendChild(form);
      }
      list.appendChild(item);
    });
  }
})();
