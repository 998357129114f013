"""The review queue's new fields (issue #18): the thread around a reported post, masked slurs
and sexual words with counted reveals, content warnings, per-moderator opt-outs, pacing
(hourly cap, severe streak) and admins' numbers-only exposure counts."""

from __future__ import annotations

import json

CRISIS_TEXT = "I want to kill myself, I cannot go on"


def care(forum, moderator, **patch):
    if patch:
        answer = forum.client.patch("/api/v1/moderation/care", headers=moderator.headers, json=patch)
    else:
        answer = forum.client.get("/api/v1/moderation/care", headers=moderator.headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["care"]


def test_a_reported_reply_comes_with_the_thread_around_it(forum, make_user):
    opener, named, hidden, author = make_user(), make_user(), make_user(), make_user()
    moderator = make_user("moderator")
    first = forum.opening(opener, "Has anyone dealt with a cousin like this?")
    thread_id = first["thread"]["id"]
    second = forum.reply(named, thread_id, "Yes, my cousin did the same").get_json()["post"]
    third = forum.reply(hidden, thread_id, "I was in that place too", anonymous=True).get_json()["post"]
    reported = forum.reply(author, thread_id, "Stop whining about your cousin", anonymous=True,
                           reply_to=first["id"]).get_json()["post"]
    after = forum.reply(opener, thread_id, "That was unkind").get_json()["post"]
    forum.report(make_user(), reported["id"], "harassment", desired_outcome="remove",
                 note="She does this in every thread")
    item = forum.item_for(moderator, reported["id"])
    assert item["reports"] == [{"reason": "harassment", "desired_outcome": "remove",
                                "note": "She does this in every thread"}]
    context = item["context"]
    assert [(c["id"], c["relation"]) for c in context] == [
        (first["id"], "replied_to"), (second["id"], "before"), (third["id"], "before"),
        (after["id"], "after")]
    by_id = {c["id"]: c for c in context}
    assert by_id[second["id"]]["author"]["handle"] == named.handle
    # An anonymous post around the reported one stays anonymous, even to moderators...
    assert by_id[third["id"]]["author"] is None and by_id[third["id"]]["anonymous"] is True
    assert hidden.handle not in json.dumps(item)
    # ...while the reported item's author is revealed to them (and the look is audited).
    assert item["target"]["author"]["handle"] == author.handle


def test_slurs_and_sexual_words_are_masked_and_each_reveal_is_counted(forum, make_user):
    author, moderator, admin = make_user(), make_user("moderator"), make_user("admin")
    post = forum.opening(author, "everyone knows she is a slut, tell her")
    item = forum.item_for(moderator, post["id"])
    assert item["masked_text"] == "everyone knows she is a ****, tell her"
    assert item["masked_words"] == 1 and item["severe"] is True
    assert item["target"]["text"] == "everyone knows she is a slut, tell her"  # the contract
    assert item["masked_thread_title"] is None and item["masked_title_words"] == 0
    titled = forum.thread(author, "Tell me what you think of her", title="what a slut she is")
    assert titled.status_code == 201, titled.get_json()
    other = forum.item_for(moderator, titled.get_json()["post"]["id"])
    assert other["masked_thread_title"] == "what a **** she is" and other["masked_title_words"] == 1
    url = f"/api/v1/moderation/queue/{item['id']}/reveal"
    for _ in range(2):
        assert forum.client.post(url, headers=moderator.headers).status_code == 200
    assert forum.client.post("/api/v1/moderation/queue/999999/reveal",
                             headers=moderator.headers).status_code == 404
    assert forum.client.post(url, headers=make_user().headers).status_code == 403
    report = forum.client.get("/api/v1/moderation/exposure", headers=admin.headers).get_json()
    [row] = [r for r in report["moderators"] if r["moderator"]["id"] == moderator.id]
    assert row["reveals_last_week"] == 2
    # Numbers only: nothing of what she saw, not even which item.
    assert "slut" not in json.dumps(report) and "review_item" not in json.dumps(report)
    assert forum.client.get("/api/v1/moderation/exposure",
                            headers=moderator.headers).status_code == 403


def test_a_content_warning_reaches_the_queue(forum, make_user):
    author, moderator = make_user(), make_user("moderator")
    post = forum.opening(author, "What happened to me last year at work", content_warning="assault")
    forum.report(make_user(), post["id"], "other")
    item = forum.item_for(moderator, post["id"])
    assert item["content_warning"] == "assault"
    assert item["masked_text"] is None and item["masked_words"] == 0


def test_a_moderator_can_keep_self_harm_out_of_her_own_queue(forum, make_user):
    opted, other = make_user("moderator"), make_user("moderator")
    crisis = forum.opening(make_user(), CRISIS_TEXT)
    plain = forum.opening(make_user(), "an ordinary post to report")
    forum.report(make_user(), plain["id"], "spam")
    assert care(forum, opted)["opt_out"] == []
    assert care(forum, opted, opt_out=["self_harm"])["opt_out"] == ["self_harm"]
    assert [i["target_id"] for i in forum.queue(opted)] == [plain["id"]]
    assert [i["target_id"] for i in forum.queue(other)] == [crisis["id"], plain["id"]]
    assert forum.queue(other)[0]["categories"] == ["self_harm"]
    bad = forum.client.patch("/api/v1/moderation/care", headers=opted.headers,
                             json={"opt_out": ["everything"]})
    assert bad.status_code == 422
    assert forum.client.patch("/api/v1/moderation/care", headers=opted.headers,
                              json={"hourly_cap": 0}).status_code == 422
    assert care(forum, opted)["opt_out"] == ["self_harm"]  # nothing half-written
    assert forum.client.get("/api/v1/moderation/care",
                            headers=make_user().headers).status_code == 403
    # When every other moderator opts out too, the items come back: nobody would see them.
    care(forum, other, opt_out=["self_harm", "threats"])
    assert [i["target_id"] for i in forum.queue(opted)] == [crisis["id"], plain["id"]]


def test_pacing_suggests_a_pause_at_the_cap_and_a_lighter_item_after_three_severe(forum, make_user):
    moderator = make_user("moderator")
    assert care(forum, moderator, hourly_cap=3)["hourly_cap"] == 3
    severe = []
    for n in range(3):
        post = forum.opening(make_user(), f"a post someone finds threatening number {n}")
        forum.report(make_user(), post["id"], "threat")
        severe.append(forum.item_for(moderator, post["id"]))
    light = forum.opening(make_user(), "an advert for shoes")
    forum.report(make_user(), light["id"], "spam")
    light_item = forum.item_for(moderator, light["id"])
    assert all(i["severe"] for i in severe) and light_item["severe"] is False
    for number, item in enumerate(severe[:2], 1):
        assert forum.resolve(moderator, item["id"], "dismiss").status_code == 200
        state = care(forum, moderator)
        assert state["severe_last_hour"] == number and state["pause_suggested"] is False
        assert state["offer_lighter"] is False
    assert forum.resolve(moderator, severe[2]["id"], "remove").status_code == 200
    state = care(forum, moderator)
    assert state["severe_last_hour"] == 3 and state["severe_streak"] == 3
    assert state["pause_suggested"] is True and state["offer_lighter"] is True
    # Soft: she can go on; a lighter item ends the streak.
    assert forum.resolve(moderator, light_item["id"], "dismiss").status_code == 200
    state = care(forum, moderator)
    assert state["offer_lighter"] is False and state["severe_last_hour"] == 3
