"""Reports: filing, duplicates, auto-hiding, `hide_from_me`, and what reporters see later."""

from __future__ import annotations


def test_report_is_filed_once_and_listed_as_mine(forum, make_user):
    author, reporter = make_user(), make_user()
    post = forum.opening(author)
    first = forum.report(reporter, post["id"], "threat", desired_outcome="remove", note="scary")
    assert first.status_code == 201
    assert first.get_json() == {"report": {"id": first.get_json()["report"]["id"], "status": "open"}}
    again = forum.report(reporter, post["id"], "spam")
    assert again.status_code == 409
    assert again.get_json()["code"] == "conflict"
    mine = forum.client.get("/api/v1/reports/mine", headers=reporter.headers).get_json()
    assert [r["reason"] for r in mine["reports"]] == ["threat"]
    report = mine["reports"][0]
    assert {"id", "target_type", "target_id", "reason", "desired_outcome", "status",
            "outcome_note", "created_at", "resolved_at"} <= set(report)
    assert report["status"] == "open" and report["desired_outcome"] == "remove"
    assert mine["next_cursor"] is None
    # Nobody else sees them.
    assert forum.client.get("/api/v1/reports/mine", headers=author.headers).get_json()["reports"] == []


def test_report_validation_and_missing_targets(forum, make_user):
    author, reporter = make_user(), make_user()
    post = forum.opening(author)
    bad = forum.report(reporter, post["id"], "rude")
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]
    assert forum.report(reporter, 999_999).status_code == 404
    assert forum.report(reporter, reporter.id, target_type="user").status_code == 422
    assert forum.report(author, post["id"]).status_code == 422
    assert forum.report(reporter, author.id, "impersonation", target_type="user").status_code == 201
    anonymous = forum.client.post("/api/v1/reports", json={
        "target_type": "post", "target_id": post["id"], "reason": "spam"})
    assert anonymous.status_code == 401


def test_a_moderator_report_hides_at_once(forum, make_user):
    author, moderator, reader = make_user(), make_user("moderator"), make_user()
    post = forum.opening(author)
    reply = forum.reply(author, post["thread"]["id"], "Something nasty").get_json()["post"]
    assert forum.report(moderator, reply["id"], "hate").status_code == 201
    shown = forum.thread_posts(reader, post["thread"]["id"]).get_json()["posts"]
    assert reply["id"] not in [p["id"] for p in shown]
    assert any(e["action"] == "post.hide" and e["target_id"] == reply["id"]
               for e in forum.audit(moderator))


def test_hide_from_me_blocks_the_author_for_the_reporter(forum, make_user):
    author, reporter = make_user(), make_user()
    post = forum.opening(author, "Look at me")
    assert forum.report(reporter, post["id"], "stalking", desired_outcome="hide_from_me").status_code == 201
    blocks = forum.client.get("/api/v1/blocks", headers=reporter.headers).get_json()["blocks"]
    assert [b["user"]["id"] for b in blocks] == [author.id]
    threads = forum.client.get("/api/v1/boards/talk/threads", headers=reporter.headers).get_json()
    assert threads["threads"] == []


def test_reporters_see_the_outcome(forum, make_user):
    author, first, second, moderator = make_user(), make_user(), make_user(), make_user("moderator")
    post = forum.opening(author, "my words")
    forum.report(first, post["id"], "harassment")
    forum.report(second, post["id"], "hate")
    item = forum.item_for(moderator, post["id"])
    assert item["report_count"] == 2
    done = forum.resolve(moderator, item["id"], "remove", note="Removed for harassment.")
    assert done.status_code == 200
    for member in (first, second):
        report = forum.client.get("/api/v1/reports/mine", headers=member.headers).get_json()["reports"][0]
        assert report["status"] == "actioned"
        assert report["outcome_note"] == "Removed for harassment."
        assert report["resolved_at"] is not None


def test_the_snapshot_keeps_what_was_reported(forum, make_user, app):
    from moderation.models import Report

    author, reporter = make_user(), make_user()
    post = forum.opening(author, "the original words", anonymous=True)
    report_id = forum.report(reporter, post["id"], "threat").get_json()["report"]["id"]
    edited = forum.client.patch(f"/api/v1/posts/{post['id']}", headers=author.headers,
                                json={"body": "something else"})
    assert edited.status_code == 200
    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        snap = session.get(Report, report_id).snapshot
        session.close()
    assert snap["text"].endswith("the original words")
    assert snap["board"] == "talk" and snap["created_at"]
    # An anonymous author stays anonymous to the reporter, even in her evidence.
    assert snap["author"] is None and snap["anonymous"] is True


def test_export_has_my_reports_and_erasure_keeps_others_evidence(forum, make_user, app):
    from moderation.models import Report

    harasser, reporter, moderator = make_user(), make_user(), make_user("moderator")
    post = forum.opening(harasser, "a cruel thing to say")
    report_id = forum.report(reporter, post["id"], "harassment").get_json()["report"]["id"]
    forum.report(harasser, reporter.id, "other", target_type="user")
    export = forum.client.get("/api/v1/me/export", headers=reporter.headers).get_json()
    assert [r["id"] for r in export["reports"]] == [report_id]
    assert export["reports"][0]["snapshot"]["text"].endswith("a cruel thing to say")

    erased = forum.client.delete("/api/v1/me", headers=harasser.headers,
                                 json={"password": harasser.password, "erase_posts": True})
    assert erased.status_code == 204
    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        kept = session.get(Report, report_id)
        assert kept.snapshot["text"].endswith("a cruel thing to say")  # her evidence stays
        assert session.query(Report).filter_by(target_type="user", target_id=reporter.id).count() == 0
        session.close()
    item = forum.item_for(moderator, post["id"])
    assert item["target"]["author"] is None


def test_room_messages_are_reported_with_a_snapshot(forum, make_user, app):
    from forum.models.room import Room, RoomMessage, RoomParticipant

    host, speaker, listener, outsider = (make_user("counsellor"), make_user(), make_user(),
                                         make_user())
    moderator = make_user("moderator")
    with app.app_context():
        with app.extensions["forum.db"].unit_of_work() as session:
            room = Room(slug="evening-circle", title="Evening circle", host_id=host.id,
                        status="open")
            session.add(room)
            session.flush()
            for member in (speaker, listener):
                session.add(RoomParticipant(room_id=room.id, user_id=member.id))
            message = RoomMessage(room_id=room.id, author_id=speaker.id, body="you will regret this",
                                  body_html="<p>you will regret this</p>")
            session.add(message)
            session.flush()
            message_id = message.id
    assert forum.report(outsider, message_id, "threat", target_type="room_message").status_code == 404
    answer = forum.report(listener, message_id, "threat", target_type="room_message")
    assert answer.status_code == 201
    item = forum.item_for(moderator, message_id, "room_message")
    assert item["priority"] == "urgent"
    assert item["target"]["room"] == "evening-circle"
    assert item["target"]["author"]["id"] == speaker.id
    assert forum.resolve(moderator, item["id"], "remove").status_code == 200
    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        assert session.get(RoomMessage, message_id).status == "removed"
        session.close()


def test_help_me_report_answers_with_who_can_help(forum, make_user):
    author, reporter = make_user(), make_user()
    post = forum.opening(author, "send me pictures or else")
    answer = forum.report(reporter, post["id"], "blackmail", desired_outcome="help_me_report")
    assert answer.status_code == 201
    phones = {r["phone"] for r in answer.get_json()["resources"]}
    assert {"0800-39393", "1799"} <= phones
    plain = forum.report(make_user(), post["id"], "blackmail")
    assert "resources" not in plain.get_json()
