"""Appeals: one per sanction within 20 days, decided by another moderator, lifting on overturn,
filed without signing in by a suspended or banned member, audited; the appellant never learns
who reported her or who issued the sanction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from forum import signals
from forum.models.safety import Sanction


def sanction(forum, moderator, member, kind="suspend", **extra):
    answer = forum.sanction(moderator, member.id, kind, reason="repeated insults", **extra)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["sanction"]


def signed_out_appeal(forum, member, sanction_id, text="I was quoting what was said to me"):
    return forum.client.post("/api/v1/auth/appeal", json={
        "handle": member.handle, "password": member.password,
        "sanction_id": sanction_id, "text": text})


def test_a_suspended_member_learns_why_until_when_and_how_to_appeal_at_login(forum, make_user):
    member, moderator = make_user(), make_user("moderator")
    given = sanction(forum, moderator, member, duration_hours=72)
    login = forum.client.post("/api/v1/auth/login",
                              json={"handle": member.handle, "password": member.password})
    body = login.get_json()
    assert login.status_code == 403 and body["code"] == "suspended"
    told = body["sanction"]
    assert told["id"] == given["id"] and told["kind"] == "suspend"
    assert told["reason"] == "repeated insults" and told["ends_at"] == given["ends_at"]
    until = dt.datetime.fromisoformat(told["appealable_until"])
    started = dt.datetime.fromisoformat(given["starts_at"])
    assert dt.timedelta(days=19, hours=23) < until - started <= dt.timedelta(days=20)
    # Nothing names the moderator who issued it.
    assert moderator.handle not in login.get_data(as_text=True)


def test_a_suspended_member_appeals_without_signing_in_and_another_moderator_lifts_it(
    forum, make_user
):
    member, issuer, other = make_user(), make_user("moderator"), make_user("moderator")
    given = sanction(forum, issuer, member, duration_hours=72)
    filed = signed_out_appeal(forum, member, given["id"])
    assert filed.status_code == 201, filed.get_json()
    appeal = filed.get_json()["appeal"]
    assert appeal["status"] == "pending"

    queue = forum.client.get("/api/v1/moderation/appeals?status=pending", headers=other.headers)
    assert queue.status_code == 200
    [listed] = [a for a in queue.get_json()["appeals"] if a["id"] == appeal["id"]]
    assert listed["text"] == "I was quoting what was said to me"
    assert listed["sanction"]["user"]["handle"] == member.handle
    assert listed["sanction"]["issued_by"]["handle"] == issuer.handle

    # The moderator who issued the sanction cannot decide its appeal.
    mine = forum.client.post(f"/api/v1/moderation/appeals/{appeal['id']}/decide",
                             headers=issuer.headers, json={"decision": "overturn"})
    assert mine.status_code == 403 and mine.get_json()["code"] == "forbidden"

    heard = []

    def listener(sender, **kwargs):
        heard.append((sender, kwargs["status"]))

    signals.appeal_decided.connect(listener)
    try:
        decided = forum.client.post(f"/api/v1/moderation/appeals/{appeal['id']}/decide",
                                    headers=other.headers,
                                    json={"decision": "overturn", "note": "It was a quote."})
    finally:
        signals.appeal_decided.disconnect(listener)
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["appeal"]["status"] == "overturned"
    assert heard == [(member.id, "overturned")]
    # Lifted: she signs in again and sees the decision and its note, not who decided.
    login = forum.client.post("/api/v1/auth/login",
                              json={"handle": member.handle, "password": member.password})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.get_json()['token']}"}
    mine = forum.client.get("/api/v1/me/sanctions", headers=headers)
    [row] = mine.get_json()["sanctions"]
    assert row["active"] is False and row["lifted_at"] is not None
    assert row["appeal"]["status"] == "overturned" and row["appeal"]["note"] == "It was a quote."
    assert other.handle not in mine.get_data(as_text=True)
    assert issuer.handle not in mine.get_data(as_text=True)
    # A second decision is refused.
    again = forum.client.post(f"/api/v1/moderation/appeals/{appeal['id']}/decide",
                              headers=other.headers, json={"decision": "uphold"})
    assert again.status_code == 409
    actions = {e["action"] for e in forum.audit(other)}
    assert {"appeal.file", "appeal.decide", "sanction.lift"} <= actions


def test_upholding_keeps_the_sanction(forum, make_user):
    member, issuer, other = make_user(), make_user("moderator"), make_user("moderator")
    given = sanction(forum, issuer, member, kind="mute", duration_hours=24)
    filed = forum.client.post(f"/api/v1/sanctions/{given['id']}/appeal", headers=member.headers,
                              json={"text": "please look again"})
    assert filed.status_code == 201
    appeal_id = filed.get_json()["appeal"]["id"]
    decided = forum.client.post(f"/api/v1/moderation/appeals/{appeal_id}/decide",
                                headers=other.headers, json={"decision": "uphold",
                                                             "note": "The rule was broken."})
    assert decided.status_code == 200 and decided.get_json()["appeal"]["status"] == "upheld"
    [row] = forum.client.get("/api/v1/me/sanctions", headers=member.headers).get_json()["sanctions"]
    assert row["active"] is True and row["appeal"]["status"] == "upheld"
    assert forum.thread(member).status_code == 403  # still muted


def test_one_appeal_per_sanction_and_only_her_own(forum, make_user):
    member, stranger, moderator = make_user(), make_user(), make_user("moderator")
    given = sanction(forum, moderator, member, kind="warn")
    first = forum.client.post(f"/api/v1/sanctions/{given['id']}/appeal", headers=member.headers,
                              json={"text": "one"})
    assert first.status_code == 201
    second = forum.client.post(f"/api/v1/sanctions/{given['id']}/appeal", headers=member.headers,
                               json={"text": "two"})
    assert second.status_code == 409 and second.get_json()["code"] == "conflict"
    # Someone else's sanction does not exist for her.
    theirs = forum.client.post(f"/api/v1/sanctions/{given['id']}/appeal",
                               headers=stranger.headers, json={"text": "mine now"})
    assert theirs.status_code == 404
    empty = forum.client.post(f"/api/v1/sanctions/{given['id']}/appeal", headers=member.headers,
                              json={"text": ""})
    assert empty.status_code == 422


def test_the_window_closes_after_twenty_days(forum, make_user, app):
    member, moderator = make_user(), make_user("moderator")
    given = sanction(forum, moderator, member, kind="ban")
    with app.app_context():
        with app.extensions["forum.db"].unit_of_work() as session:
            old = dt.datetime.now(dt.UTC) - dt.timedelta(days=21)
            session.execute(update(Sanction).where(Sanction.id == given["id"])
                            .values(created_at=old, starts_at=old))
    late = signed_out_appeal(forum, member, given["id"])
    assert late.status_code == 422 and late.get_json()["code"] == "validation_failed"
    assert "20 days" in late.get_data(as_text=True)


def test_signed_out_appeal_needs_her_password(forum, make_user):
    member, moderator = make_user(), make_user("moderator")
    given = sanction(forum, moderator, member, kind="ban")
    wrong = forum.client.post("/api/v1/auth/appeal", json={
        "handle": member.handle, "password": "not her password at all",
        "sanction_id": given["id"], "text": "let me back"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "unauthorized"
    nobody = forum.client.post("/api/v1/auth/appeal", json={
        "handle": "no_such_member_here", "password": "whatever it is 123",
        "sanction_id": given["id"], "text": "let me back"})
    assert nobody.status_code == 401
    assert nobody.get_json()["detail"] == wrong.get_json()["detail"]


def test_members_cannot_see_or_decide_appeals(forum, make_user):
    member, moderator = make_user(), make_user("moderator")
    given = sanction(forum, moderator, member, kind="warn")
    appeal_id = forum.client.post(f"/api/v1/sanctions/{given['id']}/appeal",
                                  headers=member.headers,
                                  json={"text": "why"}).get_json()["appeal"]["id"]
    assert forum.client.get("/api/v1/moderation/appeals",
                            headers=member.headers).status_code == 403
    assert forum.client.post(f"/api/v1/moderation/appeals/{appeal_id}/decide",
                             headers=member.headers,
                             json={"decision": "overturn"}).status_code == 403
    bad = forum.client.post(f"/api/v1/moderation/appeals/{appeal_id}/decide",
                            headers=make_user("moderator").headers, json={"decision": "maybe"})
    assert bad.status_code == 422
