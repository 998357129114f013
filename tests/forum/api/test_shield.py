"""Shield mode through the JSON API (API.md, "Shield mode"; issue #17), on SQLite and
PostgreSQL: each hold rule, anonymous replies held whoever wrote them, release and reject,
helpers' powers and limits, expiry with its recap, the offer, and the cost of the check."""

from __future__ import annotations

import datetime as dt

import pytest

API = "/api/v1"


@pytest.fixture
def app_settings():
    # Many replies in a few seconds: the abuse limits are not what these tests are about.
    return {"FORUM_RATE_LIMITS": False}


class Forum:
    """A board and the calls a client makes."""

    def __init__(self, app, client, make_user, make_board):
        self.app, self.client, self.make_user = app, client, make_user
        make_board("talk")
        self.n = 0

    def session(self):
        return self.app.extensions["forum.db"].unit_of_work()

    def established(self, role="member"):
        """An account older than 30 days with three published named posts."""
        from sqlalchemy import update

        from forum.models.user import User

        member = self.make_user(role)
        thread_id, _ = self.thread(member, f"My own story {member.handle}")
        for i in range(2):
            self.replied(member, thread_id, f"More of my story, part {i} {member.handle}")
        with self.app.app_context(), self.session() as session:
            session.execute(update(User).where(User.id == member.id).values(
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=90)))
        return member

    def thread(self, member, body="I am being harassed after my post", **extra):
        answer = self.client.post(f"{API}/boards/talk/threads", headers=member.headers,
                                  json={"title": "Need some advice", "body": body, **extra})
        assert answer.status_code == 201, answer.get_json()
        data = answer.get_json()
        return data["thread"]["id"], data["post"]["id"]

    def reply(self, member, thread_id, body=None, **extra):
        self.n += 1
        body = body or f"Reply number {self.n} to this thread"
        answer = self.client.post(f"{API}/threads/{thread_id}/posts", headers=member.headers,
                                  json={"body": body, **extra})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def replied(self, member, thread_id, body=None, **extra):
        return self.reply(member, thread_id, body, **extra)["post"]

    def shield(self, member, **body):
        answer = self.client.put(f"{API}/me/shield", headers=member.headers,
                                 json={"on": True, **body})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["shield"]

    def tray(self, member, owner=None):
        path = f"{API}/me/shield/held" if owner is None else f"{API}/users/{owner.id}/shield/held"
        return self.client.get(path, headers=member.headers)

    def held_ids(self, member):
        answer = self.tray(member)
        assert answer.status_code == 200, answer.get_json()
        return [item["post"]["id"] for item in answer.get_json()["items"]]

    def decide(self, member, post_id, action, owner=None, **body):
        base = f"{API}/me/shield" if owner is None else f"{API}/users/{owner.id}/shield"
        return self.client.post(f"{base}/held/{post_id}/{action}", headers=member.headers,
                                json=body)

    def thread_post_ids(self, member, thread_id):
        answer = self.client.get(f"{API}/threads/{thread_id}", headers=member.headers)
        assert answer.status_code == 200
        return [p["id"] for p in answer.get_json()["posts"]]

    def kinds(self, member):
        answer = self.client.get(f"{API}/notifications", headers=member.headers)
        return [n["kind"] for n in answer.get_json()["notifications"]]

    def helper(self, owner, member):
        """`member` becomes her helper (invited, accepted)."""
        answer = self.client.post(f"{API}/me/shield/helpers", headers=owner.headers,
                                  json={"user_id": member.id})
        assert answer.status_code == 201, answer.get_json()
        invite = answer.get_json()["invite"]
        accepted = self.client.post(f"{API}/shield-invites/{invite['id']}/accept",
                                    headers=member.headers)
        assert accepted.status_code == 200, accepted.get_json()
        return invite


@pytest.fixture
def forum(app, client, make_user, make_board):
    return Forum(app, client, make_user, make_board)


def test_turning_it_on_and_off_with_a_duration_and_what_it_holds(forum, client, make_user):
    her = make_user()
    off = client.get(f"{API}/me/shield", headers=her.headers).get_json()["shield"]
    assert off["on"] is False and off["until"] is None and off["held_count"] == 0
    assert off["helpers"] == []
    on = forum.shield(her)
    assert on["on"] is True and sorted(on["hold"]) == ["new_accounts", "strangers"]
    until = dt.datetime.fromisoformat(on["until"].replace("Z", "+00:00"))
    assert dt.timedelta(days=6, hours=23) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)
    longer = forum.shield(her, days=28, hold=["strangers"])
    assert longer["hold"] == ["strangers"]
    assert dt.datetime.fromisoformat(longer["until"].replace("Z", "+00:00")) > until
    for bad in ({"on": True, "days": 10}, {"on": True, "hold": ["everyone"]},
                {"on": True, "hold": []}, {"on": "yes"}):
        answer = client.put(f"{API}/me/shield", headers=her.headers, json=bad)
        assert answer.status_code == 422 and answer.get_json()["code"] == "validation_failed"
    answer = client.put(f"{API}/me/shield", headers=her.headers, json={"on": False})
    assert answer.get_json()["shield"]["on"] is False


def test_a_new_accounts_reply_is_pending_to_its_writer_and_never_reaches_her(forum, make_user,
                                                                          client):
    her = forum.established()
    thread_id, opening = forum.thread(her)
    forum.shield(her, hold=["new_accounts"])
    newcomer = make_user()
    answer = forum.reply(newcomer, thread_id, "You deserve all of this")
    held = answer["post"]
    # To the writer: a moderation-like hold.
    assert held["status"] == "pending" and answer["moderation"]["status"] == "pending"
    assert held["id"] in forum.thread_post_ids(newcomer, thread_id)
    # To her: not in the thread, not counted on the board, no reply notification.
    assert held["id"] not in forum.thread_post_ids(her, thread_id)
    threads = client.get(f"{API}/boards/talk/threads", headers=her.headers).get_json()["threads"]
    assert next(t for t in threads if t["id"] == thread_id)["post_count"] == 3 - 2
    assert "reply" not in forum.kinds(her)
    assert forum.kinds(her) == ["shield_held"]  # a count only
    # A reply to her post in someone else's thread is held too.
    other_thread, _ = forum.thread(forum.established(), "A thread of someone else")
    her_reply = forum.replied(her, other_thread, "I know how this feels")
    second = forum.replied(newcomer, other_thread, "Nobody asked you", reply_to=her_reply["id"])
    assert second["status"] == "pending"
    assert forum.held_ids(her) == [second["id"], held["id"]]  # newest first
    assert client.get(f"{API}/me/shield", headers=her.headers).get_json()["shield"][
        "held_count"] == 2
    # An established account is not new.
    friend = forum.established()
    assert forum.replied(friend, thread_id, "I am with you")["status"] == "published"
    # Moderators see everything as always.
    moderator = make_user("moderator")
    assert held["id"] in forum.thread_post_ids(moderator, thread_id)
    assert opening in forum.thread_post_ids(her, thread_id)


def test_strangers_are_held_until_she_has_replied_supported_or_followed(forum, client):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her, hold=["strangers"])
    stranger, replied_to, supported, followed = (forum.established() for _ in range(4))
    assert forum.replied(stranger, thread_id)["status"] == "pending"
    # She replied (named) in his thread; she supported his post; she followed his thread.
    their_thread, their_post = forum.thread(replied_to, "Something about my week")
    forum.replied(her, their_thread, "Sending you strength")
    _t, supported_post = forum.thread(supported, "Something about my day")
    assert client.post(f"{API}/posts/{supported_post}/reactions", headers=her.headers,
                       json={"kind": "support"}).status_code == 201
    followed_thread, _ = forum.thread(followed, "Something about my month")
    assert client.put(f"{API}/threads/{followed_thread}/follow",
                      headers=her.headers).status_code == 204
    for member in (replied_to, supported, followed):
        assert forum.replied(member, thread_id)["status"] == "published", member.handle


def test_her_anonymous_reply_does_not_make_him_known(forum):
    """Only her named doings count: an anonymous reply of hers to him (and the follow it
    brings) must not let him through, or his hold would tell him which post was hers."""
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her, hold=["strangers"])
    him = forum.established()
    his_thread, _ = forum.thread(him, "Ask me anything")
    forum.replied(her, his_thread, "A question from nobody", anonymous=True)
    assert forum.replied(him, thread_id)["status"] == "pending"


@pytest.mark.parametrize("writer_role", ["friend", "newcomer", "moderator", "herself"])
def test_every_anonymous_reply_to_her_is_held_whoever_wrote_it(forum, make_user, writer_role):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    friend = forum.established()
    forum.replied(her, forum.thread(friend, "My thread")[0], "Hello friend")
    forum.shield(her)
    writer = {"friend": friend, "newcomer": make_user(), "moderator": make_user("moderator"),
              "herself": her}[writer_role]
    answer = forum.reply(writer, thread_id, "Said without my name", anonymous=True)
    assert answer["post"]["status"] == "pending"
    assert answer["moderation"]["status"] == "pending"
    items = forum.tray(her).get_json()["items"]
    assert [i["post"]["id"] for i in items] == [answer["post"]["id"]]
    assert items[0]["post"]["author"] is None


def test_staff_and_her_helpers_are_never_held_and_a_reply_to_her_anonymous_thread_is_not(
        forum, make_user):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    helper = forum.established()
    forum.helper(her, helper)
    forum.shield(her)
    for staff in ("moderator", "counsellor", "admin"):
        assert forum.replied(make_user(staff), thread_id)["status"] == "published"
    assert forum.replied(helper, thread_id)["status"] == "published"
    # Her anonymous thread is not tied to her: replies there are not held by her shield.
    hidden_thread, _ = forum.thread(her, "Said without my name", anonymous=True)
    assert forum.replied(make_user(), hidden_thread)["status"] == "published"


def test_release_publishes_and_notifies_as_new_reject_hides_for_good(forum, make_user, client):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her)
    kind, cruel = make_user(), make_user()
    good = forum.replied(kind, thread_id, "I believe you")
    bad = forum.replied(cruel, thread_id, "You made it up")
    withdrawn = forum.replied(cruel, thread_id, "I take this back")
    assert client.delete(f"{API}/posts/{withdrawn['id']}", headers=cruel.headers
                         ).status_code == 204
    assert forum.held_ids(her) == [bad["id"], good["id"]]  # what its writer deleted is gone
    assert client.get(f"{API}/me/shield", headers=her.headers).get_json()["shield"][
        "held_count"] == 2
    assert forum.decide(her, good["id"], "release").status_code == 200
    assert good["id"] in forum.thread_post_ids(her, thread_id)
    assert good["id"] in forum.thread_post_ids(make_user(), thread_id)  # published for all
    assert "reply" in forum.kinds(her)
    answer = forum.decide(her, bad["id"], "reject", block=True)
    assert answer.status_code == 200 and answer.get_json()["blocked"] is True
    assert bad["id"] not in forum.thread_post_ids(her, thread_id)
    assert forum.held_ids(her) == []
    blocks = client.get(f"{API}/blocks", headers=her.headers).get_json()["blocks"]
    assert [b["user"]["id"] for b in blocks] == [cruel.id]
    # Moderators still see it, and may act on it.
    assert bad["id"] in forum.thread_post_ids(make_user("moderator"), thread_id)
    # Decided once: a second decision is 404, as is someone else's item.
    assert forum.decide(her, bad["id"], "release").status_code == 404
    assert forum.decide(make_user(), good["id"], "reject").status_code == 404


def test_blocking_from_the_tray_never_names_an_anonymous_writer(forum, make_user, client):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her)
    post = forum.replied(make_user(), thread_id, "From the shadows", anonymous=True)
    answer = forum.decide(her, post["id"], "reject", block=True)
    assert answer.status_code == 200 and answer.get_json()["blocked"] is False
    assert client.get(f"{API}/blocks", headers=her.headers).get_json()["blocks"] == []


def test_helpers_see_and_decide_her_tray_and_nothing_else(forum, make_user, client):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her)
    helper = forum.established()
    stranger = forum.established()
    # Invited but not yet accepted: nothing.
    invite = client.post(f"{API}/me/shield/helpers", headers=her.headers,
                         json={"user_id": helper.id}).get_json()["invite"]
    assert invite["status"] == "invited" and invite["helper"]["id"] == helper.id
    assert "helper_invite" in forum.kinds(helper)
    notes = client.get(f"{API}/notifications", headers=helper.headers).get_json()
    assert notes["notifications"][0]["invite_id"] == invite["id"]
    assert forum.tray(helper, her).status_code == 404
    # Only the invited member can accept.
    assert client.post(f"{API}/shield-invites/{invite['id']}/accept",
                       headers=stranger.headers).status_code == 404
    assert client.post(f"{API}/shield-invites/{invite['id']}/accept",
                       headers=helper.headers).status_code == 200
    one = forum.replied(make_user(), thread_id, "First pile-on reply")
    two = forum.replied(make_user(), thread_id, "Second pile-on reply")
    tray = forum.tray(helper, her)
    assert tray.status_code == 200
    assert [i["post"]["id"] for i in tray.get_json()["items"]] == [two["id"], one["id"]]
    assert forum.tray(stranger, her).status_code == 404
    assert forum.decide(stranger, one["id"], "release", owner=her).status_code == 404
    assert forum.decide(helper, one["id"], "release", owner=her).status_code == 200
    assert forum.decide(helper, two["id"], "reject", owner=her, block=True).status_code == 200
    activity = client.get(f"{API}/me/shield/activity", headers=her.headers).get_json()["activity"]
    assert [(a["action"], a["post_id"], a["helper"]["id"]) for a in activity] == [
        ("block", two["id"], helper.id), ("reject", two["id"], helper.id),
        ("release", one["id"], helper.id)]
    shown = client.get(f"{API}/me/shield", headers=her.headers).get_json()["shield"]
    assert [h["id"] for h in shown["helpers"]] == [helper.id]
    # The helper's own shield and activity are hers, not her friend's.
    assert client.get(f"{API}/me/shield/activity", headers=helper.headers).get_json() == {
        "activity": []}
    # Removed at once.
    assert client.delete(f"{API}/me/shield/helpers/{helper.id}",
                         headers=her.headers).status_code == 204
    three = forum.replied(make_user(), thread_id, "Third pile-on reply")
    assert forum.tray(helper, her).status_code == 404
    assert forum.decide(helper, three["id"], "release", owner=her).status_code == 404


def test_at_most_three_helpers_and_only_someone_whose_name_she_was_shown(forum, make_user,
                                                                       client):
    her = forum.established()
    helpers = [forum.established() for _ in range(4)]
    for member in helpers[:3]:
        assert client.post(f"{API}/me/shield/helpers", headers=her.headers,
                           json={"user_id": member.id}).status_code == 201
    fourth = client.post(f"{API}/me/shield/helpers", headers=her.headers,
                         json={"user_id": helpers[3].id})
    assert fourth.status_code == 409 and fourth.get_json()["code"] == "conflict"
    # A lurker's id (no named post) answers as a missing one: ids cannot be walked.
    lurker = make_user()
    for user_id in (lurker.id, 999_999):
        answer = client.post(f"{API}/me/shield/helpers", headers=her.headers,
                             json={"user_id": user_id})
        assert answer.status_code == 404
    assert client.post(f"{API}/me/shield/helpers", headers=her.headers,
                       json={"user_id": her.id}).status_code == 422
    # Someone who blocked her (or whom she blocked) answers as a missing account.
    other = forum.established()
    assert client.post(f"{API}/blocks", headers=other.headers,
                       json={"user_id": her.id}).status_code == 201
    client.delete(f"{API}/me/shield/helpers/{helpers[0].id}", headers=her.headers)
    assert client.post(f"{API}/me/shield/helpers", headers=her.headers,
                       json={"user_id": other.id}).status_code == 404


def test_the_shield_ends_by_itself_with_a_recap(forum, make_user, client, app):
    from sqlalchemy import update

    from forum.models.shield import Shield
    from forum.services import shield

    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her)
    posts = [forum.replied(make_user(), thread_id, f"Pile-on reply {i}") for i in range(3)]
    forum.decide(her, posts[0]["id"], "release")
    forum.decide(her, posts[1]["id"], "reject")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with app.app_context(), forum.session() as session:
        session.execute(update(Shield).where(Shield.user_id == her.id).values(until=past))
    # Over: a new reply is not held.
    assert forum.replied(make_user(), thread_id, "After the shield")["status"] == "published"
    with app.app_context(), forum.session() as session:
        assert shield.end_expired(session) == 1
        assert shield.end_expired(session) == 0  # once
    state = client.get(f"{API}/me/shield", headers=her.headers).get_json()["shield"]
    assert state["on"] is False
    assert state["recap"]["held"] == 3 and state["recap"]["released"] == 1
    assert state["recap"]["rejected"] == 1
    assert forum.kinds(her).count("shield_ended") == 1
    # What was still held stays in her tray to decide.
    assert forum.held_ids(her) == [posts[2]["id"]]


def test_five_strangers_within_an_hour_bring_the_offer_once(forum, make_user):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    friend = forum.established()
    forum.replied(her, forum.thread(friend, "My thread")[0], "Hello friend")
    for _ in range(3):  # someone she knows does not count, however often
        forum.replied(friend, thread_id)
    for _ in range(4):
        forum.replied(make_user(), thread_id)
    assert "shield_offer" not in forum.kinds(her)
    forum.replied(make_user(), thread_id)
    assert forum.kinds(her).count("shield_offer") == 1
    forum.replied(make_user(), thread_id)
    assert forum.kinds(her).count("shield_offer") == 1  # once an hour


def test_anonymous_replies_count_towards_the_offer_whoever_wrote_them(forum, make_user):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    friend = forum.established()
    forum.replied(her, forum.thread(friend, "My thread")[0], "Hello friend")
    forum.replied(friend, thread_id, "I am here", anonymous=True)
    for _ in range(4):
        forum.replied(make_user(), thread_id)
    assert forum.kinds(her).count("shield_offer") == 1


class TestOfferThresholdSetting:
    @pytest.fixture
    def app_settings(self):
        return {"FORUM_RATE_LIMITS": False, "FORUM_SHIELD_OFFER_REPLIERS": 2}

    def test_the_threshold_is_a_setting(self, forum, make_user):
        her = forum.established()
        thread_id, _ = forum.thread(her)
        forum.replied(make_user(), thread_id)
        assert "shield_offer" not in forum.kinds(her)
        forum.replied(make_user(), thread_id)
        assert "shield_offer" in forum.kinds(her)


def test_no_offer_while_her_shield_is_on(forum, make_user):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her)
    for _ in range(6):
        forum.replied(make_user(), thread_id)
    assert "shield_offer" not in forum.kinds(her)


def test_supports_from_held_accounts_are_neither_counted_nor_told(forum, make_user, client):
    her = forum.established()
    _thread_id, post_id = forum.thread(her)
    forum.shield(her)
    newcomer = make_user()
    answer = client.post(f"{API}/posts/{post_id}/reactions", headers=newcomer.headers,
                         json={"kind": "support"})
    assert answer.status_code == 201 and answer.get_json()["reaction_counts"]["support"] == 0
    assert "support" not in forum.kinds(her)
    assert client.delete(f"{API}/posts/{post_id}/reactions",
                         headers=newcomer.headers).status_code == 204
    friend = forum.established()
    forum.replied(her, forum.thread(friend, "My thread")[0], "Hello friend")
    answer = client.post(f"{API}/posts/{post_id}/reactions", headers=friend.headers,
                         json={"kind": "support"})
    assert answer.get_json()["reaction_counts"]["support"] == 1
    assert "support" in forum.kinds(her)


def test_checking_the_shield_is_one_indexed_look_up_per_reply(forum, make_user, queries):
    her = forum.established()
    thread_id, opening = forum.thread(her)
    writer = forum.established()

    offers = []

    def shield_statements(**extra):
        before = len(queries.statements)
        forum.replied(writer, thread_id, **extra)
        made = queries.statements[before:]
        offers.append([s for s in made if "reply_to_author_id" in s and "count(" in s.lower()
                       and s.lstrip().upper().startswith("SELECT")])
        return [s for s in made if "shields" in s]

    # Off: one statement, by primary key, whether the reply answers the thread or her post;
    # and the offer is one statement more (it counts only until she had the offer).
    for extra in ({}, {"reply_to": opening}):
        found = shield_statements(**extra)
        assert len(found) == 1, found
        assert "shields.user_id IN" in found[0]
        assert len(offers[-1]) == 1, offers[-1]
    forum.shield(her)
    assert len(shield_statements()) == 1  # on, and he is held or not: still one look-up


def test_her_export_holds_her_shield(forum, make_user, client):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her)
    post = forum.replied(make_user(), thread_id)
    exported = client.get(f"{API}/me/export", headers=her.headers).get_json()
    assert exported["shield"]["held"][0]["post_id"] == post["id"]
    assert exported["shield"]["shield"]["hold"] == ["new_accounts", "strangers"]


def test_what_moderation_holds_too_stays_the_moderators_after_she_releases_it(forum, make_user,
                                                                             client):
    her = forum.established()
    thread_id, _ = forum.thread(her)
    forum.shield(her)
    moderator = make_user("moderator")
    assert client.post(f"{API}/moderation/rules", headers=moderator.headers,
                       json={"pattern": "zzholdme", "kind": "word", "action": "hold"}
                       ).status_code == 201
    post = forum.replied(make_user(), thread_id, "zzholdme and more words")
    assert post["status"] == "pending"
    assert forum.decide(her, post["id"], "release").status_code == 200
    assert post["id"] not in forum.thread_post_ids(her, thread_id)  # still the moderators'
    assert forum.held_ids(her) == []
