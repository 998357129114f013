"""Blocks: silent, both ways in listings and reading, and no replies or reactions to a blocker."""

from __future__ import annotations

import pytest

from forum.errors import Blocked
from forum.models.board import Post
from forum.models.user import User
from forum.policy import Actor
from forum.services import posting


def block(forum, member, user_id):
    return forum.client.post("/api/v1/blocks", headers=member.headers, json={"user_id": user_id})


def test_block_list_and_lift(forum, make_user):
    me, them = make_user(), make_user()
    forum.opening(them, "my name is on this")  # only a name she was shown can be blocked
    answer = block(forum, me, them.id)
    assert answer.status_code == 201
    assert block(forum, me, them.id).status_code == 201  # the same answer again
    listed = forum.client.get("/api/v1/blocks", headers=me.headers).get_json()["blocks"]
    assert [b["user"] for b in listed] == [{"id": them.id, "handle": them.handle, "role": "member"}]
    assert listed[0]["created_at"]
    # Silent: the blocked member's own list says nothing.
    assert forum.client.get("/api/v1/blocks", headers=them.headers).get_json()["blocks"] == []
    assert forum.client.delete(f"/api/v1/blocks/{them.id}", headers=me.headers).status_code == 204
    assert forum.client.get("/api/v1/blocks", headers=me.headers).get_json()["blocks"] == []


def test_blocking_yourself_or_nobody(forum, make_user):
    me = make_user()
    yourself = block(forum, me, me.id)
    assert yourself.status_code == 422 and yourself.get_json()["code"] == "validation_failed"
    assert block(forum, me, 999_999).status_code == 404
    assert forum.client.post("/api/v1/blocks", json={"user_id": me.id}).status_code == 401


def test_blocks_hide_content_both_ways(forum, make_user):
    blocker, blocked, bystander = make_user(), make_user(), make_user()
    mine = forum.opening(blocker, "the blocker's thread")
    theirs = forum.opening(blocked, "the blocked member's thread")
    reply = forum.reply(blocked, mine["thread"]["id"], "a reply before the block").get_json()["post"]
    assert block(forum, blocker, blocked.id).status_code == 201

    def titles(member):
        listing = forum.client.get("/api/v1/boards/talk/threads", headers=member.headers).get_json()
        return {t["id"] for t in listing["threads"]}

    assert titles(blocker) == {mine["thread"]["id"]}
    assert titles(blocked) == {theirs["thread"]["id"]}
    assert titles(bystander) == {mine["thread"]["id"], theirs["thread"]["id"]}
    posts = forum.thread_posts(blocker, mine["thread"]["id"]).get_json()["posts"]
    assert reply["id"] not in [p["id"] for p in posts]
    assert forum.thread_posts(blocker, theirs["thread"]["id"]).status_code == 404
    assert forum.thread_posts(blocked, mine["thread"]["id"]).status_code == 404


def test_blocked_member_cannot_reply_or_react(forum, make_user, app):
    blocker, blocked = make_user(), make_user()
    mine = forum.opening(blocker, "the blocker's words")
    forum.opening(blocked, "the blocked member's words")
    assert block(forum, blocker, blocked.id).status_code == 201
    # Reading is refused (404); writes aimed at her content answer 403 `blocked` (API.md).
    with app.app_context():
        session = app.extensions["forum.db"].new_session()
        actor = Actor(user=session.get(User, blocked.id))
        with pytest.raises(Blocked):
            posting.react(session, actor, session.get(Post, mine["id"]), "support")
        session.close()
    reply = forum.reply(blocked, mine["thread"]["id"], "can I still answer?")
    assert reply.status_code == 403 and reply.get_json()["code"] == "blocked"
    react = forum.client.post(f"/api/v1/posts/{mine['id']}/reactions", headers=blocked.headers,
                              json={"kind": "support"})
    assert react.status_code == 403 and react.get_json()["code"] == "blocked"


def test_blocked_member_cannot_reply_to_a_blocker_in_someone_elses_thread(forum, make_user):
    host, blocker, blocked = make_user(), make_user(), make_user()
    opening = forum.opening(host, "a shared thread")
    said = forum.reply(blocker, opening["thread"]["id"], "the blocker speaks").get_json()["post"]
    forum.reply(blocked, opening["thread"]["id"], "the blocked member speaks")
    assert block(forum, blocker, blocked.id).status_code == 201
    answer = forum.reply(blocked, opening["thread"]["id"], "answering her", reply_to=said["id"])
    assert answer.status_code == 403 and answer.get_json()["code"] == "blocked"
    react = forum.client.post(f"/api/v1/posts/{said['id']}/reactions", headers=blocked.headers,
                              json={"kind": "support"})
    assert react.status_code == 403 and react.get_json()["code"] == "blocked"
    plain = forum.reply(blocked, opening["thread"]["id"], "talking to the host")
    assert plain.status_code == 201
