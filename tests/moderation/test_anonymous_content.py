"""Blocks, hide-from-me, flood checks and naming accounts never act on anonymous content or
leak who wrote it (issue #12, holes 1, 2, 3, 6, 18 and 21; API.md "Blocks")."""

from __future__ import annotations


def block(forum, member, user_id):
    return forum.client.post("/api/v1/blocks", headers=member.headers, json={"user_id": user_id})


def board_thread_ids(forum, member):
    listing = forum.client.get("/api/v1/boards/talk/threads", headers=member.headers).get_json()
    return {t["id"] for t in listing["threads"]}


def post_ids(forum, member, thread_id):
    return [p["id"] for p in forum.thread_posts(member, thread_id).get_json()["posts"]]


def test_hide_from_me_on_an_anonymous_post_hides_the_item_and_names_no_one(forum, make_user):
    author, reporter, bystander = make_user(), make_user(), make_user()
    anonymous = forum.opening(author, "you know who I am", anonymous=True)
    named = forum.opening(author, "my named words")
    answer = forum.report(reporter, anonymous["id"], "stalking", desired_outcome="hide_from_me")
    assert answer.status_code == 201
    # No block, in her list or her export: nothing names the hidden author.
    assert forum.client.get("/api/v1/blocks", headers=reporter.headers).get_json()["blocks"] == []
    export = forum.client.get("/api/v1/me/export", headers=reporter.headers).get_json()
    assert export["blocks"] == []
    assert {(h["target_type"], h["target_id"]) for h in export["hidden_items"]} == {
        ("post", anonymous["id"]), ("thread", anonymous["thread"]["id"])}
    assert all(set(h) == {"target_type", "target_id", "created_at"} for h in export["hidden_items"])
    # The item is gone from her view, and only that item: the author's named thread stays.
    assert board_thread_ids(forum, reporter) == {named["thread"]["id"]}
    assert forum.thread_posts(reporter, anonymous["thread"]["id"]).status_code == 404
    assert board_thread_ids(forum, bystander) == {anonymous["thread"]["id"], named["thread"]["id"]}


def test_hide_from_me_on_an_anonymous_reply_hides_that_reply_only(forum, make_user):
    opener, author, reporter = make_user(), make_user(), make_user()
    thread = forum.opening(opener, "a thread for everyone")["thread"]
    first = forum.reply(author, thread["id"], "an anonymous reply", anonymous=True).get_json()["post"]
    second = forum.reply(author, thread["id"], "another anonymous one", anonymous=True).get_json()["post"]
    assert forum.report(reporter, first["id"], "harassment",
                        desired_outcome="hide_from_me").status_code == 201
    shown = post_ids(forum, reporter, thread["id"])
    assert first["id"] not in shown and second["id"] in shown
    assert forum.client.get("/api/v1/blocks", headers=reporter.headers).get_json()["blocks"] == []


def test_blocks_never_touch_anonymous_content_either_way(forum, make_user):
    author, blocker, blocked = make_user(), make_user(), make_user()
    forum.opening(author, "a named thread, so she can be blocked")
    forum.opening(blocked, "a named thread, so he can be blocked")
    assert block(forum, blocker, author.id).status_code == 201
    assert block(forum, author, blocked.id).status_code == 201
    anonymous = forum.opening(author, "written from behind anonymity", anonymous=True)
    tid, pid = anonymous["thread"]["id"], anonymous["id"]
    for observer in (blocker, blocked):
        # She blocked the author, or the author blocked him: neither changes what they see
        # of the anonymous thread or what they may do with it.
        assert tid in board_thread_ids(forum, observer)
        assert post_ids(forum, observer, tid)[0] == pid
        assert forum.client.get(f"/api/v1/threads/{tid}", headers=observer.headers).status_code == 200
        replied = forum.reply(observer, tid, "I hear you, this is hard")
        assert replied.status_code == 201, replied.get_json()
        reacted = forum.client.post(f"/api/v1/posts/{pid}/reactions", headers=observer.headers,
                                    json={"kind": "support"})
        assert reacted.status_code == 201, reacted.get_json()
    # Her anonymous reply in someone else's thread reaches them both as well.
    other = forum.opening(make_user(), "a bystander's thread")["thread"]["id"]
    reply = forum.reply(author, other, "an anonymous reply", anonymous=True).get_json()["post"]
    for observer in (blocker, blocked):
        assert reply["id"] in post_ids(forum, observer, other)
        replied = forum.reply(observer, other, "thanks for saying it", reply_to=reply["id"])
        assert replied.status_code == 201, replied.get_json()


def test_named_content_still_answers_blocked(forum, make_user):
    author, blocked = make_user(), make_user()
    named = forum.opening(author, "named words")
    assert block(forum, author, blocked.id).status_code == 404  # he never showed his name
    forum.opening(blocked, "now he has")
    assert block(forum, author, blocked.id).status_code == 201
    refused = forum.reply(blocked, named["thread"]["id"], "let me in")
    assert refused.status_code == 403 and refused.get_json()["code"] == "blocked"
    assert forum.thread_posts(blocked, named["thread"]["id"]).status_code == 404


def _flood_answer(forum, make_user, *, anonymous_author_is_target: bool) -> dict:
    """Reply five times in an anonymous thread, then once in the target's named thread."""
    target, someone_else, replier = make_user(), make_user(), make_user()
    named = forum.opening(target, "the target's named thread")["thread"]["id"]
    writer = target if anonymous_author_is_target else someone_else
    hidden = forum.opening(writer, "an anonymous thread", anonymous=True)["thread"]["id"]
    for n in range(5):
        sent = forum.reply(replier, hidden, f"a different kind word number {n} for you")
        assert sent.status_code == 201
    last = forum.reply(replier, named, "and one more word here in the named thread")
    assert last.status_code == 201
    return last.get_json()["moderation"]


def test_the_reply_flood_check_cannot_tell_who_wrote_an_anonymous_thread(forum, make_user):
    written_by_target = _flood_answer(forum, make_user, anonymous_author_is_target=True)
    written_by_other = _flood_answer(forum, make_user, anonymous_author_is_target=False)
    assert written_by_target == written_by_other
    assert "flood:target" not in str(written_by_target)


def test_the_reply_flood_check_still_counts_named_targets(forum, make_user):
    target, replier = make_user(), make_user()
    named = forum.opening(target, "the target's named thread")["thread"]["id"]
    for n in range(5):
        forum.reply(replier, named, f"a different unkind word number {n} for you")
    last = forum.reply(replier, named, "and one more word here for you again")
    assert last.get_json()["moderation"]["status"] == "pending"
    assert "flood:target" in str(last.get_json()["moderation"]["reasons"])


def test_a_block_never_hides_content_from_moderators(forum, make_user):
    moderator, member = make_user("moderator"), make_user()
    forum.opening(moderator, "a note from the moderators")
    assert block(forum, member, moderator.id).status_code == 201
    thread = forum.opening(member, "my thread after blocking the moderator")["thread"]["id"]
    reply = forum.reply(member, thread, "and a reply").get_json()["post"]
    assert thread in board_thread_ids(forum, moderator)
    assert reply["id"] in post_ids(forum, moderator, thread)
    # Nor does it stop her duties: she can still answer in the thread.
    assert forum.reply(moderator, thread, "we are here if you need us").status_code == 201


def test_ids_cannot_be_walked_for_handles_and_roles(forum, make_user):
    walker, lurker, staff = make_user(), make_user(), make_user("moderator")
    missing = block(forum, walker, 999_999)
    for user_id in (lurker.id, staff.id):
        answer = block(forum, walker, user_id)
        assert answer.status_code == 404
        assert answer.get_json() == missing.get_json()
        reported = forum.report(walker, user_id, "harassment", target_type="user")
        assert reported.status_code == 404
    assert forum.client.get("/api/v1/me/evidence", headers=walker.headers).get_json()["entries"] == []


def test_a_muted_member_can_still_protect_herself(forum, make_user):
    harasser, member, moderator = make_user(), make_user(), make_user("moderator")
    post = forum.opening(harasser, "something cruel")
    assert forum.sanction(moderator, member.id, "mute", duration_hours=2).status_code == 201
    assert forum.report(member, post["id"], "harassment").status_code == 201
    assert block(forum, member, harasser.id).status_code == 201
    asked = forum.client.post("/api/v1/support-requests", headers=member.headers,
                              json={"topic": "I need to talk"})
    assert asked.status_code == 201, asked.get_json()
    # Writing is still what a mute stops.
    muted = forum.reply(member, post["thread"]["id"], "a reply")
    assert muted.status_code == 403 and muted.get_json()["code"] == "muted"


def test_a_blocked_member_cannot_report_named_words_she_cannot_read(
        forum, make_user):
    author, blocked = make_user(), make_user()
    forum.opening(blocked, "his named words")
    named = forum.opening(author, "her named words")
    anonymous = forum.opening(author, "her anonymous words", anonymous=True)
    assert block(forum, author, blocked.id).status_code == 201
    refused = forum.report(blocked, named["id"], "harassment")
    assert refused.status_code == 404
    # Anonymous words stay reportable: the block does not touch them.
    assert forum.report(blocked, anonymous["id"], "harassment").status_code == 201
