"""A Redis restart forgets everything Redis held. What a member would notice must not change:
a mute stays a mute, a kick stays a kick, a member who joined is still in the room (her next
message is not answered `not_in_room`), and presence is rebuilt by the next heartbeat."""

from __future__ import annotations

from tests.forum.rooms.conftest import ask, events


def act(sc, slug, action, **fields):
    return ask(sc, "moderate", {"room": slug, "action": action, **fields})


def test_a_redis_restart_does_not_lift_a_room_mute(
        app, redis_room_state, sockets, make_user, make_room, screener):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    assert ask(h, "join", {"room": slug})["ok"]
    assert ask(m, "join", {"room": slug})["ok"]
    assert act(h, slug, "mute", target=member.id) == {"ok": True}

    redis_room_state.wipe()

    refused = ask(m, "message", {"room": slug, "body": "am I heard now?"})
    assert refused["ok"] is False and refused["error"]["code"] == "muted"
    assert act(h, slug, "unmute", target=member.id) == {"ok": True}
    assert ask(m, "message", {"room": slug, "body": "thank you"})["ok"]


def test_a_redis_restart_does_not_make_members_strangers(
        app, redis_room_state, sockets, make_user, make_room, screener):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    events(h)

    redis_room_state.wipe()

    said = ask(m, "message", {"room": slug, "body": "still here"})
    assert said["ok"] is True, said
    assert [e["body_html"] for e in events(h, "message")] == ["<p>still here</p>"]
    # Presence is rebuilt from this process's sockets at the next heartbeat.
    with app.app_context():
        from forum.realtime.namespace import current_namespace

        current_namespace().heartbeat()
    assert redis_room_state.state.members(_room_id(app, slug)) == sorted([host.id, member.id])
    assert [sorted(u["id"] for u in p["members"]) for p in events(h, "presence")][-1] == \
        sorted([host.id, member.id])
    # Leaving still works and is still a leave.
    assert ask(m, "leave", {"room": slug}) == {"ok": True}
    assert ask(m, "message", {"room": slug, "body": "gone"})["error"]["code"] == "not_in_room"


def test_a_redis_restart_does_not_lift_a_kick(
        app, redis_room_state, sockets, make_user, make_room, screener):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    assert act(h, slug, "kick", target=member.id) == {"ok": True}

    redis_room_state.wipe()

    again = sockets.connect(member)
    assert ask(again, "join", {"room": slug})["error"]["code"] == "forbidden"


def _room_id(app, slug):
    from sqlalchemy import select

    from forum.models.room import Room

    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        return session.scalar(select(Room.id).where(Room.slug == slug))


def test_a_kick_after_a_redis_restart_still_puts_her_out(
        app, redis_room_state, sockets, make_user, make_room, screener):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    events(m)

    redis_room_state.wipe()  # the shared presence no longer knows her socket is there

    assert act(h, slug, "kick", target=member.id) == {"ok": True}
    assert events(m, "kicked") == [{"room": slug, "reason": "removed by the host"}]
    assert ask(h, "message", {"room": slug, "body": "carry on"})["ok"]
    assert events(m, "message") == []
    assert ask(m, "message", {"room": slug, "body": "x"})["error"]["code"] == "not_in_room"


def test_the_heartbeat_puts_out_a_socket_whose_kick_it_did_not_see(
        app, redis_room_state, sockets, make_user, make_room, screener, in_db):
    from sqlalchemy import select

    from forum.models.room import Room, RoomBan

    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    ask(h, "join", {"room": slug})
    ask(m, "join", {"room": slug})
    events(m)
    # A kick recorded while this process could not be told (another process, Redis down).
    in_db(lambda s: s.add(RoomBan(room_id=s.scalar(select(Room.id).where(Room.slug == slug)),
                                  user_id=member.id, issued_by_id=host.id)))
    with app.app_context():
        from forum.realtime.namespace import current_namespace

        current_namespace().heartbeat()
    assert events(m, "kicked") == [{"room": slug, "reason": "removed by the host"}]
    ask(h, "message", {"room": slug, "body": "carry on"})
    assert events(m, "message") == []
