"""The review queue: ranking, claiming, resolving (with a sanction), re-opening, reveals."""

from __future__ import annotations

CRISIS_TEXT = "I want to kill myself, I cannot go on"


def test_queue_is_for_moderators_with_a_second_factor(forum, make_user):
    member = make_user()
    assert forum.client.get("/api/v1/moderation/queue", headers=member.headers).status_code == 403
    no_totp = make_user("moderator", totp=False)
    answer = forum.client.get("/api/v1/moderation/queue", headers=no_totp.headers)
    assert answer.status_code == 403 and answer.get_json()["code"] == "totp_required"
    assert forum.client.get("/api/v1/moderation/queue").status_code == 401


def test_crisis_first_then_threats_then_by_report_count(forum, make_user):
    moderator = make_user("moderator")
    author = make_user()
    plain = forum.opening(author, "an ordinary post")
    busy = forum.opening(author, "a much reported post")
    threat = forum.opening(author, "another ordinary post")
    forum.report(make_user(), plain["id"], "spam")
    for _ in range(2):
        forum.report(make_user(), busy["id"], "harassment")
    forum.report(make_user(), threat["id"], "threat")
    crisis = forum.opening(make_user(), CRISIS_TEXT)
    items = forum.queue(moderator)
    order = [i["target_id"] for i in items]
    assert order == [crisis["id"], threat["id"], busy["id"], plain["id"]]
    assert [i["priority"] for i in items] == ["crisis", "urgent", "normal", "normal"]
    first = items[0]
    assert {"id", "target_type", "target_id", "target", "reasons", "report_count", "priority",
            "created_at", "claimed_by"} <= set(first)
    assert any(r["code"].startswith("crisis") for r in first["reasons"])
    assert items[2]["report_count"] == 2


def test_queue_shows_the_real_author_of_anonymous_posts_and_audits_the_look(forum, make_user):
    author, reporter, moderator = make_user(), make_user(), make_user("moderator")
    post = forum.opening(author, "said anonymously", anonymous=True)
    forum.report(reporter, post["id"], "harassment")
    item = forum.item_for(moderator, post["id"])
    assert item["target"]["author"]["handle"] == author.handle
    assert item["target"]["anonymous"] is True
    reveals = forum.audit(moderator, "author.reveal")
    assert any(post["id"] in e["details"].get("post_ids", []) for e in reveals)


def test_one_item_per_target_reopened_not_duplicated(forum, make_user):
    author, moderator = make_user(), make_user("moderator")
    post = forum.opening(author)
    forum.report(make_user(), post["id"], "spam")
    forum.report(make_user(), post["id"], "spam")
    item = forum.item_for(moderator, post["id"])
    assert item["report_count"] == 2
    assert forum.resolve(moderator, item["id"], "dismiss").status_code == 200
    assert forum.queue(moderator) == []
    [done] = forum.queue(moderator, "resolved")
    assert done["decision"] == "dismiss" and done["resolved_by"]["id"] == moderator.id
    assert forum.client.get("/api/v1/moderation/queue?status=later",
                            headers=moderator.headers).status_code == 422
    forum.report(make_user(), post["id"], "hate")
    again = forum.item_for(moderator, post["id"])
    assert again["id"] == item["id"] and again["report_count"] == 1
    resolved = forum.queue(moderator, "resolved")
    assert resolved == []


def test_claim_conflict(forum, make_user):
    author, first, second = make_user(), make_user("moderator"), make_user("moderator")
    post = forum.opening(author)
    forum.report(make_user(), post["id"], "spam")
    item = forum.item_for(first, post["id"])
    claimed = forum.client.post(f"/api/v1/moderation/queue/{item['id']}/claim", headers=first.headers)
    assert claimed.status_code == 200
    assert claimed.get_json()["item"]["claimed_by"]["id"] == first.id
    # Claiming again is harmless for the same moderator, a conflict for another.
    assert forum.client.post(f"/api/v1/moderation/queue/{item['id']}/claim",
                             headers=first.headers).status_code == 200
    other = forum.client.post(f"/api/v1/moderation/queue/{item['id']}/claim", headers=second.headers)
    assert other.status_code == 409 and other.get_json()["code"] == "conflict"
    assert forum.resolve(second, item["id"], "dismiss").status_code == 409
    assert forum.client.post("/api/v1/moderation/queue/999999/claim",
                             headers=first.headers).status_code == 404


def test_resolve_with_a_sanction(forum, make_user):
    author, reporter, moderator = make_user(), make_user(), make_user("moderator")
    opening = forum.opening(reporter, "I need advice")
    post = forum.reply(author, opening["thread"]["id"], "something vile").get_json()["post"]
    forum.report(reporter, post["id"], "sexual_harassment", desired_outcome="ban")
    item = forum.item_for(moderator, post["id"])
    done = forum.resolve(moderator, item["id"], "remove", note="Not acceptable here.",
                         sanction={"kind": "mute", "duration_hours": 24, "reason": "harassment"})
    assert done.status_code == 200
    body = done.get_json()["item"]
    assert body["status"] == "resolved" and body["decision"] == "remove"
    sanctions = forum.client.get(f"/api/v1/users/{author.id}/sanctions",
                                 headers=moderator.headers).get_json()["sanctions"]
    assert [s["kind"] for s in sanctions] == ["mute"]
    muted = forum.reply(author, opening["thread"]["id"], "let me speak")
    assert muted.status_code == 403 and muted.get_json()["code"] == "muted"
    # The removed post is gone for readers.
    shown = forum.thread_posts(reporter, opening["thread"]["id"]).get_json()["posts"]
    assert post["id"] not in [p["id"] for p in shown]
    again = forum.resolve(moderator, item["id"], "approve")
    assert again.status_code == 409


def test_approve_restores_hidden_content_and_dismisses_reports(forum, make_user, app):
    app.config["FORUM"]["FORUM_AUTO_HIDE_REPORTS"] = 1
    # A counsellor's report weighs fully (a new member's would weigh half: test_auto_hide.py).
    author, reporter, moderator, reader = (make_user(), make_user("counsellor"),
                                           make_user("moderator"), make_user())
    post = forum.opening(author)
    forum.report(reporter, post["id"], "spam")
    assert forum.client.get(f"/api/v1/threads/{post['thread']['id']}",
                            headers=reader.headers).status_code == 404
    item = forum.item_for(moderator, post["id"])
    assert forum.resolve(moderator, item["id"], "approve").status_code == 200
    shown = forum.client.get(f"/api/v1/threads/{post['thread']['id']}", headers=reader.headers)
    assert shown.status_code == 200
    report = forum.client.get("/api/v1/reports/mine", headers=reporter.headers).get_json()["reports"][0]
    assert report["status"] == "dismissed" and report["outcome_note"]


def test_resolve_validation(forum, make_user):
    author, moderator = make_user(), make_user("moderator")
    post = forum.opening(author)
    forum.report(make_user(), post["id"], "spam")
    item = forum.item_for(moderator, post["id"])
    bad = forum.resolve(moderator, item["id"], "delete")
    assert bad.status_code == 422 and "decision" in bad.get_json()["errors"]
    stale = forum.resolve(moderator, item["id"], "dismiss", version=item["version"] + 5)
    assert stale.status_code == 409
