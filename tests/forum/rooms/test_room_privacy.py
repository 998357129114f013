"""Blocks in rooms follow the one rule of `forum.policy` (API.md, "Blocks"), in every room
channel: live `message` events, the join answer's history and members, `presence`,
`GET /rooms/{slug}/messages`, the room message report page and `POST /reports`.

- Anonymous room messages reach everyone in the room, whoever wrote them: a block is never
  an oracle for who wrote one (issue #12, item 2).
- Named messages skip the people blocked either way with their author, except someone on
  duty: moderators, and the room's host in her room (item 6).
- Presence leaves out, for each member, the people blocked either way with her (item 4).
- A room message is reportable exactly when the room's history shows it to her now (item 5).
- The `support_request` event skips the counsellors the REST list hides it from (item 19),
  and a demoted counsellor stops hearing it (item 8).
"""

from __future__ import annotations

from typing import Any

import pytest

from forum.models.safety import Block
from tests.forum.rooms.conftest import NS, ask, events
from tests.forum.web.conftest import sign_in
from tests.forum.web.test_staff import sign_in_staff

BOTH_WAYS = ["she_blocked_him", "he_blocked_her"]


def block(client: Any, blocker: Any, blocked: Any) -> None:
    done = client.post("/api/v1/blocks", json={"user_id": blocked.id}, headers=blocker.headers)
    assert done.status_code == 201, done.get_json()


def block_between(client: Any, her: Any, him: Any, way: str) -> None:
    if way == "she_blocked_him":
        block(client, her, him)
    else:
        block(client, him, her)


def history_ids(client: Any, slug: str, viewer: Any) -> list[int]:
    answer = client.get(f"/api/v1/rooms/{slug}/messages", headers=viewer.headers)
    assert answer.status_code == 200, answer.get_json()
    return [m["id"] for m in answer.get_json()["messages"]]


def say(sc: Any, slug: str, body: str, *, anonymous: bool = False) -> int:
    answer = ask(sc, "message", {"room": slug, "body": body, "anonymous": anonymous})
    assert answer["ok"], answer
    return answer["message"]["id"]


def heard(sc: Any) -> list[int]:
    return [e["id"] for e in events(sc, "message")]


def member_ids(presence_or_join: dict[str, Any]) -> list[int]:
    return [m["id"] for m in presence_or_join["members"]]


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_anonymous_room_messages_reach_her_whoever_wrote_them(
    sockets, make_user, make_room, client, way
):
    host = make_user("counsellor")
    ayesha, him, friend = make_user(), make_user(), make_user()
    slug = make_room(host)
    a, x, f = sockets.connect(ayesha), sockets.connect(him), sockets.connect(friend)
    for sc in (a, x, f):
        assert ask(sc, "join", {"room": slug})["ok"]
    block_between(client, ayesha, him, way)
    for sc in (a, x, f):
        events(sc)
    hidden = say(x, slug, "anyone else feel this way?", anonymous=True)
    named = say(x, slug, "hello from me")
    hers_anonymous = say(a, slug, "yes, me", anonymous=True)
    hers_named = say(a, slug, "I am ayesha")
    # Live: the anonymous messages reach both of them; the named ones do not cross the block.
    assert heard(a) == [hidden, hers_anonymous, hers_named]
    assert heard(x) == [hidden, named, hers_anonymous]
    assert heard(f) == [hidden, named, hers_anonymous, hers_named]
    # The same in the REST history and in the history a fresh join answers.
    assert history_ids(client, slug, ayesha) == [hidden, hers_anonymous, hers_named]
    assert history_ids(client, slug, him) == [hidden, named, hers_anonymous]
    again = ask(sockets.connect(ayesha), "join", {"room": slug})
    assert [m["id"] for m in again["history"]] == [hidden, hers_anonymous, hers_named]


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_a_block_never_hides_a_members_messages_from_the_host_or_a_moderator(
    sockets, make_user, make_room, client, way
):
    host, moderator = make_user("counsellor"), make_user("moderator")
    member = make_user()
    slug = make_room(host)
    h, mod, m = sockets.connect(host), sockets.connect(moderator), sockets.connect(member)
    for sc in (h, mod, m):
        assert ask(sc, "join", {"room": slug})["ok"]
    block_between(client, host, member, way)
    block_between(client, moderator, member, way)
    for sc in (h, mod, m):
        events(sc)
    said = say(m, slug, "the host cannot stop hearing me")
    assert heard(h) == [said] and heard(mod) == [said]
    assert said in history_ids(client, slug, host)
    assert said in history_ids(client, slug, moderator)
    assert said in [x["id"] for x in ask(sockets.connect(host), "join", {"room": slug})["history"]]
    # The member is not on duty: the block keeps the host's named words from her.
    from_host = say(h, slug, "welcome everyone")
    assert from_host not in heard(m)
    assert from_host not in history_ids(client, slug, member)


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_presence_does_not_show_her_arrival_to_the_man_she_blocked(
    sockets, make_user, make_room, client, way
):
    host = make_user("counsellor")
    ayesha, stalker, friend = make_user(), make_user(), make_user()
    slug = make_room(host)
    h, x, f = sockets.connect(host), sockets.connect(stalker), sockets.connect(friend)
    for sc in (h, x, f):
        assert ask(sc, "join", {"room": slug})["ok"]
    first = sockets.connect(ayesha)
    assert ask(first, "join", {"room": slug})["ok"]
    block_between(client, ayesha, stalker, way)  # they met here; she blocks him and leaves
    assert ask(first, "leave", {"room": slug})["ok"]
    for sc in (h, x, f):
        events(sc)
    joined = ask(sockets.connect(ayesha), "join", {"room": slug})  # she comes back
    assert joined["ok"]
    assert stalker.id not in member_ids(joined)
    assert sorted(member_ids(joined)) == sorted([host.id, friend.id, ayesha.id])
    stalker_sees = events(x, "presence")
    assert stalker_sees and all(ayesha.id not in member_ids(p) for p in stalker_sees)
    assert sorted(member_ids(stalker_sees[-1])) == sorted([host.id, stalker.id, friend.id])
    # Everyone else (and the host on duty) sees both of them.
    everyone = sorted([host.id, stalker.id, friend.id, ayesha.id])
    assert sorted(member_ids(events(f, "presence")[-1])) == everyone
    assert sorted(member_ids(events(h, "presence")[-1])) == everyone


def _page_client(app: Any, member: Any) -> Any:
    web = app.test_client()
    if member.role == "member":
        sign_in(web, member)
    else:
        sign_in_staff(app, web, member)
    return web


def _visible_on_report_page(web: Any, message_id: int) -> bool:
    status = web.get(f"/room-messages/{message_id}/report").status_code
    assert status in {200, 404}
    return status == 200


def _reportable(client: Any, member: Any, message_id: int) -> bool:
    answer = client.post("/api/v1/reports", headers=member.headers, json={
        "target_type": "room_message", "target_id": message_id, "reason": "harassment"})
    assert answer.status_code in {201, 404}, answer.get_json()
    return answer.status_code == 201


def test_the_report_page_shows_a_room_message_exactly_when_her_history_does(
    app, sockets, make_user, make_room, client
):
    host = make_user("counsellor")
    ayesha, him, kicked, stranger = make_user(), make_user(), make_user(), make_user()
    slug = make_room(host)
    h, a, x, k = (sockets.connect(u) for u in (host, ayesha, him, kicked))
    for sc in (h, a, x, k):
        assert ask(sc, "join", {"room": slug})["ok"]
    named = say(x, slug, "you will regret this")
    anonymous = say(x, slug, "someone here is lying", anonymous=True)
    hers = say(a, slug, "please stop")
    block(client, ayesha, him)
    assert ask(h, "moderate", {"room": slug, "action": "kick", "target": kicked.id})["ok"]
    ids = [named, anonymous, hers]
    expected = {
        ayesha.id: [anonymous, hers],  # the block hides his named words, not anonymous ones
        kicked.id: [],  # removed from the room: nothing of it any more
        stranger.id: [],  # never there
        host.id: ids,  # on duty
    }
    for member in (ayesha, kicked, stranger, host):
        web = _page_client(app, member)
        on_page = [i for i in ids if _visible_on_report_page(web, i)]
        assert on_page == expected[member.id], member.handle
        if member.id == host.id:
            assert history_ids(client, slug, host) == ids
        elif member.id == ayesha.id:
            assert history_ids(client, slug, ayesha) == expected[ayesha.id]
        others = [i for i in ids if i != hers or member.id != ayesha.id]  # not her own words
        assert [i for i in others if _reportable(client, member, i)] == [
            i for i in expected[member.id] if i in others]


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_support_requests_skip_counsellors_a_block_stands_between(
    sockets, make_user, client, in_db, way
):
    member = make_user()
    apart, other = make_user("counsellor"), make_user("counsellor")
    # Made in the database: a member can block only a name she was shown (a named post, a
    # shared room); how they met does not matter here.
    pair = (member, apart) if way == "she_blocked_him" else (apart, member)
    in_db(lambda s: s.add(Block(blocker_id=pair[0].id, blocked_id=pair[1].id)))
    c_apart, c_other = sockets.connect(apart), sockets.connect(other)
    created = client.post("/api/v1/support-requests", json={"topic": "he found my address"},
                          headers=member.headers)
    assert created.status_code == 201
    request_id = created.get_json()["request"]["id"]
    assert [e["request"]["id"] for e in events(c_other, "support_request")] == [request_id]
    assert events(c_apart, "support_request") == []

    def listed(counsellor: Any) -> list[int]:
        answer = client.get("/api/v1/support-requests", headers=counsellor.headers)
        assert answer.status_code == 200
        return [r["id"] for r in answer.get_json()["requests"]]

    assert request_id in listed(other) and request_id not in listed(apart)


def test_a_demoted_counsellor_stops_hearing_support_requests(sockets, make_user, client):
    admin, counsellor, member = make_user("admin"), make_user("counsellor"), make_user()
    c = sockets.connect(counsellor)
    assert c.is_connected(NS)
    done = client.patch(f"/api/v1/users/{counsellor.id}", json={"role": "member"},
                        headers=admin.headers)
    assert done.status_code == 200
    assert not c.is_connected(NS)  # cut at once; she reconnects with her new role
    again = sockets.connect(counsellor)
    assert client.post("/api/v1/support-requests", json={"topic": "please help"},
                       headers=member.headers).status_code == 201
    assert events(again, "support_request") == []


def test_a_revoked_session_cuts_only_its_own_sockets(sockets, make_user, client):
    member = make_user()
    second = client.post("/api/v1/auth/login", json={"handle": member.handle,
                                                     "password": member.password})
    assert second.status_code == 200
    phone = sockets.connect(auth={"token": second.get_json()["token"]})
    laptop = sockets.connect(member)
    sessions = client.get("/api/v1/me/sessions", headers=member.headers).get_json()["sessions"]
    phone_session = [s["id"] for s in sessions if not s["current"]]
    assert len(phone_session) == 1
    gone = client.delete(f"/api/v1/me/sessions/{phone_session[0]}", headers=member.headers)
    assert gone.status_code == 204
    assert not phone.is_connected(NS)
    assert laptop.is_connected(NS)
    assert client.post("/api/v1/auth/logout", headers=member.headers).status_code == 204
    assert not laptop.is_connected(NS)


def test_after_leaving_she_reads_nothing_said_later_until_she_comes_back(
    app, sockets, make_user, make_room, client
):
    host, member = make_user("counsellor"), make_user()
    slug = make_room(host)
    h, m = sockets.connect(host), sockets.connect(member)
    for sc in (h, m):
        assert ask(sc, "join", {"room": slug})["ok"]
    before = say(h, slug, "welcome")
    assert ask(m, "leave", {"room": slug}) == {"ok": True}
    later = say(h, slug, "said after she left")
    web = _page_client(app, member)
    assert client.get(f"/api/v1/rooms/{slug}/messages", headers=member.headers).status_code == 403
    assert not _visible_on_report_page(web, later)
    assert not _reportable(client, member, later)
    # Coming back makes her a participant again: the room's history is hers, as the join shows.
    again = ask(m, "join", {"room": slug})
    assert [x["id"] for x in again["history"]] == [before, later]
    assert history_ids(client, slug, member) == [before, later]
    assert _visible_on_report_page(web, later)
