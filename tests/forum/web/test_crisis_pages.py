"""Crisis care on pages (API.md "Crisis care on pages", issue #14), with the Flask test client:
the page she lands on after writing words of crisis shows the help lines first (names and
tappable `tel:` numbers, hours, in her language), above everything, her post included; every
form carries the draft check and its hidden help lines; without JavaScript the server answers a
crisis draft with the help lines and a "post it now" step that keeps her text, never a refusal.
Also: the help lines come from one file (moderators see when each was verified), and the
queues put crisis first, by risk then age, with how long each has waited."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.forum.web.conftest import assert_safe_page, csrf_from, sign_in, token_for
from tests.forum.web.test_every_page import BUDGET, weight
from tests.forum.web.test_staff import sign_in_staff

ROOT = Path(__file__).resolve().parents[3]
LINES = json.loads((ROOT / "moderation" / "data" / "helplines.json").read_text("utf-8"))
CRISIS = "I can't go on. I want to die tonight."
CRISIS_UR = "میں اب جینا نہیں چاہتی، بس مرنا چاہتی ہوں"


def thread_id_of(url: str) -> int:
    return int(url.rsplit("/", 1)[1].split("#", 1)[0])


def threads(client: Any) -> list[dict[str, Any]]:
    return client.get("/api/v1/boards/talk/threads").get_json()["threads"]


def order(html: str, *needles: str) -> list[int]:
    """Where each needle first appears (all must)."""
    found = [html.find(n) for n in needles]
    assert all(i >= 0 for i in found), [n for n, i in zip(needles, found, strict=True) if i < 0]
    return found


def test_after_a_crisis_thread_the_help_lines_come_first(client: Any, make_board: Any,
                                                         make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    token = token_for(client, "/boards/talk/new")
    done = client.post("/boards/talk/new", data={
        "csrf_token": token, "title": "Tonight", "body": CRISIS, "crisis_seen": "yes"})
    assert done.status_code == 302
    assert "#" not in done.location  # never scrolled past the help lines to her post
    html = client.get(done.location).get_data(as_text=True)
    assert_safe_page(html)
    box, header, post = order(html, 'id="help-now"', "<header", "I want to die tonight")
    assert box < header < post
    help_box = html[box:header]
    assert 'href="tel:03117786264"' in help_box and 'href="tel:1166"' in help_box
    assert "Umang" in help_box and "24/7, except Eid" in help_box
    # No counsellor is connected in this test: she is told the lines are the quickest help.
    assert "No counsellor is online" in help_box
    # Only once: the next page is an ordinary page.
    assert 'id="help-now"' not in client.get(done.location).get_data(as_text=True)


def test_in_urdu_the_help_lines_speak_urdu(client: Any, make_board: Any,
                                           make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    client.set_cookie("lang", "ur")
    token = token_for(client, "/boards/talk/new")
    done = client.post("/boards/talk/new", data={
        "csrf_token": token, "title": "آج رات", "body": CRISIS_UR, "crisis_seen": "yes"})
    assert done.status_code == 302
    html = client.get(done.location).get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in html
    box, header, post = order(html, 'id="help-now"', "<header", "مرنا چاہتی")
    assert box < header < post
    help_box = html[box:header]
    assert "امنگ" in help_box and "ہمراز" in help_box and 'href="tel:03117786264"' in help_box
    assert "Umang" not in help_box
    assert "عید کے سوا" in help_box  # the hours, in Urdu


def test_a_crisis_reply_lands_on_the_help_lines_not_the_post(client: Any, make_board: Any,
                                                             make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    token = token_for(client, "/boards/talk/new")
    url = client.post("/boards/talk/new", data={
        "csrf_token": token, "title": "Hello", "body": "A quiet day."}).location
    assert "#" not in url and 'id="help-now"' not in client.get(url).get_data(as_text=True)
    thread_id = thread_id_of(url)
    ordinary = client.post(f"/threads/{thread_id}/reply",
                           data={"csrf_token": token, "body": "Still quiet."})
    assert ordinary.status_code == 302 and "#post-" in ordinary.location
    done = client.post(f"/threads/{thread_id}/reply",
                       data={"csrf_token": token, "body": CRISIS, "crisis_seen": "yes"})
    assert done.status_code == 302 and "#post-" not in done.location
    html = client.get(done.location).get_data(as_text=True)
    box, post = order(html, 'id="help-now"', "I want to die tonight")
    assert box < post and box < html.find("A quiet day.")


def test_without_javascript_a_crisis_draft_gets_a_confirm_step_that_keeps_her_words(
        client: Any, make_board: Any, make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    token = token_for(client, "/boards/talk/new")
    draft = {"csrf_token": token, "title": "Tonight", "body": CRISIS,
             "content_warning": "suicide", "anonymous": "yes"}
    step = client.post("/boards/talk/new", data=draft)
    assert step.status_code == 200  # not an error, not a refusal
    html = step.get_data(as_text=True)
    assert_safe_page(html)
    box, button, form = order(html, 'id="help-now"', "Post it now", 'id="body"')
    assert box < button < form
    assert 'href="tel:03117786264"' in html[box:button]
    # Her words are kept: in the one-tap form and in the text box she may change.
    assert html.count("I can&#39;t go on. I want to die tonight.") == 2
    assert 'name="crisis_seen" value="yes"' in html and 'name="anonymous" value="yes"' in html
    assert threads(client) == []  # not posted yet

    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                             html[button - 2000:button]))
    fields = {k: v.replace("&#39;", "'") for k, v in fields.items()}
    posted = client.post("/boards/talk/new", data=fields)
    assert posted.status_code == 302
    landed = client.get(posted.location).get_data(as_text=True)
    assert "I want to die tonight" in landed and 'id="help-now"' in landed
    assert [t["title"] for t in threads(client)] == ["Tonight"]


def test_replies_and_edits_get_the_same_confirm_step(client: Any, make_board: Any,
                                                     make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    token = token_for(client, "/boards/talk/new")
    url = client.post("/boards/talk/new", data={
        "csrf_token": token, "title": "Hello", "body": "A quiet day."}).location
    thread_id = thread_id_of(url)
    step = client.post(f"/threads/{thread_id}/reply", data={"csrf_token": token, "body": CRISIS})
    assert step.status_code == 200
    html = step.get_data(as_text=True)
    assert html.find('id="help-now"') < html.find("Send my reply now") < html.find("A quiet day.")
    assert "I want to die tonight" not in client.get(url).get_data(as_text=True)

    post_id = int(re.findall(r'id="post-(\d+)"', client.get(url).get_data(as_text=True))[0])
    edit = client.post(f"/posts/{post_id}/edit", data={"csrf_token": token, "body": CRISIS})
    assert edit.status_code == 200
    html = edit.get_data(as_text=True)
    assert html.find('id="help-now"') < html.find("Save it now") < html.find('id="body"')
    saved = client.post(f"/posts/{post_id}/edit",
                        data={"csrf_token": token, "body": CRISIS, "crisis_seen": "yes"})
    assert saved.status_code == 302 and "#post-" not in saved.location
    assert "I want to die tonight" in client.get(url).get_data(as_text=True)


def test_every_form_checks_the_draft_as_she_types(app: Any, client: Any, make_board: Any,
                                                   make_user: Any) -> None:
    make_board("talk")
    counsellor = make_user("counsellor")
    sign_in(client, make_user())
    token = token_for(client, "/boards/talk/new")
    url = client.post("/boards/talk/new", data={
        "csrf_token": token, "title": "Hello", "body": "A quiet day."}).location
    post_id = int(re.findall(r'id="post-(\d+)"', client.get(url).get_data(as_text=True))[0])
    room = app.test_client()
    sign_in_staff(app, room, counsellor)
    made = room.post("/rooms", data={"csrf_token": token_for(room, "/rooms"),
                                     "title": "Circle", "description": ""})
    slug = made.location.rsplit("/", 1)[1]
    room.post(f"/rooms/{slug}/open", data={"csrf_token": token_for(room, f"/rooms/{slug}")})
    for path, box in (("/boards/talk/new", "draft-help"), (url, "draft-help"),
                      (f"/posts/{post_id}/edit", "draft-help"), ("/rooms", "draft-help"),
                      (f"/rooms/{slug}", "room-help")):
        html = client.get(path).get_data(as_text=True)
        assert_safe_page(html)
        assert "/static/js/check.js" in html, path
        assert re.search(r"data-check(=\"" + box + r"\")?[ >]", html), path
        hidden = re.search(rf'<section class="crisis" id="{box}"[^>]* hidden>(.*?)</section>',
                           html, re.S)
        assert hidden and 'href="tel:03117786264"' in hidden.group(1), path
        assert weight(client, html) < BUDGET, path
    script = client.get("/static/js/check.js")
    assert script.status_code == 200 and "/api/v1/moderation/check" in script.get_data(
        as_text=True)
    assert len(script.get_data()) < 2048  # a few hundred bytes compressed
    script.close()
    # What the script asks: the same help lines, from the same file.
    checked = client.post("/api/v1/moderation/check", json={"text": CRISIS_UR},
                          headers={"X-CSRF-Token": token})
    assert checked.status_code == 200
    numbers = [line["number"] for line in checked.get_json()["resources"]]
    assert numbers == [line["number"] for line in LINES["helplines"]]


def test_the_help_lines_are_one_file_and_moderators_see_when_each_was_verified(
        app: Any, client: Any, make_user: Any) -> None:
    from moderation.helplines import HELPLINE_NUMBERS, is_helpline_number

    for line in LINES["helplines"]:
        assert {"name", "number", "hours", "languages", "verified_on"} <= set(line)
        assert is_helpline_number(line["number"])
    assert "03117786264" in HELPLINE_NUMBERS and not is_helpline_number("0300-1234567")
    html = client.get("/help").get_data(as_text=True)
    for line in LINES["helplines"]:
        digits = re.sub(r"\D", "", line["number"])
        assert f'href="tel:{digits}"' in html
    assert "Verified with the service" not in html  # visitors get the numbers, not the audit

    moderator = make_user("moderator")
    staff = app.test_client()
    sign_in_staff(app, staff, moderator)
    html = staff.get("/help").get_data(as_text=True)
    assert_safe_page(html)
    assert "Verified with the service" in html
    unverified = [line for line in LINES["helplines"] if not line["verified_on"]]
    assert html.count("not yet: check it with the service") == len(unverified)
    assert "hourstv.com/suicide-helpline-pakistan" in html


def test_the_queue_puts_crisis_first_by_risk_then_age_and_shows_the_wait(
        app: Any, client: Any, make_board: Any, make_user: Any) -> None:
    make_board("talk")
    sign_in(client, make_user())
    token = token_for(client, "/boards/talk/new")
    held = client.post("/boards/talk/new", data={
        "csrf_token": token, "title": "Call me", "body": "My number is 0300-1234567"})
    assert held.status_code == 302
    # The detector grades each post's risk (moderation/domain/crisis.py).
    bodies = {"First": "Soon nobody will have to put up with me.",  # moderate
              "Second": "I want to die.",  # high
              "Third": CRISIS}  # imminent: a time
    for title, body in bodies.items():
        client.post("/boards/talk/new", data={"csrf_token": token, "title": title,
                                              "body": body, "crisis_seen": "yes"})
    moderator = make_user("moderator")
    staff = app.test_client()
    sign_in_staff(app, staff, moderator)
    items = staff.get("/api/v1/moderation/queue",
                      headers={"X-CSRF-Token": token_for(staff, "/")}).get_json()["items"]
    shown = [(i["target"].get("thread_title"), i["priority"], i["risk"]) for i in items]
    assert shown[:3] == [("Third", "crisis", "imminent"), ("Second", "crisis", "high"),
                         ("First", "crisis", "moderate")], shown
    assert shown[3][1] != "crisis" and shown[3][2] is None
    assert all(isinstance(i["waiting_seconds"], int) and i["waiting_seconds"] >= 0
               for i in items)
    page = staff.get("/moderation").get_data(as_text=True)
    assert_safe_page(page)
    assert page.find("Third") < page.find("Second") < page.find("First") < page.find("Call me")
    assert page.count('class="waited"') == len(items)


def _post_of(session: Any, title: str) -> int:
    from sqlalchemy import select

    from forum.models.board import Post, Thread

    thread = session.scalar(select(Thread).where(Thread.title == title))
    return session.scalar(select(Post.id).where(Post.thread_id == thread.id).order_by(Post.id))


def test_the_support_list_puts_crisis_first(app: Any, client: Any, make_user: Any) -> None:
    counsellor, calm, low = make_user("counsellor"), make_user(), make_user()
    first = client.post("/api/v1/support-requests", json={"topic": "Exams next week"},
                        headers=calm.headers)
    second = client.post("/api/v1/support-requests", json={"topic": CRISIS},
                         headers=low.headers)
    assert first.status_code == second.status_code == 201
    listed = client.get("/api/v1/support-requests", headers=counsellor.headers).get_json()
    assert [r["id"] for r in listed["requests"]] == [second.get_json()["request"]["id"],
                                                     first.get_json()["request"]["id"]]
    assert [r["crisis"] for r in listed["requests"]] == [True, False]
    assert all(r["waiting_seconds"] >= 0 for r in listed["requests"])
    staff = app.test_client()
    sign_in_staff(app, staff, counsellor)
    html = staff.get("/rooms").get_data(as_text=True)
    assert html.find(CRISIS.replace("'", "&#39;")) < html.find("Exams next week")
    assert csrf_from(html)
