"""Moderators' rules: they apply to the very next post, and go away as quickly."""

from __future__ import annotations

from forum.models.user import User
from forum.screening import Submission
from moderation.screener import ModerationScreener


def add_rule(forum, moderator, **body):
    return forum.client.post("/api/v1/moderation/rules", headers=moderator.headers, json=body)


def test_a_new_rule_blocks_the_next_post_at_once(forum, make_user):
    moderator, author = make_user("moderator"), make_user()
    assert forum.thread(author, "we should meet at the mango orchard").status_code == 201
    created = add_rule(forum, moderator, pattern="mango orchard", kind="phrase", action="block",
                       note="a meeting place used to lure members")
    assert created.status_code == 201
    rule = created.get_json()["rule"]
    assert {"id", "pattern", "kind", "action", "note", "created_by", "created_at"} <= set(rule)
    refused = forum.thread(author, "Come to the MANGO   orchard tonight")
    assert refused.status_code == 422
    problem = refused.get_json()
    assert problem["code"] == "content_blocked"
    assert problem["reasons"] == [f"rule:{rule['id']}:block"]
    listed = forum.client.get("/api/v1/moderation/rules", headers=moderator.headers).get_json()
    assert [r["id"] for r in listed["rules"]] == [rule["id"]]
    deleted = forum.client.delete(f"/api/v1/moderation/rules/{rule['id']}", headers=moderator.headers)
    assert deleted.status_code == 204
    assert forum.thread(author, "Come to the mango orchard tonight").status_code == 201
    assert forum.client.delete(f"/api/v1/moderation/rules/{rule['id']}",
                               headers=moderator.headers).status_code == 404


def test_rules_hold_across_processes(forum, make_user, app):
    """Another process's screener sees the new rule through the version stamp."""
    moderator, author = make_user("moderator"), make_user()
    other_process = ModerationScreener()
    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        user = session.get(User, author.id)
        text = "watch for the GRAY VAN outside"
        assert other_process.screen(session, Submission(user, text, "post")).status == "published"
        session.close()
    added = add_rule(forum, moderator, pattern=r"gr[ae]y\s*vans?", kind="regex", action="hold")
    assert added.status_code == 201
    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        user = session.get(User, author.id)
        assert other_process.screen(session, Submission(user, text, "post")).status == "pending"
        session.close()


def test_rule_validation_and_permissions(forum, make_user):
    moderator, member = make_user("moderator"), make_user()
    assert add_rule(forum, member, pattern="x", kind="word", action="block").status_code == 403
    bad_regex = add_rule(forum, moderator, pattern="(unclosed", kind="regex", action="block")
    assert bad_regex.status_code == 422 and "pattern" in bad_regex.get_json()["errors"]
    slow = add_rule(forum, moderator, pattern="(a+)+b", kind="regex", action="block")
    assert slow.status_code == 422
    wrong = add_rule(forum, moderator, pattern="x", kind="glob", action="explode")
    assert wrong.status_code == 422 and {"kind", "action"} <= set(wrong.get_json()["errors"])
    assert add_rule(forum, moderator, pattern="   ", kind="word", action="block").status_code == 422
    assert forum.client.get("/api/v1/moderation/rules", headers=member.headers).status_code == 403
