/* A live support room: joins over Socket.IO (namespace /rooms, the session cookie signs it
   in), shows the history and new messages, sends with the form. Message HTML was sanitised
   by the server when it was written; everything else is set as text.
   For the host and moderators (data-host): remove or release messages, mute, unmute or kick
   a member, lock, unlock, slow mode and close, all through the `moderate` event; held
   messages (`message_held`) are shown to them; crisis alerts (`crisis_alert`) to them and
   to counsellors (data-offer), with a button that offers the writer a private conversation
   (`offer_support`). After she writes words of crisis, the ack's help lines (#room-help,
   rendered by the page in her language) are shown to her alone; an offer to her
   (`support_offered`) shows a link to the private room and a "no, thank you"
   (`decline_support`).
   Everyone gets a "Report" link on other people's messages (data-report: a plain link to the
   report form, in the same tab; the form leads back to the room).
   Nothing acknowledged is missed: after a reconnect, and whenever the server says `resync`
   (its link to the other processes had a gap), the page asks
   GET /api/v1/rooms/{slug}/messages?after=<the last id it has> until nothing is left. */
(function () {
  "use strict";
  var box = document.getElementById("room");
  if (!box || typeof io !== "function") { return; }
  var slug = box.getAttribute("data-room");
  var host = box.getAttribute("data-host") === "1";
  var offers = box.getAttribute("data-offer") === "1";
  var me = box.getAttribute("data-me");
  var log = document.getElementById("room-log");
  var status = document.getElementById("room-status");
  var people = document.getElementById("room-people");
  var members = document.getElementById("room-members");
  var tools = document.getElementById("host-tools");
  var alerts = document.getElementById("room-alerts");
  var form = document.getElementById("room-form");
  var body = document.getElementById("room-body");
  var anonymous = document.getElementById("room-anonymous");
  var reportUrl = box.getAttribute("data-report");
  var sent = {};
  var muted = {};
  var last = 0;
  var joined = false;
  var syncing = false;
  var again = false;
  var out = false;
  function t(name) { return box.getAttribute("data-t-" + name) || ""; }
  function say(text) { status.textContent = text; }
  function failed(ack) {
    if (ack && ack.ok) { return false; }
    say(ack && ack.error ? ack.error.message : t("offline"));
    return true;
  }
  function button(label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }
  /* The `moderate` event of API.md: {room, action, target?, seconds?} → {ok} or an error. */
  function moderate(action, target, seconds, then) {
    var data = { room: slug, action: action };
    if (target !== undefined && target !== null) { data.target = target; }
    if (seconds !== undefined) { data.seconds = seconds; }
    socket.emit("moderate", data, function (ack) {
      if (failed(ack)) { return; }
      say(t("done"));
      if (then) { then(); }
    });
  }
  function released(li) {
    li.classList.remove("held");
    var parts = li.querySelectorAll(".held-only");
    for (var i = 0; i < parts.length; i++) { parts[i].remove(); }
  }
  function urduShare(words) {  /* mostly Urdu letters: lang=ur (the Urdu font), as pages do */
    var urdu = (words.match(/[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/g) || []).length;
    var latin = (words.match(/[A-Za-z\u00C0-\u024F]/g) || []).length;
    return urdu > latin;
  }
  function add(m, held) {
    if (m.id > last) { last = m.id; }
    var li = document.getElementById("m-" + m.id);
    if (li) { if (!held) { released(li); } return; }
    li = document.createElement("li");
    li.id = "m-" + m.id;
    var who = document.createElement("strong");
    var name = document.createElement("bdi");  /* isolated: an Urdu name in an English line */
    name.textContent = m.author ? m.author.handle : t("anonymous");
    who.appendChild(name);
    var text = document.createElement("div");
    text.innerHTML = m.body_html;
    text.dir = "auto";
    text.lang = urduShare(text.textContent) ? "ur" : "en";
    li.appendChild(who);
    if (held) {
      li.className = "held";
      var tag = document.createElement("span");
      tag.className = "tag held-only";
      tag.textContent = t("waiting");
      li.appendChild(document.createTextNode(" "));
      li.appendChild(tag);
    }
    li.appendChild(text);
    var row = document.createElement("div");
    row.className = "actions";
    var theirs = m.author ? String(m.author.id) !== me : !sent[m.id];
    if (reportUrl && theirs && !held) {
      var report = document.createElement("a");
      report.href = reportUrl.replace("/0/", "/" + m.id + "/");
      report.className = "small report";
      report.textContent = t("report");
      row.appendChild(report);
      row.appendChild(document.createTextNode(" "));
    }
    if (host) {
      if (held) {
        var release = button(t("release"), function () {
          moderate("release", m.id, undefined, function () { released(li); });
        });
        release.classList.add("held-only");
        row.appendChild(release);
      }
      row.appendChild(button(t("remove"), function () {
        moderate("remove_message", m.id, undefined, function () { li.remove(); });
      }));
    }
    if (row.firstChild) { li.appendChild(row); }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }
  function showPeople(list) {
    people.textContent = t("people") + ": " + list.map(function (u) { return u.handle; }).join(", ");
    if (!members) { return; }
    members.textContent = "";
    list.forEach(function (u) {
      if (String(u.id) === me) { return; }
      var li = document.createElement("li");
      li.appendChild(document.createTextNode(u.handle + " "));
      var toggle = button(muted[u.id] ? t("unmute") : t("mute"), function () {
        var action = muted[u.id] ? "unmute" : "mute";
        moderate(action, u.id, undefined, function () {
          muted[u.id] = action === "mute";
          toggle.textContent = muted[u.id] ? t("unmute") : t("mute");
        });
      });
      li.appendChild(toggle);
      li.appendChild(button(t("kick"), function () {
        if (window.confirm(t("sure"))) { moderate("kick", u.id); }
      }));
      members.appendChild(li);
    });
  }
  function alertHost(m) {
    var p = document.createElement("p");
    p.className = "crisis";
    p.textContent = t("crisis") + " ";
    var offer = button(t("offer"), function () {
      socket.emit("offer_support", { room: slug, message: m.id }, function (ack) {
        if (failed(ack)) { return; }
        offer.remove();
        p.appendChild(document.createTextNode(t("offered")));
      });
    });
    p.appendChild(offer);
    alerts.appendChild(p);
  }
  function offered(o) {
    var p = document.createElement("p");
    p.className = "crisis";
    p.textContent = t("invite") + " ";
    var go = document.createElement("a");
    go.href = box.getAttribute("data-rooms").replace(/0$/, o.room.slug);
    go.textContent = t("accept");
    p.appendChild(go);
    p.appendChild(document.createTextNode(" "));
    p.appendChild(button(t("decline"), function () {
      socket.emit("decline_support", { request: o.request.id }, function () { p.remove(); });
    }));
    document.getElementById("room-offer").appendChild(p);
  }
  function helpLines(ack) {
    var help = document.getElementById("room-help");
    if (!help || !ack.resources || !ack.resources.length) { return; }
    help.hidden = false;
    if (ack.counsellor_online === false && !help.querySelector(".alone")) {
      var p = document.createElement("p");
      p.className = "alone";
      p.textContent = t("alone");
      help.insertBefore(p, help.children[1]);
    }
    help.scrollIntoView();
  }
  /* Fetch what was said after the last message shown (one request a page of 100). */
  function catchUp() {
    if (syncing) { again = true; return; }
    syncing = true;
    again = false;
    var url = "/api/v1/rooms/" + encodeURIComponent(slug) + "/messages?limit=100&after=" + last;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (page) {
        var got = page.messages || [];
        got.forEach(function (m) { add(m, m.status === "pending"); });
        syncing = false;
        if (got.length === 100 || again) { catchUp(); }
      }, function () { syncing = false; });
  }
  var socket = io("/rooms");
  socket.on("resync", function () { if (joined && !out) { catchUp(); } });
  socket.on("connect", function () {
    var before = last;
    socket.emit("join", { room: slug }, function (ack) {
      if (failed(ack)) { return; }
      ack.history.forEach(function (m) { add(m, m.status === "pending"); });
      if (before > 0) { last = before; catchUp(); }
      joined = true;
      showPeople(ack.members || []);
      form.hidden = false;
      if (tools) { tools.hidden = false; }
      say(t("joined"));
    });
  });
  socket.on("disconnect", function () { if (!out) { say(t("offline")); } });
  socket.on("message", function (m) { if (m.room === slug) { add(m, false); } });
  socket.on("message_removed", function (m) {
    var gone = document.getElementById("m-" + m.id);
    if (gone) { gone.remove(); }
  });
  socket.on("presence", function (p) { if (p.room === slug) { showPeople(p.members); } });
  socket.on("kicked", function (k) {
    if (k.room === slug) {
      out = true;
      form.hidden = true;
      if (tools) { tools.hidden = true; }
      say(t("kicked"));
      socket.close();
    }
  });
  socket.on("support_offered", offered);
  if (offers) {
    socket.on("crisis_alert", function (c) { if (c.room === slug) { alertHost(c.message); } });
  }
  if (host) {
    socket.on("message_held", function (h) { if (h.room === slug) { add(h.message, true); } });
    tools.addEventListener("click", function (event) {
      var action = event.target.getAttribute("data-action");
      if (!action) { return; }
      if (action === "slow_mode") {
        var seconds = parseInt(document.getElementById("slow-seconds").value, 10);
        moderate(action, null, isNaN(seconds) ? 0 : seconds);
      } else if (action === "close") {
        if (window.confirm(t("sure"))) {
          moderate(action, null, undefined, function () { window.location.reload(); });
        }
      } else {
        moderate(action);
      }
    });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = body.value;
    if (!text.trim()) { return; }
    socket.emit("message", { room: slug, body: text, anonymous: anonymous.checked }, function (ack) {
      if (failed(ack)) { return; }
      if (ack.message) {
        sent[ack.message.id] = true;  /* her own, even when anonymous: no Report link */
        var own = document.querySelector("#m-" + ack.message.id + " a.report");
        if (own) { own.remove(); }
      }
      body.value = "";
      helpLines(ack);
      if (ack.message && ack.message.status !== "published") { say(t("held")); }
    });
  });
})();
