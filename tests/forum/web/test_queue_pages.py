"""The review queue's pages rebuilt for decisions on a phone (issue #18): words for every code
(English and Urdu), the reporter's note and asked-for outcome, the thread around a post,
masked words shown on a counted tap, one decision with no default, sanctions for an explicit
length, a member's history by handle, the audit log's details, review settings and the
admins' numbers-only workload page."""

from __future__ import annotations

import re
from typing import Any

from tests.forum.web.conftest import assert_safe_page, csrf_from
from tests.forum.web.test_staff import sign_in_staff


def _api(app: Any) -> Any:
    return app.test_client()


def _thread(api: Any, member: Any, body: str, **extra: Any) -> dict:
    made = api.post("/api/v1/boards/talk/threads", headers=member.headers,
                    json={"title": "A question", "body": body, **extra})
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def _report(api: Any, member: Any, post_id: int, reason: str, **extra: Any) -> None:
    done = api.post("/api/v1/reports", headers=member.headers,
                    json={"target_type": "post", "target_id": post_id, "reason": reason, **extra})
    assert done.status_code == 201, done.get_json()


def _item(html: str, post_text: str) -> tuple[int, str]:
    """The id and HTML of the queue item showing `post_text`."""
    for match in re.finditer(r'<article class="post" id="item-(\d+)".*?</article>', html, re.S):
        if post_text in match.group(0):
            return int(match.group(1)), match.group(0)
    raise AssertionError(f"no item shows {post_text!r}")


def test_the_queue_says_in_words_what_reporters_asked_and_shows_the_thread(
        app: Any, client: Any, make_user: Any, make_board: Any) -> None:
    make_board("talk")
    api, opener, hidden, author = _api(app), make_user(), make_user(), make_user()
    made = _thread(api, opener, "My cousin keeps messaging me at night")
    thread_id = made["thread"]["id"]
    api.post(f"/api/v1/threads/{thread_id}/posts", headers=hidden.headers,
             json={"body": "Same thing happened to me", "anonymous": True})
    reply = api.post(f"/api/v1/threads/{thread_id}/posts", headers=author.headers,
                     json={"body": "Stop complaining, nobody cares"}).get_json()["post"]
    _report(api, make_user(), reply["id"], "harassment", desired_outcome="ban",
            note="He follows her from thread to thread")
    sign_in_staff(app, client, make_user("moderator"))
    html = client.get("/moderation").get_data(as_text=True)
    assert_safe_page(html)
    item_id, item = _item(html, "Stop complaining, nobody cares")
    assert "Harassment or bullying" in item and "Ban them" in item
    assert "He follows her from thread to thread" in item
    assert "report:harassment" not in html and "ban</" not in item
    # The thread around it: the anonymous post stays anonymous.
    assert "My cousin keeps messaging me at night" in item and "Same thing happened to me" in item
    assert hidden.handle not in html and "Anonymous" in item
    assert f'href="/moderation/users/{author.id}/sanctions"' in item  # history, one tap away
    # No decision is chosen for her.
    assert item.count('name="decision"') == 3 and " checked" not in item
    assert 'name="duration" value="permanent"' in item and "confirm_permanent" in item

    urdu = client.get("/moderation", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    _id, urdu_item = _item(urdu, "Stop complaining, nobody cares")
    assert "Harassment or bullying" not in urdu_item and "harassment" not in urdu_item
    assert item_id == _id


def test_no_default_decision_and_no_silent_permanent_sanction(
        app: Any, client: Any, make_user: Any, make_board: Any) -> None:
    make_board("talk")
    api, author = _api(app), make_user()
    post = _thread(api, author, "Something cruel to report")["post"]
    _report(api, make_user(), post["id"], "harassment")
    sign_in_staff(app, client, make_user("moderator"))
    html = client.get("/moderation").get_data(as_text=True)
    item_id, _ = _item(html, "Something cruel to report")
    url = f"/moderation/queue/{item_id}/resolve"
    token = csrf_from(html)

    undecided = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "Choose a decision for this item." in undecided.get_data(as_text=True)
    no_length = client.post(url, data={"csrf_token": token, "decision": "remove",
                                       "sanction_kind": "suspend", "duration_hours": ""},
                            follow_redirects=True)
    assert "Choose how long it lasts." in no_length.get_data(as_text=True)
    unconfirmed = client.post(url, data={"csrf_token": token, "decision": "remove",
                                         "sanction_kind": "ban", "duration": "permanent"},
                              follow_redirects=True)
    assert "needs its confirmation" in unconfirmed.get_data(as_text=True)
    # Nothing was decided nor issued by any of those.
    assert client.get(f"/moderation/users/{author.id}/sanctions").get_data(
        as_text=True).count("/lift") == 0
    assert "Something cruel to report" in client.get("/moderation").get_data(as_text=True)

    done = client.post(url, data={"csrf_token": token, "decision": "remove",
                                  "sanction_kind": "suspend", "duration": "168",
                                  "sanction_reason": "Cruelty"}, follow_redirects=True)
    assert "Decision saved." in done.get_data(as_text=True)
    history = client.get(f"/moderation/users/{author.id}/sanctions").get_data(as_text=True)
    assert_safe_page(history)
    assert f"History of {author.handle}" in history and "Suspension" in history
    assert "permanent" not in history.split("<h2>")[1]  # seven days, with an end date
    assert "1 report in the last 90 days." in history and "Harassment or bullying" in history

    forever = client.post(f"/moderation/users/{author.id}/sanctions", data={
        "csrf_token": token, "kind": "ban", "duration": "permanent", "confirm_permanent": "yes",
        "reason": "Again"}, follow_redirects=True)
    assert "Sanction issued." in forever.get_data(as_text=True)

    audit = client.get("/moderation/audit").get_data(as_text=True)
    assert_safe_page(audit)
    assert "<dt>decision</dt><dd" in audit and ">remove</dd>" in audit
    assert author.handle in audit


def test_masked_words_are_shown_on_a_counted_tap(app: Any, client: Any, make_user: Any,
                                                 make_board: Any) -> None:
    make_board("talk")
    api = _api(app)
    _thread(api, make_user(), "everyone knows she is a slut, tell her")
    moderator, admin = make_user("moderator"), make_user("admin")
    sign_in_staff(app, client, moderator)
    html = client.get("/moderation").get_data(as_text=True)
    item_id, item = _item(html, "everyone knows she is a ****, tell her")
    assert "slut" not in html and "lexicon:" not in html
    assert "Show 1 hidden word" in item and "A slur" in item
    shown = client.post(f"/moderation/queue/{item_id}/reveal",
                        data={"csrf_token": csrf_from(html)}, follow_redirects=True)
    _id, item = _item(shown.get_data(as_text=True), "everyone knows she is a slut, tell her")
    assert "hidden word" not in item

    boss = app.test_client()
    sign_in_staff(app, boss, admin)
    workload = boss.get("/moderation/exposure").get_data(as_text=True)
    assert_safe_page(workload)
    row = re.search(rf"<tr><td><bdi>{moderator.handle}</bdi></td>(.*?)</tr>", workload).group(1)
    assert row.endswith("<td>1</td>")  # one reveal, a number only
    assert "slut" not in workload and "tell her" not in workload
    assert client.get("/moderation/exposure").status_code == 403


def test_review_settings_keep_a_category_out_and_pace_the_work(
        app: Any, client: Any, make_user: Any, make_board: Any) -> None:
    make_board("talk")
    api = _api(app)
    _thread(api, make_user(), "I want to kill myself, I cannot go on")
    plain = _thread(api, make_user(), "Buy cheap shoes here")["post"]
    _report(api, make_user(), plain["id"], "spam")
    sign_in_staff(app, client, make_user("moderator"))
    html = client.get("/moderation/care").get_data(as_text=True)
    alone = client.post("/moderation/care", data={"csrf_token": csrf_from(html),
                                                  "opt_out": "self_harm", "hourly_cap": "25"},
                        follow_redirects=True)
    # The only moderator: an opt-out would leave the item to no one, so it stays, and she is told.
    queue = client.get("/moderation").get_data(as_text=True)
    assert "Settings saved." in alone.get_data(as_text=True) and "kill myself" in queue
    assert 'id="kept"' in queue
    make_user("moderator")
    assert_safe_page(html)
    bad = client.post("/moderation/care", data={"csrf_token": csrf_from(html),
                                                "hourly_cap": "lots"})
    assert bad.status_code == 422 and 'id="hourly_cap-error"' in bad.get_data(as_text=True)
    saved = client.post("/moderation/care", data={"csrf_token": csrf_from(html),
                                                  "opt_out": "self_harm", "hourly_cap": "1"},
                        follow_redirects=True)
    assert "Settings saved." in saved.get_data(as_text=True)
    queue = client.get("/moderation").get_data(as_text=True)
    assert "kill myself" not in queue and "Buy cheap shoes here" in queue
    assert "Suicide and self-harm" in queue  # she is told what she chose to leave out
    assert 'id="pause"' not in queue


def test_after_three_severe_items_the_queue_offers_a_lighter_one(
        app: Any, client: Any, make_user: Any, make_board: Any) -> None:
    make_board("talk")
    api = _api(app)
    for n in range(4):  # held by the threat detector: in the queue, urgent
        made = _thread(api, make_user(), f"I will find where you live, number {n}")
        assert made["post"]["status"] == "pending"
    light = _thread(api, make_user(), "Does anyone know a good tailor in Lahore")["post"]
    _report(api, make_user(), light["id"], "spam")
    sign_in_staff(app, client, make_user("moderator"))
    for _ in range(3):
        html = client.get("/moderation").get_data(as_text=True)
        assert 'id="lighter"' not in html
        item_id, _ = _item(html, "I will find where you live")
        done = client.post(f"/moderation/queue/{item_id}/resolve", data={
            "csrf_token": csrf_from(html), "decision": "remove"}, follow_redirects=True)
        assert "Decision saved." in done.get_data(as_text=True)
    html = client.get("/moderation").get_data(as_text=True)
    assert html.index("I will find where you live") < html.index("Does anyone know a good tailor in Lahore")
    assert 'href="/moderation?lighter=1"' in html
    lighter = client.get("/moderation?lighter=1").get_data(as_text=True)
    first = re.search(r'<article class="post" id="item-\d+".*?</article>', lighter, re.S).group(0)
    assert "Does anyone know a good tailor in Lahore" in first and 'id="lighter"' not in lighter
