"""Notifications through the JSON API (API.md, "Notifications"; issue #16): every kind the
forum produces today, and every safety rule, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

API = "/api/v1"


class Talk:
    """A board, and the calls the tests make, as a client makes them."""

    def __init__(self, client, make_user, make_board):
        self.client = client
        self.make_user = make_user
        make_board("talk")

    def thread(self, member, body="Hello everyone, I am new here", **extra):
        answer = self.client.post(f"{API}/boards/talk/threads", headers=member.headers,
                                  json={"title": "First time here", "body": body, **extra})
        assert answer.status_code == 201, answer.get_json()
        data = answer.get_json()
        return data["thread"]["id"], data["post"]["id"]

    def reply(self, member, thread_id, body="Welcome, you are safe here", **extra):
        return self.client.post(f"{API}/threads/{thread_id}/posts", headers=member.headers,
                                json={"body": body, **extra})

    def replied(self, member, thread_id, body="Welcome, you are safe here", **extra):
        answer = self.reply(member, thread_id, body, **extra)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["post"]

    def inbox(self, member, query=""):
        answer = self.client.get(f"{API}/notifications{query}", headers=member.headers)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def kinds(self, member):
        return [n["kind"] for n in self.inbox(member)["notifications"]]

    def block(self, member, other):
        answer = self.client.post(f"{API}/blocks", headers=member.headers,
                                  json={"user_id": other.id})
        assert answer.status_code == 201, answer.get_json()

    def sanction(self, moderator, user, kind, **extra):
        answer = self.client.post(f"{API}/users/{user.id}/sanctions", headers=moderator.headers,
                                  json={"kind": kind, "reason": "Insults in replies", **extra})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()["sanction"]

    def hold_word(self, moderator, word="zzholdme"):
        answer = self.client.post(f"{API}/moderation/rules", headers=moderator.headers,
                                  json={"pattern": word, "kind": "word", "action": "hold"})
        assert answer.status_code == 201, answer.get_json()
        return word

    def queue_item(self, moderator, post_id):
        items = self.client.get(f"{API}/moderation/queue", headers=moderator.headers
                                ).get_json()["items"]
        return next(i for i in items if i["target_type"] == "post" and i["target_id"] == post_id)

    def resolve(self, moderator, post_id, decision, **extra):
        item = self.queue_item(moderator, post_id)
        answer = self.client.post(f"{API}/moderation/queue/{item['id']}/resolve",
                                  headers=moderator.headers, json={"decision": decision, **extra})
        assert answer.status_code == 200, answer.get_json()


@pytest.fixture
def talk(client, make_user, make_board):
    return Talk(client, make_user, make_board)


def test_a_reply_notifies_the_threads_author_and_followers_but_not_the_writer(talk, make_user):
    author, friend, other = make_user(), make_user(), make_user()
    thread_id, _opening = talk.thread(author)
    post = talk.replied(friend, thread_id)
    inbox = talk.inbox(author)
    assert inbox["unread_count"] == 1
    (shown,) = inbox["notifications"]
    assert shown["kind"] == "reply"
    assert shown["thread_id"] == thread_id and shown["post_id"] == post["id"]
    assert shown["count"] == 1 and shown["read_at"] is None and shown["anonymous"] is False
    # Nothing of the post's words, nor who wrote it, is in the notification.
    assert set(shown) == {"id", "kind", "created_at", "read_at", "count", "thread_id",
                          "post_id", "anonymous"}
    assert talk.kinds(friend) == []  # her own reply tells her nothing
    # The friend replied: she follows the thread now; a third voice notifies both.
    talk.replied(other, thread_id)
    assert talk.kinds(friend) == ["reply"]
    assert talk.kinds(author) == ["reply", "reply"]


def test_unfollowing_is_kept_and_following_any_thread_works(talk, make_user, client):
    author, friend, reader = make_user(), make_user(), make_user()
    thread_id, _ = talk.thread(author)
    assert client.delete(f"{API}/threads/{thread_id}/follow",
                         headers=author.headers).status_code == 204
    talk.replied(author, thread_id, "Replying in my own thread after unfollowing")
    talk.replied(friend, thread_id)
    assert talk.kinds(author) == []  # her unfollow holds, even after she wrote again
    assert client.put(f"{API}/threads/{thread_id}/follow",
                      headers=reader.headers).status_code == 204
    talk.replied(friend, thread_id, "And another word of support for you")
    assert talk.kinds(reader) == ["reply"]
    assert client.put(f"{API}/threads/999999/follow", headers=reader.headers).status_code == 404
    assert client.put(f"{API}/threads/{thread_id}/follow").status_code == 401


def test_a_reply_to_her_post_reaches_her_even_in_a_thread_she_does_not_follow(talk, make_user,
                                                                                client):
    author, her, friend = make_user(), make_user(), make_user()
    thread_id, _ = talk.thread(author)
    hers = talk.replied(her, thread_id, "This happened to me as well")
    client.delete(f"{API}/threads/{thread_id}/follow", headers=her.headers)
    talk.replied(friend, thread_id, "I believe you", reply_to=hers["id"])
    assert talk.kinds(her) == ["reply"]


def test_supports_merge_into_one_notification_per_post_whose_count_grows(talk, make_user,
                                                                         client):
    author = make_user()
    thread_id, opening = talk.thread(author)
    for _ in range(3):
        supporter = make_user()
        answer = client.post(f"{API}/posts/{opening}/reactions", headers=supporter.headers,
                             json={"kind": "support"})
        assert answer.status_code == 201
    inbox = talk.inbox(author)
    (shown,) = inbox["notifications"]
    assert shown["kind"] == "support" and shown["post_id"] == opening and shown["count"] == 3
    assert inbox["unread_count"] == 1
    # Read, then one more support: the same notification, unread again.
    client.post(f"{API}/notifications/read", headers=author.headers, json={})
    client.post(f"{API}/posts/{opening}/reactions", headers=make_user().headers,
                json={"kind": "support"})
    (shown,) = talk.inbox(author)["notifications"]
    assert shown["count"] == 4 and shown["read_at"] is None


def test_marking_read_some_or_all_and_unread_filter(talk, make_user, client):
    author, friend = make_user(), make_user()
    thread_id, _ = talk.thread(author)
    for i in range(3):
        talk.replied(friend, thread_id, f"Reply number {i} with care")
    ids = [n["id"] for n in talk.inbox(author)["notifications"]]
    answer = client.post(f"{API}/notifications/read", headers=author.headers,
                         json={"ids": ids[:1]})
    assert answer.status_code == 204
    unread = talk.inbox(author, "?unread=true")
    assert [n["id"] for n in unread["notifications"]] == ids[1:]
    assert unread["unread_count"] == 2
    # Someone else's ids change nothing.
    client.post(f"{API}/notifications/read", headers=friend.headers, json={"ids": ids})
    assert talk.inbox(author)["unread_count"] == 2
    client.post(f"{API}/notifications/read", headers=author.headers)
    assert talk.inbox(author)["unread_count"] == 0
    bad = client.post(f"{API}/notifications/read", headers=author.headers, json={"ids": ["x"]})
    assert bad.status_code == 422
    assert bad.headers["Content-Type"].startswith("application/problem+json")
    assert bad.get_json()["code"] == "validation_failed"


def test_pages_by_cursor_newest_first(talk, make_user, client):
    author, friend = make_user(), make_user()
    thread_id, _ = talk.thread(author)
    for i in range(5):
        talk.replied(friend, thread_id, f"Reply number {i} with care")
    first = talk.inbox(author, "?limit=2")
    seen = [n["id"] for n in first["notifications"]]
    cursor = first["next_cursor"]
    while cursor:
        page = talk.inbox(author, f"?limit=2&cursor={cursor}")
        seen += [n["id"] for n in page["notifications"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    times = [n["created_at"] for n in talk.inbox(author)["notifications"]]
    assert times == sorted(times, reverse=True)
    from forum.shapes import encode_cursor

    for cursor in ("nonsense", encode_cursor(["2026-01-01T00:00:00Z", 2**70]),
                   encode_cursor(["yesterday", 1]), encode_cursor(["2026-01-01T00:00:00", 1]),
                   encode_cursor(["9999-12-31T23:59:59-14:00", 1])):
        bad = client.get(f"{API}/notifications?cursor={cursor}", headers=author.headers)
        assert bad.status_code == 422 and bad.get_json()["code"] == "validation_failed"


def test_the_list_costs_the_same_few_queries_however_many_she_has(talk, make_user, app,
                                                                   queries, client):
    from sqlalchemy import insert

    from forum.db import utcnow
    from forum.models.notification import Notification
    from forum.services.notifications import new_id

    author = make_user()
    thread_id, opening = talk.thread(author)

    def add(n):
        with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
            now = utcnow()
            session.execute(insert(Notification), [
                {"id": new_id(), "recipient_id": author.id, "kind": "reply",
                 "thread_id": thread_id, "post_id": opening, "is_anonymous": False,
                 "created_at": now} for _ in range(n)])

    def cost():
        before = queries.count
        answer = client.get(f"{API}/notifications?limit=50", headers=author.headers)
        assert answer.status_code == 200
        return queries.count - before

    add(60)
    small = cost()
    add(10_000)
    assert cost() == small <= 6


def test_blocks_either_way_silence_named_replies_and_supports(talk, make_user, client):
    author, harasser, blocked_by_author = make_user(), make_user(), make_user()
    thread_id, opening = talk.thread(author)
    talk.replied(harasser, thread_id, "A first named reply before the block")
    assert talk.kinds(author) == ["reply"]
    talk.block(author, harasser)
    # What he caused before the block is gone from her list, and nothing new arrives.
    assert talk.inbox(author)["unread_count"] == 0
    # She blocked someone; he blocked her: neither direction notifies.
    talk.block(blocked_by_author, author)
    client.put(f"{API}/threads/{thread_id}/follow", headers=blocked_by_author.headers)
    talk.replied(author, thread_id, "Thank you all for being here")
    assert talk.kinds(blocked_by_author) == []


def test_an_anonymous_reply_notifies_as_anonymous_even_from_someone_she_blocked(talk, make_user):
    author, writer = make_user(), make_user()
    thread_id, _ = talk.thread(author, "Writing without my name", anonymous=True)
    talk.thread(writer, "A named thread, so she knows his name")
    talk.block(author, writer)
    talk.replied(writer, thread_id, "Sending strength, from someone who knows", anonymous=True)
    (shown,) = talk.inbox(author)["notifications"]
    assert shown["kind"] == "reply" and shown["anonymous"] is True
    assert "author" not in shown and "actor" not in shown


def test_muted_board_notifies_nothing(talk, make_user, client, make_board):
    author, friend = make_user(), make_user()
    thread_id, opening = talk.thread(author)
    answer = client.patch(f"{API}/me/notification-settings", headers=author.headers,
                          json={"muted_boards": ["talk"]})
    assert answer.status_code == 200
    assert answer.get_json()["settings"]["muted_boards"] == ["talk"]
    talk.replied(friend, thread_id)
    client.post(f"{API}/posts/{opening}/reactions", headers=friend.headers,
                json={"kind": "support"})
    assert talk.kinds(author) == []


def test_held_content_notifies_only_when_released(talk, make_user):
    author, friend = make_user(), make_user()
    moderator = make_user("moderator")
    word = talk.hold_word(moderator)
    thread_id, _ = talk.thread(author)
    held = talk.replied(friend, thread_id, f"Please read this {word} now")
    assert held["status"] == "pending"
    assert talk.kinds(author) == []
    talk.resolve(moderator, held["id"], "approve")
    (shown,) = talk.inbox(author)["notifications"]
    assert shown["post_id"] == held["id"]


def test_held_content_of_an_account_muted_meanwhile_never_notifies(talk, make_user):
    author, friend = make_user(), make_user()
    moderator = make_user("moderator")
    word = talk.hold_word(moderator)
    thread_id, _ = talk.thread(author)
    held = talk.replied(friend, thread_id, f"Please read this {word} now")
    talk.sanction(moderator, friend, "mute", duration_hours=24)
    talk.resolve(moderator, held["id"], "approve")
    assert talk.kinds(author) == []


@pytest.mark.parametrize("kind", ["suspend", "ban"])
def test_supports_from_a_suspended_or_banned_account_do_not_notify(talk, make_user, app,
                                                                   kind):
    """A support that was on its way when the account was stopped (a held reply, released
    later, behaves the same: see above) notifies nothing."""
    from forum.models.board import Post
    from forum.policy import Actor
    from forum.services import notifications

    author, supporter = make_user(), make_user()
    moderator = make_user("moderator")
    _thread_id, opening = talk.thread(author)
    talk.sanction(moderator, supporter, kind)
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        post = session.get(Post, opening)
        assert not notifications.notify_support(session, post, supporter.id)
        assert not notifications.notify(session, author.id, "reply", actor_id=supporter.id)
        assert Actor  # the service is the one path; nothing was written
    assert talk.kinds(author) == []


def test_a_removed_post_takes_its_notification_with_it(talk, make_user, client):
    author, friend = make_user(), make_user()
    thread_id, _ = talk.thread(author)
    post = talk.replied(friend, thread_id)
    assert talk.inbox(author)["unread_count"] == 1
    assert client.delete(f"{API}/posts/{post['id']}", headers=friend.headers).status_code == 204
    inbox = talk.inbox(author)
    assert inbox["notifications"] == [] and inbox["unread_count"] == 0


def test_a_post_removed_by_a_moderator_disappears_too(talk, make_user, client):
    author, friend, reporter = make_user(), make_user(), make_user()
    moderator = make_user("moderator")
    thread_id, _ = talk.thread(author)
    post = talk.replied(friend, thread_id)
    client.post(f"{API}/reports", headers=reporter.headers,
                json={"target_type": "post", "target_id": post["id"], "reason": "spam"})
    talk.resolve(moderator, post["id"], "remove")
    assert [n for n in talk.inbox(author)["notifications"] if n["kind"] == "reply"] == []


def test_report_outcome_and_sanction_reach_the_right_people(talk, make_user, client):
    author, offender, reporter = make_user(), make_user(), make_user()
    moderator = make_user("moderator")
    thread_id, _ = talk.thread(author)
    post = talk.replied(offender, thread_id, "Some words someone reports")
    report = client.post(f"{API}/reports", headers=reporter.headers, json={
        "target_type": "post", "target_id": post["id"], "reason": "harassment"}).get_json()
    talk.resolve(moderator, post["id"], "remove",
                 sanction={"kind": "warn", "reason": "Harassing replies"})
    (outcome,) = talk.inbox(reporter)["notifications"]
    assert outcome["kind"] == "report_outcome"
    assert outcome["report_id"] == report["report"]["id"]
    # The offender learns of the sanction with its reason and end, never who reported.
    (told,) = talk.inbox(offender)["notifications"]
    assert told["kind"] == "sanction"
    assert told["sanction"] == {"kind": "warn", "reason": "Harassing replies", "ends_at": None}
    assert "report_id" not in told
    mute = talk.sanction(moderator, author, "mute", duration_hours=2)
    sanctions = [n for n in talk.inbox(author)["notifications"] if n["kind"] == "sanction"]
    assert sanctions[0]["sanction_id"] == mute["id"]
    assert sanctions[0]["sanction"]["ends_at"] is not None


def test_support_accepted_and_offered_are_notifications(talk, make_user, client):
    member = make_user()
    counsellor = make_user("counsellor")
    asked = client.post(f"{API}/support-requests", headers=member.headers,
                        json={"topic": "I need to talk"})
    request_id = asked.get_json()["request"]["id"]
    accepted = client.post(f"{API}/support-requests/{request_id}/accept",
                           headers=counsellor.headers)
    assert accepted.status_code == 200
    (shown,) = talk.inbox(member)["notifications"]
    assert shown["kind"] == "support_accepted" and shown["request_id"] == request_id
    assert shown["room"] == accepted.get_json()["room"]["slug"]


def test_the_service_accepts_the_kinds_of_features_to_come(app, make_user):
    from forum.services import notifications

    member = make_user()
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        for kind in ("shield_offer", "helper_invite", "appeal_decided"):
            assert notifications.notify(session, member.id, kind, invite_id=7)
        assert notifications.notify(session, member.id, "shield_held")
        assert notifications.notify(session, member.id, "shield_held")  # merged: one a day
        with pytest.raises(ValueError):
            notifications.notify(session, member.id, "gossip")
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        shown, unread, _ = notifications.list_notifications(
            session, _actor(session, member.id), unread=False, cursor=None, limit=50)
    held = [n for n in shown if n["kind"] == "shield_held"]
    assert len(held) == 1 and held[0]["count"] == 2 and unread == 4


def _actor(session, user_id):
    from forum.models.user import User
    from forum.policy import Actor

    return Actor(user=session.get(User, user_id))


def test_settings_read_change_and_refuse_bad_input_whole(talk, make_user, client):
    member = make_user()
    got = client.get(f"{API}/me/notification-settings", headers=member.headers).get_json()
    assert got == {"settings": {"quiet_hours": None, "timezone": "Asia/Karachi",
                                "muted_boards": []}}
    changed = client.patch(f"{API}/me/notification-settings", headers=member.headers, json={
        "quiet_hours": {"start": "22:00", "end": "07:00"}, "timezone": "Europe/London"})
    assert changed.status_code == 200
    assert changed.get_json()["settings"]["quiet_hours"] == {"start": "22:00", "end": "07:00"}
    for bad in ({"timezone": "Mars/Olympus"}, {"quiet_hours": {"start": "25:00", "end": "07:00"}},
                {"muted_boards": ["no-such-board"]}, {"timezone": "Asia/Karachi",
                                                      "muted_boards": ["nope"]}):
        answer = client.patch(f"{API}/me/notification-settings", headers=member.headers,
                              json=bad)
        assert answer.status_code == 422, bad
        assert answer.get_json()["code"] == "validation_failed"
    # Nothing half-written: the time zone of the last, refused request did not stick.
    got = client.get(f"{API}/me/notification-settings", headers=member.headers).get_json()
    assert got["settings"]["timezone"] == "Europe/London"
    cleared = client.patch(f"{API}/me/notification-settings", headers=member.headers,
                           json={"quiet_hours": None}).get_json()
    assert cleared["settings"]["quiet_hours"] is None


def test_quiet_hours_are_in_her_time_zone(app, make_user):
    from forum.services import notifications

    member = make_user()
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        notifications.update_settings(session, _actor(session, member.id), {
            "quiet_hours": {"start": "22:00", "end": "07:00"}})
        # 18:30 UTC is 23:30 in Karachi: quiet. 06:00 UTC is 11:00 there: not.
        night = dt.datetime(2026, 1, 5, 18, 30, tzinfo=dt.UTC)
        day = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
        assert notifications.in_quiet_hours(session, member.id, night)
        assert not notifications.in_quiet_hours(session, member.id, day)


def test_unread_count_answers_304_to_a_matching_etag(talk, make_user, client):
    author, friend = make_user(), make_user()
    thread_id, _ = talk.thread(author)
    first = client.get(f"{API}/notifications/unread-count", headers=author.headers)
    assert first.status_code == 200 and first.get_json() == {"unread_count": 0}
    tag = first.headers["ETag"]
    again = client.get(f"{API}/notifications/unread-count",
                       headers={**author.headers, "If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    talk.replied(friend, thread_id)
    changed = client.get(f"{API}/notifications/unread-count",
                         headers={**author.headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.get_json() == {"unread_count": 1}


def test_export_holds_them_erasure_leaves_none_and_read_ones_expire(talk, make_user, client,
                                                                     app):
    from sqlalchemy import func, select

    from forum.db import utcnow
    from forum.models.notification import Notification
    from forum.services import notifications

    author, friend = make_user(), make_user()
    thread_id, _ = talk.thread(author)
    talk.replied(friend, thread_id)
    talk.replied(friend, thread_id, "A second reply for the export")
    exported = client.get(f"{API}/me/export", headers=author.headers).get_json()
    section = exported["notifications"]
    assert [n["kind"] for n in section["items"]] == ["reply", "reply"]
    assert section["follows"] == [{"thread_id": thread_id, "following": True}]
    assert section["settings"]["timezone"] == "Asia/Karachi"
    # Read one long ago: the retention sweep deletes it; the unread one stays.
    first = section["items"][0]["id"]
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        row = session.get(Notification, first)
        row.read_at = utcnow() - dt.timedelta(days=31)
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        assert notifications.purge_read(session) == 1
    assert talk.inbox(author)["unread_count"] == 1
    erased = client.delete(f"{API}/me", headers=author.headers,
                           json={"password": author.password, "erase_posts": False})
    assert erased.status_code == 204
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        left = session.scalar(select(func.count(Notification.id))
                              .where(Notification.recipient_id == author.id))
    assert left == 0


def test_signed_out_callers_get_401_problems(client):
    for method, path in (("GET", "/notifications"), ("POST", "/notifications/read"),
                         ("GET", "/me/notification-settings"),
                         ("PATCH", "/me/notification-settings"),
                         ("GET", "/notifications/unread-count")):
        answer = client.open(f"{API}{path}", method=method, json={})
        assert answer.status_code == 401
        assert answer.get_json()["code"] == "unauthorized"


def test_the_retention_command_deletes_read_ones_older_than_30_days(talk, make_user, app):
    from forum.db import utcnow
    from forum.models.notification import Notification

    author, friend = make_user(), make_user()
    thread_id, _ = talk.thread(author)
    for i in range(3):
        talk.replied(friend, thread_id, f"Reply number {i} with care")
    old, recent, unread = (n["id"] for n in talk.inbox(author)["notifications"])
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        session.get(Notification, old).read_at = utcnow() - dt.timedelta(days=30, hours=1)
        session.get(Notification, recent).read_at = utcnow() - dt.timedelta(days=29)
    result = app.test_cli_runner().invoke(args=["purge-notifications"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 read notification" in result.output
    assert {n["id"] for n in talk.inbox(author)["notifications"]} == {recent, unread}


def test_an_erased_writers_words_take_their_notifications_and_the_sweep_clears_them(
        talk, make_user, client, app):
    from sqlalchemy import func, select

    from forum.models.notification import Notification
    from forum.services import notifications

    author, friend = make_user(), make_user()
    thread_id, _ = talk.thread(author)
    talk.replied(friend, thread_id)
    assert talk.inbox(author)["unread_count"] == 1
    erased = client.delete(f"{API}/me", headers=friend.headers,
                           json={"password": friend.password, "erase_posts": True})
    assert erased.status_code == 204
    assert talk.inbox(author) == {"notifications": [], "unread_count": 0, "next_cursor": None}
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        assert notifications.purge_read(session) == 1  # the one pointing at nothing now
        assert session.scalar(select(func.count(Notification.id))) == 0


def test_an_offer_of_private_support_is_a_notification_even_for_an_anonymous_writer(
        talk, make_user, app):
    """A counsellor offers a private talk to the writer of a room message (named or
    anonymous): she is told, and the notification names no one."""
    from forum.models.room import Room, RoomMessage
    from forum.services import support

    writer, counsellor = make_user(), make_user("counsellor")
    with app.app_context(), app.extensions["forum.db"].unit_of_work() as session:
        room = Room(slug=f"circle-{writer.id}", title="Evening circle", host_id=counsellor.id,
                    status="open")
        session.add(room)
        session.flush()
        message = RoomMessage(room_id=room.id, author_id=writer.id, is_anonymous=True,
                              body="I cannot go on", body_html="<p>I cannot go on</p>")
        session.add(message)
        session.flush()
        done = support.offer(session, _actor(session, counsellor.id), room, message.id)
        request_id, private_slug = done.request.id, done.room.slug
    (shown,) = talk.inbox(writer)["notifications"]
    assert shown["kind"] == "support_offered" and shown["request_id"] == request_id
    assert shown["room"] == private_slug
    assert counsellor.handle not in repr(shown)


def test_content_held_again_after_an_edit_is_hidden_then_shown_once(talk, make_user, client):
    """A published reply notified her; its writer's edit is held (pending): the notification
    is not shown meanwhile, and the moderator's approval brings it back once, not twice."""
    author, friend = make_user(), make_user()
    moderator = make_user("moderator")
    word = talk.hold_word(moderator)
    thread_id, _ = talk.thread(author)
    post = talk.replied(friend, thread_id)
    edited = client.patch(f"{API}/posts/{post['id']}", headers=friend.headers,
                          json={"body": f"Now with {word} in it"})
    assert edited.status_code == 200 and edited.get_json()["post"]["status"] == "pending"
    assert talk.inbox(author)["notifications"] == []
    talk.resolve(moderator, post["id"], "approve")
    replies = [n for n in talk.inbox(author)["notifications"] if n["post_id"] == post["id"]]
    assert len(replies) == 1


def test_a_counsellors_board_stops_notifying_someone_who_can_no_longer_read_it(
        client, make_user, make_board):
    make_board("staffroom", "counsellors")
    admin = make_user("admin")
    first, second, colleague = make_user("counsellor"), make_user("counsellor"), make_user(
        "counsellor")
    made = client.post(f"{API}/boards/staffroom/threads", headers=first.headers,
                       json={"title": "Handover", "body": "Notes for the evening shift"})
    thread_id = made.get_json()["thread"]["id"]
    client.put(f"{API}/threads/{thread_id}/follow", headers=second.headers)
    demoted = client.patch(f"{API}/users/{second.id}", headers=admin.headers,
                           json={"role": "member"})
    assert demoted.status_code == 200
    client.post(f"{API}/threads/{thread_id}/posts", headers=colleague.headers,
                json={"body": "Thank you, noted."})
    kinds = lambda m: [n["kind"] for n in client.get(  # noqa: E731
        f"{API}/notifications", headers=m.headers).get_json()["notifications"]]
    assert kinds(first) == ["reply"]
    assert kinds(second) == []


def test_an_appeal_decision_reaches_her_as_a_notification(talk, make_user, client):
    member = make_user()
    issuer, decider = make_user("moderator"), make_user("moderator")
    sanction = talk.sanction(issuer, member, "warn")
    filed = client.post(f"{API}/sanctions/{sanction['id']}/appeal", headers=member.headers,
                        json={"text": "I was quoting what was said to me."})
    assert filed.status_code == 201, filed.get_json()
    appeal_id = filed.get_json()["appeal"]["id"]
    decided = client.post(f"{API}/moderation/appeals/{appeal_id}/decide",
                          headers=decider.headers,
                          json={"decision": "overturn", "note": "You were quoting."})
    assert decided.status_code == 200, decided.get_json()
    told = [n for n in talk.inbox(member)["notifications"] if n["kind"] == "appeal_decided"]
    assert len(told) == 1
    assert told[0]["appeal_id"] == appeal_id and told[0]["sanction_id"] == sanction["id"]
