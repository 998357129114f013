"""The `/rooms` Socket.IO namespace, event by event, as API.md specifies it: connect, join,
leave, message, and the host's and moderators' actions, with capacity, lock, slow mode,
rate limits, sanctions, blocks, held messages and crisis alerts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.models.room import RoomMessage
from forum.models.safety import AuditEntry, Block, Sanction
from forum.models.user import AuthToken
from forum.signals import account_restricted
from tests.forum.rooms.conftest import NS, ask, events

PASSWORD = "correct horse battery staple 42"


def act(sc, slug, action, **fields):
    """A host or moderator action, answered by its acknowledgement."""
    return ask(sc, "moderate", {"room": slug, "action": action, **fields})


def code(answer):
    """The error code of a refusal."""
    assert answer["ok"] is False, answer
    return answer["error"]["code"]


def slugs(client, member):
    return [r["slug"] for r in client.get("/api/v1/rooms", headers=member.headers).get_json()["rooms"]]


@pytest.fixture(autouse=True)
def _scripted(screener):
    """Every test here uses the scripted screener: deterministic, whatever moderation's
    lexicons say (moderation's pipeline is tested in its own package)."""
    return screener


# --- connecting ---------------------------------------------------------------------------


def test_an_anonymous_connection_is_refused(sockets):
    assert not sockets.connect(auth=None).is_connected(NS)
    assert not sockets.connect(auth={"token": "not-a-token"}).is_connected(NS)
    assert not sockets.connect(auth="just a string").is_connected(NS)


def test_a_token_or_a_browser_session_connects(app, client, sockets, make_user, make_room):
    member = make_user("member")
    assert sockets.connect(member).is_connected(NS)
    page = client.get("/login")
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    done = client.post("/login", data={"handle": member.handle, "password": PASSWORD,
                                       "csrf_token": csrf})
    assert done.status_code == 302
    browser = sockets.connect(cookie=True)
    assert browser.is_connected(NS)
    slug = make_room(make_user("counsellor"))
    assert ask(browser, "join", {"room": slug})["ok"] is True


def test_a_suspended_account_cannot_connect(sockets, make_user, in_db):
    member = make_user("member")
    in_db(lambda s: s.add(Sanction(user_id=member.id, kind="suspend", reason="x")))
    assert not sockets.connect(member).is_connected(NS)


# --- join and leave -----------------------------------------------------------------------


def test_join_answers_the_room_its_members_and_the_last_50_messages(
    sockets, make_user, make_room, in_db
):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)

    def fill(session):
        from forum.models.room import Room

        room = session.scalar(select(Room).where(Room.slug == slug))
        for i in range(55):
            session.add(RoomMessage(room_id=room.id, author_id=host.id, body=f"m{i}",
                                    body_html=f"<p>m{i}</p>", status="published"))

    in_db(fill)
    h = sockets.connect(host)
    assert ask(h, "join", {"room": slug})["ok"]
    answer = ask(sockets.connect(member), "join", {"room": slug})
    assert answer["ok"] is True
    assert answer["room"]["slug"] == slug and answer["room"]["participant_count"] == 2
    assert [m["id"] for m in answer["members"]] == sorted([host.id, member.id])
    history = answer["history"]
    assert len(history) == 50
    assert history[0]["body_html"] == "<p>m5</p>" and history[-1]["body_html"] == "<p>m54</p>"
    assert set(history[0]) >= {"room", "id", "author", "body_html", "created_at"}
    presence = events(h, "presence")
    assert [m["id"] for m in presence[-1]["members"]] == sorted([host.id, member.id])


def test_join_refusals(sockets, make_user, make_room, client):
    host, member = make_user("counsellor"), make_user("member")
    m = sockets.connect(member)
    assert ask(m, "join", {"room": "nowhere"})["error"]["code"] == "not_found"
    assert ask(m, "join", {})["error"]["code"] == "validation_failed"
    assert ask(m, "join", "text")["error"]["code"] == "validation_failed"
    scheduled = make_room(host, open_it=False)
    refused = ask(m, "join", {"room": scheduled})
    assert refused == {"ok": False, "error": {"code": "room_closed", "message": refused["error"]["message"]}}
    assert ask(sockets.connect(host), "join", {"room": scheduled})["ok"]  # the host prepares
    client.post(f"/api/v1/rooms/{scheduled}/close", headers=host.headers)
    assert ask(m, "join", {"room": scheduled})["error"]["code"] == "room_closed"


def test_leave_and_not_in_room(sockets, make_user, make_room):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    assert ask(m, "message", {"room": slug, "body": "hi"})["error"]["code"] == "not_in_room"
    assert ask(m, "leave", {"room": slug})["error"]["code"] == "not_in_room"
    ask(m, "join", {"room": slug})
    events(h)
    assert ask(m, "leave", {"room": slug}) == {"ok": True}
    host_json = {"id": host.id, "handle": host.handle, "role": "counsellor"}
    assert [p["members"] for p in events(h, "presence")] == [[host_json]]
    assert ask(m, "message", {"room": slug, "body": "hi"})["error"]["code"] == "not_in_room"
    ask(h, "message", {"room": slug, "body": "after she left"})
    assert events(m, "message") == []


def test_disconnecting_updates_presence(sockets, make_user, make_room):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    events(h)
    m.disconnect(namespace=NS)
    assert [len(p["members"]) for p in events(h, "presence")] == [1]


def test_capacity_counts_people_and_spares_the_host(sockets, make_user, make_room):
    host = make_user("counsellor")
    slug = make_room(host, capacity=2)
    first, second, third = (make_user("member") for _ in range(3))
    assert ask(sockets.connect(first), "join", {"room": slug})["ok"]
    assert ask(sockets.connect(second), "join", {"room": slug})["ok"]
    assert ask(sockets.connect(third), "join", {"room": slug})["error"]["code"] == "room_full"
    assert ask(sockets.connect(first), "join", {"room": slug})["ok"]  # her second device
    assert ask(sockets.connect(host), "join", {"room": slug})["ok"]


# --- messages -----------------------------------------------------------------------------


def test_a_message_is_stored_then_acknowledged_and_heard_by_the_room(
    sockets, make_user, make_room, client, in_db
):
    host, member, outsider = make_user("counsellor"), make_user("member"), make_user("member")
    slug = make_room(host)
    h, m, o = sockets.connect(host), sockets.connect(member), sockets.connect(outsider)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    events(h)
    ack = ask(m, "message", {"room": slug, "body": "Salaam, *everyone*"})
    assert ack["ok"] is True and ack["message"]["status"] == "published"
    stored = in_db(lambda s: s.get(RoomMessage, ack["message"]["id"]))
    assert stored.body == "Salaam, *everyone*"
    heard = events(h, "message")
    assert heard == [{
        "room": slug, "id": ack["message"]["id"],
        "author": {"id": member.id, "handle": member.handle, "role": "member"},
        "anonymous": False, "body_html": "<p>Salaam, <em>everyone</em></p>",
        "status": "published", "created_at": heard[0]["created_at"],
    }]
    assert events(o) == []
    page = client.get(f"/api/v1/rooms/{slug}/messages", headers=member.headers).get_json()
    assert [x["id"] for x in page["messages"]] == [ack["message"]["id"]]


def test_message_validation(sockets, make_user, make_room):
    host = make_user("counsellor")
    slug = make_room(host)
    h = sockets.connect(host)
    ask(h, "join", {"room": slug})
    assert ask(h, "message", {"room": slug, "body": "   "})["error"]["code"] == "validation_failed"
    assert ask(h, "message", {"room": slug, "body": 5})["error"]["code"] == "validation_failed"
    assert ask(h, "message", {"room": slug, "body": "x" * 5000})["error"]["code"] == "validation_failed"
    assert code(ask(h, "message", {"room": slug, "body": "hi", "anonymous": "yes"})) == "validation_failed"


def test_an_anonymous_message_hides_its_author(sockets, make_user, make_room):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    ask(m, "message", {"room": slug, "body": "it happened to me", "anonymous": True})
    heard = events(h, "message")
    assert heard[0]["author"] is None and heard[0]["anonymous"] is True


def test_a_blocked_text_is_refused_with_reasons(sockets, make_user, make_room, screener, in_db):
    host = make_user("counsellor")
    slug = make_room(host)
    h = sockets.connect(host)
    ask(h, "join", {"room": slug})
    refused = ask(h, "message", {"room": slug, "body": "BLOCKME now"})
    assert refused["ok"] is False
    assert refused["error"]["code"] == "content_blocked"
    assert refused["error"]["reasons"] == ["rule:1:block"]
    assert in_db(lambda s: s.scalar(select(func.count()).select_from(RoomMessage))) == 0


def test_a_censored_text_is_shown_masked(sockets, make_user, make_room, screener):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    ack = ask(m, "message", {"room": slug, "body": "oh darn it"})
    assert ack["moderation"] == {"status": "published", "reasons": ["rule:3:censor"]}
    assert events(h, "message")[0]["body_html"] == "<p>oh **** it</p>"
    assert screener.recorded == [("room_message", ack["message"]["id"], "published")]


def test_a_held_message_reaches_the_host_only_until_released(
    sockets, make_user, make_room, screener, client
):
    host, author, other = make_user("counsellor"), make_user("member"), make_user("member")
    slug = make_room(host)
    h, a, o = sockets.connect(host), sockets.connect(author), sockets.connect(other)
    for sc in (h, a, o):
        ask(sc, "join", {"room": slug})
    for sc in (h, a, o):
        events(sc)
    ack = ask(a, "message", {"room": slug, "body": "HOLDME call me"})
    assert ack["ok"] and ack["message"]["status"] == "pending"
    held = events(h, "message_held")
    assert held[0]["room"] == slug and held[0]["message"]["id"] == ack["message"]["id"]
    assert events(o) == [] and events(a, "message") == []
    url = f"/api/v1/rooms/{slug}/messages"
    assert client.get(url, headers=other.headers).get_json()["messages"] == []
    for viewer in (host, author):
        shown = client.get(url, headers=viewer.headers).get_json()["messages"]
        assert [x["status"] for x in shown] == ["pending"]
    assert code(act(o, slug, "release", target=ack["message"]["id"])) == "forbidden"
    assert act(h, slug, "release", target=ack["message"]["id"]) == {"ok": True}
    assert [x["id"] for x in events(o, "message")] == [ack["message"]["id"]]
    assert client.get(url, headers=other.headers).get_json()["messages"][0]["status"] == "published"


def test_crisis_language_alerts_the_host_and_counsellors(
    sockets, make_user, make_room, screener
):
    host, member = make_user("counsellor"), make_user("member")
    on_duty, bystander = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    c, b = sockets.connect(on_duty), sockets.connect(bystander)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    ask(b, "join", {"room": slug})
    ack = ask(m, "message", {"room": slug, "body": "CRISIS I can't go on"})
    assert ack["ok"] and ack["resources"][0]["name"] == "Umang helpline"
    assert ack["moderation"]["status"] == "published"
    alert = events(c, "crisis_alert")
    assert alert == [{"room": slug, "message": alert[0]["message"]}]
    assert alert[0]["message"]["id"] == ack["message"]["id"]
    assert len(events(h, "crisis_alert")) == 1
    assert events(b, "crisis_alert") == []


def test_a_sender_is_rate_limited(sockets, make_user, make_room):
    host = make_user("counsellor")
    slug = make_room(host)
    h = sockets.connect(host)
    ask(h, "join", {"room": slug})
    answers = [ask(h, "message", {"room": slug, "body": f"line {i}"}) for i in range(11)]
    assert all(a["ok"] for a in answers[:10])
    assert answers[10]["error"]["code"] == "rate_limited"
    assert answers[10]["error"]["retry_after"] >= 1


# --- host actions -------------------------------------------------------------------------


def test_slow_mode(sockets, make_user, make_room):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    assert act(h, slug, "slow_mode", seconds=30) == {"ok": True}
    assert events(m, "room_updated")[-1]["room"]["slow_mode_seconds"] == 30
    assert ask(m, "message", {"room": slug, "body": "one"})["ok"]
    slow = ask(m, "message", {"room": slug, "body": "two"})
    assert slow["error"]["code"] == "slow_mode" and 1 <= slow["error"]["retry_after"] <= 30
    assert ask(h, "message", {"room": slug, "body": "host is not slowed"})["ok"]
    assert ask(h, "message", {"room": slug, "body": "at all"})["ok"]
    bad = act(h, slug, "slow_mode", seconds=-1)
    assert bad["error"]["code"] == "validation_failed"
    act(h, slug, "slow_mode", seconds=0)
    assert ask(m, "message", {"room": slug, "body": "three"})["ok"]


def test_lock_and_unlock(sockets, make_user, make_room):
    host, member, late = make_user("counsellor"), make_user("member"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    assert act(h, slug, "lock") == {"ok": True}
    assert events(m, "room_updated")[-1]["room"]["locked"] is True
    assert ask(m, "message", {"room": slug, "body": "hello?"})["error"]["code"] == "locked"
    assert ask(sockets.connect(late), "join", {"room": slug})["error"]["code"] == "locked"
    assert ask(h, "message", {"room": slug, "body": "the host still speaks"})["ok"]
    act(h, slug, "unlock")
    assert ask(m, "message", {"room": slug, "body": "hello!"})["ok"]


def test_mute_and_unmute_in_the_room(sockets, make_user, make_room):
    host, member, mod = make_user("counsellor"), make_user("member"), make_user("moderator")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    assert act(h, slug, "mute", target=member.id) == {"ok": True}
    assert ask(m, "message", {"room": slug, "body": "hi"})["error"]["code"] == "muted"
    assert act(h, slug, "unmute", target=member.id) == {"ok": True}
    assert ask(m, "message", {"room": slug, "body": "hi"})["ok"]
    assert code(act(h, slug, "mute", target=mod.id)) == "forbidden"
    assert code(act(m, slug, "mute", target=host.id)) == "forbidden"
    assert code(act(h, slug, "dance")) == "validation_failed"
    assert code(act(h, slug, "mute", target="x")) == "validation_failed"


def test_kick_removes_and_keeps_out(sockets, make_user, make_room, client):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    events(h)
    assert act(h, slug, "kick", target=member.id) == {"ok": True}
    assert events(m, "kicked") == [{"room": slug, "reason": "removed by the host"}]
    assert [len(p["members"]) for p in events(h, "presence")] == [1]
    assert ask(m, "message", {"room": slug, "body": "let me back"})["error"]["code"] == "not_in_room"
    assert ask(m, "join", {"room": slug})["error"]["code"] == "forbidden"
    ask(h, "message", {"room": slug, "body": "carry on"})
    assert events(m, "message") == []
    assert client.get(f"/api/v1/rooms/{slug}/messages", headers=member.headers).status_code == 403


def test_removing_a_message(sockets, make_user, make_room, client, in_db):
    host, member, mod = make_user("counsellor"), make_user("member"), make_user("moderator")
    slug = make_room(host)
    h, m, d = sockets.connect(host), sockets.connect(member), sockets.connect(mod)
    for sc in (h, m, d):
        ask(sc, "join", {"room": slug})
    ack = ask(m, "message", {"room": slug, "body": "something unkind"})
    message_id = ack["message"]["id"]
    assert act(d, slug, "remove_message", target=message_id) == {"ok": True}
    assert events(h, "message_removed") == [{"room": slug, "id": message_id}]
    assert events(m, "message_removed") == [{"room": slug, "id": message_id}]
    assert client.get(f"/api/v1/rooms/{slug}/messages", headers=member.headers).get_json()["messages"] == []
    assert code(act(d, slug, "remove_message", target=999999)) == "not_found"


def test_every_action_is_audited(sockets, make_user, make_room, in_db):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    message_id = ask(m, "message", {"room": slug, "body": "hi"})["message"]["id"]
    for action in (
        {"action": "remove_message", "target": message_id},
        {"action": "mute", "target": member.id}, {"action": "unmute", "target": member.id},
        {"action": "lock"}, {"action": "unlock"}, {"action": "slow_mode", "seconds": 5},
        {"action": "kick", "target": member.id}, {"action": "close"},
    ):
        assert ask(h, "moderate", {"room": slug, **action}) == {"ok": True}, action
    actions = in_db(lambda s: [e.action for e in s.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == host.id).order_by(AuditEntry.id))])
    assert actions[-8:] == ["room.remove_message", "room.mute", "room.unmute", "room.lock",
                            "room.unlock", "room.slow_mode", "room.kick", "room.close"]


def test_closing_the_room(sockets, make_user, make_room):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    assert act(h, slug, "close") == {"ok": True}
    assert events(m, "room_updated")[-1]["room"]["status"] == "closed"
    assert code(ask(m, "message", {"room": slug, "body": "hello?"})) in {"room_closed", "not_in_room"}
    assert ask(m, "join", {"room": slug})["error"]["code"] == "room_closed"


# --- sanctions and blocks -----------------------------------------------------------------


def test_a_sanctioned_mute_holds_in_rooms(sockets, make_user, make_room, in_db):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    m = sockets.connect(member)
    assert ask(m, "join", {"room": slug})["ok"]  # muted members can still read
    in_db(lambda s: s.add(Sanction(user_id=member.id, kind="mute", reason="cooling off")))
    assert ask(m, "message", {"room": slug, "body": "hi"})["error"]["code"] == "muted"


def test_a_suspension_cuts_the_socket_at_the_next_event(sockets, make_user, make_room, in_db):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    m = sockets.connect(member)
    ask(m, "join", {"room": slug})
    in_db(lambda s: s.add(Sanction(user_id=member.id, kind="suspend", reason="threats")))
    answer = ask(m, "message", {"room": slug, "body": "hi"})
    assert answer["ok"] is False and answer["error"]["code"] == "suspended"
    assert not m.is_connected(NS)


def test_account_restricted_disconnects_every_socket_of_the_account(
    app, sockets, make_user, make_room
):
    member = make_user("member")
    phone, laptop = sockets.connect(member), sockets.connect(member)
    other = sockets.connect(make_user("member"))
    with app.test_request_context():
        account_restricted.send(member.id, kind="ban", ends_at=None)
    assert not phone.is_connected(NS) and not laptop.is_connected(NS)
    assert other.is_connected(NS)


def test_a_revoked_token_ends_the_socket(sockets, make_user, make_room, in_db):
    member = make_user("member")
    slug = make_room(make_user("counsellor"))
    m = sockets.connect(member)
    assert ask(m, "join", {"room": slug})["ok"]
    in_db(lambda s: [s.delete(t) for t in s.scalars(select(AuthToken).where(AuthToken.user_id == member.id))])
    # Cut at once (tokens_revoked), not only at its next event.
    assert not m.is_connected(NS)


def test_blocked_people_do_not_hear_each_other(sockets, make_user, make_room, in_db, client):
    host = make_user("counsellor")
    ayesha, harasser, friend = make_user("member"), make_user("member"), make_user("member")
    slug = make_room(host)
    a, x, f = sockets.connect(ayesha), sockets.connect(harasser), sockets.connect(friend)
    for sc in (a, x, f):
        ask(sc, "join", {"room": slug})
    in_db(lambda s: s.add(Block(blocker_id=ayesha.id, blocked_id=harasser.id)))
    for sc in (a, x, f):
        events(sc)
    from_harasser = ask(x, "message", {"room": slug, "body": "you again"})["message"]["id"]
    from_ayesha = ask(a, "message", {"room": slug, "body": "hello friends"})["message"]["id"]
    assert [e["id"] for e in events(a, "message")] == [from_ayesha]
    assert [e["id"] for e in events(x, "message")] == [from_harasser]
    assert [e["id"] for e in events(f, "message")] == [from_harasser, from_ayesha]
    url = f"/api/v1/rooms/{slug}/messages"
    for viewer, expected in ((ayesha, [from_ayesha]), (harasser, [from_harasser])):
        shown = client.get(url, headers=viewer.headers).get_json()["messages"]
        assert [m["id"] for m in shown] == expected


# --- private support ----------------------------------------------------------------------


def test_private_support_end_to_end(sockets, make_user, client):
    member, counsellor = make_user("member"), make_user("counsellor")
    colleague, stranger = make_user("counsellor"), make_user("member")
    m, c, k = sockets.connect(member), sockets.connect(counsellor), sockets.connect(colleague)
    s = sockets.connect(stranger)
    created = client.post("/api/v1/support-requests", json={"topic": "someone is blackmailing me"},
                          headers=member.headers)
    assert created.status_code == 201
    request_id = created.get_json()["request"]["id"]
    assert created.get_json()["request"]["status"] == "waiting"
    announced = events(c, "support_request")
    assert announced[0]["request"]["id"] == request_id
    assert announced[0]["request"]["member"]["id"] == member.id
    assert events(s) == []
    accepted = client.post(f"/api/v1/support-requests/{request_id}/accept", headers=counsellor.headers)
    assert accepted.status_code == 200
    room = accepted.get_json()["room"]
    assert room["private"] is True and room["status"] == "open"
    told = events(m, "support_accepted")
    assert told[0]["request"]["status"] == "accepted" and told[0]["room"]["slug"] == room["slug"]
    assert events(k, "support_request")[-1]["request"]["status"] == "accepted"
    slug = room["slug"]
    assert ask(c, "join", {"room": slug})["ok"]
    assert ask(m, "join", {"room": slug})["ok"]
    assert ask(s, "join", {"room": slug})["error"]["code"] == "not_found"
    assert ask(k, "join", {"room": slug})["error"]["code"] == "not_found"
    said = ask(m, "message", {"room": slug, "body": "thank you for taking this"})
    assert events(c, "message")[-1]["id"] == said["message"]["id"]
    assert ask(c, "message", {"room": slug, "body": "I am here. Tell me."})["ok"]
    assert [x["id"] for x in events(m, "message")][0] == said["message"]["id"]
    assert slug not in slugs(client, stranger)
    assert slug in slugs(client, member)



# --- the cost of one message --------------------------------------------------------------


def _statements(queries, since: int) -> list[str]:
    """SQL sent since `since`, without the savepoints the test binding adds."""
    return [s for s in queries.statements[since:]
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", s)]


def test_a_message_costs_one_query_before_the_screener_and_one_insert(
        sockets, make_user, make_room, queries, in_db):
    """The re-check (token, account, sanctions, blocks), the room and the sender's RoomBan
    are one query; then the insert. With a block involving the author, one more query finds
    whom to skip. (The moderation screener adds its own; the scripted one none.)"""
    host, member, other = make_user("counsellor"), make_user("member"), make_user("member")
    slug = make_room(host)
    m = sockets.connect(member)
    ask(m, "join", {"room": slug})
    since = len(queries.statements)
    assert ask(m, "message", {"room": slug, "body": "hello"})["ok"]
    sent = _statements(queries, since)
    assert len(sent) == 2, sent
    assert sent[1].lstrip().upper().startswith("INSERT INTO ROOM_MESSAGES")
    in_db(lambda s: s.add(Block(blocker_id=other.id, blocked_id=member.id)))
    since = len(queries.statements)
    assert ask(m, "message", {"room": slug, "body": "hello again"})["ok"]
    assert len(_statements(queries, since)) == 3


def test_a_kick_remembered_only_in_the_database_still_holds(
        sockets, make_user, make_room, in_db):
    """A `RoomBan` row (a kick the shared state lost, say after a restart of Redis) refuses
    the next message of a socket still in the room, read with the event's re-check."""
    from forum.models.room import Room, RoomBan

    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    m = sockets.connect(member)
    ask(m, "join", {"room": slug})

    def ban(session):
        room = session.scalar(select(Room).where(Room.slug == slug))
        session.add(RoomBan(room_id=room.id, user_id=member.id, issued_by_id=host.id))

    in_db(ban)
    assert code(ask(m, "message", {"room": slug, "body": "still here?"})) == "forbidden"
