"""With the room state's Redis unreachable (a closed port), nothing a member or a moderator
does answers 500: rooms work within the process, and the safety actions (suspend, ban, sign
out everywhere else, a room mute) take effect at once, cutting the sockets they must cut."""

from __future__ import annotations

from tests.forum.rooms.conftest import NS, ask, events

PASSWORD = "correct horse battery staple 42"


def act(sc, slug, action, **fields):
    return ask(sc, "moderate", {"room": slug, "action": action, **fields})


def test_rooms_work_within_the_process_while_redis_is_unreachable(
        app, client, unreachable_room_state, sockets, make_user, make_room, screener):
    host, member = make_user("counsellor"), make_user("member")
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    assert h.is_connected(NS) and m.is_connected(NS)
    assert ask(h, "join", {"room": slug})["ok"]
    joined = ask(m, "join", {"room": slug})
    assert joined["ok"], joined
    said = ask(m, "message", {"room": slug, "body": "can anyone hear me?"})
    assert said["ok"], said
    assert [e["id"] for e in events(h, "message")] == [said["message"]["id"]]

    listed = client.get("/api/v1/rooms", headers=member.headers)
    assert listed.status_code == 200
    assert [r["participant_count"] for r in listed.get_json()["rooms"] if r["slug"] == slug] == [2]
    after = client.get(f"/api/v1/rooms/{slug}/messages?after=0", headers=member.headers)
    assert after.status_code == 200
    assert [x["id"] for x in after.get_json()["messages"]] == [said["message"]["id"]]

    assert act(h, slug, "mute", target=member.id) == {"ok": True}
    assert ask(m, "message", {"room": slug, "body": "hello?"})["error"]["code"] == "muted"
    assert act(h, slug, "unmute", target=member.id) == {"ok": True}
    assert ask(m, "leave", {"room": slug}) == {"ok": True}
    assert ask(m, "message", {"room": slug, "body": "x"})["error"]["code"] == "not_in_room"
    assert unreachable_room_state.degraded  # Redis was asked, failed, and memory answered


def test_safety_actions_take_effect_while_redis_is_unreachable(
        app, client, unreachable_room_state, sockets, make_user, make_room, screener):
    mod, harasser, other = make_user("moderator"), make_user("member"), make_user("member")
    target = make_user("member")
    hs, os_, ts = sockets.connect(harasser), sockets.connect(other), sockets.connect(target)

    suspended = client.post(f"/api/v1/users/{harasser.id}/sanctions", headers=mod.headers,
                            json={"kind": "suspend", "duration_hours": 24, "reason": "threats"})
    assert suspended.status_code == 201, suspended.get_json()
    assert not hs.is_connected(NS)
    banned = client.post(f"/api/v1/users/{other.id}/sanctions", headers=mod.headers,
                         json={"kind": "ban", "reason": "sextortion"})
    assert banned.status_code == 201, banned.get_json()
    assert not os_.is_connected(NS)

    # She signs out everywhere else from a second session: the first one's socket is cut.
    login = client.post("/api/v1/auth/login", json={"handle": target.handle, "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    second = {"Authorization": f"Bearer {login.get_json()['token']}"}
    done = client.post("/api/v1/me/sessions/revoke-others", headers=second)
    assert done.status_code == 200, done.get_json()
    assert not ts.is_connected(NS)
    # A new connection is refused for the suspended account, accepted for her.
    assert not sockets.connect(harasser).is_connected(NS)
    assert sockets.connect(auth={"token": login.get_json()["token"]}).is_connected(NS)
    assert unreachable_room_state.degraded
