"""Sanctions: mute, suspend, ban (with ban evasion), warn, lifting and the history."""

from __future__ import annotations

from forum import signals


def register(client, handle, address="203.0.113.7"):
    answer = client.post("/api/v1/auth/register", json={
        "handle": handle, "password": "a long and private passphrase 77"},
        environ_base={"REMOTE_ADDR": address})
    assert answer.status_code == 201, answer.get_json()
    data = answer.get_json()
    return data["user"]["id"], {"Authorization": f"Bearer {data['token']}"}


def test_mute_stops_posting_and_reacting_but_not_reading_or_reporting(forum, make_user):
    member, other, moderator = make_user(), make_user(), make_user("moderator")
    post = forum.opening(other)
    answer = forum.sanction(moderator, member.id, "mute", duration_hours=12)
    assert answer.status_code == 201
    sanction = answer.get_json()["sanction"]
    assert sanction["kind"] == "mute" and sanction["ends_at"] is not None and sanction["active"]
    for attempt in (
        forum.thread(member),
        forum.reply(member, post["thread"]["id"]),
        forum.client.post(f"/api/v1/posts/{post['id']}/reactions", headers=member.headers,
                          json={"kind": "support"}),
    ):
        assert attempt.status_code == 403 and attempt.get_json()["code"] == "muted"
    # A mute restricts writing only: she can still report what hurts her (API.md).
    assert forum.report(member, post["id"]).status_code == 201
    assert forum.thread_posts(member, post["thread"]["id"]).status_code == 200
    me = forum.client.get("/api/v1/me", headers=member.headers).get_json()
    assert [s["kind"] for s in me["sanctions"]] == ["mute"]


def test_suspend_revokes_tokens_and_refuses_login(forum, make_user):
    member, moderator = make_user(), make_user("moderator")
    heard = []

    def listener(sender, **kwargs):
        heard.append((sender, kwargs["kind"]))

    signals.account_restricted.connect(listener)
    try:
        answer = forum.sanction(moderator, member.id, "suspend", duration_hours=48)
    finally:
        signals.account_restricted.disconnect(listener)
    assert answer.status_code == 201
    assert heard == [(member.id, "suspend")]
    assert forum.client.get("/api/v1/me", headers=member.headers).status_code == 401
    login = forum.client.post("/api/v1/auth/login",
                              json={"handle": member.handle, "password": member.password})
    assert login.status_code == 403 and login.get_json()["code"] == "suspended"


def test_ban_is_permanent_and_new_accounts_from_the_network_are_held(forum, make_user, client):
    moderator = make_user("moderator")
    banned_id, banned_headers = register(client, "harasser_one")
    other_id, other_headers = register(client, "innocent_far", address="198.51.100.9")
    answer = forum.sanction(moderator, banned_id, "ban", reason="threats")
    assert answer.status_code == 201
    assert answer.get_json()["sanction"]["ends_at"] is None
    assert client.get("/api/v1/me", headers=banned_headers).status_code == 401
    login = client.post("/api/v1/auth/login", json={
        "handle": "harasser_one", "password": "a long and private passphrase 77"})
    assert login.status_code == 403 and login.get_json()["code"] == "banned"
    history = client.get(f"/api/v1/users/{banned_id}/sanctions", headers=moderator.headers)
    assert [s["kind"] for s in history.get_json()["sanctions"]] == ["ban"]

    _new_id, new_headers = register(client, "harasser_two", address="203.0.113.200")
    held = client.post("/api/v1/boards/talk/threads", headers=new_headers,
                       json={"title": "hello again", "body": "just saying hi"})
    assert held.status_code == 201
    assert held.get_json()["moderation"] == {"status": "pending", "reasons": ["ban_evasion"]}
    assert held.get_json()["post"]["status"] == "pending"
    item = forum.item_for(moderator, held.get_json()["post"]["id"])
    assert [r["code"] for r in item["reasons"]] == ["ban_evasion"]
    # A member on another network, or one registered before the ban, is not affected.
    fine = client.post("/api/v1/boards/talk/threads", headers=other_headers,
                       json={"title": "hello", "body": "just saying hi"})
    assert fine.get_json()["moderation"]["status"] == "published"


def test_lifting_a_sanction(forum, make_user):
    member, moderator = make_user(), make_user("moderator")
    sanction = forum.sanction(moderator, member.id, "mute").get_json()["sanction"]
    assert sanction["ends_at"] is None
    assert forum.thread(member).status_code == 403
    lifted = forum.client.delete(f"/api/v1/sanctions/{sanction['id']}", headers=moderator.headers)
    assert lifted.status_code == 204
    assert forum.thread(member).status_code == 201
    history = forum.client.get(f"/api/v1/users/{member.id}/sanctions",
                               headers=moderator.headers).get_json()["sanctions"]
    assert history[0]["lifted_at"] is not None and history[0]["active"] is False
    assert forum.client.delete("/api/v1/sanctions/999999", headers=moderator.headers).status_code == 404


def test_warn_is_recorded_and_shown(forum, make_user):
    member, moderator = make_user(), make_user("moderator")
    assert forum.sanction(moderator, member.id, "warn", reason="be kind").status_code == 201
    assert forum.thread(member).status_code == 201
    me = forum.client.get("/api/v1/me", headers=member.headers).get_json()
    assert [(s["kind"], s["reason"]) for s in me["sanctions"]] == [("warn", "be kind")]


def test_who_may_sanction_whom(forum, make_user):
    member, moderator, other_moderator, admin = (make_user(), make_user("moderator"),
                                                 make_user("moderator"), make_user("admin"))
    assert forum.sanction(member, moderator.id, "mute").status_code == 403
    assert forum.sanction(moderator, other_moderator.id, "mute").status_code == 403
    assert forum.sanction(admin, other_moderator.id, "warn").status_code == 201
    assert forum.sanction(moderator, moderator.id, "mute").status_code == 422
    assert forum.sanction(moderator, 999_999, "mute").status_code == 404
    bad = forum.sanction(moderator, member.id, "exile")
    assert bad.status_code == 422 and "kind" in bad.get_json()["errors"]
    assert forum.sanction(moderator, member.id, "mute", duration_hours=0).status_code == 422
    assert forum.sanction(moderator, member.id, "mute", duration_hours="2").status_code == 422
    assert forum.client.get(f"/api/v1/users/{member.id}/sanctions",
                            headers=member.headers).status_code == 403
