/* A live support room: joins over Socket.IO (namespace /rooms, the session cookie signs it
   in), shows the history and new messages, sends with the form. Message HTML was sanitised
   by the server when it was written; everything else is set as text. */
(function () {
  "use strict";
  var box = document.getElementById("room");
  if (!box || typeof io !== "function") { return; }
  var slug = box.getAttribute("data-room");
  var log = document.getElementById("room-log");
  var status = document.getElementById("room-status");
  var people = document.getElementById("room-people");
  var form = document.getElementById("room-form");
  var body = document.getElementById("room-body");
  var anonymous = document.getElementById("room-anonymous");
  var lastId = 0;
  function t(name) { return box.getAttribute("data-t-" + name) || ""; }
  function say(text) { status.textContent = text; }
  function add(m) {
    if (document.getElementById("m-" + m.id)) { return; }
    var li = document.createElement("li");
    li.id = "m-" + m.id;
    var who = document.createElement("strong");
    who.textContent = m.author ? m.author.handle : t("anonymous");
    var text = document.createElement("div");
    text.innerHTML = m.body_html;
    li.appendChild(who);
    li.appendChild(text);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    if (m.id > lastId) { lastId = m.id; }
  }
  function showPeople(members) {
    people.textContent = t("people") + ": " + members.map(function (u) { return u.handle; }).join(", ");
  }
  var socket = io("/rooms");
  socket.on("connect", function () {
    socket.emit("join", { room: slug }, function (ack) {
      if (!ack || !ack.ok) { say(ack && ack.error ? ack.error.message : t("offline")); return; }
      ack.history.forEach(add);
      showPeople(ack.members || []);
      form.hidden = false;
      say(t("joined"));
    });
  });
  socket.on("disconnect", function () { say(t("offline")); });
  socket.on("message", function (m) { if (m.room === slug) { add(m); } });
  socket.on("message_removed", function (m) {
    var gone = document.getElementById("m-" + m.id);
    if (gone) { gone.remove(); }
  });
  socket.on("presence", function (p) { if (p.room === slug) { showPeople(p.members); } });
  socket.on("kicked", function (k) {
    if (k.room === slug) { form.hidden = true; say(t("kicked")); socket.close(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = body.value;
    if (!text.trim()) { return; }
    socket.emit("message", { room: slug, body: text, anonymous: anonymous.checked }, function (ack) {
      if (!ack || !ack.ok) { say(ack && ack.error ? ack.error.message : t("offline")); return; }
      body.value = "";
      if (ack.message && ack.message.status !== "published") { say(t("held")); }
    });
  });
})();
